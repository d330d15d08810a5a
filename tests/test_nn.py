"""engine.nn: Module and Parameter bookkeeping, layers, losses, initialisation and gradients.

The PyTorch cross-checks (same weights in both, same errors) are in test_nn_torch.py; this module
needs only the engine. Loss values are compared with the formulas written out in NumPy float64;
every loss and Linear is gradient-checked against central differences on hypothesis-drawn inputs.
"""

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from engine import nn
from engine.autograd import gradcheck
from engine.nn import functional as F
from engine.nn import init

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def grad_fn_chain(t):
    """Names along the first non-leaf input, from the output down."""
    names, fn = [], t.grad_fn
    while fn is not None:
        names.append(fn.name())
        fn = next((f for f, _ in fn.next_functions if f is not None and f.name() != "AccumulateGrad"), None)
    return names


def next_names(t):
    return [None if f is None else f.name() for f, _ in t.grad_fn.next_functions]


# ------------------------------------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_memory():
    data = engine.tensor([[1.0, 2.0]])
    p = nn.Parameter(data)
    assert isinstance(p, engine.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    data._data[0, 0] = 7.0
    assert p.tolist() == [[7.0, 2.0]]
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    # Arithmetic on a parameter gives a plain tensor in the graph.
    q = p * 2
    assert type(q) is engine.Tensor and q.grad_fn.name() == "MulBackward0"


def test_parameter_repr_is_pytorchs():
    assert repr(nn.Parameter(engine.tensor([[0.5]]))) == "Parameter containing:\ntensor([[0.5000]], requires_grad=True)"
    assert str(nn.Parameter(engine.tensor(1.0), requires_grad=False)) == "Parameter containing:\ntensor(1.)"
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"


def test_parameter_rejects_integers_and_non_tensors():
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype can require gradients$"):
        nn.Parameter(engine.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        nn.Parameter([1.0])


# ----------------------------------------------------------------------------------------- registration


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(1, 2)
        self.seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        self.w = nn.Parameter(engine.zeros(1))

    def forward(self, x):
        return self.seq(self.a(x)) * self.w


def test_named_parameters_children_and_modules_follow_pytorchs_order():
    net = Net()
    # A module's own parameters come before its children's, whatever the assignment order.
    assert [n for n, _ in net.named_parameters()] == ["w", "a.weight", "a.bias", "seq.0.weight", "seq.0.bias"]
    assert next(iter(net.parameters())) is net.w
    assert [n for n, _ in net.named_children()] == ["a", "seq"]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Linear", "Sequential", "Linear", "ReLU"]
    assert [n for n, _ in net.named_modules()] == ["", "a", "seq", "seq.0", "seq.1"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["w"]
    assert net.get_parameter("seq.0.bias") is net.seq[0].bias
    assert net.get_submodule("seq.1") is net.seq[1]


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.Tanh(), lin)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]


def test_setattr_registers_replaces_and_deletes():
    net = Net()
    net.extra = nn.Parameter(engine.ones(3))
    assert "extra" in dict(net.named_parameters())
    net.extra = None
    assert "extra" not in dict(net.named_parameters()) and net.extra is None
    with pytest.raises(
        TypeError,
        match=r"cannot assign 'torch.FloatTensor' as parameter 'w' "
        r"\(torch.nn.Parameter or None expected\)",
    ):
        net.w = engine.zeros(1)
    net.a = nn.Tanh()  # a module replaced by another module
    assert [n for n, _ in net.named_parameters()] == ["w", "seq.0.weight", "seq.0.bias"]
    del net.a
    assert [n for n, _ in net.named_children()] == ["seq"]
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'a'"):
        net.a
    net.plain = 3  # ordinary attributes stay ordinary
    assert net.plain == 3 and "plain" not in dict(net.named_parameters())


def test_registration_errors_are_pytorchs():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(engine.zeros(1))

    with pytest.raises(AttributeError, match=r"^cannot assign parameters before Module.__init__\(\) call$"):
        Early()
    m = nn.Linear(2, 2)
    with pytest.raises(KeyError) as info:
        m.add_module("a.b", nn.ReLU())
    assert info.value.args[0] == 'module name can\'t contain ".", got: a.b'
    with pytest.raises(TypeError, match="^int is not a Module subclass$"):
        m.add_module("c", 3)
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' object to parameter 'w2'"):
        m.register_parameter("w2", engine.zeros(1))
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_parameter("training", nn.Parameter(engine.zeros(1)))
    with pytest.raises(ValueError, match="^training mode is expected to be boolean$"):
        m.train("no")
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)


