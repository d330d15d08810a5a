"""Layers and losses as functions, as ``torch.nn.functional``.

The fused losses are single graph nodes named as PyTorch names them (``MseLossBackward0``,
``HuberLossBackward0``, ``BinaryCrossEntropyBackward0``, ``BinaryCrossEntropyWithLogitsBackward0``);
``l1_loss`` is built from subtraction, absolute value and a reduction, as PyTorch builds it. The
backward formulas follow PyTorch's CPU kernels operation for operation (same float32 roundings), so
gradients match PyTorch's to the last bit or within an ulp.
"""

import warnings
from typing import Any

import numpy as np

from .. import _missing, ops
from .. import api as _api
from ..function import Function
from ..random import _generator
from ..tensor import _SCALAR_NAMES, Size, Tensor, _raise_broadcast_error

__all__ = [
    "BinaryCrossEntropyBackward0",
    "BinaryCrossEntropyWithLogitsBackward0",
    "HuberLossBackward0",
    "MseLossBackward0",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "huber_loss",
    "l1_loss",
    "linear",
    "mse_loss",
    "relu",
    "sigmoid",
    "tanh",
]

_REDUCTIONS = ("none", "mean", "sum")
_BCE_EPSILON = 1e-12  # PyTorch's floor on x(1 − x) in the BCE gradient


def _dtype_name(array):
    return _SCALAR_NAMES.get(array.dtype, array.dtype.name)


def _check_tensor(fn, name, position, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


# ------------------------------------------------------------------------------------------ layers


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias`` (``torch.nn.functional.linear``).

    The graph is PyTorch's: ``AddmmBackward0`` (with ``TBackward0`` on the weight) for a batch of
    rows, wrapped in ``ViewBackward0`` reshapes for 1-D or higher-dimensional input;
    ``MmBackward0`` when there is no bias.

    Parameters
    ----------
    input : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional
    """
    _check_tensor("linear", "input", 1, input)
    _check_tensor("linear", "weight", 2, weight)
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"linear(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    x, w = input._data, weight._data
    nd = x.ndim
    if nd == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {nd}D and {w.ndim}D")
    if w.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {w.ndim}-D tensor")
    out_features, in_features = w.shape
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_dtype_name(x)} and {_dtype_name(w)}")
    rows = 1
    for s in x.shape[:-1]:
        rows *= s
    if x.shape[-1] != in_features:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and {in_features}x{out_features})"
        )
    wt = ops.TBackward0.apply(weight, axes=(1, 0))
    if bias is not None:
        b = bias._data
        if b.dtype != w.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_dtype_name(b)} and {_dtype_name(w)}")
        try:
            if b.shape != (out_features,):
                np.broadcast_shapes(b.shape, (rows, out_features))
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({out_features}) must match the existing size "
                f"({b.shape[-1] if b.ndim else 1}) at non-singleton dimension 1.  Target sizes: "
                f"[{rows}, {out_features}].  Tensor sizes: {list(b.shape)}"
            ) from None
        if nd == 2:
            return ops.AddmmBackward0.apply(bias, input, wt)
        flat = ops.ViewBackward0.apply(input, shape=(rows, in_features))
        out = ops.AddmmBackward0.apply(bias, flat, wt)
        return ops.ViewBackward0.apply(out, shape=x.shape[:-1] + (out_features,))
    if nd == 2:
        return ops.MmBackward0.apply(input, wt)
    if nd == 1:
        out = ops.MmBackward0.apply(ops.UnsqueezeBackward0.apply(input, shape=(1, in_features)), wt)
        return ops.SqueezeBackward4.apply(out, shape=(out_features,))
    flat = ops.ViewBackward0.apply(input, shape=(rows, in_features))
    out = ops.MmBackward0.apply(flat, wt)
    return ops.UnsafeViewBackward0.apply(out, shape=x.shape[:-1] + (out_features,))


def relu(input: Any, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise (``ReluBackward0``)."""
    _check_tensor("relu", "input", 1, input)
    return input.relu()


def tanh(input: Any) -> Tensor:
    """tanh elementwise (``TanhBackward0``)."""
    _check_tensor("tanh", "input", 1, input)
    return input.tanh()


def sigmoid(input: Any) -> Tensor:
    """The logistic function 1 / (1 + e⁻ˣ) elementwise (``SigmoidBackward0``)."""
    _check_tensor("sigmoid", "input", 1, input)
    return input.sigmoid()


# ---------------------------------------------------------------------------------- loss helpers


def _reduction(size_average, reduce, reduction):
    """The reduction string, from PyTorch's deprecated ``size_average``/``reduce`` flags if given."""
    if size_average is not None or reduce is not None:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{_legacy_reduction(size_average, reduce)}' instead.",
            stacklevel=3,
        )
        return _legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None)  # the same pairwise sum as np.mean, without its overhead
    if reduction == "sum":
        return total
    if loss.size == 0:
        return np.asarray(np.nan, dtype=loss.dtype)
    return total / loss.dtype.type(loss.size)


