"""``torch.linalg``: norms, inverse, determinant, solving linear systems and least squares."""

import numpy as np

from . import _missing, api, ops, return_types
from .tensor import Tensor, matmul

__all__ = ["cross", "det", "inv", "lstsq", "matmul", "matrix_norm", "norm", "pinv", "solve", "vector_norm"]


def _square(a, name):
    shape = a._data.shape
    if a._data.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are {shape[-2]} by {shape[-1]} matrices"
        )


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ord-norm over ``dim`` (all elements by default) (``torch.linalg.vector_norm``)."""
    return api.norm(x, p=ord, dim=dim, keepdim=keepdim, out=out, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The Frobenius norm of each matrix (``torch.linalg.matrix_norm``; other orders are not implemented)."""
    if ord != "fro":
        raise NotImplementedError(f"torch.linalg.matrix_norm(ord={ord!r}) is not implemented in this engine")
    return api.norm(A, p=2, dim=dim, keepdim=keepdim, out=out, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """A vector norm (for vectors, or with ``dim``) or the Frobenius norm of matrices (``torch.linalg.norm``)."""
    if ord in (None, "fro") or dim is not None or A.dim() == 1:
        return api.norm(A, p=2 if ord in (None, "fro") else ord, dim=dim, keepdim=keepdim, out=out, dtype=dtype)
    return matrix_norm(A, ord, keepdim=keepdim, out=out, dtype=dtype)


def inv(A, *, out=None):
    """The inverse of square matrices (``torch.linalg.inv``; grad_fn ``LinalgInvExBackward0``)."""
    _square(A, "inv")
    return api._out(ops.LinalgInvExBackward0.apply(A), out)


def det(A, *, out=None):
    """The determinant of square matrices (``torch.linalg.det``; grad_fn ``LinalgDetBackward0``)."""
    _square(A, "det")
    return api._out(ops.LinalgDetBackward0.apply(A), out)


def solve(A, B, *, left=True, out=None):
    """X with A·X = B (``torch.linalg.solve``; grad_fn ``LinalgSolveExBackward0``)."""
    _square(A, "solve")
    if not left:
        return solve(A.mT, B.mT).mT
    return api._out(ops.LinalgSolveExBackward0.apply(A, B), out)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore–Penrose pseudo-inverse (``torch.linalg.pinv``): (AᵀA)⁻¹Aᵀ for full column rank."""
    result = np.linalg.pinv(A._data)
    return api._out(Tensor._wrap(result.astype(A._data.dtype)), out)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of A·X ≈ B (``torch.linalg.lstsq``), computed in double precision
    (not differentiable). ``residuals``, ``rank`` and ``singular_values`` are empty, as with
    PyTorch's default driver."""
    a, b = A._data, B._data
    vector = b.ndim == 1
    rhs = b[:, None] if vector else b
    solution = np.linalg.lstsq(a.astype(np.float64), rhs.astype(np.float64), rcond=None)[0].astype(a.dtype)
    empty = Tensor._wrap(np.zeros((0,), dtype=a.dtype))
    rank = Tensor._wrap(np.zeros((0,), dtype=np.int64))
    return return_types.linalg_lstsq(Tensor._wrap(solution[:, 0] if vector else solution), empty, rank, empty)


cross = api.cross
matmul = matmul

__getattr__ = _missing.module_getattr("torch.linalg")