def test_buffers_are_saved_but_not_optimized():
    m = nn.Linear(1, 1)
    m.register_buffer("running", engine.tensor([2.0]))
    m.register_buffer("scratch", engine.tensor([3.0]), persistent=False)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert list(m.state_dict()) == ["weight", "bias", "running"]
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]


# ------------------------------------------------------------------------------------------- state dict


def test_state_dict_shares_memory_and_round_trips():
    engine.manual_seed(1)
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["w", "a.weight", "a.bias", "seq.0.weight", "seq.0.bias"]
    assert all(not t.requires_grad for t in sd.values())
    net.a.weight._data[0, 0] = 42.0
    assert sd["a.weight"].tolist()[0][0] == 42.0  # detached, same memory (as PyTorch)

    engine.manual_seed(2)
    other = Net()
    weight_array = other.a.weight._data
    assert not np.array_equal(other.a.weight._data, net.a.weight._data)
    result = other.load_state_dict(net.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (name, p), (_, q) in zip(other.named_parameters(), net.named_parameters()):
        assert np.array_equal(p._data, q._data), name
    assert other.a.weight._data is weight_array  # loaded in place: references stay valid
    other.a.weight._data[0, 0] = -1.0
    assert net.a.weight.tolist()[0][0] == 42.0  # copied, not shared


def test_load_state_dict_errors_are_pytorchs_and_change_nothing():
    net = Net()
    before = {n: p._data.copy() for n, p in net.named_parameters()}
    sd = net.state_dict()
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict({"w": engine.ones(1), "foo": engine.zeros(1)})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "
        '"a.weight", "a.bias", "seq.0.weight", "seq.0.bias". \n\tUnexpected key(s) in '
        'state_dict: "foo". '
    )
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict({**{k: v + 1 for k, v in sd.items()}, "w": engine.zeros(2), "seq.0.bar": engine.zeros(3)})
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n\tUnexpected key(s) in state_dict: "seq.0.bar". \n\t'
        "size mismatch for w: copying a param with shape torch.Size([2]) from checkpoint, the shape in current "
        "model is torch.Size([1])."
    )
    with pytest.raises(
        RuntimeError, match="expected torch.Tensor or Tensor-like object from checkpoint but received <class 'list'>"
    ):
        net.load_state_dict({**sd, "w": [1.0]})
    for n, p in net.named_parameters():
        assert np.array_equal(p._data, before[n]), f"{n} changed by a failed load"
    result = net.load_state_dict({"w": engine.tensor([5.0]), "foo": engine.zeros(1)}, strict=False)
    assert result.missing_keys == ["a.weight", "a.bias", "seq.0.weight", "seq.0.bias"]
    assert result.unexpected_keys == ["foo"]
    assert net.w.tolist() == [5.0]


def test_load_state_dict_accepts_arrays_and_casts():
    m = nn.Linear(2, 1)
    m.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": engine.tensor([0.5], dtype=engine.float64)})
    assert m.weight.dtype == engine.float32 and m.weight.tolist() == [[1.0, 2.0]] and m.bias.tolist() == [0.5]


# --------------------------------------------------------------------------------------------- modes


