"""One step of the 1→64→64→1 tanh MLP with Adam written straight in NumPy, as lean as we know how.

Every buffer is allocated once, every elementwise operation is done in place, a bias's gradient is
one BLAS call, and there is no autograd and no Python object per step: what an engine built on
NumPy would take if its bookkeeping cost nothing. It is compared with the engine and PyTorch, each
in a process of its own, interleaved, one thread each; figures are medians in µs per step.

Run: ``python benchmarks/bench_lean_numpy.py [N ...]`` (default 1,000 and 100,000).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_engine import PROBLEMS, _import, _spawn, make_library_step, serve


def make_lean_step(n):
    problem = PROBLEMS["mlp"]
    (w1, b1), (w2, b2), (w3, b3) = problem.initial_parameters()
    x, y = problem.data(n)
    f = np.float32
    params = [w1, b1, w2, b2, w3, b3]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    h1, h2, scratch, g = (np.empty((n, 64), f) for _ in range(4))
    out = np.empty((n, 1), f)
    ones = np.ones((1, n), f)  # a bias's gradient, the sum over the rows, as one BLAS call
    count = [0]

    def step():
        np.multiply(x, w1.reshape(1, -1), out=h1)  # an inner dimension of 1: a broadcast product
        np.add(h1, b1, out=h1)
        np.tanh(h1, out=h1)
        np.matmul(h1, w2.T, out=h2)
        np.add(h2, b2, out=h2)
        np.tanh(h2, out=h2)
        np.matmul(h2, w3.T, out=out)
        np.add(out, b3, out=out)
        np.subtract(out, y, out=out)
        loss = np.dot(out.ravel(), out.ravel()) / f(n)
        np.multiply(out, f(2 / n), out=out)
        grads = [None] * 6
        grads[4], grads[5] = out.T @ h2, (ones @ out).reshape(-1)
        np.multiply(out, w3, out=g)
        np.multiply(h2, h2, out=scratch)
        np.subtract(1, scratch, out=scratch)
        np.multiply(g, scratch, out=g)
        grads[2], grads[3] = g.T @ h1, (ones @ g).reshape(-1)
        np.matmul(g, w2, out=h2)  # h2 is free again: the gradient at the first layer's output
        np.multiply(h1, h1, out=scratch)
        np.subtract(1, scratch, out=scratch)
        np.multiply(h2, scratch, out=h2)
        grads[0], grads[1] = h2.T @ x, (ones @ h2).reshape(-1)
        count[0] += 1
        c1, c2 = 1 - f(0.9) ** count[0], 1 - f(0.999) ** count[0]
        for p, gp, mp, vp in zip(params, grads, m, v):
            mp *= f(0.9)
            mp += f(0.1) * gp
            vp *= f(0.999)
            vp += f(0.001) * gp * gp
            p -= (f(0.01) / c1) * mp / (np.sqrt(vp / c2) + f(1e-8))
        return loss

    return step


def check(steps=5, n=200):
    """The lean step computes the engine's: the same losses, step after step."""
    engine_step, _ = make_library_step(_import("engine"), PROBLEMS["mlp"], n)
    lean_step = make_lean_step(n)
    for i in range(steps):
        expected, got = float(engine_step().item()), float(lean_step())
        if not np.isclose(expected, got, rtol=1e-4, atol=1e-6):
            raise SystemExit(f"the lean NumPy step does not follow the engine at step {i}: {got} vs {expected}")


def main(argv):
    if argv and argv[0] == "--lean-worker":
        serve(make_lean_step(int(argv[1])), float(argv[2]))
        return 0
    check()
    sizes = [int(a) for a in argv] or [1_000, 100_000]
    print("1→64→64→1 tanh MLP, Adam: µs per step, median of 7 interleaved runs, one thread each")
    print(f"{'N':>9} {'lean NumPy':>12} {'engine':>10} {'PyTorch':>10} {'NumPy/PyTorch':>14} {'engine/PyTorch':>15}")
    for n in sizes:
        procs = {
            "lean": subprocess.Popen(
                [sys.executable, __file__, "--lean-worker", str(n), "0.25"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            ),
            "engine": _spawn("--worker", "engine", "mlp", n, 0.25),
            "torch": _spawn("--worker", "torch", "mlp", n, 0.25),
        }
        for name, proc in procs.items():
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit(f"the {name} worker failed")
        runs = {name: [] for name in procs}
        for _ in range(7):
            for name, proc in procs.items():
                proc.stdin.write("run\n")
                proc.stdin.flush()
                runs[name].append(float(proc.stdout.readline()))
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
        lean, engine, torch = (statistics.median(runs[name]) * 1e6 for name in ("lean", "engine", "torch"))
        print(
            f"{n:>9,} {lean:12,.0f} {engine:10,.0f} {torch:10,.0f} {lean / torch:14.2f} {engine / torch:15.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
