"""Gradient descent itself, as the training thread records it: paths, the race, breakpoints. Qt-free.

A :class:`Descent` lives beside the trainer in the training thread and observes it:

* a :class:`Trail` per run records the watched parameter coordinates after every epoch, the
  optimizer's path across the loss landscape (epoch 0 is the start);
* :class:`~playground.race.Challengers` race the main run in lock-step, when a race is on;
* a :class:`~playground.breakpoints.BreakpointWatch` stops training when a breakpoint fires.

With every snapshot it hands the GUI a :class:`DescentState`: plain, immutable data (each run's
path, the challengers' own snapshots, the breakpoint that fired), merged like the snapshots
themselves when the GUI skips some.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from playground.breakpoints import Breakpoints, BreakpointWatch, Hit
from playground.landscape import default_coordinates
from playground.race import Challengers, RacerSetup
from playground.timeline import Timeline

__all__ = ["MAX_PATH_POINTS", "MAX_ROWS", "Descent", "DescentState", "RunState", "Trail", "still_snapshot"]

#: Rows a trail keeps before it thins its older half.
MAX_ROWS = 1 << 16
#: Points of a path sent to the GUI (the newest quarter every epoch, the older part evenly thinned).
MAX_PATH_POINTS = 4096


class Trail:
    """The values of some parameter coordinates after every epoch of one trainer: its path.

    Bounded: past ``max_rows`` rows the older half keeps every other row, so a long run's early
    path grows coarser while the recent epochs stay exact. Add it to a trainer with
    ``trainer.add_observer(trail)`` after :meth:`restart`.
    """

    def __init__(self, coordinates=(), max_rows: int = MAX_ROWS):
        self.coordinates = tuple(coordinates)
        self.max_rows = int(max_rows)
        self._epochs = np.empty(0, dtype=np.int64)
        self._values = np.empty((0, len(self.coordinates)))
        self._pending = []
        self._params = {}

    def __len__(self):
        return len(self._epochs) + len(self._pending)

    def restart(self, trainer, coordinates=None, earlier=()):
        """Forget the path and start it at ``trainer``'s current parameters (and, given, new coordinates).

        ``earlier``: trainer states of earlier epochs (the timeline's keyframes) to begin the path with.
        """
        if coordinates is not None:
            self.coordinates = tuple(coordinates)
        self._params = dict(trainer.model.named_parameters())
        rows = [s for s in earlier if s.epoch < trainer.epoch]
        self._epochs = np.array([s.epoch for s in rows], dtype=np.int64)
        self._values = np.array(
            [[float(s.params[c.name].reshape(-1)[c.flat]) for c in self.coordinates] for s in rows], dtype=np.float64
        ).reshape(len(rows), len(self.coordinates))
        self._pending = []
        self.record(trainer)

    def record(self, trainer):
        """Append ``trainer``'s current values of the coordinates, at its current epoch."""
        params = self._params
        row = [trainer.epoch]
        for c in self.coordinates:
            row.append(float(params[c.name].detach().numpy().reshape(-1)[c.flat]))
        self._pending.append(row)
        if len(self._pending) >= 512:
            self._flush()

    def _flush(self):
        if not self._pending:
            return
        block = np.array(self._pending, dtype=np.float64).reshape(len(self._pending), 1 + len(self.coordinates))
        self._pending = []
        self._epochs = np.concatenate([self._epochs, block[:, 0].astype(np.int64)])
        self._values = np.concatenate([self._values, block[:, 1:]])
        while len(self._epochs) > self.max_rows:
            half = len(self._epochs) // 2
            keep = np.concatenate([np.arange(0, half, 2), np.arange(half, len(self._epochs))])
            self._epochs = self._epochs[keep]
            self._values = self._values[keep]

    def path(self) -> tuple:
        """(epochs, values): every row kept, the values shaped (rows, coordinates)."""
        self._flush()
        return self._epochs.copy(), self._values.copy()

    def view(self, max_points: int = MAX_PATH_POINTS) -> tuple:
        """(epochs, values) to draw: the newest quarter of ``max_points`` exactly, the older rows
        thinned by a power of two counted from the first row (so the drawing stays put)."""
        self._flush()
        n = len(self._epochs)
        if n <= max_points:
            return self._epochs.copy(), self._values.copy()
        recent = max_points // 4
        older = n - recent
        stride = 1
        while older / stride > max_points - recent:
            stride *= 2
        rows = np.concatenate([np.arange(0, older, stride), np.arange(older, n)])
        return self._epochs[rows], self._values[rows]

    def truncate(self, epoch: int):
        """Forget the rows after ``epoch``."""
        self._flush()
        keep = self._epochs <= epoch
        self._epochs, self._values = self._epochs[keep], self._values[keep]

    def export(self) -> tuple:
        """What :meth:`restore` needs to bring this trail back."""
        self._flush()
        return (self._epochs, self._values, self.coordinates)

    def restore(self, saved, trainer):
        epochs, values, coordinates = saved
        if coordinates != self.coordinates:  # recorded over other coordinates: start again here
            self.restart(trainer)
            return
        self._epochs, self._values, self._pending = epochs, values, []
        self._params = dict(trainer.model.named_parameters())

    # -- the trainer's observer interface
    def epoch_done(self, trainer, loss) -> bool:
        self.record(trainer)
        return False

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state"):
            self.restart(trainer)
        elif what == "rewind":
            self.truncate(trainer.epoch)


@dataclass(frozen=True, eq=False)
class RunState:
    """One run of the race (or the only run) as the GUI draws it.

    Attributes
    ----------
    setup : RacerSetup
    epochs, values : np.ndarray
        Its path: the epochs and the watched coordinates' values after each (rows × coordinates).
    snapshot : Snapshot or None
        A challenger's own snapshot (its parameters, its new losses); None for the main run,
        whose snapshot is the one this state travels with.
    """

    setup: RacerSetup
    epochs: np.ndarray
    values: np.ndarray
    snapshot: object = None

    @property
    def label(self) -> str:
        return self.setup.label


@dataclass(frozen=True, eq=False)
class DescentState:
    """What a snapshot carries about the descent.

    Attributes
    ----------
    coordinates : tuple of Coordinate
        The coordinates the paths are over.
    runs : tuple of RunState
        The main run first, then the challengers of a race.
    hit : Hit or None
        The breakpoint that paused training, on the snapshot taken where it fired.
    tip : int
        The epochs trained (the end of the timeline).
    first : int
        The earliest epoch that can be shown again.
    viewing : int or None
        The earlier epoch this snapshot shows (rewound), or None for the latest.
    """

    coordinates: tuple
    runs: tuple
    hit: Hit | None = None
    tip: int = 0
    first: int = 0
    viewing: int | None = None

    @property
    def racing(self) -> bool:
        return len(self.runs) > 1

    def followed_by(self, later: DescentState) -> DescentState:
        """``later``, with what a reader skipping this state must not lose: the challengers' losses, a hit."""
        runs = later.runs
        if len(runs) == len(self.runs) and all(a.setup == b.setup for a, b in zip(runs, self.runs)):
            runs = tuple(
                replace(b, snapshot=a.snapshot.followed_by(b.snapshot))
                if a.snapshot is not None and b.snapshot is not None
                else b
                for a, b in zip(self.runs, runs)
            )
        return replace(later, runs=runs, hit=later.hit or self.hit)


@dataclass
class _Branch:
    """Epochs dropped by training on from an earlier one, kept so that an undo can bring them back.

    ``tails`` holds, per run, what that run was before: its state, loss and metric logs, timeline and trail.
    Swapping a branch in exchanges those with the run's present ones, so undo and redo are one swap.
    """

    epoch: int
    lineage: int
    tails: list


class Descent:
    """The training thread's recorder of the descent: paths, the race, breakpoints and the timeline.

    The worker calls :meth:`attach` with every new trainer, :meth:`state` with every snapshot,
    and the setters when the GUI asks. Not thread-safe: it lives in the training thread.
    """

    def __init__(self):
        self._trainer = None
        self._wanted = None  # the coordinates asked for (None: the model's first two)
        self._trail = Trail()
        self._timeline = Timeline()
        self._setups = ()
        self._challengers = None
        self._trails = []  # the challengers'
        self._timelines = []
        self._marks = []  # the challengers' snapshot marks
        self.watch = BreakpointWatch()
        self._branches = {}
        self._branch_ids = itertools.count(1)

    # ----------------------------------------------------------------- wiring
    def attach(self, trainer):
        """Observe ``trainer`` (a new one: a fresh start or a loaded session); any race ends."""
        if self._trainer is not None:
            self._end_race()
            for observer in (self._trail, self._timeline, self.watch, self):
                self._trainer.remove_observer(observer)
        self._trainer = trainer
        self.watch.forget()
        self._branches.clear()
        trainer.add_observer(self)  # first: it checks the coordinates before the trail records
        trainer.add_observer(self._trail)
        trainer.add_observer(self._timeline)
        trainer.add_observer(self.watch)
        self._trail.restart(trainer, self._coordinates())
        self._timeline.restart(trainer)

    @property
    def trainer(self):
        return self._trainer

    @property
    def timeline(self) -> Timeline:
        """The main run's timeline."""
        return self._timeline

    def _runs(self) -> list:
        """(trainer, trail, timeline) of every run, the main one first."""
        runs = [(self._trainer, self._trail, self._timeline)]
        runs.extend(zip(self.challengers, self._trails, self._timelines))
        return runs

    def _coordinates(self) -> tuple:
        params = dict(self._trainer.model.named_parameters())
        shapes = {name: tuple(p.shape) for name, p in params.items()}
        wanted = self._wanted
        if wanted and all(c.name in shapes and shapes[c.name] == c.shape for c in wanted):
            return tuple(wanted)
        return default_coordinates({name: np.empty(shape) for name, shape in shapes.items()})

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state"):
            self._branches.clear()  # a new timeline: the dropped epochs of the old one cannot come back
            coordinates = self._coordinates()
            if coordinates != self._trail.coordinates:
                self._trail.coordinates = coordinates
                for trail in self._trails:
                    trail.coordinates = coordinates

    def epoch_done(self, trainer, loss) -> bool:
        return False

    # ----------------------------------------------------------------- what the GUI sets
    def set_watched(self, coordinates):
        """Record the path over ``coordinates`` (None: the model's first two).

        The path over the epochs already trained comes from the timeline's keyframes (every epoch
        of a short run; coarser for a long one), then every epoch again.
        """
        self._wanted = tuple(coordinates) if coordinates else None
        if self._trainer is None:
            return
        coordinates = self._coordinates()
        if coordinates != self._trail.coordinates:
            for trainer, trail, timeline in self._runs():
                trail.restart(trainer, coordinates, timeline.keyframe_states())

    def set_breakpoints(self, breakpoints: Breakpoints):
        self.watch.set_breakpoints(breakpoints)

    @property
    def racing(self) -> bool:
        return self._challengers is not None

    def set_race(self, setups):
        """Race the main run against ``setups`` (empty: no race). Every run starts again from the initial parameters."""
        trainer = self._trainer
        if trainer is None:
            return
        self._end_race()
        self._setups = tuple(setups)
        if self._setups:
            self._challengers = Challengers(trainer, self._setups)
            trainer.add_observer(self._challengers)
            coordinates = self._trail.coordinates
            for challenger in self._challengers.trainers:
                trail, timeline = Trail(coordinates), Timeline()
                challenger.add_observer(trail)
                challenger.add_observer(timeline)
                self._trails.append(trail)
                self._timelines.append(timeline)
                self._marks.append(None)
        trainer.reset()  # the challengers, every trail and every timeline start again with it

    def _end_race(self):
        if self._challengers is not None:
            self._trainer.remove_observer(self._challengers)
        self._challengers = None
        self._setups = ()
        self._trails = []
        self._timelines = []
        self._marks = []

    @property
    def challengers(self) -> tuple:
        """The challengers' trainers (owned by the training thread, like the main one)."""
        return tuple(self._challengers.trainers) if self._challengers else ()

    # ----------------------------------------------------------------- the timeline
    @property
    def tip(self) -> int:
        return self._trainer.epoch if self._trainer is not None else 0

    @property
    def first(self) -> int:
        """The earliest epoch every run can show again."""
        return max(timeline.first_epoch for _, _, timeline in self._runs()) if self._trainer is not None else 0

    def preview(self, epoch: int) -> list:
        """Trainers of their own at ``epoch`` (clamped to the timeline), one per run: the run as it was then."""
        epoch = max(self.first, min(int(epoch), self.tip))
        return [timeline.trainer_at(trainer, min(epoch, trainer.epoch)) for trainer, _, timeline in self._runs()]

    def resume_from(self, epoch: int) -> tuple:
        """Go back to ``epoch`` to train on from there: every run returns to it, and the epochs after it
        are set aside (:meth:`swap` brings them back). The main run keeps its present settings and data.

        Returns
        -------
        (branch, dropped) : (int, int)
            The id of the set-aside epochs, and how many of the main run's they are.
        """
        main = self._trainer
        epoch = max(self.first, min(int(epoch), self.tip))
        runs = self._runs()
        states = [
            timeline.trainer_at(trainer, min(epoch, trainer.epoch)).capture_state() for trainer, _, timeline in runs
        ]
        tails = [_tail(run) for run in runs]
        config, points = main.config, main.points
        dropped = main.epoch - epoch
        for (trainer, _, _), state in zip(runs, states):
            trainer.restore_state(state, trainer.losses_until(state.epoch))
        # Training goes on with what the app shows now: the latest settings and data (an edit, if they changed).
        main.set_config(config)
        main.set_points(points)
        branch = next(self._branch_ids)
        self._branches[branch] = _Branch(epoch, self._timeline.lineage, tails)
        return branch, dropped

    def swap(self, branch: int) -> bool:
        """Exchange the epochs after a branch's epoch with those set aside there (undo and redo of
        :meth:`resume_from`); False when that is no longer possible (the run was reset since)."""
        found = self._branches.get(branch)
        runs = self._runs()
        if (
            found is None
            or found.lineage != self._timeline.lineage
            or len(found.tails) != len(runs)
            or self._trainer.epoch < found.epoch
        ):
            return False
        present = [_tail(run) for run in runs]
        for (trainer, trail, timeline), (state, log, metrics, keyframes, path) in zip(runs, found.tails):
            trainer.restore_state(state, log, metrics)
            timeline.restore(keyframes)
            trail.restore(path, trainer)
        found.tails = present
        return True

    # ----------------------------------------------------------------- what the GUI gets
    @property
    def hit(self) -> Hit | None:
        """The breakpoint that stopped the last step or run of the main trainer, if one did."""
        trainer = self._trainer
        return self.watch.hit if trainer is not None and trainer.halted else None

    def state(self, hit: Hit | None = None, preview=None) -> DescentState:
        """The descent now, for a snapshot of the main run; ``hit`` is the breakpoint that paused it there.

        ``preview``: the trainers of :meth:`preview` when the snapshot shows an earlier epoch.
        """
        epochs, values = self._trail.view()
        runs = [RunState(RacerSetup.of(self._trainer.config), epochs, values)]
        for i, (challenger, trail) in enumerate(zip(self.challengers, self._trails)):
            if preview is not None:
                snapshot = still_snapshot(preview[i + 1].snapshot(), self._marks[i])
            else:
                snapshot = challenger.snapshot(since=self._marks[i])
                self._marks[i] = snapshot.mark
            epochs, values = trail.view()
            runs.append(RunState(RacerSetup.of(challenger.config), epochs, values, snapshot))
        viewing = preview[0].epoch if preview is not None else None
        return DescentState(self._trail.coordinates, tuple(runs), hit, self.tip, self.first, viewing)


def _tail(run) -> tuple:
    trainer, trail, timeline = run
    return (trainer.capture_state(), trainer.loss_log(), trainer.metric_log(), timeline.export(), trail.export())


_NO_LOSSES = np.empty(0)
_NO_LOSSES.flags.writeable = False


def still_snapshot(snapshot, mark):
    """``snapshot`` of an earlier epoch, as a view that adds no losses to the history shown (``mark``: the run's)."""
    return replace(snapshot, new_losses=_NO_LOSSES, history_reset=False, mark=mark)
