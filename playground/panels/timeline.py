"""The timeline: go back to any earlier epoch of the run, and train on from there.

A toolbar along the bottom of the window holds a slider over the epochs trained; dragging it (or
the marker on the Loss plot, or the Left arrow) shows an earlier epoch everywhere at once: the fit,
the parameters, the graph, the point on the landscape. The training thread replays that epoch
exactly from its keyframes (:mod:`playground.timeline`). Right steps forward along the run as it
was; Play, Step N or "Train on from here" continue from the epoch shown, setting the later epochs
aside (Ctrl+Z brings them back).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSlider, QToolBar, QWidget

__all__ = ["EpochMarker", "TimelineBar"]

MARKER_COLOR = QColor(90, 90, 90)


class TimelineBar(QToolBar):
    """The timeline's toolbar: a slider over the epochs and where the view is.

    Signals
    -------
    epochRequested(int)
        The learner moved the slider to this epoch.
    """

    epochRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Timeline", parent)
        self.setObjectName("timeline_toolbar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.first = 0
        self.tip = 0
        self.viewing = None
        self.label = QLabel(" Epoch 0 ")
        self.label.setMinimumWidth(150)
        self.label.setToolTip("The epoch shown, and how many were trained")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(240)
        self.slider.setToolTip(
            "Drag to show any earlier epoch: the fit, the parameters, the graph and the landscape follow.\n"
            "Left: one epoch back · Right: one forward · End: the latest · Play: train on from the epoch shown"
        )
        self.slider.setStatusTip("Drag to go back to an earlier epoch of the run.")
        self.slider.valueChanged.connect(self._moved)
        self.addWidget(QLabel(" Timeline "))

    def add_controls(self, back, forward, latest, resume) -> None:
        """Place the window's timeline actions around the slider."""
        self.addAction(back)
        self.addWidget(self.slider)
        self.addAction(forward)
        self.addAction(latest)
        self.addWidget(self.label)
        self.addAction(resume)
        self.widgetForAction(resume).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    @property
    def shown(self) -> int:
        """The epoch shown."""
        return self.tip if self.viewing is None else self.viewing

    def show_snapshot(self, snapshot) -> None:
        """Move the slider to ``snapshot``'s place in the run (every frame; the label follows in
        :meth:`show_label`, as often as the status bar's numbers)."""
        descent = snapshot.descent
        if descent is None:
            return
        self.first, self.tip, self.viewing = descent.first, descent.tip, descent.viewing
        with QSignalBlocker(self.slider):
            self.slider.setRange(self.first, self.tip)
            if not self.slider.isSliderDown():
                self.slider.setValue(self.shown)

    def show_label(self, snapshot) -> None:
        """Say which epoch ``snapshot`` shows: the latest, or an earlier one of the run."""
        descent = snapshot.descent
        if descent is None:
            return
        tip, viewing = descent.tip, descent.viewing
        if viewing is None:
            self.label.setText(f" Epoch {tip:,} (latest) ")
            self.label.setToolTip("The latest epoch trained")
        else:
            self.label.setText(f" Epoch {viewing:,} of {tip:,} ")
            self.label.setToolTip(
                f"Epoch {viewing:,} as it was. Right shows the next; Play or Step N trains on from here "
                f"(the {tip - viewing:,} later epochs are set aside; Ctrl+Z brings them back)."
            )

    def _moved(self, value: int) -> None:
        self.epochRequested.emit(int(value))


class EpochMarker:
    """A line on the Loss plot at the epoch shown while it is an earlier one; drag it to move through the run.

    ``on_drag(epoch)`` is called while the learner drags the line.
    """

    def __init__(self, loss_panel, on_drag):
        self.line = pg.InfiniteLine(
            angle=90,
            movable=True,
            pen=pg.mkPen(MARKER_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
            hoverPen=pg.mkPen(QColor(30, 30, 30), width=2.5),
            label="epoch",
            labelOpts={"position": 0.95, "color": MARKER_COLOR, "fill": (255, 255, 255, 200), "movable": False},
        )
        self.line.setToolTip("The epoch shown: drag along the run")
        self.line.setZValue(15)
        self.line.hide()
        loss_panel.plot_widget.getPlotItem().addItem(self.line, ignoreBounds=True)
        self._on_drag = on_drag
        self._setting = False
        self.line.sigPositionChanged.connect(self._dragged)

    def show(self, viewing) -> None:
        if viewing is None:
            self.line.hide()
            return
        self._setting = True
        try:
            self.line.setValue(viewing)
        finally:
            self._setting = False
        self.line.label.setFormat(f"epoch {viewing:,}")
        self.line.label.valueChanged()  # redraw the text now
        self.line.show()

    def _dragged(self, *args) -> None:
        if self._setting or not self.line.moving:
            return
        value = self.line.value()
        if math.isfinite(value):
            self._on_drag(round(value))
