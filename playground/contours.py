"""Contour lines of values on a grid, by marching squares. Qt-free.

One definition serves the Landscape dock's contour lines and the decision surface's boundary
between classes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["contour_segments"]

# Corners of a cell: 0 = (x0, y0), 1 = (x1, y0), 2 = (x1, y1), 3 = (x0, y1); edges: 0 = bottom
# (0–1), 1 = right (1–2), 2 = top (3–2), 3 = left (0–3). The case is the bit set of corners above
# the level; each case crosses the cell with up to two segments (edge pairs). The saddles 5 and 10
# are resolved by the cell's centre value: codes 16 and 17 are their other forms.
_SEGMENTS = {
    1: ((3, 0),),
    2: ((0, 1),),
    3: ((3, 1),),
    4: ((1, 2),),
    5: ((3, 0), (1, 2)),
    6: ((0, 2),),
    7: ((3, 2),),
    8: ((2, 3),),
    9: ((0, 2),),
    10: ((0, 1), (2, 3)),
    11: ((1, 2),),
    12: ((1, 3),),
    13: ((0, 1),),
    14: ((3, 0),),
    16: ((0, 1), (2, 3)),  # case 5 with the centre above: the corners below are cut off
    17: ((3, 0), (1, 2)),  # case 10 with the centre above
}
_PAIRS = np.full((18, 2, 2), -1, dtype=np.int64)
for _case, _pairs in _SEGMENTS.items():
    for _slot, _pair in enumerate(_pairs):
        _PAIRS[_case, _slot] = _pair


def contour_segments(xs, ys, values, level: float) -> np.ndarray:
    """The contour line of ``values`` (rows along ``ys``, columns along ``xs``) at ``level``.

    The cases of all cells are found at once; the crossings are interpolated (linearly along the
    edges) only in the cells the line passes through.

    Returns
    -------
    np.ndarray
        Shape (M, 2, 2): M segments, each two (x, y) end points. Cells with a non-finite corner
        are left out.
    """
    z = np.asarray(values, dtype=np.float64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] < 2 or z.shape[1] < 2:
        return np.empty((0, 2, 2))
    above = z > level
    case = above[:-1, :-1] * 1 + above[:-1, 1:] * 2 + above[1:, 1:] * 4 + above[1:, :-1] * 8
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(z)
    finite = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, 1:] & finite[1:, :-1]
    rows, cols = np.nonzero((case != 0) & (case != 15) & finite)
    if rows.size == 0:
        return np.empty((0, 2, 2))
    c0, c1, c2, c3 = z[rows, cols], z[rows, cols + 1], z[rows + 1, cols + 1], z[rows + 1, cols]
    case = case[rows, cols]
    centre_above = (c0 + c1 + c2 + c3) / 4 > level
    case = np.where((case == 5) & centre_above, 16, case)
    case = np.where((case == 10) & centre_above, 17, case)
    x0, x1, y0, y1 = xs[cols], xs[cols + 1], ys[rows], ys[rows + 1]

    def cross(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (level - a) / (b - a)
        return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

    edges = np.empty((4, rows.size, 2))
    edges[0, :, 0], edges[0, :, 1] = x0 + cross(c0, c1) * (x1 - x0), y0
    edges[1, :, 0], edges[1, :, 1] = x1, y0 + cross(c1, c2) * (y1 - y0)
    edges[2, :, 0], edges[2, :, 1] = x0 + cross(c3, c2) * (x1 - x0), y1
    edges[3, :, 0], edges[3, :, 1] = x0, y0 + cross(c0, c3) * (y1 - y0)
    segments = []
    for slot in range(2):
        pairs = _PAIRS[case, slot]  # (cells, 2)
        (cells,) = np.nonzero(pairs[:, 0] >= 0)
        if cells.size:
            a, b = pairs[cells, 0], pairs[cells, 1]
            segments.append(np.stack([edges[a, cells], edges[b, cells]], axis=1))
    return np.concatenate(segments) if segments else np.empty((0, 2, 2))