def _norm(reduction, n, dtype, scale=1.0):
    """PyTorch's ``norm`` factor of a loss gradient, rounded to the gradient's dtype."""
    return dtype.type(scale / n if reduction == "mean" and n else scale)


def _float_target(input, target):
    """Bring an integer or bool target to the input's floating type (PyTorch promotes it the same way)."""
    if target._data.dtype.kind != "f" and input._data.dtype.kind == "f":
        return target.to(input.dtype)
    return target


def _broadcast_pair(input, target):
    """Expand ``input`` and ``target`` to a common shape, with PyTorch's warning (and error) for a mismatch."""
    if input._data.shape == target._data.shape:
        return input, target
    warnings.warn(
        f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
        "same size.",
        UserWarning,
        stacklevel=4,
    )
    try:
        shape = np.broadcast_shapes(input._data.shape, target._data.shape)
    except ValueError:
        _raise_broadcast_error(input, target)
    if input._data.shape != shape:
        input = input.expand(shape)
    if target._data.shape != shape:
        target = target.expand(shape)
    return input, target


def _formulas(input_grad, target_grad):
    """The local derivatives shown by the graph view, per reduction (with the 1/n of a mean)."""

    def one(reduction, variable, elementwise):
        if reduction == "mean":
            return f"∂L/∂{variable} = {elementwise} / n"
        if reduction == "sum":
            return f"∂L/∂{variable} = {elementwise}"
        return f"∂Lᵢ/∂{variable} = {elementwise}"

    return {r: (one(r, "ŷᵢ", input_grad), one(r, "yᵢ", target_grad)) for r in _REDUCTIONS}


# ---------------------------------------------------------------------------------- fused losses


class MseLossBackward0(Function):
    """Mean squared error (ŷ − y)² in one node, reduced by mean, sum or not at all.

    Local gradients shown: 2(ŷᵢ − yᵢ)/n for each prediction (−2(ŷᵢ − yᵢ)/n for each target); without
    the 1/n for ``sum`` and ``none``.
    """

    symbol = "MSE"
    FORMULAS = _formulas("2(ŷᵢ − yᵢ)", "−2(ŷᵢ − yᵢ)")

    def forward(self, input, target, reduction="mean"):
        self.reduction = reduction
        self.formula = self.FORMULAS[reduction]
        self.save_for_backward(input, target)
        diff = input - target
        if type(diff) is np.ndarray:
            return _reduce(np.multiply(diff, diff, out=diff), reduction)  # squared in place
        return _reduce(diff * diff, reduction)

    def backward(self, grad):
        # PyTorch's mse_backward kernel: (norm · (x − y)) · grad, norm = 2/n or 2, in the input's dtype.
        x, y = self.saved_tensors
        diff = x - y
        g = ops.scale_temporary(ops.scale_temporary(diff, _norm(self.reduction, _numel(diff), _dtype(diff), 2.0)), grad)
        need_input, need_target = self.needs_input_grad
        return (g if need_input else None), (-g if need_target else None)


