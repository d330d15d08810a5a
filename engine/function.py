"""The autograd core: graph nodes, ``Function.apply`` and the backward pass.

A differentiable primitive is one small class whose name is PyTorch's grad_fn name, with its forward
and its derivative side by side (see :mod:`engine.ops` for the pattern every op follows)::

    class MulBackward0(Function):
        symbol = "×"

        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b

        def backward(self, grad):
            a, b = self.saved_tensors
            return grad * b, grad * a

``MulBackward0.apply(x, y)`` runs ``forward`` on the tensors' arrays and, only when grad mode is on and
some input requires grad, keeps the node as the result's ``grad_fn``. ``backward`` is the op's one
written derivative: it maps the gradient of the output to one gradient per input (broadcast gradients
are summed back to each input's shape by the engine). The same code serves three uses:

* the backward pass, on NumPy arrays (the fast path);
* ``create_graph=True``, on Tensors: saved arrays are handed to ``backward`` as the tensors they came
  from, so every operator in the formula records history and the gradient can be differentiated again;
* the Graph view's local gradients (:meth:`Function.local_grads`): the same ``backward`` at a unit
  upstream gradient.

The backward pass visits nodes in decreasing creation order (each node is created after the nodes
that produced its inputs, so this is a topological order without a sort), accumulates into leaves'
``.grad`` in place as PyTorch does, checks that the values a node saved were not modified in place
since (version counters), and runs tensor hooks.
"""

from __future__ import annotations

import heapq
import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import grad_mode

__all__ = [
    "AccumulateGrad",
    "Function",
    "Node",
    "RemovableHandle",
    "backward",
    "grad",
    "run_backward",
    "unbroadcast",
]

_state = grad_mode._state
_new = object.__new__
_ndarray = np.ndarray
_sequence = itertools.count()
_heappush = heapq.heappush
_heappop = heapq.heappop

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward."
)
MODIFIED_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
_TYPE_NAMES = {
    np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor",
    np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor",
    np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
}
_NO_GRAD_NEEDS = tuple((False,) * n for n in range(33))
_NEEDS_ONE = (True,)


def _quiet_floating_point() -> tuple[Callable[[Any], Any], Callable[[Any], Any], Any]:
    """``(set, reset, quiet)``: ``token = set(quiet)`` silences NumPy's floating-point warnings (PyTorch
    prints none for inf and nan) until ``reset(token)``.

    NumPy 2 keeps the error state in a context variable; setting it directly costs a third of a
    microsecond, where ``np.errstate`` costs one and a half, so every op can afford it. Elsewhere
    ``np.seterr`` does the same job.
    """
    try:
        from numpy._core._ufunc_config import _extobj_contextvar as state  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - NumPy 1.x
        return (lambda quiet: np.seterr(**quiet)), (lambda previous: np.seterr(**previous)), {"all": "ignore"}
    with np.errstate(all="ignore"):
        quiet = state.get()
    return state.set, state.reset, quiet


_fp_set, _fp_reset, _FP_QUIET = _quiet_floating_point()
_NO_EDGE = (None, 0)


class _Hooks(dict):
    """Hooks by handle id (a dict a handle can refer to weakly)."""

    __slots__ = ("__weakref__",)


class RemovableHandle:
    """Returned by ``register_hook``: ``remove()`` unregisters the hook (``torch.utils.hooks.RemovableHandle``)."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks_ref = weakref.ref(hooks)
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        hooks = self._hooks_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """Common base of backward nodes: ``name()``, ``next_functions`` and PyTorch's repr."""

    __slots__ = ()
    next_functions: tuple = ()

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"


class AccumulateGrad(Node):
    """The node that ends every path at a leaf that requires grad; it adds into ``variable.grad``.

    As in PyTorch, the first gradient is stored as a fresh tensor and later ones are added into it in
    place, so ``p.grad`` keeps its identity across backward passes (with ``create_graph`` the sum is
    out of place, so that it records history).
    """

    __slots__ = ("__weakref__", "grad", "variable")
    _seq = -1  # leaves are reached last

    def __init__(self, variable: Any):
        self.variable = variable
        self.grad = None  # the gradient that last arrived here, for engine.graph.trace

    def accumulate(self, grad: Any) -> None:
        leaf = self.variable
        if type(grad) is not _ndarray and not isinstance(grad, (_ndarray, np.generic)):
            # create_graph: ``grad`` is a Tensor that records history.
            if grad._data.dtype != leaf._data.dtype:
                grad = grad.to(leaf._data.dtype)
            leaf._grad = grad if leaf._grad is None else leaf._grad + grad
            return
        dtype = leaf._data.dtype
        if grad.dtype != dtype:
            grad = grad.astype(dtype)
        current = leaf._grad
        if current is None:
            # Own the array: the same gradient object may have been handed to several inputs.
            leaf._grad = _wrap_like(leaf, grad.copy() if type(grad) is _ndarray else np.array(grad, copy=True))
            return
        data = current._data
        if type(data) is _ndarray and data.flags.writeable and data.shape == np.shape(grad):
            data += grad
        else:
            current._data = np.asarray(data + grad)


