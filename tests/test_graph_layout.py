"""The Graph view's layout (playground.graph_layout): a pure function from a trace to positions.

For every model the Model panel offers (linear, polynomial of degree 1–9, the sigmoid neuron,
MLPs of 1–3 hidden layers up to 64 units with each activation), in sample and batch mode, with
layers grouped and expanded: no two boxes or labels overlap, edges run left to right without
crossing any box, and the result is the same every time and whatever the values.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground import graph_layout as gl
from playground.config import Config
from playground.tracing import BATCH, SAMPLE, trace_trainer
from playground.trainer import Trainer

POINTS = np.array([[-1.0, 0.0], [-0.25, 1.0], [0.5, 1.0], [1.25, 0.0], [2.0, 1.0]])
ROLE_WIDTH = {"title": 7.5, "body": 6.5, "label": 6.0}


def measure(text, role):
    """A stand-in for font metrics: every character as wide as the role's average."""
    return ROLE_WIDTH[role] * len(text), {"title": 15.0, "body": 14.0, "label": 12.0}[role]


def chooser_configs():
    yield Config(model="linear", loss="mse")
    yield Config(model="linear", loss="sse", bias=False)
    yield Config(model="linear", loss="huber")
    for degree in range(1, 10):
        yield Config(model="polynomial", degree=degree)
    yield Config(model="polynomial", degree=4, loss="mae")
    yield Config(model="sigmoid", loss="mse")
    yield Config(model="sigmoid", loss="bce")
    for hidden, activation in itertools.product(
        [(1,), (64,), (16, 16), (64, 64), (3, 64, 1), (64, 64, 64)], ["tanh", "relu", "sigmoid"]
    ):
        yield Config(model="mlp", hidden=hidden, activation=activation)


CASES = [(c, mode) for c in chooser_configs() for mode in (SAMPLE, BATCH)]


def _id(case):
    c, mode = case
    detail = {"polynomial": f"d{c.degree}", "mlp": f"{'x'.join(map(str, c.hidden))}-{c.activation}"}.get(c.model, "")
    return f"{c.model}{detail}-{c.loss}-{mode}"


def _trace(config, mode, epochs=0):
    trainer = Trainer(config, POINTS)
    if epochs:
        trainer.run(epochs)
    return trace_trainer(trainer, mode, 2)


def _rectangles(layout):
    rects = [("box", k, b) for k, b in layout.boxes.items()]
    rects += [("label", i, r.label) for i, r in enumerate(layout.edges)]
    return rects


def _segment_hits_box(p, q, box, shrink=0.5):
    """Does the segment p→q pass through the inside of ``box`` (sampled finely)?"""
    inner = gl.Box(box.x + shrink, box.y + shrink, box.width - 2 * shrink, box.height - 2 * shrink)
    for t in np.linspace(0.0, 1.0, 64):
        x = p[0] + t * (q[0] - p[0])
        y = p[1] + t * (q[1] - p[1])
        if inner.x < x < inner.right and inner.y < y < inner.bottom:
            return True
    return False


def _check_layout(trace, layout):
    # 1. No two boxes or labels overlap.
    rects = _rectangles(layout)
    for (ka, a, ra), (kb, b, rb) in itertools.combinations(rects, 2):
        assert not ra.overlaps(rb), f"{ka} {a} overlaps {kb} {b}: {ra} / {rb}"
    # 2. Everything is inside the scene.
    for _, _, r in rects:
        assert r.x >= 0 and r.y >= 0 and r.right <= layout.width and r.bottom <= layout.height
    # 3. The text drawn fits its box, for the values of this trace.
    for key, item in layout.items.items():
        box = layout.boxes[key]
        lines = gl.group_lines(item.group, trace) if item.kind == "group" else gl.node_lines(trace, item.node)
        width = max(measure(t, r)[0] for t, r in zip(lines, ("title", "body", "body")))
        assert width + 2 * gl.PAD_X <= box.width + 1e-9, (key, lines)
    for route in layout.edges:
        lines = gl.edge_label_lines(trace.edges[route.edge].local_grad)
        assert len(lines) <= len(route.label_lines)
        assert max(measure(t, "label")[0] for t in lines) + 2 * gl.LABEL_PAD_X <= route.label.width + 1e-9
    # 4. Edges go left to right, start at their source's right side, end at their target's left
    #    side, and pass through no box and no other edge's label.
    for i, route in enumerate(layout.edges):
        src, dst = layout.boxes[route.source], layout.boxes[route.target]
        pts = route.points
        assert pts[0][0] == pytest.approx(src.right) and src.y <= pts[0][1] <= src.bottom
        assert pts[-1][0] == pytest.approx(dst.x) and dst.y <= pts[-1][1] <= dst.bottom
        xs = [p[0] for p in pts]
        assert xs == sorted(xs)
        others = [r for kind, k, r in rects if not (kind == "label" and k == i)]
        for p, q in itertools.pairwise(pts):
            for r in others:
                assert not _segment_hits_box(p, q, r), f"edge {i} crosses {r}"
    # 5. Leaves are left of their uses, the loss is alone in the last column.
    root_key = layout.key_for_node(trace.root)
    assert layout.boxes[root_key].x == max(b.x for b in layout.boxes.values())
    assert layout.columns[-1] == (root_key,)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_no_overlaps_for_every_model(case):
    config, mode = case
    trace = _trace(config, mode)
    collapsed_options = [gl.default_collapsed(trace), frozenset()] if trace.groups else [frozenset()]
    for collapsed in collapsed_options:
        layout = gl.layout_graph(trace, measure, collapsed)
        _check_layout(trace, layout)
        shown = sum(1 for it in layout.items.values() if it.kind != "group")
        hidden = sum(len(g.members) for g in trace.groups if g.name in collapsed)
        assert shown + hidden == len(trace.nodes)


