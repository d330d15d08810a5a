"""The document: the authoritative points, the training configuration and their undo stack.

The GUI thread owns the document. Every change goes through a command on :attr:`Document.undo_stack`
and is announced with a copy (``pointsChanged``) that the training worker and the panels receive;
nobody else holds a reference to the document's own array.
"""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground.commands import (
    AddPointsCommand,
    ChangeConfigCommand,
    DeletePointsCommand,
    MovePointsCommand,
    ReplaceDocumentCommand,
)
from playground.config import MAX_CLASSES


class InvalidPointError(ValueError):
    """A coordinate that is not a finite number (NaN or infinite) was offered as a point."""


def as_points(values, width=2) -> np.ndarray:
    """Return ``values`` as a fresh ``(N, width)`` float64 array of finite coordinates: (x, y)
    pairs, or with ``width=3`` points in the plane (x1, x2, class) with whole classes from 0.

    Raises
    ------
    InvalidPointError
        If the shape is wrong, any coordinate is NaN or infinite, or a class is not a whole number.
    """
    try:
        points = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidPointError(f"Points must be numbers: {exc}") from None
    if points.size == 0:
        return np.empty((0, width), dtype=np.float64)
    points = points.reshape(-1, width) if points.ndim == 1 and points.size == width else points
    if points.ndim != 2 or points.shape[1] != width:
        what = "(x, y) pairs" if width == 2 else "(x1, x2, class) rows"
        raise InvalidPointError(f"Points must be {what}, got an array of shape {points.shape}.")
    if not np.isfinite(points).all():
        raise InvalidPointError("Coordinates must be finite numbers (not NaN or infinity).")
    if width == 3:
        labels = points[:, 2]
        if ((labels != np.round(labels)) | (labels < 0) | (labels >= MAX_CLASSES)).any():
            raise InvalidPointError(f"A class must be a whole number from 0 to {MAX_CLASSES - 1}.")
    return points