def _as_array_output(node: Any, out: Any) -> np.ndarray:
    """A forward's result as an array (NumPy gives 0-d results as scalars), also where the node saved it."""
    array = np.asarray(out)
    saved = node.saved_tensors
    if saved and any(s is out for s in saved):
        node.saved_tensors = tuple(array if s is out else s for s in saved)
    return array


_UNITS: dict = {}


def unit_gradient(data: np.ndarray) -> np.ndarray:
    """A read-only 1 of ``data``'s shape and dtype (the root gradient of ``loss.backward()``), made once."""
    one = _UNITS.get(data.shape)  # by shape, then the dtype compared (quicker than hashing the dtype)
    if one is None or one.dtype != data.dtype:
        one = np.ones(data.shape, dtype=data.dtype)
        one.flags.writeable = False
        _UNITS[data.shape] = one
    return one


def _wrap_like(like: Any, array: Any) -> Any:
    """A plain Tensor (the class ``like`` belongs to, without subclasses such as Parameter) holding ``array``."""
    t = _new(like._plain_type)
    t._data = array
    return t


def _tensor_type_name(data: np.ndarray) -> str:
    return f"torch.{_TYPE_NAMES.get(data.dtype, 'Tensor')} {list(data.shape)}"


def _backward_name(node: Any) -> str:
    """PyTorch's short op name in error texts: ``TanhBackward0`` → ``Tanh``, ``MyFuncBackward`` → ``MyFunc``."""
    name = node.name()
    head, sep, _ = name.rpartition("Backward")
    return head if sep else name


