"""The wider PyTorch API against PyTorch itself: values, gradients, dtypes, grad_fn names, printing,
error texts, learning-rate schedules and the names the engine does not implement.

Every case is written once as ``fn(lib, ...)`` and runs with ``lib = torch`` and ``lib = engine`` on
the same inputs. Skipped where PyTorch is not installed (a test-only extra).
"""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import engine  # noqa: E402
from engine import _pytorch_names  # noqa: E402

torch.set_num_threads(1)

TOLERANCE = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def normalise(text):
    return re.sub(r"0x[0-9a-fA-F]+", "0x...", str(text))


def as_numpy(t):
    return np.asarray(t.detach().numpy()) if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


# ------------------------------------------------------------------------------- differentiable ops

CASES = {}


def case(name, *shapes, low=-2.0, high=2.0):
    """Register ``fn(lib, *tensors)`` on inputs of ``shapes`` drawn uniformly from [low, high)."""

    def register(fn):
        CASES[name] = (fn, shapes, low, high)
        return fn

    return register


for _name in ["log1p", "expm1", "exp2", "log2", "log10", "rsqrt", "tan", "atan", "asin", "acos", "sinh", "cosh"]:
    case(_name, (3, 4), low=0.2, high=0.9)(lambda lib, a, name=_name: getattr(a, name)())
