"""The loss landscape: the loss over one or two parameters while the others hold still. Qt-free.

The surface is the trained model itself, evaluated in batch: for a grid of G parameter values,
:func:`engine.func.stacked_call` runs the model's own forward pass once on a stack of G parameter
sets (in chunks that bound the memory), and the loss, built without its reduction, is averaged
over the points per member of the stack. So a 64×64 grid costs a few large array operations, not
4,096 forward passes, and the surface is exactly the loss the trainer minimises.

Also here: the loss and its gradient at one parameter set (the arrow of steepest descent), the
exact least-squares minimum for models linear in their parameters under squared error, a view
range that follows the optimizer's path, contour lines and colour levels.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

import engine
from engine.func import functional_call, stacked_call
from playground.contours import contour_segments
from playground.coordinates import Coordinate, all_coordinates
from playground.datasets import training_points
from playground.models import LOSSES, MODELS, build_loss, build_model, model_data, penalized_weights
from playground.trainer import Trainer

__all__ = [
    "GRID_SIZE",
    "Grid",
    "LandscapeEvaluator",
    "Surface",
    "arrow_fraction",
    "contour_levels",
    "contour_segments",
    "default_coordinates",
    "follow_range",
    "grid_values",
    "path_on_pixels",
    "placed_config",
    "steepest_slope",
    "surface",
]

#: Grid points along each axis of the Landscape dock.
GRID_SIZE = 64
#: Points of the loss curve when the landscape is over one parameter.
CURVE_SIZE = 256
#: Elements (stack × points × widest layer) of one chunk of a batched evaluation.
CHUNK_ELEMENTS = 1 << 21


def default_coordinates(params: dict) -> tuple:
    """The two coordinates a landscape starts with: the first two scalars (w and b for a line), or the only one."""
    return tuple(all_coordinates(params)[:2])


def grid_values(ranges, size: int) -> list:
    """``size`` evenly spaced values across each ``(low, high)`` range."""
    return [np.linspace(float(lo), float(hi), int(size)) for lo, hi in ranges]


@dataclass(frozen=True, eq=False)
class Grid:
    """The loss over a grid of parameter values.

    Attributes
    ----------
    coordinates : tuple of Coordinate
        One or two.
    axes : tuple of np.ndarray
        The values of each coordinate along its axis.
    losses : np.ndarray
        float64; shape ``(len(axes[1]), len(axes[0]))`` (rows follow the second coordinate) for two
        coordinates, ``(len(axes[0]),)`` for one. NaN or infinite where the loss is.
    seconds : float
        How long the evaluation took.
    """

    coordinates: tuple
    axes: tuple
    losses: np.ndarray
    seconds: float = 0.0

    def argmin(self) -> tuple:
        """The coordinates' values at the grid's lowest finite loss."""
        finite = np.where(np.isfinite(self.losses), self.losses, np.inf)
        index = np.unravel_index(int(np.argmin(finite)), finite.shape)
        return tuple(float(axis[i]) for axis, i in zip(self.axes, reversed(index)))

    def rows(self):
        """``(value, …, loss)`` tuples, the first coordinate varying slowest."""
        if len(self.axes) == 1:
            for x, loss in zip(self.axes[0], self.losses):
                yield float(x), float(loss)
            return
        xs, ys = self.axes
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                yield float(x), float(y), float(self.losses[j, i])


class LandscapeEvaluator:
    """Evaluates the loss of a configuration's model at many parameter values.

    Keeps a model of its own per model shape (it never touches the trainer's), so it may run on a
    thread of its own. Not thread-safe itself: one thread per evaluator.
    """

    def __init__(self):
        self._key = None
        self._model = None

    def _model_for(self, config):
        key = config.model_key()
        if key != self._key:
            self._model = build_model(config)
            self._key = key
        return self._model

    @staticmethod
    def _data(config, points):
        """The inputs and targets of the points the configuration trains on."""
        points = np.asarray(points, dtype=np.float64)
        points = points.reshape(len(points), -1) if points.size else points.reshape(0, 2)
        if points.shape[1] != (3 if config.task == "classification" else 2):
            raise ValueError("the points do not fit the task")
        return model_data(config, training_points(points, config))

    @staticmethod
    def _penalty(config, model):
        """The regularization the trainer adds to the loss (its :class:`~playground.models.Regularized`)
        and the names of the parameters it penalizes; (None, ()) without one."""
        if config.regularization == "none":
            return None, ()
        weights = penalized_weights(model)
        names = tuple(name for name, p in model.named_parameters() if any(p is w for w in weights))
        return build_loss(config, model), names

    def _plus_penalty(self, config, model, loss, tensors):
        """``loss`` plus the penalty on the weights in ``tensors`` (name -> tensor), as training adds it."""
        regularized, names = self._penalty(config, model)
        if regularized is None:
            return loss
        return loss + regularized.rate * regularized.penalty([tensors[name] for name in names])

    @staticmethod
    def _tensors(params, requires_grad=False):
        return {
            name: engine.tensor(np.asarray(value, dtype=np.float32), requires_grad=requires_grad)
            for name, value in params.items()
        }

    # ----------------------------------------------------------------- single points
    def loss_at(self, config, points, params) -> float:
        """The loss of ``config``'s model with ``params`` (name -> array) on ``points``, as training computes it."""
        model = self._model_for(config)
        x, y = self._data(config, points)
        loss_fn = LOSSES[config.loss].build()
        tensors = self._tensors(params)
        with engine.no_grad(), np.errstate(all="ignore"):
            loss = loss_fn(functional_call(model, tensors, (x,)), y)
            return float(self._plus_penalty(config, model, loss, tensors).item())

    def gradient(self, config, points, params, coordinates) -> np.ndarray:
        """∂loss/∂coordinate at ``params`` on all the points, for each of ``coordinates`` (float64)."""
        model = self._model_for(config)
        x, y = self._data(config, points)
        tensors = self._tensors(params, requires_grad=True)
        loss_fn = LOSSES[config.loss].build()
        with np.errstate(all="ignore"):
            loss = loss_fn(functional_call(model, tensors, (x,)), y)
            self._plus_penalty(config, model, loss, tensors).backward()
        return np.array(
            [float(tensors[c.name].grad.numpy().reshape(-1)[c.flat]) for c in coordinates], dtype=np.float64
        )

    # ----------------------------------------------------------------- many points
    def losses(self, config, points, params, coordinates, values) -> np.ndarray:
        """The loss at each row of ``values`` (G × len(coordinates)), the other parameters at ``params``.

        Returns
        -------
        np.ndarray
            float64, shape (G,).
        """
        values = np.asarray(values, dtype=np.float64).reshape(len(values), len(coordinates))
        model = self._model_for(config)
        # The parameters not on the grid hold the given values.
        model.load_state_dict({name: np.asarray(value, dtype=np.float32) for name, value in params.items()})
        x, y = self._data(config, points)
        choice = LOSSES[config.loss]
        per_point = choice.build_per_point()
        n = max(1, len(x))
        width = max((max(np.shape(v), default=1) for v in params.values()), default=1)
        chunk = int(max(1, min(len(values), CHUNK_ELEMENTS // (n * width))))
        base = {name: np.asarray(params[name], dtype=np.float32) for name in {c.name for c in coordinates}}
        result = np.empty(len(values), dtype=np.float64)
        with engine.no_grad(), np.errstate(all="ignore"):
            for start in range(0, len(values), chunk):
                block = values[start : start + chunk]
                stacks = {name: np.repeat(value[None], len(block), axis=0) for name, value in base.items()}
                for k, c in enumerate(coordinates):
                    stacks[c.name][(slice(None), *c.index)] = block[:, k]
                out = stacked_call(model, {name: engine.from_numpy(s) for name, s in stacks.items()}, (x,))
                if choice.class_indices:  # cross-entropy: classes along the last dimension, one row per point
                    target = engine.from_numpy(np.tile(y.numpy(), out.shape[0]))
                    each = per_point(out.reshape(-1, out.shape[-1]), target).reshape(out.shape[0], -1)
                else:
                    target = y.expand(out.shape[0], *y.shape) if out.dim() == y.dim() + 1 else y
                    each = per_point(out, target)
                dims = tuple(range(1, each.dim()))
                total = each.sum(dim=dims) if choice.summed else each.mean(dim=dims)
                result[start : start + len(block)] = total.numpy()
            regularized, names = self._penalty(config, model)
            if regularized is not None:
                # Additive over the weights: the penalty of the held weights (the coordinates'
                # entries at zero) plus each row's share of the coordinates it moves.
                held = {name: np.array(params[name], dtype=np.float32, copy=True) for name in names}
                for c in coordinates:
                    if c.name in held:
                        held[c.name].reshape(-1)[c.flat] = 0.0
                penalty = float(regularized.penalty([engine.from_numpy(held[name]) for name in names]))
                for k, c in enumerate(coordinates):
                    if c.name in held:
                        moved = engine.from_numpy(np.ascontiguousarray(values[:, k], dtype=np.float32))
                        penalty = penalty + regularized.term(moved).numpy().astype(np.float64)
                result += regularized.rate * penalty
        return result

    def grid(self, config, points, params, coordinates, ranges, size=None) -> Grid:
        """The loss over a grid spanning ``ranges`` (one ``(low, high)`` per coordinate).

        ``size`` points per axis: :data:`GRID_SIZE` for two coordinates, :data:`CURVE_SIZE` for one.
        """
        coordinates = tuple(coordinates)
        if len(coordinates) not in (1, 2) or len(ranges) != len(coordinates):
            raise ValueError("a landscape is over one or two coordinates, each with a range")
        size = size or (GRID_SIZE if len(coordinates) == 2 else CURVE_SIZE)
        began = time.perf_counter()
        axes = grid_values(ranges, size)
        if len(coordinates) == 2:
            xx, yy = np.meshgrid(axes[0], axes[1])
            losses = self.losses(config, points, params, coordinates, np.column_stack([xx.ravel(), yy.ravel()]))
            losses = losses.reshape(len(axes[1]), len(axes[0]))
        else:
            losses = self.losses(config, points, params, coordinates, axes[0][:, None])
        return Grid(coordinates, tuple(axes), losses, time.perf_counter() - began)

    # ----------------------------------------------------------------- the exact minimum
    def minimum(self, config, points, params, coordinates):
        """Where the loss is lowest over ``coordinates`` with the others at ``params``, exactly; or None.

        Defined when the model is linear in its parameters and the loss is squared error: then the
        loss is a quadratic bowl and its minimum solves a least-squares problem. The model's
        columns are its own outputs at unit parameters, so the model is not written again here.
        Returns None for other models and losses, under a regularization penalty, and when the
        minimum is not a single point (fewer distinct x values than coordinates).
        """
        if not (MODELS[config.model].linear_in_parameters and LOSSES[config.loss].squared_error):
            return None
        if config.regularization != "none" and config.regularization_rate > 0:
            return None  # the penalty moves the minimum off the least-squares fit
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(points) == 0:
            return None
        everything = all_coordinates(params)
        units = np.eye(len(everything))
        columns = self.losses_free_outputs(config, points, params, everything, units)  # (N, P)
        chosen = [everything.index(c) for c in coordinates]
        others = [i for i in range(len(everything)) if i not in chosen]
        theta = np.array([c.value(params) for c in everything], dtype=np.float64)
        residual = points[:, 1] - columns[:, others] @ theta[others]
        a = columns[:, chosen]
        solution, _, rank, _ = np.linalg.lstsq(a, residual, rcond=None)
        if rank < len(chosen) or not np.isfinite(solution).all():
            return None
        return tuple(float(v) for v in solution)

    def losses_free_outputs(self, config, points, params, coordinates, values) -> np.ndarray:
        """The model's outputs on ``points`` at each row of ``values`` (G × len(coordinates)) with every
        other parameter at zero: (N, G), float64."""
        model = self._model_for(config)
        x, _ = self._data(config, points)
        zeros = {name: np.zeros(np.shape(value), dtype=np.float32) for name, value in params.items()}
        stacks = {name: np.repeat(value[None], len(values), axis=0) for name, value in zeros.items()}
        for k, c in enumerate(coordinates):
            stacks[c.name][(slice(None), *c.index)] = np.asarray(values, dtype=np.float32)[:, k]
        with engine.no_grad(), np.errstate(all="ignore"):
            out = stacked_call(model, {name: engine.from_numpy(s) for name, s in stacks.items()}, (x,))
        return out.numpy().astype(np.float64).reshape(len(values), -1).T


# ------------------------------------------------------------------------------------ view range


def _nice_step(span: float) -> float:
    """The next of 1, 2, 2.5, 5 × 10^k at or above ``span``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    power = 10.0 ** math.floor(math.log10(span))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= span * (1 - 1e-12):
            return factor * power
    return 10 * power


def path_on_pixels(xs, ys, pixel) -> tuple:
    """The points of a path worth drawing at a pixel size of ``pixel`` (dx, dy): the first and
    last, and each that leaves the pixel of the one before it. Non-finite points (gaps) are kept.

    A descent's path crowds thousands of epochs into a few pixels near a minimum; drawing only
    the points that move on screen keeps its cost independent of the run's length.
    """
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if len(xs) < 3 or not (pixel[0] > 0 and pixel[1] > 0):
        return xs, ys
    with np.errstate(invalid="ignore"):
        cells = np.stack([np.floor(xs / pixel[0]), np.floor(ys / pixel[1])])
    keep = np.ones(len(xs), dtype=bool)
    keep[1:-1] = (cells[:, 1:-1] != cells[:, :-2]).any(axis=0)
    return xs[keep], ys[keep]


def follow_range(values, least_half_width: float = 1.0) -> tuple:
    """A view range for each column of ``values`` (K × d): all of them with room around, in round steps.

    The range pads the values' extent by half of it on each side (at least ``least_half_width``
    around a single value) and rounds outward to a multiple of a round step, so that it changes
    only now and then as a path grows.
    """
    values = np.asarray(values, dtype=np.float64)
    ranges = []
    for column in values.reshape(len(values), -1).T:
        finite = column[np.isfinite(column)]
        if finite.size == 0:
            ranges.append((-1.0, 1.0))
            continue
        lo, hi = float(finite.min()), float(finite.max())
        pad = max(0.5 * (hi - lo), least_half_width)
        lo, hi = lo - pad, hi + pad
        step = _nice_step((hi - lo) / 8)
        ranges.append((math.floor(lo / step) * step, math.ceil(hi / step) * step))
    return tuple(ranges)


# ------------------------------------------------------------------------------------ drawing


def contour_levels(losses, log: bool, count: int = 10) -> np.ndarray:
    """``count`` contour levels between the lowest and highest finite loss, spaced evenly on the colour scale."""
    finite = losses[np.isfinite(losses)]
    if log:
        finite = finite[finite > 0]
    if finite.size < 2:
        return np.empty(0)
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        return np.empty(0)
    if log:
        return np.geomspace(lo, hi, count + 2)[1:-1]
    return np.linspace(lo, hi, count + 2)[1:-1]


@dataclass(frozen=True, eq=False)
class Surface:
    """A grid ready to draw: colour values, contour lines and what they mean.

    Attributes
    ----------
    grid : Grid
    colour : np.ndarray
        The losses on the colour scale: as they are, or log₁₀ of them (a zero loss as the
        lowest positive one); NaN where the loss is NaN or infinite.
    colour_range : tuple of float
        The lowest and highest colour values.
    log : bool
    levels : np.ndarray
        The contour levels (losses).
    contours : np.ndarray
        (M, 2, 2): every contour segment.
    minimum : tuple or None
        The exact minimum over the grid's coordinates (least squares), when there is one.
    steepest : float or None
        The largest |∇L| over the grid (finite differences), the scale of the gradient arrow;
        None where the grid has no finite slope.
    """

    grid: Grid
    colour: np.ndarray
    colour_range: tuple
    log: bool
    levels: np.ndarray
    contours: np.ndarray
    minimum: tuple | None = None
    steepest: float | None = None


def steepest_slope(grid: Grid) -> float | None:
    """The largest finite |∇L| over ``grid``, from finite differences (exact for a quadratic loss)."""
    if any(len(axis) < 3 for axis in grid.axes):
        return None
    losses = grid.losses[np.isfinite(grid.losses)]
    if losses.size == 0 or np.ptp(losses) <= 1e-12 * max(1.0, float(np.abs(losses).max())):
        return None  # flat: only rounding slopes
    with np.errstate(all="ignore"):
        # Rows follow the second coordinate: the differences are taken along (y, x), or x alone;
        # second-order at the edges too, where a grid's steepest slope usually is.
        parts = np.gradient(grid.losses, *reversed(grid.axes), edge_order=2)
        if len(grid.axes) == 1:
            parts = [parts]
        slope = np.sqrt(sum(part * part for part in parts))
    finite = slope[np.isfinite(slope)]
    return float(finite.max()) if finite.size else None


def arrow_fraction(slope: float, steepest: float | None, decades: int = 4) -> float:
    """How much of the full gradient arrow to draw where |∇L| is ``slope`` and the grid's steepest is
    ``steepest``: all of it at the steepest, a ``1/decades`` less for each tenfold flatter slope,
    nothing ``decades`` powers of ten below (a minimum). Gradients span orders of magnitude, so the
    length follows their logarithm: a slow crawl along a flat valley still shows which way is down.
    The whole arrow when there is no scale yet."""
    if steepest is None or not math.isfinite(slope):
        return 1.0
    if slope <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 + math.log10(slope / steepest) / decades))


def surface(grid: Grid, log: bool, minimum=None, levels: int = 10) -> Surface:
    """Colour values and contour lines of ``grid`` on a linear or logarithmic scale."""
    losses = grid.losses
    finite = np.isfinite(losses)
    with np.errstate(all="ignore"):
        if log:
            # A loss of exactly 0 (a perfect fit) takes the colour of the lowest positive loss.
            positive = losses[finite & (losses > 0)]
            floor = float(positive.min()) if positive.size else 1.0
            colour = np.where(finite, np.log10(np.maximum(losses, floor)), np.nan)
        else:
            colour = np.where(finite, losses, np.nan)
    finite = colour[np.isfinite(colour)]
    colour_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if colour_range[1] <= colour_range[0]:
        colour_range = (colour_range[0], colour_range[0] + 1.0)
    chosen = contour_levels(losses, log, levels)
    if len(grid.axes) == 2:
        parts = [contour_segments(grid.axes[0], grid.axes[1], losses, level) for level in chosen]
        contours = np.concatenate(parts) if parts else np.empty((0, 2, 2))
    else:
        contours = np.empty((0, 2, 2))
    return Surface(grid, colour, colour_range, log, chosen, contours, minimum, steepest_slope(grid))


def placed_config(config, coordinates, values):
    """``config`` with the training start moved: ``coordinates`` at ``values``, the rest where they start.

    The start is the configuration's ``init``; a parameter with an entry on the landscape gets its
    whole initial value there (as the seed or an earlier ``init`` makes it) with that entry replaced.
    """
    initial = Trainer(config, np.zeros((0, 2))).initial_parameters
    start = {name: np.array(value, dtype=np.float64) for name, value in initial.items()}
    for c, v in zip(coordinates, values):
        start[c.name].reshape(-1)[c.flat] = float(np.float32(v))
    named = dict(config.init or ())
    for c in coordinates:
        named[c.name] = start[c.name].tolist()
    order = [name for name in initial if name in named]
    return config.replace(init=tuple((name, named[name]) for name in order))


def coordinates_key(coordinates) -> tuple:
    """A hashable key of a choice of coordinates."""
    return tuple((c.name, c.index) for c in coordinates)


__all__ += ["CURVE_SIZE", "Coordinate", "coordinates_key"]
