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
import math
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
        # PyTorch's CPU kernel special-cases these exponents with plain arithmetic (not pow), so
        # the values round as its do.
        if exponent == 2:
            return a * a
        if exponent == 3:
            return a * a * a
        if exponent == -2:
            return 1 / (a * a)
        if exponent == -0.5:
            return 1 / np.sqrt(a)
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
        square = out * out
        if type(square) is _ndarray:  # grad · (1 − out²) with one new array
            return scale_temporary(np.subtract(1, square, out=square), grad)
        return grad * (1 - square)


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


_size = math.prod  # the number of elements of a shape


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
        return matrix_product(a, b, add=bias)

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
        return a.T if axes == _MATRIX_T else np.transpose(a, axes)

    def backward(self, grad):
        axes = self.axes
        if axes == _MATRIX_T or list(axes) == list(range(len(axes) - 1, -1, -1)):
            return grad.T  # a full reversal (t(), .T) is its own inverse
        return permute(grad, tuple(np.argsort(axes)))


_MATRIX_T = (1, 0)


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
            if type(x) is not _ndarray and not isinstance(x, np.generic):
                x = np.asarray(x)
            out = np.empty(shape, dtype=x.dtype)
            out[...] = x
            return out
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


def scale_temporary(temporary: Any, factor: Any) -> Any:
    """``temporary * factor``, where ``temporary`` was computed in the same formula and is used nowhere
    else: an array of the result's shape and dtype is scaled in its own memory (big arrays are then not
    copied once more), and a factor that is the number 1 leaves it as it is (``x · 1`` is ``x`` exactly).
    Tensors are multiplied out of place, so the product records history."""
    if type(temporary) is _ndarray and type(factor) in _FACTOR_TYPES and factor.dtype == temporary.dtype:
        if type(factor) is not _ndarray or factor.ndim == 0:
            if factor.item() == 1:
                return temporary
            return np.multiply(temporary, factor, out=temporary)
        if factor.shape == temporary.shape:
            return np.multiply(temporary, factor, out=temporary)
    return temporary * factor


_FACTOR_TYPES = (_ndarray, np.float32, np.float64, np.float16)


def outer(a: Any, b: Any) -> Any:
    """The outer product of two vectors."""
    return a.reshape(-1, 1) * b.reshape(1, -1)


def matrix_product(a: Any, b: Any, add: Any = None) -> Any:
    """``a @ b`` for matrices, plus ``add`` (a bias row) when given. An inner dimension of 1 is an outer
    product (BLAS is slow at it), and a tall matrix times a small one is computed a block of rows at a time."""
    if type(a) is _ndarray and type(b) is _ndarray:
        product: Any
        if a.shape[1] == 1 and a.shape[0] * b.shape[1] > 64:
            product = _outer_product
        elif a.dtype.char in "fd" and a.dtype == b.dtype:
            # For float matrices ``np.dot`` makes the same BLAS call as ``a @ b`` with less dispatch
            # around it (about 2 µs less, which is most of the cost of a product of small matrices).
            product = np.dot
        else:
            product = np.matmul
        if a.shape[0] >= _BLOCKED_ROWS and b.shape[1] >= _BLOCKED_MIN_COLUMNS and b.size <= _BLOCKED_RIGHT:
            return _row_blocked_product(product, a, b, add)
        out = product(a, b)
    else:
        out = a @ b
    if add is not None:
        out += add
    return out


def _outer_product(a: Any, b: Any, out: Any = None) -> Any:
    """``a @ b`` for an inner dimension of 1: each entry one product (20% quicker than ``a * b`` broadcast)."""
    return np.einsum("ik,kj->ij", a, b, out=out)


# A tall matrix (N × K, N in the tens of thousands and more) times a small one (K × M, M of 8 or
# more): OpenBLAS runs at 60–70% of the speed it reaches on a thousand rows, and adding a bias to the
# whole result afterwards is one more pass through memory. A block of rows at a time, its bias added
# while the block is in the cache, is 10–25% quicker at 100,000 rows by 64. A narrower result (a
# column: linear regression's N × 1) is one pass through memory either way, and its blocks would
# only add a Python loop.
_BLOCKED_ROWS = 16_384
_BLOCKED_MIN_COLUMNS = 8
_BLOCKED_RIGHT = 16_384  # entries of the small matrix
_BLOCK_ENTRIES = 65_536  # of the result a block: 1,024 rows of 64 columns (256 KB), which with its
# operand rows stays in a 512 KB L2 cache; narrower results take more rows, so that each block's
# work still outweighs the loop's few microseconds


def _row_blocked_product(product: Any, a: Any, b: Any, add: Any) -> Any:
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    add_rows = add is not None and np.ndim(add) == 2 and np.shape(add)[0] > 1  # addmm's full (N × M) input
    step = _BLOCK_ENTRIES // b.shape[1]
    for start in range(0, a.shape[0], step):
        rows = slice(start, start + step)
        block = out[rows]
        product(a[rows], b, out=block)
        if add is not None:
            block += add[rows] if add_rows else add
    return out


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


# ==================================================================================================
# Ops of the wider PyTorch API: more elementwise functions and activations, softmax, reductions
# over dims, selections, losses over classes, normalisation and linear algebra. Same pattern as
# above: backward is the one written derivative, in operators and the namespace functions.
# ==================================================================================================


def _unsqueezed(x, dim, keepdim, shape):
    """A reduction's result (or its gradient) with the reduced dims put back, to broadcast against the input."""
    if keepdim or dim is None or not shape:
        return x
    return unsqueeze(x, dim, shape)


def _reduced_shape(a, dim, keepdim):
    if dim is None:
        return (1,) * a.ndim if keepdim else ()
    dims = {d % a.ndim for d in (dim if isinstance(dim, tuple) else (dim,))} if a.ndim else set()
    return tuple(1 if i in dims else s for i, s in enumerate(a.shape) if keepdim or i not in dims)


def _constant(x, like):
    """``x`` (an array) in ``like``'s dtype: a factor that carries no gradient."""
    return np.asarray(x, dtype=value(like).dtype)


# ------------------------------------------------------------------------------ more elementwise


