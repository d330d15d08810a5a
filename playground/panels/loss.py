"""The Loss panel: the loss of every epoch, live, on a linear or log axis.

Vertical marks show the epochs where the data was edited, and a red line where the loss diverged.
The panel keeps its own growing copy of the history and only appends what is new in each
snapshot, so long runs stay cheap to draw (pyqtgraph downsamples to the visible pixels).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

LOSS_COLOR = QColor(31, 119, 180)
EDIT_COLOR = QColor(255, 127, 14, 150)
DIVERGED_COLOR = QColor(214, 39, 40)


class LossPanel(QWidget):
    """Live loss curve with a log-scale switch, data-edit marks and a divergence mark.

    Signals
    -------
    logScaleChanged(bool)
    """

    logScaleChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._epochs = np.empty(0, dtype=np.float64)
        self._losses = np.empty(0, dtype=np.float64)
        self._count = 0
        self._edit_epochs: list[int] = []
        self._last_epoch = 0
        self._log = False
        self._marks_drawn = False

        self.plot_widget = pg.PlotWidget(background="w")
        plot_item = self.plot_widget.getPlotItem()
        plot_item.showGrid(x=False, y=True, alpha=0.2)  # the axes move every frame: keep them cheap
        plot_item.setLabel("bottom", "epoch")
        plot_item.setLabel("left", "loss")
        plot_item.setMenuEnabled(True)
        self.plot_widget.setToolTip(
            "Loss of every epoch (computed before that epoch's update).\n"
            "Orange lines: the data was edited. Red line: the loss diverged.\n"
            "Drag to pan, wheel to zoom, 'A' (bottom left) to auto-range again."
        )
        self.plot_widget.setStatusTip("The loss per epoch; orange marks show where you edited the data.")
        self.view_box = plot_item.getViewBox()
        # A one-pixel line: wide lines over thousands of epochs are the costliest thing to redraw.
        self.loss_curve = pg.PlotDataItem(pen=pg.mkPen(LOSS_COLOR, width=1), connect="finite")
        self.loss_curve.setDownsampling(auto=True, method="peak")
        self.loss_curve.setClipToView(True)
        plot_item.addItem(self.loss_curve)
        self.edit_marks = pg.PlotCurveItem(pen=pg.mkPen(EDIT_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
        plot_item.addItem(self.edit_marks, ignoreBounds=True)
        self.diverged_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(DIVERGED_COLOR, width=2),
            label="diverged",
            labelOpts={"position": 0.9, "color": DIVERGED_COLOR, "anchors": [(1, 0.5), (1, 0.5)]},
        )
        self.diverged_line.hide()
        plot_item.addItem(self.diverged_line, ignoreBounds=True)
        # The view follows training in steps (see _follow_range) rather than through pyqtgraph's
        # auto-range, which re-ranges at every update and so redraws both axes every time.
        self._following = True
        self._shown_range = None
        self.view_box.disableAutoRange()
        self.view_box.sigRangeChangedManually.connect(self._stop_following)
        self.view_box.sigStateChanged.connect(self._auto_button)
        self.view_box.sigRangeChanged.connect(self._draw_marks)

        self.log_check = QCheckBox("Log scale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis")
        self.log_check.setStatusTip("Switch the loss axis between linear and logarithmic.")
        self.log_check.toggled.connect(self.set_log_scale)
        self.summary = QLabel("No epochs yet")
        self.summary.setToolTip("The last epoch and its loss")
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(self.summary, 1)
        header.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, 1)

    # ----------------------------------------------------------------- public
    @property
    def log_scale(self) -> bool:
        return self._log

    def set_log_scale(self, on: bool) -> None:
        """Linear (False) or logarithmic (True) loss axis."""
        on = bool(on)
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # comes back here through toggled
            return
        if on == self._log:
            return
        self._log = on
        self.plot_widget.getPlotItem().setLogMode(y=on)
        self.follow()
        self.logScaleChanged.emit(on)

    def follow(self) -> None:
        """Let the view follow training again (after the user panned or zoomed)."""
        self._following = True
        self._shown_range = None
        self._draw_curve()

    @property
    def following(self) -> bool:
        return self._following

    def loss_history(self) -> np.ndarray:
        """The losses drawn, epoch 1 first."""
        return self._losses[: self._count].copy()

    def edit_epochs(self) -> list[int]:
        """Epochs where a data edit was marked."""
        return list(self._edit_epochs)

    def mark_edit(self, epoch: int | None = None) -> None:
        """Mark the data as edited at ``epoch`` (by default the last epoch drawn)."""
        epoch = self._last_epoch if epoch is None else epoch
        if not self._edit_epochs or self._edit_epochs[-1] != epoch:
            self._edit_epochs.append(epoch)
            self._draw_marks()

    def show_snapshot(self, snapshot) -> None:
        history = snapshot.loss_history
        n = len(history)
        count = self._count
        rewritten = n < count or (
            count > 0
            and (not _same(history[0], self._losses[0]) or not _same(history[count - 1], self._losses[count - 1]))
        )
        if rewritten:  # a reset or a restored session: start over
            count = 0
            self._edit_epochs = [e for e in self._edit_epochs if e <= n] if n else []
        if n > count:
            self._grow(n)
            self._losses[count:n] = history[count:]
        self._count = n
        self._last_epoch = snapshot.epoch
        if n != count or rewritten:
            self._draw_curve()
        if snapshot.diverged:
            self.diverged_line.setValue(snapshot.epoch)
            self.diverged_line.show()
        else:
            self.diverged_line.hide()
        if n == 0:
            self.summary.setText("No epochs yet: press Step or Play")
        elif snapshot.diverged:
            self.summary.setText(f"Epoch {snapshot.epoch}: the loss diverged ({snapshot.loss})")
        else:
            self.summary.setText(f"Epoch {snapshot.epoch}: loss {snapshot.loss:.6g}")
        self._draw_marks()

    # ----------------------------------------------------------------- internals
    def _grow(self, n: int) -> None:
        if n <= len(self._losses):
            return
        size = max(1024, 2 * len(self._losses))
        while size < n:
            size *= 2
        losses = np.empty(size, dtype=np.float64)
        losses[: self._count] = self._losses[: self._count]
        self._losses = losses
        self._epochs = np.arange(1, size + 1, dtype=np.float64)

    def _draw_curve(self) -> None:
        n = self._count
        if n == 0:
            self.loss_curve.setData([], [])
            return
        ys = self._losses[:n]
        with np.errstate(all="ignore"):
            bad = ~np.isfinite(ys)
            if self._log:
                bad |= ys <= 0
            if bad.any():
                ys = np.where(bad, np.nan, ys)
        self.loss_curve.setData(self._epochs[:n], ys)
        if self._following:
            self._follow_range(ys)

    def _follow_range(self, ys) -> None:
        """Show epochs 0…N and the losses with room to spare, N and the bounds moving in round steps,
        so the axes (the costliest part of a redraw) change only now and then."""
        with np.errstate(all="ignore"):
            finite = ys[np.isfinite(ys) & ((ys > 0) if self._log else True)]
        x_range = (0.0, _round_up(max(len(ys), 10)))
        if finite.size == 0:
            y_range = (0.0, 1.0)
        elif self._log:
            y_range = (math.floor(math.log10(finite.min())), math.ceil(math.log10(finite.max())))
            if y_range[0] == y_range[1]:
                y_range = (y_range[0] - 1, y_range[1])
        else:
            lo, hi = float(finite.min()), float(finite.max())
            lo = 0.0 if lo >= 0 else -_round_up(-lo)
            hi = _round_up(hi) if hi > 0 else 1.0
            y_range = (lo, hi)
        if (x_range, y_range) != self._shown_range:
            self._shown_range = (x_range, y_range)
            self.view_box.setRange(xRange=x_range, yRange=y_range, padding=0.02, disableAutoRange=False)

    def _stop_following(self, *args) -> None:
        self._following = False

    def _auto_button(self, *args) -> None:
        # The plot's "A" button (and its menu) turn pyqtgraph's auto-range on: follow training instead.
        if any(self.view_box.autoRangeEnabled()):
            self.view_box.disableAutoRange()
            self.follow()

    def _draw_marks(self, *args) -> None:
        if not self._edit_epochs:
            if self._marks_drawn:
                self.edit_marks.setData([], [])
                self._marks_drawn = False
            return
        self._marks_drawn = True
        (y0, y1) = self.view_box.viewRange()[1]
        xs = np.repeat(np.asarray(self._edit_epochs, dtype=np.float64), 2)
        ys = np.tile([y0, y1], len(self._edit_epochs))
        self.edit_marks.setData(xs, ys, connect="pairs")


def _round_up(value: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50 … at or above ``value`` (> 0)."""
    step = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))
