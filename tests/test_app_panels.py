"""The Model, Loss and Parameters panels and the training worker, one at a time."""

import math
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from playground.document import Document
from playground.panels.model import LR_MAX, LR_MIN, ModelPanel, describe, lr_to_slider, parameter_count, slider_to_lr
from playground.panels.parameters import VALUE_ROLE
from playground.presets import load_preset
from playground.trainer import Trainer
from playground.worker import MAX_SNAPSHOTS_PER_SECOND, TrainingWorker

# ------------------------------------------------------------------------------------------ model panel


@pytest.fixture
def model_panel(qtbot):
    preset = load_preset("linear-regression")
    document = Document(preset.points, preset.config)
    panel = ModelPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    return panel, document


def test_learning_rate_scale_is_logarithmic_from_1e_minus_5_to_10():
    assert lr_to_slider(LR_MIN) == 0 and lr_to_slider(LR_MAX) == 600
    assert lr_to_slider(1e-3) == 200 and lr_to_slider(1.0) == 500
    assert slider_to_lr(0) == LR_MIN and slider_to_lr(600) == LR_MAX
    assert slider_to_lr(350) == pytest.approx(10**-1.5, rel=1e-2)
    for position in range(0, 601, 7):
        assert lr_to_slider(slider_to_lr(position)) == position


def test_slider_drag_is_one_undo_step(model_panel):
    panel, document = model_panel
    slider = panel.lr_control.slider
    slider.setSliderDown(True)
    panel._slider_pressed()
    for position in (210, 230, 260, 300):
        slider.setValue(position)
    slider.setSliderDown(False)
    panel._slider_released()
    assert document.config.lr == slider_to_lr(300) == 0.01
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.config.lr == 0.001
    assert slider.value() == 200 and panel.lr_control.edit.text() == "0.001"


def test_typed_learning_rate_out_of_range_is_refused(model_panel):
    panel, document = model_panel
    messages = []
    panel.message.connect(messages.append)
    for text in ("20", "0", "-1", "abc"):
        panel.lr_control.edit.setText(text)
        panel.lr_control.edit.editingFinished.emit()
    assert document.config.lr == 0.001 and document.undo_stack.count() == 0
    assert len(messages) == 4
    assert panel.lr_control.edit.text() == "0.001"


def test_rows_follow_the_model_and_the_optimizer(model_panel):
    panel, document = model_panel
    form = panel.form
    assert not form.isRowVisible(panel.degree_spin) and not form.isRowVisible(panel.hidden_widget)
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("polynomial"))
    assert document.config.model == "polynomial" and document.config.init is None
    assert form.isRowVisible(panel.degree_spin)
    panel.degree_spin.setValue(5)
    assert document.config.degree == 5
    assert "(6 parameters)" in panel.formula.text()
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    assert form.isRowVisible(panel.beta1_spin) and not form.isRowVisible(panel.momentum_spin)
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("momentum"))
    assert form.isRowVisible(panel.momentum_spin) and not form.isRowVisible(panel.beta1_spin)


def test_mlp_layers_and_units(model_panel):
    panel, document = model_panel
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("mlp"))
    panel.layers_spin.setValue(3)
    panel.units_spins[2].setValue(4)
    assert document.config.hidden == (16, 16, 4)
    assert parameter_count(document.config) == (16 + 16) + (16 * 16 + 16) + (16 * 4 + 4) + (4 + 1)
    assert describe(document.config).startswith("1 → 16 → 16 → 4 → 1")
    panel.layers_spin.setValue(1)
    assert document.config.hidden == (16,)
    assert not panel.units_spins[1].isVisible()


def test_bce_only_for_the_sigmoid_neuron_and_leaving_it_switches_to_mse(model_panel):
    panel, document = model_panel
    bce = panel.loss_combo.model().item(panel.loss_combo.findData("bce"))
    assert not bce.isEnabled()
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("sigmoid"))
    assert bce.isEnabled()
    panel.loss_combo.setCurrentIndex(panel.loss_combo.findData("bce"))
    assert document.config.loss == "bce"
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("linear"))
    assert document.config.model == "linear" and document.config.loss == "mse"


