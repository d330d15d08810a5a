"""The File menu driven through the real window: sessions, recent files, imports, exports, drops, closing.

File dialogs and message boxes are replaced by :class:`Dialogs`, which hands out the paths and
answers a test queues and records every question and error. Every wait is on a condition or a
signal, never a sleep; every window is closed and its training thread joined by the fixtures.
"""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from playground import file_actions, io
from playground.presets import load_preset
from playground.trainer import Trainer

SEED_W = 2.0195605754852295
SEED_B = 0.7054842114448547
SEED_LOSSES = [21.63, 11.03, 5.63, 2.88, 1.47, 0.76, 0.39, 0.21, 0.11, 0.06]
TIMEOUT = 30_000
REAL_UNATTENDED = file_actions.unattended


class Dialogs:
    """Stand-ins for QFileDialog and QMessageBox: queued answers, recorded questions and errors."""

    def __init__(self, monkeypatch):
        self.open_paths = []  # what getOpenFileName returns next
        self.save_paths = []  # (path, chosen filter) getSaveFileName returns next
        self.answers = []  # StandardButtons the Save / Discard / Cancel question returns next
        self.errors = []  # (title, text) of every error shown
        self.questions = []  # text of every question asked
        self.save_filters = []  # the filter lists offered by save dialogs
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._save)
        monkeypatch.setattr(QMessageBox, "critical", self._critical)
        monkeypatch.setattr(QMessageBox, "warning", self._warning)

    def _open(self, parent, caption="", directory="", filters="", *args, **kwargs):
        return (str(self.open_paths.pop(0)), "") if self.open_paths else ("", "")

    def _save(self, parent, caption="", directory="", filters="", chosen="", *args, **kwargs):
        self.save_filters.append(filters)
        if not self.save_paths:
            return "", ""
        path, chosen_filter = self.save_paths.pop(0)
        return str(path), chosen_filter or chosen

    def _critical(self, parent, title, text, *args, **kwargs):
        self.errors.append((title, text))
        return QMessageBox.StandardButton.Ok

    def _warning(self, parent, title, text, *args, **kwargs):
        self.questions.append(text)
        # Unanswered questions (a window closed at the end of a test) discard.
        return self.answers.pop(0) if self.answers else QMessageBox.StandardButton.Discard


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """Set up before the windows, so the stand-ins are still there when the windows close.

    The tests run offscreen, where the app never shows dialogs (nobody could answer them); here
    the stand-ins answer, so the app is told someone is there.
    """
    monkeypatch.setattr(file_actions, "unattended", lambda: False)
    return Dialogs(monkeypatch)


# ------------------------------------------------------------------------------------------ helpers


def train(qtbot, window, epochs):
    """Train ``epochs`` epochs with the Step N action and wait until the window shows them."""
    target = window.training.latest.epoch + epochs
    window.controls.step_n_spin.setValue(epochs)
    window.controls.step_n_action.trigger()
    # The status bar shows the epoch once the snapshot has reached the window (and the File menu).
    shown = f"Epoch {target:,}"
    qtbot.waitUntil(
        lambda: (
            window.training.latest.epoch == target
            and not window.training.running
            and window.epoch_label.text() == shown
        ),
        timeout=TIMEOUT,
    )


def wait_for_state(qtbot, window, epoch, params):
    """Wait until the window's newest snapshot is at ``epoch`` with exactly ``params``."""

    def arrived():
        snapshot = window.training.latest
        return (
            snapshot.epoch == epoch
            and all(np.array_equal(snapshot.params[k], v) for k, v in params.items())
            and window.epoch_label.text() == f"Epoch {epoch:,}"
        )

    qtbot.waitUntil(arrived, timeout=TIMEOUT)


def trainer_state(window):
    """The worker's trainer state as comparable JSON text (NaN-safe)."""
    return json.dumps(window.file_actions.capture_state()[1], sort_keys=True)


def document_state(window):
    """Everything that must not change when an open or import fails."""
    document = window.document
    return (
        document.points.tobytes(),
        document.config,
        document.undo_stack.count(),
        document.undo_stack.index(),
        window.file_actions.file_path,
    )


