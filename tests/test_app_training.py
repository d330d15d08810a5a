"""The training controller's delivery of snapshots to the GUI, fed snapshots made by a real trainer.

Every wait is on a signal or a condition, never a sleep.
"""

import dataclasses

import numpy as np
import pytest

from playground import worker as worker_module
from playground.presets import load_preset
from playground.trainer import Trainer
from playground.worker import PAUSED, RUNNING, TrainingController


@pytest.fixture
def controller(qtbot):
    preset = load_preset("noisy-line")
    training = TrainingController(preset.config, preset.points)
    qtbot.waitUntil(lambda: training.latest is not None)
    yield training, preset
    training.shutdown()


def snapshots(preset, versions):
    """Snapshots of a real trainer, three epochs apart, each trained on the given points version."""
    trainer = Trainer(preset.config, preset.points)
    mark = trainer.snapshot().mark
    made = []
    for version in versions:
        for _ in range(3):
            trainer.step()
        snapshot = trainer.snapshot(since=mark)
        mark = snapshot.mark
        made.append(dataclasses.replace(snapshot, points_version=version))
    return trainer, made


def deliver(qtbot, training, snapshot):
    with qtbot.waitSignal(training.snapshotReady, timeout=5000) as blocker:
        training._snapshot_arrived(snapshot)
    return blocker.args[0]


def drained(qapp, training, snapshot):
    """Hand ``snapshot`` over and let the event loop run its zero timers: what was delivered."""
    shown = []
    training.snapshotReady.connect(shown.append)
    training._snapshot_arrived(snapshot)
    for _ in range(5):
        qapp.processEvents()
    training.snapshotReady.disconnect(shown.append)
    return shown


def test_a_snapshot_outdated_by_a_drag_is_skipped_and_its_losses_come_with_the_next(qtbot, qapp, controller):
    training, preset = controller
    trainer, (first, outdated, fresh) = snapshots(preset, versions=(0, 0, 1))
    training.state = RUNNING  # as the worker reports while playing
    deliver(qtbot, training, first)
    training.set_points(preset.points + 0.5)  # a drag: the worker has not trained on these yet
    assert training.points_sent == 1

    assert drained(qapp, training, outdated) == []  # not drawn: the frame with the new points comes first
    shown = deliver(qtbot, training, fresh)
    assert shown.epoch == 9 and shown.points_version == 1
    # Nothing lost: the skipped snapshot's epochs arrive with the next one.
    np.testing.assert_array_equal(shown.new_losses, trainer.losses()[3:9])


def test_an_outdated_snapshot_is_drawn_when_paused_or_when_the_last_frame_is_old(qtbot, qapp, controller, monkeypatch):
    training, preset = controller
    _, (first, outdated, later) = snapshots(preset, versions=(0, 0, 0))
    training.state = RUNNING
    deliver(qtbot, training, first)
    training.set_points(preset.points + 0.5)
    monkeypatch.setattr(worker_module, "OUTDATED_SKIP_SECONDS", 0.0)  # a long drag: frames must still come
    assert [s.epoch for s in drained(qapp, training, outdated)] == [6]
    monkeypatch.undo()
    training.state = PAUSED
    assert [s.epoch for s in drained(qapp, training, later)] == [9]