@pytest.mark.parametrize("case", [c for c in CASES if c[0].model in ("linear", "mlp")][::5], ids=_id)
def test_layout_is_deterministic_and_ignores_values(case):
    config, mode = case
    before = _trace(config, mode)
    after = _trace(config, mode, epochs=7)
    assert after.layout_key == before.layout_key
    collapsed = gl.default_collapsed(before)
    a = gl.layout_graph(before, measure, collapsed)
    b = gl.layout_graph(before, measure, collapsed)
    c = gl.layout_graph(after, measure, collapsed)
    for other in (b, c):
        assert other.boxes == a.boxes
        assert [(r.source, r.target, r.edge, r.points, r.label) for r in other.edges] == [
            (r.source, r.target, r.edge, r.points, r.label) for r in a.edges
        ]
        assert (other.width, other.height, other.columns) == (a.width, a.height, a.columns)


def test_tutorial_graph_reads_left_to_right_without_crossings():
    trace = _trace(Config(model="linear", loss="mse"), SAMPLE)
    layout = gl.layout_graph(trace, measure)
    col_of = {k: c for c, col in enumerate(layout.columns) for k in col}
    x = {trace.nodes[k].label if trace.nodes[k].kind != "op" else trace.nodes[k].op: col_of[k] for k in layout.boxes}
    assert x["x"] == x["w"] < x["MmBackward0"] == x["b"] < x["AddBackward0"] == x["y"] < x["MseLossBackward0"]
    assert all(col_of[r.target] > col_of[r.source] for r in layout.edges)
    # Straight reading order: the first argument of every op arrives above the second.
    for target in {r.target for r in layout.edges}:
        ins = sorted((r for r in layout.edges if r.target == target), key=lambda r: trace.edges[r.edge].index)
        ys = [r.points[-1][1] for r in ins]
        assert ys == sorted(ys)
        starts = [r.points[0][1] for r in ins]
        assert starts == sorted(starts), "arguments cross on their way in"


def test_collapsed_groups_replace_their_members():
    trace = _trace(Config(model="mlp", hidden=(8, 8)), BATCH)
    expanded = gl.layout_graph(trace, measure)
    grouped = gl.layout_graph(trace, measure, gl.default_collapsed(trace))
    assert {k for k in grouped.boxes if isinstance(k, str)} == {"group:hidden1", "group:hidden2", "group:output"}
    assert len(grouped.boxes) == len(expanded.boxes) - sum(len(g.members) - 1 for g in trace.groups)
    assert grouped.width < expanded.width
    for g in trace.groups:
        for m in g.members:
            assert grouped.key_for_node(m) == f"group:{g.name}"
            assert grouped.box_for_node(m) == grouped.boxes[f"group:{g.name}"]
        # The weight's edge into the collapsed layer is labelled with the product's local gradient.
        weight = trace.node(f"{g.name}.weight").id
        route = next(r for r in grouped.edges if r.source == weight)
        assert trace.nodes[trace.edges[route.edge].target].op == "AddmmBackward0"


def test_empty_trace_gives_an_empty_layout():
    from engine.graph import Trace

    layout = gl.layout_graph(Trace((), (), 0), measure)
    assert layout.boxes == {} and layout.edges == ()


# ------------------------------------------------------------------------------------- text


def test_number_and_array_text():
    assert gl.format_number(-2.0) == "−2"
    assert gl.format_number(0.035) == "0.035"
    assert gl.format_number(1 / 3) == "0.3333"
    assert gl.format_number(float("nan")) == "nan"
    assert gl.format_array(np.array(41.0)) == "41"
    assert gl.format_array(np.array([[1.0, -2.0, 3.5]])) == "1×3 [−2, 3.5]"
    assert gl.format_array(np.ones((4, 1))) == "4×1 all 1"
    assert gl.format_array(np.array([np.nan, 1.0])) == "2 has nan"
    assert gl.format_array(None) == "—"
    assert gl.edge_label_lines(np.full((2, 3), 0.25)) == ("2×3", "all 0.25")
    assert gl.edge_label_lines(np.array(-2.0)) == ("−2",)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_numbers_never_outgrow_their_box(v):
    assert len(gl.format_number(v)) <= len(gl.WIDEST_NUMBER)
    assert len(gl._short(v)) <= len(gl.WIDEST_SHORT_NUMBER)


@given(st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), min_size=2, max_size=6))
def test_array_text_never_outgrows_its_template(values):
    a = np.array(values, dtype=np.float32)
    assert len(gl.format_array(a)) <= len(gl._widest_array_text(a.shape))
