"""Data types, named and printed as PyTorch names and prints them (``torch.float32`` ...).

The engine is imported as ``torch`` by the code it runs, so its types print under that name.
"""

import builtins

import numpy as np

__all__ = [
    "bool_",
    "dtype",
    "finfo",
    "float16",
    "float32",
    "float64",
    "from_numpy_dtype",
    "get_default_dtype",
    "iinfo",
    "int8",
    "int16",
    "int32",
    "int64",
    "set_default_dtype",
    "to_numpy_dtype",
    "uint8",
]


class dtype:
    """A tensor element type, mirroring ``torch.dtype`` (``repr`` is ``torch.float32``)."""

    __slots__ = ("is_complex", "is_floating_point", "is_signed", "itemsize", "name", "numpy")

    def __init__(self, name, numpy_type, is_floating_point):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.is_floating_point = is_floating_point
        self.is_complex = False
        self.is_signed = self.numpy.kind in "fi"
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


float16 = dtype("float16", np.float16, True)
float32 = dtype("float32", np.float32, True)
float64 = dtype("float64", np.float64, True)
uint8 = dtype("uint8", np.uint8, False)
int8 = dtype("int8", np.int8, False)
int16 = dtype("int16", np.int16, False)
int32 = dtype("int32", np.int32, False)
int64 = dtype("int64", np.int64, False)
bool_ = dtype("bool", np.bool_, False)

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)}
_default = float32


def get_default_dtype():
    """The floating point type of new tensors made from Python floats (float32, as in PyTorch)."""
    return _default


def set_default_dtype(d):
    """Set the default floating point type: float32 or float64."""
    global _default
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default = d


def to_numpy_dtype(d):
    """NumPy dtype for an engine dtype, a NumPy dtype or a Python type (``float`` means float64, as in PyTorch)."""
    if isinstance(d, dtype):
        return d.numpy
    if d is builtins.float:
        return float64.numpy
    if d is builtins.int:
        return int64.numpy
    if d is builtins.bool:
        return bool_.numpy
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"dtype must be an engine dtype, got {d!r}") from None


def from_numpy_dtype(np_dtype):
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
            "uint16, uint8, and bool."
        ) from None


class finfo:
    """Limits of a floating point type (``torch.finfo``): ``eps``, ``max``, ``min``, ``tiny``, ``resolution``."""

    def __init__(self, type=None):
        d = type if type is not None else get_default_dtype()
        if not isinstance(d, dtype) or not d.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'"
            )
        info = np.finfo(d.numpy)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)
        self.dtype = d.name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer type (``torch.iinfo``): ``min``, ``max``, ``bits``."""

    def __init__(self, type):
        if not isinstance(type, dtype) or type.is_floating_point or type.numpy.kind == "b":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(type.numpy)
        self.bits = int(info.bits)
        self.min = int(info.min)
        self.max = int(info.max)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
