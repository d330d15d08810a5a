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


def fma(a, b, c):
    """``a·b + c`` with a single rounding, elementwise in float64.

    The product's rounding error is recovered with Dekker's splitting and the sum's with Knuth's
    two-sum, so the result is the exactly rounded a·b + c (for float32 operands it is then rounded
    to float32, which is PyTorch's float32 fused multiply-add but in the rarest double-rounding ties).
    """
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
    product_error = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    z = s - p
    sum_error = (p - (s - z)) + (c - z)
    # s + sum_error + product_error is exact; add the two small terms, keeping what their sum loses,
    # which decides the rounding when s + their sum falls exactly halfway between two doubles.
    t = sum_error + product_error
    z = t - sum_error
    t_error = (sum_error - (t - z)) + (product_error - z)
    gap = np.abs(np.nextafter(s, np.where(t < 0, -np.inf, np.inf)) - s)  # the spacing on the side t points to
    tie = (np.abs(t) == gap / 2) & (t_error != 0)
    if np.any(tie):
        t = np.where(tie, np.nextafter(t, np.where(t_error > 0, np.inf, -np.inf)), t)
    return s + t


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
    low = fma(step, i, start)
    high = fma(-np.float64(step), steps - 1 - i, end)
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
    base = fma(step, k.astype(np.float64), start).astype(dtype)
    return fma((i - k).astype(np.float64), step, base.astype(np.float64)).astype(dtype)