def test_train_eval_and_zero_grad():
    net = Net()
    assert net.training and net.seq[0].training
    assert net.eval() is net and not net.training and not net.seq[1].training
    net.train()
    assert all(m.training for m in net.modules())
    net(engine.ones(3, 1)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_module_to_double_converts_parameters_in_place():
    m = nn.Linear(2, 3)
    w = m.weight
    assert m.double() is m
    assert m.weight is w and w.dtype == engine.float64 and m.bias.dtype == engine.float64
    assert m(engine.ones(4, 2, dtype=engine.float64)).dtype == engine.float64


# -------------------------------------------------------------------------------------------- printing


def test_reprs_are_pytorchs():
    assert repr(nn.Linear(1, 1)) == "Linear(in_features=1, out_features=1, bias=True)"
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))) == (
        "Sequential(\n  (0): Linear(in_features=1, out_features=32, bias=True)\n  (1): Tanh()\n"
        "  (2): Linear(in_features=32, out_features=1, bias=True)\n)"
    )
    assert repr(Net()) == (
        "Net(\n  (a): Linear(in_features=1, out_features=2, bias=True)\n  (seq): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=2, bias=True)\n    (1): ReLU()\n  )\n)"
    )
    assert repr(nn.Sequential()) == "Sequential()"
    assert [
        repr(m)
        for m in (
            nn.ReLU(inplace=True),
            nn.Sigmoid(),
            nn.Identity(),
            nn.Flatten(),
            nn.MSELoss(),
            nn.L1Loss(),
            nn.HuberLoss(delta=2.0),
            nn.BCELoss(),
            nn.BCEWithLogitsLoss(),
        )
    ] == [
        "ReLU(inplace=True)",
        "Sigmoid()",
        "Identity()",
        "Flatten(start_dim=1, end_dim=-1)",
        "MSELoss()",
        "L1Loss()",
        "HuberLoss()",
        "BCELoss()",
        "BCEWithLogitsLoss()",
    ]


# ------------------------------------------------------------------------------------------ Sequential


