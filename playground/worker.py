"""Training in a worker thread.

:class:`TrainingWorker` is a parentless QObject moved to a QThread. It owns the
:class:`~playground.trainer.Trainer` (the engine model and optimizer) and the tracer of the Graph
view; nothing else touches them. The GUI talks to it through one interface,
:class:`TrainingController`, whose methods emit queued signals to the worker's slots, and the
worker answers with signals: immutable :class:`~playground.trainer.Snapshot` objects,
its state, the trainer's state dict on request, and errors as exception objects.

* New points and configurations are stored as "pending" and applied at the next step boundary,
  so during a drag only the newest copy is ever trained on (the latest wins).
* While playing, the worker steps in short slices from a zero-interval timer, returning to its
  event loop between slices so that pauses, edits and shutdown are seen within milliseconds.
* It emits at most ``MAX_SNAPSHOTS_PER_SECOND`` snapshots however fast it steps, plus one
  whenever it stops and one as soon as it has trained on new points.
* The GUI comes first: training holds Python's GIL, and the GUI thread needs it for every call
  from Qt into Python, so after sending a snapshot while playing the worker stops stepping until
  the controller reports the frame drawn (``frame_drawn``, at most ``FRAME_WAIT_SECONDS``), then
  trains until ``1 / MAX_SNAPSHOTS_PER_SECOND`` after the last snapshot, and at least
  ``TRAINING_BETWEEN_FRAMES_SECONDS``, before the next one (less when new points arrived, so that
  a drag shows at once). While it waits, its event loop is idle and holds no GIL.
* During a drag, a snapshot that arrives already out of date (trained on points the drag has moved
  since: :attr:`~playground.trainer.Snapshot.points_version`) is not drawn when a frame was drawn
  in the last ``OUTDATED_SKIP_SECONDS``; the worker trains on the new points at once, and the next
  snapshot carries the skipped one's losses.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import sys
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread, QTimer, Signal, Slot

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground.descent import Descent, still_snapshot
from playground.tracing import MODES, TraceBuilder
from playground.trainer import Trainer, TrainingError

__all__ = [
    "DIVERGED",
    "PAUSED",
    "RUNNING",
    "ConfigRejected",
    "PointsRejected",
    "StateRejected",
    "TrainingController",
    "TrainingCrashed",
    "TrainingWorker",
]

#: While playing, a snapshot is sent 1/this of a second after the one before (a steady frame rate:
#: after a frame that took the GUI longer, the worker trains less) …
MAX_SNAPSHOTS_PER_SECOND = 50
#: … but never less than this long after the GUI has drawn the one before.
TRAINING_BETWEEN_FRAMES_SECONDS = 0.004
#: Longest stretch of training between two visits to the worker's event loop.
SLICE_SECONDS = 0.005
#: Longest the worker waits for the GUI to draw a snapshot before it trains on.
FRAME_WAIT_SECONDS = 0.05
#: How soon a thread waiting for the GIL gets it (Python's default is 5 ms; see TrainingController).
SWITCH_INTERVAL_SECONDS = 0.001
#: The gradual pace (speed limit ``GRADUAL``): it starts at this many epochs per second …
GRADUAL_START = 20.0
#: … doubles every this many seconds of play …
GRADUAL_DOUBLING_SECONDS = 1.0
#: … and runs unlimited from this rate on.
GRADUAL_UNLIMITED = 20_000.0
#: The speed limit that means "gradual" (0 means unlimited).
GRADUAL = -1.0
#: A snapshot trained on points that a drag has moved since is not drawn if the last frame is
#: at most this old (so that a long drag still shows frames).
OUTDATED_SKIP_SECONDS = 0.05
#: How long :meth:`TrainingController.fetch_state` waits for the worker's answer.
STATE_TIMEOUT_SECONDS = 10.0

RUNNING = "running"
PAUSED = "paused"
DIVERGED = "diverged"


class PointsRejected(ValueError):
    """New points could not be trained on (the trainer keeps the previous ones)."""


class ConfigRejected(ValueError):
    """A configuration could not be applied (the trainer keeps the previous one)."""


class StateRejected(ValueError):
    """A saved training state could not be restored (training goes on as it was)."""


class TrainingCrashed(RuntimeError):
    """An epoch raised an unexpected error; training stopped. The original error is the cause."""


class TrainingWorker(QObject):
    """Owns the trainer and steps it; lives in the training thread.

    Signals
    -------
    snapshotReady(object)
        A :class:`~playground.trainer.Snapshot`.
    stateChanged(str)
        "running", "paused" or "diverged".
    errored(object)
        An exception: :class:`~playground.trainer.TrainingError` (training is impossible, e.g. no
        points), :class:`PointsRejected`, :class:`ConfigRejected`, :class:`StateRejected` or
        :class:`TrainingCrashed`. Its text is a sentence for the user.
    stateDictReady(object)
        Reply to :meth:`request_state`: the trainer's ``state_dict()`` (None without a trainer).
    historyDropped(int, int, int)
        Training went on from an earlier epoch: the id of the epochs set aside (for
        :meth:`swap_branch`), that epoch, and how many epochs were set aside.
    """

    snapshotReady = Signal(object)
    stateChanged = Signal(str)
    errored = Signal(object)
    stateDictReady = Signal(object)
    historyDropped = Signal(int, int, int)

    def __init__(self, config, points):
        super().__init__()  # parentless: it is moved to the training thread
        self._config = config
        self._points = points
        self._trainer = None
        self._pending_points = None
        self._points_offered = 0  # sets of points received from the controller
        self._points_version = 0  # … of which the one trained on was the n-th
        self._pending_config = None
        self._remaining = None  # epochs left of a "Step N"; None while playing freely
        self._speed_limit = 0.0  # epochs per second; 0 = unlimited; GRADUAL = rising
        self._play_started = 0.0
        self._credit = 0.0
        self._last_tick = 0.0
        self._last_emit = 0.0  # when the last snapshot was sent
        self._last_drawn = 0.0  # when the GUI had drawn it (or the wait ran out)
        self._hurry = False  # new data arrived: send the next snapshot without the usual pause
        self._state = PAUSED
        self._selected_sample = None
        self._tracer = TraceBuilder()
        self._tracing = False  # the Graph view is shown: snapshots carry traces
        self._sent = 0  # snapshots sent
        self._mark = None  # the last snapshot's mark: the next carries only the losses after it
        self._descent = Descent()  # the optimizer's path, the race, the breakpoints, the timeline
        self._viewing = None  # an earlier epoch shown instead of the latest
        self._pending_view = None
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(0)
        self._view_timer.timeout.connect(self._show_view)
        self._awaited = None  # the snapshot count whose frame the worker waits for
        self._timer = QTimer(self)  # children move to the thread with the worker
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._frame_timeout = QTimer(self)
        self._frame_timeout.setSingleShot(True)
        self._frame_timeout.setInterval(int(FRAME_WAIT_SECONDS * 1000))
        self._frame_timeout.timeout.connect(self._resume)

    @property
    def running(self) -> bool:
        return self._state == RUNNING

    # ----------------------------------------------------------------- slots (worker thread)
    @Slot()
    def start(self):
        """Build the trainer and publish the first snapshot (runs in the training thread)."""
        try:
            self._trainer = Trainer(self._config, self._points)
        except (ValueError, TypeError) as exc:
            self.errored.emit(ConfigRejected(f"Could not set up training: {exc}"))
            return
        self._descent.attach(self._trainer)
        self._settle(PAUSED)

    @Slot(object)
    def set_points(self, points):
        self._pending_points = points
        self._points_offered += 1
        if not self.running:
            self._apply_pending()
            if self._tracing:  # the graph shows the edited points at once
                self._tracer.refresh()
                self._emit_snapshot()

    @Slot(object)
    def set_config(self, config):
        self._pending_config = config
        if not self.running and self._apply_pending():
            self._emit_snapshot()

    @Slot()
    def play(self):
        self._start_running(None)

    @Slot()
    def pause(self):
        state = DIVERGED if self._trainer is not None and self._trainer.diverged else PAUSED
        if self.running:
            self._stop_running()
            self._settle(state)
        else:
            self._set_state(state)

    @Slot(int)
    def step(self, epochs=1):
        """Train ``epochs`` epochs: one at once, more in slices that stay interruptible.

        While an earlier epoch is shown, one step shows the next epoch of the run as it was;
        more train on from the epoch shown (the later ones are set aside, see ``historyDropped``).
        """
        if self._trainer is None or epochs < 1:
            return
        if self.running:
            self._stop_running()
        if self._viewing is not None and epochs == 1:
            self.view_epoch(self._viewing + 1)
            return
        self._apply_pending()
        self._resume_if_viewing()
        if epochs == 1:
            if not self._check_can_train() or not self._step_guarded():
                return
            self._settle(DIVERGED if self._trainer.diverged else PAUSED)
        else:
            self._start_running(epochs)

    @Slot()
    def reset(self):
        if self._trainer is None:
            return
        self._stop_running()
        self._viewing = None
        self._apply_pending()
        self._trainer.reset()
        self._tracer.refresh()
        self._settle(PAUSED)

    @Slot(float)
    def set_speed_limit(self, epochs_per_second):
        """Limit training to ``epochs_per_second``: 0 for unlimited, ``GRADUAL`` for a pace that
        starts slow enough to watch each epoch and doubles every second of play."""
        limit = float(epochs_per_second)
        self._speed_limit = GRADUAL if limit < 0 else limit
        self._credit = min(self._credit, 1.0)
        self._timer.setInterval(self._interval_ms())

    @Slot(object)
    def set_selected_sample(self, index):
        """Trace point ``index`` in sample mode (None: the first point)."""
        self._selected_sample = index
        self.refresh_trace()

    @Slot(object)
    def set_trace_mode(self, mode):
        """Attach a trace in ``mode`` ("sample" or "batch") to the snapshots; None: no traces."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"trace mode must be one of {', '.join(MODES)} or None, not {mode!r}")
        self._tracing = mode is not None
        if mode is not None:
            self._tracer.mode = mode
            self.refresh_trace()

    @Slot()
    def refresh_trace(self):
        """Build a trace for the next snapshot whatever the time budget; while idle, send it now."""
        self._tracer.refresh()
        if self._tracing and not self.running and self._trainer is not None:
            self._emit_snapshot()

    @Slot()
    def request_state(self):
        """Reply with the trainer's ``state_dict()`` on ``stateDictReady``."""
        if self._trainer is None:
            self.stateDictReady.emit(None)
            return
        self._apply_pending()
        self.stateDictReady.emit(self._trainer.state_dict())

    @Slot(object, object, object)
    def load_state(self, config, points, state):
        """Replace the training state: configuration, points and a ``state_dict()`` (a session)."""
        try:
            trainer = Trainer(config, points)
            if state is not None:
                trainer.load_state_dict(state)
        except (ValueError, TypeError, KeyError) as exc:
            self.errored.emit(StateRejected(f"Could not restore the training state: {exc}"))
            return
        self._stop_running()
        self._pending_points = self._pending_config = None
        self._trainer = trainer
        self._mark = None
        self._viewing = None
        self._descent.attach(trainer)
        self._tracer.refresh()
        self._settle(DIVERGED if trainer.diverged else PAUSED)

    @Slot(int)
    def frame_drawn(self, received):
        """The GUI has drawn the ``received``-th snapshot: train on if the worker was waiting for it."""
        if self._awaited is not None and received >= self._awaited:
            self._resume()

    # ----------------------------------------------------------------- the descent (worker thread)
    @Slot(object)
    def set_watched(self, coordinates):
        """Record the optimizer's path over ``coordinates`` (None: the model's first two)."""
        self._descent.set_watched(coordinates)
        if not self.running and self._trainer is not None:
            self._emit_snapshot()

    @Slot(object)
    def set_race(self, setups):
        """Race the main run against these :class:`~playground.race.RacerSetup` (empty: no race); all start again."""
        if self._trainer is None:
            return
        self._apply_pending()
        self._descent.set_race(setups)
        self._tracer.refresh()
        self._emit_snapshot()

    @Slot(object)
    def set_breakpoints(self, breakpoints):
        """Pause training when one of these :class:`~playground.breakpoints.Breakpoints` fires."""
        self._descent.set_breakpoints(breakpoints)

    # ----------------------------------------------------------------- the timeline (worker thread)
    @Slot(int)
    def view_epoch(self, epoch):
        """Show an earlier epoch of the run (the latest one: back to training's end); training pauses.

        Only the newest request is served: scrubbing the timeline costs one replay at a time.
        """
        if self._trainer is None:
            return
        if self.running:
            self._stop_running()
            self._set_state(PAUSED)
        self._pending_view = int(epoch)
        if not self._view_timer.isActive():
            self._view_timer.start()

    @Slot()
    def view_latest(self):
        """Show the latest epoch again."""
        self._pending_view = None
        self._viewing = None
        if self._trainer is not None and not self.running:
            self._emit_snapshot()

    @Slot()
    def resume_here(self):
        """Make the epoch shown the latest: the epochs after it are set aside (``historyDropped``)."""
        if self._trainer is None or self._viewing is None:
            return
        self._apply_pending()
        self._resume_if_viewing()
        self._tracer.refresh()
        self._settle(PAUSED)

    @Slot(int)
    def swap_branch(self, branch):
        """Exchange the epochs after a branch's epoch with those set aside there (undo, redo)."""
        if self._trainer is None:
            return
        self._stop_running()
        self._viewing = None
        self._apply_pending()
        if not self._descent.swap(branch):
            self.errored.emit(
                StateRejected("Those epochs cannot come back: training was reset or another session loaded since.")
            )
        self._tracer.refresh()
        self._settle(DIVERGED if self._trainer.diverged else PAUSED)

    def _show_view(self):
        epoch, self._pending_view = self._pending_view, None
        if epoch is None or self._trainer is None:
            return
        self._apply_pending()
        tip = self._trainer.epoch
        epoch = max(self._descent.first, min(epoch, tip))
        self._viewing = epoch if epoch < tip else None
        self._tracer.refresh()
        self._emit_snapshot()

    def _resume_if_viewing(self):
        if self._viewing is None or self._trainer is None:
            return
        epoch, self._viewing = self._viewing, None
        branch, dropped = self._descent.resume_from(epoch)
        self.historyDropped.emit(branch, epoch, dropped)

    @Slot()
    def stop(self):
        """Stop training and leave the thread (the controller then waits for it)."""
        self._stop_running()
        self._trainer = None
        app = QCoreApplication.instance()
        thread = QThread.currentThread()
        if app is not None and thread is not app.thread():
            self.moveToThread(app.thread())
            thread.quit()

    # ----------------------------------------------------------------- internals
    def _limit_now(self) -> float:
        """The speed limit at this moment (0: unlimited)."""
        if self._speed_limit >= 0:
            return self._speed_limit
        doublings = (time.perf_counter() - self._play_started) / GRADUAL_DOUBLING_SECONDS
        if doublings >= math.log2(GRADUAL_UNLIMITED / GRADUAL_START):
            return 0.0
        return GRADUAL_START * 2.0**doublings

    def _interval_ms(self) -> int:
        limit = self._limit_now()
        if limit <= 0:
            return 0
        return int(min(50.0, max(1.0, 1000.0 / limit)))

    def _set_state(self, state):
        self._state = state
        self.stateChanged.emit(state)

    def _settle(self, state):
        """End in ``state``, after a last snapshot that says training has stopped."""
        self._emit_snapshot(last=True)
        self._set_state(state)

    def _apply_pending(self) -> bool:
        """Apply the newest points and configuration; True if the configuration changed."""
        trainer = self._trainer
        if trainer is None:
            return False
        changed = False
        if self._pending_points is not None:
            points, self._pending_points = self._pending_points, None
            self._points_version = self._points_offered
            try:
                trainer.set_points(points)
            except ValueError as exc:
                self.errored.emit(PointsRejected(f"These points cannot be trained on: {exc}"))
        if self._pending_config is not None:
            config, self._pending_config = self._pending_config, None
            if config != trainer.config:
                try:
                    trainer.set_config(config)
                    changed = True
                except (ValueError, TypeError) as exc:
                    self.errored.emit(ConfigRejected(f"This configuration cannot be trained: {exc}"))
        return changed

    def _check_can_train(self) -> bool:
        if not self._trainer.can_train:
            self._stop_running()
            self.errored.emit(TrainingError(self._trainer.why_not))
            self._set_state(PAUSED)
            return False
        return True

    def _fail(self, exc):
        """An epoch raised: stop, report, and show where training stopped."""
        self._stop_running()
        if not isinstance(exc, TrainingError):
            crashed = TrainingCrashed(f"Training stopped: {type(exc).__name__}: {exc}")
            crashed.__cause__ = exc
            exc = crashed
        self.errored.emit(exc)
        self._settle(PAUSED)

    def _step_guarded(self) -> bool:
        try:
            self._trainer.step()
        except Exception as exc:  # keep the thread alive whatever the model does
            self._fail(exc)
            return False
        return True

    def _start_running(self, epochs):
        if self._trainer is None:
            return
        self._apply_pending()
        self._resume_if_viewing()
        if not self._check_can_train():
            return
        self._remaining = epochs
        self._credit = 1.0  # the first epoch comes at once, even under a speed limit
        self._last_tick = self._play_started = time.perf_counter()
        self._awaited = None
        self._timer.setInterval(self._interval_ms())
        self._timer.start()
        self._set_state(RUNNING)

    def _stop_running(self):
        self._timer.stop()
        self._frame_timeout.stop()
        self._awaited = None
        self._remaining = None

    def _resume(self):
        """The frame was drawn (or the wait ran out): train on."""
        self._frame_timeout.stop()
        self._awaited = None
        self._last_drawn = time.perf_counter()
        if self.running and not self._timer.isActive():
            self._timer.start()

    def _tick(self):
        trainer = self._trainer
        if trainer is None:
            self._stop_running()
            return
        data_changed = self._pending_points is not None
        self._apply_pending()
        if not self._check_can_train():
            self._emit_snapshot()
            return
        now = time.perf_counter()
        # New data (a drag): show its effect on the curve as soon as the frame rate allows.
        deadline = now + (SLICE_SECONDS / 4 if data_changed else SLICE_SECONDS)
        self._hurry = self._hurry or data_changed
        limit = self._limit_now()
        if limit > 0:
            self._credit = min(self._credit + (now - self._last_tick) * limit, max(1.0, limit * 0.1))
            budget = int(self._credit)
            if self._speed_limit < 0:  # gradual: the pace rises, and with it the ticks
                self._timer.setInterval(self._interval_ms())
        else:
            budget = -1
        self._last_tick = now
        if budget == 0:
            return
        done = 0
        finished = False
        diverged = False
        halted = False
        clock = time.perf_counter
        step = trainer.step
        try:
            while True:
                loss = step()
                done += 1
                if loss - loss != 0.0:  # NaN or infinite
                    diverged = True
                    break
                if trainer.halted:  # a breakpoint fired
                    halted = True
                    break
                if self._remaining is not None:
                    self._remaining -= 1
                    if self._remaining <= 0:
                        finished = True
                        break
                if done == budget or clock() >= deadline:
                    break
        except Exception as exc:
            self._fail(exc)
            return
        if budget > 0:
            self._credit -= done
        elif self._speed_limit < 0:
            self._timer.setInterval(0)  # the gradual pace has become unlimited
        if diverged or finished or halted:
            self._stop_running()
            self._settle(DIVERGED if diverged else PAUSED)
            return
        now = time.perf_counter()
        if self._hurry or (
            now - self._last_emit >= 1.0 / MAX_SNAPSHOTS_PER_SECOND
            and now - self._last_drawn >= TRAINING_BETWEEN_FRAMES_SECONDS
        ):
            self._hurry = False
            self._emit_snapshot()
            # Wait for the frame: the GUI draws it without the training thread taking the GIL.
            self._awaited = self._sent
            self._timer.stop()
            self._frame_timeout.start()

    def _emit_snapshot(self, last=False):
        trainer = self._trainer
        if trainer is None:
            return
        viewing = self._viewing
        if viewing is not None and not self._descent.first <= viewing < trainer.epoch:
            viewing = self._viewing = None  # a reset or an edit ended the view of the past
        if viewing is not None:
            # An earlier epoch, replayed on trainers of its own: the history shown stays as it is.
            views = self._descent.preview(viewing)
            trainer = views[0]
            snapshot = still_snapshot(trainer.snapshot(since=trainer.history_mark), self._mark)
            snapshot = dataclasses.replace(snapshot, descent=self._descent.state(None, views))
        else:
            snapshot = trainer.snapshot(since=self._mark)
            self._mark = snapshot.mark
            snapshot = dataclasses.replace(snapshot, descent=self._descent.state(self._descent.hit))
        if self._tracing:
            try:
                trace = self._tracer(trainer, self._selected_sample)
            except Exception:  # a view's trace must never stop training
                trace = None
            if trace is not None:
                snapshot = dataclasses.replace(snapshot, trace=trace)
        snapshot = dataclasses.replace(snapshot, last=last, points_version=self._points_version)
        self._last_emit = time.perf_counter()
        self._sent += 1
        self.snapshotReady.emit(snapshot)


