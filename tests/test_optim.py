"""engine.optim without PyTorch: update rules, rounding, parameter groups, state and state dicts.

The trajectories against PyTorch itself are in test_optim_torch.py. Here: the seed-002 tutorial run
to the last bit, the single rounding of the SGD update, first steps worked out by hand, longer runs
against textbook float64 formulas, argument validation with PyTorch's texts, and state dicts that
survive JSON and resume training bit for bit.
"""

import json
import math

import numpy as np
import pytest

import engine
from engine import nn, optim

OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.05),
    "momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.01),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.05),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
}


def seed_002_data():
    X = engine.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=engine.float32)
    y = engine.tensor([[3.0], [5.0], [7.0], [9.0]], dtype=engine.float32)
    return X, y


def test_seed_002_sgd_run_is_pytorchs_to_the_last_bit():
    X, y = seed_002_data()
    W = engine.tensor([[0.0]], requires_grad=True, dtype=engine.float32)
    b = engine.tensor([[0.0]], requires_grad=True, dtype=engine.float32)
    optimizer = optim.SGD(params=[W, b], lr=0.001)
    printed = []
    for epoch in range(1, 201):
        W.grad = None
        b.grad = None
        loss = engine.mean((X @ W + b - y) ** 2)
        loss.backward()
        optimizer.step()
        if epoch % 20 == 0:
            printed.append(f"{loss:.2f}")
    assert printed == ["21.63", "11.03", "5.63", "2.88", "1.47", "0.76", "0.39", "0.21", "0.11", "0.06"]
    assert W.detach().item() == 2.0195605754852295
    assert b.detach().item() == 0.7054842114448547


def test_seed_002_with_naive_float32_updates_leaves_the_trajectory():
    """Why the single rounding matters: θ − lr·g rounded twice differs from optim.SGD at some epochs of
    the same run (test_optim_torch.py shows optim.SGD equals PyTorch at every epoch)."""
    X, y = seed_002_data()

    def run(update):
        W = nn.Parameter(engine.zeros(1, 1))
        b = nn.Parameter(engine.zeros(1, 1))
        opt = optim.SGD([W, b], lr=0.001)
        path = []
        for _ in range(200):
            opt.zero_grad()
            engine.mean((X @ W + b - y) ** 2).backward()
            update(opt, W, b)
            path.append((W.item(), b.item()))
        return path

    def naive(opt, *params):
        for p in params:
            p._data -= np.float32(0.001) * p.grad._data

    fused = run(lambda opt, *params: opt.step())
    differing = sum(a != b for a, b in zip(fused, run(naive)))
    assert differing > 10


def test_sgd_update_is_one_fused_multiply_add():
    rng = np.random.default_rng(0)
    p0 = (rng.standard_normal(5000) * 10).astype(np.float32)
    g = rng.standard_normal(5000).astype(np.float32)
    p = nn.Parameter(engine.tensor(p0))
    p.grad = engine.tensor(g)
    optim.SGD([p], lr=0.0123).step()
    # PyTorch rounds lr to float32, then computes p − lr·g exactly and rounds once.
    lr32 = np.float64(np.float32(0.0123))
    once = (p0.astype(np.float64) - lr32 * g.astype(np.float64)).astype(np.float32)
    twice = p0 - np.float32(0.0123) * g
    assert np.array_equal(p._data, once)
    assert not np.array_equal(p._data, twice)  # the difference is real on this many values


def test_step_updates_parameters_in_place_without_history():
    lin = nn.Linear(2, 1)
    weight, array = lin.weight, lin.weight._data
    alias = lin.weight.data  # a user's view of the values
    before = array.copy()
    opt = optim.Adam(lin.parameters(), lr=0.1)
    lin(engine.ones(3, 2)).sum().backward()
    opt.step()
    assert lin.weight is weight and weight._data is array
    assert not np.array_equal(array, before) and np.array_equal(alias._data, array)
    assert weight.is_leaf and weight.grad_fn is None and weight.requires_grad


def test_parameters_without_gradients_are_left_alone():
    a = nn.Parameter(engine.tensor([1.0, 2.0]))
    b = nn.Parameter(engine.tensor([3.0]))
    for make in OPTIMIZERS.values():
        opt = make([a, b])
        a.grad, b.grad = engine.tensor([0.5, -0.5]), None
        start = b._data.copy()
        opt.step()
        assert np.array_equal(b._data, start)
        assert b not in opt.state or (isinstance(opt, optim.Adagrad) and opt.state[b]["step"].item() == 0)


