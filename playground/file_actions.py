"""The File menu: sessions (Open, Save, Save As, recent files), point imports and every export.

:class:`FileActions` installs its actions in a :class:`~playground.main_window.MainWindow`'s File
menu and keeps the window's title and modified flag (``[*]``) up to date. The files themselves are
read and written by :mod:`playground.io` (Qt-free); this module adds the dialogs, the undo steps and
the round trip to the training thread:

* saving asks the training worker for its ``state_dict()`` through the training controller and
  waits for the answer, so the session holds exactly the state the worker has reached (pending
  edits applied first);
* opening a session validates the whole file first and only then replaces the points, the
  configuration and the trainer state; a bad file changes nothing;
* importing points is one undo step; a file with unreadable rows lists their line numbers and
  changes nothing;
* the document counts as modified when its undo stack is not clean or training has moved on since
  the last save (or open, or preset); closing, opening and loading a preset then ask
  Save / Discard / Cancel first (except without a display, see :func:`unattended`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground import APP_TITLE
from playground.background import BackgroundJob
from playground.config import Config
from playground.io import (
    PlaygroundFileError,
    PointsFormatError,
    SessionError,
    export_loss_csv,
    export_parameters,
    export_points_csv,
    export_torch_script,
    load_session,
    read_points_csv,
    save_session,
)
from playground.loss_history import LossHistory
from playground.panels.scene_export import render_svg
from playground.trainer import Trainer

MAX_RECENT_FILES = 8
#: Point files larger than this are read in the background (about a frame's work to parse).
BACKGROUND_READ_BYTES = 256 * 1024
RECENT_FILES_KEY = "files/recent"
LAST_DIRECTORY_KEY = "files/last_directory"

SESSION_FILTER = "Gradient Playground sessions (*.json)"
CSV_FILTER = "CSV files (*.csv *.txt)"
ALL_FILES_FILTER = "All files (*)"
PARAMETER_FILTERS = {
    "JSON (*.json)": ".json",
    "CSV: name, index, value (*.csv)": ".csv",
    "NumPy archive (*.npz)": ".npz",
}
LOSS_FILTERS = {
    "CSV: epoch, loss (*.csv)": ".csv",
    "PNG image of the plot (*.png)": ".png",
    "SVG image of the plot (*.svg)": ".svg",
}
SCRIPT_FILTER = "Python scripts (*.py)"
#: Dropped files that are imported as points; ``.json`` files are opened as sessions.
POINT_FILE_SUFFIXES = (".csv", ".txt", ".tsv")
SESSION_SUFFIXES = (".json",)


class FileActions(QObject):
    """The File menu's actions for a main window, and the window's modified state.

    Parameters
    ----------
    window : MainWindow
        Provides ``document``, ``training``, ``file_menu`` (with ``file_quit_separator``),
        ``close_guards``, ``preset_actions``, ``load_preset``, ``data_panel`` and ``loss_panel``.
    settings : QSettings, optional
        Where the recent files are kept; by default the window's settings. Without any, the list
        lives as long as the window.

    Attributes
    ----------
    file_path : str or None
        The session file the window shows (None: not saved yet).
    open_action, save_action, save_as_action, clear_recent_action, import_points_action,
    export_points_action, export_parameters_action, export_loss_action, export_script_action : QAction
    recent_menu : QMenu

    Signals
    -------
    modifiedChanged(bool)
        The document became modified (True) or matches its file again (False).
    fileChanged(str)
        The session file shown changed ("" for none).
    importFinished(bool)
        A points import ended: True if the points were replaced (big files are read in the
        background, so this can come after :meth:`import_points` has returned).
    """

    modifiedChanged = Signal(bool)
    fileChanged = Signal(str)
    importFinished = Signal(bool)

    def __init__(self, window, settings: QSettings | None = None):
        super().__init__(window)
        self._window = window
        self._document = window.document
        self._training = window.training
        self._settings = settings if settings is not None else getattr(window, "_settings", None)
        self._recent = [] if self._settings is None else _string_list(self._settings.value(RECENT_FILES_KEY))
        self.file_path: str | None = None
        # Training as it was when the document was last saved, opened or started fresh.
        self._saved_fingerprint = LossHistory().fingerprint()
        self._training_moved = False
        self._modified = False
        self._reading = None  # the background job reading a big points file

        self._build_actions()
        self._document.undo_stack.cleanChanged.connect(self._refresh)
        self._training.snapshotReady.connect(self._snapshot_arrived)
        window.windowTitleChanged.connect(self._update_title)
        window.close_guards.append(self.maybe_save)
        for name, action in getattr(window, "preset_actions", {}).items():
            action.triggered.disconnect()
            action.triggered.connect(lambda _checked=False, n=name: self.load_preset(n))
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._rebuild_recent_menu()
        self._refresh()

    # ----------------------------------------------------------------- building
    def _build_actions(self) -> None:
        window = self._window
        menu = window.file_menu
        before = window.file_quit_separator

        def action(text, slot, shortcut=None, tip=""):
            a = QAction(text, window)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.setStatusTip(tip)
            a.setToolTip(tip)
            a.triggered.connect(lambda _checked=False: slot())
            menu.insertAction(before, a)
            return a

        self.open_action = action(
            "&Open…",
            self.open,
            QKeySequence.StandardKey.Open,
            "Open a saved session: points, model, parameters and training progress (Ctrl+O)",
        )
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._rebuild_recent_menu)
        menu.insertMenu(before, self.recent_menu)
        self.clear_recent_action = QAction("&Clear list", window)
        self.clear_recent_action.setStatusTip("Forget the recently used sessions")
        self.clear_recent_action.triggered.connect(self.clear_recent_files)
        menu.insertSeparator(before)
        self.save_action = action(
            "&Save",
            self.save,
            QKeySequence.StandardKey.Save,
            "Save the session, with its training state, to resume it later (Ctrl+S)",
        )
        self.save_as_action = action(
            "Save &As…",
            self.save_as,
            Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_S,
            "Save the session to a new file (Ctrl+Shift+S)",
        )
        menu.insertSeparator(before)
        self.import_points_action = action(
            "&Import points from CSV…",
            self.import_points,
            None,
            "Replace the points with x, y columns from a CSV file (undoable)",
        )
        self.export_points_action = action(
            "Export points to &CSV…", self.export_points, None, "Write the points to a CSV file with x, y columns"
        )
        menu.insertSeparator(before)
        self.export_parameters_action = action(
            "&Export parameters…",
            self.export_parameters,
            Qt.Modifier.CTRL | Qt.Key.Key_E,
            "Write the trained parameters as JSON, CSV or NumPy .npz (Ctrl+E)",
        )
        self.export_loss_action = action(
            "Export &loss curve…",
            self.export_loss_curve,
            None,
            "Write the loss of every epoch as CSV, or the loss plot as PNG or SVG",
        )
        self.export_script_action = action(
            "Export as &PyTorch script…",
            self.export_script,
            None,
            "Write a Python script that replays this training run with PyTorch",
        )

    # ----------------------------------------------------------------- modified state and title
    @property
    def is_modified(self) -> bool:
        """True if the points, the configuration or the training differ from the saved session."""
        return self._modified

    def _alive(self) -> bool:
        # Queued snapshots can still arrive while the window is being destroyed.
        return shiboken6.isValid(self._window) and shiboken6.isValid(self._document.undo_stack)

    def _snapshot_arrived(self, snapshot) -> None:
        if not self._alive():
            return
        # Training is deterministic: the same number of epochs from the same first loss to the
        # same last loss is the saved run.
        moved = self._window.loss_history.fingerprint() != self._saved_fingerprint
        if moved != self._training_moved:
            self._training_moved = moved
            self._refresh()

    def _mark_saved(self, state: dict | None) -> None:
        """The document and ``state``'s training are what the file holds (None: a fresh start)."""
        saved = LossHistory(recent=1)
        saved.extend([] if state is None else state["loss_history"])
        self._saved_fingerprint = saved.fingerprint()
        self._training_moved = False
        self._document.undo_stack.setClean()
        self._refresh()

    def _refresh(self, *_args) -> None:
        if not self._alive():
            return
        modified = self._training_moved or not self._document.undo_stack.isClean()
        changed = modified != self._modified
        self._modified = modified
        self._update_title()
        if changed:
            self.modifiedChanged.emit(modified)

    def _update_title(self, *_args) -> None:

        if not self._alive():
            return
        if self.file_path:
            name = os.path.basename(self.file_path)
        else:
            name = getattr(self._window, "_preset_title", "") or "Untitled"
        title = f"{name}[*] — {APP_TITLE}"
        if self._window.windowTitle() != title:
            self._window.setWindowTitle(title)  # comes back here through windowTitleChanged: no change then
        self._window.setWindowModified(self._modified)

    def _set_file(self, path: str | None) -> None:
        self.file_path = os.path.abspath(path) if path else None
        if path:
            self._add_recent(self.file_path)
        self.fileChanged.emit(self.file_path or "")

    # ----------------------------------------------------------------- asking
    def maybe_save(self) -> bool:
        """Before the document is replaced or the window closes: ask Save / Discard / Cancel if modified.

        Returns
        -------
        bool
            True to go on (saved, discarded or nothing to save); False to stop (cancelled, or the save failed).
        """
        if not self._modified:
            return True
        if unattended():
            return True  # nobody could ever answer: a headless run must not hang on a question
        name = os.path.basename(self.file_path) if self.file_path else "this session"
        answer = QMessageBox.warning(
            self._window,
            "Unsaved changes",
            f"The points, the model or the training of {name} changed since it was last saved.\n\n"
            "Save the session first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _error(self, title: str, text: str) -> None:
        if unattended():
            self._window.show_message(f"{title}: {text}", "error")
        else:
            QMessageBox.critical(self._window, title, text)

    def _status(self, text: str, milliseconds: int = 6000) -> None:
        self._window.statusBar().showMessage(text, milliseconds)

    def _start_directory(self) -> str:
        if self.file_path:
            return os.path.dirname(self.file_path)
        if self._settings is not None:
            directory = self._settings.value(LAST_DIRECTORY_KEY)
            if isinstance(directory, str) and os.path.isdir(directory):
                return directory
        return os.path.expanduser("~")

    def _remember_directory(self, path: str) -> None:
        if self._settings is not None:
            self._settings.setValue(LAST_DIRECTORY_KEY, os.path.dirname(os.path.abspath(path)))

    def _ask_open_path(self, caption: str, filters: str) -> str:
        path, _chosen = QFileDialog.getOpenFileName(self._window, caption, self._start_directory(), filters)
        if path:
            self._remember_directory(path)
        return path or ""

    def _ask_save_path(self, caption: str, suggested: str, filters: dict, chosen_filter: str | None = None) -> str:
        """A path from the save dialog; without a known extension it gets the chosen filter's."""
        start = os.path.join(self._start_directory(), suggested)
        path, chosen = QFileDialog.getSaveFileName(
            self._window, caption, start, ";;".join(filters), chosen_filter or next(iter(filters))
        )
        if not path:
            return ""
        if os.path.splitext(path)[1].lower() not in filters.values():
            path += filters.get(chosen, next(iter(filters.values())))
        self._remember_directory(path)
        return path

    def _base_name(self) -> str:
        if self.file_path:
            return os.path.splitext(os.path.basename(self.file_path))[0]
        title = getattr(self._window, "_preset_title", "") or "session"
        return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "session"

    # ----------------------------------------------------------------- the training state
    def capture_state(self):
        """The points and the trainer's ``state_dict()``, taken from the training thread now.

        Returns
        -------
        (ndarray, dict) or None
            None if the training thread is not running or has no trainer.
        """
        state = self._training.fetch_state()
        if state is None:
            return None
        return self._document.points, state

    def _captured_or_error(self, title: str):
        captured = self.capture_state()
        if captured is None:
            self._error(title, "The training state is not available (training has not started or has stopped).")
        return captured

    # ----------------------------------------------------------------- sessions
    def save(self) -> bool:
        """Save to the current session file, or ask for one. Returns True if saved."""
        if not self.file_path:
            return self.save_as()
        return self.save_session(self.file_path)

    def save_as(self) -> bool:
        """Ask for a file and save the session there. Returns True if saved."""
        path = self._ask_save_path("Save session", self._base_name() + ".json", {SESSION_FILTER: ".json"})
        return bool(path) and self.save_session(path)

    def save_session(self, path) -> bool:
        """Save the session (points, configuration, trainer state) to ``path`` atomically.

        Returns
        -------
        bool
            True if saved; False after showing why not (an existing file is then untouched).
        """
        path = os.fspath(path)
        captured = self._captured_or_error("Could not save the session")
        if captured is None:
            return False
        points, state = captured
        try:
            save_session(path, points, state, app={"log_scale": bool(self._window.loss_panel.log_scale)})
        except (PlaygroundFileError, ValueError) as exc:
            self._error("Could not save the session", f"{exc}\n\nNothing was written.")
            return False
        self._set_file(path)
        self._mark_saved(state)
        self._status(f"Saved {os.path.basename(path)} at epoch {state['epoch']:,}")
        return True

    def open(self) -> bool:
        """Ask to save changes, then for a session file, and open it. Returns True if opened."""
        if not self.maybe_save():
            return False
        path = self._ask_open_path("Open session", f"{SESSION_FILTER};;{ALL_FILES_FILTER}")
        return bool(path) and self.open_session(path, ask=False)

    def open_session(self, path, ask: bool = True) -> bool:
        """Open the session in ``path``: points, configuration and training state, paused.

        Parameters
        ----------
        path : str or os.PathLike
        ask : bool
            Ask Save / Discard / Cancel first if the open document is modified.

        Returns
        -------
        bool
            True if opened. On any problem (unreadable, corrupt, newer version) a message says why
            and nothing changes.
        """
        path = os.fspath(path)
        if ask and not self.maybe_save():
            return False
        try:
            session = load_session(path)
        except SessionError as exc:
            self._error("Could not open the session", f"{exc}\n\nThe open session was not changed.")
            return False
        window = self._window
        self._training.pause()
        self._document.load(session.points, session.config)
        self._training.load_state(session.config, self._document.points_copy(), session.state)
        log_scale = session.app.get("log_scale")
        if isinstance(log_scale, bool):
            window.loss_panel.set_log_scale(log_scale)
        window.data_panel.clear_selection()
        window.data_panel.fit_view()
        window.clear_message()
        self._set_file(path)
        self._mark_saved(session.state)
        self._status(f"Opened {os.path.basename(path)}: {len(session.points):,} points, epoch {session.epoch:,}")
        return True

    def load_preset(self, name: str) -> bool:
        """Ask to save changes, then load preset ``name`` as a new, unsaved session."""
        if not self.maybe_save():
            return False
        self._window.load_preset(name)
        self._set_file(None)
        self._mark_saved(None)
        return True

    # ----------------------------------------------------------------- recent files
    @property
    def recent_files(self) -> list[str]:
        """Recently opened or saved sessions, newest first."""
        return list(self._recent)

    def _store_recent(self) -> None:
        if self._settings is not None:
            self._settings.setValue(RECENT_FILES_KEY, list(self._recent))
        self._rebuild_recent_menu()

    def _add_recent(self, path: str) -> None:
        self._recent = [path] + [p for p in self._recent if p != path]
        del self._recent[MAX_RECENT_FILES:]
        self._store_recent()

    def _forget_recent(self, path: str) -> None:
        self._recent = [p for p in self._recent if p != path]
        self._store_recent()

    def clear_recent_files(self) -> None:
        """Empty the Open Recent list."""
        self._recent = []
        self._store_recent()

    def open_recent(self, path: str) -> bool:
        """Open a session from the recent list; one that can no longer be read leaves the list."""
        if not self.maybe_save():
            return False
        if not os.path.isfile(path):
            self._forget_recent(path)
            self._error("Could not open the session", f"{path} no longer exists; it was removed from the list.")
            return False
        return self.open_session(path, ask=False)

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        for number, path in enumerate(self._recent, start=1):
            label = os.path.basename(path).replace("&", "&&")
            a = menu.addAction(f"&{number} {label}" if number < 10 else label)
            a.setData(path)
            a.setToolTip(path)
            a.setStatusTip(f"Open {path}")
            a.triggered.connect(lambda _checked=False, p=path: self.open_recent(p))
        if self._recent:
            menu.addSeparator()
        menu.addAction(self.clear_recent_action)
        self.clear_recent_action.setEnabled(bool(self._recent))
        menu.setEnabled(True)

    # ----------------------------------------------------------------- points
    def import_points(self, path=None) -> bool:
        """Replace the points with those of a CSV file (one undo step). Asks for the file if ``path`` is None.

        Returns
        -------
        bool
            True if imported, or, for a file over ``BACKGROUND_READ_BYTES``, if reading it started
            (:attr:`importFinished` then tells how it ended). A file with unreadable rows (listed
            with their line numbers), no points or no text shows a message and changes nothing.
        """
        if path is None:
            path = self._ask_open_path("Import points", f"{CSV_FILTER};;{ALL_FILES_FILTER}")
            if not path:
                return False
        path = os.fspath(path)
        try:
            big = os.path.getsize(path) > BACKGROUND_READ_BYTES
        except OSError:
            big = False  # the reader says why the file cannot be read
        if not big:
            try:
                points = read_points_csv(path)
            except PointsFormatError as exc:
                self._error("Could not import the points", _points_problem_text(path, exc))
                self.importFinished.emit(False)
                return False
            self._imported(path, points)
            return True
        if self._reading is not None and self._reading.running:
            self._status("Still reading the last file of points…")
            return False
        # Big files are parsed off the GUI thread; the window stays live meanwhile.
        job = BackgroundJob(lambda: read_points_csv(path), self)
        job.finished.connect(lambda points: self._imported(path, points))
        job.failed.connect(lambda exc: self._import_failed(path, exc))
        self._reading = job
        self._status(f"Reading {os.path.basename(path)}…", 0)
        job.start()
        return True

    def _imported(self, path: str, points) -> None:
        if not self._alive():
            return
        name = os.path.basename(path)
        self._document.replace(points, self._document.config, text=f"Import points from {name}")
        self._window.data_panel.clear_selection()
        self._window.data_panel.fit_view()
        self._status(f"Imported {len(points):,} point{'s' if len(points) != 1 else ''} from {name} (Ctrl+Z undoes)")
        self.importFinished.emit(True)

    def _import_failed(self, path: str, exc: Exception) -> None:
        if not self._alive():
            return
        if isinstance(exc, PointsFormatError):
            self._error("Could not import the points", _points_problem_text(path, exc))
        else:
            self._error("Could not import the points", f"{os.path.basename(path)}: {exc}")
        self._status("")
        self.importFinished.emit(False)

    def export_points(self) -> bool:
        """Ask for a file and write the points to it as CSV (x, y). Returns True if written."""
        path = self._ask_save_path("Export points", self._base_name() + "-points.csv", {"CSV files (*.csv)": ".csv"})
        if not path:
            return False
        points = self._document.points
        try:
            export_points_csv(path, points)
        except PlaygroundFileError as exc:
            self._error("Could not export the points", str(exc))
            return False
        self._status(f"Exported {len(points):,} points to {os.path.basename(path)}")
        return True

    # ----------------------------------------------------------------- exports
    def export_parameters(self) -> bool:
        """Ask for a file and write the current parameters as JSON, CSV or NPZ (by filter or extension)."""
        path = self._ask_save_path("Export parameters", self._base_name() + "-parameters.json", PARAMETER_FILTERS)
        if not path:
            return False
        captured = self._captured_or_error("Could not export the parameters")
        if captured is None:
            return False
        points, state = captured
        try:
            trainer = Trainer(Config.from_dict(state["config"]), points)
            trainer.load_state_dict(state)
            export_parameters(path, trainer.snapshot())
        except (PlaygroundFileError, ValueError) as exc:
            self._error("Could not export the parameters", str(exc))
            return False
        self._status(f"Exported the parameters at epoch {state['epoch']:,} to {os.path.basename(path)}")
        return True

    def export_loss_curve(self) -> bool:
        """Ask for a file and write the loss curve: CSV (epoch, loss) or the plot as PNG or SVG."""
        path = self._ask_save_path("Export loss curve", self._base_name() + "-loss.csv", LOSS_FILTERS)
        if not path:
            return False
        if os.path.splitext(path)[1].lower() in (".png", ".svg"):
            return self._export_loss_plot(path)
        captured = self._captured_or_error("Could not export the loss curve")
        if captured is None:
            return False
        history = captured[1]["loss_history"]
        try:
            export_loss_csv(path, history)
        except PlaygroundFileError as exc:
            self._error("Could not export the loss curve", str(exc))
            return False
        self._status(f"Exported {len(history):,} epochs of loss to {os.path.basename(path)}")
        return True

    def _export_loss_plot(self, path: str) -> bool:
        import pyqtgraph.exporters

        suffix = os.path.splitext(path)[1].lower()
        plot_item = self._window.loss_panel.plot_widget.getPlotItem()
        directory = os.path.dirname(os.path.abspath(path))
        fd, temp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=suffix)
        os.close(fd)
        try:
            with self._window.loss_panel.fitted_to_data():  # the image shows the run, not empty axis
                if suffix == ".png":
                    exporter = pyqtgraph.exporters.ImageExporter(plot_item)
                    if exporter.parameters()["width"] < 200:  # a hidden or tiny plot still gives a readable image
                        exporter.parameters()["width"] = 800
                    exporter.export(temp)
                else:
                    try:
                        pyqtgraph.exporters.SVGExporter(plot_item).export(temp)
                    except ValueError:
                        # pyqtgraph's SVG clean-up cannot parse the closing "Z" newer Qt versions write
                        # (pyqtgraph issue #3485): let Qt's own SVG generator draw the plot instead.
                        render_svg(plot_item.scene(), plot_item.sceneBoundingRect(), temp, "Loss curve")
            if os.path.getsize(temp) == 0:
                raise OSError("the image came out empty")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; an exported image is not
            os.replace(temp, path)
        except Exception as exc:  # exporters raise assorted errors; the user gets one message
            with contextlib.suppress(OSError):
                os.unlink(temp)
            self._error("Could not export the loss plot", f"cannot write {path}: {exc}")
            return False
        self._status(f"Exported the loss plot to {os.path.basename(path)}")
        return True

    def export_script(self) -> bool:
        """Ask for a file and write a PyTorch script that replays this training run."""
        path = self._ask_save_path(
            "Export as PyTorch script", self._base_name().replace("-", "_") + ".py", {SCRIPT_FILTER: ".py"}
        )
        if not path:
            return False
        captured = self._captured_or_error("Could not export the script")
        if captured is None:
            return False
        points, state = captured
        try:
            export_torch_script(path, points, state)
        except (PlaygroundFileError, ValueError) as exc:
            self._error("Could not export the script", str(exc))
            return False
        self._status(f"Exported a PyTorch script of {state['epoch']:,} epochs to {os.path.basename(path)}")
        return True

    # ----------------------------------------------------------------- drag and drop
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if watched is self._window and kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            path = _dropped_file(event.mimeData())
            if path is None:
                return False
            event.acceptProposedAction()
            if kind == QEvent.Type.Drop:
                # Answer the drop at once; dialogs (questions, errors) come after it.
                QTimer.singleShot(0, lambda: self.open_dropped_file(path))
            return True
        return super().eventFilter(watched, event)

    def open_dropped_file(self, path: str) -> bool:
        """A file dropped on the window: a session (.json) is opened, anything else imported as points."""
        if path.lower().endswith(SESSION_SUFFIXES):
            return self.open_session(path)
        return self.import_points(path)


