"""The Landscape dock: the loss over two parameters, and gradient descent walking across it.

A heatmap with contour lines of the loss over two parameter coordinates the learner picks (the
others held at their current values), with the optimizer's path drawn live, the current point, the
direction of steepest descent (−∇L) as an arrow, and, for models linear in their parameters under
squared error, the exact least-squares minimum. Over one parameter it is the loss curve instead.
Clicking or dragging on the landscape places the two parameters there, so that training starts
again from that point (one undo step). The view follows the path unless the learner pans or
zooms; the surface is computed for whatever is in view, in a thread of its own
(:mod:`playground.landscape_worker`), and redrawn when it arrives.

Mouse: left click or drag places the start; right drag zooms; middle drag pans; the wheel zooms.
"""

from __future__ import annotations

import hashlib
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.coordinates import all_coordinates
from playground.landscape import arrow_fraction, coordinates_key, default_coordinates, follow_range, path_on_pixels
from playground.landscape_worker import GradientJob, GridJob
from playground.panels.plots import cache_axes

__all__ = ["RUN_COLORS", "LandscapePanel"]

#: The racers' colours, the main run first (the Loss panel's blue), in every dock.
RUN_COLORS = (QColor(31, 119, 180), QColor(214, 39, 40), QColor(148, 103, 189), QColor(227, 119, 194))
MINIMUM_COLOR = QColor(255, 221, 0)
ARROW_COLOR = QColor(255, 255, 255)
ARROW_ON_WHITE = QColor(40, 40, 40)
CONTOUR_COLOR = QColor(255, 255, 255, 110)
CURVE_COLOR = QColor(60, 60, 60)
COLOR_MAP = "viridis"
#: The gradient arrow's length on screen, in pixels, where the slope is the grid's steepest; it
#: shrinks with the logarithm of |∇L| (``arrow_fraction``) and is not drawn below the shortest length.
ARROW_PIXELS = 70
SHORTEST_ARROW_PIXELS = 3
ARROW_HEAD_PIXELS = 12
ONE_D = "(none: the loss curve)"
#: Surfaces that take longer than this to compute are not recomputed while points are dragged.
HOLD_ABOVE_SECONDS = 0.05
#: The least width at which the axes' choices sit side by side.
HEADER_ONE_ROW_WIDTH = 460