def test_first_steps_worked_out_by_hand():
    def one_step(make, grad=(2.0, -0.5)):
        p = nn.Parameter(engine.tensor([1.0, 1.0]))
        opt = make([p])
        p.grad = engine.tensor(list(grad))
        opt.step()
        return p.tolist(), opt

    # Adam, Adagrad: the first step moves every coordinate by about lr, against the gradient's sign.
    assert one_step(lambda ps: optim.Adam(ps, lr=0.1))[0] == pytest.approx([0.9, 1.1], abs=1e-6)
    assert one_step(lambda ps: optim.Adagrad(ps, lr=0.1))[0] == pytest.approx([0.9, 1.1], abs=1e-6)
    # RMSprop: v = (1 − α)g², so the step is lr / √(1 − α).
    assert one_step(lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.99))[0] == pytest.approx([0.9, 1.1], abs=1e-6)
    # SGD with momentum: the buffer starts as the gradient itself.
    values, opt = one_step(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    assert values == pytest.approx([0.8, 1.05])
    assert opt.state[opt.param_groups[0]["params"][0]]["momentum_buffer"].tolist() == [2.0, -0.5]
    # Weight decay adds weight_decay·θ to the gradient; maximize climbs.
    assert one_step(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.5))[0] == pytest.approx([0.75, 1.0])
    assert one_step(lambda ps: optim.SGD(ps, lr=0.1, maximize=True))[0] == pytest.approx([1.2, 0.95])
    # AdamW shrinks the weights by lr·weight_decay before the Adam step.
    assert one_step(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5))[0] == pytest.approx([0.85, 1.05], abs=1e-6)


def _reference(kind, steps, p, grad_fn, **h):
    """Textbook float64 updates (PyTorch's documented algorithms), for comparison within rounding."""
    p = p.astype(np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    buf = None
    out = []
    for t in range(1, steps + 1):
        g = grad_fn(p)
        if kind == "momentum":
            g = g + h["weight_decay"] * p
            buf = g.copy() if buf is None else h["momentum"] * buf + (1 - h["dampening"]) * g
            p = p - h["lr"] * (g + h["momentum"] * buf if h.get("nesterov") else buf)
        elif kind == "adam":
            m = h["beta1"] * m + (1 - h["beta1"]) * g
            v = h["beta2"] * v + (1 - h["beta2"]) * g * g
            mhat, vhat = m / (1 - h["beta1"] ** t), v / (1 - h["beta2"] ** t)
            p = p - h["lr"] * mhat / (np.sqrt(vhat) + h["eps"])
        elif kind == "rmsprop":
            v = h["alpha"] * v + (1 - h["alpha"]) * g * g
            p = p - h["lr"] * g / (np.sqrt(v) + h["eps"])
        elif kind == "adagrad":
            v = v + g * g
            p = p - h["lr"] / (1 + (t - 1) * h["lr_decay"]) * g / (np.sqrt(v) + h["eps"])
        out.append(p.copy())
    return out


@pytest.mark.parametrize(
    "kind, make, hyper",
    [
        (
            "momentum",
            lambda ps: optim.SGD(ps, lr=0.02, momentum=0.9, dampening=0.2, weight_decay=0.1),
            dict(lr=0.02, momentum=0.9, dampening=0.2, weight_decay=0.1),
        ),
        (
            "momentum",
            lambda ps: optim.SGD(ps, lr=0.02, momentum=0.8, nesterov=True),
            dict(lr=0.02, momentum=0.8, dampening=0.0, weight_decay=0.0, nesterov=True),
        ),
        ("adam", lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8)),
        ("rmsprop", lambda ps: optim.RMSprop(ps, lr=0.002, alpha=0.9), dict(lr=0.002, alpha=0.9, eps=1e-8)),
        ("adagrad", lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.05), dict(lr=0.1, lr_decay=0.05, eps=1e-10)),
    ],
)
def test_trajectories_follow_the_textbook_algorithms(kind, make, hyper):
    """200 steps on a convex quadratic, in float32 against the float64 formulas: rounding only (rtol 1e-4)."""
    rng = np.random.default_rng(1)
    target = rng.standard_normal(12)
    scale = rng.uniform(0.5, 2.0, 12)
    # Far from the minimum: sign-like steps (RMSprop, Adam) near it would turn rounding into jitter.
    start = (target + rng.choice([-3.0, 3.0], 12) + rng.uniform(-0.5, 0.5, 12)).astype(np.float32)
    p = nn.Parameter(engine.tensor(start))
    opt = make([p])
    expected = _reference(kind, 200, start, lambda x: scale * (x - target), **hyper)
    for k in range(200):
        p.grad = engine.tensor((scale * (p._data.astype(np.float64) - target)).astype(np.float32))
        opt.step()
        assert np.allclose(p._data, expected[k], rtol=1e-4, atol=1e-5), f"step {k + 1}"