class Log1PBackward0(Function):
    symbol = "log1p"
    formula = ("∂ln(1+a)/∂a = 1/(1+a)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.log1p(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a + 1)


class Expm1Backward0(Function):
    symbol = "expm1"
    formula = ("∂(eᵃ−1)/∂a = eᵃ",)

    def forward(self, a):
        out = np.expm1(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out + 1)


class Exp2Backward0(Function):
    symbol = "2ᵃ"
    formula = ("∂2ᵃ/∂a = 2ᵃ·ln 2",)

    def forward(self, a):
        out = np.exp2(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out * float(np.log(2.0)))


class Log2Backward0(Function):
    symbol = "log₂"
    formula = ("∂log₂a/∂a = 1/(a·ln 2)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.log2(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * float(np.log(2.0)))


class Log10Backward0(Function):
    symbol = "log₁₀"
    formula = ("∂log₁₀a/∂a = 1/(a·ln 10)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.log10(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * float(np.log(10.0)))


class RsqrtBackward0(Function):
    symbol = "1/√"
    formula = ("∂a^(−½)/∂a = −½·a^(−3/2)",)

    def forward(self, a):
        out = 1 / np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return -0.5 * grad * (out * out * out)


class TanBackward0(Function):
    symbol = "tan"
    formula = ("∂tan a/∂a = 1 + tan²a",)

    def forward(self, a):
        out = np.tan(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (1 + out * out)


class AtanBackward0(Function):
    symbol = "atan"
    formula = ("∂atan a/∂a = 1/(1 + a²)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.arctan(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * a + 1)


class AsinBackward0(Function):
    symbol = "asin"
    formula = ("∂asin a/∂a = 1/√(1 − a²)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.arcsin(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (1 - a * a) ** -0.5


class AcosBackward0(Function):
    symbol = "acos"
    formula = ("∂acos a/∂a = −1/√(1 − a²)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.arccos(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad * (1 - a * a) ** -0.5


class SinhBackward0(Function):
    symbol = "sinh"
    formula = ("∂sinh a/∂a = cosh a",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.sinh(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * cosh(a)


class CoshBackward0(Function):
    symbol = "cosh"
    formula = ("∂cosh a/∂a = sinh a",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.cosh(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sinh(a)


class ErfBackward0(Function):
    symbol = "erf"
    formula = ("∂erf a/∂a = 2/√π·e^(−a²)",)

    def forward(self, a):
        self.save_for_backward(a)
        return erf_array(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (float(2 / np.sqrt(np.pi)) * exp(-(a * a)))


class _Step(Function):
    """A step function (sign, floor, ceil, trunc, round): its derivative is 0 everywhere."""

    formula = ("∂/∂a = 0",)
    _round: Any = None

    def forward(self, a, decimals=None):
        if decimals is not None:
            return np.round(a, decimals)
        return self._round(a)

    def backward(self, grad):
        return zeros_like(grad)


class SignBackward0(_Step):
    symbol = "sign"
    _round = staticmethod(np.sign)


class FloorBackward0(_Step):
    symbol = "floor"
    _round = staticmethod(np.floor)


class CeilBackward0(_Step):
    symbol = "ceil"
    _round = staticmethod(np.ceil)


class TruncBackward0(_Step):
    symbol = "trunc"
    _round = staticmethod(np.trunc)


class RoundBackward0(_Step):
    symbol = "round"
    _round = staticmethod(np.round)  # half to even, as PyTorch


class RoundBackward1(_Step):
    """``round(a, decimals=d)``."""

    symbol = "round"


class FracBackward0(Function):
    symbol = "frac"
    formula = ("∂(a − trunc a)/∂a = 1",)

    def forward(self, a):
        return a - np.trunc(a)

    def backward(self, grad):
        return grad


# ------------------------------------------------------------------------------------ activations


class LeakyReluBackward0(Function):
    """``leaky_relu(a)``: a where a > 0, else negative_slope·a."""

    symbol = "LeakyReLU"
    formula = ("∂/∂a = 1 where a > 0, else the negative slope",)

    def forward(self, a, negative_slope=0.01):
        self.negative_slope = negative_slope
        self.save_for_backward(a)
        return np.where(a > 0, a, a * a.dtype.type(negative_slope))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(value(a) > 0, grad, grad * self.negative_slope)


class HardtanhBackward0(Function):
    """``hardtanh(a)``: a clamped to [min_val, max_val] (relu6 is hardtanh(0, 6))."""

    symbol = "hardtanh"
    formula = ("∂/∂a = [min < a < max]",)

    def forward(self, a, min_val=-1.0, max_val=1.0):
        self.min_val, self.max_val = min_val, max_val
        self.save_for_backward(a)
        return np.clip(a, a.dtype.type(min_val), a.dtype.type(max_val))

    def backward(self, grad):
        (a,) = self.saved_tensors
        a = value(a)
        return where((a <= self.min_val) | (a >= self.max_val), 0, grad)


class SoftplusBackward0(Function):
    """``softplus(a) = ln(1 + e^(βa))/β``, linear where βa > threshold."""

    symbol = "softplus"
    formula = ("∂softplus(a)/∂a = σ(βa)",)

    def forward(self, a, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(a)
        t = a.dtype.type
        z = a * t(beta)
        return np.where(z > t(threshold), a, np.log1p(np.exp(z)) / t(beta))

    def backward(self, grad):
        (a,) = self.saved_tensors
        z = exp(a * self.beta)
        return where(value(a) * self.beta > self.threshold, grad, grad * z / (z + 1))


class EluBackward0(Function):
    """``elu(a)``: a where a > 0, else α(eᵃ − 1); times ``scale`` (SELU is ELU with PyTorch's α and scale)."""

    symbol = "ELU"
    formula = ("∂elu(a)/∂a = 1 where a > 0, else α·eᵃ",)

    def forward(self, a, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale
        t = a.dtype.type
        out = np.where(a > 0, a, t(alpha) * np.expm1(np.minimum(a, t(0))))
        if scale != 1.0:
            out = out * t(scale)
        self.save_for_backward(a)
        return out

    def backward(self, grad):
        (a,) = self.saved_tensors
        negative = grad * (self.alpha * self.scale) * exp(minimum(a, 0.0))
        return where(value(a) > 0, grad * self.scale, negative)


class CeluBackward0(Function):
    """``celu(a)``: a where a > 0, else α(e^(a/α) − 1)."""

    symbol = "CELU"
    formula = ("∂celu(a)/∂a = 1 where a > 0, else e^(a/α)",)

    def forward(self, a, alpha=1.0):
        self.alpha = alpha
        t = a.dtype.type
        self.save_for_backward(a)
        return np.where(a > 0, a, t(alpha) * np.expm1(np.minimum(a, t(0)) / t(alpha)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(value(a) > 0, grad, grad * exp(minimum(a, 0.0) / self.alpha))


class SiluBackward0(Function):
    """``silu(a) = a·σ(a)`` (swish)."""

    symbol = "SiLU"
    formula = ("∂(a·σ(a))/∂a = σ(a)(1 + a(1 − σ(a)))",)

    def forward(self, a):
        self.save_for_backward(a)
        return a * sigmoid_array(a)

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = sigmoid(a)
        return grad * s * (1 + a * (1 - s))


class GeluBackward0(Function):
    """``gelu(a) = a·Φ(a)`` (or its tanh approximation with ``approximate="tanh"``)."""

    symbol = "GELU"
    formula = ("∂(a·Φ(a))/∂a = Φ(a) + a·φ(a)",)

    def forward(self, a, approximate="none"):
        self.approximate = approximate
        self.save_for_backward(a)
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(np.sqrt(2 / np.pi)) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (t(1) + np.tanh(inner))
        return a * t(0.5) * (t(1) + erf_array(a * t(1 / np.sqrt(2))))

    def backward(self, grad):
        (a,) = self.saved_tensors
        if self.approximate == "tanh":
            k = float(np.sqrt(2 / np.pi))
            th = tanh(k * (a + 0.044715 * a * a * a))
            return grad * (0.5 * (1 + th) + 0.5 * a * (1 - th * th) * k * (1 + 3 * 0.044715 * a * a))
        cdf = 0.5 * (1 + erf(a * float(1 / np.sqrt(2))))
        pdf = exp(-0.5 * (a * a)) * float(1 / np.sqrt(2 * np.pi))
        return grad * (cdf + a * pdf)


class LogSigmoidBackward0(Function):
    """``ln σ(a)``, computed without overflow."""

    symbol = "lnσ"
    formula = ("∂ln σ(a)/∂a = 1 − σ(a)",)

    def forward(self, a):
        self.save_for_backward(a)
        return np.minimum(a, a.dtype.type(0)) - np.log1p(np.exp(-np.abs(a)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * sigmoid(-a)


class MishBackward0(Function):
    """``mish(a) = a·tanh(softplus(a))``."""

    symbol = "Mish"
    formula = ("∂mish/∂a = tanh(sp(a)) + a·σ(a)(1 − tanh²(sp(a)))",)

    def forward(self, a):
        self.save_for_backward(a)
        return a * np.tanh(np.logaddexp(a, a.dtype.type(0)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        th = tanh(softplus(a))
        return grad * (th + a * sigmoid(a) * (1 - th * th))


class ThresholdBackward0(Function):
    """``threshold(a, t, v)``: a where a > t, else v."""

    symbol = "threshold"
    formula = ("∂/∂a = [a > t]",)

    def forward(self, a, threshold, value):
        self.threshold = threshold
        self.save_for_backward(a)
        return np.where(a > threshold, a, a.dtype.type(value))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(value(a) <= self.threshold, 0, grad)


class HardsigmoidBackward0(Function):
    """``hardsigmoid(a) = clamp(a + 3, 0, 6)/6``; the gradient is PyTorch's float32 constant 1/6 inside."""

    symbol = "hardσ"
    formula = ("∂/∂a = 1/6 where −3 < a < 3",)
    SIXTH = float(np.float32(1.0 / 6.0))

    def forward(self, a):
        self.save_for_backward(a)
        t = a.dtype.type
        return np.clip(a + t(3), t(0), t(6)) / t(6)

    def backward(self, grad):
        (a,) = self.saved_tensors
        a = value(a)
        return where((a > -3) & (a < 3), grad * self.SIXTH, 0)


class HardswishBackward0(Function):
    """``hardswish(a) = a·clamp(a + 3, 0, 6)/6``."""

    symbol = "hardswish"
    formula = ("∂/∂a = a/3 + ½ where −3 < a < 3",)

    def forward(self, a):
        self.save_for_backward(a)
        t = a.dtype.type
        return a * np.clip(a + t(3), t(0), t(6)) / t(6)

    def backward(self, grad):
        (a,) = self.saved_tensors
        v = value(a)
        return where(v <= -3, 0, where(v < 3, grad * (a / 3 + 0.5), grad))


class SoftshrinkBackward0(Function):
    """``softshrink(a, λ)``: a − λ above λ, a + λ below −λ, 0 between."""

    symbol = "softshrink"
    formula = ("∂/∂a = [|a| > λ]",)

    def forward(self, a, lambd=0.5):
        self.lambd = lambd
        self.save_for_backward(a)
        t = a.dtype.type
        return np.where(a > lambd, a - t(lambd), np.where(a < -lambd, a + t(lambd), t(0)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(np.abs(value(a)) > self.lambd, grad, 0)


class HardshrinkBackward0(SoftshrinkBackward0):
    """``hardshrink(a, λ)``: a where |a| > λ, else 0."""

    symbol = "hardshrink"

    def forward(self, a, lambd=0.5):
        self.lambd = lambd
        self.save_for_backward(a)
        return np.where(np.abs(a) > lambd, a, a.dtype.type(0))


class GluBackward0(Function):
    """``glu(a, dim)`` = first half ⊙ σ(second half) along ``dim``."""

    symbol = "GLU"
    formula = ("∂/∂a₁ = σ(a₂)", "∂/∂a₂ = a₁σ(a₂)(1 − σ(a₂))")

    def forward(self, a, dim=-1):
        self.dim = dim
        first, second = np.split(a, 2, axis=dim)
        self.save_for_backward(a)
        return first * sigmoid_array(second)

    def backward(self, grad):
        (a,) = self.saved_tensors
        first, second = split(a, [a.shape[self.dim] // 2], self.dim)
        gate = sigmoid(second)
        return concatenate([grad * gate, grad * first * gate * (1 - gate)], self.dim)


class PreluKernelBackward0(Function):
    """``prelu(a, w)``: a where a > 0, else w·a, with one slope per channel (dim 1) or one for all."""

    symbol = "PReLU"
    formula = ("∂/∂a = 1 where a > 0, else w", "∂/∂w = a where a ≤ 0")

    def forward(self, a, weight):
        shape = [1] * a.ndim
        if weight.size > 1:
            shape[1 if a.ndim > 1 else 0] = weight.size
        self.weight_view = tuple(shape)
        self.save_for_backward(a, weight)
        return np.where(a > 0, a, weight.reshape(self.weight_view) * a)

    def backward(self, grad):
        a, weight = self.saved_tensors
        positive = value(a) > 0
        w = weight.reshape(self.weight_view)
        ga = where(positive, grad, grad * w)
        gw = sum_to(where(positive, 0, grad * a), self.weight_view).reshape(self._shapes[1])
        return ga, gw


def erf_array(a):
    """The error function elementwise: ``math.erf`` in float64, rounded to the input's dtype."""
    import math

    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    return (
        np.fromiter((math.erf(v) for v in flat), dtype=np.float64, count=flat.size)
        .reshape(np.shape(a))
        .astype(np.asarray(a).dtype)
    )


# ----------------------------------------------------------------------------- binary functions


class Atan2Backward0(Function):
    symbol = "atan2"
    formula = ("∂atan2(a,b)/∂a = b/(a²+b²)", "∂atan2(a,b)/∂b = −a/(a²+b²)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        denominator = a * a + b * b
        return grad * (b / denominator), grad * (-a / denominator)


class LerpBackward0(Function):
    """``lerp(a, b, w)`` = a + w(b − a) with a number weight."""

    symbol = "lerp"
    formula = ("∂lerp/∂a = 1 − w", "∂lerp/∂b = w")

    def forward(self, a, b, weight):
        self.weight = weight
        t = a.dtype.type
        return a + t(weight) * (b - a)

    def backward(self, grad):
        return grad * (1 - self.weight), grad * self.weight


class FmodBackward0(Function):
    """``fmod(a, b)`` (remainder with the sign of a). Gradients: 1 and −trunc(a/b)."""

    symbol = "fmod"
    formula = ("∂fmod/∂a = 1", "∂fmod/∂b = −trunc(a/b)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.fmod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * _constant(np.trunc(value(a) / value(b)), b)


class RemainderBackward0(Function):
    """``remainder(a, b)`` (Python's %: the sign of b). Gradients: 1 and −floor(a/b)."""

    symbol = "%"
    formula = ("∂(a mod b)/∂a = 1", "∂(a mod b)/∂b = −floor(a/b)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.mod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * _constant(np.floor(value(a) / value(b)), b)


class LogaddexpBackward0(Function):
    symbol = "logaddexp"
    formula = ("∂/∂a = σ(a − b)", "∂/∂b = σ(b − a)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.logaddexp(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad / (1 + exp(b - a)), grad / (1 + exp(a - b))


class XlogyBackward0(Function):
    """``xlogy(a, b)`` = a·ln b, and 0 where a = 0."""

    symbol = "x·log y"
    formula = ("∂/∂a = ln b", "∂/∂b = a/b")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.where(a == 0, np.zeros((), dtype=np.result_type(a, b)), a * np.log(b))

    def backward(self, grad):
        a, b = self.saved_tensors
        return where(value(a) == 0, 0, grad * log(b)), grad * a / b


class DivBackward1(Function):
    """``tensor / number`` where PyTorch divides by a number internally (``other`` is the attribute)."""

    symbol = "÷"
    formula = ("∂(a/c)/∂a = 1/c",)

    def forward(self, a, other):
        self.other = other
        return a / a.dtype.type(other)

    def backward(self, grad):
        return grad / self.other


class MulBackward1(Function):
    """``tensor · number`` where PyTorch multiplies by a number internally (``other`` is the attribute)."""

    symbol = "×"
    formula = ("∂(a·c)/∂a = c",)

    def forward(self, a, other):
        self.other = other
        return a * a.dtype.type(other)

    def backward(self, grad):
        return grad * self.other


class ClampMinBackward0(Function):
    symbol = "clamp"
    formula = ("∂max(a, m)/∂a = [a ≥ m]",)

    def forward(self, a, min):
        self.min = min
        self.save_for_backward(a)
        return np.maximum(a, a.dtype.type(min))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(value(a) >= self.min, grad, 0)


class ClampMaxBackward0(Function):
    symbol = "clamp"
    formula = ("∂min(a, m)/∂a = [a ≤ m]",)

    def forward(self, a, max):
        self.max = max
        self.save_for_backward(a)
        return np.minimum(a, a.dtype.type(max))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(value(a) <= self.max, grad, 0)


# --------------------------------------------------------------------------- softmax and friends


def _max_along(a, dim):
    """The maximum along ``dim`` (kept), with infinities replaced so that x − max stays finite."""
    m = np.max(a, axis=dim, keepdims=True)
    return np.where(np.isfinite(m), m, np.zeros((), dtype=a.dtype))


class SoftmaxBackward0(Function):
    """``softmax(a, dim)``: e^(aᵢ − max) / Σ e^(aⱼ − max). Gradient: s ⊙ (g − Σ g⊙s)."""

    symbol = "softmax"
    formula = ("∂sᵢ/∂aⱼ = sᵢ([i = j] − sⱼ)",)

    def forward(self, a, dim):
        self.dim = dim
        if a.size == 0:
            out = a.copy()
        else:
            e = np.exp(a - _max_along(a, dim))
            out = e * (1 / np.sum(e, axis=dim, keepdims=True))  # PyTorch multiplies by the reciprocal
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return out * (grad - sum_along(grad * out, self.dim))


class LogSoftmaxBackward0(Function):
    """``log_softmax(a, dim)``: aᵢ − (max + ln Σ e^(aⱼ − max)). Gradient: g − e^out ⊙ Σ g."""

    symbol = "log softmax"
    formula = ("∂ log sᵢ/∂aⱼ = [i = j] − sⱼ",)

    def forward(self, a, dim):
        self.dim = dim
        if a.size == 0:
            out = a.copy()
        else:
            m = _max_along(a, dim)
            out = a - (m + np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad - exp(out) * sum_along(grad, self.dim)


class LogsumexpBackward0(Function):
    """``logsumexp(a, dim)``: ln Σ eᵃ along ``dim``, computed stably. Gradient: g ⊙ e^(a − out)."""

    symbol = "logsumexp"
    formula = ("∂ logsumexp/∂aᵢ = softmax(a)ᵢ",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        if a.size == 0:
            out = np.full(np.sum(a, axis=dim, keepdims=True).shape, -np.inf, dtype=a.dtype)
        else:
            m = np.max(a, axis=dim, keepdims=True)
            m = np.where(np.isinf(m), np.zeros((), dtype=a.dtype), m)
            out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
        out = out if keepdim else np.squeeze(out, axis=dim)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        shape = self._shapes[0]
        return _unsqueezed(grad, self.dim, self.keepdim, shape) * exp(
            a - _unsqueezed(out, self.dim, self.keepdim, shape)
        )


# --------------------------------------------------------------------------------- more reductions


class ProdBackward0(Function):
    """Product of all elements. Gradient: the product of the other elements (product / aᵢ when no
    element is 0, as PyTorch computes it; exact products of the others otherwise)."""

    symbol = "Π"
    formula = ("∂(Πa)/∂aᵢ = Π_{j≠i} aⱼ",)

    def forward(self, a):
        out = np.asarray(np.prod(a))
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        if not np.any(value(a) == 0):
            return grad * (out / a)
        return grad * _constant(_prod_of_others(value(a).reshape(-1), 0).reshape(value(a).shape), a)


class ProdBackward1(Function):
    """Product along ``dim``. Gradient: the product of the other elements along ``dim``."""

    symbol = "Π"
    formula = ("∂(Πa)/∂aᵢ = Π_{j≠i} aⱼ",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = np.prod(a, axis=dim, keepdims=keepdim)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        shape = self._shapes[0]
        if not shape:
            return grad
        grad = _unsqueezed(grad, self.dim, self.keepdim, shape)
        if not np.any(value(a) == 0):
            return grad * (_unsqueezed(out, self.dim, self.keepdim, shape) / a)
        return grad * _constant(_prod_of_others(value(a), self.dim), a)


def _prod_of_others(a, axis):
    """For each element, the product of the other elements along ``axis``, without dividing."""
    if a.shape[axis] == 0:
        return a.copy()
    moved = np.moveaxis(a, axis, -1)
    ones = np.ones(moved.shape[:-1] + (1,), dtype=a.dtype)
    left = np.cumprod(np.concatenate([ones, moved[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, moved[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis(left * right, -1, axis)


class CumsumBackward0(Function):
    """Running sum along ``dim``. Gradient: the running sum of the upstream gradient taken backwards."""

    symbol = "cumsum"
    formula = ("∂(Σ_{j≤k} aⱼ)/∂aᵢ = [i ≤ k]",)

    def forward(self, a, dim):
        self.dim = dim
        return np.cumsum(a, axis=dim, dtype=a.dtype) if a.ndim else a.copy()

    def backward(self, grad):
        if not self._shapes[0]:
            return grad
        return reverse_cumsum(grad, self.dim)


class CumprodBackward0(Function):
    """Running product along ``dim``. Gradient of outₖ by aᵢ (i ≤ k): the product of a₀..aₖ without aᵢ
    (Σ over k of g·out divided by aᵢ where no element is 0)."""

    symbol = "cumprod"
    formula = ("∂(Π_{j≤k} aⱼ)/∂aᵢ = Π_{j≤k, j≠i} aⱼ",)

    def forward(self, a, dim):
        self.dim = dim
        out = np.cumprod(a, axis=dim, dtype=a.dtype) if a.ndim else a.copy()
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        if not self._shapes[0]:
            return grad
        if not np.any(value(a) == 0):
            return reverse_cumsum(grad * out, self.dim) / a
        return _cumprod_backward_with_zeros(value(a), value(grad), self.dim)


def _cumprod_backward_with_zeros(a, grad, dim):
    moved = np.moveaxis(a, dim, -1)
    g = np.moveaxis(grad, dim, -1)
    out = np.zeros_like(g)
    for i in range(moved.shape[-1]):
        # ∂outₖ/∂aᵢ for k ≥ i: (a₀···aᵢ₋₁)·(aᵢ₊₁···aₖ)
        before = np.prod(moved[..., :i], axis=-1, keepdims=True)
        after = np.cumprod(moved[..., i + 1 :], axis=-1)
        factors = np.concatenate([np.ones_like(before), after], axis=-1) * before
        out[..., i] = np.sum(g[..., i:] * factors, axis=-1)
    return np.moveaxis(out, -1, dim)


class _Moments(Function):
    """Variance and standard deviation over ``dim`` with PyTorch's ``correction`` (Bessel's by default).
    Float32 moments accumulate in double and round once, as PyTorch's kernels do."""

    def _var(self, a, dim, correction, keepdim):
        self.dim, self.correction, self.keepdim = dim, correction, keepdim
        wide = a.astype(np.float64) if a.dtype.kind == "f" and a.itemsize < 8 else a
        centered = wide - np.mean(wide, axis=dim, keepdims=True)
        self.count = a.size if dim is None else int(np.prod([a.shape[d] for d in dim]))
        return np.sum(centered * centered, axis=dim, keepdims=keepdim) / np.float64(max(self.count - correction, 0))

    def _var_gradient(self, grad, a):
        """PyTorch's var_backward: (2/(n − c))·g·(a − mean a)."""
        shape = self._shapes[0]
        centered = a - mean_along(a, self.dim)
        return (
            (2.0 / max(self.count - self.correction, 0)) * _unsqueezed(grad, self.dim, self.keepdim, shape) * centered
        )


class VarBackward0(_Moments):
    """``var(a, dim, correction)`` = Σ(a − mean)² / (n − correction). Gradient: 2(a − mean)/(n − correction)."""

    symbol = "var"
    formula = ("∂var/∂aᵢ = 2(aᵢ − mean)/(n − c)",)

    def forward(self, a, dim=None, correction=1, keepdim=False):
        self.save_for_backward(a)
        return np.asarray(self._var(a, dim, correction, keepdim), dtype=a.dtype)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return self._var_gradient(grad, a)


class StdBackward0(_Moments):
    """``std(a, dim, correction)`` = √var. Gradient: (a − mean)/((n − correction)·std), 0 where std is 0."""

    symbol = "std"
    formula = ("∂std/∂aᵢ = (aᵢ − mean)/((n − c)·std)",)

    def forward(self, a, dim=None, correction=1, keepdim=False):
        out = np.asarray(np.sqrt(self._var(a, dim, correction, keepdim)), dtype=a.dtype)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        return self._var_gradient(where(value(out) == 0, 0, grad / (out * 2)), a)


class LinalgVectorNormBackward0(Function):
    """The p-norm (Σ|aᵢ|ᵖ)^(1/p) over ``dim`` (all elements by default); p = inf is max |aᵢ|.

    Gradient: aᵢ|aᵢ|^(p−2)/‖a‖^(p−1) (aᵢ/‖a‖ for p = 2, sign(aᵢ) for p = 1), and 0 where the norm is 0.
    """

    symbol = "‖·‖"
    formula = ("∂‖a‖/∂aᵢ = aᵢ·|aᵢ|^(p−2)/‖a‖^(p−1)",)

    def forward(self, a, ord=2.0, dim=None, keepdim=False):
        self.ord, self.dim, self.keepdim = ord, dim, keepdim
        absolute = np.abs(a)
        if ord == np.inf:
            out = np.max(absolute, axis=dim, keepdims=True) if a.size else np.zeros((), a.dtype)
        elif ord == -np.inf:
            out = np.min(absolute, axis=dim, keepdims=True)
        elif ord == 0:
            out = np.sum(a != 0, axis=dim, keepdims=True).astype(a.dtype)
        elif ord == 1:
            out = np.sum(absolute, axis=dim, keepdims=True)
        elif ord == 2:
            out = np.sqrt(np.sum(a * a, axis=dim, keepdims=True))
        else:
            out = np.sum(absolute**ord, axis=dim, keepdims=True) ** (1 / ord)
        out = np.reshape(np.asarray(out, dtype=a.dtype), _reduced_shape(a, dim, keepdim))
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        shape = self._shapes[0]
        grad = _unsqueezed(grad, self.dim, self.keepdim, shape)
        norm = _unsqueezed(out, self.dim, self.keepdim, shape)
        zero = value(norm) == 0
        p = self.ord
        if p == 0:
            return zeros_like(grad * a)
        if p == 1:
            return grad * sign(a)
        if p == 2:
            return a * where(zero, 0, grad / norm)
        if p in (np.inf, -np.inf):
            hits = np.abs(value(a)) == value(norm)
            share = hits / np.sum(hits, axis=self.dim, keepdims=True)
            return grad * sign(a) * _constant(share, a)
        return a * abs_(a) ** (p - 2) * where(zero, 0, grad / norm ** (p - 1))


class AmaxBackward0(Function):
    """Maximum along ``dim`` (``amax``). Gradient: shared evenly between the elements equal to it."""

    symbol = "max"
    formula = ("∂amax(a)/∂aᵢ = [aᵢ = max] / #ties",)
    _reduce = staticmethod(np.max)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = self._reduce(a, axis=dim, keepdims=keepdim)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        shape = self._shapes[0]
        hits = value(a) == value(_unsqueezed(out, self.dim, self.keepdim, shape))
        share = hits / np.sum(hits, axis=self.dim, keepdims=True)
        return _unsqueezed(grad, self.dim, self.keepdim, shape) * _constant(share, a)


class AminBackward0(AmaxBackward0):
    """Minimum along ``dim`` (``amin``). Gradient: shared evenly between the elements equal to it."""

    symbol = "min"
    formula = ("∂amin(a)/∂aᵢ = [aᵢ = min] / #ties",)
    _reduce = staticmethod(np.min)


# ----------------------------------------------------------------------------- picking elements


class _Picks(Function):
    """An op that moves, picks or copies elements: the Graph view's local gradient is the selector
    (1 where an element of the input lands in the output), as for indexing."""

    def local_grads(self, *arrays):
        return tuple(None if g is None else (g != 0).astype(g.dtype) for g in super().local_grads(*arrays))


def _along_axis_index(indices, axis):
    """The fancy index that ``take_along_axis(a, indices, axis)`` uses."""
    index = list(np.ix_(*[np.arange(n) for n in indices.shape]))
    index[axis] = indices
    return tuple(index)


class _TakeAlong(_Picks):
    """Values picked along ``dim`` by an index array (sort, topk, gather, median and kthvalue along a
    dim): the gradient goes back to the picked positions (added up where one was picked twice)."""

    indices: Any = None
    dim: Any = None

    def backward(self, grad):
        shape = self._shapes[0]
        if not shape:
            return grad
        grad = grad.reshape(self.indices.shape)
        return scatter(grad, shape, _along_axis_index(self.indices, self.dim), type(self))


class SortBackward0(_TakeAlong):
    symbol = "sort"
    formula = ("∂sort(a)ₖ/∂aᵢ = [i = index of k-th]",)

    def forward(self, a, dim, descending=False, stable=False):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        if descending and a.dtype.kind == "b":
            order = np.flip(np.argsort(a, axis=dim, kind="stable"), dim)
        else:
            order = np.argsort(-a if descending else a, axis=dim, kind="stable")
        self.indices = order.astype(np.int64)
        self.save_for_backward(self.indices)
        return np.take_along_axis(a, order, axis=dim)


class TopkBackward0(_TakeAlong):
    symbol = "topk"
    formula = ("∂topk(a)ₖ/∂aᵢ = [i = index of k-th]",)

    def forward(self, a, k, dim, largest=True):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        order = np.argsort(-a if largest else a, axis=dim, kind="stable")
        self.indices = np.take(order, np.arange(k), axis=dim).astype(np.int64)
        self.save_for_backward(self.indices)
        return np.take_along_axis(a, self.indices, axis=dim)


class GatherBackward0(_TakeAlong):
    """``gather(a, dim, index)``: out[i][j] = a[index[i][j]][j] (for dim 0)."""

    symbol = "gather"
    formula = ("∂out/∂a = 1 at each gathered position",)

    def forward(self, a, dim, index):
        self.dim, self.indices = dim, index
        self.save_for_backward(index)
        if a.ndim == 0:
            return a.copy()
        return np.take_along_axis(a, index, axis=dim)


class MedianBackward0(_Picks):
    """The median of all elements (the lower of the two middle values). Gradient: 1 at that element."""

    symbol = "median"
    formula = ("∂median/∂aᵢ = [i = the median's index]",)

    def forward(self, a):
        flat = a.reshape(-1)
        if flat.size == 0:
            self.position = None
            return np.asarray(np.nan, dtype=a.dtype)
        self.position = np.unravel_index(int(np.argsort(flat, kind="stable")[(flat.size - 1) // 2]), a.shape)
        return np.asarray(a[self.position])

    def backward(self, grad):
        return scatter(grad, self._shapes[0], self.position, SelectBackward0)


class MedianBackward1(_TakeAlong):
    """The median along ``dim`` (the values of ``median(dim)``)."""

    symbol = "median"
    formula = ("∂median/∂aᵢ = [i = the median's index]",)

    def forward(self, a, dim, keepdim=False, k=None):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        position = (a.shape[dim] - 1) // 2 if k is None else k
        order = np.argsort(a, axis=dim, kind="stable")
        self.indices = np.take(order, [position], axis=dim).astype(np.int64)
        self.save_for_backward(self.indices)
        out = np.take_along_axis(a, self.indices, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)


class KthvalueBackward0(MedianBackward1):
    symbol = "kthvalue"
    formula = ("∂kthvalue/∂aᵢ = [i = the k-th smallest's index]",)


class IndexSelectBackward0(_Picks):
    """``index_select(a, dim, index)``. Gradient: added back at the selected positions."""

    symbol = "select"
    formula = ("∂out/∂a = 1 at each selected position",)

    def forward(self, a, dim, index):
        self.dim, self.index = dim, index
        self.save_for_backward(index)
        return np.take(a, index, axis=dim) if a.ndim else a.copy()

    def backward(self, grad):
        shape = self._shapes[0]
        if not shape:
            return grad.reshape(())
        return scatter(grad, shape, (slice(None),) * self.dim + (self.index,), IndexBackward0)


class EmbeddingBackward0(_Picks):
    """``embedding(indices, weight)``: rows of ``weight``. Gradient: each row gets the sum of the
    gradients of the places it was picked (none for ``padding_idx``)."""

    symbol = "embed"
    formula = ("∂out/∂W[k] = 1 where the index is k",)

    def forward(self, weight, indices, padding_idx=None):
        self.indices, self.padding_idx = indices, padding_idx
        self.save_for_backward(indices)
        return weight[indices]

    def backward(self, grad):
        if self.padding_idx is not None:
            grad = where((self.indices == self.padding_idx)[..., None], 0, grad)
        return scatter(grad, self._shapes[0], (self.indices,), IndexBackward0)


class MaskedFillBackward0(Function):
    """``masked_fill(a, mask, value)``. Gradient: 0 where filled, else 1."""

    symbol = "fill"
    formula = ("∂/∂a = [not filled]",)

    def forward(self, a, mask, value):
        self.mask = mask
        self.save_for_backward(mask)
        return np.where(mask, np.asarray(value, dtype=a.dtype), a)

    def backward(self, grad):
        return where(self.mask, 0, grad)


class MaskedSelectBackward0(_Picks):
    """``masked_select(a, mask)``: the elements where ``mask`` holds, as a vector."""

    symbol = "select"
    formula = ("∂out/∂a = 1 at each selected position",)

    def forward(self, a, mask):
        self.full_shape = np.broadcast_shapes(a.shape, mask.shape)
        self.index = np.nonzero(np.broadcast_to(mask, self.full_shape))
        self.save_for_backward(mask)
        return np.broadcast_to(a, self.full_shape)[self.index]

    def backward(self, grad):
        return scatter(grad, self.full_shape, self.index, IndexBackward0)


class SplitBackward0(_Index):
    """One piece of ``split``/``chunk`` (PyTorch's split has many outputs; here each piece is a node)."""


class SplitWithSizesBackward0(_Index):
    """One piece of ``split`` with a list of sizes."""


class UnbindBackward0(_Index):
    """One slice of ``unbind``."""


# ------------------------------------------------------------------------------ shape-like ops


class RepeatBackward0(_Picks):
    """``repeat(*repeats)``: the tensor tiled. Gradient: the copies' gradients summed."""

    symbol = "repeat"
    formula = ("∂repeat(a)/∂a = 1, summed over copies",)

    def forward(self, a, repeats):
        self.repeats = repeats
        self.expanded = (1,) * (len(repeats) - a.ndim) + a.shape
        return np.tile(a.reshape(self.expanded), repeats)

    def backward(self, grad):
        shape = []
        for r, s in zip(self.repeats, self.expanded):
            shape += [r, s]
        return grad.reshape(tuple(shape)).sum(tuple(range(0, 2 * len(self.repeats), 2))).reshape(self._shapes[0])


class FlipBackward0(_Picks):
    symbol = "flip"
    formula = ("∂flip(a)/∂a = I (flipped)",)

    def forward(self, a, dims):
        self.dims = dims
        return np.flip(a, dims).copy() if a.ndim else a.copy()

    def backward(self, grad):
        return flip(grad, self.dims) if self._shapes[0] else grad


class RollBackward0(_Picks):
    symbol = "roll"
    formula = ("∂roll(a)/∂a = I (rolled)",)

    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(a, shifts, dims)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return roll(grad, back, self.dims)


class TrilBackward0(Function):
    symbol = "tril"
    formula = ("∂tril(a)/∂a = 1 on and below the diagonal",)
    upper = False

    def forward(self, a, diagonal=0):
        self.diagonal = diagonal
        return np.triu(a, diagonal) if self.upper else np.tril(a, diagonal)

    def backward(self, grad):
        return triangle(grad, self.diagonal, self.upper)


class TriuBackward0(TrilBackward0):
    symbol = "triu"
    formula = ("∂triu(a)/∂a = 1 on and above the diagonal",)
    upper = True


class DiagonalBackward0(_Picks):
    """A diagonal of a matrix (``diagonal``, ``diag`` of a matrix). Gradient: back onto that diagonal."""

    symbol = "diag"
    formula = ("∂diag(a)/∂a = 1 on the diagonal",)

    def forward(self, a, offset=0, dim1=0, dim2=1):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return np.diagonal(a, offset, dim1, dim2).copy()

    def backward(self, grad):
        shape = self._shapes[0]
        if len(shape) == 2:
            k = np.shape(grad)[-1]
            rows = np.arange(k) + max(-self.offset, 0)
            cols = np.arange(k) + max(self.offset, 0)
            return scatter(grad, shape, (rows, cols), IndexBackward0)
        out = np.zeros(shape, dtype=value(grad).dtype)
        view = np.diagonal(out, self.offset, self.dim1, self.dim2)
        view.setflags(write=True)
        view[...] = value(grad)
        return out


DiagonalBackward0_copy: Any = type("DiagonalBackward0_copy", (DiagonalBackward0,), {"__module__": __name__})


class DiagEmbedBackward0(_Picks):
    """``diag`` of a vector: a matrix with the vector on a diagonal. Gradient: that diagonal of g."""

    symbol = "diag"
    formula = ("∂diag(v)/∂v = 1 on the diagonal",)

    def forward(self, a, offset=0):
        self.offset = offset
        return np.diag(a, offset)

    def backward(self, grad):
        return diagonal(grad, self.offset)


class TraceBackward0(Function):
    symbol = "tr"
    formula = ("∂tr(A)/∂Aᵢⱼ = [i = j]",)

    def forward(self, a):
        return np.asarray(np.trace(a), dtype=a.dtype)

    def backward(self, grad):
        shape = self._shapes[0]
        return expand(grad, shape) * np.eye(*shape, dtype=value(grad).dtype)


class ConstantPadNdBackward0(_Picks):
    """``pad(a, pad, value=c)``. Gradient: the unpadded part of g."""

    symbol = "pad"
    formula = ("∂pad(a)/∂a = 1 inside",)

    def forward(self, a, widths, value=0.0):
        self.widths = widths
        pad_width = [(0, 0)] * a.ndim
        negative = []
        for i, (lo, hi) in enumerate(widths):
            axis = a.ndim - 1 - i
            pad_width[axis] = (max(lo, 0), max(hi, 0))
            negative.append((axis, min(lo, 0), min(hi, 0)))
        out = np.pad(a, pad_width, constant_values=value)
        crop = [slice(None)] * a.ndim
        for axis, lo, hi in negative:
            crop[axis] = slice(-lo, out.shape[axis] + hi)
        self.crop = tuple(crop)
        self.pad_width = pad_width
        self.cropped = any(lo < 0 or hi < 0 for _, lo, hi in negative)
        return out[self.crop].copy()

    def backward(self, grad):
        if self.cropped:  # negative padding cut part of the input away: it gets no gradient
            full = np.zeros(
                tuple(s + lo + hi for s, (lo, hi) in zip(self._shapes[0], self.pad_width)), dtype=value(grad).dtype
            )
            full[self.crop] = value(grad)
            grad = full
        index = tuple(slice(lo, lo + s) for s, (lo, _) in zip(self._shapes[0], self.pad_width))
        return grad[index]


class BmmBackward0(Function):
    """Batched matrix product of two 3-D tensors. Gradients: g·Bᵀ and Aᵀ·g, batch by batch."""

    symbol = "@"
    formula = ("∂(A·B)/∂A = Bᵀ (gA = g·Bᵀ)", "∂(A·B)/∂B = Aᵀ (gB = Aᵀ·g)")

    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.save_for_backward(a if need_b else None, b if need_a else None)
        return np.matmul(a, b)

    def local_grads(self, *arrays):
        a, b = arrays or tuple(t._data for t in self.inputs)
        return np.swapaxes(b, -1, -2).copy(), np.swapaxes(a, -1, -2).copy()

    def backward(self, grad):
        a, b = self.saved_tensors
        return (None if b is None else grad @ swap_last(b)), (None if a is None else swap_last(a) @ grad)


# ---------------------------------------------------------------------------------- losses


class NllLossBackward0(Function):
    """Negative log-likelihood of class-index targets on log-probabilities: −w[t]·x[t], one node.

    Input (N, C), (C,) or (N, C, d...), target the class indices; ``weight`` per class,
    ``ignore_index`` skipped; ``mean`` divides by the total weight of the counted targets. The
    gradient is the upstream gradient times a constant: −w[t] (over the total weight) at each
    target's class, 0 elsewhere.
    """

    symbol = "NLL"
    formula = ("∂L/∂x[i, tᵢ] = −w[tᵢ] / Σw",)

    def forward(self, input, target, weight=None, reduction="mean", ignore_index=-100):
        self.reduction = reduction
        batched = input.ndim > 1
        x = np.moveaxis(input if batched else input[None], 1, -1)  # classes last
        t = target if batched else target.reshape(1)
        valid = t != ignore_index
        safe = np.where(valid, t, 0)
        w = np.ones(x.shape[-1], dtype=input.dtype) if weight is None else weight.astype(input.dtype)
        wt = np.where(valid, w[safe], np.zeros((), dtype=input.dtype))
        losses = -(np.take_along_axis(x, safe[..., None], axis=-1)[..., 0] * wt)
        self.save_for_backward(target)
        if reduction == "mean":
            total_weight = np.sum(wt, dtype=input.dtype)
            wt = wt / total_weight
        factor = np.zeros(x.shape, dtype=input.dtype)
        np.put_along_axis(factor, safe[..., None], (-wt)[..., None], axis=-1)
        self.factor = np.moveaxis(factor, -1, 1) if batched else factor[0]
        self.batched = batched
        if reduction == "none":
            return losses if batched else losses.reshape(())
        total = np.sum(losses, dtype=input.dtype)
        if reduction == "sum":
            return np.asarray(total, dtype=input.dtype)
        return np.asarray(total / total_weight, dtype=input.dtype)

    def backward(self, grad):
        if self.reduction == "none" and self.batched:
            grad = unsqueeze(grad, 1, self._shapes[0])
        return grad * self.factor


class SmoothL1LossBackward0(Function):
    """Smooth L1 loss: ½(ŷ − y)²/β where |ŷ − y| < β, else |ŷ − y| − ½β; one node."""

    symbol = "SmoothL1"
    formula = ("∂L/∂ŷᵢ = clamp((ŷᵢ − yᵢ)/β, −1, 1) / n", "∂L/∂yᵢ = −clamp((ŷᵢ − yᵢ)/β, −1, 1) / n")

    def forward(self, input, target, reduction="mean", beta=1.0):
        self.reduction, self.beta = reduction, beta
        self.save_for_backward(input, target)
        diff = input - target
        t = diff.dtype.type
        z = np.abs(diff)
        loss = np.where(z < t(beta), t(0.5) * z * z / t(beta), z - t(0.5 * beta))
        if reduction == "none":
            return loss
        total = np.add.reduce(loss, axis=None)
        if reduction == "sum":
            return np.asarray(total, dtype=diff.dtype)
        return np.asarray(total / t(loss.size) if loss.size else np.nan, dtype=diff.dtype)

    def backward(self, grad):
        input, target = self.saved_tensors
        diff = input - target
        d = value(diff)
        size = d.size
        norm = 1 / size if self.reduction == "mean" and size else 1.0
        local = where(d <= -self.beta, -1.0, where(d >= self.beta, 1.0, diff / self.beta))
        g = local * norm * grad
        need_input, need_target = self.needs_input_grad
        return (g if need_input else None), (-g if need_target else None)


# -------------------------------------------------------------------------------- normalisation


class _Normalization(Function):
    """Normalisation with an optional weight and bias: x̂ = (x − mean)/√(var + eps), out = x̂·w + b.

    The statistics are taken over ``axes``; the weight and bias broadcast with ``param_shape``.
    """

    axes: tuple = ()
    param_axes: tuple = ()
    batch_statistics = True
    running_mean: Any = None
    running_var: Any = None

    def _normalize(self, x, params, has_weight, has_bias, mean, var, eps, param_shape):
        params = list(params)
        weight = params.pop(0) if has_weight else None
        bias = params.pop(0) if has_bias else None
        self.eps = eps
        self.has_weight, self.has_bias, self.param_shape = has_weight, has_bias, param_shape
        rstd = (1 / np.sqrt(var + x.dtype.type(eps))).astype(x.dtype)
        xhat = (x - mean.astype(x.dtype)) * rstd
        self.save_for_backward(x, weight)
        out = xhat
        if weight is not None:
            out = out * weight.reshape(param_shape)
        if bias is not None:
            out = out + bias.reshape(param_shape)
        return out

    def backward(self, grad):
        x, weight = self.saved_tensors
        axes, param_axes = self.axes, self.param_axes
        if self.batch_statistics:
            mean = mean_along(x, axes)
            centered = x - mean
            var = mean_along(centered * centered, axes)
        else:
            centered = x - self.running_mean.astype(value(x).dtype)
            var = self.running_var.astype(value(x).dtype)
        rstd = (var + self.eps) ** -0.5
        xhat = centered * rstd
        gw = grad * weight.reshape(self.param_shape) if weight is not None else grad
        if self.batch_statistics:
            gx = (gw - mean_along(gw, axes) - xhat * mean_along(gw * xhat, axes)) * rstd
        else:
            gx = gw * rstd
        results = [gx]
        if self.has_weight:
            results.append(_sum_over(grad * xhat, param_axes).reshape(self._shapes[1]))
        if self.has_bias:
            results.append(_sum_over(grad, param_axes).reshape(self._shapes[-1]))
        return tuple(results)


def _sum_over(x, axes):
    """``x`` summed over ``axes`` (a tuple, possibly empty: then ``x`` itself)."""
    return x.sum(axes) if axes else x


class NativeLayerNormBackward0(_Normalization):
    """Layer normalisation over the last ``normalized_ndim`` dims (``layer_norm``), one node."""

    symbol = "LayerNorm"
    formula = ("∂LN/∂x = (g·w − mean(g·w) − x̂·mean(g·w·x̂)) / σ",)
    batch_statistics = True

    def forward(self, x, *params, normalized_ndim, eps, has_weight, has_bias):
        self.axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        self.param_axes = tuple(range(x.ndim - normalized_ndim))
        mean = np.mean(x, axis=self.axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered * centered, axis=self.axes, keepdims=True)
        shape = x.shape[x.ndim - normalized_ndim :]
        return self._normalize(x, params, has_weight, has_bias, mean, var, eps, shape)


class NativeBatchNormBackward0(_Normalization):
    """Batch normalisation over every dim but the channels (dim 1) (``batch_norm``), one node.

    In training the batch's statistics are used (and differentiated); in evaluation the running
    ones, which are constants.
    """

    symbol = "BatchNorm"
    formula = ("∂BN/∂x = (g·w − mean(g·w) − x̂·mean(g·w·x̂)) / σ",)

    def forward(self, x, *params, eps, has_weight, has_bias, mean=None, var=None):
        self.axes = self.param_axes = (0,) + tuple(range(2, x.ndim))
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        self.batch_statistics = mean is None
        if mean is None:
            mean = np.mean(x, axis=self.axes, keepdims=True)
            centered = x - mean
            var = np.mean(centered * centered, axis=self.axes, keepdims=True)
        else:
            mean, var = mean.reshape(shape), var.reshape(shape)
            self.running_mean, self.running_var = mean, var
        return self._normalize(x, params, has_weight, has_bias, mean, var, eps, tuple(shape))


# ---------------------------------------------------------------------------------- linear algebra


class LinalgInvExBackward0(Function):
    """The inverse of a square matrix (batched). Gradient: −A⁻ᵀ·g·A⁻ᵀ."""

    symbol = "A⁻¹"
    formula = ("∂A⁻¹ = −A⁻¹·∂A·A⁻¹",)

    def forward(self, a):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the "
                "input matrix is singular."
            ) from None
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (inverse,) = self.saved_tensors
        return -(swap_last(inverse) @ grad @ swap_last(inverse))


class LinalgDetBackward0(Function):
    """The determinant of a square matrix (batched). Gradient: g·det(A)·A⁻ᵀ."""

    symbol = "det"
    formula = ("∂det A/∂A = det(A)·A⁻ᵀ",)

    def forward(self, a):
        out = np.asarray(np.linalg.det(a), dtype=a.dtype)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, det = self.saved_tensors
        factor = unsqueeze(grad * det, (-2, -1), self._shapes[0])
        return factor * swap_last(inverse(a))


class LinalgSolveExBackward0(Function):
    """The solution X of A·X = B (batched). Gradients: G_B = A⁻ᵀ·g, G_A = −G_B·Xᵀ."""

    symbol = "solve"
    formula = ("∂X/∂B = A⁻¹", "∂X/∂A = −A⁻¹·∂A·X")

    def forward(self, a, b):
        self.vector = b.ndim == a.ndim - 1
        rhs = b[..., None] if self.vector else b
        try:
            out = np.linalg.solve(a, rhs)
        except np.linalg.LinAlgError:
            raise RuntimeError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
        out = out[..., 0] if self.vector else out
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, x = self.saved_tensors
        if self.vector:
            grad, x = unsqueeze(grad, -1, (*np.shape(value(grad)), 1)), unsqueeze(x, -1, (*np.shape(value(x)), 1))
        gb = solve(swap_last(a), grad)
        ga = -(gb @ swap_last(x))
        return ga, (gb.reshape(self._shapes[1]) if self.vector else gb)


# ------------------------------------------------------------------ more functions of arrays or tensors


def tanh(x):
    return np.tanh(x) if _is_array(x) else x.tanh()


def sinh(x):
    return np.sinh(x) if _is_array(x) else x.sinh()


def cosh(x):
    return np.cosh(x) if _is_array(x) else x.cosh()


def sigmoid(x):
    return sigmoid_array(x) if _is_array(x) else x.sigmoid()


def softplus(x):
    """ln(1 + eˣ), computed stably."""
    return np.logaddexp(x, np.asarray(x).dtype.type(0)) if _is_array(x) else (x.exp() + 1).log()


def erf(x):
    return erf_array(x) if _is_array(x) else x.erf()


def abs_(x):
    return np.abs(x) if _is_array(x) else x.abs()


def minimum(x, ceiling):
    """``min(x, ceiling)`` for a number ``ceiling``."""
    if _is_array(x):
        return np.minimum(x, np.asarray(x).dtype.type(ceiling))
    return x.clamp(max=ceiling)


def sum_along(x, dim):
    """The sum over ``dim`` (an int or a tuple), keeping the summed dims."""
    return np.sum(x, axis=dim, keepdims=True) if _is_array(x) else x.sum(dim, keepdim=True)


def mean_along(x, dim):
    """The mean over ``dim`` (None for all, an int or a tuple), keeping the averaged dims."""
    if _is_array(x):
        return np.mean(x, axis=dim, keepdims=True)
    if dim is None:
        return x.mean().reshape((1,) * x.ndim)
    return x.mean(dim, keepdim=True)


def reverse_cumsum(x, dim):
    """The running sum along ``dim`` from the end (the backward of ``cumsum``)."""
    if _is_array(x):
        return np.flip(np.cumsum(np.flip(x, dim), axis=dim), dim)
    return x.flip(dim).cumsum(dim).flip(dim)


def flip(x, dims):
    return np.flip(x, dims) if _is_array(x) else x.flip(dims)


def roll(x, shifts, dims):
    return np.roll(x, shifts, dims) if _is_array(x) else x.roll(shifts, dims)


def triangle(x, diagonal, upper):
    """The upper (``triu``) or lower (``tril``) triangle of the last two dims."""
    if _is_array(x):
        return np.triu(x, diagonal) if upper else np.tril(x, diagonal)
    return x.triu(diagonal) if upper else x.tril(diagonal)


def diagonal(x, offset):
    return np.diagonal(x, offset).copy() if _is_array(x) else x.diagonal(offset)


def concatenate(parts, dim):
    if all(_is_array(p) for p in parts):
        return np.concatenate(parts, axis=dim)
    from .functional import cat

    return cat(list(parts), dim)


def inverse(x):
    if _is_array(x):
        return np.linalg.inv(x)
    from .linalg import inv

    return inv(x)


def solve(a, b):
    if _is_array(a) and _is_array(b):
        return np.linalg.solve(a, b)
    from .linalg import solve as solve_tensors

    return solve_tensors(a, b)
