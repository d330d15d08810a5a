"""The descent in the training thread (Qt-free): breakpoints, the optimizer race, paths, and what snapshots carry."""

import math

import numpy as np
import pytest

from playground.breakpoints import Breakpoints, BreakpointWatch, gradient_norm
from playground.config import Config
from playground.coordinates import all_coordinates
from playground.descent import Descent, Trail
from playground.presets import load_preset
from playground.race import Challengers, RacerSetup, default_challengers
from playground.trainer import Trainer


def seed_trainer(**changes):
    p = load_preset("linear-regression")
    return Trainer(p.config.replace(**changes), p.points)


def plain_history(epochs, **changes):
    """Losses and gradient norms of a run without observers: the reference."""
    trainer = seed_trainer(**changes)
    losses, norms = [], []
    for _ in range(epochs):
        losses.append(trainer.step())
        norms.append(gradient_norm(trainer))
        if not math.isfinite(losses[-1]):
            break
    return losses, norms


def watched(breakpoints, **changes):
    trainer = seed_trainer(**changes)
    watch = BreakpointWatch(breakpoints)
    trainer.add_observer(watch)
    return trainer, watch


# ------------------------------------------------------------------------------------ breakpoints


def test_loss_rises_fires_at_each_epoch_whose_loss_is_above_the_last():
    losses, _ = plain_history(60, lr=0.13)  # just unstable: the loss oscillates and grows
    rises = [e for e in range(2, len(losses) + 1) if losses[e - 1] > losses[e - 2]]
    assert len(rises) >= 2
    trainer, watch = watched(Breakpoints(loss_rises=True), lr=0.13)
    trainer.run(1000)
    assert trainer.halted and trainer.epoch == rises[0] and watch.hit.condition == "loss_rises"
    assert watch.hit.detail == f"the loss rose from {losses[rises[0] - 2]:.6g} to {losses[rises[0] - 1]:.6g}"
    trainer.run(1000)  # resumed: the next rise stops it again
    assert trainer.epoch == rises[1]
    assert watch.hit.message().startswith(f"Paused at epoch {rises[1]}: the loss rose")


def test_nan_breakpoint_names_the_loss_and_the_epoch():
    losses, _ = plain_history(500, lr=0.2)
    first = next(e for e, v in enumerate(losses, 1) if not math.isfinite(v))
    trainer, watch = watched(Breakpoints(nonfinite=True), lr=0.2)
    trainer.run(500)
    assert trainer.epoch == first and watch.hit.condition == "nonfinite"
    assert watch.hit.detail == f"the loss is {losses[first - 1]}"


def test_gradient_norm_above_fires_when_it_first_exceeds_the_threshold():
    _, norms = plain_history(60, lr=0.13)
    threshold = 100.0
    first = next(e for e, n in enumerate(norms, 1) if n > threshold)
    assert first > 1
    trainer, watch = watched(Breakpoints(grad_norm_above=threshold), lr=0.13)
    trainer.run(60)
    assert trainer.epoch == first and watch.hit.condition == "grad_norm_above"
    assert f"{norms[first - 1]:.6g}" in watch.hit.detail


def test_loss_below_and_converged_fire_once_where_they_become_true():
    losses, _ = plain_history(3000)
    tolerance = 0.05
    below = next(e for e, v in enumerate(losses, 1) if v < tolerance)
    trainer, watch = watched(Breakpoints(loss_below=tolerance))
    trainer.run(3000)
    assert trainer.epoch == below and watch.hit.condition == "loss_below"
    trainer.run(100)  # still below, but it fired already: training goes on
    assert trainer.epoch == below + 100 and not trainer.halted

    change = 1e-5
    converged = next(e for e in range(2, len(losses) + 1) if abs(losses[e - 1] - losses[e - 2]) < change)
    trainer, watch = watched(Breakpoints(change_below=change))
    trainer.run(3000)
    assert trainer.epoch == converged and watch.hit.condition == "change_below"
    assert "converged" in watch.hit.detail


