"""``engine.optim``: optimizers with PyTorch's update rules, as ``torch.optim``, and learning-rate
schedules (``engine.optim.lr_scheduler``)."""

from .. import _missing
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer, required
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler", "required"]


__getattr__ = _missing.module_getattr("torch.optim")