def test_a_group_is_updated_as_one_block_with_the_same_bits():
    """Several parameters in one group are updated together; the bits equal one group per parameter,
    and the optimizer state stays live per parameter."""
    rng = np.random.default_rng(2)
    shapes = [(3, 2), (2,), (1, 1), (4,)]
    for name, make in OPTIMIZERS.items():
        together = [nn.Parameter(engine.tensor(rng.standard_normal(s).astype(np.float32))) for s in shapes]
        apart = [nn.Parameter(engine.tensor(p._data.copy())) for p in together]
        opt_together = make(together)
        opt_apart = make([{"params": [p]} for p in apart])
        for k in range(30):
            for a, b in zip(together, apart):
                g = np.cos(a._data.astype(np.float64) * (k + 1)).astype(np.float32)
                a.grad, b.grad = engine.tensor(g), engine.tensor(g.copy())
            opt_together.step()
            opt_apart.step()
        for a, b in zip(together, apart):
            assert np.array_equal(a._data, b._data), name
            for key, value in opt_apart.state[b].items():
                assert np.array_equal(opt_together.state[a][key]._data, value._data), (name, key)


def test_state_stays_live_and_skipping_a_parameter_keeps_counting_right():
    a = nn.Parameter(engine.tensor([1.0, 2.0]))
    b = nn.Parameter(engine.tensor([3.0]))
    opt = optim.Adam([a, b], lr=0.1)
    for _ in range(3):
        a.grad, b.grad = engine.tensor([1.0, 1.0]), engine.tensor([1.0])
        opt.step()
    exp_avg = opt.state[a]["exp_avg"]
    a.grad, b.grad = engine.tensor([1.0, 1.0]), None  # b sits this step out
    opt.step()
    assert opt.state[a]["step"].item() == 4 and opt.state[b]["step"].item() == 3
    assert exp_avg._data.tolist() == opt.state[a]["exp_avg"].tolist()
    a.grad, b.grad = engine.tensor([1.0, 1.0]), engine.tensor([1.0])
    opt.step()
    assert opt.state[a]["step"].item() == 5 and opt.state[b]["step"].item() == 4
    # Step 4 of b equals step 4 of a parameter that never skipped.
    c = nn.Parameter(engine.tensor([3.0]))
    ref = optim.Adam([c], lr=0.1)
    for _ in range(4):
        c.grad = engine.tensor([1.0])
        ref.step()
    assert b.tolist() == c.tolist()


