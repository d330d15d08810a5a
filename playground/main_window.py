"""The main window: docks, actions, menus, the status bar and the settings.

Other features plug in here:

* a new panel: ``window.add_dock(widget, "Graph", Qt.DockWidgetArea.RightDockWidgetArea,
  tabify_with=window.loss_dock)``; it gets a View-menu toggle and its place is remembered;
* menu entries: :attr:`MainWindow.file_menu` holds Quit at the bottom; insert before
  :attr:`MainWindow.file_quit_separator` (or use :meth:`add_file_action`);
* the newest snapshot: ``window.training.snapshotReady`` (a signal) or ``window.training.latest``;
* closing with unsaved work: append a callable returning False (cancel) to :attr:`close_guards`.
"""

from __future__ import annotations

import contextlib
import math
import time

from PySide6.QtCore import QByteArray, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

import playground.qt_compat  # noqa: F401  (first: PySide6 reference-count guard)
from playground import APP_TITLE
from playground.background import BackgroundJob
from playground.breakpoints import TIPS, TITLES
from playground.commands import TrainOnFromEpochCommand
from playground.document import Document
from playground.file_actions import FileActions
from playground.landscape import placed_config
from playground.landscape_worker import LandscapeService
from playground.loss_history import LossHistory
from playground.panels.breakpoints import BreakpointMarker, BreakpointsPanel
from playground.panels.controls import DEFAULT_SPEED_LIMIT, TrainingControls
from playground.panels.data import DataPanel
from playground.panels.graph import GraphPanel
from playground.panels.landscape import LandscapePanel
from playground.panels.loss import LossPanel
from playground.panels.model import ModelPanel
from playground.panels.parameters import ParametersPanel
from playground.panels.race import RaceFitCurves, RaceLossCurves, RacePanel
from playground.panels.timeline import EpochMarker, TimelineBar
from playground.presets import DEFAULT_PRESET, PRESETS, load_preset
from playground.trainer import TrainingError
from playground.worker import DIVERGED, PAUSED, RUNNING, TrainingController

DEFAULT_SIZE = (1400, 900)
#: Room left around the window on a small screen for its frame and title bar (pixels).
SCREEN_MARGIN = (16, 48)
#: Below this window width (a 1280-pixel screen) the Landscape dock is a tab beside Loss and Graph,
#: not a column beside Data, which would leave the Data table too narrow to read.
LANDSCAPE_BESIDE_DATA_WIDTH = 1340
STATE_VERSION = 1
#: How often the loss plot, the parameter table and the status bar follow training (per second).
SECONDARY_RATE = 5
STATE_COLORS = {RUNNING: "#2a7d2a", PAUSED: "#555555", DIVERGED: "#c62828"}


class MessageBar(QWidget):
    """A one-line message above the panels, with an optional action button and a close button."""

    actionTriggered = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QToolButton()
        self.action_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.action_button.clicked.connect(self.actionTriggered)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this message")
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 3)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.kind = None
        self.topic = None
        self.setAutoFillBackground(True)

    def show_message(
        self, text: str, kind: str = "info", action_text: str | None = None, topic: str | None = None
    ) -> None:
        """Show ``text``; ``kind`` is "info", "warning" or "error"; ``topic`` names what it is about."""
        self.kind = kind
        self.topic = topic
        colors = {"info": ("#e8f0fe", "#1a3e72"), "warning": ("#fff4e5", "#663c00"), "error": ("#fdecea", "#611a15")}
        background, foreground = colors.get(kind, colors["info"])
        self.setStyleSheet(
            f"#message_bar {{ background: {background}; border: 1px solid {foreground}33; border-radius: 3px; }}"
            f"#message_bar QLabel {{ color: {foreground}; }}"
        )
        icon = {
            "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
            "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
            "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        }.get(kind, QStyle.StandardPixmap.SP_MessageBoxInformation)
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(18, 18))
        self.text.setText(text)
        self.action_button.setVisible(bool(action_text))
        if action_text:
            self.action_button.setText(action_text)
        self.container().setVisible(True)

    def clear(self) -> None:
        self.kind = None
        self.topic = None
        self.text.clear()
        self.container().setVisible(False)

    def container(self) -> QWidget:
        """The widget shown and hidden with the message (the toolbar holding the bar, if any)."""
        parent = self.parentWidget()
        return parent if isinstance(parent, QToolBar) else self

    @property
    def message(self) -> str:
        return self.text.text() if self.kind else ""


