"""Traces for the Graph view (playground.tracing): the tutorials' graphs, and agreement with training.

The expected numbers of the tutorial tests come from the tutorials' text (seed 000: x = 1, y = 2,
w = 1, loss 1, w.grad −2; seed 002: loss 41, W.grad −35, b.grad −12; seed 003: z = W·x + b with
x = 30, ∂z/∂W = 30, ∂z/∂b = 1). The other tests compare the trace with what the trainer itself
computes through ``Trainer.loss_tensor``.
"""

import subprocess
import sys

import numpy as np
import pytest

import engine
from playground.config import Config
from playground.presets import load_preset
from playground.tracing import (
    BATCH,
    SAMPLE,
    ModelTrace,
    TraceBuilder,
    trace_batch,
    trace_model,
    trace_sample,
    trace_trainer,
)
from playground.trainer import Trainer


def _edge(trace, source_label, target_op):
    """The edge from the node labelled ``source_label`` into the op named ``target_op``."""
    source = trace.node(source_label).id
    for e in trace.edges:
        if e.source == source and trace.nodes[e.target].op == target_op:
            return e
    raise AssertionError(f"no edge {source_label} -> {target_op}")


def _op(trace, name):
    ops = [n for n in trace.nodes if n.op == name]
    assert len(ops) == 1, f"expected one {name}, found {len(ops)}"
    return ops[0]


def _fresh_grads(trainer):
    for p in trainer.model.parameters():
        p.grad = None


# ------------------------------------------------------------------------------- the tutorials


def test_seed_000_least_squares_graph():
    preset = load_preset("single-weight")
    trainer = Trainer(preset.config, preset.points)
    trace = trace_trainer(trainer, SAMPLE, 0)

    assert isinstance(trace, ModelTrace) and trace.mode == SAMPLE and trace.sample == 0
    assert [n.label for n in trace.nodes if n.is_leaf] == ["x", "w", "y"]
    assert trace.node("x").value.item() == 1.0 and trace.node("y").value.item() == 2.0
    assert trace.node("w").value.item() == 1.0
    assert trace.loss == 1.0  # "The square of -1 is also 1, which is the loss output"

    # The model's own forward pass: ŷ = x @ w, then the summed squared error.
    product, loss = _op(trace, "MmBackward0"), _op(trace, "MseLossBackward0")
    assert trace.root == loss.id and loss.inputs[0] == product.id
    # Local gradients along the path from the loss back to w: ∂L/∂ŷ = 2(ŷ − y) = −2, ∂ŷ/∂w = x = 1.
    local = {(e.source, e.target): float(e.local_grad.reshape(-1)[0]) for e in trace.edges}
    assert local[(product.id, loss.id)] == -2.0
    assert local[(trace.node("w").id, product.id)] == 1.0
    assert float(trace.node("w").grad.reshape(())) == -2.0  # "This is -2."
    assert trace.node("x").grad is None and trace.node("y").grad is None  # data: no gradient

    # The trainer's own first step computes the same gradient.
    trainer.step()
    assert trainer.model.w.grad.item() == -2.0


def test_seed_003_neuron_local_gradients():
    config = Config(model="sigmoid", loss="mse", init=(("w", 40.0), ("b", 50.0)))
    trace = trace_sample(
        config, {"w": np.array([[40.0]], np.float32), "b": np.array([[50.0]], np.float32)}, np.array([[30.0, 1.0]]), 0
    )
    product, add = _op(trace, "MmBackward0"), _op(trace, "AddBackward0")
    assert float(add.value.reshape(())) == 1250.0  # z "is the tensor of value 1250"
    assert _op(trace, "SigmoidBackward0").inputs == (add.id,)
    dz_dwx = float(_edge(trace, "w", "MmBackward0").local_grad.reshape(()))
    dz_dproduct = next(e.local_grad for e in trace.edges if e.source == product.id and e.target == add.id).item()
    dz_db = float(_edge(trace, "b", "AddBackward0").local_grad.reshape(()))
    assert dz_dwx * dz_dproduct == 30.0  # ∂z/∂W = x = 30
    assert dz_db == 1.0  # ∂z/∂b = 1
    assert float(_edge(trace, "x", "MmBackward0").local_grad.reshape(())) == 40.0  # ∂(x·W)/∂x = W


