"""Time one training step of the engine, of PyTorch and of hand-written NumPy, each in its own process.

A step is what the playground's trainer does on every epoch: zero the gradients, run the model
forward, compute the loss, backward, and update the parameters. Two problems at N = 4, 1,000,
100,000 and 1,000,000 points, and the seed regression:

* linear regression: ``nn.Linear(1, 1)``, mean squared error, SGD (lr 0.01), y = 2x + 1 + noise;
* MLP: a 1→64→64→1 tanh network, mean squared error, Adam (lr 0.01), y = sin(x);
* seed regression: the README's program (4 points, ``X @ W + b``, ``torch.mean(... ** 2)``, SGD).

The engine and PyTorch run literally the same code (``lib`` is ``engine`` or ``torch``); the NumPy
column is the same model with its gradients and optimizer written out by hand. Each library runs in a
process of its own, so that one library's allocator state (memory it kept from an earlier problem)
cannot help or hurt another; the processes take turns, one timed run each, so that other work on the
machine weighs on every column alike. Everything runs on one thread (PyTorch with
``set_num_threads(1)``, BLAS through the usual environment variables). A figure is the median over
the runs of the time per step, in microseconds.

Before timing, a process checks the hand-written NumPy step against the engine: from the same
initial parameters they must give the same losses and parameters for a few steps.

Usage::

    python benchmarks/bench_engine.py            # full run (a few minutes)
    python benchmarks/bench_engine.py --quick    # fewer, shorter runs, N up to 100,000
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread for everyone, before NumPy or PyTorch load BLAS

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("engine", "torch", "numpy")
SIZES = (4, 1_000, 100_000, 1_000_000)


# ------------------------------------------------------------------------------------------ problems


class Problem:
    """A data set and a model shape: ``sizes`` from input to output, tanh between hidden layers."""

    def __init__(self, key, title, sizes, optimizer, lr):
        self.key, self.title, self.sizes, self.optimizer, self.lr = key, title, sizes, optimizer, lr

    def data(self, n):
        rng = np.random.default_rng(0)
        x = rng.uniform(-2, 2, (n, 1)).astype(np.float32)
        if self.key == "linear":
            y = 2 * x + 1 + rng.normal(0, 0.1, (n, 1)).astype(np.float32)
        else:
            y = np.sin(x)
        return x, y.astype(np.float32)

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


PROBLEMS = {
    "linear": Problem("linear", "linear regression, SGD", (1, 1), "SGD", 0.01),
    "mlp": Problem("mlp", "1→64→64→1 tanh MLP, Adam", (1, 64, 64, 1), "Adam", 0.01),
}


def make_library_step(lib, problem, n):
    """A ``step()`` closure for ``lib`` (engine or torch), and a function reading the parameters back."""
    layers = []
    for weight, bias in problem.initial_parameters():
        linear = lib.nn.Linear(weight.shape[1], weight.shape[0])
        with lib.no_grad():
            linear.weight.copy_(lib.tensor(weight))
            linear.bias.copy_(lib.tensor(bias))
        layers += [linear, lib.nn.Tanh()]
    model = lib.nn.Sequential(*layers[:-1])
    x_array, y_array = problem.data(n)
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


def make_numpy_step(problem, n):
    """The same model with its forward, backward and optimizer written out in float32 NumPy."""
    params = [a.copy() for pair in problem.initial_parameters() for a in pair]
    x, y = problem.data(n)
    count = np.float32(y.size)
    lr = np.float32(problem.lr)
    beta1, beta2, eps = np.float32(0.9), np.float32(0.999), np.float32(1e-8)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]

    def step():
        acts = [x]
        h = x
        for i in range(0, len(params), 2):
            w = params[i]
            h = (h * w.reshape(1, -1) if w.shape[1] == 1 else h @ w.T) + params[i + 1]
            if i + 2 < len(params):
                h = np.tanh(h)
            acts.append(h)
        diff = h - y
        loss = np.float32((diff * diff).sum() / count)
        grads = [None] * len(params)
        g = (2 / count) * diff
        for i in range(len(params) - 2, -1, -2):
            a_in = acts[i // 2]
            grads[i] = g.T @ a_in
            grads[i + 1] = g.sum(axis=0)
            if i:
                g = (g @ params[i]) * (1 - a_in * a_in)
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


def make_seed_step(lib):
    """The README's seed regression: 4 points, ``X @ W + b``, mean of squares, SGD with lr 0.001."""
    X = lib.tensor([[1.0], [2.0], [3.0], [4.0]])
    y = lib.tensor([[3.0], [5.0], [7.0], [9.0]])
    W = lib.tensor([[0.0]], requires_grad=True)
    b = lib.tensor([[0.0]], requires_grad=True)
    optimizer = lib.optim.SGD([W, b], lr=0.001)

    def step():
        optimizer.zero_grad()
        loss = lib.mean((X @ W + b - y) ** 2)
        loss.backward()
        optimizer.step()
        return loss

    return step


def make_seed_numpy_step():
    X = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
    y = np.array([[3.0], [5.0], [7.0], [9.0]], dtype=np.float32)
    W = np.zeros((1, 1), dtype=np.float32)
    b = np.zeros((1, 1), dtype=np.float32)
    lr = np.float32(0.001)

    def step():
        diff = X * W + b - y
        loss = (diff * diff).mean()
        g = (np.float32(2 / 4)) * diff
        W[...] -= lr * (X * g).sum()
        b[...] -= lr * g.sum()
        return loss

    return step


# ---------------------------------------------------------------------------------- worker processes


