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
    "FEATURES",
    "LOSSES",
    "MLP",
    "MODELS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "TASKS",
    "Classifier",
    "CurveModel",
    "Linear",
    "LossChoice",
    "ModelKind",
    "OptimizerChoice",
    "PlaneModel",
    "Polynomial",
    "Regularized",
    "ShuffleSampler",
    "SigmoidNeuron",
    "build_loss",
    "build_model",
    "build_optimizer",
    "class_probabilities",
    "full_batch_epoch",
    "loss_source",
    "minibatch_epoch",
    "model_data",
    "penalized_weights",
    "plane_features",
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


# ------------------------------------------------------------------------------------ classification
# Points in the plane (x₁, x₂) with a class 0 … K−1. The features are TensorFlow Playground's.


def plane_features(x, features):
    """The chosen input features of points ``x`` (N, 2), one column each, in the order of ``features``."""
    if tuple(features) == ("x1", "x2"):
        return x
    x1, x2 = x[:, 0:1], x[:, 1:2]
    columns = []
    for name in features:
        if name == "x1":
            columns.append(x1)
        elif name == "x2":
            columns.append(x2)
        elif name == "x1^2":
            columns.append(x1 * x1)
        elif name == "x2^2":
            columns.append(x2 * x2)
        elif name == "x1*x2":
            columns.append(x1 * x2)
        elif name == "sin(x1)":
            columns.append(torch.sin(x1))
        elif name == "sin(x2)":
            columns.append(torch.sin(x2))
        else:
            raise ValueError(f"unknown feature {name!r}")
    return torch.cat(columns, dim=1)


class Classifier(nn.Module):
    """(x₁, x₂) → features → [Linear → activation] per hidden layer → Linear: class scores.

    One output scores class 1 against class 0 (with ``sigmoid`` the model outputs its probability
    σ(score)); K outputs are the K classes' logits (softmax turns them into probabilities). Without
    hidden layers it is logistic regression (one output) or softmax regression (K outputs).
    """

    def __init__(self, features=("x1", "x2"), hidden=(), activation="tanh", outputs=1, sigmoid=False):
        super().__init__()
        self.features = tuple(features)
        self.activation = getattr(torch, activation)
        self.n_hidden = len(hidden)
        self.sigmoid = sigmoid
        width = len(self.features)
        for i, units in enumerate(hidden, start=1):
            setattr(self, f"hidden{i}", nn.Linear(width, units))
            width = units
        self.output = nn.Linear(width, outputs)

    def forward(self, x):
        return self.head(self.hidden_outputs(x)[-1])

    def hidden_outputs(self, x):
        """The features, then each hidden layer's activations, at the points ``x``."""
        outputs = [plane_features(x, self.features)]
        for i in range(1, self.n_hidden + 1):
            outputs.append(self.activation(getattr(self, f"hidden{i}")(outputs[-1])))
        return outputs

    def head(self, h):
        z = self.output(h)
        return torch.sigmoid(z) if self.sigmoid else z


def penalized_weights(model):
    """The parameters a regularization penalty applies to: the weights, not the biases."""
    return [p for name, p in model.named_parameters() if name == "w" or name.endswith("weight")]


class Regularized(nn.Module):
    """The loss plus a penalty on the weights: rate·Σ|w| (L1) or rate·Σw² (L2)."""

    def __init__(self, loss_fn, weights, kind, rate):
        super().__init__()
        self.loss_fn = loss_fn
        self.weights = list(weights)
        self.kind = kind
        self.rate = rate

    def term(self, w):
        """Each weight's share of the penalty: |w| (L1) or w² (L2)."""
        return w.abs() if self.kind == "l1" else w * w

    def penalty(self, weights):
        return sum(self.term(w).sum() for w in weights)

    def forward(self, output, target):
        loss = self.loss_fn(output, target)
        return loss + self.rate * self.penalty(self.weights)


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
EXPORTED = (
    Linear,
    Polynomial,
    SigmoidNeuron,
    MLP,
    plane_features,
    Classifier,
    penalized_weights,
    Regularized,
    ShuffleSampler,
    full_batch_epoch,
    minibatch_epoch,
)


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
    task : {"regression", "classification"}
        What it learns: y from x, or the class of a point in the plane.
    losses : tuple of str or None
        The losses it trains with (None: any loss of its task).
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
    task: str = "regression"
    losses: tuple | None = None

    def source(self, config) -> str:
        """The constructor call, as Python source."""
        return _call_source(self.module.__name__, self.arguments(config))


