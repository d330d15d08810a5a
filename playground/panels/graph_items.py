"""The Graph dock's canvas: boxes, edges and the zoomable view that draw a laid-out trace."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from playground import graph_layout as gl

__all__ = ["BACKGROUND", "EdgeItem", "GraphView", "NodeItem", "fonts"]

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
#: Fit never zooms out further than this (node text stays about 6 points high).
MIN_FIT_ZOOM = 0.65


def fonts():
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

    def fit(self, focus=None):
        """Show the whole graph, or as much of it as fits at a readable size, around ``focus`` (an item)."""
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > MAX_ZOOM:
            self.set_zoom(MAX_ZOOM)
        if self.zoom < MIN_FIT_ZOOM:  # text would shrink to a few pixels: keep it legible instead
            self.set_zoom(MIN_FIT_ZOOM)
            if focus is not None:
                self.centerOn(focus)
