"""The differentiable primitives: one class per op, named as PyTorch names its grad_fn.

How an op is written (every op here, and every new one, follows this pattern)::

    class TanhBackward0(Function):
        symbol = "tanh"                              # the operator, as the Graph view draws it
        formula = ("∂tanh a/∂a = 1 − tanh²a",)       # the local derivative, one line per input

        def forward(self, a):                        # NumPy arrays in, an array out
            out = np.tanh(a)
            self.save_for_backward(out)              # exactly what PyTorch saves (version checks)
            return out

        def backward(self, grad):                    # the derivative, written once
            (out,) = self.saved_tensors
            return grad * (1 - out * out)            # one gradient per input

* ``forward`` takes the inputs' arrays (and keyword attributes such as ``dim``) and returns an array.
  It saves with ``save_for_backward`` what ``backward`` needs, and only that: the engine checks
  the saved values' version counters, so saving more than PyTorch does raises where PyTorch does
  not. ``self.needs_input_grad`` is known in ``forward``: save an operand only if some gradient
  needs it.
* ``backward`` maps the gradient of the output to one gradient per input (``None`` for an input
  that needs none). It may return gradients in the output's (broadcast) shape: the engine sums them
  back to each input's shape. It is **the only place the derivative is written**, and it runs in
  three ways, so it is written with Python operators (``+ - * / ** @``, ``.T``, ``.reshape``) and
  the small namespace of functions at the end of this module (``where``, ``log``, ``sign``,
  ``expand``, ...), never with NumPy calls on ``grad`` or on saved values:

  1. in the backward pass, on NumPy arrays (the fast path);
  2. with ``create_graph=True``, on Tensors (``grad`` and the saved values become the tensors they
     came from), so that every step records history and second derivatives work;
  3. in the Graph view: :meth:`Function.local_grads` is ``backward`` at a unit upstream gradient
     (ones in the output's shape), and ``TraceEdge.contribution`` is ``backward`` at the gradient
     that reached the node. Matrix products, whose local gradient is a matrix the upstream gradient
     is multiplied by, say so in ``local_grads``.

  Non-differentiable values (masks, indices, conditions) may be kept as attributes and computed
  with NumPy on ``value(x)`` (the array behind an array or a tensor).
* Round as PyTorch's CPU kernels do, in the order they do (``grad * (1 - out) * out`` for sigmoid,
  ``-grad * ((a / b) / b)`` for a divisor), so gradients match PyTorch's bit for bit.
* Every op class needs a gradient-check case in ``tests/test_ops_gradcheck.py`` (a test lists the
  classes and fails for one without a case) and its local gradients are checked against backward
  by ``tests/test_local_grads.py``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .function import Function

_sum = np.sum
_add_reduce = np.add.reduce
_ndarray = np.ndarray
_new = object.__new__


def _number(v: Any) -> str:
    """A number as a short label: integers without a decimal point."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"


# ----------------------------------------------------------------------------------------- arithmetic


def _scaled_add(a, b, alpha):
    """``a + alpha·b``, in float32 rounded once as PyTorch's fused kernel does."""
    if a.dtype == np.float32 and b.dtype == np.float32:
        return (np.multiply(b, np.float32(alpha), dtype=np.float64) + a).astype(np.float32)
    return a + alpha * b


class AddBackward0(Function):
    """``a + b`` (or ``a + alpha·b``; ``alpha`` is a number attribute)."""

    symbol = "+"
    formula = ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1")
    alpha = 1

    def forward(self, a, b, alpha=1):
        if alpha == 1:
            return a + b
        self.alpha = alpha
        return _scaled_add(a, b, alpha)

    def backward(self, grad):
        alpha = self.alpha
        return grad, (grad if alpha == 1 else grad * alpha)


class SubBackward0(Function):
    """``a − b`` (or ``a − alpha·b``)."""

    symbol = "−"
    formula = ("∂(a−b)/∂a = 1", "∂(a−b)/∂b = −1")
    alpha = 1

    def forward(self, a, b, alpha=1):
        if alpha == 1:
            return a - b
        self.alpha = alpha
        return _scaled_add(a, b, -alpha)

    def backward(self, grad):
        if not self.needs_input_grad[1]:
            return grad, None
        return grad, (-grad if self.alpha == 1 else -grad * self.alpha)


