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

from dataclasses import dataclass, replace

import numpy as np

from playground.breakpoints import Breakpoints, BreakpointWatch, Hit
from playground.landscape import default_coordinates
from playground.race import Challengers, RacerSetup

__all__ = ["MAX_PATH_POINTS", "MAX_ROWS", "Descent", "DescentState", "RunState", "Trail"]

#: Rows a trail keeps before it thins its older half.
MAX_ROWS = 1 << 18
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

    def restart(self, trainer, coordinates=None):
        """Forget the path and start it at ``trainer``'s current parameters (and, given, new coordinates)."""
        if coordinates is not None:
            self.coordinates = tuple(coordinates)
        self._params = dict(trainer.model.named_parameters())
        self._epochs = np.empty(0, dtype=np.int64)
        self._values = np.empty((0, len(self.coordinates)))
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

    # -- the trainer's observer interface
    def epoch_done(self, trainer, loss) -> bool:
        self.record(trainer)
        return False

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state"):
            self.restart(trainer)


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
    """

    coordinates: tuple
    runs: tuple
    hit: Hit | None = None

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


class Descent:
    """The training thread's recorder of the descent: paths, the race and the breakpoints.

    The worker calls :meth:`attach` with every new trainer, :meth:`state` with every snapshot,
    and the setters when the GUI asks. Not thread-safe: it lives in the training thread.
    """

    def __init__(self):
        self._trainer = None
        self._wanted = None  # the coordinates asked for (None: the model's first two)
        self._trail = Trail()
        self._setups = ()
        self._challengers = None
        self._trails = []  # the challengers'
        self._marks = []  # the challengers' snapshot marks
        self.watch = BreakpointWatch()

    # ----------------------------------------------------------------- wiring
    def attach(self, trainer):
        """Observe ``trainer`` (a new one: a fresh start or a loaded session); any race ends."""
        if self._trainer is not None:
            self._end_race()
            for observer in (self._trail, self.watch, self):
                self._trainer.remove_observer(observer)
        self._trainer = trainer
        self.watch.forget()
        trainer.add_observer(self)  # first: it checks the coordinates before the trail records
        trainer.add_observer(self._trail)
        trainer.add_observer(self.watch)
        self._trail.restart(trainer, self._coordinates())

    @property
    def trainer(self):
        return self._trainer

    def _coordinates(self) -> tuple:
        params = dict(self._trainer.model.named_parameters())
        shapes = {name: tuple(p.shape) for name, p in params.items()}
        wanted = self._wanted
        if wanted and all(c.name in shapes and shapes[c.name] == c.shape for c in wanted):
            return tuple(wanted)
        return default_coordinates({name: np.empty(shape) for name, shape in shapes.items()})

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state"):
            coordinates = self._coordinates()
            if coordinates != self._trail.coordinates:
                self._trail.coordinates = coordinates
                for trail in self._trails:
                    trail.coordinates = coordinates

    def epoch_done(self, trainer, loss) -> bool:
        return False

    # ----------------------------------------------------------------- what the GUI sets
    def set_watched(self, coordinates):
        """Record the path over ``coordinates`` (None: the model's first two); the paths start again here."""
        self._wanted = tuple(coordinates) if coordinates else None
        if self._trainer is None:
            return
        coordinates = self._coordinates()
        if coordinates != self._trail.coordinates:
            self._trail.restart(self._trainer, coordinates)
            for trail, trainer in zip(self._trails, self._challengers.trainers if self._challengers else ()):
                trail.restart(trainer, coordinates)

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
                trail = Trail(coordinates)
                challenger.add_observer(trail)
                self._trails.append(trail)
                self._marks.append(None)
        trainer.reset()  # the challengers and every trail start again with it

    def _end_race(self):
        if self._challengers is not None:
            self._trainer.remove_observer(self._challengers)
        self._challengers = None
        self._setups = ()
        self._trails = []
        self._marks = []

    @property
    def challengers(self) -> tuple:
        """The challengers' trainers (owned by the training thread, like the main one)."""
        return tuple(self._challengers.trainers) if self._challengers else ()

    # ----------------------------------------------------------------- what the GUI gets
    @property
    def hit(self) -> Hit | None:
        """The breakpoint that stopped the last step or run of the main trainer, if one did."""
        trainer = self._trainer
        return self.watch.hit if trainer is not None and trainer.halted else None

    def state(self, hit: Hit | None = None) -> DescentState:
        """The descent now, for a snapshot of the main run; ``hit`` is the breakpoint that paused it there."""
        epochs, values = self._trail.view()
        runs = [RunState(RacerSetup.of(self._trainer.config), epochs, values)]
        for i, (challenger, trail) in enumerate(zip(self.challengers, self._trails)):
            snapshot = challenger.snapshot(since=self._marks[i])
            self._marks[i] = snapshot.mark
            epochs, values = trail.view()
            runs.append(RunState(RacerSetup.of(challenger.config), epochs, values, snapshot))
        return DescentState(self._trail.coordinates, tuple(runs), hit)
