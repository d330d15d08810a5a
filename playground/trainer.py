"""The training loop behind every view: points + model + loss + optimizer -> epochs -> snapshots.

Qt-free; it uses the engine (``engine``, ``engine.nn``, ``engine.optim``,
``engine.utils.data``) and NumPy only. The GUI drives a :class:`Trainer` from a worker
thread and receives immutable :class:`Snapshot` objects; the command line and the
session files use the same class, so every front end trains to the same numbers.

One epoch is one pass over the points: with the full batch (the default) that is one
forward pass, one backward pass and one optimizer step, exactly the loop of the
PyTorch tutorials::

    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import random
from dataclasses import dataclass

import numpy as np

import engine
from engine import nn, optim
from engine.utils.data import DataLoader, TensorDataset

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MODELS",
    "OPTIMIZERS",
    "Config",
    "Snapshot",
    "Trainer",
    "TrainingError",
    "predict",
]

#: Model kinds, with the names the Model panel shows.
MODELS = {
    "linear": "Linear  ŷ = w·x + b",
    "polynomial": "Polynomial  ŷ = b + w₁x + … + w_d x^d",
    "sigmoid": "Sigmoid neuron  ŷ = σ(w·x + b)",
    "mlp": "Neural network (MLP)",
}
#: MLP activation functions.
ACTIVATIONS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid"}
#: Loss functions.
LOSSES = {
    "mse": "Mean squared error",
    "mae": "Mean absolute error",
    "huber": "Huber",
    "bce": "Binary cross-entropy",
    "sse": "Sum of squared errors",
}
#: Optimizers.
OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "nesterov": "SGD with Nesterov momentum",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}

MAX_DEGREE = 9
#: Largest point coordinate: the engine trains in float32.
MAX_COORDINATE = float(np.finfo(np.float32).max)
MAX_HIDDEN_LAYERS = 3
MAX_HIDDEN_UNITS = 64
#: RMSprop's smoothing constant (PyTorch's default ``alpha``).
RMSPROP_ALPHA = 0.99


class TrainingError(RuntimeError):
    """Raised by :meth:`Trainer.step` when training is impossible (see :attr:`Trainer.why_not`)."""


# ----------------------------------------------------------------------------------------
# Configuration
# ----------------------------------------------------------------------------------------


def _int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, not {value}")
    return value


def _float(name, value, low, high, *, low_open=False, high_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, not {value}")
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {'∞' if high is None else high}{right}, not {value}")
    return value


def _choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _nested_floats(name, value, depth=0):
    """Validate an initial parameter value (a number or nested sequences of numbers) as nested tuples."""
    if depth > 8:
        raise ValueError(f"initial value of {name!r} is nested too deeply")
    if isinstance(value, (list, tuple)):
        items = tuple(_nested_floats(name, v, depth + 1) for v in value)
        if not items:
            raise ValueError(f"initial value of {name!r} is empty")
        return items
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"initial value of {name!r} must contain numbers only, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"initial value of {name!r} must be finite")
    return value


def _init_tuple(init):
    if init is None:
        return None
    pairs = init.items() if isinstance(init, dict) else init
    if not isinstance(pairs, (list, tuple, type({}.items()))):
        raise ValueError("init must map parameter names to values")
    result = []
    seen = set()
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not isinstance(pair[0], str):
            raise ValueError("init must be a sequence of (parameter name, value) pairs")
        name, value = pair
        if name in seen:
            raise ValueError(f"init names parameter {name!r} twice")
        seen.add(name)
        result.append((name, _nested_floats(name, value)))
    return tuple(result)


def _to_lists(value):
    return [_to_lists(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Config:
    """Everything the Model panel edits: model, loss, optimizer and their settings.

    Immutable, hashable and JSON round-trippable (:meth:`to_dict` / :meth:`from_dict`).
    Every field is validated on construction; a bad value raises ``ValueError`` with a
    message that names the field.

    Attributes
    ----------
    model : {"linear", "polynomial", "sigmoid", "mlp"}
        ``linear``: ŷ = w·x + b; ``polynomial``: ŷ = b + Σ w_k x^k for k = 1..degree;
        ``sigmoid``: ŷ = σ(w·x + b); ``mlp``: a multilayer perceptron.
    degree : int
        Polynomial degree, 1 to 9.
    hidden : tuple of int
        MLP hidden layer sizes: 1 to 3 layers of 1 to 64 units.
    activation : {"tanh", "relu", "sigmoid"}
        MLP activation function.
    bias : bool
        Whether the linear, polynomial and sigmoid models have the bias ``b``.
    loss : {"mse", "mae", "huber", "bce", "sse"}
        Mean squared error, mean absolute error, Huber, binary cross-entropy (sigmoid
        neuron with 0/1 targets) or sum of squared errors.
    optimizer : {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"}
    lr : float
        Learning rate, greater than 0.
    momentum : float
        Momentum of "momentum" and "nesterov", in [0, 1).
    beta1, beta2 : float
        Adam's betas, in [0, 1).
    batch_size : int or None
        None trains on the full batch; a number trains on shuffled minibatches.
    seed : int
        Seeds the MLP's initial weights (through ``engine.manual_seed``) and the
        minibatch shuffle.
    init : tuple or None
        Explicit initial parameters, ``((name, value), ...)`` with values as numbers or
        nested tuples; parameters not named keep their default initial value (zero for
        the linear, polynomial and sigmoid models; PyTorch's default for MLP layers).
    """

    model: str = "linear"
    degree: int = 3
    hidden: tuple = (16, 16)
    activation: str = "tanh"
    bias: bool = True
    loss: str = "mse"
    optimizer: str = "sgd"
    lr: float = 0.001
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    batch_size: int | None = None
    seed: int = 0
    init: tuple | None = None

    def __post_init__(self):
        put = object.__setattr__
        put(self, "model", _choice("model", self.model, MODELS))
        put(self, "degree", _int("degree", self.degree, 1, MAX_DEGREE))
        hidden = self.hidden
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if not isinstance(hidden, (list, tuple)) or not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
            raise ValueError(f"hidden must list 1 to {MAX_HIDDEN_LAYERS} layer sizes, not {self.hidden!r}")
        put(self, "hidden", tuple(_int("hidden layer size", h, 1, MAX_HIDDEN_UNITS) for h in hidden))
        put(self, "activation", _choice("activation", self.activation, ACTIVATIONS))
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be true or false, not {self.bias!r}")
        put(self, "bias", bool(self.bias))
        put(self, "loss", _choice("loss", self.loss, LOSSES))
        put(self, "optimizer", _choice("optimizer", self.optimizer, OPTIMIZERS))
        put(self, "lr", _float("lr", self.lr, 0.0, None, low_open=True))
        put(self, "momentum", _float("momentum", self.momentum, 0.0, 1.0, high_open=True))
        put(self, "beta1", _float("beta1", self.beta1, 0.0, 1.0, high_open=True))
        put(self, "beta2", _float("beta2", self.beta2, 0.0, 1.0, high_open=True))
        if self.batch_size is not None:
            put(self, "batch_size", _int("batch_size", self.batch_size, 1))
        put(self, "seed", _int("seed", self.seed, 0, 2**63 - 1))
        put(self, "init", _init_tuple(self.init))

    def to_dict(self) -> dict:
        """Return the configuration as a JSON-able dict (``init`` as ``{name: nested lists}``)."""
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        d["init"] = None if self.init is None else {name: _to_lists(v) for name, v in self.init}
        return d

    @classmethod
    def from_dict(cls, d) -> Config:
        """Build a configuration from :meth:`to_dict`'s output; missing keys take their defaults.

        Raises
        ------
        ValueError
            If ``d`` is not a dict, names an unknown setting or holds an invalid value.
        """
        if not isinstance(d, dict):
            raise ValueError("a configuration must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in d if k not in known)
        if unknown:
            raise ValueError(f"unknown configuration setting(s): {', '.join(unknown)}")
        return cls(**d)

    def replace(self, **changes) -> Config:
        """Return a copy with ``changes`` applied (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    def _parameter_key(self):
        """What determines the parameters: a change here needs fresh parameters."""
        return (
            self.model,
            self.degree if self.model == "polynomial" else None,
            (self.hidden, self.activation) if self.model == "mlp" else None,
            self.bias if self.model != "mlp" else None,
            self.loss,
            self.seed,
            self.init,
        )

    def resets_parameters(self, other: Config) -> bool:
        """Whether going from this configuration to ``other`` needs fresh parameters.

        True when the model, its shape, the loss, the seed or the initial parameters
        change; False for the optimizer and its hyperparameters (learning rate,
        momentum, betas) and the batch size, which apply at the next step.
        """
        return self._parameter_key() != other._parameter_key()


# ----------------------------------------------------------------------------------------
# Snapshots
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Snapshot:
    """An immutable picture of the training state, safe to hand to another thread.

    Attributes
    ----------
    epoch : int
        Epochs completed.
    loss : float
        The loss computed in the last epoch (before its optimizer step); NaN before any.
    loss_history : tuple of float
        One loss per epoch, epoch 1 first.
    params : dict
        Parameter name -> read-only ``np.ndarray`` copy.
    grads : dict
        Parameter name -> read-only copy of the last gradients (zeros before any step).
    diverged : bool
        The last loss was NaN or infinite.
    config : Config
    n_points : int
    trace : object
        An ``engine.graph`` trace of the selected sample or batch, when a view asks for one.
    """

    epoch: int
    loss: float
    loss_history: tuple
    params: dict
    grads: dict
    diverged: bool
    config: Config
    n_points: int
    trace: object = None


# ----------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------


class LinearModel(nn.Module):
    """ŷ = features @ w + b, optionally squashed by a sigmoid.

    ``w`` has shape (n_features, 1) and ``b`` shape (1, 1), as in the tutorial's
    ``X @ W + b``. The linear model has one feature (x); the polynomial model has
    ``degree`` features (x, x², …).
    """

    def __init__(self, n_features=1, bias=True, squash=False):
        super().__init__()
        self.w = nn.Parameter(engine.zeros(n_features, 1))
        if bias:
            self.b = nn.Parameter(engine.zeros(1, 1))
        self.has_bias = bias
        self.squash = squash

    def forward(self, features):
        z = features @ self.w
        if self.has_bias:
            z = z + self.b
        return engine.sigmoid(z) if self.squash else z


class MLP(nn.Module):
    """x -> [Linear -> activation] × len(hidden) -> Linear -> ŷ; layers ``hidden1``…, ``output``."""

    def __init__(self, hidden=(16, 16), activation="tanh"):
        super().__init__()
        self.n_hidden = len(hidden)
        width = 1
        for i, units in enumerate(hidden, start=1):
            setattr(self, f"hidden{i}", nn.Linear(width, units))
            width = units
        self.output = nn.Linear(width, 1)
        self.activation = activation

    def forward(self, x):
        act = _ACTIVATION_FUNCTIONS[self.activation]
        for i in range(1, self.n_hidden + 1):
            x = act(getattr(self, f"hidden{i}")(x))
        return self.output(x)


_ACTIVATION_FUNCTIONS = {"tanh": engine.tanh, "relu": engine.relu, "sigmoid": engine.sigmoid}


def _make_model(config):
    if config.model == "mlp":
        engine.manual_seed(config.seed)
        return MLP(config.hidden, config.activation)
    n_features = config.degree if config.model == "polynomial" else 1
    return LinearModel(n_features, bias=config.bias, squash=config.model == "sigmoid")


def _make_loss(config):
    if config.loss == "mse":
        return nn.MSELoss()
    if config.loss == "mae":
        return nn.L1Loss()
    if config.loss == "huber":
        return nn.HuberLoss()
    if config.loss == "bce":
        return nn.BCELoss()
    return nn.MSELoss(reduction="sum")


def _hyperparameters(config):
    """The param-group settings of ``config.optimizer`` (they change without a reset)."""
    o = config.optimizer
    if o == "sgd":
        return {"lr": config.lr}
    if o in ("momentum", "nesterov"):
        # Nesterov momentum needs a nonzero momentum; with zero it is plain SGD.
        return {"lr": config.lr, "momentum": config.momentum, "nesterov": o == "nesterov" and config.momentum > 0}
    if o == "adam":
        return {"lr": config.lr, "betas": (config.beta1, config.beta2)}
    if o == "rmsprop":
        return {"lr": config.lr, "alpha": RMSPROP_ALPHA}
    return {"lr": config.lr}


def _make_optimizer(config, params):
    o = config.optimizer
    hyper = _hyperparameters(config)
    if o in ("sgd", "momentum", "nesterov"):
        return optim.SGD(params, **hyper)
    if o == "adam":
        return optim.Adam(params, **hyper)
    if o == "rmsprop":
        return optim.RMSprop(params, **hyper)
    return optim.Adagrad(params, **hyper)


def _features(config, xs):
    """The model's input matrix for x values ``xs`` (float64 1-D) as float32, shape (N, k)."""
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float32 range: inf, shown as divergence
        x = np.asarray(xs, dtype=np.float64).astype(np.float32).reshape(-1, 1)
        if config.model == "polynomial":
            return np.concatenate([x**k for k in range(1, config.degree + 1)], axis=1)
    return np.ascontiguousarray(x)


class _ShuffleSampler:
    """Yields a fresh random order of the point indices per epoch (``random.Random``, JSON-able state)."""

    def __init__(self, n_points, rng):
        self.n_points = n_points
        self.rng = rng

    def __iter__(self):
        order = list(range(self.n_points))
        self.rng.shuffle(order)
        return iter(order)

    def __len__(self):
        return self.n_points


def _init_values(config, named):
    """Validate ``config.init`` against the model's parameters; return name -> float32 array."""
    if not config.init:
        return {}
    shapes = {name: tuple(p._data.shape) for name, p in named}
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
        return np.zeros((0, 2))
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2) (x, y columns), not {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("points must be finite numbers (no NaN or infinity)")
    if np.abs(a).max() > MAX_COORDINATE:
        raise ValueError(f"point coordinates must lie within ±{MAX_COORDINATE:.3g} (the engine computes in float32)")
    return a


def _read_only(a):
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


# ----------------------------------------------------------------------------------------
# Tensor <-> JSON helpers for state dicts
# ----------------------------------------------------------------------------------------

_STATE_DTYPES = {"float32", "float64", "int64", "int32", "bool"}


def _encode(value):
    """A JSON-able form of an optimizer-state value (tensors, arrays, numbers, lists)."""
    if isinstance(value, engine.Tensor):
        value = value._data
        return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist(), "tensor": True}
    if isinstance(value, np.ndarray):
        return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist(), "tensor": False}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__} in a state dict")


