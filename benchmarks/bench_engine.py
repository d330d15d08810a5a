"""Time one training step of the engine, of PyTorch and of hand-written NumPy gradients.

A step is what the playground's trainer does on every epoch: zero the gradients, run the model
forward, compute the loss, backward, and update the parameters. Three problems:

(a) the seed linear regression: 4 points, ``nn.Linear(1, 1)``, mean squared error, SGD (lr 0.001);
(b) a 1→32→32→1 tanh MLP on 256 points, mean squared error, Adam;
(c) a 2→64→64→1 tanh MLP on 1,000 points, mean squared error, Adam.

The engine and PyTorch run literally the same code (``lib`` is ``engine`` or ``torch``); the NumPy
column is the same model with its gradients and optimizer written out by hand, the floor a NumPy
implementation can reach. Everything runs on one thread (PyTorch with ``set_num_threads(1)``,
NumPy's BLAS through the usual environment variables). Each figure is the median, over several
runs of many steps, of the time per step (``timeit``-style), in microseconds; the three columns'
runs are interleaved so that other work on the machine weighs on all of them alike.

Before timing, the NumPy implementation is checked against the engine: the same initial
parameters must give the same losses and parameters after a few steps.

Usage::

    python benchmarks/bench_engine.py            # full run (about a minute)
    python benchmarks/bench_engine.py --quick    # fewer, shorter runs
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread for everyone, before NumPy or PyTorch load BLAS

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine
import engine.nn
import engine.optim

try:
    import torch
except ImportError:  # PyTorch is optional: its column is left empty
    torch = None
else:
    torch.set_num_threads(1)


# ------------------------------------------------------------------------------------------ problems


class Problem:
    """A data set and a model shape: ``sizes`` from input to output, tanh between hidden layers."""

    def __init__(self, key, title, sizes, n_points, optimizer, lr):
        self.key, self.title, self.sizes, self.n_points = key, title, sizes, n_points
        self.optimizer, self.lr = optimizer, lr

    def data(self):
        if self.n_points == 4:  # the tutorial's points on y = 2x + 1
            x = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
            return x, 2 * x + 1
        rng = np.random.default_rng(0)
        x = rng.uniform(-2, 2, (self.n_points, self.sizes[0])).astype(np.float32)
        y = np.sin(x.sum(axis=1, keepdims=True)).astype(np.float32)
        return x, y

    def initial_parameters(self):
        """(weight, bias) per layer, PyTorch's layout and default uniform initialisation range."""
        rng = np.random.default_rng(1)
        params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            bound = 1 / np.sqrt(n_in)
            params.append(
                (
                    rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                    rng.uniform(-bound, bound, (n_out,)).astype(np.float32),
                )
            )
        return params


PROBLEMS = [
    Problem("a", "seed linear regression, 4 points, SGD", (1, 1), 4, "SGD", 0.001),
    Problem("b", "1-32-32-1 tanh MLP, 256 points, Adam", (1, 32, 32, 1), 256, "Adam", 0.01),
    Problem("c", "2-64-64-1 tanh MLP, 1,000 points, Adam", (2, 64, 64, 1), 1000, "Adam", 0.01),
]


# ------------------------------------------------------------------------------- engine and PyTorch


def make_library_step(lib, problem):
    """A ``step()`` closure for ``lib`` (engine or torch), and a function reading the parameters back."""
    layers = []
    for weight, bias in problem.initial_parameters():
        linear = lib.nn.Linear(weight.shape[1], weight.shape[0])
        with lib.no_grad():
            linear.weight.copy_(lib.tensor(weight))
            linear.bias.copy_(lib.tensor(bias))
        layers += [linear, lib.nn.Tanh()]
    model = lib.nn.Sequential(*layers[:-1])
    x_array, y_array = problem.data()
    x, y = lib.tensor(x_array), lib.tensor(y_array)
    loss_fn = lib.nn.MSELoss()
    optimizer = getattr(lib.optim, problem.optimizer)(model.parameters(), lr=problem.lr)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    def parameters():
        return [p.detach().numpy().copy() for p in model.parameters()]

    return step, parameters


# ------------------------------------------------------------------------------ hand-written NumPy