def test_sequential_indexing_and_editing():
    a, b, c = nn.Linear(1, 2), nn.Tanh(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    assert list(seq[1:]) == [b, c] and isinstance(seq[1:], nn.Sequential)
    with pytest.raises(IndexError, match="^index 3 is out of range$"):
        seq[3]
    x = engine.tensor([[0.5], [-1.0]])
    assert np.allclose(seq(x)._data, c(b(a(x)))._data)
    del seq[1]
    assert list(seq) == [a, c] and [n for n, _ in seq.named_children()] == ["0", "1"]
    seq.append(nn.Sigmoid())
    assert repr(seq[2]) == "Sigmoid()"
    named = nn.Sequential(OrderedDict(first=nn.Linear(1, 1), act=nn.ReLU()))
    assert [n for n, _ in named.named_parameters()] == ["first.weight", "first.bias"]


def test_module_list_registers_its_members():
    layers = nn.ModuleList([nn.Linear(1, 2), nn.Linear(2, 1)])
    assert [n for n, _ in layers.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert repr(nn.ModuleList([nn.ReLU(), nn.Tanh()])) == "ModuleList(\n  (0): ReLU()\n  (1): Tanh()\n)"


def test_activations_and_flatten():
    x = engine.tensor([[-1.0, 0.5], [2.0, -0.25]])
    assert nn.ReLU()(x).tolist() == [[0.0, 0.5], [2.0, 0.0]] and nn.ReLU()(x).grad_fn is None
    xg = x.clone().requires_grad_()
    assert nn.ReLU()(xg).grad_fn.name() == "ReluBackward0"
    assert nn.Tanh()(xg).grad_fn.name() == "TanhBackward0"
    assert nn.Sigmoid()(xg).grad_fn.name() == "SigmoidBackward0"
    assert np.allclose(nn.Tanh()(x)._data, np.tanh(x._data))
    assert np.allclose(nn.Sigmoid()(x)._data, 1 / (1 + np.exp(-x._data)))
    assert nn.Identity(3, key=4)(x) is x
    assert nn.Flatten()(engine.zeros(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0, 1)(engine.zeros(2, 3, 4)).shape == (6, 4)


# --------------------------------------------------------------------------------------------- Linear


def test_linear_initialisation_is_pytorchs_distribution_and_seeded():
    engine.manual_seed(123)
    big = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = big.weight._data, big.bias._data
    assert w.shape == (300, 400) and b.shape == (300,) and w.dtype == np.float32
    # U(−1/√in, 1/√in): inside the bounds, reaching close to both, mean ≈ 0, variance ≈ bound²/3.
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert w.max() > 0.999 * bound and w.min() < -0.999 * bound
    assert abs(w.mean()) < 0.01 * bound and w.var() == pytest.approx(bound**2 / 3, rel=0.02)
    engine.manual_seed(123)
    again = nn.Linear(400, 300)
    assert np.array_equal(again.weight._data, w) and np.array_equal(again.bias._data, b)
    engine.manual_seed(124)
    assert not np.array_equal(nn.Linear(400, 300).weight._data, w)


def test_linear_computes_x_wt_plus_b():
    engine.manual_seed(0)
    lin = nn.Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    expected = x.astype(np.float64) @ lin.weight._data.T.astype(np.float64) + lin.bias._data
    assert np.allclose(lin(engine.tensor(x))._data, expected, rtol=1e-6, atol=1e-6)
    assert np.allclose(lin(engine.tensor(x[0]))._data, expected[0], rtol=1e-6, atol=1e-6)
    batch = np.stack([x, x[::-1]])
    assert np.allclose(lin(engine.tensor(batch))._data, np.stack([expected, expected[::-1]]), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "shape, bias, chain, top_inputs",
    [
        ((4, 3), True, ["AddmmBackward0", "TBackward0"], ["AccumulateGrad", "AccumulateGrad", "TBackward0"]),
        ((3,), True, ["ViewBackward0", "AddmmBackward0", "ViewBackward0"], ["AddmmBackward0"]),
        ((5, 4, 3), True, ["ViewBackward0", "AddmmBackward0", "ViewBackward0"], ["AddmmBackward0"]),
        ((4, 3), False, ["MmBackward0", "TBackward0"], ["AccumulateGrad", "TBackward0"]),
        ((3,), False, ["SqueezeBackward4", "MmBackward0", "UnsqueezeBackward0"], ["MmBackward0"]),
        ((5, 4, 3), False, ["UnsafeViewBackward0", "MmBackward0", "ViewBackward0"], ["MmBackward0"]),
    ],
)
def test_linear_graph_is_pytorchs(shape, bias, chain, top_inputs):
    """The grad_fn names PyTorch 2.13 gives for nn.Linear on each input rank (checked against torch
    in test_nn_torch.py)."""
    lin = nn.Linear(3, 2, bias=bias)
    x = engine.randn(*shape, requires_grad=True)
    out = lin(x)
    assert out.shape == shape[:-1] + (2,)
    assert grad_fn_chain(out) == chain
    assert next_names(out) == top_inputs
    out.sum().backward()
    assert x.grad.shape == x.shape and lin.weight.grad.shape == (2, 3)
    # d(sum)/dx = column sums of W, for every row.
    assert np.allclose(x.grad._data, np.broadcast_to(lin.weight._data.sum(0), shape))


def test_linear_errors_are_pytorchs():
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)$"):
        lin(engine.zeros(4, 5))
    with pytest.raises(RuntimeError, match=r"\(1x5 and 3x2\)"):
        lin(engine.zeros(5))
    with pytest.raises(RuntimeError, match=r"\(8x5 and 3x2\)"):
        lin(engine.zeros(2, 4, 5))
    with pytest.raises(RuntimeError, match="^both arguments to linear need to be at least 1D, but they are 0D and 2D$"):
        lin(engine.tensor(1.0))
    with pytest.raises(RuntimeError, match="^mat1 and mat2 must have the same dtype, but got Double and Float$"):
        lin(engine.zeros(4, 3, dtype=engine.float64))
    with pytest.raises(RuntimeError, match="but got Long and Float"):
        lin(engine.ones(4, 3, dtype=engine.int64))
    with pytest.raises(TypeError, match=r"linear\(\): argument 'input' \(position 1\) must be Tensor, not list"):
        F.linear([1.0], lin.weight)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(2\) must match the existing size \(3\)"):
        F.linear(engine.zeros(4, 3), lin.weight, engine.zeros(3))


# ------------------------------------------------------------------------------------------------ init


def test_init_functions():
    t = engine.empty(3, 4)
    assert init.zeros_(t) is t and not t._data.any()
    assert init.ones_(t)._data.min() == 1
    assert init.constant_(t, 0.25)._data.max() == 0.25
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("sigmoid") == 1
    with pytest.raises(ValueError, match="^Unsupported nonlinearity foo$"):
        init.calculate_gain("foo")
    with pytest.raises(
        ValueError, match="^Fan in and fan out can not be computed for tensor with fewer than 2 dimensions$"
    ):
        init.kaiming_uniform_(engine.zeros(3))
    engine.manual_seed(5)
    big = engine.empty(200, 300)
    init.xavier_uniform_(big)
    a = math.sqrt(6 / 500)
    assert np.abs(big._data).max() <= a and np.abs(big._data).max() > 0.99 * a
    init.kaiming_uniform_(big, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(big._data).max() <= bound and np.abs(big._data).max() > 0.99 * bound
    init.normal_(big, 2.0, 0.5)
    assert big._data.mean() == pytest.approx(2.0, abs=0.01) and big._data.std() == pytest.approx(0.5, rel=0.02)
    g = engine.Generator().manual_seed(3)
    first = init.uniform_(engine.empty(5), -1, 1, generator=g)._data.copy()
    g.manual_seed(3)
    assert np.array_equal(init.uniform_(engine.empty(5), -1, 1, generator=g)._data, first)


def test_init_does_not_record_history():
    p = nn.Parameter(engine.zeros(2, 2))
    init.uniform_(p)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


# ------------------------------------------------------------------------------------------------ losses


def _np(t):
    return t._data.astype(np.float64)


def _reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


LOSS_CASES = {
    "mse_loss": (lambda x, y: (x - y) ** 2, "MseLossBackward0", {}),
    "l1_loss": (lambda x, y: np.abs(x - y), None, {}),
    "huber_loss": (
        lambda x, y: np.where(np.abs(x - y) < 0.7, 0.5 * (x - y) ** 2, 0.7 * (np.abs(x - y) - 0.35)),
        "HuberLossBackward0",
        {"delta": 0.7},
    ),
    "binary_cross_entropy": (
        lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)),
        "BinaryCrossEntropyBackward0",
        {},
    ),
    "binary_cross_entropy_with_logits": (
        lambda z, y: -(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))),
        "BinaryCrossEntropyWithLogitsBackward0",
        {},
    ),
}
L1_NAMES = {"mean": "MeanBackward0", "sum": "SumBackward0", "none": "AbsBackward0"}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_loss_values_and_grad_fns(name, reduction):
    formula, grad_fn, kwargs = LOSS_CASES[name]
    rng = np.random.default_rng(7)
    if name == "binary_cross_entropy":
        x = rng.uniform(0.05, 0.95, (6, 1))
    else:
        x = rng.normal(0, 1.5, (6, 1))
    y = rng.uniform(0, 1, (6, 1)) if "cross_entropy" in name else rng.normal(0, 1.5, (6, 1))
    xt = engine.tensor(x, dtype=engine.float32, requires_grad=True)
    yt = engine.tensor(y, dtype=engine.float32)
    out = getattr(F, name)(xt, yt, reduction=reduction, **kwargs)
    expected = _reduce(formula(_np(xt), _np(yt)), reduction)
    assert out.dtype == engine.float32
    assert out.shape == np.shape(expected)
    assert np.allclose(out._data, expected, rtol=2e-6, atol=1e-6)
    assert out.grad_fn.name() == (L1_NAMES[reduction] if name == "l1_loss" else grad_fn)


