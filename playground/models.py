"""Every model kind, loss, optimizer and activation the app offers, each defined once. Qt-free.

The model classes, the sampler and the epoch functions below are written in PyTorch's API against
the engine (``import engine as torch``), and the same source serves every use:

* training: :class:`playground.trainer.Trainer` builds them with :func:`build_model`,
  :func:`build_loss` and :func:`build_optimizer` and runs :func:`full_batch_epoch` or
  :func:`minibatch_epoch`;
* the fitted curve: :class:`CurveModel` evaluates the same model under ``no_grad`` on a snapshot's
  parameters, vectorised over the curve's x values;
* the Graph dock: :mod:`playground.tracing` traces a real forward pass of the same model;
* the PyTorch export: :mod:`playground.torch_export` copies this very source into the script,
  where ``torch`` is PyTorch.

So the exported definitions (:data:`EXPORTED`) use only ``torch``, ``nn``, ``math`` and
``random``, as PyTorch has them. Adding a model kind means a class here and a row in
:data:`MODELS`.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import engine as torch
from engine import nn, optim
from playground.coordinates import element_name

__all__ = [
    "ACTIVATIONS",
    "EXPORTED",
    "LOSSES",
    "MLP",
    "MODELS",
    "OPTIMIZERS",
    "CurveModel",
    "Linear",
    "LossChoice",
    "ModelKind",
    "OptimizerChoice",
    "Polynomial",
    "ShuffleSampler",
    "SigmoidNeuron",
    "build_loss",
    "build_model",
    "build_optimizer",
    "full_batch_epoch",
    "minibatch_epoch",
]


# ------------------------------------------------------------------------------------ the models
# Parameter names (w, b, hidden1.weight, …) are what sessions, exports and the views call them.


class Linear(nn.Module):
    """ŷ = x @ w + b: the least-squares model of the tutorials (``X @ W + b``)."""

    def __init__(self, bias=True):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1, 1))
        self.b = nn.Parameter(torch.zeros(1, 1)) if bias else None

    def forward(self, x):
        z = x @ self.w
        return z if self.b is None else z + self.b


class Polynomial(nn.Module):
    """ŷ = b + w[0, 0]·x + w[1, 0]·x² + … + w[d−1, 0]·xᵈ: a linear model of the powers of x."""

    def __init__(self, degree, bias=True):
        super().__init__()
        self.degree = degree
        self.w = nn.Parameter(torch.zeros(degree, 1))
        self.b = nn.Parameter(torch.zeros(1, 1)) if bias else None

    def forward(self, x):
        powers = torch.cat([x] + [x**k for k in range(2, self.degree + 1)], dim=1)
        z = powers @ self.w
        return z if self.b is None else z + self.b


class SigmoidNeuron(Linear):
    """ŷ = σ(x @ w + b): the tutorials' single neuron."""

    def forward(self, x):
        return torch.sigmoid(super().forward(x))


class MLP(nn.Module):
    """x → [Linear → activation] per hidden layer → Linear; the layers are hidden1, …, output."""

    def __init__(self, hidden=(16, 16), activation="tanh"):
        super().__init__()
        self.activation = getattr(torch, activation)
        self.n_hidden = len(hidden)
        width = 1
        for i, units in enumerate(hidden, start=1):
            setattr(self, f"hidden{i}", nn.Linear(width, units))
            width = units
        self.output = nn.Linear(width, 1)

    def forward(self, x):
        for i in range(1, self.n_hidden + 1):
            x = self.activation(getattr(self, f"hidden{i}")(x))
        return self.output(x)


# ------------------------------------------------------------------------------------ training


class ShuffleSampler:
    """A new random order of the points every epoch, from Python's ``random`` (its state is JSON-able)."""

    def __init__(self, n_points, rng):
        self.n_points = n_points
        self.rng = rng

    def __iter__(self):
        order = list(range(self.n_points))
        self.rng.shuffle(order)
        return iter(order)

    def __len__(self):
        return self.n_points


def full_batch_epoch(model, loss_fn, optimizer, x, y):
    """One epoch on all the points, the tutorials' loop body; returns the loss before the step.

    A NaN or infinite loss is returned without a step, so the parameters keep their last finite values.
    """
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    value = loss.item()
    if math.isfinite(value):
        optimizer.step()
    return value


def minibatch_epoch(model, loss_fn, optimizer, loader, n_points, summed):
    """One shuffled pass over the points, a step per batch; returns the epoch's loss.

    The epoch's loss is the mean over the points of the losses computed before each step (their
    sum when ``summed``); a NaN or infinite batch loss ends the epoch without its step.
    """
    total = 0.0
    for batch_x, batch_y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(batch_x), batch_y)
        loss.backward()
        value = loss.item()
        if not math.isfinite(value):
            return value
        optimizer.step()
        total += value if summed else value * len(batch_y)
    return total if summed else total / n_points


