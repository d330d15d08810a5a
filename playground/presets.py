"""Ready-made lessons: points plus a model, loss and optimizer to start from.

Three presets replay the tutorials exactly (``linear-regression``, ``single-weight``,
``sigmoid-neuron``); four generate data from a point count, a noise level and a seed
(``noisy-line``, ``quadratic``, ``sine``, ``step``); five classify points in the plane
(``circle``, ``xor``, ``gaussians``, ``spiral``, ``moons``, from :mod:`playground.datasets`),
each with a model and optimizer that learn them and 30 % of the points held out for testing.
Qt-free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from playground.config import Config
from playground.datasets import GENERATORS, checked_draw, generate

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "load_preset"]


@dataclass(frozen=True, eq=False)
class Preset:
    """A lesson: points and a configuration to train them with.

    Attributes
    ----------
    name : str
        The identifier used on the command line (``--preset NAME``).
    title : str
        Menu text.
    description : str
        One or two sentences on what the preset shows.
    config : Config
    points : np.ndarray
        Read-only, shape (N, 2), columns x and y; or (N, 3), columns x1, x2 and class, for
        a classification preset.
    generated : bool
        True if the points are generated from ``n_points``, ``noise`` and ``seed``.
    noise : float or None
        Noise level of generated points (standard deviation, or label-flip spread for ``step``).
    seed : int or None
        Seed of generated points (also the config's seed).
    """

    name: str
    title: str
    description: str
    config: Config
    points: np.ndarray
    generated: bool = False
    noise: float | None = None
    seed: int | None = None

    @property
    def n_points(self) -> int:
        """Number of points."""
        return len(self.points)


def _frozen(points, width=2):
    a = np.array(points, dtype=np.float64).reshape(-1, width)
    a.flags.writeable = False
    return a


# -- the tutorial presets ----------------------------------------------------------------


def _linear_regression():
    return Preset(
        name="linear-regression",
        title="Linear regression",
        description=(
            "Fit ŷ = w·x + b to (1, 3), (2, 5), (3, 7), (4, 9) from w = b = 0 with mean squared "
            "error and SGD (learning rate 0.001). The first step shows loss 41, w.grad −35 and "
            "b.grad −12; after 200 epochs w ≈ 2.02 and b ≈ 0.71."
        ),
        config=Config(model="linear", loss="mse", optimizer="sgd", lr=0.001, init=(("w", ((0.0,),)), ("b", ((0.0,),)))),
        points=_frozen([[1, 3], [2, 5], [3, 7], [4, 9]]),
    )


def _single_weight():
    return Preset(
        name="single-weight",
        title="Single weight",
        description=(
            "One point (x = 1, y = 2) and one weight: ŷ = w·x from w = 1, squared error, "
            "learning rate 0.01. The first step shows loss 1 and w.grad −2, then w = 1.02."
        ),
        config=Config(model="linear", bias=False, loss="sse", optimizer="sgd", lr=0.01, init=(("w", ((1.0,),)),)),
        points=_frozen([[1, 2]]),
    )


def _sigmoid_neuron():
    # The tutorial's neuron z = W·x + b, ŷ = σ(z) with x = 30, W = 40, b = 50 saturates σ
    # (z = 1250); scaled down by 100 (x = 0.3, W = 0.4, b = 0.5) its gradients are alive.
    xs = np.array([-3.0, -2.0, -1.0, -0.5, 0.3, 1.0, 2.0, 3.0])
    ys = np.round(1.0 / (1.0 + np.exp(-(1.5 * xs - 0.5))), 2)
    return Preset(
        name="sigmoid-neuron",
        title="Sigmoid neuron",
        description=(
            "One neuron z = w·x + b, ŷ = σ(z), starting from w = 0.4, b = 0.5 (the tutorial's "
            "neuron, scaled so that σ does not saturate), trained with mean squared error."
        ),
        config=Config(model="sigmoid", loss="mse", optimizer="sgd", lr=0.5, init=(("w", ((0.4,),)), ("b", ((0.5,),)))),
        points=_frozen(np.column_stack([xs, ys])),
    )


# -- generated presets -------------------------------------------------------------------


def _noisy_line(n_points, noise, seed):
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(-5.0, 5.0, n_points))
    ys = 0.8 * xs + 2.0 + noise * rng.standard_normal(n_points)
    return np.column_stack([xs, ys]), Config(model="linear", loss="mse", optimizer="sgd", lr=0.01, seed=seed)


def _quadratic(n_points, noise, seed):
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(-3.0, 3.0, n_points))
    ys = 0.5 * xs**2 - xs - 1.0 + noise * rng.standard_normal(n_points)
    return np.column_stack([xs, ys]), Config(
        model="polynomial", degree=2, loss="mse", optimizer="sgd", lr=0.01, seed=seed
    )


def _sine(n_points, noise, seed):
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(-math.pi, math.pi, n_points))
    ys = np.sin(xs) + noise * rng.standard_normal(n_points)
    return np.column_stack([xs, ys]), Config(
        model="mlp", hidden=(16, 16), activation="tanh", loss="mse", optimizer="adam", lr=0.01, seed=seed
    )


def _step(n_points, noise, seed):
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(-4.0, 4.0, n_points))
    ys = (xs + noise * rng.standard_normal(n_points) > 0.5).astype(np.float64)
    return np.column_stack([xs, ys]), Config(model="sigmoid", loss="bce", optimizer="sgd", lr=0.1, seed=seed)


_GENERATED = {
    # name: (title, description, generator, default point count, default noise)
    "noisy-line": (
        "Noisy line",
        "Points scattered around y = 0.8x + 2; a linear model, mean squared error, SGD.",
        _noisy_line,
        40,
        1.0,
    ),
    "quadratic": (
        "Quadratic",
        "Points around y = 0.5x² − x − 1; a degree-2 polynomial, mean squared error, SGD.",
        _quadratic,
        40,
        0.5,
    ),
    "sine": (
        "Sine",
        "Points around y = sin(x); a neural network with two hidden layers of 16 tanh units, Adam.",
        _sine,
        60,
        0.1,
    ),
    "step": (
        "Step (logistic)",
        "0/1 labels that switch near x = 0.5; a sigmoid neuron with binary cross-entropy (logistic regression).",
        _step,
        40,
        0.5,
    ),
}

# -- classification in the plane -----------------------------------------------------------

#: The share of a classification preset's points held out for testing.
TEST_FRACTION = 0.3


def _classifier(name, loss, hidden, lr, features=("x1", "x2"), model="classifier", l2=0.0):
    def make(n_points, noise, seed):
        config = Config(
            task="classification",
            model=model,
            hidden=hidden or (8,),
            activation="tanh",
            features=features,
            loss=loss,
            optimizer="adam",
            lr=lr,
            seed=seed,
            test_fraction=TEST_FRACTION,
            regularization="l2" if l2 else "none",
            regularization_rate=l2,
        )
        return generate(name, n_points, noise, seed), config

    return make


_CLASSIFICATION = {
    # name: (description, generator)
    "circle": (
        "Class 1 inside a disc, class 0 in a ring around it; a 2→8→8→1 tanh network with a sigmoid "
        "output, binary cross-entropy, Adam. Try logistic regression with the x₁² and x₂² features.",
        _classifier("circle", "bce", (8, 8), 0.03),
    ),
    "xor": (
        "Class 1 where x₁ and x₂ have the same sign; a 2→8→8→1 tanh network, binary cross-entropy "
        "with logits plus an L2 penalty of 0.001·Σw², Adam. Logistic regression learns it from the "
        "x₁x₂ feature alone.",
        _classifier("xor", "bce-logits", (8, 8), 0.03, l2=0.001),
    ),
    "gaussians": (
        "Two round clouds; logistic regression ŷ = σ(w·x + b) with binary cross-entropy draws the line between them.",
        _classifier("gaussians", "bce", (), 0.03, model="logistic"),
    ),
    "spiral": (
        "Two interleaved spiral arms; a 2→16→16→1 tanh network, binary cross-entropy with logits, Adam.",
        _classifier("spiral", "bce-logits", (16, 16), 0.03),
    ),
    "moons": (
        "Two interleaved half moons; a 2→8→8→2 tanh network with softmax, cross-entropy, Adam.",
        _classifier("moons", "cross-entropy", (8, 8), 0.03),
    ),
}

_FIXED = {
    "linear-regression": _linear_regression,
    "single-weight": _single_weight,
    "sigmoid-neuron": _sigmoid_neuron,
}

_ORDER = (
    "linear-regression",
    "single-weight",
    "sigmoid-neuron",
    "noisy-line",
    "quadratic",
    "sine",
    "step",
    *_CLASSIFICATION,
)

DEFAULT_PRESET = "linear-regression"


def load_preset(name: str, n_points: int | None = None, noise: float | None = None, seed: int | None = None) -> Preset:
    """Build a preset, optionally with its own point count, noise and seed.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`' keys.
    n_points, noise, seed : optional
        For generated presets: how many points (1 to 100,000), how much noise (≥ 0) and
        which seed (≥ 0); each defaults to the preset's own. The tutorial presets have
        fixed points and ignore them.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones) or an invalid setting.
    """
    if name in _FIXED:
        return _FIXED[name]()
    if name in _CLASSIFICATION:
        description, make = _CLASSIFICATION[name]
        generator = GENERATORS[name]
        title, default_n, default_noise = generator.title, generator.n_points, generator.noise
    elif name in _GENERATED:
        title, description, make, default_n, default_noise = _GENERATED[name]
    else:
        raise ValueError(f"unknown preset {name!r}; the presets are: {', '.join(_ORDER)}")
    n_points = default_n if n_points is None else n_points
    noise = default_noise if noise is None else noise
    seed = 0 if seed is None else seed
    points, config = make(*checked_draw(n_points, noise, seed))
    return Preset(
        name=name,
        title=title,
        description=description,
        config=config,
        points=_frozen(points, 3 if config.task == "classification" else 2),
        generated=True,
        noise=float(noise),
        seed=int(seed),
    )


#: The presets with their default settings, in menu order.
PRESETS = {name: load_preset(name) for name in _ORDER}