def unattended() -> bool:
    """True when Qt runs without a display (offscreen or minimal platform): nobody can answer a dialog.

    Questions are then answered "Discard" and errors go to the window's message bar, so a
    headless run (a screenshot, a script, a test harness) never blocks on a modal dialog.
    """
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def _dropped_file(mime):
    """The local file a drag carries, if it is exactly one point CSV or session; else None."""
    if mime is None or not mime.hasUrls():
        return None
    urls = [u for u in mime.urls() if isinstance(u, QUrl)]
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    if not path.lower().endswith(POINT_FILE_SUFFIXES + SESSION_SUFFIXES):
        return None
    return path


def _points_problem_text(path: str, exc: PointsFormatError) -> str:
    """The message for a points file that could not be imported: every bad row on its own line."""
    name = os.path.basename(path)
    if exc.problems:
        n = len(exc.problems)
        lines = [f"{n} row{'s' if n != 1 else ''} of {name} could not be read:"]
        lines += [f"    line {number}: {why}" for number, why in exc.problems[:10]]
        if n > 10:
            lines.append(f"    … and {n - 10} more")
        text = "\n".join(lines)
    else:
        text = str(exc)
    return text + "\n\nThe points were not changed."


def _string_list(value) -> list[str]:
    """A QSettings value as a list of strings (it may come back as None, one string or a list)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v]
    return []
