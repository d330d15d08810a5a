"""The main window driven like a user would: real widgets, real mouse and keyboard, a real worker thread.

Every wait is on a signal or a condition (qtbot.waitSignal / waitUntil), never a sleep.
"""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel

from playground.config import Config
from playground.presets import load_preset
from playground.trainer import Trainer, TrainingError

SEED_W = 2.0195605754852295
SEED_B = 0.7054842114448547
TIMEOUT = 30_000


def latest(window):
    return window.training.latest


def shown_epoch(window):
    """The epoch the status bar shows."""
    return int(window.epoch_label.text().split()[-1].replace(",", ""))


def wait_for_epoch(qtbot, window, epoch, timeout=TIMEOUT):
    qtbot.waitUntil(lambda: shown_epoch(window) == epoch and not window.training.running, timeout=timeout)


def line_fit(points, xs):
    slope, intercept = np.polyfit(points[:, 0], points[:, 1], 1)
    return slope * xs + intercept


def curve_matches_fit(window, points, atol=5e-4):
    xs, ys = window.data_panel.fitted_curve_data()
    return len(xs) > 0 and np.allclose(ys, line_fit(points, xs), atol=atol)


# ------------------------------------------------------------------------------------------ editing


def test_drag_while_playing_moves_the_fit_and_undo_restores_data_and_fit(qtbot, make_main_window, plot_mouse):
    window = make_main_window("noisy-line")
    original = window.document.points
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: curve_matches_fit(window, original), timeout=TIMEOUT)
    curve_before = window.data_panel.fitted_curve_data()[1]

    # Drag the right-most point 6 units up, with real mouse events on the plot.
    index = int(np.argmax(original[:, 0]))
    x, y = original[index]
    mouse = plot_mouse(window.data_panel.plot_widget)
    mouse.drag((x, y), (x, y + 6.0), steps=10)
    dragged = window.document.points
    assert dragged[index, 1] == pytest.approx(y + 6.0, abs=3 * window.data_panel.view_box.viewPixelSize()[1])
    np.testing.assert_array_equal(np.delete(dragged, index, axis=0), np.delete(original, index, axis=0))
    assert (
        window.data_panel.table_model.data(window.data_panel.table_model.index(index, 1)) == f"{dragged[index, 1]:.6g}"
    )

    # Training keeps running on the new data: the fitted curve follows it, and the snapshots say
    # they were trained on the last set of points sent.
    qtbot.waitUntil(lambda: curve_matches_fit(window, dragged), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: latest(window).points_version == window.training.points_sent, timeout=TIMEOUT)
    assert window.training.points_sent >= 10  # one set per mouse move
    assert np.abs(window.data_panel.fitted_curve_data()[1] - curve_before).max() > 0.05

    # One undo step restores the data, and the fit goes back to the original data's fit.
    window.undo_action.trigger()
    np.testing.assert_array_equal(window.document.points, original)
    qtbot.waitUntil(lambda: curve_matches_fit(window, original), timeout=TIMEOUT)
    np.testing.assert_allclose(window.data_panel.fitted_curve_data()[1], curve_before, atol=1.5e-3)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    assert len(window.loss_panel.edit_epochs()) == 2  # the drag and its undo are marked on the loss plot


def test_a_drag_repaints_only_the_moved_row_of_the_points_table(qtbot, main_window, plot_mouse):
    model = main_window.data_panel.table_model
    changed = []
    model.dataChanged.connect(
        lambda top, bottom: changed.append((top.row(), top.column(), bottom.row(), bottom.column()))
    )
    points = main_window.document.points
    index = int(np.argmax(points[:, 0]))
    x, y = points[index]
    plot_mouse(main_window.data_panel.plot_widget).drag((x, y), (x, y + 1.0), steps=4)
    assert main_window.document.points[index, 1] != y
    # One cell at a time, all in the moved row: a view repaints only those cells, if shown.
    assert changed and all(top == bottom == index and left == right for top, left, bottom, right in changed)
    assert {left for _, left, _, _ in changed} == {0, 1}
    assert model.data(model.index(index, 1)) == f"{main_window.document.points[index, 1]:.6g}"

    # Several rows changed at once (an undo of a group move): one range from the first to the last.
    changed.clear()
    moved = main_window.document.points.copy()
    moved[[1, 3], 1] += 1.0
    model.set_points(moved)
    assert changed == [(1, 0, 3, 1)]
    changed.clear()
    model.set_points(moved.copy())  # nothing differs: nothing to repaint
    assert changed == []


