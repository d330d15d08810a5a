"""PyTorch's autograd semantics beyond single ops, checked against torch itself.

In-place gradient accumulation (``.grad`` keeps its identity), version counters and their error texts,
in-place ops on leaves and views of leaves, tensor hooks, ``create_graph`` for second derivatives and
user-defined ``autograd.Function``s. Each scenario is written once as ``fn(lib)`` and run with the
engine and with torch: the printed results (or the error texts) must be the same.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]


def _outcome(fn, lib):
    """What ``fn(lib)`` returns, as text, or its error (type and message)."""
    try:
        return re.sub(r"0x[0-9a-f]+", "0x...", repr(fn(lib))).replace("torch.", "engine.")
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def same_as_torch(fn):
    engine_out, torch_out = _outcome(fn, engine), _outcome(fn, torch)
    assert engine_out == torch_out
    return engine_out


# ------------------------------------------------------------------------- gradient accumulation


def test_seed_000_training_loop_runs_epoch_after_epoch():
    x, y = engine.tensor(1.0), engine.tensor(2.0)
    w = engine.tensor(1.0, requires_grad=True)
    for _ in range(3):
        loss = (w * x - y) ** 2
        loss.backward()
        with engine.no_grad():
            w -= 0.01 * w.grad
        w.grad.zero_()
    # w ← w + 0.02·(2 − w) each epoch: 1.02, 1.0396, 1.058808
    assert abs(w.item() - 1.058808) < 1e-6 and w.grad.item() == 0.0


def _accumulate(lib, shape):
    p = lib.tensor(np.arange(1.0, 1.0 + np.prod(shape, dtype=int)).reshape(shape), requires_grad=True)
    (p * p).sum().backward()
    first = p.grad
    kept = first.clone()
    (3 * p).sum().backward()
    same = p.grad is first
    p.grad.zero_()
    (p * 2).sum().backward()
    return same, kept.tolist(), p.grad.tolist(), first.tolist()


@pytest.mark.parametrize("shape", [(), (3,), (2, 2)])
def test_gradient_accumulates_in_place_and_keeps_its_identity(shape):
    same, first_values, after, first_now = _accumulate(engine, shape)
    assert same
    assert after == first_now  # the tensor held before is the one that changed
    assert (same, first_values, after) == _accumulate(torch, shape)[:3]


def test_first_gradient_is_a_fresh_tensor():
    for lib in (engine, torch):
        upstream = lib.ones(3)
        p = lib.zeros(3, requires_grad=True)
        (p + 0).backward(upstream)
        p.grad.add_(1)
        assert upstream.tolist() == [1.0, 1.0, 1.0]


# ------------------------------------------------------------------------------- version counters


def _versions(lib):
    a = lib.tensor([1.0, 2.0])
    out = [a._version]
    a.add_(1)
    a.mul_(2)
    a[0] = 3.0
    a.zero_()
    a.copy_(lib.ones(2))
    a += 1
    out.append(a._version)
    p = lib.tensor([1.0], requires_grad=True)
    with lib.no_grad():
        p.sub_(0.5)
    out.append(p._version)
    return out


def test_in_place_ops_bump_the_version():
    assert same_as_torch(_versions) == "[0, 6, 1]"


SCENARIOS = {
    "output of sigmoid modified (the brief's example)": "y = x.sigmoid(); z = y * 3; y.mul_(2); z.sum().backward()",
    "input saved by mul modified": "y = x * 2; z = y * y; y.add_(2); z.sum().backward()",
    "input of exp modified (exp saves its output)": "y = x * 2; z = y.exp(); y.add_(2); z.sum().backward()",
    "output of tanh modified under no_grad": "y = x.tanh(); z = y * 1\nwith lib.no_grad(): y.mul_(2)\nz.sum().backward()",
    "leaf modified under no_grad after use": "z = (x * x).sum()\nwith lib.no_grad(): x.add_(1)\nz.backward()",
    "data modified after use": "d = lib.ones(3, 2); z = (x * d).sum(); d.add_(1); z.backward()",
    "weight updated where no gradient needs it": "d = lib.ones(3, 2); z = (x * d).sum()\nwith lib.no_grad(): x.add_(1)\nz.backward()",
    "0-d": "x = lib.tensor(2.0, requires_grad=True); y = x * 1; z = y * y; y.add_(1); z.backward()",
    "float64 matrix product": "y = x.double() * 1; z = y @ lib.ones(2, 2, dtype=lib.float64); y.add_(1); z.sum().backward()",
    "setitem after use": "y = x * 1; z = (y * y).sum(); y[0, 0] = 5.0; z.backward()",
    "leaf in-place": "x.add_(1)",
    "leaf zero_": "x.zero_()",
    "leaf copy_": "x.copy_(lib.ones(3, 2))",
    "view of a leaf, in-place": "x[0].add_(1)",
    "view of a leaf, setitem": "x[0] = 1.0",
    "reshaped leaf, in-place": "x.view(6).mul_(2)",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_in_place_errors_match_pytorch(scenario):
    def run(lib):
        x = lib.tensor([[0.5, -1.0], [2.0, 0.25], [1.5, -0.75]], requires_grad=True)
        namespace = {"lib": lib, "x": x}
        exec(SCENARIOS[scenario], namespace)
        return None if x.grad is None else np.round(x.grad.numpy(), 5).tolist()

    same_as_torch(run)


def test_in_place_op_in_the_graph_differentiates_the_value_before():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, -1.0], requires_grad=True)
        y = x * 1
        y.mul_(w)  # d(x·w)/dx = w, d/dw = x
        y.add_(x)
        (y * y).sum().backward()
        return y.grad_fn.name(), x.grad.tolist(), w.grad.tolist()

    same_as_torch(run)


# ------------------------------------------------------------------------------------------ hooks


def _hooks(lib):
    log = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    h1 = y.register_hook(lambda g: log.append(("y", g.tolist())))
    y.register_hook(lambda g: g * 10)
    hx = x.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    result = [y.grad.tolist(), x.grad.tolist()]
    h1.remove()
    hx.remove()
    x.grad = None
    (x * 3).sum().backward()
    result.append(x.grad.tolist())
    return result, log


def test_hooks_see_and_replace_gradients():
    # y = 2x, L = Σy²: ∂L/∂y = 2y = [4, 8], seen by the first hook, ×10 by the second (and so in y.grad);
    # x.grad = 2·[40, 80] + 1 from x's hook; after removing the hooks, (3x).sum() gives [3, 3].
    assert same_as_torch(_hooks) == "([[40.0, 80.0], [81.0, 161.0], [3.0, 3.0]], [('y', [4.0, 8.0])])"


def test_hook_on_a_tensor_without_grad():
    same_as_torch(lambda lib: lib.ones(2).register_hook(lambda g: g))


def test_handle_works_as_a_context_manager():
    x = engine.tensor([1.0], requires_grad=True)
    with x.register_hook(lambda g: g * 0):
        (x * 2).sum().backward()
    assert x.grad.tolist() == [0.0]
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0]


# ----------------------------------------------------------------------------- second derivatives


def _second(lib):
    x = lib.tensor(2.0, requires_grad=True)
    (dy,) = lib.autograd.grad(x**3, x, create_graph=True)
    (d2y,) = lib.autograd.grad(dy, x)
    return dy, d2y


def test_second_derivative_of_a_cube():
    # d/dx x³ = 3x² = 12 and d²/dx² x³ = 6x = 12 at x = 2.
    assert same_as_torch(_second) == "(tensor(12., grad_fn=<MulBackward0>), tensor(12.))"


def _hessian_vector(lib):
    lib.manual_seed(0)
    w = lib.tensor([[0.5, -1.0], [0.25, 2.0]], requires_grad=True)
    x = lib.tensor([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.7]])
    loss = ((x @ w).tanh() ** 2).mean()
    (g,) = lib.autograd.grad(loss, w, create_graph=True)
    (g * lib.tensor([[1.0, 0.0], [0.0, 1.0]])).sum().backward()
    return np.round(g.detach().numpy(), 5).tolist(), np.round(w.grad.numpy(), 5).tolist()


def test_hessian_vector_product_through_a_layer():
    same_as_torch(_hessian_vector)


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = engine.tensor([1.0, 3.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (g2,) = engine.autograd.grad(x.grad.sum(), x)
    assert g2.tolist() == [6.0, 18.0]


# ------------------------------------------------------------------------- user-defined functions

LEGENDRE = '''
    import math

    import {lib} as torch


    class LegendrePolynomial3(torch.autograd.Function):
        """P3(x) = ½(5x³ − 3x), with its derivative 1.5(5x² − 1) written by hand."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)


    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 50, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)

    def r(v):
        return f"{{round(v, 3) + 0.0:.3f}}"


    learning_rate = 5e-4
    P3 = LegendrePolynomial3.apply
    for t in range(300):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, f"{{loss.item():.3f}}")
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    print(type(y_pred.grad_fn).__name__, y_pred.grad_fn.next_functions[1][0].next_functions[1][0].name())
    print(P3(x[:2]))
    print(f"Result: y = {{r(a.item())}} + {{r(b.item())}} * P3({{r(c.item())}} + {{r(d.item())}} x)")
