"""Does the app keep its speed over a long run?

Runs the real main window offscreen (1400x900) on the linear-regression preset and plays until
it has trained ``EPOCHS`` epochs (one million by default), and prints, for the first and the last
``WINDOW`` seconds of the run:

* epochs per second;
* the frame interval of the Data plot (gaps between its repaints) and of a 60 Hz timer in the
  GUI thread (how long the event loop is ever kept away), median and 95th percentile;

and the memory the process holds (resident set size) at the start, halfway and at the end, as
growth per million epochs over the whole run and over its second half.

Run: ``python benchmarks/bench_long_run.py [epochs] [window seconds]``.
"""

import itertools
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

EPOCHS = 1_000_000
WINDOW = 5.0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))] if values else float("nan")


def main():
    epochs_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else EPOCHS
    window_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else WINDOW

    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QTimer

    import playground.qt_compat  # noqa: F401
    from playground.app import application
    from playground.main_window import MainWindow

    app = application()  # noqa: F841  (kept alive for the run)
    paints = []
    holder = {}
    original_paint = pg.GraphicsView.paintEvent

    def paint(view, ev):
        result = original_paint(view, ev)
        if view is holder.get("view"):
            paints.append(time.perf_counter())
        return result

    pg.GraphicsView.paintEvent = paint
    window = MainWindow(preset="linear-regression", settings=None)
    window.controls.set_speed_limit(0)  # unlimited: as many epochs as the machine trains
    window.resize(1400, 900)
    window.lay_out_docks(1400, 900)
    window.show()
    holder["view"] = window.data_panel.plot_widget
    ticks = []
    heartbeat = QTimer()
    heartbeat.setInterval(16)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def wait(ms):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def measure(title):
        """Epochs/s and frame intervals over the next window of play."""
        paints.clear()
        ticks.clear()
        start, epoch0 = time.perf_counter(), window.training.latest.epoch
        wait(int(window_seconds * 1000))
        elapsed = time.perf_counter() - start
        epochs = window.training.latest.epoch - epoch0
        frames = [b - a for a, b in itertools.pairwise(paints)]
        timer = [b - a for a, b in itertools.pairwise(ticks)]
        print(f"{title} (epoch {window.training.latest.epoch:,})")
        print(f"  epochs/s:                 {epochs / elapsed:10,.0f}")
        print(
            f"  Data-plot frame interval: median {statistics.median(frames) * 1e3:6.1f} ms   "
            f"p95 {percentile(frames, 95) * 1e3:6.1f} ms"
        )
        print(
            f"  60 Hz timer interval:     median {statistics.median(timer) * 1e3:6.1f} ms   "
            f"p95 {percentile(timer, 95) * 1e3:6.1f} ms"
        )
        return epochs / elapsed

    wait(300)
    window.controls.play_action.trigger()
    heartbeat.start()
    wait(1000)  # warm-up
    memory_start, epoch_start = rss_mb(), window.training.latest.epoch
    rate_start = measure("start of the run")
    target = epochs_wanted - window_seconds * rate_start * 1.2
    began = time.perf_counter()
    halfway = None
    while window.training.latest.epoch < target:
        wait(500)
        if halfway is None and window.training.latest.epoch >= epochs_wanted / 2:
            halfway = (rss_mb(), window.training.latest.epoch)
        if time.perf_counter() - began > 3600:
            break
    rate_end = measure("end of the run")
    memory_end, epoch_end = rss_mb(), window.training.latest.epoch
    heartbeat.stop()
    window.controls.play_action.trigger()
    wait(200)
    pg.GraphicsView.paintEvent = original_paint
    window.close()
    growth = (memory_end - memory_start) / max(1, epoch_end - epoch_start) * 1e6
    print(f"epochs/s at the end: {100 * rate_end / rate_start:.0f}% of the start")
    print(
        f"memory: {memory_start:.1f} MB after warm-up, {memory_end:.1f} MB at epoch {epoch_end:,} "
        f"({growth:+.1f} MB per million epochs)"
    )
    if halfway is not None:
        # The bounded stores (keyframes, the path, the loss curve's exact part) fill early on; the
        # second half of the run shows the steady growth: the trainer's log of every epoch's loss.
        memory_half, epoch_half = halfway
        steady = (memory_end - memory_half) / max(1, epoch_end - epoch_half) * 1e6
        print(
            f"memory in the second half: {memory_half:.1f} MB at epoch {epoch_half:,} to {memory_end:.1f} MB "
            f"({steady:+.1f} MB per million epochs)"
        )


if __name__ == "__main__":
    main()
