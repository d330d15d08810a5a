"""Module-level functions of the same names as Tensor methods (``engine.exp``, ``engine.cat`` ...)."""

from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor, _normalize_dim, _operand
from .tensor import dot as _dot
from .tensor import matmul as _matmul
from .tensor import maximum as _maximum
from .tensor import minimum as _minimum
from .tensor import mm as _mm
from .tensor import mv as _mv

__all__ = [
    "abs",
    "absolute",
    "add",
    "allclose",
    "argmax",
    "argmin",
    "cat",
    "clamp",
    "clip",
    "clone",
    "concat",
    "concatenate",
    "cos",
    "detach",
    "div",
    "divide",
    "dot",
    "equal",
    "exp",
    "flatten",
    "ger",
    "is_tensor",
    "isfinite",
    "isnan",
    "log",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "multiply",
    "mv",
    "neg",
    "negative",
    "numel",
    "outer",
    "permute",
    "pow",
    "reciprocal",
    "relu",
    "reshape",
    "sigmoid",
    "sin",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "sub",
    "subtract",
    "sum",
    "t",
    "tanh",
    "transpose",
    "unsqueeze",
    "vdot",
    "where",
]


def _t(x, name="input", function=""):
    if not isinstance(x, Tensor):
        if function:
            raise TypeError(f"{function}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
        raise TypeError(f"expected Tensor as element 0 in argument 0, but got {type(x).__name__}")
    return x


def _out(result, out):
    """Write ``result`` into ``out`` (PyTorch's ``out=``) and return it; or return ``result``."""
    if out is None:
        return result
    out._data = result._data if out._data.dtype == result._data.dtype else result._data.astype(out._data.dtype)
    return out


def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """``input + alpha·other`` (``torch.add``)."""
    if not isinstance(input, Tensor):
        return _out(other.__radd__(input) if alpha == 1 else other * alpha + input, out)
    return _out(input.add(other, alpha=alpha), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """``input − alpha·other`` (``torch.sub``)."""
    return _out(_t(input).sub(other, alpha=alpha), out)


subtract = sub


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """Elementwise product (``torch.mul``)."""
    return _out(input * other if isinstance(input, Tensor) else other * input, out)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: Any = None, out: Any = None) -> Tensor:
    """Elementwise quotient; ``rounding_mode`` "trunc" or "floor" rounds it (``torch.div``)."""
    result = _t(input).div(other, rounding_mode=rounding_mode)
    return _out(result, out)


divide = div


def neg(input: Any, *, out: Any = None) -> Tensor:
    return _out(-_t(input), out)


negative = neg


def pow(input: Any, exponent: Any, *, out: Any = None) -> Tensor:
    """``input ** exponent``; either may be a number (``torch.pow``)."""
    if not isinstance(input, Tensor):
        return _out(exponent.__rpow__(input), out)
    return _out(input**exponent, out)


def exp(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).exp(), out)


def log(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).log(), out)


def sqrt(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).sqrt(), out)


def tanh(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).tanh(), out)


def sigmoid(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).sigmoid(), out)


def relu(input: Any) -> Tensor:
    return _t(input).relu()


def abs(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).abs(), out)


absolute = abs


def sin(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).sin(), out)


def cos(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).cos(), out)


def square(input: Any, *, out: Any = None) -> Tensor:
    return _out(_t(input).square(), out)


def reciprocal(input, *, out=None):
    return _out(_t(input).reciprocal(), out)


def clamp(input: Any, min: Any = None, max: Any = None, *, out: Any = None) -> Tensor:
    """Limit values to ``[min, max]`` (``torch.clamp``)."""
    return _out(_t(input).clamp(min, max), out)


clip = clamp


def sum(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    out: Any = None,
) -> Tensor:
    """Sum of all elements, or over ``dim`` (``torch.sum``)."""
    return _out(_t(input).sum(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims), out)


def mean(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    out: Any = None,
) -> Tensor:
    """Mean of all elements, or over ``dim`` (``torch.mean``)."""
    if out is None and isinstance(input, Tensor):
        return input.mean(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)
    return _out(_t(input).mean(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims), out)