def test_no_hover_events_reach_the_points_while_one_is_dragged(qtbot, main_window, plot_mouse, monkeypatch):
    panel = main_window.data_panel
    hovers = []
    hover_event = panel.points_item.hoverEvent
    monkeypatch.setattr(panel.points_item, "hoverEvent", lambda ev: (hovers.append(panel.dragging), hover_event(ev)))
    points = main_window.document.points
    index = int(np.argmax(points[:, 0]))
    x, y = points[index]
    plot_mouse(panel.plot_widget).drag((x, y), (x, y + 1.0), steps=5)
    assert main_window.document.points[index, 1] != y
    # Hovered before the press and after the release, never during the drag.
    assert hovers and not any(hovers)
    assert len(hovers) <= 3
    # Hovering works again: the point under the mouse offers the open hand.
    mouse = plot_mouse(panel.plot_widget)
    mouse.move(*main_window.document.points[index])
    assert panel.points_item.cursor().shape() == Qt.CursorShape.OpenHandCursor


def test_click_adds_a_point_and_delete_key_removes_it(qtbot, main_window, plot_mouse):
    window = main_window
    before = window.document.points
    mouse = plot_mouse(window.data_panel.plot_widget)
    mouse.click(2.5, 8.0)
    points = window.document.points
    assert len(points) == 5
    assert points[-1] == pytest.approx([2.5, 8.0], abs=0.05)
    assert window.data_panel.table_model.rowCount() == 5
    # The worker trains on the new point from the next step on.
    window.controls.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).epoch == 1 and latest(window).n_points == 5, timeout=TIMEOUT)

    window.activateWindow()
    window.data_panel.plot_widget.setFocus()
    qtbot.keyClick(window.data_panel.plot_widget, Qt.Key.Key_Delete)
    np.testing.assert_array_equal(window.document.points, before)
    window.controls.step_action.trigger()
    qtbot.waitUntil(lambda: latest(window).epoch == 2 and latest(window).n_points == 4, timeout=TIMEOUT)


def test_table_edit_reaches_the_trainer_and_nan_is_refused(qtbot, main_window):
    window = main_window
    model = window.data_panel.table_model
    assert model.setData(model.index(0, 1), "4")
    assert not model.setData(model.index(0, 0), "nan")
    assert window.document.points[0].tolist() == [1.0, 4.0]
    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)
    # mean((0 - y)^2) over y = 4, 5, 7, 9
    assert latest(window).loss == pytest.approx((16 + 25 + 49 + 81) / 4)


# ------------------------------------------------------------------------------------------ training


def test_step_trains_exactly_one_epoch_and_shows_the_engines_numbers(qtbot, main_window):
    window = main_window
    preset = load_preset("linear-regression")
    reference = Trainer(preset.config, preset.points)
    expected_loss = reference.step()
    expected = reference.snapshot()
    panel = window.parameters_panel
    # Before the first step there is no gradient (PyTorch's p.grad is None): a dash, not a zero.
    qtbot.waitUntil(lambda: latest(window) is not None and panel.model.rowCount() == 2, timeout=TIMEOUT)
    assert panel.gradient_of("w") is None and panel.gradient_of("b") is None
    assert panel.model.index(panel.model.row_of("w"), 2).data() == "—"

    with qtbot.waitSignal(window.training.snapshotReady, timeout=TIMEOUT):
        window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)
    assert latest(window).epoch == 1
    assert expected_loss == 41.0
    assert window.loss_label.text() == "Loss 41"
    assert float(window.loss_label.text().split()[-1]) == expected_loss
    assert window.loss_panel.loss_history().tolist() == [expected_loss]
    assert panel.model.index(panel.model.row_of("w"), 2).data() == "-35"
    assert panel.gradient_of("w") == float(expected.grads["w"].reshape(-1)[0]) == -35.0
    assert panel.gradient_of("b") == float(expected.grads["b"].reshape(-1)[0]) == -12.0
    assert panel.value_of("w") == float(expected.params["w"].reshape(-1)[0])
    assert panel.value_of("b") == float(expected.params["b"].reshape(-1)[0])


