"""Training controls: Play/Pause, Step, Step N, Reset and a speed limit, as actions, a toolbar and a menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QSpinBox, QStyle, QToolBar, QWidget

from playground.worker import GRADUAL, GRADUAL_DOUBLING_SECONDS, GRADUAL_START, RUNNING

#: Speed limits offered, in epochs per second (0 = unlimited; GRADUAL, the default, rises).
SPEED_LIMITS = (GRADUAL, 0, 1, 2, 5, 10, 30, 100, 1000)
DEFAULT_SPEED_LIMIT = GRADUAL
GRADUAL_TIP = (
    f"Gradual: starts at {GRADUAL_START:.0f} epochs/s, slow enough to watch each step, and doubles every "
    f"{GRADUAL_DOUBLING_SECONDS:g} s until training runs unlimited."
)


def speed_text(limit: float) -> str:
    if limit < 0:
        return "Gradual"
    if limit == 0:
        return "Unlimited"
    return f"{limit:,.0f} epoch/s" if limit == 1 else f"{limit:,.0f} epochs/s"


class TrainingControls(QObject):
    """Creates the training actions and wires them to a :class:`~playground.worker.TrainingController`.

    Attributes
    ----------
    play_action, step_action, step_n_action, reset_action : QAction
    step_n_spin : QSpinBox
        How many epochs "Step N" trains.
    speed_combo : QComboBox
    toolbar : QToolBar
    menu : QMenu
        The Training menu.
    """

    def __init__(self, controller, window: QWidget):
        super().__init__(window)
        self._controller = controller
        self._can_train = True
        style = window.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)

        self.play_action = QAction(self._play_icon, "&Play", window)
        self.play_action.setCheckable(True)
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setToolTip("Play: train continuously (Space)")
        self.play_action.setStatusTip("Train continuously; press Space again to pause.")
        self.play_action.triggered.connect(self._play_triggered)

        self.step_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "&Step one epoch", window
        )
        self.step_action.setShortcuts([QKeySequence(Qt.Key.Key_Right), QKeySequence(Qt.Key.Key_N)])
        self.step_action.setToolTip("Step: train exactly one epoch (Right arrow or N)")
        self.step_action.setStatusTip("Train exactly one epoch: one forward pass, one backward pass, one update.")
        self.step_action.triggered.connect(lambda: controller.step(1))

        self.step_n_spin = QSpinBox()
        self.step_n_spin.setRange(1, 10_000_000)
        self.step_n_spin.setValue(100)
        self.step_n_spin.setGroupSeparatorShown(True)
        self.step_n_spin.setSuffix(" epochs")
        self.step_n_spin.setToolTip("How many epochs Step N trains")
        self.step_n_spin.setStatusTip("The number of epochs for Step N.")

        self.step_n_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Step &N epochs", window
        )
        self.step_n_action.setShortcut(QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Right))
        self.step_n_action.setToolTip("Step N: train the number of epochs set beside it, then pause (Shift+Right)")
        self.step_n_action.setStatusTip("Train the chosen number of epochs, then pause.")
        self.step_n_action.triggered.connect(lambda: controller.step(self.step_n_spin.value()))

        self.reset_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "&Reset", window)
        self.reset_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_R))
        self.reset_action.setToolTip("Reset: fresh parameters, epoch 0 (Ctrl+R)")
        self.reset_action.setStatusTip("Start over from the initial parameters; the data is kept.")
        self.reset_action.triggered.connect(controller.reset)

        self.speed_combo = QComboBox()
        for limit in SPEED_LIMITS:
            self.speed_combo.addItem(speed_text(limit), limit)
            if limit == GRADUAL:
                self.speed_combo.setItemData(self.speed_combo.count() - 1, GRADUAL_TIP, Qt.ItemDataRole.ToolTipRole)
        self.speed_combo.setToolTip("Speed limit: at most this many epochs per second while playing.\n" + GRADUAL_TIP)
        self.speed_combo.setStatusTip("Slow training down to watch each step, or let it run unlimited.")
        self.speed_combo.currentIndexChanged.connect(self._speed_chosen)

        self.speed_group = QActionGroup(window)
        self.speed_group.setExclusive(True)
        self.speed_menu = QMenu("Speed &limit", window)
        self.speed_menu.setToolTipsVisible(True)
        for limit in SPEED_LIMITS:
            action = QAction(speed_text(limit), self.speed_group)
            action.setCheckable(True)
            action.setData(limit)
            if limit == GRADUAL:
                action.setStatusTip(GRADUAL_TIP)
            elif limit == 0:
                action.setStatusTip("Train as fast as possible.")
            else:
                action.setStatusTip(f"Limit training to {speed_text(limit).lower()}.")
            action.setChecked(limit == DEFAULT_SPEED_LIMIT)
            self.speed_menu.addAction(action)
        self.speed_group.triggered.connect(lambda action: self.set_speed_limit(action.data()))

        self.toolbar = QToolBar("Training", window)
        self.toolbar.setObjectName("training_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.play_action)
        # As wide as its widest text: the toolbar must not shift when Play turns into Pause.
        play_button = self.toolbar.widgetForAction(self.play_action)
        widths = []
        for text in ("&Pause", "&Play"):
            self.play_action.setText(text)
            widths.append(play_button.sizeHint().width())
        play_button.setMinimumWidth(max(widths))
        self.toolbar.addAction(self.step_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.step_n_action)
        self.toolbar.addWidget(self.step_n_spin)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.reset_action)
        self.toolbar.addSeparator()
        speed_label = QLabel(" Speed ")
        speed_label.setToolTip(self.speed_combo.toolTip())
        self.toolbar.addWidget(speed_label)
        self.toolbar.addWidget(self.speed_combo)

        self.menu = QMenu("&Training", window)
        self.menu.setToolTipsVisible(True)
        for action in (self.play_action, self.step_action, self.step_n_action, self.reset_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addMenu(self.speed_menu)

        controller.stateChanged.connect(self._state_changed)
        controller.set_speed_limit(DEFAULT_SPEED_LIMIT)  # the combo shows it already

    # ----------------------------------------------------------------- public
    def speed_limit(self) -> float:
        return float(self.speed_combo.currentData())

    def set_speed_limit(self, limit: float) -> None:
        """Epochs per second while playing (0: unlimited)."""
        index = self.speed_combo.findData(limit)
        if index < 0:
            self.speed_combo.addItem(speed_text(limit), limit)
            index = self.speed_combo.count() - 1
        self.speed_combo.setCurrentIndex(index)  # -> _speed_chosen

    def set_can_train(self, can: bool, reason: str = "") -> None:
        """Enable or disable Play and Step (e.g. when there are no points), with the reason as tooltip."""
        self._can_train = can
        for action, tip in (
            (self.play_action, "Play: train continuously (Space)"),
            (self.step_action, "Step: train exactly one epoch (Right arrow or N)"),
            (self.step_n_action, "Step N: train the number of epochs set beside it, then pause (Shift+Right)"),
        ):
            action.setEnabled(can)
            action.setToolTip(tip if can else f"{tip}\nUnavailable: {reason}")
        if not can and self.play_action.isChecked():
            self._controller.pause()

    # ----------------------------------------------------------------- internals
    def _play_triggered(self, checked: bool) -> None:
        if checked:
            self._controller.play()
        else:
            self._controller.pause()
        self._show_running(checked)

    def _speed_chosen(self, index: int) -> None:
        limit = float(self.speed_combo.itemData(index))
        for action in self.speed_group.actions():
            if float(action.data()) == limit:
                with QSignalBlocker(action):
                    action.setChecked(True)
        self._controller.set_speed_limit(limit)

    def _state_changed(self, state: str) -> None:
        self._show_running(state == RUNNING)

    def _show_running(self, running: bool) -> None:
        with QSignalBlocker(self.play_action):
            self.play_action.setChecked(running)
        self.play_action.setIcon(self._pause_icon if running else self._play_icon)
        self.play_action.setText("&Pause" if running else "&Play")
        self.play_action.setToolTip("Pause training (Space)" if running else "Play: train continuously (Space)")
