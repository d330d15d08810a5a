"""engine.optim against PyTorch: trajectories, argument validation, state dicts and printing.

Both optimizers get the same parameters and, at every step, the same float32 gradients (computed
from the engine's current values), so any difference comes from the update rule alone.

Exactness, per optimizer:

* SGD (plain, momentum, dampening, Nesterov, weight decay, maximize): bit for bit, 200 steps.
* Adam, AdamW, RMSprop, Adagrad: bit for bit over 200 steps when the engine uses PyTorch's float32
  square root (substituted here through each module's ``_sqrt``): every other operation and rounding
  is PyTorch's. With the engine's own, correctly rounded square root (PyTorch's MKL one is off by an
  ulp for ~15% of inputs) they agree within rtol 2e-6 on a well-conditioned problem.
* float64 parameters: within 1e-10, typically 1e-15 (the engine does not emulate a float64 fused
  multiply-add).

Skipped where PyTorch is not installed (a test-only extra).
"""

import json
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import engine  # noqa: E402
from engine import optim  # noqa: E402
from engine.optim import adagrad as engine_adagrad  # noqa: E402
from engine.optim import adam as engine_adam  # noqa: E402
from engine.optim import rmsprop as engine_rmsprop  # noqa: E402

torch.set_num_threads(1)

CONFIGS = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.03, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.02, momentum=0.5, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.7, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.6), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.05, weight_decay=0.5, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, maximize=True, eps=1e-4)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CONFIGS]
SHAPES = [(1,), (1, 1), (7,), (32, 1), (33, 17), (5,)]


def torch_sqrt(a):
    """PyTorch's float32 square root, for the engine's optimizers to use in place of NumPy's."""
    return torch.from_numpy(np.ascontiguousarray(a)).sqrt().numpy()


@pytest.fixture
def pytorch_sqrt(monkeypatch):
    for module in (engine_adam, engine_rmsprop, engine_adagrad):
        monkeypatch.setattr(module, "_sqrt", torch_sqrt)


def problem(seed, dtype, far=False):
    rng = np.random.default_rng(seed)
    targets = [rng.standard_normal(s) for s in SHAPES]
    scales = [rng.uniform(0.5, 2.0, s) for s in SHAPES]
    if far:
        start = [t + rng.choice([-3.0, 3.0], s) + rng.uniform(-0.5, 0.5, s) for t, s in zip(targets, SHAPES)]
    else:
        start = [rng.standard_normal(s) for s in SHAPES]
    return [a.astype(dtype) for a in start], targets, scales


def trajectories(name, kwargs, seed, dtype=np.float32, steps=200, far=False, wiggly=True):
    """Run both optimizers on the same gradients; yield (torch values, engine values) after every step."""
    start, targets, scales = problem(seed, dtype, far)
    t_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in start]
    e_params = [engine.nn.Parameter(engine.tensor(a.copy())) for a in start]
    t_opt = getattr(torch.optim, name)(t_params, **kwargs)
    e_opt = getattr(optim, name)(e_params, **kwargs)
    for _k in range(steps):
        for t, e, target, scale in zip(t_params, e_params, targets, scales):
            x = e._data.astype(np.float64)
            g = scale * (x - target) + (np.sin(3 * x) if wiggly else 0)
            g = g.astype(dtype)
            t.grad = torch.from_numpy(g.copy())
            e.grad = engine.tensor(g.copy())
        t_opt.step()
        e_opt.step()
        yield [t.detach().numpy() for t in t_params], [e._data for e in e_params]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_float32_trajectories_are_pytorchs_bit_for_bit(name, kwargs, seed, pytorch_sqrt):
    """All optimizers, 200 steps; Adam, AdamW, RMSprop and Adagrad with PyTorch's square root."""
    for step, (t_values, e_values) in enumerate(trajectories(name, kwargs, seed), start=1):
        for i, (a, b) in enumerate(zip(t_values, e_values)):
            assert np.array_equal(a, b), f"step {step}, parameter {i}: max diff {np.max(np.abs(a - b))}"


