"""How fast the app trains and how live its window stays while it does.

Runs the real main window offscreen (1400x900) and plays for a while on

* noisy-line with 200 points and the linear model,
* sine with its MLP (two hidden layers of 16 tanh units, Adam), and
* circle with 500 points in the plane and its classifier (2→8→8→1 tanh, Adam): the Data plot
  redraws the 100×100 decision surface, its boundary and the hidden neurons' heatmaps (at the
  unlimited training speed),

and prints for each:

* epochs per second while the GUI is live;
* the GUI's frame interval: the gaps between repaints of the Data plot (it redraws at every
  snapshot the worker sends, at most ~60 a second), median and 95th percentile, and the gaps
  between ticks of a 60 Hz timer in the GUI thread (how long the event loop is ever kept away);
* drag-to-repaint latency: during play, a synthetic mouse move drags a point; the time from
  sending that event to the end of the first Data-plot repaint whose fitted curve comes from a
  snapshot the worker made after it trained on the moved point (median, 95th percentile, max).

Run: ``python benchmarks/bench_app.py [seconds per case] [case ...]`` (default 10 s, every case:
linear, mlp, classify).
"""

import itertools
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[index]


def run_case(app, title, preset, n_points, seconds, drags=True, unlimited=False):
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtCore import QEvent, QEventLoop, QPoint, QPointF, Qt, QTimer
    from PySide6.QtGui import QMouseEvent

    from playground.main_window import MainWindow

    # Repaints of the Data plot: patched on the class before any view exists.
    paints = []  # (end time, data generation of the curve drawn)
    generation = {"drawn": 0}
    holder = {}
    original_paint = pg.GraphicsView.paintEvent

    def paint(view, ev):
        result = original_paint(view, ev)
        if view is holder.get("view"):
            paints.append((time.perf_counter(), generation["drawn"]))
        return result

    pg.GraphicsView.paintEvent = paint

    window = MainWindow(preset=preset, settings=None)
    if n_points is not None:
        window.load_preset(preset, n_points=n_points)
        window.document.undo_stack.clear()
    window.resize(1400, 900)
    if unlimited:
        window.controls.set_speed_limit(0)  # as fast as it trains: the worker waits only for the frames
    window.show()
    data_view = window.data_panel.plot_widget
    holder["view"] = data_view

    def wait(ms):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    wait(300)

    # -- instrumentation: which set of points the drawn curve was trained on ------------------
    def show_snapshot(snapshot):
        generation["drawn"] = snapshot.points_version

    window.training.snapshotReady.connect(show_snapshot)

    ticks = []
    heartbeat = QTimer()
    heartbeat.setInterval(16)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    # -- play --------------------------------------------------------------------------------
    window.controls.play_action.trigger()
    wait(500)  # warm-up
    start_epoch = window.training.latest.epoch
    start = time.perf_counter()
    paints.clear()
    heartbeat.start()

    latencies = []
    viewport = data_view.viewport()

    def send(kind, pixel, button, buttons):
        types = {
            "press": QEvent.Type.MouseButtonPress,
            "release": QEvent.Type.MouseButtonRelease,
            "move": QEvent.Type.MouseMove,
        }
        event = QMouseEvent(
            types[kind],
            QPointF(pixel),
            QPointF(viewport.mapToGlobal(pixel)),
            button,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        app.sendEvent(viewport, event)

    def pixel_of(x, y):
        scene = window.data_panel.view_box.mapViewToScene(QPointF(float(x), float(y)))
        return data_view.mapFromScene(scene)

    if drags:
        points = window.document.points
        index = int(np.argmax(points[:, 0]))
        x, y = points[index, :2]
        press = pixel_of(x, y)
        send("move", press, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
        send("press", press, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        wait(30)
        n_moves = max(5, int(seconds * 4))
        gap_ms = int(seconds * 1000 / (n_moves + 1))
        for k in range(1, n_moves + 1):
            offset = (-1) ** k * (12 + 3 * (k % 5))
            target = QPoint(press.x(), press.y() + offset)
            wait(gap_ms // 2)
            sent_at = time.perf_counter()
            send("move", target, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
            wanted = window.training.points_sent
            deadline = time.perf_counter() + 2.0
            while time.perf_counter() < deadline:
                done = [t for t, g in paints if t > sent_at and g >= wanted]
                if done:
                    latencies.append(done[0] - sent_at)
                    break
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
            wait(gap_ms // 2)
        send("release", target, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)
        remaining = seconds - (time.perf_counter() - start)
        if remaining > 0:
            wait(int(remaining * 1000))
    else:
        wait(int(seconds * 1000))

    elapsed = time.perf_counter() - start
    epochs = window.training.latest.epoch - start_epoch
    heartbeat.stop()
    window.controls.play_action.trigger()
    wait(200)
    pg.GraphicsView.paintEvent = original_paint
    window.close()

    paint_times = [t for t, _ in paints]
    frame_gaps = [b - a for a, b in itertools.pairwise(paint_times)]
    tick_gaps = [b - a for a, b in itertools.pairwise(ticks)]
    ms = 1000.0
    print(f"{title}")
    print(f"  epochs/s while playing:        {epochs / elapsed:10,.0f}   ({epochs:,} epochs in {elapsed:.1f} s)")
    print(f"  Data-plot repaints:            {len(paint_times) / elapsed:10.1f} /s")
    if len(frame_gaps) < 2:
        frame_gaps = [float("nan")] * 2
    print(
        f"  frame interval (repaints):     median {statistics.median(frame_gaps) * ms:6.1f} ms   "
        f"p95 {percentile(frame_gaps, 95) * ms:6.1f} ms   max {max(frame_gaps) * ms:6.1f} ms"
    )
    print(
        f"  60 Hz timer interval:          median {statistics.median(tick_gaps) * ms:6.1f} ms   "
        f"p95 {percentile(tick_gaps, 95) * ms:6.1f} ms   max {max(tick_gaps) * ms:6.1f} ms"
    )
    if drags:
        if latencies:
            print(
                f"  drag-to-repaint of the curve:  median {statistics.median(latencies) * ms:6.1f} ms   "
                f"p95 {percentile(latencies, 95) * ms:6.1f} ms   max {max(latencies) * ms:6.1f} ms   "
                f"({len(latencies)} moves)"
            )
        else:
            print("  drag-to-repaint of the curve:  no repaint seen")
    return epochs / elapsed


CASES = {
    "linear": ("noisy-line, 200 points, linear model (SGD)", "noisy-line", 200),
    "mlp": ("sine, 60 points, MLP 1-16-16-1 tanh (Adam)", "sine", None),
    "classify": ("circle, 500 points, MLP 2-8-8-1 tanh (Adam), 100x100 decision surface", "circle", 500),
}


def main():
    args = sys.argv[1:]
    if args and args[0] == "--case":  # one case in this process
        name, seconds = args[1], float(args[2])
        import playground.qt_compat  # noqa: F401
        from playground.app import application

        app = application()
        title, preset, n_points = CASES[name]
        run_case(app, title, preset, n_points, seconds, unlimited=name == "classify")
        return
    seconds = float(args[0]) if args else 10.0
    names = args[1:] or list(CASES)
    print(
        f"Real window offscreen at 1400x900, {seconds:g} s of play per case; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; each case in its own process",
        flush=True,
    )
    import subprocess

    for name in names:
        subprocess.run([sys.executable, os.path.abspath(__file__), "--case", name, str(seconds)], check=True)


if __name__ == "__main__":
    main()
