"""The Loss panel: the loss of every epoch, live, on a linear or log axis.

It draws the app's :class:`~playground.loss_history.LossHistory` (the recent epochs exactly, the
older ones as a min/max envelope), so a redraw costs the same after ten epochs or ten million.
It follows either the whole run or the last N epochs, where a loss jump after an edit stays
visible. Marks show the epochs where the data was edited (full-height lines while they are few,
ticks along the bottom when they crowd) and a red line where the loss diverged.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from playground.loss_history import LossHistory, MetricHistory
from playground.panels.plots import cache_axes

LOSS_COLOR = QColor(31, 119, 180)
TEST_COLOR = QColor(214, 39, 40)
EDIT_COLOR = QColor(255, 127, 14, 150)
DIVERGED_COLOR = QColor(214, 39, 40)
#: How the dock's height is shared when a classifier's accuracy plot sits below the loss plot.
LOSS_STRETCH, ACCURACY_STRETCH = 3, 2
#: The windows the plot can follow: None for the whole run, else the last N epochs.
WINDOWS = {"All epochs": None, "Last 100": 100, "Last 1,000": 1_000, "Last 10,000": 10_000}
#: Beyond this many edit marks in view, they shrink to ticks along the bottom.
FULL_MARKS = 24


class LossPanel(QWidget):
    """Live loss curve with a log-scale switch, a follow window, edit marks and a divergence mark.

    Parameters
    ----------
    history : LossHistory
        The losses to draw; the window feeds it from the snapshots.

    Signals
    -------
    logScaleChanged(bool)
    """

    logScaleChanged = Signal(bool)

    def __init__(self, history: LossHistory | None = None, parent=None):
        super().__init__(parent)
        self.history = history if history is not None else LossHistory()
        self._edit_epochs: list[int] = []
        self._last_epoch = 0
        self._log = False
        self._window = None
        self._marks_drawn = False
        self._drawn = None  # (generation, epochs) of the curve on screen
        self.range_sources = []  # callables: more losses the followed range must hold (the race's curves)

        self.plot_widget = pg.PlotWidget(background="w")
        plot_item = self.plot_widget.getPlotItem()
        plot_item.showGrid(x=False, y=True, alpha=0.2)  # the axes move every frame: keep them cheap
        plot_item.setLabel("bottom", "epoch")
        plot_item.setLabel("left", "loss")
        # The axis shows plain numbers: an SI prefix in the label beside ticks in e-notation
        # would say the scale twice.
        for side in ("left", "bottom"):
            plot_item.getAxis(side).enableAutoSIPrefix(False)
        cache_axes(plot_item)
        plot_item.setMenuEnabled(True)
        self.plot_widget.setToolTip(
            "Loss of every epoch (computed before that epoch's update).\n"
            "Orange marks: the data was edited. Red line: the loss diverged.\n"
            "Drag to pan, wheel to zoom, 'A' (bottom left) to follow training again."
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

        self.window_combo = QComboBox()
        for title, size in WINDOWS.items():
            self.window_combo.addItem(title, size)
        self.window_combo.setToolTip("Follow the whole run, or only the latest epochs")
        self.window_combo.setStatusTip(
            "Show every epoch, or follow the last N epochs so that recent changes stay large enough to see."
        )
        self.window_combo.currentIndexChanged.connect(lambda _i: self.set_window(self.window_combo.currentData()))
        self.log_check = QCheckBox("Log scale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis (Ctrl+L)")
        self.log_check.setStatusTip("Switch the loss axis between linear and logarithmic.")
        self.log_check.toggled.connect(self.set_log_scale)
        self.summary = QLabel("No epochs yet")
        self.summary.setToolTip("The last epoch and its loss")
        self.summary.setWordWrap(True)  # a classifier's line (losses and accuracies) wraps in a narrow dock
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(self.summary, 1)
        header.addWidget(self.window_combo)
        header.addWidget(self.log_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, LOSS_STRETCH)
        self._build_metrics(plot_item, layout)

    # ----------------------------------------------------------------- classification
    def _build_metrics(self, plot_item, layout) -> None:
        """The test loss on the loss plot and, below it, the training and test accuracy."""
        self.metrics = MetricHistory()
        self.test_loss_curve = pg.PlotDataItem(
            pen=pg.mkPen(TEST_COLOR, width=1, style=Qt.PenStyle.DashLine), connect="finite", name="test loss"
        )
        self.test_loss_curve.setDownsampling(auto=True, method="peak")
        self.test_loss_curve.setClipToView(True)
        plot_item.addItem(self.test_loss_curve, ignoreBounds=True)
        self.accuracy_widget = pg.PlotWidget(background="w")
        self.accuracy_widget.setMinimumHeight(60)
        accuracy = self.accuracy_widget.getPlotItem()
        accuracy.setLabel("left", "accuracy")
        accuracy.showGrid(x=False, y=True, alpha=0.2)
        accuracy.setYRange(0.0, 1.02, padding=0)
        accuracy.getViewBox().setMouseEnabled(y=False)
        accuracy.setXLink(plot_item)
        cache_axes(accuracy)
        accuracy.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.train_accuracy_curve = accuracy.plot(pen=pg.mkPen(LOSS_COLOR, width=1.5), name="train")
        self.test_accuracy_curve = accuracy.plot(
            pen=pg.mkPen(TEST_COLOR, width=1.5, style=Qt.PenStyle.DashLine), name="test"
        )
        self.accuracy_widget.setToolTip(
            "Share of the training points (solid) and of the test points (dashed) classified right, per epoch.\n"
            "The dashed curve on the loss plot is the test loss."
        )
        self.accuracy_widget.hide()
        layout.addWidget(self.accuracy_widget, ACCURACY_STRETCH)

    def _draw_metrics(self) -> None:
        shown = len(self.metrics) > 0
        self.accuracy_widget.setVisible(shown)
        if not shown:
            self.test_loss_curve.setData([], [])
            return
        (epochs, test_loss), train_accuracy, test_accuracy = self.metrics.curves(self._start_epoch())
        with np.errstate(all="ignore"):
            test_loss = np.where(np.isfinite(test_loss) & ((test_loss > 0) | (not self._log)), test_loss, np.nan)
        self.test_loss_curve.setData(epochs, test_loss)
        self.train_accuracy_curve.setData(*train_accuracy, connect="finite")
        self.test_accuracy_curve.setData(*test_accuracy, connect="finite")

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
        self._drawn = None
        self.follow()
        self.logScaleChanged.emit(on)

    @property
    def window(self) -> int | None:
        """The number of latest epochs followed, or None for the whole run."""
        return self._window

    def set_window(self, epochs: int | None) -> None:
        """Follow the last ``epochs`` epochs (None: the whole run)."""
        index = self.window_combo.findData(epochs)
        if index >= 0 and index != self.window_combo.currentIndex():
            self.window_combo.setCurrentIndex(index)  # comes back here
            return
        self._window = epochs
        self._drawn = None
        self.follow()

    def follow(self) -> None:
        """Let the view follow training again (after the user panned or zoomed)."""
        self._following = True
        self._shown_range = None
        self._draw_curve()

    @property
    def following(self) -> bool:
        return self._following

    def loss_history(self) -> np.ndarray:
        """The losses kept exactly (the recent epochs; all of them in a short run), epoch 1 first."""
        return self.history.exact()[1].copy()

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
        """Draw the history (already fed with ``snapshot``) and the snapshot's state."""
        if self._drawn is not None and self._drawn[0] != self.history.generation:  # started over
            self._edit_epochs = [e for e in self._edit_epochs if e <= snapshot.epoch] if snapshot.epoch else []
        self._last_epoch = snapshot.epoch
        if self._drawn != (self.history.generation, len(self.history)):
            self._draw_curve()
        if snapshot.diverged:
            self.diverged_line.setValue(snapshot.epoch)
            self.diverged_line.show()
        else:
            self.diverged_line.hide()
        if snapshot.epoch == 0:
            self.summary.setText("No epochs yet: press Step or Play")
        elif snapshot.diverged:
            self.summary.setText(f"Epoch {snapshot.epoch:,}: the loss diverged ({snapshot.loss})")
        else:
            self.summary.setText(
                f"Epoch {snapshot.epoch:,}: loss{_penalty_text(snapshot.config)} {snapshot.loss:.6g}"
                f"{_accuracy_text(snapshot)}"
            )
        self._draw_metrics()
        self._draw_marks()

    @contextlib.contextmanager
    def fitted_to_data(self):
        """Within the block, the view shows exactly the epochs drawn (for an exported image)."""
        saved = self.view_box.viewRange()
        n = len(self.history)
        start = self._start_epoch()
        if n:
            self.view_box.setRange(xRange=(max(0, start - 1), n), padding=0.01)
        try:
            yield
        finally:
            self.view_box.setRange(xRange=saved[0], yRange=saved[1], padding=0)

    def start_epoch(self) -> int:
        """The first epoch the plot follows (1 for the whole run)."""
        return self._start_epoch()

    # ----------------------------------------------------------------- internals
    def _start_epoch(self) -> int:
        n = len(self.history)
        return 1 if self._window is None else max(1, n - self._window + 1)

    def _draw_curve(self) -> None:
        history = self.history
        self._drawn = (history.generation, len(history))
        if not len(history):
            self.loss_curve.setData([], [])
            return
        xs, ys = history.curve(self._start_epoch())
        with np.errstate(all="ignore"):
            bad = ~np.isfinite(ys)
            if self._log:
                bad |= ys <= 0
            if bad.any():
                ys = np.where(bad, np.nan, ys)
        self.loss_curve.setData(xs, ys)
        if self._following:
            self._follow_range(ys)

    def _follow_range(self, ys) -> None:
        """Show the epochs followed and their losses with a little room to spare, the bounds moving
        in small round steps so the axes (the costliest part of a redraw) change only now and then."""
        if self.range_sources:
            ys = np.concatenate([ys, *(source() for source in self.range_sources)])
        with np.errstate(all="ignore"):
            finite = ys[np.isfinite(ys) & ((ys > 0) if self._log else True)]
        n = len(self.history)
        if self._window is None:
            x_range = (0.0, _round_up(max(n, 10)))
        else:
            x_range = (float(max(0, n - self._window)), float(max(n, self._window)))
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
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        epochs = np.unique(np.asarray(self._edit_epochs, dtype=np.float64))
        epochs = epochs[(epochs >= x0) & (epochs <= x1)]
        if epochs.size > FULL_MARKS:  # crowded: short ticks along the bottom keep the curve readable
            y1 = y0 + 0.06 * (y1 - y0)
        xs = np.repeat(epochs, 2)
        ys = np.tile([y0, y1], epochs.size)
        self.edit_marks.setData(xs, ys, connect="pairs")


def _round_up(value: float) -> float:
    """The next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12 … at or above ``value`` (> 0):
    round enough that the range changes seldom, close enough that little of the plot is empty."""
    step = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if factor * step >= value * (1 - 1e-12):
            return factor * step
    return 10 * step


def _penalty_text(config) -> str:
    """What the training loss includes besides the loss itself: " (with the L2 penalty)"."""
    if config.regularization == "none" or not config.regularization_rate:
        return ""
    return f" (with the {config.regularization.upper()} penalty)"


def _accuracy_text(snapshot) -> str:
    metrics = snapshot.metrics
    if not metrics:
        return ""
    parts = []
    if not math.isnan(metrics["test_loss"]):
        parts.append(f"test loss {metrics['test_loss']:.4g}")
    for what in ("train", "test"):
        value = metrics[f"{what}_accuracy"]
        if not math.isnan(value):
            parts.append(f"{what} accuracy {100 * value:.1f} %")
    return ", " + ", ".join(parts) if parts else ""
