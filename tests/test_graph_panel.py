"""The Graph dock, driven through real widgets with pytest-qt (no sleeps: signals and conditions).

Expected values are computed here from the snapshot's parameters with plain float32 arithmetic
(ŷ = w·x + b, L = (ŷ − y)²), not by the code that draws them.
"""

import numpy as np
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground import graph_layout as gl
from playground.config import Config
from playground.panels.graph import GraphPanel
from playground.panels.graph_items import MIN_FIT_ZOOM
from playground.tracing import BATCH, SAMPLE, trace_trainer
from playground.trainer import Trainer

TIMEOUT = 10000


@pytest.fixture
def graph_window(main_window, qtbot):
    """The app on the linear-regression preset with the Graph dock shown and drawing."""
    window = main_window
    window.graph_dock.show()
    window.graph_dock.raise_()
    panel = window.graph_panel
    qtbot.waitUntil(lambda: panel.trace is not None, timeout=TIMEOUT)
    return window


def _node_key(panel, label=None, op=None):
    for key, item in panel.graph_layout.items.items():
        if item.kind == "group":
            continue
        node = panel.trace.nodes[item.node]
        if (label is not None and node.label == label and node.kind != "op") or (op is not None and node.op == op):
            return key
    raise KeyError(label or op)


def _click_box(qtbot, panel, key, double=False):
    item = panel.node_items[key]
    panel.view.ensureVisible(item, 10, 10)
    pos = panel.view.mapFromScene(item.sceneBoundingRect().center())
    if double:
        QTest.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    else:
        QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def _expected_sample(params, x, y):
    w = np.float32(params["w"].reshape(()))
    b = np.float32(params["b"].reshape(()))
    y_hat = w * np.float32(x) + b
    return w, b, (y_hat - np.float32(y)) ** 2


# --------------------------------------------------------------------------------- the app


def test_graph_dock_is_in_the_view_menu_and_traces_only_while_visible(qtbot, graph_window):
    window = graph_window
    toggle = window.graph_dock.toggleViewAction()
    assert toggle in window.view_menu.actions()
    training = window.training

    def step_and_wait():
        epoch = training.latest.epoch + 1
        with qtbot.waitSignal(training.snapshotReady, check_params_cb=lambda s: s.epoch == epoch, timeout=TIMEOUT):
            training.step(1)
        return training.latest

    assert step_and_wait().trace is not None  # shown: every snapshot while paused carries the graph
    window.graph_dock.hide()
    assert step_and_wait().trace is None  # hidden: the worker builds no traces
    toggle.trigger()
    qtbot.waitUntil(lambda: training.latest.trace is not None, timeout=TIMEOUT)
    assert window.graph_panel.trace.epoch == training.latest.epoch


def test_opens_on_the_first_point_and_a_click_on_a_point_switches_the_sample(qtbot, graph_window, plot_mouse):
    window = graph_window
    panel = window.graph_panel
    assert panel.trace.mode == SAMPLE and panel.trace.sample == 0
    assert window.data_panel.highlighted_sample == 0
    x_key = _node_key(panel, label="x")
    assert panel.box_text(x_key)[1] == "value 1"

    mouse = plot_mouse(window.data_panel.plot_widget)
    x, y = window.document.points[2]
    mouse.click(x, y)
    qtbot.waitUntil(lambda: panel.trace.sample == 2, timeout=TIMEOUT)
    assert window.data_panel.highlighted_sample == 2
    assert panel.box_text(_node_key(panel, label="x"))[1] == "value 3"
    assert panel.box_text(_node_key(panel, label="y"))[1] == "value 7"
    _, _, loss = _expected_sample(window.training.latest.params, 3.0, 7.0)
    assert panel.box_text(panel.graph_layout.key_for_node(panel.trace.root))[1] == "loss " + gl.format_number(loss)
    assert "x = 3, y = 7" in panel.caption.text()


