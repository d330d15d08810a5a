"""``engine.autograd``: backward, grad and gradcheck, as in ``torch.autograd``."""

import numpy as np

from .. import _missing
from ..function import Function, run_backward
from ..grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from ..tensor import Size, Tensor

__all__ = ["Function", "backward", "enable_grad", "grad", "gradcheck", "is_grad_enabled", "no_grad", "set_grad_enabled"]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs):
    """The starting gradient of each output: ``grad_outputs``, or 1 for one-element outputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    roots, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"backward expects Tensors, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones_like(out._data)
        else:
            g = g._data if isinstance(g, Tensor) else np.asarray(g, dtype=out._data.dtype)
            if g.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g.shape)} and "
                    f"output[{i}] has a shape of {Size(out._data.shape)}."
                )
        roots.append(out._grad_node())
        grads.append(g)
    return roots, grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the graph's leaves (``torch.autograd.backward``).

    Parameters
    ----------
    tensors : Tensor or sequence of Tensors
        The outputs to differentiate.
    grad_tensors : Tensor or sequence, optional
        The vectors of the vector-Jacobian products; ``None`` for one-element outputs.
    retain_graph : bool, optional
        Keep saved values so the graph can be differentiated again; defaults to ``create_graph``.
    inputs : sequence of Tensors, optional
        Accumulate only into these leaves.
    """
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by this engine")
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    roots, grads = _root_grads(outputs, grad_tensors)
    retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        capture = {t._grad_node(): i for i, t in enumerate(inputs)}
        captured = run_backward(roots, grads, retain, capture=capture, accumulate=False)
        for t, g in zip(inputs, captured):
            if g is not None:
                t._grad_node()  # leaves and non-leaves alike get .grad, as in PyTorch
                t._accumulate_retained(g)
        return
    run_backward(roots, grads, retain)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    allow_unused=None,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated
    (``torch.autograd.grad``)."""
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by this engine")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, grads = _root_grads(outputs, _as_tuple(grad_outputs))
    retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
    capture = {}
    for i, t in enumerate(inputs):
        capture.setdefault(t._grad_node(), i)
    captured = run_backward(roots, grads, retain, capture=capture, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured[capture[t._grad_node()]]
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(None if g is None else Tensor._wrap(np.array(g, dtype=t._data.dtype)))
    return tuple(result)


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytic and numerical gradients disagree."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
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