case("erf", (3, 4))(lambda lib, a: lib.erf(a))
case("arctan", (5,))(lambda lib, a: lib.arctan(a))
case("sign times a", (3, 4))(lambda lib, a: a.sign() * a)
case("floor times a", (3, 4))(lambda lib, a: lib.floor(a) * a)
case("round decimals", (3, 4))(lambda lib, a: a.round(decimals=2))
case("frac", (3, 4))(lambda lib, a: a.frac())
case("trunc", (3, 4))(lambda lib, a: lib.trunc(a) + a)
case("ceil", (3, 4))(lambda lib, a: a.ceil() * a)
case("softmax dim 1", (3, 4))(lambda lib, a: a.softmax(1) * lib.arange(4.0, dtype=a.dtype))
case("softmax dim 0 function", (3, 4))(lambda lib, a: lib.softmax(a, dim=0) * lib.arange(4.0, dtype=a.dtype))
case("F.softmax", (2, 3, 4))(lambda lib, a: lib.nn.functional.softmax(a, dim=-1) * a)
case("log_softmax", (3, 4))(lambda lib, a: lib.log_softmax(a, 1))
case("F.log_softmax", (2, 5))(lambda lib, a: lib.nn.functional.log_softmax(a, dim=1))
case("softmin", (2, 5))(lambda lib, a: lib.nn.functional.softmin(a, dim=1) * a)
case("logsumexp", (3, 4))(lambda lib, a: a.logsumexp(1))
case("logsumexp keepdim", (3, 4))(lambda lib, a: lib.logsumexp(a, dim=0, keepdim=True))
case("logsumexp dims", (2, 3, 4))(lambda lib, a: a.logsumexp((0, 2)))
case("prod", (3, 4))(lambda lib, a: a.prod())
case("prod dim", (3, 4))(lambda lib, a: lib.prod(a, 1, keepdim=True))
case("cumsum", (3, 4))(lambda lib, a: a.cumsum(1))
case("cumsum function", (3, 4))(lambda lib, a: lib.cumsum(a, dim=0))
case("cumprod", (3, 4))(lambda lib, a: a.cumprod(1))
case("std", (3, 4))(lambda lib, a: a.std())
case("std dim", (3, 4))(lambda lib, a: a.std(1))
case("std unbiased False", (3, 4))(lambda lib, a: lib.std(a, 0, unbiased=False, keepdim=True))
case("var", (3, 4))(lambda lib, a: a.var())
case("var correction", (3, 4))(lambda lib, a: a.var(dim=1, correction=0))
case("var dims", (2, 3, 4))(lambda lib, a: lib.var(a, (0, 2)))
case("norm", (3, 4))(lambda lib, a: a.norm())
case("norm dim", (3, 4))(lambda lib, a: lib.norm(a, dim=1))
case("norm p=1", (3, 4))(lambda lib, a: a.norm(p=1))
case("norm p=3 keepdim", (3, 4))(lambda lib, a: a.norm(3, dim=0, keepdim=True))
case("norm fro", (3, 4))(lambda lib, a: lib.norm(a, "fro"))
case("linalg.norm", (3, 4))(lambda lib, a: lib.linalg.norm(a))
case("linalg.vector_norm", (5,))(lambda lib, a: lib.linalg.vector_norm(a, ord=1))
case("amax", (3, 4))(lambda lib, a: a.amax(1))
case("amin", (3, 4))(lambda lib, a: lib.amin(a, dim=0, keepdim=True))
case("sort values", (3, 4))(lambda lib, a: a.sort(1).values)
case("sort descending", (3, 4))(lambda lib, a: lib.sort(a, dim=0, descending=True)[0])
case("topk", (3, 4))(lambda lib, a: a.topk(2).values)
case("median", (3, 5))(lambda lib, a: a.median())
case("median dim", (3, 5))(lambda lib, a: a.median(1).values)
case("kthvalue", (3, 5))(lambda lib, a: a.kthvalue(2, 1).values)
case("gather", (3, 4))(lambda lib, a: a.gather(1, lib.tensor([[0, 0], [1, 3], [2, 1]])))
case("index_select", (3, 4))(lambda lib, a: lib.index_select(a, 1, lib.tensor([3, 0, 3])))
case("masked_fill", (3, 4))(lambda lib, a: a.masked_fill(a > 0.5, 0.0))
case("masked_select", (3, 4))(lambda lib, a: a.masked_select(a > 0))
case("repeat", (2, 3))(lambda lib, a: a.repeat(2, 1, 3))
case("tile", (2, 3))(lambda lib, a: a.tile((2,)))
case("flip", (2, 3))(lambda lib, a: a.flip(0))
case("roll", (2, 3))(lambda lib, a: a.roll(1, 1))
case("tril", (3, 3))(lambda lib, a: a.tril())
case("triu", (3, 3))(lambda lib, a: lib.triu(a, 1))
case("diag of a matrix", (3, 3))(lambda lib, a: lib.diag(a))
case("diag of a vector", (3,))(lambda lib, a: a.diag())
case("diagonal", (3, 3))(lambda lib, a: a.diagonal())
case("trace", (3, 3))(lambda lib, a: a.trace())
case("bmm", (2, 3, 4), (2, 4, 2))(lambda lib, a, b: lib.bmm(a, b))
case("einsum matmul", (3, 4), (4, 2))(lambda lib, a, b: lib.einsum("ij,jk->ik", a, b))
case("einsum sum", (3, 4))(lambda lib, a: lib.einsum("ij->", a))
case("einsum outer", (3,), (2,))(lambda lib, a, b: lib.einsum("i,j->ij", a, b))
case("einsum batch", (2, 3, 4), (2, 4, 2))(lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b))
case("einsum transpose", (3, 4))(lambda lib, a: lib.einsum("ij->ji", a))
case("einsum row dot", (3, 4), (3, 4))(lambda lib, a, b: lib.einsum("ij,ij->i", a, b))
case("einsum trace", (3, 3))(lambda lib, a: lib.einsum("ii", a))
case("atan2", (3, 4), (3, 4))(lambda lib, a, b: lib.atan2(a, b))
case("lerp", (3, 4), (3, 4))(lambda lib, a, b: lib.lerp(a, b, 0.3))
case("logaddexp", (3, 4), (4,))(lambda lib, a, b: lib.logaddexp(a, b))
case("clamp_min", (3, 4))(lambda lib, a: a.clamp_min(0.1))
case("clamp_max", (3, 4))(lambda lib, a: lib.clamp_max(a, 0.1))
case("remainder", (3, 4))(lambda lib, a: a % 0.7)
case("fmod", (3, 4))(lambda lib, a: lib.fmod(a, 0.7))
case("leaky_relu", (3, 4))(lambda lib, a: lib.nn.functional.leaky_relu(a, 0.2))
case("softplus", (3, 4))(lambda lib, a: lib.nn.functional.softplus(a))
case("softplus beta", (3, 4))(lambda lib, a: lib.nn.functional.softplus(a, beta=2, threshold=2))
case("gelu", (3, 4))(lambda lib, a: lib.nn.functional.gelu(a))
case("gelu tanh", (3, 4))(lambda lib, a: lib.nn.functional.gelu(a, approximate="tanh"))
case("elu", (3, 4))(lambda lib, a: lib.nn.functional.elu(a))
case("selu", (3, 4))(lambda lib, a: lib.nn.functional.selu(a))
case("celu", (3, 4))(lambda lib, a: lib.nn.functional.celu(a, 0.5))
case("silu", (3, 4))(lambda lib, a: lib.nn.functional.silu(a))
case("mish", (3, 4))(lambda lib, a: lib.nn.functional.mish(a))
case("relu6", (3, 4))(lambda lib, a: lib.nn.functional.relu6(a * 4))
case("hardtanh", (3, 4))(lambda lib, a: lib.nn.functional.hardtanh(a))
case("hardsigmoid", (3, 4))(lambda lib, a: lib.nn.functional.hardsigmoid(a * 4))
case("hardswish", (3, 4))(lambda lib, a: lib.nn.functional.hardswish(a * 4))
case("logsigmoid", (3, 4))(lambda lib, a: lib.nn.functional.logsigmoid(a))
case("softsign", (3, 4))(lambda lib, a: lib.nn.functional.softsign(a))
case("tanhshrink", (3, 4))(lambda lib, a: lib.nn.functional.tanhshrink(a))
case("softshrink", (3, 4))(lambda lib, a: lib.nn.functional.softshrink(a))
case("hardshrink", (3, 4))(lambda lib, a: lib.nn.functional.hardshrink(a))
case("threshold", (3, 4))(lambda lib, a: lib.nn.functional.threshold(a, 0.1, 20.0))
case("glu", (3, 4))(lambda lib, a: lib.nn.functional.glu(a))
case("prelu", (2, 3, 2), (3,), low=0.1, high=0.5)(lambda lib, a, w: lib.nn.functional.prelu(a - 0.3, w))
case("cross_entropy", (4, 3))(lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor([2, 0, 1, 2])))
case("cross_entropy sum", (4, 3))(
    lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor([2, 0, 1, 2]), reduction="sum")
)
case("cross_entropy none", (4, 3))(
    lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor([2, 0, 1, 2]), reduction="none")
)
case("cross_entropy weight", (4, 3), (3,), low=0.5, high=2.0)(
    lambda lib, a, w: lib.nn.functional.cross_entropy(a, lib.tensor([2, 0, 1, 2]), weight=w.detach())
)
case("cross_entropy ignore_index", (4, 3))(
    lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor([2, -100, 1, 2]))
)
case("cross_entropy label smoothing", (4, 3))(
    lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor([2, 0, 1, 2]), label_smoothing=0.1)
)
case("cross_entropy probabilities", (4, 3), (4, 3))(
    lambda lib, a, t: lib.nn.functional.cross_entropy(a, t.detach().softmax(1))
)
case("cross_entropy 1-d", (5,))(lambda lib, a: lib.nn.functional.cross_entropy(a, lib.tensor(3)))
case("CrossEntropyLoss", (4, 3))(lambda lib, a: lib.nn.CrossEntropyLoss()(a, lib.tensor([2, 0, 1, 2])))
case("nll_loss", (4, 3))(lambda lib, a: lib.nn.functional.nll_loss(a.log_softmax(1), lib.tensor([2, 0, 1, 2])))
case("NLLLoss sum", (4, 3))(
    lambda lib, a: lib.nn.NLLLoss(reduction="sum")(lib.log_softmax(a, 1), lib.tensor([2, 0, 1, 2]))
)
case("smooth_l1_loss", (3, 4), (3, 4))(lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b))
case("SmoothL1Loss beta", (3, 4), (3, 4))(lambda lib, a, b: lib.nn.SmoothL1Loss(beta=0.5, reduction="sum")(a, b))
case("kl_div batchmean", (3, 4), (3, 4))(
    lambda lib, a, b: lib.nn.functional.kl_div(a.log_softmax(1), b.detach().softmax(1), reduction="batchmean")
)
case("cosine_similarity", (3, 4), (3, 4))(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b))
case("normalize", (3, 4))(lambda lib, a: lib.nn.functional.normalize(a, dim=1))
case("layer_norm", (3, 4), (4,), (4,))(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (4,), w, b))
case("batch_norm training", (5, 3), (3,), (3,))(
    lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True)
)
case("embedding", (5, 3))(lambda lib, w: lib.nn.functional.embedding(lib.tensor([[0, 4], [2, 2]]), w))
case("one_hot times weights", (3, 4))(
    lambda lib, a: lib.nn.functional.one_hot(lib.tensor([3, 0, 1]), 4).to(a.dtype) * a
)
case("pad", (2, 3))(lambda lib, a: lib.nn.functional.pad(a, (1, 2, 0, 1)))
case("linalg.inv", (3, 3), low=-0.3, high=0.3)(lambda lib, a: lib.linalg.inv(a + lib.eye(3, dtype=a.dtype) * 2))
case("linalg.det", (3, 3), low=-0.3, high=0.3)(lambda lib, a: lib.linalg.det(a + lib.eye(3, dtype=a.dtype) * 2))
case("linalg.solve", (3, 3), (3,), low=-0.3, high=0.3)(
    lambda lib, a, b: lib.linalg.solve(a + lib.eye(3, dtype=a.dtype) * 2, b)
)
case("hstack", (2, 3), (2, 1))(lambda lib, a, b: lib.hstack([a, b]))
case("vstack", (3,), (3,))(lambda lib, a, b: lib.vstack([a, b]))
case("chunk", (4, 3))(lambda lib, a: a.chunk(2)[1])
case("split sizes", (4, 3))(lambda lib, a: lib.split(a, [1, 2], dim=1)[1] * 2)
case("unbind", (4, 3))(lambda lib, a: a.unbind(1)[2])
case("narrow", (4, 3))(lambda lib, a: a.narrow(0, 1, 2))
case("movedim", (2, 3, 4))(lambda lib, a: a.movedim(0, -1))
case("swapaxes", (2, 3, 4))(lambda lib, a: lib.swapaxes(a, 0, 2))
case("broadcast_to", (3, 1))(lambda lib, a: a.broadcast_to((2, 3, 4)))
case("meshgrid", (3,), (2,))(
    lambda lib, a, b: lib.meshgrid(a, b, indexing="ij")[0] * lib.meshgrid(a, b, indexing="ij")[1]
)
case("outer", (3,), (2,))(lambda lib, a, b: lib.outer(a, b))
case("addmm", (2, 2), (2, 3), (3, 2))(lambda lib, c, a, b: lib.addmm(c, a, b))
case("sum axis keepdims", (2, 3))(lambda lib, a: a.sum(axis=1, keepdims=True))
case("mean axis", (2, 3))(lambda lib, a: lib.mean(a, axis=0))
case("max axis", (2, 3))(lambda lib, a: lib.max(a, axis=1).values)
case("add keywords", (2, 3), (3,))(lambda lib, a, b: lib.add(input=a, other=b, alpha=2))
case("pow keyword", (2, 3), low=0.5)(lambda lib, a: lib.pow(a, exponent=1.5))
case("div rounding trunc", (2, 3))(lambda lib, a: lib.div(a * 3, 1.25, rounding_mode="trunc") + a)
case("matmul keywords", (2, 3), (3, 2))(lambda lib, a, b: lib.matmul(input=a, other=b))
case("xlogy", (3, 4), (3, 4), low=0.2)(lambda lib, a, b: lib.xlogy(a, b))
case("new_tensor stays out of the graph", (2,))(lambda lib, a: a.new_tensor([1.5, 2.5]) * a)
case("clip_grad_norm_ target", (3,))(lambda lib, a: (a * a).sum())

