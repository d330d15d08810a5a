"""Training in a worker thread.

:class:`TrainingWorker` is a parentless QObject moved to a QThread. It owns the
:class:`~playground.trainer.Trainer` (the engine model and optimizer); nothing else touches them.
The GUI talks to it only through queued signals, via :class:`TrainingController`, and receives
immutable :class:`~playground.trainer.Snapshot` objects back:

* new points and configurations are stored as "pending" and applied at the next step boundary,
  so during a drag only the newest copy is ever trained on (the latest wins);
* while playing, the worker steps in short slices from a zero-interval timer, returning to its
  event loop between slices so that pauses, edits and shutdown are seen within milliseconds;
* it emits at most ``MAX_SNAPSHOTS_PER_SECOND`` snapshots however fast it steps, plus one
  whenever it stops;
* the GUI comes first: training holds Python's GIL, and the GUI thread needs it for every call from
  Qt into Python (each paint of a plot item, each event handler), so after sending a snapshot the
  worker waits, without the GIL, until the GUI thread has drawn it (``frame_drawn``, at most
  ``FRAME_WAIT_SECONDS``), then trains ``TRAINING_BETWEEN_FRAMES_SECONDS`` before the next one
  (less when new points arrived, so that a drag shows at once).
"""

from __future__ import annotations

import collections
import sys
import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground.trainer import Trainer, TrainingError

MAX_SNAPSHOTS_PER_SECOND = 60
#: Longest stretch of training between two visits to the worker's event loop.
SLICE_SECONDS = 0.005
#: Training time between the GUI finishing one frame and the next snapshot.
TRAINING_BETWEEN_FRAMES_SECONDS = 0.010
#: Longest the worker waits for the GUI to draw a snapshot before it trains on.
FRAME_WAIT_SECONDS = 0.05
#: How soon a thread waiting for the GIL gets it (Python's default is 5 ms; see TrainingController).
SWITCH_INTERVAL_SECONDS = 0.001

RUNNING = "running"
PAUSED = "paused"
DIVERGED = "diverged"