def test_seed_002_linear_regression_batch():
    preset = load_preset("linear-regression")
    trace = trace_trainer(Trainer(preset.config, preset.points), BATCH)
    assert trace.mode == BATCH and trace.sample is None
    assert trace.loss == 41.0
    assert float(trace.node("w").grad.reshape(())) == -35.0
    assert float(trace.node("b").grad.reshape(())) == -12.0
    assert trace.node("X").shape == (4, 1) and trace.node("y").shape == (4, 1)


# ----------------------------------------------------------------------- agreement with training

CONFIGS = [
    Config(model="linear", loss="mse", init=(("w", 0.3), ("b", -0.2))),
    Config(model="linear", loss="mae", init=(("w", 0.3), ("b", -0.2))),
    Config(model="linear", loss="huber", init=(("w", 0.3), ("b", -0.2))),
    Config(model="linear", loss="sse", bias=False, init=(("w", 1.5),)),
    Config(model="polynomial", degree=1, loss="mse"),
    Config(model="polynomial", degree=5, loss="mse", init=(("w", [[0.1], [-0.2], [0.3], [0.05], [-0.01]]),)),
    Config(model="polynomial", degree=9, loss="huber", init=(("w", [[0.01]] * 9),)),
    Config(model="sigmoid", loss="mse", init=(("w", 0.4), ("b", 0.5))),
    Config(model="sigmoid", loss="bce", init=(("w", 0.4), ("b", 0.5))),
    Config(model="mlp", hidden=(4,), activation="tanh", seed=1),
    Config(model="mlp", hidden=(8, 5), activation="relu", seed=2),
    Config(model="mlp", hidden=(64, 64, 64), activation="sigmoid", seed=3),
]
POINTS = np.array([[-1.0, 0.0], [-0.25, 1.0], [0.5, 1.0], [1.25, 0.0], [2.0, 1.0]])


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.model}-{c.loss}-{c.degree}-{c.hidden}")
def test_batch_trace_is_the_training_computation(config):
    trainer = Trainer(config, POINTS)
    trainer.run(3)
    trace = trace_trainer(trainer, BATCH)
    _fresh_grads(trainer)
    reference = trainer.loss_tensor()
    reference.backward()
    assert trace.epoch == 3
    assert np.float32(trace.loss) == reference._data  # bit for bit
    grads = {name: p.grad._data for name, p in trainer.model.named_parameters()}
    assert {name for _, name, _ in trace.parameters} == set(grads)
    for node_id, name, index in trace.parameters:
        assert index is None
        np.testing.assert_array_equal(trace.nodes[node_id].grad, grads[name])


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.model}-{c.loss}-{c.degree}-{c.hidden}")
def test_sample_trace_is_one_points_loss(config):
    trainer = Trainer(config, POINTS)
    trainer.run(2)
    index = 3
    trace = trace_trainer(trainer, SAMPLE, index)
    _fresh_grads(trainer)
    reference = trainer.loss_tensor([index])
    reference.backward()
    assert trace.sample == index
    np.testing.assert_allclose(trace.loss, float(reference._data), rtol=2e-6, atol=1e-12)
    grads = {name: p.grad._data for name, p in trainer.model.named_parameters()}
    seen = set()
    for node_id, name, index_in_param in trace.parameters:
        expected = grads[name] if index_in_param is None else grads[name][index_in_param]
        got = trace.nodes[node_id].grad
        np.testing.assert_allclose(np.asarray(got).reshape(np.shape(expected)), expected, rtol=2e-5, atol=1e-7)
        seen.add((name, index_in_param))
    # Every element of every parameter is drawn exactly once.
    for name, g in grads.items():
        covered = [i for n, i in seen if n == name]
        assert covered == [None] or sorted(covered) == sorted(np.ndindex(g.shape))