def test_the_traced_point_is_ringed_only_while_the_graph_dock_is_seen(qtbot, graph_window, plot_mouse):
    window = graph_window
    panel = window.data_panel
    window.graph_panel.mode_combo.setCurrentIndex(window.graph_panel.mode_combo.findData(SAMPLE))
    qtbot.waitUntil(lambda: panel.highlighted_sample == 0, timeout=TIMEOUT)
    with qtbot.waitSignal(window.graph_dock.visibilityChanged, timeout=TIMEOUT):
        window.loss_dock.raise_()  # the Loss tab in front of the Graph tab
    assert panel.highlighted_sample is None and len(panel.sample_item.data) == 0
    # A point clicked meanwhile becomes the traced one, ringed once the Graph tab is in front again.
    x, y = window.document.points[2]
    plot_mouse(panel.plot_widget).click(x, y)
    assert panel.highlighted_sample is None and len(panel.sample_item.data) == 0
    window.graph_dock.raise_()
    qtbot.waitUntil(lambda: panel.highlighted_sample == 2 and window.graph_panel.trace.sample == 2, timeout=TIMEOUT)
    assert len(panel.sample_item.data) == 1
    window.graph_dock.hide()
    assert panel.highlighted_sample is None


def test_no_ring_while_the_graph_dock_has_not_been_seen(qtbot, main_window, plot_mouse):
    window = main_window  # opens with the Loss tab in front of the Graph tab
    panel = window.data_panel
    x, y = window.document.points[1]
    plot_mouse(panel.plot_widget).click(x, y)
    qtbot.waitUntil(lambda: list(panel.selected_indices()) == [1], timeout=TIMEOUT)
    assert panel.highlighted_sample is None and len(panel.sample_item.data) == 0


def test_step_updates_the_labels_in_place(qtbot, graph_window):
    window = graph_window
    panel = window.graph_panel
    items_before = dict(panel.node_items)
    edges_before = list(panel.edge_items)
    root_key = panel.graph_layout.key_for_node(panel.trace.root)
    assert panel.box_text(root_key)[1] == "loss 9"  # (0·1 + 0 − 3)²

    window.controls.step_action.trigger()
    qtbot.waitUntil(lambda: panel.trace is not None and panel.trace.epoch == 1, timeout=TIMEOUT)
    w, b, loss = _expected_sample(window.training.latest.params, 1.0, 3.0)
    assert w == np.float32(0.035) and b == np.float32(0.012)  # seed 002 after one step
    assert panel.box_text(_node_key(panel, label="w"))[1] == "value " + gl.format_number(w)
    assert panel.box_text(_node_key(panel, label="b"))[1] == "value " + gl.format_number(b)
    assert panel.box_text(root_key)[1] == "loss " + gl.format_number(loss)
    # ∂L/∂w = 2(ŷ − y)·x for this point
    grad_w = 2 * (w * np.float32(1.0) + b - np.float32(3.0))
    assert panel.box_text(_node_key(panel, label="w"))[2] == "grad " + gl.format_number(grad_w)
    sub_edge = next(i for i, e in enumerate(panel.trace.edges) if e.target == panel.trace.root)
    assert panel.edge_label_text(sub_edge) == (gl.format_number(2 * (w + b - 3)),)
    # The same boxes and edges, new text: no relayout.
    assert panel.node_items == items_before and all(
        a is b for a, b in zip(panel.node_items.values(), items_before.values())
    )
    assert panel.edge_items == edges_before


def test_batch_mode_shows_the_whole_batch_and_a_model_change_lays_out_again(qtbot, graph_window):
    window = graph_window
    panel = window.graph_panel
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(BATCH))
    qtbot.waitUntil(lambda: panel.trace.mode == BATCH, timeout=TIMEOUT)
    assert window.data_panel.highlighted_sample is None
    root_key = panel.graph_layout.key_for_node(panel.trace.root)
    assert panel.box_text(root_key)[1] == "loss 41"  # seed 002's first loss
    assert panel.box_text(_node_key(panel, label="w"))[2] == "grad −35"
    assert panel.box_text(_node_key(panel, label="X"))[1] == "value 4×1 [1, 4]"
    assert "All 4 points" in panel.caption.text()

    layout_before = panel.graph_layout
    combo = window.model_panel.model_combo
    combo.setCurrentIndex(combo.findData("sigmoid"))
    qtbot.waitUntil(lambda: panel.trace.model_name == "sigmoid", timeout=TIMEOUT)
    assert panel.graph_layout is not layout_before
    assert any(
        panel.trace.nodes[it.node].op == "SigmoidBackward0"
        for it in panel.graph_layout.items.values()
        if it.kind != "group"
    )


