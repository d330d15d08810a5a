"""The Graph view's local gradients chain into exactly what backward computes, for every op.

Each op's derivative is written once (its ``backward``); the local gradient the Graph view shows on an
edge is derived from it, and so is the edge's ``contribution``. Here every gradient-check case of
``test_ops_gradcheck`` (every op, with generated shapes and values) is run backward with a generated
upstream gradient, and for every node and input the chain rule is applied *as a learner reads the
graph*: upstream × local, summed back to the input's shape (for elementwise ops, full reductions and
fused losses), the upstream gradient routed back to the input's place first (reductions over a dim,
reshapes, permutations, indexing, cat, stack), or a matrix product (the matrix products). The result
must equal the contribution backward made, and the contributions of a node's uses must add up to its
gradient.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ops_gradcheck import CASES, _tensors

import engine
from engine import ops
from engine.function import AccumulateGrad, unbroadcast

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

REDUCE_OVER_DIM = {
    "SumBackward1",
    "MeanBackward1",
    "MaxBackward0",
    "MinBackward0",
    "ProdBackward1",
    "AmaxBackward0",
    "AminBackward0",
    "VarBackward0",
    "StdBackward0",
    "LinalgVectorNormBackward0",
    "LogsumexpBackward0",
}
# Ops whose output elements each depend on many input elements through more than a sum (softmax's
# normalisation, running sums and products, normalisation layers, matrix inverses, gates): their
# local derivative is a Jacobian, not a per-element factor, so there is no chain to check element
# by element. The playground's models use none of them; their gradients are checked against
# central differences in test_ops_gradcheck.
COUPLED = {
    "SoftmaxBackward0",
    "LogSoftmaxBackward0",
    "CumsumBackward0",
    "CumprodBackward0",
    "GluBackward0",
    "NativeLayerNormBackward0",
    "NativeBatchNormBackward0",
    "LinalgInvExBackward0",
    "LinalgSolveExBackward0",
    "PreluKernelBackward0",
}
RESHAPES = {"ViewBackward0", "UnsqueezeBackward0", "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward4"}
PERMUTES = {"PermuteBackward0", "TBackward0", "TransposeBackward0"}
INDEXING = {"SelectBackward0", "SliceBackward0", "IndexBackward0"}


def _route_back(fn, i, upstream, shape):
    """The upstream gradient put back where input ``i``'s elements went (None: elementwise, no routing)."""
    name = type(fn).__name__
    if isinstance(fn, ops._BatchedMatmul):
        return None
    if name in REDUCE_OVER_DIM:
        if fn.keepdim or not shape or fn.dim is None:
            return upstream
        return np.expand_dims(upstream, fn.dim)
    if name == "NllLossBackward0" and fn.reduction == "none" and len(shape) > 1:
        return np.expand_dims(upstream, 1)
    if isinstance(fn, ops._TakeAlong):
        out = np.zeros(shape)
        if shape:
            np.add.at(out, ops._along_axis_index(fn.indices, fn.dim), upstream.reshape(fn.indices.shape))
        return out if shape else upstream
    if name == "MedianBackward0":
        out = np.zeros(shape)
        out[fn.position] = upstream
        return out
    if name in ("IndexSelectBackward0", "EmbeddingBackward0", "MaskedSelectBackward0"):
        return fn.backward(upstream)  # the upstream gradient added at the picked places: that is the routing
    if name == "RepeatBackward0":
        pairs = [n for r, s in zip(fn.repeats, fn.expanded) for n in (r, s)]
        return upstream.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2))).reshape(shape)
    if name == "FlipBackward0":
        return np.flip(upstream, fn.dims) if shape else upstream
    if name == "RollBackward0":
        back = tuple(-k for k in fn.shifts) if isinstance(fn.shifts, tuple) else -fn.shifts
        return np.roll(upstream, back, fn.dims)
    if name in ("DiagonalBackward0", "DiagonalBackward0_copy"):
        out = np.zeros(shape)
        view = np.diagonal(out, fn.offset, fn.dim1, fn.dim2)
        view.setflags(write=True)
        view[...] = upstream
        return out
    if name == "DiagEmbedBackward0":
        return np.diagonal(upstream, fn.offset)
    if name == "ConstantPadNdBackward0":
        return upstream[tuple(slice(lo, lo + n) for n, (lo, _) in zip(shape, fn.pad_width))]
    if name in RESHAPES or (name == "UnsafeViewBackward0" and isinstance(fn, ops._Reshape)):
        return upstream.reshape(shape)
    if name in PERMUTES:
        return np.transpose(upstream, np.argsort(fn.axes))
    if isinstance(fn, ops._Index):
        out = np.zeros(shape)
        np.add.at(out, fn.index, upstream)
        return out
    if isinstance(fn, ops._Scatter):  # the backward of indexing: its own backward indexes
        return upstream[fn.index]
    if name == "CatBackward0":
        return np.split(upstream, fn.splits, axis=fn.dim)[i]
    if name == "StackBackward0":
        return np.moveaxis(upstream, fn.dim, 0)[i]
    if name == "CopySlices" and i == 1:
        return upstream[fn.index]
    return None


