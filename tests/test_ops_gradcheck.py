"""Every differentiable op's backward agrees with central differences in float64.

Each case is an op (a Tensor method, an operator or a module-level function) applied to float64
tensors drawn by hypothesis: shapes of up to three dimensions, broadcasting pairs, and values kept
away from the op's kinks and poles (positive for log and sqrt, away from 0 for abs, relu and
reciprocal, away from the bounds for clamp, distinct for max and min). ``engine.autograd.gradcheck``
compares the whole Jacobian, so a wrong backward, a missed broadcast reduction or a gradient sent to
the wrong element all fail.

A last test checks that every ``Function`` subclass the engine defines is exercised by some case.
"""

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from hypothesis.extra import numpy as hnp

import engine
from engine import ops
from engine.autograd import GradcheckError, gradcheck
from engine.function import Function
from engine.nn import functional as F

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --------------------------------------------------------------------------------- value strategies


def values(lo=-3.0, hi=3.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from_zero(lo=0.2, hi=3.0):
    return st.builds(lambda m, s: m * s, values(lo, hi), st.sampled_from([-1.0, 1.0]))


def away_from(points, gap=0.1, lo=-3.0, hi=3.0):
    """Values in [lo, hi] at least ``gap`` from each of ``points``."""
    return values(lo, hi).filter(lambda v: all(abs(v - p) >= gap for p in points))


def positive(lo=0.3, hi=3.0):
    return values(lo, hi)


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
NONSCALAR_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def array(shape, elements=None):
    return hnp.arrays(np.float64, shape, elements=elements if elements is not None else values())


@st.composite
def distinct_array(draw, shape=SHAPES):
    """An array whose values are all different (at least 0.25 apart), for max and min."""
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else shape
    n = math.prod(shape)
    order = draw(st.permutations(range(n)))
    offset = draw(values(-1.0, 1.0))
    return np.asarray(order, dtype=np.float64).reshape(shape) * 0.25 + offset


@st.composite
def broadcast_pair(draw, a_elements=None, b_elements=None):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    return draw(array(shapes[0], a_elements)), draw(array(shapes[1], b_elements))


# ------------------------------------------------------------------------------------------- cases

Case = namedtuple("Case", "id inputs fn grad_fns")
CASES = []


def case(id, inputs, grad_fns):
    """Register ``fn(*tensors, **options)``; ``inputs`` draws ``(arrays, options)``."""

    def register(fn):
        CASES.append(Case(id, inputs, fn, frozenset(grad_fns)))
        return fn

    return register


def just_arrays(*strategies):
    return st.tuples(st.tuples(*strategies), st.just({}))


def with_options(arrays, **options):
    return st.tuples(arrays, st.fixed_dictionaries(options))


# arithmetic ---------------------------------------------------------------------------------------


@case(
    "add",
    with_options(broadcast_pair(), form=st.sampled_from(["op", "method", "function", "alpha"])),
    {"AddBackward0", "MulBackward0"},
)
def _add(a, b, form):
    if form == "op":
        return a + b
    if form == "method":
        return a.add(b)
    if form == "alpha":
        return engine.add(a, b, alpha=2.5)
    return engine.add(a, b)


@case("sub", with_options(broadcast_pair(), form=st.sampled_from(["op", "method", "function"])), {"SubBackward0"})
def _sub(a, b, form):
    return {"op": lambda: a - b, "method": lambda: a.sub(b), "function": lambda: engine.sub(a, b)}[form]()


@case("mul", with_options(broadcast_pair(), form=st.sampled_from(["op", "method", "function"])), {"MulBackward0"})
def _mul(a, b, form):
    return {"op": lambda: a * b, "method": lambda: a.mul(b), "function": lambda: engine.mul(a, b)}[form]()


@case(
    "div",
    with_options(broadcast_pair(b_elements=away_from_zero(0.5)), form=st.sampled_from(["op", "method", "function"])),
    {"DivBackward0"},
)
def _div(a, b, form):
    return {"op": lambda: a / b, "method": lambda: a.div(b), "function": lambda: engine.div(a, b)}[form]()


@case("same tensor on both sides", just_arrays(array(SHAPES)), {"MulBackward0", "AddBackward0", "SubBackward0"})
def _self_use(a):
    return a * a + a - a * 0.5


@case(
    "scalar operands",
    with_options(
        st.tuples(array(SHAPES, away_from_zero(0.5))),
        c=values(-2.0, 2.0).filter(lambda v: abs(v) > 0.1),
        form=st.sampled_from(["t+c", "c+t", "t-c", "c-t", "t*c", "c*t", "t/c", "c/t"]),
    ),
    {"AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0", "ReciprocalBackward0"},
)
def _scalar_operands(a, c, form):
    return {
        "t+c": lambda: a + c,
        "c+t": lambda: c + a,
        "t-c": lambda: a - c,
        "c-t": lambda: c - a,
        "t*c": lambda: a * c,
        "c*t": lambda: c * a,
        "t/c": lambda: a / c,
        "c/t": lambda: c / a,
    }[form]()


@case(
    "0-d tensor operand",
    with_options(
        st.tuples(array(NONSCALAR_SHAPES), array((), away_from_zero(0.5))), form=st.sampled_from(["+", "-", "*", "/"])
    ),
    {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0"},
)
def _zero_dim_operand(a, s, form):
    return {"+": lambda: s + a, "-": lambda: a - s, "*": lambda: s * a, "/": lambda: a / s}[form]()


@case(
    "neg", with_options(st.tuples(array(SHAPES)), form=st.sampled_from(["op", "method", "function"])), {"NegBackward0"}
)
def _neg(a, form):
    return {"op": lambda: -a, "method": lambda: a.neg(), "function": lambda: engine.neg(a)}[form]()


@case(
    "reciprocal",
    with_options(st.tuples(array(SHAPES, away_from_zero(0.4))), form=st.sampled_from(["method", "op"])),
    {"ReciprocalBackward0", "MulBackward0"},
)
def _reciprocal(a, form):
    return a.reciprocal() if form == "method" else 1.0 / a


# powers --------------------------------------------------------------------------------------------


@case(
    "pow, integer exponent",
    with_options(
        st.tuples(array(SHAPES)),
        n=st.sampled_from([0, 1, 2, 3, 4]),
        form=st.sampled_from(["op", "method", "function", "square"]),
    ),
    {"PowBackward0"},
)
def _pow_int(a, n, form):
    if form == "square":
        return a.square()
    return {"op": lambda: a**n, "method": lambda: a.pow(n), "function": lambda: engine.pow(a, n)}[form]()


@case(
    "pow, negative exponent",
    with_options(st.tuples(array(SHAPES, away_from_zero(0.5))), n=st.sampled_from([-1, -2, -3.0])),
    {"PowBackward0"},
)
def _pow_negative(a, n):
    return a**n


@case(
    "pow, fractional exponent",
    with_options(st.tuples(array(SHAPES, positive())), n=st.sampled_from([0.5, 1.5, -0.5, 2.7, 1 / 3])),
    {"PowBackward0"},
)
def _pow_fractional(a, n):
    return a**n


@case(
    "pow, tensor exponent",
    with_options(
        broadcast_pair(positive(0.4, 2.5), values(-2.0, 2.0)), form=st.sampled_from(["op", "method", "function"])
    ),
    {"PowBackward1"},
)
def _pow_tensor(a, b, form):
    return {"op": lambda: a**b, "method": lambda: a.pow(b), "function": lambda: engine.pow(a, b)}[form]()


@case(
    "pow, scalar base",
    with_options(st.tuples(array(SHAPES, values(-2.0, 2.0))), base=st.sampled_from([2.0, 0.5, math.e, 3])),
    {"PowBackward2"},
)
def _pow_scalar_base(a, base):
    return base**a


# elementwise functions ----------------------------------------------------------------------------


def _unary_case(name, elements, grad_fn):
    @case(
        name, with_options(st.tuples(array(SHAPES, elements)), form=st.sampled_from(["method", "function"])), {grad_fn}
    )
    def _unary(a, form):
        return getattr(a, name)() if form == "method" else getattr(engine, name)(a)


_unary_case("exp", values(-3.0, 3.0), "ExpBackward0")
_unary_case("log", positive(0.2, 4.0), "LogBackward0")
_unary_case("sqrt", positive(0.2, 4.0), "SqrtBackward0")
_unary_case("tanh", values(), "TanhBackward0")
_unary_case("sigmoid", values(-5.0, 5.0), "SigmoidBackward0")
_unary_case("relu", away_from_zero(0.05), "ReluBackward0")
_unary_case("abs", away_from_zero(0.05), "AbsBackward0")
_unary_case("sin", values(-4.0, 4.0), "SinBackward0")
_unary_case("cos", values(-4.0, 4.0), "CosBackward0")


@case("abs()", just_arrays(array(SHAPES, away_from_zero(0.05))), {"AbsBackward0"})
def _builtin_abs(a):
    return abs(a)


@case(
    "clamp",
    with_options(
        st.tuples(array(SHAPES, away_from([-0.5, 0.7]))),
        bounds=st.sampled_from([(-0.5, 0.7), (-0.5, None), (None, 0.7)]),
        form=st.sampled_from(["method", "function", "clip"]),
    ),
    {"ClampBackward1"},
)
def _clamp(a, bounds, form):
    lo, hi = bounds
    if form == "method":
        return a.clamp(lo, hi)
    if form == "clip":
        return a.clip(min=lo, max=hi)
    return engine.clamp(a, min=lo, max=hi)


@case(
    "clamp, tensor bounds",
    just_arrays(array((3, 2), away_from([-0.5, 0.7])), array((2,), values(-0.5, -0.5)), array((1,), values(0.7, 0.7))),
    {"MaximumBackward0", "MinimumBackward0"},
)
def _clamp_tensor_bounds(a, lo, hi):
    return a.clamp(lo, hi)


@st.composite
def separated_pair(draw):
    """Two broadcastable arrays that are never equal at any position (on grids offset by 0.25)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    grid = st.integers(-6, 6).map(lambda k: k * 0.5)
    return (
        draw(hnp.arrays(np.float64, shapes[0], elements=grid)),
        draw(hnp.arrays(np.float64, shapes[1], elements=grid.map(lambda v: v + 0.25))),
    )


@case(
    "maximum",
    with_options(separated_pair(), form=st.sampled_from(["function", "method", "max(tensor)"])),
    {"MaximumBackward0"},
)
def _maximum(a, b, form):
    return {"function": lambda: engine.maximum(a, b), "method": lambda: a.maximum(b), "max(tensor)": lambda: a.max(b)}[
        form
    ]()


@case(
    "minimum",
    with_options(separated_pair(), form=st.sampled_from(["function", "method", "min(tensor)"])),
    {"MinimumBackward0"},
)
def _minimum(a, b, form):
    return {"function": lambda: engine.minimum(a, b), "method": lambda: a.minimum(b), "min(tensor)": lambda: a.min(b)}[
        form
    ]()


# reductions ---------------------------------------------------------------------------------------


@st.composite
def dims_for(draw, ndim):
    """None, one dim (possibly negative) or a tuple of distinct dims, valid for ``ndim``."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    single = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return draw(st.one_of(st.none(), single, several))


@st.composite
def reduction_input(draw, elements=None):
    a = draw(array(SHAPES, elements))
    return (a,), {
        "dim": draw(dims_for(a.ndim)),
        "keepdim": draw(st.booleans()),
        "form": draw(st.sampled_from(["method", "function"])),
    }


@case("sum", reduction_input(), {"SumBackward0", "SumBackward1"})
def _sum(a, dim, keepdim, form):
    if dim is None:
        return a.sum() if form == "method" else engine.sum(a)
    return a.sum(dim, keepdim=keepdim) if form == "method" else engine.sum(a, dim=dim, keepdim=keepdim)


@case("mean", reduction_input(), {"MeanBackward0", "MeanBackward1"})
def _mean(a, dim, keepdim, form):
    if dim is None:
        return a.mean() if form == "method" else engine.mean(a)
    return a.mean(dim, keepdim=keepdim) if form == "method" else engine.mean(a, dim=dim, keepdim=keepdim)


@st.composite
def extremum_input(draw):
    a = draw(distinct_array())
    dim = draw(st.none() | st.integers(-a.ndim, a.ndim - 1)) if a.ndim else None  # 0-d: see the test below
    return (a,), {"dim": dim, "keepdim": draw(st.booleans()), "form": draw(st.sampled_from(["method", "function"]))}


@case("max", extremum_input(), {"MaxBackward1", "MaxBackward0"})
def _max(a, dim, keepdim, form):
    f = a.max if form == "method" else (lambda *args, **kw: engine.max(a, *args, **kw))
    return f() if dim is None else f(dim, keepdim=keepdim).values


@case("min", extremum_input(), {"MinBackward1", "MinBackward0"})
def _min(a, dim, keepdim, form):
    f = a.min if form == "method" else (lambda *args, **kw: engine.min(a, *args, **kw))
    return f() if dim is None else f(dim, keepdim=keepdim)[0]


@pytest.mark.parametrize("reduce", ["max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
def test_max_min_along_a_dim_of_a_0d_tensor(reduce, dim):
    x = engine.tensor(0.5, dtype=engine.float64, requires_grad=True)
    values, indices = getattr(x, reduce)(dim)
    assert values.item() == 0.5 and indices.item() == 0
    assert type(values.grad_fn).__name__ == f"{reduce.capitalize()}Backward0"
    values.backward()
    assert x.grad.item() == 1.0


# linear algebra -----------------------------------------------------------------------------------

SIDE = st.integers(1, 3)


@st.composite
def matrices(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    return (draw(array((n, k))), draw(array((k, m)))), {
        "form": draw(st.sampled_from(["@", "mm", "matmul", "method mm"]))
    }


@case("mm", matrices(), {"MmBackward0"})
def _mm(a, b, form):
    return {
        "@": lambda: a @ b,
        "mm": lambda: engine.mm(a, b),
        "matmul": lambda: engine.matmul(a, b),
        "method mm": lambda: a.mm(b),
    }[form]()


@st.composite
def matrix_vector(draw):
    n, k = draw(SIDE), draw(SIDE)
    return (draw(array((n, k))), draw(array((k,)))), {"form": draw(st.sampled_from(["@", "mv", "method"]))}


@case("mv", matrix_vector(), {"MvBackward0"})
def _mv(a, v, form):
    return {"@": lambda: a @ v, "mv": lambda: engine.mv(a, v), "method": lambda: a.mv(v)}[form]()


@st.composite
def vectors(draw):
    k = draw(SIDE)
    return (draw(array((k,))), draw(array((k,)))), {"form": draw(st.sampled_from(["@", "dot", "method"]))}


@case("dot", vectors(), {"DotBackward0"})
def _dot(a, b, form):
    return {"@": lambda: a @ b, "dot": lambda: engine.dot(a, b), "method": lambda: a.dot(b)}[form]()


@st.composite
def vector_matrix(draw):
    k, m = draw(SIDE), draw(SIDE)
    return (draw(array((k,))), draw(array((k, m)))), {}


@case("vector @ matrix", vector_matrix(), {"MmBackward0", "SqueezeBackward4", "UnsqueezeBackward0"})
def _vm(v, b):
    return v @ b


@st.composite
def batched(draw):
    """Operands of a batched matmul: 3-D and 4-D with broadcast batch dims, and 1-D/2-D against them."""
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=2)).input_shapes
    batch_a, batch_b = batch[0] or (2,), batch[1] or (2,)
    kind = draw(st.sampled_from(["batch@batch", "batch@vector", "vector@batch", "matrix@batch", "batch@matrix"]))
    a_shape, b_shape = {
        "batch@batch": (batch_a + (n, k), batch[1] + (k, m)),
        "batch@vector": (batch_a + (n, k), (k,)),
        "vector@batch": ((k,), batch_b + (k, m)),
        "matrix@batch": ((n, k), batch_b + (k, m)),
        "batch@matrix": (batch_a + (n, k), (k, m)),
    }[kind]
    return (draw(array(a_shape)), draw(array(b_shape))), {"form": draw(st.sampled_from(["@", "matmul"]))}


@case("batched matmul", batched(), {"UnsafeViewBackward0", "CloneBackward0"})
def _bmm(a, b, form):
    return a @ b if form == "@" else engine.matmul(a, b)


@st.composite
def addmm_input(draw):
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    bias_shape = draw(st.sampled_from([(m,), (1, m), (n, m)]))
    return (draw(array(bias_shape)), draw(array((n, k))), draw(array((k, m)))), {}


@case("addmm (bias + A @ B)", addmm_input(), {"AddmmBackward0"})
def _addmm(bias, a, b):
    return ops.AddmmBackward0.apply(bias, a, b)


@case("outer", just_arrays(array((3,)), array((2,))), {"UnsqueezeBackward0", "MulBackward0"})
def _outer(a, b):
    return engine.outer(a, b)


# shapes -------------------------------------------------------------------------------------------


@st.composite
def reshape_input(draw):
    a = draw(array(SHAPES))
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    d = draw(st.sampled_from(divisors))
    target = draw(
        st.sampled_from(
            [(-1,), (d, -1), (n // d, d), (1, n), (d, 1, n // d), ()]
            if n == 1
            else [(-1,), (d, -1), (n // d, d), (1, n), (d, 1, n // d)]
        )
    )
    return (a,), {"shape": target, "form": draw(st.sampled_from(["reshape", "view", "reshape(*shape)", "function"]))}


@case("reshape / view", reshape_input(), {"ViewBackward0"})
def _reshape(a, shape, form):
    if form == "reshape":
        return a.reshape(shape)
    if form == "view":
        return a.view(shape)
    if form == "function":
        return engine.reshape(a, shape)
    return a.reshape(*shape)


@case(
    "t",
    with_options(
        st.tuples(array(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))),
        form=st.sampled_from(["method", "function"]),
    ),
    {"TBackward0"},
)
def _t(a, form):
    return a.t() if form == "method" else engine.t(a)


@case("T", just_arrays(array(SHAPES)), {"PermuteBackward0", "MulBackward0", "AddBackward0"})
def _T(a):
    return a.T * 1.0 if a.ndim > 1 else a.T + 0.0


@st.composite
def transpose_input(draw):
    a = draw(array(NONSCALAR_SHAPES))
    d = st.integers(-a.ndim, a.ndim - 1)
    return (a,), {"dim0": draw(d), "dim1": draw(d), "form": draw(st.sampled_from(["method", "function"]))}


@case("transpose", transpose_input(), {"TransposeBackward0"})
def _transpose(a, dim0, dim1, form):
    return a.transpose(dim0, dim1) if form == "method" else engine.transpose(a, dim0, dim1)


@st.composite
def permute_input(draw):
    a = draw(array(NONSCALAR_SHAPES))
    dims = draw(st.permutations(range(a.ndim)))
    return (a,), {"dims": tuple(dims), "form": draw(st.sampled_from(["tuple", "varargs", "function"]))}


@case("permute", permute_input(), {"PermuteBackward0"})
def _permute(a, dims, form):
    if form == "tuple":
        return a.permute(dims)
    if form == "varargs":
        return a.permute(*dims)
    return engine.permute(a, dims)


@st.composite
def unsqueeze_input(draw):
    a = draw(array(SHAPES))
    return (a,), {"dim": draw(st.integers(-a.ndim - 1, a.ndim)), "form": draw(st.sampled_from(["method", "function"]))}


@case("unsqueeze", unsqueeze_input(), {"UnsqueezeBackward0"})
def _unsqueeze(a, dim, form):
    return a.unsqueeze(dim) if form == "method" else engine.unsqueeze(a, dim)


@st.composite
def squeeze_input(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    a = draw(array(shape))
    return (a,), {
        "dim": draw(st.none() | st.integers(-a.ndim, a.ndim - 1)),
        "form": draw(st.sampled_from(["method", "function"])),
    }


@case("squeeze", squeeze_input(), {"SqueezeBackward0", "SqueezeBackward1"})
def _squeeze(a, dim, form):
    if dim is None:
        return a.squeeze() if form == "method" else engine.squeeze(a)
    return a.squeeze(dim) if form == "method" else engine.squeeze(a, dim)


@st.composite
def expand_input(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    target = tuple(draw(st.integers(1, 3)) if s == 1 else draw(st.sampled_from([s, -1])) for s in shape)
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    return (draw(array(shape)),), {"sizes": lead + target, "form": draw(st.sampled_from(["expand", "expand_as"]))}


@case("expand", expand_input(), {"ExpandBackward0"})
def _expand(a, sizes, form):
    if form == "expand_as":
        resolved = tuple(a.shape[i - (len(sizes) - a.ndim)] if s == -1 else s for i, s in enumerate(sizes))
        return a.expand_as(engine.zeros(resolved, dtype=engine.float64))
    return a.expand(*sizes)


@st.composite
def flatten_input(draw):
    a = draw(array(SHAPES))
    if a.ndim == 0:
        return (a,), {"start": 0, "end": -1, "form": draw(st.sampled_from(["method", "function"]))}
    start = draw(st.integers(0, a.ndim - 1))
    end = draw(st.integers(start, a.ndim - 1))
    return (a,), {"start": start, "end": end, "form": draw(st.sampled_from(["method", "function"]))}


@case("flatten", flatten_input(), {"ViewBackward0"})
def _flatten(a, start, end, form):
    return a.flatten(start, end) if form == "method" else engine.flatten(a, start, end)


@case(
    "clone",
    with_options(st.tuples(array(SHAPES)), form=st.sampled_from(["method", "function"])),
    {"CloneBackward0", "MulBackward0"},
)
def _clone(a, form):
    c = a.clone() if form == "method" else engine.clone(a)
    return c * c


@case("unsafe view", reshape_input(), {"UnsafeViewBackward0"})
def _unsafe_view(a, shape, form):
    return ops.UnsafeViewBackward0.apply(a, shape=tuple(a.reshape(shape).shape))


@case("to (same dtype copy)", just_arrays(array(SHAPES)), {"ToCopyBackward0"})
def _to_copy(a):
    return ops.ToCopyBackward0.apply(a, dtype=np.dtype(np.float64))


# indexing -----------------------------------------------------------------------------------------


@st.composite
def index_input(draw):
    a = draw(array(NONSCALAR_SHAPES))
    n = a.shape[0]
    kind = draw(st.sampled_from(["int", "slice", "list", "tensor list", "mask", "tuple", "none", "ellipsis"]))
    if kind == "int":
        index = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        start = draw(st.none() | st.integers(-n, n - 1))
        stop = draw(st.none() | st.integers(-n, n))
        index = slice(start, stop, draw(st.none() | st.integers(1, 2)))
    elif kind in ("list", "tensor list"):
        # Repeats included: their gradients must add up.
        index = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))
        if kind == "tensor list":
            index = engine.tensor(index)
    elif kind == "mask":
        index = engine.tensor(draw(hnp.arrays(np.bool_, a.shape)))
    elif kind == "tuple":
        parts = [draw(st.integers(0, s - 1) | st.just(slice(None)) | st.just(slice(1, None))) for s in a.shape]
        index = tuple(parts)
    elif kind == "none":
        index = (None, draw(st.integers(0, n - 1)))
    else:
        index = (Ellipsis, draw(st.integers(0, a.shape[-1] - 1)))
    return (a,), {"index": index}


@case("indexing", index_input(), {"SelectBackward0", "SliceBackward0", "IndexBackward0", "UnsqueezeBackward0"})
def _index(a, index):
    return a[index]


@case("iteration", just_arrays(array((3, 2))), {"SelectBackward0", "MulBackward0", "AddBackward0"})
def _iterate(a):
    rows = list(a)
    return rows[0] * rows[1] + rows[2]


@st.composite
def setitem_input(draw):
    a = draw(array(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3)))
    kind = draw(st.sampled_from(["int", "slice", "list", "mask", "broadcast"]))
    if kind == "int":
        index = draw(st.integers(0, a.shape[0] - 1))
        v = draw(array(a.shape[1:]))
    elif kind == "slice":
        index = slice(1, None)
        v = draw(array((a.shape[0] - 1,) + a.shape[1:]))
    elif kind == "list":
        index = draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=a.shape[0], unique=True))
        v = draw(array((len(index),) + a.shape[1:]))
    elif kind == "mask":
        mask = draw(hnp.arrays(np.bool_, a.shape[:1]))
        index = engine.tensor(mask)
        v = draw(array((1,) + a.shape[1:]))
    else:
        index = 0
        v = draw(array(a.shape[-1:] if a.ndim > 1 else ()))
    return (a, v), {"index": index, "form": draw(st.sampled_from(["mul", "clone"]))}


@case("setitem on a graph tensor", setitem_input(), {"CopySlices", "MulBackward0", "CloneBackward0", "ExpBackward0"})
def _setitem(a, v, index, form):
    y = a * 1.5 if form == "mul" else a.clone()
    y[index] = v
    return y.exp()


@case("setitem of a constant", just_arrays(array((3, 2))), {"CopySlices", "MulBackward0"})
def _setitem_constant(a):
    y = a * 2.0
    y[1] = 0.5
    return y * a


@case(
    "in-place arithmetic on a graph tensor",
    with_options(
        broadcast_pair(b_elements=away_from_zero(0.5)),
        op=st.sampled_from(["+=", "-=", "*=", "/=", "add_", "sub_", "mul_", "div_"]),
    ),
    {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "ExpandBackward0"},
)
def _inplace(a, b, op):
    # The in-place target must have the broadcast shape, as in PyTorch.
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    y = a.expand(*shape) * 1.0 if shape else a * 1.0
    if op == "+=":
        y += b
    elif op == "-=":
        y -= b
    elif op == "*=":
        y *= b
    elif op == "/=":
        y /= b
    elif op == "add_":
        y.add_(b, alpha=0.5)
    elif op == "sub_":
        y.sub_(b)
    elif op == "mul_":
        y.mul_(b)
    else:
        y.div_(b)
    return y


# joining and selecting ----------------------------------------------------------------------------


@st.composite
def cat_input(draw):
    shape = draw(NONSCALAR_SHAPES)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    count = draw(st.integers(1, 3))
    arrays = []
    for _ in range(count):
        s = list(shape)
        s[dim] = draw(st.integers(1, 3))
        arrays.append(draw(array(tuple(s))))
    return tuple(arrays), {"dim": dim, "form": draw(st.sampled_from(["cat", "concat"]))}


@case("cat", cat_input(), {"CatBackward0"})
def _cat(*tensors, dim, form):
    return getattr(engine, form)(list(tensors), dim=dim)


@st.composite
def stack_input(draw):
    shape = draw(SHAPES)
    count = draw(st.integers(1, 3))
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return tuple(draw(array(shape)) for _ in range(count)), {"dim": dim}


@case("stack", stack_input(), {"StackBackward0"})
def _stack(*tensors, dim):
    return engine.stack(tensors, dim=dim)


@st.composite
def where_input(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3)).input_shapes
    cond = draw(hnp.arrays(np.bool_, shapes[0]))
    return (draw(array(shapes[1])), draw(array(shapes[2]))), {
        "condition": cond,
        "form": draw(st.sampled_from(["tensors", "scalar y"])),
    }


@case("where", where_input(), {"WhereBackward0", "MulBackward0"})
def _where(a, b, condition, form):
    cond = engine.tensor(condition)
    return engine.where(cond, a, b) if form == "tensors" else engine.where(cond, a, 0.5) * b


@case(
    "where with a scalar",
    with_options(st.tuples(array(SHAPES, away_from_zero(0.1))), side=st.sampled_from(["x", "y"])),
    {"WhereBackward0"},
)
def _where_scalar(a, side):
    return engine.where(a > 0, a, 0.0) if side == "x" else engine.where(a > 0, 1.0, a)


# composite: a small network and its loss, the playground's everyday graph -------------------------


@st.composite
def mlp_input(draw):
    n = draw(st.integers(1, 4))
    return (draw(array((n, 1))), draw(array((1, 3))), draw(array((3,))), draw(array((3, 1))), draw(array((n, 1)))), {}


@case(
    "tanh network with mean squared error",
    mlp_input(),
    {"MmBackward0", "AddBackward0", "TanhBackward0", "SubBackward0", "PowBackward0", "MeanBackward0"},
)
def _mlp(x, w1, b1, w2, y):
    hidden = (x @ w1 + b1).tanh()
    return ((hidden @ w2 - y) ** 2).mean()


# the wider PyTorch API: elementwise functions ---------------------------------------------------


def _away_from_steps(lo=-3.0, hi=3.0):
    """Values at least 0.1 from every integer and half-integer (where floor, round & co. jump)."""
    return values(lo, hi).filter(lambda v: abs(v * 2 - round(v * 2)) >= 0.2)


_SMOOTH_UNARY = {
    "log1p": "Log1PBackward0",
    "expm1": "Expm1Backward0",
    "exp2": "Exp2Backward0",
    "log2": "Log2Backward0",
    "log10": "Log10Backward0",
    "rsqrt": "RsqrtBackward0",
    "tan": "TanBackward0",
    "atan": "AtanBackward0",
    "asin": "AsinBackward0",
    "acos": "AcosBackward0",
    "sinh": "SinhBackward0",
    "cosh": "CoshBackward0",
    "erf": "ErfBackward0",
}


@case(
    "more elementwise functions",
    with_options(
        st.tuples(array(SHAPES, values(0.2, 0.9))),
        name=st.sampled_from(sorted(_SMOOTH_UNARY)),
        form=st.sampled_from(["method", "function", "arctan alias"]),
    ),
    set(_SMOOTH_UNARY.values()),
)
def _more_unary(a, name, form):
    if form == "function" or (form == "arctan alias" and name != "atan"):
        return getattr(engine, name)(a)
    if form == "arctan alias":
        return engine.arctan(a)
    return getattr(a, name)()


_STEPS = {
    "floor": "FloorBackward0",
    "ceil": "CeilBackward0",
    "trunc": "TruncBackward0",
    "round": "RoundBackward0",
    "frac": "FracBackward0",
    "sign": "SignBackward0",
}


@case(
    "rounding and sign (gradient 0, frac 1)",
    with_options(st.tuples(array(SHAPES, _away_from_steps())), name=st.sampled_from(sorted(_STEPS))),
    set(_STEPS.values()) | {"MulBackward0"},
)
def _steps(a, name):
    return getattr(engine, name)(a) * a


@case(
    "round to decimals",
    just_arrays(array(SHAPES, st.integers(-30, 30).map(lambda k: k / 10 + 0.023))),
    {"RoundBackward1", "MulBackward0"},
)
def _round_decimals(a):
    return a.round(decimals=1) * a


_KINKS = [0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 0.2]


@case(
    "activations",
    with_options(
        st.tuples(array(SHAPES, away_from(_KINKS, gap=0.05, lo=-4.0, hi=4.0))),
        name=st.sampled_from(
            [
                "leaky_relu",
                "hardtanh",
                "relu6",
                "softplus",
                "softplus beta",
                "elu",
                "celu",
                "selu",
                "mish",
                "threshold",
                "hardsigmoid",
                "hardswish",
                "softshrink",
                "hardshrink",
                "silu",
                "gelu",
                "gelu tanh",
                "logsigmoid",
                "softsign",
                "tanhshrink",
            ]
        ),
    ),
    {
        "LeakyReluBackward0",
        "HardtanhBackward0",
        "SoftplusBackward0",
        "EluBackward0",
        "CeluBackward0",
        "MishBackward0",
        "ThresholdBackward0",
        "HardsigmoidBackward0",
        "HardswishBackward0",
        "SoftshrinkBackward0",
        "HardshrinkBackward0",
        "SiluBackward0",
        "GeluBackward0",
        "LogSigmoidBackward0",
        "DivBackward0",
        "AddBackward0",
        "AbsBackward0",
        "SubBackward0",
        "TanhBackward0",
        "MulBackward0",
    },
)
def _activations(a, name):
    F = engine.nn.functional
    return {
        "leaky_relu": lambda: F.leaky_relu(a, 0.1),
        "hardtanh": lambda: F.hardtanh(a),
        "relu6": lambda: F.relu6(a * 3),
        "softplus": lambda: F.softplus(a),
        "softplus beta": lambda: F.softplus(a, beta=2.0, threshold=4.0),
        "elu": lambda: F.elu(a, 0.7),
        "celu": lambda: F.celu(a, 0.7),
        "selu": lambda: F.selu(a),
        "mish": lambda: F.mish(a),
        "threshold": lambda: F.threshold(a, 0.2, -1.0),
        "hardsigmoid": lambda: F.hardsigmoid(a),
        "hardswish": lambda: F.hardswish(a),
        "softshrink": lambda: F.softshrink(a),
        "hardshrink": lambda: F.hardshrink(a),
        "silu": lambda: F.silu(a),
        "gelu": lambda: F.gelu(a),
        "gelu tanh": lambda: F.gelu(a, approximate="tanh"),
        "logsigmoid": lambda: F.logsigmoid(a),
        "softsign": lambda: F.softsign(a),
        "tanhshrink": lambda: F.tanhshrink(a),
    }[name]()


@case("glu", just_arrays(array((2, 4)), array((3, 2, 2))), {"GluBackward0", "AddBackward0", "SumBackward0"})
def _glu(a, b):
    F = engine.nn.functional
    return F.glu(a).sum() + F.glu(b, dim=1).sum()


@case(
    "prelu",
    with_options(
        st.tuples(array((2, 3, 2), away_from_zero(0.05)), array((3,), values(0.1, 0.5)), array((1,), values(0.1, 0.5)))
    ),
    {"PreluKernelBackward0", "AddBackward0", "SumBackward0"},
)
def _prelu(a, w, w1):
    F = engine.nn.functional
    return F.prelu(a, w).sum() + F.prelu(a, w1).sum()


@case(
    "binary functions",
    with_options(
        broadcast_pair(positive(0.3, 2.5), positive(0.3, 2.5)),
        name=st.sampled_from(["atan2", "lerp", "logaddexp", "xlogy", "hypot", "fmod", "remainder"]),
    ),
    {
        "Atan2Backward0",
        "LerpBackward0",
        "LogaddexpBackward0",
        "XlogyBackward0",
        "FmodBackward0",
        "RemainderBackward0",
        "MulBackward0",
        "AddBackward0",
        "SqrtBackward0",
        "ExpandBackward0",
        "CloneBackward0",
    },
)
def _binary_functions(a, b, name):
    if name in ("fmod", "remainder"):
        # Away from the jumps of a mod b: a + 7.3 is within (3, 6) of b's multiples only by luck, so
        # use b = 7.1 + b/10 (at most 7.35) and a in (0.3, 2.5): a < b, no jump nearby.
        return getattr(engine, name)(a, b * 0.1 + 7.1) * a
    if name == "lerp":
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        return engine.lerp(a.expand(*shape).clone() if shape else a, b, 0.3)
    return getattr(engine, name)(a, b)


@case(
    "clamp_min / clamp_max",
    with_options(st.tuples(array(SHAPES, away_from([0.3]))), form=st.sampled_from(["min", "max"])),
    {"ClampMinBackward0", "ClampMaxBackward0"},
)
def _clamp_one_side(a, form):
    return a.clamp_min(0.3) if form == "min" else engine.clamp_max(a, 0.3)


# the wider PyTorch API: reductions and softmax ---------------------------------------------------


@st.composite
def dim_input(draw, elements=None, shapes=NONSCALAR_SHAPES):
    a = draw(array(shapes, elements))
    return (a,), {"dim": draw(st.integers(-a.ndim, a.ndim - 1)), "keepdim": draw(st.booleans())}


@case(
    "softmax / log_softmax / logsumexp",
    st.tuples(
        dim_input(values(-4.0, 4.0)).map(lambda x: x[0]),
        dim_input().map(lambda x: x[1]),
    ).flatmap(
        lambda pair: st.tuples(
            st.just(pair[0]),
            st.fixed_dictionaries(
                {
                    "dim": st.integers(-pair[0][0].ndim, pair[0][0].ndim - 1),
                    "name": st.sampled_from(["softmax", "log_softmax", "logsumexp", "F.softmax", "F.log_softmax"]),
                    "keepdim": st.booleans(),
                }
            ),
        )
    ),
    {"SoftmaxBackward0", "LogSoftmaxBackward0", "LogsumexpBackward0", "MulBackward0"},
)
def _softmax(a, dim, name, keepdim):
    F = engine.nn.functional
    weights = engine.tensor(np.linspace(0.5, 1.5, a.numel()).reshape(tuple(a.shape)), dtype=engine.float64)
    if name == "logsumexp":
        return a.logsumexp(dim, keepdim=keepdim)
    if name.startswith("F."):
        return getattr(F, name[2:])(a, dim=dim) * weights
    return getattr(a, name)(dim) * weights  # weighted, or softmax's sum would have a zero gradient


@case(
    "prod",
    with_options(
        st.tuples(array(NONSCALAR_SHAPES, st.one_of(values(-2.0, 2.0), st.just(0.0)))),
        dim=st.none() | st.integers(-1, 0),
        keepdim=st.booleans(),
    ),
    {"ProdBackward0", "ProdBackward1"},
)
def _prod(a, dim, keepdim):
    return a.prod() if dim is None else engine.prod(a, dim, keepdim=keepdim)


@case(
    "cumsum / cumprod",
    st.tuples(dim_input(st.one_of(values(-2.0, 2.0), st.just(0.0))), st.sampled_from(["cumsum", "cumprod"])).map(
        lambda x: (x[0][0], {"dim": x[0][1]["dim"], "name": x[1]})
    ),
    {"CumsumBackward0", "CumprodBackward0"},
)
def _cumulative(a, dim, name):
    return getattr(a, name)(dim) if name == "cumsum" else engine.cumprod(a, dim=dim)


@st.composite
def moments_input(draw):
    """Distinct values (the standard deviation of equal values has no derivative), dims and a correction."""
    a = draw(distinct_array())
    return (a,), {
        "dim": draw(dims_for(a.ndim)),
        "keepdim": draw(st.booleans()),
        "form": draw(st.sampled_from(["method", "function"])),
        "name": draw(st.sampled_from(["var", "std"])),
        "correction": draw(st.sampled_from([None, 0, 1, 2])),
    }


@case(
    "var / std",
    moments_input(),
    {"VarBackward0", "StdBackward0", "MulBackward0", "SumBackward0"},
)
def _moments(a, dim, keepdim, form, name, correction):
    n = (
        a.numel()
        if dim is None or a.ndim == 0
        else math.prod(a.shape[d] for d in ((dim,) if isinstance(dim, int) else dim))
    )
    c = 1 if correction is None else correction
    if n - c <= 0 or (name == "std" and n < 2):
        c = 0
    if n == 1 and name == "std":
        return (a * 1.0).sum()  # std of one value has no derivative (sqrt at 0)
    f = getattr(a, name) if form == "method" else (lambda *args, **kw: getattr(engine, name)(a, *args, **kw))
    if dim is None:
        return f(correction=c)
    return f(dim, keepdim=keepdim, correction=c)


@case(
    "norm",
    st.tuples(
        reduction_input(away_from_zero(0.1)),
        st.sampled_from([2, 1, 3, "fro", float("inf"), 0.5]),
    ).map(lambda x: (x[0][0], {"dim": x[0][1]["dim"], "keepdim": x[0][1]["keepdim"], "p": x[1]})),
    {"LinalgVectorNormBackward0", "MulBackward0", "SumBackward0"},
)
def _norm(a, dim, keepdim, p):
    if p == float("inf"):
        # distinct magnitudes, so the maximum is unique
        a = a * engine.tensor(np.arange(1, a.numel() + 1, dtype=np.float64).reshape(tuple(a.shape)) * 0.37)
    return a.norm(p=p, dim=dim, keepdim=keepdim)


@case(
    "amax / amin",
    st.tuples(extremum_input(), st.sampled_from(["amax", "amin"])).map(
        lambda x: (x[0][0], {"dim": x[0][1]["dim"], "keepdim": x[0][1]["keepdim"], "name": x[1]})
    ),
    {"AmaxBackward0", "AminBackward0"},
)
def _amax(a, dim, keepdim, name):
    return getattr(a, name)(dim, keepdim=keepdim) if dim is not None else getattr(engine, name)(a)


@case(
    "sort / topk / median / kthvalue",
    st.tuples(
        distinct_array(NONSCALAR_SHAPES),
        st.sampled_from(["sort", "sort descending", "topk", "topk smallest", "median", "median dim", "kthvalue"]),
    ).map(lambda x: ((x[0],), {"name": x[1]})),
    {
        "SortBackward0",
        "TopkBackward0",
        "MedianBackward0",
        "MedianBackward1",
        "KthvalueBackward0",
    },
)
def _selecting(a, name):
    n = a.shape[-1]
    return {
        "sort": lambda: a.sort().values,
        "sort descending": lambda: engine.sort(a, dim=0, descending=True)[0],
        "topk": lambda: a.topk(min(2, n)).values,
        "topk smallest": lambda: engine.topk(a, 1, dim=-1, largest=False)[0],
        "median": lambda: a.median(),
        "median dim": lambda: a.median(dim=-1).values,
        "kthvalue": lambda: a.kthvalue(n, -1).values,
    }[name]()


# the wider PyTorch API: selecting and reshaping ---------------------------------------------------


@st.composite
def indexing_input(draw):
    a = draw(array(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=3)))
    name = draw(st.sampled_from(["gather", "index_select", "take", "masked_fill", "masked_select", "embedding"]))
    seed = draw(st.integers(0, 2**16))
    return (a,), {"name": name, "seed": seed}


@case(
    "gather / index_select / masked_fill / masked_select / embedding",
    indexing_input(),
    {
        "GatherBackward0",
        "IndexSelectBackward0",
        "MaskedFillBackward0",
        "MaskedSelectBackward0",
        "EmbeddingBackward0",
        "ViewBackward0",
        "IndexBackward0",
    },
)
def _indexing(a, name, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(a.shape)
    if name == "gather":
        index = engine.tensor(rng.integers(0, shape[1], shape[:1] + (4,) + shape[2:]))
        return a.gather(1, index)
    if name == "index_select":
        return engine.index_select(a, 0, engine.tensor(rng.integers(0, shape[0], 4)))
    if name == "take":
        return a.take(engine.tensor(rng.integers(0, a.numel(), 5)))
    mask = engine.tensor(rng.random(shape) < 0.5)
    if name == "masked_fill":
        return a.masked_fill(mask, 0.25)
    if name == "masked_select":
        return a.masked_select(mask)
    weight = a.reshape(shape[0], -1)
    return engine.nn.functional.embedding(engine.tensor(rng.integers(0, shape[0], (2, 3))), weight)


_MATRIX_FORMS = [
    "repeat",
    "flip",
    "roll",
    "roll all",
    "tril",
    "triu",
    "diagonal",
    "diag",
    "trace",
    "pad",
    "chunk",
    "split sizes",
    "unbind",
]
_VECTOR_FORMS = ["tile", "diag vector", "diag_embed"]


@st.composite
def reshaping_input(draw):
    name = draw(st.sampled_from(_MATRIX_FORMS + _VECTOR_FORMS))
    return (draw(array((3, 3) if name in _MATRIX_FORMS else (3,))),), {"name": name}


@case(
    "repeat / tile / flip / roll / tril / triu / diagonal / trace / pad",
    reshaping_input(),
    {
        "RepeatBackward0",
        "FlipBackward0",
        "RollBackward0",
        "TrilBackward0",
        "TriuBackward0",
        "DiagonalBackward0",
        "DiagonalBackward0_copy",
        "DiagEmbedBackward0",
        "TraceBackward0",
        "ConstantPadNdBackward0",
        "ViewBackward0",
        "CopySlices",
        "SplitBackward0",
        "SplitWithSizesBackward0",
        "UnbindBackward0",
        "MulBackward0",
        "AddBackward0",
        "SumBackward0",
    },
)
def _reshaping(a, name):
    return {
        "repeat": lambda: a.repeat(2, 1, 2),
        "tile": lambda: a.tile(2),
        "flip": lambda: a.flip((0, 1)),
        "roll": lambda: a.roll(1, 1),
        "roll all": lambda: engine.roll(a, 2),
        "tril": lambda: a.tril(),
        "triu": lambda: engine.triu(a, 1),
        "diagonal": lambda: a.diagonal(1),
        "diag": lambda: engine.diag(a),
        "diag vector": lambda: a.diag(-1),
        "trace": lambda: a.trace(),
        "pad": lambda: engine.nn.functional.pad(a, (1, 2, 0, 1), value=0.5),
        "diag_embed": lambda: engine.diag_embed(a),
        "chunk": lambda: a.chunk(2, 1)[0] * 2 + a.chunk(2, 1)[1].sum(),
        "split sizes": lambda: engine.split(a, [2, 1])[0] * 3,
        "unbind": lambda: a.unbind(1)[0] * a.unbind(1)[2],
    }[name]()


@st.composite
def batched_pair(draw):
    b, n, k, m = draw(SIDE), draw(SIDE), draw(SIDE), draw(SIDE)
    return (draw(array((b, n, k))), draw(array((b, k, m)))), {
        "form": draw(st.sampled_from(["bmm", "method", "einsum"]))
    }


@case("bmm", batched_pair(), {"BmmBackward0", "UnsafeViewBackward0", "ViewBackward0", "PermuteBackward0"})
def _bmm_case(a, b, form):
    if form == "einsum":
        return engine.einsum("bij,bjk->bik", a, b)
    return engine.bmm(a, b) if form == "bmm" else a.bmm(b)


_EINSUM_SHAPES = {
    "ij,jk->ik": ((2, 3), (3, 4)),
    "ij->ji": ((2, 3),),
    "ij->": ((2, 3),),
    "ij,j->i": ((2, 3), (3,)),
    "i,i->": ((3,), (3,)),
    "i,j->ij": ((3,), (2,)),
    "ij,ij->i": ((2, 3), (2, 3)),
    "ii->i": ((3, 3),),
    "ii": ((3, 3),),
    "...j,j": ((2, 3), (3,)),
    "bij,bjk->bik": ((2, 2, 3), (2, 3, 2)),
}


@st.composite
def einsum_input(draw):
    equation = draw(st.sampled_from(sorted(_EINSUM_SHAPES)))
    return tuple(draw(array(shape)) for shape in _EINSUM_SHAPES[equation]), {"equation": equation}


@case(
    "einsum",
    einsum_input(),
    {
        "BmmBackward0",
        "MmBackward0",
        "UnsafeViewBackward0",
        "ViewBackward0",
        "PermuteBackward0",
        "SumBackward1",
        "MulBackward0",
        "DiagonalBackward0",
        "ExpandBackward0",
        "SumBackward0",
        "CloneBackward0",
        "MvBackward0",
        "DotBackward0",
    },
)
def _einsum(*operands, equation):
    return engine.einsum(equation, *operands)


# the wider PyTorch API: losses, normalisation, linear algebra -------------------------------------


@st.composite
def classification_input(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    logits = draw(array((n, c), values(-3.0, 3.0)))
    seed = draw(st.integers(0, 2**16))
    options = {
        "seed": seed,
        "form": draw(
            st.sampled_from(
                ["nll", "cross_entropy", "weighted", "ignore_index", "smoothing", "probabilities", "sum", "none", "1-d"]
            )
        ),
    }
    return (logits,), options


@case(
    "nll_loss / cross_entropy",
    classification_input(),
    {
        "NllLossBackward0",
        "LogSoftmaxBackward0",
        "DivBackward1",
        "MulBackward1",
        "AddBackward0",
        "NegBackward0",
        "SumBackward0",
        "SumBackward1",
        "MulBackward0",
        "MaskedFillBackward0",
        "DivBackward0",
        "SelectBackward0",
    },
)
def _classification(logits, seed, form):
    F = engine.nn.functional
    rng = np.random.default_rng(seed)
    n, c = logits.shape
    target = engine.tensor(rng.integers(0, c, n))
    weight = engine.tensor(rng.uniform(0.5, 2.0, c), dtype=engine.float64)
    if form == "nll":
        return F.nll_loss(F.log_softmax(logits, 1), target)
    if form == "weighted":
        return F.cross_entropy(logits, target, weight=weight)
    if form == "ignore_index":
        target[0] = -100
        if n == 1:
            return F.cross_entropy(logits, target, reduction="sum")
        return F.cross_entropy(logits, target)
    if form == "smoothing":
        return F.cross_entropy(logits, target, label_smoothing=0.2)
    if form == "probabilities":
        return F.cross_entropy(logits, engine.tensor(rng.dirichlet(np.ones(c), n)))
    if form == "1-d":
        return F.cross_entropy(logits[0], target[0])
    if form in ("sum", "none"):
        return F.cross_entropy(logits, target, reduction=form)
    return F.cross_entropy(logits, target)


@case(
    "smooth_l1_loss",
    with_options(
        broadcast_pair().filter(lambda p: p[0].shape == p[1].shape),
        reduction=st.sampled_from(["mean", "sum", "none"]),
        beta=st.sampled_from([1.0, 0.5]),
    ),
    {"SmoothL1LossBackward0"},
)
def _smooth_l1(a, b, reduction, beta):
    # Keep away from |a − b| = beta, where the loss has no second derivative (the first is continuous).
    return engine.nn.functional.smooth_l1_loss(a, b, reduction=reduction, beta=beta)


@st.composite
def normalization_input(draw):
    form = draw(st.sampled_from(["layer", "layer plain", "batch", "batch eval", "batch plain"]))
    x = draw(array((4, 3), values(-2.0, 2.0)))
    if "plain" in form:
        return (x,), {"form": form}
    return (x, draw(array((3,), values(0.5, 1.5))), draw(array((3,)))), {"form": form}


@case("layer_norm / batch_norm", normalization_input(), {"NativeLayerNormBackward0", "NativeBatchNormBackward0"})
def _normalization(x, w=None, b=None, *, form):
    F = engine.nn.functional
    if form == "layer":
        return F.layer_norm(x, (3,), w, b)
    if form == "layer plain":
        return F.layer_norm(x, (3,))
    running_mean = engine.zeros(3, dtype=engine.float64)
    running_var = engine.ones(3, dtype=engine.float64) * 2
    if form == "batch":
        return F.batch_norm(x, running_mean, running_var, w, b, training=True)
    if form == "batch plain":
        return F.batch_norm(x, None, None, training=True)
    return F.batch_norm(x, running_mean, running_var, w, b, training=False)


@st.composite
def linalg_input(draw):
    form = draw(st.sampled_from(["inv", "det", "solve", "solve vector", "inverse"]))
    a = draw(array((3, 3), values(-0.3, 0.3)))
    if form.startswith("solve"):
        return (a, draw(array((3, 2) if form == "solve" else (3,)))), {"form": form}
    return (a,), {"form": form}


@case(
    "linalg inv / det / solve",
    linalg_input(),
    {"LinalgInvExBackward0", "LinalgDetBackward0", "LinalgSolveExBackward0", "AddBackward0", "MulBackward0"},
)
def _linalg(a, b=None, *, form):
    well_conditioned = a + engine.eye(3, dtype=engine.float64) * 2
    if form == "inv":
        return engine.linalg.inv(well_conditioned)
    if form == "inverse":
        return engine.inverse(well_conditioned)
    if form == "det":
        return engine.linalg.det(well_conditioned)
    return engine.linalg.solve(well_conditioned, b)


# second derivatives: the gradient, computed with create_graph=True, is itself gradient-checked ----------


def _spread(x):
    """``x`` flattened with its elements kept apart (no ties at a max or min)."""
    return x.reshape(-1) * 0.1 + engine.arange(x.numel(), dtype=engine.float64)


SECOND_ORDER = {
    "cube": (lambda x: x**3, values()),
    "tanh": (lambda x: x.tanh(), values()),
    "sigmoid": (lambda x: x.sigmoid(), values()),
    "exp": (lambda x: x.exp(), values(-2.0, 2.0)),
    "log": (lambda x: x.log(), positive()),
    "sqrt": (lambda x: x.sqrt(), positive()),
    "sin and cos": (lambda x: x.sin() * x.cos(), values()),
    "division": (lambda x: x / (x * x + 1) - 2.0 / (x * x + 1), values()),
    "reciprocal and rsub": (lambda x: (1 - x).reciprocal(), away_from([1.0], gap=0.3)),
    "powers": (lambda x: x**x + 2.0**x, positive()),
    "relu, abs and clamp": (lambda x: x.relu() * x + x.abs() * x + x.clamp(-1, 1) * x, away_from([-1.0, 0.0, 1.0])),
    "maximum": (lambda x: engine.maximum(x, x * x), away_from([0.0, 1.0])),
    "sum and mean over a dim": (lambda x: (x.reshape(1, -1) ** 2).sum(1) * x.reshape(-1, 1).mean(0), values()),
    "max and min": (lambda x: _spread(x).max() * x + _spread(x).reshape(1, -1).min(1).values * x, values()),
    "matrix products": (lambda x: x.reshape(-1, 1) @ x.reshape(1, -1) @ x.reshape(-1, 1).tanh(), values()),
    "transpose and expand": (lambda x: x.reshape(-1, 1).T.expand(2, -1) ** 2, values()),
    "indexing": (lambda x: x.reshape(-1)[0] * x + x.reshape(-1)[:1] * x + x.reshape(-1)[[0, 0]].sum() * x, values()),
    "cat and stack": (
        lambda x: engine.cat([x.reshape(-1), x.reshape(-1) ** 2]).sum() * engine.stack([x, x * x]),
        values(),
    ),
    "where": (lambda x: engine.where(x > 0, x * x, x**3), away_from([0.0])),
    "mse and huber": (
        lambda x: F.mse_loss(x * x, x.tanh()) + F.huber_loss(x * x, x, reduction="sum", delta=0.5) * x,
        away_from([0.0, 0.5, 1.0, 1.5, -0.5]),
    ),
    "binary cross-entropy": (
        lambda x: (
            F.binary_cross_entropy(x.sigmoid(), (x * 0.5).sigmoid())
            + F.binary_cross_entropy_with_logits(x, x.sigmoid(), reduction="sum") * x
        ),
        values(),
    ),
    "softmax, log_softmax and logsumexp": (
        lambda x: (
            (_spread(x).softmax(0) * _spread(x)).sum() * x
            + (_spread(x).log_softmax(0) ** 2).sum() * x
            + _spread(x).reshape(1, -1).logsumexp(1) * x
        ),
        values(),
    ),
    "elementwise functions": (
        lambda x: x.log1p() * x.expm1() + x.atan() * x.erf() + (x * 0.5).asin() + x.sinh() * x.cosh() + x.rsqrt(),
        positive(0.3, 1.5),
    ),
    "activations": (
        lambda x: (
            F.leaky_relu(x, 0.2) * x
            + F.gelu(x) * F.silu(x)
            + F.softplus(x, beta=2) * F.elu(x)
            + F.mish(x)
            + F.logsigmoid(x) * F.gelu(x, approximate="tanh")
        ),
        away_from([0.0]),
    ),
    "std, var and norm": (
        lambda x: (
            engine.cat([_spread(x), _spread(x) * 2 + 1]).std() * x
            + engine.cat([_spread(x), _spread(x) * 3]).reshape(1, -1).var(1) * x
            + (x * x + 1).norm() * x
            + (x * x + 1).norm(p=3) * x
        ),
        values(),
    ),
    "cumsum, cumprod and prod": (
        lambda x: (
            (x.reshape(-1).cumsum(0) ** 2).sum() * x + (x + 2).reshape(-1).cumprod(0).sum() * x + (x + 2).prod() * x
        ),
        values(-1.0, 1.0),
    ),
    "cross-entropy and smooth L1": (
        lambda x: (
            F.cross_entropy(_spread(x).reshape(1, -1) * x.reshape(-1)[0], engine.tensor([0]))
            + F.smooth_l1_loss(x * x, x, beta=0.5) * x
        ),
        away_from([0.0, 0.5, 1.0, -0.5, 1.5], gap=0.05),
    ),
}


def _second_derivative(a, f):
    with engine.enable_grad():
        (g,) = engine.autograd.grad(SECOND_ORDER[f][0](a).sum(), a, create_graph=True)
    return g


def _second_order_names():
    """The grad_fn names that the gradients computed with create_graph may contain (for the case's check)."""
    names = set()
    for f in SECOND_ORDER:
        for shape in [(), (3,), (2, 2)]:
            x = engine.tensor(np.full(shape, 0.7), dtype=engine.float64, requires_grad=True)
            names |= _grad_fn_names(_second_derivative(x, f))
    return names


def second_order_input():
    def draw_for(f):
        return st.tuples(st.tuples(array(SHAPES, SECOND_ORDER[f][1])), st.just({"f": f}))

    return st.sampled_from(sorted(SECOND_ORDER)).flatmap(draw_for)


# --------------------------------------------------------------------------------------------- tests


def _tensors(arrays):
    return [engine.tensor(a, dtype=engine.float64, requires_grad=True) for a in arrays]


def _grad_fn_names(out):
    names, stack, seen = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(type(node).__name__)
        stack.extend(n for n, _ in node.next_functions)
    return names


case("second derivative (create_graph)", second_order_input(), _second_order_names())(_second_derivative)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@SETTINGS
@given(data=st.data())
def test_backward_matches_central_differences(case, data):
    arrays, options = data.draw(case.inputs, label="inputs")
    tensors = _tensors(arrays)
    out = case.fn(*tensors, **options)
    assert out.dtype == engine.float64
    assert _grad_fn_names(out) - {"AccumulateGrad"} <= case.grad_fns
    assert gradcheck(lambda *ts: case.fn(*ts, **options), tensors, eps=1e-6, atol=1e-6, rtol=1e-4)

    # backward() of a weighted sum fills every input's .grad with its own shape and dtype.
    weights = engine.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)), dtype=engine.float64)
    (out * weights).sum().backward()
    for t in tensors:
        assert t.grad is not None
        assert t.grad.shape == t.shape
        assert t.grad.dtype == engine.float64


