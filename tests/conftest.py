"""Shared test set-up. Qt runs headless: the platform is chosen before anything imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# ---------------------------------------------------------------------------------------------
# Qt fixtures for the app's tests (tests/test_app_*.py). Qt is imported only by tests that use it.
# ---------------------------------------------------------------------------------------------
import gc
import sys

import pytest

import engine  # noqa: F401  (first: it sets one BLAS thread before NumPy loads)

# Under CI a skipped test is a failure: a PyTorch cross-check that skips because torch is
# missing checks nothing, and the bit-for-bit claims would go unchecked unnoticed.
_STRICT_SKIPS = os.environ.get("CI", "").lower() in ("true", "1")
_skipped = []


def _note_skip(report):
    if _STRICT_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


pytest_runtest_logreport = _note_skip
pytest_collectreport = _note_skip  # a module-level importorskip skips at collection


def pytest_sessionfinish(session, exitstatus):
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.section("skipped under CI=true (a failure: every check must run)")
        for line in _skipped:
            terminalreporter.write_line(line)


class QThreadLeakGuard:
    """Records every QThread started while active; reports (and then stops) those still running.

    After napari's autouse fixture: a test that leaves a thread running fails, instead of the
    process aborting later with "QThread: Destroyed while thread is still running".
    """

    def __init__(self, monkeypatch):
        from PySide6.QtCore import QThread

        self.started = []
        original_start = QThread.start
        started = self.started

        def start(thread, *args, **kwargs):
            started.append(thread)
            return original_start(thread, *args, **kwargs)

        monkeypatch.setattr(QThread, "start", start)

    def running(self):
        alive = []
        for thread in self.started:
            try:
                if thread.isRunning():
                    alive.append(thread)
            except RuntimeError:  # the C++ object is already gone: it was shut down
                pass
        return alive

    def stop_leftovers(self, threads):
        for thread in threads:
            thread.quit()
            thread.wait(5000)


@pytest.fixture(autouse=True)
def _fail_on_running_qthreads(request, monkeypatch):
    """Fail a test that leaves a QThread running (only in tests that run a Qt application: the
    full collection at teardown would cost every other test a few hundred milliseconds)."""
    if "PySide6.QtCore" not in sys.modules or not {"qapp", "qtbot"} & set(request.fixturenames):
        yield None
        return
    import playground.qt_compat  # noqa: F401  (PySide6 6.12 on Python 3.11 drops references to None/True)

    guard = QThreadLeakGuard(monkeypatch)
    # As the app does (playground.app): no cyclic garbage collection inside Qt's calls, where
    # destroying a QObject can deadlock on a signal-slot lock; collect between tests instead.
    gc.disable()
    yield guard
    gc.collect()
    gc.enable()
    leftovers = guard.running()
    if leftovers:
        names = ", ".join(thread.objectName() or type(thread).__name__ for thread in leftovers)
        guard.stop_leftovers(leftovers)
        pytest.fail(f"{request.node.nodeid} left {len(leftovers)} QThread(s) running: {names}", pytrace=False)


@pytest.fixture
def fast_pyqtgraph_mouse():
    """Deliver every synthetic mouse move to pyqtgraph (its 100 Hz move rate limit would drop some)."""
    import pyqtgraph as pg

    old = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOption("mouseRateLimit", -1)
    yield
    pg.setConfigOption("mouseRateLimit", old)


@pytest.fixture
def make_main_window(qtbot, tmp_path, fast_pyqtgraph_mouse):
    """Build a shown MainWindow (1400x900 unless asked) on a preset, with settings in a temporary file.

    The window is closed (and its training thread joined) when the test ends.
    """
    from PySide6.QtCore import QSettings

    from playground.main_window import MainWindow

    windows = []

    def make(preset="linear-regression", settings_path=None, speed_limit=0, size=(1400, 900)):
        """``speed_limit``: epochs/s while playing; unlimited unless a test asks (the app opens gradual).
        ``size``: the window's, with the docks arranged as on a screen of that size."""
        path = settings_path or tmp_path / f"settings-{len(windows)}.ini"
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        if speed_limit is not None and not settings.contains("training/speed_limit"):
            settings.setValue("training/speed_limit", speed_limit)
        window = MainWindow(preset=preset, settings=settings)
        qtbot.addWidget(window)
        window.resize(*size)
        window.lay_out_docks(*size)  # as the window opens on a screen of that size
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.training.latest is not None and window.parameters_panel.model.rowCount() > 0)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def main_window(make_main_window):
    """The app's window on the linear-regression preset."""
    return make_main_window()


class PlotMouse:
    """Real mouse events posted to a pyqtgraph PlotWidget's viewport (as pyqtgraph's ui_testing does).

    Positions are in data coordinates of the plot's view box.
    """

    def __init__(self, plot_widget):
        self.plot_widget = plot_widget
        self.viewport = plot_widget.viewport()

    def pixel(self, x, y):
        from PySide6.QtCore import QPointF

        view_box = self.plot_widget.getPlotItem().getViewBox()
        scene = view_box.mapViewToScene(QPointF(float(x), float(y)))
        return self.plot_widget.mapFromScene(scene)

    def _send(self, kind, pixel, button, buttons, modifiers=None):
        from PySide6.QtCore import QEvent, QPointF, Qt
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        types = {
            "press": QEvent.Type.MouseButtonPress,
            "release": QEvent.Type.MouseButtonRelease,
            "move": QEvent.Type.MouseMove,
        }
        local = QPointF(pixel)
        event = QMouseEvent(
            types[kind],
            local,
            QPointF(self.viewport.mapToGlobal(pixel)),
            button,
            buttons,
            modifiers or Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(self.viewport, event)

    def move(self, x, y, buttons=None):
        from PySide6.QtCore import Qt

        self._send("move", self.pixel(x, y), Qt.MouseButton.NoButton, buttons or Qt.MouseButton.NoButton)

    def click(self, x, y, button=None, modifiers=None):
        from PySide6.QtCore import Qt

        button = button or Qt.MouseButton.LeftButton
        pixel = self.pixel(x, y)
        self._send("move", pixel, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
        self._send("press", pixel, button, button, modifiers)
        self._send("release", pixel, button, Qt.MouseButton.NoButton, modifiers)

    def drag(self, start, end, steps=6, button=None, modifiers=None):
        """Press at ``start`` (x, y), move in ``steps`` straight steps to ``end``, release there."""
        from PySide6.QtCore import QPoint, Qt

        button = button or Qt.MouseButton.LeftButton
        first = self.pixel(*start)
        last = self.pixel(*end)
        self._send("move", first, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
        self._send("press", first, button, button, modifiers)
        for i in range(1, steps + 1):
            t = i / steps
            pixel = QPoint(round(first.x() + t * (last.x() - first.x())), round(first.y() + t * (last.y() - first.y())))
            self._send("move", pixel, Qt.MouseButton.NoButton, button, modifiers)
        self._send("release", last, button, Qt.MouseButton.NoButton, modifiers)


@pytest.fixture
def plot_mouse(fast_pyqtgraph_mouse):
    """``plot_mouse(plot_widget)`` -> a :class:`PlotMouse` driving that plot."""
    return PlotMouse
