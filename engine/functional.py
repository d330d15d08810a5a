"""Module-level functions of the same names as Tensor methods (``engine.exp``, ``engine.cat`` ...)."""

from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor, _normalize_dim, _operand, dot, matmul, maximum, minimum, mm, mv

__all__ = [
    "abs",
    "add",
    "allclose",
    "argmax",
    "argmin",
    "cat",
    "clamp",
    "clip",
    "clone",
    "concat",
    "cos",
    "detach",
    "div",
    "dot",
    "equal",
    "exp",
    "flatten",
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
    "mv",
    "neg",
    "numel",
    "outer",
    "permute",
    "pow",
    "relu",
    "reshape",
    "sigmoid",
    "sin",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "t",
    "tanh",
    "transpose",
    "unsqueeze",
    "where",
]


def _t(x):
    if not isinstance(x, Tensor):
        raise TypeError(f"expected Tensor as element 0 in argument 0, but got {type(x).__name__}")
    return x


def add(a: Any, b: Any, alpha: float = 1) -> Tensor:
    return _t(a).add(b, alpha=alpha)


def sub(a: Any, b: Any, alpha: float = 1) -> Tensor:
    return _t(a).sub(b, alpha=alpha)


def mul(a: Any, b: Any) -> Tensor:
    return _t(a) * b if isinstance(a, Tensor) else b * a


def div(a: Any, b: Any) -> Tensor:
    return _t(a) / b


def neg(a: Any) -> Tensor:
    return -_t(a)


def pow(a: Any, exponent: Any) -> Tensor:
    return a**exponent


def exp(a: Any) -> Tensor:
    return _t(a).exp()


def log(a: Any) -> Tensor:
    return _t(a).log()


def sqrt(a: Any) -> Tensor:
    return _t(a).sqrt()


def tanh(a: Any) -> Tensor:
    return _t(a).tanh()


def sigmoid(a: Any) -> Tensor:
    return _t(a).sigmoid()


def relu(a: Any) -> Tensor:
    return _t(a).relu()


def abs(a: Any) -> Tensor:
    return _t(a).abs()


def sin(a: Any) -> Tensor:
    return _t(a).sin()


def cos(a: Any) -> Tensor:
    return _t(a).cos()


def square(a: Any) -> Tensor:
    return _t(a).square()


def clamp(a: Any, min: Any = None, max: Any = None) -> Tensor:
    return _t(a).clamp(min, max)


clip = clamp


def sum(a: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(a).sum(dim, keepdim, dtype=dtype)


def mean(a: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(a).mean(dim, keepdim, dtype=dtype)


def max(a: Any, dim: Any = None, keepdim: bool = False) -> Any:
    return _t(a).max(dim, keepdim)


def min(a: Any, dim: Any = None, keepdim: bool = False) -> Any:
    return _t(a).min(dim, keepdim)


def argmax(a: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(a).argmax(dim, keepdim)


def argmin(a: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(a).argmin(dim, keepdim)


def reshape(a: Any, shape: Any) -> Tensor:
    return _t(a).reshape(shape)


def flatten(a: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return _t(a).flatten(start_dim, end_dim)


def squeeze(a: Any, dim: Any = None) -> Tensor:
    return _t(a).squeeze(dim)


def unsqueeze(a: Any, dim: Any) -> Tensor:
    return _t(a).unsqueeze(dim)


def transpose(a: Any, dim0: int, dim1: int) -> Tensor:
    return _t(a).transpose(dim0, dim1)


def permute(a: Any, dims: Any) -> Tensor:
    return _t(a).permute(dims)


def t(a: Any) -> Tensor:
    return _t(a).t()


def clone(a: Any) -> Tensor:
    return _t(a).clone()


def detach(a: Any) -> Tensor:
    return _t(a).detach()


def numel(a: Any) -> int:
    return _t(a).numel()


def isnan(a: Any) -> Tensor:
    return _t(a).isnan()


def isfinite(a: Any) -> Tensor:
    return _t(a).isfinite()


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return _t(a).allclose(b, rtol, atol, equal_nan)


def equal(a: Any, b: Any) -> bool:
    return _t(a).equal(b)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def outer(a: Any, b: Any) -> Tensor:
    return _t(a).unsqueeze(1) * _t(b).unsqueeze(0)


def _same_dtype(tensors):
    tensors = [_t(x) for x in tensors]
    kinds = {x._data.dtype for x in tensors}
    if len(kinds) > 1:
        target = np.result_type(*kinds)
        tensors = [x.to(target) for x in tensors]
    return tensors


def cat(tensors: Any, dim: Any = 0) -> Tensor:
    """Concatenate along an existing dimension (``CatBackward0``)."""
    tensors = _same_dtype(tensors)
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


concat = cat


def stack(tensors: Any, dim: Any = 0) -> Tensor:
    """Stack along a new dimension (``StackBackward0``)."""
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


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """Elements of ``a`` where ``condition`` holds, else of ``b`` (``WhereBackward0``)."""
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