class Function(Node):
    """Base class of the engine's differentiable operations; each subclass is both the op and its grad_fn node.

    Subclasses define ``forward(self, *arrays, **attrs)`` and ``backward(self, grad)`` (see
    :mod:`engine.ops`). Attributes set by ``apply`` when history is recorded: ``next_functions``
    (PyTorch's tuple of ``(node, 0)`` pairs, ``None`` for inputs that don't require grad),
    ``needs_input_grad``, ``inputs`` (the input tensors, kept so the graph can be traced and drawn) and
    ``output`` (the result's array, for the same reason). After a backward, ``grad`` is the gradient
    that reached this node's output.
    """

    symbol = "?"  # the operator as the graph view shows it
    formula: tuple = ()  # the local derivatives as text, one line per input
    saved_tensors: tuple = ()
    needs_input_grad: tuple = ()
    inputs: tuple = ()
    output: Any = None
    grad: Any = None
    _attrs: dict = {}  # noqa: RUF012 - read-only default
    _shapes: tuple = ()
    _seq = 0
    _freed = False
    _retained: Any = None
    _hooks: dict | None = None
    _versions: tuple | None = None
    _output_version = 0  # set when the output tensor is modified in place

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep values (arrays) for ``backward``; they are freed after backward unless the graph is retained."""
        self.saved_tensors = arrays

    def forward(self, *arrays: Any, **attrs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, grad: Any) -> Any:
        """The gradients of the inputs for ``grad`` at the output, as PyTorch's ``grad_fn(grad)``."""
        return self.backward(grad)

    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Any:
        """Run the op on tensors; record it as the result's ``grad_fn`` if grad mode is on and an input requires grad."""
        node = _new(cls)
        if _state.enabled:
            # This is the engine's hottest code: one and two inputs (nearly every op) are spelled
            # out, without loops or comprehensions.
            record = False
            n = len(inputs)
            if n == 2:
                a, b = inputs
                need_a = a._requires_grad
                need_b = b._requires_grad
                if need_a or need_b:
                    data_a = a._data
                    data_b = b._data
                    if need_a:
                        fn = a.grad_fn
                        edge_a = (fn if fn is not None else a._grad_node(), 0)
                    else:
                        edge_a = _NO_EDGE
                    if need_b:
                        fn = b.grad_fn
                        edge_b = (fn if fn is not None else b._grad_node(), 0)
                    else:
                        edge_b = _NO_EDGE
                    node.needs_input_grad = (need_a, need_b)
                    node.next_functions = (edge_a, edge_b)
                    node._shapes = (data_a.shape, data_b.shape)
                    token = _fp_set(_FP_QUIET)
                    try:
                        out = node.forward(data_a, data_b, **attrs)
                    finally:
                        _fp_reset(token)
                    record = True
            elif n == 1:
                a = inputs[0]
                if a._requires_grad:
                    data_a = a._data
                    fn = a.grad_fn
                    node.needs_input_grad = _NEEDS_ONE
                    node.next_functions = ((fn if fn is not None else a._grad_node(), 0),)
                    node._shapes = (data_a.shape,)
                    token = _fp_set(_FP_QUIET)
                    try:
                        out = node.forward(data_a, **attrs)
                    finally:
                        _fp_reset(token)
                    record = True
            else:
                for t in inputs:
                    if t._requires_grad:
                        break
                else:
                    t = None
                if t is not None:
                    needs = []
                    arrays = []
                    edges = []
                    shapes = []
                    for t in inputs:
                        data = t._data
                        arrays.append(data)
                        shapes.append(data.shape)
                        if t._requires_grad:
                            needs.append(True)
                            fn = t.grad_fn
                            edges.append((fn if fn is not None else t._grad_node(), 0))
                        else:
                            needs.append(False)
                            edges.append(_NO_EDGE)
                    node.needs_input_grad = tuple(needs)
                    node.next_functions = tuple(edges)
                    node._shapes = tuple(shapes)
                    token = _fp_set(_FP_QUIET)
                    try:
                        out = node.forward(*arrays, **attrs)
                    finally:
                        _fp_reset(token)
                    record = True
            if record:
                if type(out) is not _ndarray:
                    out = _as_array_output(node, out) if node.saved_tensors else np.asarray(out)
                node.inputs = inputs
                node.output = out
                if attrs:
                    node._attrs = attrs
                node._seq = next(_sequence)
                saved = node.saved_tensors
                if saved:
                    # (tensor, version) for each input whose array the node saved, for the version check in backward.
                    refs: tuple = ()
                    for t in inputs:
                        data = t._data
                        for s in saved:
                            if s is data:
                                refs += ((t, t._version),)
                                break
                    node._versions = refs
                result = _new(inputs[0]._plain_type)
                result._data = out
                result.grad_fn = node
                result._requires_grad = True
                return result
        node.needs_input_grad = _NO_GRAD_NEEDS[len(inputs)]
        token = _fp_set(_FP_QUIET)
        try:
            if len(inputs) == 1:
                out = node.forward(inputs[0]._data, **attrs)
            else:
                out = node.forward(*[t._data for t in inputs], **attrs)
        finally:
            _fp_reset(token)
        if type(out) is not _ndarray:
            out = np.asarray(out)
        result = _new(inputs[0]._plain_type)
        result._data = out
        return result

    # ------------------------------------------------------------------------ the Graph view's uses
    def _scratch(self, needs: tuple | None = None) -> Function:
        """A fresh node of this op, run forward again on the recorded inputs, for the graph view."""
        arrays = [t._data for t in self.inputs]
        node = _new(type(self))
        node.needs_input_grad = needs if needs is not None else (True,) * len(arrays)
        with np.errstate(all="ignore"):
            node.forward(*arrays, **self._attrs)
        node._shapes = tuple([a.shape for a in arrays])
        return node

    def local_grads(self, *arrays: Any) -> tuple:
        """The local derivative of the output with respect to each input, as the Graph view shows it.

        By default it is ``backward`` at a unit upstream gradient (ones of the output's shape), before
        the engine sums broadcast gradients back to the inputs' shapes: for elementwise ops the exact
        elementwise derivative ∂out/∂input in the output's shape, for reductions and reshapes the
        per-element factor in the input's shape. ``arrays`` are the input values (default: the
        recorded inputs). Ops whose forward is not a pure function of its inputs, and matrix products
        (whose local gradient is the matrix the upstream gradient is multiplied by), override this.
        """
        if not arrays:
            arrays = tuple(t._data for t in self.inputs)
        node = _new(type(self))
        node.needs_input_grad = (True,) * len(arrays)
        with np.errstate(all="ignore"):
            out = node.forward(*arrays, **self._attrs)
            node._shapes = tuple([np.shape(a) for a in arrays])
            out = np.asarray(out)
            grads = node.backward(np.ones(out.shape, dtype=out.dtype))
        if type(grads) is not tuple:
            grads = (grads,)
        return tuple(None if g is None else np.array(g, copy=True) for g in grads)

    def contributions(self) -> tuple:
        """What ``backward`` added to each input's gradient for the gradient ``self.grad`` that reached this
        node, summed back to the input's shape; None for inputs that get no gradient (or before a backward)."""
        n = len(self.inputs)
        if self.grad is None:
            return (None,) * n
        node = self._scratch(self.needs_input_grad)
        with np.errstate(all="ignore"):
            grads = node.backward(self.grad)
        if type(grads) is not tuple:
            grads = (grads,)
        out: list[np.ndarray | None] = []
        for g, need, shape in zip(grads, self.needs_input_grad, node._shapes):
            if g is None or not need:
                out.append(None)
                continue
            g = np.asarray(g)
            out.append(np.array(unbroadcast(g, shape) if g.shape != shape else g, copy=True))
        return tuple(out)

    # ------------------------------------------------------------------------------ create_graph
    def _backward_on_tensors(self, grad: Any) -> Any:
        """``backward`` with Tensors for the grad and for every saved array, so that it records history."""
        arrays = self.saved_tensors
        saved = []
        for s in arrays:
            if type(s) is _ndarray:
                for t in self.inputs:
                    if t._data is s:
                        saved.append(t)
                        break
                else:
                    saved.append(self._output_tensor() if s is self.output else _wrap_like(grad, s))
            else:
                saved.append(s)
        self.saved_tensors = tuple(saved)
        try:
            return self.backward(grad)
        finally:
            self.saved_tensors = arrays

    def _output_tensor(self) -> Any:
        t = _wrap_like(self.inputs[0], self.output)
        t.grad_fn = self
        t._requires_grad = True
        return t


