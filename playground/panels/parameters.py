"""The Parameters panel: every parameter's value and gradient, live.

One row per number: a scalar parameter such as the linear model's ``w`` is one row; a weight matrix
has a row per entry (``0.weight[3, 0]``). Values arrive with each snapshot; rows whose layout did not
change are updated in place.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from playground.coordinates import element_name
from playground.models import OPTIMIZERS
from playground.panels.numbers import NUMBER_ROLE, FittingNumberDelegate

_ROOT = QModelIndex()  # the invisible root: these tables have no children

VALUE_ROLE = Qt.ItemDataRole.UserRole  # the exact float of a cell
COLUMNS = ("Parameter", "Value", "Gradient g")
NO_GRADIENT = "—"  # before the first step


def format_value(value: float) -> str:
    """Seven significant digits (a float32's worth); the tooltip has the exact value."""
    return f"{value:.7g}"


class ParametersModel(QAbstractTableModel):
    """Parameter elements with their values and gradients."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout: tuple = ()
        self._names: list[str] = []
        self._values = np.empty(0)
        self._grads = np.empty(0)
        self._has_grad = np.empty(0, dtype=bool)
        self._stale = True

    def set_parameters(self, params: dict, grads: dict) -> None:
        """Show ``params`` and their ``grads`` (a gradient of None, before the first step, is a dash)."""
        layout = tuple((name, tuple(np.shape(value))) for name, value in params.items())
        if params:
            values = np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in params.values()])
            known = [grads.get(name) is not None for name in params]
            gradients = np.concatenate(
                [
                    np.asarray(grads[name], dtype=np.float64).reshape(-1) if has else np.zeros(np.size(v))
                    for (name, v), has in zip(params.items(), known)
                ]
            )
            has_grad = np.repeat(known, [np.size(v) for v in params.values()])
        else:
            values = gradients = np.empty(0)
            has_grad = np.empty(0, dtype=bool)
        if layout != self._layout:
            self.beginResetModel()
            self._layout = layout
            self._names = [element_name(name, shape, index) for name, shape in layout for index in np.ndindex(*shape)]
            self._values, self._grads, self._has_grad = values, gradients, has_grad
            self.endResetModel()
        else:
            self._values, self._grads, self._has_grad = values, gradients, has_grad
            if len(values):
                self.dataChanged.emit(self.index(0, 1), self.index(len(values) - 1, 2))

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "The parameter (and the entry of a weight matrix)",
                    "Its current value",
                    "g = ∂L/∂p: the gradient of the loss with respect to it, from the last step",
                )[section]
        return None

    def value(self, row: int) -> float:
        return float(self._values[row])

    def gradient(self, row: int) -> float | None:
        """The gradient shown in ``row``; None before the first step."""
        return float(self._grads[row]) if self._has_grad[row] else None

    def row_of(self, name: str) -> int:
        """The row showing ``name`` (as displayed, e.g. ``w`` or ``0.weight[1, 0]``)."""
        return self._names.index(name)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._names[row]
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if column == 2 and not self._has_grad[row]:
            if role == Qt.ItemDataRole.DisplayRole:
                return NO_GRADIENT
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "No gradient yet: the first step's backward pass computes it (PyTorch's p.grad is None until then)"
                )
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        number = float(self._values[row] if column == 1 else self._grads[row])
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(number)
        if role in (VALUE_ROLE, NUMBER_ROLE):
            return number
        if role == Qt.ItemDataRole.ToolTipRole:
            return repr(number)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and number != 0.0:
            return QBrush(QColor(170, 40, 40) if number > 0 else QColor(30, 110, 40))
        if role == Qt.ItemDataRole.ForegroundRole and not np.isfinite(number):
            return QBrush(QColor(214, 39, 40))
        return None


class ParametersPanel(QWidget):
    """A live table of parameter values and gradients."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = ParametersModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(FittingNumberDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Each parameter's value and the gradient of the loss with respect to it")
        self.table.setStatusTip("Parameters and their gradients from the last step (hover for the exact value).")
        self.caption = QLabel()
        self.caption.setToolTip("How the optimizer changes each parameter p at each step; g = ∂L/∂p")
        self._optimizer = None
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)

    def show_snapshot(self, snapshot) -> None:
        self.model.set_parameters(snapshot.params, snapshot.grads)
        self.show_update_rule(snapshot.config.optimizer)

    def show_update_rule(self, optimizer: str) -> None:
        """Say how ``optimizer`` (a key of :data:`playground.models.OPTIMIZERS`) updates each parameter."""
        if optimizer != self._optimizer:
            self._optimizer = optimizer
            choice = OPTIMIZERS[optimizer]
            self.caption.setText(f"Each step, {choice.title}: {choice.rule}   (g = ∂L/∂p)")

    def value_of(self, name: str) -> float:
        """The value shown for ``name``."""
        return self.model.value(self.model.row_of(name))

    def gradient_of(self, name: str) -> float | None:
        """The gradient shown for ``name``; None before the first step."""
        return self.model.gradient(self.model.row_of(name))
