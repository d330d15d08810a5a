"""``engine.nn``: modules, layers, losses and initialisers, as ``torch.nn``."""

from .. import _missing
from . import functional, init, utils
from .activation import *  # noqa: F403
from .activation import __all__ as _activations
from .layers import Flatten, Identity, Linear, ModuleList, ReLU, Sequential, Sigmoid, Tanh
from .layers_extra import *  # noqa: F403
from .layers_extra import __all__ as _extra_layers
from .losses import *  # noqa: F403
from .losses import __all__ as _losses
from .module import Module, Parameter

__all__ = [
    "Flatten",
    "Identity",
    "Linear",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
    "utils",
]
__all__ += _activations + _extra_layers + _losses


__getattr__ = _missing.module_getattr("torch.nn")
