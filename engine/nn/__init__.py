"""``engine.nn``: modules, layers, losses and initialisers, as ``torch.nn``."""
from . import functional, init
from .module import Module, Parameter
from .layers import Linear, Sequential, ModuleList, ReLU, Tanh, Sigmoid, Identity, Flatten
from .losses import MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ModuleList", "ReLU", "Tanh", "Sigmoid", "Identity",
           "Flatten", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "functional", "init"]
