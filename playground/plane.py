"""The decision surface's geometry and colours, without Qt: the grid, the image and its contours.

The Data dock evaluates the classifier of a snapshot on a grid over the visible plane
(:class:`playground.models.PlaneModel`) and draws what this module makes of the probabilities: an
RGBA image that blends the classes' colours by their probabilities, and the boundaries between the
classes as line segments (the 0.5 contour for two classes).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SURFACE_SIZE", "boundary_segments", "contour_segments", "grid_points", "surface_image"]

#: Grid points a side of the decision surface.
SURFACE_SIZE = 100


def grid_points(x_range, y_range, size=SURFACE_SIZE):
    """The grid's x values, y values and its points as (size², 2) rows, x varying fastest."""
    xs = np.linspace(x_range[0], x_range[1], size)
    ys = np.linspace(y_range[0], y_range[1], size)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def surface_image(probabilities, colors, shape, strength=0.45) -> np.ndarray:
    """An RGBA uint8 image (rows = y, columns = x) of the classes' colours mixed by probability.

    Each pixel is white blended towards Σₖ pₖ·colourₖ, more the surer the model is (the most
    likely class's probability, from 1/K to 1, sets the blend up to ``strength``).

    Parameters
    ----------
    probabilities : array (H·W, K)
    colors : array (≥K, 3) of 0–255 values
    shape : (H, W)
    """
    p = np.nan_to_num(np.asarray(probabilities, dtype=np.float64), nan=0.0)
    k = p.shape[1]
    colors = np.asarray(colors, dtype=np.float64)[:k]
    mixed = p @ colors
    sure = (p.max(axis=1, keepdims=True) - 1.0 / k) * k / (k - 1)
    alpha = strength * (0.35 + 0.65 * np.clip(sure, 0.0, 1.0))
    rgb = 255.0 * (1 - alpha) + mixed * alpha
    image = np.empty((*shape, 4), dtype=np.uint8)
    image[..., :3] = np.clip(rgb, 0, 255).reshape(*shape, 3).astype(np.uint8)
    image[..., 3] = 255
    return image


def contour_segments(values, xs, ys, level=0.0) -> np.ndarray:
    """The contour of ``values`` (H, W; rows at ``ys``, columns at ``xs``) at ``level``, as line
    segments: (2·M, 2) rows, each pair a segment's ends (to draw with ``connect="pairs"``).

    Marching squares on every cell at once, with linear interpolation along the cell's edges.
    """
    v = np.asarray(values, dtype=np.float64) - level
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    above = v > 0
    v00, v01, v10, v11 = v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]
    a00, a01, a10, a11 = above[:-1, :-1], above[:-1, 1:], above[1:, :-1], above[1:, 1:]
    x0, x1 = np.broadcast_arrays(xs[None, :-1], xs[None, 1:])
    y0, y1 = ys[:-1, None], ys[1:, None]

    def cross(va, vb):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = va / (va - vb)
        return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

    shape = v00.shape
    # The crossings on the bottom, right, top and left edges of each cell.
    points = np.empty((*shape, 4, 2))
    t = cross(v00, v01)
    points[..., 0, 0], points[..., 0, 1] = x0 + t * (x1 - x0), np.broadcast_to(y0, shape)
    t = cross(v01, v11)
    points[..., 1, 0], points[..., 1, 1] = np.broadcast_to(x1, shape), y0 + t * (y1 - y0)
    t = cross(v10, v11)
    points[..., 2, 0], points[..., 2, 1] = x0 + t * (x1 - x0), np.broadcast_to(y1, shape)
    t = cross(v00, v10)
    points[..., 3, 0], points[..., 3, 1] = np.broadcast_to(x0, shape), y0 + t * (y1 - y0)
    crossed = np.stack([a00 != a01, a01 != a11, a10 != a11, a00 != a10], axis=-1)
    count = crossed.sum(axis=-1)
    two = count == 2
    order = np.argsort(~crossed[two], axis=-1, kind="stable")[:, :2]
    pairs = np.take_along_axis(points[two], order[:, :, None], axis=1)
    four = points[count == 4]
    saddles = np.concatenate([four[:, [0, 3]], four[:, [1, 2]]]) if len(four) else np.empty((0, 2, 2))
    return np.concatenate([pairs, saddles]).reshape(-1, 2)


def boundary_segments(probabilities, xs, ys) -> np.ndarray:
    """Where the most likely class changes, as :func:`contour_segments` segments: the 0.5
    contour of class 1 for two classes; for K classes, each class's edge (its probability minus
    the largest of the others' crosses 0)."""
    p = np.asarray(probabilities, dtype=np.float64)
    shape = (len(ys), len(xs))
    if p.shape[1] == 2:
        return contour_segments(p[:, 1].reshape(shape), xs, ys, 0.5)
    parts = []
    for k in range(p.shape[1]):
        others = np.delete(p, k, axis=1).max(axis=1)
        parts.append(contour_segments((p[:, k] - others).reshape(shape), xs, ys, 0.0))
    return np.concatenate(parts)