class MainWindow(QMainWindow):
    """Gradient Playground's window.

    Parameters
    ----------
    preset : str
        The preset to open (see :data:`playground.presets.PRESETS`).
    settings : QSettings, optional
        Where the window geometry, dock layout and a few choices are kept. None: nothing is
        read or written (tests, headless screenshots).

    Attributes
    ----------
    document : Document
    training : TrainingController
    data_panel, model_panel, loss_panel, parameters_panel : QWidget
    data_dock, model_dock, loss_dock, parameters_dock, graph_dock : QDockWidget
    graph_panel : GraphPanel
        The computational-graph view (see :mod:`playground.panels.graph`).
    controls : TrainingControls
    file_menu, edit_menu, view_menu, training_menu, presets_menu, help_menu : QMenu
    close_guards : list of callables returning bool
        Asked in turn before the window closes; any False cancels the close.
    """

    def __init__(self, preset: str = DEFAULT_PRESET, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self._settings = settings
        self._closed = False
        self.close_guards = []
        self.docks: list[QDockWidget] = []
        first = load_preset(preset)
        self._preset_title = first.title
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )

        self._pending_snapshot = None
        self._secondary_shown_at = 0.0
        self._secondary_timer = QTimer(self)
        self._secondary_timer.setSingleShot(True)
        self._secondary_timer.timeout.connect(self._show_secondary)
        self.document = Document(first.points, first.config, self)
        self.training = TrainingController(first.config, self.document.points_copy(), self)

        self.data_panel = DataPanel(self.document)
        self.data_panel.plane.toolbar.show_dataset(first.name)  # the generator starts from the preset's data set
        self.model_panel = ModelPanel(self.document)
        self.loss_history = LossHistory()  # fed by every snapshot; the Loss panel draws it
        self.loss_panel = LossPanel(self.loss_history)
        self.parameters_panel = ParametersPanel()
        self.graph_panel = GraphPanel()
        self.landscape_panel = LandscapePanel()
        self.landscape = LandscapeService(self)  # the landscape's own thread
        self.race_panel = RacePanel()
        self.breakpoints_panel = BreakpointsPanel()

        self._build_menus_and_toolbars()
        self.data_dock = self.add_dock(
            self.data_panel,
            "Data",
            Qt.DockWidgetArea.RightDockWidgetArea,
            tooltip="The points and the fitted curve; edit them with the mouse or the table",
        )
        self.loss_dock = self.add_dock(
            self.loss_panel, "Loss", Qt.DockWidgetArea.RightDockWidgetArea, tooltip="The loss of every epoch"
        )
        self.model_dock = self.add_dock(
            self.model_panel,
            "Model",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tooltip="Model, loss, optimizer and hyperparameters",
        )
        self.parameters_dock = self.add_dock(
            self.parameters_panel,
            "Parameters",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tooltip="Each parameter's value and gradient",
        )
        self.splitDockWidget(self.data_dock, self.loss_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.model_dock, self.parameters_dock, Qt.Orientation.Vertical)
        self.graph_dock = self.add_dock(
            self.graph_panel,
            "Graph",
            Qt.DockWidgetArea.RightDockWidgetArea,
            tooltip="The computational graph of the loss, with values and gradients",
            tabify_with=self.loss_dock,
        )
        self.landscape_dock = self.add_dock(
            self.landscape_panel,
            "Landscape",
            Qt.DockWidgetArea.RightDockWidgetArea,
            tooltip="The loss over two parameters with the optimizer's path; click to start from there",
        )
        self.splitDockWidget(self.data_dock, self.landscape_dock, Qt.Orientation.Horizontal)
        self.race_dock = self.add_dock(
            self.race_panel,
            "Race",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tooltip="Race two to four optimizers from the same start, on the same data",
            tabify_with=self.model_dock,
        )
        self.breakpoints_dock = self.add_dock(
            self.breakpoints_panel,
            "Breakpoints",
            Qt.DockWidgetArea.LeftDockWidgetArea,
            tooltip="Conditions that pause training by themselves",
            tabify_with=self.model_dock,
        )
        self._build_descent_actions()
        self._build_status_bar()
        self._connect()

        width, height = self._fit_to_screen()
        if width < LANDSCAPE_BESIDE_DATA_WIDTH:
            self.lay_out_docks(width, height)
            self.layout().activate()  # the smaller minimum size, before resizing to the screen
            width, height = self._fit_to_screen()
        self.lay_out_docks(width, height)
        self.loss_dock.raise_()
        self.model_dock.raise_()
        self._default_state = self.saveState(STATE_VERSION)
        self._update_title()
        self._points_changed(self.document.points)
        self._restore_settings()
        self.file_actions = FileActions(self)  # File menu, window title, unsaved-changes guard
        self.data_panel.plot_widget.setFocus()

    def lay_out_docks(self, width: int, height: int) -> None:
        """Arrange the docks for a window of ``width`` × ``height``: the Landscape beside the Data
        plot on a wide window, a tab beside Loss and Graph on a narrow one."""
        landscape_beside = width >= LANDSCAPE_BESIDE_DATA_WIDTH
        if landscape_beside:
            self.splitDockWidget(self.data_dock, self.landscape_dock, Qt.Orientation.Horizontal)
        else:
            self.tabifyDockWidget(self.loss_dock, self.landscape_dock)
        self.resizeDocks(
            [self.model_dock, self.data_dock], [round(width * 0.28), round(width * 0.72)], Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [self.data_dock, self.loss_dock], [round(height * 0.5), round(height * 0.42)], Qt.Orientation.Vertical
        )
        self.resizeDocks(
            [self.model_dock, self.parameters_dock],
            [round(height * 0.41), round(height * 0.51)],
            Qt.Orientation.Vertical,
        )
        if landscape_beside:
            self.resizeDocks(
                [self.data_dock, self.landscape_dock],
                [round(width * 0.39), round(width * 0.33)],
                Qt.Orientation.Horizontal,
            )
        self.loss_dock.raise_()

    def _fit_to_screen(self) -> tuple[int, int]:
        """Open at the default size, or smaller to fit the screen's free area, centred on it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        width, height = DEFAULT_SIZE
        if screen is not None:
            free = screen.availableGeometry()
            # Leave room for the window frame the window manager adds.
            width = min(width, free.width() - SCREEN_MARGIN[0])
            height = min(height, free.height() - SCREEN_MARGIN[1])
            self.resize(width, height)
            self.move(
                free.x() + (free.width() - width - SCREEN_MARGIN[0] // 2) // 2,
                free.y() + (free.height() - height - SCREEN_MARGIN[1] // 2) // 2,
            )
        else:
            self.resize(width, height)
        return width, height

    # ----------------------------------------------------------------- extension points
    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area=Qt.DockWidgetArea.RightDockWidgetArea,
        object_name: str | None = None,
        tooltip: str | None = None,
        tabify_with: QDockWidget | None = None,
    ) -> QDockWidget:
        """Put ``widget`` in a new dock with a View-menu toggle; its place is kept in the settings.

        Parameters
        ----------
        widget : QWidget
        title : str
        area : Qt.DockWidgetArea
        object_name : str, optional
            Key for the saved layout; defaults to ``"<title>_dock"`` in lower case.
        tooltip : str, optional
            Status tip of the View-menu toggle.
        tabify_with : QDockWidget, optional
            Stack the new dock as a tab with this one.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"{title.lower().replace(' ', '_')}_dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            self.tabifyDockWidget(tabify_with, dock)
        toggle = dock.toggleViewAction()
        # Showing a panel from the View menu brings it to the front of its tab group.
        toggle.triggered.connect(lambda checked, dock=dock: dock.raise_() if checked else None)
        toggle.setStatusTip(
            f"Show or hide the {title} panel" + (f": {tooltip[0].lower()}{tooltip[1:]}" if tooltip else "")
        )
        toggle.setToolTip(f"Show or hide the {title} panel")
        self.view_menu.insertAction(self._view_docks_separator, toggle)
        self.docks.append(dock)
        return dock

    def add_file_action(self, action: QAction) -> None:
        """Add ``action`` to the File menu, above Quit."""
        self.file_menu.insertAction(self.file_quit_separator, action)

    def show_message(self, text: str, kind: str = "info", offer_reset: bool = False, topic: str | None = None) -> None:
        """Show a message above the panels (``kind``: "info", "warning" or "error").

        ``topic`` names the condition it reports ("no-points", "diverged", "training"), so that
        the message can be taken away when that condition ends (:meth:`clear_message`).
        """
        self.message_bar.show_message(text, kind, "Reset training" if offer_reset else None, topic)

    def show_status(self, text: str, milliseconds: int = 8000) -> None:
        """A passing note in the status bar."""
        self.statusBar().showMessage(text, milliseconds)

    def clear_message(self, topic: str | None = None) -> None:
        """Hide the message; with ``topic``, only a message about that topic."""
        if topic is None or self.message_bar.topic == topic:
            self.message_bar.clear()

    def load_preset(
        self, name: str, n_points: int | None = None, noise: float | None = None, seed: int | None = None
    ) -> None:
        """Replace the data and the configuration with preset ``name`` (undoable) and reset training.

        ``n_points``, ``noise`` and ``seed`` shape the generated presets (see
        :func:`playground.presets.load_preset`).
        """
        preset = load_preset(name, n_points=n_points, noise=noise, seed=seed)
        self.training.pause()
        self.document.replace(preset.points, preset.config, text=f"Load preset “{preset.title}”")
        self.data_panel.plane.toolbar.show_dataset(name)
        self.training.reset()
        self._preset_title = preset.title
        self._update_title()
        self.data_panel.clear_selection()
        self.data_panel.highlight_sample(None)
        self.data_panel.fit_view()
        self.clear_message()
        self.statusBar().showMessage(preset.description, 8000)

    # ----------------------------------------------------------------- building
    def _build_menus_and_toolbars(self) -> None:
        style = self.style()
        menu_bar = self.menuBar()

        # File: others add open/save/export above Quit.
        self.file_menu = menu_bar.addMenu("&File")
        self.file_menu.setToolTipsVisible(True)
        self.file_quit_separator = self.file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.setStatusTip("Close the window (training stops)")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        # Edit
        self.edit_menu = menu_bar.addMenu("&Edit")
        self.edit_menu.setToolTipsVisible(True)
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Z))
        self.undo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.undo_action.setStatusTip("Undo the last edit of the data or the model (Ctrl+Z)")
        self.undo_action.setToolTip("Undo (Ctrl+Z)")
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(
            [
                QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_Z),
                QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Y),
            ]
        )
        self.redo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.redo_action.setStatusTip("Redo what was undone (Ctrl+Shift+Z)")
        self.redo_action.setToolTip("Redo (Ctrl+Shift+Z)")
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.delete_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "&Delete selected points", self
        )
        self.delete_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        self.delete_action.setStatusTip("Delete the selected points (Delete)")
        self.delete_action.triggered.connect(self.data_panel.delete_selected)
        self.select_all_action = QAction("Select &all points", self)
        self.select_all_action.setShortcut(QKeySequence(QKeySequence.StandardKey.SelectAll))
        self.select_all_action.setStatusTip("Select every point (Ctrl+A)")
        self.select_all_action.triggered.connect(self.data_panel.select_all)
        self.clear_selection_action = QAction("Clear selection", self)
        self.clear_selection_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.clear_selection_action.setStatusTip("Deselect all points (Esc)")
        self.clear_selection_action.triggered.connect(self.data_panel.clear_selection)
        self.copy_points_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "&Copy points", self)
        self.copy_points_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_points_action.setStatusTip(
            "Copy the selected points (or all) as rows of x and y, for a spreadsheet or a CSV file (Ctrl+C)"
        )
        self.copy_points_action.triggered.connect(self._copy_points)
        self.paste_points_action = QAction("&Paste points", self)
        self.paste_points_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Paste))
        self.paste_points_action.setStatusTip(
            "Add the points on the clipboard: rows of x and y from a spreadsheet or a CSV file (Ctrl+V)"
        )
        self.paste_points_action.triggered.connect(self.data_panel.paste_points)
        for action in (self.copy_points_action, self.paste_points_action):
            self.edit_menu.addAction(action)
        self.edit_menu.addSeparator()
        for action in (self.delete_action, self.select_all_action, self.clear_selection_action):
            self.edit_menu.addAction(action)
        self.addActions(
            [
                self.copy_points_action,
                self.paste_points_action,
                self.delete_action,
                self.select_all_action,
                self.clear_selection_action,
            ]
        )

        # View: dock toggles are inserted above the separator by add_dock().
        self.view_menu = menu_bar.addMenu("&View")
        self.view_menu.setToolTipsVisible(True)
        self._view_docks_separator = self.view_menu.addSeparator()
        self.log_scale_action = QAction("&Log-scale loss", self)
        self.log_scale_action.setCheckable(True)
        self.log_scale_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.log_scale_action.setStatusTip("Show the loss on a logarithmic axis (Ctrl+L)")
        self.log_scale_action.toggled.connect(self.loss_panel.set_log_scale)
        self.loss_panel.logScaleChanged.connect(self.log_scale_action.setChecked)
        self.fit_view_action = QAction("&Fit data in view", self)
        self.fit_view_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_0))
        self.fit_view_action.setStatusTip("Zoom the Data plot to show every point (Ctrl+0)")
        self.fit_view_action.triggered.connect(self.data_panel.fit_view)
        self.reset_layout_action = QAction("Reset &layout", self)
        self.reset_layout_action.setStatusTip("Put every panel back where it started")
        self.reset_layout_action.triggered.connect(self.reset_layout)
        for action in (self.log_scale_action, self.fit_view_action):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.reset_layout_action)

        # Training
        self.controls = TrainingControls(self.training, self)
        self.training_menu = self.controls.menu
        menu_bar.addMenu(self.training_menu)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.controls.toolbar)

        # Presets
        self.presets_menu = menu_bar.addMenu("&Presets")
        self.presets_menu.setToolTipsVisible(True)
        self.preset_actions = {}
        for name, preset in PRESETS.items():
            action = QAction(preset.title, self)
            action.setData(name)
            action.setToolTip(preset.description)
            action.setStatusTip(preset.description)
            action.triggered.connect(lambda _checked=False, n=name: self.load_preset(n))
            self.presets_menu.addAction(action)
            self.preset_actions[name] = action

        # Help
        self.help_menu = menu_bar.addMenu("&Help")
        shortcuts_action = QAction("&Keyboard and mouse", self)
        shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        shortcuts_action.setStatusTip("How to edit points and drive training")
        shortcuts_action.triggered.connect(self._show_help)
        about_action = QAction("&About Gradient Playground", self)
        about_action.setStatusTip("What this program is")
        about_action.triggered.connect(self._show_about)
        self.help_menu.addAction(shortcuts_action)
        self.help_menu.addAction(about_action)

        # Edit toolbar
        self.edit_toolbar = QToolBar("Edit", self)
        self.edit_toolbar.setObjectName("edit_toolbar")
        self.undo_action.setIconText("Undo")
        self.redo_action.setIconText("Redo")
        self.delete_action.setIconText("Delete")
        self.edit_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.edit_toolbar.addAction(self.undo_action)
        self.edit_toolbar.addAction(self.redo_action)
        self.edit_toolbar.addAction(self.delete_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.edit_toolbar)

        # Messages (divergence, no points) under the toolbars, across the window.
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.message_toolbar = QToolBar("Messages", self)
        self.message_toolbar.setObjectName("message_toolbar")
        self.message_toolbar.setMovable(False)
        self.message_toolbar.setFloatable(False)
        self.message_toolbar.toggleViewAction().setVisible(False)
        self.message_bar = MessageBar()
        self.message_toolbar.addWidget(self.message_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.message_toolbar)
        self.message_bar.actionTriggered.connect(self._message_action)
        self.message_toolbar.setVisible(False)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setToolTip("Epochs trained since the last reset")
        self.loss_label = QLabel("Loss —")
        self.loss_label.setToolTip("The loss of the last epoch (hover for the exact value)")
        self.rate_label = QLabel("0 epochs/s")
        self.rate_label.setToolTip("Training speed")
        self.state_label = QLabel("Paused")
        self.state_label.setToolTip("Training state: running, paused or diverged")
        for label, width in (
            (self.epoch_label, 110),
            (self.loss_label, 170),
            (self.rate_label, 120),
            (self.state_label, 90),
        ):
            label.setMinimumWidth(width)
            bar.addPermanentWidget(label)
        self._show_state(PAUSED)

    def _connect(self) -> None:
        document, training = self.document, self.training
        document.pointsChanged.connect(training.set_points)
        document.pointsChanged.connect(self._points_changed)
        document.configChanged.connect(training.set_config)
        document.configChanged.connect(lambda _config: self.clear_message("cannot-train"))
        document.pointsEdited.connect(self._mark_edit)
        training.snapshotReady.connect(self._show_snapshot)
        training.stateChanged.connect(self._show_state)
        training.errored.connect(self._training_error)
        self.data_panel.sampleSelected.connect(training.set_selected_sample)
        self.data_panel.message.connect(self.show_status)
        self.model_panel.message.connect(self.show_status)
        # The Graph dock: traces are built (in the training thread) only while it is visible.
        graph = self.graph_panel
        self.graph_dock.visibilityChanged.connect(self._trace_when_visible)
        graph.modeChanged.connect(lambda _mode: self._trace_when_visible(self.graph_dock.isVisible()))
        graph.refreshRequested.connect(training.refresh_trace)
        graph.sampleShown.connect(self.data_panel.highlight_sample)
        training.snapshotReady.connect(graph.show_snapshot)
        training.stateChanged.connect(graph.set_training_state)
        # The Landscape dock: surfaces are computed in their own thread, only while the dock is shown.
        landscape = self.landscape_panel
        training.snapshotReady.connect(landscape.show_snapshot)
        document.pointsChanged.connect(landscape.set_points)
        landscape.set_points(document.points)
        landscape.coordinatesChanged.connect(training.set_watched)
        landscape.gridWanted.connect(self.landscape.request_grid)
        landscape.gradientWanted.connect(self.landscape.request_gradient)
        self.landscape.gridReady.connect(landscape.show_grid)
        self.landscape.gradientReady.connect(landscape.show_gradient)
        landscape.startPlaced.connect(self._place_start)
        self.landscape_dock.visibilityChanged.connect(landscape.set_active)
        self.data_panel.draggingChanged.connect(landscape.hold)
        # The race and the breakpoints.
        race = self.race_panel
        race.set_config(document.config)
        document.configChanged.connect(race.set_config)
        race.raceRequested.connect(training.set_race)
        race.showFitsChanged.connect(self.race_fits.set_visible)
        for follower in (
            self.landscape_panel.set_run_colors,
            self.race_loss_curves.set_colors,
            self.race_fits.set_colors,
        ):
            race.colorsChanged.connect(follower)
        race.message.connect(self.show_status)
        training.snapshotReady.connect(self._show_descent)
        self.timeline_bar.epochRequested.connect(training.view_epoch)
        training.historyDropped.connect(self._history_dropped)
        self.breakpoints_panel.breakpointsChanged.connect(training.set_breakpoints)
        self.breakpoints_panel.breakpointsChanged.connect(self._sync_breakpoint_actions)
        self.breakpoints_panel.message.connect(self.show_status)

    # ----------------------------------------------------------------- gradient descent: landscape, race, breakpoints
    def _build_descent_actions(self) -> None:
        self.race_loss_curves = RaceLossCurves(self.loss_panel)
        self.race_fits = RaceFitCurves(self.data_panel)
        self.breakpoint_marker = BreakpointMarker(self.loss_panel)
        self._shown_hit = None

        def action(text, shortcut, tip, slot, checkable=False):
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.setStatusTip(tip)
            a.setToolTip(tip)
            a.setCheckable(checkable)
            (a.toggled if checkable else a.triggered).connect(slot)
            self.addAction(a)
            return a

        ctrl_shift = Qt.Modifier.CTRL | Qt.Modifier.SHIFT
        self.landscape_log_action = action(
            "Landscape: log &colours",
            ctrl_shift | Qt.Key.Key_L,
            "Colour the loss landscape on a logarithmic scale (Ctrl+Shift+L)",
            self.landscape_panel.set_log_colours,
            checkable=True,
        )
        self.landscape_panel.logColoursChanged.connect(self.landscape_log_action.setChecked)
        self.landscape_fit_action = action(
            "Landscape: &follow the path",
            ctrl_shift | Qt.Key.Key_F,
            "Zoom the landscape to the optimizer's path and the minimum, and keep following them (Ctrl+Shift+F)",
            self.landscape_panel.follow,
        )
        self.view_menu.insertActions(self.reset_layout_action, [self.landscape_log_action, self.landscape_fit_action])
        self.view_menu.insertSeparator(self.reset_layout_action)

        menu = self.controls.menu
        menu.addSeparator()
        self.start_race_action = action(
            "Start &race",
            ctrl_shift | Qt.Key.Key_R,
            "Race the optimizers checked in the Race panel against the main run, all from the start (Ctrl+Shift+R)",
            self._start_race,
        )
        self.end_race_action = action(
            "&End race",
            ctrl_shift | Qt.Key.Key_E,
            "Stop racing: the main run trains alone again (Ctrl+Shift+E)",
            self.race_panel.end,
        )
        menu.addAction(self.start_race_action)
        menu.addAction(self.end_race_action)
        self.breakpoints_menu = menu.addMenu("&Breakpoints")
        self.breakpoints_menu.setToolTipsVisible(True)
        self.breakpoint_actions = {}
        for key, title in TITLES.items():
            a = action(
                f"Pause when {title[0].lower()}{title[1:]}",
                None,
                TIPS[key],
                lambda on, key=key: self.breakpoints_panel.set_armed(key, on),
                checkable=True,
            )
            self.breakpoints_menu.addAction(a)
            self.breakpoint_actions[key] = a
        self.breakpoints_menu.addSeparator()
        self.edit_breakpoints_action = action(
            "&Edit breakpoints…",
            Qt.Modifier.CTRL | Qt.Key.Key_B,
            "Show the Breakpoints panel: its thresholds and the last breakpoint that fired (Ctrl+B)",
            lambda: (self.breakpoints_dock.show(), self.breakpoints_dock.raise_()),
        )
        self.breakpoints_menu.addAction(self.edit_breakpoints_action)

        # The timeline: any earlier epoch, and training on from it.
        style = self.style()
        self.timeline_bar = TimelineBar(self)
        self.epoch_marker = EpochMarker(self.loss_panel, self.training.view_epoch)
        self.back_action = action(
            "&Back one epoch",
            Qt.Key.Key_Left,
            "Show the epoch before the one shown, as it was (Left arrow)",
            lambda: self.training.view_epoch(self.timeline_bar.shown - 1),
        )
        self.back_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.first_epoch_action = action(
            "&First epoch",
            Qt.Key.Key_Home,
            "Show the earliest epoch of the run (Home)",
            lambda: self.training.view_epoch(self.timeline_bar.first),
        )
        self.latest_epoch_action = action(
            "&Latest epoch",
            Qt.Key.Key_End,
            "Show the latest epoch again (End)",
            self.training.view_latest,
        )
        self.latest_epoch_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.resume_action = action(
            "&Train on from here",
            ctrl_shift | Qt.Key.Key_Delete,
            "Make the epoch shown the latest: the later epochs are set aside, Ctrl+Z brings them back (Ctrl+Shift+Delete)",
            self.training.resume_here,
        )
        self.resume_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.resume_action.setIconText("Train on from here")
        forward = QAction(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Forward one epoch", self)
        forward.setToolTip("Show the next epoch (Right arrow; at the latest epoch it trains one)")
        forward.triggered.connect(self.controls.step_action.trigger)
        self.timeline_bar.add_controls(self.back_action, forward, self.latest_epoch_action, self.resume_action)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self.timeline_bar)
        self.timeline_menu = menu.addMenu("Time&line")
        self.timeline_menu.setToolTipsVisible(True)
        for a in (self.back_action, self.first_epoch_action, self.latest_epoch_action, self.resume_action):
            self.timeline_menu.addAction(a)

    def _history_dropped(self, branch: int, epoch: int, dropped: int) -> None:
        # The training thread went on from an earlier epoch: one undo step brings the later ones back.
        self.document.undo_stack.push(TrainOnFromEpochCommand(self.training, branch, epoch, dropped))
        self.show_status(f"Training on from epoch {epoch:,}; the {dropped:,} later epochs are set aside (Ctrl+Z).")

    def _start_race(self) -> None:
        if not self.race_panel.setups():
            self.race_dock.show()
            self.race_dock.raise_()
        self.race_panel.start()

    def _sync_breakpoint_actions(self, breakpoints) -> None:
        armed = set(breakpoints.armed())
        for key, a in self.breakpoint_actions.items():
            with QSignalBlocker(a):
                a.setChecked(key in armed)

    def _show_descent(self, snapshot) -> None:
        """The race's curves and fits, and a breakpoint that fired."""
        descent = snapshot.descent
        if descent is None:
            return
        self.timeline_bar.show_snapshot(snapshot)
        self.epoch_marker.show(descent.viewing)
        self.resume_action.setEnabled(descent.viewing is not None)
        self.back_action.setEnabled(self.timeline_bar.shown > descent.first)
        self.race_panel.set_racing(descent.racing, [run.label for run in descent.runs])
        self.race_loss_curves.show_snapshot(snapshot)
        self.race_fits.show_snapshot(snapshot)
        marker = self.breakpoint_marker
        if marker.hit is not None and (snapshot.history_reset or snapshot.epoch < marker.hit.epoch):
            marker.clear()
        hit = descent.hit
        if hit is not None and (hit.epoch, hit.condition) != self._shown_hit:
            self._shown_hit = (hit.epoch, hit.condition)
            marker.show(hit)
            self.breakpoints_panel.show_hit(hit)
            self.show_message(hit.message() + " Press Play or Step to go on.", "info", topic="breakpoint")
        elif hit is None and self._shown_hit is not None and snapshot.epoch != self._shown_hit[0]:
            self._shown_hit = None
            self.clear_message("breakpoint")

    def _place_start(self, values, stroke, finished: bool) -> None:
        """Start training from the point placed on the landscape (a drag is one undo step)."""
        coordinates = self.landscape_panel.coordinates
        try:
            config = placed_config(self.document.config, coordinates, values)
        except ValueError as exc:
            self.show_status(f"Cannot start there: {exc}")
            return
        where = ", ".join(f"{c.label} = {v:.4g}" for c, v in zip(coordinates, values))
        self.document.change_config(
            config, text=f"Start from {where}", merge_key=("landscape-start", stroke) if stroke is not None else None
        )

    def _trace_when_visible(self, visible: bool) -> None:
        self.training.set_trace_mode(self.graph_panel.mode if visible else None)
        # The ring in the Data plot marks the point the Graph dock traces: only while that dock is seen.
        self.data_panel.show_sample_ring(visible)

    # ----------------------------------------------------------------- reacting
    def _points_changed(self, points) -> None:
        if len(points) == 0:
            reason = "There are no points: click in the Data plot to add some."
            self.controls.set_can_train(False, reason)
            self.show_message(
                reason + " Training is disabled until there is at least one point.", "info", topic="no-points"
            )
        else:
            if not self.controls.play_action.isEnabled():
                self.controls.set_can_train(True)
            self.clear_message("no-points")
            self.clear_message("cannot-train")

    def _mark_edit(self) -> None:
        # The newest epoch the worker reported: the loss plot itself is redrawn only a few times a second.
        latest = self.training.latest
        self.loss_panel.mark_edit(latest.epoch if latest is not None else None)

    def _show_snapshot(self, snapshot) -> None:
        # The fitted curve follows every snapshot; the rest at most SECONDARY_RATE times a second
        # while training runs (the last snapshot is always shown, a little later at most).
        # They are drawn together with a snapshot when one is due, so that the worker, which waits
        # for each frame, is not training (and holding the GIL) while they are drawn.
        self.loss_history.update(snapshot)
        self.loss_panel.metrics.update(snapshot)
        self.data_panel.show_snapshot(snapshot)
        self._pending_snapshot = snapshot
        due = time.perf_counter() - self._secondary_shown_at >= 1.0 / SECONDARY_RATE
        if due or snapshot.last or not self.training.running:
            self._show_secondary()
        elif not self._secondary_timer.isActive():
            self._secondary_timer.start(int(2000 / SECONDARY_RATE))  # in case no snapshot follows

    def _show_secondary(self) -> None:
        self._secondary_timer.stop()
        snapshot = self._pending_snapshot
        if snapshot is None:
            return
        self._pending_snapshot = None
        self._secondary_shown_at = time.perf_counter()
        self.loss_panel.show_snapshot(snapshot)
        self.parameters_panel.show_snapshot(snapshot)
        self.epoch_label.setText(f"Epoch {snapshot.epoch:,}")
        self.timeline_bar.show_label(snapshot)  # the same epoch as the status bar's, from the same snapshot
        if snapshot.epoch == 0 or (math.isnan(snapshot.loss) and not snapshot.diverged):
            self.loss_label.setText("Loss —")
            self.loss_label.setToolTip("No epoch trained yet")
        else:
            self.loss_label.setText(f"Loss {snapshot.loss:.6g}")
            self.loss_label.setToolTip(f"Loss of epoch {snapshot.epoch}: {snapshot.loss!r}")
        rate = self.training.epochs_per_second
        self.rate_label.setText(f"{rate:,.0f} epochs/s" if self.training.running else "0 epochs/s")
        if not snapshot.diverged:
            self.clear_message("diverged")

    def _show_state(self, state: str) -> None:
        if state != RUNNING and self._pending_snapshot is not None:
            self._show_secondary()  # training stopped: show where it stopped now, not at the next 5 Hz tick
        self.state_label.setText(state.capitalize())
        self.state_label.setStyleSheet(f"color: {STATE_COLORS.get(state, '#555')}; font-weight: bold;")
        if state == DIVERGED:
            snapshot = self.training.latest
            epoch = snapshot.epoch if snapshot is not None else "?"
            lr = self.document.config.lr
            self.show_message(
                f"Training diverged at epoch {epoch}: the loss became infinite or NaN. "
                f"The learning rate ({lr:g}) is probably too large: lower it, then reset.",
                "error",
                offer_reset=True,
                topic="diverged",
            )
        elif state == RUNNING:
            self.rate_label.setText("… epochs/s")
            if self.message_bar.kind in ("error", "warning"):
                self.clear_message()
        else:
            self.rate_label.setText("0 epochs/s")

    def _copy_points(self) -> None:
        n = self.data_panel.copy_points()
        self.show_status(f"Copied {n:,} point{'s' if n != 1 else ''}")

    def _training_error(self, error: Exception) -> None:
        # Training is impossible as the data or settings stand: an edit may change that.
        topic = "cannot-train" if isinstance(error, TrainingError) else "training"
        self.show_message(str(error), "warning", topic=topic)

    def _message_action(self) -> None:
        self.training.reset()
        self.clear_message()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self._preset_title} — {APP_TITLE}")

    def _show_help(self) -> None:
        QMessageBox.information(
            self,
            "Keyboard and mouse",
            "<b>Data plot</b><br>"
            "Click empty space: add a point · Drag a point: move it (selected points move together)<br>"
            "Drag on empty space: select with a rectangle (Ctrl/Shift adds) · Ctrl+click: toggle selection<br>"
            "Right-click a point or press Delete: remove · Middle-drag: pan · Wheel: zoom · Ctrl+0: fit<br><br>"
            "<b>Training</b><br>"
            "Space: play/pause · Right or N: one epoch · Shift+Right: N epochs · Ctrl+R: reset<br><br>"
            "<b>Editing</b><br>Ctrl+Z: undo · Ctrl+Shift+Z: redo · Ctrl+A: select all · Esc: clear selection<br>"
            "Ctrl+C: copy the selected points · Ctrl+V: paste points (rows of x and y)",
        )

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<b>{APP_TITLE}</b><br>Learn gradient descent by touching it: drag the data, "
            "step the optimizer one epoch at a time and watch the loss, the parameters and their gradients. "
            "Training runs on a small PyTorch-compatible autograd engine written with NumPy.",
        )

    # ----------------------------------------------------------------- layout and settings
    def reset_layout(self) -> None:
        """Restore the docks' original arrangement."""
        self.restoreState(self._default_state, STATE_VERSION)

    def _dock_names(self) -> str:
        return ",".join(sorted(dock.objectName() for dock in self.docks))

    def _restore_settings(self) -> None:
        settings = self._settings
        if settings is None:
            return
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.value("main_window/state")
        # A layout saved with other docks (an earlier version) would leave the new ones floating
        # over the others: it is restored only when the docks are the same.
        if (
            isinstance(state, QByteArray)
            and not state.isEmpty()
            and settings.value("main_window/docks") == self._dock_names()
        ):
            self.restoreState(state, STATE_VERSION)
        self.loss_panel.set_log_scale(_as_bool(settings.value("loss/log_scale", False)))
        with contextlib.suppress(TypeError, ValueError):
            self.controls.set_speed_limit(float(settings.value("training/speed_limit", DEFAULT_SPEED_LIMIT)))
        with contextlib.suppress(TypeError, ValueError):
            self.controls.step_n_spin.setValue(int(settings.value("training/step_n", 100)))

    def save_settings(self) -> None:
        settings = self._settings
        if settings is None:
            return
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState(STATE_VERSION))
        settings.setValue("main_window/docks", self._dock_names())
        settings.setValue("loss/log_scale", self.loss_panel.log_scale)
        settings.setValue("training/speed_limit", self.controls.speed_limit())
        settings.setValue("training/step_n", self.controls.step_n_spin.value())
        settings.sync()

    def closeEvent(self, event) -> None:
        if not self._closed:
            for guard in list(self.close_guards):
                if not guard():
                    event.ignore()
                    return
            self.save_settings()
            self.training.shutdown()
            self.landscape.shutdown()
            BackgroundJob.wait_for_all()  # a file still being read
            self._closed = True
        super().closeEvent(event)


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)