def menu_texts(menu):
    return [a.text() for a in menu.actions()]


# ------------------------------------------------------------------------------------------ the menu


def test_file_menu_has_every_action_above_quit_with_its_shortcut(main_window):
    window = main_window
    actions = window.file_actions
    texts = menu_texts(window.file_menu)
    expected = [
        "&Open…",
        "Open &Recent",
        "&Save",
        "Save &As…",
        "&Import points from CSV…",
        "Export points to &CSV…",
        "&Export parameters…",
        "Export &loss curve…",
        "Export as &PyTorch script…",
    ]
    positions = [texts.index(t) for t in expected]
    assert positions == sorted(positions) and positions[-1] < texts.index("&Quit")
    assert actions.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert actions.save_action.shortcut() == QKeySequence("Ctrl+S")
    assert actions.save_as_action.shortcut() == QKeySequence("Ctrl+Shift+S")
    assert actions.export_parameters_action.shortcut() == QKeySequence("Ctrl+E")
    every_shortcut = [s.toString() for a in window.findChildren(type(actions.save_action)) for s in a.shortcuts()]
    for key in ("Ctrl+O", "Ctrl+S", "Ctrl+Shift+S", "Ctrl+E"):
        assert every_shortcut.count(key) == 1, key


def test_title_shows_the_modified_flag_for_edits_and_training(qtbot, main_window):
    window = main_window
    actions = window.file_actions
    assert "[*]" in window.windowTitle() and "Linear regression" in window.windowTitle()
    assert not window.isWindowModified() and not actions.is_modified
    window.document.add_point(5.0, 11.0)
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert not window.isWindowModified()
    window.controls.step_action.trigger()
    qtbot.waitUntil(lambda: window.isWindowModified(), timeout=TIMEOUT)
    assert window.training.latest.epoch == 1


# ------------------------------------------------------------------------------------------ sessions


def test_save_as_then_save_writes_the_session_and_clears_the_modified_flag(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    actions = window.file_actions
    window.document.add_point(5.0, 11.0)
    train(qtbot, window, 30)
    assert window.isWindowModified()
    path = tmp_path / "run"
    dialogs.save_paths.append((path, ""))
    window.file_actions.save_action.trigger()  # no file yet: Save asks for one
    saved = tmp_path / "run.json"  # the extension is added
    assert saved.exists() and not path.exists()
    session = io.load_session(saved)
    np.testing.assert_array_equal(session.points, window.document.points)
    assert session.points[-1].tolist() == [5.0, 11.0]
    assert session.epoch == 30 and session.config == window.document.config
    snapshot = window.training.latest
    for name, value in snapshot.params.items():
        np.testing.assert_array_equal(session.state["parameters"][name]["values"], value)
    assert actions.file_path == str(saved)
    assert not window.isWindowModified() and window.windowTitle().startswith("run.json[*]")
    assert actions.recent_files == [str(saved)]

    train(qtbot, window, 5)
    assert window.isWindowModified()
    window.file_actions.save_action.trigger()  # a file now: saved without a dialog
    assert len(dialogs.save_filters) == 1
    assert io.load_session(saved).epoch == 35
    assert not window.isWindowModified()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]

    other = tmp_path / "other.json"
    dialogs.save_paths.append((other, ""))
    window.file_actions.save_as_action.trigger()
    assert io.load_session(other).epoch == 35 and actions.file_path == str(other)
    assert actions.recent_files == [str(other), str(saved)]
    assert dialogs.errors == []


def test_a_failed_save_says_why_and_keeps_everything(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 3)
    dialogs.save_paths.append((tmp_path / "no such folder" / "run.json", ""))
    assert not window.file_actions.save_as()
    assert len(dialogs.errors) == 1 and "cannot write" in dialogs.errors[0][1]
    assert window.file_actions.file_path is None and window.isWindowModified()


