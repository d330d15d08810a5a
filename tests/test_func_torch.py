"""engine.func against torch.func: functional_call, and stacked_call against vmap over functional_call.

Each model is built in both libraries with the same weights. ``stacked_call`` evaluates a stack of
parameter sets in one forward pass; PyTorch computes the same with ``torch.func.vmap``. Values agree
within float32 rounding (the batched matrix products add in another order); the errors of
``functional_call`` are PyTorch's, word for word.
"""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import engine  # noqa: E402
from engine.func import functional_call, stacked_call  # noqa: E402

torch.set_num_threads(1)

CLOSE = dict(rtol=2e-6, atol=2e-6)


def arr(t):
    return t.detach().numpy()


def mlp(lib, widths, activation="Tanh"):
    layers = []
    for a, b in itertools.pairwise(widths):
        layers += [lib.nn.Linear(a, b), getattr(lib.nn, activation)()]
    return lib.nn.Sequential(*layers[:-1])


def same_weights(torch_model, engine_model):
    engine_model.load_state_dict({k: engine.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})


def pair(widths=(1, 8, 8, 1), activation="Tanh", seed=0):
    torch.manual_seed(seed)
    t = mlp(torch, widths, activation)
    e = mlp(engine, widths, activation)
    same_weights(t, e)
    return t, e


# ---------------------------------------------------------------------------------------------- functional_call


def test_functional_call_uses_the_given_tensors_and_leaves_the_module_alone():
    t, e = pair()
    x = np.linspace(-2, 2, 9, dtype=np.float32).reshape(-1, 1)
    rng = np.random.default_rng(1)
    given = {"0.weight": rng.standard_normal((8, 1)).astype(np.float32), "2.bias": np.float32([0.5] * 8)}
    before = {k: v.numpy().copy() for k, v in e.state_dict().items()}
    outs = {}
    grads = {}
    for lib, model in ((torch, t), (engine, e)):
        tensors = {k: lib.tensor(v, requires_grad=True) for k, v in given.items()}
        out = (
            functional_call(model, tensors, lib.tensor(x))
            if lib is engine
            else torch.func.functional_call(model, tensors, torch.tensor(x))
        )
        out.sum().backward()
        outs[lib] = arr(out)
        grads[lib] = {k: arr(v.grad) for k, v in tensors.items()}
        # The gradient went to the given tensors, not to the parameters they stood in for.
        assert model[0].weight.grad is None and model[2].bias.grad is None
        assert model[2].weight.grad is not None
    np.testing.assert_allclose(outs[engine], outs[torch], **CLOSE)
    for k in given:
        np.testing.assert_allclose(grads[engine][k], grads[torch][k], **CLOSE)
    for k, v in e.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    assert isinstance(e[0].weight, engine.nn.Parameter)


def call_case(case, lib, model, call):
    x = lib.ones(3, 2)
    w = lib.ones(1, 2)
    if case == "missing-strict":
        return call(model, {"0.weight": w}, x, strict=True)
    if case == "unexpected-strict":
        return call(model, {"0.weight": w, "0.bias": lib.zeros(1), "foo": w}, x, strict=True)
    if case == "twice":
        return call(model, ({"0.weight": w}, {"0.weight": w}), x)
    if case == "not-a-tensor":
        return call(model, {"0.weight": 3}, x)
    if case == "not-a-dict":
        return call(model, 5, x)
    if case == "unknown-name":
        return call(model, {"0.weight": w, "foo": w}, (x,))
    return call(model, [{"0.weight": w}, {"0.bias": lib.zeros(1)}], args=(), kwargs={"input": x})


@pytest.mark.parametrize(
    "case",
    ["missing-strict", "unexpected-strict", "twice", "not-a-tensor", "not-a-dict", "unknown-name", "list-of-dicts"],
)
def test_functional_call_arguments_and_errors_match_pytorch(case):
    t, e = pair((2, 1), seed=3)
    results = {}
    for lib, model, call in ((torch, t, torch.func.functional_call), (engine, e, functional_call)):
        try:
            results[lib] = arr(call_case(case, lib, model, call)).tolist()
        except Exception as exc:
            results[lib] = type(exc).__name__, str(exc).replace("torch.", "engine.")
    if case == "not-a-dict":
        assert results[engine][0] == results[torch][0]  # the text names the library's own types
    else:
        assert results[engine] == results[torch]
    assert not hasattr(e, "foo")


