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

from . import _dtype
from ._dtype import (dtype, float16, float32, float64, uint8, int32, int64, get_default_dtype,
                     set_default_dtype)
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .tensor import Tensor, Size, tensor, as_tensor, from_numpy, tensor_from_array
from .random import Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator
from .creation import *  # noqa: F401,F403
from .functional import *  # noqa: F401,F403
from . import autograd, graph

half = float16
float = float32  # noqa: A001 - PyTorch's aliases
double = float64
int = int32  # noqa: A001
long = int64
bool = _dtype.bool_  # noqa: A001

__version__ = "0.1.0"


def _lazy(name):
    import importlib
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    # engine.nn, engine.optim and engine.utils load on first use, as attributes of the package.
    if name in ("nn", "optim", "utils"):
        return _lazy(name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
