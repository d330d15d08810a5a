"""The Graph dock: the live computational graph of the loss, with values, gradients and local gradients.

What it draws comes from :mod:`playground.tracing` (a :class:`~playground.tracing.ModelTrace` in
each snapshot, built in the training thread) laid out by :mod:`playground.graph_layout`:

* data leaves (x, y) in blue, parameter leaves (w, b) in orange, operations in white with their
  operator and grad_fn name, the loss with a red border; a collapsed Linear layer in purple;
* every box shows its value and its gradient ∂L/∂node; every edge shows its local gradient
  ∂target/∂source; scalars as numbers, tensors as their shape and range;
* live: each snapshot changes the text in place; the layout is recomputed only when the graph's
  structure changes (another model, loss or mode);
* click a box for the inspector: the op, its local-derivative formulas, the full value and
  gradient, and the chain-rule products that gave the gradient;
* the backward stepper (training paused) walks the backward pass one node at a time;
* wheel zooms, dragging pans, Fit (F) shows everything; PNG and SVG export.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QLabel,
    QMenu,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground import graph_layout as gl
from playground.tracing import BATCH, SAMPLE, TraceBuilder

__all__ = ["GraphPanel", "GraphView", "install_graph_dock"]

#: Fill and border of each kind of box.
STYLES = {
    "parameter": (QColor("#fff1dc"), QColor("#d9730d")),
    "data": (QColor("#e4f0fb"), QColor("#2a6fb0")),
    "op": (QColor("#ffffff"), QColor("#555555")),
    "group": (QColor("#f1e6f7"), QColor("#7b3f99")),
}
ROOT_BORDER = QColor("#c62828")
SELECTED_BORDER = QColor("#1976d2")
CURRENT_FILL = QColor("#fff59d")
CURRENT_BORDER = QColor("#f9a825")
PENDING_TEXT = QColor("#9e9e9e")
TEXT_COLOR = QColor("#202020")
EDGE_COLOR = QColor("#8a8a8a")
ACTIVE_EDGE_COLOR = QColor("#ef6c00")
LABEL_TEXT = QColor("#37474f")
GROUP_STRIPE = QColor("#b48ac9")
BACKGROUND = QColor("#ffffff")

#: Below this zoom, text is hard to read: a new layout opens at this zoom (showing its left end).
READABLE_ZOOM = 0.75
#: A new layout never opens larger than this.
OPENING_ZOOM_LIMIT = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 6.0
#: Values with more elements than this are summarised in the inspector.
INSPECTOR_FULL_LIMIT = 4096


def _fonts():
    body = QFont()
    body.setPointSizeF(9.0)
    title = QFont(body)
    title.setBold(True)
    label = QFont(body)
    label.setPointSizeF(8.0)
    return {"title": title, "body": body, "label": label}


class NodeItem(QGraphicsObject):
    """One box: a leaf, an op or a collapsed group; three lines of text updated in place."""

    def __init__(self, panel, key, kind, box, root=False, stripe=False):
        super().__init__()
        self._panel = panel
        self.key = key
        self.kind = kind
        self.root = root
        self.stripe = stripe
        self.selected = False
        self.state = "normal"  # "current" | "done" | "pending" while the stepper runs
        self._rect = QRectF(0, 0, box.width, box.height)
        self.setPos(box.x, box.y)
        self.setZValue(2)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        fonts = panel.fonts
        self._lines = ("", "", "")
        self._pending = False
        self.texts = []
        y = gl.PAD_Y
        for role in ("title", "body", "body"):
            item = QGraphicsSimpleTextItem(self)
            item.setFont(fonts[role])
            item.setBrush(TEXT_COLOR)
            item.setPos(gl.PAD_X, y)
            y += panel.line_height[role]
            self.texts.append(item)

    def boundingRect(self):
        return self._rect.adjusted(-3, -3, 3, 3)

    def paint(self, painter, option, widget=None):
        fill, border = STYLES.get(self.kind, STYLES["op"])
        width = 1.2
        if self.root:
            border, width = ROOT_BORDER, 2.0
        if self.state == "current":
            fill, border, width = CURRENT_FILL, CURRENT_BORDER, 3.0
        if self.selected:
            border, width = SELECTED_BORDER, 2.6
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(border, width)
        if self.kind == "data":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self._rect, 6, 6)
        if self.stripe:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(GROUP_STRIPE))
            painter.drawRoundedRect(QRectF(1.5, 4, 3.5, self._rect.height() - 8), 1.5, 1.5)

    def set_lines(self, lines, pending=False):
        if lines != self._lines:
            for item, text, old in zip(self.texts, lines, self._lines):
                if text != old:
                    item.setText(text)
            self._lines = lines
        if pending != self._pending:
            self._pending = pending
            self.texts[2].setBrush(PENDING_TEXT if pending else TEXT_COLOR)

    def set_state(self, state):
        if state != self.state:
            self.state = state
            self.update()

    def set_selected(self, selected):
        if selected != self.selected:
            self.selected = selected
            self.update()

    def mousePressEvent(self, event):
        event.accept()

    def mouseReleaseEvent(self, event):
        if self._rect.contains(event.pos()):
            self._panel.select_node(self.key)
        event.accept()

    def mouseDoubleClickEvent(self, event):
        # Re-layout after the event: it deletes this item.
        QTimer.singleShot(0, lambda panel=self._panel, key=self.key: panel.toggle_group_at(key))
        event.accept()


class EdgeItem(QGraphicsPathItem):
    """One edge: straight runs inside columns, curves across gaps, an arrowhead and its label."""

    def __init__(self, panel, route):
        super().__init__()
        self.route = route
        pts = [QPointF(x, y) for x, y in route.points]
        path = QPainterPath(pts[0])
        path.lineTo(pts[1])
        for i in range(2, len(pts), 2):
            a, b = pts[i - 1], pts[i]
            mid = (a.x() + b.x()) / 2
            path.cubicTo(QPointF(mid, a.y()), QPointF(mid, b.y()), b)
            path.lineTo(pts[i + 1])
        self.setPath(path)
        self.setZValue(0)
        end = pts[-1]
        self.arrow = QGraphicsPolygonItem(
            QPolygonF([end, QPointF(end.x() - 7, end.y() - 3.5), QPointF(end.x() - 7, end.y() + 3.5)]), self
        )
        box = route.label
        self.label_box = QGraphicsRectItem(QRectF(box.x, box.y, box.width, box.height), self)
        self.label_box.setBrush(QBrush(BACKGROUND))
        self.label_texts = []
        font = panel.fonts["label"]
        for _ in range(len(route.label_lines)):
            item = QGraphicsSimpleTextItem(self.label_box)
            item.setFont(font)
            item.setBrush(LABEL_TEXT)
            self.label_texts.append(item)
        self._lines = None
        self._active = None
        self._line_height = panel.line_height["label"]
        self._metrics = panel.metrics["label"]
        self.set_active(False)

    def set_label(self, lines):
        if lines == self._lines:
            return
        self._lines = lines
        box = self.route.label
        for i, item in enumerate(self.label_texts):
            text = lines[i] if i < len(lines) else ""
            if item.text() != text:
                item.setText(text)
                width = self._metrics.horizontalAdvance(text)
                item.setPos(box.x + (box.width - width) / 2, box.y + gl.LABEL_PAD_Y + i * self._line_height)

    def set_active(self, active):
        if active == self._active:
            return
        self._active = active
        color = ACTIVE_EDGE_COLOR if active else EDGE_COLOR
        self.setPen(QPen(color, 2.4 if active else 1.3))
        self.arrow.setBrush(QBrush(color))
        self.arrow.setPen(QPen(color, 1))
        self.label_box.setPen(QPen(color if active else QColor("#d0d0d0"), 1.2 if active else 0.8))


class GraphView(QGraphicsView):
    """The canvas: wheel zooms about the mouse, dragging the background pans."""

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QBrush(BACKGROUND))
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom):
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        factor = zoom / self.zoom
        if factor != 1.0:
            self.scale(factor, factor)

    def wheelEvent(self, event):
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.set_zoom(self.zoom * 1.0015**delta)
        event.accept()

    def fit(self):
        """Show the whole graph."""
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > MAX_ZOOM:
            self.set_zoom(MAX_ZOOM)


# ------------------------------------------------------------------------------- inspector text


def _fmt_full(value):
    if value is None:
        return "—"
    a = np.asarray(value)
    if a.size == 1:
        return repr(float(a.reshape(-1)[0]))
    limit = INSPECTOR_FULL_LIMIT
    text = np.array2string(a, precision=6, threshold=limit, max_line_width=72, separator=", ")
    note = f"\n(shape {gl.shape_text(a.shape)}" + (f"; {a.size} values, summarised)" if a.size > limit else ")")
    return text + note


def _esc(text):
    return html.escape(str(text))


def _node_name(trace, node_id):
    node = trace.nodes[node_id]
    return node.label if node.kind != "op" else f"{node.symbol} ({node.op})"


def chain_rule_rows(trace, node_id, gradients=None):
    """The chain-rule products behind ∂L/∂node: one row per use, ``(target, upstream, local, contribution)``.

    ``gradients`` maps node ids to the gradients known so far (the stepper's); by default the engine's.
    """
    rows = []
    for i, edge in enumerate(trace.edges):
        if edge.source != node_id:
            continue
        if gradients is None:
            upstream = trace.nodes[edge.target].grad
        else:
            upstream = gradients.get(edge.target)
        contribution = trace.contributions[i] if i < len(trace.contributions) else None
        rows.append((edge, upstream, edge.local_grad, contribution))
    return rows


def node_report_html(trace, node_id, gradients=None, heading=None):
    """The inspector's text for one node (HTML)."""
    node = trace.nodes[node_id]
    out = []
    title = heading or _node_name(trace, node_id)
    out.append(f"<h3 style='margin:2px 0'>{_esc(title)}</h3>")
    if node.kind == "op":
        inputs = ", ".join(
            f"{'abcdefgh'[k] if k < 8 else k} = {_esc(_node_name(trace, src))}" for k, src in enumerate(node.inputs)
        )
        out.append(
            f"<p><b>Operation</b> {_esc(node.symbol)}  (grad_fn <code>{_esc(node.op)}</code>)<br>"
            f"<b>Inputs</b> {inputs}</p>"
        )
        if node.formula:
            out.append("<p><b>Local derivatives</b><br>" + "<br>".join(_esc(f) for f in node.formula) + "</p>")
    elif node.kind == "parameter":
        param = trace.parameter_of(node_id) if hasattr(trace, "parameter_of") else None
        where = ""
        if param is not None:
            name, index = param
            where = f" — the model's <code>{_esc(name)}</code>" + (f"{list(index)}" if index is not None else "")
        out.append(
            f"<p><b>Parameter</b> (requires_grad=True){where}. Its gradient is what the optimizer "
            "uses to update it.</p>"
        )
    else:
        out.append("<p><b>Data</b> (requires_grad=False): a fixed input; autograd computes no gradient for it.</p>")
    if node_id == trace.root:
        out.append("<p><b>This is the loss L</b>, where the backward pass starts (∂L/∂L = 1).</p>")
    out.append(f"<p><b>Value</b><pre>{_esc(_fmt_full(node.value))}</pre></p>")
    grad = node.grad if gradients is None else gradients.get(node_id)
    out.append(
        f"<p><b>Gradient ∂L/∂{_esc(node.label if node.kind != 'op' else 'node')}</b>"
        f"<pre>{_esc(_fmt_full(grad))}</pre></p>"
    )
    if node.kind != "data" and node_id != trace.root:
        rows = chain_rule_rows(trace, node_id, gradients)
        out.append(_chain_rule_html(trace, node_id, rows, grad))
    return "".join(out)


def _chain_rule_html(trace, node_id, rows, total):
    if not rows:
        return ""
    lines = [
        "<p><b>Chain rule</b>: ∂L/∂node = Σ over its uses of upstream ∂L/∂use × local ∂use/∂node</p>",
        "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>",
        "<tr><th>use</th><th>upstream ∂L/∂use</th><th>local</th><th>contribution</th></tr>",
    ]
    for edge, upstream, local, contribution in rows:
        lines.append(
            f"<tr><td>{_esc(_node_name(trace, edge.target))} (input {edge.index + 1})</td>"
            f"<td>{_esc(gl.format_array(upstream) if not isinstance(upstream, str) else '?')}</td>"
            f"<td>{_esc(gl.format_array(local))}</td>"
            f"<td>{_esc(gl.format_array(contribution))}</td></tr>"
        )
    lines.append("</table>")
    if len(rows) > 1:
        terms = " + ".join(gl.format_array(c) for _, _, _, c in rows)
        lines.append(f"<p>Accumulated over {len(rows)} uses: {_esc(terms)} = <b>{_esc(gl.format_array(total))}</b></p>")
    op_names = {trace.nodes[edge.target].op for edge, *_ in rows}
    if op_names & {"MmBackward0", "MvBackward0", "AddmmBackward0"}:
        lines.append(
            "<p><i>For a matrix product the local gradient multiplies the upstream gradient as a "
            "matrix (see the formula of the product): gA = g·Bᵀ, gB = Aᵀ·g.</i></p>"
        )
    elif any(
        np.shape(c) != np.shape(u) for _, u, _, c in rows if c is not None and u is not None and not isinstance(u, str)
    ):
        lines.append("<p><i>Broadcast inputs: the products are summed back to this node's shape.</i></p>")
    return "".join(lines)


def group_report_html(trace, group):
    out = [
        f"<h3 style='margin:2px 0'>{_esc(group.title)}</h3>",
        "<p>A Linear layer drawn as one box (double-click it to expand). Inside:</p><ul>",
    ]
    for m in group.members:
        node = trace.nodes[m]
        out.append(f"<li>{_esc(node.symbol)} <code>{_esc(node.op)}</code>: {_esc(gl.format_array(node.value))}</li>")
    out.append("</ul>")
    out.append(node_report_html(trace, group.output, heading=f"Output: {_node_name(trace, group.output)}"))
    return "".join(out)


# ----------------------------------------------------------------------------------- the panel


class GraphPanel(QWidget):
    """The Graph dock's content.

    Signals
    -------
    modeChanged(str)
        "sample" or "batch" chosen.
    sampleShown(object)
        The point whose graph is shown (int), or None in batch mode.
    refreshRequested()
        The shown graph is older than the newest snapshot and training is idle: ask for a trace.
    nodeSelected(object)
        A box was clicked: its key (node id, or "group:<name>").
    """

    modeChanged = Signal(str)
    sampleShown = Signal(object)
    refreshRequested = Signal()
    nodeSelected = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.fonts = _fonts()
        self.metrics = {role: QFontMetricsF(font) for role, font in self.fonts.items()}
        self.line_height = {role: m.height() for role, m in self.metrics.items()}
        self.trace = None
        self.graph_layout = None
        self.node_items = {}
        self.edge_items = []
        self.collapsed = frozenset()
        self.selected_key = None
        self.stepper_position = None  # None: the stepper is off
        self._structure = None
        self._running = False
        self._refresh_asked = False
        self._shown_sample = "unset"
        self._latest_epoch = None
        self._identity = None
        self._inspector_html = None
        self._inspector_stale = True

        self.scene = QGraphicsScene(self)
        self.view = GraphView(self.scene)
        self.view.setToolTip("Wheel: zoom · drag: pan · click a box: inspect · double-click a layer: expand/collapse")
        self.inspector = QTextBrowser()
        self.inspector.setOpenLinks(False)
        self.inspector.setMinimumWidth(220)
        self.caption = QLabel()
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setContentsMargins(6, 2, 6, 2)

        self._build_toolbar()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.inspector)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 280])
        self.splitter = splitter
        self.inspector.setVisible(False)
        self.inspector_action.toggled.connect(self._inspector_toggled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.caption)
        layout.addWidget(splitter, 1)
        self._show_placeholder("No graph yet: it appears when training publishes its state.")
        self._update_stepper_controls()

    # ----------------------------------------------------------------- building
    def _build_toolbar(self):
        bar = QToolBar("Graph")
        bar.setIconSize(QSize(16, 16))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar = bar
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("Sample: one point", SAMPLE)
        self.mode_combo.addItem("Batch: all points", BATCH)
        self.mode_combo.setToolTip(
            "Sample: one point's computation (click a point in the Data plot to choose it).\n"
            "Batch: the whole batch, as one training step computes it."
        )
        self.mode_combo.currentIndexChanged.connect(self._mode_chosen)
        bar.addWidget(self.mode_combo)

        self.group_action = QAction("Group layers", self)
        self.group_action.setCheckable(True)
        self.group_action.setChecked(True)
        self.group_action.setStatusTip("Draw each Linear layer (matrix product and bias add) as one box")
        self.group_action.setToolTip("Draw each Linear layer as one box (double-click a layer to expand it)")
        self.group_action.toggled.connect(self._group_all)
        bar.addAction(self.group_action)

        self.fit_action = QAction("Fit", self)
        self.fit_action.setShortcut(QKeySequence(Qt.Key.Key_F))
        self.fit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fit_action.setStatusTip("Zoom to show the whole graph (F)")
        self.fit_action.setToolTip("Show the whole graph (F)")
        self.fit_action.triggered.connect(self.view.fit)
        bar.addAction(self.fit_action)
        self.addAction(self.fit_action)

        self.export_png_action = QAction("Export PNG…", self)
        self.export_png_action.setStatusTip("Save the graph as a PNG image")
        self.export_png_action.triggered.connect(lambda: self._export_dialog("png"))
        self.export_svg_action = QAction("Export SVG…", self)
        self.export_svg_action.setStatusTip("Save the graph as an SVG drawing")
        self.export_svg_action.triggered.connect(lambda: self._export_dialog("svg"))
        export_menu = QMenu(self)
        export_menu.addAction(self.export_png_action)
        export_menu.addAction(self.export_svg_action)
        export_button = QToolButton()
        export_button.setText("Export")
        export_button.setMenu(export_menu)
        export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_button.setToolTip("Save the graph as PNG or SVG")
        bar.addWidget(export_button)
        bar.addSeparator()

        self.stepper_action = QAction("Backward stepper", self)
        self.stepper_action.setCheckable(True)
        self.stepper_action.setStatusTip("Step through the backward pass one node at a time (training paused)")
        self.stepper_action.setToolTip("Walk the backward pass node by node, from the loss back to the leaves")
        self.stepper_action.toggled.connect(self._stepper_toggled)
        bar.addAction(self.stepper_action)
        self.step_reset_action = QAction("Restart", self)
        self.step_reset_action.setToolTip("Back to the start of the backward pass")
        self.step_reset_action.triggered.connect(self.stepper_reset)
        self.step_back_action = QAction("◀ Back", self)
        self.step_back_action.setToolTip("Undo the last backward step")
        self.step_back_action.triggered.connect(self.stepper_back)
        self.step_forward_action = QAction("Next ▶", self)
        self.step_forward_action.setToolTip("Compute the next node's gradient")
        self.step_forward_action.triggered.connect(self.stepper_forward)
        for action in (self.step_reset_action, self.step_back_action, self.step_forward_action):
            bar.addAction(action)
        self.step_label = QLabel()
        self.step_label.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.step_label)
        bar.addSeparator()
        self.inspector_action = QAction("Inspector", self)
        self.inspector_action.setCheckable(True)
        self.inspector_action.setStatusTip("Show the details of the clicked box: formulas, full values, the chain rule")
        self.inspector_action.setToolTip("Show or hide the inspector (click a box to inspect it)")
        bar.addAction(self.inspector_action)

    def _help_html(self):
        return (
            "<p><b>The computational graph of the loss.</b></p>"
            "<p>Blue boxes are data, orange boxes parameters, white boxes operations (operator and "
            "PyTorch grad_fn name); the loss has a red border. Each box shows its value and its "
            "gradient ∂L/∂node; each edge is labelled with its local gradient ∂target/∂input.</p>"
            "<p>Click a box to inspect it. With training paused, the <b>Backward stepper</b> walks "
            "the backward pass one node at a time.</p>"
        )

    # ----------------------------------------------------------------- public
    @property
    def mode(self) -> str:
        return self.mode_combo.currentData()

    def set_mode(self, mode):
        index = self.mode_combo.findData(mode)
        if index >= 0:
            self.mode_combo.setCurrentIndex(index)

    def measure(self, text, role):
        """Text size for :func:`playground.graph_layout.layout_graph`."""
        m = self.metrics[role]
        return m.horizontalAdvance(text) + 2.0, m.height()

    def show_snapshot(self, snapshot):
        """Show the trace a snapshot carries; a snapshot without one keeps the current graph.

        While training is idle, a snapshot without a (current) trace asks once for a fresh one
        (:attr:`refreshRequested`), so the graph always ends up showing the final state.
        """
        self._latest_epoch = snapshot.epoch
        if snapshot.n_points == 0:
            self.set_trace(None)
            return
        trace = getattr(snapshot, "trace", None)
        if trace is not None and getattr(trace, "mode", None) == self.mode:
            self.set_trace(trace)
            return
        self.request_refresh()

    def request_refresh(self):
        """Ask (once, until a trace arrives) for a trace of the current state, if training is idle."""
        if not self._running and not self._refresh_asked:
            self._refresh_asked = True
            self.refreshRequested.emit()

    def set_trace(self, trace):
        """Draw ``trace`` (a :class:`~playground.tracing.ModelTrace`); None clears the view."""
        self._refresh_asked = False
        if trace is None:
            self.trace = None
            self._structure = None
            self._identity = None
            self._show_placeholder("No graph: there are no points to compute a loss on.")
            self._set_stepper_position(None)
            return
        structure = trace.layout_key
        new_structure = structure != self._structure
        if new_structure:
            self.collapsed = gl.default_collapsed(trace) if self.group_action.isChecked() else frozenset()
        identity = (structure, getattr(trace, "epoch", None), trace.sample, trace.loss)
        if self.stepper_position is not None and identity != self._identity:
            self.stepper_position = 0
        self._identity = identity
        self.trace = trace
        if new_structure or self.graph_layout is None:
            self._structure = structure
            self._relayout(initial_view=True)
        self._update_texts()
        self._update_caption()
        self._update_stepper_controls()
        self._refresh_inspector()
        sample = trace.sample if trace.mode == SAMPLE else None
        if sample != self._shown_sample:
            self._shown_sample = sample
            self.sampleShown.emit(sample)

    def set_training_state(self, state):
        """Follow the training state: the stepper works only while training is paused."""
        was_running = self._running
        self._running = state == "running"
        if self._running:
            self._refresh_asked = False
            if self.stepper_position is not None:
                self._set_stepper_position(None)
        elif was_running:
            self.request_refresh()  # the last snapshots may have come without a trace
        self._update_stepper_controls()

    def select_node(self, key):
        """Select the box ``key`` (node id or "group:<name>") and show it in the inspector."""
        if self.selected_key in self.node_items:
            self.node_items[self.selected_key].set_selected(False)
        self.selected_key = key
        if key in self.node_items:
            self.node_items[key].set_selected(True)
        self.inspector_action.setChecked(True)
        self._refresh_inspector()
        if key in self.node_items:
            # After the inspector has taken its room, keep the box in sight.
            QTimer.singleShot(0, lambda k=key: self._reveal(k))
        self.nodeSelected.emit(key)

    def _reveal(self, key):
        item = self.node_items.get(key)
        if item is not None:
            self.view.ensureVisible(item, 30, 30)

    def toggle_group_at(self, key):
        """Expand the collapsed group ``key``, or collapse the group that node ``key`` belongs to."""
        if self.trace is None:
            return
        if isinstance(key, str) and key.startswith("group:"):
            name = key[len("group:") :]
            self.set_collapsed(self.collapsed - {name})
            return
        group = self.trace.group_of(key) if hasattr(self.trace, "group_of") else None
        if group is not None:
            self.set_collapsed(self.collapsed | {group.name})

    def set_collapsed(self, names):
        """Draw the groups named in ``names`` as single boxes (lays the graph out again)."""
        names = frozenset(names)
        if names == self.collapsed:
            return
        self.collapsed = names
        if self.trace is not None:
            self._relayout(initial_view=False)
            self._update_texts()
            self._refresh_inspector()

    def box_text(self, key):
        """The lines shown in box ``key`` (for tests and accessibility)."""
        return tuple(t.text() for t in self.node_items[key].texts)

    def edge_label_text(self, edge_index):
        """The label of the drawn edge labelled by ``trace.edges[edge_index]``."""
        for item in self.edge_items:
            if item.route.edge == edge_index:
                return tuple(t.text() for t in item.label_texts)
        raise KeyError(edge_index)

    def export_png(self, path, scale=2.0) -> bool:
        """Save the whole graph as a PNG image at ``scale`` pixels per unit; True on success."""
        rect = self.scene.sceneRect()
        image = QImage(
            max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)), QImage.Format.Format_ARGB32
        )
        image.fill(BACKGROUND)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        return image.save(str(path), "PNG")

    def export_svg(self, path) -> bool:
        """Save the whole graph as an SVG drawing; True on success."""
        from PySide6.QtSvg import QSvgGenerator

        rect = self.scene.sceneRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle("Computational graph")
        generator.setDescription("Exported from Gradient Playground")
        painter = QPainter()
        if not painter.begin(generator):
            return False
        self.scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        return True

    # ----------------------------------------------------------------- stepper
    def stepper_order(self):
        """The nodes in the order the stepper visits them (reverse topological: loss first)."""
        return self.trace.backward_order() if self.trace is not None else ()

    def stepper_gradients(self):
        """The gradients the stepper has computed so far: node id -> array (None for data)."""
        if self.trace is None or self.stepper_position is None:
            return {}
        order = self.stepper_order()
        known = {}
        trace = self.trace
        for node_id in order[: self.stepper_position]:
            node = trace.nodes[node_id]
            if node_id == trace.root:
                known[node_id] = np.ones_like(node.value)
            elif node.kind == "data":
                known[node_id] = None
            else:
                total = None
                for _edge, _upstream, _local, contribution in chain_rule_rows(trace, node_id, known):
                    if contribution is None:
                        continue
                    total = np.array(contribution, copy=True) if total is None else total + contribution
                known[node_id] = total
        return known

    @property
    def stepper_current(self):
        """The node whose gradient the stepper computed last, or None."""
        if self.stepper_position in (None, 0):
            return None
        return self.stepper_order()[self.stepper_position - 1]

    def stepper_forward(self):
        if self.stepper_position is not None and self.stepper_position < len(self.stepper_order()):
            self._set_stepper_position(self.stepper_position + 1)

    def stepper_back(self):
        if self.stepper_position:
            self._set_stepper_position(self.stepper_position - 1)

    def stepper_reset(self):
        if self.stepper_position is not None:
            self._set_stepper_position(0)

    def _stepper_toggled(self, on):
        if on and (self.trace is None or self._running):
            self.stepper_action.setChecked(False)
            return
        if on:
            self.inspector_action.setChecked(True)
        self._set_stepper_position(0 if on else None)

    def _set_stepper_position(self, position):
        self.stepper_position = position
        if position is None and self.stepper_action.isChecked():
            self.stepper_action.blockSignals(True)
            self.stepper_action.setChecked(False)
            self.stepper_action.blockSignals(False)
        self._update_texts()
        self._update_stepper_controls()
        current = self.stepper_current
        if current is not None:
            key = self.graph_layout.key_for_node(current)
            item = self.node_items.get(key)
            if item is not None:
                self.view.ensureVisible(item, 160, 60)
        self._refresh_inspector()

    def _update_stepper_controls(self):
        active = self.stepper_position is not None
        can = self.trace is not None and not self._running
        self.stepper_action.setEnabled(can or active)
        n = len(self.stepper_order()) if self.trace is not None else 0
        self.step_reset_action.setEnabled(active and self.stepper_position > 0)
        self.step_back_action.setEnabled(active and self.stepper_position > 0)
        self.step_forward_action.setEnabled(active and self.stepper_position < n)
        self.step_label.setText(f"step {self.stepper_position} / {n}" if active else "")

    # ----------------------------------------------------------------- drawing
    def _show_placeholder(self, text):
        self.scene.clear()
        self.node_items = {}
        self.edge_items = []
        self.graph_layout = None
        item = self.scene.addSimpleText(text, self.fonts["body"])
        item.setBrush(QColor("#666666"))
        self.scene.setSceneRect(item.boundingRect().adjusted(-20, -20, 20, 20))
        self.caption.setText("")

    def _relayout(self, initial_view):
        trace = self.trace
        self.graph_layout = gl.layout_graph(trace, self.measure, self.collapsed)
        self.scene.clear()
        self.node_items = {}
        self.edge_items = []
        expanded_members = set()
        for group in getattr(trace, "groups", ()):
            if group.name not in self.collapsed:
                expanded_members.update(group.members)
        for route in self.graph_layout.edges:
            item = EdgeItem(self, route)
            self.scene.addItem(item)
            self.edge_items.append(item)
        for key, box in self.graph_layout.boxes.items():
            it = self.graph_layout.items[key]
            root = it.kind != "group" and it.node == trace.root
            item = NodeItem(self, key, it.kind, box, root=root, stripe=it.node in expanded_members)
            item.setToolTip(self._tooltip(it))
            self.scene.addItem(item)
            self.node_items[key] = item
        self.scene.setSceneRect(QRectF(0, 0, self.graph_layout.width, self.graph_layout.height))
        if self.selected_key is not None and self.selected_key not in self.node_items:
            self.selected_key = None
        if self.selected_key in self.node_items:
            self.node_items[self.selected_key].set_selected(True)
        if initial_view:
            self._initial_view()
        self._update_stepper_controls()

    def _initial_view(self):
        self.view.fit()
        if self.view.zoom > OPENING_ZOOM_LIMIT:
            self.view.set_zoom(OPENING_ZOOM_LIMIT)
        if self.view.zoom < READABLE_ZOOM:
            self.view.set_zoom(READABLE_ZOOM)
            self.view.horizontalScrollBar().setValue(self.view.horizontalScrollBar().minimum())

    def _tooltip(self, it):
        trace = self.trace
        if it.kind == "group":
            return f"{it.group.title}: a Linear layer's ops as one box. Double-click to expand; click to inspect."
        node = trace.nodes[it.node]
        if node.kind == "op":
            text = f"{node.symbol}  {node.op}\n" + "\n".join(node.formula)
            if hasattr(trace, "group_of") and trace.group_of(node.id) is not None:
                text += f"\nPart of {trace.group_of(node.id).title} (double-click to collapse)"
            return text
        if node.kind == "parameter":
            return f"Parameter {node.label}: click to see its value, gradient and the chain rule behind it"
        return f"Data {node.label}: a fixed input (no gradient)"

    def _update_texts(self):
        trace = self.trace
        if trace is None or self.graph_layout is None:
            return
        stepping = self.stepper_position is not None
        known = self.stepper_gradients() if stepping else None
        current = self.stepper_current
        current_key = self.graph_layout.key_for_node(current) if current is not None else None
        for key, item in self.node_items.items():
            it = self.graph_layout.items[key]
            node_id = it.group.output if it.kind == "group" else it.node
            if stepping:
                grad = known.get(node_id, "unknown")
            else:
                grad = "engine"
            if it.kind == "group":
                lines = gl.group_lines(it.group, trace, grad)
            else:
                lines = gl.node_lines(trace, node_id, grad)
            item.set_lines(lines, pending=stepping and node_id not in known)
            if stepping:
                item.set_state("current" if key == current_key else ("done" if node_id in known else "pending"))
            else:
                item.set_state("normal")
        active_edges = set()
        if current is not None:
            active_edges = {i for i, e in enumerate(trace.edges) if e.source == current}
        for item in self.edge_items:
            item.set_label(gl.edge_label_lines(trace.edges[item.route.edge].local_grad))
            edge = trace.edges[item.route.edge]
            active = item.route.edge in active_edges or (current is not None and edge.source == current)
            if current is not None and not active and isinstance(item.route.source, str):
                group = self.graph_layout.items[item.route.source].group
                active = group.output == current
            item.set_active(active)

    def _update_caption(self):
        trace = self.trace
        parts = []
        if trace.mode == SAMPLE and trace.sample is not None:
            x = [n for n in trace.nodes if n.label == "x"]
            y = [n for n in trace.nodes if n.label == "y"]
            if x and y:
                parts.append(
                    f"Point {trace.sample + 1}: x = {gl.format_array(x[0].value)}, y = {gl.format_array(y[0].value)}"
                )
            else:
                parts.append(f"Point {trace.sample + 1}")
        else:
            parts.append(f"All {self._batch_size(trace)} points")
        if getattr(trace, "epoch", None) is not None:
            parts.append(f"epoch {trace.epoch}")
        parts.append(f"loss {gl.format_number(trace.loss)}")
        parts.append("edges: local gradient ∂target/∂input")
        self.caption.setText("  ·  ".join(parts))

    @staticmethod
    def _batch_size(trace):
        for n in trace.nodes:
            if n.label == "y":
                return int(np.shape(n.value)[0]) if np.ndim(n.value) else 1
        return "the"

    def _set_inspector_html(self, text):
        if text != self._inspector_html:
            self._inspector_html = text
            scroll = self.inspector.verticalScrollBar().value()
            self.inspector.setHtml(text)
            self.inspector.verticalScrollBar().setValue(scroll)

    def _refresh_inspector(self):
        if not self.inspector_action.isChecked():
            self._inspector_stale = True
            return
        self._inspector_stale = False
        self._set_inspector_html(self._inspector_text())

    def _inspector_text(self):
        trace = self.trace
        if trace is None:
            return self._help_html()
        if self.stepper_position is not None:
            return self._stepper_html()
        key = self.selected_key
        if key is None or self.graph_layout is None or key not in self.graph_layout.items:
            return self._help_html()
        it = self.graph_layout.items[key]
        if it.kind == "group":
            return group_report_html(trace, it.group)
        return node_report_html(trace, it.node)

    def _stepper_html(self):
        trace = self.trace
        order = self.stepper_order()
        position = self.stepper_position
        if position == 0:
            return (
                "<h3 style='margin:2px 0'>Backward pass</h3><p>Press ▶ to start at the loss. Each step "
                "computes one node's gradient ∂L/∂node from the gradients of the nodes it feeds: "
                "upstream × local = contribution, summed over its uses.</p>"
                f"<p>{len(order)} nodes, visited from the loss back to the leaves.</p>"
            )
        known = self.stepper_gradients()
        node_id = order[position - 1]
        node = trace.nodes[node_id]
        out = [f"<h3 style='margin:2px 0'>Step {position} of {len(order)}: ∂L/∂{_esc(_node_name(trace, node_id))}</h3>"]
        if node_id == trace.root:
            out.append("<p>The loss: ∂L/∂L = <b>1</b>. The backward pass starts here.</p>")
        elif node.kind == "data":
            out.append(
                f"<p>{_esc(node.label)} is data (requires_grad=False): autograd does not compute its gradient.</p>"
            )
        else:
            rows = chain_rule_rows(trace, node_id, known)
            out.append(_chain_rule_html(trace, node_id, rows, known.get(node_id)))
            out.append(
                f"<p>∂L/∂{_esc(node.label if node.kind != 'op' else 'node')} = "
                f"<b>{_esc(gl.format_array(known.get(node_id)))}</b></p>"
            )
            if node.kind == "parameter":
                out.append("<p>This is the parameter's <code>.grad</code>, what the optimizer uses.</p>")
        if position == len(order):
            out.append("<p><b>Done</b>: every gradient is known; they equal the engine's.</p>")
        return "".join(out)

    # ----------------------------------------------------------------- reactions
    def _inspector_toggled(self, on):
        self.inspector.setVisible(on)
        if on and self._inspector_stale:
            self._refresh_inspector()

    def _mode_chosen(self, _index):
        self._set_stepper_position(None)
        self._refresh_asked = False
        self.modeChanged.emit(self.mode)

    def _group_all(self, on):
        if self.trace is None:
            return
        self.set_collapsed(gl.default_collapsed(self.trace) if on else frozenset())

    def _export_dialog(self, kind):
        if self.trace is None:
            QMessageBox.information(self, "Export graph", "There is no graph to export yet.")
            return
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
        path, _ = QFileDialog.getSaveFileName(self, f"Export graph as {kind.upper()}", f"graph.{kind}", filters[kind])
        if not path:
            return
        if not path.lower().endswith("." + kind):
            path += "." + kind
        ok = self.export_png(path) if kind == "png" else self.export_svg(path)
        if not ok:
            QMessageBox.warning(self, "Export graph", f"Could not write {path}.")


