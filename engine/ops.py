"""The differentiable primitives: one class per op, named as PyTorch names its grad_fn.

Each ``forward`` takes and returns NumPy arrays; each ``backward`` maps the gradient of the output to
one gradient per tensor input (broadcast gradients are reduced by the engine). ``local_grads``, where
defined, gives the local derivative of the output with respect to each input as the graph view shows
it on the edges: for elementwise ops the exact elementwise derivative ∂out/∂input (broadcast to the
output's shape); for reductions, matrix products and reshapes the factor that multiplies the upstream
gradient, described in each class's docstring.
"""

import numpy as np

from .function import Function

_sum = np.sum
_add_reduce = np.add.reduce


def _ones_like_out(node, a):
    return np.ones(np.broadcast_shapes(a.shape, node.output.shape), dtype=node.output.dtype)


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

    def local_grads(self, a, b):
        return _ones_like_out(self, a), self.alpha * _ones_like_out(self, b)


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
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)

    def local_grads(self, a, b):
        return _ones_like_out(self, a), -self.alpha * _ones_like_out(self, b)


class RsubBackward1(Function):
    """``scalar − tensor``; the scalar is the attribute ``other``."""

    symbol = "−"
    formula = ("∂(c−a)/∂a = −1",)

    def forward(self, a, other):
        self.other = other
        return other - a

    def backward(self, grad):
        return -grad

    def local_grads(self, a):
        return (-np.ones_like(self.output),)


class MulBackward0(Function):
    symbol = "×"
    formula = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)

    def local_grads(self, a, b):
        shape = self.output.shape
        return np.broadcast_to(b, shape).copy(), np.broadcast_to(a, shape).copy()


class DivBackward0(Function):
    symbol = "÷"
    formula = ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad / b if need_a else None), (-grad * a / (b * b) if need_b else None)

    def local_grads(self, a, b):
        shape = self.output.shape
        return np.broadcast_to(1 / b, shape).copy(), np.broadcast_to(-a / (b * b), shape).copy()


class NegBackward0(Function):
    symbol = "−"
    formula = ("∂(−a)/∂a = −1",)

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad

    def local_grads(self, a):
        return (-np.ones_like(a),)


class ReciprocalBackward0(Function):
    symbol = "1/x"
    formula = ("∂(1/a)/∂a = −1/a²",)

    def forward(self, a):
        out = 1 / a
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return -grad * out * out

    def local_grads(self, a):
        return (-1 / (a * a),)


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
            return np.zeros_like(grad)
        if n == 2:
            return grad * (2 * a)
        return grad * (n * a ** (n - 1))

    def local_grads(self, a):
        n = self.exponent
        return (n * a ** (n - 1) if n != 0 else np.zeros_like(a),)

    @property
    def label(self):
        return f"^{_number(self.exponent)}"


class PowBackward1(Function):
    """``tensor ** tensor``."""

    symbol = "^"
    formula = ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a")

    def forward(self, a, b):
        out = a**b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        ga = grad * b * a ** (b - 1) if need_a else None
        gb = None
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = grad * np.where(a == 0, 0, out * np.log(a))
        return ga, gb

    def local_grads(self, a, b):
        shape = self.output.shape
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = np.where(a == 0, 0, self.output * np.log(a))
        return np.broadcast_to(b * a ** (b - 1), shape).copy(), np.broadcast_to(gb, shape).copy()