@pytest.mark.parametrize("name, kwargs", [c for c in CONFIGS if c[0] == "SGD"], ids=[i for i in IDS if i[:3] == "SGD"])
def test_sgd_is_bit_for_bit_without_any_substitution(name, kwargs):
    for step, (t_values, e_values) in enumerate(trajectories(name, kwargs, 3), start=1):
        assert all(np.array_equal(a, b) for a, b in zip(t_values, e_values)), f"step {step}"


WELL_CONDITIONED = [
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
]


@pytest.mark.parametrize("name, kwargs", WELL_CONDITIONED, ids=[f"{n}-{kw}" for n, kw in WELL_CONDITIONED])
def test_adaptive_optimizers_with_the_engines_square_root_stay_within_rtol_2e_6(name, kwargs):
    """Far from the minimum (no sign-flipping jitter) and without √ of a cancellation (α = 0.3 centred
    RMSprop amplifies a one-ulp difference), one-ulp square roots stay one-ulp-sized."""
    for step, (t_values, e_values) in enumerate(trajectories(name, kwargs, 4, far=True, wiggly=False), start=1):
        for a, b in zip(t_values, e_values):
            assert np.allclose(b, a, rtol=2e-6, atol=2e-6), f"step {step}"


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_float64_trajectories_agree_within_1e_10(name, kwargs):
    """Typically within 1e-15; the α = 0.3 centred RMSprop (√ of a cancellation) reaches ~5e-12."""
    for step, (t_values, e_values) in enumerate(trajectories(name, kwargs, 5, dtype=np.float64, steps=100), start=1):
        for a, b in zip(t_values, e_values):
            assert b.dtype == np.float64
            assert np.allclose(b, a, rtol=1e-10, atol=1e-10), f"step {step}"


def test_pytorch_rounds_lr_to_float32_before_its_single_rounding():
    """The fact behind the SGD update: PyTorch's ``p.add_(g, alpha=-lr)`` computes p + float32(−lr)·g
    exactly and rounds once. Neither rounding twice nor using the float64 lr reproduces it."""
    rng = np.random.default_rng(0)
    p = (rng.standard_normal(10000) * 10).astype(np.float32)
    g = rng.standard_normal(10000).astype(np.float32)
    lr = 0.0123
    pytorch = torch.from_numpy(p.copy()).add_(torch.from_numpy(g), alpha=-lr).numpy()
    once_float32_lr = (p.astype(np.float64) + np.float64(np.float32(-lr)) * g).astype(np.float32)
    once_float64_lr = (p.astype(np.float64) - lr * g.astype(np.float64)).astype(np.float32)
    twice = p - np.float32(lr) * g
    assert np.array_equal(pytorch, once_float32_lr)
    assert not np.array_equal(pytorch, once_float64_lr)
    assert not np.array_equal(pytorch, twice)
    e = engine.nn.Parameter(engine.tensor(p.copy()))
    e.grad = engine.tensor(g)
    optim.SGD([e], lr=lr).step()
    assert np.array_equal(e._data, pytorch)


def test_seed_002_run_matches_pytorch_at_every_epoch():
    path = {}
    for lib in (torch, engine):
        X = lib.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=lib.float32)
        y = lib.tensor([[3.0], [5.0], [7.0], [9.0]], dtype=lib.float32)
        W = lib.tensor([[0.0]], requires_grad=True, dtype=lib.float32)
        b = lib.tensor([[0.0]], requires_grad=True, dtype=lib.float32)
        opt = lib.optim.SGD(params=[W, b], lr=0.001)
        path[lib] = []
        for _ in range(200):
            W.grad = None
            b.grad = None
            loss = lib.mean((X @ W + b - y) ** 2)
            loss.backward()
            opt.step()
            path[lib].append((loss.item(), W.detach().item(), b.detach().item()))
    assert path[engine] == path[torch]
    assert path[engine][-1][1:] == (2.0195605754852295, 0.7054842114448547)


