"""The Race dock: pit 2–4 optimizer set-ups against each other from the same start, on the same data.

The main run (the Model panel's optimizer) races up to three challengers, each with its own
optimizer and settings. Starting the race starts every racer again from the initial parameters;
they then take one epoch each in lock-step, so each racer's run is exactly what its optimizer
would do alone. Each racer keeps one colour everywhere: its path on the Landscape, its curve on
the Loss plot (:class:`RaceLossCurves`) and, if asked, its fitted curve in the Data plot
(:class:`RaceFitCurves`).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.loss_history import LossHistory
from playground.models import OPTIMIZERS, CurveModel, PlaneModel
from playground.panels.landscape import RUN_COLORS
from playground.panels.model import LearningRateControl
from playground.plane import boundary_segments, grid_points
from playground.race import MAX_RACERS, RacerSetup, default_challengers

__all__ = ["RaceFitCurves", "RaceLossCurves", "RacePanel"]


def swatch(color: QColor) -> QLabel:
    label = QLabel()
    label.setFixedSize(14, 14)
    label.setStyleSheet(f"background: {color.name()}; border: 1px solid #333; border-radius: 3px;")
    return label


class RacerRow:
    """The widgets of one challenger: on/off, optimizer, learning rate and its settings."""

    def __init__(self, index: int, grid: QGridLayout, row: int):
        color = RUN_COLORS[index]
        self.color_value = color
        self.check = QCheckBox()
        self.check.setToolTip(f"Race challenger {index}")
        self.color = swatch(color)
        self.optimizer = QComboBox()
        for key, choice in OPTIMIZERS.items():
            self.optimizer.addItem(choice.title, key)
        self.optimizer.setToolTip("The challenger's optimizer")
        self.lr = LearningRateControl()
        self.lr.slider.hide()  # the text box alone: the rows stay compact
        self.lr.edit.setMaximumWidth(70)
        self.first = QDoubleSpinBox()
        self.second = QDoubleSpinBox()
        for spin in (self.first, self.second):
            spin.setRange(0.0, 0.999)
            spin.setDecimals(3)
            spin.setSingleStep(0.01)
            spin.setMinimumWidth(84)
        self.first.setToolTip("Momentum μ (SGD with momentum or Nesterov), or β₁ (Adam)")
        self.second.setToolTip("β₂ (Adam)")
        # Two lines a racer: which optimizer, then its settings, so that the dock stays narrow.
        grid.addWidget(self.check, 2 * row, 0)
        grid.addWidget(self.color, 2 * row, 1)
        grid.addWidget(self.optimizer, 2 * row, 2, 1, 3)
        settings = QHBoxLayout()
        settings.setContentsMargins(0, 0, 0, 6)
        settings.addWidget(QLabel("lr"))
        settings.addWidget(self.lr)
        settings.addWidget(self.first)
        settings.addWidget(self.second)
        settings.addStretch(1)
        grid.addLayout(settings, 2 * row + 1, 2, 1, 3)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        self.check.toggled.connect(self._enable)
        self._enable(False)

    def set_setup(self, setup: RacerSetup) -> None:
        self.optimizer.setCurrentIndex(self.optimizer.findData(setup.optimizer))
        self.lr.set_value(setup.lr)
        fields = OPTIMIZERS[setup.optimizer].fields
        self.first.setValue(setup.beta1 if "beta1" in fields else setup.momentum)
        self.second.setValue(setup.beta2)
        self._optimizer_changed()

    def setup(self) -> RacerSetup:
        key = self.optimizer.currentData()
        fields = OPTIMIZERS[key].fields
        values = {"optimizer": key, "lr": self.lr.value()}
        if "momentum" in fields:
            values["momentum"] = self.first.value()
        if "beta1" in fields:
            values["beta1"] = self.first.value()
            values["beta2"] = self.second.value()
        return RacerSetup(**values)

    def _optimizer_changed(self, *args) -> None:
        fields = OPTIMIZERS[self.optimizer.currentData()].fields
        self.first.setVisible("momentum" in fields or "beta1" in fields)
        self.first.setPrefix("μ " if "momentum" in fields else "β₁ ")
        self.second.setVisible("beta2" in fields)
        self.second.setPrefix("β₂ ")

    def _enable(self, on: bool) -> None:
        for widget in (self.optimizer, self.lr, self.first, self.second):
            widget.setEnabled(on)


class RacePanel(QWidget):
    """Chooses the challengers and starts or ends the race.

    Signals
    -------
    raceRequested(object)
        A tuple of :class:`~playground.race.RacerSetup` to race against the main run (empty: end it).
    colorsChanged(object)
        The racers' colours (a tuple of QColor, the main run first): each keeps its row's colour.
    showFitsChanged(bool)
    message(str)
    """

    raceRequested = Signal(object)
    colorsChanged = Signal(object)
    showFitsChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._racing = False
        caption = QLabel(
            "Race optimizers from the same start on the same data: each takes one epoch in turn, "
            "exactly as it would alone."
        )
        caption.setWordWrap(True)
        caption.setStyleSheet("color: #555;")
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setColumnStretch(2, 1)
        self.main_label = QLabel()
        self.main_label.setToolTip("The main run: its optimizer is set in the Model panel")
        grid.addWidget(QLabel(""), 0, 0)
        grid.addWidget(swatch(RUN_COLORS[0]), 0, 1)
        grid.addWidget(self.main_label, 0, 2, 1, 3)
        self.main_label.setWordWrap(True)
        self.rows = [RacerRow(i, grid, i) for i in range(1, MAX_RACERS)]
        for row in self.rows:
            row.lr.rejected.connect(self.message)
        self.start_button = QPushButton("Start race")
        self.start_button.setToolTip("Start every checked optimizer again from the initial parameters (Ctrl+Shift+G)")
        self.start_button.setStatusTip("Race the checked optimizers against the main run, from the same start.")
        self.start_button.clicked.connect(self.start)
        self.end_button = QPushButton("End race")
        self.end_button.setToolTip("Train the main run alone again")
        self.end_button.setStatusTip("Stop racing: the challengers disappear, the main run trains on.")
        self.end_button.clicked.connect(self.end)
        self.fits_check = QCheckBox("Show each racer's fit in the Data plot")  # or its boundary, in the plane
        self.fits_check.setChecked(True)
        self.fits_check.setToolTip(
            "Draw every racer's fitted curve (in the plane, its decision boundary) in its colour"
        )
        self.fits_check.toggled.connect(self.showFitsChanged)
        self.status = QLabel("Not racing: check one or more challengers and press Start race.")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(caption)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.fits_check)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._config = None
        self._colors = (RUN_COLORS[0],)
        self.set_racing(False)

    # ----------------------------------------------------------------- public
    def set_config(self, config) -> None:
        """Show the main run's set-up; the challengers start as momentum, Nesterov and Adam."""
        first = self._config is None
        self._config = config
        self.main_label.setText(f"<b>Main run</b>: {RacerSetup.of(config).label}")
        if first:
            for row, setup in zip(self.rows, default_challengers(config)):
                row.set_setup(setup)

    def setups(self) -> tuple:
        """The checked challengers' set-ups."""
        return tuple(row.setup() for row in self.rows if row.check.isChecked())

    def check(self, indices) -> None:
        """Check exactly the challengers at ``indices`` (0-based)."""
        for i, row in enumerate(self.rows):
            row.check.setChecked(i in set(indices))

    @property
    def colors(self) -> tuple:
        """The colours of the racers of the race started last, the main run first."""
        return self._colors

    def start(self) -> None:
        setups = self.setups()
        if not setups:
            self.message.emit("Check at least one challenger to race against the main run.")
            return
        self._colors = (RUN_COLORS[0], *(row.color_value for row in self.rows if row.check.isChecked()))
        self.colorsChanged.emit(self._colors)
        self.raceRequested.emit(setups)

    def end(self) -> None:
        self.raceRequested.emit(())

    @property
    def racing(self) -> bool:
        return self._racing

    def set_racing(self, racing: bool, labels=()) -> None:
        """What the training thread reports: racing (with the racers' labels) or not."""
        self._racing = bool(racing)
        self.end_button.setEnabled(self._racing)
        self.start_button.setText("Restart race" if self._racing else "Start race")
        if self._racing:
            self.status.setText("Racing: " + " vs ".join(labels) + ".")
        else:
            self.status.setText("Not racing: check one or more challengers and press Start race.")