class HuberLossBackward0(Function):
    """Huber loss: ½(ŷ − y)² where |ŷ − y| < δ, else δ(|ŷ − y| − ½δ); one node.

    Local gradients shown: (ŷᵢ − yᵢ) inside the band, ±δ outside it, divided by n for ``mean``.
    """

    symbol = "Huber"
    FORMULAS = _formulas("clamp(ŷᵢ − yᵢ, −δ, δ)", "−clamp(ŷᵢ − yᵢ, −δ, δ)")

    def forward(self, input, target, reduction="mean", delta=1.0):
        self.reduction, self.delta = reduction, delta
        self.formula = self.FORMULAS[reduction]
        self.save_for_backward(input, target)
        diff = input - target
        t = diff.dtype.type
        half, d = t(0.5), t(delta)
        z = np.abs(diff)
        loss = np.where(z < d, half * z * z, d * (z - half * d))
        return _reduce(loss, self.reduction)

    def backward(self, grad):
        # PyTorch's huber_backward kernel, branch by branch.
        x, y = self.saved_tensors
        diff = x - y
        t = _dtype(diff).type
        norm, d = _norm(self.reduction, _numel(diff), _dtype(diff)), t(self.delta)
        outer = (norm * grad) * d
        v = ops.value(diff)
        g = ops.where(v <= -d, -outer, ops.where(v >= d, outer, (norm * diff) * grad))
        need_input, need_target = self.needs_input_grad
        return (g if need_input else None), (-g if need_target else None)

    @property
    def label(self):
        return f"Huber δ={ops._number(self.delta)}"


class BinaryCrossEntropyBackward0(Function):
    """Binary cross-entropy −[y·ln p + (1 − y)·ln(1 − p)] of probabilities p, one node.

    Each log is floored at −100, as in PyTorch, so p = 0 or 1 gives a large finite loss. Local
    gradients shown: (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)) for each probability (ln(1 − pᵢ) − ln pᵢ for each
    target), times the weight and divided by n for ``mean``.
    """

    symbol = "BCE"
    FORMULAS = _formulas("(pᵢ − yᵢ) / (pᵢ(1 − pᵢ))", "ln(1 − pᵢ) − ln pᵢ")

    def forward(self, input, target, reduction="mean", weight=None):
        self.reduction, self.weight = reduction, weight
        self.formula = self.FORMULAS[reduction]
        self.save_for_backward(input, target)
        t = input.dtype.type
        loss = (target - t(1)) * np.maximum(np.log1p(-input), t(-100)) - target * np.maximum(np.log(input), t(-100))
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    def backward(self, grad):
        x, y = self.saved_tensors
        need_input, need_target = self.needs_input_grad
        t = _dtype(x).type
        n = t(_numel(x))
        gx = gy = None
        if need_input:
            gx = grad * (x - y) / ops.maximum((t(1) - x) * x, _BCE_EPSILON)
            if self.weight is not None:
                gx = gx * self.weight
            if self.reduction == "mean":
                gx = gx / n
        if need_target:
            gy = -ops.log(x / (t(1) - x)) * grad  # −logit(x), as PyTorch computes it
            if self.weight is not None:
                gy = gy * self.weight
            if self.reduction == "mean":
                gy = gy / n
        return gx, gy


def _log_sigmoid(x):
    """ln σ(x), computed without overflow: min(x, 0) − ln(1 + e^−|x|)."""
    return np.minimum(x, x.dtype.type(0)) - np.log1p(np.exp(-np.abs(x)))


def _log_sigmoid_any(x):
    """ln σ(x) of an array or a Tensor (for the target's gradient, which may record history)."""
    if isinstance(x, (np.ndarray, np.generic)):
        return _log_sigmoid(np.asarray(x))
    return -(ops.exp(-x) + 1).log()


