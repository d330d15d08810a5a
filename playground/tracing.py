"""The computational graph of the model being trained, for the Graph view. Qt-free.

Two views of the same model:

* **sample mode**: one point's computation, as the tutorials draw it. For the linear model with
  x = 1, y = 2 and w = 1 it is seed 000's least-squares graph: ŷ = w·x, then ŷ − y, squared. The
  leaves are named x, y, w and b; scalars stay scalars (the MLP's layers are vectors);
* **batch mode**: the whole batch, as the trainer computes it (``X @ w + b``, a mean over the
  points, an MLP's layers as matrix products).

Both are built from *copies* of the current parameters, as fresh named leaves, so tracing never
touches the trainer's gradients or its optimizer and may run on any thread. The result is an
:class:`engine.graph.Trace` (a :class:`ModelTrace`) with, in addition, what the Graph view needs:
the groups that draw a Linear layer's matrix product and bias add as one box, the contribution
of every edge to its source's gradient (upstream × local, as the engine's backward computed it),
and which leaves are the model's parameters.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

import engine
from engine.function import unbroadcast
from engine.graph import Trace, trace
from engine.nn import functional as F

__all__ = [
    "BATCH",
    "SAMPLE",
    "Group",
    "ModelTrace",
    "TraceBuilder",
    "trace_batch",
    "trace_model",
    "trace_sample",
    "trace_trainer",
]

SAMPLE = "sample"
BATCH = "batch"
MODES = (SAMPLE, BATCH)

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Group:
    """Op nodes that can be drawn as one box: a Linear layer's matrix product and bias add.

    Attributes
    ----------
    name : str
        The layer's name, e.g. ``"hidden1"``.
    title : str
        What the collapsed box shows, e.g. ``"Linear hidden1 1→16"``.
    members : tuple of int
        The op nodes inside, inputs before the ops that use them.
    output : int
        The member whose value leaves the group (the bias add).
    inputs : tuple of (int, int)
        ``(source node id, edge index)`` for each node feeding the group from outside; the edge
        (an index into ``Trace.edges``) is the one whose local gradient labels the group's edge.
    """

    name: str
    title: str
    members: tuple
    output: int
    inputs: tuple


@dataclass(frozen=True)
class ModelTrace(Trace):
    """A :class:`engine.graph.Trace` of the loss, with what the Graph view adds to it.

    Attributes
    ----------
    mode : {"sample", "batch"}
    sample : int or None
        The point traced in sample mode.
    groups : tuple of Group
    contributions : tuple
        One entry per edge (aligned with ``edges``): the array that edge added to its source's
        gradient in the backward pass (upstream gradient pushed through the local derivative), or
        None where no gradient flows (into data).
    parameters : tuple of (int, str, tuple or None)
        ``(node id, parameter name, index)`` for every parameter leaf; ``index`` is the element of
        the parameter a scalar leaf stands for (sample mode), None for the whole parameter.
    loss_name : str
        The loss function's key in :data:`playground.trainer.LOSSES`.
    model_name : str
        The model's key in :data:`playground.trainer.MODELS`.
    epoch : int or None
        The epochs the trainer had completed when traced (None when traced from bare parameters).
    """

    mode: str = SAMPLE
    sample: int | None = None
    groups: tuple = ()
    contributions: tuple = ()
    parameters: tuple = ()
    loss_name: str = ""
    model_name: str = ""
    epoch: int | None = None

    @property
    def layout_key(self):
        """Equal for traces that draw the same boxes and edges (values aside)."""
        return (
            self.mode,
            self.signature,
            tuple(n.label for n in self.nodes),
            tuple((g.name, g.members) for g in self.groups),
        )

    @property
    def loss(self) -> float:
        """The value of the root (the loss)."""
        return float(np.asarray(self.nodes[self.root].value, dtype=np.float64).reshape(-1)[0])

    def group_of(self, node_id):
        """The :class:`Group` that ``node_id`` belongs to, or None."""
        for group in self.groups:
            if node_id in group.members:
                return group
        return None

    def parameter_of(self, node_id):
        """``(parameter name, index)`` if ``node_id`` is a parameter leaf, else None."""
        for nid, name, index in self.parameters:
            if nid == node_id:
                return name, index
        return None

    def backward_order(self):
        """Node ids in the order a backward pass finalises their gradients: the loss first, leaves last.

        Each node comes after every node it feeds (a reverse topological order), so when a node
        is reached every contribution to its gradient is known.
        """
        return tuple(range(len(self.nodes) - 1, -1, -1))

    def accumulated_gradient(self, node_id):
        """∂L/∂node as the sum of the contributions of its uses (the root's is 1); None for data."""
        node = self.nodes[node_id]
        if node_id == self.root:
            return np.ones_like(node.value)
        if node.kind == "data":
            return None
        total = None
        for i, edge in enumerate(self.edges):
            if edge.source != node_id:
                continue
            c = self.contributions[i] if i < len(self.contributions) else None
            if c is None:
                continue
            total = np.array(c, copy=True) if total is None else total + c
        return total


# ------------------------------------------------------------------------------------ building


def _leaf(value, name, requires_grad=False):
    t = engine.tensor_from_array(np.array(value, dtype=np.float32), requires_grad=requires_grad)
    t.name = name
    return t


def _param(params, name):
    if name not in params:
        raise ValueError(f"the parameters have no {name!r} (they are {', '.join(params) or 'empty'})")
    return np.asarray(params[name], dtype=np.float32)


def _activation(name):
    return {"tanh": engine.tanh, "relu": engine.relu, "sigmoid": engine.sigmoid}[name]


def _loss_head(config, prediction, target, reduce):
    """The loss of ``prediction`` against ``target`` as engine ops.

    For the whole batch (``reduce``) it is exactly the trainer's loss function (PyTorch's fused
    nodes such as ``MseLossBackward0``). For one sample the squared and absolute errors are spelled
    out as the tutorials draw them, ``(ŷ − y)²`` and ``|ŷ − y|``; Huber and binary cross-entropy
    stay one node each, unreduced.
    """
    kind = config.loss
    if reduce:
        if kind == "mse":
            return F.mse_loss(prediction, target)
        if kind == "sse":
            return F.mse_loss(prediction, target, reduction="sum")
        if kind == "mae":
            return F.l1_loss(prediction, target)
        if kind == "huber":
            return F.huber_loss(prediction, target)
        return F.binary_cross_entropy(prediction, target)
    if kind in ("mse", "sse"):
        return (prediction - target) ** 2
    if kind == "mae":
        return engine.abs(prediction - target)
    if kind == "huber":
        return F.huber_loss(prediction, target, reduction="none")
    return F.binary_cross_entropy(prediction, target, reduction="none")


def _power_label(k):
    return "x" if k == 1 else "x" + str(k).translate(_SUPERSCRIPTS)


def _build_sample(config, params, x, y):
    """One point's loss from fresh leaves; returns (loss, parameter leaves [(tensor, name, index)], groups)."""
    x32 = np.float32(x)
    target_value = np.float32(y)
    leaves = []
    layers = []
    if config.model == "mlp":
        h = _leaf([x32], "x")
        act = _activation(config.activation)
        names = [f"hidden{i}" for i in range(1, len(config.hidden) + 1)] + ["output"]
        for layer in names:
            w = _leaf(_param(params, f"{layer}.weight"), f"{layer}.weight", True)
            b = _leaf(_param(params, f"{layer}.bias"), f"{layer}.bias", True)
            leaves += [(w, f"{layer}.weight", None), (b, f"{layer}.bias", None)]
            h = w @ h + b
            layers.append((layer, w.shape[1], w.shape[0]))
            if layer != "output":
                h = act(h)
        prediction = h
        target = _leaf([target_value], "y")
    else:
        w_all = _param(params, "w").reshape(-1)
        if config.model == "polynomial":
            terms = []
            for k in range(1, len(w_all) + 1):
                wk = _leaf(w_all[k - 1], "w" + str(k).translate(_SUBSCRIPTS), True)
                leaves.append((wk, "w", (k - 1, 0)))
                with np.errstate(over="ignore", invalid="ignore"):
                    feature = _leaf(x32**k, _power_label(k))
                terms.append(wk * feature)
            z = terms[0] if len(terms) == 1 else engine.stack(terms).sum()
        else:
            w = _leaf(w_all[0], "w", True)
            leaves.append((w, "w", (0, 0)))
            z = w * _leaf(x32, "x")
        if "b" in params:
            b = _leaf(_param(params, "b").reshape(-1)[0], "b", True)
            leaves.append((b, "b", (0, 0)))
            z = z + b
        prediction = engine.sigmoid(z) if config.model == "sigmoid" else z
        target = _leaf(target_value, "y")
    return _loss_head(config, prediction, target, reduce=False), leaves, layers


def _features(config, xs):
    x = np.asarray(xs, dtype=np.float32).reshape(-1, 1)
    if config.model == "polynomial":
        with np.errstate(over="ignore", invalid="ignore"):
            return np.concatenate([x**k for k in range(1, config.degree + 1)], axis=1)
    return np.ascontiguousarray(x)


def _build_batch(config, params, points):
    """The whole batch's loss from fresh leaves, as the trainer computes it."""
    xs, ys = points[:, 0], points[:, 1:2]
    leaves = []
    layers = []
    if config.model == "mlp":
        h = _leaf(xs.reshape(-1, 1), "X")
        act = _activation(config.activation)
        names = [f"hidden{i}" for i in range(1, len(config.hidden) + 1)] + ["output"]
        for layer in names:
            w = _leaf(_param(params, f"{layer}.weight"), f"{layer}.weight", True)
            b = _leaf(_param(params, f"{layer}.bias"), f"{layer}.bias", True)
            leaves += [(w, f"{layer}.weight", None), (b, f"{layer}.bias", None)]
            h = F.linear(h, w, b)
            layers.append((layer, w.shape[1], w.shape[0]))
            if layer != "output":
                h = act(h)
        prediction = h
    else:
        w = _leaf(_param(params, "w"), "w", True)
        leaves.append((w, "w", None))
        z = _leaf(_features(config, xs), "X") @ w
        if "b" in params:
            b = _leaf(_param(params, "b"), "b", True)
            leaves.append((b, "b", None))
            z = z + b
        prediction = engine.sigmoid(z) if config.model == "sigmoid" else z
    target = _leaf(ys, "y")
    return _loss_head(config, prediction, target, reduce=True), leaves, layers


def _function_of_node(result, loss):
    """Map the trace's op node ids to the engine's Function objects, walking both graphs from the root."""
    fns = {result.root: loss.grad_fn}
    stack = [result.root]
    while stack:
        nid = stack.pop()
        fn = fns[nid]
        for src, tensor in zip(result.nodes[nid].inputs, fn.inputs):
            if tensor.grad_fn is not None and src not in fns:
                fns[src] = tensor.grad_fn
                stack.append(src)
    return fns


def _contributions(result, loss):
    """What each edge added to its source's gradient, recomputed with the engine's own backward."""
    fns = _function_of_node(result, loss)
    pushed = {}
    out = []
    for edge in result.edges:
        source = result.nodes[edge.source]
        if source.kind == "data":
            out.append(None)
            continue
        if edge.target not in pushed:
            fn = fns[edge.target]
            with np.errstate(all="ignore"):
                grads = fn.backward(fn.grad)
            pushed[edge.target] = grads if isinstance(grads, tuple) else (grads,)
        g = pushed[edge.target][edge.index]
        if g is None:
            out.append(None)
            continue
        g = np.asarray(g)
        if g.shape != source.shape:
            g = unbroadcast(g, source.shape)
        out.append(np.array(g, copy=True))
    return tuple(out)


def _groups(result, layers):
    """Find each Linear layer's ops in the trace: from its weight leaf, along the uses, to the op
    that adds its bias (``W @ h`` then ``+ b`` in sample mode; ``Wᵀ`` then ``Addmm`` in batch mode)."""
    ids = {n.label: n.id for n in result.nodes}
    consumer = {}
    for e in result.edges:
        consumer.setdefault(e.source, e.target)
    groups = []
    for name, n_in, n_out in layers:
        weight, bias = ids.get(f"{name}.weight"), ids.get(f"{name}.bias")
        if weight not in consumer or bias not in consumer:
            continue
        members = [consumer[weight]]
        while members[-1] != consumer[bias] and members[-1] in consumer and len(members) < 4:
            members.append(consumer[members[-1]])
        if members[-1] != consumer[bias]:
            continue
        inputs = []
        for i, e in enumerate(result.edges):
            if e.target in members and e.source not in members:
                if result.nodes[e.target].op == "TBackward0":
                    # Wᵀ only transposes: label W's edge with the local gradient of the product.
                    i = next(k for k, f in enumerate(result.edges) if f.source == e.target and f.target in members)
                inputs.append((e.source, i))
        groups.append(Group(name, f"Linear {name} {n_in}→{n_out}", tuple(sorted(members)), members[-1], tuple(inputs)))
    return tuple(groups)


def _finish(config, loss, leaves, layers, mode, sample):
    with np.errstate(all="ignore"):
        loss.backward(retain_graph=True)
    result = trace(loss)
    ids = {n.label: n.id for n in result.nodes}
    parameters = tuple(sorted((ids[t.name], name, index) for t, name, index in leaves if t.name in ids))
    return ModelTrace(
        nodes=result.nodes,
        edges=result.edges,
        root=result.root,
        signature=result.signature,
        mode=mode,
        sample=sample,
        groups=_groups(result, layers) if layers else (),
        contributions=_contributions(result, loss),
        parameters=parameters,
        loss_name=config.loss,
        model_name=config.model,
    )


def _points(points):
    a = np.asarray(points, dtype=np.float64)
    if a.size == 0:
        return np.zeros((0, 2))
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), not {a.shape}")
    return a