def test_l1_loss_is_built_from_sub_abs_mean():
    x = engine.tensor([1.0, -2.0], requires_grad=True)
    assert grad_fn_chain(F.l1_loss(x, engine.tensor([0.0, 0.0]))) == ["MeanBackward0", "AbsBackward0", "SubBackward0"]


def test_loss_modules_call_their_functions():
    x = engine.tensor([[0.2], [0.7]], requires_grad=True)
    y = engine.tensor([[0.0], [1.0]])
    for module, fn in [
        (nn.MSELoss(reduction="sum"), lambda: F.mse_loss(x, y, reduction="sum")),
        (nn.L1Loss(), lambda: F.l1_loss(x, y)),
        (nn.HuberLoss(delta=0.1), lambda: F.huber_loss(x, y, delta=0.1)),
        (
            nn.BCELoss(weight=engine.tensor([[1.0], [3.0]])),
            lambda: F.binary_cross_entropy(x, y, weight=engine.tensor([[1.0], [3.0]])),
        ),
        (
            nn.BCEWithLogitsLoss(pos_weight=engine.tensor([2.0])),
            lambda: F.binary_cross_entropy_with_logits(x, y, pos_weight=engine.tensor([2.0])),
        ),
    ]:
        assert module(x, y).item() == fn().item()
    assert nn.MSELoss(reduce=False)(x, y).shape == (2, 1)  # PyTorch's legacy flags still map to a reduction


