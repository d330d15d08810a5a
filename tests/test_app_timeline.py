"""Rewinding in the real window: any earlier epoch everywhere at once, stepping along the run, training on, undo.

Every wait is on a condition, never a sleep.
"""

import re

import numpy as np
import pytest

from playground.presets import load_preset
from playground.trainer import Trainer

TIMEOUT = 30_000


def reference_params(epochs, preset="linear-regression"):
    p = load_preset(preset)
    trainer = Trainer(p.config, p.points)
    trainer.run(epochs)
    return trainer.snapshot().params, trainer.losses()


def shown(window, epoch, tip):
    latest = window.training.latest
    return (
        latest is not None
        and not window.training.running
        and latest.epoch == epoch
        and latest.descent.tip == tip
        and latest.descent.viewing == (None if epoch == tip else epoch)
    )


def wait_shown(qtbot, window, epoch, tip):
    qtbot.waitUntil(lambda: shown(window, epoch, tip), timeout=TIMEOUT)


def test_going_back_shows_the_epoch_everywhere_exactly_as_it_was(qtbot, main_window):
    window = main_window
    window.training.step(50)
    wait_shown(qtbot, window, 50, 50)
    assert not window.resume_action.isEnabled()

    window.back_action.trigger()  # the Left arrow
    wait_shown(qtbot, window, 49, 50)
    expected, _ = reference_params(49)
    snapshot = window.training.latest
    for name, value in expected.items():
        np.testing.assert_array_equal(snapshot.params[name], value)
    qtbot.waitUntil(lambda: window.parameters_panel.value_of("w") == float(expected["w"][0, 0]), timeout=TIMEOUT)
    xs, ys = window.data_panel.fitted_curve_data()
    np.testing.assert_allclose(ys, expected["w"][0, 0] * xs + expected["b"][0, 0], rtol=1e-5, atol=1e-5)
    # The loss history stays whole: 50 epochs, with a marker at the epoch shown.
    assert len(window.loss_history) == 50
    assert window.epoch_marker.line.isVisible() and window.epoch_marker.line.value() == 49
    assert window.timeline_bar.label.text().strip() == "Epoch 49 of 50"
    assert window.resume_action.isEnabled()
    current = window.landscape_panel._path_items[0][3].getData()
    assert (current[0][0], current[1][0]) == (float(expected["w"][0, 0]), float(expected["b"][0, 0]))

    window.timeline_bar.slider.setValue(20)  # the slider
    wait_shown(qtbot, window, 20, 50)
    expected, _ = reference_params(20)
    np.testing.assert_array_equal(window.training.latest.params["b"], expected["b"])

    window.controls.step_action.trigger()  # Right: the next epoch of the run, nothing trained
    wait_shown(qtbot, window, 21, 50)
    expected, _ = reference_params(21)
    np.testing.assert_array_equal(window.training.latest.params["w"], expected["w"])
    assert len(window.loss_history) == 50

    window.latest_epoch_action.trigger()  # End
    wait_shown(qtbot, window, 50, 50)
    assert not window.epoch_marker.line.isVisible()
    window.first_epoch_action.trigger()  # Home
    wait_shown(qtbot, window, 0, 50)
    np.testing.assert_array_equal(window.training.latest.params["w"], [[0.0]])