def test_two_hundred_single_steps_reach_the_tutorials_numbers(qtbot, main_window):
    window = main_window
    for _ in range(200):
        window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 200)
    assert window.parameters_panel.value_of("w") == SEED_W
    assert window.parameters_panel.value_of("b") == SEED_B
    history = window.loss_panel.loss_history()
    assert len(history) == 200
    assert [round(history[i - 1], 2) for i in range(20, 201, 20)] == [
        21.63,
        11.03,
        5.63,
        2.88,
        1.47,
        0.76,
        0.39,
        0.21,
        0.11,
        0.06,
    ]


def test_step_n_of_two_hundred_reaches_the_tutorials_numbers(qtbot, main_window):
    window = main_window
    window.controls.step_n_spin.setValue(200)
    window.controls.step_n_action.trigger()
    wait_for_epoch(qtbot, window, 200)
    assert latest(window).epoch == 200
    assert window.parameters_panel.value_of("w") == SEED_W
    assert window.parameters_panel.value_of("b") == SEED_B


def test_the_status_bar_shows_the_last_epoch_as_soon_as_training_stops(qtbot, main_window):
    window = main_window
    window.controls.step_n_spin.setValue(37)
    with qtbot.waitSignal(window.training.snapshotReady, check_params_cb=lambda s: s.epoch == 37, timeout=TIMEOUT):
        window.controls.step_n_action.trigger()
    # No waiting for the 5 Hz refresh of the secondary views: the last snapshot shows at once.
    assert window.epoch_label.text() == "Epoch 37"
    assert len(window.loss_panel.loss_history()) == 37


def test_play_and_pause(qtbot, main_window):
    window = main_window
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "running", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    assert window.controls.play_action.isChecked()
    assert window.state_label.text() == "Running"
    qtbot.waitUntil(lambda: shown_epoch(window) > 50, timeout=TIMEOUT)
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "paused", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: shown_epoch(window) == latest(window).epoch, timeout=TIMEOUT)
    paused_at = latest(window).epoch
    assert window.state_label.text() == "Paused"
    assert not window.controls.play_action.isChecked()
    # Nothing trains while paused: the next Step is exactly one epoch later.
    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, paused_at + 1)
    assert len(window.loss_history) == paused_at + 1


def test_space_toggles_play(qtbot, main_window):
    window = main_window
    window.activateWindow()
    window.data_panel.plot_widget.setFocus()
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "running", timeout=TIMEOUT):
        qtbot.keyClick(window.data_panel.plot_widget, Qt.Key.Key_Space)
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "paused", timeout=TIMEOUT):
        qtbot.keyClick(window.data_panel.plot_widget, Qt.Key.Key_Space)


