"""The wider PyTorch tensor API: reductions, softmax, selections, reshaping helpers and more.

Each operation is defined once, with PyTorch's signature, and is both a module function and a
``Tensor`` method: ``engine.cumsum(x, dim=0)`` and ``x.cumsum(0)`` are the same function (the method
binds ``self`` to ``input``). Keyword names are PyTorch's (``input``, ``other``, ``dim``,
``keepdim``), with the NumPy-style aliases PyTorch also accepts (``axis``, ``keepdims``).
"""

import builtins
import itertools
from typing import Any

import numpy as np

from . import _device, ops, return_types
from ._dtype import bool_, get_default_dtype, int64, to_numpy_dtype
from .random import _generator
from .tensor import (
    _SCALAR_NAMES,
    Tensor,
    _binary,
    _normalize_dim,
    _normalize_dims,
    _operand,
    _shape_arg,
    matmul,
    mm,
)

__all__ = []


def _register(names, on_module=True, on_tensor=True):
    def decorate(fn):
        for name in names or (fn.__name__,):
            if on_module:
                globals()[name] = fn
                __all__.append(name)
            if on_tensor:
                setattr(Tensor, name, fn)
        return fn

    return decorate


def both(*names):
    """Register as ``engine.<name>`` and as the method ``Tensor.<name>``."""
    return _register(names)


def function(*names):
    """Register as ``engine.<name>`` only."""
    return _register(names, on_tensor=False)


def method(*names):
    """Register as ``Tensor.<name>`` only."""
    return _register(names, on_module=False)


# ------------------------------------------------------------------------------------- helpers


def _tensor(value, name="input", function="", position=1):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{function}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
        )
    return value


def _floating(t):
    return t if t._data.dtype.kind == "f" else t.to(get_default_dtype())


def _dim(dim, axis):
    """``dim``, or PyTorch's NumPy-style alias ``axis``."""
    return axis if dim is None else dim


def _keep(keepdim, keepdims):
    return builtins.bool(keepdims) if keepdims is not None else builtins.bool(keepdim)