def _decode_array(d, what):
    if not isinstance(d, dict) or set(d) != {"dtype", "shape", "values", "tensor"}:
        raise ValueError(f"{what}: malformed array")
    dtype, shape = d["dtype"], d["shape"]
    if dtype not in _STATE_DTYPES:
        raise ValueError(f"{what}: unsupported dtype {dtype!r}")
    if (
        not isinstance(shape, list)
        or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 2**20 for s in shape)
        or len(shape) > 8
    ):
        raise ValueError(f"{what}: malformed shape")
    try:
        a = np.array(d["values"], dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{what}: malformed values") from exc
    if a.shape != tuple(shape):
        raise ValueError(f"{what}: values do not have shape {tuple(shape)}")
    return a


def _decode(value, what):
    if isinstance(value, dict):
        a = _decode_array(value, what)
        return engine.tensor_from_array(a) if value["tensor"] else a
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v, what) for v in value]
    raise ValueError(f"{what}: unexpected value {value!r}")


def _kind(value):
    """What a state value is, for checking loaded optimizer state against the optimizer's own."""
    if isinstance(value, engine.Tensor):
        return ("tensor", str(value._data.dtype), tuple(value._data.shape))
    if isinstance(value, np.ndarray):
        return ("array", str(value.dtype), tuple(value.shape))
    return (type(value).__name__,)


