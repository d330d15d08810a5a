"""The document and its undo commands: points, configuration, merged drags."""

import numpy as np
import pytest
from PySide6.QtCore import QObject  # noqa: F401  (Qt tests: the QThread guard is active)

from playground.document import Document, InvalidPointError


@pytest.fixture
def document(qapp):
    return Document([[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]], config="A")


def test_points_are_copies(document):
    points = document.points
    points[0, 0] = 99.0
    assert document.points[0, 0] == 1.0


def test_add_undo_redo(document):
    changes = []
    document.pointsChanged.connect(changes.append)
    document.add_point(4.5, -1.25)
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7], [4.5, -1.25]]
    assert changes[-1].tolist() == document.points.tolist()
    assert not changes[-1].flags.writeable
    document.undo_stack.undo()
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7]]
    document.undo_stack.redo()
    assert document.points[-1].tolist() == [4.5, -1.25]


def test_delete_restores_original_positions(document):
    document.add_point(4.0, 9.0)
    document.delete_points([3, 1])
    assert document.points.tolist() == [[1, 3], [3, 7]]
    document.undo_stack.undo()
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7], [4, 9]]


def test_one_drag_is_one_undo_step(document):
    edits = []
    document.pointsEdited.connect(lambda: edits.append(1))
    before = document.undo_stack.count()
    stroke = document.new_stroke()
    for k in range(1, 20):
        document.move_points([0, 2], [[1 + k * 0.1, 3], [3 + k * 0.1, 7 - k]], stroke=stroke)
    assert document.undo_stack.count() == before + 1
    assert len(edits) == 1  # one mark on the loss plot for the whole drag
    np.testing.assert_allclose(document.points, [[2.9, 3], [2, 5], [4.9, -12]])
    document.undo_stack.undo()
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7]]
    document.undo_stack.redo()
    np.testing.assert_allclose(document.points, [[2.9, 3], [2, 5], [4.9, -12]])


def test_separate_drags_are_separate_steps(document):
    for _ in range(2):
        stroke = document.new_stroke()
        for _k in range(3):
            x, y = document.points[1]
            document.move_points([1], [[x + 1, y]], stroke=stroke)
    assert document.undo_stack.count() == 2
    assert document.points[1].tolist() == [8, 5]
    document.undo_stack.undo()
    assert document.points[1].tolist() == [5, 5]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_coordinates_are_refused(document, bad):
    with pytest.raises(InvalidPointError):
        document.add_point(bad, 1.0)
    with pytest.raises(InvalidPointError):
        document.set_point(0, 1.0, bad)
    with pytest.raises(InvalidPointError):
        document.move_points([0], [[bad, 0.0]], stroke=document.new_stroke())
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7]]
    assert document.undo_stack.count() == 0


def test_config_changes_merge_by_key_and_vanish_when_back_to_start(document):
    seen = []
    document.configChanged.connect(seen.append)
    document.change_config("B", merge_key="lr-1")
    document.change_config("C", merge_key="lr-1")
    assert document.undo_stack.count() == 1 and document.config == "C"
    document.undo_stack.undo()
    assert document.config == "A"
    document.undo_stack.redo()
    document.change_config("D")  # no key: its own step
    assert document.undo_stack.count() == 2
    assert seen == ["B", "C", "A", "C", "D"]


def test_replace_is_one_undoable_step(document):
    document.replace([[0, 0]], "Z", text="Load preset")
    assert document.points.tolist() == [[0, 0]] and document.config == "Z"
    document.undo_stack.undo()
    assert document.points.tolist() == [[1, 3], [2, 5], [3, 7]] and document.config == "A"


def test_load_forgets_history(document):
    document.add_point(0, 0)
    document.load([[5, 5]], "Q")
    assert document.undo_stack.count() == 0 and document.undo_stack.isClean()
    assert document.points.tolist() == [[5, 5]] and document.config == "Q"
