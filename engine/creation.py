"""Factory functions: zeros, ones, full, arange, linspace, eye, rand, randn, ... (as in PyTorch)."""

from typing import Any

import numpy as np

from ._dtype import get_default_dtype, int64, to_numpy_dtype
from .random import _generator
from .tensor import Tensor, _shape_arg

__all__ = [
    "arange",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "zeros",
    "zeros_like",
]


def _make(array, requires_grad):
    t = Tensor._wrap(array)
    if requires_grad:
        t._require_grad_at_creation()
    return t


def _float_dtype(dtype):
    return to_numpy_dtype(dtype) if dtype is not None else get_default_dtype().numpy


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.zeros(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.ones(_shape_arg(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = np.bool_
        elif isinstance(fill_value, int):
            dtype = np.int64
    return _make(np.full(tuple(size), fill_value, dtype=_float_dtype(dtype)), requires_grad)


def _like(t, dtype):
    return to_numpy_dtype(dtype) if dtype is not None else t._data.dtype


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t._data.shape, dtype=_like(t, dtype)), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t._data.shape, dtype=_like(t, dtype)), requires_grad)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(t, dtype, requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(t._data.shape, fill_value, dtype=_like(t, dtype)), requires_grad)


def arange(
    start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive): int64 for integer arguments, else the default float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
        dtype = np.int64 if is_int else get_default_dtype().numpy
    else:
        dtype = to_numpy_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = max(0, int(np.ceil((end - start) / step)))
    return _make((start + np.arange(n, dtype=np.float64) * step).astype(dtype), requires_grad)


def linspace(
    start: Any, end: Any, steps: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return _make(np.linspace(start, end, int(steps)).astype(_float_dtype(dtype)), requires_grad)


def eye(n: Any, m: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Uniform samples in [0, 1) from the (seeded) default generator or ``generator``."""
    dt = _float_dtype(dtype)
    return _make(_generator(generator).random(_shape_arg(size)).astype(dt), requires_grad)


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """Standard normal samples from the (seeded) default generator or ``generator``."""
    dt = _float_dtype(dtype)
    return _make(_generator(generator).standard_normal(_shape_arg(size)).astype(dt), requires_grad)


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*t._data.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*t._data.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, device=None):
    if high is None:
        low, high = 0, low
    dt = to_numpy_dtype(dtype) if dtype is not None else int64.numpy
    return Tensor._wrap(_generator(generator).integers(low, high, size=tuple(size)).astype(dt))


def randperm(n: Any, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    dt = to_numpy_dtype(dtype) if dtype is not None else int64.numpy
    return Tensor._wrap(_generator(generator).permutation(int(n)).astype(dt))