def make_numpy_step(problem):
    """The same model with its forward, backward and optimizer written out in float32 NumPy."""
    params = [a.copy() for pair in problem.initial_parameters() for a in pair]
    x, y = problem.data()
    n = np.float32(y.size)
    lr = np.float32(problem.lr)
    beta1, beta2, eps = np.float32(0.9), np.float32(0.999), np.float32(1e-8)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]

    def step():
        # forward, keeping each layer's activation
        acts = [x]
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = np.tanh(h)
            acts.append(h)
        diff = h - y
        loss = np.float32((diff * diff).sum() / n)
        # backward
        grads = [None] * len(params)
        g = (2 / n) * diff
        for i in range(len(params) - 2, -1, -2):
            a_in = acts[i // 2]
            grads[i] = g.T @ a_in
            grads[i + 1] = g.sum(axis=0)
            if i:
                g = (g @ params[i]) * (1 - a_in * a_in)
        # update
        if problem.optimizer == "SGD":
            for p, gp in zip(params, grads):
                p -= lr * gp
        else:
            t[0] += 1
            c1, c2 = 1 - beta1 ** t[0], 1 - beta2 ** t[0]
            for p, gp, mp, vp in zip(params, grads, m, v):
                mp *= beta1
                mp += (1 - beta1) * gp
                vp *= beta2
                vp += (1 - beta2) * gp * gp
                p -= (lr / c1) * mp / (np.sqrt(vp / c2) + eps)
        return loss

    return step, lambda: [p.copy() for p in params]


# ----------------------------------------------------------------------------------------- timing


def _calibrate(step, min_run_time):
    """Steps per run so that one run lasts about ``min_run_time`` seconds (as ``timeit`` chooses)."""
    for _ in range(20):  # warm up (first-step allocations, optimizer state)
        step()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= min_run_time / 5:
            break
        number *= 2
    return max(1, int(number * min_run_time / max(elapsed, 1e-9)))


def time_per_step(steps, repeat, min_run_time):
    """Median seconds per step of each of ``steps`` (a dict of name → step function).

    The runs are interleaved (one run of each, ``repeat`` times over), so that other work on the
    machine slows every column alike instead of whichever happened to be running.
    """
    numbers = {name: _calibrate(step, min_run_time) for name, step in steps.items()}
    runs = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            number = numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                step()
            runs[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(times) for name, times in runs.items()}


def check_numpy_against_engine(problem, steps=5):
    """The hand-written gradients and updates must follow the engine's trajectory."""
    engine_step, engine_params = make_library_step(engine, problem)
    numpy_step, numpy_params = make_numpy_step(problem)
    for _ in range(steps):
        le, ln = float(engine_step().item()), float(numpy_step())
        if not np.isclose(le, ln, rtol=1e-4, atol=1e-6):
            raise AssertionError(f"{problem.title}: losses differ, engine {le} vs NumPy {ln}")
    for pe, pn in zip(engine_params(), numpy_params()):
        if not np.allclose(pe, pn.reshape(pe.shape), rtol=1e-3, atol=1e-5):
            raise AssertionError(f"{problem.title}: parameters differ after {steps} steps")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (a rough figure in seconds)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (default 9, or 3 with --quick)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 9)
    min_run_time = 0.05 if args.quick else 0.2

    for problem in PROBLEMS:
        check_numpy_against_engine(problem)

    print(
        f"One training step (zero_grad, forward, loss, backward, optimizer step), µs per step, median of {repeat} "
        f"runs; one thread."
    )
    print(
        f"engine {engine.__version__}, NumPy {np.__version__}, "
        + (f"PyTorch {torch.__version__} (CPU)" if torch else "PyTorch not installed")
    )
    print()
    header = f"{'problem':<42} {'engine':>9} {'PyTorch':>9} {'NumPy':>9} {'engine/PyTorch':>15}"
    print(header)
    print("-" * len(header))
    for problem in PROBLEMS:
        steps = {"engine": make_library_step(engine, problem)[0], "numpy": make_numpy_step(problem)[0]}
        if torch:
            steps["torch"] = make_library_step(torch, problem)[0]
        us = {name: seconds * 1e6 for name, seconds in time_per_step(steps, repeat, min_run_time).items()}
        engine_us, numpy_us, torch_us = us["engine"], us["numpy"], us.get("torch")
        torch_text = f"{torch_us:9.1f}" if torch_us else f"{'—':>9}"
        ratio = f"{engine_us / torch_us:15.2f}" if torch_us else f"{'—':>15}"
        print(f"({problem.key}) {problem.title:<38} {engine_us:9.1f} {torch_text} {numpy_us:9.1f} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