def _dims(dim, ndim):
    """``dim`` (None, an int, or a sequence of ints) as None or a tuple of non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        return tuple(sorted(set(_normalize_dims(tuple(dim), ndim)))) if ndim else ()
    return (_normalize_dim(dim, ndim),) if ndim else ()


def _out(result, out):
    """Write ``result`` into ``out`` (PyTorch's ``out=``) and return it; or return ``result``."""
    if out is None:
        return result
    out._data = np.array(result._data, dtype=out._data.dtype) if out._data.dtype != result._data.dtype else result._data
    return out


def _wrap(array):
    return Tensor._wrap(np.asarray(array))


def _type_name(array):
    return _SCALAR_NAMES.get(array.dtype, array.dtype.name)


# --------------------------------------------------------------------------------- elementwise


def _unary(op, name, floating=True):
    def fn(input, *, out=None):
        x = _tensor(input, function=name)
        return _out(op.apply(_floating(x) if floating else x), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}`` elementwise (``torch.{name}``; grad_fn ``{op.__name__}``)."
    return fn


for _name, _op, _aliases in [
    ("log1p", ops.Log1PBackward0, ()),
    ("expm1", ops.Expm1Backward0, ()),
    ("exp2", ops.Exp2Backward0, ()),
    ("log2", ops.Log2Backward0, ()),
    ("log10", ops.Log10Backward0, ()),
    ("rsqrt", ops.RsqrtBackward0, ()),
    ("tan", ops.TanBackward0, ()),
    ("atan", ops.AtanBackward0, ("arctan",)),
    ("asin", ops.AsinBackward0, ("arcsin",)),
    ("acos", ops.AcosBackward0, ("arccos",)),
    ("sinh", ops.SinhBackward0, ()),
    ("cosh", ops.CoshBackward0, ()),
    ("erf", ops.ErfBackward0, ("special_erf",)),
    ("frac", ops.FracBackward0, ()),
]:
    both(_name, *_aliases)(_unary(_op, _name))


def _rounding(op, name):
    def fn(input, *, out=None):
        x = _tensor(input, function=name)
        if x._data.dtype.kind != "f":
            return _out(x.clone(), out)
        return _out(op.apply(x), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}`` elementwise; its gradient is 0 (``torch.{name}``; grad_fn ``{op.__name__}``)."
    return fn


both("floor")(_rounding(ops.FloorBackward0, "floor"))
both("ceil")(_rounding(ops.CeilBackward0, "ceil"))
both("trunc", "fix")(_rounding(ops.TruncBackward0, "trunc"))


@both()
def round(input, *, decimals=0, out=None):
    """Round half to even, to ``decimals`` places (``torch.round``; grad_fn ``RoundBackward0``/``1``)."""
    x = _tensor(input, function="round")
    if x._data.dtype.kind != "f":
        return _out(x.clone(), out)
    if decimals:
        return _out(ops.RoundBackward1.apply(x, decimals=decimals), out)
    return _out(ops.RoundBackward0.apply(x), out)


@both()
def sign(input, *, out=None):
    """−1, 0 or 1 by the sign of each element (``torch.sign``; grad_fn ``SignBackward0``, gradient 0)."""
    x = _tensor(input, function="sign")
    if x._data.dtype.kind != "f":
        return _out(_wrap(np.sign(x._data).astype(x._data.dtype)), out)
    return _out(ops.SignBackward0.apply(x), out)


@both("sgn")
def _sgn(input, *, out=None):
    return sign(input, out=out)


@both()
def clamp_min(input, min):
    """``max(input, min)`` elementwise (``torch.clamp_min``; grad_fn ``ClampMinBackward0``)."""
    if isinstance(min, Tensor):
        return input.clamp(min=min)
    return ops.ClampMinBackward0.apply(_tensor(input, function="clamp_min"), min=min)


@both()
def clamp_max(input, max):
    """``min(input, max)`` elementwise (``torch.clamp_max``; grad_fn ``ClampMaxBackward0``)."""
    if isinstance(max, Tensor):
        return input.clamp(max=max)
    return ops.ClampMaxBackward0.apply(_tensor(input, function="clamp_max"), max=max)


@function()
def rsub(input, other, *, alpha=1):
    """``other − alpha·input`` (``torch.rsub``)."""
    return (input * alpha).__rsub__(other) if alpha != 1 else input.__rsub__(other)


@both("true_divide")
def _true_divide(input, other, *, out=None):
    return _out(input / other, out)


@both()
def floor_divide(input, other, *, out=None):
    """Division rounded down (``torch.floor_divide``, the ``//`` operator)."""
    return _out(input // other, out)


@both()
def remainder(input, other, *, out=None):
    """Python's modulus, with the sign of the divisor (``torch.remainder``, the ``%`` operator)."""
    other = _operand(other, input)
    if input._data.dtype.kind == "f" or other._data.dtype.kind == "f":
        return _out(_binary(ops.RemainderBackward0, input, other), out)
    return _out(_wrap(np.mod(input._data, other._data)), out)


@both()
def fmod(input, other, *, out=None):
    """C's remainder, with the sign of the dividend (``torch.fmod``)."""
    other = _operand(other, input)
    if input._data.dtype.kind == "f" or other._data.dtype.kind == "f":
        return _out(_binary(ops.FmodBackward0, input, other), out)
    return _out(_wrap(np.fmod(input._data, other._data)), out)


@both("atan2", "arctan2")
def atan2(input, other, *, out=None):
    """The angle of (other, input) (``torch.atan2``; grad_fn ``Atan2Backward0``)."""
    return _out(_binary(ops.Atan2Backward0, _floating(input), _floating(_operand(other, input))), out)


@both()
def logaddexp(input, other, *, out=None):
    """ln(eᵃ + eᵇ), computed stably (``torch.logaddexp``)."""
    return _out(_binary(ops.LogaddexpBackward0, _floating(input), _operand(other, input)), out)


@both()
def xlogy(input, other, *, out=None):
    """input·ln(other), and 0 where input is 0 (``torch.xlogy``)."""
    return _out(_binary(ops.XlogyBackward0, _floating(input), _floating(_operand(other, input))), out)


@both()
def lerp(input, end, weight, *, out=None):
    """``input + weight·(end − input)`` (``torch.lerp``)."""
    if isinstance(weight, Tensor):
        return _out(input + weight * (end - input), out)
    return _out(_binary(ops.LerpBackward0, input, _operand(end, input), weight=weight), out)


@both()
def hypot(input, other, *, out=None):
    """√(a² + b²) elementwise (``torch.hypot``)."""
    return _out((input * input + other * other).sqrt(), out)


@both()
def square_(input):
    return input._inplace_unary(input.square())


# ----------------------------------------------------------------------------- logic and tests


def _boolean(array):
    return Tensor._wrap(np.asarray(array, dtype=np.bool_))


@both()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input − other| ≤ atol + rtol·|other| (``torch.isclose``)."""
    other = _operand(other, input)
    return _boolean(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


@both()
def isinf(input):
    return _boolean(np.isinf(_tensor(input, function="isinf")._data))


@both()
def isposinf(input, *, out=None):
    return _out(_boolean(np.isposinf(input._data)), out)


@both()
def isneginf(input, *, out=None):
    return _out(_boolean(np.isneginf(input._data)), out)


@both()
def isreal(input):
    return _boolean(np.ones(input._data.shape, dtype=np.bool_))


@both()
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN and infinities by numbers (``torch.nan_to_num``)."""
    x = input._data
    if x.dtype.kind != "f":
        return _out(input.clone(), out)
    info = np.finfo(x.dtype)
    values = np.nan_to_num(
        x, nan=nan, posinf=info.max if posinf is None else posinf, neginf=info.min if neginf is None else neginf
    )
    keep = np.isfinite(x)
    return _out(input.where(_boolean(keep), _wrap(values.astype(x.dtype))), out)


def _logical(numpy_fn, name):
    def fn(input, other, *, out=None):
        other = _operand(other, input)
        return _out(_boolean(numpy_fn(input._data, other._data)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of the truth values, a bool tensor (``torch.{name}``)."
    return fn


both("logical_and")(_logical(np.logical_and, "logical_and"))
both("logical_or")(_logical(np.logical_or, "logical_or"))
both("logical_xor")(_logical(np.logical_xor, "logical_xor"))


@both()
def logical_not(input, *, out=None):
    return _out(_boolean(np.logical_not(input._data)), out)


def _comparison(method_name, name):
    def fn(input, other, *, out=None):
        return _out(getattr(Tensor, method_name)(input, other), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise comparison (``torch.{name}``), a bool tensor."
    return fn


for _name, _method_name, _aliases in [
    ("eq", "__eq__", ()),
    ("ne", "__ne__", ("not_equal",)),
    ("lt", "__lt__", ("less",)),
    ("le", "__le__", ("less_equal",)),
    ("gt", "__gt__", ("greater",)),
    ("ge", "__ge__", ("greater_equal",)),
]:
    both(_name, *_aliases)(_comparison(_method_name, _name))


def _bitwise(numpy_fn, name):
    def fn(input, other, *, out=None):
        other = _operand(other, input)
        return _out(_wrap(numpy_fn(input._data, other._data)), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


both("bitwise_and")(_bitwise(np.bitwise_and, "bitwise_and"))
both("bitwise_or")(_bitwise(np.bitwise_or, "bitwise_or"))
both("bitwise_xor")(_bitwise(np.bitwise_xor, "bitwise_xor"))


@both()
def bitwise_not(input, *, out=None):
    return _out(_wrap(np.invert(input._data)), out)


@method("__xor__", "__rxor__")
def _xor(input, other):
    return _bitwise(np.logical_xor if input._data.dtype == np.bool_ else np.bitwise_xor, "xor")(input, other)


@method("__rand__")
def _rand(input, other):
    return input & other


@method("__ror__")
def _ror(input, other):
    return input | other


def _reduce_bool(numpy_fn, name):
    def fn(input, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        x = _tensor(input, function=name)
        dims = _dims(_dim(dim, axis), x._data.ndim)
        result = numpy_fn(x._data, axis=dims, keepdims=_keep(keepdim, keepdims))
        if x._data.dtype == np.uint8:
            return _out(_wrap(np.asarray(result).astype(np.uint8)), out)
        return _out(_boolean(result), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Whether {'all' if name == 'all' else 'any'} elements (along ``dim``) are true (``torch.{name}``)."
    return fn


both("all")(_reduce_bool(np.all, "all"))
both("any")(_reduce_bool(np.any, "any"))


@both()
def count_nonzero(input, dim=None):
    """The number of non-zero elements (along ``dim``) (``torch.count_nonzero``)."""
    dims = _dims(dim, input._data.ndim)
    return _wrap(np.count_nonzero(input._data, axis=dims)).to(int64)


@both()
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim (``as_tuple``)."""
    found = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in found)
    return _out(_wrap(np.stack(found, axis=-1).astype(np.int64).reshape(-1, input._data.ndim)), out)


@both()
def argwhere(input):
    return nonzero(input)


# --------------------------------------------------------------------------------- reductions


def _reduction_dims(input, dim, axis, name):
    x = _tensor(input, function=name)
    return x, _dims(_dim(dim, axis), x._data.ndim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _moment(op, name):
    def fn(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None, out=None):
        if isinstance(dim, builtins.bool):  # std(input, unbiased)
            dim, unbiased = None, dim
        x, dims = _reduction_dims(input, dim, axis, name)
        if x._data.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        c = _correction(unbiased, correction)
        keep = _keep(keepdim, keepdims)
        return _out(op.apply(x, dim=dims, correction=c, keepdim=keep), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"The {'standard deviation' if name == 'std' else 'variance'} over ``dim`` (all elements by default) "
        f"with Bessel's correction unless ``unbiased=False`` or ``correction=`` says otherwise "
        f"(``torch.{name}``; grad_fn ``{op.__name__}``)."
    )
    return fn


both("std")(_moment(ops.StdBackward0, "std"))
both("var")(_moment(ops.VarBackward0, "var"))


@function()
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim`` (``torch.std_mean``)."""
    kwargs = dict(correction=_correction(unbiased, correction), keepdim=keepdim)
    return input.std(dim, **kwargs), input.mean(dim, keepdim=keepdim) if dim is not None else input.mean()


@function()
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` (``torch.var_mean``)."""
    kwargs = dict(correction=_correction(unbiased, correction), keepdim=keepdim)
    return input.var(dim, **kwargs), input.mean(dim, keepdim=keepdim) if dim is not None else input.mean()


@both()
def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """The product of all elements, or along ``dim`` (``torch.prod``; grad_fn ``ProdBackward0``/``1``)."""
    x = _tensor(input, function="prod")
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind in "biu":
        x = x.to(int64)
    dim = _dim(dim, axis)
    if dim is None:
        return ops.ProdBackward0.apply(x)
    return ops.ProdBackward1.apply(x, dim=_normalize_dim(dim, x._data.ndim), keepdim=_keep(keepdim, keepdims))


def _cumulative(op, name):
    def fn(input, dim=None, *, dtype=None, axis=None, out=None):
        x = _tensor(input, function=name)
        dim = _dim(dim, axis)
        if dim is None:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        if dtype is not None:
            x = x.to(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.to(int64)
        return _out(op.apply(x, dim=_normalize_dim(dim, x._data.ndim)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Running {'sums' if name == 'cumsum' else 'products'} along ``dim`` (``torch.{name}``)."
    return fn


both("cumsum")(_cumulative(ops.CumsumBackward0, "cumsum"))
both("cumprod")(_cumulative(ops.CumprodBackward0, "cumprod"))


@both()
def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
    """ln Σ exp(input) over ``dim``, computed without overflow (``torch.logsumexp``)."""
    x, dims = _reduction_dims(input, dim, axis, "logsumexp")
    if dims is None:
        dims = tuple(range(x._data.ndim))
    return _out(ops.LogsumexpBackward0.apply(_floating(x), dim=dims, keepdim=_keep(keepdim, keepdims)), out)


@both()
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector p-norm of all elements, or over ``dim`` (``torch.norm``; grad_fn
    ``LinalgVectorNormBackward0``). ``p`` is a number, ``inf``, or ``"fro"`` (the 2-norm)."""
    x = _tensor(input, function="norm")
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_type_name(x._data)}"
        )
    if p == "nuc":
        raise NotImplementedError("torch.norm(p='nuc') is not implemented in this engine")
    ord = 2.0 if p in ("fro", None) else float(p)
    dims = _dims(dim, x._data.ndim)
    return _out(ops.LinalgVectorNormBackward0.apply(x, ord=ord, dim=dims, keepdim=builtins.bool(keepdim)), out)


def _extremum_along(op, name):
    def fn(input, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        x, dims = _reduction_dims(input, dim, axis, name)
        if dims is None:
            dims = tuple(range(x._data.ndim))
        return _out(op.apply(x, dim=dims, keepdim=_keep(keepdim, keepdims)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {name[1:]}imum over ``dim`` (all by default), ties sharing the gradient (``torch.{name}``)."
    return fn


amax = both("amax")(_extremum_along(ops.AmaxBackward0, "amax"))
amin = both("amin")(_extremum_along(ops.AminBackward0, "amin"))


@both()
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (``torch.aminmax``)."""
    return return_types.aminmax(amin(input, dim, keepdim), amax(input, dim, keepdim))


@both()
def median(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The median (the lower middle value); with ``dim``, ``(values, indices)`` (``torch.median``)."""
    x = _tensor(input, function="median")
    dim = _dim(dim, axis)
    if dim is None:
        return ops.MedianBackward0.apply(x)
    d = _normalize_dim(dim, x._data.ndim)
    node_values = ops.MedianBackward1.apply(x, dim=d, keepdim=_keep(keepdim, keepdims))
    return return_types.median(node_values, _median_indices(x, d, _keep(keepdim, keepdims)))


def _median_indices(x, d, keepdim, k=None):
    if x._data.ndim == 0:
        return _wrap(np.zeros((), dtype=np.int64))
    position = (x._data.shape[d] - 1) // 2 if k is None else k
    order = np.argsort(x._data, axis=d, kind="stable")
    indices = np.take(order, [position], axis=d).astype(np.int64)
    return _wrap(indices if keepdim else np.squeeze(indices, axis=d))


@both()
def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest value along ``dim``, with its index (``torch.kthvalue``)."""
    x = _tensor(input, function="kthvalue")
    d = _normalize_dim(dim, x._data.ndim)
    values = ops.KthvalueBackward0.apply(x, dim=d, keepdim=keepdim, k=k - 1)
    return return_types.kthvalue(values, _median_indices(x, d, keepdim, k - 1))


@both()
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest among ties), with an index of it (``torch.mode``)."""
    x = input._data
    d = _normalize_dim(dim, x.ndim)
    moved = np.moveaxis(x, d, -1) if x.ndim else x.reshape(1)
    values = np.empty(moved.shape[:-1], dtype=x.dtype)
    indices = np.empty(moved.shape[:-1], dtype=np.int64)
    for position in np.ndindex(moved.shape[:-1]):
        row = moved[position]
        unique, counts = np.unique(row, return_counts=True)
        value = unique[np.argmax(counts)]
        values[position] = value
        indices[position] = np.nonzero(row == value)[0][-1]
    if keepdim and x.ndim:
        values, indices = np.expand_dims(values, d), np.expand_dims(indices, d)
    return return_types.mode(_wrap(values), _wrap(indices))


@both()
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum ignoring NaNs (``torch.nansum``)."""
    return (
        input.where(~input.isnan(), 0.0).sum(dim, keepdim, dtype=dtype)
        if dim is not None
        else input.where(~input.isnan(), 0.0).sum(dtype=dtype)
    )


@both()
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean ignoring NaNs (``torch.nanmean``)."""
    keep = ~input.isnan()
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = keep.sum(dim, keepdim) if dim is not None else keep.sum()
    return total / count


# ------------------------------------------------------------------------------ sorting and picking


@both()
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values along ``dim`` and their original indices (``torch.sort``; ``torch.return_types.sort``)."""
    x = _tensor(input, function="sort")
    d = _normalize_dim(dim, x._data.ndim)
    values = ops.SortBackward0.apply(x, dim=d, descending=descending, stable=stable)
    indices = _wrap(_sort_order(x._data, d, descending))
    return return_types.sort(values, indices)


def _sort_order(a, dim, descending):
    if a.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if descending:
        if a.dtype.kind == "b":
            return np.flip(np.argsort(a, axis=dim, kind="stable"), dim).astype(np.int64)
        return np.argsort(-a if a.dtype.kind != "u" else a.max() - a, axis=dim, kind="stable").astype(np.int64)
    return np.argsort(a, axis=dim, kind="stable").astype(np.int64)


@both()
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim`` (``torch.argsort``)."""
    return _wrap(_sort_order(input._data, _normalize_dim(dim, input._data.ndim), descending))


@both()
def msort(input):
    return sort(input, 0).values


@both()
def topk(input, k, dim=None, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) values along ``dim`` and their indices (``torch.topk``)."""
    x = _tensor(input, function="topk")
    d = _normalize_dim(-1 if dim is None else dim, x._data.ndim)
    size = x._data.shape[d] if x._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values = ops.TopkBackward0.apply(x, k=k, dim=d, largest=largest)
    order = _sort_order(x._data, d, largest)
    indices = np.take(order, np.arange(k), axis=d) if x._data.ndim else order
    return return_types.topk(values, _wrap(indices))


@both()
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values picked along ``dim`` by ``index``: out[i][j] = input[index[i][j]][j] for dim 0 (``torch.gather``)."""
    x = _tensor(input, function="gather")
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    d = _normalize_dim(dim, x._data.ndim)
    return _out(ops.GatherBackward0.apply(x, dim=d, index=idx), out)


@both()
def take_along_dim(input, indices, dim=None, *, out=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1), out=out)
    return gather(input, dim, indices, out=out)


@both()
def take(input, index):
    """Elements of the flattened input at ``index`` (``torch.take``)."""
    return input.reshape(-1)[index]


@both()
def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at ``index`` (``torch.index_select``)."""
    x = _tensor(input, function="index_select")
    idx = np.asarray(index._data if isinstance(index, Tensor) else index).reshape(-1)
    return _out(ops.IndexSelectBackward0.apply(x, dim=_normalize_dim(dim, x._data.ndim), index=idx), out)


@both()
def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (``torch.masked_fill``; grad_fn ``MaskedFillBackward0``)."""
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype.name}")
    if isinstance(value, Tensor):
        value = value.item()
    return ops.MaskedFillBackward0.apply(input, mask=m, value=value)


@method()
def masked_fill_(input, mask, value):
    return input._inplace_unary(masked_fill(input, mask, value))


@both()
def masked_select(input, mask, *, out=None):
    """The elements where ``mask`` is True, as a vector (``torch.masked_select``)."""
    return _out(ops.MaskedSelectBackward0.apply(input, mask=mask._data.astype(bool)), out)


@method()
def where(input, condition, other):
    """``engine.where(condition, self, other)``."""
    from .functional import where as where_function

    return where_function(condition, input, other)


@both()
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, sorted; optionally the inverse indices and counts (``torch.unique``)."""
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=dim)
    result = [_wrap(values)]
    if return_inverse:
        result.append(_wrap(inverse.astype(np.int64)))
    if return_counts:
        result.append(_wrap(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


@both()
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    x = input._data.reshape(-1)
    if x.size == 0:
        return _wrap(x)
    starts = np.concatenate([[True], x[1:] != x[:-1]])
    values = x[starts]
    result = [_wrap(values)]
    if return_inverse:
        result.append(_wrap((np.cumsum(starts) - 1).reshape(input._data.shape).astype(np.int64)))
    if return_counts:
        result.append(_wrap(np.diff(np.append(np.nonzero(starts)[0], x.size)).astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


@both()
def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer (``torch.bincount``)."""
    w = None if weights is None else weights._data
    counts = np.bincount(input._data, weights=w, minlength=minlength)
    return _wrap(counts if w is not None else counts.astype(np.int64))


@both()
def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of equal-width bins between ``min`` and ``max`` (``torch.histc``)."""
    x = input._data
    lo, hi = (float(x.min()), float(x.max())) if min == max and x.size else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(x[(x >= lo) & (x <= hi)], bins=bins, range=(lo, hi))
    return _out(_wrap(counts.astype(x.dtype)), out)


@both()
def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """Where ``values`` would go in ``sorted_sequence`` to keep it sorted (``torch.searchsorted``)."""
    side = side or ("right" if right else "left")
    seq = sorted_sequence._data
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    if seq.ndim <= 1:
        found = np.searchsorted(seq, v, side=side)
    else:
        found = np.stack([np.searchsorted(s, row, side=side) for s, row in zip(seq, v)])
    return _out(_wrap(found.astype(np.int32 if out_int32 else np.int64)), out)


@function()
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ----------------------------------------------------------------------------- softmax and friends


def _softmax_dim(dim, ndim, name):
    if dim is None:
        # PyTorch's legacy rule for a missing dim (it warns).
        import warnings

        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
            stacklevel=3,
        )
        return 0 if ndim in (0, 1, 3) else 1
    return _normalize_dim(dim, ndim)


@both()
def softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    """e^x normalised to sum to 1 along ``dim`` (``torch.softmax``; grad_fn ``SoftmaxBackward0``)."""
    x = _tensor(input, function="softmax")
    if dtype is not None:
        x = x.to(dtype)
    x = _floating(x)
    return ops.SoftmaxBackward0.apply(x, dim=_softmax_dim(dim, x._data.ndim, "softmax"))


@both()
def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):
    """The logarithm of softmax along ``dim``, computed stably (``torch.log_softmax``;
    grad_fn ``LogSoftmaxBackward0``)."""
    x = _tensor(input, function="log_softmax")
    if dtype is not None:
        x = x.to(dtype)
    x = _floating(x)
    return ops.LogSoftmaxBackward0.apply(x, dim=_softmax_dim(dim, x._data.ndim, "log_softmax"))


# ---------------------------------------------------------------------------------------- shapes


@both()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated ``repeats`` times (along ``dim``, or of the flattened input) (``torch.repeat_interleave``)."""
    if repeats is None:  # repeat_interleave(repeats): indices repeated by their counts
        counts = input._data
        return _wrap(np.repeat(np.arange(counts.size), counts).astype(np.int64))
    x = input if dim is not None else input.reshape(-1)
    d = 0 if dim is None else _normalize_dim(dim, x._data.ndim)
    r = repeats._data if isinstance(repeats, Tensor) else repeats
    index = np.repeat(np.arange(x._data.shape[d]), r)
    return index_select(x, d, _wrap(index))


@method()
def repeat(input, *sizes, repeats=None):
    """The tensor tiled ``sizes`` times along each dim (``torch.Tensor.repeat``; grad_fn ``RepeatBackward0``)."""
    repeats = tuple(int(s) for s in (_shape_arg(sizes) if sizes else _shape_arg((repeats,))))
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    return ops.RepeatBackward0.apply(input, repeats=repeats)


@both()
def tile(input, dims):
    """``repeat`` with leading ones added to ``dims`` as needed (``torch.tile``)."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, *dims)


@both()
def flip(input, dims):
    """Reverse the order along ``dims`` (``torch.flip``; grad_fn ``FlipBackward0``)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return ops.FlipBackward0.apply(input, dims=tuple(_normalize_dim(d, input._data.ndim) for d in dims))


@both()
def fliplr(input):
    return flip(input, (1,))


@both()
def flipud(input):
    return flip(input, (0,))


@both()
def roll(input, shifts, dims=None):
    """Shift elements cyclically along ``dims`` (the flattened tensor by default) (``torch.roll``)."""
    if dims is None:
        return ops.RollBackward0.apply(input.reshape(-1), shifts=shifts, dims=0).reshape(input.shape)
    if isinstance(shifts, (tuple, list)):
        shifts, dims = tuple(shifts), tuple(dims)
    return ops.RollBackward0.apply(input, shifts=shifts, dims=dims)


@both()
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90° k times in the plane of ``dims`` (``torch.rot90``)."""
    k %= 4
    d0, d1 = dims
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip((d0, d1))
    if k == 3:
        return input.transpose(d0, d1).flip(d1)
    return input.clone()


@both()
def tril(input, diagonal=0, *, out=None):
    """The lower triangle (``torch.tril``)."""
    return _out(ops.TrilBackward0.apply(input, diagonal=diagonal), out)


@both()
def triu(input, diagonal=0, *, out=None):
    """The upper triangle (``torch.triu``)."""
    return _out(ops.TriuBackward0.apply(input, diagonal=diagonal), out)


@both()
def diag(input, diagonal=0, *, out=None):
    """A vector's diagonal matrix, or a matrix's diagonal (``torch.diag``)."""
    if input._data.ndim == 1:
        return _out(ops.DiagEmbedBackward0.apply(input, offset=diagonal), out)
    if input._data.ndim != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input._data.ndim}D")
    return _out(ops.DiagonalBackward0_copy.apply(input, offset=diagonal, dim1=0, dim2=1), out)


@both()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes (``torch.diagonal``; grad_fn ``DiagonalBackward0``)."""
    n = input._data.ndim
    return ops.DiagonalBackward0.apply(input, offset=offset, dim1=_normalize_dim(dim1, n), dim2=_normalize_dim(dim2, n))


@both()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices with the last dim of ``input`` on a diagonal (``torch.diag_embed``)."""
    k = input._data.shape[-1]
    n = k + abs(offset)
    rows = np.arange(k) + max(-offset, 0)
    cols = np.arange(k) + max(offset, 0)
    out = Tensor._wrap(np.zeros(input._data.shape[:-1] + (n, n), dtype=input._data.dtype))
    out[..., list(rows), list(cols)] = input
    return out


@both()
def trace(input):
    """The sum of a matrix's diagonal (``torch.trace``; grad_fn ``TraceBackward0``)."""
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input._data.ndim))
    return ops.TraceBackward0.apply(input)


@both()
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller) (``torch.chunk``)."""
    d = _normalize_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = max(1, -(-n // chunks))
    return split(input, size, d)


def _pieces(tensor, d, bounds, op: Any):
    prefix = (slice(None),) * d
    return tuple(op.apply(tensor, index=prefix + (slice(a, b),)) for a, b in bounds)


@both()
def split(tensor, split_size_or_sections=None, dim=0, *, split_size=None):
    """Pieces of ``split_size`` along ``dim``, or of the listed sizes (``torch.split``; grad_fn
    ``SplitBackward0`` or ``SplitWithSizesBackward0``)."""
    if split_size_or_sections is None:
        split_size_or_sections = split_size
    d = _normalize_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        bounds = [(start, min(start + size, n)) for start in range(0, n, size)] if size else [(0, 0)]
        return _pieces(tensor, d, bounds, ops.SplitBackward0)
    sizes = [int(s) for s in split_size_or_sections]
    if builtins.sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
            f"{d}), but got split_sizes={sizes}"
        )
    starts = [0] + list(itertools.accumulate(sizes))
    return _pieces(tensor, d, list(itertools.pairwise(starts)), ops.SplitWithSizesBackward0)


@both()
def tensor_split(input, indices_or_sections, dim=0):
    d = _normalize_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        starts = [0] + list(itertools.accumulate(sizes))
    else:
        starts = [0] + [int(i) for i in indices_or_sections] + [n]
    prefix = (slice(None),) * d
    return tuple(input[prefix + (slice(a, b),)] for a, b in itertools.pairwise(starts))


@both()
def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple (``torch.unbind``)."""
    d = _normalize_dim(dim, input._data.ndim)
    prefix = (slice(None),) * d
    return tuple(ops.UnbindBackward0.apply(input, index=prefix + (i,)) for i in range(input._data.shape[d]))


@both()
def narrow(input, dim, start, length):
    """``length`` elements from ``start`` along ``dim`` (``torch.narrow``)."""
    d = _normalize_dim(dim, input._data.ndim)
    start = int(start)
    if start < 0:
        start += input._data.shape[d]
    return input[(slice(None),) * d + (slice(start, start + length),)]


@both("movedim", "moveaxis")
def movedim(input, source, destination):
    """Move dims to new positions (``torch.movedim``; grad_fn ``PermuteBackward0``)."""
    n = input._data.ndim
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    source = [_normalize_dim(s, n) for s in source]
    destination = [_normalize_dim(d, n) for d in destination]
    order = [i for i in range(n) if i not in source]
    for d, s in sorted(zip(destination, source)):
        order.insert(d, s)
    return input.permute(*order)


@both("swapaxes", "swapdims")
def swapaxes(input, axis0, axis1):
    """``transpose(axis0, axis1)`` under NumPy's name (``torch.swapaxes``)."""
    return input.transpose(axis0, axis1)


@both()
def broadcast_to(input, size):
    """``expand`` to ``size`` (``torch.broadcast_to``)."""
    return input.expand(*size)


@function()
def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape (``torch.broadcast_tensors``)."""
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t.expand(*shape) if t._data.shape != shape else t for t in tensors)


@function()
def broadcast_shapes(*shapes):
    from .tensor import Size

    return Size(np.broadcast_shapes(*(tuple(s) if isinstance(s, (tuple, list)) else (s,) for s in shapes)))


@both()
def ravel(input):
    """The flattened tensor (``torch.ravel``)."""
    return input.reshape(-1)


@both()
def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (``torch.unflatten``)."""
    d = _normalize_dim(dim, input._data.ndim)
    shape = input._data.shape
    return input.reshape(shape[:d] + tuple(sizes) + shape[d + 1 :])


def _at_least(tensors, ndim):
    out = []
    for t in tensors:
        while t._data.ndim < ndim:
            t = t.unsqueeze(0) if t._data.ndim == 0 or ndim == 2 else t.unsqueeze(-1)
        out.append(t)
    return out


@function()
def atleast_1d(*tensors):
    result = [t.reshape(1) if t._data.ndim == 0 else t for t in _flat_args(tensors)]
    return result[0] if len(result) == 1 else tuple(result)


@function()
def atleast_2d(*tensors):
    result = []
    for t in _flat_args(tensors):
        if t._data.ndim == 0:
            t = t.reshape(1, 1)
        elif t._data.ndim == 1:
            t = t.unsqueeze(0)
        result.append(t)
    return result[0] if len(result) == 1 else tuple(result)


def _flat_args(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return list(tensors[0])
    return list(tensors)


@function()
def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 for vectors) (``torch.hstack``)."""
    from .functional import cat

    tensors = [t.reshape(1) if t._data.ndim == 0 else t for t in tensors]
    return _out(cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1), out)


@function("vstack", "row_stack")
def vstack(tensors, *, out=None):
    """Stack rows: vectors become rows, then concatenate along dim 0 (``torch.vstack``)."""
    from .functional import cat

    return _out(cat([atleast_2d(t) for t in tensors], 0), out)


@function()
def dstack(tensors, *, out=None):
    from .functional import cat

    expanded = []
    for t in tensors:
        t = atleast_2d(t)
        if t._data.ndim == 2:
            t = t.unsqueeze(-1)
        expanded.append(t)
    return _out(cat(expanded, 2), out)


@function()
def column_stack(tensors, *, out=None):
    """Vectors as columns, concatenated along dim 1 (``torch.column_stack``)."""
    from .functional import cat

    columns = [t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return _out(cat(columns, 1), out)


# --------------------------------------------------------------------------------- linear algebra


@both()
def bmm(input, mat2, *, out=None):
    """Batched matrix product of (b, n, m) and (b, m, p) tensors (``torch.bmm``; grad_fn ``BmmBackward0``)."""
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but "
            f"got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(a)} but found {_type_name(b)}")
    return _out(ops.BmmBackward0.apply(input, mat2), out)


@both()
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta·input + alpha·(mat1 @ mat2)`` (``torch.addmm``; grad_fn ``AddmmBackward0``)."""
    if beta == 1 and alpha == 1:
        return _out(ops.AddmmBackward0.apply(input, mat1, mat2), out)
    return _out(input * beta + mm(mat1, mat2) * alpha, out)


@both()
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return _out(input * beta + matmul(mat, vec) * alpha, out)


@both()
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value·tensor1·tensor2`` (``torch.addcmul``)."""
    return _out(input + tensor1 * tensor2 * value, out)


@both()
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value·tensor1/tensor2`` (``torch.addcdiv``)."""
    return _out(input + tensor1 / tensor2 * value, out)


@both()
def inner(input, other, *, out=None):
    """Sum over the last dims of both (``torch.inner``)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(input * other, out)
    return _out(tensordot(input, other, dims=([-1], [-1])), out)


@both()
def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along ``dim`` (``torch.cross``)."""
    d = _normalize_dim(-1 if dim is None else dim, input._data.ndim)

    def part(t, i):
        return t.narrow(d, i, 1)

    a0, a1, a2 = (part(input, i) for i in range(3))
    b0, b1, b2 = (part(other, i) for i in range(3))
    from .functional import cat

    return _out(cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d), out)


@both()
def kron(input, other, *, out=None):
    """The Kronecker product (``torch.kron``)."""
    a, b = input, other
    n = max(a._data.ndim, b._data.ndim)
    a = a.reshape((1,) * (n - a._data.ndim) + a._data.shape)
    b = b.reshape((1,) * (n - b._data.ndim) + b._data.shape)
    expanded_a = a.reshape(tuple(itertools.chain.from_iterable((s, 1) for s in a._data.shape)))
    expanded_b = b.reshape(tuple(itertools.chain.from_iterable((1, s) for s in b._data.shape)))
    product = expanded_a * expanded_b
    return _out(product.reshape(tuple(x * y for x, y in zip(a._data.shape, b._data.shape))), out)


@function()
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` dims of ``a`` with ``b`` (``torch.tensordot``)."""
    if isinstance(dims, int):
        dims_a = list(range(a._data.ndim - dims, a._data.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        dims_a = [_normalize_dim(d, a._data.ndim) for d in dims_a]
        dims_b = [_normalize_dim(d, b._data.ndim) for d in dims_b]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sub_a = [next(letters) for _ in range(a._data.ndim)]
    sub_b = [next(letters) for _ in range(b._data.ndim)]
    for da, db in zip(dims_a, dims_b):
        sub_b[db] = sub_a[da]
    kept = [s for i, s in enumerate(sub_a) if i not in dims_a] + [s for i, s in enumerate(sub_b) if i not in dims_b]
    return _out(einsum(f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(kept)}", a, b), out)


@both()
def matrix_power(input, n):
    """The matrix to the integer power ``n`` (``torch.matrix_power``)."""
    if n == 0:
        return _wrap(np.broadcast_to(np.eye(input._data.shape[-1], dtype=input._data.dtype), input._data.shape).copy())
    if n < 0:
        from . import linalg

        return matrix_power(linalg.inv(input), -n)
    result = input
    for _ in range(n - 1):
        result = matmul(result, input)
    return result


@function()
def einsum(equation, *operands):
    """Einstein summation (``torch.einsum``): products and sums of the operands' indexed dims.

    Built from the engine's differentiable ops (permute, reshape, broadcasting multiply, sum and
    matmul), so gradients flow to every operand. ``...`` stands for broadcast dims.
    """
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(operands) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    # Expand "..." into named broadcast dims (upper-case letters, unused by the equation).
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in equation]
    ell = 0
    for t, term in zip(operands, terms):
        if "..." in term:
            ell = max(ell, t._data.ndim - (len(term) - 3))
    ell_names = "".join(spare[:ell][::-1])
    subscripts: list[str] = []
    for t, term in zip(operands, terms):
        if "..." in term:
            k = t._data.ndim - (len(term) - 3)
            term = term.replace("...", ell_names[ell - k :])
        if len(term) != t._data.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(term)}) does not match the number "
                f"of dimensions ({t._data.ndim}) for operand {len(subscripts)}"
                + (" and no ellipsis was given" if "..." not in term else "")
            )
        subscripts.append(term)
    if arrow:
        output = output.replace("...", ell_names)
    else:
        counts: dict[str, int] = {}
        for term in subscripts:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        output = ell_names + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell_names))
    sizes: dict[str, int] = {}
    for t, term in zip(operands, subscripts):
        for c, s in zip(term, t._data.shape):
            if sizes.get(c, 1) != s and s != 1 and sizes.get(c, 1) != 1:
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                    f"{list(t._data.shape)}"
                )
            sizes[c] = max(sizes.get(c, 1), s)
    # Take diagonals for repeated letters within one operand, then align every operand to one
    # order of letters: output letters first, then the summed ones.
    letters = list(output) + sorted({c for term in subscripts for c in term} - set(output))
    aligned = []
    for t, term in zip(operands, subscripts):
        while len(set(term)) < len(term):
            c = next(c for c in term if term.count(c) > 1)
            i = term.index(c)
            j = term.index(c, i + 1)
            t = t.diagonal(0, i, j)
            term = term[:i] + term[i + 1 : j] + term[j + 1 :] + c
        order = [term.index(c) for c in letters if c in term]
        if order != list(range(len(order))):
            t = t.permute(*order)
        present = [c for c in letters if c in term]
        shape = []
        k = 0
        for c in letters:
            if c in present:
                shape.append(t._data.shape[k])
                k += 1
            else:
                shape.append(1)
        if tuple(shape) != t._data.shape:
            t = t.reshape(shape)
        aligned.append(t)
    summed = tuple(range(len(output), len(letters)))
    if len(aligned) == 2 and summed:
        result = _contract_pair(aligned[0], aligned[1], len(output), len(letters))
    else:
        result = aligned[0]
        for t in aligned[1:]:
            result = result * t
        if summed:
            result = result.sum(dim=summed)
    if result._data.shape != tuple(sizes.get(c, 1) for c in output):
        result = result.expand(*[sizes.get(c, 1) for c in output])
    return result


def _contract_pair(a, b, n_out, n_letters):
    """Σ over the trailing (summed) dims of a·b, as one batched matrix product where that is possible."""
    shape_a, shape_b = a._data.shape, b._data.shape
    summed = range(n_out, n_letters)
    if builtins.all(shape_a[i] == shape_b[i] for i in summed):
        k = int(np.prod([shape_a[i] for i in summed]))
        out_a = shape_a[:n_out]
        out_b = shape_b[:n_out]
        a2 = a.reshape(out_a + (1, k))
        b2 = b.reshape(out_b + (k, 1))
        return matmul(a2, b2).reshape(np.broadcast_shapes(out_a, out_b))
    return (a * b).sum(dim=tuple(summed))


@function()
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (``torch.meshgrid``); ``indexing="ij"`` (the default) or ``"xy"``."""
    tensors = _flat_args(tensors)
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and len(shape) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for i, t in enumerate(tensors):
        axis = i
        if indexing == "xy" and len(shape) >= 2 and i < 2:
            axis = 1 - i
        view = [1] * len(shape)
        view[axis] = -1
        grids.append(t.reshape(view).expand(*shape))
    return tuple(grids)


@function()
def cartesian_prod(*tensors):
    """All combinations of the vectors' elements, one per row (``torch.cartesian_prod``)."""
    from .functional import stack

    grids = meshgrid(*tensors, indexing="ij")
    if len(grids) == 1:
        return grids[0]
    return stack([g.reshape(-1) for g in grids], dim=1)


@function()
def combinations(input, r=2, with_replacement=False):
    chooser = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(chooser(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if index.size == 0:
        return _wrap(np.zeros((0, r), dtype=input._data.dtype))
    return input[_wrap(index)]


@function()
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    rows, cols = np.tril_indices(row, offset, col)
    return _wrap(np.stack([rows, cols]).astype(to_numpy_dtype(dtype) if dtype else np.int64))


@function()
def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    rows, cols = np.triu_indices(row, offset, col)
    return _wrap(np.stack([rows, cols]).astype(to_numpy_dtype(dtype) if dtype else np.int64))


@function()
def cdist(x1, x2, p=2.0, compute_mode=None):
    """Distances between each row of ``x1`` and each row of ``x2`` (``torch.cdist``)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return norm(diff, p=p, dim=-1)


@both()
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """Differences of neighbours along ``dim``, ``n`` times (``torch.diff``)."""
    from .functional import cat

    d = _normalize_dim(dim, input._data.ndim)
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, x, append) if t is not None], d)
    for _ in range(n):
        length = x._data.shape[d]
        x = x.narrow(d, 1, length - 1) - x.narrow(d, 0, length - 1)
    return x


# ----------------------------------------------------------------------------- new tensors from one


def _like_dtype(input, dtype):
    return to_numpy_dtype(dtype) if dtype is not None else input._data.dtype


def _made(array, requires_grad):
    t = Tensor._wrap(array)
    if requires_grad:
        t._require_grad_at_creation()
    return t


@method()
def new_tensor(input, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A new tensor from ``data``, of this tensor's dtype unless ``dtype`` is given (``Tensor.new_tensor``)."""
    from .tensor import _array_from

    _device.check(device)
    array = _array_from(data, dtype if dtype is not None else input.dtype)
    return _made(array, requires_grad)


def _new_filled(fill):
    def fn(input, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kwargs):
        _device.check(device)
        shape = _shape_arg(size) if size else _shape_arg((kwargs["size"],))
        return _made(np.full(shape, fill, dtype=_like_dtype(input, dtype)), requires_grad)

    return fn


method("new_zeros")(_new_filled(0))
method("new_ones")(_new_filled(1))
method("new_empty")(_new_filled(0))


@method()
def new_full(input, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``, of this tensor's dtype (``Tensor.new_full``)."""
    _device.check(device)
    return _made(np.full(tuple(size), fill_value, dtype=_like_dtype(input, dtype)), requires_grad)


# ------------------------------------------------------------------------------------- conversions


def _converter(dtype_name):
    def fn(input, memory_format=None):
        from . import _dtype

        return input.to(getattr(_dtype, dtype_name))

    fn.__name__ = fn.__qualname__ = dtype_name
    return fn


method("half")(_converter("float16"))
method("short")(_converter("int16"))
method("char")(_converter("int8"))
method("byte")(_converter("uint8"))


@method()
def is_complex(input):
    return False


@method()
def is_signed(input):
    return input._data.dtype.kind in "fi"


@method()
def stride(input, dim=None):
    """Steps in elements between neighbours along each dim (``Tensor.stride``)."""
    strides = tuple(s // input._data.itemsize for s in input._data.strides)
    return strides if dim is None else strides[_normalize_dim(dim, input._data.ndim)]


@method()
def storage_offset(input):
    return 0


@method()
def is_set_to(input, tensor):
    return input._data is tensor._data


@method()
def data_ptr(input):
    return input._data.ctypes.data


@method()
def untyped_storage(input):
    raise NotImplementedError("Tensor.untyped_storage is not implemented in this engine")


def _nbytes(input):
    return input._data.nbytes


def _itemsize(input):
    return input._data.itemsize


setattr(Tensor, "nbytes", property(_nbytes, doc="The number of bytes of the elements."))  # noqa: B010
setattr(Tensor, "itemsize", property(_itemsize, doc="The size of one element in bytes."))  # noqa: B010
setattr(Tensor, "layout", "torch.strided")  # noqa: B010


@method()
def apply_(input, callable):
    """Apply a Python function to each element in place (``Tensor.apply_``)."""
    flat = input._data.reshape(-1)
    for i, v in enumerate(flat.tolist()):
        flat[i] = callable(v)
    return input


@method()
def map_(input, tensor, callable):
    a = input._data.reshape(-1)
    b = np.broadcast_to(tensor._data, input._data.shape).reshape(-1)
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
        a[i] = callable(x, y)
    return input


# --------------------------------------------------------------------------------- in-place forms


@method()
def _inplace_unary(input, result):
    """Make ``input`` hold ``result`` in place, with PyTorch's check for leaves that require grad."""
    input._check_inplace()
    if result._data.dtype != input._data.dtype and result.grad_fn is None:
        result = Tensor._wrap(result._data.astype(input._data.dtype))
    return input._inplace(result)


def _inplace_form(name):
    def fn(input, *args, **kwargs):
        return input._inplace_unary(getattr(Tensor, name)(input, *args, **kwargs))

    fn.__name__ = fn.__qualname__ = name + "_"
    fn.__doc__ = f"In-place ``{name}``."
    return fn


for _name in [
    "abs",
    "acos",
    "asin",
    "atan",
    "ceil",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "cumsum",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "frac",
    "lerp",
    "log",
    "log10",
    "log1p",
    "log2",
    "logical_not",
    "neg",
    "pow",
    "reciprocal",
    "relu",
    "remainder",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "tril",
    "triu",
    "trunc",
    "fmod",
    "nan_to_num",
    "hypot",
    "atan2",
    "logaddexp",
    "xlogy",
]:
    method(_name + "_")(_inplace_form(_name))
method("negative_")(_inplace_form("neg"))
method("absolute_")(_inplace_form("abs"))
method("clip_")(_inplace_form("clamp"))
method("fix_")(_inplace_form("trunc"))
method("arctan_")(_inplace_form("atan"))


@method()
def t_(input):
    input._data = np.ascontiguousarray(input._data.T) if input._data.ndim == 2 else input._data
    return input


@method()
def squeeze_(input, dim=None):
    input._data = input.squeeze(dim)._data
    return input


@method()
def unsqueeze_(input, dim):
    input._data = input.unsqueeze(dim)._data
    return input


@method()
def transpose_(input, dim0, dim1):
    input._data = np.ascontiguousarray(input.transpose(dim0, dim1)._data)
    return input


@method()
def resize_(input, *size):
    shape = _shape_arg(size)
    data = np.zeros(shape, dtype=input._data.dtype)
    flat = input._data.reshape(-1)[: data.size]
    data.reshape(-1)[: flat.size] = flat
    input._data = data
    return input


@method()
def index_fill_(input, dim, index, value):
    input._check_inplace()
    d = _normalize_dim(dim, input._data.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    view = np.moveaxis(input._data, d, 0)
    view[idx] = value.item() if isinstance(value, Tensor) else value
    return input


@both()
def index_fill(input, dim, index, value):
    return index_fill_(input.clone(), dim, index, value)


@method()
def index_add_(input, dim, index, source, *, alpha=1):
    input._check_inplace()
    d = _normalize_dim(dim, input._data.ndim)
    view = np.moveaxis(input._data, d, 0)
    np.add.at(view, index._data, np.moveaxis(source._data, d, 0) * alpha)
    return input


@both()
def index_add(input, dim, index, source, *, alpha=1):
    return index_add_(input.detach().clone(), dim, index, source, alpha=alpha)


@method()
def index_copy_(input, dim, index, source):
    input._check_inplace()
    d = _normalize_dim(dim, input._data.ndim)
    view = np.moveaxis(input._data, d, 0)
    view[index._data] = np.moveaxis(source._data, d, 0)
    return input


def _scatter_index(input, dim, index):
    d = _normalize_dim(dim, input._data.ndim)
    return ops._along_axis_index(index._data, d)


@method()
def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    """Write ``src`` (or ``value``) into ``input`` at ``index`` along ``dim`` (``Tensor.scatter_``)."""
    input._check_inplace()
    where = _scatter_index(input, dim, index)
    if src is None:
        src = value
    values = src._data[tuple(slice(0, s) for s in index._data.shape)] if isinstance(src, Tensor) else src
    if reduce == "add":
        np.add.at(input._data, where, values)
    elif reduce == "multiply":
        np.multiply.at(input._data, where, values)
    else:
        input._data[where] = values
    return input


@both()
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim`` (``torch.scatter``)."""
    return scatter_(input.detach().clone(), dim, index, src, value, reduce=reduce)


@method()
def scatter_add_(input, dim, index, src):
    input._check_inplace()
    values = src._data[tuple(slice(0, s) for s in index._data.shape)]
    np.add.at(input._data, _scatter_index(input, dim, index), values)
    return input


@both()
def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (``torch.scatter_add``)."""
    return scatter_add_(input.detach().clone(), dim, index, src)


@method()
def masked_scatter_(input, mask, source):
    input._check_inplace()
    m = np.broadcast_to(mask._data, input._data.shape)
    input._data[m] = source._data.reshape(-1)[: int(m.sum())]
    return input


@method()
def put_(input, index, source, accumulate=False):
    flat = input._data.reshape(-1)
    if accumulate:
        np.add.at(flat, index._data.reshape(-1), source._data.reshape(-1))
    else:
        flat[index._data.reshape(-1)] = source._data.reshape(-1)
    return input


# ------------------------------------------------------------------------------------ random


@function()
def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None, requires_grad=False):
    """Samples of N(mean, std²) (``torch.normal``): tensor means/stds, or numbers with ``size``."""
    rng = _generator(generator)
    _device.check(device)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        like = mean if isinstance(mean, Tensor) else std
        array = rng.normal(m, s, shape).astype(like._data.dtype)
    else:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: size is required")
        dt = to_numpy_dtype(dtype) if dtype is not None else get_default_dtype().numpy
        array = rng.normal(mean, std, _shape_arg((size,) if isinstance(size, int) else tuple(size))).astype(dt)
    return _out(_made(np.asarray(array), requires_grad), out)


@both()
def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``), else 0 (``torch.bernoulli``)."""
    probabilities = input._data if p is None else np.full(input._data.shape, p)
    draws = _generator(generator).random(input._data.shape) < probabilities
    return _out(_wrap(draws.astype(input._data.dtype if input._data.dtype.kind == "f" else np.float32)), out)


@both()
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn with probabilities proportional to each row of ``input`` (``torch.multinomial``)."""
    rng = _generator(generator)
    weights = np.asarray(input._data, dtype=np.float64)
    rows = weights.reshape(-1, weights.shape[-1])
    drawn = []
    for row in rows:
        total = row.sum()
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(row):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        drawn.append(rng.choice(row.size, size=num_samples, replace=replacement, p=row / total))
    result = np.asarray(drawn, dtype=np.int64)
    return _out(_wrap(result.reshape(weights.shape[:-1] + (num_samples,))), out)


@both()
def poisson(input, generator=None):
    return _wrap(_generator(generator).poisson(input._data).astype(input._data.dtype))


@method()
def bernoulli_(input, p=0.5, *, generator=None):
    input._data[...] = _generator(generator).random(input._data.shape) < (p._data if isinstance(p, Tensor) else p)
    return input


@method()
def exponential_(input, lambd=1.0, *, generator=None):
    input._data[...] = _generator(generator).exponential(1 / lambd, input._data.shape)
    return input


@method()
def random_(input, from_=0, to=None, *, generator=None):
    if to is None:
        from_, to = 0, from_ if from_ else 2**24
    input._data[...] = _generator(generator).integers(from_, to, input._data.shape)
    return input


@function()
def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    if high is None:
        low, high = 0, low
    dt = _like_dtype(input, dtype)
    return _made(_generator(generator).integers(low, high, input._data.shape).astype(dt), requires_grad)


# ----------------------------------------------------------------------------------- scalars


@function()
def is_floating_point(input):
    return input._data.dtype.kind == "f"


@function()
def is_nonzero(input):
    if input._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input._data.reshape(()).item() != 0)


@function()
def result_type(tensor1, tensor2):
    from ._dtype import from_numpy_dtype

    a = tensor1 if isinstance(tensor1, Tensor) else Tensor._wrap(np.asarray(tensor1))
    b = _operand(tensor2, a)
    return from_numpy_dtype((a + b)._data.dtype) if a._data.dtype.kind != "b" or b._data.dtype.kind != "b" else bool_


@function()
def can_cast(from_, to):
    return builtins.bool(np.can_cast(from_.numpy, to.numpy, casting="same_kind"))


@function()
def promote_types(type1, type2):
    from ._dtype import from_numpy_dtype

    return from_numpy_dtype(np.promote_types(type1.numpy, type2.numpy))


@function()
def set_num_threads(num):
    """Accepted for compatibility: the engine computes in one thread."""


@function()
def get_num_threads():
    return 1


@function()
def set_num_interop_threads(num):
    """Accepted for compatibility."""


@function()
def get_num_interop_threads():
    return 1


@function()
def use_deterministic_algorithms(mode, *, warn_only=False):
    """Accepted: the engine's arithmetic is deterministic."""


@function()
def are_deterministic_algorithms_enabled():
    return False


@function()
def set_float32_matmul_precision(precision):
    """Accepted for compatibility."""


@function()
def get_float32_matmul_precision():
    return "highest"


@function()
def is_storage(obj):
    return False


@function()
def compile(model=None, **kwargs):
    """Return the model (or function) unchanged: there is nothing to compile in this engine."""
    if model is None:
        return lambda fn: fn
    return model


@function()
def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    _device.check(device)
    dt = to_numpy_dtype(dtype) if dtype is not None else get_default_dtype().numpy
    return _made(np.asarray(s, dtype=dt), requires_grad)


@function()
def inverse(input, *, out=None):
    """The inverse of square matrices (``torch.inverse``)."""
    from . import linalg

    return linalg.inv(input, out=out)


@function()
def det(input):
    """The determinant (``torch.det``)."""
    from . import linalg

    return linalg.det(input)


@method("inverse")
def _inverse_method(input):
    return inverse(input)


@method("det")
def _det_method(input):
    return det(input)


for _flag in ("is_sparse", "is_quantized", "is_meta", "is_nested", "is_mkldnn", "is_xpu", "is_sparse_csr"):
    setattr(Tensor, _flag, False)

# Real tensors: the conjugate transposes are the transposes.
setattr(  # noqa: B010
    Tensor, "H", property(lambda self: self.T if self._data.ndim == 2 else self, doc="The (conjugate) transpose.")
)
setattr(Tensor, "mH", property(lambda self: self.mT, doc="The (conjugate) transpose of the last two dims."))  # noqa: B010
