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

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFontMetricsF,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsScene,
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
from playground import graph_report as report
from playground.panels.graph_items import (
    BACKGROUND,
    OPENING_ZOOM_LIMIT,
    READABLE_ZOOM,
    EdgeItem,
    GraphView,
    NodeItem,
    fonts,
)
from playground.panels.scene_export import render_png, render_svg
from playground.tracing import BATCH, SAMPLE

__all__ = ["GraphPanel"]


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
        self.fonts = fonts()
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
        self.fit_action.triggered.connect(self.fit)
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
        return render_png(self.scene, self.scene.sceneRect(), path, scale, BACKGROUND)

    def export_svg(self, path) -> bool:
        """Save the whole graph as an SVG drawing; True on success."""
        return render_svg(self.scene, self.scene.sceneRect(), path, "Computational graph")

    # ----------------------------------------------------------------- stepper
    def stepper_order(self):
        """The nodes in the order the stepper visits them (reverse topological: loss first)."""
        return self.trace.backward_order() if self.trace is not None else ()

    def stepper_gradients(self):
        """The gradients the stepper has computed so far: node id -> array (None for data)."""
        if self.trace is None or self.stepper_position is None:
            return {}
        return report.stepper_gradients(self.trace, self.stepper_position)

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

    def fit(self):
        """Show the whole graph if it fits at a readable size; otherwise as much of it as does, around the loss."""
        root = self.node_items.get(self.graph_layout.key_for_node(self.trace.root)) if self.trace else None
        self.view.fit(root)

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
            return report.help_html()
        if self.stepper_position is not None:
            return report.stepper_html(trace, self.stepper_position)
        key = self.selected_key
        if key is None or self.graph_layout is None or key not in self.graph_layout.items:
            return report.help_html()
        it = self.graph_layout.items[key]
        if it.kind == "group":
            return report.group_report_html(trace, it.group)
        return report.node_report_html(trace, it.node)

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