NAMES = sorted(CASES)


def _inputs(shapes, low, high, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, shape).astype(dtype) for shape in shapes]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_values_gradients_and_names_match_pytorch(name, dtype):
    fn, shapes, low, high = CASES[name]
    arrays = _inputs(shapes, low, high, dtype)
    results = {}
    for lib in (engine, torch):
        tensors = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *tensors)
        weights = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))
        (out * weights).sum().backward()
        results[lib.__name__] = (out, tensors)
    (e_out, e_in), (t_out, t_in) = results["engine"], results["torch"]
    assert str(e_out.dtype) == str(t_out.dtype)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    np.testing.assert_allclose(as_numpy(e_out), as_numpy(t_out), **TOLERANCE[dtype], err_msg=f"{name} values")
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        assert (e.grad is None) == (t.grad is None), f"{name}: gradient of input {i}"
        if t.grad is not None:
            np.testing.assert_allclose(as_numpy(e.grad), as_numpy(t.grad), **TOLERANCE[dtype], err_msg=name)


# --------------------------------------------------------------------------- values without gradients

VALUES = {
    "sort indices": lambda lib: lib.tensor([[3.0, 1.0, 2.0], [0.5, 0.25, 4.0]]).sort(1).indices,
    "argsort descending": lambda lib: lib.argsort(lib.tensor([3, 1, 2, 5]), descending=True),
    "topk indices": lambda lib: lib.tensor([[3.0, 1.0, 2.0], [0.5, 0.25, 4.0]]).topk(2, dim=1).indices,
    "unique": lambda lib: lib.unique(lib.tensor([3, 1, 3, 2, 1])),
    "unique counts": lambda lib: lib.unique(lib.tensor([3, 1, 3, 2, 1]), return_counts=True)[1],
    "unique inverse": lambda lib: lib.tensor([3, 1, 3, 2, 1]).unique(return_inverse=True)[1],
    "nonzero": lambda lib: lib.nonzero(lib.tensor([[0, 1], [2, 0]])),
    "nonzero as_tuple": lambda lib: lib.nonzero(lib.tensor([0, 3, 0, 4]), as_tuple=True)[0],
    "argwhere": lambda lib: lib.argwhere(lib.tensor([[0, 1], [2, 0]])),
    "any dim": lambda lib: (lib.tensor([[0, 1], [0, 0]]) > 0).any(1),
    "all keepdim": lambda lib: lib.all(lib.tensor([[1, 1], [0, 1]]) > 0, dim=0, keepdim=True),
    "any of float": lambda lib: lib.tensor([0.0, 0.5]).any(),
    "all of empty": lambda lib: lib.tensor([]).all(),
    "isclose": lambda lib: lib.isclose(lib.tensor([1.0, 2.0, 3.0]), lib.tensor([1.0, 2.0001, 3.1])),
    "isclose atol": lambda lib: lib.tensor([1.0, 2.0]).isclose(lib.tensor([1.05, 2.0]), atol=0.1),
    "isinf": lambda lib: lib.isinf(lib.tensor([1.0, math.inf, -math.inf])),
    "logical ops": lambda lib: lib.logical_and(lib.tensor([True, False, True]), lib.tensor([True, True, False])),
    "logical_not": lambda lib: lib.logical_not(lib.tensor([1, 0, 2])),
    "xor of bools": lambda lib: lib.tensor([True, False]) ^ lib.tensor([True, True]),
    "eq function": lambda lib: lib.eq(lib.tensor([1, 2, 3]), 2),
    "count_nonzero": lambda lib: lib.count_nonzero(lib.tensor([[0, 1], [2, 3]]), dim=0),
    "bincount": lambda lib: lib.bincount(lib.tensor([1, 1, 3])),
    "searchsorted": lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0, 3.0]), lib.tensor([0.5, 2.0, 3.5])),
    "bucketize": lambda lib: lib.bucketize(lib.tensor([0.5, 2.0, 3.5]), lib.tensor([1.0, 2.0, 3.0]), right=True),
    "histc": lambda lib: lib.histc(lib.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4),
    "one_hot": lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 2, 1])),
    "one_hot classes": lambda lib: lib.nn.functional.one_hot(lib.tensor([[0], [2]]), num_classes=4),
    "meshgrid xy": lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2), indexing="xy")[1],
    "cartesian_prod": lambda lib: lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([3, 4, 5])),
    "tril_indices": lambda lib: lib.tril_indices(3, 3),
    "triu_indices offset": lambda lib: lib.triu_indices(3, 4, 1),
    "combinations": lambda lib: lib.combinations(lib.tensor([1, 2, 3])),
    "repeat_interleave": lambda lib: lib.tensor([1, 2]).repeat_interleave(3),
    "repeat_interleave dim": lambda lib: lib.repeat_interleave(lib.tensor([[1, 2], [3, 4]]), 2, dim=0),
    "diff": lambda lib: lib.diff(lib.tensor([1, 4, 9, 16])),
    "cumsum of ints": lambda lib: lib.tensor([1, 2, 3]).cumsum(0),
    "cumsum of bools": lambda lib: lib.tensor([True, False, True]).cumsum(0),
    "prod of ints": lambda lib: lib.tensor([[1, 2], [3, 4]]).prod(1),
    "kron": lambda lib: lib.kron(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[0, 1], [1, 0]])),
    "cross": lambda lib: lib.cross(lib.tensor([1.0, 0.0, 0.0]), lib.tensor([0.0, 1.0, 0.0]), dim=0),
    "floor_divide": lambda lib: lib.floor_divide(lib.tensor([7, -7]), 2),
    "remainder of ints": lambda lib: lib.remainder(lib.tensor([7, -7]), 3),
    "fmod of ints": lambda lib: lib.fmod(lib.tensor([7, -7]), 3),
    "div floor": lambda lib: lib.tensor([7.0, -7.0]).div(2, rounding_mode="floor"),
    "div trunc ints": lambda lib: lib.div(lib.tensor([7, -7]), 2, rounding_mode="trunc"),
    "sign of ints": lambda lib: lib.sign(lib.tensor([-3, 0, 2])),
    "round half to even": lambda lib: lib.round(lib.tensor([0.5, 1.5, 2.5, -0.5])),
    "nan_to_num": lambda lib: lib.nan_to_num(lib.tensor([math.nan, math.inf, -math.inf, 1.0])),
    "nan_to_num values": lambda lib: lib.tensor([math.nan, math.inf]).nan_to_num(nan=0.5, posinf=9.0),
    "aminmax": lambda lib: lib.aminmax(lib.tensor([[1, 5], [3, 2]]), dim=1).max,
    "mode": lambda lib: lib.tensor([[1, 2, 2, 3], [4, 4, 5, 5]]).mode(1).values,
    "std_mean": lambda lib: lib.std_mean(lib.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 8.0]]), dim=1)[0],
    "var_mean": lambda lib: lib.var_mean(lib.tensor([1.0, 2.0, 4.0]))[1],
    "new_zeros": lambda lib: lib.tensor([1.0]).new_zeros(2, 3),
    "new_ones int": lambda lib: lib.tensor([1]).new_ones((2,)),
    "new_full": lambda lib: lib.tensor([1.0], dtype=lib.float64).new_full((2,), 7),
    "new_tensor keeps dtype": lambda lib: lib.tensor([1.0]).new_tensor([1, 2]),
    "new_tensor dtype": lambda lib: lib.tensor([1.0]).new_tensor([1, 2], dtype=lib.int64),
    "logspace": lambda lib: lib.logspace(0, 2, 5),
    "logspace base": lambda lib: lib.logspace(0, 3, 4, base=2),
    "arange float": lambda lib: lib.arange(-1, 1, 0.1),
    "arange keywords": lambda lib: lib.arange(start=2, end=9, step=3),
    "linspace int": lambda lib: lib.linspace(0, 10, 6, dtype=lib.int64),
    "full bool": lambda lib: lib.full((2,), True),
    "zeros size keyword": lambda lib: lib.zeros(size=(2, 3)),
    "ones Size": lambda lib: lib.ones(lib.Size([2, 2])),
    "randint shape": lambda lib: lib.randint(10, (3, 2)).shape,
    "int16 tensor": lambda lib: lib.tensor([1, 2], dtype=lib.int16) * 3,
    "int8 tensor": lambda lib: lib.tensor([1, -2], dtype=lib.int8),
    "uint8 arithmetic": lambda lib: lib.tensor([250, 3], dtype=lib.uint8) + 10,
    "half tensor": lambda lib: lib.tensor([1.5, 2.25]).half(),
    "short": lambda lib: lib.tensor([1.7, -2.2]).short(),
    "type string": lambda lib: lib.tensor([1, 2]).type("torch.DoubleTensor"),
    "bitwise and": lambda lib: lib.bitwise_and(lib.tensor([12, 10]), lib.tensor([10, 6])),
    "where method": lambda lib: lib.tensor([1.0, -2.0]).where(lib.tensor([True, False]), lib.tensor(0.0)),
    "take": lambda lib: lib.take(lib.tensor([[1, 2], [3, 4]]), lib.tensor([0, 3])),
    "scatter": lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[1], [2], [0]]), 1.0),
    "scatter_add": lambda lib: lib.zeros(3).scatter_add(0, lib.tensor([0, 1, 0]), lib.tensor([1.0, 2.0, 3.0])),
    "index_add": lambda lib: lib.zeros(3, 2).index_add(0, lib.tensor([0, 2]), lib.ones(2, 2)),
    "rot90": lambda lib: lib.rot90(lib.tensor([[1, 2], [3, 4]])),
    "fliplr": lambda lib: lib.fliplr(lib.tensor([[1, 2], [3, 4]])),
    "column_stack": lambda lib: lib.column_stack([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    "dstack": lambda lib: lib.dstack([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    "tensor_split": lambda lib: lib.tensor_split(lib.arange(7), 3)[2],
    "unflatten": lambda lib: lib.arange(6).unflatten(0, (2, 3)),
    "ravel": lambda lib: lib.tensor([[1, 2], [3, 4]]).t().ravel(),
    "inner": lambda lib: lib.inner(lib.tensor([[1.0, 2.0], [3.0, 4.0]]), lib.tensor([[1.0, 0.0], [0.0, 1.0]])),
    "tensordot": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=1),
    "matrix_power": lambda lib: lib.matrix_power(lib.tensor([[1.0, 1.0], [0.0, 1.0]]), 3),
    "lstsq": lambda lib: lib.linalg.lstsq(
        lib.tensor([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]], dtype=lib.float64),
        lib.tensor([[1.0], [2.0], [2.0]], dtype=lib.float64),
    ).solution.round(decimals=12),
    "cdist": lambda lib: lib.cdist(lib.tensor([[0.0, 0.0], [1.0, 1.0]]), lib.tensor([[3.0, 4.0]])),
    "pairwise_distance": lambda lib: lib.nn.functional.pairwise_distance(
        lib.tensor([[0.0, 0.0]]), lib.tensor([[3.0, 4.0]])
    ),
    "stride": lambda lib: lib.ones(2, 3, 4).stride(),
    "nbytes": lambda lib: lib.ones(2, 3).nbytes,
    "element_size": lambda lib: lib.ones(2, dtype=lib.float64).element_size(),
    "is_floating_point": lambda lib: lib.is_floating_point(lib.tensor([1])),
    "get_device": lambda lib: lib.ones(1).get_device(),
}


def _plain(value):
    if isinstance(value, (torch.Tensor, engine.Tensor)):
        return normalise(repr(value)), value.tolist()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return normalise(repr(value))


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_and_printing_match_pytorch(name):
    assert _plain(VALUES[name](engine)) == _plain(VALUES[name](torch))


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-100, 100),
    length=st.floats(0.01, 200),
    steps=st.integers(0, 3000),
    dtype=st.sampled_from(["float32", "float64", "int64"]),
)
def test_linspace_is_bit_for_bit_pytorchs(start, length, steps, dtype):
    e = engine.linspace(start, start + length, steps, dtype=getattr(engine, dtype))
    t = torch.linspace(start, start + length, steps, dtype=getattr(torch, dtype))
    assert np.array_equal(e.numpy(), t.numpy())


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-20, 20),
    step=st.floats(0.001, 3) | st.floats(-3, -0.001),
    count=st.integers(0, 2000),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_arange_is_bit_for_bit_pytorchs(start, step, count, dtype):
    end = start + step * count
    e = engine.arange(start, end, step, dtype=getattr(engine, dtype))
    t = torch.arange(start, end, step, dtype=getattr(torch, dtype))
    assert np.array_equal(e.numpy(), t.numpy())