def test_learning_rate_change_applies_mid_run_without_reset(qtbot, main_window):
    window = main_window
    preset = load_preset("linear-regression")
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: latest(window).epoch > 100, timeout=TIMEOUT)
    epoch_before = latest(window).epoch

    edit = window.model_panel.lr_control.edit
    edit.setText("0.01")
    edit.editingFinished.emit()
    assert window.document.config.lr == 0.01
    assert window.model_panel.lr_control.slider.value() == 300  # 1e-2: three decades above 1e-5, 100 steps each
    qtbot.waitUntil(
        lambda: latest(window).config.lr == 0.01 and latest(window).epoch > epoch_before + 50, timeout=TIMEOUT
    )
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    history = window.loss_history.exact()[1]
    n = len(history)
    assert n >= epoch_before + 50  # no reset: the epochs went on

    # The first epochs are exactly the old learning rate's; the later ones are not.
    old = Trainer(preset.config, preset.points)
    old_history = [old.step() for _ in range(n)]
    assert list(history[:epoch_before]) == old_history[:epoch_before]
    assert history[-1] != old_history[-1]
    assert history[-1] < old_history[-1]  # the larger rate converges faster here
    # Replaying with the switch at the first epoch that differs gives the shown history exactly.
    switch = next(i for i in range(n) if history[i] != old_history[i]) - 1
    replay = Trainer(preset.config, preset.points)
    replayed = [replay.step() for _ in range(switch)]
    replay.set_config(preset.config.replace(lr=0.01))
    replayed += [replay.step() for _ in range(n - switch)]
    assert replayed == list(history)


def test_switching_models_resets_parameters_and_undo_switches_back(qtbot, main_window):
    window = main_window
    window.controls.step_n_spin.setValue(30)
    window.controls.step_n_action.trigger()
    wait_for_epoch(qtbot, window, 30)
    linear_curve = window.data_panel.fitted_curve_data()[1]

    combo = window.model_panel.model_combo
    combo.setCurrentIndex(combo.findData("mlp"))
    assert window.document.config.model == "mlp"
    qtbot.waitUntil(lambda: latest(window).config.model == "mlp", timeout=TIMEOUT)
    snapshot = latest(window)
    assert snapshot.epoch == 0
    sizes = sum(v.size for v in snapshot.params.values())
    assert sizes == 1 * 16 + 16 + 16 * 16 + 16 + 16 * 1 + 1
    qtbot.waitUntil(lambda: window.parameters_panel.model.rowCount() == sizes, timeout=TIMEOUT)
    assert window.model_panel.form.isRowVisible(window.model_panel.hidden_widget)
    mlp_curve = window.data_panel.fitted_curve_data()[1]
    xs = window.data_panel.fitted_curve_data()[0]
    reference = Trainer(snapshot.config, window.document.points)
    np.testing.assert_allclose(mlp_curve, reference.predict(xs), rtol=1e-5, atol=1e-6)
    assert not np.allclose(mlp_curve, linear_curve)

    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)

    window.undo_action.trigger()
    assert window.document.config.model == "linear"
    assert combo.currentData() == "linear"
    qtbot.waitUntil(lambda: latest(window).config.model == "linear", timeout=TIMEOUT)
    assert latest(window).epoch == 0
    qtbot.waitUntil(lambda: window.parameters_panel.model.rowCount() == 2, timeout=TIMEOUT)
    assert window.parameters_panel.value_of("w") == 0.0 and window.parameters_panel.value_of("b") == 0.0


def test_learning_rate_ten_diverges_pauses_and_offers_reset(qtbot, main_window):
    window = main_window
    edit = window.model_panel.lr_control.edit
    edit.setText("10")
    edit.editingFinished.emit()
    assert window.document.config.lr == 10.0
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "diverged", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    snapshot = latest(window)
    assert snapshot.diverged and not math.isfinite(snapshot.loss)
    qtbot.waitUntil(lambda: window.state_label.text() == "Diverged", timeout=TIMEOUT)
    assert not window.controls.play_action.isChecked()
    assert window.message_toolbar.isVisible()
    assert "diverged" in window.message_bar.message and "learning rate" in window.message_bar.message
    assert window.message_bar.action_button.isVisible()
    qtbot.waitUntil(lambda: window.loss_panel.diverged_line.isVisible(), timeout=TIMEOUT)
    assert window.loss_panel.diverged_line.value() == snapshot.epoch
    # Parameters stay finite (the diverging update is not applied) and nothing crashed.
    assert all(np.isfinite(v).all() for v in snapshot.params.values())

    window.message_bar.action_button.click()
    qtbot.waitUntil(lambda: shown_epoch(window) == 0 and window.state_label.text() == "Paused", timeout=TIMEOUT)
    assert not window.message_toolbar.isVisible()
    assert not window.loss_panel.diverged_line.isVisible()


