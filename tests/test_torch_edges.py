"""PyTorch's conventions at the edges: NaN in max/min, powers at zero, division by zero, inf arithmetic.

Each case runs with the engine and with torch, with warnings turned into errors: values and gradients
must agree (NaN where PyTorch gives NaN, 0 where it chooses 0), errors must have PyTorch's text, and
no NumPy RuntimeWarning may escape where PyTorch prints nothing.
"""

import math
import warnings

import numpy as np
import pytest

import engine

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf

GRADIENT_CASES = {
    "max of all, NaN shared": (lambda lib, x: x.max(), [1.0, NAN, 3.0, NAN]),
    "min of all, NaN": (lambda lib, x: x.min(), [1.0, NAN, 3.0]),
    "max of all, ties": (lambda lib, x: x.max(), [3.0, 1.0, 3.0]),
    "max along a dim, NaN": (lambda lib, x: x.reshape(2, 2).max(1).values, [1.0, NAN, 3.0, 2.0]),
    "min along a dim, NaN": (lambda lib, x: x.reshape(2, 2).min(0).values, [1.0, NAN, 3.0, 2.0]),
    "maximum with NaN": (lambda lib, x: lib.maximum(x, lib.tensor([2.0, 2.0, 2.0])), [1.0, NAN, 3.0]),
    "minimum, NaN on both sides": (lambda lib, x: lib.minimum(x, lib.tensor([NAN, 2.0, 2.0])), [1.0, NAN, 3.0]),
    "clamp of NaN": (lambda lib, x: x.clamp(0, 1), [NAN, 0.5, 2.0]),
    "relu of NaN": (lambda lib, x: x.relu(), [NAN, -1.0, 2.0]),
    "0 ** x": (lambda lib, x: 0.0**x, [0.0, 1.0, -1.0, 2.0]),
    "x ** x at 0": (lambda lib, x: x**x, [0.0, 1.0, 2.0]),
    "x ** 0": (lambda lib, x: x**0, [0.0, 1.0]),
    "x ** 0.5 at 0": (lambda lib, x: x**0.5, [0.0, 1.0]),
    "x ** -1 at 0": (lambda lib, x: x**-1.0, [0.0, 1.0]),
    "0 ** y, both tensors": (lambda lib, x: x ** lib.tensor([0.0, 2.0, -1.0]), [0.0, 0.0, 0.0]),
    "zeros ** x": (lambda lib, x: lib.zeros(3) ** x, [0.0, 1.0, -1.0]),
    "sqrt at 0 and below": (lambda lib, x: x.sqrt(), [0.0, -1.0, 4.0]),
    "log at 0 and below": (lambda lib, x: x.log(), [0.0, -1.0, 1.0]),
    "division by zero": (lambda lib, x: x / lib.tensor([0.0, 0.0, 1.0]), [1.0, 0.0, 1.0]),
    "reciprocal of 0": (lambda lib, x: x.reciprocal(), [0.0, 2.0]),
    "exp overflow": (lambda lib, x: x.exp(), [100.0, -200.0]),
    "tanh and sigmoid saturated": (lambda lib, x: x.tanh() + x.sigmoid(), [100.0, -1000.0]),
    "inf times 0": (lambda lib, x: x * lib.tensor([0.0, INF]), [INF, 0.0]),
    "inf minus inf": (lambda lib, x: x - lib.tensor([INF, 1.0]), [INF, INF]),
    "sum overflows": (lambda lib, x: x.sum(), [3e38, 3e38]),
    "mean of nothing": (lambda lib, x: x[:0].mean(), [1.0]),
    "sin of inf": (lambda lib, x: x.sin() + x.cos(), [INF, 1.0]),
    "abs at 0": (lambda lib, x: x.abs(), [0.0, -2.0]),
    "matrix product overflows": (lambda lib, x: x.reshape(1, 2) @ x.reshape(2, 1), [3e30, 3e30]),
    "mse of NaN": (lambda lib, x: lib.nn.functional.mse_loss(x, lib.tensor([1.0, 1.0])), [NAN, 1.0]),
    "bce at 0 and 1": (lambda lib, x: lib.nn.functional.binary_cross_entropy(x, lib.tensor([1.0, 0.0])), [0.0, 1.0]),
}


def _gradient_case(lib, fn, values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = lib.tensor(values, requires_grad=True)
        y = fn(lib, x)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_values_and_gradients_match_pytorch_without_warnings(name):
    fn, values = GRADIENT_CASES[name]
    ours = _gradient_case(engine, fn, values)
    theirs = _gradient_case(torch, fn, values)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=0, equal_nan=True)
        assert np.array_equal(np.signbit(a[np.isinf(a)]), np.signbit(b[np.isinf(b)]))


ERROR_CASES = {
    "int // 0": lambda lib: lib.tensor([1, 2]) // lib.tensor([0, 1]),
    "int // 0 (number)": lambda lib: lib.tensor([1, 2]) // 0,
    "int % 0": lambda lib: lib.tensor([1, 2]) % 0,
    "int % 0 (tensor)": lambda lib: lib.tensor([1, 2]) % lib.tensor([1, 0]),
    "number // int tensor with 0": lambda lib: 5 // lib.tensor([0, 1]),
    "number % int tensor with 0": lambda lib: 5 % lib.tensor([0, 1]),
    "bool // bool": lambda lib: lib.tensor([True]) // lib.tensor([False]),
    "int to a negative power": lambda lib: lib.tensor([2]) ** -1,
    "float // 0": lambda lib: (lib.tensor([0.0, 1.0, -1.0]) // 0).tolist(),
    "float % 0": lambda lib: (lib.tensor([1.0, 2.0]) % 0).tolist(),
    "int / 0": lambda lib: (lib.tensor([1, 0]) / 0).tolist(),
    "int // int": lambda lib: (lib.tensor([7, -7]) // lib.tensor([2, 2])).tolist(),
    "int % int": lambda lib: (lib.tensor([7, -7]) % lib.tensor([3, 3])).tolist(),
}


def _outcome(lib, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return repr(fn(lib))
        except Exception as e:
            return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_division_edges_match_pytorch(name):
    assert _outcome(engine, ERROR_CASES[name]) == _outcome(torch, ERROR_CASES[name])