# ----------------------------------------------------------------------------------------- printing


def _reprs(lib):
    nn = lib.nn
    modules = [
        nn.Softmax(),
        nn.Softmax(dim=-1),
        nn.LogSoftmax(dim=1),
        nn.LeakyReLU(0.2),
        nn.LeakyReLU(inplace=True),
        nn.Softplus(beta=2),
        nn.GELU(),
        nn.GELU("tanh"),
        nn.ELU(0.5, True),
        nn.SELU(),
        nn.SiLU(),
        nn.Mish(),
        nn.ReLU6(),
        nn.Hardtanh(-2, 2),
        nn.Threshold(0.1, 20),
        nn.Softshrink(),
        nn.PReLU(3),
        nn.Dropout(0.2),
        nn.Dropout(),
        nn.Embedding(3, 4, padding_idx=0),
        nn.LayerNorm(4),
        nn.LayerNorm([2, 3], elementwise_affine=False),
        nn.BatchNorm1d(3),
        nn.BatchNorm2d(3, momentum=None, affine=False),
        nn.CrossEntropyLoss(label_smoothing=0.1),
        nn.NLLLoss(),
        nn.SmoothL1Loss(beta=0.5),
        nn.KLDivLoss(reduction="batchmean"),
        nn.Unflatten(1, (2, 2)),
        nn.LazyLinear(10),
        nn.CosineSimilarity(),
        nn.ModuleDict({"a": nn.Linear(1, 2), "b": nn.ReLU()}),
        nn.ParameterList([nn.Parameter(lib.ones(2)), nn.Parameter(lib.zeros(2, 3))]),
        nn.ParameterDict({"w": nn.Parameter(lib.ones(2))}),
        nn.ParameterDict({"w": nn.Parameter(lib.ones(2)), "b": nn.Parameter(lib.zeros(3, dtype=lib.float64))}),
        nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)]),
        nn.ModuleList(),
        nn.Sequential(nn.Linear(2, 4), nn.Sequential(nn.Tanh(), nn.Dropout(0.1)), nn.Linear(4, 1)),
    ]
    x = lib.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    other = [
        x.max(1),
        x.min(dim=0, keepdim=True),
        lib.sort(x, dim=1, descending=True),
        x.topk(2),
        x.median(1),
        x.kthvalue(2, 1),
        lib.aminmax(x),
        type(x.max(1)),
        type(x),
        type(x.shape),
        type(lib.float32),
        x.shape,
        x.dtype,
        lib.float16,
        lib.int16,
        x.type(),
        lib.tensor([1], dtype=lib.uint8).type(),
        x.device,
        lib.device("cpu"),
        lib.device("cuda:1"),
        str(lib.device("cuda", 0)),
        lib.finfo(lib.float32),
        lib.finfo(lib.float64).eps,
        lib.iinfo(lib.int64),
        lib.tensor([1.5, 2.0], dtype=lib.float16),
        lib.tensor([[-0.0, 1e-8], [1e5, 2.0]]),
        lib.tensor([True, False]),
        lib.zeros(0, 3),
        lib.tensor([], dtype=lib.int64),
        lib.arange(2000).reshape(40, 50),
        lib.pi,
        lib.e,
        lib.inf,
        lib.cuda.is_available(),
        lib.cuda.device_count(),
        lib.backends.mps.is_available(),
        lib.accelerator.is_available(),
        lib.accelerator.current_accelerator(),
        lib.get_default_device(),
    ]
    return [normalise(repr(m)) for m in modules + other]