def test_no_points_disables_training_with_a_message(qtbot, main_window):
    window = main_window
    window.data_panel.select_all()
    window.delete_action.trigger()
    assert window.document.n_points == 0
    assert not window.controls.play_action.isEnabled()
    assert not window.controls.step_action.isEnabled()
    assert "no points" in window.message_bar.message
    assert window.data_panel.empty_hint.isVisible()
    # Even if a step request reaches the worker, it answers with the reason instead of failing.
    with qtbot.waitSignal(window.training.errored, timeout=TIMEOUT) as blocker:
        window.training.step(1)
    assert isinstance(blocker.args[0], TrainingError) and "no points" in str(blocker.args[0])
    window.undo_action.trigger()
    assert window.controls.play_action.isEnabled()
    assert window.message_bar.message == ""


def test_closing_during_play_joins_the_thread(qtbot, main_window):
    window = main_window
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "running", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: latest(window).epoch > 10, timeout=TIMEOUT)
    thread = window.training._thread
    assert thread.isRunning()
    window.close()
    assert thread.isFinished() and not thread.isRunning()
    assert not window.training.thread_running


def test_the_thread_guard_sees_a_running_thread(qapp, _fail_on_running_qthreads):
    from PySide6.QtCore import QThread

    guard = _fail_on_running_qthreads
    thread = QThread()
    thread.start()
    assert thread in guard.running()
    thread.quit()
    thread.wait()
    assert guard.running() == []


# ------------------------------------------------------------------------------------------ window


def test_presets_menu_loads_a_preset_undoably(qtbot, main_window):
    window = main_window
    window.preset_actions["sine"].trigger()
    sine = load_preset("sine")
    np.testing.assert_array_equal(window.document.points, sine.points)
    assert window.document.config == sine.config
    assert window.model_panel.model_combo.currentData() == "mlp"
    qtbot.waitUntil(
        lambda: latest(window).config == sine.config and latest(window).n_points == len(sine.points), timeout=TIMEOUT
    )
    assert "Sine" in window.windowTitle()
    window.undo_action.trigger()
    assert window.document.config == load_preset("linear-regression").config
    assert window.document.n_points == 4


def test_view_menu_toggles_every_dock_and_add_dock_extends_it(qtbot, main_window):
    window = main_window
    titles = [action.text() for action in window.view_menu.actions()]
    for title in ("Data", "Model", "Loss", "Parameters", "Graph"):
        assert title in titles
    window.loss_dock.toggleViewAction().trigger()
    assert not window.loss_dock.isVisible()
    window.loss_dock.toggleViewAction().trigger()
    assert window.loss_dock.isVisible()

    extra = window.add_dock(
        QLabel("extra"), "Notes", Qt.DockWidgetArea.RightDockWidgetArea, tabify_with=window.loss_dock
    )
    assert isinstance(extra, QDockWidget) and extra.objectName() == "notes_dock"
    assert "Notes" in [action.text() for action in window.view_menu.actions()]
    qtbot.waitUntil(lambda: extra in window.tabifiedDockWidgets(window.loss_dock))


def test_file_menu_has_quit_and_room_above_it(qtbot, main_window):
    from PySide6.QtGui import QAction

    window = main_window
    action = QAction("Export parameters…", window)
    window.add_file_action(action)
    actions = window.file_menu.actions()
    assert actions[-1] is window.quit_action
    assert actions.index(action) < actions.index(window.quit_action)