def test_training_on_from_an_earlier_epoch_gives_the_original_bits_and_undo_brings_the_rest_back(qtbot, main_window):
    window = main_window
    window.training.step(60)
    wait_shown(qtbot, window, 60, 60)
    _, original = reference_params(60)
    window.training.view_epoch(25)
    wait_shown(qtbot, window, 25, 60)
    window.controls.step_n_spin.setValue(35)
    window.controls.step_n_action.trigger()  # Step N from epoch 25: trains on from there
    wait_shown(qtbot, window, 60, 60)
    assert window.undo_action.text() == "&Undo Train on from epoch 25 (35 later epochs set aside)"
    np.testing.assert_array_equal(window.loss_panel.loss_history(), original)  # the same 60 epochs, bit for bit
    params, _ = reference_params(60)
    np.testing.assert_array_equal(window.training.latest.params["w"], params["w"])

    # A different branch: new data from epoch 10 on.
    window.training.view_epoch(10)
    wait_shown(qtbot, window, 10, 60)
    window.document.move_points([3], [[4.0, 12.0]])
    window.resume_action.trigger()
    wait_shown(qtbot, window, 10, 10)
    window.training.step(5)
    wait_shown(qtbot, window, 15, 15)
    branch = window.training.latest.params
    assert window.loss_panel.loss_history()[:10].tolist() == original[:10].tolist()

    window.undo_action.trigger()  # training on from epoch 10: the 60 epochs come back
    wait_shown(qtbot, window, 60, 60)
    np.testing.assert_array_equal(window.loss_panel.loss_history(), original)
    np.testing.assert_array_equal(window.training.latest.params["w"], params["w"])
    window.undo_action.trigger()  # the point moved while epoch 10 was shown
    np.testing.assert_array_equal(window.document.points, load_preset("linear-regression").points)
    window.redo_action.trigger()
    window.redo_action.trigger()
    wait_shown(qtbot, window, 15, 15)
    np.testing.assert_array_equal(window.training.latest.params["w"], branch["w"])


def test_play_from_an_earlier_epoch_trains_on_from_it(qtbot, main_window):
    window = main_window
    window.training.step(30)
    wait_shown(qtbot, window, 30, 30)
    window.training.view_epoch(5)
    wait_shown(qtbot, window, 5, 30)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: window.training.running, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.training.latest.epoch > 40, timeout=TIMEOUT)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    epoch = window.training.latest.epoch
    _, straight = reference_params(epoch)
    qtbot.waitUntil(lambda: len(window.loss_panel.loss_history()) == epoch, timeout=TIMEOUT)
    np.testing.assert_array_equal(window.loss_panel.loss_history(), straight)
    assert window.document.undo_stack.count() == 1


def test_dragging_the_loss_marker_moves_through_the_run(qtbot, main_window):
    window = main_window
    window.training.step(40)
    wait_shown(qtbot, window, 40, 40)
    window.back_action.trigger()
    wait_shown(qtbot, window, 39, 40)
    line = window.epoch_marker.line
    line.moving = True  # as during a mouse drag
    line.setValue(12.3)
    line.moving = False
    wait_shown(qtbot, window, 12, 40)
    assert window.timeline_bar.slider.value() == 12


@pytest.mark.parametrize("preset", ["sine"])
def test_going_back_in_an_mlp_run(qtbot, make_main_window, preset):
    window = make_main_window(preset)
    window.training.step(30)
    wait_shown(qtbot, window, 30, 30)
    window.training.view_epoch(17)
    wait_shown(qtbot, window, 17, 30)
    expected, _ = reference_params(17, preset)
    for name, value in expected.items():
        np.testing.assert_array_equal(window.training.latest.params[name], value)


def test_while_playing_the_timeline_and_the_status_bar_name_the_same_epoch(qtbot, main_window):
    window = main_window
    seen = []

    def after_each_snapshot(snapshot):  # connected last: runs after the window has shown the snapshot
        status = re.sub(r"\D", "", window.epoch_label.text())
        timeline = re.sub(r"\D", "", window.timeline_bar.label.text().split(" of ")[0])
        seen.append((status, timeline))

    window.training.snapshotReady.connect(after_each_snapshot)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: len(seen) >= 40 and window.training.latest.epoch > 200, timeout=TIMEOUT)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    window.training.snapshotReady.disconnect(after_each_snapshot)
    assert len({epoch for epoch, _ in seen}) > 3  # the epochs went on while they were compared
    assert all(status == timeline for status, timeline in seen), seen