def trace_sample(config, params, points, index=0):
    """Trace one point's loss.

    Parameters
    ----------
    config : playground.trainer.Config
    params : dict
        Parameter name -> array (a :class:`~playground.trainer.Snapshot`'s ``params``).
    points : array_like, shape (N, 2)
    index : int
        The point; out-of-range indices fall back to point 0.

    Returns
    -------
    ModelTrace or None
        None when there are no points.
    """
    points = _points(points)
    if not len(points):
        return None
    index = int(index) if index is not None and 0 <= int(index) < len(points) else 0
    with engine.enable_grad():
        loss, leaves, layers = _build_sample(config, params, points[index, 0], points[index, 1])
        return _finish(config, loss, leaves, layers, SAMPLE, index)


def trace_batch(config, params, points):
    """Trace the loss over all the points, as one full-batch training step computes it.

    Returns None when there are no points. See :func:`trace_sample` for the parameters.
    """
    points = _points(points)
    if not len(points):
        return None
    with engine.enable_grad():
        loss, leaves, layers = _build_batch(config, params, points)
        return _finish(config, loss, leaves, layers, BATCH, None)


def trace_model(config, params, points, mode=SAMPLE, index=0):
    """:func:`trace_sample` or :func:`trace_batch`, by ``mode``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == BATCH:
        return trace_batch(config, params, points)
    return trace_sample(config, params, points, index)


def trace_trainer(trainer, mode=SAMPLE, index=0):
    """Trace ``trainer``'s current model on its points, leaving the trainer untouched.

    Reads copies of the parameters; the trainer's gradients, optimizer state and history are not
    changed. Call it on the thread that owns the trainer. The trace's ``epoch`` is the trainer's.
    """
    params = {name: np.array(p._data, copy=True) for name, p in trainer.model.named_parameters()}
    result = trace_model(trainer.config, params, trainer.points, mode, index)
    if result is not None:
        result = dataclasses.replace(result, epoch=trainer.epoch)
    return result


class TraceBuilder:
    """``builder(trainer, sample_index) -> ModelTrace or None``, called by the training worker.

    The worker calls it whenever it publishes a snapshot (up to ~60 times a second). To keep
    training fast, the builder spends at most about :attr:`budget` of the worker's time on
    traces: after a trace that took *d* seconds it returns None (no new trace; the view keeps the
    last one) for the next *d* / budget seconds. A sample trace of the largest MLP takes about a
    millisecond, so sample mode follows every snapshot; a batch trace of 200 points through it
    takes several, so batch mode refreshes a few times less often while playing. :meth:`refresh`
    makes the next call build a trace whatever the time (the view asks for it when training
    stops, so the graph always shows the final state).

    Attributes
    ----------
    mode : {"sample", "batch"}
        Set by the Graph view (from the GUI thread).
    budget : float
        The fraction of the worker's time that traces may take.
    last_seconds : float
        How long the last trace took to build.
    """

    def __init__(self, mode=SAMPLE, budget=0.1):
        self.mode = mode
        self.budget = budget
        self.last_seconds = 0.0
        self._next_time = 0.0
        self._forced = True

    def refresh(self):
        """Build a trace at the next call, even if the time budget says wait."""
        self._forced = True

    def __call__(self, trainer, sample_index):
        now = time.perf_counter()
        if not self._forced and now < self._next_time:
            return None
        self._forced = False
        result = trace_trainer(trainer, self.mode, sample_index)
        done = time.perf_counter()
        self.last_seconds = done - now
        self._next_time = now + self.last_seconds / max(self.budget, 1e-3)
        return result