def _import(library):
    if library == "engine":
        sys.path.insert(0, str(ROOT))
        import engine
        import engine.nn
        import engine.optim

        return engine
    if library == "torch":
        import torch

        torch.set_num_threads(1)
        return torch
    return None


def make_step(library, case, n):
    lib = _import(library)
    if case == "seed":
        return make_seed_numpy_step() if lib is None else make_seed_step(lib)
    problem = PROBLEMS[case]
    return make_numpy_step(problem, n)[0] if lib is None else make_library_step(lib, problem, n)[0]


def worker(library, case, n, min_run_time):
    """Serve timed runs of ``library``'s step over stdin/stdout (see :func:`serve`)."""
    serve(make_step(library, case, n), min_run_time)


def serve(step, min_run_time):
    """Serve timed runs of ``step()``: ``run`` → seconds per step of one run; ``quit`` ends."""
    for _ in range(3):  # warm up: first-step allocations, optimizer state
        step()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= min_run_time / 4 or number >= 1 << 20:
            break
        number *= 2
    number = max(1, int(number * min_run_time / max(elapsed, 1e-9)))
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        for _ in range(number):
            step()
        print((time.perf_counter() - start) / number, flush=True)


def check_numpy_against_engine(steps=5):
    """The hand-written gradients and updates must follow the engine's trajectory."""
    lib = _import("engine")
    for problem in PROBLEMS.values():
        engine_step, engine_params = make_library_step(lib, problem, 200)
        numpy_step, numpy_params = make_numpy_step(problem, 200)
        for _ in range(steps):
            le, ln = float(engine_step().item()), float(numpy_step())
            if not np.isclose(le, ln, rtol=1e-4, atol=1e-6):
                raise AssertionError(f"{problem.title}: losses differ, engine {le} vs NumPy {ln}")
        for pe, pn in zip(engine_params(), numpy_params()):
            if not np.allclose(pe, pn.reshape(pe.shape), rtol=1e-3, atol=1e-5):
                raise AssertionError(f"{problem.title}: parameters differ after {steps} steps")
    seed_engine, seed_numpy = make_seed_step(lib), make_seed_numpy_step()
    for _ in range(steps):
        le, ln = float(seed_engine().item()), float(seed_numpy())
        if not np.isclose(le, ln, rtol=1e-5):
            raise AssertionError(f"seed regression: losses differ, engine {le} vs NumPy {ln}")
    print("ok")


def _spawn(*args):
    return subprocess.Popen(
        [sys.executable, __file__, *map(str, args)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def time_case(case, n, libraries, repeat, min_run_time):
    """Median seconds per step for each library, each in its own process, runs interleaved."""
    procs = {lib: _spawn("--worker", lib, case, n, min_run_time) for lib in libraries}
    try:
        for lib, proc in procs.items():
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the {lib} worker for {case} N={n} failed")
        runs = {lib: [] for lib in libraries}
        for _ in range(repeat):
            for lib, proc in procs.items():
                proc.stdin.write("run\n")
                proc.stdin.flush()
                runs[lib].append(float(proc.stdout.readline()))
    finally:
        for proc in procs.values():
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.close()
            proc.wait()
    return {lib: statistics.median(times) for lib, times in runs.items()}


def _torch_available():
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs; N up to 100,000")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (default 7, or 3 with --quick)")
    parser.add_argument("--sizes", type=str, default=None, help="comma-separated N (default 4,1000,100000,1000000)")
    parser.add_argument("--problems", type=str, default=None, help="comma-separated: linear, mlp, seed (default all)")
    parser.add_argument("--worker", nargs=4, metavar=("LIBRARY", "CASE", "N", "SECONDS"), help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        library, case, n, seconds = args.worker
        worker(library, case, int(n), float(seconds))
        return 0
    if args.check:
        check_numpy_against_engine()
        return 0

    repeat = args.repeat or (3 if args.quick else 7)
    min_run_time = 0.05 if args.quick else 0.25
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SIZES[:3] if args.quick else SIZES
    check = subprocess.run([sys.executable, __file__, "--check"], capture_output=True, text=True)
    if check.stdout.strip() != "ok":
        raise SystemExit(f"the NumPy reference does not follow the engine:\n{check.stderr}")
    libraries = LIBRARIES if _torch_available() else ("engine", "numpy")
    versions = subprocess.run(
        [sys.executable, "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"One training step (zero_grad, forward, loss, backward, optimizer step), µs per step, median of {repeat} "
        f"interleaved runs; each library in its own process, one thread. NumPy {versions}."
    )
    print()
    header = f"{'problem':<30} {'N':>9} {'engine':>10} {'PyTorch':>10} {'NumPy':>10} {'engine/PyTorch':>15} {'engine/NumPy':>13}"
    print(header)
    print("-" * len(header))
    chosen = args.problems.split(",") if args.problems else [*PROBLEMS, "seed"]
    cases = [(key, n) for key in PROBLEMS if key in chosen for n in sizes] + [("seed", 4)] * ("seed" in chosen)
    for key, n in cases:
        us = {lib: s * 1e6 for lib, s in time_case(key, n, libraries, repeat, min_run_time).items()}
        title = "seed regression (README)" if key == "seed" else PROBLEMS[key].title
        torch_us = us.get("torch")
        torch_text = f"{torch_us:10,.0f}" if torch_us else f"{'—':>10}"
        ratio = f"{us['engine'] / torch_us:15.2f}" if torch_us else f"{'—':>15}"
        print(
            f"{title:<30} {n:>9,} {us['engine']:10,.0f} {torch_text} {us['numpy']:10,.0f} {ratio} "
            f"{us['engine'] / us['numpy']:13.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