def test_sample_mode_runs_the_models_own_forward_pass_on_one_point():
    config = Config(model="linear", loss="mse")
    trace = trace_sample(
        config, {"w": np.array([[2.0]], np.float32), "b": np.array([[1.0]], np.float32)}, np.array([[3.0, 4.0]])
    )
    assert [n.op for n in trace.nodes if not n.is_leaf] == ["MmBackward0", "AddBackward0", "MseLossBackward0"]
    assert sorted(n.label for n in trace.nodes if n.is_leaf) == ["b", "w", "x", "y"]
    assert all(n.shape == (1, 1) for n in trace.nodes if n.is_leaf)  # one point, as the model sees it
    assert trace.loss == (2.0 * 3.0 + 1.0 - 4.0) ** 2


def test_polynomial_sample_shows_the_powers_of_x_as_one_input():
    config = Config(model="polynomial", degree=3)
    w = np.array([[1.0], [2.0], [3.0]], np.float32)
    trace = trace_sample(config, {"w": w, "b": np.array([[0.5]], np.float32)}, np.array([[2.0, 0.0]]))
    powers = trace.node("[x, x², x³]")
    assert powers.kind == "data" and powers.value.tolist() == [[2.0, 4.0, 8.0]]
    assert trace.loss == (1 * 2 + 2 * 4 + 3 * 8 + 0.5) ** 2
    # ∂L/∂w_k = 2(ŷ − y)·x^k
    np.testing.assert_array_equal(trace.node("w").grad.reshape(-1), [2 * 34.5 * 2.0**k for k in (1, 2, 3)])
    assert trace.parameter_of(trace.node("w").id) == ("w", None)


def test_tracing_leaves_the_trainer_untouched():
    preset = load_preset("sine", n_points=40)
    a = Trainer(preset.config, preset.points)
    b = Trainer(preset.config, preset.points)
    a.run(5)
    b.run(5)
    before = {n: (p._data.copy(), p.grad._data.copy()) for n, p in a.model.named_parameters()}
    for mode in (SAMPLE, BATCH):
        trace_trainer(a, mode, 7)
    for n, p in a.model.named_parameters():
        np.testing.assert_array_equal(p._data, before[n][0])
        np.testing.assert_array_equal(p.grad._data, before[n][1])
    # Training goes on bit for bit as if nothing had been traced.
    assert a.run(5) == b.run(5)
    for (_, p), (_, q) in zip(a.model.named_parameters(), b.model.named_parameters()):
        np.testing.assert_array_equal(p._data, q._data)


@pytest.mark.parametrize("mode", [SAMPLE, BATCH])
@pytest.mark.parametrize("config", CONFIGS[::3] + CONFIGS[-2:], ids=lambda c: f"{c.model}-{c.loss}")
def test_contributions_add_up_to_the_engines_gradients(config, mode):
    trainer = Trainer(config, POINTS)
    trainer.run(1)
    trace = trace_trainer(trainer, mode, 1)
    for node in trace.nodes:
        if node.kind == "data":
            assert trace.accumulated_gradient(node.id) is None
            continue
        np.testing.assert_array_equal(trace.accumulated_gradient(node.id), node.grad)
    # Elementwise edges: the contribution is literally upstream × local.
    for edge in trace.edges:
        contribution = edge.contribution
        target = trace.nodes[edge.target]
        if contribution is None or target.op not in (
            "MulBackward0",
            "SubBackward0",
            "TanhBackward0",
            "SigmoidBackward0",
            "PowBackward0",
            "ReluBackward0",
        ):
            continue
        product = np.asarray(target.grad) * np.asarray(edge.local_grad)
        if product.shape != contribution.shape:
            product = engine.function.unbroadcast(product, contribution.shape)
        np.testing.assert_allclose(contribution, product, rtol=1e-6, atol=1e-12)


def test_backward_order_is_reverse_topological():
    trainer = Trainer(CONFIGS[-1], POINTS)
    for mode in (SAMPLE, BATCH):
        trace = trace_trainer(trainer, mode, 0)
        order = trace.backward_order()
        assert sorted(order) == list(range(len(trace.nodes)))
        assert order[0] == trace.root
        position = {nid: i for i, nid in enumerate(order)}
        for e in trace.edges:
            assert position[e.target] < position[e.source]


