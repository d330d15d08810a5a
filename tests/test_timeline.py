"""The timeline (Qt-free): any earlier epoch exactly as it was, training on from it, undoing that, bounded memory."""

import numpy as np
import pytest

from playground.descent import Descent
from playground.presets import load_preset
from playground.race import RacerSetup
from playground.timeline import Timeline
from playground.trainer import LossLog, Trainer


def recorded_run(config, points, epochs, edits=None):
    """Train while recording every epoch's parameters: the reference. ``edits``: epoch -> callable(trainer)."""
    trainer = Trainer(config, points)
    timeline = Timeline()
    timeline.restart(trainer)
    trainer.add_observer(timeline)
    params = [trainer.snapshot().params]
    for epoch in range(1, epochs + 1):
        if edits and epoch - 1 in edits:
            edits[epoch - 1](trainer)
        trainer.step()
        params.append(trainer.snapshot().params)
    return trainer, timeline, params


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "preset, changes",
    [("linear-regression", {}), ("noisy-line", {"optimizer": "adam", "lr": 0.05, "batch_size": 6}), ("sine", {})],
)
def test_any_epoch_is_shown_exactly_as_it_was(preset, changes):
    p = load_preset(preset)
    config = p.config.replace(**changes)
    trainer, timeline, params = recorded_run(config, p.points, 60)
    losses = trainer.losses()
    for epoch in (0, 1, 17, 33, 60, 59, 2):
        at = timeline.trainer_at(trainer, epoch)
        assert at.epoch == epoch and same(at.snapshot().params, params[epoch])
        np.testing.assert_array_equal(at.losses(), losses[:epoch])
    assert trainer.epoch == 60 and same(trainer.snapshot().params, params[60])  # the run itself is untouched


def test_edits_mid_run_are_replayed_where_they_happened():
    p = load_preset("noisy-line")
    moved = p.points.copy()
    moved[0, 1] += 3.0
    edits = {
        25: lambda t: t.set_points(moved),
        40: lambda t: t.set_config(t.config.replace(lr=0.03, optimizer="momentum")),
    }
    trainer, timeline, params = recorded_run(p.config, p.points, 70, edits)
    for epoch in (20, 25, 26, 39, 40, 41, 55, 70):
        assert same(timeline.trainer_at(trainer, epoch).snapshot().params, params[epoch]), epoch
    assert timeline.trainer_at(trainer, 30).config.optimizer == "sgd"
    assert timeline.trainer_at(trainer, 45).config.optimizer == "momentum"


def test_a_long_run_keeps_a_bounded_number_of_keyframes_and_stays_exact():
    p = load_preset("linear-regression")
    trainer = Trainer(p.config, p.points)
    timeline = Timeline(max_keyframes=64)
    timeline.restart(trainer)
    trainer.add_observer(timeline)
    reference = Trainer(p.config, p.points)
    checkpoints = {}
    for epoch in range(1, 5001):
        reference.step()
        if epoch in (1234, 4000, 4999):
            checkpoints[epoch] = reference.snapshot().params
    trainer.run(5000)
    assert len(timeline) <= 64 and timeline.interval >= 64
    assert timeline.first_epoch == 0
    for epoch, expected in checkpoints.items():
        assert same(timeline.trainer_at(trainer, epoch).snapshot().params, expected)
    with pytest.raises(ValueError, match="outside the timeline"):
        timeline.trainer_at(trainer, 5001)


def test_training_on_from_an_earlier_epoch_repeats_the_original_bits_and_undo_brings_the_rest_back():
    p = load_preset("noisy-line")
    config = p.config.replace(optimizer="adam", lr=0.05, batch_size=8)
    trainer = Trainer(config, p.points)
    descent = Descent()
    descent.attach(trainer)
    trainer.run(80)
    original_losses = trainer.losses()
    original_params = trainer.snapshot().params

    branch, dropped = descent.resume_from(30)
    assert (trainer.epoch, dropped) == (30, 50)
    np.testing.assert_array_equal(trainer.losses(), original_losses[:30])
    trainer.run(50)  # the same data and settings: exactly the epochs that were dropped
    np.testing.assert_array_equal(trainer.losses(), original_losses)
    assert same(trainer.snapshot().params, original_params)

    # Another branch: different data from epoch 30 on, then undo and redo.
    descent.resume_from(30)
    moved = p.points.copy()
    moved[:, 1] += 1.0
    branch = max(descent._branches)
    trainer.set_points(moved)
    trainer.run(10)
    new_losses, new_params = trainer.losses(), trainer.snapshot().params
    assert descent.swap(branch)  # undo: the 80-epoch run is back
    assert trainer.epoch == 80 and same(trainer.snapshot().params, original_params)
    np.testing.assert_array_equal(trainer.losses(), original_losses)
    np.testing.assert_array_equal(trainer.points, p.points)
    trainer.run(5)  # and it trains on as it would have
    straight = Trainer(config, p.points)
    straight.run(85)
    np.testing.assert_array_equal(trainer.losses(), straight.losses())
    assert descent.swap(branch)  # redo: the other branch
    assert trainer.epoch == 40 and same(trainer.snapshot().params, new_params)
    np.testing.assert_array_equal(trainer.losses(), new_losses)
    # The path and the timeline came back with each branch.
    assert descent.state().runs[0].epochs[-1] == 40
    assert same(descent.timeline.trainer_at(trainer, 35).snapshot().params, descent.preview(35)[0].snapshot().params)
    trainer.reset()  # a new timeline: the branches are gone
    assert not descent.swap(branch)