def test_layout_and_choices_are_kept_in_settings(qtbot, make_main_window, tmp_path):
    path = tmp_path / "kept.ini"
    window = make_main_window(settings_path=path)
    window.parameters_dock.toggleViewAction().trigger()
    window.log_scale_action.trigger()
    window.controls.set_speed_limit(30)
    window.controls.step_n_spin.setValue(250)
    window.close()
    again = make_main_window(settings_path=path)
    assert not again.parameters_dock.isVisible()
    assert again.loss_panel.log_scale and again.log_scale_action.isChecked()
    assert again.controls.speed_limit() == 30
    assert again.controls.step_n_spin.value() == 250


def test_a_layout_saved_with_other_docks_is_not_restored(qtbot, make_main_window, tmp_path):
    from PySide6.QtCore import QSettings

    path = tmp_path / "older.ini"
    window = make_main_window(settings_path=path)
    window.parameters_dock.toggleViewAction().trigger()
    window.close()
    # The same layout, as a version with fewer docks would have saved it.
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("main_window/docks", "data_dock,loss_dock,model_dock,parameters_dock")
    settings.sync()
    again = make_main_window(settings_path=path)
    assert again.parameters_dock.isVisible()  # the default layout, not the saved one
    assert again.race_dock in again.tabifiedDockWidgets(again.model_dock)


def test_undo_redo_shortcuts(qtbot, main_window):
    window = main_window
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in window.redo_action.shortcuts()]
    window.document.add_point(0.5, 0.5)
    window.activateWindow()
    window.data_panel.plot_widget.setFocus()
    qtbot.keyClick(window.data_panel.plot_widget, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.n_points == 4
    qtbot.keyClick(
        window.data_panel.plot_widget,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.document.n_points == 5


def test_speed_limit_slows_training(qtbot, main_window):
    window = main_window
    window.controls.set_speed_limit(10)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: latest(window).epoch >= 3, timeout=TIMEOUT)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    # Under 10 epochs/s the few epochs above took at least 0.2 s; unlimited it would be thousands by now.
    assert latest(window).epoch < 60


def test_log_scale_loss(qtbot, main_window):
    window = main_window
    window.controls.step_n_spin.setValue(20)
    window.controls.step_n_action.trigger()
    wait_for_epoch(qtbot, window, 20)
    window.log_scale_action.trigger()
    assert window.loss_panel.log_scale
    _xs, ys = window.loss_panel.loss_curve.getData()
    np.testing.assert_allclose(ys, np.log10(window.loss_panel.loss_history()))


def test_config_is_never_shared_with_the_worker_state(qtbot, main_window):
    """Snapshots are immutable copies: the GUI cannot change what the worker trains on."""
    window = main_window
    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)
    snapshot = latest(window)
    assert isinstance(snapshot.config, Config)
    for value in snapshot.params.values():
        assert not value.flags.writeable


# ----------------------------------------------------------------------- what a new user meets


def test_the_window_opens_within_the_screens_free_area(qtbot):
    from PySide6.QtGui import QGuiApplication

    from playground.main_window import DEFAULT_SIZE, MainWindow

    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert free.width() < DEFAULT_SIZE[0]  # the offscreen screen is small: the window must shrink
    assert window.width() <= free.width() and window.height() <= free.height()
    assert free.contains(window.frameGeometry().topLeft())
    window.show()
    qtbot.waitExposed(window)
    bar = window.statusBar()
    assert bar.isVisible() and bar.mapTo(window, bar.rect().bottomRight()).y() <= window.height()
    window.close()


def test_an_out_of_range_learning_rate_is_refused_with_a_message_and_enter_returns_the_keyboard(qtbot, main_window):
    window = main_window
    edit = window.model_panel.lr_control.edit
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClicks(edit, "100")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.document.config.lr == 0.001 and edit.text() == "0.001"  # unchanged, and shown so
    assert "out of range" in window.statusBar().currentMessage()
    assert not edit.hasFocus()  # Enter gives the keyboard back: Space plays
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "running", timeout=TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    window.controls.play_action.trigger()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.02")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.document.config.lr == 0.02


