"""The Data dock in the plane: points of 2–4 classes, the decision surface and the hidden neurons.

When the document holds points (x1, x2, class), the Data panel draws each point in its class's
colour and marker (test points hollow), the classifier's decision surface behind them (the classes'
colours mixed by the predicted probabilities, with the boundaries between the classes), a toolbar to
pick the class of new points (keys 1–4) and to generate a data set, and a strip of small heatmaps:
what each hidden neuron computes over the plane. Everything is computed from a snapshot's
parameters with the model itself (:class:`playground.models.PlaneModel`), never the training
thread's objects.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.config import MAX_CLASSES, MAX_TEST_FRACTION
from playground.datasets import GENERATORS, MAX_POINTS, PLANE_RANGE, generate
from playground.models import PlaneModel
from playground.plane import SURFACE_SIZE, boundary_segments, grid_points, surface_image

#: The classes' colours (blue, orange, green, purple) and markers.
CLASS_COLORS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189))
CLASS_SYMBOLS = ("o", "s", "t", "d")
#: Grid points a side of each hidden neuron's heatmap.
NEURON_SIZE = 32
#: The hidden neurons' heatmaps are redrawn at most this often while training (seconds).
NEURON_INTERVAL = 0.2
#: Heatmaps shown per layer.
MAX_NEURONS_SHOWN = 16
#: The neuron strip below the plot (a row of heatmaps per layer): a quarter of the room, within these.
STRIP_MIN_HEIGHT, STRIP_HEIGHT = 70, 110
#: The neuron strip beside the plot: its width, and heatmaps a row in each layer's grid there.
STRIP_WIDTH = 210
STRIP_COLUMNS = 4


def strip_height(height: float) -> int:
    """The neuron strip's height below the plot, in a plot and strip area ``height`` pixels tall."""
    return int(min(STRIP_HEIGHT, max(STRIP_MIN_HEIGHT, round(height / 4))))


def strip_beside(width: float, height: float) -> bool:
    """Whether the neuron strip goes beside the plot rather than below it, for a plot and strip area of
    ``width`` × ``height`` pixels: the plane keeps its aspect ratio, so a short, wide area shows it larger
    with the strip at its side. The plot must gain a fifth to be worth the move."""
    below = min(width, height - strip_height(height))
    beside = min(width - STRIP_WIDTH, height)
    return beside > 1.2 * below


def class_brushes(points, test):
    """Brush, pen and symbol lists for points (x1, x2, class): filled training points, hollow test points."""
    labels = points[:, 2].astype(int) % len(CLASS_COLORS)
    fills = [pg.mkBrush(*CLASS_COLORS[k]) for k in range(len(CLASS_COLORS))]
    hollow = pg.mkBrush(255, 255, 255, 230)
    edges = [pg.mkPen(QColor(*CLASS_COLORS[k]).darker(150), width=1.2) for k in range(len(CLASS_COLORS))]
    test_edges = [pg.mkPen(QColor(*CLASS_COLORS[k]), width=2.2) for k in range(len(CLASS_COLORS))]
    brushes = [hollow if t else fills[k] for k, t in zip(labels.tolist(), test.tolist())]
    pens = [test_edges[k] if t else edges[k] for k, t in zip(labels.tolist(), test.tolist())]
    symbols = [CLASS_SYMBOLS[k] for k in labels.tolist()]
    return brushes, pens, symbols


