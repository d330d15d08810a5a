"""The Data panel driven with real mouse events: add, drag, select, delete, and the synced table."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication

from playground.document import Document
from playground.io import parse_points_csv
from playground.panels.data import POINT_COLOR, DataPanel


@pytest.fixture
def panel(qtbot, fast_pyqtgraph_mouse):
    document = Document([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0], [3.0, 9.0]], config=None)
    widget = DataPanel(document)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view_box.setRange(xRange=(-1, 4), yRange=(-1, 10), padding=0)
    return widget


def test_click_on_empty_space_adds_a_point_and_undo_removes_it(panel, plot_mouse):
    mouse = plot_mouse(panel.plot_widget)
    document = panel._document
    mouse.click(2.5, 1.0)
    assert len(document.points) == 5
    x, y = document.points[-1]
    px, py = panel.view_box.viewPixelSize()
    assert abs(x - 2.5) <= 1.5 * px and abs(y - 1.0) <= 1.5 * py
    assert panel.table_model.rowCount() == 5
    document.undo_stack.undo()
    assert len(document.points) == 4 and panel.table_model.rowCount() == 4


def test_drag_moves_one_point_as_one_undo_step(panel, plot_mouse):
    mouse = plot_mouse(panel.plot_widget)
    document = panel._document
    picked = []
    panel.sampleSelected.connect(picked.append)
    mouse.drag((2.0, 4.0), (2.5, 6.0), steps=8)
    points = document.points
    px, py = panel.view_box.viewPixelSize()
    assert abs(points[2, 0] - 2.5) <= 1.5 * px and abs(points[2, 1] - 6.0) <= 1.5 * py
    np.testing.assert_array_equal(np.delete(points, 2, axis=0), [[0, 0], [1, 1], [3, 9]])
    assert document.undo_stack.count() == 1
    assert picked == [2] and panel.highlighted_sample == 2
    assert float(panel.table_model.data(panel.table_model.index(2, 0), Qt.ItemDataRole.EditRole)) == points[2, 0]
    document.undo_stack.undo()
    assert document.points.tolist() == [[0, 0], [1, 1], [2, 4], [3, 9]]


def test_drag_on_empty_space_selects_and_selection_moves_together(panel, plot_mouse):
    mouse = plot_mouse(panel.plot_widget)
    document = panel._document
    mouse.drag((-0.5, -0.5), (1.5, 2.0), steps=4)  # rubber band around points 0 and 1
    assert panel.selected_indices().tolist() == [0, 1]
    assert sorted(i.row() for i in panel.table.selectionModel().selectedRows()) == [0, 1]
    assert len(document.points) == 4  # selecting added nothing
    mouse.drag((1.0, 1.0), (1.5, 3.0), steps=5)  # drag one of them: both move by the same offset
    points = document.points
    offset0 = points[0] - [0, 0]
    offset1 = points[1] - [1, 1]
    np.testing.assert_allclose(offset0, offset1)
    assert offset0[0] > 0.3 and offset0[1] > 1.5
    assert points[2:].tolist() == [[2, 4], [3, 9]]
    assert document.undo_stack.count() == 1


def test_right_click_deletes_and_delete_removes_selection(panel, plot_mouse):
    mouse = plot_mouse(panel.plot_widget)
    document = panel._document
    mouse.click(1.0, 1.0, button=Qt.MouseButton.RightButton)
    assert document.points.tolist() == [[0, 0], [2, 4], [3, 9]]
    panel.set_selection([0, 2])
    panel.delete_selected()
    assert document.points.tolist() == [[2, 4]]
    document.undo_stack.undo()
    assert document.points.tolist() == [[0, 0], [2, 4], [3, 9]]


def test_ctrl_click_toggles_selection(panel, plot_mouse):
    mouse = plot_mouse(panel.plot_widget)
    mouse.click(0.0, 0.0)
    mouse.click(3.0, 9.0, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert panel.selected_indices().tolist() == [0, 3]
    mouse.click(0.0, 0.0, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert panel.selected_indices().tolist() == [3]
    assert len(panel._document.points) == 4


def test_table_edit_updates_points_and_rejects_nan(panel):
    model = panel.table_model
    messages = []
    panel.message.connect(messages.append)
    assert model.setData(model.index(1, 1), "2.75")
    assert panel._document.points[1].tolist() == [1.0, 2.75]
    np.testing.assert_array_equal(panel.points_item.getData()[1], [0, 2.75, 4, 9])
    for bad in ("nan", "inf", "-inf", "abc"):
        assert not model.setData(model.index(1, 0), bad)
    assert panel._document.points[1].tolist() == [1.0, 2.75]
    assert len(messages) == 4 and "finite" in messages[0]
    panel._document.undo_stack.undo()
    assert panel._document.points[1].tolist() == [1.0, 1.0]


def test_table_selection_selects_points(panel):
    selection = panel.table.selectionModel()
    selection.select(panel.table_model.index(2, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    assert panel.selected_indices().tolist() == [2]
    np.testing.assert_array_equal(np.column_stack(panel.selection_item.getData()), [[2, 4]])


def test_empty_data_shows_a_hint(panel):
    panel._document.delete_points(range(4))
    assert panel.empty_hint.isVisible()
    assert "click" in panel.empty_hint.textItem.toPlainText().lower()
    panel._document.add_point(1, 1)
    assert not panel.empty_hint.isVisible()


def _drawn_at(panel, x, y):
    """Whether a point is drawn at data coordinates (x, y): the pixel there has the points' colour."""
    image = panel.plot_widget.grab().toImage()
    pos = panel.plot_widget.mapFromScene(panel.view_box.mapViewToScene(QPointF(x, y)))
    colour = image.pixelColor(pos.x(), pos.y())
    return sum(abs(a - b) for a, b in zip(colour.getRgb()[:3], POINT_COLOR.getRgb()[:3])) < 60