@pytest.mark.parametrize(
    "changes",
    [
        {"optimizer": "sgd"},
        {"optimizer": "momentum", "momentum": 0.9},
        {"optimizer": "adam", "lr": 0.05},
        {"optimizer": "adam", "lr": 0.05, "batch_size": 2},
    ],
    ids=["sgd", "momentum", "adam", "adam-minibatch"],
)
def test_save_reopen_and_train_on_equals_training_straight_through(qtbot, make_main_window, dialogs, tmp_path, changes):
    first = make_main_window()
    config = first.document.config.replace(**changes)
    first.document.change_config(config)
    train(qtbot, first, 100)
    path = tmp_path / "half.json"
    dialogs.save_paths.append((path, ""))
    first.file_actions.save_as_action.trigger()
    at_100 = first.training.latest
    history_at_100 = first.loss_history.exact()[1].tolist()

    second = make_main_window()  # a fresh window, on its own preset
    dialogs.open_paths.append(path)
    second.file_actions.open_action.trigger()
    wait_for_state(qtbot, second, 100, at_100.params)
    assert second.document.config == config
    np.testing.assert_array_equal(second.document.points, first.document.points)
    assert second.loss_history.exact()[1].tolist() == history_at_100
    assert not second.isWindowModified() and second.windowTitle().startswith("half.json[*]")

    train(qtbot, second, 100)
    train(qtbot, first, 100)  # the same window trained on after saving: 200 straight
    reference = Trainer(config, load_preset("linear-regression").points)
    reference.run(200)
    expected = reference.snapshot()
    for window in (first, second):
        got = window.training.latest
        assert got.epoch == 200
        assert window.loss_history.exact()[1].tolist() == expected.new_losses.tolist()
        for name, value in expected.params.items():
            np.testing.assert_array_equal(got.params[name], value)
    assert dialogs.errors == []


def test_open_restores_points_config_parameters_and_undo_is_empty(qtbot, make_main_window, dialogs, tmp_path):
    first = make_main_window()
    first.document.add_points([[5.0, 10.0], [6.0, 14.0]])
    first.document.change_config(first.document.config.replace(lr=0.01))
    train(qtbot, first, 20)
    path = tmp_path / "s.json"
    assert first.file_actions.save_session(path)

    second = make_main_window("quadratic")
    second.document.add_point(0.5, 0.5)
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    dialogs.open_paths.append(path)
    second.file_actions.open_action.trigger()
    assert len(dialogs.questions) == 1  # the quadratic data was modified: asked first
    wait_for_state(qtbot, second, 20, first.training.latest.params)
    np.testing.assert_array_equal(second.document.points, first.document.points)
    assert second.document.config.lr == 0.01 and second.document.config.model == "linear"
    assert second.document.undo_stack.count() == 0
    assert second.data_panel.table_model.rowCount() == 6
    assert second.parameters_panel.value_of("w") == float(first.training.latest.params["w"][0, 0])