def test_bce_weights_and_clamped_logs():
    p = engine.tensor([0.2, 0.5, 0.9])
    y = engine.tensor([0.0, 1.0, 1.0])
    w = engine.tensor([1.0, 2.0, 3.0])
    manual = -(np.array([1, 2, 3]) * (y._data * np.log(p._data) + (1 - y._data) * np.log(1 - p._data))).mean()
    assert F.binary_cross_entropy(p, y, weight=w).item() == pytest.approx(manual, rel=1e-6)
    # log(0) is floored at −100, so a confident wrong answer costs 100 and its gradient is finite.
    q = engine.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(q, engine.tensor([1.0, 0.0]))
    assert loss.item() == 100.0
    loss.backward()
    assert q.grad.tolist() == [pytest.approx(-5e11, rel=1e-6), pytest.approx(5e11, rel=1e-6)]
    z = engine.tensor([0.3, -1.0, 2.0])
    t = engine.tensor([1.0, 0.0, 1.0])
    sig = 1 / (1 + np.exp(-z._data.astype(np.float64)))
    manual = -(2 * t._data * np.log(sig) + (1 - t._data) * np.log(1 - sig)).mean()
    assert F.binary_cross_entropy_with_logits(z, t, pos_weight=engine.tensor([2.0])).item() == pytest.approx(
        manual, rel=1e-6
    )
    # Large logits stay finite (no log(0) inside).
    huge = F.binary_cross_entropy_with_logits(engine.tensor([200.0, -200.0]), engine.tensor([0.0, 1.0]))
    assert huge.item() == pytest.approx(200.0)


