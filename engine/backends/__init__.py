"""``torch.backends``: flags tutorials read and set. No GPU backend is available; the flags are kept
but change nothing, since the engine's CPU arithmetic is already deterministic."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