# ------------------------------------------------------------------------------------ shapes


def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum ``grad`` (an array or a Tensor) down to ``shape``, undoing NumPy/PyTorch broadcasting."""
    gshape = grad.shape
    if gshape == shape:
        return grad
    ndim = len(gshape)
    axes = _SUMMED_AXES.get((gshape, shape))
    if axes is None:
        extra = ndim - len(shape)
        axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and gshape[i + extra] != 1)
        if len(_SUMMED_AXES) > 1024:
            _SUMMED_AXES.clear()
        _SUMMED_AXES[(gshape, shape)] = axes
    if type(grad) is _ndarray or isinstance(grad, (_ndarray, np.generic)):
        if axes == (0,) and ndim == 2 and gshape[0] >= _ROWS_FOR_BLAS and grad.dtype.kind == "f":
            # A bias's gradient: the column sums of a tall matrix, as one matrix-vector product. BLAS is
            # several times faster than NumPy's reduction over rows, and its several running sums come
            # closer to the exact sum than NumPy's one per column; neither adds in PyTorch's order.
            return (_column_of_ones(gshape[0], grad.dtype) @ grad).reshape(shape)
        if axes:
            grad = np.add.reduce(grad, axis=axes, keepdims=True)
            if ndim == len(shape):
                return grad  # the summed dims kept as 1s: already ``shape``, no reshape needed
        return grad.reshape(shape)
    return grad.sum(axes, keepdim=False).reshape(shape) if axes else grad.reshape(shape)


_SUMMED_AXES: dict = {}  # (gradient shape, input shape) -> the axes broadcasting added
_ROWS_FOR_BLAS = 64
_ONES: dict = {}


def _column_of_ones(n: int, dtype: np.dtype) -> np.ndarray:
    key = (n, dtype)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 16:
            _ONES.clear()
        ones = _ONES[key] = np.ones(n, dtype=dtype)
    return ones


# ------------------------------------------------------------------------------ the backward pass


def _modified_message(tensor: Any, expected: int, node: Function) -> str:
    """PyTorch's text; a saved input names its tensor's current grad_fn, a saved output its own node."""
    if tensor is None:
        data, producer, version = node.output, node, node._output_version
    else:
        data, producer, version = tensor._data, tensor.grad_fn, tensor._version
        if id(tensor) in getattr(node, "_output_ids", ()):
            producer = node  # a saved output is named after the node that made it
    where = f", which is output 0 of {_backward_name(producer)}," if producer is not None else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{_tensor_type_name(data)}]{where} is at version {version}; expected version "
        f"{expected} instead. {MODIFIED_HINT}"
    )


def _saved_versions(saved: tuple, inputs: tuple) -> tuple:
    """``(tensor, version)`` for each input whose array the node saved, as PyTorch's saved variables record."""
    refs = []
    for t in inputs:
        data = t._data
        for s in saved:
            if s is data:
                refs.append((t, t._version))
                break
    return tuple(refs)


