"""Factory functions: zeros, ones, full, arange, linspace, eye, rand, randn, ... (as in PyTorch).

Every factory takes PyTorch's keywords (``dtype``, ``device``, ``requires_grad``, ``out``, and the
``layout``/``pin_memory``/``memory_format`` a CPU tensor ignores). ``linspace`` and ``arange``
compute their values as PyTorch's kernels do, bit for bit.
"""

from typing import Any

import numpy as np

from . import _device, _kernels
from ._dtype import get_default_dtype, int64, to_numpy_dtype
from .random import _generator
from .tensor import Size, Tensor, _shape_arg

__all__ = [
    "arange",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "range",
    "zeros",
    "zeros_like",
]


def _make(array, requires_grad, out=None):
    if out is not None:
        out._data = array if array.dtype == out._data.dtype else array.astype(out._data.dtype)
        return out
    t = Tensor._wrap(array)
    if requires_grad:
        t._require_grad_at_creation()
    return t


def _float_dtype(dtype):
    return to_numpy_dtype(dtype) if dtype is not None else get_default_dtype().numpy


def _size(size, keyword):
    """The shape from ``*size`` (ints, or one sequence) or the ``size=`` keyword."""
    if keyword is not None:
        return tuple(int(s) for s in (keyword if isinstance(keyword, (tuple, list, Size)) else (keyword,)))
    return tuple(int(s) for s in _shape_arg(size))


def zeros(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    **kwargs: Any,
) -> Tensor:
    """A tensor of zeros of the given shape (``torch.zeros``)."""
    _device.check(device)
    return _make(np.zeros(_size(size, kwargs.get("size")), dtype=_float_dtype(dtype)), requires_grad, out)


def ones(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    **kwargs: Any,
) -> Tensor:
    """A tensor of ones of the given shape (``torch.ones``)."""
    _device.check(device)
    return _make(np.ones(_size(size, kwargs.get("size")), dtype=_float_dtype(dtype)), requires_grad, out)


def empty(
    *size: Any,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    memory_format: Any = None,
    **kwargs: Any,
) -> Tensor:
    """An uninitialised tensor (``torch.empty``); the engine fills it with zeros."""
    return zeros(*size, out=out, dtype=dtype, device=device, requires_grad=requires_grad, size=kwargs.get("size"))


def full(
    size: Any,
    fill_value: Any,
    *,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``: bool, int64 or the default float by its type (``torch.full``)."""
    _device.check(device)
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        if isinstance(fill_value, (bool, np.bool_)):
            dtype = np.bool_
        elif isinstance(fill_value, (int, np.integer)):
            dtype = np.int64
    return _make(np.full(tuple(size), fill_value, dtype=_float_dtype(dtype)), requires_grad, out)


def _like(t, dtype):
    return to_numpy_dtype(dtype) if dtype is not None else t._data.dtype


def zeros_like(
    input: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Zeros of ``input``'s shape and dtype (``torch.zeros_like``)."""
    _device.check(device)
    return _make(np.zeros(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def ones_like(
    input: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Ones of ``input``'s shape and dtype (``torch.ones_like``)."""
    _device.check(device)
    return _make(np.ones(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def empty_like(
    input: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(
    input: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """``fill_value`` in ``input``'s shape and dtype (``torch.full_like``)."""
    _device.check(device)
    return _make(np.full(input._data.shape, fill_value, dtype=_like(input, dtype)), requires_grad)


def _number(value):
    return value.item() if isinstance(value, Tensor) else value


def arange(
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step`` (``torch.arange``): int64 for integer
    arguments, else the default float. Values are PyTorch's, bit for bit."""
    _device.check(device)
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
        np_dtype = np.dtype(np.int64) if is_int else get_default_dtype().numpy
    else:
        np_dtype = to_numpy_dtype(dtype)
    if np_dtype.kind == "f":
        values = _kernels.arange(start, end, step, np_dtype)
    else:
        n = _kernels.arange_length(start, end, step)
        values = (int(start) + np.arange(n, dtype=np.int64) * int(step)).astype(np_dtype)
    return _make(values, requires_grad, out)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` inclusive (``torch.range``, deprecated in PyTorch)."""
    if end is None:
        start, end = 0, start
    n = int(np.floor((end - start) / step)) + 1
    np_dtype = _float_dtype(dtype)
    return _make((start + np.arange(n, dtype=np.float64) * step).astype(np_dtype), requires_grad, out)


def linspace(
    start: Any,
    end: Any,
    steps: Any,
    *,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (``torch.linspace``). Values are PyTorch's,
    bit for bit."""
    _device.check(device)
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = _kernels.linspace(_number(start), _number(end), steps, _float_dtype(dtype))
    return _make(values, requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``base`` to the powers ``linspace(start, end, steps)`` (``torch.logspace``)."""
    _device.check(device)
    np_dtype = _float_dtype(dtype)
    exponents = _kernels.linspace(_number(start), _number(end), int(steps), np.float64)
    return _make(np.power(float(base), exponents).astype(np_dtype), requires_grad, out)


def eye(
    n: Any,
    m: Any = None,
    *,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """The identity matrix, n × n or n × m (``torch.eye``)."""
    _device.check(device)
    return _make(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, out)


def rand(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    **kwargs: Any,
) -> Tensor:
    """Uniform samples in [0, 1) from the (seeded) default generator or ``generator`` (``torch.rand``)."""
    _device.check(device)
    dt = _float_dtype(dtype)
    return _make(_generator(generator).random(_size(size, kwargs.get("size"))).astype(dt), requires_grad, out)


def randn(
    *size: Any,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    **kwargs: Any,
) -> Tensor:
    """Standard normal samples from the (seeded) default generator or ``generator`` (``torch.randn``)."""
    _device.check(device)
    dt = _float_dtype(dtype)
    return _make(_generator(generator).standard_normal(_size(size, kwargs.get("size"))).astype(dt), requires_grad, out)


def rand_like(
    input: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    generator: Any = None,
) -> Tensor:
    return rand(
        *input._data.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad, generator=generator
    )


def randn_like(
    input: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    generator: Any = None,
) -> Tensor:
    return randn(
        *input._data.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad, generator=generator
    )


def randint(
    low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """Integers drawn uniformly from [low, high) (``torch.randint``); ``randint(high, size)`` starts at 0."""
    _device.check(device)
    if size is None and isinstance(high, (tuple, list, Size)):
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError('randint() missing 1 required positional arguments: "size"')
    dt = to_numpy_dtype(dtype) if dtype is not None else int64.numpy
    return _make(_generator(generator).integers(low, high, size=tuple(size)).astype(dt), requires_grad, out)


def randperm(
    n: Any,
    *,
    generator: Any = None,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A random permutation of 0 .. n−1 (``torch.randperm``)."""
    _device.check(device)
    dt = to_numpy_dtype(dtype) if dtype is not None else int64.numpy
    return _make(_generator(generator).permutation(int(n)).astype(dt), requires_grad, out)