def _params_key(params, coordinates) -> str:
    """A digest of the parameters that shape the landscape: all but the coordinates on its axes."""
    digest = hashlib.blake2b(digest_size=16)
    for name, value in params.items():
        a = np.array(value, dtype=np.float32, copy=True)
        for c in coordinates:
            if c.name == name:
                a.reshape(-1)[c.flat] = 0.0
        digest.update(name.encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


#: How often the landscape follows a running training (frames per second).
FRAME_RATE = 20

#: The parts of a grid's key (see ``LandscapePanel._grid_key``) a surface must share with the
#: current request to be drawn: model, loss (with its penalty and the test points), axes and colour scale.
_SAME_PICTURE = (0, 1, 3, 5)


class LandscapeViewBox(pg.ViewBox):
    """A view box where the left button places the start (click or drag); the others zoom and pan."""

    def __init__(self, panel: LandscapePanel):
        super().__init__()
        self._panel = panel
        self.setMouseMode(pg.ViewBox.PanMode)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._panel._place(self.mapSceneToView(ev.scenePos()), stroke=None, finished=True)
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.MouseButton.LeftButton and axis is None:
            ev.accept()
            if ev.isStart():
                self._panel._begin_placing()
            self._panel._place(self.mapSceneToView(ev.scenePos()), stroke=self._panel._stroke, finished=ev.isFinish())
            return
        if ev.button() == Qt.MouseButton.MiddleButton:
            ev.accept()
            super().mouseDragEvent(ev, axis)  # pan
            return
        super().mouseDragEvent(ev, axis)


class LandscapePanel(QWidget):
    """The loss landscape with the optimizer's path.

    Signals
    -------
    coordinatesChanged(object)
        The coordinates on the axes (a tuple of one or two
        :class:`~playground.coordinates.Coordinate`): the training thread records the path over them.
    startPlaced(object, object, bool)
        The learner placed the start at these values (a tuple, one per coordinate); the second
        argument is the drag's stroke number (None for a click), the third is True on release.
    gridWanted(object), gradientWanted(object)
        A :class:`~playground.landscape_worker.GridJob` or ``GradientJob`` for the landscape thread.
    logColoursChanged(bool)
    """

    coordinatesChanged = Signal(object)
    startPlaced = Signal(object, object, bool)
    gridWanted = Signal(object)
    gradientWanted = Signal(object)
    logColoursChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._points = np.empty((0, 2))
        self._points_version = 0
        self._snapshot = None
        self._layout = None  # (name, shape) of every parameter
        self._coordinates = ()
        self._log = False
        self._active = True
        self._held = False
        self._grid_seconds = 0.0  # how long the last surface took
        self._following = True
        self._surface = None
        self._surface_key = None
        self._requested = None
        self._gradient = None  # (params key, gradient)
        self._placing = False
        self._stroke = 0
        self._strokes = 0
        self._setting_range = False
        self._runs = ()
        self._viewing = None  # an earlier epoch shown: the path after it is drawn faint
        self._colors = RUN_COLORS

        self.x_combo = QComboBox()
        self.y_combo = QComboBox()
        for combo, axis in ((self.x_combo, "horizontal"), (self.y_combo, "vertical")):
            combo.setToolTip(f"The parameter on the {axis} axis (the others hold their current values)")
            combo.setStatusTip("Choose the parameters the landscape is drawn over; the path is recorded from then on.")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
            combo.setMaxVisibleItems(20)
            combo.currentIndexChanged.connect(self._combo_changed)
        self.log_check = QCheckBox("Log")
        self.log_check.setToolTip("Colour the loss on a logarithmic scale (Ctrl+Shift+L)")
        self.log_check.setStatusTip(
            "Switch the landscape's colours and contour levels between a linear and a log scale."
        )
        self.log_check.toggled.connect(self.set_log_colours)
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Follow the path and the minimum again (Ctrl+Shift+0)")
        self.fit_button.setStatusTip("Zoom to the optimizer's path and the minimum, and keep following them.")
        self.fit_button.clicked.connect(self.follow)
        self.status = QLabel("")
        self.status.setStyleSheet("color: #555;")
        # A long status must not widen the dock: it wraps within the dock's width.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setWordWrap(True)
        header = QGridLayout()
        header.setContentsMargins(4, 2, 4, 0)
        header.setHorizontalSpacing(4)
        header.setVerticalSpacing(2)
        self.x_label = QLabel("x")
        self.y_label = QLabel("y")
        self._header = header
        self._header_rows = 0
        self._lay_out_header(1)

        self.view_box = LandscapeViewBox(self)
        self.plot_widget = pg.PlotWidget(viewBox=self.view_box, background="w")
        self.plot_widget.setToolTip(
            "The loss over two parameters, the others at their current values.\n"
            "Dark: low loss. Lines: the optimizer's path; white arrow: −∇L, the direction of steepest descent\n"
            "(a quarter shorter for each tenfold flatter slope, gone at a minimum);\n"
            "yellow star: the exact least-squares minimum (linear models under squared error).\n"
            "Click or drag: start training from there (Ctrl+Z undoes) · right-drag or wheel: zoom · middle-drag: pan"
        )
        self.plot_widget.setStatusTip("Click or drag on the landscape to start gradient descent from that point.")
        plot_item = self.plot_widget.getPlotItem()
        plot_item.setContentsMargins(2, 8, 4, 2)  # room for the tick labels at the ends of the axes
        plot_item.hideButtons()
        plot_item.setMenuEnabled(False)
        for side in ("left", "bottom"):
            plot_item.getAxis(side).enableAutoSIPrefix(False)
        cache_axes(plot_item)
        self.plot_item = plot_item

        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.view_box.addItem(self.image, ignoreBounds=True)
        self.color_bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=COLOR_MAP, interactive=False, width=14, colorMapMenu=False
        )
        self.color_bar.setImageItem(self.image, insert_in=plot_item)
        self.color_bar.axis.enableAutoSIPrefix(False)
        self.color_bar.axis.setWidth(58)  # the tick labels and the axis label side by side
        self.contours = pg.PlotCurveItem(pen=pg.mkPen(CONTOUR_COLOR, width=1), antialias=True)
        self.contours.setZValue(-5)
        self.view_box.addItem(self.contours, ignoreBounds=True)
        self.loss_curve = pg.PlotCurveItem(pen=pg.mkPen(CURVE_COLOR, width=2), antialias=True)
        self.view_box.addItem(self.loss_curve, ignoreBounds=True)
        self.minimum_item = pg.ScatterPlotItem(
            symbol="star", size=18, pen=pg.mkPen(QColor(60, 50, 0), width=1.2), brush=pg.mkBrush(MINIMUM_COLOR)
        )
        self.minimum_item.setZValue(8)
        self.view_box.addItem(self.minimum_item, ignoreBounds=True)
        self.arrow = pg.PlotCurveItem(pen=pg.mkPen(ARROW_COLOR, width=2.5), antialias=True)
        self.arrow_shadow = pg.PlotCurveItem(pen=pg.mkPen(QColor(0, 0, 0, 140), width=4.5), antialias=True)
        self.arrow.setZValue(12)
        self.arrow_shadow.setZValue(11)
        self.view_box.addItem(self.arrow_shadow, ignoreBounds=True)
        self.view_box.addItem(self.arrow, ignoreBounds=True)
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor=(30, 30, 30), brush=pg.mkBrush(255, 255, 255, 210))
        self.legend.setParentItem(self.view_box)
        self.legend.hide()
        self._legend_labels: tuple = ()
        self._pending = None
        self._shown_at = 0.0
        self._frame_timer = QTimer(self)
        self._frame_timer.setSingleShot(True)
        self._frame_timer.timeout.connect(self._show_pending)
        self.hint = pg.TextItem("", color=(90, 90, 90), anchor=(0.5, 0.5))
        self.view_box.addItem(self.hint, ignoreBounds=True)
        self._path_items = []  # per run: (halo, path, start, current)
        self._later_items = []  # per run: the path after the epoch shown, faint

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.status)
        self.status.setContentsMargins(6, 0, 6, 2)

        self.view_box.sigRangeChangedManually.connect(self._stop_following)
        self.view_box.sigRangeChanged.connect(self._range_changed)
        self.view_box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)

    # ----------------------------------------------------------------- public
    @property
    def coordinates(self) -> tuple:
        """The coordinates on the axes."""
        return self._coordinates

    @property
    def surface(self):
        """The :class:`~playground.landscape.Surface` drawn (None before the first arrives)."""
        return self._surface

    @property
    def log_colours(self) -> bool:
        return self._log

    @property
    def following(self) -> bool:
        return self._following

    def set_log_colours(self, on: bool) -> None:
        on = bool(on)
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # comes back here
            return
        if on == self._log:
            return
        self._log = on
        self.logColoursChanged.emit(on)
        self._request_grid()

    def set_active(self, active: bool) -> None:
        """Compute landscapes only while the dock is shown."""
        self._active = bool(active)
        if self._active:
            self._request_grid()
            self._request_gradient()

    def hold(self, held: bool) -> None:
        """While points are dragged in the Data plot, hold still if a surface takes longer than
        ``HOLD_ABOVE_SECONDS`` to compute: the drag, and training on it, get the machine; on release
        the landscape catches up with the points and the training. Cheaper surfaces follow the drag."""
        was = self._held
        self._held = bool(held) and self._grid_seconds > HOLD_ABOVE_SECONDS
        if was and not self._held:
            self._show_pending()
            self._request_grid()
            self._request_gradient()

    def follow(self) -> None:
        """Follow the path and the minimum again (after the learner panned or zoomed)."""
        self._following = True
        self._follow_range()

    def set_run_colors(self, colors) -> None:
        """The racers' colours, the main run first."""
        self._colors = tuple(colors)
        for i, (_, path, start, current) in enumerate(self._path_items):
            color = self._run_color(i)
            self._later_items[i].setPen(_later_pen(color))
            path.setPen(pg.mkPen(color, width=2))
            start.setPen(pg.mkPen(color, width=2))
            current.setBrush(pg.mkBrush(color))

    def _run_color(self, i) -> QColor:
        return self._colors[i] if i < len(self._colors) else RUN_COLORS[i % len(RUN_COLORS)]

    def set_coordinates(self, coordinates) -> None:
        """Draw the landscape over these coordinates (one or two of the model's)."""
        coordinates = tuple(coordinates)
        if coordinates == self._coordinates:
            return
        self._coordinates = coordinates
        self._sync_combos()
        self._surface = None
        self._gradient = None
        self._runs = ()  # paths over the old coordinates; the next snapshot brings the new ones
        self._following = True
        self.coordinatesChanged.emit(coordinates)
        self._draw_paths()
        self._follow_range()
        self._request_grid()
        self._request_gradient()

    def set_points(self, points) -> None:
        """The data the loss is computed on (the document's points: a drag shows at once)."""
        points = np.array(points, dtype=np.float64)
        self._points = points.reshape(len(points), -1) if points.size else points.reshape(0, 2)
        self._points_version += 1
        self._request_grid()
        self._request_gradient()

    def show_snapshot(self, snapshot) -> None:
        """Follow training: the current point, the paths, and a new surface when the others moved.

        While training runs, at most ``FRAME_RATE`` times a second, always with a snapshot's frame:
        the training thread waits for that frame to be drawn, so the landscape is not drawn while it
        trains (the newest snapshot is drawn with a later one, or after two frame periods if none
        comes); the last snapshot of a run, and every edit's, at once.
        """
        self._pending = snapshot
        if self._held:
            return
        due = time.perf_counter() - self._shown_at >= 1.0 / FRAME_RATE
        if snapshot.last or due or snapshot.descent is None or snapshot.descent.viewing is not None:
            self._show_pending()
        elif not self._frame_timer.isActive():
            self._frame_timer.start(int(2000 / FRAME_RATE))

    def _show_pending(self) -> None:
        self._frame_timer.stop()
        snapshot, self._pending = self._pending, None
        if snapshot is None:
            return
        self._shown_at = time.perf_counter()
        self._snapshot = snapshot
        layout = tuple((name, tuple(np.shape(v))) for name, v in snapshot.params.items())
        if layout != self._layout:
            self._layout = layout
            self._fill_combos(snapshot.params)
            wanted = self._coordinates if self._valid(self._coordinates) else default_coordinates(snapshot.params)
            self._coordinates = ()
            self.set_coordinates(wanted)
        descent = snapshot.descent
        self._runs = descent.runs if descent is not None and descent.coordinates == self._coordinates else ()
        self._viewing = descent.viewing if descent is not None else None
        if not (self._following and self._follow_range()):
            self._draw_paths()
            self._request_grid()
            self._draw_arrow()
        self._request_gradient()

    @property
    def settled(self) -> bool:
        """Nothing is being computed: the surface shown is the last one asked for (or none is wanted)."""
        return not self._active or self._requested is None or self._surface_key == self._requested

    def show_grid(self, result) -> None:
        """A surface from the landscape thread, drawn if it is about the model, loss and axes shown.

        While training runs, the other parameters (and, during a drag, the points) move on while a
        grid is computed: the newest surface is drawn all the same, labelled with its epoch, and the
        one for the current values follows when it is done.
        """
        requested = self._requested
        if requested is None or any(result.key[i] != requested[i] for i in _SAME_PICTURE):
            return
        if result.surface is None:
            if result.key == requested:
                self.status.setText("The landscape could not be computed for these values.")
            return
        self._surface = result.surface
        self._surface_key = result.key
        self._grid_seconds = result.seconds
        self._draw_surface(result.seconds, result.epoch)
        if not (self._following and self._follow_range()):
            self._draw_paths()

    def show_gradient(self, result) -> None:
        if self._snapshot is None or result.coordinates != self._coordinates:
            return
        if result.key != self._gradient_key():
            return
        self._gradient = (result.key, result.gradient)
        self._draw_arrow()

    # ----------------------------------------------------------------- combos
    def _fill_combos(self, params) -> None:
        labels = [c.label for c in all_coordinates(params)]
        self._all = all_coordinates(params)
        for combo, extra in ((self.x_combo, []), (self.y_combo, [ONE_D])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(labels + extra)
            combo.blockSignals(False)
        self.y_combo.setEnabled(len(labels) > 1)

    def _sync_combos(self) -> None:
        if not self._coordinates or self._layout is None:
            return
        for combo, index in (
            (self.x_combo, self._all.index(self._coordinates[0])),
            (self.y_combo, self._all.index(self._coordinates[1]) if len(self._coordinates) > 1 else len(self._all)),
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _combo_changed(self, _index) -> None:
        if self._layout is None or not self._coordinates:
            return
        x, y = self.x_combo.currentIndex(), self.y_combo.currentIndex()
        if x < 0 or y < 0:
            return
        n = len(self._all)
        if x == y:  # the same parameter on both axes: the other axis takes the one it replaced
            old = [self._all.index(c) for c in self._coordinates]
            if self.sender() is self.x_combo:
                y = old[0]
            else:
                x = old[1] if len(old) > 1 else (x + 1) % n
        chosen = (self._all[x],) if y >= n else (self._all[x], self._all[y])
        self.set_coordinates(chosen)
        self._sync_combos()

    def _valid(self, coordinates) -> bool:
        shapes = dict(self._layout or ())
        return bool(coordinates) and all(shapes.get(c.name) == c.shape for c in coordinates)

    # ----------------------------------------------------------------- layout
    def _lay_out_header(self, rows: int) -> None:
        """The axes' choices side by side (one row), or one above the other in a narrow dock, so
        that names like ``hidden1.weight[0, 0]`` stay readable."""
        if rows == self._header_rows:
            return
        self._header_rows = rows
        header = self._header
        for widget in (self.x_label, self.x_combo, self.y_label, self.y_combo, self.log_check, self.fit_button):
            header.removeWidget(widget)
        if rows == 1:
            cells = (self.x_label, self.x_combo, self.y_label, self.y_combo, self.log_check, self.fit_button)
            for column, widget in enumerate(cells):
                header.addWidget(widget, 0, column)
            stretches = (0, 1, 0, 1, 0, 0)
        else:
            for row, cells in enumerate(
                ((self.x_label, self.x_combo, self.log_check), (self.y_label, self.y_combo, self.fit_button))
            ):
                for column, widget in enumerate(cells):
                    header.addWidget(widget, row, column)
            stretches = (0, 1, 0, 0, 0, 0)
        for column, stretch in enumerate(stretches):
            header.setColumnStretch(column, stretch)

    def resizeEvent(self, event) -> None:
        self._lay_out_header(1 if event.size().width() >= HEADER_ONE_ROW_WIDTH else 2)
        super().resizeEvent(event)

    # ----------------------------------------------------------------- requests
    def _view_ranges(self) -> tuple:
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        return ((x0, x1), (y0, y1))[: len(self._coordinates)]

    def _grid_key(self) -> tuple | None:
        snapshot = self._snapshot
        if snapshot is None or not self._coordinates or not len(self._points):
            return None
        ranges = tuple((round(lo, 12), round(hi, 12)) for lo, hi in self._view_ranges())
        return (
            snapshot.config.model_key(),
            snapshot.config.loss_key(),
            self._points_version,
            coordinates_key(self._coordinates),
            ranges,
            self._log,
            _params_key(snapshot.params, self._coordinates),
        )

    def _request_grid(self) -> None:
        if not self._active or self._held:
            return
        key = self._grid_key()
        if key is None or key == self._requested:
            return
        self._requested = key
        snapshot = self._snapshot
        self.gridWanted.emit(
            GridJob(
                key,
                snapshot.config,
                self._points.copy(),
                dict(snapshot.params),
                self._coordinates,
                key[4],
                self._log,
                epoch=snapshot.epoch,
            )
        )

    def _gradient_key(self) -> tuple | None:
        snapshot = self._snapshot
        if snapshot is None or not self._coordinates or not len(self._points):
            return None
        digest = hashlib.blake2b(digest_size=16)
        for value in snapshot.params.values():
            digest.update(np.asarray(value, dtype=np.float32).tobytes())
        return (snapshot.config.model_key(), snapshot.config.loss_key(), self._points_version, digest.hexdigest())

    def _request_gradient(self) -> None:
        if not self._active or self._held:
            return
        key = self._gradient_key()
        if key is None or (self._gradient is not None and self._gradient[0] == key):
            return
        snapshot = self._snapshot
        self.gradientWanted.emit(
            GradientJob(key, snapshot.config, self._points.copy(), dict(snapshot.params), self._coordinates)
        )

    # ----------------------------------------------------------------- drawing
    def _current(self, params=None) -> tuple | None:
        params = params if params is not None else (self._snapshot.params if self._snapshot is not None else None)
        if params is None or not self._coordinates:
            return None
        return tuple(c.value(params) for c in self._coordinates)

    def _curve_at(self, xs):
        """The loss curve's values at ``xs`` (one-coordinate landscapes), interpolated from the grid."""
        surface = self._surface
        if surface is None or len(surface.grid.axes) != 1:
            return np.full(len(xs), np.nan)
        axis, losses = surface.grid.axes[0], surface.grid.losses
        ys = np.interp(xs, axis, losses, left=np.nan, right=np.nan)
        return ys

    def _draw_surface(self, seconds=0.0, epoch=0) -> None:
        surface = self._surface
        grid = surface.grid
        one_d = len(grid.axes) == 1
        self.image.setVisible(not one_d)
        self.contours.setVisible(not one_d)
        self.color_bar.setVisible(not one_d)
        self.loss_curve.setVisible(one_d)
        names = " × ".join(c.label for c in grid.coordinates)
        if one_d:
            self.loss_curve.setData(
                grid.axes[0], np.where(np.isfinite(grid.losses), grid.losses, np.nan), connect="finite"
            )
            self.plot_item.setLabel("left", "loss")
        else:
            xs, ys = grid.axes
            dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
            dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
            colour = np.where(np.isfinite(surface.colour), surface.colour, surface.colour_range[1])
            self.image.setImage(colour, autoLevels=False)
            self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
            self.color_bar.setLevels(surface.colour_range)
            self.color_bar.axis.setLabel("log₁₀ loss" if surface.log else "loss")
            segments = surface.contours
            if len(segments):
                self.contours.setData(segments[:, :, 0].reshape(-1), segments[:, :, 1].reshape(-1), connect="pairs")
            else:
                self.contours.setData([], [])
            self.plot_item.setLabel("left", grid.coordinates[1].label)
        self.plot_item.setLabel("bottom", grid.coordinates[0].label)
        minimum = surface.minimum
        if minimum is not None:
            y = self._curve_at(np.array(minimum))[0] if one_d else minimum[1]
            _mark(self.minimum_item, (minimum[0], y))
            self.minimum_item.setToolTip(
                "The exact least-squares minimum: "
                + ", ".join(f"{c.label} = {v:.6g}" for c, v in zip(grid.coordinates, minimum))
            )
        else:
            self.minimum_item.setData([], [])
        scalars = sum(math.prod(shape) for _, shape in self._layout or ())
        others = f", the other parameters as at epoch {epoch:,}" if scalars > len(grid.coordinates) else ""
        size = " × ".join(str(len(axis)) for axis in grid.axes)
        text = f"Loss over {names}{others} · {size} grid in {seconds * 1000:.0f} ms"
        self.status.setText(text)
        self.status.setToolTip(text)
        self.hint.setText("")

    def _draw_paths(self) -> None:
        runs = self._runs
        while len(self._path_items) < len(runs):
            color = self._run_color(len(self._path_items))
            halo = pg.PlotCurveItem(pen=pg.mkPen(QColor(255, 255, 255, 200), width=4.5), antialias=True)
            path = pg.PlotCurveItem(pen=pg.mkPen(color, width=2), antialias=True)
            start = pg.ScatterPlotItem(
                size=9, symbol="o", pen=pg.mkPen(color, width=2), brush=pg.mkBrush(255, 255, 255)
            )
            current = pg.ScatterPlotItem(size=13, symbol="o", pen=pg.mkPen("w", width=2), brush=pg.mkBrush(color))
            later = pg.PlotCurveItem(pen=_later_pen(color), antialias=True)
            for z, item in enumerate((halo, path, start, current)):
                item.setZValue(2 + z)
                self.view_box.addItem(item, ignoreBounds=True)
            later.setZValue(1)
            self.view_box.addItem(later, ignoreBounds=True)
            self._path_items.append((halo, path, start, current))
            self._later_items.append(later)
        one_d = len(self._coordinates) == 1
        for i, items in enumerate(self._path_items):
            later = self._later_items[i]
            if i >= len(runs):
                for item in (*items, later):
                    item.setVisible(False)
                continue
            run = runs[i]
            values = run.values
            later.setVisible(self._viewing is not None)
            if self._viewing is not None:
                # An earlier epoch is shown: the path up to it as usual, the rest faint.
                ahead = values[run.epochs >= self._viewing]
                later.setData(ahead[:, 0], self._curve_at(ahead[:, 0]) if one_d else ahead[:, 1], connect="finite")
                values = values[run.epochs <= self._viewing]
            if i == 0 and self._snapshot is not None:
                here = self._current()
            else:
                here = (
                    tuple(c.value(run.snapshot.params) for c in self._coordinates) if run.snapshot is not None else None
                )
            xs = values[:, 0]
            ys = self._curve_at(xs) if one_d else values[:, 1]
            xs, ys = path_on_pixels(xs, ys, self.view_box.viewPixelSize())
            halo, path, start, current = items
            for item in items:
                item.setVisible(True)
            halo.setData(xs, ys, connect="finite")
            path.setData(xs, ys, connect="finite")
            _mark(start, (xs[0], ys[0]) if len(xs) else None)
            if here is not None and one_d:
                here = (here[0], self._curve_at(np.array([here[0]]))[0])
            _mark(current, here)
        labels = tuple(run.label for run in runs) if len(runs) > 1 else ()
        if labels != self._legend_labels:  # rebuilt only when the racers change (it re-lays out)
            self._legend_labels = labels
            self.legend.clear()
            for label, items in zip(labels, self._path_items):
                self.legend.addItem(items[1], label)
            self.legend.setVisible(bool(labels))

    def _draw_arrow(self) -> None:
        here = self._current()
        gradient = self._gradient
        if here is None or gradient is None or gradient[1] is None or gradient[0] != self._gradient_key():
            self._hide_arrow()
            return
        g = np.asarray(gradient[1], dtype=np.float64)
        px, py = self.view_box.viewPixelSize()
        if not (px > 0 and py > 0) or not np.isfinite(g).all():
            return
        one_d = len(self._coordinates) == 1
        self.arrow.setPen(pg.mkPen(ARROW_ON_WHITE if one_d else ARROW_COLOR, width=2.5))
        self.arrow_shadow.setVisible(not one_d)
        if one_d:
            y0 = self._curve_at(np.array([here[0]]))[0]
            start = np.array([here[0], y0])
            direction = np.array([-g[0], 0.0])
        else:
            start = np.array(here, dtype=np.float64)
            direction = -g
        pixels = direction / np.array([px, py])
        norm = float(np.hypot(*pixels))
        if norm == 0.0 or not np.isfinite(start).all():
            self._hide_arrow()
            return
        slope = float(np.linalg.norm(g))
        surface = self._surface
        length = ARROW_PIXELS * arrow_fraction(slope, surface.steepest if surface is not None else None)
        if length < SHORTEST_ARROW_PIXELS:  # at a minimum: no way down to point to
            self._hide_arrow()
            return
        unit = pixels / norm
        tip = start + unit * length * np.array([px, py])
        back = -unit * min(ARROW_HEAD_PIXELS, 0.4 * length)
        left = np.array([back[0] - 0.5 * back[1], back[1] + 0.5 * back[0]]) * np.array([px, py])
        right = np.array([back[0] + 0.5 * back[1], back[1] - 0.5 * back[0]]) * np.array([px, py])
        xs = [start[0], tip[0], tip[0], tip[0] + left[0], tip[0], tip[0] + right[0]]
        ys = [start[1], tip[1], tip[1], tip[1] + left[1], tip[1], tip[1] + right[1]]
        self.arrow.setData(xs, ys, connect="pairs")
        self.arrow_shadow.setData(xs, ys, connect="pairs")
        self.arrow.setToolTip(
            "−∇L: the direction of steepest descent here; |∇L| = "
            + f"{slope:.4g} ("
            + ", ".join(f"∂L/∂{c.label} = {v:.4g}" for c, v in zip(self._coordinates, g))
            + ")\nFull length at the steepest slope in view, a quarter shorter for each tenfold flatter one"
        )

    def _hide_arrow(self) -> None:
        self.arrow.setData([], [])
        self.arrow_shadow.setData([], [])

    # ----------------------------------------------------------------- view range
    def _follow_range(self) -> bool:
        """Frame the paths, the current point and the minimum; True if the view moved (then
        ``_range_changed`` has redrawn the paths and the arrow and asked for a surface)."""
        if not self._coordinates:
            return False
        parts = []
        for run in self._runs:
            if len(run.values):
                parts.append(run.values)
        here = self._current()
        if here is not None:
            parts.append(np.array([here]))
        surface = self._surface
        if surface is not None and surface.minimum is not None and surface.grid.coordinates == self._coordinates:
            parts.append(np.array([surface.minimum]))
        if not parts:
            return False
        values = np.vstack([p.reshape(len(p), -1)[:, : len(self._coordinates)] for p in parts])
        ranges = follow_range(values)
        if len(ranges) == 1:
            (x0, x1) = ranges[0]
            y_range = self._curve_range(x0, x1)
        else:
            (x0, x1), y_range = ranges
        current = self.view_box.viewRange()
        target = ((x0, x1), y_range)
        if all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(current, target)):
            return False
        self._setting_range = True
        try:
            self.view_box.setRange(xRange=target[0], yRange=target[1], padding=0)
        finally:
            self._setting_range = False
        return True

    def _curve_range(self, x0, x1) -> tuple:
        surface = self._surface
        if surface is None or len(surface.grid.axes) != 1:
            return tuple(self.view_box.viewRange()[1])
        finite = surface.grid.losses[np.isfinite(surface.grid.losses)]
        if finite.size == 0:
            return (0.0, 1.0)
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.06 * (hi - lo or 1.0)
        return (lo - pad, hi + pad)

    def _stop_following(self, *args) -> None:
        self._following = False

    def _range_changed(self, *args) -> None:
        self._request_grid()
        self._draw_paths()  # drawn at the new pixel size
        self._draw_arrow()

    # ----------------------------------------------------------------- placing the start
    def _begin_placing(self) -> None:
        self._strokes += 1
        self._stroke = self._strokes
        self._placing = True

    def _place(self, pos: QPointF, stroke, finished: bool) -> None:
        if not self._coordinates or self._snapshot is None:
            return
        values = (pos.x(),) if len(self._coordinates) == 1 else (pos.x(), pos.y())
        if not all(math.isfinite(v) for v in values):
            return
        self._following = False  # the view stays put under the mouse
        self.startPlaced.emit(values, stroke, finished)
        if finished:
            self._placing = False


def _mark(item, point) -> None:
    """Put a one-point scatter item at ``point`` (hidden for None or a non-finite point)."""
    if point is None or not all(math.isfinite(v) for v in point):
        item.setData([], [])
    else:
        item.setData([point[0]], [point[1]])


def _later_pen(color):
    faint = QColor(color)
    faint.setAlpha(110)
    return pg.mkPen(faint, width=1.5, style=Qt.PenStyle.DashLine)