def test_hyperparameter_changes_apply_at_the_next_step():
    p = nn.Parameter(engine.tensor([1.0]))
    opt = optim.SGD([p], lr=0.1)
    p.grad = engine.tensor([1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert p.item() == pytest.approx(1.0 - 0.1 - 0.5)


def test_closure_is_evaluated_with_gradients_on():
    X, y = seed_002_data()
    W = nn.Parameter(engine.zeros(1, 1))
    opt = optim.SGD([W], lr=0.01)

    def closure():
        opt.zero_grad()
        loss = engine.mean((X @ W - y) ** 2)
        loss.backward()
        return loss

    with engine.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(41.0)
    assert W.item() == pytest.approx(0.01 * 2 * (1 * 3 + 2 * 5 + 3 * 7 + 4 * 9) / 4)


def test_zero_grad():
    p = nn.Parameter(engine.tensor([1.0]))
    opt = optim.SGD([p])
    p.grad = engine.tensor([3.0])
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0]
    opt.zero_grad()
    assert p.grad is None


# --------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "make, exc, message",
    [
        (lambda ps: optim.SGD(ps, lr=-1), ValueError, "Invalid learning rate: -1"),
        (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
        (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=-1e-3), ValueError, "Invalid weight_decay value: -0.001"),
        (
            lambda ps: optim.SGD(ps, lr=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (
            lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda ps: optim.Adam(ps, lr=-0.5), ValueError, "Invalid learning rate: -0.5"),
        (lambda ps: optim.Adam(ps, eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
        (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
        (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
        (lambda ps: optim.Adam(ps, betas=(0, 0.9)), ValueError, "betas must be either both floats or both Tensors"),
        (lambda ps: optim.Adam(ps, weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
        (lambda ps: optim.AdamW(ps, betas=(0.9, 1.5)), ValueError, "Invalid beta parameter at index 1: 1.5"),
        (lambda ps: optim.RMSprop(ps, alpha=-0.1), ValueError, "Invalid alpha value: -0.1"),
        (lambda ps: optim.RMSprop(ps, momentum=-1), ValueError, "Invalid momentum value: -1"),
        (lambda ps: optim.RMSprop(ps, eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
        (lambda ps: optim.Adagrad(ps, lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
        (
            lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1),
            ValueError,
            "Invalid initial_accumulator_value value: -1",
        ),
        (lambda ps: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (
            lambda ps: optim.SGD(ps[0], lr=0.1),
            TypeError,
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor",
        ),
        (
            lambda ps: optim.SGD([1.0], lr=0.1),
            TypeError,
            "optimizer can only optimize Tensors, but one of the params is float",
        ),
        (lambda ps: optim.SGD([ps[0] * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
        (
            lambda ps: optim.SGD([{"params": ps}, {"params": ps}], lr=0.1),
            ValueError,
            "some parameters appear in more than one parameter group",
        ),
        (lambda ps: optim.SGD([{"params": ps, "lr": -2}], lr=0.1), ValueError, "Invalid learning rate: -2"),
    ],
)
def test_invalid_arguments_raise_pytorchs_errors(make, exc, message):
    params = [nn.Parameter(engine.tensor([1.0]))]
    with pytest.raises(exc) as info:
        make(params)
    assert str(info.value) == message


def test_param_groups_defaults_and_add_param_group():
    a, b, c = (nn.Parameter(engine.tensor([float(i)])) for i in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0.9
    assert set(opt.defaults) == {
        "lr",
        "momentum",
        "dampening",
        "weight_decay",
        "nesterov",
        "maximize",
        "foreach",
        "differentiable",
        "fused",
    }
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    named = optim.Adam([("w", a), ("b", b)])
    assert named.param_groups[0]["param_names"] == ["w", "b"]
    assert repr(optim.SGD([a], lr=0.1)) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n"
        "    fused: None\n    lr: 0.1\n    maximize: False\n    momentum: 0\n    nesterov: False\n"
        "    weight_decay: 0\n)"
    )


# --------------------------------------------------------------------------------------- state dicts


def _train(model, opt, steps, x, y):
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_dict_survives_json_and_resumes_bit_for_bit(name):
    engine.manual_seed(0)
    x = engine.randn(16, 1)
    y = engine.sin(x * 2)

    def fresh():
        engine.manual_seed(1)
        model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
        return model, OPTIMIZERS[name](model.parameters())

    straight, straight_opt = fresh()
    _train(straight, straight_opt, 20, x, y)

    first, first_opt = fresh()
    _train(first, first_opt, 12, x, y)
    saved_model = json.loads(json.dumps({k: v.tolist() for k, v in first.state_dict().items()}))
    saved_opt = json.loads(json.dumps(first_opt.state_dict()))
    resumed, resumed_opt = fresh()
    resumed.load_state_dict({k: engine.tensor(v) for k, v in saved_model.items()})
    resumed_opt.load_state_dict(saved_opt)
    _train(resumed, resumed_opt, 8, x, y)
    for (n, p), (_, q) in zip(resumed.named_parameters(), straight.named_parameters()):
        assert np.array_equal(p._data, q._data), n


def test_state_dict_is_plain_data_numbered_like_pytorch():
    a = nn.Parameter(engine.tensor([[1.0, 2.0]]))
    b = nn.Parameter(engine.tensor([3.0]))
    c = nn.Parameter(engine.tensor([4.0]))
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], betas=(0.8, 0.9))
    for p in (a, b, c):
        p.grad = engine.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.8, 0.9)
    assert sd["state"][0]["step"] == 1.0
    assert np.allclose(sd["state"][0]["exp_avg"], [[0.2, 0.2]]) and isinstance(sd["state"][0]["exp_avg"], list)
    assert set(sd["state"][2]) == {"step", "exp_avg", "exp_avg_sq"}
    assert json.loads(json.dumps(sd))["state"]["1"]["exp_avg_sq"] == pytest.approx([0.1])
    # A snapshot: later steps do not change it.
    opt.step()
    assert sd["state"][0]["step"] == 1.0


def test_load_state_dict_rejects_what_does_not_fit_and_changes_nothing():
    a = nn.Parameter(engine.tensor([[1.0, 2.0]]))
    opt = optim.Adam([a], lr=0.1)
    a.grad = engine.ones_like(a)
    opt.step()
    good = opt.state_dict()
    bad_cases = {
        "groups": {"state": {}, "param_groups": []},
        "sizes": {**good, "param_groups": [{**good["param_groups"][0], "params": [0, 1]}]},
        "shape": {**good, "state": {0: {**good["state"][0], "exp_avg": [1.0, 2.0, 3.0]}}},
        "values": {**good, "state": {0: {**good["state"][0], "exp_avg": [["a", "b"]]}}},
        "step": {**good, "state": {0: {**good["state"][0], "step": -3}}},
        "missing": {**good, "state": {0: {"step": 1.0, "exp_avg": [[0.0, 0.0]]}}},
        "index": {**good, "state": {7: good["state"][0]}},
        "lr": {**good, "param_groups": [{**good["param_groups"][0], "lr": -1.0}]},
        "not a dict": [1, 2],
    }
    before = opt.state_dict()
    for what, bad in bad_cases.items():
        with pytest.raises(ValueError):
            opt.load_state_dict(bad)
        assert opt.state_dict() == before, what


def test_adagrad_state_exists_from_the_start():
    p = nn.Parameter(engine.tensor([1.0, 2.0]))
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["sum"].tolist() == [0.25, 0.25] and opt.state[p]["step"].item() == 0


def test_float64_parameters_are_updated_in_float64():
    p = nn.Parameter(engine.tensor([1.0, -1.0], dtype=engine.float64))
    for make in OPTIMIZERS.values():
        opt = make([p])
        p.grad = engine.tensor([0.3, 0.7], dtype=engine.float64)
        opt.step()
        assert p.dtype == engine.float64 and np.all(np.isfinite(p._data))


def test_a_diverging_run_stays_finite_until_it_overflows_then_reports_nan_not_an_error():
    """A too-large learning rate blows up (as in PyTorch): values become inf/NaN; nothing raises."""
    X, y = seed_002_data()
    W = nn.Parameter(engine.zeros(1, 1))
    opt = optim.SGD([W], lr=10.0)
    with np.errstate(all="ignore"):
        for _ in range(200):
            opt.zero_grad()
            loss = engine.mean((X @ W - y) ** 2)
            loss.backward()
            opt.step()
    assert not math.isfinite(loss.item())


def test_switching_rmsprop_momentum_on_mid_run_starts_a_zero_buffer():
    """PyTorch fails with a KeyError here; the engine starts the buffer at zero, as a fresh run would."""
    params = [nn.Parameter(engine.tensor([1.0, 2.0])), nn.Parameter(engine.tensor([3.0]))]
    opt = optim.RMSprop(params, lr=0.01)
    for k in range(6):
        if k == 3:
            opt.param_groups[0]["momentum"] = 0.9
        for p in params:
            p.grad = engine.ones_like(p)
        opt.step()
    buffer = opt.state[params[0]]["momentum_buffer"]
    # Three momentum steps of g/√v + eps on a buffer that started at 0: b₃ = (1 + 0.9 + 0.81)·g/avg.
    assert buffer.shape == (2,) and np.all(buffer._data > 2.5)
    assert opt.state[params[1]]["step"].item() == 6
