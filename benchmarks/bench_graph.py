"""What the Graph view costs: trace building, label updates, and the app's pace while playing.

Prints, for the linear preset and the largest MLP (3 hidden layers of 64 units):

* the time to build one trace in the training thread (sample and batch mode);
* the time the GUI spends drawing one new trace (labels updated in place, no relayout);
* with the real window offscreen, playing for a few seconds with the Graph dock shown and
  hidden: epochs per second, traces received per second, and the GUI's frame interval (the gaps
  between ticks of a 60 Hz timer, median and 95th percentile).

Run: ``python benchmarks/bench_graph.py [seconds]``.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np


def _time(fn, repeat):
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def bench_traces():
    from playground.presets import load_preset
    from playground.tracing import trace_trainer
    from playground.trainer import Trainer

    cases = [
        ("linear-regression", load_preset("linear-regression").config, load_preset("linear-regression").points),
        (
            "noisy-line 200",
            load_preset("noisy-line", n_points=200).config,
            load_preset("noisy-line", n_points=200).points,
        ),
        ("sine 3×64 MLP", load_preset("sine").config.replace(hidden=(64, 64, 64)), load_preset("sine").points),
    ]
    print("trace build time (training thread)")
    for name, config, points in cases:
        trainer = Trainer(config, points)
        step = _time(trainer.step, 50)
        for mode in ("sample", "batch"):
            t = _time(lambda trainer=trainer, mode=mode: trace_trainer(trainer, mode, 3), 50)
            print(f"  {name:18s} {mode:6s} {t * 1e3:7.2f} ms   (one epoch: {step * 1e3:.2f} ms, {len(points)} points)")


def bench_gui_update():
    from playground.app import application
    from playground.panels.graph import GraphPanel
    from playground.presets import load_preset
    from playground.tracing import trace_trainer
    from playground.trainer import Trainer

    app = application()
    preset = load_preset("sine")
    trainer = Trainer(preset.config.replace(hidden=(64, 64, 64)), preset.points)
    print("GUI update per new trace (labels in place), largest MLP")
    for mode in ("sample", "batch"):
        panel = GraphPanel()
        panel.resize(1000, 300)
        panel.show()
        traces = []
        for _ in range(40):
            trainer.step()
            traces.append(trace_trainer(trainer, mode, 3))
        panel.set_trace(traces[0])
        app.processEvents()
        start = time.perf_counter()
        for trace in traces[1:]:
            panel.set_trace(trace)
        update = (time.perf_counter() - start) / (len(traces) - 1)
        start = time.perf_counter()
        for trace in traces[1:]:
            panel.set_trace(trace)
            panel.view.viewport().repaint()
        total = (time.perf_counter() - start) / (len(traces) - 1)
        print(f"  {mode:6s} {update * 1e3:6.2f} ms to update the text, {total * 1e3:6.2f} ms with the repaint")
        panel.close()


def bench_playing(seconds):
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from playground.app import application
    from playground.main_window import MainWindow

    app = application()
    print(f"playing {seconds:g} s, real window offscreen (frame interval = gaps between 60 Hz timer ticks)")
    for preset, mode, visible, big in [
        ("noisy-line", "sample", False, False),
        ("noisy-line", "sample", True, False),
        ("sine", "sample", False, True),
        ("sine", "sample", True, True),
        ("sine", "batch", True, True),
    ]:
        window = MainWindow(preset=preset)
        window.resize(1400, 900)
        window.show()
        if big:
            window.document.change_config(window.document.config.replace(hidden=(64, 64, 64)))
        if visible:
            window.graph_dock.show()
            window.graph_dock.raise_()
            window.graph_panel.set_mode(mode)
        else:
            window.loss_dock.raise_()
        deadline = time.perf_counter() + 2
        while window.training.latest is None and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        traces = []
        window.training.snapshotReady.connect(lambda s: traces.append(s.trace is not None))  # noqa: B023
        gaps = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.nsecsElapsed()]

        def tick(clock=clock, gaps=gaps, last=last):
            now = clock.nsecsElapsed()
            gaps.append((now - last[0]) / 1e6)
            last[0] = now

        timer = QTimer()
        timer.setInterval(16)
        timer.timeout.connect(tick)
        epoch0 = window.training.latest.epoch
        window.training.play()
        timer.start()
        start = time.perf_counter()
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        timer.stop()
        window.training.pause()
        elapsed = time.perf_counter() - start
        deadline = time.perf_counter() + 2
        while window.training.running and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        epochs = window.training.latest.epoch - epoch0
        ticks = len(gaps)
        gaps = gaps[2:] or [float("nan")]
        p95 = float(np.percentile(gaps, 95))
        label = f"{preset}{' 3×64' if big else ''}, graph {'shown (' + mode + ')' if visible else 'hidden'}"
        print(
            f"  {label:34s} {epochs / elapsed:8.0f} epochs/s  {sum(traces) / elapsed:5.1f} traces/s  "
            f"frame interval median {statistics.median(gaps):5.1f} ms, p95 {p95:5.1f} ms ({ticks} ticks)"
        )
        window.close()


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    bench_traces()
    bench_gui_update()
    bench_playing(seconds)