#: What the PyTorch export copies, in order (a class's bases before it).
EXPORTED = (Linear, Polynomial, SigmoidNeuron, MLP, ShuffleSampler, full_batch_epoch, minibatch_epoch)


# ------------------------------------------------------------------------------------ the tables


def _call_source(name, arguments):
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


@dataclass(frozen=True)
class ModelKind:
    """A model kind of the Model panel's chooser.

    Attributes
    ----------
    name : str
        Its short name (undo texts, messages).
    title : str
        What the chooser shows.
    formula : callable
        ``config -> str``: the configured model as the learner reads it (ŷ = …).
    module : type
        The ``nn.Module`` class above.
    arguments : callable
        ``config -> {keyword: value}`` for the class's constructor.
    fields : tuple of str
        The configuration fields that shape the model (the Model panel shows their rows).
    probabilities : bool
        The outputs lie between 0 and 1 (what binary cross-entropy needs).
    features : callable or None
        ``config -> label`` of the features the model computes from x without gradients (they
        enter its graph as one data leaf, drawn with this label).
    linear_in_parameters : bool
        ŷ is a linear function of the parameters (no offset), so under squared error the loss
        has an exact least-squares minimum.
    """

    name: str
    title: str
    formula: Callable
    module: type
    arguments: Callable
    fields: tuple = ()
    probabilities: bool = False
    features: Callable | None = None
    linear_in_parameters: bool = False

    def source(self, config) -> str:
        """The constructor call, as Python source."""
        return _call_source(self.module.__name__, self.arguments(config))


@dataclass(frozen=True)
class LossChoice:
    """A loss of the chooser: an ``nn`` loss class and its options."""

    title: str
    name: str
    options: tuple = ()
    needs_probabilities: bool = False

    @property
    def summed(self) -> bool:
        """The loss adds over the points instead of averaging."""
        return dict(self.options).get("reduction") == "sum"

    @property
    def squared_error(self) -> bool:
        """The loss is the mean or the sum of squared errors (least squares minimises it)."""
        return self.name == "MSELoss"

    def build(self):
        return getattr(nn, self.name)(**dict(self.options))

    def build_per_point(self):
        """The same loss without its reduction (``reduction="none"``): one value per output element.

        Its mean over the points (its sum, when :attr:`summed`) is the loss.
        """
        return getattr(nn, self.name)(**{**dict(self.options), "reduction": "none"})

    def source(self) -> str:
        return _call_source(f"nn.{self.name}", dict(self.options))


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer of the chooser: a ``torch.optim`` class and its settings from the configuration.

    Attributes
    ----------
    title : str
    name : str
        The class in ``optim``.
    settings : callable
        ``config -> {hyperparameter: value}``; they change between steps without a reset.
    fields : tuple of str
        The configuration fields it reads besides ``lr`` (the Model panel shows their boxes).
    rule : str
        Its update rule, as the Parameters panel shows it.
    """

    title: str
    name: str
    settings: Callable
    fields: tuple = ()
    rule: str = ""

    def build(self, parameters, config):
        return getattr(optim, self.name)(parameters, **self.settings(config))

    def source(self, config, parameters="model.parameters()") -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.settings(config).items())
        return f"optim.{self.name}({parameters}, {arguments})"


def _power(k):
    return "x" if k == 1 else "x" + str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


#: RMSprop's smoothing constant (PyTorch's default ``alpha``).
RMSPROP_ALPHA = 0.99


def _affine(template):
    return lambda c: template if c.bias else template.replace(" + b", "")


def _polynomial_formula(c):
    # The weights spelled as the Parameters dock and the exports spell them (w has shape (degree, 1)).
    terms = [f"{element_name('w', (c.degree, 1), (k, 0))}·{_power(k + 1)}" for k in range(min(c.degree, 3))]
    if c.degree > 3:
        terms.append(f"… + {element_name('w', (c.degree, 1), (c.degree - 1, 0))}·{_power(c.degree)}")
    return "ŷ = " + ("b + " if c.bias else "") + " + ".join(terms)


MODELS = {
    "linear": ModelKind(
        "Linear",
        "Linear  ŷ = w·x + b",
        _affine("ŷ = w·x + b"),
        Linear,
        lambda c: {"bias": c.bias},
        ("bias",),
        linear_in_parameters=True,
    ),
    "polynomial": ModelKind(
        "Polynomial",
        "Polynomial  ŷ = b + w[0, 0]·x + … + w[d−1, 0]·xᵈ",
        _polynomial_formula,
        Polynomial,
        lambda c: {"degree": c.degree, "bias": c.bias},
        ("degree", "bias"),
        features=lambda c: "[" + ", ".join(_power(k) for k in range(1, c.degree + 1)) + "]",
        linear_in_parameters=True,
    ),
    "sigmoid": ModelKind(
        "Sigmoid neuron",
        "Sigmoid neuron  ŷ = σ(w·x + b)",
        _affine("ŷ = σ(w·x + b)"),
        SigmoidNeuron,
        lambda c: {"bias": c.bias},
        ("bias",),
        probabilities=True,
    ),
    "mlp": ModelKind(
        "MLP",
        "Neural network (MLP)",
        lambda c: f"{' → '.join(str(n) for n in (1, *c.hidden, 1))}, {c.activation}",
        MLP,
        lambda c: {"hidden": tuple(c.hidden), "activation": c.activation},
        ("hidden", "activation"),
    ),
}

#: MLP activations: the key is the function's name in ``torch``.
ACTIVATIONS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid"}

LOSSES = {
    "mse": LossChoice("Mean squared error", "MSELoss"),
    "mae": LossChoice("Mean absolute error", "L1Loss"),
    "huber": LossChoice("Huber", "HuberLoss"),
    "bce": LossChoice("Binary cross-entropy", "BCELoss", needs_probabilities=True),
    "sse": LossChoice("Sum of squared errors", "MSELoss", (("reduction", "sum"),)),
}

OPTIMIZERS = {
    "sgd": OptimizerChoice("SGD", "SGD", lambda c: {"lr": c.lr}, (), "p ← p − lr·g"),
    "momentum": OptimizerChoice(
        "SGD with momentum",
        "SGD",
        lambda c: {"lr": c.lr, "momentum": c.momentum},
        ("momentum",),
        "v ← μ·v + g;  p ← p − lr·v",
    ),
    "nesterov": OptimizerChoice(
        "SGD with Nesterov momentum",
        "SGD",
        # Nesterov momentum needs a nonzero momentum; with zero it is plain SGD.
        lambda c: {"lr": c.lr, "momentum": c.momentum, "nesterov": c.momentum > 0},
        ("momentum",),
        "v ← μ·v + g;  p ← p − lr·(g + μ·v)",
    ),
    "adam": OptimizerChoice(
        "Adam",
        "Adam",
        lambda c: {"lr": c.lr, "betas": (c.beta1, c.beta2)},
        ("beta1", "beta2"),
        "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m/(√v + ε), m and v bias-corrected",
    ),
    "rmsprop": OptimizerChoice(
        "RMSprop",
        "RMSprop",
        lambda c: {"lr": c.lr, "alpha": RMSPROP_ALPHA},
        (),
        "v ← α·v + (1−α)g²;  p ← p − lr·g/(√v + ε)",
    ),
    "adagrad": OptimizerChoice("Adagrad", "Adagrad", lambda c: {"lr": c.lr}, (), "s ← s + g²;  p ← p − lr·g/(√s + ε)"),
}


# ------------------------------------------------------------------------------------ building

# Building an MLP draws its initial weights from the engine's global generator: seeding and
# drawing happen under one lock, so models built on different threads never interleave draws.
_BUILD_LOCK = threading.Lock()


def build_model(config) -> nn.Module:
    """A fresh model of ``config``'s kind with its seeded initial parameters (before ``config.init``)."""
    kind = MODELS[config.model]
    with _BUILD_LOCK:
        torch.manual_seed(config.seed)
        return kind.module(**kind.arguments(config))