def test_module_and_value_reprs_match_pytorch():
    for mine, theirs in zip(_reprs(engine), _reprs(torch)):
        assert mine == theirs


def test_print_options_match_pytorch():
    def printed(lib):
        x = lib.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]) / 3
        out = []
        try:
            lib.set_printoptions(precision=2)
            out.append(repr(x))
            lib.set_printoptions(sci_mode=True)
            out.append(repr(x))
            lib.set_printoptions(profile="short")
            out.append(repr(lib.arange(20.0)))
            lib.set_printoptions(threshold=5, edgeitems=1, linewidth=40)
            out.append(repr(lib.arange(10.0) / 7))
        finally:
            lib.set_printoptions(profile="default")
        out.append(repr(x))
        return out

    assert printed(engine) == printed(torch)


# --------------------------------------------------------------------------------- optimizers & schedules


def _schedule(lib, make, steps=12, optimizer="SGD", **kwargs):
    S = lib.optim.lr_scheduler
    model = lib.nn.Linear(1, 1)
    opt = getattr(lib.optim, optimizer)(model.parameters(), lr=0.1, **kwargs)
    sched = make(S, opt)
    lrs = [sched.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            opt.step()
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(1.0)
            else:
                sched.step()
            lrs.append(sched.get_last_lr())
    state = {k: v for k, v in sched.state_dict().items() if k != "_schedulers"}
    return lrs, repr(state), repr(opt)


SCHEDULES = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=4),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=3),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=6, power=2.0),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda epoch: 0.95**epoch),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda epoch: 0.9),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01),
    "ReduceLROnPlateau": lambda S, o: S.ReduceLROnPlateau(o, patience=2, factor=0.5),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, 0.5, 2), S.ExponentialLR(o, 0.9)], milestones=[3]),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_learning_rate_schedules_match_pytorch(name):
    assert _schedule(engine, SCHEDULES[name], 15) == _schedule(torch, SCHEDULES[name], 15)


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_one_cycle_schedule_matches_pytorch(optimizer):
    def make(S, o):
        return S.OneCycleLR(o, max_lr=1.0, total_steps=12, anneal_strategy="linear" if optimizer == "Adam" else "cos")

    kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
    assert _schedule(engine, make, 11, optimizer, **kwargs) == _schedule(torch, make, 11, optimizer, **kwargs)