class PowBackward2(Function):
    """``scalar ** tensor``; the base is the attribute ``base``."""

    symbol = "^"
    formula = ("∂(cᵃ)/∂a = cᵃ·ln c",)

    def forward(self, a, base):
        self.base = base
        out = np.power(np.asarray(base, dtype=a.dtype), a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * np.log(self.base)

    def local_grads(self, a):
        return (self.output * np.log(self.base),)


class MaximumBackward0(Function):
    symbol = "max"
    formula = ("∂max(a,b)/∂a = [a>b] (½ at ties)", "∂max(a,b)/∂b = [b>a] (½ at ties)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _masked(grad, *_select_grads(a > b, a == b))

    def local_grads(self, a, b):
        shape = self.output.shape
        ga, gb = _select_grads(a > b, a == b)
        return np.broadcast_to(ga, shape).astype(self.output.dtype), np.broadcast_to(gb, shape).astype(
            self.output.dtype
        )


class MinimumBackward0(MaximumBackward0):
    symbol = "min"
    formula = ("∂min(a,b)/∂a = [a<b] (½ at ties)", "∂min(a,b)/∂b = [b<a] (½ at ties)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _masked(grad, *_select_grads(a < b, a == b))

    def local_grads(self, a, b):
        shape = self.output.shape
        ga, gb = _select_grads(a < b, a == b)
        return np.broadcast_to(ga, shape).astype(self.output.dtype), np.broadcast_to(gb, shape).astype(
            self.output.dtype
        )


def _masked(grad, *factors):
    """``grad * factor`` for 0/½/1 factors, with 0 (not nan) where the factor is 0 and grad is infinite."""
    zero = np.zeros((), dtype=grad.dtype)
    return tuple(np.where(f != 0, grad * f.astype(grad.dtype), zero) for f in factors)


def _select_grads(first_wins, tie):
    ga = np.where(tie, 0.5, first_wins.astype(np.float64))
    return ga, np.where(tie, 0.5, 1.0 - ga)


# ------------------------------------------------------------------------------------------- unary


class _Unary(Function):
    """Elementwise ``f(a)``; subclasses give ``f`` and ``derivative(a, out)``."""

    def backward(self, grad):
        return grad * self.derivative(*self.saved_tensors)

    def local_grads(self, a):
        return (self.derivative(a, self.output),)


class ExpBackward0(_Unary):
    symbol = "exp"
    formula = ("∂eᵃ/∂a = eᵃ",)

    def forward(self, a):
        out = np.exp(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return out


class LogBackward0(_Unary):
    symbol = "log"
    formula = ("∂ln a/∂a = 1/a",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore"):
            return 1 / a


class SqrtBackward0(_Unary):
    symbol = "√"
    formula = ("∂√a/∂a = 1/(2√a)",)

    def forward(self, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore"):
            return 1 / (2 * out)


class TanhBackward0(_Unary):
    symbol = "tanh"
    formula = ("∂tanh a/∂a = 1 − tanh²a",)

    def forward(self, a):
        out = np.tanh(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return 1 - out * out


class SigmoidBackward0(_Unary):
    symbol = "σ"
    formula = ("∂σ(a)/∂a = σ(a)(1 − σ(a))",)

    def forward(self, a):
        out = sigmoid_array(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return out * (1 - out)


class ReluBackward0(_Unary):
    symbol = "ReLU"
    formula = ("∂relu(a)/∂a = [a > 0]",)

    def forward(self, a):
        out = np.maximum(a, 0)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # Select, not multiply: an infinite upstream gradient gives 0 where relu is flat, as in PyTorch.
        return np.where(self.saved_tensors[1] > 0, grad, np.zeros((), dtype=grad.dtype))

    @staticmethod
    def derivative(a, out):
        return (out > 0).astype(out.dtype)


class AbsBackward0(_Unary):
    symbol = "|a|"
    formula = ("∂|a|/∂a = sign(a)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.abs(a)

    @staticmethod
    def derivative(a, out):
        return np.sign(a)


class SinBackward0(_Unary):
    symbol = "sin"
    formula = ("∂sin a/∂a = cos a",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.sin(a)

    @staticmethod
    def derivative(a, out):
        return np.cos(a)


class CosBackward0(_Unary):
    symbol = "cos"
    formula = ("∂cos a/∂a = −sin a",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.cos(a)

    @staticmethod
    def derivative(a, out):
        return -np.sin(a)


class ClampBackward1(_Unary):
    """``clamp(a, min, max)`` with number bounds (attributes ``min`` and ``max``)."""

    symbol = "clamp"
    formula = ("∂clamp(a)/∂a = [min ≤ a ≤ max]",)

    def forward(self, a, min=None, max=None):
        self.min, self.max = min, max
        self.save_for_backward(a, None)
        return np.clip(a, min, max)

    def derivative(self, a, out):
        inside = np.ones(a.shape, dtype=bool)
        if self.min is not None:
            inside &= a >= self.min
        if self.max is not None:
            inside &= a <= self.max
        return inside.astype(a.dtype)

    def backward(self, grad):
        return np.where(self.derivative(*self.saved_tensors) != 0, grad, np.zeros((), dtype=grad.dtype))

    def local_grads(self, a):
        return (self.derivative(a, None),)


def sigmoid_array(a):
    """A numerically stable logistic function on an array."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-a))


# --------------------------------------------------------------------------------------- reductions


class SumBackward0(Function):
    """Sum of all elements. Local gradient: 1 for every element."""

    symbol = "Σ"
    formula = ("∂(Σa)/∂aᵢ = 1",)

    def forward(self, a):
        return _sum(a)

    def backward(self, grad):
        return np.full(self._shapes[0], grad, dtype=grad.dtype)

    def local_grads(self, a):
        return (np.ones_like(a),)


class SumBackward1(Function):
    """Sum over ``dim``. Local gradient: 1 for every element."""

    symbol = "Σ"
    formula = ("∂(Σa)/∂aᵢ = 1",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        return _sum(a, axis=dim, keepdims=keepdim)

    def backward(self, grad):
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        return np.broadcast_to(grad, self._shapes[0])

    def local_grads(self, a):
        return (np.ones_like(a),)


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
        return np.full(shape, grad / _size(shape), dtype=grad.dtype)

    def local_grads(self, a):
        return (np.full_like(a, 1 / max(a.size, 1)),)


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
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        return np.broadcast_to(grad / self.count, self._shapes[0])

    def local_grads(self, a):
        return (np.full_like(a, 1 / max(self.count, 1)),)


class MaxBackward1(Function):
    """Maximum of all elements. Local gradient: 1 at the maximum (shared evenly between ties), else 0."""

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
        return grad * self._mask(a, out)

    @staticmethod
    def _mask(a, out):
        hits = a == out
        return hits / _sum(hits)

    def local_grads(self, a):
        return (self._mask(a, self.output).astype(a.dtype),)


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

    def _mask(self, shape, dtype):
        mask = np.zeros(shape, dtype=dtype)
        if not shape:
            return mask + 1
        np.put_along_axis(mask, self.indices, 1, axis=self.dim)
        return mask

    def backward(self, grad):
        if not self._shapes[0]:
            return grad
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        return _masked(np.broadcast_to(grad, self._shapes[0]), self._mask(self._shapes[0], grad.dtype))[0]

    def local_grads(self, a):
        return (self._mask(a.shape, a.dtype),)


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
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)

    def local_grads(self, a, b):
        return b.T.copy(), a.T.copy()


class MvBackward0(Function):
    """Matrix–vector product ``A @ v``. Local gradients shown: v (for A, as an outer product with the
    upstream gradient) and Aᵀ (for v)."""

    symbol = "@"
    formula = ("∂(A·v)/∂A = v (gA = g ⊗ v)", "∂(A·v)/∂v = Aᵀ (gv = Aᵀ·g)")

    def forward(self, a, v):
        self.save_for_backward(a, v)
        return a @ v

    def backward(self, grad):
        a, v = self.saved_tensors
        need_a, need_v = self.needs_input_grad
        return (np.outer(grad, v) if need_a else None), (a.T @ grad if need_v else None)

    def local_grads(self, a, v):
        return v.copy(), a.T.copy()


class DotBackward0(Function):
    """Dot product of two vectors. Local gradients: the other vector."""

    symbol = "·"
    formula = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.dot(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad * b, grad * a

    def local_grads(self, a, b):
        return b.copy(), a.copy()


class AddmmBackward0(Function):
    """``bias + A @ B`` (``nn.Linear`` on a batch). Local gradients shown: 1 for the bias, Bᵀ for A, Aᵀ for B."""

    symbol = "+@"
    formula = ("∂(c + A·B)/∂c = 1", "∂(c + A·B)/∂A = Bᵀ", "∂(c + A·B)/∂B = Aᵀ")

    def forward(self, bias, a, b):
        self.save_for_backward(a, b)
        return bias + a @ b

    def backward(self, grad):
        a, b = self.saved_tensors
        _, need_a, need_b = self.needs_input_grad
        return grad, (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)

    def local_grads(self, bias, a, b):
        return np.ones_like(self.output), b.T.copy(), a.T.copy()


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

    def local_grads(self, a):
        return (np.ones_like(a),)


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
        return np.transpose(grad, np.argsort(axes))

    def local_grads(self, a):
        return (np.ones_like(a),)


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

    def local_grads(self, a):
        return (np.ones_like(a),)


class CloneBackward0(Function):
    symbol = "clone"
    formula = ("∂clone(a)/∂a = 1",)

    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad

    def local_grads(self, a):
        return (np.ones_like(a),)


class ToCopyBackward0(Function):
    """A change of dtype; gradients flow back in the input's dtype."""

    symbol = "to"
    formula = ("∂a/∂a = 1",)

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad

    def local_grads(self, a):
        return (np.ones_like(a),)


class _Index(Function):
    """Indexing ``a[index]``. Local gradient: 1 at the selected elements, 0 elsewhere."""

    symbol = "[]"
    formula = ("∂a[i]/∂aⱼ = [j = i]",)

    def forward(self, a, index):
        self.index = index
        return a[index]

    def backward(self, grad):
        out = np.zeros(self._shapes[0], dtype=grad.dtype)
        np.add.at(out, self.index, grad)
        return out

    def local_grads(self, a):
        return (self.backward(np.ones_like(self.output)),)


class SelectBackward0(_Index):
    pass


class SliceBackward0(_Index):
    pass


class IndexBackward0(_Index):
    """Advanced indexing; like PyTorch it saves its index arrays, freed after backward."""

    def forward(self, a, index):
        self.save_for_backward(index)
        return super().forward(a, index)


class CatBackward0(Function):
    """Concatenation. Local gradient: 1 for every element (each input gets its slice back)."""

    symbol = "cat"
    formula = ("∂cat(a, b)/∂a = 1 on a's slice",)

    def forward(self, *arrays, dim=0):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, grad):
        return tuple(np.split(grad, self.splits, axis=self.dim))

    def local_grads(self, *arrays):
        return tuple(np.ones_like(x) for x in arrays)


class StackBackward0(Function):
    """Stacking along a new axis. Local gradient: 1 for every element."""

    symbol = "stack"
    formula = ("∂stack(a, b)/∂a = 1 on a's slice",)

    def forward(self, *arrays, dim=0):
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.dim, 0))

    def local_grads(self, *arrays):
        return tuple(np.ones_like(x) for x in arrays)


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
        zero = np.zeros((), dtype=grad.dtype)
        return np.where(self.condition, grad, zero), np.where(self.condition, zero, grad)

    def local_grads(self, a, b):
        c = np.broadcast_to(self.condition, self.output.shape)
        return c.astype(self.output.dtype), (~c).astype(self.output.dtype)


def _number(v):
    """A number as a short label: integers without a decimal point."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"
