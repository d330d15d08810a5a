"""``engine.utils``: data loading (``engine.utils.data``), as ``torch.utils``."""

from . import data

__all__ = ["data"]