class RaceLossCurves:
    """The challengers' loss curves on the Loss plot, in their colours, with a legend while racing.

    Every snapshot's new losses are kept; the curves are redrawn a few times a second, as the main one is.
    """

    RATE = 5

    def __init__(self, loss_panel):
        self._panel = loss_panel
        self._plot_item = loss_panel.plot_widget.getPlotItem()
        self._histories = []
        self._items = []
        self._labels = None
        self._count = 0
        self._colors = RUN_COLORS
        self._drawn_at = 0.0
        self._timer = QTimer(loss_panel)  # dies with the panel it draws on
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.draw)
        self.legend = pg.LegendItem(offset=(-10, 10), labelTextColor=(30, 30, 30), brush=pg.mkBrush(255, 255, 255, 220))
        self.legend.setParentItem(self._plot_item.getViewBox())
        self.legend.hide()
        loss_panel.range_sources.append(self._losses_shown)

    def set_colors(self, colors) -> None:
        """The racers' colours, the main run first."""
        self._colors = tuple(colors)
        for i, item in enumerate(self._items, start=1):
            item.setPen(pg.mkPen(_color(self._colors, i), width=1))

    def show_snapshot(self, snapshot) -> None:
        descent = snapshot.descent
        runs = descent.runs if descent is not None else ()
        challengers = runs[1:]
        while len(self._histories) < len(challengers):
            i = len(self._histories) + 1
            item = pg.PlotDataItem(pen=pg.mkPen(_color(self._colors, i), width=1), connect="finite")
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            self._plot_item.addItem(item)
            self._items.append(item)
            self._histories.append(LossHistory())
        for i, history in enumerate(self._histories):
            if i < len(challengers):
                history.update(challengers[i].snapshot)
            elif len(history):
                history.clear()
        self._count = len(challengers)
        labels = tuple(run.label for run in runs)
        if labels != self._labels:
            self._labels = labels
            self.legend.clear()
            if len(labels) > 1:
                self.legend.addItem(self._panel.loss_curve, labels[0])
                for item, label in zip(self._items, labels[1:]):
                    self.legend.addItem(item, label)
                self.legend.show()
            else:
                self.legend.hide()
            self.draw()
        elif time.perf_counter() - self._drawn_at >= 1.0 / self.RATE:
            self.draw()
        elif not self._timer.isActive():
            self._timer.start(int(1000 / self.RATE))

    def curves(self) -> list:
        """(epochs, losses) of each challenger's curve as drawn (empty before the first drawing)."""
        return [_drawn(item) for item in self._items[: self._count]]

    def draw(self) -> None:
        self._drawn_at = time.perf_counter()
        for i, item in enumerate(self._items):
            history = self._histories[i]
            if i >= self._count or not len(history):
                item.setData([], [])
                continue
            xs, ys = history.curve(self._panel.start_epoch())
            with np.errstate(all="ignore"):
                bad = ~np.isfinite(ys) | ((ys <= 0) if self._panel.log_scale else False)
            item.setData(xs, np.where(bad, np.nan, ys))

    def _losses_shown(self):
        parts = [h.curve(self._panel.start_epoch())[1] for h in self._histories[: self._count] if len(h)]
        return np.concatenate(parts) if parts else np.empty(0)


