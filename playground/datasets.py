"""Points in the plane with classes: generators and the train/test split. Qt-free.

A classification data set is an (N, 3) float64 array of rows (x₁, x₂, class), the class a whole
number 0 … K−1. The generators draw TensorFlow Playground's data sets (circle, XOR, Gaussians,
spiral, moons) in the square [−6, 6]² from a point count, a noise level (the standard deviation
of Gaussian noise added to each coordinate) and a seed, so the same arguments give the same points.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "GENERATORS",
    "MAX_POINTS",
    "PLANE_RANGE",
    "Generator",
    "as_class_points",
    "generate",
    "test_mask",
    "training_points",
]

#: The plane the generators draw in and the views show by default: [−6, 6]².
PLANE_RANGE = (-6.0, 6.0)
MAX_POINTS = 100_000


def _circle(n, noise, rng, classes):
    """Class 1 inside a disc of radius 2.5, class 0 in a ring from 3.5 to 5."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0.0, 2.5, inner), rng.uniform(3.5, 5.0, n - inner)])
    angle = rng.uniform(0.0, 2 * math.pi, n)
    labels = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return xy + noise * rng.standard_normal((n, 2)), labels


def _xor(n, noise, rng, classes):
    """Class 1 where x₁ and x₂ have the same sign, class 0 where they differ."""
    xy = rng.uniform(-5.0, 5.0, (n, 2))
    xy += np.where(xy >= 0, 0.3, -0.3)  # a gap along the axes
    labels = (xy[:, 0] * xy[:, 1] > 0).astype(np.float64)
    return xy + noise * rng.standard_normal((n, 2)), labels


def _gaussians(n, noise, rng, classes):
    """One round cloud per class, the clouds' centres 2.5·√2 from the origin, evenly around it."""
    labels = np.arange(n) % classes
    angle = math.pi / 4 + math.pi + 2 * math.pi * labels / classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + (1.0 + noise) * rng.standard_normal((n, 2)), labels.astype(np.float64)


def _spiral(n, noise, rng, classes):
    """One arm per class, winding out from the origin."""
    labels = np.arange(n) % classes
    t = rng.uniform(0.0, 1.0, n)
    radius = 5.0 * t
    angle = 1.75 * 2 * math.pi * t + 2 * math.pi * labels / classes
    xy = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return xy + noise * rng.standard_normal((n, 2)), labels.astype(np.float64)


def _moons(n, noise, rng, classes):
    """Two interleaved half circles (class 0 above, class 1 below)."""
    labels = (np.arange(n) % 2).astype(np.float64)
    t = rng.uniform(0.0, math.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    xy = np.where(labels[:, None] == 0, upper, lower)
    xy = 3.0 * (xy - [0.5, 0.25])
    return xy + noise * rng.standard_normal((n, 2)), labels


def checked_draw(n_points, noise, seed) -> tuple:
    """A point count, noise and seed to draw points with, as (int, float, int); ValueError saying
    what is wrong otherwise."""
    if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral) or not 1 <= n_points <= MAX_POINTS:
        raise ValueError(f"the point count must be a whole number from 1 to {MAX_POINTS}, not {n_points!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"the noise must be a finite number ≥ 0, not {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        raise ValueError(f"the seed must be a whole number ≥ 0, not {seed!r}")
    return int(n_points), float(noise), int(seed)


class Generator:
    """A data set of the Data dock's generator.

    Attributes
    ----------
    name, title : str
    n_points : int
        Default point count.
    noise : float
        Default noise (standard deviation added to each coordinate).
    classes : tuple of int
        The class counts it can draw.
    """

    def __init__(self, name, title, draw, n_points, noise, classes=(2,)):
        self.name = name
        self.title = title
        self._draw = draw
        self.n_points = n_points
        self.noise = noise
        self.classes = classes

    def __call__(self, n_points=None, noise=None, seed=0, classes=None) -> np.ndarray:
        """The points (N, 3): x₁, x₂, class; see :func:`generate`."""
        n_points = self.n_points if n_points is None else n_points
        noise = self.noise if noise is None else noise
        classes = self.classes[0] if classes is None else classes
        n_points, noise, seed = checked_draw(n_points, noise, seed)
        if classes not in self.classes:
            counts = " or ".join(str(k) for k in self.classes)
            raise ValueError(f"the {self.title.lower()} data set has {counts} classes, not {classes!r}")
        rng = np.random.default_rng(int(seed))
        xy, labels = self._draw(int(n_points), float(noise), rng, classes)
        return np.column_stack([xy, labels]).astype(np.float64)


GENERATORS = {
    g.name: g
    for g in (
        Generator("circle", "Circle", _circle, 300, 0.3),
        Generator("xor", "XOR", _xor, 300, 0.15),
        Generator("gaussians", "Gaussians", _gaussians, 300, 0.3, classes=(2, 3, 4)),
        Generator("spiral", "Spiral", _spiral, 400, 0.2, classes=(2, 3, 4)),
        Generator("moons", "Moons", _moons, 300, 0.3),
    )
}


def generate(name, n_points=None, noise=None, seed=0, classes=None) -> np.ndarray:
    """Draw the data set ``name`` (a key of :data:`GENERATORS`): (N, 3) rows x₁, x₂, class.

    Raises
    ------
    ValueError
        For an unknown name or an invalid count, noise, seed or class count.
    """
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; the data sets are: {', '.join(GENERATORS)}")
    return GENERATORS[name](n_points, noise, seed, classes)


def test_mask(n_points, fraction, seed) -> np.ndarray:
    """Which of ``n_points`` points are held out for testing: a boolean array, about ``fraction`` true.

    Point i is a test point when the i-th number drawn from the seeded generator is below the
    fraction, so points added at the end leave the others where they were. The split draws from
    its own stream of the seed (not the one the generators draw the points from, which would put
    the test points in one part of the data set).
    """
    if fraction <= 0 or n_points == 0:
        return np.zeros(n_points, dtype=bool)
    stream = np.random.SeedSequence(int(seed), spawn_key=(_SPLIT_STREAM,))
    return np.random.default_rng(stream).random(n_points) < fraction


_SPLIT_STREAM = 1


def training_points(points, config) -> np.ndarray:
    """The points a configuration trains on: all of them for regression; for classification,
    those not held out for testing (see :func:`test_mask`)."""
    if config.task != "classification" or config.test_fraction <= 0:
        return points
    return points[~test_mask(len(points), config.test_fraction, config.seed)]


def as_class_points(values, classes=None) -> np.ndarray:
    """``values`` as a fresh (N, 3) float64 array of finite coordinates and whole class numbers.

    Raises
    ------
    ValueError
        If the shape is wrong, a coordinate is not finite, or a class is not a whole number from
        0 to ``classes`` − 1 (when given; else at least 0).
    """
    points = np.array(values, dtype=np.float64)
    if points.size == 0:
        return np.empty((0, 3), dtype=np.float64)
    if points.ndim == 1 and points.size == 3:
        points = points.reshape(1, 3)
    if points.ndim != 2 or points.shape[1] != 3:
        raise ValueError(f"points in the plane must be (x1, x2, class) rows, not an array of shape {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError("coordinates must be finite numbers (not NaN or infinity)")
    labels = points[:, 2]
    bad = (labels != np.round(labels)) | (labels < 0)
    if classes is not None:
        bad |= labels >= classes
    if bad.any():
        top = "" if classes is None else f" below {classes}"
        raise ValueError(f"a class must be a whole number from 0{top}, not {labels[bad][0]!r}")
    return points