class TrainingWorker(QObject):
    """Owns the trainer and steps it; lives in the training thread.

    Signals
    -------
    snapshotReady(object)
        A :class:`~playground.trainer.Snapshot`.
    stateChanged(str)
        "running", "paused" or "diverged".
    problem(str)
        Training was refused or failed; a sentence for the user.
    stateDictReady(object)
        Reply to :meth:`request_state`: the trainer's ``state_dict()``.
    """

    snapshotReady = Signal(object)
    stateChanged = Signal(str)
    problem = Signal(str)
    stateDictReady = Signal(object)

    def __init__(self, config, points):
        super().__init__()  # parentless: it is moved to the training thread
        self._config = config
        self._points = points
        self._trainer = None
        self._pending_points = None
        self._pending_config = None
        self._remaining = None  # epochs left of a "Step N"; None while playing freely
        self._speed_limit = 0.0  # epochs per second; 0 = unlimited
        self._credit = 0.0
        self._last_tick = 0.0
        self._last_emit = 0.0  # when the last snapshot was sent
        self._last_drawn = 0.0  # when the GUI had drawn it (or the wait ran out)
        self._hurry = False  # new data arrived: send the next snapshot without the usual pause
        self._state = PAUSED
        self._selected_sample = None
        #: Optional callable(trainer, sample_index) -> trace, set by views that draw the graph.
        self.trace_builder = None
        #: Set by the GUI thread once it has drawn the last snapshot sent while playing.
        self.frame_drawn = threading.Event()
        self._timer = QTimer(self)  # a child: it moves to the thread with the worker
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    # ----------------------------------------------------------------- slots (worker thread)
    @Slot()
    def start(self):
        """Build the trainer and publish the first snapshot (runs in the training thread)."""
        try:
            self._trainer = Trainer(self._config, self._points)
        except (ValueError, TypeError) as exc:
            self.problem.emit(f"Could not set up training: {exc}")
            return
        self._emit_snapshot()
        self.stateChanged.emit(PAUSED)

    @Slot(object)
    def set_points(self, points):
        self._pending_points = points
        if not self._timer.isActive():
            self._apply_pending()

    @Slot(object)
    def set_config(self, config):
        self._pending_config = config
        if not self._timer.isActive() and self._apply_pending():
            self._emit_snapshot()

    @Slot()
    def play(self):
        self._start_running(None)

    @Slot()
    def pause(self):
        if self._timer.isActive():
            self._timer.stop()
            self._remaining = None
            self._emit_snapshot()
        self._set_state(DIVERGED if self._trainer is not None and self._trainer.diverged else PAUSED)

    @Slot(int)
    def step(self, epochs=1):
        """Train ``epochs`` epochs: one at once, more in slices that stay interruptible."""
        if self._trainer is None or epochs < 1:
            return
        if self._timer.isActive():
            self._timer.stop()
            self._remaining = None
        self._apply_pending()
        if epochs == 1:
            if not self._check_can_train():
                return
            if not self._step_guarded():
                return
            self._emit_snapshot()
            self._set_state(DIVERGED if self._trainer.diverged else PAUSED)
        else:
            self._start_running(epochs)

    @Slot()
    def reset(self):
        if self._trainer is None:
            return
        self._timer.stop()
        self._remaining = None
        self._apply_pending()
        self._trainer.reset()
        self._emit_snapshot()
        self._set_state(PAUSED)

    @Slot(float)
    def set_speed_limit(self, epochs_per_second):
        """Limit training to ``epochs_per_second`` (0 or less: unlimited)."""
        self._speed_limit = max(0.0, float(epochs_per_second))
        self._credit = min(self._credit, 1.0)
        self._timer.setInterval(self._interval_ms())

    @Slot(object)
    def set_selected_sample(self, index):
        self._selected_sample = index
        if not self._timer.isActive() and self._trainer is not None and self.trace_builder is not None:
            self._emit_snapshot()

    @Slot()
    def request_state(self):
        """Reply with the trainer's ``state_dict()`` on ``stateDictReady``."""
        if self._trainer is not None:
            self._apply_pending()
            self.stateDictReady.emit(self._trainer.state_dict())

    @Slot(object, object, object)
    def load_state(self, config, points, state):
        """Replace the training state: configuration, points and a ``state_dict()`` (a session)."""
        self._timer.stop()
        self._remaining = None
        self._pending_points = self._pending_config = None
        try:
            trainer = Trainer(config, points)
            if state is not None:
                trainer.load_state_dict(state)
        except (ValueError, TypeError, KeyError) as exc:
            self.problem.emit(f"Could not restore the training state: {exc}")
            return
        self._trainer = trainer
        self._emit_snapshot()
        self._set_state(DIVERGED if trainer.diverged else PAUSED)

    @Slot()
    def stop(self):
        """Stop training and leave the thread (the controller then waits for it)."""
        self._timer.stop()
        self._trainer = None
        app = QCoreApplication.instance()
        thread = QThread.currentThread()
        if app is not None and thread is not app.thread():
            self.moveToThread(app.thread())
            thread.quit()

    # ----------------------------------------------------------------- internals
    def _interval_ms(self) -> int:
        if self._speed_limit <= 0:
            return 0
        return int(min(50.0, max(1.0, 1000.0 / self._speed_limit)))

    def _set_state(self, state):
        if state != self._state:
            self._state = state
        self.stateChanged.emit(state)

    def _apply_pending(self) -> bool:
        """Apply the newest points and configuration; True if the configuration changed."""
        trainer = self._trainer
        if trainer is None:
            return False
        changed = False
        if self._pending_points is not None:
            points, self._pending_points = self._pending_points, None
            try:
                trainer.set_points(points)
            except ValueError as exc:
                self.problem.emit(f"These points cannot be trained on: {exc}")
        if self._pending_config is not None:
            config, self._pending_config = self._pending_config, None
            if config != trainer.config:
                try:
                    trainer.set_config(config)
                    changed = True
                except (ValueError, TypeError) as exc:
                    self.problem.emit(f"This configuration cannot be trained: {exc}")
        return changed

    def _check_can_train(self) -> bool:
        if not self._trainer.can_train:
            self._timer.stop()
            self._remaining = None
            self.problem.emit(self._trainer.why_not)
            self._set_state(PAUSED)
            return False
        return True

    def _step_guarded(self) -> bool:
        try:
            self._trainer.step()
        except TrainingError as exc:
            self._timer.stop()
            self.problem.emit(str(exc))
            self._set_state(PAUSED)
            return False
        except Exception as exc:  # keep the thread alive whatever the model does
            self._timer.stop()
            self.problem.emit(f"Training stopped: {type(exc).__name__}: {exc}")
            self._emit_snapshot()
            self._set_state(PAUSED)
            return False
        return True

    def _start_running(self, epochs):
        if self._trainer is None:
            return
        self._apply_pending()
        if not self._check_can_train():
            return
        self._remaining = epochs
        self._credit = 1.0  # the first epoch comes at once, even under a speed limit
        self._last_tick = time.perf_counter()
        self._timer.setInterval(self._interval_ms())
        self._timer.start()
        self._set_state(RUNNING)

    def _tick(self):
        trainer = self._trainer
        if trainer is None:
            self._timer.stop()
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
        if self._speed_limit > 0:
            self._credit = min(
                self._credit + (now - self._last_tick) * self._speed_limit, max(1.0, self._speed_limit * 0.1)
            )
            budget = int(self._credit)
        else:
            budget = -1
        self._last_tick = now
        if budget == 0:
            return
        done = 0
        finished = False
        diverged = False
        clock = time.perf_counter
        step = trainer.step
        try:
            while True:
                loss = step()
                done += 1
                if loss - loss != 0.0:  # NaN or infinite
                    diverged = True
                    break
                if self._remaining is not None:
                    self._remaining -= 1
                    if self._remaining <= 0:
                        finished = True
                        break
                if done == budget or clock() >= deadline:
                    break
        except TrainingError as exc:
            self._timer.stop()
            self._remaining = None
            self.problem.emit(str(exc))
            self._emit_snapshot()
            self._set_state(PAUSED)
            return
        except Exception as exc:
            self._timer.stop()
            self._remaining = None
            self.problem.emit(f"Training stopped: {type(exc).__name__}: {exc}")
            self._emit_snapshot()
            self._set_state(PAUSED)
            return
        if budget > 0:
            self._credit -= done
        if diverged or finished:
            self._timer.stop()
            self._remaining = None
            self._emit_snapshot()
            self._set_state(DIVERGED if diverged else PAUSED)
        else:
            now = time.perf_counter()
            if now - self._last_emit >= 1.0 / MAX_SNAPSHOTS_PER_SECOND and (
                self._hurry or now - self._last_drawn >= TRAINING_BETWEEN_FRAMES_SECONDS
            ):
                self._hurry = False
                self._emit_snapshot(wait_for_frame=True)

    def _emit_snapshot(self, wait_for_frame=False):
        """Send a snapshot; while playing, wait (without the GIL) for the GUI to draw it."""
        trainer = self._trainer
        if trainer is None:
            return
        snapshot = trainer.snapshot()
        if self.trace_builder is not None:
            try:
                trace = self.trace_builder(trainer, self._selected_sample)
            except Exception:  # a view's trace must never stop training
                trace = None
            if trace is not None:
                import dataclasses

                snapshot = dataclasses.replace(snapshot, trace=trace)
        self.frame_drawn.clear()
        self._last_emit = time.perf_counter()
        self.snapshotReady.emit(snapshot)
        if wait_for_frame:
            self.frame_drawn.wait(FRAME_WAIT_SECONDS)
        self._last_drawn = time.perf_counter()