def test_gradient_clipping_matches_pytorch():
    def clip(lib, norm_type):
        a = lib.tensor([3.0, -4.0], requires_grad=True)
        b = lib.tensor([[1.0, 2.0], [2.0, 0.5]], requires_grad=True)
        ((a * a).sum() + (b**3).sum()).backward()
        total = lib.nn.utils.clip_grad_norm_([a, b], max_norm=1.5, norm_type=norm_type)
        return repr(total), a.grad.tolist(), b.grad.tolist()

    for norm_type in (2.0, 1, float("inf")):
        e, t = clip(engine, norm_type), clip(torch, norm_type)
        assert e[0] == t[0]
        np.testing.assert_allclose(e[1], t[1], rtol=1e-6)
        np.testing.assert_allclose(e[2], t[2], rtol=1e-6)

    def clip_value(lib):
        a = lib.tensor([3.0, -4.0, 0.5], requires_grad=True)
        (a**2).sum().backward()
        lib.nn.utils.clip_grad_value_([a], 2.0)
        return a.grad.tolist()

    assert clip_value(engine) == clip_value(torch)


def test_batch_norm_running_statistics_match_pytorch():
    def run(lib):
        bn = lib.nn.BatchNorm1d(2, momentum=0.2)
        x = lib.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
        first = bn(x)
        bn.eval()
        second = bn(x * 2)
        return (
            first.tolist(),
            second.tolist(),
            bn.running_mean.tolist(),
            bn.running_var.tolist(),
            bn.num_batches_tracked.item(),
            list(bn.state_dict()),
        )

    e, t = run(engine), run(torch)
    for a, b in zip(e, t):
        if isinstance(a, list) and a and isinstance(a[0], str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_dropout_in_training_and_evaluation_behaves_as_in_pytorch():
    for lib in (engine, torch):
        drop = lib.nn.Dropout(0.5)
        x = lib.ones(1000)
        kept = drop(x)
        values = set(kept.tolist())
        assert values <= {0.0, 2.0} and 300 < int((kept == 0).sum()) < 700
        drop.eval()
        assert drop(x) is x
        assert lib.nn.functional.dropout(x, 1.0).sum().item() == 0.0


# --------------------------------------------------------------------------------------------- errors

MISUSES = {
    "one_hot of floats": lambda lib: lib.nn.functional.one_hot(lib.tensor([1.0, 2.0])),
    "one_hot class too large": lambda lib: lib.nn.functional.one_hot(lib.tensor([1, 5]), 3),
    "one_hot negative": lambda lib: lib.nn.functional.one_hot(lib.tensor([-1, 1])),
    "nll target out of bounds": lambda lib: lib.nn.functional.nll_loss(lib.zeros(2, 3), lib.tensor([1, 5])),
    "cross_entropy float target": lambda lib: lib.nn.functional.cross_entropy(lib.zeros(2, 3), lib.tensor([1.0, 2.0])),
    "cross_entropy batch mismatch": lambda lib: lib.nn.functional.cross_entropy(lib.zeros(2, 3), lib.tensor([1, 2, 0])),
    "dropout probability": lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
    "Dropout probability": lambda lib: lib.nn.Dropout(-0.1),
    "std of ints": lambda lib: lib.tensor([1, 2]).std(),
    "norm of ints": lambda lib: lib.tensor([1, 2]).norm(),
    "repeat too few dims": lambda lib: lib.ones(2, 3).repeat(2),
    "topk too large": lambda lib: lib.ones(3).topk(4),
    "bmm of matrices": lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(3, 2)),
    "split sizes": lambda lib: lib.ones(4).split([1, 2]),
    "div rounding mode": lambda lib: lib.ones(2).div(2, rounding_mode="round"),
    "full with an int size": lambda lib: lib.full(2, 3.0),
    "cuda tensor": lambda lib: lib.ones(2).to("cuda"),
    "cuda factory": lambda lib: lib.zeros(2, device="cuda"),
    "cuda method": lambda lib: lib.ones(2).cuda(),
    "cuda module": lambda lib: lib.nn.Linear(1, 1).to("cuda"),
    "mps tensor": lambda lib: lib.ones(2).to("mps"),
    "bad device string": lambda lib: lib.device("gpu"),
    "current cuda device": lambda lib: lib.cuda.current_device(),
    "accelerator index": lambda lib: lib.accelerator.current_device_index(),
    "module to int dtype": lambda lib: lib.nn.Linear(1, 1).to(lib.int64),
    "gelu approximate": lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="fast"),
    "glu odd": lambda lib: lib.nn.functional.glu(lib.ones(3)),
    "layer_norm shape": lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3), (4,)),
    "embedding index": lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.ones(3, 2)),
    "trace of a vector": lambda lib: lib.ones(3).trace(),
    "meshgrid indexing": lambda lib: lib.meshgrid(lib.ones(2), indexing="yx"),
    "misspelled module attribute": lambda lib: lib.tensr,
    "misspelled nn attribute": lambda lib: lib.nn.Linearr,
    "misspelled functional attribute": lambda lib: lib.nn.functional.relux,
    "misspelled tensor attribute": lambda lib: lib.ones(2).sumx,
}