def test_backward_stepper_visits_every_node_once_in_reverse_topological_order(qtbot, graph_window):
    window = graph_window
    panel = window.graph_panel
    trace = panel.trace
    n = len(trace.nodes)
    assert panel.stepper_action.isEnabled()
    panel.stepper_action.trigger()
    assert panel.stepper_position == 0
    assert all(panel.box_text(k)[2] in ("grad ?", "grad — (data)") for k in panel.node_items)

    visited = []
    while panel.step_forward_action.isEnabled():
        panel.step_forward_action.trigger()
        visited.append(panel.stepper_current)
        key = panel.graph_layout.key_for_node(visited[-1])
        assert panel.node_items[key].state == "current"
    assert sorted(visited) == list(range(n)) and len(visited) == n
    position = {node: i for i, node in enumerate(visited)}
    for e in trace.edges:
        assert position[e.target] < position[e.source]
    assert panel.step_label.text() == f"step {n} / {n}"
    assert "Done" in panel.inspector.toPlainText()

    known = panel.stepper_gradients()
    for node in trace.nodes:
        if node.kind == "data":
            assert known[node.id] is None
        else:
            np.testing.assert_array_equal(known[node.id], node.grad)
    # Linear regression, point (1, 3), w = b = 0: ∂L/∂w = ∂L/∂b = 2(0 − 3) = −6.
    assert known[trace.node("w").id].item() == -6.0 and known[trace.node("b").id].item() == -6.0
    assert panel.box_text(_node_key(panel, label="w"))[2] == "grad −6"

    panel.step_back_action.trigger()
    assert panel.stepper_position == n - 1 and visited[-1] not in panel.stepper_gradients()
    panel.step_reset_action.trigger()
    assert panel.stepper_position == 0 and panel.stepper_gradients() == {}

    # Playing turns the stepper off; it needs training paused.
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: panel.stepper_position is None and not panel.stepper_action.isEnabled(), timeout=TIMEOUT)
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: window.training.state != "running", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.stepper_action.isEnabled(), timeout=TIMEOUT)


def test_clicking_a_node_opens_the_inspector(qtbot, graph_window):
    panel = graph_window.graph_panel
    add = _node_key(panel, op="AddBackward0")
    with qtbot.waitSignal(panel.nodeSelected, timeout=TIMEOUT) as blocker:
        _click_box(qtbot, panel, add)
    assert blocker.args == [add]
    text = panel.inspector.toPlainText()
    assert "AddBackward0" in text and "∂(a+b)/∂a = 1" in text and "∂(a+b)/∂b = 1" in text
    assert "Chain rule" in text
    assert panel.node_items[add].selected

    _click_box(qtbot, panel, _node_key(panel, label="w"))
    text = panel.inspector.toPlainText()
    assert "Parameter" in text and "optimizer" in text
    assert "−6" in text  # the contribution that reaches w through x @ w: upstream −6 × local x = 1