def test_play_and_pause_do_not_shift_the_toolbar(qtbot, main_window):
    window = main_window
    toolbar = window.controls.toolbar
    step_button = toolbar.widgetForAction(window.controls.step_action)
    before = step_button.geometry()
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "running", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    assert window.controls.play_action.text() == "&Pause"
    qtbot.waitUntil(lambda: step_button.geometry() == before)  # laid out again, at the same place
    window.controls.play_action.trigger()


def test_a_new_window_plays_gradually_and_the_pace_doubles_every_second(qtbot, make_main_window):
    import time

    from playground.worker import GRADUAL, GRADUAL_START, GRADUAL_UNLIMITED

    window = make_main_window(speed_limit=None)  # no saved choice: the default
    assert window.controls.speed_limit() == GRADUAL
    assert window.controls.speed_combo.currentText() == "Gradual"
    worker = window.training.worker
    qtbot.waitUntil(lambda: worker._speed_limit == GRADUAL)
    now = time.perf_counter()
    for seconds, rate in ((0.0, GRADUAL_START), (1.0, 2 * GRADUAL_START), (3.0, 8 * GRADUAL_START)):
        worker._play_started = now - seconds
        assert worker._limit_now() == pytest.approx(rate, rel=0.01)
    worker._play_started = now - 60
    assert GRADUAL_START * 2**60 > GRADUAL_UNLIMITED and worker._limit_now() == 0  # unlimited by then
    window.controls.step_n_spin.setValue(8)
    started = time.perf_counter()
    window.controls.step_n_action.trigger()
    wait_for_epoch(qtbot, window, 8)
    assert time.perf_counter() - started >= 7 / GRADUAL_START * 0.9  # watchable: not all at once


def test_the_parameters_panel_shows_the_chosen_optimizers_update_rule(qtbot, main_window):
    window = main_window
    caption = window.parameters_panel.caption
    qtbot.waitUntil(lambda: "SGD" in caption.text())
    assert "p ← p − lr·g" in caption.text()
    window.document.change_config(window.document.config.replace(optimizer="adam"))
    qtbot.waitUntil(lambda: "Adam" in caption.text())
    assert "β₁" in caption.text() and "√v" in caption.text()


def test_a_huge_loss_is_labelled_once_without_a_scale_factor(qtbot, main_window):
    window = main_window
    window.document.change_config(window.document.config.replace(lr=10.0))
    with qtbot.waitSignal(window.training.stateChanged, check_params_cb=lambda s: s == "diverged", timeout=TIMEOUT):
        window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: window.loss_panel.diverged_line.isVisible(), timeout=TIMEOUT)
    axis = window.loss_panel.plot_widget.getPlotItem().getAxis("left")
    assert max(window.loss_panel.loss_history()) > 1e6
    assert axis.labelString().count("loss") == 1 and "x1e" not in axis.labelString()
    window.controls.reset_action.trigger()
    qtbot.waitUntil(lambda: shown_epoch(window) == 0, timeout=TIMEOUT)
    assert "x1e" not in axis.labelString()


def test_the_loss_plot_can_follow_the_last_epochs_and_crowded_edit_marks_shrink(qtbot, main_window):
    from playground.panels.loss import FULL_MARKS

    window = main_window
    panel = window.loss_panel
    window.controls.step_n_spin.setValue(600)
    window.controls.step_n_action.trigger()
    wait_for_epoch(qtbot, window, 600)
    (x0, x1), _ = panel.view_box.viewRange()
    assert x0 <= 0 and 600 <= x1 <= 600 * 1.25  # the whole run, with little empty axis
    panel.set_window(100)
    assert panel.window_combo.currentText() == "Last 100"
    (x0, x1), (y0, y1) = panel.view_box.viewRange()
    assert 495 <= x0 <= 502 and 600 <= x1 <= 605
    recent = window.loss_history.exact()[1][-100:]
    assert y1 < 1.0 < max(window.loss_history.exact()[1])  # scaled to the recent losses, not epoch 1's 41
    assert y0 <= recent.min() and recent.max() <= y1
    for epoch in range(520, 600, 2):  # many edits: marks become ticks along the bottom
        panel.mark_edit(epoch)
    xs, ys = panel.edit_marks.getData()
    assert len(xs) == 2 * 40 > 2 * FULL_MARKS
    assert max(ys) - min(ys) < 0.1 * (y1 - y0)
    with panel.fitted_to_data():  # an exported image shows the epochs drawn, edge to edge
        (x0, x1), _ = panel.view_box.viewRange()
        assert x0 >= 495 and x1 <= 606
    panel.set_window(None)
    (x0, _x1), _ = panel.view_box.viewRange()
    assert x0 <= 0