class BinaryCrossEntropyWithLogitsBackward0(Function):
    """Binary cross-entropy of logits z (probabilities σ(z)), computed stably in one node.

    Local gradients shown: σ(zᵢ) − yᵢ for each logit (−zᵢ for each target), times the weight and
    divided by n for ``mean``; with ``pos_weight`` w the logit gradient is (1 + (w − 1)yᵢ)σ(zᵢ) − w·yᵢ.
    """

    symbol = "BCE(σ)"
    FORMULAS = _formulas("σ(zᵢ) − yᵢ", "−zᵢ")

    def forward(self, input, target, reduction="mean", weight=None, pos_weight=None):
        self.reduction, self.weight, self.pos_weight = reduction, weight, pos_weight
        self.formula = self.FORMULAS[reduction]
        self.save_for_backward(input, target)
        t = input.dtype.type
        log_sig = _log_sigmoid(input)
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight - t(1)) * target + t(1))
        loss = (t(1) - target) * input - log_sig
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    def backward(self, grad):
        x, y = self.saved_tensors
        need_input, need_target = self.needs_input_grad
        t = _dtype(x).type
        n = t(_numel(x))
        gx = gy = None
        if need_input:
            sig = ops.sigmoid_array(x) if isinstance(x, (np.ndarray, np.generic)) else x.sigmoid()
            if self.pos_weight is not None:
                wy = self.pos_weight * y
                gx = (wy + t(1) - y) * sig - wy
            else:
                gx = sig - y
            gx = gx * grad
            if self.weight is not None:
                gx = gx * self.weight
            if self.reduction == "mean":
                gx = gx / n
        if need_target:
            if self.pos_weight is not None:
                gy = _log_sigmoid_any(-x) - _log_sigmoid_any(x) * self.pos_weight
            else:
                gy = -x
            gy = gy * grad
            if self.weight is not None:
                gy = gy * self.weight
            if self.reduction == "mean":
                gy = gy / n
        return gx, gy


def _numel(x):
    return ops.value(x).size


def _dtype(x):
    return ops.value(x).dtype


# ------------------------------------------------------------------------------- loss functions


