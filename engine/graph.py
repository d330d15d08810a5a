"""``trace(root)``: a plain-data snapshot of the computational graph behind a tensor.

The snapshot holds copies (NumPy arrays, strings, tuples) and no engine objects, so it can cross
threads, be drawn by the playground's Graph panel or be exported. Walking the graph from outside the
engine, as micrograd's ``trace_graph`` does, keeps drawing out of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["Trace", "TraceEdge", "TraceNode", "trace"]

PARAMETER, DATA, OP = "parameter", "data", "op"


@dataclass(frozen=True)
class TraceNode:
    """One node: a leaf tensor (``kind`` "parameter" or "data") or an operation ("op").

    ``id`` is the node's position in a deterministic walk (inputs before the ops that use them), so
    the same computation traced again gives the same ids. ``grad`` is ∂root/∂node from the last
    backward through this graph, or ``None`` (never run, or a data leaf, whose gradient autograd
    does not compute).
    """

    id: int
    kind: str
    label: str
    shape: tuple
    value: np.ndarray
    grad: object = None
    op: str | None = None  # grad_fn name, e.g. "MulBackward0"
    symbol: str | None = None  # the operator, e.g. "×"
    formula: tuple = ()  # the local derivatives, one line per input
    inputs: tuple = ()  # ids of the inputs, in argument order

    @property
    def is_leaf(self) -> bool:
        return self.kind != OP

    @property
    def is_scalar(self) -> bool:
        return self.value.size == 1


@dataclass(frozen=True)
class TraceEdge:
    """An input feeding an operation, with the local gradient ∂target/∂source.

    For elementwise ops ``local_grad`` is the exact elementwise derivative, broadcast to the op's
    output shape. For reductions it is the per-element factor (1 for sum, 1/n for mean, the 0/1
    selector for max/min); for matrix products the matrix the upstream gradient is multiplied by
    (Bᵀ for A in A·B, Aᵀ for B); for reshapes and transposes ones (the identity, reshaped). It is
    the op's backward at a unit upstream gradient (see :mod:`engine.ops`).

    ``contribution`` is what this edge added to its source's gradient in the last backward pass:
    the upstream gradient pushed through the local derivative, summed back to the source's shape
    (computed by the op's own backward). It is None where no gradient flows (into data, or before
    any backward); a source's gradient is the sum of the contributions of its outgoing edges.
    """

    source: int
    target: int
    index: int
    local_grad: object = None
    contribution: object = None


@dataclass(frozen=True)
class Trace:
    nodes: tuple
    edges: tuple
    root: int
    signature: tuple = field(default=(), compare=False)

    def node(self, label: str) -> TraceNode:
        """The first node with this label (a leaf's name such as ``"w"``)."""
        for n in self.nodes:
            if n.label == label:
                return n
        raise KeyError(label)

    def edges_into(self, node_id: int) -> list[TraceEdge]:
        return [e for e in self.edges if e.target == node_id]

    def edges_from(self, node_id: int) -> list[TraceEdge]:
        return [e for e in self.edges if e.source == node_id]

    @property
    def layout_key(self) -> tuple:
        """Identifies the graph's structure (same key ⇒ same nodes and edges, values aside)."""
        return self.signature


def _leaf_label(t, names, counters):
    if t.name:
        return t.name
    if id(t) in names:
        return names[id(t)]
    if t._data.size == 1 and not t._requires_grad:
        v = float(t._data.reshape(()))
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"
    kind = "p" if t._requires_grad else "c"
    counters[kind] = counters.get(kind, 0) + 1
    return f"{kind}{counters[kind]}"


def trace(root: Tensor, names: dict | None = None, module: Any = None) -> Trace:
    """Snapshot the graph that produced ``root``.

    Parameters
    ----------
    root : Tensor
        Usually the loss, after ``backward(retain_graph=...)`` or just after ``backward()``.
    names : dict, optional
        ``{tensor: name}`` for leaves without a ``name``.
    module : engine.nn.Module, optional
        Leaves that are its parameters are labelled with their ``named_parameters`` names.

    Returns
    -------
    Trace
        Nodes (inputs before the ops that use them; the root last) and edges with local gradients.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"trace() expects a Tensor, got {type(root).__name__}")
    label_of = {}
    if module is not None:
        for name, p in module.named_parameters():
            label_of[id(p)] = name
    if names:
        for t, name in names.items():
            label_of[id(t)] = name

    ids: dict[int, int] = {}  # id(tensor or node) -> node id
    nodes: list[TraceNode] = []
    edges: list[TraceEdge] = []
    counters: dict[str, int] = {}
    signature = []

    def add_leaf(t):
        key = id(t)
        if key in ids:
            return ids[key]
        kind = PARAMETER if t._requires_grad else DATA
        grad = None
        if kind == PARAMETER:
            acc = t._accumulate_ref() if t._accumulate_ref is not None else None
            g = getattr(acc, "grad", None) if acc is not None else None
            grad = None if g is None else np.array(g, copy=True)
        nid = len(nodes)
        ids[key] = nid
        nodes.append(
            TraceNode(
                nid, kind, _leaf_label(t, label_of, counters), tuple(t._data.shape), np.array(t._data, copy=True), grad
            )
        )
        signature.append((kind, tuple(t._data.shape)))
        return nid

    # Iterative post-order walk over op nodes, inputs in argument order.
    if root.grad_fn is None:
        add_leaf(root)
        return Trace(tuple(nodes), (), 0, tuple(signature))
    stack = [(root.grad_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if id(fn) in ids:
            continue
        if not expanded:
            stack.append((fn, True))
            for t in reversed(fn.inputs):
                if t.grad_fn is not None and id(t.grad_fn) not in ids:
                    stack.append((t.grad_fn, False))
            continue
        input_ids = tuple(ids[id(t.grad_fn)] if t.grad_fn is not None else add_leaf(t) for t in fn.inputs)
        with np.errstate(all="ignore"):
            local = fn.local_grads()
            contributions = fn.contributions()
        nid = len(nodes)
        ids[id(fn)] = nid
        name = type(fn).__name__
        symbol = getattr(fn, "label", None) or fn.symbol
        nodes.append(
            TraceNode(
                nid,
                OP,
                getattr(fn, "node_label", None) or f"{symbol}  {name}",
                tuple(fn.output.shape),
                np.array(fn.output, copy=True),
                None if fn.grad is None else np.array(fn.grad, copy=True),
                name,
                symbol,
                tuple(getattr(fn, "formula", ())),
                input_ids,
            )
        )
        signature.append((name, input_ids))
        for i, src in enumerate(input_ids):
            lg = local[i] if i < len(local) else None
            contribution = contributions[i] if nodes[src].kind != DATA else None
            edges.append(TraceEdge(src, nid, i, lg, contribution))
    return Trace(tuple(nodes), tuple(edges), ids[id(root.grad_fn)], tuple(signature))