def test_parameters_without_gradients_are_skipped_as_in_pytorch(pytorch_sqrt):
    for name, kwargs in CONFIGS:
        values = {}
        for lib in (torch, engine):
            params = [lib.nn.Parameter(lib.tensor([1.0, 2.0])), lib.nn.Parameter(lib.tensor([3.0]))]
            opt = getattr(lib.optim, name)(params, **kwargs)
            for k in range(6):
                params[0].grad = lib.tensor([0.5, -1.0])
                params[1].grad = lib.tensor([0.25]) if k % 2 else None
                opt.step()
            values[lib] = (
                [p.detach().numpy().tolist() if lib is torch else p.tolist() for p in params],
                sorted(opt.state_dict()["state"]),
            )
        assert values[engine] == values[torch], name


# --------------------------------------------------------------------------------------------- validation


def _error(lib, fn):
    try:
        fn(lib)
    except Exception as exc:
        return type(exc).__name__, re.sub(r"torch\.", "engine.", str(exc))
    return None


def _param(lib):
    return [lib.nn.Parameter(lib.ones(2))]


BAD = {
    "sgd lr": lambda lib: lib.optim.SGD(_param(lib), lr=-1),
    "sgd momentum": lambda lib: lib.optim.SGD(_param(lib), lr=0.1, momentum=-0.1),
    "sgd weight decay": lambda lib: lib.optim.SGD(_param(lib), lr=0.1, weight_decay=-1e-4),
    "sgd nesterov without momentum": lambda lib: lib.optim.SGD(_param(lib), lr=0.1, nesterov=True),
    "sgd nesterov with dampening": lambda lib: lib.optim.SGD(
        _param(lib), lr=0.1, momentum=0.9, dampening=0.5, nesterov=True
    ),
    "adam lr": lambda lib: lib.optim.Adam(_param(lib), lr=-0.001),
    "adam eps": lambda lib: lib.optim.Adam(_param(lib), eps=-1e-8),
    "adam beta0": lambda lib: lib.optim.Adam(_param(lib), betas=(1.0, 0.999)),
    "adam beta1": lambda lib: lib.optim.Adam(_param(lib), betas=(0.9, 1.0)),
    "adam int betas": lambda lib: lib.optim.Adam(_param(lib), betas=(0, 0.999)),
    "adam weight decay": lambda lib: lib.optim.Adam(_param(lib), weight_decay=-0.5),
    "adamw beta0": lambda lib: lib.optim.AdamW(_param(lib), betas=(-0.1, 0.999)),
    "rmsprop lr": lambda lib: lib.optim.RMSprop(_param(lib), lr=-0.01),
    "rmsprop alpha": lambda lib: lib.optim.RMSprop(_param(lib), alpha=-0.5),
    "rmsprop momentum": lambda lib: lib.optim.RMSprop(_param(lib), momentum=-0.5),
    "rmsprop eps": lambda lib: lib.optim.RMSprop(_param(lib), eps=-1.0),
    "rmsprop weight decay": lambda lib: lib.optim.RMSprop(_param(lib), weight_decay=-1.0),
    "adagrad lr": lambda lib: lib.optim.Adagrad(_param(lib), lr=-0.1),
    "adagrad lr decay": lambda lib: lib.optim.Adagrad(_param(lib), lr_decay=-0.1),
    "adagrad accumulator": lambda lib: lib.optim.Adagrad(_param(lib), initial_accumulator_value=-0.1),
    "adagrad eps": lambda lib: lib.optim.Adagrad(_param(lib), eps=-0.1),
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "a tensor": lambda lib: lib.optim.SGD(lib.nn.Parameter(lib.ones(2)), lr=0.1),
    "not a tensor": lambda lib: lib.optim.SGD([1.0], lr=0.1),
    "non-leaf": lambda lib: lib.optim.SGD([_param(lib)[0] * 2], lr=0.1),
    "a set": lambda lib: lib.optim.SGD({"params": set(_param(lib))}, lr=0.1),
    "same parameter in two groups": lambda lib: (lambda p: lib.optim.SGD([{"params": p}, {"params": p}], lr=0.1))(
        _param(lib)
    ),
    "group not a dict": lambda lib: lib.optim.SGD(_param(lib), lr=0.1).add_param_group(_param(lib)),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_invalid_arguments_match_pytorch(name):
    expected = _error(torch, BAD[name])
    assert expected is not None
    assert _error(engine, BAD[name]) == expected


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_repr_and_param_groups_match_pytorch(name, kwargs):
    t = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))], **kwargs)
    e = getattr(optim, name)([engine.nn.Parameter(engine.ones(1))], **kwargs)
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults


