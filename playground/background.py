"""Run a slow function (reading a big file) off the GUI thread and hear back in the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

__all__ = ["BackgroundJob"]


class _Call(QRunnable):
    def __init__(self, job):
        super().__init__()
        self._job = job

    def run(self):
        job = self._job
        try:
            result = job.function()
        except Exception as exc:  # handed to the GUI thread, which decides what to say
            job._failed.emit(exc)
        else:
            job._succeeded.emit(result)


class BackgroundJob(QObject):
    """``function()`` in Qt's thread pool; ``finished(result)`` or ``failed(exception)`` in the GUI thread.

    The signals come through queued connections, so their slots run in the thread that created
    the job. A job runs once; keep a reference until it reports.
    """

    finished = Signal(object)
    failed = Signal(object)
    _succeeded = Signal(object)
    _failed = Signal(object)

    def __init__(self, function, parent=None):
        super().__init__(parent)
        self.function = function
        self.running = False
        self._succeeded.connect(self._report_success)
        self._failed.connect(self._report_failure)

    def start(self) -> None:
        self.running = True
        QThreadPool.globalInstance().start(_Call(self))

    def _report_success(self, result) -> None:
        self.running = False
        self.finished.emit(result)

    def _report_failure(self, exc) -> None:
        self.running = False
        self.failed.emit(exc)

    @staticmethod
    def wait_for_all(milliseconds: int = 30_000) -> bool:
        """Wait until every job has returned (at shutdown)."""
        return QThreadPool.globalInstance().waitForDone(milliseconds)