def test_batch_size_and_seed(model_panel):
    panel, document = model_panel
    assert panel.full_batch_check.isChecked() and not panel.batch_spin.isEnabled()
    panel.batch_spin.setValue(2)
    panel.full_batch_check.setChecked(False)
    assert document.config.batch_size == 2
    panel.full_batch_check.setChecked(True)
    assert document.config.batch_size is None
    panel.seed_spin.setValue(7)
    assert document.config.seed == 7


def test_every_control_has_a_tooltip(model_panel):
    panel, _ = model_panel
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider

    controls = [
        w
        for kind in (QComboBox, QAbstractSpinBox, QSlider, QAbstractButton, QLineEdit)
        for w in panel.findChildren(kind)
        if not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))
    ]
    assert controls
    for widget in controls:
        assert widget.toolTip(), widget


# ------------------------------------------------------------------------------------------ worker


class CountingTrainer(Trainer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.points_received = []

    def set_points(self, points):
        self.points_received.append(np.array(points))
        super().set_points(points)


def test_worker_trains_on_the_latest_points_only(qtbot):
    preset = load_preset("linear-regression")
    worker = TrainingWorker(preset.config, preset.points)  # stays in this thread: driven by hand
    worker.start()
    worker._trainer = CountingTrainer(preset.config, preset.points)
    worker.play()
    assert worker._timer.isActive()
    copies = [preset.points + k for k in range(1, 6)]
    for copy in copies:
        worker.set_points(copy)  # while playing: kept until the next step boundary
    assert worker._trainer.points_received == []
    worker._tick()
    assert len(worker._trainer.points_received) == 1
    np.testing.assert_array_equal(worker._trainer.points_received[0], copies[-1])
    np.testing.assert_array_equal(worker._trainer.points, copies[-1])
    worker.pause()
    assert not worker._timer.isActive()
    worker.stop()


def test_worker_applies_edits_at_once_while_paused_and_publishes_a_new_model(qtbot):
    preset = load_preset("linear-regression")
    worker = TrainingWorker(preset.config, preset.points)
    snapshots = []
    worker.snapshotReady.connect(snapshots.append)
    worker.start()
    assert snapshots[-1].epoch == 0
    worker.set_config(preset.config.replace(model="mlp", init=None))
    assert snapshots[-1].config.model == "mlp"
    worker.set_config(snapshots[-1].config.replace(lr=0.5))  # a hyperparameter: no new parameters
    assert snapshots[-1].config.lr == 0.5
    worker.stop()


def test_snapshots_never_come_faster_than_sixty_a_second(qtbot, main_window):
    window = main_window
    window.load_preset("noisy-line", n_points=200)
    arrivals = []
    window.training.worker.snapshotReady.connect(
        lambda s: arrivals.append(time.perf_counter()), Qt.ConnectionType.DirectConnection
    )
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: len(arrivals) >= 40, timeout=30_000)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=30_000)
    # 40 snapshots span at least 39 snapshot periods (a few ms of thread-switch jitter aside).
    assert arrivals[39] - arrivals[0] >= 39 / MAX_SNAPSHOTS_PER_SECOND - 0.005
    assert latest_epoch(window) > 40  # many epochs per snapshot


def latest_epoch(window):
    return window.training.latest.epoch


# ------------------------------------------------------------------------------------------ loss and parameters


def test_loss_panel_appends_and_restarts_after_reset(qtbot, main_window):
    window = main_window
    panel = window.loss_panel
    window.controls.step_n_spin.setValue(10)
    window.controls.step_n_action.trigger()
    qtbot.waitUntil(lambda: len(panel.loss_history()) == 10, timeout=30_000)
    reference = Trainer(load_preset("linear-regression").config, load_preset("linear-regression").points)
    assert panel.loss_history().tolist() == [reference.step() for _ in range(10)]
    window.document.add_point(5.0, 11.0)
    assert panel.edit_epochs() == [10]
    window.controls.reset_action.trigger()
    qtbot.waitUntil(lambda: len(panel.loss_history()) == 0, timeout=30_000)
    assert panel.edit_epochs() == []
    xs, _ys = panel.loss_curve.getData()
    assert xs is None or len(xs) == 0


