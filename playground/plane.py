"""The decision surface's geometry and colours, without Qt: the grid, the image and its contours.

The Data dock evaluates the classifier of a snapshot on a grid over the visible plane
(:class:`playground.models.PlaneModel`) and draws what this module makes of the probabilities: an
RGBA image that blends the classes' colours by their probabilities, and the boundaries between the
classes as line segments (the 0.5 contour for two classes).
"""

from __future__ import annotations

import numpy as np

from playground.contours import contour_segments

__all__ = ["SURFACE_SIZE", "boundary_segments", "grid_points", "surface_image"]

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


def boundary_segments(probabilities, xs, ys) -> np.ndarray:
    """Where the most likely class changes, as line segments: (2·M, 2) rows, each pair a
    segment's ends (to draw with ``connect="pairs"``). The 0.5 contour of class 1 for two
    classes; for K classes, each class's edge (its probability minus the largest of the others'
    crosses 0)."""
    p = np.asarray(probabilities, dtype=np.float64)
    shape = (len(ys), len(xs))
    if p.shape[1] == 2:
        return contour_segments(xs, ys, p[:, 1].reshape(shape), 0.5).reshape(-1, 2)
    parts = []
    for k in range(p.shape[1]):
        others = np.delete(p, k, axis=1).max(axis=1)
        parts.append(contour_segments(xs, ys, (p[:, k] - others).reshape(shape), 0.0).reshape(-1, 2))
    return np.concatenate(parts)