def install_graph_dock(window):
    """Add the Graph dock to the main window and connect it to training and the Data panel.

    Traces are built (in the training thread) only while the dock is visible. Returns the dock;
    the panel is ``window.graph_panel``.
    """
    panel = GraphPanel()
    builder = TraceBuilder()
    dock = window.add_dock(
        panel,
        "Graph",
        Qt.DockWidgetArea.RightDockWidgetArea,
        tooltip="The computational graph of the loss, with values and gradients",
        tabify_with=window.loss_dock,
    )
    training = window.training
    data_panel = window.data_panel

    def request_trace():
        builder.refresh()
        training.set_selected_sample(data_panel.highlighted_sample)

    def visibility_changed(visible):
        training.set_trace_builder(builder if visible else None)
        if visible:
            request_trace()

    def mode_changed(mode):
        builder.mode = mode
        request_trace()

    def points_changed(_points):
        # While paused the worker publishes nothing for new points: ask for the new graph.
        if dock.isVisible() and not training.running:
            request_trace()

    dock.visibilityChanged.connect(visibility_changed)
    window.document.pointsChanged.connect(points_changed)
    panel.modeChanged.connect(mode_changed)
    panel.refreshRequested.connect(request_trace)
    panel.sampleShown.connect(data_panel.highlight_sample)
    training.snapshotReady.connect(panel.show_snapshot)
    training.stateChanged.connect(panel.set_training_state)
    window.graph_panel = panel
    window.graph_dock = dock
    window.graph_trace_builder = builder
    return dock