def test_loss_plot_follows_training_in_round_steps_until_the_user_pans(qtbot, main_window):
    window = main_window
    panel = window.loss_panel
    window.controls.step_n_spin.setValue(23)
    window.controls.step_n_action.trigger()
    qtbot.waitUntil(lambda: len(panel.loss_history()) == 23, timeout=30_000)
    (x0, x1), (y0, y1) = panel.view_box.viewRange()
    # Epochs 0…25 (the next round number above 23) and losses 0…50 (above the first loss, 41).
    assert x0 <= 0 and 25 <= x1 < 26
    assert y0 <= 0 and 50 <= y1 < 52
    assert panel.loss_history().max() == pytest.approx(41.0)
    shown = panel.view_box.viewRange()
    window.controls.step_n_spin.setValue(2)
    window.controls.step_n_action.trigger()
    qtbot.waitUntil(lambda: len(panel.loss_history()) == 25, timeout=30_000)
    assert panel.view_box.viewRange() == shown  # still inside the same round range: the axes stay put

    panel.view_box.sigRangeChangedManually.emit([True, True])  # what a pan or a wheel zoom sends
    assert not panel.following
    panel.view_box.enableAutoRange()  # the plot's "A" button
    assert panel.following and not any(panel.view_box.autoRangeEnabled())


def test_parameters_panel_lists_every_weight_of_a_network(qtbot, main_window):
    window = main_window
    window.preset_actions["sine"].trigger()
    model = window.parameters_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 321, timeout=30_000)
    snapshot = window.training.latest
    names = [model.data(model.index(row, 0)) for row in range(model.rowCount())]
    first_weight = next(name for name in snapshot.params if name.endswith("weight"))
    assert f"{first_weight}[0, 0]" in names
    row = names.index(f"{first_weight}[3, 0]")
    assert model.value(row) == float(snapshot.params[first_weight][3, 0])
    assert model.data(model.index(row, 1), Qt.ItemDataRole.ToolTipRole) == repr(
        float(snapshot.params[first_weight][3, 0])
    )
    assert not any(math.isnan(model.value(r)) for r in range(model.rowCount()))


def test_numbers_in_narrow_columns_lose_digits_not_their_ends():
    from playground.panels.numbers import fitting_text

    assert fitting_text(-6.923429e-05, lambda t: len(t) <= 20) == "-6.923429e-05"
    assert fitting_text(-6.923429e-05, lambda t: len(t) <= 9) == "-6.92e-05"
    assert fitting_text(0.0030634712, lambda t: len(t) <= 7) == "0.00306"
    assert fitting_text(-0.00392149, lambda t: len(t) <= 6) == "-0.004"  # one digit rather than "-0.00…"
    short = fitting_text(123456.789, lambda t: len(t) <= 6)
    assert len(short) <= 6 and abs(float(short) - 123456.789) / 123456.789 < 0.01
    assert fitting_text(float("nan"), lambda t: False) == "nan"


def test_the_parameters_table_fits_its_numbers_to_the_column(qtbot):
    from PySide6.QtWidgets import QStyleOptionViewItem

    from playground.panels.parameters import ParametersPanel

    panel = ParametersPanel()
    qtbot.addWidget(panel)
    panel.model.set_parameters({"w": np.array([[-6.923429e-05]])}, {"w": np.array([[-1.2345678e-07]])})
    panel.resize(230, 200)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.table
    for column in (1, 2):
        index = panel.model.index(0, column)
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.rect = table.visualRect(index)
        table.itemDelegate().initStyleOption(option, index)
        width = option.fontMetrics.horizontalAdvance(option.text)
        assert width <= option.rect.width() and "…" not in option.text
        assert float(option.text) == pytest.approx(panel.model.data(index, VALUE_ROLE), rel=0.01)