def test_epoch_breakpoint_and_a_reset_starts_the_watch_afresh():
    trainer, watch = watched(Breakpoints(epoch_reaches=37, loss_below=0.05))
    trainer.run(100)
    assert trainer.epoch == 37 and watch.hit.condition == "epoch_reaches"
    trainer.run(10)
    assert trainer.epoch == 47 and not trainer.halted
    trainer.reset()
    trainer.run(100)
    assert trainer.epoch == 37  # again, after the reset
    trainer.step()
    assert not trainer.halted


def test_breakpoints_parse_as_the_command_line_spells_them():
    bp = Breakpoints.parse(["loss-rises, nan", "grad-norm>100,loss<1e-4", "converged<1e-9", "epoch=500"])
    assert bp == Breakpoints(True, True, 100.0, 1e-4, 1e-9, 500)
    assert Breakpoints.parse(bp.describe()) == bp
    assert bp.armed() == ("loss_rises", "nonfinite", "grad_norm_above", "loss_below", "change_below", "epoch_reaches")
    assert not Breakpoints() and Breakpoints(loss_rises=True)
    for text, message in [
        ("loss>3", "is not a condition"),
        ("loss<x", "is not a number"),
        ("epoch=0", "at least 1"),
        ("epoch=2.5", "whole number"),
        ("grad-norm>-1", "finite number ≥ 0"),
    ]:
        with pytest.raises(ValueError, match=message):
            Breakpoints.parse(text)


# ------------------------------------------------------------------------------------ the race


@pytest.mark.parametrize("batch_size", [None, 8])
def test_each_racer_is_bit_identical_to_running_its_optimizer_alone(batch_size):
    p = load_preset("noisy-line")
    config = p.config.replace(batch_size=batch_size, lr=0.01)
    setups = (RacerSetup("adam", lr=0.05), RacerSetup("momentum", lr=0.01, momentum=0.8))
    main = Trainer(config, p.points)
    challengers = Challengers(main, setups)
    main.add_observer(challengers)
    main.run(30)
    moved = p.points.copy()
    moved[3, 1] += 2.0
    main.set_points(moved)  # an edit mid-race reaches every racer at the same epoch
    main.run(20)
    for setup, racer in zip((RacerSetup.of(config), *setups), (main, *challengers.trainers)):
        alone = Trainer(setup.config(config), p.points)
        alone.run(30)
        alone.set_points(moved)
        alone.run(20)
        assert racer.epoch == alone.epoch == 50
        np.testing.assert_array_equal(racer.losses(), alone.losses())
        for name, value in alone.snapshot().params.items():
            np.testing.assert_array_equal(racer.snapshot().params[name], value)


def test_challengers_follow_the_main_runs_model_and_resets():
    p = load_preset("quadratic")
    main = Trainer(p.config, p.points)
    challengers = Challengers(main, default_challengers(p.config))
    main.add_observer(challengers)
    main.run(5)
    main.set_config(main.config.replace(degree=3))  # a new model: everyone starts again
    assert [t.epoch for t in challengers.trainers] == [0, 0, 0]
    assert all(t.config.degree == 3 for t in challengers.trainers)
    assert [t.config.optimizer for t in challengers.trainers] == ["momentum", "nesterov", "adam"]
    main.set_config(main.config.replace(lr=0.002))  # the main run's learning rate is its own
    assert [t.config.lr for t in challengers.trainers[:2]] == [p.config.lr, p.config.lr]


def test_racer_setups_read_and_label_configurations():
    config = Config(optimizer="adam", lr=0.01, beta1=0.8)
    setup = RacerSetup.of(config)
    assert setup.config(Config(model="mlp")) == Config(model="mlp", optimizer="adam", lr=0.01, beta1=0.8)
    assert setup.label == "Adam (β 0.8, 0.999), lr 0.01"
    assert RacerSetup("momentum", lr=0.1, momentum=0.5).label == "SGD with momentum 0.5, lr 0.1"
    with pytest.raises(ValueError, match="lr"):
        RacerSetup("sgd", lr=-1.0)


# ------------------------------------------------------------------------------------ paths