def mse_loss(
    input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
) -> Tensor:
    """Mean squared error (``torch.nn.functional.mse_loss``; grad_fn ``MseLossBackward0``).

    Parameters
    ----------
    input, target : Tensor
        Same shape; different shapes are broadcast with PyTorch's warning (or its error if they
        cannot be).
    reduction : {"mean", "sum", "none"}
    """
    _check_tensor("mse_loss", "input", 1, input)
    _check_tensor("mse_loss", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    target = _float_target(input, target)
    input, target = _broadcast_pair(input, target)
    return MseLossBackward0.apply(input, target, reduction=reduction)


def l1_loss(
    input: Any, target: Any, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
) -> Tensor:
    """Mean absolute error ``|input − target|`` reduced (``torch.nn.functional.l1_loss``).

    Built from ``SubBackward0``, ``AbsBackward0`` and ``MeanBackward0``/``SumBackward0`` as PyTorch
    builds it, so the graph view shows each step.
    """
    _check_tensor("l1_loss", "input", 1, input)
    _check_tensor("l1_loss", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.dtype == np.bool_ or input._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    target = _float_target(input, target)
    input, target = _broadcast_pair(input, target)
    loss = (input - target).abs()
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: quadratic within ``delta`` of the target, linear beyond (``torch.nn.functional.huber_loss``;
    grad_fn ``HuberLossBackward0``)."""
    _check_tensor("huber_loss", "input", 1, input)
    _check_tensor("huber_loss", "target", 2, target)
    reduction = _reduction(None, None, reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    target = _float_target(input, target)
    input, target = _broadcast_pair(input, target)
    return HuberLossBackward0.apply(input, target, reduction=reduction, delta=float(delta))


def _weight_array(weight, shape):
    """A loss weight as an array that broadcasts to the input's ``shape`` (PyTorch's error otherwise)."""
    if weight is None:
        return None
    array = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    for i in range(1, array.ndim + 1):
        have = array.shape[-i]
        want = shape[-i] if i <= len(shape) else None
        if have != 1 and have != want:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {have} at -{i}! Mismatching "
                f"argument at index 1 had {Size(array.shape)}; but expected shape should be "
                f"broadcastable to {list(shape)}"
            )
    return array


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities (``torch.nn.functional.binary_cross_entropy``;
    grad_fn ``BinaryCrossEntropyBackward0``).

    Raises
    ------
    ValueError
        If ``target`` and ``input`` have different shapes (PyTorch's text).
    RuntimeError
        "all elements of input should be between 0 and 1" for inputs outside [0, 1] or NaN (the
        same check for the target).
    """
    _check_tensor("binary_cross_entropy", "input", 1, input)
    _check_tensor("binary_cross_entropy", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    x, y = input._data, target._data
    if y.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_dtype_name(y)} but expected {_dtype_name(x)}")
    if x.size:
        # min/max are NaN when any element is NaN, so NaN fails the check too.
        bad_input = not (x.min() >= 0 and x.max() <= 1)
        bad_target = not (y.min() >= 0 and y.max() <= 1)
        if bad_input or bad_target:
            first_bad_input = np.argmax(~((x >= 0) & (x <= 1)).ravel()) if bad_input else x.size
            first_bad_target = np.argmax(~((y >= 0) & (y <= 1)).ravel()) if bad_target else y.size
            what = "input" if first_bad_input <= first_bad_target else "target"
            raise RuntimeError(f"all elements of {what} should be between 0 and 1")
    w = _weight_array(weight, x.shape)
    return BinaryCrossEntropyBackward0.apply(input, target, reduction=reduction, weight=w)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of logits, sigmoid included and numerically stable
    (``torch.nn.functional.binary_cross_entropy_with_logits``; grad_fn
    ``BinaryCrossEntropyWithLogitsBackward0``).

    Parameters
    ----------
    weight : Tensor, optional
        Rescales each element's loss (broadcast to the input's shape).
    pos_weight : Tensor, optional
        Weight of the positive class, broadcast along the last dimension.
    """
    _check_tensor("binary_cross_entropy_with_logits", "input", 1, input)
    _check_tensor("binary_cross_entropy_with_logits", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    x, y = input._data, target._data
    if y.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if y.dtype.kind != "f":
        raise RuntimeError(f"result type {_dtype_name(x)} can't be cast to the desired output type {_dtype_name(y)}")
    if y.dtype != x.dtype:
        target = target.to(np.result_type(x, y))
        if x.dtype != target._data.dtype:
            input = input.to(target._data.dtype)
    w = _weight_array(weight, x.shape)
    pw = _weight_array(pos_weight, x.shape)
    return BinaryCrossEntropyWithLogitsBackward0.apply(input, target, reduction=reduction, weight=w, pos_weight=pw)


# ==================================================================================================
# Activations, classification losses and layers of the wider torch.nn.functional API
# ==================================================================================================


softmax = _api.softmax
log_softmax = _api.log_softmax


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(−input) (``torch.nn.functional.softmin``)."""
    return _api.softmax(-input, dim, dtype)


def _activation(op, name, **defaults):
    def fn(input, *args, inplace=False, **kwargs):
        _check_tensor(name, "input", 1, input)
        attrs = dict(defaults)
        attrs.update(zip(defaults, args))
        attrs.update(kwargs)
        out = op.apply(input if input._data.dtype.kind == "f" else input.float(), **attrs)
        return input._inplace_unary(out) if inplace else out

    fn.__name__ = fn.__qualname__ = name
    return fn


