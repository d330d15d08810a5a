"""``torch.cuda`` on a machine without CUDA: ``is_available()`` is False and using a GPU raises PyTorch's
error for a build without CUDA. Seeding and cache calls are accepted and do nothing, as in PyTorch."""

from . import _missing
from ._device import NO_CUDA

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "synchronize",
]


def is_available():
    """False: this engine computes on the CPU."""
    return False


def is_initialized():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored (no GPU generator to seed), as in a PyTorch without CUDA."""


def manual_seed_all(seed):
    """Accepted and ignored, as in a PyTorch without CUDA."""


def seed():
    """Accepted and ignored."""


def seed_all():
    """Accepted and ignored."""


def empty_cache():
    """Nothing to free."""


def _no_cuda(*args, **kwargs):
    raise AssertionError(NO_CUDA)


def current_device():
    _no_cuda()


def get_device_name(device=None):
    _no_cuda()


def synchronize(device=None):
    _no_cuda()


__getattr__ = _missing.module_getattr("torch.cuda")