# --------------------------------------------------------------------------------------------- state dicts


def _plain(value):
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_state_dict_is_pytorchs_as_plain_data(name, kwargs, pytorch_sqrt):
    start, targets, scales = problem(7, np.float32)
    sds = {}
    for lib in (torch, engine):
        params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in start]
        opt = getattr(lib.optim, name)([{"params": params[:2]}, {"params": params[2:], "lr": 0.002}], **kwargs)
        for _ in range(3):
            for p, target, scale in zip(params, targets, scales):
                x = (p.detach().numpy() if lib is torch else p._data).astype(np.float64)
                p.grad = lib.tensor((scale * (x - target)).astype(np.float32))
            opt.step()
        sds[lib] = opt.state_dict()
    t_sd = _plain(sds[torch])
    e_sd = sds[engine]
    assert json.loads(json.dumps(e_sd)) == json.loads(json.dumps(t_sd))


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_loading_pytorchs_state_continues_pytorchs_run(name, kwargs, pytorch_sqrt):
    """PyTorch trains 5 steps; its state dict, through JSON, resumes in the engine; 20 more steps match."""
    start, targets, scales = problem(8, np.float32)
    t_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in start]
    t_opt = getattr(torch.optim, name)(t_params, **kwargs)

    def grads(values):
        return [
            (scale * (v.astype(np.float64) - target)).astype(np.float32)
            for v, target, scale in zip(values, targets, scales)
        ]

    for _ in range(5):
        for p, g in zip(t_params, grads([p.detach().numpy() for p in t_params])):
            p.grad = torch.from_numpy(g)
        t_opt.step()
    e_params = [engine.nn.Parameter(engine.tensor(p.detach().numpy().copy())) for p in t_params]
    e_opt = getattr(optim, name)(e_params, **kwargs)
    e_opt.load_state_dict(json.loads(json.dumps(_plain(t_opt.state_dict()))))
    for _ in range(20):
        gs = grads([p._data for p in e_params])
        for t, e, g in zip(t_params, e_params, gs):
            t.grad = torch.from_numpy(g.copy())
            e.grad = engine.tensor(g)
        t_opt.step()
        e_opt.step()
    for t, e in zip(t_params, e_params):
        assert np.array_equal(e._data, t.detach().numpy())


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_pytorch_continues_the_engines_run_from_its_state_dict(name, kwargs, pytorch_sqrt):
    """The engine trains 5 steps; its JSON state dict (lists made tensors again) resumes in PyTorch."""
    start, targets, scales = problem(9, np.float32)

    def grads(values):
        return [
            (scale * (v.astype(np.float64) - target)).astype(np.float32)
            for v, target, scale in zip(values, targets, scales)
        ]

    e_params = [engine.nn.Parameter(engine.tensor(a.copy())) for a in start]
    e_opt = getattr(optim, name)(e_params, **kwargs)
    for _ in range(5):
        for p, g in zip(e_params, grads([p._data for p in e_params])):
            p.grad = engine.tensor(g)
        e_opt.step()
    saved = json.loads(json.dumps(e_opt.state_dict()))
    t_params = [torch.nn.Parameter(torch.from_numpy(p._data.copy())) for p in e_params]
    t_opt = getattr(torch.optim, name)(t_params, **kwargs)
    saved["state"] = {
        int(k): {key: torch.tensor(v, dtype=torch.float32) for key, v in entry.items()}
        for k, entry in saved["state"].items()
    }
    saved["param_groups"] = [{**g, "betas": tuple(g["betas"])} if "betas" in g else g for g in saved["param_groups"]]
    t_opt.load_state_dict(saved)
    for _ in range(20):
        gs = grads([p._data for p in e_params])
        for t, e, g in zip(t_params, e_params, gs):
            t.grad = torch.from_numpy(g.copy())
            e.grad = engine.tensor(g)
        t_opt.step()
        e_opt.step()
    for t, e in zip(t_params, e_params):
        assert np.array_equal(e._data, t.detach().numpy())