def _chain(fn, i, upstream, local, shape):
    """∂L/∂input as the Graph view chains it: upstream (∂L/∂output) with the edge's local gradient."""
    name = type(fn).__name__
    if name in ("MmBackward0", "AddmmBackward0", "BmmBackward0") or isinstance(fn, ops._BatchedMatmul):
        j = i - (name == "AddmmBackward0")
        if j < 0:
            return unbroadcast(upstream * local, shape)
        if isinstance(fn, ops._BatchedMatmul):
            a_shape, b_shape = fn._shapes
            g = upstream
            if len(a_shape) == 1:
                g = np.expand_dims(g, -2)
            if len(b_shape) == 1:
                g = np.expand_dims(g, -1)
            if j == 0:
                return unbroadcast(g @ local, (1, *a_shape) if len(a_shape) == 1 else a_shape).reshape(shape)
            return unbroadcast(local @ g, (*b_shape, 1) if len(b_shape) == 1 else b_shape).reshape(shape)
        return upstream @ local if j == 0 else local @ upstream
    if name == "MvBackward0":
        return np.outer(upstream, local) if i == 0 else local @ upstream
    routed = _route_back(fn, i, upstream, shape)
    if routed is not None:
        return unbroadcast(routed * local, shape)
    return unbroadcast(upstream * local, shape)


def _nodes(out):
    seen, stack, found = set(), [out.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or isinstance(fn, AccumulateGrad):
            continue
        seen.add(id(fn))
        found.append(fn)
        stack.extend(n for n, _ in fn.next_functions)
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@SETTINGS
@given(data=st.data())
def test_local_gradients_chain_into_backward(case, data):
    arrays, options = data.draw(case.inputs, label="inputs")
    out = case.fn(*_tensors(arrays), **options)
    upstream = data.draw(
        st.lists(st.floats(-2, 2, allow_subnormal=False), min_size=out.numel(), max_size=out.numel()), label="upstream"
    )
    out.backward(engine.tensor(np.reshape(upstream, tuple(out.shape)), dtype=engine.float64), retain_graph=True)
    checked = 0
    for fn in _nodes(out):
        if type(fn).__name__ in COUPLED:
            continue
        local = fn.local_grads()
        contributions = fn.contributions()
        assert len(local) == len(contributions) == len(fn.inputs)
        for i, (t, lg, c) in enumerate(zip(fn.inputs, local, contributions)):
            if c is None:
                continue
            chained = _chain(fn, i, np.asarray(fn.grad), lg, t._data.shape)
            np.testing.assert_allclose(chained, c, rtol=1e-9, atol=1e-12, err_msg=f"{type(fn).__name__} input {i}")
            checked += 1
    assert checked or all(type(fn).__name__ in COUPLED for fn in _nodes(out))


@pytest.mark.parametrize("case", CASES[::4], ids=[c.id for c in CASES[::4]])
@SETTINGS
@given(data=st.data())
def test_trace_contributions_add_up_to_the_gradients(case, data):
    arrays, options = data.draw(case.inputs, label="inputs")
    tensors = _tensors(arrays)
    out = case.fn(*tensors, **options)
    (out * 1.5).sum().backward(retain_graph=True)
    trace = engine.graph.trace(out)
    for node in trace.nodes:
        if node.grad is None:
            continue
        uses = [e.contribution for e in trace.edges if e.source == node.id and e.contribution is not None]
        if node.id == trace.root or not uses:
            continue
        np.testing.assert_allclose(sum(uses), node.grad, rtol=1e-9, atol=1e-12)
    for e in trace.edges:
        if trace.nodes[e.source].kind == "data":
            assert e.contribution is None


def test_contribution_is_none_before_backward_and_for_data():
    w = engine.tensor([1.0, 2.0], requires_grad=True)
    x = engine.tensor([3.0, 4.0])
    loss = (w * x).sum()
    edges = engine.graph.trace(loss).edges
    assert all(e.contribution is None for e in edges)
    loss.backward()
    trace = engine.graph.trace(loss, names={w: "w", x: "x"})
    into_mul = {trace.nodes[e.source].label: e for e in trace.edges if trace.nodes[e.target].op == "MulBackward0"}
    assert into_mul["x"].contribution is None
    np.testing.assert_array_equal(into_mul["w"].contribution, [3.0, 4.0])  # ∂(Σ w·x)/∂w = x
    np.testing.assert_array_equal(into_mul["x"].local_grad, [1.0, 2.0])  # ∂(w·x)/∂x = w, shown even for data