leaky_relu = _activation(ops.LeakyReluBackward0, "leaky_relu", negative_slope=0.01)
leaky_relu.__doc__ = "x where x > 0, else negative_slope·x (``torch.nn.functional.leaky_relu``)."
elu = _activation(ops.EluBackward0, "elu", alpha=1.0)
elu.__doc__ = "x where x > 0, else α(eˣ − 1) (``torch.nn.functional.elu``)."
celu = _activation(ops.CeluBackward0, "celu", alpha=1.0)
hardtanh = _activation(ops.HardtanhBackward0, "hardtanh", min_val=-1.0, max_val=1.0)
hardtanh.__doc__ = "x clamped to [min_val, max_val] (``torch.nn.functional.hardtanh``)."
threshold = _activation(ops.ThresholdBackward0, "threshold", threshold=0.0, value=0.0)
hardsigmoid = _activation(ops.HardsigmoidBackward0, "hardsigmoid")
hardswish = _activation(ops.HardswishBackward0, "hardswish")

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale·elu(x, α) with PyTorch's fixed α and scale (``torch.nn.functional.selu``)."""
    _check_tensor("selu", "input", 1, input)
    out = ops.EluBackward0.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE)
    return input._inplace_unary(out) if inplace else out


def relu6(input, inplace=False):
    """min(max(x, 0), 6) (``torch.nn.functional.relu6``; grad_fn ``HardtanhBackward0``)."""
    return hardtanh(input, 0.0, 6.0, inplace=inplace)


def silu(input, inplace=False):
    """x·σ(x) (``torch.nn.functional.silu``; grad_fn ``SiluBackward0``)."""
    _check_tensor("silu", "input", 1, input)
    out = ops.SiluBackward0.apply(input)
    return input._inplace_unary(out) if inplace else out


def mish(input, inplace=False):
    """x·tanh(softplus(x)) (``torch.nn.functional.mish``)."""
    _check_tensor("mish", "input", 1, input)
    out = ops.MishBackward0.apply(input)
    return input._inplace_unary(out) if inplace else out


def gelu(input, approximate="none"):
    """x·Φ(x), Φ the standard normal CDF, or its tanh approximation (``torch.nn.functional.gelu``)."""
    _check_tensor("gelu", "input", 1, input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return ops.GeluBackward0.apply(input, approximate=approximate)


def softplus(input, beta=1.0, threshold=20.0):
    """ln(1 + e^(βx))/β, linear above ``threshold`` (``torch.nn.functional.softplus``)."""
    _check_tensor("softplus", "input", 1, input)
    return ops.SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input):
    """ln σ(x), computed stably (``torch.nn.functional.logsigmoid``)."""
    _check_tensor("logsigmoid", "input", 1, input)
    return ops.LogSigmoidBackward0.apply(input)