def test_rewinding_a_race_rewinds_every_racer():
    p = load_preset("linear-regression")
    trainer = Trainer(p.config, p.points)
    descent = Descent()
    descent.attach(trainer)
    setup = RacerSetup("adam", lr=0.1)
    descent.set_race([setup])
    trainer.run(40)
    alone = Trainer(setup.config(p.config), p.points)
    alone.run(40)
    views = descent.preview(25)
    assert [v.epoch for v in views] == [25, 25]
    reference = Trainer(setup.config(p.config), p.points)
    reference.run(25)
    assert same(views[1].snapshot().params, reference.snapshot().params)
    state = descent.state(preview=views)
    assert state.viewing == 25 and state.tip == 40 and state.runs[1].snapshot.epoch == 25
    assert len(state.runs[1].snapshot.new_losses) == 0 and not state.runs[1].snapshot.history_reset
    descent.resume_from(25)
    trainer.run(15)
    challenger = descent.challengers[0]
    np.testing.assert_array_equal(challenger.losses(), alone.losses())
    assert same(challenger.snapshot().params, alone.snapshot().params)


def test_a_new_path_over_other_coordinates_starts_from_the_keyframes():
    q = load_preset("quadratic")
    trainer = Trainer(q.config, q.points)
    descent = Descent()
    descent.attach(trainer)
    trainer.run(20)
    from playground.coordinates import all_coordinates

    coordinates = all_coordinates(trainer.snapshot().params)
    descent.set_watched([coordinates[2], coordinates[0]])
    run = descent.state().runs[0]
    assert run.epochs.tolist() == list(range(21))  # a short run keeps a keyframe every epoch
    reference = Trainer(q.config, q.points)
    for epoch in range(21):
        params = reference.snapshot().params
        assert run.values[epoch].tolist() == [float(params["b"][0, 0]), float(params["w"][0, 0])]
        reference.step()


def test_loss_logs_truncate_without_copying_their_blocks():
    log = LossLog()
    values = np.random.default_rng(0).random(3 * LossLog.BLOCK + 100).astype(np.float32).astype(float)
    for v in values:
        log.append(float(v))
    for n in (0, 5, LossLog.BLOCK, 2 * LossLog.BLOCK + 7, len(values)):
        short = log.truncated(n)
        assert len(short) == n
        np.testing.assert_array_equal(short.values(), values[:n])
    short = log.truncated(2 * LossLog.BLOCK + 7)
    assert short._blocks[0] is log._blocks[0]
    short.append(0.5)  # the copy grows on its own
    assert len(log) == len(values) and short.values()[-1] == 0.5


def test_a_classification_run_keeps_its_metrics_through_training_on_undo_and_redo():
    p = load_preset("xor", n_points=120)
    trainer = Trainer(p.config, p.points)
    descent = Descent()
    descent.attach(trainer)
    trainer.run(40)
    original = trainer.metric_history()
    assert original.shape == (40, 3) and np.isfinite(original).all()

    branch, _ = descent.resume_from(15)
    np.testing.assert_array_equal(trainer.metric_history(), original[:15])
    trainer.set_config(trainer.config.replace(lr=trainer.config.lr / 2))
    trainer.run(10)
    other = trainer.metric_history()
    assert descent.swap(branch)  # undo: the 40 epochs are back, with their metrics
    np.testing.assert_array_equal(trainer.metric_history(), original)
    trainer.run(5)
    straight = Trainer(p.config, p.points)
    straight.run(45)
    np.testing.assert_array_equal(trainer.metric_history(), straight.metric_history())
    assert descent.swap(branch)  # redo: the other branch's
    np.testing.assert_array_equal(trainer.metric_history(), other)


def test_a_race_in_the_plane_runs_each_optimizer_as_it_runs_alone_with_its_metrics():
    p = load_preset("circle", n_points=120)
    config = p.config.replace(regularization="l2", regularization_rate=0.001)
    trainer = Trainer(config, p.points)
    descent = Descent()
    descent.attach(trainer)
    setups = [RacerSetup("sgd", lr=0.1), RacerSetup("rmsprop", lr=0.01)]
    descent.set_race(setups)
    trainer.run(30)
    for challenger, setup in zip(descent.challengers, setups):
        alone = Trainer(setup.config(config), p.points)
        alone.run(30)
        np.testing.assert_array_equal(challenger.losses(), alone.losses())
        np.testing.assert_array_equal(challenger.metric_history(), alone.metric_history())
        assert same(challenger.snapshot().params, alone.snapshot().params)
    state = descent.state()
    assert len(state.runs) == 3 and all(run.snapshot.config.task == "classification" for run in state.runs[1:])