def _check_versions(node: Function) -> None:
    """PyTorch's error when a tensor this node saved was modified in place after it was saved."""
    for t, v in node._versions or ():
        if t._version != v:
            raise RuntimeError(_modified_message(t, v, node))
    if node._output_version:
        output = node.output
        for s in node.saved_tensors:
            if s is output:
                raise RuntimeError(_modified_message(None, 0, node))


def _run_hooks(hooks: dict, grad: Any, like: Any) -> Any:
    """Call tensor hooks in registration order; a hook's non-None return value replaces the gradient."""
    on_arrays = type(grad) is _ndarray or isinstance(grad, (_ndarray, np.generic))
    g = _wrap_like(like, np.asarray(grad)) if on_arrays else grad
    for hook in list(hooks.values()):
        result = hook(g)
        if result is not None:
            g = result
    return g._data if on_arrays else g


def run_backward(
    roots: Sequence[Any],
    root_grads: Sequence[Any],
    retain_graph: bool = False,
    capture: dict | None = None,
    accumulate: bool = True,
    create_graph: bool = False,
) -> list:
    """Propagate ``root_grads`` from the nodes ``roots`` to every leaf in one pass.

    Nodes are visited in decreasing creation order, which is topological: every node is created after
    the nodes that produced its inputs. While only one node waits (a chain of ops) it is held aside
    rather than in the heap. ``capture`` maps nodes to slots: the gradient reaching each is
    returned in a list instead of (for leaves, when ``accumulate`` is False) being added into
    ``.grad``. With ``create_graph`` the gradients are Tensors and every step records history.
    """
    grads: dict = {}
    heap: list = []
    leaves: list = []
    for node, g in zip(roots, root_grads):
        prev = grads.get(node)
        if prev is None:
            grads[node] = g
            if type(node) is AccumulateGrad:
                leaves.append(node)
            else:
                _heappush(heap, (-node._seq, id(node), node))
        else:
            grads[node] = prev + g
    captured: list = [None] * (len(capture) if capture else 0)
    previous_mode = _state.enabled
    _state.enabled = create_graph
    token = _fp_set(_FP_QUIET)  # PyTorch prints no floating-point warnings in backward
    waiting = heap.pop()[2] if len(heap) == 1 else None  # the one node ready to run while the heap is empty
    try:
        while True:
            if waiting is not None:
                node = waiting
                waiting = None
            elif heap:
                node = _heappop(heap)[2]
            else:
                break
            g = grads.pop(node)
            if node._hooks:
                g = _run_hooks(node._hooks, g, node.inputs[0])
            if capture is not None and node in capture:
                slot = capture[node]
                captured[slot] = g if captured[slot] is None else captured[slot] + g
            if node._freed:
                raise RuntimeError(FREED_MESSAGE)
            versions = node._versions
            if versions:
                for t, v in versions:
                    if t._version != v:
                        raise RuntimeError(_modified_message(t, v, node))
            if node._output_version:
                _check_versions(node)
            node.grad = g
            if node._retained is not None:
                retained = node._retained()  # a weak reference: the graph does not keep its outputs alive
                if retained is not None:
                    retained._accumulate_retained(g)
            results = node.backward(g) if not create_graph else node._backward_on_tensors(g)
            if type(results) is not tuple:
                results = (results,)
            for (nxt, _), r, shape in zip(node.next_functions, results, node._shapes):
                if nxt is None or r is None:
                    continue
                if r.shape != shape:
                    r = unbroadcast(r, shape)
                prev = grads.get(nxt)
                if prev is None:
                    grads[nxt] = r
                    if type(nxt) is AccumulateGrad:
                        leaves.append(nxt)
                    elif waiting is None and not heap:
                        waiting = nxt
                    else:
                        if waiting is not None:
                            _heappush(heap, (-waiting._seq, id(waiting), waiting))
                            waiting = None
                        _heappush(heap, (-nxt._seq, id(nxt), nxt))
                else:
                    grads[nxt] = prev + r
            if not retain_graph and node.saved_tensors:
                node.saved_tensors = ()
                node._freed = True
        for leaf in leaves:
            g = grads.pop(leaf)
            variable = leaf.variable
            if variable._hooks:
                g = _run_hooks(variable._hooks, g, variable)
            if capture is not None and leaf in capture:
                slot = capture[leaf]
                captured[slot] = g if captured[slot] is None else captured[slot] + g
                if not accumulate:
                    continue
            leaf.grad = g
            if accumulate:
                leaf.accumulate(g)
    finally:
        _state.enabled = previous_mode
        _fp_reset(token)
    return captured


