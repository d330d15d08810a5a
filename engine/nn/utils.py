"""``torch.nn.utils``: gradient clipping and flattening parameters into one vector."""

import math

import numpy as np

from .. import _missing
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _parameters(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients so that their joint ``norm_type``-norm is at most ``max_norm``
    (``torch.nn.utils.clip_grad_norm_``).

    The norm is taken over all gradients together, as if they were one vector; the gradients are
    multiplied in place by min(1, max_norm / (norm + 1e-6)), as PyTorch does.

    Returns
    -------
    Tensor
        The total norm of the gradients before clipping (a 0-d tensor).
    """
    grads = [p.grad for p in _parameters(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    dtype = grads[0]._data.dtype
    if norm_type == math.inf:
        norms = [np.max(np.abs(g._data)) if g._data.size else dtype.type(0) for g in grads]
        total = np.max(np.asarray(norms, dtype=dtype))
    else:
        norms = [np.sum(np.abs(g._data) ** dtype.type(norm_type)) ** dtype.type(1 / norm_type) for g in grads]
        stacked = np.asarray(norms, dtype=dtype)
        total = np.sum(np.abs(stacked) ** dtype.type(norm_type)) ** dtype.type(1 / norm_type)
        if norm_type == 2.0:
            norms = [np.sqrt(np.sum(g._data * g._data)) for g in grads]
            stacked = np.asarray(norms, dtype=dtype)
            total = np.sqrt(np.sum(stacked * stacked))
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    coefficient = dtype.type(max_norm) / (total + dtype.type(1e-6))
    clamped = min(coefficient, dtype.type(1.0))
    for g in grads:
        g._data *= clamped
    return Tensor._wrap(total)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [−clip_value, clip_value] in place (``torch.nn.utils.clip_grad_value_``)."""
    clip_value = float(clip_value)
    for p in _parameters(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one vector (``torch.nn.utils.parameters_to_vector``)."""
    from ..functional import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive pieces of ``vec`` into the parameters (``torch.nn.utils.vector_to_parameters``)."""
    offset = 0
    for p in parameters:
        n = p.numel()
        p._data[...] = vec._data[offset : offset + n].reshape(p._data.shape)
        offset += n


__getattr__ = _missing.module_getattr("torch.nn.utils")