class TrainingController(QObject):
    """The GUI thread's handle on the training thread.

    Starts the thread and the worker, forwards commands to it through queued signals, and
    re-emits the newest snapshot at most once per pass of the GUI event loop.

    Parameters
    ----------
    config : Config
    points : ndarray, shape (N, 2)
    parent : QObject, optional

    Signals
    -------
    snapshotReady(object)
        The newest :class:`~playground.trainer.Snapshot` (older ones still queued are skipped).
    stateChanged(str)
        "running", "paused" or "diverged".
    problem(str)
        A sentence explaining why training stopped or was refused.
    stateDictReady(object)
        The trainer's ``state_dict()`` after :meth:`request_state`.
    """

    snapshotReady = Signal(object)
    stateChanged = Signal(str)
    problem = Signal(str)
    stateDictReady = Signal(object)

    _playRequested = Signal()
    _pauseRequested = Signal()
    _stepRequested = Signal(int)
    _resetRequested = Signal()
    _pointsOffered = Signal(object)
    _configOffered = Signal(object)
    _speedLimitOffered = Signal(float)
    _sampleOffered = Signal(object)
    _stateRequested = Signal()
    _stateOffered = Signal(object, object, object)
    _stopRequested = Signal()

    def __init__(self, config, points, parent=None):
        super().__init__(parent)
        self.latest = None
        self.state = PAUSED
        self._delivery_pending = False
        self._rate_window = collections.deque()
        self.epochs_per_second = 0.0
        # A thread waiting for the GIL gets it after at most this long: the GUI thread waits for
        # it at every call from Qt into Python while training runs.
        if sys.getswitchinterval() > SWITCH_INTERVAL_SECONDS:
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        self._thread = QThread()
        self._thread.setObjectName("training")
        self._worker = TrainingWorker(config, points)
        self._worker.moveToThread(self._thread)
        worker = self._worker
        self._thread.started.connect(worker.start)
        self._playRequested.connect(worker.play)
        self._pauseRequested.connect(worker.pause)
        self._stepRequested.connect(worker.step)
        self._resetRequested.connect(worker.reset)
        self._pointsOffered.connect(worker.set_points)
        self._configOffered.connect(worker.set_config)
        self._speedLimitOffered.connect(worker.set_speed_limit)
        self._sampleOffered.connect(worker.set_selected_sample)
        self._stateRequested.connect(worker.request_state)
        self._stateOffered.connect(worker.load_state)
        self._stopRequested.connect(worker.stop)
        worker.snapshotReady.connect(self._snapshot_arrived)
        worker.stateChanged.connect(self._state_arrived)
        worker.problem.connect(self.problem)
        worker.stateDictReady.connect(self.stateDictReady)
        self._thread.start()

    # ----------------------------------------------------------------- commands
    @property
    def worker(self) -> TrainingWorker:
        """The worker (lives in the training thread: talk to it through signals only)."""
        return self._worker

    @property
    def running(self) -> bool:
        return self.state == RUNNING

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
        self._pointsOffered.emit(points)

    def set_config(self, config):
        self._configOffered.emit(config)

    def set_speed_limit(self, epochs_per_second: float):
        """Epochs per second; 0 for unlimited."""
        self._speedLimitOffered.emit(float(epochs_per_second))

    def set_selected_sample(self, index):
        self._sampleOffered.emit(index)

    def set_trace_builder(self, builder):
        """Install ``builder(trainer, sample_index) -> trace``; it runs in the training thread.

        Call it while the worker is idle or accept that the next snapshot may still lack a trace.
        """
        self._worker.trace_builder = builder

    def request_state(self):
        """Ask for the trainer's ``state_dict()``; it arrives on ``stateDictReady``."""
        self._stateRequested.emit()

    def load_state(self, config, points, state):
        """Replace the training state (configuration, points, ``state_dict()``), paused."""
        self._stateOffered.emit(config, points, state)

    def shutdown(self):
        """Stop the training thread and wait for it. Safe to call more than once."""
        if self._thread is None:
            return
        self._worker.frame_drawn.set()
        if self._thread.isRunning():
            self._stopRequested.emit()
            self._thread.wait()
        self._thread = None

    @property
    def thread_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    # ----------------------------------------------------------------- replies
    def _snapshot_arrived(self, snapshot):
        now = time.perf_counter()
        window = self._rate_window
        window.append((now, snapshot.epoch))
        while window and now - window[0][0] > 1.0:
            window.popleft()
        if self.state == RUNNING and len(window) >= 2 and window[-1][0] > window[0][0]:
            self.epochs_per_second = max(0.0, (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0]))
        self.latest = snapshot
        if not self._delivery_pending:
            self._delivery_pending = True
            QTimer.singleShot(0, self._deliver)

    def _deliver(self):
        self._delivery_pending = False
        if self.latest is not None:
            self.snapshotReady.emit(self.latest)
        # Runs after the repaints the snapshot asked for (posted events come before timers).
        QTimer.singleShot(0, self._frame_drawn)

    def _frame_drawn(self):
        self._worker.frame_drawn.set()

    def _state_arrived(self, state):
        if state != RUNNING:
            self.epochs_per_second = 0.0
            self._rate_window.clear()
        self.state = state
        self.stateChanged.emit(state)
