"""Devices, as ``torch.device``: the engine computes on the CPU, and says so the way a CPU-only PyTorch does.

``torch.device("cuda")`` can be made (tutorials test ``torch.cuda.is_available()`` and then build one),
but putting a tensor there raises PyTorch's own error for a build without CUDA.
"""

__all__ = ["device", "get_default_device", "set_default_device"]

_TYPES = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, "
    "hpu, mtia, privateuseone"
)
NO_CUDA = "Torch not compiled with CUDA enabled"
NO_MPS = "PyTorch is not linked with support for mps devices"
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class device:
    """Where a tensor lives (``torch.device``): ``device("cpu")``, ``device("cuda", 0)``, ``device("cuda:1")``.

    ``str`` gives ``"cpu"`` or ``"cuda:1"``; ``repr`` gives ``device(type='cpu')``. Only the CPU holds
    tensors in this engine.
    """

    __slots__ = ("index", "type")
    type: str
    index: int | None

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(NO_ACCELERATOR)
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({_name(type)})")
        else:
            name, colon, number = type.partition(":")
            if name not in _TYPES.split(", "):
                raise RuntimeError(f"Expected one of {_TYPES} device type at start of device string: {type}")
            if colon:
                if not number.isdigit():
                    raise RuntimeError(f"Invalid device string: '{type}'")
                if index is not None:
                    raise RuntimeError("type (string) must not include an index because index was passed explicitly: ")
                index = int(number)
            type = name
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)


def _name(value):
    return type(value).__name__


CPU = device("cpu")
_default = CPU


def as_device(value):
    """``value`` (a device, a string such as ``"cpu"``, or an index) as a :class:`device`."""
    if value is None:
        return _default
    if isinstance(value, device):
        return value
    return device(value)


def check(value):
    """Raise PyTorch's error unless ``value`` names the CPU (the only device holding tensors here)."""
    if value is None:
        d = _default
    elif value == "cpu" or value is CPU:
        return
    else:
        d = as_device(value)
    if d.type == "cpu":
        return
    if d.type == "mps":
        raise RuntimeError(NO_MPS)
    if d.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise RuntimeError(f"this engine computes on the CPU; device '{d}' is not available")


def default_is_cpu():
    return _default.type == "cpu"


def set_default_device(device):
    """Set the device of new tensors (``torch.set_default_device``); only the CPU can hold them."""
    global _default
    _default = CPU if device is None else as_device(device)


def get_default_device():
    """The device of new tensors (``torch.get_default_device``)."""
    if _default.type != "cpu":
        check(_default)
    return _default