@dataclass(frozen=True)
class LossChoice:
    """A loss of the chooser: an ``nn`` loss class and its options.

    ``tasks`` are the tasks it serves; a classification loss takes the classes as indices
    (``class_indices``: cross-entropy over K logits) or as 0/1 targets of one output (``binary``).
    """

    title: str
    name: str
    options: tuple = ()
    needs_probabilities: bool = False
    tasks: tuple = ("regression",)
    class_indices: bool = False
    binary: bool = False

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
    "logistic": ModelKind(
        "Logistic regression",
        "Logistic regression  ŷ = σ(w·x + b)",
        lambda c: f"ŷ = σ(w·[{feature_labels(c.features)}] + b)",
        Classifier,
        lambda c: classifier_arguments(c, ()),
        ("features",),
        probabilities=True,
        features=lambda c: "[" + feature_labels(c.features) + "]",
        task="classification",
        losses=("bce", "bce-logits"),
    ),
    "softmax": ModelKind(
        "Softmax regression",
        "Softmax regression  ŷ = softmax(W·x + b)",
        lambda c: f"ŷ = softmax(W·[{feature_labels(c.features)}] + b), {c.classes} classes",
        Classifier,
        lambda c: classifier_arguments(c, ()),
        ("features", "classes"),
        features=lambda c: "[" + feature_labels(c.features) + "]",
        task="classification",
        losses=("cross-entropy",),
    ),
    "classifier": ModelKind(
        "MLP classifier",
        "Neural network classifier (MLP)",
        lambda c: (
            f"{' → '.join(str(n) for n in (len(c.features), *c.hidden, classifier_outputs(c)))}, {c.activation}"
            + (", σ" if c.loss == "bce" else "")
        ),
        Classifier,
        lambda c: classifier_arguments(c, tuple(c.hidden), c.activation),
        ("features", "hidden", "activation", "classes"),
        probabilities=True,
        features=lambda c: "[" + feature_labels(c.features) + "]",
        task="classification",
    ),
}

#: The tasks: y from x (points (x, y)), or a class from a point in the plane (points (x₁, x₂, class)).
TASKS = {"regression": "Regression  y = f(x)", "classification": "Classification in the plane"}

#: TensorFlow Playground's input features: name -> label.
FEATURES = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}

#: Penalties on the weights added to the loss.
REGULARIZATIONS = {"none": "None", "l1": "L1  rate·Σ|w|", "l2": "L2  rate·Σw²"}


def feature_labels(features) -> str:
    return ", ".join(FEATURES[name] for name in features)


def classifier_outputs(config) -> int:
    """One output for the binary losses, one per class for cross-entropy."""
    return config.classes if LOSSES[config.loss].class_indices else 1


def classifier_arguments(config, hidden, activation="tanh") -> dict:
    arguments = {"features": tuple(config.features), "hidden": hidden}
    if hidden:
        arguments["activation"] = activation
    arguments["outputs"] = classifier_outputs(config)
    arguments["sigmoid"] = LOSSES[config.loss].needs_probabilities
    return arguments


#: MLP activations: the key is the function's name in ``torch``.
ACTIVATIONS = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid"}

