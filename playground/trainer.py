"""The training loop behind every view: points + model + loss + optimizer -> epochs -> snapshots.

Qt-free. The GUI drives a :class:`Trainer` from a worker thread and receives immutable
:class:`Snapshot` objects; the command line and the session files use the same class, so every
front end trains to the same numbers. The model, the loss, the optimizer and the epoch itself
come from :mod:`playground.models`, where each is defined once.

One epoch is one pass over the points: with the full batch (the default) that is one forward
pass, one backward pass and one optimizer step, exactly the loop of the PyTorch tutorials::

    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from dataclasses import dataclass

import numpy as np

import engine
from engine.utils.data import DataLoader, TensorDataset
from playground import state as codec
from playground.config import MAX_COORDINATE, Config, check_int
from playground.datasets import test_mask
from playground.models import (
    LOSSES,
    MODELS,
    OPTIMIZERS,
    ShuffleSampler,
    as_inputs,
    build_loss,
    build_model,
    build_optimizer,
    class_probabilities,
    full_batch_epoch,
    minibatch_epoch,
    model_data,
    new_shuffle_rng,
)

__all__ = [
    "METRICS",
    "STATE_FORMAT",
    "STATE_VERSION",
    "LossLog",
    "MetricLog",
    "PackedBlock",
    "Snapshot",
    "Trainer",
    "TrainerState",
    "TrainingError",
]

#: What a classification run measures at every epoch, besides its loss (the columns of
#: :attr:`Snapshot.new_metrics`): the loss on the test points and the share of the training and
#: the test points classified right, at the parameters the epoch started from.
METRICS = ("test_loss", "train_accuracy", "test_accuracy")

STATE_FORMAT = "gradient-playground-trainer"
STATE_VERSION = 1


class TrainingError(RuntimeError):
    """Raised by :meth:`Trainer.step` when training is impossible (see :attr:`Trainer.why_not`)."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """An immutable picture of the training state, safe to hand to another thread.

    A snapshot carries the losses of the epochs trained since the snapshot it was asked after
    (:meth:`Trainer.snapshot`'s ``since``), not the whole history: its size does not grow with
    the run. Whoever draws the loss curve keeps the history (see
    :class:`playground.loss_history.LossHistory`).

    Attributes
    ----------
    epoch : int
        Epochs completed.
    loss : float
        The loss computed in the last epoch (before its optimizer step); NaN before any.
    new_losses : np.ndarray
        float64, read-only: the losses of epochs ``epoch - len(new_losses) + 1`` … ``epoch``.
    history_reset : bool
        The history was started again (a reset, a restored state, or a first snapshot):
        ``new_losses`` is then the whole history, and what was kept before is void.
    mark : tuple
        Pass it as ``since`` to the next :meth:`Trainer.snapshot` to get only what follows.
    params : dict
        Parameter name -> read-only ``np.ndarray`` copy.
    grads : dict
        Parameter name -> read-only copy of the last gradients; None before any step (PyTorch's
        ``p.grad`` is None until a backward).
    diverged : bool
        The last loss was NaN or infinite.
    config : Config
    n_points : int
    trace : object
        An ``engine.graph`` trace of the selected sample or batch, when a view asks for one.
    descent : object
        A :class:`playground.descent.DescentState` (the optimizer's path, the race, a breakpoint
        that fired), when the training thread records the descent.
    last : bool
        Training stopped after this snapshot (a run or a step ended): show it in full at once.
    new_metrics : np.ndarray or None
        Classification: float64 (len(new_losses), 3), read-only: the :data:`METRICS` of the same epochs.
    metrics : dict or None
        Classification: train_loss, test_loss, train_accuracy, test_accuracy at the snapshot's
        parameters (the losses without the regularization penalty; NaN without test points).
    points_version : int
        How many sets of points the training thread had been offered when it trained this one
        (see :class:`playground.worker.TrainingController`: a snapshot already outdated by a drag
        is not drawn while the next one, trained on the new points, is on its way).
    """

    epoch: int
    loss: float
    new_losses: np.ndarray
    history_reset: bool
    mark: tuple
    params: dict
    grads: dict
    diverged: bool
    config: Config
    n_points: int
    trace: object = None
    descent: object = None
    last: bool = False
    new_metrics: np.ndarray | None = None
    metrics: dict | None = None
    points_version: int = 0

    def followed_by(self, later: Snapshot) -> Snapshot:
        """``later``, carrying the new losses of both (for a reader that skips this one)."""
        if self.descent is not None and later.descent is not None:
            later = dataclasses.replace(later, descent=self.descent.followed_by(later.descent))
        if later.history_reset:
            return later
        losses = np.concatenate([self.new_losses, later.new_losses])
        losses.flags.writeable = False
        metrics = later.new_metrics
        if self.new_metrics is not None and later.new_metrics is not None:
            metrics = np.concatenate([self.new_metrics, later.new_metrics])
            metrics.flags.writeable = False
        return dataclasses.replace(later, new_losses=losses, history_reset=self.history_reset, new_metrics=metrics)


class LossLog:
    """Every epoch's loss, stored compactly.

    Values are gathered in a short Python list (appending one is the cheapest thing an epoch can
    do) and moved into blocks of ``BLOCK`` epochs: float32 when every value is a float32 number, as
    the losses of full-batch epochs are (the engine computes in float32), and float64 otherwise,
    each block compressed (:class:`PackedBlock`). Exact: every loss reads back bit for bit.
    A million full-batch epochs take at most 4 MB, and far less once the loss settles.
    """

    BLOCK = 4096

    def __init__(self, values=()):
        self._blocks: list[PackedBlock] = []
        self._tail: list[float] = []
        self._count = 0
        self._unpacked: tuple[PackedBlock | None, np.ndarray] = (None, np.empty(0))  # the last block read
        for value in values:
            self.append(float(value))

    def __len__(self) -> int:
        return self._count

    def append(self, value: float) -> None:
        self._tail.append(value)
        self._count += 1
        if len(self._tail) >= self.BLOCK:
            self._flush()

    @property
    def last(self) -> float:
        if self._tail:
            return self._tail[-1]
        return float(self._values_of(self._blocks[-1])[-1]) if self._blocks else math.nan

    def nbytes(self) -> int:
        """Bytes held by the compressed blocks (the newest epochs, fewer than ``BLOCK``, not counted)."""
        return sum(block.nbytes for block in self._blocks)

    def since(self, start: int) -> np.ndarray:
        """The losses of epochs ``start + 1`` … (float64, a new array)."""
        start = max(0, start)
        flushed = self._count - len(self._tail)
        parts = []
        end = flushed
        for block in reversed(self._blocks):  # the newest blocks hold the epochs asked for
            if end <= start:
                break
            begin = end - len(block)
            parts.append(self._values_of(block)[max(0, start - begin) :])
            end = begin
        parts.reverse()
        parts.append(np.asarray(self._tail[max(0, start - flushed) :], dtype=np.float64))
        return np.concatenate(parts, dtype=np.float64)

    def values(self) -> np.ndarray:
        """Every loss, epoch 1 first (float64, a new array)."""
        return self.since(0)

    def truncated(self, count: int) -> LossLog:
        """A new log of the first ``count`` losses (it shares this log's blocks, which never change)."""
        count = max(0, min(int(count), self._count))
        log = LossLog()
        kept = 0
        for block in self._blocks:
            if kept + len(block) > count:
                break
            log._blocks.append(block)
            kept += len(block)
        rest = self.since(kept)[: count - kept]
        log._count = kept
        for value in rest.tolist():
            log.append(value)
        return log

    def _values_of(self, block: PackedBlock) -> np.ndarray:
        cached, values = self._unpacked
        if cached is not block:  # snapshots read the newest block again and again
            values = block.unpack()
            self._unpacked = (block, values)
        return values

    def _flush(self) -> None:
        exact = np.asarray(self._tail, dtype=np.float64)
        compact = exact.astype(np.float32)
        same = (compact == exact) | np.isnan(exact)
        self._blocks.append(PackedBlock(compact if same.all() else exact))
        self._tail = []


class PackedBlock:
    """An immutable 1-D float array, compressed without loss.

    The bit patterns are stored as differences from one value to the next, their bytes grouped by
    significance (the high bytes of a slowly changing loss are mostly equal), then deflated: about a
    third of the size while the loss still falls, a few bytes per block once it has settled.
    """

    __slots__ = ("_data", "_size", "dtype")

    def __init__(self, values: np.ndarray):
        values = np.ascontiguousarray(values)
        self.dtype = values.dtype
        self._size = values.size
        bits = values.view(_BITS[values.dtype.itemsize])
        steps = np.diff(bits, prepend=bits.dtype.type(0))  # wraps around: exact both ways
        planes = steps.view(np.uint8).reshape(self._size, self.dtype.itemsize).T
        self._data = zlib.compress(planes.tobytes())

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return len(self._data)

    def unpack(self) -> np.ndarray:
        """The values (a new, writable array)."""
        planes = np.frombuffer(zlib.decompress(self._data), dtype=np.uint8).reshape(self.dtype.itemsize, self._size)
        steps = np.ascontiguousarray(planes.T).view(_BITS[self.dtype.itemsize]).reshape(self._size)
        return np.cumsum(steps, dtype=steps.dtype).view(self.dtype)


_BITS = {4: np.uint32, 8: np.uint64}


class MetricLog:
    """Every epoch's :data:`METRICS`, one :class:`LossLog` per column."""

    def __init__(self, rows=()):
        self._logs = [LossLog() for _ in METRICS]
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return len(self._logs[0])

    def append(self, row) -> None:
        for log, value in zip(self._logs, row):
            log.append(float(value))

    def since(self, start: int) -> np.ndarray:
        """The rows of epochs ``start + 1`` … (float64, shape (k, 3), a new array)."""
        return np.column_stack([log.since(start) for log in self._logs]).reshape(-1, len(METRICS))

    def values(self) -> np.ndarray:
        return self.since(0)

    def resized(self, count: int) -> MetricLog:
        """The first ``count`` rows (NaN rows where there were fewer)."""
        log = MetricLog()
        log._logs = [part.truncated(count) for part in self._logs]
        while len(log) < count:
            log.append([math.nan] * len(METRICS))
        return log


@dataclass(frozen=True, eq=False)
class TrainerState:
    """Everything a trainer needs to go on from an epoch bit for bit, kept in memory (see
    :meth:`Trainer.capture_state`): a keyframe of the run's timeline.

    Attributes
    ----------
    epoch : int
    params, grads : dict
        Parameter name -> read-only float32 copy (grads: None where there was none).
    optimizer_state : dict
        Parameter index -> {name: copied array or number}: momentum buffers, Adam's moments, step counts.
    shuffle_rng : tuple or None
        The minibatch shuffle's ``random`` state (None when training on the full batch, which does not draw).
    config : Config
    points : np.ndarray
        The points trained on from this epoch (read-only; shared between states while they do not change).
    edits : tuple of int
    """

    epoch: int
    params: dict
    grads: dict
    optimizer_state: dict
    shuffle_rng: tuple | None
    config: Config
    points: np.ndarray
    edits: tuple

    @property
    def nbytes(self) -> int:
        """The memory of its arrays (the points excepted: they are shared)."""
        total = sum(a.nbytes for a in self.params.values())
        total += sum(a.nbytes for a in self.grads.values() if a is not None)
        for entry in self.optimizer_state.values():
            total += sum(getattr(v, "nbytes", 8) for v in entry.values())
        return total


def _init_values(config, named):
    """Validate ``config.init`` against the model's parameters; return name -> float32 array."""
    if not config.init:
        return {}
    shapes = {name: tuple(p.shape) for name, p in named}
    values = {}
    for name, value in config.init:
        if name not in shapes:
            raise ValueError(f"init names {name!r}, but the model's parameters are {', '.join(shapes)}")
        a = np.array(value, dtype=np.float32)
        shape = shapes[name]
        if a.shape != shape and a.ndim <= 1 and a.size == math.prod(shape):
            a = a.reshape(shape)  # a plain number or a flat list for a (1, 1) or (k, 1) weight
        if a.shape != shape:
            raise ValueError(f"init gives {name!r} shape {a.shape}, but it has shape {shape}")
        values[name] = a
    return values


def _as_points(points):
    a = np.array(points, dtype=np.float64, copy=True)
    if a.size == 0:
        return np.zeros((0, a.shape[1] if a.ndim == 2 and a.shape[1] in (2, 3) else 2))
    if a.ndim != 2 or a.shape[1] not in (2, 3):
        raise ValueError(f"points must have shape (N, 2) (x, y columns) or (N, 3) (x1, x2, class), not {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("points must be finite numbers (no NaN or infinity)")
    if np.abs(a).max() > MAX_COORDINATE:
        raise ValueError(f"point coordinates must lie within ±{MAX_COORDINATE:.3g} (the engine computes in float32)")
    return a


def _targets(points):
    return engine.from_numpy(np.ascontiguousarray(points[:, 1:2], dtype=np.float32))


def _read_only(a):
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


class Trainer:
    """Trains one model on a set of points, one epoch per :meth:`step`.

    Parameters
    ----------
    config : Config
        Model, loss, optimizer and their settings.
    points : array_like, shape (N, 2)
        The data: x in column 0, y in column 1. Finite numbers; N may be 0 (training is
        then impossible, see :attr:`can_train`).

    Notes
    -----
    Not thread-safe: one thread (the GUI's worker) owns a trainer and calls all its
    methods; other threads get :class:`Snapshot` objects.
    """

    def __init__(self, config: Config, points):
        if not isinstance(config, Config):
            raise TypeError("config must be a Config")
        self._config = config
        self._points = _as_points(points)
        self._shuffle_rng = new_shuffle_rng(config.seed)
        self._generation = 0  # counts the restarts of the loss history (see Snapshot.mark)
        self._observers = []  # see add_observer
        self._halt = False
        self._build_model()
        self._build_optimizer()
        self._load_points()
        self.reset()

    # -- set-up ------------------------------------------------------------------------

    def _build_model(self):
        config = self._config
        self._model = build_model(config)
        self._loss_fn = build_loss(config, self._model)
        self._named_params = list(self._model.named_parameters())
        self._params = [p for _, p in self._named_params]

    def _build_optimizer(self):
        self._optimizer = build_optimizer(self._config, self._params)

    def _load_points(self):
        """Cache the data tensors (and the minibatch loader) for the current points and config."""
        config = self._config
        self._test = np.zeros(len(self._points), dtype=bool)
        self._evaluation = None
        if config.task == "classification":
            if self._load_class_points():
                return
        elif self._points.shape[1] != 2:
            self._no_data("These are points in the plane (x1, x2, class): choose a classification model.")
            return
        else:
            self._inputs = as_inputs(self._points[:, 0])
            self._targets = _targets(self._points)
        n = len(self._inputs)
        if config.batch_size is None or n == 0:
            self._loader = None
        else:
            self._sampler = ShuffleSampler(n, self._shuffle_rng)
            self._loader = DataLoader(
                TensorDataset(self._inputs, self._targets), batch_size=config.batch_size, sampler=self._sampler
            )
        why = ""
        if n == 0:
            why = "There are no points: add at least one point to train."
            if len(self._points):
                why = "Every point is a test point: lower the test fraction to train."
        elif MODELS[config.model].losses is not None and config.loss not in MODELS[config.model].losses:
            allowed = " or ".join(LOSSES[name].title.lower() for name in MODELS[config.model].losses)
            why = f"{MODELS[config.model].name} trains with {allowed}."
        elif config.task == "classification":
            why = self._class_problem()
        elif LOSSES[config.loss].needs_probabilities:
            if not MODELS[config.model].probabilities:
                models = " or ".join(
                    kind.title.split("  ")[0].lower() for kind in MODELS.values() if kind.probabilities
                )
                why = f"{LOSSES[config.loss].title} needs the {models} model (outputs between 0 and 1)."
            else:
                y = self._points[:, 1]
                bad = int(np.count_nonzero((y != 0.0) & (y != 1.0)))
                if bad:
                    why = (
                        f"{LOSSES[config.loss].title} needs y values of 0 or 1; "
                        f"{bad} point{'s' if bad != 1 else ''} ha{'ve' if bad != 1 else 's'} other values."
                    )
        self._why_not = why
        if why:
            self._evaluation = None  # the loss cannot be computed on these points

    def _no_data(self, why):
        self._inputs = self._targets = None
        self._loader = None
        self._why_not = why
        if why:
            self._evaluation = None  # the loss cannot be computed on these points

    def _load_class_points(self) -> bool:
        """The tensors of points in the plane: the training points', and all points' for the metrics.
        True when they cannot be used (then :attr:`why_not` says why)."""
        config = self._config
        points = self._points
        if points.shape[1] != 3:
            self._no_data("These are points (x, y): choose a regression model, or points in the plane.")
            return True
        self._test = test_mask(len(points), config.test_fraction, config.seed)
        self._inputs, self._targets = model_data(config, points[~self._test])
        if len(points):
            self._evaluation = model_data(config, points)
        return False

    def _class_problem(self) -> str:
        config = self._config
        labels = self._points[:, 2]
        if LOSSES[config.loss].binary and config.classes != 2:
            return f"{LOSSES[config.loss].title} tells 2 classes apart; use cross-entropy for {config.classes}."
        bad = int(np.count_nonzero((labels >= config.classes) | (labels < 0) | (labels != np.round(labels))))
        if bad:
            return (
                f"The model tells {config.classes} classes apart (0 to {config.classes - 1}); "
                f"{bad} point{'s are' if bad != 1 else ' is'} of another class."
            )
        return ""

    # -- classification metrics ----------------------------------------------------------

    def _evaluate(self):
        """train loss, test loss, train accuracy, test accuracy at the current parameters (NaN where no points)."""
        if self._evaluation is None:
            return (math.nan,) * 4
        inputs, targets = self._evaluation
        choice = LOSSES[self._config.loss]
        with engine.no_grad(), np.errstate(all="ignore"):
            output = self._model(inputs)
            per_point = choice.build_per_point()(output, targets).numpy().reshape(len(inputs), -1)
            predicted = class_probabilities(output, self._model.sigmoid).numpy().argmax(axis=1)
        per_point = per_point.astype(np.float64).mean(axis=1)
        correct = predicted == self._points[:, 2]
        test = self._test
        train = ~test

        def mean(values, where):
            return float(values[where].mean()) if where.any() else math.nan

        return mean(per_point, train), mean(per_point, test), mean(correct, train), mean(correct, test)

    def metrics(self) -> dict | None:
        """Classification: train_loss, test_loss, train_accuracy and test_accuracy at the current
        parameters (the losses without a regularization penalty); None for regression."""
        if self._config.task != "classification":
            return None
        return dict(zip(("train_loss", "test_loss", "train_accuracy", "test_accuracy"), self._evaluate()))

    def metric_history(self) -> np.ndarray:
        """Classification: one row of :data:`METRICS` per epoch (float64, (epochs, 3)); empty for regression."""
        if self._config.task != "classification":
            return np.empty((0, len(METRICS)))
        return self._metrics.resized(self.epoch).values()

    @property
    def test_points(self) -> np.ndarray:
        """Which points are held out for testing (boolean, one per point)."""
        return self._test.copy()

    # -- public API --------------------------------------------------------------------

    @property
    def config(self) -> Config:
        """The current configuration."""
        return self._config

    @property
    def points(self) -> np.ndarray:
        """A read-only copy of the points, shape (N, 2)."""
        return _read_only(self._points)

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return len(self._losses)

    @property
    def loss_history(self) -> tuple:
        """One loss per epoch, epoch 1 first."""
        return tuple(self._losses.values().tolist())

    def losses(self) -> np.ndarray:
        """One loss per epoch, epoch 1 first, as a new float64 array."""
        return self._losses.values()

    @property
    def edits(self) -> tuple:
        """Epochs after which the points or the optimizer settings changed without a reset."""
        return tuple(self._edits)

    def _mark_edit(self):
        epoch = len(self._losses)
        if epoch and (not self._edits or self._edits[-1] != epoch):
            self._edits.append(epoch)

    @property
    def initial_parameters(self) -> dict:
        """The parameters as they were at the last :meth:`reset`: name -> read-only array."""
        return dict(self._initial_params)

    @property
    def model(self):
        """The engine module being trained (owned by the trainer; read it, don't replace it)."""
        return self._model

    @property
    def can_train(self) -> bool:
        """False when there are no points, or the loss cannot be computed on them (see :attr:`why_not`)."""
        return not self._why_not

    @property
    def why_not(self) -> str:
        """Why training is impossible, in one sentence; empty when :attr:`can_train`."""
        return self._why_not

    @property
    def diverged(self) -> bool:
        """The last epoch's loss was NaN or infinite."""
        return bool(self._losses) and not math.isfinite(self._losses.last)

    def reset(self):
        """Fresh parameters from the config (``init`` or the seed), optimizer state cleared, epoch 0."""
        self._build_model()
        initial = _init_values(self._config, self._named_params)
        if initial:
            with engine.no_grad():
                for name, p in self._named_params:
                    if name in initial:
                        p.copy_(engine.from_numpy(initial[name]))
        self._build_optimizer()
        self._shuffle_rng.seed(self._config.seed)
        self._losses = LossLog()
        self._metrics = MetricLog()
        self._generation += 1
        self._edits = []
        self._initial_params = {name: _read_only(p.detach().numpy()) for name, p in self._named_params}
        self._notify("reset")

    def step(self) -> float:
        """Train exactly one epoch and return its loss.

        With the full batch this is one optimizer step; with minibatches, one shuffled
        pass over the points, one optimizer step per batch. The epoch loss is the loss
        computed before the step (for minibatches, the mean over the points, or the sum
        for "sse"). A NaN or infinite loss is recorded but no update is applied, so the
        parameters keep their last finite values and :attr:`diverged` becomes True.

        Raises
        ------
        TrainingError
            If :attr:`can_train` is False.
        """
        if self._why_not:
            raise TrainingError(self._why_not)
        self._halt = False
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not as warnings
            return self._epoch()

    def _epoch(self):
        if self._evaluation is not None:
            self._metrics.append(self._evaluate()[1:])
        if self._loader is None:
            value = full_batch_epoch(self._model, self._loss_fn, self._optimizer, self._inputs, self._targets)
        else:
            value = minibatch_epoch(
                self._model,
                self._loss_fn,
                self._optimizer,
                self._loader,
                len(self._inputs),  # the training points
                LOSSES[self._config.loss].summed,
            )
        self._losses.append(value)
        for observer in self._observers:
            if observer.epoch_done(self, value):
                self._halt = True
        return value

    def run(self, epochs: int) -> float:
        """Train ``epochs`` epochs, stopping early if the loss diverges or an observer asks; return the last loss.

        Returns NaN if no epoch has been trained yet and ``epochs`` is 0.

        Raises
        ------
        TrainingError
            If ``epochs`` > 0 and :attr:`can_train` is False.
        """
        epochs = check_int("epochs", epochs, 0)
        value = self._losses.last
        if epochs and self._why_not:
            raise TrainingError(self._why_not)
        epoch = self._epoch
        self._halt = False
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                value = epoch()
                if value - value != 0.0 or self._halt:  # NaN or infinite, or a breakpoint
                    break
        return value

    def set_points(self, points):
        """Train on new points from the next step on; parameters and optimizer state are kept.

        Raises
        ------
        ValueError
            If ``points`` is not an (N, 2) array of finite numbers.
        """
        points = _as_points(points)
        changed = points.shape != self._points.shape or not np.array_equal(points, self._points)
        if changed:
            self._mark_edit()
        self._points = points
        self._load_points()
        if changed:
            self._notify("points")

    def set_config(self, config: Config):
        """Apply a new configuration.

        Optimizer hyperparameters (learning rate, momentum, betas) and the batch size
        apply at the next step; a different optimizer starts with fresh optimizer state;
        a change that :meth:`Config.resets_parameters` resets the trainer.
        """
        if not isinstance(config, Config):
            raise TypeError("config must be a Config")
        old = self._config
        resets = old.resets_parameters(config)
        if resets and config.init:
            _init_values(config, list(build_model(config).named_parameters()))  # raises before any change
        self._config = config
        if resets:
            self._load_points()
            self.reset()
            return
        if config != old:
            self._mark_edit()
        if config.optimizer != old.optimizer:
            self._build_optimizer()
        else:
            settings = OPTIMIZERS[config.optimizer].settings
            if settings(config) != settings(old):
                for group in self._optimizer.param_groups:
                    group.update(settings(config))
        if (config.regularization, config.regularization_rate) != (old.regularization, old.regularization_rate):
            self._loss_fn = build_loss(config, self._model)
        if config.batch_size != old.batch_size or config.test_fraction != old.test_fraction:
            self._load_points()
        if config != old:
            self._notify("config")

    def snapshot(self, since: tuple | None = None) -> Snapshot:
        """An immutable copy of the current state: parameters, gradients and the new losses.

        Parameters
        ----------
        since : tuple, optional
            The :attr:`Snapshot.mark` of an earlier snapshot: the new snapshot then carries only
            the losses of the epochs trained after it, unless the history was started again
            meanwhile. Without it, the whole history.
        """
        params, grads = {}, {}
        for name, p in self._named_params:
            value = _read_only(p.detach().numpy())
            params[name] = value
            g = p.grad
            grads[name] = None if g is None else _read_only(g.numpy())
        epoch = len(self._losses)
        generation = self._generation
        reset = since is None or since[0] != generation or since[1] > epoch
        new = self._losses.since(0 if reset else since[1])
        new.flags.writeable = False
        new_metrics = None
        if self._config.task == "classification":
            metrics = self._metrics if len(self._metrics) == epoch else self._metrics.resized(epoch)
            new_metrics = metrics.since(0 if reset else since[1])
            new_metrics.flags.writeable = False
        loss = self._losses.last
        return Snapshot(
            epoch=epoch,
            loss=loss,
            new_losses=new,
            history_reset=reset,
            mark=(generation, epoch),
            params=params,
            grads=grads,
            diverged=bool(epoch) and not math.isfinite(loss),
            config=self._config,
            n_points=len(self._points),
            new_metrics=new_metrics,
            metrics=self.metrics() if self._evaluation is not None else None,
        )

    def predict(self, xs) -> np.ndarray:
        """The model's output at the x values ``xs`` (1-D), computed by the engine under ``no_grad``."""
        with engine.no_grad(), np.errstate(all="ignore"):
            out = self._model(as_inputs(xs))
        return out.numpy().astype(np.float64).reshape(-1)

    def loss_tensor(self, indices=None):
        """Forward pass with history recorded, for views that walk the graph.

        Parameters
        ----------
        indices : sequence of int, optional
            Which points to use; all of them by default.

        Returns
        -------
        engine.Tensor
            The loss (its ``grad_fn`` leads back to the parameters). The trainer's
            gradients are not touched unless the caller calls ``backward``.
        """
        if not len(self._points):
            raise TrainingError(self._why_not)
        inputs, targets = self.data(indices)
        with np.errstate(all="ignore"):
            return self._loss_fn(self._model(inputs), targets)

    def data(self, indices=None):
        """The model's inputs and targets as float32 tensors (N, 1): all points, or those at ``indices``."""
        if indices is None:
            return self._inputs, self._targets
        points = self._points[np.asarray(indices, dtype=np.int64).reshape(-1)]
        if self._config.task == "classification":
            return model_data(self._config, points)
        return as_inputs(points[:, 0]), _targets(points)

    # -- state dicts -------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to resume training bit for bit, as JSON-able data.

        Holds the configuration, the parameters, their last gradients, the initial
        parameters, the optimizer state (momentum buffers, Adam moments, step counts),
        the minibatch shuffle RNG state, the epoch and the loss history. The points are
        not included (see :func:`playground.io.save_session`).
        """
        optimizer_state = self._optimizer.state_dict()["state"]
        grads = {}
        for name, p in self._named_params:
            if p.grad is not None:
                grads[name] = {"shape": list(p.grad.shape), "values": p.grad.tolist()}
        version, internal, gauss = self._shuffle_rng.getstate()
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "config": self._config.to_dict(),
            "epoch": self.epoch,
            "loss_history": self._losses.values().tolist(),
            "parameters": codec.encode_params({name: p.detach().numpy() for name, p in self._named_params}),
            "gradients": grads,
            "initial_parameters": codec.encode_params(self._initial_params),
            "optimizer": {
                "name": self._config.optimizer,
                "state": [
                    [int(index), {str(k): codec.encode(v) for k, v in entry.items()}]
                    for index, entry in optimizer_state.items()
                ],
            },
            "shuffle_rng": [version, list(internal), gauss],
            "edits": list(self._edits),
            **(
                {
                    "metrics_history": [
                        [None if math.isnan(v) else v for v in row]
                        for row in self._metrics.resized(self.epoch).values().tolist()
                    ]
                }
                if self._config.task == "classification"
                else {}
            ),
        }

    def load_state_dict(self, d: dict):
        """Restore a :meth:`state_dict` (also after a JSON round trip); training then goes on bit for bit.

        The configuration in ``d`` replaces the current one; the points stay. Nothing
        changes unless the whole state is valid.

        Raises
        ------
        ValueError
            If ``d`` is malformed, from a newer version, or does not fit its configuration.
        """
        try:
            with np.errstate(all="ignore"):  # values beyond float32 load as inf, as training would make them
                self._load_state_dict(d)
        except (TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
            raise ValueError(f"the trainer state is malformed ({type(exc).__name__}: {exc})") from None

    def _load_state_dict(self, d):
        if not isinstance(d, dict):
            raise ValueError("a trainer state must be a JSON object")
        if d.get("format") != STATE_FORMAT:
            raise ValueError("this is not a trainer state")
        version = d.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError("the trainer state has no valid version")
        if version > STATE_VERSION:
            raise ValueError(f"the trainer state is version {version}; this program reads up to {STATE_VERSION}")
        config = Config.from_dict(d.get("config"))

        history = d.get("loss_history")
        if not isinstance(history, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in history
        ):
            raise ValueError("the loss history must be a list of numbers")
        history = [float(v) for v in history]
        epoch = d.get("epoch")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch != len(history):
            raise ValueError("the epoch does not match the loss history")
        edits = d.get("edits", [])
        if not isinstance(edits, list) or not all(
            isinstance(e, int) and not isinstance(e, bool) and 0 < e <= epoch for e in edits
        ):
            raise ValueError("the edit epochs are malformed")

        metrics = MetricLog()
        rows = d.get("metrics_history", [])
        if not isinstance(rows, list) or len(rows) > epoch:
            raise ValueError("the metrics history is malformed")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(METRICS):
                raise ValueError("the metrics history is malformed")
            metrics.append([math.nan if v is None else float(v) for v in row])
        metrics = metrics.resized(epoch)

        # Build the engine objects aside; swap them in only when everything has loaded.
        model = build_model(config)
        named = list(model.named_parameters())
        shapes = {name: tuple(p.shape) for name, p in named}
        _init_values(config, named)
        params = codec.decode_params(d.get("parameters"), shapes, "parameters")
        initial = codec.decode_params(d.get("initial_parameters"), shapes, "initial parameters")
        grads_d = d.get("gradients", {})
        if not isinstance(grads_d, dict) or not set(grads_d) <= set(shapes):
            raise ValueError("gradients must name model parameters")
        grads = codec.decode_params(grads_d, {n: shapes[n] for n in grads_d}, "gradients")

        rng_state = d.get("shuffle_rng")
        rng = new_shuffle_rng(None)
        try:
            v, internal, gauss = rng_state
            rng.setstate((v, tuple(internal), gauss))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError("the shuffle RNG state is malformed") from exc

        with engine.no_grad():
            for name, p in named:
                p.copy_(engine.from_numpy(params[name]))
                p.grad = engine.from_numpy(grads[name]) if name in grads else None
        params_list = [p for _, p in named]
        optimizer = build_optimizer(config, params_list)
        opt_d = d.get("optimizer")
        if not isinstance(opt_d, dict) or opt_d.get("name") != config.optimizer:
            raise ValueError("the optimizer state does not match the configured optimizer")
        entries = opt_d.get("state")
        if not isinstance(entries, list):
            raise ValueError("the optimizer state is malformed")
        expected_kinds = codec.optimizer_state_kinds(config, [tuple(p.shape) for p in params_list])
        state = {}
        for entry in entries:
            if (
                not isinstance(entry, list)
                or len(entry) != 2
                or not isinstance(entry[0], int)
                or isinstance(entry[0], bool)
                or not 0 <= entry[0] < len(params_list)
                or not isinstance(entry[1], dict)
                or entry[0] in state
            ):
                raise ValueError("the optimizer state is malformed")
            index, values = entry
            decoded = {k: codec.decode(v, "optimizer state") for k, v in values.items()}
            kinds = {k: codec.state_kind(v) for k, v in decoded.items()}
            if kinds != expected_kinds.get(index):
                raise ValueError(
                    f"the optimizer state of parameter {index} does not fit a {OPTIMIZERS[config.optimizer].title} optimizer"
                )
            state[index] = decoded
        full = optimizer.state_dict()
        full["state"] = state
        try:
            optimizer.load_state_dict(full)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"the optimizer state does not fit: {exc}") from exc

        # Commit.
        self._config = config
        self._model = model
        self._loss_fn = build_loss(config, model)
        self._named_params = named
        self._params = params_list
        self._optimizer = optimizer
        self._shuffle_rng = rng
        self._losses = LossLog(history)
        self._metrics = metrics
        self._generation += 1
        self._edits = list(edits)
        self._initial_params = {name: _read_only(a) for name, a in initial.items()}
        self._load_points()
        self._notify("state")

    # -- observers ---------------------------------------------------------------------

    def add_observer(self, observer):
        """Tell ``observer`` about every epoch and every change, from now on.

        ``observer.epoch_done(trainer, loss)`` runs after each epoch; a true result asks
        :meth:`run` to stop after it (:attr:`halted` then says so). ``observer.trainer_changed(trainer,
        what)`` runs after each change: ``"points"``, ``"config"`` (optimizer settings, without a
        reset), ``"reset"`` (fresh parameters, epoch 0) or ``"state"`` (a loaded state dict).
        The path recorder, the optimizer race and the breakpoints are observers.
        """
        if observer not in self._observers:
            self._observers.append(observer)

    def remove_observer(self, observer):
        if observer in self._observers:
            self._observers.remove(observer)

    @property
    def halted(self) -> bool:
        """An observer asked the last :meth:`step` or :meth:`run` to stop (a breakpoint fired)."""
        return self._halt

    def _notify(self, what):
        for observer in list(getattr(self, "_observers", ())):
            observer.trainer_changed(self, what)

    # -- timeline support: keyframes and rewinding ----------------------------------------

    def capture_state(self) -> TrainerState:
        """The state at the current epoch, in memory, to go on from it later (:meth:`restore_state`).

        Cheaper than :meth:`state_dict`: arrays are copied as they are, nothing becomes JSON.
        """
        self._points.flags.writeable = False  # shared by the states captured while these points hold
        optimizer_state = {}
        index = 0
        for group in self._optimizer.param_groups:
            for p in group["params"]:
                entry = self._optimizer.state.get(p)
                if entry:
                    optimizer_state[index] = {
                        k: (np.array(v.detach().numpy(), copy=True) if isinstance(v, engine.Tensor) else v)
                        for k, v in entry.items()
                    }
                index += 1
        return TrainerState(
            epoch=len(self._losses),
            params={name: _read_only(p.detach().numpy()) for name, p in self._named_params},
            grads={name: (None if p.grad is None else _read_only(p.grad.numpy())) for name, p in self._named_params},
            optimizer_state=optimizer_state,
            shuffle_rng=self._shuffle_rng.getstate() if self._loader is not None else None,
            config=self._config,
            points=self._points,
            edits=tuple(self._edits),
        )

    @property
    def history_mark(self) -> tuple:
        """What :meth:`snapshot` takes as ``since`` to carry no loss of the history so far."""
        return (self._generation, len(self._losses))

    def loss_log(self) -> LossLog:
        """The log of every epoch's loss (owned by the trainer; :meth:`restore_state` replaces it)."""
        return self._losses

    def losses_until(self, epoch: int) -> LossLog:
        """A new log of the losses of epochs 1 … ``epoch``."""
        return self._losses.truncated(epoch)

    def metric_log(self) -> MetricLog:
        """The log of every epoch's :data:`METRICS` (owned by the trainer; :meth:`restore_state` replaces it)."""
        return self._metrics

    def restore_state(self, state: TrainerState, losses: LossLog, metrics: MetricLog | None = None):
        """Go back (or forward) to ``state``, with ``losses`` as the loss history up to its epoch
        (and ``metrics`` as the metrics' history; without it, this run's up to that epoch).

        The model keeps its shape (a state of this run's timeline); parameters, gradients, the
        optimizer and its state, the shuffle, the configuration and the points become the
        state's, so training goes on exactly as it did from that epoch. Observers hear ``"rewind"``.
        """
        if len(losses) != state.epoch:
            raise ValueError(f"the loss history has {len(losses)} epochs, the state is at epoch {state.epoch}")
        self._config = state.config
        self._points = state.points
        with engine.no_grad():
            for name, p in self._named_params:
                p.copy_(engine.from_numpy(np.array(state.params[name], copy=True)))
                grad = state.grads.get(name)
                p.grad = None if grad is None else engine.from_numpy(np.array(grad, copy=True))
        self._build_optimizer()
        if state.optimizer_state:
            full = self._optimizer.state_dict()  # no state yet: only the groups
            full["state"] = {i: dict(entry) for i, entry in state.optimizer_state.items()}
            self._optimizer.load_state_dict(full)
        if state.shuffle_rng is not None:
            self._shuffle_rng.setstate(state.shuffle_rng)
        self._losses = losses
        self._metrics = (metrics if metrics is not None else self._metrics).resized(state.epoch)
        self._edits = list(state.edits)
        self._generation += 1
        self._load_points()
        self._notify("rewind")
