"""engine.nn against PyTorch: layers, losses, modules, errors and a training run, same weights in both.

Each case is written once as ``fn(lib, ...)`` and run with ``lib = torch`` and ``lib = engine``;
texts are compared as they are (the engine prints PyTorch's names), object addresses aside. Exactness: MSE and L1 gradients are bit-for-bit PyTorch's;
other values agree within a few float32 ulps (PyTorch's log, exp and reductions are vectorised
differently from NumPy's), which is what the tolerances allow.

Skipped where PyTorch is not installed (a test-only extra).
"""

import re
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import engine  # noqa: E402

torch.set_num_threads(1)

ULPS = dict(rtol=1e-6, atol=1e-7)


def normalise(text):
    return re.sub(r"0x[0-9a-fA-F]+", "0x...", str(text))


def arr(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t._data


def graph(fn):
    """The backward graph below ``fn`` as nested (name, inputs) tuples, AccumulateGrad named alike."""
    if fn is None:
        return None
    name = fn.name().replace("torch::autograd::", "")
    return name, tuple(graph(f) for f, _ in fn.next_functions)


def lib_tensor(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a), requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------- Linear


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3), (2, 1, 2, 3)])
def test_linear_values_gradients_and_graph_match_pytorch(shape, bias):
    rng = np.random.default_rng(len(shape) + bias)
    torch_linear = torch.nn.Linear(3, 4, bias=bias)
    engine_linear = engine.nn.Linear(3, 4, bias=bias)
    engine_linear.load_state_dict({k: engine.tensor(v.numpy()) for k, v in torch_linear.state_dict().items()})
    x = rng.standard_normal(shape).astype(np.float32)
    weights = rng.standard_normal(shape[:-1] + (4,)).astype(np.float32)
    results = {}
    for lib, layer in ((torch, torch_linear), (engine, engine_linear)):
        xt = lib_tensor(lib, x, requires_grad=True)
        out = layer(xt)
        (out * lib_tensor(lib, weights)).sum().backward()
        results[lib] = (out, xt.grad, layer.weight.grad, layer.bias.grad if bias else None)
    t, e = results[torch], results[engine]
    assert graph(e[0].grad_fn) == graph(t[0].grad_fn)
    for a, b in zip(t, e):
        if a is not None:
            assert np.allclose(arr(b), arr(a), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n_in", [1, 8])
def test_linear_on_a_tall_batch_matches_pytorch(n_in):
    """20,000 rows (the engine computes such products a block of rows at a time, the bias added per
    block; an input of one feature is an outer product), with a last partial block."""
    rng = np.random.default_rng(n_in)
    torch_linear = torch.nn.Linear(n_in, 16)
    engine_linear = engine.nn.Linear(n_in, 16)
    engine_linear.load_state_dict({k: engine.tensor(v.numpy()) for k, v in torch_linear.state_dict().items()})
    x = rng.standard_normal((20_000, n_in)).astype(np.float32)
    weights = rng.standard_normal((20_000, 16)).astype(np.float32)
    results = {}
    for lib, layer in ((torch, torch_linear), (engine, engine_linear)):
        xt = lib_tensor(lib, x, requires_grad=True)
        out = layer(xt)
        (out * lib_tensor(lib, weights)).sum().backward()
        results[lib] = (out, xt.grad, layer.weight.grad, layer.bias.grad)
    for name, a, b in zip(("out", "x.grad", "weight.grad", "bias.grad"), results[torch], results[engine]):
        expected = arr(a)  # sums over 20,000 rows: rounding grows with their size, as in PyTorch's own
        np.testing.assert_allclose(arr(b), expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max(), err_msg=name)
    assert graph(results[engine][0].grad_fn) == graph(results[torch][0].grad_fn)


def test_addmm_with_a_full_input_on_tall_matrices_matches_pytorch():
    """``addmm``'s input may be a whole matrix, not a bias row: each block of rows adds its own rows."""
    rng = np.random.default_rng(5)
    c, a, b = (rng.standard_normal(s).astype(np.float32) for s in ((17_000, 8), (17_000, 4), (4, 8)))
    expected = torch.addmm(torch.tensor(c), torch.tensor(a), torch.tensor(b)).numpy()
    got = engine.addmm(engine.tensor(c), engine.tensor(a), engine.tensor(b)).numpy()
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(got[-1000:], expected[:1000], atol=1e-3)  # rows are not repeated from a block


# ---------------------------------------------------------------------------------------------- losses

LOSSES = ["mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _loss_inputs(name, seed, shape):
    rng = np.random.default_rng(seed)
    if name == "binary_cross_entropy":
        x = rng.uniform(0.01, 0.99, shape)
    else:
        x = rng.normal(0, 2, shape)
    y = rng.uniform(0, 1, shape) if "cross_entropy" in name else rng.normal(0, 2, shape)
    return x.astype(np.float32), y.astype(np.float32)


def _run_loss(lib, name, x, y, reduction, **kwargs):
    xt = lib_tensor(lib, x, requires_grad=True)
    yt = lib_tensor(lib, y, requires_grad=True)
    kwargs = {k: lib_tensor(lib, v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    out = getattr(lib.nn.functional, name)(xt, yt, reduction=reduction, **kwargs)
    out.backward(lib.ones_like(out))
    return out, xt.grad, yt.grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("seed", range(4))
def test_loss_values_gradients_and_graph_match_pytorch(name, reduction, seed):
    shape = [(7,), (40, 1), (37, 2), (3, 4, 5)][seed]
    x, y = _loss_inputs(name, seed, shape)
    kwargs = {"delta": 0.7} if name == "huber_loss" else {}
    t_out, t_gx, t_gy = _run_loss(torch, name, x, y, reduction, **kwargs)
    e_out, e_gx, e_gy = _run_loss(engine, name, x, y, reduction, **kwargs)
    assert graph(e_out.grad_fn) == graph(t_out.grad_fn)
    assert e_out.dtype == engine.float32 and e_out.shape == tuple(t_out.shape)
    assert np.allclose(arr(e_out), arr(t_out), **ULPS)
    if name in ("mse_loss", "l1_loss"):
        # Same float32 operations in the same order: the same bits.
        assert np.array_equal(arr(e_gx), arr(t_gx)) and np.array_equal(arr(e_gy), arr(t_gy))
    else:
        assert np.allclose(arr(e_gx), arr(t_gx), **ULPS)
        assert np.allclose(arr(e_gy), arr(t_gy), **ULPS)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_binary_cross_entropies_match_pytorch(reduction):
    x, y = _loss_inputs("binary_cross_entropy", 9, (6, 3))
    w = np.random.default_rng(1).uniform(0.5, 2, (6, 3)).astype(np.float32)
    pw = np.array([0.5, 2.0, 3.0], dtype=np.float32)
    for name, kwargs in [
        ("binary_cross_entropy", {"weight": w}),
        ("binary_cross_entropy_with_logits", {"weight": w, "pos_weight": pw}),
        ("binary_cross_entropy_with_logits", {"pos_weight": pw}),
    ]:
        t = _run_loss(torch, name, x, y, reduction, **kwargs)
        e = _run_loss(engine, name, x, y, reduction, **kwargs)
        for a, b in zip(t, e):
            assert np.allclose(arr(b), arr(a), **ULPS), name


def test_loss_modules_match_pytorch():
    x, y = _loss_inputs("binary_cross_entropy", 3, (8, 1))
    for make in [
        lambda nn: nn.MSELoss(),
        lambda nn: nn.L1Loss(reduction="sum"),
        lambda nn: nn.HuberLoss(delta=0.3),
        lambda nn: nn.BCELoss(),
        lambda nn: nn.BCEWithLogitsLoss(reduction="none"),
    ]:
        t = make(torch.nn)(torch.tensor(x), torch.tensor(y))
        e = make(engine.nn)(engine.tensor(x), engine.tensor(y))
        assert np.allclose(arr(e), arr(t), **ULPS)
        assert repr(make(engine.nn)) == repr(make(torch.nn))


# ------------------------------------------------------------------------------------- errors and warnings


def _error(lib, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(lib)
        except Exception as exc:
            return type(exc).__name__, normalise(exc)
    return None


F = lambda lib: lib.nn.functional  # noqa: E731

ERRORS = {
    "bce input above 1": lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.tensor([1.0, 0.0])),
    "bce input below 0": lambda lib: F(lib).binary_cross_entropy(lib.tensor([-0.1]), lib.tensor([1.0])),
    "bce nan input": lambda lib: F(lib).binary_cross_entropy(lib.tensor([float("nan")]), lib.tensor([1.0])),
    "bce target": lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([2.0])),
    "bce shapes": lambda lib: F(lib).binary_cross_entropy(lib.tensor([[0.5], [0.5]]), lib.tensor([1.0, 0.0])),
    "bce dtypes": lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5], dtype=lib.float64), lib.tensor([1.0])),
    "bce weight": lambda lib: F(lib).binary_cross_entropy(
        lib.tensor([0.2, 0.5, 0.9]), lib.tensor([0.0, 1.0, 1.0]), weight=lib.ones(2)
    ),
    "logits shapes": lambda lib: F(lib).binary_cross_entropy_with_logits(lib.zeros(2, 1), lib.zeros(2)),
    "logits long target": lambda lib: F(lib).binary_cross_entropy_with_logits(lib.zeros(2), lib.tensor([1, 0])),
    "mse broadcast": lambda lib: F(lib).mse_loss(lib.zeros(3), lib.zeros(4)),
    "l1 broadcast": lambda lib: F(lib).l1_loss(lib.zeros(3), lib.zeros(4)),
    "huber broadcast": lambda lib: F(lib).huber_loss(lib.zeros(3), lib.zeros(4)),
    "huber delta": lambda lib: F(lib).huber_loss(lib.zeros(3), lib.zeros(3), delta=-1.0),
    "reduction": lambda lib: F(lib).mse_loss(lib.zeros(3), lib.zeros(3), reduction="avg"),
    "module reduction": lambda lib: lib.nn.L1Loss(reduction="avg")(lib.zeros(3), lib.zeros(3)),
    "linear shapes": lambda lib: lib.nn.Linear(3, 2)(lib.zeros(4, 5)),
    "linear 1-d shapes": lambda lib: lib.nn.Linear(3, 2)(lib.zeros(5)),
    "linear 3-d shapes": lambda lib: lib.nn.Linear(3, 2)(lib.zeros(2, 4, 5)),
    "linear 0-d": lambda lib: lib.nn.Linear(3, 2)(lib.tensor(1.0)),
    "linear dtype": lambda lib: lib.nn.Linear(3, 2)(lib.zeros(4, 3, dtype=lib.float64)),
    "linear bias": lambda lib: F(lib).linear(lib.zeros(4, 3), lib.zeros(2, 3), lib.zeros(3)),
    "parameter of ints": lambda lib: lib.nn.Parameter(lib.tensor([1, 2])),
    "assign tensor as parameter": lambda lib: setattr(lib.nn.Linear(2, 2), "weight", lib.zeros(2, 2)),
    "module name": lambda lib: lib.nn.Linear(2, 2).add_module("a.b", lib.nn.ReLU()),
    "not a module": lambda lib: lib.nn.Linear(2, 2).add_module("c", 3),
    "train mode": lambda lib: lib.nn.Linear(2, 2).train("yes"),
    "sequential index": lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
    "no forward": lambda lib: lib.nn.Module()(1),
    "missing and unexpected keys": lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Tanh()).load_state_dict(
        {"0.weight": lib.zeros(2, 1), "1.foo": lib.zeros(1)}
    ),
    "size mismatch": lambda lib: lib.nn.Linear(1, 2).load_state_dict({"weight": lib.zeros(2, 3), "bias": lib.zeros(2)}),
    "kaiming of a vector": lambda lib: lib.nn.init.kaiming_uniform_(lib.zeros(3)),
    "gain": lambda lib: lib.nn.init.calculate_gain("swish"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_pytorch(name):
    expected = _error(torch, ERRORS[name])
    assert expected is not None
    assert _error(engine, ERRORS[name]) == expected


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
def test_broadcast_warning_matches_pytorch(fn):
    messages = {}
    for lib in (torch, engine):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(lib.nn.functional, fn)(lib.ones(4, 1), lib.tensor([0.0, 1.0, 2.0, 3.0]))
        messages[lib] = [(w.category, normalise(w.message)) for w in caught]
        assert out.shape == ()
    assert messages[engine] == messages[torch] and messages[torch]


# ---------------------------------------------------------------------------------------------- modules


def build_net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = lib.nn.Sequential(lib.nn.Linear(2, 8), lib.nn.Tanh(), lib.nn.Linear(8, 8), lib.nn.ReLU())
            self.head = lib.nn.Linear(8, 1, bias=False)
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.act = lib.nn.Sigmoid()
            self.skip = lib.nn.Identity()
            self.flat = lib.nn.Flatten()

        def forward(self, x):
            return self.act(self.head(self.encoder(self.flat(self.skip(x))))) * self.scale

    return Net()


def test_module_bookkeeping_and_printing_match_pytorch():
    t, e = build_net(torch), build_net(engine)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert repr(e) == repr(t)
    assert repr(e.encoder[0].weight.__class__.__name__) == repr(t.encoder[0].weight.__class__.__name__)
    assert repr(engine.nn.Parameter(engine.tensor([[0.25, -1.5]]))) == repr(
        torch.nn.Parameter(torch.tensor([[0.25, -1.5]]))
    )
    assert repr(t.load_state_dict(t.state_dict())) == repr(e.load_state_dict(e.state_dict()))
    t_result = t.load_state_dict({"scale": torch.ones(1), "extra": torch.ones(1)}, strict=False)
    e_result = e.load_state_dict({"scale": engine.ones(1), "extra": engine.ones(1)}, strict=False)
    assert repr(e_result) == repr(t_result)


def test_same_weights_same_forward_and_backward_as_pytorch():
    t, e = build_net(torch), build_net(engine)
    e.load_state_dict({k: engine.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((16, 2)).astype(np.float32)
    y = np.random.default_rng(1).uniform(0, 1, (16, 1)).astype(np.float32)
    t_loss = torch.nn.functional.binary_cross_entropy(t(torch.tensor(x)), torch.tensor(y))
    e_loss = engine.nn.functional.binary_cross_entropy(e(engine.tensor(x)), engine.tensor(y))
    t_loss.backward()
    e_loss.backward()
    assert e_loss.item() == pytest.approx(t_loss.item(), rel=1e-6)
    assert graph(e_loss.grad_fn) == graph(t_loss.grad_fn)
    for (name, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        assert np.allclose(p.grad._data, q.grad.numpy(), rtol=1e-5, atol=1e-7), name


def test_linear_initialisation_has_pytorchs_bounds():
    """Same distribution as PyTorch (the generators differ, so not the same numbers)."""
    engine.manual_seed(0)
    torch.manual_seed(0)
    e, t = engine.nn.Linear(50, 40), torch.nn.Linear(50, 40)
    for a, b in ((e.weight, t.weight), (e.bias, t.bias)):
        assert np.abs(a._data).max() <= np.float32(1 / np.sqrt(50))
        assert np.abs(a._data).max() == pytest.approx(np.abs(b.detach().numpy()).max(), rel=0.05)


def test_mlp_training_matches_pytorch():
    """The playground's MLP: 1→32→32→1 tanh, 256 points, Adam, 200 steps, from the same initial weights.

    Forward and backward differ from PyTorch's in the last bits (different matrix-product kernels),
    so the runs agree to float32 rounding amplified over 200 steps, not bit for bit."""
    torch.manual_seed(0)

    def layers(nn):
        return nn.Sequential(
            nn.Linear(1, 32),
            nn.Tanh(),
            nn.Linear(32, 32),
            nn.Tanh(),
            nn.Linear(32, 1),
        )

    t_model, e_model = layers(torch.nn), layers(engine.nn)
    e_model.load_state_dict({k: engine.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    x = np.linspace(-2, 2, 256, dtype=np.float32).reshape(-1, 1)
    y = np.sin(2 * x).astype(np.float32)
    histories = {}
    for lib, model in ((torch, t_model), (engine, e_model)):
        opt = lib.optim.Adam(model.parameters(), lr=0.01)
        xs, ys = lib.tensor(x), lib.tensor(y)
        history = []
        for _ in range(200):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(xs), ys)
            loss.backward()
            opt.step()
            history.append(loss.item())
        histories[lib] = history
    assert histories[engine][-1] < 0.01  # it learned
    assert np.allclose(histories[engine], histories[torch], rtol=1e-3, atol=1e-5)
    for (name, p), (_, q) in zip(e_model.named_parameters(), t_model.named_parameters()):
        assert np.allclose(p._data, q.detach().numpy(), rtol=1e-3, atol=1e-4), name