def _optimizer_state_kinds(config, shapes):
    """The keys and kinds of the optimizer state of each parameter after one step: index -> {key: kind}."""
    params = [nn.Parameter(engine.zeros(shape)) for shape in shapes]
    for p, shape in zip(params, shapes):
        p.grad = engine.zeros(shape)
    optimizer = _make_optimizer(config, params)
    optimizer.step()
    return {index: {k: _kind(v) for k, v in entry.items()} for index, entry in optimizer.state_dict()["state"].items()}


def _encode_params(named):
    return {name: {"shape": list(a.shape), "values": a.tolist()} for name, a in named.items()}


def _decode_params(d, expected, what):
    """Decode {name: {"shape", "values"}} into float32 arrays matching ``expected`` {name: shape}."""
    if not isinstance(d, dict):
        raise ValueError(f"{what} must be a JSON object")
    if set(d) != set(expected):
        raise ValueError(f"{what} must name exactly {', '.join(expected)}; got {', '.join(map(str, d))}")
    out = {}
    for name, shape in expected.items():
        entry = d[name]
        if not isinstance(entry, dict) or "values" not in entry:
            raise ValueError(f"{what}: {name!r} has no values")
        try:
            a = np.array(entry["values"], dtype=np.float32)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{what}: {name!r} holds values that are not numbers") from exc
        if a.shape != tuple(shape) or list(entry.get("shape", a.shape)) != list(shape):
            raise ValueError(f"{what}: {name!r} must have shape {tuple(shape)}, not {a.shape}")
        out[name] = a
    return out