def tied(lib):
    class Tied(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.nn.Linear(2, 2, bias=False)
            self.b = lib.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    return Tied()


@pytest.mark.parametrize(
    "given, tie_weights",
    [
        ({"a.weight": 2}, True),
        ({"a.weight": 2}, False),
        ({"a.weight": 2, "b.weight": 4}, False),
        ({"a.weight": 2, "b.weight": 4}, True),
    ],
)
def test_functional_call_replaces_tied_parameters_together(given, tie_weights):
    torch.manual_seed(0)
    models = {torch: tied(torch), engine: tied(engine)}
    same_weights(models[torch], models[engine])
    results = {}
    for lib, call in ((torch, torch.func.functional_call), (engine, functional_call)):
        tensors = {name: lib.tensor(np.eye(2, dtype=np.float32) * k) for name, k in given.items()}
        try:
            results[lib] = arr(call(models[lib], tensors, lib.ones(1, 2), tie_weights=tie_weights)).tolist()
        except ValueError as exc:
            results[lib] = type(exc).__name__, str(exc)
    if isinstance(results[torch], tuple):  # an error
        assert results[engine] == results[torch]
    else:
        np.testing.assert_allclose(results[engine], results[torch], **CLOSE)


# ---------------------------------------------------------------------------------------------- stacked_call


def stack_of(base, rng, size, entries):
    """``size`` copies of ``base`` with ``entries`` (index tuples) set to random values."""
    values = np.repeat(base[None], size, axis=0)
    for index in entries:
        values[(slice(None), *index)] = rng.standard_normal(size).astype(np.float32)
    return values


@pytest.mark.parametrize(
    "names",
    [
        ("0.weight",),
        ("2.bias",),
        ("0.weight", "4.weight"),
        ("2.weight", "2.bias"),
        ("0.bias", "4.bias"),
    ],
)
def test_stacked_call_of_an_mlp_matches_vmap_over_functional_call(names):
    t, e = pair((1, 6, 5, 1))
    rng = np.random.default_rng(len(names))
    x = rng.uniform(-2, 2, (11, 1)).astype(np.float32)
    size = 7
    stacked = {}
    for name in names:
        base = t.state_dict()[name].numpy()
        stacked[name] = stack_of(base, rng, size, [tuple(0 for _ in base.shape), tuple(s - 1 for s in base.shape)])
    expected = torch.func.vmap(lambda p: torch.func.functional_call(t, p, (torch.tensor(x),)))(
        {k: torch.tensor(v) for k, v in stacked.items()}
    )
    with engine.no_grad():
        got = stacked_call(e, {k: engine.tensor(v) for k, v in stacked.items()}, engine.tensor(x))
    assert tuple(got.shape) == tuple(expected.shape) == (size, 11, 1)
    np.testing.assert_allclose(arr(got), arr(expected), **CLOSE)


class LinesModel:
    """The app's linear model, x @ w + b, in either library (a module that broadcasts by itself)."""

    @staticmethod
    def build(lib):
        class Line(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.tensor([[0.5]]))
                self.b = lib.nn.Parameter(lib.tensor([[-1.0]]))

            def forward(self, x):
                return x @ self.w + self.b

        return Line()


def test_stacked_call_of_a_broadcasting_module_matches_vmap_and_its_gradients_too():
    t, e = LinesModel.build(torch), LinesModel.build(engine)
    x = np.float32([[1], [2], [3], [4]])
    w = np.float32([1, 2, 3]).reshape(3, 1, 1)
    expected = torch.func.vmap(lambda w: torch.func.functional_call(t, {"w": w}, (torch.tensor(x),)))(torch.tensor(w))
    stack = engine.tensor(w, requires_grad=True)
    got = stacked_call(e, {"w": stack}, engine.tensor(x))
    np.testing.assert_array_equal(arr(got), arr(expected))
    got.sum().backward()
    np.testing.assert_array_equal(stack.grad.numpy().reshape(-1), [10.0, 10.0, 10.0])  # sum of x for each member
    assert e.w.grad is None


def test_stacked_call_of_a_single_linear_layer():
    torch.manual_seed(4)
    t = torch.nn.Linear(3, 2)
    e = engine.nn.Linear(3, 2)
    same_weights(t, e)
    rng = np.random.default_rng(4)
    weights = rng.standard_normal((5, 2, 3)).astype(np.float32)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    expected = torch.func.vmap(lambda w: torch.func.functional_call(t, {"weight": w}, (torch.tensor(x),)))(
        torch.tensor(weights)
    )
    got = stacked_call(e, {"weight": engine.tensor(weights)}, engine.tensor(x))
    np.testing.assert_allclose(arr(got), arr(expected), **CLOSE)


def test_stacked_call_refuses_what_it_cannot_stack():
    _, e = pair((1, 3, 1))
    x = engine.ones(4, 1)
    with pytest.raises(ValueError, match="different sizes"):
        stacked_call(e, {"0.weight": engine.zeros(2, 3, 1), "2.bias": engine.zeros(3, 1)}, x)
    with pytest.raises(ValueError, match=r"must have shape \(B, 3, 1\)"):
        stacked_call(e, {"0.weight": engine.zeros(2, 1, 3)}, x)
    with pytest.raises(ValueError, match="no parameter or buffer 'foo'"):
        stacked_call(e, {"foo": engine.zeros(2, 1)}, x)
    with pytest.raises(ValueError, match="nothing is stacked"):
        stacked_call(e, {}, x)

    class Summing(engine.nn.Module):  # reduces over everything: the stack is lost
        def __init__(self):
            super().__init__()
            self.w = engine.nn.Parameter(engine.ones(1, 1))

        def forward(self, x):
            return (x @ self.w).sum()

    with pytest.raises(ValueError, match="one output per member"):
        stacked_call(Summing(), {"w": engine.ones(3, 1, 1)}, x)
    before = [p.detach().numpy().copy() for p in e.parameters()]
    assert [type(m).__name__ for m in e.modules()] == ["Sequential", "Linear", "Tanh", "Linear"]
    assert all(np.array_equal(a, p.detach().numpy()) for a, p in zip(before, e.parameters()))
