"""``engine.optim``: optimizers with PyTorch's update rules, as ``torch.optim``."""
from .optimizer import Optimizer, required
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad

__all__ = ["Optimizer", "required", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]
