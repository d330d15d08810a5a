"""Undoable edits of the document: add, move and delete points, change the configuration.

Each command knows its inverse and applies itself through the document's private setters, so the
undo stack is the only way the points and the configuration change. A drag is one undo step:
every mouse move pushes a :class:`MovePointsCommand` carrying the drag's stroke number and
``mergeWith`` folds it into the previous one of the same stroke.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)

MOVE_POINTS_ID = 1001
CHANGE_CONFIG_ID = 1002


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class AddPointsCommand(QUndoCommand):
    """Append points at the end of the data.

    Parameters
    ----------
    document : Document
    new_points : ndarray, shape (k, 2)
        The points to append, already validated as finite.
    """

    def __init__(self, document, new_points: np.ndarray, parent=None):
        k = len(new_points)
        super().__init__("Add point" if k == 1 else f"Add {k} points", parent)
        self._document = document
        new_points = np.array(new_points, dtype=np.float64)
        self._new_points = new_points.reshape(len(new_points), -1)

    def redo(self):
        points = self._document.points
        self._document._apply_points(np.vstack([points, self._new_points]))

    def undo(self):
        points = self._document.points
        self._document._apply_points(points[: len(points) - len(self._new_points)])


class DeletePointsCommand(QUndoCommand):
    """Remove the points at the given indices; undo puts them back where they were."""

    def __init__(self, document, indices, parent=None):
        self._indices = np.unique(np.asarray(indices, dtype=np.int64))
        super().__init__("Delete " + _plural(len(self._indices), "point"), parent)
        self._document = document
        self._removed = document.points[self._indices]

    def redo(self):
        points = self._document.points
        self._document._apply_points(np.delete(points, self._indices, axis=0))

    def undo(self):
        remaining = self._document.points
        n = len(remaining) + len(self._indices)
        keep = np.ones(n, dtype=bool)
        keep[self._indices] = False
        restored = np.empty((n, remaining.shape[1]), dtype=np.float64)
        restored[keep] = remaining
        restored[self._indices] = self._removed
        self._document._apply_points(restored)


class MovePointsCommand(QUndoCommand):
    """Move some points to new positions.

    Parameters
    ----------
    document : Document
    indices : sequence of int
    positions : ndarray, shape (len(indices), 2)
        Where the points go (their x and y; points in the plane keep their class). Whole rows,
        (x1, x2, class), set the class too.
    stroke : int or None
        The drag this move belongs to. Consecutive moves of the same stroke merge into one undo
        step; ``None`` (an edit in the table) never merges.
    """

    def __init__(self, document, indices, positions, stroke=None, text=None, parent=None):
        self._indices = np.asarray(indices, dtype=np.int64).copy()
        if text is None:
            text = "Move " + _plural(len(self._indices), "point")
        super().__init__(text, parent)
        self._document = document
        self._stroke = stroke
        self._new = np.array(positions, dtype=np.float64).reshape(len(self._indices), -1)
        self._columns = self._new.shape[1]
        self._old = document.points[self._indices, : self._columns]
        # A move that continues the drag on top of the stack merges silently: it is not a new edit.
        self._continues_stroke = False
        self._redone = False

    @property
    def stroke(self):
        return self._stroke

    def id(self):
        return MOVE_POINTS_ID if self._stroke is not None else -1

    def _set(self, positions, new_edit):
        points = self._document.points
        points[self._indices, : self._columns] = positions
        self._document._apply_points(points, new_edit=new_edit)

    def redo(self):
        new_edit = not (self._continues_stroke and not self._redone)
        self._redone = True
        self._set(self._new, new_edit)

    def undo(self):
        self._set(self._old, True)

    def mergeWith(self, other):
        if (
            not isinstance(other, MovePointsCommand)
            or other._stroke is None
            or other._stroke != self._stroke
            or not np.array_equal(other._indices, self._indices)
            or other._columns != self._columns
        ):
            return False
        self._new = other._new.copy()
        return True


class ChangeConfigCommand(QUndoCommand):
    """Replace the training configuration (model, loss, optimizer, hyperparameters).

    Consecutive changes with the same non-empty ``merge_key`` (one drag of the learning-rate
    slider) are one undo step.
    """

    def __init__(self, document, new_config, text="Change configuration", merge_key=None, parent=None):
        super().__init__(text, parent)
        self._document = document
        self._old = document.config
        self._new = new_config
        self._merge_key = merge_key

    def id(self):
        return CHANGE_CONFIG_ID if self._merge_key else -1

    def redo(self):
        self._document._apply_config(self._new)

    def undo(self):
        self._document._apply_config(self._old)

    def mergeWith(self, other):
        if not isinstance(other, ChangeConfigCommand) or other._merge_key != self._merge_key:
            return False
        self._new = other._new
        if self._new == self._old:
            self.setObsolete(True)
        return True


class ReplaceDocumentCommand(QUndoCommand):
    """Replace the points and the configuration at once (a preset, an imported data set)."""

    def __init__(self, document, points, config, text="Load data", parent=None):
        super().__init__(text, parent)
        self._document = document
        self._old = (document.points, document.config)
        points = np.array(points, dtype=np.float64)
        self._new = (points.reshape(len(points), -1) if points.size else points.reshape(0, 2), config)

    def redo(self):
        self._document._apply_config(self._new[1])
        self._document._apply_points(self._new[0].copy())

    def undo(self):
        self._document._apply_config(self._old[1])
        self._document._apply_points(self._old[0].copy())


class TrainOnFromEpochCommand(QUndoCommand):
    """Training went on from an earlier epoch, setting the later ones aside.

    The training thread has already done it when this is pushed; undo brings the later epochs back
    (setting aside the new ones), redo swaps again. ``training`` is the
    :class:`~playground.worker.TrainingController`; ``branch`` names the epochs set aside.
    """

    def __init__(self, training, branch: int, epoch: int, dropped: int, parent=None):
        super().__init__(
            f"Train on from epoch {epoch:,} ({dropped:,} later epoch{'s' if dropped != 1 else ''} set aside)", parent
        )
        self._training = training
        self._branch = branch
        self._done = True  # push() calls redo(): the first one has happened already

    def redo(self):
        if self._done:
            self._done = False
            return
        self._training.swap_branch(self._branch)

    def undo(self):
        self._training.swap_branch(self._branch)
