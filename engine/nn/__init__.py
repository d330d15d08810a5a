"""``engine.nn``: modules, layers, losses and initialisers, as ``torch.nn``."""

from . import functional, init
from .layers import Flatten, Identity, Linear, ModuleList, ReLU, Sequential, Sigmoid, Tanh
from .losses import BCELoss, BCEWithLogitsLoss, HuberLoss, L1Loss, MSELoss
from .module import Module, Parameter

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "Linear",
    "MSELoss",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
]
