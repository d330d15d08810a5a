"""Backward-graph nodes and the backward pass.

A differentiable primitive is one small class whose name is PyTorch's grad_fn name, with its forward
and backward side by side::

    class MulBackward0(Function):
        symbol = "×"
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b
        def backward(self, grad):
            a, b = self.saved_tensors
            return grad * b, grad * a

``MulBackward0.apply(x, y)`` runs ``forward`` on the tensors' arrays and, only when grad mode is on and
some input requires grad, keeps the node as the result's ``grad_fn``. Gradients of broadcast inputs are
summed back to the input's shape by the engine, so ``backward`` may return them in the output's shape.
"""

import numpy as np

from . import grad_mode

__all__ = ["AccumulateGrad", "Function", "run_backward"]

_state = grad_mode._state

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward."
)


class Node:
    """Common base of backward nodes: ``name()``, ``next_functions`` and PyTorch's repr."""

    __slots__ = ()
    next_functions = ()

    @classmethod
    def name(cls):
        return cls.__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"


class AccumulateGrad(Node):
    """The node that ends every path at a leaf that requires grad; it adds into ``variable.grad``."""

    __slots__ = ("__weakref__", "grad", "variable")

    def __init__(self, variable):
        self.variable = variable
        self.grad = None  # the gradient that last arrived here, for engine.graph.trace

    def accumulate(self, grad):
        leaf = self.variable
        if grad.dtype != leaf._data.dtype:
            grad = grad.astype(leaf._data.dtype)
        if leaf._grad is None:
            # Own the array: the same gradient object may have been handed to several inputs.
            leaf._grad = _wrap(np.array(grad, copy=True))
        elif _state.enabled:
            leaf._grad = _wrap(leaf._grad._data + grad)
        else:
            leaf._grad._data += grad


class Function(Node):
    """Base class of differentiable operations; each subclass is both the op and its grad_fn node.

    Attributes set by ``apply`` when history is recorded: ``next_functions`` (PyTorch's tuple of
    ``(node, 0)`` pairs, ``None`` for inputs that don't require grad), ``needs_input_grad``,
    ``inputs`` (the input tensors, kept so the graph can be traced and drawn) and ``output`` (the
    result's array, for the same reason). After a backward, ``grad`` is the gradient that reached
    this node's output.
    """

    symbol = "?"  # the operator as the graph view shows it
    saved_tensors = ()
    grad = None
    _freed = False
    _retained = None

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays

    def forward(self, *arrays, **attrs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **attrs):
        node = _new(cls)
        out = node.forward(*[t._data for t in inputs], **attrs)
        if type(out) is not _ndarray:
            out = np.asarray(out)
        result = _new(_Tensor)
        result._data = out
        if _state.enabled:
            needs = tuple([t._requires_grad for t in inputs])
            if True in needs:
                node.inputs = inputs
                node.output = out
                node.needs_input_grad = needs
                node.next_functions = tuple([(t._grad_node(), 0) for t in inputs])
                node._shapes = tuple([t._data.shape for t in inputs])
                result.grad_fn = node
                result._requires_grad = True
        return result


_new = object.__new__
_ndarray = np.ndarray
_Tensor = None  # engine.tensor.Tensor, set when that module loads


def _wrap(array):
    t = _new(_Tensor)
    t._data = array
    return t


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``, undoing NumPy/PyTorch broadcasting."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _topological_order(roots):
    """Nodes reachable from ``roots``, each before every node it feeds into (one DFS, as micrograd)."""
    order = []
    seen = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, edges = stack[-1]
            for nxt, _ in edges:
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def run_backward(roots, root_grads, retain_graph=False, capture=None, accumulate=True):
    """Propagate ``root_grads`` from the nodes ``roots`` to every leaf in one topological pass.

    ``capture`` maps nodes to slots: the gradient reaching each is returned in a list instead of (for
    leaves, when ``accumulate`` is False) being added into ``.grad``. Used by ``autograd.grad``.
    """
    grads = {}
    for node, g in zip(roots, root_grads):
        prev = grads.get(node)
        grads[node] = g if prev is None else prev + g
    captured = [None] * (len(capture) if capture else 0)
    for node in _topological_order(list(grads)):
        g = grads.pop(node, None)
        if g is None:
            continue
        if capture is not None and node in capture:
            slot = capture[node]
            captured[slot] = g if captured[slot] is None else captured[slot] + g
            if not accumulate and isinstance(node, AccumulateGrad):
                continue
        if type(node) is AccumulateGrad:
            node.grad = g
            if accumulate:
                node.accumulate(g)
            continue
        if node._freed:
            raise RuntimeError(FREED_MESSAGE)
        node.grad = g
        if node._retained is not None:
            retained = node._retained()  # a weak reference: the graph does not keep its outputs alive
            if retained is not None:
                retained._accumulate_retained(g)
        results = node.backward(g)
        if type(results) is not tuple:
            results = (results,)
        for (nxt, _), r, shape in zip(node.next_functions, results, node._shapes):
            if nxt is None or r is None:
                continue
            if r.shape != shape:
                r = unbroadcast(r, shape)
            prev = grads.get(nxt)
            grads[nxt] = r if prev is None else prev + r
        if not retain_graph and node.saved_tensors:
            node.saved_tensors = ()
            node._freed = True
    return captured
