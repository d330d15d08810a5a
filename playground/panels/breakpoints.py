"""The Breakpoints dock: conditions that pause training by themselves, and where the last one fired.

The conditions and their checks live in :mod:`playground.breakpoints` (the command line's
``--stop-when`` uses the same); this dock arms them and shows the last hit. The window marks the
hit on the Loss plot with :class:`BreakpointMarker`.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QDoubleValidator, QIntValidator
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from playground.breakpoints import DEFAULTS, TIPS, TITLES, Breakpoints

__all__ = ["HIT_COLOR", "BreakpointMarker", "BreakpointsPanel"]

HIT_COLOR = QColor(148, 40, 160)


class BreakpointsPanel(QWidget):
    """Arms the breakpoints.

    Signals
    -------
    breakpointsChanged(object)
        The armed :class:`~playground.breakpoints.Breakpoints`.
    message(str)
    """

    breakpointsChanged = Signal(object)
    message = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        caption = QLabel("Pause training by itself when:")
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        self.checks = {}
        self.edits = {}
        for row, (key, title) in enumerate(TITLES.items()):
            check = QCheckBox(title)
            check.setToolTip(TIPS[key])
            check.setStatusTip(TIPS[key] + ".")
            check.toggled.connect(self._changed)
            grid.addWidget(check, row, 0)
            self.checks[key] = check
            if key in DEFAULTS:
                edit = QLineEdit(f"{DEFAULTS[key]:g}")
                edit.setMaximumWidth(90)
                edit.setValidator(
                    QIntValidator(1, 2**31 - 1, edit) if key == "epoch_reaches" else QDoubleValidator(edit)
                )
                edit.setToolTip(TIPS[key])
                edit.editingFinished.connect(self._changed)
                grid.addWidget(edit, row, 1)
                self.edits[key] = edit
        self.last_hit = QLabel("No breakpoint has fired.")
        self.last_hit.setWordWrap(True)
        self.last_hit.setStyleSheet(f"color: {HIT_COLOR.name()};")
        self.last_hit.setToolTip("The last breakpoint that paused training (marked on the Loss plot)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(caption)
        layout.addLayout(grid)
        layout.addWidget(self.last_hit)
        layout.addStretch(1)
        self._breakpoints = Breakpoints()

    def breakpoints(self) -> Breakpoints:
        return self._breakpoints

    def set_breakpoints(self, breakpoints: Breakpoints) -> None:
        """Show (and arm) ``breakpoints``."""
        for key in TITLES:
            value = getattr(breakpoints, key)
            check = self.checks[key]
            check.blockSignals(True)
            check.setChecked(value not in (None, False))
            check.blockSignals(False)
            if key in self.edits and value not in (None, False):
                self.edits[key].setText(f"{value:g}")
        self._changed()

    def set_armed(self, key: str, on: bool) -> None:
        self.checks[key].setChecked(on)

    def show_hit(self, hit) -> None:
        self.last_hit.setText(hit.message() if hit is not None else "No breakpoint has fired.")

    def _value(self, key):
        text = self.edits[key].text().strip()
        try:
            value = int(text) if key == "epoch_reaches" else float(text)
        except ValueError:
            return None
        if key == "epoch_reaches":
            return value if value >= 1 else None
        return value if math.isfinite(value) and value >= 0 else None

    def _changed(self, *args) -> None:
        settings = {}
        for key, check in self.checks.items():
            if not check.isChecked():
                continue
            if key in self.edits:
                value = self._value(key)
                if value is None:
                    self.message.emit(f"{TITLES[key]}: “{self.edits[key].text()}” is not a valid threshold.")
                    self.edits[key].setText(f"{DEFAULTS[key]:g}")
                    value = DEFAULTS[key]
                settings[key] = value
            else:
                settings[key] = True
        breakpoints = Breakpoints(**settings)
        if breakpoints != self._breakpoints:
            self._breakpoints = breakpoints
            self.breakpointsChanged.emit(breakpoints)


class BreakpointMarker:
    """Marks where a breakpoint fired on the Loss plot: a line at its epoch, a dot on the curve, its name."""

    def __init__(self, loss_panel):
        plot_item = loss_panel.plot_widget.getPlotItem()
        self._panel = loss_panel
        self.line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(HIT_COLOR, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine),
            label="",
            labelOpts={
                "position": 0.82,
                "color": HIT_COLOR,
                "anchors": [(0, 0.5), (0, 0.5)],
                "fill": (255, 255, 255, 200),
            },
        )
        # A plot data item: it follows the plot's log scale by itself.
        self.dot = pg.PlotDataItem(pen=None, symbol="o", symbolSize=10, symbolPen=pg.mkPen("w", width=1.5))
        self.dot.setSymbolBrush(pg.mkBrush(HIT_COLOR))
        self.dot.setZValue(20)
        plot_item.addItem(self.line, ignoreBounds=True)
        plot_item.addItem(self.dot, ignoreBounds=True)
        self.hit = None
        self.clear()

    def show(self, hit) -> None:
        self.hit = hit
        self.line.setValue(hit.epoch)
        self.line.label.setFormat(TITLES[hit.condition].lower().replace("the ", "", 1).split(" (")[0])
        self.line.show()
        if math.isfinite(hit.loss):
            self.dot.setData([hit.epoch], [hit.loss])
        else:
            self.dot.setData([], [])

    def clear(self) -> None:
        self.hit = None
        self.line.hide()
        self.dot.setData([], [])