def test_wheel_zooms_drag_pans_and_fit_shows_everything(qtbot, graph_window):
    panel = graph_window.graph_panel
    view = panel.view
    view.resize(900, 320)
    panel.fit_action.trigger()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.sceneRect().adjusted(2, 2, -2, -2))
    # In a view too small for the whole graph at a readable size, Fit keeps the text legible and
    # shows the loss, where the backward pass starts.
    view.resize(260, 120)
    panel.fit_action.trigger()
    assert view.zoom == pytest.approx(MIN_FIT_ZOOM)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    root = panel.node_items[panel.graph_layout.key_for_node(panel.trace.root)]
    assert visible.contains(root.sceneBoundingRect().center())
    view.resize(400, 200)
    zoom = view.zoom
    center = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        center,
        QPointF(view.viewport().mapToGlobal(center.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom > zoom * 1.3
    scroll = view.horizontalScrollBar()
    scroll.setValue(scroll.minimum())
    assert scroll.maximum() > scroll.minimum()
    viewport = view.viewport()
    start = next(
        QPoint(x, y)
        for x in range(viewport.width() - 10, 10, -10)
        for y in range(10, viewport.height(), 10)
        if view.itemAt(QPoint(x, y)) is None
    )  # empty background

    def send(kind, pos, button, buttons):
        event = QMouseEvent(
            kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(viewport, event)

    left = Qt.MouseButton.LeftButton
    send(QEvent.Type.MouseButtonPress, start, left, left)
    for step in range(1, 6):
        send(QEvent.Type.MouseMove, start - QPoint(20 * step, 0), Qt.MouseButton.NoButton, left)
    send(QEvent.Type.MouseButtonRelease, start - QPoint(100, 0), left, Qt.MouseButton.NoButton)
    assert scroll.value() > scroll.minimum()


def test_export_png_and_svg(qtbot, graph_window, tmp_path):
    panel = graph_window.graph_panel
    png, svg = tmp_path / "graph.png", tmp_path / "graph.svg"
    assert panel.export_png(png, scale=2.0)
    image = QImage(str(png))
    rect = panel.scene.sceneRect()
    assert (image.width(), image.height()) == (int(rect.width() * 2), int(rect.height() * 2))
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 5  # boxes and text, not a blank page
    assert panel.export_svg(svg)
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "MmBackward0" in text and "MseLossBackward0" in text


# ------------------------------------------------------------------------- the panel alone


@pytest.fixture
def mlp_panel(qtbot):
    config = Config(model="mlp", hidden=(64, 64, 64), activation="tanh", seed=5)
    points = np.column_stack([np.linspace(-2, 2, 30), np.sin(np.linspace(-2, 2, 30))])
    trainer = Trainer(config, points)
    trainer.run(3)
    panel = GraphPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    panel.show()
    qtbot.waitExposed(panel)
    return panel, trainer


def test_mlp_layers_collapse_and_expand(qtbot, mlp_panel):
    panel, trainer = mlp_panel
    panel.set_trace(trace_trainer(trainer, SAMPLE, 4))
    groups = {k for k in panel.node_items if isinstance(k, str)}
    assert groups == {"group:hidden1", "group:hidden2", "group:hidden3", "group:output"}
    assert panel.box_text("group:hidden2")[0].startswith("Linear hidden2 64→64")
    count = len(panel.node_items)
    _click_box(qtbot, panel, "group:hidden2", double=True)
    qtbot.waitUntil(lambda: "group:hidden2" not in panel.node_items)
    assert len(panel.node_items) == count + 1
    member = next(
        k
        for k in panel.node_items
        if not isinstance(k, str)
        and panel.trace.nodes[k].op == "AddmmBackward0"
        and panel.trace.group_of(k).name == "hidden2"
    )
    _click_box(qtbot, panel, member, double=True)
    qtbot.waitUntil(lambda: "group:hidden2" in panel.node_items)
    panel.group_action.setChecked(False)
    assert not any(isinstance(k, str) for k in panel.node_items)
    panel.group_action.setChecked(True)
    assert len(panel.node_items) == count


def test_mlp_stepper_ends_at_the_trainers_gradients(qtbot, mlp_panel):
    panel, trainer = mlp_panel
    panel.set_trace(trace_trainer(trainer, SAMPLE, 4))
    panel.stepper_action.trigger()
    steps = 0
    while panel.step_forward_action.isEnabled():
        panel.step_forward_action.trigger()
        steps += 1
    assert steps == len(panel.trace.nodes)
    known = panel.stepper_gradients()
    for p in trainer.model.parameters():
        p.grad = None
    trainer.loss_tensor([4]).backward()
    grads = {name: p.grad._data for name, p in trainer.model.named_parameters()}
    for node_id, name, _ in panel.trace.parameters:
        np.testing.assert_allclose(known[node_id], grads[name], rtol=2e-5, atol=1e-7)
    # A collapsed layer shows the gradient of its output once the stepper has reached it.
    out = panel.trace.groups[-1].output
    assert panel.box_text("group:output")[2] == "grad " + gl.format_array(known[out])


def test_graph_follows_point_edits_while_paused_and_survives_no_points(qtbot, graph_window):
    window = graph_window
    panel = window.graph_panel
    window.document.set_point(0, 1.0, 4.0)
    qtbot.waitUntil(lambda: panel.box_text(_node_key(panel, label="y"))[1] == "value 4", timeout=TIMEOUT)
    window.document.delete_points(range(4))
    qtbot.waitUntil(lambda: panel.trace is None, timeout=TIMEOUT)
    assert not panel.node_items and not panel.stepper_action.isEnabled()
    window.document.add_point(2.0, 5.0)
    qtbot.waitUntil(lambda: panel.trace is not None, timeout=TIMEOUT)
    assert panel.box_text(_node_key(panel, label="x"))[1] == "value 2"
    assert panel.box_text(panel.graph_layout.key_for_node(panel.trace.root))[1] == "loss 25"