def _engine_functions():
    """Every differentiable op class the engine defines (the classes graph nodes are made of)."""
    import engine.tensor as tensor_module

    found = set()
    for module in (ops, tensor_module, engine.functional):
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Function)
                and obj is not Function
                and not obj.__name__.startswith("_")
            ):
                found.add(obj.__name__)
    return found


@pytest.mark.parametrize("name", sorted(_engine_functions()))
def test_every_op_is_gradient_checked(name):
    """Some case builds a graph containing this op, for some drawn input."""
    covering = [c for c in CASES if name in c.grad_fns]
    assert covering, f"no gradient-check case uses {name}"

    def uses(case):
        def check(example):
            arrays, options = example
            return name in _grad_fn_names(case.fn(*_tensors(arrays), **options))

        return check

    for c in covering:
        try:
            find(c.inputs, uses(c), settings=settings(max_examples=300, database=None, phases=[Phase.generate]))
            return
        except NoSuchExample:
            continue
    pytest.fail(f"none of {[c.id for c in covering]} produced {name}")


# ------------------------------------------------------------------------------- gradcheck itself


class _WrongSquare(Function):
    """x² with a backward that forgets the factor 2, to show gradcheck catches it."""

    def forward(self, a):
        self.save_for_backward(a)
        return a * a

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * a


def test_gradcheck_rejects_a_wrong_backward():
    x = engine.tensor([0.5, -1.25, 2.0], dtype=engine.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(_WrongSquare.apply, (x,))
    assert gradcheck(_WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_rejects_a_gradient_sent_to_the_wrong_element():
    class Shifted(Function):
        def forward(self, a):
            return a * 3.0

        def backward(self, grad):
            return np.roll(grad, 1) * 3.0

    x = engine.tensor([1.0, 2.0, 3.0], dtype=engine.float64, requires_grad=True)
    assert gradcheck(Shifted.apply, (x,), raise_exception=False) is False


def test_gradcheck_requires_float64():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * t, (x,))
