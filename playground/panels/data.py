"""The Data panel: the points, the fitted curve, and an editable (x, y) table kept in sync.

Mouse, in the plot:

* click on empty space adds a point; click on a point selects it (Ctrl+click toggles);
* drag a point to move it; a selected point drags the whole selection with it;
* drag on empty space draws a selection rectangle (Ctrl or Shift adds to the selection);
* right-click on a point deletes it (or the selection it belongs to); Delete deletes the selection;
* the middle button pans, the right button drags to zoom, the wheel zooms.

Every edit goes through the document's undo stack; the panel only draws what the document says.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGraphicsItem,
    QGraphicsRectItem,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.background import BackgroundJob
from playground.datasets import test_mask
from playground.document import InvalidPointError
from playground.io import PointsFormatError, parse_points_csv
from playground.models import CurveModel
from playground.panels.numbers import NUMBER_ROLE, FittingNumberDelegate
from playground.panels.plane import (
    STRIP_COLUMNS,
    STRIP_HEIGHT,
    STRIP_WIDTH,
    PlaneView,
    class_brushes,
    strip_beside,
    strip_height,
)
from playground.panels.plots import cache_axes

#: How the plot and the table share width the panel gains (the table keeps its width beside a plane
#: whose neuron strip is beside the plot: the plane is the wider the better).
PLOT_STRETCH, TABLE_STRETCH = 4, 1
#: Qt's largest widget size (QWIDGETSIZE_MAX), what lifts a fixed height.
WIDGET_SIZE_MAX = 16_777_215

_ROOT = QModelIndex()  # the invisible root: these tables have no children

POINT_COLOR = QColor(31, 119, 180)
SELECTED_COLOR = QColor(255, 127, 14)
SAMPLE_COLOR = QColor(214, 39, 40)
CURVE_COLOR = QColor(44, 160, 44)
HIT_RADIUS_PX = 9.0
#: How far beyond the points the view follows the fitted curve, in multiples of their height.
CURVE_REACH = 3.0
#: Pasted text longer than this is parsed in the background.
BACKGROUND_PASTE_CHARS = 256 * 1024
CURVE_SAMPLES = 400
#: The points table's least width: "-3.12439" in both coordinate columns, not "-3.…"; and the
#: class column's, in the plane.
TABLE_MIN_WIDTH = 150
CLASS_COLUMN_WIDTH = 40


def format_number(value: float) -> str:
    """A short, exact-enough text for a coordinate."""
    return f"{value:.6g}"


def format_exact(value: float) -> str:
    """Every digit needed to read the coordinate back exactly."""
    return repr(float(value))


class PointsItem(pg.ScatterPlotItem):
    """The draggable points (after pyqtgraph's CustomGraphItem example).

    Presses that do not land on a point are ignored, so the view box underneath gets them.
    """

    def __init__(self, panel: DataPanel):
        super().__init__(
            size=11,
            pen=pg.mkPen(QColor(20, 60, 110), width=1.2),
            brush=pg.mkBrush(POINT_COLOR),
            pxMode=True,
            antialias=True,
        )
        self._panel = panel
        self.setAcceptHoverEvents(True)
        self.setZValue(10)

    def show_points(self, points: np.ndarray) -> None:
        """Draw ``points`` in a few milliseconds, however many there are.

        pyqtgraph prepares each new spot in Python (half a second for 100,000). Every point here
        looks the same, so one spot is prepared and its record copied for the others; when only
        positions change (a drag, a table edit, an undo) they are written in place.
        """
        points = np.asarray(points, dtype=np.float64)
        points = points.reshape(len(points), -1)[:, :2] if points.size else points.reshape(0, 2)
        if len(points) != len(self.data):
            if len(points) == 0:
                self.setData(pos=points)
                return
            self.setData(pos=points[:1])
            self.data = np.repeat(self.data[:1], len(points))
        self.data["x"] = points[:, 0]
        self.data["y"] = points[:, 1]
        # What ScatterPlotItem.setData does after new data, minus preparing the (identical) spots.
        self.prepareGeometryChange()
        self.informViewBoundsChanged()
        self.bounds = [None, None]
        self.invalidate()
        self.sigPlotChanged.emit(self)

    def point_at(self, scene_pos) -> int | None:
        """Index of the point nearest to ``scene_pos`` within the hit radius, or None."""
        points = self._panel.points
        if len(points) == 0:
            return None
        view_box = self._panel.view_box
        pos = view_box.mapSceneToView(scene_pos)
        px, py = view_box.viewPixelSize()
        if px <= 0 or py <= 0 or not (math.isfinite(px) and math.isfinite(py)):
            return None
        dx = (points[:, 0] - pos.x()) / px
        dy = (points[:, 1] - pos.y()) / py
        d2 = dx * dx + dy * dy
        nearest = int(np.argmin(d2))
        return nearest if d2[nearest] <= HIT_RADIUS_PX**2 else None

    def hoverEvent(self, ev):
        if ev.isExit():
            self.unsetCursor()
            return
        if self.point_at(ev.scenePos()) is not None:
            ev.acceptDrags(Qt.MouseButton.LeftButton)
            ev.acceptClicks(Qt.MouseButton.LeftButton)
            ev.acceptClicks(Qt.MouseButton.RightButton)
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.unsetCursor()

    def mouseClickEvent(self, ev):
        index = self.point_at(ev.scenePos())
        if index is None:
            ev.ignore()
            return
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._panel._click_point(index, ev.modifiers())
        elif ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self._panel._delete_at(index)
        else:
            ev.ignore()

    def mouseDragEvent(self, ev):
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            index = self.point_at(ev.buttonDownScenePos())
            if index is None:
                ev.ignore()
                return
            self._panel._begin_drag(index, self._panel.view_box.mapSceneToView(ev.buttonDownScenePos()))
        elif not self._panel.dragging:
            ev.ignore()
            return
        ev.accept()
        self._panel._continue_drag(self._panel.view_box.mapSceneToView(ev.scenePos()))
        if ev.isFinish():
            self._panel._end_drag()


class DataViewBox(pg.ViewBox):
    """A view box where a click adds a point and a left drag draws a selection rectangle."""

    def __init__(self, panel: DataPanel):
        super().__init__()
        self._panel = panel
        self._band_start = None
        self.selection_band = QGraphicsRectItem()
        pen = QPen(SELECTED_COLOR, 1.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.selection_band.setPen(pen)
        self.selection_band.setBrush(pg.mkBrush(255, 127, 14, 40))
        self.selection_band.hide()
        self.addItem(self.selection_band, ignoreBounds=True)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._panel._click_empty(self.mapSceneToView(ev.scenePos()), ev.modifiers())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() != Qt.MouseButton.LeftButton or axis is not None:
            super().mouseDragEvent(ev, axis=axis)
            return
        ev.accept()
        if ev.isStart():
            self._band_start = self.mapSceneToView(ev.buttonDownScenePos())
        if self._band_start is None:
            return
        rect = QRectF(self._band_start, self.mapSceneToView(ev.scenePos())).normalized()
        self.selection_band.setRect(rect)
        self.selection_band.setVisible(not ev.isFinish())
        if ev.isFinish():
            self._band_start = None
            additive = bool(ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
            self._panel._select_in_rect(rect, additive)


class PointsTableModel(QAbstractTableModel):
    """The points as an editable two-column (x, y) table; edits go to the document."""

    rejected = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self._document = document
        self._points = document.points

    def set_points(self, points: np.ndarray) -> None:
        if len(points) == len(self._points) and np.shape(points)[1:] == np.shape(self._points)[1:]:
            changed = np.flatnonzero(np.any(np.asarray(points) != self._points, axis=1))
            self._points = points
            if len(changed) == 1:  # a drag: only that row's cells repaint (and only if shown)
                row = int(changed[0])
                for column in range(self.columnCount()):
                    self.dataChanged.emit(self.index(row, column), self.index(row, column))
            elif len(changed):
                last = self.columnCount() - 1
                self.dataChanged.emit(self.index(int(changed[0]), 0), self.index(int(changed[-1]), last))
        else:
            self.beginResetModel()
            self._points = points
            self.endResetModel()

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self._points)

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else (self._points.shape[1] if self._points.ndim == 2 else 2)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return ("x1", "x2", "class")[section] if self.columnCount() == 3 else ("x", "y")[section]
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            if self.columnCount() == 3:
                return ("Input x₁", "Input x₂", "The point's class, 0 to 3")[section] + " (double-click a cell to edit)"
            return ("Input x (double-click a cell to edit)", "Target y (double-click a cell to edit)")[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = float(self._points[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return str(int(value)) if index.column() == 2 else format_number(value)
        if role == Qt.ItemDataRole.EditRole:
            return repr(value)
        if role == NUMBER_ROLE:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return repr(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        try:
            number = float(str(value).strip())
        except ValueError:
            self.rejected.emit(f"“{value}” is not a number; the point was left unchanged.")
            return False
        if not math.isfinite(number):
            self.rejected.emit(
                "Coordinates must be finite numbers (not NaN or infinity); the point was left unchanged."
            )
            return False
        row = index.row()
        x, y = (float(v) for v in self._points[row, :2])
        label = None
        if index.column() == 0:
            x = number
        elif index.column() == 1:
            y = number
        else:
            label = number
        try:
            self._document.set_point(row, x, y, label)
        except (InvalidPointError, IndexError) as exc:
            self.rejected.emit(str(exc))
            return False
        return True


class PointsTableView(QTableView):
    """The table; arrow keys navigate here instead of stepping the training."""

    def event(self, ev):
        if ev.type() == ev.Type.ShortcutOverride and ev.key() in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_1,
            Qt.Key.Key_2,
            Qt.Key.Key_3,
            Qt.Key.Key_4,
        ):
            ev.accept()
            return True
        return super().event(ev)


class DataPanel(QWidget):
    """The Data dock's content: the point plot with its fitted curve, and the points table.

    Parameters
    ----------
    document : Document
        Source of the points; every edit is pushed to its undo stack.

    Signals
    -------
    sampleSelected(int)
        A point was clicked (or a drag started on it): its index.
    selectionChanged(object)
        The selected indices (sorted int ndarray) changed.
    message(str)
        Something the user should read (a rejected edit).
    """

    sampleSelected = Signal(int)
    selectionChanged = Signal(object)
    message = Signal(str)
    draggingChanged = Signal(bool)  # points are being dragged (True at the press, False at the release)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self._document = document
        self.points = document.points
        self._selected = np.empty(0, dtype=np.int64)
        self._sample = None
        self._sample_ring = True  # whether the sample's ring is drawn (the view that shows it is in sight)
        self._drag = None
        self._snapshot = None
        self._curve_model = CurveModel()  # the trained model itself, on the snapshot's parameters
        self._pasting = None  # the background job reading a large paste
        self._curve_xs = np.empty(0)
        self._curve_ys = np.empty(0)

        self.view_box = DataViewBox(self)
        self.plot_widget = pg.PlotWidget(viewBox=self.view_box, background="w")
        self.plot_widget.setToolTip(
            "Click to add a point · drag a point to move it · drag on empty space to select\n"
            "Right-click or Delete removes · middle-drag pans · wheel zooms"
        )
        self.plot_widget.setStatusTip(
            "Click to add a point; drag points to move them; right-click a point to delete it."
        )
        scene = self.plot_widget.scene()
        send_hover_events = scene.sendHoverEvents

        def hover_unless_dragging(ev, exitOnly=False):
            # Mid-drag no item may take a hover event, and finding the items under the mouse
            # measures every item's bounds: skipped, the moved point reaches the screen sooner.
            if exitOnly or not self.dragging:
                send_hover_events(ev, exitOnly)

        scene.sendHoverEvents = hover_unless_dragging
        plot_item = self.plot_widget.getPlotItem()
        plot_item.showGrid(x=True, y=True, alpha=0.25)
        plot_item.setLabel("bottom", "x")
        plot_item.setLabel("left", "y")
        plot_item.hideButtons()
        cache_axes(plot_item)
        self.view_box.setMenuEnabled(True)

        self.fitted_curve = pg.PlotCurveItem(pen=pg.mkPen(CURVE_COLOR, width=2.5), antialias=True)
        self.fitted_curve.setZValue(5)
        self.view_box.addItem(self.fitted_curve, ignoreBounds=True)
        self.points_item = PointsItem(self)
        # Drawn from a cache: the fitted curve changes every frame, the points seldom.
        self.points_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view_box.addItem(self.points_item)
        self.selection_item = pg.ScatterPlotItem(
            size=13, pen=pg.mkPen(QColor(150, 70, 0), width=1.5), brush=pg.mkBrush(SELECTED_COLOR), pxMode=True
        )
        self.selection_item.setZValue(11)
        self.selection_item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.view_box.addItem(self.selection_item, ignoreBounds=True)
        self.sample_item = pg.ScatterPlotItem(
            size=22, pen=pg.mkPen(SAMPLE_COLOR, width=2.5), brush=pg.mkBrush(None), pxMode=True
        )
        self.sample_item.setZValue(12)
        self.sample_item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.view_box.addItem(self.sample_item, ignoreBounds=True)
        self.empty_hint = pg.TextItem("No points: click to add some", color=(90, 90, 90), anchor=(0.5, 0.5))
        self.empty_hint.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.view_box.addItem(self.empty_hint, ignoreBounds=True)

        self.table_model = PointsTableModel(document, self)
        self.table_model.rejected.connect(self.message)
        self.table = PointsTableView()
        self.table.setModel(self.table_model)
        self.table.setItemDelegate(FittingNumberDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.sectionCountChanged.connect(self._fit_columns)
        self._fit_columns(0, header.count())
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setToolTip("The points. Double-click a cell to edit; select rows to select points.")
        self.table.setStatusTip("Edit a coordinate by double-clicking it; Delete removes the selected points.")
        self.table.selectionModel().selectionChanged.connect(self._table_selection_changed)
        self._syncing_table = False

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot_widget)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, PLOT_STRETCH)
        splitter.setStretchFactor(1, TABLE_STRETCH)
        splitter.setSizes([800, 210])
        splitter.setChildrenCollapsible(True)
        self.splitter = splitter
        self.plane = PlaneView(self)
        self.plane.toolbar.generateRequested.connect(self.plane.generate)
        self.plane.toolbar.testFractionChosen.connect(self._test_fraction_chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plane.toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.plane.strip)
        self.plane.strip.setFixedHeight(STRIP_HEIGHT)
        self.strip_beside = False  # the neuron strip below the plot, or in the splitter beside it
        self._strip_timer = QTimer(self, singleShot=True, interval=0, timeout=self._place_strip)
        self.plane.toolbar.rowsChanged.connect(self._strip_timer.start)
        self._plane_key = None
        document.configChanged.connect(self._config_changed)
        self._config_changed(document.config)

        document.pointsChanged.connect(self._points_changed)
        self._following = True
        self.view_box.sigRangeChangedManually.connect(self._stop_following)
        self.view_box.sigXRangeChanged.connect(self._update_curve)
        self.view_box.sigRangeChanged.connect(self._place_hint)
        self.view_box.sigRangeChanged.connect(self._plane_range_changed)
        self._points_changed(document.points)
        self.fit_view()

    # ----------------------------------------------------------------- public
    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def selected_indices(self) -> np.ndarray:
        """The selected points' indices, sorted."""
        return self._selected.copy()

    def set_selection(self, indices) -> None:
        """Select exactly these points (unknown indices are dropped)."""
        indices = np.unique(np.asarray(list(indices), dtype=np.int64))
        indices = indices[(indices >= 0) & (indices < len(self.points))]
        if np.array_equal(indices, self._selected):
            return
        self._selected = indices
        self._draw_selection()
        self._sync_table_selection()
        self.selectionChanged.emit(self._selected.copy())

    def select_all(self) -> None:
        self.set_selection(range(len(self.points)))

    def clear_selection(self) -> None:
        self.set_selection([])

    def delete_selected(self) -> None:
        """Delete the selected points (one undo step)."""
        if len(self._selected):
            indices = self._selected
            self._selected = np.empty(0, dtype=np.int64)
            self._document.delete_points(indices)

    def copy_points(self) -> int:
        """Put the selected points (all of them if none is selected) on the clipboard, one
        tab-separated x, y row each, as spreadsheets paste them. Returns how many."""
        points = self.points[self._selected] if len(self._selected) else self.points
        QGuiApplication.clipboard().setText(
            "".join("\t".join(format_exact(v) for v in row) + "\n" for row in points.tolist())
        )
        return len(points)

    def paste_points(self) -> bool:
        """Add the points of the clipboard's text (rows of x and y, as a spreadsheet or a CSV file
        has them) as one undo step and select them. A large text is read in the background.
        Returns False, with a message, when the clipboard holds no points."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.message.emit("The clipboard holds no text to paste as points.")
            return False
        if len(text) <= BACKGROUND_PASTE_CHARS:
            try:
                self._add_pasted(parse_points_csv(text, self._document.width))
            except PointsFormatError as exc:
                self._paste_failed(exc)
                return False
            return True
        width = self._document.width
        job = BackgroundJob(lambda: parse_points_csv(text, width), self)
        job.finished.connect(self._add_pasted)
        job.failed.connect(self._paste_failed)
        self._pasting = job  # kept until it reports
        self.message.emit("Reading the pasted points…")
        job.start()
        return True

    def _add_pasted(self, points) -> None:
        start = len(self.points)
        self._document.add_points(points)
        self.set_selection(range(start, start + len(points)))
        self.message.emit(f"Pasted {len(points):,} point{'s' if len(points) != 1 else ''} (Ctrl+Z undoes)")

    def _paste_failed(self, exc) -> None:
        self.message.emit(f"The clipboard's text is not a list of points: {exc}")

    def highlight_sample(self, index: int | None) -> None:
        """Ring the point ``index`` (the sample shown elsewhere, e.g. in the graph view); None clears."""
        self._sample = index if index is not None and 0 <= index < len(self.points) else None
        self._draw_sample()

    def show_sample_ring(self, shown: bool) -> None:
        """Draw the sample's ring or not (it marks what another view shows: only while that view is seen).
        The sample is kept either way."""
        self._sample_ring = shown
        self._draw_sample()

    @property
    def highlighted_sample(self) -> int | None:
        """The ringed point, or None (none chosen, or the ring not shown)."""
        return self._sample if self._sample_ring else None

    def fit_view(self) -> None:
        """Zoom so that every point and the fitted curve over them are visible with a margin, and
        follow them from now on (until the view is panned or zoomed by hand)."""
        self._following = True
        points = self.points[:, :2]
        if self.plane.active:
            lo, hi = np.array([-6.0, -6.0]), np.array([6.0, 6.0])
            if len(points):
                lo, hi = np.minimum(lo, points.min(axis=0)), np.maximum(hi, points.max(axis=0))
            self.view_box.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.03)
            return
        if len(points) == 0:
            self.view_box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.05)
            return
        lo = points.min(axis=0)
        hi = points.max(axis=0)
        # A direction without spread (one point, or points on a vertical or horizontal line) is shown
        # from its value's size: x = 1 spans 0…2, so a line through the origin (y = w·x) is in sight.
        flat = hi - lo <= 1e-12 * np.maximum(1.0, np.abs(hi))
        centre = (lo + hi) / 2
        half = np.maximum(1.0, np.abs(centre))
        lo, hi = np.where(flat, centre - half, lo), np.where(flat, centre + half, hi)
        curve = self._curve_span(lo[0], hi[0], lo[1], hi[1])
        if curve is not None:
            lo[1], hi[1] = min(lo[1], curve[0]), max(hi[1], curve[1])
        margin = (hi - lo) * 0.12
        self.view_box.setRange(
            xRange=(lo[0] - margin[0], hi[0] + margin[0]),
            yRange=(lo[1] - margin[1], hi[1] + margin[1]),
            padding=0,
        )

    @property
    def following(self) -> bool:
        """The view widens by itself to keep the points and the fitted curve in sight."""
        return self._following

    def _curve_span(self, x0, x1, y0, y1):
        """(min, max) of the fitted curve between x0 and x1, or None; a curve that runs off to
        extremes (a diverging fit) counts only up to ``CURVE_REACH`` times the points' height."""
        snapshot = self._snapshot
        if snapshot is None or x1 < x0:
            return None
        try:
            ys = self._curve_model(snapshot.config, snapshot.params, np.linspace(x0, x1, 64))
        except Exception:  # a model/parameter mismatch must not break the view
            return None
        return _within_reach(ys[np.isfinite(ys)], y0, y1)

    def _keep_in_sight(self, lo, hi) -> None:
        """Widen the view (never narrow it) to hold the box lo…hi, with a margin."""
        (vx0, vx1), (vy0, vy1) = self.view_box.viewRange()
        mx, my = (vx1 - vx0) * 0.04, (vy1 - vy0) * 0.04
        nx0, nx1 = min(vx0, lo[0] - mx), max(vx1, hi[0] + mx)
        ny0, ny1 = min(vy0, lo[1] - my), max(vy1, hi[1] + my)
        if (nx0, nx1, ny0, ny1) != (vx0, vx1, vy0, vy1):
            self.view_box.setRange(xRange=(nx0, nx1), yRange=(ny0, ny1), padding=0)

    def _stop_following(self, *args) -> None:
        self._following = False

    def show_snapshot(self, snapshot) -> None:
        """Draw the fitted curve of ``snapshot``'s parameters over the visible x range (in the
        plane, the decision surface over the visible plane)."""
        self._snapshot = snapshot
        if self.plane.active:
            self.plane.draw(snapshot)
            return
        self._update_curve()
        points = self.points
        if self._following and self._drag is None and len(points):
            xs, ys = self._curve_xs, self._curve_ys
            x0, x1 = points[:, 0].min(), points[:, 0].max()
            inside = (xs >= x0) & (xs <= x1) & np.isfinite(ys)
            span = _within_reach(ys[inside], points[:, 1].min(), points[:, 1].max())
            if span is not None:  # the fit over the points wanders off: follow it
                self._keep_in_sight((x0, span[0]), (x1, span[1]))

    def fitted_curve_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The x and y values of the fitted curve as drawn."""
        return self._curve_xs.copy(), self._curve_ys.copy()

    def scene_position(self, index: int):
        """The scene position of point ``index`` (for tests and benchmarks that drive the mouse)."""
        x, y = self.points[index, :2]
        return self.view_box.mapViewToScene(QPointF(float(x), float(y)))

    # ----------------------------------------------------------------- document -> view
    def _points_changed(self, points: np.ndarray) -> None:
        count_changed = len(points) != len(self.points)
        self.points = np.asarray(points)
        self.points_item.show_points(self.points)
        self._draw_classes(count_changed)
        n = len(self.points)
        if len(self._selected) and self._selected.max() >= n:
            self._selected = self._selected[self._selected < n]
            self.selectionChanged.emit(self._selected.copy())
        if self._sample is not None and self._sample >= n:
            self._sample = None
        self._draw_selection()
        self._draw_sample()
        self.table_model.set_points(self.points)
        if count_changed:
            self._sync_table_selection()
        self.empty_hint.setVisible(n == 0)
        self._place_hint()

    def _draw_selection(self) -> None:
        self.selection_item.setData(pos=self.points[self._selected, :2] if len(self._selected) else np.empty((0, 2)))

    def _draw_sample(self) -> None:
        if self._sample is None or not self._sample_ring:
            self.sample_item.setData(pos=np.empty((0, 2)))
        else:
            self.sample_item.setData(pos=self.points[[self._sample], :2])

    # ----------------------------------------------------------------- the plane
    def _fit_columns(self, _old=0, count=0) -> None:
        """The coordinates share the table's width; a class column is as wide as its title.

        (Fixed, not fitted to its contents: that would measure every row at every edit.)"""
        header = self.table.horizontalHeader()
        for column in range(count):
            if column >= 2:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, CLASS_COLUMN_WIDTH)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumWidth(TABLE_MIN_WIDTH + (CLASS_COLUMN_WIDTH if count > 2 else 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._strip_timer.start()

    def _place_strip(self) -> None:
        """The neuron strip below the plot, or beside it (a grid of heatmaps a layer) where a short, wide
        panel would otherwise leave the plane, which keeps its aspect ratio, small. Run once the panel's
        size or the class toolbar's rows have changed (not inside their events: it moves a widget)."""
        strip = self.plane.strip
        toolbar = self.plane.toolbar
        height = self.height() - (toolbar.sizeHint().height() if self.plane.active else 0)
        table = self.splitter.sizes()[-1]
        beside = self.plane.active and strip_beside(self.width() - table, height)
        if not beside:
            strip.setFixedHeight(strip_height(height))
        if beside == self.strip_beside:
            return
        self.strip_beside = beside
        if beside:
            total = sum(self.splitter.sizes())
            self.splitter.insertWidget(1, strip)
            strip.setMinimumHeight(0)
            strip.setMaximumHeight(WIDGET_SIZE_MAX)
            self.splitter.setCollapsible(1, False)
            self.splitter.setStretchFactor(2, 0)  # the plane takes what the panel gains
            self.splitter.setSizes([total - table - STRIP_WIDTH, STRIP_WIDTH, table])
            strip.set_columns(STRIP_COLUMNS)
        else:
            plot, strip_width, table = self.splitter.sizes()
            self.layout().addWidget(strip)
            self.splitter.setStretchFactor(1, TABLE_STRETCH)
            self.splitter.setSizes([plot + strip_width, table])
            strip.set_columns(None)

    def _config_changed(self, config) -> None:
        active = getattr(config, "task", "regression") == "classification"
        if active != self.plane.active:
            self.plane.set_active(active)
            self._place_strip()
            self.fitted_curve.setVisible(not active)
            plot_item = self.plot_widget.getPlotItem()
            plot_item.setLabel("bottom", "x₁" if active else "x")
            plot_item.setLabel("left", "x₂" if active else "y")
            self.view_box.setAspectLocked(active)
            self._snapshot = None
            self.fitted_curve.setData([], [])
        if active:
            self.plane.config_changed(config)
        self._plane_key = None
        self._draw_classes(False)

    def _draw_classes(self, count_changed) -> None:
        """Points in the plane in their class's colour and marker; test points hollow."""
        points = self.points
        if not self.plane.active or points.ndim != 2 or points.shape[1] != 3:
            if self._plane_key is not None:
                self._plane_key = None
                self.points_item.setData(pos=points[:, :2] if len(points) else np.empty((0, 2)))
                self.points_item.show_points(points)
            return
        config = self._document.config
        test = test_mask(len(points), config.test_fraction, config.seed)
        self.plane.test = test
        key = (points[:, 2].tobytes(), test.tobytes())
        if key == self._plane_key and not count_changed:
            return  # only positions changed: show_points wrote them in place
        self._plane_key = key
        brushes, pens, symbols = class_brushes(points, test)
        self.points_item.setData(pos=points[:, :2], brush=brushes, pen=pens, symbol=symbols, size=10)

    def _plane_range_changed(self, *args) -> None:
        if self.plane.active and self._snapshot is not None:
            self.plane.draw(self._snapshot)

    def _test_fraction_chosen(self, fraction: float) -> None:
        config = self._document.config
        if config.task == "classification" and fraction != config.test_fraction:
            self._document.change_config(config.replace(test_fraction=fraction), text="Change test share")

    def _place_hint(self, *args) -> None:
        if self.empty_hint.isVisible():
            (x0, x1), (y0, y1) = self.view_box.viewRange()
            self.empty_hint.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    def _update_curve(self, *args) -> None:
        snapshot = self._snapshot
        if snapshot is None or self.plane.active:
            return
        x0, x1 = self.view_box.viewRange()[0]
        xs = np.linspace(x0, x1, CURVE_SAMPLES)
        try:
            ys = self._curve_model(snapshot.config, snapshot.params, xs)
        except Exception as exc:  # a model/parameter mismatch must not break the view
            self.fitted_curve.setData([], [])
            self._curve_xs = self._curve_ys = np.empty(0)
            self.message.emit(f"Could not draw the fitted curve: {exc}")
            return
        ys = np.where(np.isfinite(ys), ys, np.nan)
        self._curve_xs, self._curve_ys = xs, ys
        if np.isnan(ys).all():
            self.fitted_curve.setData([], [])
        else:
            self.fitted_curve.setData(xs, ys, connect="finite")

    # ----------------------------------------------------------------- mouse -> document
    def _click_empty(self, pos, modifiers) -> None:
        x, y = pos.x(), pos.y()
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        if self.plane.active:
            self._document.add_point(x, y, self.plane.current_class)
        else:
            self._document.add_point(x, y)
        self.set_selection([len(self.points) - 1])  # the new point: Delete takes it away again

    def _click_point(self, index: int, modifiers) -> None:
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            selected = set(self._selected.tolist())
            selected ^= {index}
            self.set_selection(selected)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.set_selection(set(self._selected.tolist()) | {index})
        else:
            self.set_selection([index])
        self.highlight_sample(index)
        self.sampleSelected.emit(index)

    def _delete_at(self, index: int) -> None:
        if index in set(self._selected.tolist()):
            self.delete_selected()
        else:
            self._document.delete_points([index])

    def _begin_drag(self, index: int, press_pos) -> None:
        if index not in set(self._selected.tolist()):
            self.set_selection([index])
        self.highlight_sample(index)
        self.sampleSelected.emit(index)
        indices = self._selected.copy()
        self._drag = {
            "indices": indices,
            "start": self.points[indices, :2].copy(),
            "press": np.array([press_pos.x(), press_pos.y()]),
            "stroke": self._document.new_stroke(),
        }
        self.draggingChanged.emit(True)

    def _continue_drag(self, pos) -> None:
        drag = self._drag
        offset = np.array([pos.x(), pos.y()]) - drag["press"]
        if not np.isfinite(offset).all():
            return
        moved = drag["start"] + offset
        self._document.move_points(drag["indices"], moved, stroke=drag["stroke"])

    def _end_drag(self) -> None:
        drag, self._drag = self._drag, None
        if drag is not None:
            self.draggingChanged.emit(False)
        indices = [] if drag is None else drag["indices"][drag["indices"] < len(self.points)]
        if len(indices):
            # A point dragged to (or past) the edge stays in view; widening only on release keeps
            # the point under the cursor while it moves.
            moved = self.points[indices, :2]
            self._keep_in_sight(moved.min(axis=0), moved.max(axis=0))

    def _select_in_rect(self, rect: QRectF, additive: bool) -> None:
        points = self.points[:, :2]
        inside = (
            (points[:, 0] >= rect.left())
            & (points[:, 0] <= rect.right())
            & (points[:, 1] >= rect.top())
            & (points[:, 1] <= rect.bottom())
        )
        chosen = set(np.flatnonzero(inside).tolist())
        if additive:
            chosen |= set(self._selected.tolist())
        self.set_selection(chosen)

    # ----------------------------------------------------------------- table <-> selection
    def _sync_table_selection(self) -> None:
        model = self.table.selectionModel()
        if model is None:
            return
        self._syncing_table = True
        try:
            # One range per run of consecutive rows: selecting rows one by one is quadratic in Qt.
            rows = np.unique(self._selected)
            breaks = np.flatnonzero(np.diff(rows) != 1) + 1
            selection = QItemSelection()
            for run in np.split(rows, breaks) if rows.size else ():
                selection.select(self.table_model.index(int(run[0]), 0), self.table_model.index(int(run[-1]), 1))
            model.select(
                selection,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._syncing_table = False

    def _table_selection_changed(self, *args) -> None:
        if self._syncing_table:
            return
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        rows = np.asarray(rows, dtype=np.int64)
        if not np.array_equal(rows, self._selected):
            self._selected = rows
            self._draw_selection()
            self.selectionChanged.emit(self._selected.copy())


def _within_reach(ys, y0, y1):
    """(min, max) of the finite curve values ``ys``, each kept within ``CURVE_REACH`` times the
    points' height (y0…y1) of them, so a diverging fit cannot drag the view off; None if empty."""
    if not ys.size:
        return None
    reach = CURVE_REACH * max(y1 - y0, 1.0)
    return max(float(ys.min()), y0 - reach), min(float(ys.max()), y1 + reach)
