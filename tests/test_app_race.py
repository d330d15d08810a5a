"""The optimizer race and the breakpoints in the real window. Every wait is on a condition, never a sleep."""

import numpy as np
import pytest

from playground.breakpoints import Breakpoints
from playground.presets import load_preset
from playground.race import RacerSetup
from playground.trainer import Trainer

TIMEOUT = 30_000


def wait_for_epoch(qtbot, window, epoch):
    qtbot.waitUntil(
        lambda: (
            window.training.latest is not None and window.training.latest.epoch == epoch and not window.training.running
        ),
        timeout=TIMEOUT,
    )


def test_a_race_shows_every_racer_in_every_dock_and_each_is_its_optimizer_alone(qtbot, main_window):
    window = main_window
    panel = window.race_panel
    panel.check([0, 2])  # momentum and Adam against the main SGD run
    setups = panel.setups()
    assert [s.optimizer for s in setups] == ["momentum", "adam"]
    window.start_race_action.trigger()
    qtbot.waitUntil(lambda: window.training.latest.descent.racing, timeout=TIMEOUT)
    window.training.step(40)
    wait_for_epoch(qtbot, window, 40)
    descent = window.training.latest.descent
    assert [r.label for r in descent.runs] == [
        "SGD, lr 0.001",
        "SGD with momentum 0.9, lr 0.001",
        f"Adam, lr {setups[1].lr:g}",
    ]
    assert panel.racing and "Racing: SGD, lr 0.001 vs" in panel.status.text()

    p = load_preset("linear-regression")
    for setup, run in zip(setups, descent.runs[1:]):
        alone = Trainer(setup.config(p.config), p.points)
        alone.run(40)
        final = alone.snapshot().params
        np.testing.assert_array_equal(run.snapshot.params["w"], final["w"])
        assert run.values[-1].tolist() == [float(final["w"][0, 0]), float(final["b"][0, 0])]
    # The Loss plot: one curve per challenger, its losses those of the optimizer alone.
    qtbot.waitUntil(lambda: all(len(xs) == 40 for xs, _ in window.race_loss_curves.curves()), timeout=TIMEOUT)
    for (epochs, losses), setup in zip(window.race_loss_curves.curves(), setups):
        alone = Trainer(setup.config(p.config), p.points)
        alone.run(40)
        np.testing.assert_array_equal(epochs, np.arange(1, 41))
        np.testing.assert_array_equal(losses, alone.losses())

    # The Data plot: each challenger's fitted line, from its own parameters.
    def fits_are_the_racers_own():
        curves = window.race_fits.curves()
        return len(curves) == 2 and all(
            np.allclose(
                ys,
                np.float32(run.snapshot.params["w"][0, 0]) * xs.astype(np.float32)
                + np.float32(run.snapshot.params["b"][0, 0]),
                rtol=1e-5,
                atol=1e-5,
            )
            for (xs, ys), run in zip(curves, descent.runs[1:])
        )

    # (drawn from the epoch-40 snapshot, which may reach the Data plot a frame after the count is right)
    qtbot.waitUntil(fits_are_the_racers_own, timeout=TIMEOUT)
    # The Landscape: a path per racer, in the colours of the Race panel's rows, with a legend.
    landscape = window.landscape_panel
    qtbot.waitUntil(lambda: sum(item[1].isVisible() for item in landscape._path_items) == 3, timeout=TIMEOUT)
    colours = [item[1].opts["pen"].color().name() for item in landscape._path_items[:3]]
    assert colours == [c.name() for c in panel.colors]
    assert colours[1] == panel.rows[0].color_value.name() and colours[2] == panel.rows[2].color_value.name()
    assert landscape.legend.isVisible()

    window.end_race_action.trigger()
    qtbot.waitUntil(lambda: not window.training.latest.descent.racing, timeout=TIMEOUT)
    assert not panel.racing
    qtbot.waitUntil(lambda: window.race_loss_curves.curves() == [] and window.race_fits.curves() == [], timeout=TIMEOUT)


def test_racers_follow_the_data_and_the_model(qtbot, main_window):
    window = main_window
    window.race_panel.check([1])
    window.race_panel.start()
    qtbot.waitUntil(lambda: window.training.latest.descent.racing, timeout=TIMEOUT)
    window.training.step(10)
    wait_for_epoch(qtbot, window, 10)
    window.document.move_points([0], [[1.0, 4.0]])
    window.training.step(10)
    wait_for_epoch(qtbot, window, 20)
    p = load_preset("linear-regression")
    moved = p.points.copy()
    moved[0] = [1.0, 4.0]
    setup = window.race_panel.setups()[0]
    alone = Trainer(setup.config(p.config), p.points)
    alone.run(10)
    alone.set_points(moved)
    alone.run(10)
    challenger = window.training.latest.descent.runs[1].snapshot
    np.testing.assert_array_equal(challenger.params["b"], alone.snapshot().params["b"])
    # A new model starts everyone again.
    window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData("polynomial"))
    qtbot.waitUntil(lambda: window.training.latest.config.model == "polynomial", timeout=TIMEOUT)
    descent = window.training.latest.descent
    assert descent.racing and descent.runs[1].snapshot.epoch == 0 and "w" in descent.runs[1].snapshot.params


