"""``engine.utils``: data loading (``engine.utils.data``), as ``torch.utils``."""

from .. import _missing
from . import data

__all__ = ["data"]


__getattr__ = _missing.module_getattr("torch.utils")