#: Grid points a side of a challenger's decision boundary (coarser than the surface's).
BOUNDARY_SIZE = 60


class RaceFitCurves:
    """The challengers' fitted curves in the Data plot, each computed by the model itself on its
    parameters; in the plane, their decision boundaries.

    Redrawn a few times a second at most (training may send sixty snapshots a second).
    """

    RATE = 10

    def __init__(self, data_panel):
        self._panel = data_panel
        self._view_box = data_panel.view_box
        self._items = []
        self._models = []
        self._runs = ()
        self._config = None
        self._colors = RUN_COLORS
        self.visible = True
        self._drawn_at = 0.0
        self._timer = QTimer(data_panel)  # dies with the panel it draws on
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._draw)
        self._view_box.sigXRangeChanged.connect(self._draw)

    def set_visible(self, visible: bool) -> None:
        self.visible = bool(visible)
        self._draw()

    def set_colors(self, colors) -> None:
        """The racers' colours, the main run first."""
        self._colors = tuple(colors)
        for i, item in enumerate(self._items, start=1):
            item.setPen(_pen(_color(self._colors, i)))

    def show_snapshot(self, snapshot) -> None:
        descent = snapshot.descent
        self._runs = descent.runs[1:] if descent is not None else ()
        self._config = snapshot.config
        if time.perf_counter() - self._drawn_at >= 1.0 / self.RATE:
            self._draw()
        elif not self._timer.isActive():
            self._timer.start(int(1000 / self.RATE))

    def curves(self) -> list:
        """(xs, ys) of each challenger's fitted curve as drawn (empty before the first drawing)."""
        return [_drawn(item) for item in self._items[: len(self._runs)]]

    def _draw(self, *args) -> None:
        self._drawn_at = time.perf_counter()
        runs = self._runs if self.visible else ()
        while len(self._items) < len(runs):
            i = len(self._items) + 1
            item = pg.PlotCurveItem(pen=_pen(_color(self._colors, i)), antialias=True)
            item.setZValue(4)
            self._view_box.addItem(item, ignoreBounds=True)
            self._items.append(item)
            self._models.append((CurveModel(), PlaneModel()))
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        xs = np.linspace(x0, x1, 200)
        for i, item in enumerate(self._items):
            if i >= len(runs):
                item.setData([], [])
                continue
            config, params = runs[i].snapshot.config, runs[i].snapshot.params
            curve, plane = self._models[i]
            try:
                if config.task == "classification":
                    grid_x, grid_y, points = grid_points((x0, x1), (y0, y1), BOUNDARY_SIZE)
                    segments = boundary_segments(plane.probabilities(config, params, points), grid_x, grid_y)
                    item.setData(segments[:, 0], segments[:, 1], connect="pairs")
                    continue
                ys = curve(config, params, xs)
            except Exception:  # a racer's curve must never break the view
                item.setData([], [])
                continue
            ys = np.where(np.isfinite(ys), ys, np.nan)
            item.setData(xs, ys, connect="finite")


def _color(colors, i) -> QColor:
    return colors[i] if i < len(colors) else RUN_COLORS[i % len(RUN_COLORS)]


def _pen(color):
    return pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine)


def _drawn(item) -> tuple:
    """A plot item's data as drawn: two arrays, empty if it was never given any."""
    xs, ys = item.getData()
    return (np.empty(0) if xs is None else xs), (np.empty(0) if ys is None else ys)