def test_a_trail_records_the_parameters_after_every_epoch():
    trainer = seed_trainer()
    coordinates = all_coordinates(trainer.snapshot().params)
    trail = Trail()
    trail.restart(trainer, coordinates)
    trainer.add_observer(trail)
    reference = seed_trainer()
    expected = [[0.0, 0.0]]
    for _ in range(700):
        reference.step()
        params = reference.snapshot().params
        expected.append([float(params["w"][0, 0]), float(params["b"][0, 0])])
    trainer.run(700)
    epochs, values = trail.path()
    np.testing.assert_array_equal(epochs, np.arange(701))
    np.testing.assert_array_equal(values, expected)
    view_epochs, view_values = trail.view(max_points=100)
    assert len(view_epochs) <= 100 and view_epochs[0] == 0
    np.testing.assert_array_equal(view_epochs[-25:], np.arange(676, 701))  # the newest quarter, every epoch
    np.testing.assert_array_equal(view_values, values[view_epochs])
    trainer.reset()
    assert trail.path()[0].tolist() == [0]


def test_a_long_trail_stays_bounded_and_keeps_the_recent_epochs_exact():
    trainer = seed_trainer()
    trail = Trail(max_rows=600)
    trail.restart(trainer, all_coordinates(trainer.snapshot().params))
    trainer.add_observer(trail)
    trainer.run(2500)
    epochs, values = trail.path()
    assert len(epochs) <= 600 and epochs[0] == 0 and epochs[-1] == 2500
    assert np.all(np.diff(epochs) > 0)
    np.testing.assert_array_equal(epochs[-250:], np.arange(2251, 2501))
    assert values[-1].tolist() == [float(v[0, 0]) for v in trainer.snapshot().params.values()]


# ------------------------------------------------------------------------------------ the descent


def test_descent_state_carries_paths_racers_and_the_breakpoint_that_fired():
    trainer = seed_trainer()
    descent = Descent()
    descent.attach(trainer)
    trainer.run(10)
    state = descent.state()
    assert [c.label for c in state.coordinates] == ["w", "b"] and not state.racing
    assert state.runs[0].epochs.tolist() == list(range(11))

    descent.set_race([RacerSetup("adam", lr=0.1)])
    assert trainer.epoch == 0  # a race starts everyone from the initial parameters
    trainer.run(5)
    first = descent.state()
    trainer.run(7)
    second = descent.state()
    assert first.racing and [r.label for r in second.runs] == ["SGD, lr 0.001", "Adam, lr 0.1"]
    adam = second.runs[1]
    assert adam.epochs.tolist() == list(range(13)) and adam.snapshot.epoch == 12
    assert len(adam.snapshot.new_losses) == 7  # only what is new since the last state
    merged = first.followed_by(second)
    alone = Trainer(RacerSetup("adam", lr=0.1).config(trainer.config), trainer.points)
    alone.run(12)
    np.testing.assert_array_equal(merged.runs[1].snapshot.new_losses, alone.losses())
    np.testing.assert_array_equal(adam.snapshot.params["w"], alone.snapshot().params["w"])

    descent.set_breakpoints(Breakpoints(epoch_reaches=20))
    trainer.run(100)
    assert trainer.epoch == 20 and descent.hit.condition == "epoch_reaches"
    assert descent.state(descent.hit).followed_by(descent.state()).hit.epoch == 20

    descent.set_race([])
    assert not descent.state().racing


def test_descent_watches_the_coordinates_asked_for_and_falls_back_when_the_model_changes():
    p = load_preset("quadratic")
    trainer = Trainer(p.config, p.points)
    descent = Descent()
    descent.attach(trainer)
    coordinates = all_coordinates(trainer.snapshot().params)
    descent.set_watched([coordinates[1], coordinates[2]])
    trainer.run(3)
    state = descent.state()
    assert [c.label for c in state.coordinates] == ["w[1, 0]", "b"]
    assert state.runs[0].epochs.tolist() == [0, 1, 2, 3]
    assert state.runs[0].values[-1].tolist() == [c.value(trainer.snapshot().params) for c in state.coordinates]
    trainer.set_config(trainer.config.replace(model="linear"))  # w[1, 0] no longer exists
    assert [c.label for c in descent.state().coordinates] == ["w", "b"]
    trainer.set_config(trainer.config.replace(model="polynomial"))  # and is back
    assert [c.label for c in descent.state().coordinates] == ["w[1, 0]", "b"]
