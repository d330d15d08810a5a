"""The training configuration: model, loss, optimizer and their settings, validated. Qt-free.

:class:`Config` is what the Model panel edits, what sessions store and what the command line
reads; every field is checked on construction, so a configuration that exists can be trained.
The choices come from the tables of :mod:`playground.models`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass

import numpy as np

from playground.models import ACTIVATIONS, FEATURES, LOSSES, MODELS, OPTIMIZERS, REGULARIZATIONS, TASKS

__all__ = [
    "MAX_CLASSES",
    "MAX_COORDINATE",
    "MAX_DEGREE",
    "MAX_HIDDEN_LAYERS",
    "MAX_HIDDEN_UNITS",
    "MAX_TEST_FRACTION",
    "MIN_LR",
    "Config",
    "check_int",
]

MAX_DEGREE = 9
#: Largest point coordinate: the engine trains in float32.
MAX_COORDINATE = float(np.finfo(np.float32).max)
MAX_HIDDEN_LAYERS = 3
MAX_HIDDEN_UNITS = 64
MAX_CLASSES = 4
MAX_TEST_FRACTION = 0.9
#: Smallest learning rate: a smaller one rounds to 0 in float32, where the engine trains, and trains nothing.
MIN_LR = float(np.finfo(np.float32).smallest_subnormal)


def check_int(name, value, low, high=None):
    """``value`` as an int in [low, high]; ValueError naming ``name`` otherwise."""
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
        Learning rate, at least :data:`MIN_LR` (smaller ones are 0 in float32).
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
    task : {"regression", "classification"}
        Regression fits y = f(x) to points (x, y); classification learns the class of points
        (x₁, x₂, class) in the plane. The model and the loss must be of the task.
    classes : int
        Number of classes, 2 to 4 (classification).
    features : tuple of str
        The classifier's input features, keys of :data:`~playground.models.FEATURES`
        (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)).
    regularization : {"none", "l1", "l2"}
        A penalty on the weights added to the loss: rate·Σ|w| or rate·Σw².
    regularization_rate : float
        Its rate, ≥ 0.
    test_fraction : float
        The share of the points held out for testing, 0 to 0.9 (classification; the split is
        drawn from ``seed``: see :func:`playground.datasets.test_mask`).
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
    task: str = "regression"
    classes: int = 2
    features: tuple = ("x1", "x2")
    regularization: str = "none"
    regularization_rate: float = 0.0
    test_fraction: float = 0.0

    def __post_init__(self):
        put = object.__setattr__
        put(self, "model", _choice("model", self.model, MODELS))
        put(self, "degree", check_int("degree", self.degree, 1, MAX_DEGREE))
        hidden = self.hidden
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if not isinstance(hidden, (list, tuple)) or not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
            raise ValueError(f"hidden must list 1 to {MAX_HIDDEN_LAYERS} layer sizes, not {self.hidden!r}")
        put(self, "hidden", tuple(check_int("hidden layer size", h, 1, MAX_HIDDEN_UNITS) for h in hidden))
        put(self, "activation", _choice("activation", self.activation, ACTIVATIONS))
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be true or false, not {self.bias!r}")
        put(self, "bias", bool(self.bias))
        put(self, "loss", _choice("loss", self.loss, LOSSES))
        put(self, "optimizer", _choice("optimizer", self.optimizer, OPTIMIZERS))
        put(self, "lr", _float("lr", self.lr, 0.0, None, low_open=True))
        if np.float32(self.lr) == 0:
            raise ValueError(
                f"lr must be at least {MIN_LR:.2g}, not {self.lr!r}: a smaller learning rate is 0 in "
                "float32, the precision the engine trains in, and would change nothing"
            )
        put(self, "momentum", _float("momentum", self.momentum, 0.0, 1.0, high_open=True))
        put(self, "beta1", _float("beta1", self.beta1, 0.0, 1.0, high_open=True))
        put(self, "beta2", _float("beta2", self.beta2, 0.0, 1.0, high_open=True))
        if self.batch_size is not None:
            put(self, "batch_size", check_int("batch_size", self.batch_size, 1))
        put(self, "seed", check_int("seed", self.seed, 0, 2**63 - 1))
        put(self, "init", _init_tuple(self.init))
        put(self, "task", _choice("task", self.task, TASKS))
        if MODELS[self.model].task != self.task:
            raise ValueError(f"model {self.model} is a {MODELS[self.model].task} model, not a {self.task} model")
        if self.task not in LOSSES[self.loss].tasks:
            raise ValueError(f"loss {self.loss} is not a {self.task} loss")
        put(self, "classes", check_int("classes", self.classes, 2, MAX_CLASSES))
        features = self.features
        if isinstance(features, str) or not isinstance(features, (list, tuple)) or not features:
            raise ValueError(f"features must list one or more of {', '.join(FEATURES)}, not {self.features!r}")
        features = tuple(_choice("feature", f, FEATURES) for f in features)
        if len(set(features)) != len(features):
            raise ValueError("features must not repeat a feature")
        put(self, "features", tuple(f for f in FEATURES if f in features))  # in the table's order
        put(self, "regularization", _choice("regularization", self.regularization, REGULARIZATIONS))
        put(self, "regularization_rate", _float("regularization_rate", self.regularization_rate, 0.0, None))
        put(self, "test_fraction", _float("test_fraction", self.test_fraction, 0.0, MAX_TEST_FRACTION))

    def to_dict(self) -> dict:
        """Return the configuration as a JSON-able dict (``init`` as ``{name: nested lists}``)."""
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        d["features"] = list(self.features)
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

    def model_key(self) -> tuple:
        """What determines the model's shape and function (kind, degree, layers, activation, bias;
        a classifier's features, classes and the head its loss needs)."""
        key = (self.model, *(getattr(self, field) for field in MODELS[self.model].fields))
        return key + (self.loss,) if self.task == "classification" else key

    def loss_key(self) -> tuple:
        """What, besides the model, its parameters and the points, determines the training loss:
        the loss, its penalty, and which points are held out for testing."""
        return (self.loss, self.regularization, self.regularization_rate, self.test_fraction, self.seed)

    def _parameter_key(self):
        """What determines the parameters: a change here needs fresh parameters."""
        return (self.model_key(), self.loss, self.seed, self.init)

    def resets_parameters(self, other: Config) -> bool:
        """Whether going from this configuration to ``other`` needs fresh parameters.

        True when the model, its shape, the loss, the seed or the initial parameters
        change; False for the optimizer and its hyperparameters (learning rate,
        momentum, betas), the batch size, the regularization and the test fraction,
        which apply at the next step.
        """
        return self._parameter_key() != other._parameter_key()