LOSSES = {
    "mse": LossChoice("Mean squared error", "MSELoss"),
    "mae": LossChoice("Mean absolute error", "L1Loss"),
    "huber": LossChoice("Huber", "HuberLoss"),
    "bce": LossChoice(
        "Binary cross-entropy", "BCELoss", needs_probabilities=True, tasks=("regression", "classification"), binary=True
    ),
    "sse": LossChoice("Sum of squared errors", "MSELoss", (("reduction", "sum"),)),
    "bce-logits": LossChoice(
        "Binary cross-entropy with logits", "BCEWithLogitsLoss", tasks=("classification",), binary=True
    ),
    "cross-entropy": LossChoice("Cross-entropy", "CrossEntropyLoss", tasks=("classification",), class_indices=True),
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


def build_loss(config, model=None) -> nn.Module:
    """The configured loss; with ``model`` and a regularization, plus its penalty on the model's weights."""
    loss_fn = LOSSES[config.loss].build()
    if model is None or config.regularization == "none":
        return loss_fn
    return Regularized(loss_fn, penalized_weights(model), config.regularization, config.regularization_rate)


def loss_source(config, model="model") -> str:
    """The loss's constructor call as Python source (with its penalty, as :func:`build_loss` builds it)."""
    source = LOSSES[config.loss].source()
    if config.regularization == "none":
        return source
    return (
        f"Regularized({source}, penalized_weights({model}), {config.regularization!r}, {config.regularization_rate!r})"
    )


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


# ------------------------------------------------------------------------------------ classification data


def model_data(config, points):
    """The model's inputs and targets for ``points``, as float32 tensors (class indices as int64).

    Regression: x (N, 1) and y (N, 1) from (x, y) rows. Classification: (x₁, x₂) (N, 2) and the
    classes from (x₁, x₂, class) rows, as 0/1 targets (N, 1) for the binary losses or as indices
    (N,) for cross-entropy.
    """
    points = np.asarray(points, dtype=np.float64)
    if config.task == "regression":
        return as_inputs(points[:, 0]), torch.from_numpy(np.ascontiguousarray(points[:, 1:2], dtype=np.float32))
    points = points.reshape(-1, 3)
    inputs = torch.from_numpy(np.ascontiguousarray(points[:, :2], dtype=np.float32))
    if LOSSES[config.loss].class_indices:
        return inputs, torch.from_numpy(np.ascontiguousarray(points[:, 2], dtype=np.int64))
    return inputs, torch.from_numpy(np.ascontiguousarray(points[:, 2:3], dtype=np.float32))


def class_probabilities(output, sigmoid) -> torch.Tensor:
    """Each class's probability (N, K) from a classifier's output: σ for one output (unless the
    model applied it already), softmax for K."""
    if output.shape[1] == 1:
        p = output if sigmoid else torch.sigmoid(output)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(output, dim=1)


class PlaneModel:
    """A classifier of a snapshot evaluated under ``no_grad`` at many points of the plane: the
    decision surface and each hidden neuron's activation (see :class:`CurveModel`)."""

    def __init__(self):
        self._key = None
        self._model = None

    def _load(self, config, params):
        key = config.model_key()
        if key != self._key:
            self._model = build_model(config)
            self._key = key
        self._model.load_state_dict({name: np.asarray(value, dtype=np.float32) for name, value in params.items()})
        return self._model

    def probabilities(self, config, params, xy) -> np.ndarray:
        """Each class's probability (N, K) at the points ``xy`` (N, 2); float64."""
        model = self._load(config, params)
        inputs = torch.from_numpy(np.ascontiguousarray(np.asarray(xy, dtype=np.float32).reshape(-1, 2)))
        with torch.no_grad(), np.errstate(all="ignore"):
            p = class_probabilities(model(inputs), model.sigmoid)
        return p.numpy().astype(np.float64)

    def hidden(self, config, params, xy) -> list:
        """Each hidden layer's activations (N, units) at the points ``xy``; float64."""
        model = self._load(config, params)
        inputs = torch.from_numpy(np.ascontiguousarray(np.asarray(xy, dtype=np.float32).reshape(-1, 2)))
        with torch.no_grad(), np.errstate(all="ignore"):
            outputs = model.hidden_outputs(inputs)[1:]
        return [h.numpy().astype(np.float64) for h in outputs]
