"""What ``playground train`` costs around the training itself, and how fast Ctrl-C is answered.

Prints:

* epochs per second of ``playground train``'s loop (chunks of about 50 ms, between which Ctrl-C
  and the progress bar are served) against ``Trainer.run`` in one call, for the seed linear
  regression and the sine preset's MLP;
* Ctrl-C latency: a real ``playground train`` subprocess with its stderr on a terminal gets
  SIGINT once its progress bar shows; the time from the signal to the process's exit, outputs
  (parameters, loss curve, session) written (median and max of several runs);
* saving and opening a session with a long loss history, finite and diverged (the non-finite
  numbers written as strings), in seconds (median of 3).

Run: ``python benchmarks/bench_cli.py [seconds per training case]`` (default 3).
"""

import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np

import engine  # noqa: F401  (first: one BLAS thread)
from playground import cli, io
from playground.presets import load_preset
from playground.trainer import Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def epochs_per_second(trains, preset, seconds, rounds=7):
    """Median epochs per second of each ``train(trainer, n)``, the runs interleaved round by round."""
    trainer = Trainer(preset.config, preset.points)
    trainer.run(50)  # warm up
    rates = [[] for _ in trains]
    for _ in range(rounds):
        for train, rate in zip(trains, rates):
            epochs, began = 0, time.perf_counter()
            while time.perf_counter() - began < seconds / rounds:
                epochs += train(trainer, 500)
            rate.append(epochs / (time.perf_counter() - began))
    return [statistics.median(rate) for rate in rates]


def in_one_call(trainer, n):
    before = trainer.epoch
    trainer.run(n)
    return trainer.epoch - before


def cli_loop(trainer, n):
    with open(os.devnull, "w") as quiet:
        return cli._train(trainer, n, quiet)


def ctrl_c_latency(preset, folder):
    terminal, child = pty.openpty()
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "train", "--preset", preset, "--epochs", "100000000"]
        + ["--export-params", "p.json", "--export-loss", "l.csv", "--save-session", "s.json"],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=child,
    )
    os.close(child)
    seen = b""
    while seen.count(b"epoch") < 3:  # a few chunks in: the chunk length has settled
        if select.select([terminal], [], [], 60)[0]:
            seen += os.read(terminal, 4096)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    while proc.poll() is None:
        if select.select([terminal], [], [], 0.01)[0]:
            try:
                os.read(terminal, 4096)
            except OSError:
                break
    proc.wait()
    latency = time.perf_counter() - sent
    os.close(terminal)
    assert proc.returncode == 130, proc.returncode
    return latency


def session_times(epochs, diverged, folder):
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(10)
    state = trainer.state_dict()
    # A long history without training that long: float32 losses, as full-batch epochs give.
    history = np.random.default_rng(0).random(epochs, dtype=np.float32).astype(np.float64).tolist()
    if diverged:  # the last tenth non-finite, as after a divergence kept running
        for i in range(epochs - epochs // 10, epochs):
            history[i] = float("inf") if i % 2 else float("nan")
    state["loss_history"], state["epoch"], state["edits"] = history, epochs, []
    path = os.path.join(folder, "s.json")
    began = time.perf_counter()
    io.save_session(path, trainer.points, state)
    saved = time.perf_counter() - began
    began = time.perf_counter()
    io.load_session(path)
    opened = time.perf_counter() - began
    return saved, opened, os.path.getsize(path)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    print("epochs per second, median of 7 interleaved rounds (Trainer.run in one call | playground train's loop)")
    for name in ("linear-regression", "sine"):
        preset = load_preset(name)
        one, loop = epochs_per_second([in_one_call, cli_loop], preset, seconds)
        print(f"  {name:<18} {one:10,.0f} | {loop:10,.0f}  ({100 * (loop / one - 1):+.1f}%)")

    print("Ctrl-C to exit, outputs written (ms, median / max of 5)")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("linear-regression", "sine"):
            times = [1000 * ctrl_c_latency(name, folder) for _ in range(5)]
            print(f"  {name:<18} {statistics.median(times):6.0f} / {max(times):6.0f}")

    print("session with a long loss history: save, open (s), size")
    with tempfile.TemporaryDirectory() as folder:
        for epochs in (100_000, 1_000_000):
            for diverged in (False, True):
                runs = [session_times(epochs, diverged, folder) for _ in range(3)]
                saved, opened, size = (statistics.median(column) for column in zip(*runs))
                kind = "diverged" if diverged else "finite"
                print(f"  {epochs:>9,} epochs, {kind:<8} {saved:6.2f} {opened:6.2f}  {size / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