# -------------------------------------------------------------------------------- entry points


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "_data") and hasattr(x, "_grad_node")


def _as_tuple(x: Any) -> tuple | None:
    if x is None:
        return None
    if _is_tensor(x):
        return (x,)
    return tuple(x)


def _shape_text(shape: tuple) -> str:
    return f"torch.Size({list(shape)})"  # as the engine prints a shape (engine.Size)


def _root_grads(outputs: tuple, grad_outputs: tuple | None, create_graph: bool) -> tuple[list, list]:
    """The starting gradient of each output: ``grad_outputs``, or 1 for one-element outputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    roots, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not _is_tensor(out):
            raise TypeError(f"backward expects Tensors, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        data = out._data
        if g is None:
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = unit_gradient(data)
            if create_graph:
                g = _wrap_like(out, g)
        else:
            if _is_tensor(g):
                if not create_graph:
                    g = g._data
            else:
                g = np.asarray(g, dtype=data.dtype)
                if create_graph:
                    g = _wrap_like(out, g)
            if g.shape != data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {_shape_text(tuple(g.shape))} and "
                    f"output[{i}] has a shape of {_shape_text(data.shape)}."
                )
        roots.append(out._grad_node())
        grads.append(g)
    return roots, grads


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the graph's leaves (``torch.autograd.backward``).

    Parameters
    ----------
    tensors : Tensor or sequence of Tensors
        The outputs to differentiate.
    grad_tensors : Tensor or sequence, optional
        The vectors of the vector-Jacobian products; ``None`` for one-element outputs.
    retain_graph : bool, optional
        Keep saved values so the graph can be differentiated again; defaults to ``create_graph``.
    create_graph : bool, default False
        Record the backward pass itself, so that the gradients can be differentiated again.
    inputs : sequence of Tensors, optional
        Accumulate only into these tensors.
    """
    outputs = _as_tuple(tensors)
    assert outputs is not None
    roots, grads = _root_grads(outputs, _as_tuple(grad_tensors), create_graph)
    retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
    if inputs is not None:
        targets = _as_tuple(inputs)
        assert targets is not None
        capture = {t._grad_node(): i for i, t in enumerate(targets)}
        captured = run_backward(roots, grads, retain, capture=capture, accumulate=False, create_graph=create_graph)
        for t, g in zip(targets, captured):
            if g is not None:
                t._accumulate_retained(g)
        return
    run_backward(roots, grads, retain, create_graph=create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated
    (``torch.autograd.grad``). With ``create_graph=True`` the results record history, so they can be
    differentiated again (second derivatives)."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    assert outs is not None and ins is not None
    for t in ins:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, grads = _root_grads(outs, _as_tuple(grad_outputs), create_graph)
    retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
    capture: dict = {}
    for i, t in enumerate(ins):
        capture.setdefault(t._grad_node(), i)
    captured = run_backward(roots, grads, retain, capture=capture, accumulate=False, create_graph=create_graph)
    result: list = []
    for i, t in enumerate(ins):
        g = captured[capture[t._grad_node()]]
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        if g is None:
            result.append(None)
        elif _is_tensor(g):
            result.append(g if g._data.dtype == t._data.dtype else g.to(t._data.dtype))
        else:
            result.append(_wrap_like(t, np.array(g, dtype=t._data.dtype)))
    return tuple(result)


def register_tensor_hook(tensor: Any, hook: Callable) -> RemovableHandle:
    """``tensor.register_hook(hook)``: on the grad_fn of a non-leaf, on the tensor itself for a leaf."""
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    owner = tensor.grad_fn if tensor.grad_fn is not None else tensor
    hooks = owner._hooks
    if hooks is None:
        hooks = owner._hooks = _Hooks()
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle
