"""Activation modules beyond ReLU, Tanh and Sigmoid, as in ``torch.nn`` (each calls the function of
the same name in :mod:`engine.nn.functional` and prints its settings as PyTorch does)."""

from typing import Any

from . import functional as F
from .module import Module, Parameter

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "SELU",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftmax",
    "Mish",
    "PReLU",
    "ReLU6",
    "SiLU",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
]


class _Along(Module):
    """Softmax-like modules: a function applied along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_Along):
    """e^x normalised to sum to 1 along ``dim`` (``torch.nn.Softmax``; grad_fn ``SoftmaxBackward0``)."""

    def forward(self, input):
        return F.softmax(input, self.dim)


class LogSoftmax(_Along):
    """ln softmax along ``dim``, computed stably (``torch.nn.LogSoftmax``)."""

    def forward(self, input):
        return F.log_softmax(input, self.dim)


class Softmin(_Along):
    """softmax(−x) along ``dim`` (``torch.nn.Softmin``)."""

    def forward(self, input):
        return F.softmin(input, self.dim)


def _inplace_suffix(module):
    return ", inplace=True" if module.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else negative_slope·x (``torch.nn.LeakyReLU``)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, inplace=self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + _inplace_suffix(self)


class ELU(Module):
    """x where x > 0, else α(eˣ − 1) (``torch.nn.ELU``)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, inplace=self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_suffix(self)


class CELU(ELU):
    """x where x > 0, else α(e^(x/α) − 1) (``torch.nn.CELU``)."""

    def forward(self, input):
        return F.celu(input, self.alpha, inplace=self.inplace)


class _Plain(Module):
    """An activation without settings (other than ``inplace``)."""

    _function: Any = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SELU(_Plain):
    """scale·elu(x) with PyTorch's fixed constants (``torch.nn.SELU``)."""

    _function = staticmethod(F.selu)


class SiLU(_Plain):
    """x·σ(x) (``torch.nn.SiLU``)."""

    _function = staticmethod(F.silu)


class Mish(_Plain):
    """x·tanh(softplus(x)) (``torch.nn.Mish``)."""

    _function = staticmethod(F.mish)


class Hardsigmoid(_Plain):
    _function = staticmethod(F.hardsigmoid)


class Hardswish(_Plain):
    _function = staticmethod(F.hardswish)


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (``torch.nn.Hardtanh``)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, inplace=self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_suffix(self)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) (``torch.nn.ReLU6``)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Threshold(Module):
    """x where x > threshold, else value (``torch.nn.Threshold``)."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, inplace=self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + _inplace_suffix(self)


class Softplus(Module):
    """ln(1 + e^(βx))/β, linear above ``threshold`` (``torch.nn.Softplus``)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """x·Φ(x) (``torch.nn.GELU``); ``approximate="tanh"`` uses the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _Stateless(Module):
    _function: Any = None

    def forward(self, input):
        return type(self)._function(input)


class LogSigmoid(_Stateless):
    """ln σ(x) (``torch.nn.LogSigmoid``)."""

    _function = staticmethod(F.logsigmoid)


class Softsign(_Stateless):
    """x/(1 + |x|) (``torch.nn.Softsign``)."""

    _function = staticmethod(F.softsign)


class Tanhshrink(_Stateless):
    """x − tanh(x) (``torch.nn.Tanhshrink``)."""

    _function = staticmethod(F.tanhshrink)


class Softshrink(Module):
    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class GLU(Module):
    """First half of ``dim`` times σ(second half) (``torch.nn.GLU``)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class PReLU(Module):
    """x where x > 0, else a·x with a learned slope ``a`` (one, or one per channel) (``torch.nn.PReLU``)."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        from ..creation import full

        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), float(init), dtype=dtype))

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
