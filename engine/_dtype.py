"""Data types, named and printed as PyTorch names them (``engine.float32`` ...)."""

import builtins

import numpy as np

__all__ = [
    "bool_",
    "dtype",
    "float16",
    "float32",
    "float64",
    "from_numpy_dtype",
    "get_default_dtype",
    "int32",
    "int64",
    "set_default_dtype",
    "to_numpy_dtype",
    "uint8",
]


class dtype:
    """A tensor element type, mirroring ``torch.dtype``."""

    __slots__ = ("is_floating_point", "itemsize", "name", "numpy")

    def __init__(self, name, numpy_type, is_floating_point):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.is_floating_point = is_floating_point
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"engine.{self.name}"

    def __reduce__(self):
        return self.name


float16 = dtype("float16", np.float16, True)
float32 = dtype("float32", np.float32, True)
float64 = dtype("float64", np.float64, True)
uint8 = dtype("uint8", np.uint8, False)
int32 = dtype("int32", np.int32, False)
int64 = dtype("int64", np.int64, False)
bool_ = dtype("bool", np.bool_, False)

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, uint8, int32, int64, bool_)}
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
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, uint8, and bool."
        ) from None