def test_corrupt_and_newer_sessions_show_an_error_and_change_nothing(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    window.document.add_point(7.0, 1.0)
    train(qtbot, window, 4)
    good = tmp_path / "good.json"
    assert window.file_actions.save_session(good)
    window.document.add_point(8.0, 2.0)
    before_document, before_trainer = document_state(window), trainer_state(window)

    text = good.read_text()
    newer = json.loads(text)
    newer["version"] = io.SESSION_VERSION + 1
    nan_points = json.loads(text)
    nan_points["points"][0][1] = float("nan")
    bad_parameter = json.loads(text)
    bad_parameter["trainer"]["parameters"]["w"]["shape"] = [3, 3]
    cases = {
        "truncated.json": (text[: len(text) // 2], "not valid JSON"),
        "newer.json": (json.dumps(newer), "newer version"),
        "nan.json": (json.dumps(nan_points), "finite"),
        "shape.json": (json.dumps(bad_parameter), "corrupt"),
        "binary.json": (b"\x89PNG\r\n\x1a\n\x00\xff", "not"),
    }
    for name, (content, reason) in cases.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        dialogs.answers.append(QMessageBox.StandardButton.Discard)
        dialogs.open_paths.append(path)
        window.file_actions.open_action.trigger()
        title, message = dialogs.errors[-1]
        assert title == "Could not open the session" and reason in message and name in message, (name, message)
        assert "not changed" in message
        assert document_state(window) == before_document
        assert trainer_state(window) == before_trainer
        assert window.isWindowModified()
    assert len(dialogs.errors) == len(cases)


def test_open_recent_lists_sessions_opens_them_and_clears(qtbot, make_main_window, dialogs, tmp_path):
    settings_path = tmp_path / "shared-settings.ini"
    first = make_main_window(settings_path=settings_path)
    train(qtbot, first, 7)
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        assert first.file_actions.save_session(path)
    labels = [a.text() for a in first.file_actions.recent_menu.actions() if a.data()]
    assert labels == ["&1 b.json", "&2 a.json"]
    first.close()
    qtbot.waitUntil(lambda: not first.training.thread_running)

    second = make_main_window(settings_path=settings_path)  # the list outlives the window
    recent = [a for a in second.file_actions.recent_menu.actions() if a.data()]
    assert [a.data() for a in recent] == [str(paths[1]), str(paths[0])]
    recent[1].trigger()
    assert second.file_actions.file_path == str(paths[0])
    qtbot.waitUntil(lambda: second.training.latest.epoch == 7, timeout=TIMEOUT)
    assert second.file_actions.recent_files[0] == str(paths[0])

    os.remove(paths[1])
    missing = next(a for a in second.file_actions.recent_menu.actions() if a.data() == str(paths[1]))
    missing.trigger()
    assert "no longer exists" in dialogs.errors[-1][1]
    assert second.file_actions.recent_files == [str(paths[0])]

    second.file_actions.clear_recent_action.trigger()
    assert second.file_actions.recent_files == []
    assert [a for a in second.file_actions.recent_menu.actions() if a.data()] == []
    assert not second.file_actions.clear_recent_action.isEnabled()
    stored = QSettings(str(settings_path), QSettings.Format.IniFormat).value("files/recent")
    assert not stored


# ------------------------------------------------------------------------------------------ points


def test_import_points_from_csv_is_one_undo_step(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    original = window.document.points
    path = tmp_path / "mine.csv"
    path.write_text("x,y\n0.5,1.25\n# a comment\n\n-2 , 3e2\n4\t-0.125\n")
    dialogs.open_paths.append(path)
    window.file_actions.import_points_action.trigger()
    expected = [[0.5, 1.25], [-2.0, 300.0], [4.0, -0.125]]
    assert window.document.points.tolist() == expected
    assert window.data_panel.table_model.rowCount() == 3
    assert window.isWindowModified() and dialogs.errors == []
    assert "mine.csv" in window.document.undo_stack.undoText()
    window.controls.step_action.trigger()
    qtbot.waitUntil(lambda: window.training.latest.n_points == 3, timeout=TIMEOUT)
    window.undo_action.trigger()
    np.testing.assert_array_equal(window.document.points, original)
    window.redo_action.trigger()
    assert window.document.points.tolist() == expected


def test_a_big_csv_is_read_in_the_background_and_the_window_stays_live(
    qtbot, main_window, dialogs, tmp_path, monkeypatch
):
    window = main_window
    original = window.document.points
    rng = np.random.default_rng(5)
    points = np.column_stack([rng.uniform(-5, 5, 100_000), rng.uniform(-5, 5, 100_000)])
    path = tmp_path / "big.csv"
    io.export_points_csv(path, points)
    assert path.stat().st_size > file_actions.BACKGROUND_READ_BYTES
    # The read cannot end before the GUI thread has handled an event: it runs elsewhere meanwhile.
    gui_turn = threading.Event()
    readers = []
    real_read = file_actions.read_points_csv

    def read(p):
        readers.append(threading.get_ident())
        assert gui_turn.wait(20)
        return real_read(p)

    monkeypatch.setattr(file_actions, "read_points_csv", read)
    QTimer.singleShot(0, gui_turn.set)
    with qtbot.waitSignal(window.file_actions.importFinished, timeout=60_000) as blocker:
        assert window.file_actions.import_points(path)
        np.testing.assert_array_equal(window.document.points, original)  # still reading
    assert blocker.args == [True] and readers and readers[0] != threading.get_ident()
    np.testing.assert_array_equal(window.document.points, points)
    assert window.data_panel.table_model.rowCount() == 100_000
    window.undo_action.trigger()  # one undo step, as for a small file
    np.testing.assert_array_equal(window.document.points, original)
    bad = tmp_path / "big-bad.csv"
    bad.write_text(path.read_text() + "oops,1\n")
    QTimer.singleShot(0, gui_turn.set)
    with qtbot.waitSignal(window.file_actions.importFinished, timeout=60_000) as blocker:
        window.file_actions.import_points(bad)
    assert blocker.args == [False] and "line 100002" in dialogs.errors[-1][1]
    np.testing.assert_array_equal(window.document.points, original)


def test_csv_with_bad_rows_reports_their_line_numbers_and_changes_nothing(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    before_document, before_trainer = document_state(window), trainer_state(window)
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n1,2\n3,4\nfive,6\n7,8\n9,nan\n10,11,12\n")
    dialogs.open_paths.append(path)
    window.file_actions.import_points_action.trigger()
    assert len(dialogs.errors) == 1
    title, message = dialogs.errors[0]
    assert title == "Could not import the points"
    assert "3 rows of bad.csv could not be read" in message
    for line in ("line 4:", "line 6:", "line 7:"):
        assert line in message
    assert "line 2:" not in message and "line 5:" not in message
    assert "not changed" in message
    assert document_state(window) == before_document
    assert trainer_state(window) == before_trainer


def test_export_points_writes_what_the_table_shows(main_window, dialogs, tmp_path):
    window = main_window
    window.document.add_point(0.1, 1 / 3)
    dialogs.save_paths.append((tmp_path / "points", ""))
    window.file_actions.export_points_action.trigger()
    written = tmp_path / "points.csv"
    rows = written.read_text().splitlines()
    assert rows[0] == "x,y"
    values = np.loadtxt(written, delimiter=",", skiprows=1)
    np.testing.assert_array_equal(values, window.document.points)  # every digit kept
    assert values.shape == (5, 2) and values[-1, 1] == 1 / 3


# ------------------------------------------------------------------------------------------ exports


@pytest.mark.parametrize(
    "chosen, extension",
    [
        ("JSON (*.json)", ".json"),
        ("CSV: name, index, value (*.csv)", ".csv"),
        ("NumPy archive (*.npz)", ".npz"),
    ],
)
def test_export_parameters_in_the_chosen_format(qtbot, main_window, dialogs, tmp_path, chosen, extension):
    window = main_window
    train(qtbot, window, 200)
    dialogs.save_paths.append((tmp_path / "params", chosen))
    window.file_actions.export_parameters_action.trigger()
    path = tmp_path / ("params" + extension)
    assert path.exists() and dialogs.errors == []
    if extension == ".json":
        document = json.loads(path.read_text())
        w, b = document["parameters"]["w"]["values"][0][0], document["parameters"]["b"]["values"][0][0]
        assert document["epoch"] == 200 and document["parameters"]["w"]["shape"] == [1, 1]
        assert document["optimizer"]["name"] == "sgd" and document["optimizer"]["lr"] == 0.001
    elif extension == ".csv":
        lines = path.read_text().splitlines()
        assert lines[0] == "parameter,value"
        values = {line.split(",")[0]: float(line.split(",")[1]) for line in lines[1:]}
        w, b = values["w"], values["b"]
    else:
        with np.load(path, allow_pickle=False) as archive:
            w, b = float(archive["w"][0, 0]), float(archive["b"][0, 0])
    assert (w, b) == (SEED_W, SEED_B)


def test_export_parameters_extension_wins_over_the_filter(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    dialogs.save_paths.append((tmp_path / "p.npz", "JSON (*.json)"))
    window.file_actions.export_parameters_action.trigger()
    assert (tmp_path / "p.npz").exists() and not (tmp_path / "p.npz.json").exists()


def test_export_loss_curve_as_csv(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 200)
    dialogs.save_paths.append((tmp_path / "loss", "CSV: epoch, loss (*.csv)"))
    window.file_actions.export_loss_action.trigger()
    lines = (tmp_path / "loss.csv").read_text().splitlines()
    assert lines[0] == "epoch,loss" and len(lines) == 201
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(1, 201))
    assert float(rows[0][1]) == 41.0  # epoch 1: the loss before the first step
    assert [round(float(rows[e - 1][1]), 2) for e in range(20, 201, 20)] == SEED_LOSSES


@pytest.mark.parametrize("extension", [".png", ".svg"])
def test_export_loss_plot_as_an_image(qtbot, main_window, dialogs, tmp_path, extension):
    window = main_window
    train(qtbot, window, 50)
    qtbot.waitUntil(lambda: len(window.loss_panel.loss_history()) == 50, timeout=TIMEOUT)
    filters = {".png": "PNG image of the plot (*.png)", ".svg": "SVG image of the plot (*.svg)"}
    dialogs.save_paths.append((tmp_path / "plot", filters[extension]))
    window.file_actions.export_loss_action.trigger()
    path = tmp_path / ("plot" + extension)
    assert dialogs.errors == [] and path.exists()
    if extension == ".png":
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 200 and image.height() > 50
        colors = {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}
        assert "#1f77b4" in colors  # the loss curve's blue is drawn
    else:
        text = path.read_text()
        assert text.lstrip().startswith("<?xml") and "<svg" in text and "#1f77b4" in text.lower()
    assert not [p for p in os.listdir(tmp_path) if p.endswith((".png", ".svg")) and p.startswith(".")]


def test_export_pytorch_script(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 60)
    dialogs.save_paths.append((tmp_path / "replay", ""))
    window.file_actions.export_script_action.trigger()
    path = tmp_path / "replay.py"
    source = path.read_text()
    compile(source, str(path), "exec")
    assert "EPOCHS = 60" in source and "import torch" in source
    assert "from playground" not in source and "import engine" not in source
    pytest.importorskip("torch")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    curve = [float(line.split(",")[1]) for line in run.stdout.splitlines()[1:] if not line.startswith("#")]
    np.testing.assert_allclose(curve, window.loss_history.exact()[1], rtol=1e-5)


def test_cancelled_dialogs_do_nothing(main_window, dialogs, tmp_path):
    window = main_window
    before = document_state(window)
    actions = window.file_actions
    for action in (
        actions.open_action,
        actions.save_action,
        actions.save_as_action,
        actions.import_points_action,
        actions.export_points_action,
        actions.export_parameters_action,
        actions.export_loss_action,
        actions.export_script_action,
    ):
        action.trigger()
    assert document_state(window) == before and dialogs.errors == []
    assert len(dialogs.save_filters) == 6  # every save dialog was shown, and cancelled
    assert [p for p in os.listdir(tmp_path) if not p.endswith(".ini")] == []  # nothing written


# ------------------------------------------------------------------------------------------ drag and drop


def drop(window, path):
    """Drag ``path`` over the window and drop it, as the platform would; returns whether it was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPoint(window.width() // 2, window.height() // 2)
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(point), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def test_dropping_a_csv_imports_it_and_a_session_opens_it(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 12)
    session = tmp_path / "dropped.json"
    assert window.file_actions.save_session(session)
    csv = tmp_path / "dropped.csv"
    csv.write_text("1 1\n2 4\n3 9\n")
    assert drop(window, csv)
    qtbot.waitUntil(lambda: window.document.n_points == 3)
    assert window.document.points.tolist() == [[1.0, 1.0], [2.0, 4.0], [3.0, 9.0]]
    window.undo_action.trigger()
    assert window.document.n_points == 4

    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF")
    assert not drop(window, other)

    window.document.add_point(9.0, 9.0)
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    assert drop(window, session)
    qtbot.waitUntil(lambda: window.file_actions.file_path == str(session) and window.document.n_points == 4)
    assert dialogs.questions and dialogs.errors == []
    qtbot.waitUntil(lambda: window.training.latest.epoch == 12, timeout=TIMEOUT)


def test_dropping_a_bad_csv_shows_the_error_and_changes_nothing(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    before = document_state(window)
    path = tmp_path / "bad.csv"
    path.write_text("1,2\n3\n")
    assert drop(window, path)
    qtbot.waitUntil(lambda: len(dialogs.errors) == 1)
    assert "line 2:" in dialogs.errors[0][1]
    assert document_state(window) == before


# ------------------------------------------------------------------------------------------ closing and presets


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(qtbot, main_window, dialogs):
    window = main_window
    train(qtbot, window, 3)
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.close()
    assert len(dialogs.questions) == 1 and "Save" in dialogs.questions[0]
    assert window.isVisible() and window.training.thread_running
    train(qtbot, window, 1)  # still training

    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    window.close()
    assert len(dialogs.questions) == 2
    assert not window.isVisible() and not window.training.thread_running


def test_closing_and_choosing_save_saves_then_closes(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 9)
    dialogs.answers.append(QMessageBox.StandardButton.Save)
    dialogs.save_paths.append((tmp_path / "last.json", ""))
    window.close()
    assert not window.isVisible() and not window.training.thread_running
    assert io.load_session(tmp_path / "last.json").epoch == 9


def test_closing_and_choosing_save_but_cancelling_the_file_keeps_the_window(qtbot, main_window, dialogs):
    window = main_window
    window.document.add_point(1.0, 1.0)
    dialogs.answers.append(QMessageBox.StandardButton.Save)
    window.close()  # no path given: the save is cancelled, so is the close
    assert window.isVisible() and window.training.thread_running


def test_closing_without_changes_does_not_ask(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 2)
    assert window.file_actions.save_session(tmp_path / "s.json")
    window.close()
    assert dialogs.questions == [] and not window.training.thread_running


def test_loading_a_preset_asks_first_and_starts_a_new_session(qtbot, main_window, dialogs, tmp_path):
    window = main_window
    train(qtbot, window, 5)
    assert window.file_actions.save_session(tmp_path / "mine.json")
    window.document.add_point(10.0, 10.0)
    before = document_state(window)
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.preset_actions["quadratic"].trigger()
    assert len(dialogs.questions) == 1 and document_state(window) == before

    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    window.preset_actions["quadratic"].trigger()
    np.testing.assert_array_equal(window.document.points, load_preset("quadratic").points)
    assert window.file_actions.file_path is None
    qtbot.waitUntil(
        lambda: window.training.latest.epoch == 0 and window.epoch_label.text() == "Epoch 0", timeout=TIMEOUT
    )
    assert not window.isWindowModified()
    assert window.windowTitle().startswith(load_preset("quadratic").title + "[*]")
    window.undo_action.trigger()  # the preset load is undoable: back to the (unsaved) edited data
    assert window.document.n_points == 5 and window.isWindowModified()


# ------------------------------------------------------------------------------------------ fuzzing

csv_fields = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["x", "y", "", " ", "1e", "--1", "0x10", "nan", "inf", "1,5", "#", "\ufeff", "1_000"]),
    st.text(max_size=6),
)
csv_rows = st.lists(csv_fields, min_size=0, max_size=4).flatmap(
    lambda fields: st.sampled_from([",", " ", "\t", ";", ", "]).map(lambda sep: sep.join(fields))
)
csv_files = st.one_of(
    st.lists(csv_rows, max_size=8).flatmap(
        lambda rows: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda end: end.join(rows).encode("utf-8"))
    ),
    st.binary(max_size=64),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=csv_files)
def test_fuzzed_csv_imports_never_crash_and_never_half_change(main_window, dialogs, tmp_path, content):
    window = main_window
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    before = window.document.points
    before_state = document_state(window)
    errors = len(dialogs.errors)
    dialogs.open_paths.append(path)
    window.file_actions.import_points_action.trigger()
    event("refused" if len(dialogs.errors) > errors else "imported")
    if len(dialogs.errors) > errors:
        assert document_state(window) == before_state
        with pytest.raises(io.PointsFormatError):
            io.parse_points_csv(content)
    else:
        imported = window.document.points
        np.testing.assert_array_equal(imported, io.parse_points_csv(content))
        assert np.isfinite(imported).all() and len(imported) >= 1
        window.undo_action.trigger()
        np.testing.assert_array_equal(window.document.points, before)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)


@pytest.fixture
def saved_session(qtbot, main_window, tmp_path):
    window = main_window
    window.document.change_config(window.document.config.replace(optimizer="adam", batch_size=2))
    train(qtbot, window, 3)
    path = tmp_path / "base.json"
    assert window.file_actions.save_session(path)
    return json.loads(path.read_text())


def _at(document, path):
    for key in path:
        document = document[key]
    return document


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from _paths(item, prefix + (index,))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_sessions_never_crash_and_open_whole_or_not_at_all(
    qtbot, main_window, dialogs, tmp_path, saved_session, data
):
    window = main_window
    document = json.loads(json.dumps(saved_session))
    kind = data.draw(st.sampled_from(["number", "replace", "delete", "truncate", "bytes"]))
    paths = [p for p in _paths(document) if p]
    if kind == "number":  # another value for a number: often still a session that opens
        paths = [
            p for p in paths if isinstance(_at(document, p), (int, float)) and not isinstance(_at(document, p), bool)
        ]
    if kind in ("number", "replace", "delete"):
        where = data.draw(st.sampled_from(paths))
        parent = _at(document, where[:-1])
        if kind == "number":
            parent[where[-1]] = data.draw(st.integers(-3, 300) | st.floats(-1e6, 1e6, width=32))
        elif kind == "replace":
            parent[where[-1]] = data.draw(json_values)
        else:
            del parent[where[-1]]
        content = json.dumps(document).encode()
    elif kind == "truncate":
        text = json.dumps(document).encode()
        content = text[: data.draw(st.integers(0, len(text) - 1))]
    else:
        content = data.draw(st.binary(max_size=80))
    path = tmp_path / "fuzz.json"
    path.write_bytes(content)

    before_document, before_trainer = document_state(window), trainer_state(window)
    errors = len(dialogs.errors)
    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    dialogs.open_paths.append(path)
    window.file_actions.open_action.trigger()
    event(f"{kind}: {'refused' if len(dialogs.errors) > errors else 'opened'}")
    if len(dialogs.errors) > errors:
        assert document_state(window) == before_document
        assert trainer_state(window) == before_trainer
        with pytest.raises(io.SessionError):
            io.parse_session(content)
    else:
        session = io.parse_session(content)
        np.testing.assert_array_equal(window.document.points, session.points)
        assert window.document.config == session.config
        state = json.loads(trainer_state(window))
        expected = json.loads(json.dumps(session.make_trainer().state_dict(), sort_keys=True))
        assert state["epoch"] == session.epoch
        assert state["parameters"] == expected["parameters"] and state["optimizer"] == expected["optimizer"]
        assert window.file_actions.file_path == str(path)
        assert not window.isWindowModified()


# ------------------------------------------------------------------------------------------ headless


def test_without_a_display_nothing_waits_for_an_answer(qtbot, main_window, dialogs, monkeypatch, tmp_path):
    window = main_window
    monkeypatch.setattr(file_actions, "unattended", REAL_UNATTENDED)
    assert QApplication.platformName() == "offscreen" and file_actions.unattended()
    train(qtbot, window, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\nthree,4\n")
    assert not window.file_actions.import_points(bad)
    assert "line 2:" in window.message_bar.message and window.message_bar.kind == "error"
    window.close()
    assert dialogs.questions == [] and dialogs.errors == []
    assert not window.training.thread_running