def max(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    other: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    out: Any = None,
) -> Any:
    """The largest element; with ``dim``, ``(values, indices)``; with a tensor, the elementwise maximum."""
    if other is not None:
        return _out(maximum(input, other), out)
    return _t(input).max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    other: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    out: Any = None,
) -> Any:
    """The smallest element; with ``dim``, ``(values, indices)``; with a tensor, the elementwise minimum."""
    if other is not None:
        return _out(minimum(input, other), out)
    return _t(input).min(dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return _t(input).argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    return _t(input).argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def reshape(input: Any, shape: Any) -> Tensor:
    return _t(input).reshape(shape)


def flatten(input: Any, start_dim: Any = 0, end_dim: Any = -1) -> Tensor:
    return _t(input).flatten(start_dim, end_dim)


def squeeze(input: Any, dim: Any = None) -> Tensor:
    return _t(input).squeeze(dim)


def unsqueeze(input: Any, dim: Any) -> Tensor:
    return _t(input).unsqueeze(dim)


def transpose(input: Any, dim0: Any, dim1: Any) -> Tensor:
    return _t(input).transpose(dim0, dim1)


def permute(input: Any, dims: Any) -> Tensor:
    return _t(input).permute(dims)


def t(input: Any) -> Tensor:
    return _t(input).t()


def clone(input: Any, *, memory_format: Any = None) -> Tensor:
    return _t(input).clone()


def detach(input: Any) -> Tensor:
    return _t(input).detach()


def numel(input: Any) -> int:
    return _t(input).numel()


def isnan(input: Any) -> Tensor:
    return _t(input).isnan()


def isfinite(input: Any) -> Tensor:
    return _t(input).isfinite()


def allclose(input: Any, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: bool = False) -> bool:
    return _t(input).allclose(other, rtol, atol, equal_nan)


def equal(input: Any, other: Any) -> bool:
    return _t(input).equal(other)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def outer(input: Any, vec2: Any, *, out: Any = None) -> Tensor:
    """The outer product of two vectors (``torch.outer``)."""
    return _out(_t(input).unsqueeze(1) * _t(vec2).unsqueeze(0), out)


ger = outer


def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules for 1-D, 2-D and batched operands (``torch.matmul``)."""
    return _out(_matmul(input, other), out)


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors (``torch.mm``)."""
    return _out(_mm(input, mat2), out)


def mv(input, vec, *, out=None):
    return _out(_mv(input, vec), out)


def dot(input, tensor, *, out=None):
    return _out(_dot(input, tensor), out)


vdot = dot


def maximum(input, other, *, out=None):
    return _out(_maximum(input, other), out)


def minimum(input, other, *, out=None):
    return _out(_minimum(input, other), out)


def _same_dtype(tensors):
    tensors = [_t(x) for x in tensors]
    kinds = {x._data.dtype for x in tensors}
    if len(kinds) > 1:
        target = np.result_type(*kinds)
        tensors = [x.to(target) for x in tensors]
    return tensors


def cat(tensors: Any, dim: Any = 0, *, axis: Any = None, out: Any = None) -> Tensor:
    """Concatenate along an existing dimension (``torch.cat``; grad_fn ``CatBackward0``)."""
    if axis is not None:
        dim = axis
    if out is not None:
        return _out(cat(tensors, dim), out)
    tensors = [x for x in _same_dtype(tensors) if not (x.ndim == 1 and x.numel() == 0)] or _same_dtype(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    d = _normalize_dim(dim, tensors[0].ndim)
    ref = tensors[0].shape
    for i, x in enumerate(tensors[1:], 1):
        if x.ndim != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {x.ndim}")
        for k, (p, q) in enumerate(zip(ref, x.shape)):
            if k != d and p != q:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {p} but "
                    f"got size {q} for tensor number {i} in the list."
                )
    return ops.CatBackward0.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors: Any, dim: Any = 0, *, out: Any = None) -> Tensor:
    """Stack along a new dimension (``torch.stack``; grad_fn ``StackBackward0``)."""
    if out is not None:
        return _out(stack(tensors, dim), out)
    tensors = _same_dtype(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, x in enumerate(tensors[1:], 1):
        if x.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                f"entry 0 and {list(x.shape)} at entry {i}"
            )
    d = _normalize_dim(dim, tensors[0].ndim + 1)
    return ops.StackBackward0.apply(*tensors, dim=d)


def where(condition: Any, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (``torch.where``; grad_fn
    ``WhereBackward0``); with only a condition, the indices where it holds."""
    if out is not None:
        return _out(where(condition, input, other), out)
    a, b = input, other
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if a is None and b is None:
        return tuple(Tensor._wrap(i) for i in np.nonzero(cond))
    if not isinstance(a, Tensor):
        a = _operand(a, b) if isinstance(b, Tensor) else Tensor._wrap(np.asarray(a, dtype=np.float32))
    b = _operand(b, a)
    if a._data.dtype != b._data.dtype:
        target = np.result_type(a._data.dtype, b._data.dtype)
        a, b = a.to(target), b.to(target)
    return ops.WhereBackward0.apply(a, b, condition=cond.astype(bool))
