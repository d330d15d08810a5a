"""A small autograd engine on NumPy that speaks PyTorch.

``import engine as torch`` runs PyTorch tutorial code unchanged: tensors with ``requires_grad``,
``grad_fn`` and ``backward()``, ``no_grad``, ``engine.nn``, ``engine.optim`` and
``engine.utils.data``. The engine never imports Qt.
"""

import os as _os

# The engine works on small matrices, where one BLAS thread is fastest; multi-threaded OpenBLAS also
# slows to a crawl when the cores are busy (a GUI thread plus a training thread). An explicit
# setting in the environment wins. It takes effect when the engine is imported before NumPy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

import math as _math

from . import _memory

_memory.keep_freed_memory()  # a training step's temporaries stay mapped for the next step

from . import _dtype, autograd, graph, return_types
from . import api as _api
from . import creation as _creation
from . import functional as _functional
from ._device import device, get_default_device, set_default_device
from ._dtype import (
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._formatting import set_printoptions
from .api import *  # noqa: F403
from .creation import *  # noqa: F403
from .functional import *  # noqa: F403
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from .tensor import Size, Tensor, as_tensor, from_numpy, tensor, tensor_from_array

half = float16
float = float32
double = float64
short = int16
int = int32
long = int64
bool = _dtype.bool_

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
newaxis = None

# Code written for PyTorch imports the engine as ``torch``; its classes print under PyTorch's names.
for _cls in (Tensor, Size, dtype, device, Generator):
    _cls.__module__ = "torch"

__version__ = "0.1.0"

__all__ = [
    "Generator",
    "Size",
    "Tensor",
    "as_tensor",
    "autograd",
    "bool",
    "default_generator",
    "device",
    "double",
    "dtype",
    "e",
    "enable_grad",
    "finfo",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "get_default_device",
    "get_default_dtype",
    "get_rng_state",
    "graph",
    "half",
    "iinfo",
    "inf",
    "inference_mode",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "load",
    "long",
    "manual_seed",
    "nan",
    "newaxis",
    "no_grad",
    "pi",
    "return_types",
    "save",
    "seed",
    "set_default_device",
    "set_default_dtype",
    "set_grad_enabled",
    "set_printoptions",
    "set_rng_state",
    "short",
    "tensor",
    "tensor_from_array",
    "uint8",
]
__all__ += _creation.__all__ + _functional.__all__ + _api.__all__


def _lazy(name):
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    # Sub-packages load on first use, as attributes of the package; PyTorch's other names say they are missing.
    if name in ("nn", "optim", "utils", "func", "cuda", "accelerator", "backends", "linalg"):
        return _lazy(name)
    from ._missing import module_attribute

    raise module_attribute("torch", name)