'''


def _run_program(lib, tmp_path):
    script = tmp_path / f"legendre_{lib}.py"
    script.write_text(textwrap.dedent(LEGENDRE.format(lib=lib)), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(ROOT)}
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_legendre_polynomial_function_prints_what_torch_prints(tmp_path):
    engine_out = _run_program("engine", tmp_path)
    torch_out = _run_program("torch", tmp_path)
    assert engine_out.replace("engine.", "torch.") == torch_out
    assert "LegendrePolynomial3Backward" in engine_out


class Cube(engine.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        ctx.seen_needs = ctx.needs_input_grad
        return scale * x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.scale * 3 * x**2, None


def test_user_function_node_contract():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert type(y.grad_fn).__name__ == "CubeBackward" and y.grad_fn.name() == "CubeBackward"
    assert re.fullmatch(
        r"<engine\.autograd\.function\.CubeBackward object at 0x[0-9a-f]+>|<CubeBackward object at 0x[0-9a-f]+>",
        repr(y.grad_fn),
    )
    assert y.grad_fn.seen_needs == (True, False)
    assert repr(y) == "tensor([ 2., 16.], grad_fn=<CubeBackward>)"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()
    with engine.no_grad():
        assert Cube.apply(x, 1.0).grad_fn is None


def test_user_function_is_traced_like_a_built_in_op():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    loss = (Cube.apply(x * 1, 2.0) - 1).sum()
    loss.backward()
    trace = engine.graph.trace(loss, names={x: "x"})
    node = next(n for n in trace.nodes if n.op == "CubeBackward")
    assert node.label == "Cube"
    (edge,) = trace.edges_into(node.id)
    np.testing.assert_array_equal(edge.local_grad, [6.0, 24.0])  # 2·3x²
    np.testing.assert_array_equal(edge.contribution, [6.0, 24.0])


def test_user_function_second_derivative_and_non_differentiable_output():
    class Square(engine.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    class Sign(engine.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.sign()
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, grad):  # pragma: no cover - never called
            raise AssertionError

    x = engine.tensor(3.0, requires_grad=True)
    (g,) = engine.autograd.grad(Square.apply(x), x, create_graph=True)
    (g2,) = engine.autograd.grad(g, x)
    assert (g.item(), g2.item()) == (6.0, 2.0)
    assert not Sign.apply(x).requires_grad


def test_user_function_wrong_number_of_gradients():
    def run(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, grad):
                return grad

        a = lib.tensor([1.0], requires_grad=True)
        Bad.apply(a, a).sum().backward()

    same_as_torch(run)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_optimizer_step_counts_as_an_in_place_change(name):
    def run(lib):
        w = lib.tensor([[0.5, -1.0]], requires_grad=True)
        b = lib.tensor([0.25], requires_grad=True)
        optimizer = getattr(lib.optim, name)([w, b], lr=0.1)
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        loss = ((x @ w.T + b) ** 2).mean()
        loss.backward(retain_graph=True)
        optimizer.step()
        versions = (w._version, b._version)
        loss.backward()  # w was saved by the matrix product and has changed since
        return versions

    same_as_torch(run)