class TrainingController(QObject):
    """The GUI thread's handle on the training thread: the one way to talk to the worker.

    Starts the thread and the worker, forwards every command through a queued signal, and
    re-emits the newest snapshot at most once per pass of the GUI event loop; after each it tells
    the worker the frame is drawn.

    Parameters
    ----------
    config : Config
    points : ndarray, shape (N, 2)
    parent : QObject, optional

    Signals
    -------
    snapshotReady(object)
        The newest :class:`~playground.trainer.Snapshot` (older ones still queued are merged into
        it, so that its ``new_losses`` hold every epoch since the last one emitted).
    stateChanged(str)
        "running", "paused" or "diverged".
    errored(object)
        An exception from the worker (see :class:`TrainingWorker`); ``str()`` is for the user.
    """

    snapshotReady = Signal(object)
    stateChanged = Signal(str)
    errored = Signal(object)

    _playRequested = Signal()
    _pauseRequested = Signal()
    _stepRequested = Signal(int)
    _resetRequested = Signal()
    _pointsOffered = Signal(object)
    _configOffered = Signal(object)
    _speedLimitOffered = Signal(float)
    _sampleOffered = Signal(object)
    _traceModeOffered = Signal(object)
    _traceRequested = Signal()
    _stateRequested = Signal()
    _stateOffered = Signal(object, object, object)
    _frameDrawn = Signal(int)
    _stopRequested = Signal()
    _watchedOffered = Signal(object)
    _raceOffered = Signal(object)
    _breakpointsOffered = Signal(object)
    _viewOffered = Signal(int)
    _latestRequested = Signal()
    _resumeRequested = Signal()
    _branchOffered = Signal(int)
    historyDropped = Signal(int, int, int)

    def __init__(self, config, points, parent=None):
        super().__init__(parent)
        self.latest = None
        self.state = PAUSED
        self._received = 0
        self._points_sent = 0  # sets of points offered to the worker
        self._undelivered = False  # ``latest`` has not been emitted yet
        self._last_delivery = 0.0
        self._rate_window = collections.deque()
        self.epochs_per_second = 0.0
        # A thread waiting for the GIL gets it after at most this long: the GUI thread waits for
        # it at every call from Qt into Python while training runs.
        if sys.getswitchinterval() > SWITCH_INTERVAL_SECONDS:
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        # Snapshots are re-emitted from a zero-interval timer of this object, so nothing scheduled
        # outlives it; the frame is reported drawn from a second one, after the repaints.
        self._delivery = QTimer(self)
        self._delivery.setSingleShot(True)
        self._delivery.setInterval(0)
        self._delivery.timeout.connect(self._deliver)
        self._drawn = QTimer(self)
        self._drawn.setSingleShot(True)
        self._drawn.setInterval(0)
        self._drawn.timeout.connect(lambda: self._frameDrawn.emit(self._received))
        self._thread = QThread()
        self._thread.setObjectName("training")
        self._worker = TrainingWorker(config, points)
        self._worker.moveToThread(self._thread)
        worker = self._worker
        self._thread.started.connect(worker.start)
        for signal, slot in (
            (self._playRequested, worker.play),
            (self._pauseRequested, worker.pause),
            (self._stepRequested, worker.step),
            (self._resetRequested, worker.reset),
            (self._pointsOffered, worker.set_points),
            (self._configOffered, worker.set_config),
            (self._speedLimitOffered, worker.set_speed_limit),
            (self._sampleOffered, worker.set_selected_sample),
            (self._traceModeOffered, worker.set_trace_mode),
            (self._traceRequested, worker.refresh_trace),
            (self._stateRequested, worker.request_state),
            (self._stateOffered, worker.load_state),
            (self._frameDrawn, worker.frame_drawn),
            (self._stopRequested, worker.stop),
            (self._watchedOffered, worker.set_watched),
            (self._raceOffered, worker.set_race),
            (self._breakpointsOffered, worker.set_breakpoints),
            (self._viewOffered, worker.view_epoch),
            (self._latestRequested, worker.view_latest),
            (self._resumeRequested, worker.resume_here),
            (self._branchOffered, worker.swap_branch),
        ):
            signal.connect(slot)
        worker.historyDropped.connect(self.historyDropped)
        worker.snapshotReady.connect(self._snapshot_arrived)
        worker.stateChanged.connect(self._state_arrived)
        worker.errored.connect(self.errored)
        # A slot of this object, so the reply is queued to the GUI thread and arrives inside the
        # waiting event loop (a plain function would run in the training thread and could quit
        # the loop before it starts).
        worker.stateDictReady.connect(self._state_dict_arrived)
        self._state_replies: list = []
        self._state_loop: QEventLoop | None = None
        self._thread.start()

    # ----------------------------------------------------------------- commands
    @property
    def worker(self) -> TrainingWorker:
        """The worker (lives in the training thread: talk to it through this controller only)."""
        return self._worker

    @property
    def running(self) -> bool:
        return self.state == RUNNING

    @property
    def points_sent(self) -> int:
        """How many sets of points were offered to the worker (compare ``Snapshot.points_version``)."""
        return self._points_sent

    def play(self):
        self._playRequested.emit()

    def pause(self):
        self._pauseRequested.emit()

    def toggle(self):
        """Pause if running, else play."""
        if self.running:
            self.pause()
        else:
            self.play()

    def step(self, epochs: int = 1):
        """Train ``epochs`` epochs (exactly), then pause."""
        self._stepRequested.emit(int(epochs))

    def reset(self):
        """Fresh parameters, epoch 0, history cleared; training pauses."""
        self._resetRequested.emit()

    def set_points(self, points):
        """New data for the next step (a copy; the latest wins)."""
        self._points_sent += 1
        self._pointsOffered.emit(points)

    def set_config(self, config):
        self._configOffered.emit(config)

    def set_speed_limit(self, epochs_per_second: float):
        """Epochs per second; 0 for unlimited, ``GRADUAL`` for a pace that starts slow and doubles every second."""
        self._speedLimitOffered.emit(float(epochs_per_second))

    def set_selected_sample(self, index):
        """Trace point ``index`` in sample mode."""
        self._sampleOffered.emit(index)

    def set_trace_mode(self, mode):
        """Let snapshots carry a trace of the graph in ``mode`` ("sample" or "batch"); None: no traces."""
        self._traceModeOffered.emit(mode)

    def refresh_trace(self):
        """Ask for a trace of the current state now (training idle) or with the next snapshot."""
        self._traceRequested.emit()

    def load_state(self, config, points, state):
        """Replace the training state (configuration, points, ``state_dict()``), paused."""
        self._stateOffered.emit(config, points, state)

    def fetch_state(self, timeout: float = STATE_TIMEOUT_SECONDS):
        """The trainer's ``state_dict()`` once the worker has applied every pending edit.

        Asks through the queued interface and waits for the answer in a local event loop that
        leaves user input queued. Returns None if the worker has no trainer or does not answer
        within ``timeout`` seconds.
        """
        if not self.thread_running:
            return None
        loop = QEventLoop()
        self._state_replies = []
        self._state_loop = loop
        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(loop.quit)
        deadline.start(int(timeout * 1000))
        self._stateRequested.emit()
        try:
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            deadline.stop()
            self._state_loop = None
        return self._state_replies[0] if self._state_replies else None

    def _state_dict_arrived(self, state):
        if self._state_loop is not None:
            self._state_replies.append(state)
            self._state_loop.quit()

    # ----------------------------------------------------------------- the descent
    def set_watched(self, coordinates):
        """Record the optimizer's path over these parameter coordinates (None: the model's first two)."""
        self._watchedOffered.emit(tuple(coordinates) if coordinates else None)

    def set_race(self, setups):
        """Race the main run against these optimizer set-ups (empty: end the race); training starts again."""
        self._raceOffered.emit(tuple(setups))

    def set_breakpoints(self, breakpoints):
        """Pause training when one of these breakpoints fires."""
        self._breakpointsOffered.emit(breakpoints)

    # ----------------------------------------------------------------- the timeline
    def view_epoch(self, epoch: int):
        """Show epoch ``epoch`` of the run (an earlier one is replayed exactly; the latest ends the view)."""
        self._viewOffered.emit(int(epoch))

    def view_latest(self):
        """Show the latest epoch again."""
        self._latestRequested.emit()

    def resume_here(self):
        """Train on from the epoch shown: the later epochs are set aside (``historyDropped`` says which)."""
        self._resumeRequested.emit()

    def swap_branch(self, branch: int):
        """Bring back the epochs set aside as ``branch``, setting aside those that replaced them (undo, redo)."""
        self._branchOffered.emit(int(branch))

    def shutdown(self):
        """Stop the training thread and wait for it. Safe to call more than once."""
        if self._thread is None:
            return
        self._delivery.stop()
        self._drawn.stop()
        if self._thread.isRunning():
            self._stopRequested.emit()
            self._thread.wait()
        self._thread = None

    @property
    def thread_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    # ----------------------------------------------------------------- replies
    def _snapshot_arrived(self, snapshot):
        self._received += 1
        if self._undelivered and self.latest is not None:
            # The last one was never shown: the readers still need its losses.
            snapshot = self.latest.followed_by(snapshot)
        now = time.perf_counter()
        window = self._rate_window
        window.append((now, snapshot.epoch))
        while window and now - window[0][0] > 1.0:
            window.popleft()
        if self.state == RUNNING and len(window) >= 2 and window[-1][0] > window[0][0]:
            self.epochs_per_second = max(0.0, (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0]))
        self.latest = snapshot
        self._undelivered = True
        if (
            self.state == RUNNING
            and not snapshot.last
            and snapshot.points_version < self._points_sent
            and now - self._last_delivery < OUTDATED_SKIP_SECONDS
        ):
            # Trained on points a drag has moved since: drawing it would only delay the frame
            # that shows the new points. The worker trains on them at once; this one's losses
            # go with the next.
            self._delivery.stop()
            self._frameDrawn.emit(self._received)
            return
        if not self._delivery.isActive():
            self._delivery.start()

    def _deliver(self):
        if self.latest is not None:
            self._undelivered = False
            self._last_delivery = time.perf_counter()
            self.snapshotReady.emit(self.latest)
        # Runs after the repaints the snapshot asked for (posted events come before timers).
        self._drawn.start()

    def _state_arrived(self, state):
        if state != RUNNING:
            self.epochs_per_second = 0.0
            self._rate_window.clear()
        self.state = state
        self.stateChanged.emit(state)
