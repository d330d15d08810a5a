"""Layers and losses as functions, as ``torch.nn.functional``.

The fused losses are single graph nodes named as PyTorch names them (``MseLossBackward0``,
``HuberLossBackward0``, ``BinaryCrossEntropyBackward0``, ``BinaryCrossEntropyWithLogitsBackward0``);
``l1_loss`` is built from subtraction, absolute value and a reduction, as PyTorch builds it. The
backward formulas follow PyTorch's CPU kernels operation for operation (same float32 roundings), so
gradients match PyTorch's to the last bit or within an ulp.
"""

import warnings

import numpy as np

from .. import ops
from ..function import Function
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


def linear(input, weight, bias=None):
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


def relu(input, inplace=False):
    """max(x, 0) elementwise (``ReluBackward0``)."""
    _check_tensor("relu", "input", 1, input)
    return input.relu()


def tanh(input):
    """tanh elementwise (``TanhBackward0``)."""
    _check_tensor("tanh", "input", 1, input)
    return input.tanh()


def sigmoid(input):
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
        return _reduce(diff * diff, reduction)

    def backward(self, grad):
        # PyTorch's mse_backward kernel: (norm · (x − y)) · grad, norm = 2/n or 2, in the input's dtype.
        x, y = self.saved_tensors
        diff = x - y
        g = (_norm(self.reduction, _numel(diff), _dtype(diff), 2.0) * diff) * grad
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


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
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


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
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


def huber_loss(input, target, reduction="mean", delta=1.0):
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


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
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
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
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