def build_loss(config) -> nn.Module:
    return LOSSES[config.loss].build()


def build_optimizer(config, parameters):
    return OPTIMIZERS[config.optimizer].build(parameters, config)


def new_shuffle_rng(seed) -> random.Random:
    """The minibatch shuffle's random number generator, seeded as the trainer and the export seed it."""
    return random.Random(seed)


# ------------------------------------------------------------------------------------ evaluation


def as_inputs(xs) -> torch.Tensor:
    """The model input for x values ``xs``: a float32 column, shape (N, 1)."""
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float32 range: inf, shown as divergence
        column = np.asarray(xs, dtype=np.float64).astype(np.float32).reshape(-1, 1)
    return torch.from_numpy(np.ascontiguousarray(column))


class CurveModel:
    """The model of a snapshot, evaluated under ``no_grad`` at many x values: the fitted curve.

    Keeps a model of its own per model shape and loads each snapshot's parameters into it, so it
    never touches the objects the training thread is using.
    """

    def __init__(self):
        self._key = None
        self._model = None

    def __call__(self, config, params, xs) -> np.ndarray:
        """ŷ at ``xs`` (1-D) for ``config``'s model with ``params`` (name -> array); float64."""
        key = config.model_key()
        if key != self._key:
            self._model = build_model(config)
            self._key = key
        model = self._model
        model.load_state_dict({name: np.asarray(value, dtype=np.float32) for name, value in params.items()})
        with torch.no_grad(), np.errstate(all="ignore"):
            out = model(as_inputs(xs))
        return out.numpy().astype(np.float64).reshape(-1)