class ClassToolbar(QWidget):
    """The class of new points (buttons and keys 1–4), the data set generator and the test share.

    Signals
    -------
    classChosen(int)
    generateRequested(str, int, float, int, int)
        Data set, point count, noise, seed, classes.
    testFractionChosen(float)
    rowsChanged(int)
        The controls now take this many rows (1 or 2).
    """

    classChosen = Signal(int)
    generateRequested = Signal(str, int, float, int, int)
    testFractionChosen = Signal(float)
    rowsChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        self._first_row, self._second_row = QHBoxLayout(), QHBoxLayout()
        for row in (self._first_row, self._second_row):
            row.setSpacing(4)
            rows.addLayout(row)
        self._class_label = QLabel("Class")
        self.class_group = QButtonGroup(self)
        self.class_buttons = []
        for k in range(MAX_CLASSES):
            button = QToolButton()
            button.setText(str(k))
            button.setCheckable(True)
            r, g, b = CLASS_COLORS[k]
            button.setStyleSheet(
                f"QToolButton {{ background: rgb({r},{g},{b}); color: white; font-weight: bold; min-width: 18px; }}"
                "QToolButton:checked { border: 3px solid #222; }"
            )
            button.setToolTip(f"New points are of class {k} (key {k + 1})")
            button.setStatusTip(f"Click in the plot to add a point of class {k}; key {k + 1} picks it.")
            self.class_group.addButton(button, k)
            self.class_buttons.append(button)
        self.class_buttons[0].setChecked(True)
        self.class_group.idClicked.connect(self.classChosen)

        self.dataset_combo = QComboBox()
        for name, generator in GENERATORS.items():
            self.dataset_combo.addItem(generator.title, name)
        self.dataset_combo.setToolTip("The data set to generate")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(2, MAX_POINTS)
        self.count_spin.setValue(300)
        self.count_spin.setToolTip("How many points to generate")
        self.noise_spin = QDoubleSpinBox()
        self.noise_spin.setRange(0.0, 3.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setValue(0.3)
        self.noise_spin.setPrefix("noise ")
        self.noise_spin.setToolTip("Standard deviation of the noise added to each coordinate")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setPrefix("seed ")
        self.seed_spin.setToolTip("Seed of the generated points")
        # As wide as six digits need (not the ten of its largest value): the row fits beside the Landscape.
        self.seed_spin.setFixedWidth(self.seed_spin.fontMetrics().horizontalAdvance("seed 000000") + 32)
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(2, MAX_CLASSES)
        self.classes_spin.setSuffix(" classes")
        self.classes_spin.setToolTip("Classes of the Gaussians and spiral data sets (2–4)")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip("Replace the points with a generated data set (undoable)")
        self.generate_button.setStatusTip(
            "Draw a new data set from the settings beside; Ctrl+Z brings the old points back."
        )
        self.test_spin = QSpinBox()
        self.test_spin.setRange(0, int(MAX_TEST_FRACTION * 100))
        self.test_spin.setSuffix(" % test")
        self.test_spin.setToolTip("The share of the points held out for testing (drawn hollow)")
        self.test_spin.setStatusTip("Test points are not trained on; the Loss dock shows their loss and accuracy.")
        self.test_spin.setKeyboardTracking(False)
        self._generator = (
            self.dataset_combo,
            self.count_spin,
            self.noise_spin,
            self.seed_spin,
            self.classes_spin,
            self.generate_button,
        )
        self._rows = 0
        self._lay_out(1)
        # One row where everything fits at its preferred size, else two (the class and the test share
        # above, the generator below): the toolbar needs only the wider of those two rows.
        spacing = self._first_row.spacing()

        def width(widgets, extra=0):
            preferred = sum(min(w.sizeHint().width(), w.maximumWidth()) for w in widgets)
            return preferred + spacing * (len(widgets) - 1) + extra + 8

        first = (self._class_label, *self.class_buttons, self.test_spin)
        self._one_row_width = width(first + self._generator, 10)
        self.setMinimumWidth(max(width(first, 10), width(self._generator)))
        self.dataset_combo.currentIndexChanged.connect(self._dataset_chosen)
        self.generate_button.clicked.connect(self._generate)
        self.test_spin.valueChanged.connect(lambda v: self.testFractionChosen.emit(v / 100))
        self._dataset_chosen()

    @property
    def current_class(self) -> int:
        return max(0, self.class_group.checkedId())

    def set_class(self, k: int) -> None:
        self.class_buttons[k].setChecked(True)
        self.classChosen.emit(k)

    @property
    def rows(self) -> int:
        """1 when the class, the generator and the test share fit side by side, else 2."""
        return self._rows

    def _lay_out(self, rows: int) -> None:
        if rows == self._rows:
            return
        self._rows = rows
        first, second = self._first_row, self._second_row
        for row in (first, second):
            while row.count():
                row.takeAt(0)  # the widgets stay; only their places go
        first.addWidget(self._class_label)
        for button in self.class_buttons:
            first.addWidget(button)
        first.addSpacing(10)
        generator_row = first if rows == 1 else second
        for widget in self._generator:
            generator_row.addWidget(widget)
        first.addWidget(self.test_spin)
        first.addStretch(1)
        if rows == 2:
            second.addStretch(1)
        self.rowsChanged.emit(rows)

    def resizeEvent(self, event) -> None:
        self._lay_out(1 if event.size().width() >= self._one_row_width else 2)
        super().resizeEvent(event)

    def set_classes(self, classes: int) -> None:
        """Offer classes 0 … classes − 1."""
        for k, button in enumerate(self.class_buttons):
            button.setVisible(k < classes)
        if self.current_class >= classes:
            self.set_class(0)

    def show_dataset(self, name: str) -> None:
        """Offer the data set ``name`` (a preset's) in the generator, if it is one."""
        index = self.dataset_combo.findData(name)
        if index >= 0:
            self.dataset_combo.setCurrentIndex(index)

    def set_test_fraction(self, fraction: float) -> None:
        self.test_spin.blockSignals(True)
        self.test_spin.setValue(round(fraction * 100))
        self.test_spin.blockSignals(False)

    def _dataset_chosen(self) -> None:
        generator = GENERATORS[self.dataset_combo.currentData()]
        self.count_spin.setValue(generator.n_points)
        self.noise_spin.setValue(generator.noise)
        self.classes_spin.setEnabled(len(generator.classes) > 1)
        self.classes_spin.setValue(generator.classes[0])

    def _generate(self) -> None:
        self.generateRequested.emit(
            self.dataset_combo.currentData(),
            self.count_spin.value(),
            self.noise_spin.value(),
            self.seed_spin.value(),
            self.classes_spin.value(),
        )


class NeuronStrip(pg.GraphicsLayoutWidget):
    """Each hidden neuron's activation over the plane, a small heatmap per neuron: a row per layer, or,
    beside the plot, a grid of ``columns`` heatmaps a row per layer, the layers one under the other."""

    def __init__(self, parent=None):
        super().__init__(parent, show=False)
        self.setBackground("w")
        self.setToolTip("What each hidden neuron computes over the plane (blue −1 … white 0 … orange +1)")
        self.ci.layout.setSpacing(2)
        self._rows = []  # (label, view box, image item) per layer
        self._shape = ()
        self._layers = None  # last shown, to draw again in another arrangement
        self._size = NEURON_SIZE
        self.columns = None  # heatmaps a row; None: all of a layer's in one row
        self._lookup = pg.ColorMap([0.0, 0.5, 1.0], [(31, 119, 180), (255, 255, 255), (255, 127, 14)]).getLookupTable(
            nPts=256
        )

    def set_columns(self, columns: int | None) -> None:
        """Arrange each layer's heatmaps ``columns`` to a row (None: one row), drawn again at once."""
        if columns != self.columns:
            self.columns = columns
            if self._layers is not None:
                self.show_layers(self._layers, self._size)

    def show_layers(self, layers, size=NEURON_SIZE) -> None:
        """``layers``: one (size², units) array per hidden layer."""
        self._layers, self._size = layers, size
        shape = tuple(min(layer.shape[1], MAX_NEURONS_SHOWN) for layer in layers)
        if shape != self._shape:
            self.clear()
            self._rows = []
            for i in range(len(shape)):
                label = self.addLabel(f"layer {i + 1}", row=i, col=0, size="8pt")
                view = self.addViewBox(row=i, col=1, lockAspect=True, enableMouse=False)
                view.setMenuEnabled(False)
                image = pg.ImageItem()
                image.setLookupTable(self._lookup)
                view.addItem(image)
                self._rows.append((label, view, image))
            self._shape = shape
        gap = 3
        for (_, view, image), layer in zip(self._rows, layers):
            units = min(layer.shape[1], MAX_NEURONS_SHOWN)
            columns = min(units, self.columns or units)
            rows = -(-units // columns)
            tiles = np.full((rows * (size + gap) - gap, columns * (size + gap) - gap), np.nan)
            for u in range(units):
                row, col = divmod(u, columns)
                r0 = (rows - 1 - row) * (size + gap)  # the first row on top (the image's y axis points up)
                c0 = col * (size + gap)
                tiles[r0 : r0 + size, c0 : c0 + size] = layer[:, u].reshape(size, size)
            # tanh and sigmoid lie in [−1, 1]; ReLU's are scaled by their largest value.
            top = max(1.0, float(np.nanmax(np.abs(tiles)))) if np.isfinite(tiles).any() else 1.0
            levels = (tiles / top + 1) / 2
            image.setImage(np.nan_to_num(levels, nan=1.0).T, levels=(0.0, 1.0), autoLevels=False)
            view.setRange(QRectF(0, 0, tiles.shape[1], tiles.shape[0]), padding=0.02)


class PlaneView:
    """The plane mode of a :class:`~playground.panels.data.DataPanel`: surface, boundaries, class picker."""

    def __init__(self, panel):
        self.panel = panel
        self.model = PlaneModel()
        self.surface = pg.ImageItem()
        self.surface.setZValue(-20)
        self.surface.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        panel.view_box.addItem(self.surface, ignoreBounds=True)
        self.boundary = pg.PlotCurveItem(pen=pg.mkPen(QColor(40, 40, 40), width=2), antialias=True, connect="pairs")
        self.boundary.setZValue(-10)
        panel.view_box.addItem(self.boundary, ignoreBounds=True)
        self.toolbar = ClassToolbar()
        self.strip = NeuronStrip()
        self.test = np.zeros(0, dtype=bool)
        self.probabilities = None  # of the grid last drawn
        self.grid = None  # (xs, ys) of the grid last drawn
        self._neurons_drawn = 0.0
        self.shortcuts = []
        for k in range(MAX_CLASSES):
            shortcut = QShortcut(QKeySequence(str(k + 1)), panel)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda k=k: self._key_class(k))
            self.shortcuts.append(shortcut)
        self.set_active(False)

    @property
    def current_class(self) -> int:
        return self.toolbar.current_class

    def set_active(self, active: bool) -> None:
        self.active = active
        for item in (self.surface, self.boundary):
            item.setVisible(active)
        self.toolbar.setVisible(active)
        self.strip.setVisible(active)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(active)
        if not active:
            self.probabilities = None

    def _key_class(self, k: int) -> None:
        config = self.panel._document.config
        if k < config.classes:
            self.toolbar.set_class(k)
            self.panel.message.emit(f"New points are of class {k}.")
        else:
            self.panel.message.emit(f"The model tells {config.classes} classes apart: class {k} needs more classes.")

    def config_changed(self, config) -> None:
        if config.task != "classification":
            return
        self.toolbar.set_classes(config.classes)
        self.toolbar.set_test_fraction(config.test_fraction)

    def draw(self, snapshot, force_neurons=False) -> None:
        """The decision surface (and, at most every ``NEURON_INTERVAL``, the neurons) of ``snapshot``."""
        if snapshot is None or snapshot.config.task != "classification":
            return
        (x0, x1), (y0, y1) = self.panel.view_box.viewRange()
        xs, ys, points = grid_points((x0, x1), (y0, y1), SURFACE_SIZE)
        try:
            p = self.model.probabilities(snapshot.config, snapshot.params, points)
        except Exception as exc:  # a model/parameter mismatch must not break the view
            self.panel.message.emit(f"Could not draw the decision surface: {exc}")
            return
        self.probabilities, self.grid = p, (xs, ys)
        colors = np.array(CLASS_COLORS, dtype=np.float64)
        image = surface_image(p, colors, (len(ys), len(xs)))
        self.surface.setImage(image.transpose(1, 0, 2), autoLevels=False)
        dx, dy = (x1 - x0) / (len(xs) - 1), (y1 - y0) / (len(ys) - 1)
        self.surface.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, (x1 - x0) + dx, (y1 - y0) + dy))
        segments = boundary_segments(p, xs, ys)
        if len(segments):
            self.boundary.setData(segments[:, 0], segments[:, 1], connect="pairs")
        else:
            self.boundary.setData([], [])
        now = time.perf_counter()
        if force_neurons or snapshot.last or now - self._neurons_drawn >= NEURON_INTERVAL:
            self._neurons_drawn = now
            self._draw_neurons(snapshot)

    def _draw_neurons(self, snapshot) -> None:
        _, _, points = grid_points(PLANE_RANGE, PLANE_RANGE, NEURON_SIZE)
        try:
            layers = self.model.hidden(snapshot.config, snapshot.params, points)
        except Exception:
            return
        self.strip.setVisible(self.active and bool(layers))
        if layers:
            self.strip.show_layers(layers)

    def probability_at(self, x: float, y: float) -> np.ndarray | None:
        """Each class's probability as drawn at the grid point nearest (x, y)."""
        if self.probabilities is None:
            return None
        xs, ys = self.grid
        i = int(np.clip(np.searchsorted(ys, y), 0, len(ys) - 1))
        j = int(np.clip(np.searchsorted(xs, x), 0, len(xs) - 1))
        return self.probabilities[i * len(xs) + j]

    def generate(self, name, n_points, noise, seed, classes) -> None:
        """Replace the points with a generated data set, keeping the model (one undo step)."""
        document = self.panel._document
        try:
            points = generate(name, n_points, noise, seed, classes)
        except ValueError as exc:
            self.panel.message.emit(str(exc))
            return
        config = document.config
        changes = {"classes": classes}
        if classes > 2 and config.loss != "cross-entropy":
            changes.update(loss="cross-entropy", model="softmax" if config.model == "logistic" else config.model)
        document.replace(points, config.replace(**changes), text=f"Generate “{GENERATORS[name].title}”")
        self.panel.fit_view()
