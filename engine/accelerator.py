"""``torch.accelerator``: there is none; the engine computes on the CPU."""

from ._device import NO_ACCELERATOR

__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available", "synchronize"]


def is_available():
    """False: no accelerator."""
    return False


def current_accelerator(check_available=False):
    """None: no accelerator (``torch.accelerator.current_accelerator``)."""
    return None


def device_count():
    return 0


def current_device_index():
    raise RuntimeError(NO_ACCELERATOR)


def synchronize(device=None):
    raise RuntimeError(NO_ACCELERATOR)