@pytest.mark.parametrize("mode", [SAMPLE, BATCH])
def test_linear_layers_are_grouped(mode):
    config = Config(model="mlp", hidden=(16, 8, 4), activation="tanh")
    trainer = Trainer(config, POINTS)
    trace = trace_trainer(trainer, mode, 0)
    assert [g.name for g in trace.groups] == ["hidden1", "hidden2", "hidden3", "output"]
    assert [g.title for g in trace.groups] == [
        "Linear hidden1 1→16",
        "Linear hidden2 16→8",
        "Linear hidden3 8→4",
        "Linear output 4→1",
    ]
    for g in trace.groups:
        assert sorted(trace.nodes[m].op for m in g.members) == ["AddmmBackward0", "TBackward0"]
        bias = trace.node(f"{g.name}.bias").id
        assert bias in trace.nodes[g.output].inputs
        sources = {src for src, _ in g.inputs}
        assert trace.node(f"{g.name}.weight").id in sources and bias in sources
        for _src, edge_index in g.inputs:
            assert trace.edges[edge_index].target in g.members
        for m in g.members:
            assert trace.group_of(m) is g
    assert trace.group_of(trace.root) is None


def test_no_points_no_trace_and_indices_fall_back():
    config = Config()
    params = {"w": np.array([[1.0]], np.float32), "b": np.array([[0.0]], np.float32)}
    assert trace_sample(config, params, np.zeros((0, 2))) is None
    assert trace_batch(config, params, np.zeros((0, 2))) is None
    assert trace_sample(config, params, POINTS, 99).sample == 0
    assert trace_sample(config, params, POINTS, None).sample == 0
    with pytest.raises(ValueError, match="mode"):
        trace_model(config, params, POINTS, "everything")
    with pytest.raises(ValueError, match="no 'w'"):
        trace_sample(config, {"b": params["b"]}, POINTS, 0)


def test_layout_key_ignores_values_but_not_structure():
    trainer = Trainer(Config(model="mlp", hidden=(3,)), POINTS)
    first = trace_trainer(trainer, SAMPLE, 0)
    trainer.run(3)
    later = trace_trainer(trainer, SAMPLE, 2)
    assert later.layout_key == first.layout_key
    assert not np.array_equal(later.node("hidden1.weight").value, first.node("hidden1.weight").value)
    assert trace_trainer(trainer, BATCH).layout_key != first.layout_key
    trainer.set_config(trainer.config.replace(activation="relu"))
    assert trace_trainer(trainer, SAMPLE, 0).layout_key != first.layout_key


def test_trace_builder_keeps_to_its_time_budget():
    trainer = Trainer(Config(model="mlp", hidden=(64, 64, 64)), np.column_stack([np.linspace(-1, 1, 200)] * 2))
    builder = TraceBuilder(mode=BATCH, budget=1e-3)  # after one trace, wait ~1000× its duration
    first = builder(trainer, None)
    assert first is not None and first.mode == BATCH and builder.last_seconds > 0
    assert builder(trainer, None) is None  # too soon
    builder.refresh()
    builder.mode = SAMPLE
    again = builder(trainer, 5)
    assert again is not None and again.mode == SAMPLE and again.sample == 5


def test_the_apps_core_does_not_import_qt():
    code = (
        "import sys, playground.tracing, playground.graph_layout, playground.graph_report, playground.models, "
        "playground.config, playground.state, playground.trainer, playground.io, playground.torch_export, "
        "playground.cli, playground.presets; "
        "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sample_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    config = Config(model="mlp", hidden=(5, 3), activation="tanh", seed=4)
    trainer = Trainer(config, POINTS)
    trace = trace_trainer(trainer, SAMPLE, 2)
    params = {
        name: torch.tensor(np.asarray(p._data), requires_grad=True) for name, p in trainer.model.named_parameters()
    }
    h = torch.tensor([np.float32(POINTS[2, 0])])
    for layer in ("hidden1", "hidden2"):
        h = torch.tanh(params[f"{layer}.weight"] @ h + params[f"{layer}.bias"])
    y_hat = params["output.weight"] @ h + params["output.bias"]
    loss = ((y_hat - torch.tensor([np.float32(POINTS[2, 1])])) ** 2).sum()
    loss.backward()
    assert trace.loss == pytest.approx(loss.item(), rel=1e-6)
    for node_id, name, _ in trace.parameters:
        np.testing.assert_allclose(trace.nodes[node_id].grad, params[name].grad.numpy(), rtol=1e-5, atol=1e-7)
