"""Classification in the window: paint points of two classes, train, and read the decision surface."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from playground.presets import load_preset

TIMEOUT = 30_000

CLASS_0 = [(-4.0, -3.0), (-3.0, 1.0), (-4.5, 3.0), (-2.5, -1.0), (-3.5, 0.0)]
CLASS_1 = [(3.0, -2.0), (4.0, 2.0), (2.5, 0.5), (4.5, -0.5), (3.5, 3.5)]


@pytest.fixture
def plane_window(make_main_window):
    window = make_main_window("gaussians")
    config = window.document.config.replace(test_fraction=0.0, lr=0.1)
    window.document.replace(np.empty((0, 3)), config, text="Clear")
    window.data_panel.view_box.setRange(xRange=(-6, 6), yRange=(-6, 6), padding=0)
    return window


def _press(qtbot, window, key):
    qtbot.keyClick(window, key)


def test_paint_two_classes_train_and_the_surface_classifies_them(qtbot, plane_window, plot_mouse):
    window = plane_window
    panel = window.data_panel
    assert panel.plane.active and panel.plane.toolbar.isVisible()
    mouse = plot_mouse(panel.plot_widget)
    _press(qtbot, window, Qt.Key.Key_1)
    for x, y in CLASS_0:
        mouse.click(x, y)
    _press(qtbot, window, Qt.Key.Key_2)
    assert panel.plane.current_class == 1
    for x, y in CLASS_1:
        mouse.click(x, y)
    points = window.document.points
    assert points.shape == (10, 3)
    assert points[:, 2].tolist() == [0.0] * 5 + [1.0] * 5
    np.testing.assert_allclose(points[:, :2], CLASS_0 + CLASS_1, atol=0.15)
    assert panel.table_model.columnCount() == 3

    window.controls.step_n_spin.setValue(300)
    window.controls.step_n_action.trigger()
    qtbot.waitUntil(lambda: window.training.latest.epoch == 300 and not window.training.running, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.plane.probabilities is not None, timeout=TIMEOUT)
    for (x, y), label in zip(CLASS_0 + CLASS_1, [0] * 5 + [1] * 5):
        assert panel.plane.probability_at(x, y).argmax() == label, (x, y)
    # The surface's boundary runs between the classes, and the accuracy is in the Loss dock.
    segments = panel.plane.boundary.getData()[0]
    assert len(segments) and ((segments > -2.5) & (segments < 2.5)).mean() > 0.5
    qtbot.waitUntil(lambda: "train accuracy 100.0 %" in window.loss_panel.summary.text(), timeout=TIMEOUT)
    loss_panel = window.loss_panel
    assert loss_panel.accuracy_widget.isVisible()

    # The loss plot keeps the larger share of the dock, in this window and in the shortest one.
    def loss_plot_larger():
        return loss_panel.plot_widget.height() > loss_panel.accuracy_widget.height() >= 60

    assert loss_plot_larger()
    window.resize(window.width(), 600)
    qtbot.waitUntil(lambda: window.height() <= 700, timeout=TIMEOUT)
    qtbot.waitUntil(loss_plot_larger, timeout=TIMEOUT)  # once the docks are laid out again


def test_drags_keep_the_class_and_undo_restores_the_point(qtbot, plane_window, plot_mouse):
    window = plane_window
    panel = window.data_panel
    window.document.add_points([[0.0, 0.0, 1.0], [2.0, 2.0, 0.0]])
    mouse = plot_mouse(panel.plot_widget)
    mouse.drag((0.0, 0.0), (-2.0, 1.0), steps=6)
    points = window.document.points
    np.testing.assert_allclose(points[0], [-2.0, 1.0, 1.0], atol=0.15)
    window.document.undo_stack.undo()
    assert window.document.points[0].tolist() == [0.0, 0.0, 1.0]
    # The class column of the table edits the class, as one undo step.
    index = panel.table_model.index(1, 2)
    assert panel.table_model.setData(index, "1")
    assert window.document.points[1].tolist() == [2.0, 2.0, 1.0]
    window.document.undo_stack.undo()
    assert window.document.points[1].tolist() == [2.0, 2.0, 0.0]


def test_generate_replaces_the_points_and_the_test_points_are_hollow(qtbot, plane_window):
    window = plane_window
    toolbar = window.data_panel.plane.toolbar
    toolbar.dataset_combo.setCurrentIndex(toolbar.dataset_combo.findData("spiral"))
    toolbar.classes_spin.setValue(3)
    toolbar.count_spin.setValue(90)
    toolbar.generate_button.click()
    document = window.document
    assert document.points.shape == (90, 3) and set(document.points[:, 2]) == {0.0, 1.0, 2.0}
    assert document.config.classes == 3 and document.config.loss == "cross-entropy"
    toolbar.test_spin.setValue(40)
    assert document.config.test_fraction == pytest.approx(0.4)
    test = window.data_panel.plane.test
    assert 20 < test.sum() < 50
    brushes = window.data_panel.points_item.data["brush"]
    assert all(brushes[i].color().getRgb()[:3] == (255, 255, 255) for i in np.flatnonzero(test))
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert len(document.points) == 0


@pytest.mark.parametrize("name", ["xor", "moons"])
def test_classification_presets_open_in_plane_mode_and_back(qtbot, make_main_window, name):
    window = make_main_window(name)
    panel = window.data_panel
    assert panel.plane.active and not panel.fitted_curve.isVisible()
    assert panel.table_model.headerData(2, Qt.Orientation.Horizontal) == "class"
    assert len(window.document.points) == load_preset(name).n_points
    window.load_preset("sine")
    assert not panel.plane.active and panel.table_model.columnCount() == 2
    qtbot.waitUntil(lambda: len(panel.fitted_curve_data()[0]) > 0, timeout=TIMEOUT)


@pytest.mark.parametrize("preset", ["circle", "spiral"])
def test_a_classification_window_keeps_its_size_and_its_names_readable(qtbot, make_main_window, preset):
    window = make_main_window(preset)
    assert window.width() == 1400  # the generator's row, the table and the Model dock fit beside the Landscape
    # The Landscape dock is narrow here: its two axes' choices stack, each wide enough for its name.
    panel = window.landscape_panel
    assert panel.width() < 460
    assert panel.x_combo.y() < panel.y_combo.y()
    for combo in (panel.x_combo, panel.y_combo):
        assert combo.width() > combo.fontMetrics().horizontalAdvance(combo.currentText()) + 20
    # The points table shows its coordinates with two digits or more, not "-0.…".
    table = window.data_panel.table
    model = table.model()
    for row in range(5):
        for column in (0, 1):
            index = model.index(row, column)
            option = QStyleOptionViewItem()
            option.rect = table.visualRect(index)
            option.fontMetrics = table.fontMetrics()
            table.itemDelegateForIndex(index).initStyleOption(option, index)
            assert "…" not in option.text and option.fontMetrics.horizontalAdvance(option.text) < option.rect.width()


def test_a_penalty_chosen_in_the_model_dock_is_trained_with_and_named_with_the_loss(qtbot, make_main_window):
    from playground.trainer import Trainer

    window = make_main_window("xor")
    panel = window.model_panel
    panel.regularization_combo.setCurrentIndex(panel.regularization_combo.findData("l2"))
    panel.regularization_spin.setValue(0.01)
    qtbot.waitUntil(lambda: window.document.config.regularization_rate == pytest.approx(0.01), timeout=TIMEOUT)
    window.training.step(3)
    qtbot.waitUntil(
        lambda: window.training.latest.epoch == 3 and "loss (with the L2 penalty)" in window.loss_panel.summary.text(),
        timeout=TIMEOUT,
    )
    # The window trained the loss plus 0.01·Σw²: the same losses as a trainer of that configuration.
    config, points = window.document.config, window.document.points
    assert (config.regularization, config.regularization_rate) == ("l2", pytest.approx(0.01))
    with_penalty, without = Trainer(config, points), Trainer(config.replace(regularization="none"), points)
    with_penalty.run(3)
    without.run(3)
    np.testing.assert_array_equal(
        window.training.latest.params["output.weight"], with_penalty.snapshot().params["output.weight"]
    )
    assert with_penalty.losses()[0] > without.losses()[0]


def test_a_classifier_fits_a_1024_pixel_wide_window(qtbot, make_main_window):
    # Opened on a 1024×700 screen (the Landscape a tab beside Loss), the window fits once trained: the
    # long line of losses and accuracies wraps, and the class toolbar takes two rows.
    window = make_main_window("circle", size=(1024, 700))
    window.training.step(20)
    qtbot.waitUntil(lambda: "test accuracy" in window.loss_panel.summary.text(), timeout=TIMEOUT)
    toolbar = window.data_panel.plane.toolbar
    qtbot.waitUntil(lambda: toolbar.rows == 2 and laid_out_cleanly(toolbar), timeout=TIMEOUT)
    assert window.minimumSizeHint().width() <= 1024
    assert window.width() == 1024


def test_the_class_toolbar_takes_two_rows_only_when_one_does_not_fit(qtbot):
    from playground.panels.plane import ClassToolbar

    toolbar = ClassToolbar()
    qtbot.addWidget(toolbar)
    toolbar.resize(1200, 40)
    toolbar.show()
    qtbot.waitUntil(lambda: toolbar.rows == 1 and laid_out_cleanly(toolbar), timeout=TIMEOUT)
    toolbar.resize(toolbar.minimumWidth(), 80)
    qtbot.waitUntil(lambda: toolbar.rows == 2 and laid_out_cleanly(toolbar), timeout=TIMEOUT)
    assert toolbar.minimumWidth() < 0.8 * toolbar._one_row_width


def laid_out_cleanly(toolbar):
    """Every control as wide as it asks to be, none overlapping another (once the layout has settled)."""
    widgets = (toolbar._class_label, *toolbar.class_buttons, toolbar.test_spin, *toolbar._generator)
    visible = [w for w in widgets if w.isVisible()]
    for i, a in enumerate(visible):
        if a.width() < min(a.sizeHint().width(), a.maximumWidth()) - 1:
            return False
        if any(a.geometry().intersects(b.geometry()) for b in visible[i + 1 :]):
            return False
    return True


def test_the_strip_goes_beside_the_plane_only_where_that_shows_the_plane_larger():
    from playground.panels.plane import STRIP_WIDTH, strip_beside, strip_height

    # Below the plot the strip takes a quarter of the height, 70 to 110 px.
    assert [strip_height(h) for h in (200, 300, 360, 600)] == [70, 75, 90, 110]
    assert strip_beside(900, 300)  # short and wide: beside, the plane is 300 px instead of 225
    assert not strip_beside(500, 450)  # tall enough: below (340 px), beside would be 290
    assert not strip_beside(360, 290)  # narrow: beside would leave 150 px, below leaves 218
    # 300 px tall: below, the plane has 300 − 75 = 225 px; beside, it must have more than 270.
    assert strip_beside(STRIP_WIDTH + 271, 300)
    assert not strip_beside(STRIP_WIDTH + 270, 300)


def test_neuron_heatmaps_in_one_row_or_a_grid_keep_each_neuron_in_its_place(qtbot):
    from playground.panels.plane import NeuronStrip

    strip = NeuronStrip()
    qtbot.addWidget(strip)
    size, gap = 4, 3
    units = np.arange(6, dtype=float) / 10  # neuron u is the constant u/10 over its heatmap
    layer = np.tile(units, (size * size, 1))
    strip.show_layers([layer], size=size)
    image = strip._rows[0][2].image.T  # rows top to bottom as drawn (y up), columns left to right
    assert image.shape == (size, 6 * (size + gap) - gap)
    strip.set_columns(4)  # neurons 0–3 in the top row, 4–5 below
    grid = strip._rows[0][2].image.T
    assert grid.shape == (2 * (size + gap) - gap, 4 * (size + gap) - gap)
    levels = (units + 1) / 2
    for u in range(6):
        row, col = divmod(u, 4)
        top = (1 - row) * (size + gap)  # the image's first row is the bottom one
        left = col * (size + gap)
        assert np.allclose(grid[top : top + size, left : left + size], levels[u])


def test_a_short_wide_data_dock_puts_the_neurons_beside_the_plane(qtbot, make_main_window):
    from playground.panels.plane import strip_height

    window = make_main_window("spiral", size=(1280, 800))  # the Landscape a tab: the Data dock is wide
    panel = window.data_panel
    strip = panel.plane.strip
    qtbot.waitUntil(lambda: panel.strip_beside and strip.isVisible(), timeout=TIMEOUT)
    assert strip.parent() is panel.splitter and strip.columns == 4
    # The plot is as tall as the splitter, which takes the panel's height below the class toolbar
    # (once the layout has settled).
    qtbot.waitUntil(
        lambda: (
            panel.plot_widget.height() == panel.splitter.height() > panel.height() - panel.plane.toolbar.height() - 5
        ),
        timeout=TIMEOUT,
    )
    assert panel.plot_widget.geometry().right() < strip.geometry().left() < panel.table.geometry().left()

    window.load_preset("sine")  # no plane: the strip goes and the plot and table share the room again
    qtbot.waitUntil(lambda: not strip.isVisible() and not panel.strip_beside, timeout=TIMEOUT)
    assert panel.splitter.count() == 2
    window.load_preset("moons")
    qtbot.waitUntil(lambda: strip.isVisible(), timeout=TIMEOUT)
    assert panel.strip_beside

    window.resize(1400, 900)  # a taller Data dock beside the Landscape: below again, a row a layer
    window.lay_out_docks(1400, 900)
    qtbot.waitUntil(lambda: not panel.strip_beside, timeout=TIMEOUT)
    assert strip.parent() is panel and strip.columns is None
    qtbot.waitUntil(  # a quarter of the room below the toolbar
        lambda: strip.height() == strip_height(panel.splitter.height() + strip.height()), timeout=TIMEOUT
    )
    assert panel.splitter.count() == 2