class RsubBackward1(Function):
    """``scalar − tensor``; the scalar is the attribute ``other``."""

    symbol = "−"
    formula = ("∂(c−a)/∂a = −1",)

    def forward(self, a, other):
        return other - a

    def backward(self, grad):
        return -grad


class MulBackward0(Function):
    symbol = "×"
    formula = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        return (None if b is None else grad * b), (None if a is None else grad * a)


class DivBackward0(Function):
    symbol = "÷"
    formula = ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²")

    def forward(self, a, b):
        self.save_for_backward(a if self.needs_input_grad[1] else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad / b if need_a else None), (-grad * ((a / b) / b) if need_b else None)


class NegBackward0(Function):
    symbol = "−"
    formula = ("∂(−a)/∂a = −1",)

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class ReciprocalBackward0(Function):
    symbol = "1/x"
    formula = ("∂(1/a)/∂a = −1/a²",)

    def forward(self, a):
        out = 1 / a
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return -grad * (out * out)


class PowBackward0(Function):
    """``tensor ** scalar``; the exponent is the attribute ``exponent``."""

    symbol = "^"
    formula = ("∂(aⁿ)/∂a = n·aⁿ⁻¹",)

    def forward(self, a, exponent):
        self.exponent = exponent
        self.save_for_backward(a)
        if exponent == 2:
            return a * a
        return a**exponent

    def backward(self, grad):
        (a,) = self.saved_tensors
        n = self.exponent
        if n == 0:
            return zeros_like(grad)
        if n == 2:
            return grad * (2 * a)
        return grad * (n * a ** (n - 1))

    @property
    def label(self):
        return f"^{_number(self.exponent)}"


class PowBackward1(Function):
    """``tensor ** tensor``. As in PyTorch, a zero exponent gives the base no gradient and a zero base
    gives a non-negative exponent none (rather than 0·ln 0)."""

    symbol = "^"
    formula = ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a")

    def forward(self, a, b):
        out = a**b
        self.save_for_backward(a, b, out if self.needs_input_grad[1] else None)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        if need_a:
            ga = where(value(b) == 0, 0, grad * (b * a ** (b - 1)))
        if need_b:
            gb = grad * where((value(b) >= 0) & (value(a) == 0), 0, out * log(a))
        return ga, gb