# ----------------------------------------------------------------------------------------
# The trainer
# ----------------------------------------------------------------------------------------

STATE_FORMAT = "gradient-playground-trainer"
STATE_VERSION = 1


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
        self._shuffle_rng = random.Random(config.seed)
        self._build_model()
        self._build_optimizer()
        self._load_points()
        self.reset()

    # -- set-up ------------------------------------------------------------------------

    def _build_model(self):
        config = self._config
        self._model = _make_model(config)
        self._loss_fn = _make_loss(config)
        self._sum_loss = config.loss == "sse"
        self._named_params = list(self._model.named_parameters())
        self._params = [p for _, p in self._named_params]
        self._shapes = {name: tuple(p._data.shape) for name, p in self._named_params}

    def _build_optimizer(self):
        self._optimizer = _make_optimizer(self._config, self._params)

    def _load_points(self):
        """Cache the data tensors (and the minibatch loader) for the current points and config."""
        config = self._config
        self._inputs = engine.tensor_from_array(_features(config, self._points[:, 0]))
        self._targets = engine.tensor_from_array(np.ascontiguousarray(self._points[:, 1:2], dtype=np.float32))
        n = len(self._points)
        if config.batch_size is None or n == 0:
            self._loader = None
        else:
            self._sampler = _ShuffleSampler(n, self._shuffle_rng)
            self._loader = DataLoader(
                TensorDataset(self._inputs, self._targets), batch_size=config.batch_size, sampler=self._sampler
            )
        why = ""
        if n == 0:
            why = "There are no points: add at least one point to train."
        elif config.loss == "bce":
            if config.model != "sigmoid":
                why = "Binary cross-entropy needs the sigmoid neuron model (outputs between 0 and 1)."
            else:
                y = self._points[:, 1]
                bad = int(np.count_nonzero((y != 0.0) & (y != 1.0)))
                if bad:
                    why = (
                        f"Binary cross-entropy needs y values of 0 or 1; "
                        f"{bad} point{'s' if bad != 1 else ''} ha{'ve' if bad != 1 else 's'} other values."
                    )
        self._why_not = why

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
        return len(self._loss_history)

    @property
    def loss_history(self) -> tuple:
        """One loss per epoch, epoch 1 first."""
        return tuple(self._loss_history)

    @property
    def edits(self) -> tuple:
        """Epochs after which the points or the optimizer settings changed without a reset."""
        return tuple(self._edits)

    def _mark_edit(self):
        if self._loss_history and (not self._edits or self._edits[-1] != len(self._loss_history)):
            self._edits.append(len(self._loss_history))

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
        return bool(self._loss_history) and not math.isfinite(self._loss_history[-1])

    def reset(self):
        """Fresh parameters from the config (``init`` or the seed), optimizer state cleared, epoch 0."""
        self._build_model()
        initial = _init_values(self._config, self._named_params)
        if initial:
            with engine.no_grad():
                for name, p in self._named_params:
                    if name in initial:
                        p._data[...] = initial[name]
        self._build_optimizer()
        self._shuffle_rng.seed(self._config.seed)
        self._loss_history = []
        self._edits = []
        self._initial_params = {name: _read_only(p._data) for name, p in self._named_params}

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
        with np.errstate(all="ignore"):  # overflow is reported as divergence, not as warnings
            return self._epoch()

    def _epoch(self):
        if self._loader is None:
            optimizer = self._optimizer
            optimizer.zero_grad(set_to_none=True)
            loss = self._loss_fn(self._model(self._inputs), self._targets)
            loss.backward()
            value = float(loss._data)
            if value - value == 0.0:  # finite
                optimizer.step()
        else:
            value = self._minibatch_epoch()
        self._loss_history.append(value)
        return value

    def _minibatch_epoch(self):
        optimizer = self._optimizer
        model, loss_fn = self._model, self._loss_fn
        total = 0.0
        for inputs, targets in self._loader:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            value = float(loss._data)
            if not math.isfinite(value):
                return value
            optimizer.step()
            total += value if self._sum_loss else value * len(targets)
        return total if self._sum_loss else total / len(self._points)

    def run(self, epochs: int) -> float:
        """Train ``epochs`` epochs, stopping early if the loss diverges; return the last loss.

        Returns NaN if no epoch has been trained yet and ``epochs`` is 0.

        Raises
        ------
        TrainingError
            If ``epochs`` > 0 and :attr:`can_train` is False.
        """
        epochs = _int("epochs", epochs, 0)
        value = self._loss_history[-1] if self._loss_history else math.nan
        if epochs and self._why_not:
            raise TrainingError(self._why_not)
        epoch = self._epoch
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                value = epoch()
                if value - value != 0.0:  # NaN or infinite
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
        if points.shape != self._points.shape or not np.array_equal(points, self._points):
            self._mark_edit()
        self._points = points
        self._load_points()

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
            _init_values(config, list(_make_model(config).named_parameters()))  # raises before any change
        self._config = config
        if resets:
            self._load_points()
            self.reset()
            return
        if config != old:
            self._mark_edit()
        if config.optimizer != old.optimizer:
            self._build_optimizer()
        elif _hyperparameters(config) != _hyperparameters(old):
            hyper = _hyperparameters(config)
            for group in self._optimizer.param_groups:
                group.update(hyper)
        if config.batch_size != old.batch_size or config.model != old.model:
            self._load_points()

    def snapshot(self) -> Snapshot:
        """An immutable copy of the current state (parameters, gradients, losses)."""
        params, grads = {}, {}
        for name, p in self._named_params:
            value = p._data.copy()
            value.flags.writeable = False
            params[name] = value
            g = p.grad
            grad = g._data.copy() if g is not None else np.zeros_like(value)
            grad.flags.writeable = False
            grads[name] = grad
        history = tuple(self._loss_history)
        loss = history[-1] if history else math.nan
        return Snapshot(
            epoch=len(history),
            loss=loss,
            loss_history=history,
            params=params,
            grads=grads,
            diverged=bool(history) and not math.isfinite(loss),
            config=self._config,
            n_points=len(self._points),
        )

    def predict(self, xs) -> np.ndarray:
        """The model's output at the x values ``xs`` (1-D), computed by the engine under ``no_grad``."""
        xs = np.asarray(xs, dtype=np.float64).reshape(-1)
        with engine.no_grad(), np.errstate(all="ignore"):
            out = self._model(engine.tensor_from_array(_features(self._config, xs)))
        return np.asarray(out._data, dtype=np.float64).reshape(-1)

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
        inputs, targets = self._inputs, self._targets
        if indices is not None:
            idx = np.asarray(indices, dtype=np.int64).reshape(-1)
            inputs = engine.tensor_from_array(np.ascontiguousarray(inputs._data[idx]))
            targets = engine.tensor_from_array(np.ascontiguousarray(targets._data[idx]))
        with np.errstate(all="ignore"):
            return self._loss_fn(self._model(inputs), targets)

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
                grads[name] = {"shape": list(p.grad._data.shape), "values": p.grad._data.tolist()}
        version, internal, gauss = self._shuffle_rng.getstate()
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "config": self._config.to_dict(),
            "epoch": self.epoch,
            "loss_history": list(self._loss_history),
            "parameters": _encode_params({name: p._data for name, p in self._named_params}),
            "gradients": grads,
            "initial_parameters": _encode_params(self._initial_params),
            "optimizer": {
                "name": self._config.optimizer,
                "state": [
                    [int(index), {str(k): _encode(v) for k, v in entry.items()}]
                    for index, entry in optimizer_state.items()
                ],
            },
            "shuffle_rng": [version, list(internal), gauss],
            "edits": list(self._edits),
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

        # Build the engine objects aside; swap them in only when everything has loaded.
        model = _make_model(config)
        named = list(model.named_parameters())
        shapes = {name: tuple(p._data.shape) for name, p in named}
        _init_values(config, named)
        params = _decode_params(d.get("parameters"), shapes, "parameters")
        initial = _decode_params(d.get("initial_parameters"), shapes, "initial parameters")
        grads_d = d.get("gradients", {})
        if not isinstance(grads_d, dict) or not set(grads_d) <= set(shapes):
            raise ValueError("gradients must name model parameters")
        grads = _decode_params(grads_d, {n: shapes[n] for n in grads_d}, "gradients")

        rng_state = d.get("shuffle_rng")
        rng = random.Random()
        try:
            v, internal, gauss = rng_state
            rng.setstate((v, tuple(internal), gauss))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError("the shuffle RNG state is malformed") from exc

        with engine.no_grad():
            for name, p in named:
                p._data[...] = params[name]
                p.grad = engine.tensor_from_array(grads[name]) if name in grads else None
        params_list = [p for _, p in named]
        optimizer = _make_optimizer(config, params_list)
        opt_d = d.get("optimizer")
        if not isinstance(opt_d, dict) or opt_d.get("name") != config.optimizer:
            raise ValueError("the optimizer state does not match the configured optimizer")
        entries = opt_d.get("state")
        if not isinstance(entries, list):
            raise ValueError("the optimizer state is malformed")
        expected_kinds = _optimizer_state_kinds(config, [tuple(p._data.shape) for p in params_list])
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
            decoded = {k: _decode(v, "optimizer state") for k, v in values.items()}
            kinds = {k: _kind(v) for k, v in decoded.items()}
            if kinds != expected_kinds.get(index):
                raise ValueError(
                    f"the optimizer state of parameter {index} does not fit a {OPTIMIZERS[config.optimizer]} optimizer"
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
        self._loss_fn = _make_loss(config)
        self._sum_loss = config.loss == "sse"
        self._named_params = named
        self._params = params_list
        self._shapes = shapes
        self._optimizer = optimizer
        self._shuffle_rng = rng
        self._loss_history = history
        self._edits = list(edits)
        self._initial_params = {name: _read_only(a) for name, a in initial.items()}
        self._load_points()


# ----------------------------------------------------------------------------------------
# NumPy-only evaluation (for the GUI thread)
# ----------------------------------------------------------------------------------------


def _np_sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


_NP_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "sigmoid": _np_sigmoid}