class Document(QObject):
    """The points being fitted, the training configuration and the undo history.

    Parameters
    ----------
    points : array_like, shape (N, 2)
        Initial points (x, y).
    config : Config
        Initial training configuration.

    Signals
    -------
    pointsChanged(object)
        A read-only ``(N, 2)`` float64 copy of the points after every change.
    configChanged(object)
        The new :class:`~playground.config.Config`.
    pointsEdited()
        A new edit of the data began (a new undo step, an undo or a redo; not every mouse move of a
        drag). The loss plot marks the epoch.
    """

    pointsChanged = Signal(object)
    configChanged = Signal(object)
    pointsEdited = Signal()

    def __init__(self, points, config, parent=None):
        super().__init__(parent)
        self._config = config
        self._points = as_points(points, self.width)
        self.undo_stack = QUndoStack(self)
        self._strokes = itertools.count(1)

    # ----------------------------------------------------------------- reading
    @property
    def points(self) -> np.ndarray:
        """A copy of the points, shape (N, 2), float64."""
        return self._points.copy()

    @property
    def n_points(self) -> int:
        return len(self._points)

    @property
    def width(self) -> int:
        """Columns of a point: 2 (x, y) for regression, 3 (x1, x2, class) for classification."""
        return 3 if getattr(self._config, "task", "regression") == "classification" else 2

    @property
    def classifying(self) -> bool:
        """The points are points in the plane with classes."""
        return self.width == 3

    @property
    def config(self):
        """The current training configuration (immutable)."""
        return self._config

    def points_copy(self) -> np.ndarray:
        """A read-only copy of the points, as sent with ``pointsChanged``."""
        copy = self._points.copy()
        copy.flags.writeable = False
        return copy

    # ----------------------------------------------------------------- undoable edits
    def add_points(self, new_points) -> None:
        """Append points (undoable). Raises :class:`InvalidPointError` for NaN or infinite values."""
        new_points = as_points(new_points, self.width)
        if len(new_points):
            self.undo_stack.push(AddPointsCommand(self, new_points))

    def add_point(self, x: float, y: float, label: int | None = None) -> None:
        """Append one point (undoable); in the plane, of class ``label`` (0 by default)."""
        self.add_points([[x, y]] if not self.classifying else [[x, y, 0 if label is None else label]])

    def delete_points(self, indices) -> None:
        """Delete the points at ``indices`` (undoable); unknown indices are ignored."""
        indices = np.unique(np.asarray(list(indices), dtype=np.int64))
        indices = indices[(indices >= 0) & (indices < len(self._points))]
        if len(indices):
            self.undo_stack.push(DeletePointsCommand(self, indices))

    def new_stroke(self) -> int:
        """A fresh stroke number for a drag: moves with the same stroke are one undo step."""
        return next(self._strokes)

    def move_points(self, indices, positions, stroke=None) -> None:
        """Move the points at ``indices`` to ``positions`` (undoable).

        Parameters
        ----------
        indices : sequence of int
        positions : array_like, shape (len(indices), 2)
        stroke : int, optional
            From :meth:`new_stroke`; moves of one drag share it and merge into one undo step.
        """
        indices = np.asarray(list(indices), dtype=np.int64)
        positions = as_points(positions)[:, :2] if np.shape(positions)[-1:] != (3,) else as_points(positions, 3)
        if len(indices) != len(positions):
            raise ValueError("Each moved point needs one new position.")
        if len(indices) == 0:
            return
        if indices.min() < 0 or indices.max() >= len(self._points):
            raise IndexError("No such point.")
        if np.array_equal(self._points[indices, : positions.shape[1]], positions) and stroke is None:
            return
        command = MovePointsCommand(self, indices, positions, stroke)
        top = self._top_command()
        command._continues_stroke = (
            stroke is not None
            and isinstance(top, MovePointsCommand)
            and top.stroke == stroke
            and self.undo_stack.index() != self.undo_stack.cleanIndex()
        )
        self.undo_stack.push(command)

    def set_point(self, index: int, x: float, y: float, label: int | None = None) -> None:
        """Set one point's coordinates, and in the plane its class (an edit in the table; undoable)."""
        if not 0 <= index < len(self._points):
            raise IndexError("No such point.")
        if self.classifying:
            position = as_points([[x, y, self._points[index, 2] if label is None else label]], 3)
        else:
            position = as_points([[x, y]])
        if np.array_equal(self._points[index], position[0]):
            return
        self.undo_stack.push(MovePointsCommand(self, [index], position, None, text=f"Edit point {index + 1}"))

    def set_classes(self, indices, label: int) -> None:
        """Put the points at ``indices`` in class ``label`` (undoable)."""
        indices = np.unique(np.asarray(list(indices), dtype=np.int64))
        if not self.classifying or not len(indices):
            return
        rows = self._points[indices].copy()
        rows[:, 2] = label
        rows = as_points(rows, 3)
        if np.array_equal(rows, self._points[indices]):
            return
        text = f"Put {len(indices)} point{'s' if len(indices) != 1 else ''} in class {label}"
        self.undo_stack.push(MovePointsCommand(self, indices, rows, None, text=text))

    def change_config(self, config, text: str = "Change configuration", merge_key=None) -> None:
        """Replace the configuration (undoable). ``merge_key`` merges consecutive changes."""
        if config == self._config:
            return
        self.undo_stack.push(ChangeConfigCommand(self, config, text=text, merge_key=merge_key))

    def replace(self, points, config, text: str = "Load data") -> None:
        """Replace points and configuration in one undoable step (a preset, an import)."""
        width = 3 if getattr(config, "task", "regression") == "classification" else 2
        self.undo_stack.push(ReplaceDocumentCommand(self, as_points(points, width), config, text=text))

    def load(self, points, config) -> None:
        """Replace points and configuration and forget the undo history (opening a session)."""
        points = as_points(points, 3 if getattr(config, "task", "regression") == "classification" else 2)
        self.undo_stack.clear()
        self._apply_config(config)
        self._apply_points(points)
        self.undo_stack.setClean()

    # ----------------------------------------------------------------- used by the commands
    def _top_command(self):
        index = self.undo_stack.index()
        return self.undo_stack.command(index - 1) if index > 0 else None

    def _apply_points(self, points: np.ndarray, new_edit: bool = True) -> None:
        points = np.array(points, dtype=np.float64)
        self._points = points.reshape(len(points), -1) if points.size else points.reshape(0, self.width)
        if new_edit:
            self.pointsEdited.emit()
        self.pointsChanged.emit(self.points_copy())

    def _apply_config(self, config) -> None:
        if config == self._config:
            return
        self._config = config
        self.configChanged.emit(config)
