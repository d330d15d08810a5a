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

from . import _memory

_memory.keep_freed_memory()  # a training step's temporaries stay mapped for the next step

from . import _dtype, autograd, graph
from . import creation as _creation
from . import functional as _functional
from ._dtype import dtype, float16, float32, float64, get_default_dtype, int32, int64, set_default_dtype, uint8
from .creation import *  # noqa: F403
from .functional import *  # noqa: F403
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Size, Tensor, as_tensor, from_numpy, tensor, tensor_from_array

half = float16
float = float32
double = float64
int = int32
long = int64
bool = _dtype.bool_

__version__ = "0.1.0"

__all__ = [
    "Generator",
    "Size",
    "Tensor",
    "as_tensor",
    "autograd",
    "bool",
    "default_generator",
    "double",
    "dtype",
    "enable_grad",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "get_default_dtype",
    "get_rng_state",
    "graph",
    "half",
    "inference_mode",
    "initial_seed",
    "int",
    "int32",
    "int64",
    "is_grad_enabled",
    "long",
    "manual_seed",
    "no_grad",
    "seed",
    "set_default_dtype",
    "set_grad_enabled",
    "set_rng_state",
    "tensor",
    "tensor_from_array",
    "uint8",
]
__all__ += _creation.__all__ + _functional.__all__


def _lazy(name):
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    # engine.nn, engine.optim and engine.utils load on first use, as attributes of the package.
    if name in ("nn", "optim", "utils"):
        return _lazy(name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