def test_the_data_view_shows_the_points_and_the_fit_and_follows_a_drag_to_the_edge(qtbot, main_window, plot_mouse):
    window = main_window
    panel = window.data_panel
    # The tutorial's data lie at y = 3…9; the first fit (w = b = 0) is the line y = 0: both in view.
    qtbot.waitUntil(lambda: panel.view_box.viewRange()[1][0] < 0)
    (x0, x1), (y0, y1) = panel.view_box.viewRange()
    assert x0 < 1 and x1 > 4 and y0 < 0 < 9 < y1
    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)
    xs, ys = panel.fitted_curve_data()
    inside = (xs >= 1) & (xs <= 4)
    assert y0 <= ys[inside].min() and ys[inside].max() <= y1  # the fit over the points is in sight
    # Drag the top point up past the top edge: the view widens to keep it in sight.
    top = window.document.points[3]
    mouse = plot_mouse(panel.plot_widget)
    mouse.drag((top[0], top[1]), (top[0], y1 - 0.01 * (y1 - y0)), steps=6)
    moved = window.document.points[3]
    (_, _), (_, new_y1) = panel.view_box.viewRange()
    assert moved[1] > top[1] and moved[1] < new_y1 and new_y1 > y1
    # Panning by hand stops the following; Fit starts it again.
    panel.view_box.sigRangeChangedManually.emit([True, True])
    assert not panel.following
    window.fit_view_action.trigger()
    assert panel.following


def test_plot_axes_are_drawn_from_a_cache_that_follows_the_view(qtbot, main_window):
    from PySide6.QtWidgets import QGraphicsItem

    panels = (main_window.data_panel, main_window.loss_panel, main_window.landscape_panel)
    for panel in panels:
        plot_item = panel.plot_widget.getPlotItem()
        for side in ("bottom", "left"):
            assert plot_item.getAxis(side).cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    # The cached tick labels are drawn anew when the range changes.
    plot = main_window.loss_panel.plot_widget
    plot_item = plot.getPlotItem()
    axis = plot_item.getAxis("left")
    rect = plot.mapFromScene(axis.sceneBoundingRect()).boundingRect()
    images = []
    for top in (1.0, 1000.0, 1.0):
        plot_item.setYRange(0.0, top, padding=0)
        images.append(plot.grab(rect).toImage())
    assert images[0] != images[1] and images[0] == images[2]


def test_a_single_point_is_shown_with_the_origin_and_the_line_through_it(qtbot, make_main_window):
    window = make_main_window("single-weight")  # one point, (1, 2), and the model y = w·x
    panel = window.data_panel
    window.controls.step_action.trigger()
    wait_for_epoch(qtbot, window, 1)
    window.fit_view_action.trigger()
    (x0, x1), (y0, y1) = panel.view_box.viewRange()
    # Without spread the view spans each value's size (x 0…2, y 0…4) with a margin, not a sliver around the point.
    assert x0 < 0 < 2 < x1 and y0 < 0 < 4 < y1
    assert x1 - x0 < 3 and y1 - y0 < 6
    xs, ys = panel.fitted_curve_data()
    assert xs.min() <= x0 and xs.max() >= x1  # the fitted line crosses the whole view
    assert np.interp(0.0, xs, ys) == pytest.approx(0.0, abs=1e-6)  # through the origin, in sight