def _error(lib, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(lib)
    except Exception as e:
        return type(e).__name__, normalise(e)
    return None


@pytest.mark.parametrize("name", sorted(MISUSES))
def test_misuse_raises_pytorchs_exception_and_text(name):
    expected = _error(torch, MISUSES[name])
    assert expected is not None, "PyTorch accepted this: the case is wrong"
    assert _error(engine, MISUSES[name]) == expected


# ------------------------------------------------------------------------------------ missing names

NAMESPACES = {
    "torch": lambda: (torch, engine),
    "torch.Tensor": lambda: (torch.Tensor, engine.Tensor),
    "torch.nn": lambda: (torch.nn, engine.nn),
    "torch.nn.functional": lambda: (torch.nn.functional, engine.nn.functional),
    "torch.nn.init": lambda: (torch.nn.init, engine.nn.init),
    "torch.nn.utils": lambda: (torch.nn.utils, engine.nn.utils),
    "torch.optim": lambda: (torch.optim, engine.optim),
    "torch.optim.lr_scheduler": lambda: (torch.optim.lr_scheduler, engine.optim.lr_scheduler),
    "torch.utils": lambda: (torch.utils, engine.utils),
    "torch.utils.data": lambda: (torch.utils.data, engine.utils.data),
    "torch.autograd": lambda: (torch.autograd, engine.autograd),
    "torch.linalg": lambda: (torch.linalg, engine.linalg),
    "torch.cuda": lambda: (torch.cuda, engine.cuda),
}


def pytorch_public_names(obj):
    """PyTorch's public names in ``obj``: not private, not modules or typing helpers from outside torch;
    for ``torch`` itself also the sub-modules it imports only on first use (``torch.onnx``)."""
    import types
    import typing

    names = [name for name in getattr(obj, "_lazy_modules", ()) if not name.startswith("_")] if obj is torch else []
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if isinstance(value, types.ModuleType) and not value.__name__.startswith("torch"):
            continue
        module = getattr(value, "__module__", None) or ""
        if isinstance(module, str) and (module.startswith("typing") or module == "typing_extensions"):
            continue
        if value is typing.TYPE_CHECKING:
            continue
        names.append(name)
    return sorted(set(names))


def _all_namespaces():
    return {name: NAMESPACES[name]()[0] for name in NAMESPACES}


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_list_of_pytorch_names_is_pytorchs(namespace):
    _all_namespaces()  # the same imports as when the list was written
    theirs, _ = NAMESPACES[namespace]()
    listed = sorted(_pytorch_names.NAMES[namespace].split())
    assert listed == pytorch_public_names(theirs), "regenerate with python tests/test_api_torch.py --write"


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_pytorch_name_is_implemented_or_says_it_is_not(namespace):
    _, mine = NAMESPACES[namespace]()
    if namespace == "torch.Tensor":
        mine = engine.ones(2, 2, requires_grad=True) * 1  # attributes are looked up on an instance
    for name in _pytorch_names.NAMES[namespace].split():
        try:
            getattr(mine, name)
        except NotImplementedError as e:
            qualified = f"Tensor.{name}" if namespace == "torch.Tensor" else f"{namespace}.{name}"
            assert str(e) == f"{qualified} is not implemented in this engine"
        except AttributeError as e:
            pytest.fail(f"{namespace}.{name}: AttributeError {e}")


@pytest.mark.parametrize(
    "access, message",
    [
        (lambda: engine.fft, "torch.fft is not implemented in this engine"),
        (lambda: engine.nn.LSTM, "torch.nn.LSTM is not implemented in this engine"),
        (lambda: engine.nn.functional.grid_sample, "torch.nn.functional.grid_sample is not implemented in this engine"),
        (lambda: engine.ones(2).stft, "Tensor.stft is not implemented in this engine"),
        (lambda: engine.optim.LBFGS, "torch.optim.LBFGS is not implemented in this engine"),
    ],
)
def test_a_missing_api_raises_not_implemented_naming_it(access, message):
    with pytest.raises(NotImplementedError) as raised:
        access()
    assert str(raised.value) == message


def test_a_missing_name_imported_from_a_module_says_it_is_missing():
    def import_it():
        from engine.nn import RNN  # noqa: F401

    with pytest.raises(NotImplementedError, match=r"^torch\.nn\.RNN is not implemented in this engine$"):
        import_it()


def write_name_lists(path):
    """Rewrite engine/_pytorch_names.py from the installed PyTorch."""
    import textwrap

    namespaces = _all_namespaces()
    lines = [
        '"""PyTorch 2.13\'s public names, per namespace: what the engine may lack (and then says so) as opposed to',
        "names PyTorch does not have either (misspellings, which raise AttributeError as in PyTorch).",
        "",
        "Generated from PyTorch's own namespaces; ``tests/test_api_torch.py`` checks it against the installed",
        "PyTorch and can rewrite it (``python tests/test_api_torch.py --write``).",
        '"""',
        "",
        "NAMES = {",
    ]
    for namespace in NAMESPACES:
        words = " ".join(pytorch_public_names(namespaces[namespace]))
        lines.append(f'    "{namespace}": (')
        lines += [f'        "{chunk} "' for chunk in textwrap.wrap(words, 100, break_long_words=False)]
        lines.append("    ),")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if sys.argv[1:] == ["--write"]:
        write_name_lists(Path(__file__).resolve().parents[1] / "engine" / "_pytorch_names.py")


# --------------------------------------------------------------------------------- keyword names

KEYWORD_CALLS = {
    "x.mm(mat2=x.t())": lambda lib, x, v: x.mm(mat2=x.t()),
    "x.mv(vec=v)": lambda lib, x, v: x.mv(vec=v),
    "v.dot(tensor=v)": lambda lib, x, v: v.dot(tensor=v),
    "x.permute(dims=(1, 0))": lambda lib, x, v: x.permute(dims=(1, 0)),
    "x.reshape(shape=(3, 2))": lambda lib, x, v: x.reshape(shape=(3, 2)),
    "x.view(size=(3, 2))": lambda lib, x, v: x.view(size=(3, 2)),
    "x.view(dtype=lib.int32)": lambda lib, x, v: x.view(dtype=lib.int32),
    "x.expand(size=(2, 2, 3))": lambda lib, x, v: x.expand(size=(2, 2, 3)),
    "x.repeat(repeats=(1, 2))": lambda lib, x, v: x.repeat(repeats=(1, 2)),
    "x.new_zeros(size=(2,))": lambda lib, x, v: x.new_zeros(size=(2,)),
    "x.transpose(dim0=0, dim1=1)": lambda lib, x, v: x.transpose(dim0=0, dim1=1),
    "x.sum(dim=0, keepdim=True)": lambda lib, x, v: x.sum(dim=0, keepdim=True),
    "x.clamp(min=1)": lambda lib, x, v: x.clamp(min=1),
    "x.add(other=1, alpha=2)": lambda lib, x, v: x.add(other=1, alpha=2),
    "x.sub(other=1)": lambda lib, x, v: x.sub(other=1),
    "x.mul(other=2)": lambda lib, x, v: x.mul(other=2),
    "x.div(other=2)": lambda lib, x, v: x.div(other=2),
    "x.pow(exponent=2)": lambda lib, x, v: x.pow(exponent=2),
    "x.matmul(other=x.t())": lambda lib, x, v: x.matmul(other=x.t()),
    "x.max(dim=0)": lambda lib, x, v: x.max(dim=0),
    "x.argmax(dim=1)": lambda lib, x, v: x.argmax(dim=1),
    "x.softmax(dim=1)": lambda lib, x, v: x.softmax(dim=1),
    "x.log_softmax(dim=1)": lambda lib, x, v: x.log_softmax(dim=1),
    "x.std(dim=0)": lambda lib, x, v: x.std(dim=0),
    "x.norm(p=2, dim=1)": lambda lib, x, v: x.norm(p=2, dim=1),
    "x.topk(k=2)": lambda lib, x, v: x.topk(k=2),
    "x.gather(dim=1, index=lib.tensor([[0], [1]]))": lambda lib, x, v: x.gather(dim=1, index=lib.tensor([[0], [1]])),
    "x.index_select(dim=0, index=lib.tensor([1]))": lambda lib, x, v: x.index_select(dim=0, index=lib.tensor([1])),
    "x.masked_fill(mask=x > 2, value=0)": lambda lib, x, v: x.masked_fill(mask=x > 2, value=0),
    "x.where(condition=x > 2, other=0.0)": lambda lib, x, v: x.where(condition=x > 2, other=0.0),
    "x.to(dtype=lib.float64)": lambda lib, x, v: x.to(dtype=lib.float64),
    "x.type(dtype=lib.int64)": lambda lib, x, v: x.type(dtype=lib.int64),
    "x.flatten(start_dim=0, end_dim=-1)": lambda lib, x, v: x.flatten(start_dim=0, end_dim=-1),
    "x.unsqueeze(dim=0)": lambda lib, x, v: x.unsqueeze(dim=0),
    "x.split(split_size=1)": lambda lib, x, v: x.split(split_size=1),
    "x.chunk(chunks=2, dim=1)": lambda lib, x, v: x.chunk(chunks=2, dim=1),
    "x.cumsum(dim=1)": lambda lib, x, v: x.cumsum(dim=1),
    "x.prod(dim=1)": lambda lib, x, v: x.prod(dim=1),
    "x.flip(dims=(0,))": lambda lib, x, v: x.flip(dims=(0,)),
    "x.roll(shifts=1, dims=1)": lambda lib, x, v: x.roll(shifts=1, dims=1),
    "x.expand_as(other=x)": lambda lib, x, v: x.expand_as(other=x),
    "x.view_as(other=x)": lambda lib, x, v: x.view_as(other=x),
    "x.narrow(dim=1, start=0, length=2)": lambda lib, x, v: x.narrow(dim=1, start=0, length=2),
    "x.unflatten(dim=1, sizes=(3, 1))": lambda lib, x, v: x.unflatten(dim=1, sizes=(3, 1)),
    "x.movedim(source=0, destination=1)": lambda lib, x, v: x.movedim(source=0, destination=1),
    "x.repeat_interleave(repeats=2)": lambda lib, x, v: x.repeat_interleave(repeats=2),
    "x.tile(dims=(2,))": lambda lib, x, v: x.tile(dims=(2,)),
    "lib.cat(tensors=[x, x], dim=0)": lambda lib, x, v: lib.cat(tensors=[x, x], dim=0),
    "lib.stack(tensors=[x, x])": lambda lib, x, v: lib.stack(tensors=[x, x]),
    "lib.reshape(input=x, shape=(6,))": lambda lib, x, v: lib.reshape(input=x, shape=(6,)),
    "lib.transpose(input=x, dim0=0, dim1=1)": lambda lib, x, v: lib.transpose(input=x, dim0=0, dim1=1),
    "lib.permute(input=x, dims=(1, 0))": lambda lib, x, v: lib.permute(input=x, dims=(1, 0)),
    "lib.argmax(input=x, dim=1)": lambda lib, x, v: lib.argmax(input=x, dim=1),
    "lib.max(input=x, dim=1)": lambda lib, x, v: lib.max(input=x, dim=1),
    "lib.sum(input=x, dim=0, keepdim=True)": lambda lib, x, v: lib.sum(input=x, dim=0, keepdim=True),
    "lib.mean(input=x, dim=1)": lambda lib, x, v: lib.mean(input=x, dim=1),
    "lib.std(input=x, dim=0)": lambda lib, x, v: lib.std(input=x, dim=0),
    "lib.softmax(input=x, dim=1)": lambda lib, x, v: lib.softmax(input=x, dim=1),
    "lib.exp(input=x)": lambda lib, x, v: lib.exp(input=x),
    "lib.pow(input=x, exponent=2)": lambda lib, x, v: lib.pow(input=x, exponent=2),
    "lib.clamp(input=x, min=1, max=2)": lambda lib, x, v: lib.clamp(input=x, min=1, max=2),
    "lib.mm(input=x, mat2=x.t())": lambda lib, x, v: lib.mm(input=x, mat2=x.t()),
    "lib.dot(input=v, tensor=v)": lambda lib, x, v: lib.dot(input=v, tensor=v),
    "lib.mv(input=x, vec=v)": lambda lib, x, v: lib.mv(input=x, vec=v),
    "lib.outer(input=v, vec2=v)": lambda lib, x, v: lib.outer(input=v, vec2=v),
    "lib.matmul(input=x, other=x.t())": lambda lib, x, v: lib.matmul(input=x, other=x.t()),
    "lib.where(condition=x > 1, input=x, other=x)": lambda lib, x, v: lib.where(condition=x > 1, input=x, other=x),
    "lib.gather(input=x, dim=1, index=lib.tensor([[0], [1]]))": lambda lib, x, v: lib.gather(
        input=x, dim=1, index=lib.tensor([[0], [1]])
    ),
    "lib.zeros_like(input=x)": lambda lib, x, v: lib.zeros_like(input=x),
    "lib.full_like(input=x, fill_value=2)": lambda lib, x, v: lib.full_like(input=x, fill_value=2),
    "lib.isclose(input=x, other=x)": lambda lib, x, v: lib.isclose(input=x, other=x),
    "lib.add(input=x, other=v, alpha=2)": lambda lib, x, v: lib.add(input=x, other=v, alpha=2),
}


@pytest.mark.parametrize("call", sorted(KEYWORD_CALLS))
def test_pytorchs_keyword_names_are_accepted(call):
    def result(lib):
        out = KEYWORD_CALLS[call](lib, lib.arange(6.0).reshape(2, 3), lib.ones(3))
        pieces = out if isinstance(out, tuple) else (out,)
        return [(normalise(repr(t)), np.asarray(t.tolist(), dtype=np.float64)) for t in pieces]

    mine, theirs = result(engine), result(torch)
    assert [text for text, _ in mine] == [text for text, _ in theirs]
    for (_, a), (_, b) in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("exponent", [2, 3, -1, -2, -0.5])
def test_powers_pytorch_computes_with_arithmetic_are_bit_for_bit_pytorchs(exponent):
    values = np.random.default_rng(7).uniform(0.01, 3.0, 10_000).astype(np.float32)
    e = engine.tensor(values) ** exponent
    t = torch.tensor(values) ** exponent
    assert np.array_equal(e.numpy(), t.numpy())