def test_start_race_without_challengers_asks_for_one(qtbot, main_window):
    window = main_window
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    window.start_race_action.trigger()
    assert window.race_dock.isVisible() and not window.race_panel.racing
    assert any("Check at least one challenger" in m for m in messages)


def test_a_breakpoint_pauses_playing_and_is_marked_on_the_loss_plot(qtbot, main_window):
    window = main_window
    panel = window.breakpoints_panel
    panel.edits["loss_below"].setText("0.5")
    panel.checks["loss_below"].setChecked(True)
    assert window.breakpoint_actions["loss_below"].isChecked()
    p = load_preset("linear-regression")
    reference = Trainer(p.config, p.points)
    losses = [reference.step() for _ in range(400)]
    expected = next(e for e, v in enumerate(losses, 1) if v < 0.5)
    qtbot.waitUntil(lambda: window.training.latest is not None, timeout=TIMEOUT)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: window.breakpoint_marker.hit is not None and not window.training.running, timeout=TIMEOUT)
    hit = window.breakpoint_marker.hit
    assert hit.epoch == expected and hit.condition == "loss_below"
    assert window.training.latest.epoch == expected
    assert window.message_bar.message.startswith(
        f"Paused at epoch {expected}: the loss {losses[expected - 1]:.6g} fell below 0.5."
    )
    assert window.breakpoint_marker.line.value() == expected and window.breakpoint_marker.line.isVisible()
    xs, ys = window.breakpoint_marker.dot.getData()
    assert (xs[0], ys[0]) == (expected, losses[expected - 1])
    assert panel.last_hit.text() == hit.message()
    # Resumed, it does not fire again; a reset clears the mark.
    window.training.step(5)
    wait_for_epoch(qtbot, window, expected + 5)
    window.controls.reset_action.trigger()
    qtbot.waitUntil(lambda: window.breakpoint_marker.hit is None, timeout=TIMEOUT)


@pytest.mark.parametrize("key", ["loss_rises", "epoch_reaches"])
def test_breakpoints_from_the_menu(qtbot, main_window, key):
    window = main_window
    if key == "loss_rises":
        window.model_panel.lr_control.set_value(0.13)
        window.document.change_config(window.document.config.replace(lr=0.13))
        expected = 2
    else:
        window.breakpoints_panel.edits["epoch_reaches"].setText("33")
        expected = 33
    window.breakpoint_actions[key].trigger()
    assert window.breakpoints_panel.breakpoints() == Breakpoints(**{key: True if key == "loss_rises" else 33})
    window.training.step(500)
    qtbot.waitUntil(lambda: window.breakpoint_marker.hit is not None and not window.training.running, timeout=TIMEOUT)
    assert window.breakpoint_marker.hit.epoch == expected == window.training.latest.epoch
    assert window.breakpoint_marker.hit.condition == key


def test_racer_setups_in_the_panel(qtbot, main_window):
    row = main_window.race_panel.rows[2]
    row.check.setChecked(True)
    row.set_setup(RacerSetup("adam", lr=0.02, beta1=0.8, beta2=0.99))
    assert row.setup() == RacerSetup("adam", lr=0.02, beta1=0.8, beta2=0.99)
    assert row.first.isVisible() and row.second.isVisible() and row.first.prefix() == "β₁ "
    row.optimizer.setCurrentIndex(row.optimizer.findData("rmsprop"))
    assert not row.first.isVisible() and row.setup().optimizer == "rmsprop"


def test_in_the_plane_each_racer_draws_its_own_decision_boundary(qtbot, make_main_window):
    from playground.models import PlaneModel

    window = make_main_window("gaussians")
    window.race_panel.check([0])
    window.start_race_action.trigger()
    qtbot.waitUntil(lambda: window.training.latest.descent.racing, timeout=TIMEOUT)
    window.training.step(30)
    wait_for_epoch(qtbot, window, 30)
    challenger = window.training.latest.descent.runs[1].snapshot

    def boundary_of_the_challenger():
        """Every point of the drawn line is where the challenger's model is undecided between the classes
        (a frame drawn from an earlier snapshot of the race may still be on screen at first)."""
        curves = window.race_fits.curves()
        if len(curves) != 1 or len(curves[0][0]) <= 10:
            return False
        xs, ys = curves[0]
        p = PlaneModel().probabilities(challenger.config, challenger.params, np.column_stack([xs, ys]))
        return np.abs(p[:, 1] - 0.5).max() < 0.1

    qtbot.waitUntil(boundary_of_the_challenger, timeout=TIMEOUT)
    main = window.training.latest.params
    assert not all(np.array_equal(main[name], challenger.params[name]) for name in main)  # its own, not the main run's