def softsign(input):
    """x/(1 + |x|) (``torch.nn.functional.softsign``)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x − tanh(x) (``torch.nn.functional.tanhshrink``)."""
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    return ops.SoftshrinkBackward0.apply(input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    return ops.HardshrinkBackward0.apply(input, lambd=lambd)


def glu(input, dim=-1):
    """First half of ``dim`` times the sigmoid of the second half (``torch.nn.functional.glu``)."""
    d = input.dim() and (dim % input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    return ops.GluBackward0.apply(input, dim=d)


def prelu(input, weight):
    """x where x > 0, else w·x with a learned slope per channel (``torch.nn.functional.prelu``)."""
    return ops.PreluKernelBackward0.apply(input, weight)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1 − p), in training
    (``torch.nn.functional.dropout``; grad_fn ``MulBackward0``). The mask comes from the engine's
    seeded generator, so it differs from PyTorch's."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = np.zeros(input._data.shape, dtype=input._data.dtype)
    else:
        keep = _generator(None).random(input._data.shape) >= p
        mask = keep.astype(input._data.dtype) * input._data.dtype.type(1.0 / (1.0 - p))
    out = input * Tensor._wrap(mask)
    return input._inplace_unary(out) if inplace else out


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    if not training or p == 0.0:
        return input
    return dropout(input, p, training, inplace)


def one_hot(tensor, num_classes=-1):
    """Class indices as one-hot rows: int64, with a new last dim of ``num_classes``
    (``torch.nn.functional.one_hot``)."""
    _check_tensor("one_hot", "self", 1, tensor)
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((x[..., None] == np.arange(num_classes)).astype(np.int64))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the indices ``input`` (``torch.nn.functional.embedding``;
    grad_fn ``EmbeddingBackward0``)."""
    indices = input._data
    if indices.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got torch.{_dtype_name(indices)}Tensor instead (while checking arguments for embedding)"
        )
    if indices.size and (indices.max() >= weight._data.shape[0] or indices.min() < 0):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight._data.shape[0]
    return ops.EmbeddingBackward0.apply(weight, indices=indices, padding_idx=padding_idx)


def _classes_dim_check(input, target, fn):
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(target._data)}")
    batch_input = input.shape[0] if input.dim() > 1 else None
    batch_target = target.shape[0] if target.dim() > 0 else None
    if input.dim() > 1 and batch_input != batch_target:
        raise ValueError(f"Expected input batch_size ({batch_input}) to match target batch_size ({batch_target}).")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log-likelihood of class indices ``target`` under log-probabilities ``input``
    (``torch.nn.functional.nll_loss``; grad_fn ``NllLossBackward0``).

    Parameters
    ----------
    input : Tensor, shape (C,), (N, C) or (N, C, d1, ...)
        Log-probabilities (the output of ``log_softmax``).
    target : Tensor of int64, shape (), (N,) or (N, d1, ...)
        Class indices in [0, C), or ``ignore_index``.
    weight : Tensor, shape (C,), optional
        A weight per class; ``mean`` divides by the total weight of the targets.
    """
    _check_tensor("nll_loss", "input", 1, input)
    _check_tensor("nll_loss", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    _classes_dim_check(input, target, "nll_loss")
    t = target._data.astype(np.int64)
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    w = None if weight is None else weight._data
    return NllLossBackward0.apply(input, target=t, weight=w, reduction=reduction, ignore_index=ignore_index)


NllLossBackward0 = ops.NllLossBackward0


def cross_entropy(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean", label_smoothing=0.0
):
    """Cross-entropy of logits ``input`` against class indices or class probabilities ``target``
    (``torch.nn.functional.cross_entropy``): ``nll_loss(log_softmax(input, 1), target)`` for indices.

    With ``label_smoothing`` ε the target mixes 1 − ε of the class with ε spread over all classes,
    computed as PyTorch computes it (so the same graph: ``AddBackward0`` at the top).
    """
    _check_tensor("cross_entropy", "input", 1, input)
    _check_tensor("cross_entropy", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    if target._data.dtype.kind == "f" and target.shape == input.shape:
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    _classes_dim_check(input, target, "cross_entropy")
    log_probabilities = _api.log_softmax(input, class_dim)
    loss = nll_loss(log_probabilities, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    n_classes = input.shape[class_dim]
    ignored = Tensor._wrap(target._data == ignore_index)
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = n_classes
        smooth = -(log_probabilities * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -log_probabilities.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = Tensor._wrap(target._data[target._data != ignore_index].reshape(-1))
        denominator = weight.gather(0, kept).sum() if weight is not None else (~ignored).sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return ops.MulBackward1.apply(loss, other=1 - label_smoothing) + ops.MulBackward1.apply(
        smooth, other=label_smoothing / n_classes
    )


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing, class_dim):
    n_classes = input.shape[class_dim]
    log_probabilities = _api.log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = n_classes
        log_probabilities = log_probabilities * weight.reshape(shape)
    if reduction == "mean":
        if input.numel() == 0:
            return -(log_probabilities * target).sum() * float("nan")
        return ops.DivBackward1.apply(-(log_probabilities * target).sum(), other=input.numel() / n_classes)
    if reduction == "sum":
        return -(log_probabilities * target).sum()
    return -(log_probabilities * target).sum(class_dim)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1 loss: quadratic (½(ŷ − y)²/β) within ``beta`` of the target, linear beyond
    (``torch.nn.functional.smooth_l1_loss``; grad_fn ``SmoothL1LossBackward0``)."""
    _check_tensor("smooth_l1_loss", "input", 1, input)
    _check_tensor("smooth_l1_loss", "target", 2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    target = _float_target(input, target)
    input, target = _broadcast_pair(input, target)
    return ops.SmoothL1LossBackward0.apply(input, target, reduction=reduction, beta=float(beta))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence of log-probabilities ``input`` from ``target`` (``torch.nn.functional.kl_div``):
    target·(ln target − input) summed, averaged (``mean``) or per batch row (``batchmean``)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if log_target:
        elementwise = target.exp() * (target - input)
    else:
        elementwise = _api.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return elementwise.sum() / input.shape[0] if input.dim() else elementwise.sum()
    if reduction == "mean":
        return elementwise.mean()
    if reduction == "sum":
        return elementwise.sum()
    return elementwise


def poisson_nll_loss(
    input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"
):
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (``torch.nn.functional.cosine_similarity``)."""
    n1 = x1.norm(dim=dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(dim=dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 − x2 + eps‖ₚ along the last dim (``torch.nn.functional.pairwise_distance``)."""
    return (x1 - x2 + eps).norm(p=p, dim=-1, keepdim=keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its p-norm along ``dim`` (at least ``eps``) (``torch.nn.functional.normalize``)."""
    denominator = input.norm(p=p, dim=dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denominator


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift
    (``torch.nn.functional.layer_norm``; grad_fn ``NativeLayerNormBackward0``)."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(normalized_shape) :]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}"
        )
    params = [p for p in (weight, bias) if p is not None]
    return ops.NativeLayerNormBackward0.apply(
        input,
        *params,
        normalized_ndim=len(normalized_shape),
        eps=eps,
        has_weight=weight is not None,
        has_bias=bias is not None,
    )


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    """Normalise each channel (dim 1) by the batch's statistics in training, else by the running ones,
    then scale and shift (``torch.nn.functional.batch_norm``; grad_fn ``NativeBatchNormBackward0``).

    In training the running statistics are updated in place: running = (1 − momentum)·running +
    momentum·batch statistic (the variance unbiased), as PyTorch does.
    """
    params = [p for p in (weight, bias) if p is not None]
    channels = input.shape[1] if input.dim() > 1 else None
    if training:
        size = input.numel() // channels
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        out = ops.NativeBatchNormBackward0.apply(
            input, *params, eps=eps, has_weight=weight is not None, has_bias=bias is not None
        )
        node_mean, node_var = _batch_statistics(input._data)
        if running_mean is not None:
            m = input._data.dtype.type(momentum)
            running_mean._data[...] = (1 - m) * running_mean._data + m * node_mean.astype(running_mean._data.dtype)
        if running_var is not None:
            m = input._data.dtype.type(momentum)
            unbiased = node_var * (size / (size - 1))
            running_var._data[...] = (1 - m) * running_var._data + m * unbiased.astype(running_var._data.dtype)
        return out
    return ops.NativeBatchNormBackward0.apply(
        input,
        *params,
        eps=eps,
        has_weight=weight is not None,
        has_bias=bias is not None,
        mean=running_mean._data,
        var=running_var._data,
    )


def _batch_statistics(x):
    axes = (0,) + tuple(range(2, x.ndim))
    mean = np.mean(x, axis=axes)
    shape = [1] * x.ndim
    shape[1] = x.shape[1]
    centered = x - mean.reshape(shape)
    return mean, np.mean(centered * centered, axis=axes)


def pad(input, pad, mode="constant", value=None):
    """Pad the last dims by ``pad`` = (left, right, top, bottom, ...) (``torch.nn.functional.pad``)."""
    if mode != "constant":
        raise NotImplementedError(f"torch.nn.functional.pad(mode={mode!r}) is not implemented in this engine")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    widths = tuple((int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2))
    return ops.ConstantPadNdBackward0.apply(input, widths=widths, value=0.0 if value is None else value)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu_(input):
    return input._inplace_unary(input.relu())


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


__all__ += [
    "alpha_dropout",
    "batch_norm",
    "celu",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "elu",
    "elu_",
    "embedding",
    "gelu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "kl_div",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "poisson_nll_loss",
    "prelu",
    "relu6",
    "relu_",
    "selu",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
]


__getattr__ = _missing.module_getattr("torch.nn.functional")