def test_loss_errors_are_pytorchs():
    x = engine.tensor([[0.5], [1.5]])
    y = engine.tensor([[1.0], [0.0]])
    with pytest.raises(RuntimeError, match="^all elements of input should be between 0 and 1$"):
        F.binary_cross_entropy(x, y)
    with pytest.raises(RuntimeError, match="^all elements of input should be between 0 and 1$"):
        F.binary_cross_entropy(engine.tensor([float("nan")]), engine.tensor([1.0]))
    with pytest.raises(RuntimeError, match="^all elements of target should be between 0 and 1$"):
        F.binary_cross_entropy(engine.tensor([0.2]), engine.tensor([1.5]))
    with pytest.raises(
        ValueError,
        match=r"^Using a target size \(torch.Size\(\[2\]\)\) that is different to the input "
        r"size \(torch.Size\(\[2, 1\]\)\) is deprecated. Please ensure they have "
        r"the same size.$",
    ):
        F.binary_cross_entropy(engine.tensor([[0.5], [0.5]]), engine.tensor([1.0, 0.0]))
    with pytest.raises(
        ValueError,
        match=r"^Target size \(torch.Size\(\[2\]\)\) must be the same as input size "
        r"\(torch.Size\(\[2, 1\]\)\)$",
    ):
        F.binary_cross_entropy_with_logits(x, engine.tensor([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="^Found dtype Float but expected Double$"):
        F.binary_cross_entropy(engine.tensor([0.5], dtype=engine.float64), engine.tensor([1.0]))
    with pytest.raises(RuntimeError, match="^huber_loss does not support non-positive values for delta.$"):
        F.huber_loss(x, y, delta=0)
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        F.mse_loss(x, y, reduction="foo")
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        nn.MSELoss(reduction="foo")(x, y)
    with pytest.raises(TypeError, match=r"mse_loss\(\): argument 'target' \(position 2\) must be Tensor, not list"):
        F.mse_loss(x, [1.0])
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 2 at -1!"):
        F.binary_cross_entropy(engine.tensor([0.2, 0.5, 0.9]), engine.tensor([0.0, 1.0, 1.0]), weight=engine.ones(2))


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.huber_loss])
def test_mismatched_shapes_warn_then_broadcast_or_fail(fn):
    x = engine.tensor([[1.0], [2.0], [3.0], [4.0]], requires_grad=True)
    y = engine.tensor([1.0, 2.0, 3.0, 4.0])
    with pytest.warns(
        UserWarning,
        match=r"^Using a target size \(torch.Size\(\[4\]\)\) that is different to the "
        r"input size \(torch.Size\(\[4, 1\]\)\). This will likely lead to incorrect "
        r"results due to broadcasting. Please ensure they have the same size.$",
    ):
        loss = fn(x, y)
    # (4, 1) against (4,) broadcasts to (4, 4): every prediction meets every target, as in PyTorch.
    assert loss.item() > 0
    loss.backward()
    assert x.grad.shape == (4, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(
            RuntimeError,
            match=r"^The size of tensor a \(3\) must match the size of tensor b \(4\) at "
            r"non-singleton dimension 0$",
        ):
            fn(engine.zeros(3), engine.zeros(4))


def test_losses_of_empty_inputs_are_nan_for_mean_and_zero_for_sum():
    e = engine.zeros(0)
    for fn in (F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        assert math.isnan(fn(e, e).item())
        assert fn(e, e, reduction="sum").item() == 0.0


def test_integer_targets_are_promoted():
    x = engine.tensor([[0.5], [2.5]], requires_grad=True)
    loss = F.mse_loss(x, engine.tensor([[1], [2]]))
    assert loss.dtype == engine.float32 and loss.item() == pytest.approx(0.25)
    loss.backward()
    assert x.grad.tolist() == [[-0.5], [0.5]]


# --------------------------------------------------------------------------------- graph view support


def test_fused_losses_show_local_gradients_in_the_trace():
    """The graph view's edge into a fused loss is ∂L/∂ŷᵢ: 2(ŷᵢ − yᵢ)/n for MSE, as the formula says."""
    w = engine.tensor([[2.0]], requires_grad=True)
    x = engine.tensor([[1.0], [2.0], [3.0]])
    y = engine.tensor([[1.0], [5.0], [3.5]])
    loss = F.mse_loss(x @ w, y)
    loss.backward()
    tr = engine.graph.trace(loss)
    root = tr.nodes[tr.root]
    assert root.op == "MseLossBackward0" and root.symbol == "MSE"
    assert root.formula[0] == "∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ) / n"
    into = tr.edges_into(tr.root)
    assert np.allclose(into[0].local_grad, 2 * (np.array([[2.0], [4.0], [6.0]]) - y._data) / 3)
    assert np.allclose(into[1].local_grad, -into[0].local_grad)


@pytest.mark.parametrize("name", ["mse_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_local_grads_are_the_gradient_of_a_unit_upstream(name, reduction):
    rng = np.random.default_rng(3)
    x = engine.tensor(rng.uniform(0.1, 0.9, (5,)), dtype=engine.float64, requires_grad=True)
    y = engine.tensor(rng.uniform(0, 1, (5,)), dtype=engine.float64, requires_grad=True)
    out = getattr(F, name)(x, y, reduction=reduction)
    out.backward(engine.ones_like(out))
    local = out.grad_fn.local_grads(x._data, y._data)
    assert np.allclose(local[0], x.grad._data) and np.allclose(local[1], y.grad._data)
    assert len(out.grad_fn.formula) == 2


def test_trace_labels_parameters_with_module_names():
    engine.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 2), nn.Tanh(), nn.Linear(2, 1))
    loss = nn.MSELoss()(model(engine.randn(4, 1)), engine.randn(4, 1))
    loss.backward()
    tr = engine.graph.trace(loss, module=model)
    params = {n.label: n for n in tr.nodes if n.kind == "parameter"}
    assert set(params) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert np.array_equal(params["2.weight"].grad, model[2].weight.grad._data)
    assert [n.op for n in tr.nodes if n.kind == "op"] == [
        "TBackward0",
        "AddmmBackward0",
        "TanhBackward0",
        "TBackward0",
        "AddmmBackward0",
        "MseLossBackward0",
    ]


# ----------------------------------------------------------------------------------------- gradchecks


def _arrays(shape, lo=-2.0, hi=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False))


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _t(a):
    return engine.tensor(a, dtype=engine.float64, requires_grad=True)


@SETTINGS
@given(st.data(), REDUCTIONS)
def test_gradcheck_mse_and_l1(data, reduction):
    shape = data.draw(SHAPES)
    x = data.draw(_arrays(shape))
    # Keep |x − y| away from 0, where |·| has its kink.
    y = x + data.draw(_arrays(shape, 0.1, 2.0)) * data.draw(
        hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    )
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (_t(x), _t(y)))
    assert gradcheck(lambda a, b: F.l1_loss(a, b, reduction=reduction), (_t(x), _t(y)))