class PowBackward2(Function):
    """``scalar ** tensor``; the base is the attribute ``base`` (a zero base gives non-negative
    exponents no gradient, as in PyTorch)."""

    symbol = "^"
    formula = ("∂(cᵃ)/∂a = cᵃ·ln c",)

    def forward(self, a, base):
        self.base = base
        out = np.power(np.asarray(base, dtype=a.dtype), a)
        self.save_for_backward(a if base == 0 else None, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        log_base = float(np.log(np.float64(self.base)))
        if self.base == 0:
            return grad * where(value(a) >= 0, 0, out * log_base)
        return grad * (out * log_base)


class MaximumBackward0(Function):
    """``maximum(a, b)``: the gradient goes to the larger input, half to each at ties; with NaN both get it."""

    symbol = "max"
    formula = ("∂max(a,b)/∂a = [a>b] (½ at ties)", "∂max(a,b)/∂b = [b>a] (½ at ties)")
    _pick = staticmethod(np.maximum)
    _sign = 1

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self._pick(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        a, b = value(a), value(b)
        # PyTorch: where(a == b, grad / 2, grad), zeroed where the other input wins.
        half = where(a == b, grad / 2, grad)
        first_loses = (a < b) if self._sign > 0 else (a > b)
        second_loses = (a > b) if self._sign > 0 else (a < b)
        need_a, need_b = self.needs_input_grad
        return (where(first_loses, 0, half) if need_a else None), (where(second_loses, 0, half) if need_b else None)


class MinimumBackward0(MaximumBackward0):
    symbol = "min"
    formula = ("∂min(a,b)/∂a = [a<b] (½ at ties)", "∂min(a,b)/∂b = [b<a] (½ at ties)")
    _pick = staticmethod(np.minimum)
    _sign = -1


# ------------------------------------------------------------------------------------------- unary


class ExpBackward0(Function):
    symbol = "exp"
    formula = ("∂eᵃ/∂a = eᵃ",)

    def forward(self, a):
        out = np.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out


class LogBackward0(Function):
    symbol = "log"
    formula = ("∂ln a/∂a = 1/a",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class SqrtBackward0(Function):
    symbol = "√"
    formula = ("∂√a/∂a = 1/(2√a)",)

    def forward(self, a):
        out = np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad / (2 * out)


class TanhBackward0(Function):
    symbol = "tanh"
    formula = ("∂tanh a/∂a = 1 − tanh²a",)

    def forward(self, a):
        out = np.tanh(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (1 - out * out)


class SigmoidBackward0(Function):
    symbol = "σ"
    formula = ("∂σ(a)/∂a = σ(a)(1 − σ(a))",)

    def forward(self, a):
        out = sigmoid_array(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (1 - out) * out


class ReluBackward0(Function):
    symbol = "ReLU"
    formula = ("∂relu(a)/∂a = [a > 0]",)

    def forward(self, a):
        out = np.maximum(a, a.dtype.type(0))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        # Select, not multiply: an infinite upstream gradient gives 0 where relu is flat; NaN passes it on
        # (PyTorch's threshold_backward: 0 where out <= 0).
        return where(value(out) <= 0, 0, grad)


class AbsBackward0(Function):
    symbol = "|a|"
    formula = ("∂|a|/∂a = sign(a)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sign(a)


class SinBackward0(Function):
    symbol = "sin"
    formula = ("∂sin a/∂a = cos a",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * cos(a)


class CosBackward0(Function):
    symbol = "cos"
    formula = ("∂cos a/∂a = −sin a",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * -sin(a)


class ClampBackward1(Function):
    """``clamp(a, min, max)`` with number bounds (attributes ``min`` and ``max``)."""

    symbol = "clamp"
    formula = ("∂clamp(a)/∂a = [min ≤ a ≤ max]",)

    def forward(self, a, min=None, max=None):
        self.min, self.max = min, max
        self.save_for_backward(a)
        return np.clip(a, min, max)

    def backward(self, grad):
        (a,) = self.saved_tensors
        a = value(a)
        inside = np.ones(a.shape, dtype=bool)
        if self.min is not None:
            inside &= a >= self.min
        if self.max is not None:
            inside &= a <= self.max
        return where(inside, grad, 0)


def sigmoid_array(a):
    """A numerically stable logistic function on an array."""
    return 1 / (1 + np.exp(-a))


# --------------------------------------------------------------------------------------- reductions


class SumBackward0(Function):
    """Sum of all elements. Local gradient: 1 for every element."""

    symbol = "Σ"
    formula = ("∂(Σa)/∂aᵢ = 1",)

    def forward(self, a):
        return _sum(a)

    def backward(self, grad):
        return expand(grad, self._shapes[0])


class SumBackward1(Function):
    """Sum over ``dim``. Local gradient: 1 for every element."""

    symbol = "Σ"
    formula = ("∂(Σa)/∂aᵢ = 1",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        return _sum(a, axis=dim, keepdims=keepdim)

    def backward(self, grad):
        if not self.keepdim:
            grad = unsqueeze(grad, self.dim, self._shapes[0])
        return expand(grad, self._shapes[0])


class MeanBackward0(Function):
    """Mean of all elements. Local gradient: 1/n for every element."""

    symbol = "mean"
    formula = ("∂(mean a)/∂aᵢ = 1/n",)

    def forward(self, a):
        if not a.size:
            return np.asarray(np.nan, dtype=a.dtype)
        return _add_reduce(a, axis=None) / a.size  # np.mean's own sum-then-divide, without its overhead

    def backward(self, grad):
        shape = self._shapes[0]
        return expand(grad / _size(shape), shape)


class MeanBackward1(Function):
    """Mean over ``dim``. Local gradient: 1/n, n the number of elements averaged."""

    symbol = "mean"
    formula = ("∂(mean a)/∂aᵢ = 1/n",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = np.mean(a, axis=dim, keepdims=keepdim)
        self.count = a.size // max(np.size(out), 1)
        return out

    def backward(self, grad):
        shape = self._shapes[0]
        if not self.keepdim:
            grad = unsqueeze(grad, self.dim, shape)
        return expand(grad / self.count, shape)


class MaxBackward1(Function):
    """Maximum of all elements. Local gradient: 1 at the maximum (shared evenly between ties), else 0;
    when the maximum is NaN, shared between the NaNs (PyTorch's ``evenly_distribute_backward``)."""

    symbol = "max"
    formula = ("∂(max a)/∂aᵢ = [aᵢ = max a] / #ties",)
    _reduce = staticmethod(np.max)

    def forward(self, a):
        if a.size == 0:
            raise RuntimeError(
                f"{self.symbol}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = self._reduce(a)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        a, out = value(a), value(out)
        hits = np.isnan(a) if np.isnan(out) else a == out
        return where(hits, grad / int(_sum(hits)), 0)


class MinBackward1(MaxBackward1):
    """Minimum of all elements. Local gradient: 1 at the minimum (shared evenly between ties), else 0."""

    symbol = "min"
    formula = ("∂(min a)/∂aᵢ = [aᵢ = min a] / #ties",)
    _reduce = staticmethod(np.min)


class MaxBackward0(Function):
    """Maximum along ``dim`` (the values of ``max(dim)``). Local gradient: 1 at the chosen index, else 0."""

    symbol = "max"
    formula = ("∂(max a)/∂aᵢ = [i = argmax]",)
    _arg = staticmethod(np.argmax)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        if a.ndim == 0:  # PyTorch allows dim 0 / -1 on a 0-d tensor
            self.indices = np.zeros((), dtype=np.int64)
            self.save_for_backward(self.indices)
            return a.copy()
        self.indices = np.expand_dims(self._arg(a, axis=dim), dim)
        self.save_for_backward(self.indices)
        out = np.take_along_axis(a, self.indices, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    def backward(self, grad):
        shape = self._shapes[0]
        if not shape:
            return grad
        if not self.keepdim:
            grad = unsqueeze(grad, (self.dim,), shape)
        chosen = np.zeros(shape, dtype=bool)
        np.put_along_axis(chosen, self.indices, True, axis=self.dim)
        return where(chosen, expand(grad, shape), 0)


class MinBackward0(MaxBackward0):
    """Minimum along ``dim``. Local gradient: 1 at the chosen index, else 0."""

    symbol = "min"
    formula = ("∂(min a)/∂aᵢ = [i = argmin]",)
    _arg = staticmethod(np.argmin)


def _size(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# ----------------------------------------------------------------------------------- linear algebra


class MmBackward0(Function):
    """Matrix product ``A @ B``. Local gradients: ∂(AB)/∂A multiplies the upstream gradient by Bᵀ on
    the right and ∂(AB)/∂B by Aᵀ on the left; the graph shows Bᵀ and Aᵀ."""

    symbol = "@"
    formula = ("∂(A·B)/∂A = Bᵀ (gA = g·Bᵀ)", "∂(A·B)/∂B = Aᵀ (gB = Aᵀ·g)")

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return matrix_product(a, b)

    @staticmethod
    def factors(a, b):
        """The local gradients: Bᵀ for A (chained ``g @ Bᵀ``) and Aᵀ for B (chained ``Aᵀ @ g``)."""
        return (None if b is None else b.T), (None if a is None else a.T)

    def backward(self, grad):
        bt, at = self.factors(*self.saved_tensors)
        return (None if bt is None else matrix_product(grad, bt)), (None if at is None else matrix_product(at, grad))

    def local_grads(self, *arrays):
        return tuple(np.array(f) for f in self.factors(*(arrays or [t._data for t in self.inputs])))


class MvBackward0(Function):
    """Matrix–vector product ``A @ v``. Local gradients shown: v (for A, as an outer product with the
    upstream gradient) and Aᵀ (for v)."""

    symbol = "@"
    formula = ("∂(A·v)/∂A = v (gA = g ⊗ v)", "∂(A·v)/∂v = Aᵀ (gv = Aᵀ·g)")

    def forward(self, a, v):
        need_a, need_v = self.needs_input_grad
        self.save_for_backward(a if need_v else None, v if need_a else None)
        return a @ v

    @staticmethod
    def factors(a, v):
        """The local gradients: v for A (chained as the outer product g ⊗ v) and Aᵀ for v (``Aᵀ @ g``)."""
        return v, (None if a is None else a.T)

    def backward(self, grad):
        v, at = self.factors(*self.saved_tensors)
        return (None if v is None else outer(grad, v)), (None if at is None else at @ grad)

    def local_grads(self, *arrays):
        return tuple(np.array(f) for f in self.factors(*(arrays or [t._data for t in self.inputs])))


class DotBackward0(Function):
    """Dot product of two vectors. Local gradients: the other vector."""

    symbol = "·"
    formula = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return np.dot(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (None if b is None else grad * b), (None if a is None else grad * a)


class AddmmBackward0(Function):
    """``bias + A @ B`` (``nn.Linear`` on a batch). Local gradients shown: 1 for the bias, Bᵀ for A, Aᵀ for B."""

    symbol = "+@"
    formula = ("∂(c + A·B)/∂c = 1", "∂(c + A·B)/∂A = Bᵀ", "∂(c + A·B)/∂B = Aᵀ")

    def forward(self, bias, a, b):
        _, need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        out = matrix_product(a, b)
        out += bias
        return out

    def backward(self, grad):
        bt, at = MmBackward0.factors(*self.saved_tensors)
        return (
            grad,
            None if bt is None else matrix_product(grad, bt),
            None if at is None else matrix_product(at, grad),
        )

    def local_grads(self, *arrays):
        _, a, b = arrays or [t._data for t in self.inputs]
        out_shape = (a.shape[0], b.shape[1])
        return (np.ones(out_shape, dtype=a.dtype), *(np.array(f) for f in MmBackward0.factors(a, b)))


class _BatchedMatmul(Function):
    """``matmul`` with an operand above 2-D: NumPy's matmul with broadcast batch dimensions (1-D operands
    as in ``torch.matmul``). Local gradients: the other operand with its last two axes swapped."""

    symbol = "@"
    formula = ("∂(A·B)/∂A = Bᵀ (gA = g·Bᵀ)", "∂(A·B)/∂B = Aᵀ (gB = Aᵀ·g)")

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return np.matmul(a, b)

    @staticmethod
    def factors(a, b):
        """The local gradients: Bᵀ for A and Aᵀ for B (the last two axes swapped; 1-D operands as matrices)."""
        bt = None if b is None else swap_last(unsqueeze(b, (-1,)) if b.ndim == 1 else b)
        at = None if a is None else swap_last(unsqueeze(a, (0,)) if a.ndim == 1 else a)
        return bt, at

    def backward(self, grad):
        bt, at = self.factors(*self.saved_tensors)
        shape_a, shape_b = self._shapes
        g = grad
        if len(shape_a) == 1:
            g = unsqueeze(g, (-2,))
        if len(shape_b) == 1:
            g = unsqueeze(g, (-1,))
        ga = gb = None
        if bt is not None:
            a2_shape = (1, *shape_a) if len(shape_a) == 1 else shape_a
            ga = sum_to(g @ bt, a2_shape).reshape(shape_a)
        if at is not None:
            b2_shape = (*shape_b, 1) if len(shape_b) == 1 else shape_b
            gb = sum_to(at @ g, b2_shape).reshape(shape_b)
        return ga, gb

    def local_grads(self, *arrays):
        return tuple(np.array(f) for f in self.factors(*(arrays or [t._data for t in self.inputs])))


# PyTorch's graph ends a batched product in ``UnsafeViewBackward0``, and a 2-D @ batched one (computed
# transposed) in ``CloneBackward0``: the nodes carry those names.
BatchedMatmulBackward: type[_BatchedMatmul] = type("UnsafeViewBackward0", (_BatchedMatmul,), {"__module__": __name__})
MatrixTimesBatchBackward: type[_BatchedMatmul] = type("CloneBackward0", (_BatchedMatmul,), {"__module__": __name__})


# ------------------------------------------------------------------------------------------- shapes


class _Reshape(Function):
    """Reshapes: the local gradient is the identity (the upstream gradient, reshaped back)."""

    symbol = "view"
    formula = ("∂view(a)/∂a = I",)

    def forward(self, a, shape):
        self.shape = shape
        return a.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self._shapes[0])


class ViewBackward0(_Reshape):
    pass


class UnsafeViewBackward0(_Reshape):
    pass


class UnsqueezeBackward0(_Reshape):
    symbol = "unsqueeze"


class SqueezeBackward0(_Reshape):
    symbol = "squeeze"


class SqueezeBackward1(_Reshape):
    symbol = "squeeze"


class SqueezeBackward4(_Reshape):
    symbol = "squeeze"


class _Permute(Function):
    """Axis permutations: the local gradient is the identity, permuted back."""

    symbol = "ᵀ"
    formula = ("∂aᵀ/∂a = I",)

    def forward(self, a, axes):
        self.axes = axes
        return np.transpose(a, axes)

    def backward(self, grad):
        axes = self.axes
        if list(axes) == list(range(len(axes) - 1, -1, -1)):
            return grad.T  # a full reversal (t(), .T) is its own inverse
        return permute(grad, tuple(np.argsort(axes)))


class PermuteBackward0(_Permute):
    pass


class TBackward0(_Permute):
    pass


class TransposeBackward0(_Permute):
    pass


class ExpandBackward0(Function):
    """Broadcast to a larger shape. Local gradient: 1 (copies are summed going back)."""

    symbol = "expand"
    formula = ("∂expand(a)/∂a = 1, summed over copies",)

    def forward(self, a, shape):
        return np.broadcast_to(a, shape)

    def backward(self, grad):
        return grad  # the engine sums it back to the input's shape


class CloneBackward0(Function):
    symbol = "clone"
    formula = ("∂clone(a)/∂a = 1",)

    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad


class ToCopyBackward0(Function):
    """A change of dtype; gradients flow back in the input's dtype."""

    symbol = "to"
    formula = ("∂a/∂a = 1",)

    def forward(self, a, dtype):
        self.source = a.dtype
        return a.astype(dtype)

    def backward(self, grad):
        return astype(grad, self.source)


class _Index(Function):
    """Indexing ``a[index]``. Local gradient: 1 at the selected elements, 0 elsewhere."""

    symbol = "[]"
    formula = ("∂a[i]/∂aⱼ = [j = i]",)

    def forward(self, a, index):
        self.index = index
        return a[index]

    def backward(self, grad):
        return scatter(grad, self._shapes[0], self.index, type(self))

    def local_grads(self, *arrays):
        # The selector (1 where an element is taken): an element taken twice still has derivative 1 per use.
        return tuple(None if g is None else (g != 0).astype(g.dtype) for g in super().local_grads(*arrays))


class SelectBackward0(_Index):
    pass


class SliceBackward0(_Index):
    pass


class IndexBackward0(_Index):
    """Advanced indexing; like PyTorch it saves its index arrays, freed after backward."""

    def forward(self, a, index):
        self.save_for_backward(index)
        return super().forward(a, index)


# ``x[:, None]`` inserts an axis by indexing; PyTorch's graph names it as ``unsqueeze``.
UnsqueezeIndexBackward0: type[_Index] = type(
    "UnsqueezeBackward0", (_Index,), {"__module__": __name__, "symbol": "unsqueeze"}
)


class _Scatter(Function):
    """The backward of indexing, as an op of its own (for ``create_graph``): the gradient placed at the
    indexed elements of zeros. Its own backward indexes again."""

    symbol = "[]ᵀ"
    formula = ("∂scatter(g)/∂g = [j = i]",)

    def forward(self, grad, shape, index):
        self.index = index
        out = np.zeros(shape, dtype=grad.dtype)
        np.add.at(out, index, grad)
        return out

    def backward(self, grad):
        return grad[self.index]


class SelectBackwardBackward0(_Scatter):
    pass


class SliceBackwardBackward0(_Scatter):
    pass


class IndexPutImplBackward0(_Scatter):
    pass


_SCATTER_OF: dict[type, type[_Scatter]] = {
    SelectBackward0: SelectBackwardBackward0,
    SliceBackward0: SliceBackwardBackward0,
}


class CatBackward0(Function):
    """Concatenation. Local gradient: 1 for every element (each input gets its slice back)."""

    symbol = "cat"
    formula = ("∂cat(a, b)/∂a = 1 on a's slice",)

    def forward(self, *arrays, dim=0):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, grad):
        return split(grad, self.splits, self.dim)


class StackBackward0(Function):
    """Stacking along a new axis. Local gradient: 1 for every element."""

    symbol = "stack"
    formula = ("∂stack(a, b)/∂a = 1 on a's slice",)

    def forward(self, *arrays, dim=0):
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, grad):
        return unstack(grad, self.dim)


class WhereBackward0(Function):
    """``where(condition, a, b)``; the condition is the attribute ``condition``.
    Local gradients: [condition] for a and [not condition] for b."""

    symbol = "where"
    formula = ("∂where(c,a,b)/∂a = [c]", "∂where(c,a,b)/∂b = [¬c]")

    def forward(self, a, b, condition):
        self.condition = condition
        self.save_for_backward(condition)
        return np.where(condition, a, b)

    def backward(self, grad):
        c = self.condition
        return where(c, grad, 0), where(c, 0, grad)


class CopySlices(Function):
    """``a[index] = b`` on tensors in the graph. Local gradients: 1 outside the slice for ``a``, 1 for ``b``."""

    symbol = "[]="
    formula = ("∂/∂a = 1 outside the written slice", "∂/∂b = 1")

    @classmethod
    def name(cls):
        return "torch::autograd::CopySlices"  # PyTorch's C++ name for this node

    def forward(self, a, b, index):
        self.index = index
        out = a.copy()
        out[index] = b
        return out

    def backward(self, grad):
        written = np.zeros(self._shapes[0], dtype=bool)
        written[self.index] = True
        return where(written, 0, grad), grad[self.index]  # the engine sums a broadcast value's gradient


# ------------------------------------------------------------------ functions of arrays or tensors
#
# The namespace ``backward`` formulas are written with besides Python's operators. Each works on NumPy
# arrays (the fast path) and on Tensors (``create_graph``, where it records history through the
# Tensor's own methods and the ops above).


def _is_array(x: Any) -> bool:
    return type(x) is _ndarray or isinstance(x, (_ndarray, np.generic, int, float, bool))


def value(x: Any) -> Any:
    """The array behind ``x`` (an array, a number or a Tensor): for masks and conditions, which carry no gradient."""
    return x if _is_array(x) else x._data


def _tensor_like(x: Any, like: Any) -> Any:
    """``x`` (an array or a number) as a Tensor with ``like``'s dtype, for the Tensor path."""
    if not _is_array(x):
        return x
    t = _new(like._plain_type)
    t._data = np.asarray(x, dtype=like._data.dtype)
    return t


def where(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` (an array) holds, else ``b``; numbers take the other operand's dtype."""
    if _is_array(a) and _is_array(b):
        dtype = getattr(a, "dtype", None) or getattr(b, "dtype", None)
        if dtype is not None:
            if not hasattr(a, "dtype"):
                a = dtype.type(a)
            if not hasattr(b, "dtype"):
                b = dtype.type(b)
        return np.where(condition, a, b)
    like = a if not _is_array(a) else b
    a, b = _tensor_like(a, like), _tensor_like(b, like)
    return WhereBackward0.apply(a, b, condition=np.asarray(condition, dtype=bool))


def zeros_like(x: Any) -> Any:
    if _is_array(x):
        return np.zeros(np.shape(x), dtype=np.asarray(x).dtype)
    return _tensor_like(np.zeros(x._data.shape, dtype=x._data.dtype), x)


def sign(x: Any) -> Any:
    return np.sign(x) if _is_array(x) else _tensor_like(np.sign(x._data), x)


def log(x: Any) -> Any:
    if _is_array(x):
        return np.log(x)
    return x.log()


def sin(x: Any) -> Any:
    return np.sin(x) if _is_array(x) else x.sin()


def cos(x: Any) -> Any:
    return np.cos(x) if _is_array(x) else x.cos()


def exp(x: Any) -> Any:
    if _is_array(x):
        return np.exp(x)
    return x.exp()


def maximum(x: Any, floor: float) -> Any:
    """``max(x, floor)`` for a number ``floor``."""
    if _is_array(x):
        return np.maximum(x, np.asarray(x).dtype.type(floor))
    return x.clamp(min=floor)


def expand(x: Any, shape: tuple) -> Any:
    """``x`` broadcast to ``shape`` (for big arrays a read-only view, for small ones a copy, which is quicker)."""
    if type(x) is _ndarray or _is_array(x):
        if _size(shape) <= 4096:
            return np.full(shape, x, dtype=np.asarray(x).dtype) if np.ndim(x) == 0 else np.broadcast_to(x, shape).copy()
        return np.broadcast_to(x, shape)
    return x.expand(shape)


def unsqueeze(x: Any, dims: Any, full_shape: tuple | None = None) -> Any:
    """``x`` with size-1 axes inserted at ``dims`` (axes of the result; ``full_shape`` resolves a reduction's dims)."""
    if not isinstance(dims, tuple):
        dims = (dims,)
    if _is_array(x):
        return np.expand_dims(x, dims)
    ndim = (len(full_shape) if full_shape is not None else x.ndim + len(dims)) if dims else x.ndim
    axes = {d % ndim for d in dims}
    shape = iter(x.shape)
    return x.reshape(tuple(1 if i in axes else next(shape) for i in range(ndim)))


def sum_to(x: Any, shape: tuple) -> Any:
    """``x`` summed down to ``shape`` (undoing broadcasting)."""
    from .function import unbroadcast

    return unbroadcast(x, tuple(shape))


def permute(x: Any, axes: tuple) -> Any:
    return np.transpose(x, axes) if _is_array(x) else x.permute(*axes)


def swap_last(x: Any) -> Any:
    """``x`` with its last two axes swapped."""
    return np.swapaxes(x, -1, -2) if _is_array(x) else x.transpose(-1, -2)


def astype(x: Any, dtype: Any) -> Any:
    if _is_array(x):
        return x if x.dtype == dtype else x.astype(dtype)
    return x if x._data.dtype == dtype else x.to(dtype)


def outer(a: Any, b: Any) -> Any:
    """The outer product of two vectors."""
    return a.reshape(-1, 1) * b.reshape(1, -1)


def matrix_product(a: Any, b: Any) -> Any:
    """``a @ b`` for matrices; an inner dimension of 1 is a broadcast product (BLAS is slow at it)."""
    if type(a) is _ndarray and type(b) is _ndarray and a.shape[1] == 1 and a.shape[0] * b.shape[1] > 64:
        return a * b.reshape(1, -1)
    return a @ b


def scatter(grad: Any, shape: tuple, index: Any, op: type) -> Any:
    """Zeros of ``shape`` with ``grad`` added at ``index`` (the backward of ``a[index]``)."""
    if _is_array(grad):
        out = np.zeros(shape, dtype=np.asarray(grad).dtype)
        if _is_basic_index(index):
            out[index] = grad  # a basic index selects each element once
        else:
            np.add.at(out, index, grad)
        return out
    return _SCATTER_OF.get(op, IndexPutImplBackward0).apply(grad, shape=shape, index=index)


def _is_basic_index(index: Any) -> bool:
    """True for an index that selects each element at most once (no lists or arrays in it)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in parts)


def split(grad: Any, splits: Any, dim: int) -> tuple:
    """The pieces of ``grad`` between ``splits`` along ``dim`` (the backward of ``cat``)."""
    if _is_array(grad):
        return tuple(np.split(grad, splits, axis=dim))
    bounds = [0, *[int(s) for s in splits], grad.shape[dim]]
    lead = (slice(None),) * dim
    return tuple(grad[lead + (slice(lo, hi),)] for lo, hi in itertools.pairwise(bounds))


def unstack(grad: Any, dim: int) -> tuple:
    """The slices of ``grad`` along ``dim`` (the backward of ``stack``)."""
    if _is_array(grad):
        return tuple(np.moveaxis(grad, dim, 0))
    lead = (slice(None),) * dim
    return tuple(grad[lead + (i,)] for i in range(grad.shape[dim]))
