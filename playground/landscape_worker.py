"""The loss landscape's own thread: grids and gradients are computed there, never in the GUI thread.

The Landscape dock asks through :class:`LandscapeService` (GUI thread), whose requests reach a
:class:`LandscapeComputer` (a parentless QObject in a QThread) by queued signals. Only the newest
request of each kind is kept: a drag that changes the points sixty times a second costs one grid
whenever the last one is done. Grids are spaced out so that the computer uses at most about half
of a core (after a grid that took t, the next waits at least t), and gradients for the arrow at the
current point are cheap, so they go first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground.landscape import LandscapeEvaluator, surface

__all__ = ["GradientJob", "GridJob", "LandscapeComputer", "LandscapeService"]

#: The least pause between two grids (seconds); after a grid that took longer, the pause is as long.
MIN_GRID_INTERVAL = 0.05


@dataclass(frozen=True, eq=False)
class GridJob:
    """A landscape to compute: the model of ``config`` on ``points``, ``params`` held, over ``coordinates``."""

    key: tuple
    config: object
    points: object
    params: dict
    coordinates: tuple
    ranges: tuple
    log: bool
    size: int | None = None
    epoch: int = 0  # the epoch of ``params``, reported with the surface


@dataclass(frozen=True, eq=False)
class GradientJob:
    """The gradient of the loss over ``coordinates`` at ``params`` (the arrow of steepest descent)."""

    key: tuple
    config: object
    points: object
    params: dict
    coordinates: tuple


@dataclass(frozen=True, eq=False)
class GridResult:
    key: tuple
    surface: object
    seconds: float
    epoch: int = 0


@dataclass(frozen=True, eq=False)
class GradientResult:
    key: tuple
    coordinates: tuple
    gradient: object


class LandscapeComputer(QObject):
    """Computes grids and gradients in its own thread; the newest request of each kind wins.

    Signals
    -------
    gridReady(object)
        A :class:`GridResult`: the request's key and a :class:`~playground.landscape.Surface`
        (None if the grid could not be computed).
    gradientReady(object)
        A :class:`GradientResult`.
    """

    gridReady = Signal(object)
    gradientReady = Signal(object)

    def __init__(self):
        super().__init__()  # parentless: it is moved to its thread
        self._evaluator = LandscapeEvaluator()
        self._grid = None
        self._gradient = None
        self._next_grid_at = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._work)

    @Slot(object)
    def request_grid(self, job):
        self._grid = job
        self._schedule()

    @Slot(object)
    def request_gradient(self, job):
        self._gradient = job
        self._schedule()

    @Slot()
    def stop(self):
        """Forget the requests and leave the thread (the service then waits for it)."""
        self._timer.stop()
        self._grid = self._gradient = None
        app = QCoreApplication.instance()
        thread = QThread.currentThread()
        if app is not None and thread is not app.thread():
            self.moveToThread(app.thread())
            thread.quit()

    def _schedule(self):
        if self._timer.isActive() and self._gradient is None:
            return
        wait = 0.0 if self._gradient is not None else max(0.0, self._next_grid_at - time.perf_counter())
        self._timer.start(int(wait * 1000))

    def _work(self):
        job, self._gradient = self._gradient, None
        if job is not None:
            try:
                gradient = self._evaluator.gradient(job.config, job.points, job.params, job.coordinates)
            except Exception:  # a view's arrow must never take the thread down
                gradient = None
            self.gradientReady.emit(GradientResult(job.key, job.coordinates, gradient))
        if self._grid is not None:
            if time.perf_counter() < self._next_grid_at:
                self._schedule()
                return
            job, self._grid = self._grid, None
            began = time.perf_counter()
            try:
                grid = self._evaluator.grid(job.config, job.points, job.params, job.coordinates, job.ranges, job.size)
                minimum = self._evaluator.minimum(job.config, job.points, job.params, job.coordinates)
                result = surface(grid, job.log, minimum)
            except Exception:
                result = None
            took = time.perf_counter() - began
            self._next_grid_at = time.perf_counter() + max(MIN_GRID_INTERVAL, took)
            self.gridReady.emit(GridResult(job.key, result, took, job.epoch))
            if self._grid is not None or self._gradient is not None:
                self._schedule()


class LandscapeService(QObject):
    """The GUI thread's handle on the landscape thread.

    Signals
    -------
    gridReady(object), gradientReady(object)
        As :class:`LandscapeComputer` sends them, delivered in the GUI thread.
    """

    gridReady = Signal(object)
    gradientReady = Signal(object)
    _gridOffered = Signal(object)
    _gradientOffered = Signal(object)
    _stopRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("landscape")
        self._computer = LandscapeComputer()
        self._computer.moveToThread(self._thread)
        self._gridOffered.connect(self._computer.request_grid)
        self._gradientOffered.connect(self._computer.request_gradient)
        self._stopRequested.connect(self._computer.stop)
        self._computer.gridReady.connect(self.gridReady)
        self._computer.gradientReady.connect(self.gradientReady)
        self._thread.start()

    def request_grid(self, job: GridJob):
        self._gridOffered.emit(job)

    def request_gradient(self, job: GradientJob):
        self._gradientOffered.emit(job)

    def shutdown(self):
        """Stop the thread and wait for it. Safe to call more than once."""
        if self._thread is None:
            return
        if self._thread.isRunning():
            self._stopRequested.emit()
            self._thread.wait()
        self._thread = None
