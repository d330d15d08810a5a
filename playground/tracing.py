"""The computational graph of the model being trained, for the Graph view. Qt-free.

A trace is a real forward pass: the model of :mod:`playground.models` (the very class the trainer
trains) and its loss function run on the points, then backward, and :func:`engine.graph.trace`
snapshots the graph. Two views:

* **sample mode**: one point's loss, the model run on that point alone. For the linear model with
  x = 1, y = 2 and w = 1 it is seed 000's least-squares graph: ŷ = x·w, and the squared error 1;
* **batch mode**: the whole batch, exactly as a full-batch training step computes it.

Both run on a fresh model holding *copies* of the current parameters, so tracing never touches
the trainer's gradients or its optimizer and may run on any thread. The result is an
:class:`engine.graph.Trace` (a :class:`ModelTrace`) with, in addition, what the Graph view needs:
the groups that draw a Linear layer's matrix product and bias add as one box, and which leaves
are the model's parameters. Each edge carries the contribution it made to its source's gradient,
as the engine's own backward computed it.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

import engine
from engine import nn
from engine.graph import Trace, trace
from playground.datasets import training_points
from playground.models import MODELS, build_loss, build_model, model_data

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
    parameters : tuple of (int, str, tuple or None)
        ``(node id, parameter name, index)`` for every parameter leaf; ``index`` is the element of
        the parameter a scalar leaf stands for (sample mode), None for the whole parameter.
    loss_name : str
        The loss function's key in :data:`playground.models.LOSSES`.
    model_name : str
        The model's key in :data:`playground.models.MODELS`.
    epoch : int or None
        The epochs the trainer had completed when traced (None when traced from bare parameters).
    """

    mode: str = SAMPLE
    sample: int | None = None
    groups: tuple = ()
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
        for edge in self.edges:
            if edge.source != node_id:
                continue
            c = edge.contribution
            if c is None:
                continue
            total = np.array(c, copy=True) if total is None else total + c
        return total


# ------------------------------------------------------------------------------------ building


def _model_with(config, params):
    """A model of ``config``'s kind holding copies of ``params`` (name -> array)."""
    model = build_model(config)
    expected = [name for name, _ in model.named_parameters()]
    for name in expected:
        if name not in params:
            raise ValueError(f"the parameters have no {name!r} (they are {', '.join(params) or 'empty'})")
    model.load_state_dict({name: np.asarray(params[name], dtype=np.float32) for name in expected})
    return model


def _layers(model):
    """``(name, inputs, outputs)`` of each Linear layer, for grouping its ops into one box."""
    return [(name, m.in_features, m.out_features) for name, m in model.named_children() if isinstance(m, nn.Linear)]


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


def _trace(config, params, points, mode, sample):
    """Run the model's own forward pass and loss on ``points`` from fresh copies of ``params``, and trace it."""
    model = _model_with(config, params)
    if mode == BATCH:
        points = training_points(points, config)
    x, y = model_data(config, points)
    with engine.enable_grad(), np.errstate(all="ignore"):
        loss = build_loss(config, model)(model(x), y)
        loss.backward(retain_graph=True)
    result = trace(loss, names={x: "X" if mode == BATCH else "x", y: "y"}, module=model)
    features = MODELS[config.model].features
    if features is not None:
        label = features(config)
        nodes = tuple(
            dataclasses.replace(n, label=label) if n.kind == "data" and n.label not in ("x", "X", "y") else n
            for n in result.nodes
        )
        result = dataclasses.replace(result, nodes=nodes)
    names = {name for name, _ in model.named_parameters()}
    parameters = tuple((n.id, n.label, None) for n in result.nodes if n.kind == "parameter" and n.label in names)
    layers = _layers(model)
    return ModelTrace(
        nodes=result.nodes,
        edges=result.edges,
        root=result.root,
        signature=result.signature,
        mode=mode,
        sample=sample,
        groups=_groups(result, layers) if layers else (),
        parameters=parameters,
        loss_name=config.loss,
        model_name=config.model,
    )


def _points(points):
    a = np.asarray(points, dtype=np.float64)
    if a.size == 0:
        return np.zeros((0, 2))
    if a.ndim != 2 or a.shape[1] not in (2, 3):
        raise ValueError(f"points must have shape (N, 2) or (N, 3), not {a.shape}")
    return a


def trace_sample(config, params, points, index=0):
    """Trace one point's loss: the model's forward pass and loss on that point alone.

    Parameters
    ----------
    config : playground.config.Config
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
    return _trace(config, params, points[index : index + 1], SAMPLE, index)


def trace_batch(config, params, points):
    """Trace the loss over all the points, as one full-batch training step computes it.

    Returns None when there are no points. See :func:`trace_sample` for the parameters.
    """
    points = _points(points)
    if not len(points):
        return None
    return _trace(config, params, points, BATCH, None)


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
    result = trace_model(trainer.config, trainer.snapshot().params, trainer.points, mode, index)
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
