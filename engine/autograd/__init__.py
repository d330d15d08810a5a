"""``engine.autograd``: backward, grad, user-defined Functions and gradcheck, as in ``torch.autograd``."""

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _missing
from ..function import backward, grad
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ..tensor import Tensor
from .function import BackwardCFunction, Function, FunctionCtx

__all__ = [
    "BackwardCFunction",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "backward",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytic and numerical gradients disagree."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare ``fn``'s backward with central differences in float64 (``torch.autograd.gradcheck``).

    Every input that requires grad must be float64. The output may have any shape: each of its
    elements is checked against every input element.
    """
    inputs = _as_tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in diff:
        if t._data.dtype != np.float64:
            raise ValueError(
                "gradcheck expects float64 inputs that require grad: float32 central differences "
                "are too coarse to compare"
            )

    def outputs():
        with no_grad():
            out = fn(*inputs)
        return [o._data.astype(np.float64).ravel() for o in _as_tuple(out)]

    with enable_grad():
        out = _as_tuple(fn(*inputs))
    for k, o in enumerate(out):
        n_out = o._data.size
        analytic = [np.zeros((n_out, t._data.size)) for t in diff]
        for j in range(n_out):
            seed = np.zeros(n_out)
            seed[j] = 1
            gs = grad(
                o,
                diff,
                grad_outputs=Tensor._wrap(seed.reshape(o._data.shape).astype(o._data.dtype)),
                retain_graph=True,
                allow_unused=True,
            )
            for m, g in enumerate(gs):
                if g is not None:
                    analytic[m][j] = g._data.ravel()
        for m, t in enumerate(diff):
            flat = t._data.reshape(-1)
            numeric = np.zeros((n_out, flat.size))
            for i in range(flat.size):
                orig = flat[i]
                flat[i] = orig + eps
                plus = outputs()[k]
                flat[i] = orig - eps
                minus = outputs()[k]
                flat[i] = orig
                numeric[:, i] = (plus - minus) / (2 * eps)
            if not np.allclose(analytic[m], numeric, atol=atol, rtol=rtol, equal_nan=True):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {m},\n"
                    f"numerical:{numeric}\nanalytical:{analytic[m]}\n"
                )
    return True


__getattr__ = _missing.module_getattr("torch.autograd")
