"""Values computed the way PyTorch's CPU kernels compute them, so they match PyTorch bit for bit.

``torch.linspace`` and ``torch.arange`` are where a learner's data usually comes from; a value one
ulp off changes everything computed from it. PyTorch's kernels evaluate ``start + step·i`` with a
fused multiply-add (one rounding), ``linspace`` counting the second half back from ``end`` and
``arange`` in vectors of 8 (float32) or 4 (float64) values built from a rounded base. The functions
here reproduce that, measured against PyTorch 2.13 on x86-64 (AVX2).
"""

import math

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter for float64


def _fma_parts(a, b, c):
    """``a·b + c`` as three float64 arrays whose exact sum is the exact result: (s, t, t_error)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    p = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLIT * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    product_error = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo  # Dekker: a·b = p + error
    s = p + c
    z = s - p
    sum_error = (p - (s - z)) + (c - z)  # Knuth: p + c = s + error
    t = sum_error + product_error
    z = t - sum_error
    t_error = (sum_error - (t - z)) + (product_error - z)
    return s, t, t_error


def _break_ties(rounded, value, rest, kind):
    """``rounded`` (``value`` rounded to ``kind``), corrected where ``value`` lies exactly halfway between
    two numbers of ``kind`` and the lost remainder ``rest`` says which way the exact result lies."""
    neighbour = np.nextafter(rounded, np.where(value > rounded, np.inf, -np.inf).astype(kind))
    midpoint = (rounded.astype(np.float64) + neighbour.astype(np.float64)) / 2
    tie = (value == midpoint) & (rest != 0) & (neighbour != rounded)
    if not np.any(tie):
        return rounded
    toward_rest = np.where((rest > 0) == (neighbour > rounded), neighbour, rounded)
    return np.where(tie, toward_rest, rounded)


def fma(a, b, c, dtype=np.float64):
    """``a·b + c`` with a single rounding to ``dtype`` (float64 or float32), elementwise.

    The product's rounding error is recovered with Dekker's splitting and the sum's with Knuth's
    two-sum, so the exact result is known as a sum of three doubles; it is rounded once, the
    remainder deciding exact ties.
    """
    s, t, t_error = _fma_parts(a, b, c)
    if np.dtype(dtype) == np.float64:
        # s + t rounds correctly unless it falls exactly halfway between two doubles; then t_error decides.
        gap = np.abs(np.nextafter(s, np.where(t < 0, -np.inf, np.inf)) - s)  # the spacing on t's side of s
        tie = (np.abs(t) == gap / 2) & (t_error != 0)
        if np.any(tie):
            t = np.where(tie, np.nextafter(t, np.where(t_error > 0, np.inf, -np.inf)), t)
        return s + t
    value = s + t
    z = value - s
    rest = ((s - (value - z)) + (t - z)) + t_error  # exact = value + rest
    return _break_ties(value.astype(dtype), value, rest, np.dtype(dtype).type)


def linspace(start, end, steps, dtype):
    """``torch.linspace`` values: start + step·i for the first half, end − step·(steps−1−i) for the rest."""
    dtype = np.dtype(dtype)
    steps = int(steps)
    if steps == 0:
        return np.empty(0, dtype=dtype)
    if dtype.kind == "f":
        kind = dtype.type
        start, end = kind(start), kind(end)
        if steps == 1:
            return np.array([start], dtype=dtype)
        step = kind(kind(end - start) / kind(steps - 1))
    else:
        start, end = float(int(start)), float(int(end))  # the ends are cast to the integer type first
        if steps == 1:
            return np.array([start], dtype=dtype)
        step = (end - start) / (steps - 1)  # integral outputs step in double
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    result = dtype if dtype.kind == "f" else np.float64
    low = fma(step, i, start, result)
    high = fma(-np.float64(step), steps - 1 - i, end, result)
    values = np.where(i < half, low, high)
    if dtype.kind == "f":
        return values.astype(dtype)
    return np.trunc(values).astype(dtype)


def arange_length(start, end, step):
    """The number of values of ``arange(start, end, step)``, as PyTorch counts them (in double)."""
    return max(0, math.ceil((float(end) - float(start)) / float(step)))


def arange(start, end, step, dtype):
    """``torch.arange`` values of a floating ``dtype``: vectors of 8 (float32) or 4 (float64) values, each
    base + j·step from base = start + step·k rounded to ``dtype``; the tail value by value."""
    dtype = np.dtype(dtype)
    n = arange_length(start, end, step)
    i = np.arange(n, dtype=np.int64)
    width = 8 if dtype == np.float32 else 4
    vectorized = n - n % (2 * width)  # PyTorch's loop handles two vectors per step, the rest one by one
    k = np.where(i < vectorized, (i // width) * width, i)
    base = fma(step, k.astype(np.float64), start, dtype)
    if dtype == np.float32:
        # Each lane adds j·step to the float base in double, then rounds to float: two roundings
        # (an exact fused multiply-add would differ where the double sum is a float tie).
        return (base.astype(np.float64) + (i - k).astype(np.float64) * step).astype(dtype)
    return fma((i - k).astype(np.float64), step, base.astype(np.float64), dtype)