def test_moved_and_replaced_points_are_drawn_where_they_are(qtbot, panel):
    document = panel._document
    assert _drawn_at(panel, 3.0, 9.0)
    document.move_points([3], [[2.5, 6.0]])  # as many points as before: positions change in place
    assert _drawn_at(panel, 2.5, 6.0) and not _drawn_at(panel, 3.0, 9.0)
    drawn = np.column_stack([panel.points_item.data["x"], panel.points_item.data["y"]])
    np.testing.assert_array_equal(drawn, document.points)
    many = np.column_stack([np.linspace(-0.5, 3.5, 41), np.full(41, 8.0)])
    document.replace(many, None)  # another count: every point drawn alike
    assert len(panel.points_item.data) == 41
    assert all(_drawn_at(panel, x, y) for x, y in many[::5]) and not _drawn_at(panel, 2.5, 6.0)
    document.undo_stack.undo()
    assert len(panel.points_item.data) == 4 and _drawn_at(panel, 2.5, 6.0)


def test_copy_and_paste_points_through_the_clipboard(qtbot, panel):
    document = panel._document
    panel.set_selection([1, 3])
    assert panel.copy_points() == 2
    text = QGuiApplication.clipboard().text()
    np.testing.assert_array_equal(parse_points_csv(text), [[1.0, 1.0], [3.0, 9.0]])
    QGuiApplication.clipboard().setText("x\ty\n0.5\t-1\n1.5\t2.25\n")  # as a spreadsheet copies them
    assert panel.paste_points()
    assert document.points[4:].tolist() == [[0.5, -1.0], [1.5, 2.25]]
    assert panel.selected_indices().tolist() == [4, 5]
    document.undo_stack.undo()  # one undo step
    assert len(document.points) == 4
    messages = []
    panel.message.connect(messages.append)
    QGuiApplication.clipboard().setText("hello\nworld, 3\n")
    assert not panel.paste_points()
    assert len(document.points) == 4 and "not a list of points" in messages[-1]


def test_a_large_paste_is_read_in_the_background(qtbot, panel):
    document = panel._document
    rows = np.column_stack([np.arange(40_000, dtype=float), np.arange(40_000, dtype=float) / 7])
    QGuiApplication.clipboard().setText("".join(f"{x!r},{y!r}\n" for x, y in rows.tolist()))
    assert panel.paste_points()
    assert len(document.points) == 4  # not yet: the text is being parsed off the GUI thread
    qtbot.waitUntil(lambda: len(document.points) == 40_004, timeout=20_000)
    np.testing.assert_array_equal(document.points[4:], rows)