def predict(config: Config, params: dict, xs) -> np.ndarray:
    """Evaluate the model of ``config`` with parameters ``params`` at ``xs``, in NumPy only.

    For the GUI thread, which draws fitted curves from a :class:`Snapshot` without
    touching the engine objects the worker is using.

    Parameters
    ----------
    config : Config
    params : dict
        Parameter name -> array, as in :attr:`Snapshot.params`.
    xs : array_like, 1-D

    Returns
    -------
    np.ndarray
        float64, shape ``(len(xs),)``.
    """
    xs = np.asarray(xs, dtype=np.float64).reshape(-1)
    with np.errstate(all="ignore"):
        if config.model == "mlp":
            h = xs[:, None]
            for i in range(1, len(config.hidden) + 1):
                w = np.asarray(params[f"hidden{i}.weight"], dtype=np.float64)
                b = np.asarray(params[f"hidden{i}.bias"], dtype=np.float64)
                h = _NP_ACTIVATIONS[config.activation](h @ w.T + b)
            w = np.asarray(params["output.weight"], dtype=np.float64)
            b = np.asarray(params["output.bias"], dtype=np.float64)
            return (h @ w.T + b).reshape(-1)
        w = np.asarray(params["w"], dtype=np.float64).reshape(-1)
        if config.model == "polynomial":
            z = np.zeros_like(xs)
            for k in range(len(w), 0, -1):  # Horner
                z = (z + w[k - 1]) * xs
        else:
            z = xs * w[0]
        if "b" in params:
            z = z + float(np.asarray(params["b"]).reshape(-1)[0])
        return _np_sigmoid(z) if config.model == "sigmoid" else z
