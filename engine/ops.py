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


class SplitBackward0(_Index):
    """One piece of ``split``/``chunk`` (PyTorch's multi-output split, one node per piece here)."""


class SplitWithSizesBackward0(_Index):
    """One piece of ``split`` with a list of sizes."""


class UnbindBackward0(_Index):
    """One slice of ``unbind``."""


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


# ==================================================================================================
# Ops of the wider PyTorch API (softmax, losses over classes, activations, norms, cumulative and
# selecting reductions, ...). Each is one class named as PyTorch names its grad_fn.
# ==================================================================================================


def _expand_reduced(grad, dim, keepdim):
    """A gradient of a reduction over ``dim`` (an int or a tuple), brought back to broadcast against its input."""
    if keepdim or dim is None:
        return grad
    return np.expand_dims(grad, dim)


def _zero_where(mask, values):
    """``values`` with 0 where ``mask`` (a select, so inf·0 gives 0 rather than nan)."""
    return np.where(mask, np.zeros((), dtype=values.dtype), values)


# ------------------------------------------------------------------------------ more elementwise


class Log1PBackward0(_Unary):
    symbol = "log1p"
    formula = ("∂ln(1+a)/∂a = 1/(1+a)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore"):
            return 1 / (a + 1)


class Expm1Backward0(_Unary):
    symbol = "expm1"
    formula = ("∂(eᵃ−1)/∂a = eᵃ",)

    def forward(self, a):
        out = np.expm1(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return out + 1


class Exp2Backward0(_Unary):
    symbol = "2ᵃ"
    formula = ("∂2ᵃ/∂a = 2ᵃ·ln 2",)

    def forward(self, a):
        out = np.exp2(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return out * out.dtype.type(np.log(2.0))


class Log2Backward0(_Unary):
    symbol = "log₂"
    formula = ("∂log₂a/∂a = 1/(a·ln 2)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore"):
            return 1 / (a * a.dtype.type(np.log(2.0)))


class Log10Backward0(_Unary):
    symbol = "log₁₀"
    formula = ("∂log₁₀a/∂a = 1/(a·ln 10)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore"):
            return 1 / (a * a.dtype.type(np.log(10.0)))


class RsqrtBackward0(_Unary):
    symbol = "1/√"
    formula = ("∂a^(−½)/∂a = −½·a^(−3/2)",)

    def forward(self, a):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 1 / np.sqrt(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return out.dtype.type(-0.5) * out * out * out


class TanBackward0(_Unary):
    symbol = "tan"
    formula = ("∂tan a/∂a = 1 + tan²a",)

    def forward(self, a):
        out = np.tan(a)
        self.save_for_backward(a, out)
        return out

    @staticmethod
    def derivative(a, out):
        return 1 + out * out


class AtanBackward0(_Unary):
    symbol = "atan"
    formula = ("∂atan a/∂a = 1/(1 + a²)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.arctan(a)

    @staticmethod
    def derivative(a, out):
        return 1 / (a * a + 1)


class AsinBackward0(_Unary):
    symbol = "asin"
    formula = ("∂asin a/∂a = 1/√(1 − a²)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(invalid="ignore"):
            return np.arcsin(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(1 - a * a)


class AcosBackward0(_Unary):
    symbol = "acos"
    formula = ("∂acos a/∂a = −1/√(1 − a²)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        with np.errstate(invalid="ignore"):
            return np.arccos(a)

    @staticmethod
    def derivative(a, out):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -1 / np.sqrt(1 - a * a)


class SinhBackward0(_Unary):
    symbol = "sinh"
    formula = ("∂sinh a/∂a = cosh a",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.sinh(a)

    @staticmethod
    def derivative(a, out):
        return np.cosh(a)


class CoshBackward0(_Unary):
    symbol = "cosh"
    formula = ("∂cosh a/∂a = sinh a",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.cosh(a)

    @staticmethod
    def derivative(a, out):
        return np.sinh(a)


class ErfBackward0(_Unary):
    symbol = "erf"
    formula = ("∂erf a/∂a = 2/√π·e^(−a²)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return erf_array(a)

    @staticmethod
    def derivative(a, out):
        return a.dtype.type(2 / np.sqrt(np.pi)) * np.exp(-(a * a))


class SignBackward0(_Unary):
    """sign(a); its derivative is 0 everywhere (PyTorch's convention at 0 too)."""

    symbol = "sign"
    formula = ("∂sign(a)/∂a = 0",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.sign(a)

    @staticmethod
    def derivative(a, out):
        return np.zeros_like(a)


class _Rounding(_Unary):
    """A step function: its derivative is 0 everywhere."""

    formula = ("∂/∂a = 0",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return self._round(a)

    @staticmethod
    def derivative(a, out):
        return np.zeros_like(a)


class FloorBackward0(_Rounding):
    symbol = "floor"
    _round = staticmethod(np.floor)


class CeilBackward0(_Rounding):
    symbol = "ceil"
    _round = staticmethod(np.ceil)


class TruncBackward0(_Rounding):
    symbol = "trunc"
    _round = staticmethod(np.trunc)


class RoundBackward0(_Rounding):
    symbol = "round"
    _round = staticmethod(np.round)  # half to even, as PyTorch


class RoundBackward1(_Rounding):
    """``round(a, decimals=d)``."""

    symbol = "round"

    def forward(self, a, decimals):
        self.decimals = decimals
        self.save_for_backward(a, None)
        return np.round(a, decimals)


class FracBackward0(_Unary):
    symbol = "frac"
    formula = ("∂(a − trunc a)/∂a = 1",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return a - np.trunc(a)

    @staticmethod
    def derivative(a, out):
        return np.ones_like(a)


class LeakyReluBackward0(_Unary):
    """``leaky_relu(a)``: a where a > 0, else negative_slope·a."""

    symbol = "LeakyReLU"
    formula = ("∂/∂a = 1 where a > 0, else the negative slope",)

    def forward(self, a, negative_slope=0.01):
        self.negative_slope = negative_slope
        self.save_for_backward(a, None)
        return np.where(a > 0, a, a * a.dtype.type(negative_slope))

    def derivative(self, a, out):
        return np.where(a > 0, a.dtype.type(1), a.dtype.type(self.negative_slope))

    def backward(self, grad):
        (a, _) = self.saved_tensors
        return np.where(a > 0, grad, grad * grad.dtype.type(self.negative_slope))


class HardtanhBackward0(_Unary):
    """``hardtanh(a)``: a clamped to [min_val, max_val] (relu6 is hardtanh(0, 6))."""

    symbol = "hardtanh"
    formula = ("∂/∂a = [min < a < max]",)

    def forward(self, a, min_val=-1.0, max_val=1.0):
        self.min_val, self.max_val = min_val, max_val
        self.save_for_backward(a, None)
        return np.clip(a, a.dtype.type(min_val), a.dtype.type(max_val))

    def derivative(self, a, out):
        return ((a > self.min_val) & (a < self.max_val)).astype(a.dtype)

    def backward(self, grad):
        (a, _) = self.saved_tensors
        return _zero_where((a <= self.min_val) | (a >= self.max_val), grad)


class SoftplusBackward0(_Unary):
    """``softplus(a) = ln(1 + e^(βa))/β``, linear where βa > threshold."""

    symbol = "softplus"
    formula = ("∂softplus(a)/∂a = σ(βa)",)

    def forward(self, a, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(a, None)
        t = a.dtype.type
        z = a * t(beta)
        with np.errstate(over="ignore"):
            return np.where(z > t(threshold), a, np.log1p(np.exp(z)) / t(beta))

    def derivative(self, a, out):
        t = a.dtype.type
        z = a * t(self.beta)
        with np.errstate(over="ignore"):
            e = np.exp(z)
            return np.where(z > t(self.threshold), t(1), e / (e + t(1)))


class EluBackward0(_Unary):
    """``elu(a)``: a where a > 0, else α(eᵃ − 1); times ``scale`` (SELU is ELU with PyTorch's α and scale)."""

    symbol = "ELU"
    formula = ("∂elu(a)/∂a = 1 where a > 0, else α·eᵃ",)

    def forward(self, a, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale
        t = a.dtype.type
        out = np.where(a > 0, a, t(alpha) * np.expm1(np.minimum(a, t(0))))
        if scale != 1.0:
            out = out * t(scale)
        self.save_for_backward(a, out)
        return out

    def derivative(self, a, out):
        t = a.dtype.type
        return np.where(a > 0, t(self.scale), out + t(self.alpha * self.scale))


class CeluBackward0(_Unary):
    """``celu(a)``: a where a > 0, else α(e^(a/α) − 1)."""

    symbol = "CELU"
    formula = ("∂celu(a)/∂a = 1 where a > 0, else e^(a/α)",)

    def forward(self, a, alpha=1.0):
        self.alpha = alpha
        t = a.dtype.type
        self.save_for_backward(a, None)
        return np.where(a > 0, a, t(alpha) * np.expm1(np.minimum(a, t(0)) / t(alpha)))

    def derivative(self, a, out):
        t = a.dtype.type
        return np.where(a > 0, t(1), np.exp(np.minimum(a, t(0)) / t(self.alpha)))


class MishBackward0(_Unary):
    """``mish(a) = a·tanh(softplus(a))``."""

    symbol = "Mish"
    formula = ("∂mish/∂a = tanh(sp(a)) + a·σ(a)(1 − tanh²(sp(a)))",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return a * np.tanh(np.logaddexp(a, a.dtype.type(0)))

    @staticmethod
    def derivative(a, out):
        th = np.tanh(np.logaddexp(a, a.dtype.type(0)))
        return th + a * sigmoid_array(a) * (1 - th * th)


class ThresholdBackward0(_Unary):
    """``threshold(a, t, v)``: a where a > t, else v."""

    symbol = "threshold"
    formula = ("∂/∂a = [a > t]",)

    def forward(self, a, threshold, value):
        self.threshold = threshold
        self.save_for_backward(a, None)
        return np.where(a > threshold, a, a.dtype.type(value))

    def derivative(self, a, out):
        return (a > self.threshold).astype(a.dtype)

    def backward(self, grad):
        (a, _) = self.saved_tensors
        return _zero_where(a <= self.threshold, grad)


class HardsigmoidBackward0(_Unary):
    """``hardsigmoid(a) = clamp(a + 3, 0, 6)/6``; the gradient is PyTorch's float32 constant 1/6 inside."""

    symbol = "hardσ"
    formula = ("∂/∂a = 1/6 where −3 < a < 3",)
    SIXTH = np.float32(1.0 / 6.0)

    def forward(self, a):
        self.save_for_backward(a, None)
        t = a.dtype.type
        return np.clip(a + t(3), t(0), t(6)) / t(6)

    def derivative(self, a, out):
        t = a.dtype.type
        return np.where((a > -3) & (a < 3), t(self.SIXTH), t(0))


class HardswishBackward0(_Unary):
    """``hardswish(a) = a·clamp(a + 3, 0, 6)/6``."""

    symbol = "hardswish"
    formula = ("∂/∂a = a/3 + ½ where −3 < a < 3",)

    def forward(self, a):
        self.save_for_backward(a, None)
        t = a.dtype.type
        return a * np.clip(a + t(3), t(0), t(6)) / t(6)

    @staticmethod
    def derivative(a, out):
        t = a.dtype.type
        return np.where(a <= -3, t(0), np.where(a < 3, a / t(3) + t(0.5), t(1)))


class SoftshrinkBackward0(_Unary):
    """``softshrink(a, λ)``: a − λ above λ, a + λ below −λ, 0 between."""

    symbol = "softshrink"
    formula = ("∂/∂a = [|a| > λ]",)

    def forward(self, a, lambd=0.5):
        self.lambd = lambd
        self.save_for_backward(a, None)
        t = a.dtype.type
        return np.where(a > lambd, a - t(lambd), np.where(a < -lambd, a + t(lambd), t(0)))

    def derivative(self, a, out):
        return (np.abs(a) > self.lambd).astype(a.dtype)


class HardshrinkBackward0(SoftshrinkBackward0):
    """``hardshrink(a, λ)``: a where |a| > λ, else 0."""

    symbol = "hardshrink"

    def forward(self, a, lambd=0.5):
        self.lambd = lambd
        self.save_for_backward(a, None)
        return np.where(np.abs(a) > lambd, a, a.dtype.type(0))


class GluBackward0(Function):
    """``glu(a, dim)`` = first half ⊙ σ(second half) along ``dim``."""

    symbol = "GLU"
    formula = ("∂/∂a₁ = σ(a₂)", "∂/∂a₂ = a₁σ(a₂)(1 − σ(a₂))")

    def forward(self, a, dim=-1):
        self.dim = dim
        first, second = np.split(a, 2, axis=dim)
        gate = sigmoid_array(second)
        self.save_for_backward(first, gate)
        return first * gate

    def backward(self, grad):
        first, gate = self.saved_tensors
        return np.concatenate([grad * gate, grad * first * gate * (1 - gate)], axis=self.dim)


class PreluKernelBackward0(Function):
    """``prelu(a, w)``: a where a > 0, else w·a, with one slope per channel (dim 1) or one for all."""

    symbol = "PReLU"
    formula = ("∂/∂a = 1 where a > 0, else w", "∂/∂w = a where a ≤ 0")

    def forward(self, a, weight):
        shape = [1] * a.ndim
        if weight.size > 1:
            shape[1 if a.ndim > 1 else 0] = weight.size
        self.weight_view = tuple(shape) if a.ndim else ()
        w = weight.reshape(self.weight_view) if a.ndim else weight.reshape(())
        self.save_for_backward(a, w)
        return np.where(a > 0, a, w * a)

    def backward(self, grad):
        a, w = self.saved_tensors
        ga = np.where(a > 0, grad, grad * w)
        gw = np.where(a > 0, np.zeros((), dtype=grad.dtype), grad * a)
        if w.size == 1:
            gw = np.sum(gw).reshape(self._shapes[1])
        else:
            axes = tuple(i for i in range(a.ndim) if self.weight_view[i] == 1)
            gw = np.sum(gw, axis=axes).reshape(self._shapes[1])
        return ga, gw


class SiluBackward0(_Unary):
    """``silu(a) = a·σ(a)`` (swish)."""

    symbol = "SiLU"
    formula = ("∂(a·σ(a))/∂a = σ(a)(1 + a(1 − σ(a)))",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return a * sigmoid_array(a)

    @staticmethod
    def derivative(a, out):
        s = sigmoid_array(a)
        return s * (1 + a * (1 - s))


class GeluBackward0(_Unary):
    """``gelu(a) = a·Φ(a)`` (or its tanh approximation with ``approximate="tanh"``)."""

    symbol = "GELU"
    formula = ("∂(a·Φ(a))/∂a = Φ(a) + a·φ(a)",)

    def forward(self, a, approximate="none"):
        self.approximate = approximate
        self.save_for_backward(a, None)
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(np.sqrt(2 / np.pi)) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (t(1) + np.tanh(inner))
        return a * t(0.5) * (t(1) + erf_array(a * t(1 / np.sqrt(2))))

    def derivative(self, a, out):
        t = a.dtype.type
        if self.approximate == "tanh":
            k = t(np.sqrt(2 / np.pi))
            inner = k * (a + t(0.044715) * a * a * a)
            th = np.tanh(inner)
            return t(0.5) * (t(1) + th) + t(0.5) * a * (t(1) - th * th) * k * (t(1) + t(3 * 0.044715) * a * a)
        cdf = t(0.5) * (t(1) + erf_array(a * t(1 / np.sqrt(2))))
        pdf = np.exp(t(-0.5) * a * a) * t(1 / np.sqrt(2 * np.pi))
        return cdf + a * pdf


class LogSigmoidBackward0(_Unary):
    """``ln σ(a)``, computed without overflow."""

    symbol = "lnσ"
    formula = ("∂ln σ(a)/∂a = 1 − σ(a)",)

    def forward(self, a):
        self.save_for_backward(a, None)
        return np.minimum(a, a.dtype.type(0)) - np.log1p(np.exp(-np.abs(a)))

    @staticmethod
    def derivative(a, out):
        return 1 - sigmoid_array(a)


def erf_array(a):
    """The error function elementwise: ``math.erf`` in float64, rounded to the input's dtype."""
    import math

    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    return (
        np.fromiter((math.erf(v) for v in flat), dtype=np.float64, count=flat.size)
        .reshape(np.shape(a))
        .astype(np.asarray(a).dtype)
    )


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
        return out * (grad - np.sum(grad * out, axis=self.dim, keepdims=True))


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
            with np.errstate(divide="ignore"):
                out = a - (m + np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad - np.exp(out) * np.sum(grad, axis=self.dim, keepdims=True)


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
            with np.errstate(divide="ignore"):
                out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
        self.save_for_backward(a, out)
        return out if keepdim else np.squeeze(out, axis=dim)

    def backward(self, grad):
        a, out = self.saved_tensors
        return _expand_reduced(grad, self.dim, self.keepdim) * np.exp(a - out)


# --------------------------------------------------------------------------------- more reductions


class ProdBackward0(Function):
    """Product of all elements. Gradient: the product of all the other elements (exact with zeros)."""

    symbol = "Π"
    formula = ("∂(Πa)/∂aᵢ = Π_{j≠i} aⱼ",)

    def forward(self, a):
        self.save_for_backward(a)
        self.output_value = np.prod(a)
        return self.output_value

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * _prod_derivative(a, None, self.output_value)


class ProdBackward1(Function):
    """Product along ``dim``. Gradient: the product of the other elements along ``dim``."""

    symbol = "Π"
    formula = ("∂(Πa)/∂aᵢ = Π_{j≠i} aⱼ",)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        self.save_for_backward(a)
        self.output_value = np.prod(a, axis=dim, keepdims=True)
        return self.output_value if keepdim else np.squeeze(self.output_value, axis=dim)

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a.ndim == 0:
            return grad * np.ones_like(a)
        return _expand_reduced(grad, self.dim, self.keepdim) * _prod_derivative(a, self.dim, self.output_value)


def _prod_derivative(a, axis, product):
    """The product of the other elements: product / aᵢ where no element is 0 (as PyTorch computes it),
    else the exclusive products, exact with zeros."""
    if not np.any(a == 0):
        return product / a
    if axis is None:
        return _prod_of_others(a.reshape(-1), 0).reshape(a.shape)
    return _prod_of_others(a, axis)


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
        if grad.ndim == 0:
            return grad
        d = self.dim
        return np.flip(np.cumsum(np.flip(grad, d), axis=d), d)


class CumprodBackward0(Function):
    """Running product along ``dim``. Gradient of outₖ by aᵢ (i ≤ k): the product of a₀..aₖ without aᵢ."""

    symbol = "cumprod"
    formula = ("∂(Π_{j≤k} aⱼ)/∂aᵢ = Π_{j≤k, j≠i} aⱼ",)

    def forward(self, a, dim):
        self.dim = dim
        self.save_for_backward(a)
        return np.cumprod(a, axis=dim, dtype=a.dtype) if a.ndim else a.copy()

    def backward(self, grad):
        (a,) = self.saved_tensors
        if a.ndim == 0:
            return grad
        moved = np.moveaxis(a, self.dim, -1)
        g = np.moveaxis(grad, self.dim, -1)
        n = moved.shape[-1]
        out = np.zeros_like(g)
        for i in range(n):
            # ∂outₖ/∂aᵢ for k ≥ i: (a₀···aᵢ₋₁)·(aᵢ₊₁···aₖ)
            before = np.prod(moved[..., :i], axis=-1, keepdims=True)
            after = np.cumprod(moved[..., i + 1 :], axis=-1)
            factors = np.concatenate([np.ones_like(before), after], axis=-1) * before
            out[..., i] = np.sum(g[..., i:] * factors, axis=-1)
        return np.moveaxis(out, -1, self.dim)


class _Moments(Function):
    """Variance and standard deviation along ``dim`` with PyTorch's ``correction`` (Bessel's by default)."""

    def _centered(self, a, dim):
        n = a.size if dim is None else int(np.prod([a.shape[d] for d in dim]))
        centered = a - np.mean(a, axis=dim, keepdims=True)
        return centered, n

    def _var(self, a, dim, correction, keepdim):
        # PyTorch accumulates float32 moments in double and rounds once at the end.
        self.dim, self.correction, self.keepdim = dim, correction, keepdim
        wide = a.astype(np.float64) if a.dtype.kind == "f" and a.itemsize < 8 else a
        centered, n = self._centered(wide, dim)
        self.count = n
        denominator = max(n - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.sum(centered * centered, axis=dim, keepdims=keepdim) / np.float64(denominator)
        return var, centered.astype(a.dtype, copy=False)


class VarBackward0(_Moments):
    """``var(a, dim, correction)`` = Σ(a − mean)² / (n − correction). Gradient: 2(a − mean)/(n − correction)."""

    symbol = "var"
    formula = ("∂var/∂aᵢ = 2(aᵢ − mean)/(n − c)",)

    def forward(self, a, dim=None, correction=1, keepdim=False):
        var, centered = self._var(a, dim, correction, keepdim)
        self.save_for_backward(centered)
        return np.asarray(var, dtype=a.dtype)

    def backward(self, grad):
        (centered,) = self.saved_tensors
        t = centered.dtype.type
        g = _expand_reduced(grad, self.dim, self.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (t(2) / t(max(self.count - self.correction, 0))) * centered


class StdBackward0(_Moments):
    """``std(a, dim, correction)`` = √var. Gradient: (a − mean)/((n − correction)·std)."""

    symbol = "std"
    formula = ("∂std/∂aᵢ = (aᵢ − mean)/((n − c)·std)",)

    def forward(self, a, dim=None, correction=1, keepdim=False):
        var, centered = self._var(a, dim, correction, keepdim)
        out = np.asarray(np.sqrt(var), dtype=a.dtype)
        self.save_for_backward(centered, out)
        return out

    def backward(self, grad):
        centered, out = self.saved_tensors
        t = centered.dtype.type
        g = _expand_reduced(grad, self.dim, self.keepdim)
        std = _expand_reduced(out, self.dim, self.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _zero_where(std == 0, g * centered / (std * t(max(self.count - self.correction, 0))))


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
            with np.errstate(divide="ignore"):
                out = np.sum(absolute**ord, axis=dim, keepdims=True) ** (1 / ord)
        out = np.asarray(out, dtype=a.dtype)
        self.save_for_backward(a, out)
        return np.reshape(out, _reduced_shape(a, dim, keepdim))

    def backward(self, grad):
        a, out = self.saved_tensors
        g = grad.reshape(out.shape) if out.ndim else grad
        p = self.ord
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                local = a / out
            elif p == 1:
                local = np.sign(a)
            elif p in (np.inf, -np.inf):
                hits = np.abs(a) == out
                local = np.sign(a) * hits / np.sum(hits, axis=self.dim, keepdims=True)
            elif p == 0:
                local = np.zeros_like(a)
            else:
                local = a * np.abs(a) ** (p - 2) / out ** (p - 1)
        return _zero_where(out == 0, g * local) if p not in (0,) else g * local


def _reduced_shape(a, dim, keepdim):
    if dim is None:
        return (1,) * a.ndim if keepdim else ()
    dims = {d % a.ndim for d in (dim if isinstance(dim, tuple) else (dim,))} if a.ndim else set()
    return tuple(1 if i in dims else s for i, s in enumerate(a.shape) if keepdim or i not in dims)


class AmaxBackward0(Function):
    """Maximum along ``dim`` (``amax``). Gradient: shared evenly between the elements equal to it."""

    symbol = "max"
    formula = ("∂amax(a)/∂aᵢ = [aᵢ = max] / #ties",)
    _reduce = staticmethod(np.max)

    def forward(self, a, dim, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = self._reduce(a, axis=dim, keepdims=True)
        self.save_for_backward(a, out)
        return out if keepdim else np.squeeze(out, axis=dim)

    def backward(self, grad):
        a, out = self.saved_tensors
        hits = a == out
        share = hits / np.sum(hits, axis=self.dim, keepdims=True)
        return _expand_reduced(grad, self.dim, self.keepdim) * share.astype(a.dtype)


class AminBackward0(AmaxBackward0):
    """Minimum along ``dim`` (``amin``). Gradient: shared evenly between the elements equal to it."""

    symbol = "min"
    formula = ("∂amin(a)/∂aᵢ = [aᵢ = min] / #ties",)
    _reduce = staticmethod(np.min)


class _TakeAlong(Function):
    """Values picked along ``dim`` by an index array (sort, topk, median, kthvalue, gather): the gradient
    is scattered back to the picked positions (added up where one was picked twice)."""

    def _scatter(self, grad, indices, dim):
        out = np.zeros(self._shapes[0], dtype=grad.dtype)
        if out.ndim == 0:
            return out + grad
        np.add.at(out, _along_axis_index(indices, dim), grad)
        return out


def _along_axis_index(indices, axis):
    """The fancy index that ``take_along_axis(a, indices, axis)`` uses, for ``np.add.at``."""
    index = list(np.ix_(*[np.arange(n) for n in indices.shape]))
    index[axis] = indices
    return tuple(index)


class SortBackward0(_TakeAlong):
    symbol = "sort"
    formula = ("∂sort(a)ₖ/∂aᵢ = [i = index of k-th]",)

    def forward(self, a, dim, descending=False, stable=False):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        keys = -a if descending and a.dtype.kind != "b" else a
        order = np.argsort(keys, axis=dim, kind="stable")
        if descending and a.dtype.kind == "b":
            order = np.flip(np.argsort(a, axis=dim, kind="stable"), dim)
        self.indices = order.astype(np.int64)
        self.save_for_backward(self.indices)
        return np.take_along_axis(a, order, axis=dim)

    def backward(self, grad):
        return self._scatter(grad, self.indices, self.dim)


class TopkBackward0(_TakeAlong):
    symbol = "topk"
    formula = ("∂topk(a)ₖ/∂aᵢ = [i = index of k-th]",)

    def forward(self, a, k, dim, largest=True):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        keys = -a if largest else a
        order = np.argsort(keys, axis=dim, kind="stable")
        order = np.take(order, np.arange(k), axis=dim)
        self.indices = order.astype(np.int64)
        self.save_for_backward(self.indices)
        return np.take_along_axis(a, order, axis=dim)

    def backward(self, grad):
        return self._scatter(grad, self.indices, self.dim)


class GatherBackward0(_TakeAlong):
    """``gather(a, dim, index)``: out[i][j] = a[index[i][j]][j] (for dim 0)."""

    symbol = "gather"
    formula = ("∂out/∂a = 1 at each gathered position",)

    def forward(self, a, dim, index):
        self.dim, self.index = dim, index
        self.save_for_backward(index)
        if a.ndim == 0:
            return a.copy()
        return np.take_along_axis(a, index, axis=dim)

    def backward(self, grad):
        return self._scatter(grad, self.index, self.dim)


class MedianBackward0(Function):
    """The median of all elements (the lower of the two middle values). Gradient: 1 at that element."""

    symbol = "median"
    formula = ("∂median/∂aᵢ = [i = the median's index]",)

    def forward(self, a):
        flat = a.reshape(-1)
        if flat.size == 0:
            return np.asarray(np.nan, dtype=a.dtype)
        self.position = int(np.argsort(flat, kind="stable")[(flat.size - 1) // 2])
        return flat[self.position].copy()

    def backward(self, grad):
        out = np.zeros(_size(self._shapes[0]), dtype=grad.dtype)
        out[self.position] = grad
        return out.reshape(self._shapes[0])


class MedianBackward1(_TakeAlong):
    """The median along ``dim`` (values of ``median(dim)``)."""

    symbol = "median"
    formula = ("∂median/∂aᵢ = [i = the median's index]",)

    def forward(self, a, dim, keepdim=False, k=None):
        self.dim = dim
        if a.ndim == 0:
            self.indices = np.zeros((), dtype=np.int64)
            return a.copy()
        position = (a.shape[dim] - 1) // 2 if k is None else k
        order = np.argsort(a, axis=dim, kind="stable")
        indices = np.take(order, [position], axis=dim)
        self.indices = indices.astype(np.int64)
        self.save_for_backward(self.indices)
        out = np.take_along_axis(a, indices, axis=dim)
        if not keepdim:
            out = np.squeeze(out, axis=dim)
            self.indices_out = np.squeeze(self.indices, axis=dim)
        else:
            self.indices_out = self.indices
        return out

    def backward(self, grad):
        if not self._shapes[0]:
            return grad
        return self._scatter(grad.reshape(self.indices.shape), self.indices, self.dim)


class KthvalueBackward0(MedianBackward1):
    symbol = "kthvalue"
    formula = ("∂kthvalue/∂aᵢ = [i = the k-th smallest's index]",)


# ------------------------------------------------------------------------------ shape-like ops


class RepeatBackward0(Function):
    """``repeat(*repeats)``: the tensor tiled. Gradient: the copies' gradients summed."""

    symbol = "repeat"
    formula = ("∂repeat(a)/∂a = 1, summed over copies",)

    def forward(self, a, repeats):
        self.repeats = repeats
        lead = len(repeats) - a.ndim
        self.expanded = (1,) * lead + a.shape
        return np.tile(a.reshape(self.expanded), repeats)

    def backward(self, grad):
        shape = []
        for r, s in zip(self.repeats, self.expanded):
            shape += [r, s]
        g = grad.reshape(shape).sum(axis=tuple(range(0, 2 * len(self.repeats), 2)))
        return g.reshape(self._shapes[0])


class FlipBackward0(Function):
    symbol = "flip"
    formula = ("∂flip(a)/∂a = I (flipped)",)

    def forward(self, a, dims):
        self.dims = dims
        return np.flip(a, dims).copy() if a.ndim else a.copy()

    def backward(self, grad):
        return np.flip(grad, self.dims) if grad.ndim else grad


class RollBackward0(Function):
    symbol = "roll"
    formula = ("∂roll(a)/∂a = I (rolled)",)

    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(a, shifts, dims)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return np.roll(grad, back, self.dims)


class TrilBackward0(Function):
    symbol = "tril"
    formula = ("∂tril(a)/∂a = 1 on and below the diagonal",)
    _pick = staticmethod(np.tril)

    def forward(self, a, diagonal=0):
        self.diagonal = diagonal
        return self._pick(a, diagonal)

    def backward(self, grad):
        return self._pick(grad, self.diagonal)


class TriuBackward0(TrilBackward0):
    symbol = "triu"
    formula = ("∂triu(a)/∂a = 1 on and above the diagonal",)
    _pick = staticmethod(np.triu)


class DiagonalBackward0(Function):
    """A diagonal of a matrix (``diagonal``, ``diag`` of a matrix). Gradient: back onto that diagonal."""

    symbol = "diag"
    formula = ("∂diag(a)/∂a = 1 on the diagonal",)

    def forward(self, a, offset=0, dim1=0, dim2=1):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return np.diagonal(a, offset, dim1, dim2).copy()

    def backward(self, grad):
        out = np.zeros(self._shapes[0], dtype=grad.dtype)
        view = np.diagonal(out, self.offset, self.dim1, self.dim2)
        view.setflags(write=True)
        view[...] = grad
        return out


DiagonalBackward0_copy = type("DiagonalBackward0_copy", (DiagonalBackward0,), {"__module__": __name__})


class DiagEmbedBackward0(Function):
    """``diag`` of a vector: a matrix with the vector on a diagonal. Gradient: that diagonal of g."""

    symbol = "diag"
    formula = ("∂diag(v)/∂v = 1 on the diagonal",)

    def forward(self, a, offset=0):
        self.offset = offset
        return np.diag(a, offset)

    def backward(self, grad):
        return np.diagonal(grad, self.offset).copy()


class TraceBackward0(Function):
    symbol = "tr"
    formula = ("∂tr(A)/∂Aᵢⱼ = [i = j]",)

    def forward(self, a):
        return np.asarray(np.trace(a), dtype=a.dtype)

    def backward(self, grad):
        return np.eye(*self._shapes[0], dtype=grad.dtype) * grad


class BmmBackward0(Function):
    """Batched matrix product of two 3-D tensors. Gradients: g·Bᵀ and Aᵀ·g, batch by batch."""

    symbol = "@"
    formula = ("∂(A·B)/∂A = Bᵀ (gA = g·Bᵀ)", "∂(A·B)/∂B = Aᵀ (gB = Aᵀ·g)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        ga = np.matmul(grad, np.swapaxes(b, 1, 2)) if need_a else None
        gb = np.matmul(np.swapaxes(a, 1, 2), grad) if need_b else None
        return ga, gb


class IndexSelectBackward0(Function):
    """``index_select(a, dim, index)``. Gradient: added back at the selected positions."""

    symbol = "select"
    formula = ("∂out/∂a = 1 at each selected position",)

    def forward(self, a, dim, index):
        self.dim, self.index = dim, index
        self.save_for_backward(index)
        return np.take(a, index, axis=dim) if a.ndim else a.copy()

    def backward(self, grad):
        out = np.zeros(self._shapes[0], dtype=grad.dtype)
        if out.ndim == 0:
            return out + grad.reshape(())
        moved = np.moveaxis(out, self.dim, 0)
        np.add.at(moved, self.index, np.moveaxis(grad, self.dim, 0))
        return out


class EmbeddingBackward0(Function):
    """``embedding(indices, weight)``: rows of ``weight``. Gradient: each row gets the sum of the
    gradients of the places it was picked (none for ``padding_idx``)."""

    symbol = "embed"
    formula = ("∂out/∂W[k] = 1 where the index is k",)

    def forward(self, weight, indices, padding_idx=None):
        self.indices, self.padding_idx = indices, padding_idx
        self.save_for_backward(indices)
        return weight[indices]

    def backward(self, grad):
        out = np.zeros(self._shapes[0], dtype=grad.dtype)
        rows = grad.reshape(-1, out.shape[-1])
        index = self.indices.reshape(-1)
        if self.padding_idx is not None:
            keep = index != self.padding_idx
            rows, index = rows[keep], index[keep]
        np.add.at(out, index, rows)
        return out


class MaskedFillBackward0(Function):
    """``masked_fill(a, mask, value)``. Gradient: 0 where filled, else 1."""

    symbol = "fill"
    formula = ("∂/∂a = [not filled]",)

    def forward(self, a, mask, value):
        self.mask = mask
        self.save_for_backward(mask)
        return np.where(mask, np.asarray(value, dtype=a.dtype), a)

    def backward(self, grad):
        return _zero_where(np.broadcast_to(self.mask, grad.shape), grad)


class MaskedSelectBackward0(Function):
    """``masked_select(a, mask)``: the elements where ``mask`` holds, as a vector."""

    symbol = "select"
    formula = ("∂out/∂a = 1 at each selected position",)

    def forward(self, a, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        self.mask = np.broadcast_to(mask, shape)
        self.save_for_backward(mask)
        return np.broadcast_to(a, shape)[self.mask]

    def backward(self, grad):
        out = np.zeros(self.mask.shape, dtype=grad.dtype)
        out[self.mask] = grad
        return out


class ConstantPadNdBackward0(Function):
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
        index = [slice(None)] * a.ndim
        for axis, lo, hi in negative:
            index[axis] = slice(-lo, out.shape[axis] + hi)
        self.crop = tuple(index)
        self.pad_width = pad_width
        return out[self.crop].copy()

    def backward(self, grad):
        full = np.zeros(
            tuple(s + lo + hi for s, (lo, hi) in zip(self._shapes[0], self.pad_width)),
            dtype=grad.dtype,
        )
        full[self.crop] = grad
        index = tuple(slice(lo, lo + s) for s, (lo, hi) in zip(self._shapes[0], self.pad_width))
        return full[index]


# ----------------------------------------------------------------------------- binary functions


class Atan2Backward0(Function):
    symbol = "atan2"
    formula = ("∂atan2(a,b)/∂a = b/(a²+b²)", "∂atan2(a,b)/∂b = −a/(a²+b²)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
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
        t = grad.dtype.type
        return grad * t(1 - self.weight), grad * t(self.weight)


class FmodBackward0(Function):
    """``fmod(a, b)`` (remainder with the sign of a). Gradients: 1 and −trunc(a/b)."""

    symbol = "fmod"
    formula = ("∂fmod/∂a = 1", "∂fmod/∂b = −trunc(a/b)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.fmod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * np.trunc(a / b)


class RemainderBackward0(Function):
    """``remainder(a, b)`` (Python's %: the sign of b). Gradients: 1 and −floor(a/b)."""

    symbol = "%"
    formula = ("∂(a mod b)/∂a = 1", "∂(a mod b)/∂b = −floor(a/b)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.mod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * np.floor(a / b)


class LogaddexpBackward0(Function):
    symbol = "logaddexp"
    formula = ("∂/∂a = σ(a − b)", "∂/∂b = σ(b − a)")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.logaddexp(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        s = sigmoid_array(a - b)
        return grad * s, grad * (1 - s)


class XlogyBackward0(Function):
    """``xlogy(a, b)`` = a·ln b, and 0 where a = 0."""

    symbol = "x·log y"
    formula = ("∂/∂a = ln b", "∂/∂b = a/b")

    def forward(self, a, b):
        self.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a == 0, np.zeros((), dtype=np.result_type(a, b)), a * np.log(b))

    def backward(self, grad):
        a, b = self.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = np.where(a == 0, np.zeros((), dtype=grad.dtype), grad * np.log(b))
            return ga, grad * a / b


class DivBackward1(Function):
    """``tensor / number`` where PyTorch divides by a number internally (``other`` is the attribute)."""

    symbol = "÷"
    formula = ("∂(a/c)/∂a = 1/c",)

    def forward(self, a, other):
        self.other = other
        return a / a.dtype.type(other)

    def backward(self, grad):
        return grad / grad.dtype.type(self.other)


class MulBackward1(Function):
    """``tensor · number`` where PyTorch multiplies by a number internally (``other`` is the attribute)."""

    symbol = "×"
    formula = ("∂(a·c)/∂a = c",)

    def forward(self, a, other):
        self.other = other
        return a * a.dtype.type(other)

    def backward(self, grad):
        return grad * grad.dtype.type(self.other)


class ClampMinBackward0(_Unary):
    symbol = "clamp"
    formula = ("∂max(a, m)/∂a = [a ≥ m]",)

    def forward(self, a, min):
        self.min = min
        self.save_for_backward(a, None)
        return np.maximum(a, a.dtype.type(min))

    def derivative(self, a, out):
        return (a >= self.min).astype(a.dtype)

    def backward(self, grad):
        (a, _) = self.saved_tensors
        return _zero_where(a < self.min, grad)


class ClampMaxBackward0(_Unary):
    symbol = "clamp"
    formula = ("∂min(a, m)/∂a = [a ≤ m]",)

    def forward(self, a, max):
        self.max = max
        self.save_for_backward(a, None)
        return np.minimum(a, a.dtype.type(max))

    def derivative(self, a, out):
        return (a <= self.max).astype(a.dtype)

    def backward(self, grad):
        (a, _) = self.saved_tensors
        return _zero_where(a > self.max, grad)


# ---------------------------------------------------------------------------------- losses


class NllLossBackward0(Function):
    """Negative log-likelihood of class-index targets on log-probabilities: −w[t]·x[t], one node.

    Input (N, C) or (C,) or (N, C, d...), target the class indices; ``weight`` per class,
    ``ignore_index`` skipped; ``mean`` divides by the total weight of the counted targets.
    """

    symbol = "NLL"
    formula = ("∂L/∂x[i, tᵢ] = −w[tᵢ] / Σw",)

    def forward(self, input, target, weight=None, reduction="mean", ignore_index=-100):
        self.reduction = reduction
        x = input if input.ndim > 1 else input[None]
        t = target if input.ndim > 1 else target.reshape(1)
        x = np.moveaxis(x, 1, -1)  # classes last
        valid = t != ignore_index
        safe = np.where(valid, t, 0)
        picked = np.take_along_axis(x, safe[..., None], axis=-1)[..., 0]
        w = np.ones(x.shape[-1], dtype=input.dtype) if weight is None else weight.astype(input.dtype)
        wt = np.where(valid, w[safe], np.zeros((), dtype=input.dtype))
        self.safe, self.wt = safe, wt
        self.save_for_backward(target)
        losses = -(picked * wt)
        if reduction == "none":
            return losses if input.ndim > 1 else losses.reshape(())
        total = np.sum(losses, dtype=input.dtype)
        if reduction == "sum":
            return np.asarray(total, dtype=input.dtype)
        self.total_weight = np.sum(wt, dtype=input.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(total / self.total_weight, dtype=input.dtype)

    def backward(self, grad):
        shape = self._shapes[0]
        classes_last = np.zeros((shape[0], *shape[2:], shape[1]) if len(shape) > 1 else (1, shape[0]), grad.dtype)
        if self.reduction == "none":
            g = grad.reshape(self.wt.shape)
        elif self.reduction == "sum":
            g = grad
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                g = grad / self.total_weight
        np.put_along_axis(classes_last, self.safe[..., None], (-(self.wt * g))[..., None], axis=-1)
        out = np.moveaxis(classes_last, -1, 1)
        return out.reshape(shape)


class SmoothL1LossBackward0(Function):
    """Smooth L1 loss: ½(ŷ − y)²/β where |ŷ − y| < β, else |ŷ − y| − ½β; one node."""

    symbol = "SmoothL1"
    formula = ("∂L/∂ŷᵢ = clamp((ŷᵢ − yᵢ)/β, −1, 1) / n", "∂L/∂yᵢ = −clamp((ŷᵢ − yᵢ)/β, −1, 1) / n")

    def forward(self, input, target, reduction="mean", beta=1.0):
        self.reduction, self.beta = reduction, beta
        diff = input - target
        self.save_for_backward(diff)
        t = diff.dtype.type
        z = np.abs(diff)
        if beta == 0:
            loss = z
        else:
            loss = np.where(z < t(beta), t(0.5) * z * z / t(beta), z - t(0.5 * beta))
        if reduction == "none":
            return loss
        total = np.add.reduce(loss, axis=None)
        if reduction == "sum":
            return np.asarray(total, dtype=diff.dtype)
        return np.asarray(total / t(loss.size) if loss.size else np.nan, dtype=diff.dtype)

    def backward(self, grad):
        (diff,) = self.saved_tensors
        t = diff.dtype.type
        norm = t(1 / diff.size) if self.reduction == "mean" and diff.size else t(1)
        beta = t(self.beta)
        if self.beta == 0:
            local = np.sign(diff)
        else:
            local = np.where(diff <= -beta, t(-1), np.where(diff >= beta, t(1), diff / beta))
        g = (norm * local) * grad
        need_input, need_target = self.needs_input_grad
        return (g if need_input else None), (-g if need_target else None)


class _Normalization(Function):
    """Normalisation with an optional weight and bias: x̂ = (x − mean)/√(var + eps), out = x̂·w + b.

    The statistics are taken over ``axes``; the weight and bias broadcast with ``param_shape``.
    """

    def _normalize(self, x, params, has_weight, has_bias, mean, var, eps, param_shape):
        params = list(params)
        weight = params.pop(0) if has_weight else None
        bias = params.pop(0) if has_bias else None
        rstd = (1 / np.sqrt(var + x.dtype.type(eps))).astype(x.dtype)
        xhat = (x - mean.astype(x.dtype)) * rstd
        self.save_for_backward(xhat, rstd, weight)
        self.has_weight, self.has_bias, self.param_shape = has_weight, has_bias, param_shape
        out = xhat
        if weight is not None:
            out = out * weight.reshape(param_shape)
        if bias is not None:
            out = out + bias.reshape(param_shape)
        return out

    def backward(self, grad):
        xhat, rstd, weight = self.saved_tensors
        axes, param_axes = self.axes, self.param_axes
        gw = grad * weight.reshape(self.param_shape) if weight is not None else grad
        if self.batch_statistics:
            n = grad.size // max(1, int(np.prod([s for i, s in enumerate(grad.shape) if i not in axes])))
            gx = (
                gw - np.sum(gw, axis=axes, keepdims=True) / n - xhat * np.sum(gw * xhat, axis=axes, keepdims=True) / n
            ) * rstd
        else:
            gx = gw * rstd
        results = [gx]
        if self.has_weight:
            results.append(np.sum(grad * xhat, axis=param_axes).reshape(self._shapes[1]))
        if self.has_bias:
            results.append(np.sum(grad, axis=param_axes).reshape(self._shapes[-1]))
        return tuple(results)


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
        self.batch_mean, self.batch_var = mean, var
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
        inverse_t = np.swapaxes(inverse, -1, -2)
        return -(inverse_t @ grad @ inverse_t)


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
        inverse_t = np.swapaxes(np.linalg.inv(a), -1, -2)
        return (grad * det)[..., None, None] * inverse_t


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
        self.save_for_backward(a, out)
        return out[..., 0] if self.vector else out

    def backward(self, grad):
        a, x = self.saved_tensors
        g = grad[..., None] if self.vector else grad
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
        ga = -(gb @ np.swapaxes(x, -1, -2))
        return ga, (gb[..., 0] if self.vector else gb)