@SETTINGS
@given(st.data(), REDUCTIONS, st.floats(0.3, 2.0))
def test_gradcheck_huber(data, reduction, delta):
    shape = data.draw(SHAPES)
    x = data.draw(_arrays(shape))
    # Keep |x − y| away from δ, where the second derivative jumps.
    gap = data.draw(_arrays(shape, 0.0, 3.0).filter(lambda a: np.all(np.abs(a - delta) > 0.05)))
    y = x - gap * data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    assert gradcheck(lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=delta), (_t(x), _t(y)))


@SETTINGS
@given(st.data(), REDUCTIONS, st.booleans())
def test_gradcheck_binary_cross_entropy(data, reduction, weighted):
    shape = data.draw(SHAPES)
    p = data.draw(_arrays(shape, 0.05, 0.95))
    y = data.draw(_arrays(shape, 0.01, 0.99))  # inside [0, 1] even after the central-difference step
    w = engine.tensor(data.draw(_arrays(shape, 0.5, 2.0)), dtype=engine.float64) if weighted else None
    assert gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction), (_t(p), _t(y)), atol=1e-5, rtol=1e-4
    )


@SETTINGS
@given(st.data(), REDUCTIONS, st.booleans(), st.booleans())
def test_gradcheck_binary_cross_entropy_with_logits(data, reduction, weighted, positive_weight):
    shape = data.draw(SHAPES)
    z = data.draw(_arrays(shape, -4.0, 4.0))
    y = data.draw(_arrays(shape, 0.0, 1.0))
    w = engine.tensor(data.draw(_arrays(shape, 0.5, 2.0)), dtype=engine.float64) if weighted else None
    last = shape[-1] if shape else 1
    pw = engine.tensor(data.draw(_arrays((last,), 0.5, 3.0)), dtype=engine.float64) if positive_weight else None
    assert gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w, pos_weight=pw, reduction=reduction),
        (_t(z), _t(y)),
    )


@SETTINGS
@given(st.data(), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.sampled_from([(), (2,), (3, 2)]))
def test_gradcheck_linear(data, n_in, n_out, bias, batch):
    x = data.draw(_arrays(batch + (n_in,)))
    w = data.draw(_arrays((n_out, n_in)))
    b = data.draw(_arrays((n_out,)))
    inputs = (_t(x), _t(w), _t(b)) if bias else (_t(x), _t(w))
    assert gradcheck(lambda *ts: F.linear(*ts), inputs)


def test_gradcheck_linear_module_parameters():
    engine.manual_seed(4)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).double()
    x = engine.randn(5, 2, dtype=engine.float64)
    target = engine.zeros(5, 1, dtype=engine.float64)
    # gradcheck perturbs each parameter's own array, which the model reads.
    assert gradcheck(lambda *params: F.mse_loss(model(x), target), tuple(model.parameters()))
