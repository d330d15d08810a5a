"""Autograd semantics, printing, factories, dtype promotion and error texts, as PyTorch has them.

Expected values are worked out by hand from the maths or taken from PyTorch's documented behaviour
and its printouts (with ``torch.`` spelled ``engine.``, as the engine names itself).
"""

import re
import threading

import numpy as np
import pytest

import engine
import engine as torch  # the tutorials' spelling, for the examples that mirror them
from engine import autograd
from engine.function import AccumulateGrad
from engine.graph import trace

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
NOT_FLOAT = "Only Tensors of floating point and complex dtype can require gradients"
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
IMPLICIT = "grad can be implicitly created only for scalar outputs"


def exact(text):
    """A ``match=`` pattern for exactly ``text``."""
    return "^" + re.escape(text) + "$"


def values(t):
    return np.asarray(t.detach().tolist())


# ------------------------------------------------------------------------------------ accumulation


def test_gradients_accumulate_across_backward_calls():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0])
    (3 * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [5.0, 7.0])


def test_grad_can_be_reset_to_none_or_zeroed():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3.0, 3.0])
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0])


def test_a_tensor_used_twice_gets_both_contributions():
    x = engine.tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0


def test_diamond_graph_sums_paths():
    x = engine.tensor(2.0, requires_grad=True)
    a = x * 3
    b = x**2
    (a * b).backward()  # d(3x·x²)/dx = 9x² = 36
    assert x.grad.item() == 36.0


# ----------------------------------------------------------------------------------- retain_graph


def test_second_backward_without_retain_graph_raises_pytorch_error():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=exact(FREED)):
        y.backward()
    np.testing.assert_array_equal(values(x.grad), [2.0, 4.0])


def test_retain_graph_allows_a_second_backward_then_frees():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [6.0, 12.0])
    with pytest.raises(RuntimeError, match=exact(FREED)):
        y.backward()


def test_graphs_that_save_nothing_can_be_run_twice_as_in_pytorch():
    # AddBackward0 and SumBackward0 keep no saved values, so PyTorch has nothing to free.
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = (x + x).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [4.0, 4.0])


def test_freed_graph_error_also_from_autograd_grad():
    x = engine.tensor(2.0, requires_grad=True)
    y = x.exp()
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=exact(FREED)):
        autograd.grad(y, x)


# ---------------------------------------------------------------------------- gradient= and errors


def test_backward_with_gradient_is_a_vector_jacobian_product():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    y.backward(gradient=engine.tensor([1.0, 0.5, 0.25]))
    np.testing.assert_allclose(values(x.grad), [2.0, 2.0, 1.5])


def test_backward_of_a_non_scalar_without_gradient():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(IMPLICIT)):
        (x * 2).backward()


def test_backward_of_a_one_element_non_scalar_needs_no_gradient():
    x = engine.tensor([[2.0]], requires_grad=True)
    (x * 5).backward()
    assert x.grad.tolist() == [[5.0]]


def test_backward_gradient_of_the_wrong_shape():
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=exact(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) "
            "and output[0] has a shape of torch.Size([3])."
        ),
    ):
        (x * 2).backward(engine.ones(2))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        engine.tensor([1.0, 2.0]).sum().backward()
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        engine.tensor(1.0).backward()


def test_ops_under_no_grad_have_no_graph_to_backward():
    x = engine.tensor(1.0, requires_grad=True)
    with engine.no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match=exact(NO_GRAD_FN)):
        y.backward()


# -------------------------------------------------------------------------------- in-place on leaves


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x.__iadd__(1.0),
        lambda x: x.__isub__(engine.tensor([1.0, 1.0])),
        lambda x: x.__imul__(2.0),
        lambda x: x.__itruediv__(2.0),
        lambda x: x.add_(1.0),
        lambda x: x.sub_(1.0),
        lambda x: x.mul_(2.0),
        lambda x: x.div_(2.0),
        lambda x: x.zero_(),
        lambda x: x.fill_(3.0),
        lambda x: x.copy_(engine.tensor([5.0, 6.0])),
        lambda x: x.clamp_(0.0, 1.0),
    ],
    ids=["+=", "-=", "*=", "/=", "add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_"],
)
def test_in_place_on_a_leaf_that_requires_grad(op):
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact(LEAF_INPLACE)):
        op(x)
    assert x.tolist() == [1.0, 2.0]
    with engine.no_grad():
        op(x)
    assert x.tolist() != [1.0, 2.0]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None


def test_setitem_on_a_leaf_that_requires_grad():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place operation"):
        x[0] = 9.0
    with engine.no_grad():
        x[0] = 9.0
    assert x.tolist() == [9.0, 2.0] and x.is_leaf and x.requires_grad


def test_setitem_on_a_leaf_has_pytorchs_text():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=exact("a view of " + LEAF_INPLACE)):
        x[0] = 9.0


def test_in_place_update_under_no_grad_as_in_the_tutorials():
    W = torch.tensor([[0.0]], requires_grad=True)
    loss = ((torch.tensor([[1.0], [2.0]]) @ W - torch.tensor([[3.0], [5.0]])) ** 2).mean()
    loss.backward()  # dL/dW = mean(2·(0 − y)·x) = (−6 − 20)/2 = −13
    with torch.no_grad():
        W -= 0.01 * W.grad
    assert W.item() == pytest.approx(0.13)
    assert W.is_leaf and W.requires_grad and W.grad_fn is None


def test_in_place_on_a_non_leaf_joins_the_graph():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y += 1
    assert type(y.grad_fn).__name__ == "AddBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_in_place_on_a_tensor_that_does_not_require_grad():
    a = engine.tensor([1.0, 2.0])
    a += 1
    a *= 2
    assert a.tolist() == [4.0, 6.0]
    assert not a.requires_grad


# ------------------------------------------------------------------------------------ requires_grad


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda: engine.tensor([1, 2], requires_grad=True), NOT_FLOAT),
        (lambda: engine.tensor([True, False], requires_grad=True), NOT_FLOAT),
        (lambda: engine.zeros(2, dtype=engine.int64, requires_grad=True), NOT_FLOAT),
        # PyTorch words the same refusal differently for requires_grad_() and for the setter.
        (lambda: engine.arange(3).requires_grad_(), "only Tensors of floating point dtype can require gradients"),
        (
            lambda: setattr(engine.arange(3), "requires_grad", True),
            "only Tensors of floating point and complex dtype can require gradients",
        ),
    ],
    ids=["tensor(int)", "tensor(bool)", "zeros(int64)", "requires_grad_", "setter"],
)
def test_requires_grad_on_an_integer_tensor(make, text):
    with pytest.raises(RuntimeError, match=exact(text)):
        make()


def test_requires_grad_is_settable_on_leaves():
    x = engine.tensor([1.0, 2.0])
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    assert x.requires_grad_(False) is x
    assert not x.requires_grad


def test_requires_grad_false_on_a_non_leaf():
    y = engine.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(
        RuntimeError,
        match=exact(
            "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in "
            "a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
        ),
    ):
        y.requires_grad = False


def test_requires_grad_true_on_a_non_leaf():
    y = engine.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=exact("you can only change requires_grad flags of leaf variables.")):
        y.requires_grad = True


def test_results_require_grad_only_if_an_input_does():
    a = engine.tensor([1.0])
    b = engine.tensor([2.0], requires_grad=True)
    assert not (a * 2).requires_grad
    assert (a * b).requires_grad
    assert (a * 2).is_leaf
    assert not (a * b).is_leaf


# ----------------------------------------------------------------------------------------- grad mode


def test_no_grad_context_manager():
    x = engine.tensor(1.0, requires_grad=True)
    assert engine.is_grad_enabled()
    with engine.no_grad():
        assert not engine.is_grad_enabled()
        y = x * 2
    assert engine.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_inside_no_grad():
    x = engine.tensor(1.0, requires_grad=True)
    with engine.no_grad():
        with engine.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and type(y.grad_fn).__name__ == "MulBackward0"
    assert not z.requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), engine.no_grad():
        raise ValueError("boom")
    assert engine.is_grad_enabled()


def test_no_grad_as_a_decorator_with_and_without_parentheses():
    x = engine.tensor(1.0, requires_grad=True)

    @engine.no_grad
    def bare(t):
        """Doubles t."""
        return t * 2

    @engine.no_grad()
    def called(t):
        return t * 2

    assert not bare(x).requires_grad
    assert not called(x).requires_grad
    assert bare.__name__ == "bare" and bare.__doc__ == "Doubles t."
    assert engine.is_grad_enabled()
    assert (x * 2).requires_grad


def test_enable_grad_as_a_decorator_with_and_without_parentheses():
    x = engine.tensor(1.0, requires_grad=True)

    @engine.enable_grad
    def bare(t):
        return t * 2

    @engine.enable_grad()
    def called(t):
        return t * 2

    with engine.no_grad():
        assert bare(x).requires_grad
        assert called(x).requires_grad
        assert not engine.is_grad_enabled()


def test_set_grad_enabled_as_function_context_manager_and_decorator():
    x = engine.tensor(1.0, requires_grad=True)
    with engine.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert engine.is_grad_enabled()

    engine.set_grad_enabled(False)
    try:
        assert not engine.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        engine.set_grad_enabled(True)
    assert engine.is_grad_enabled()

    @engine.set_grad_enabled(False)
    def off(t):
        return t * 2

    assert engine.is_grad_enabled()  # making the decorator leaves the mode alone
    assert not off(x).requires_grad
    assert engine.is_grad_enabled()

    with engine.no_grad():
        with engine.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not engine.is_grad_enabled()


def test_nested_modes_restore_in_order():
    with engine.no_grad():
        with engine.enable_grad():
            with engine.no_grad():
                assert not engine.is_grad_enabled()
            assert engine.is_grad_enabled()
        assert not engine.is_grad_enabled()
    assert engine.is_grad_enabled()


def test_grad_mode_is_thread_local():
    """no_grad in one thread leaves another thread recording (the app trains in a worker thread)."""
    entered, checked = threading.Event(), threading.Event()
    seen = {}

    def worker_in_no_grad():
        with engine.no_grad():
            entered.set()
            checked.wait(timeout=30)
            seen["worker_enabled"] = engine.is_grad_enabled()
            seen["worker_records"] = (engine.tensor(1.0, requires_grad=True) * 2).requires_grad

    worker = threading.Thread(target=worker_in_no_grad)
    worker.start()
    assert entered.wait(timeout=30)
    seen["main_enabled"] = engine.is_grad_enabled()
    seen["main_records"] = (engine.tensor(1.0, requires_grad=True) * 2).requires_grad
    checked.set()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert seen == {"main_enabled": True, "main_records": True, "worker_enabled": False, "worker_records": False}


def test_a_new_thread_starts_with_grad_enabled():
    seen = []
    with engine.no_grad():
        t = threading.Thread(target=lambda: seen.append(engine.is_grad_enabled()))
        t.start()
        t.join(timeout=30)
    assert seen == [True]


# ------------------------------------------------------------------------- retain_grad, detach, leaves


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    z = x * 3
    z.retain_grad()
    assert z.retains_grad
    (z * z).sum().backward()  # d/dz Σz² = 2z = [6, 12]
    assert z.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_non_leaf_grad_is_none_without_retain_grad():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    z = x * 3
    z.sum().backward()
    assert not z.retains_grad
    assert z.grad is None


def test_retain_grad_on_a_leaf_is_a_no_op_and_without_grad_an_error():
    x = engine.tensor(2.0, requires_grad=True)
    x.retain_grad()
    (x * 4).backward()
    assert x.grad.item() == 4.0
    with pytest.raises(RuntimeError, match=exact("can't retain_grad on Tensor that has requires_grad=False")):
        engine.tensor(1.0).retain_grad()


def test_detach_shares_values_but_not_history():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d.tolist() == [2.0, 4.0]
    d[0] = 10.0  # shares memory with y, as in PyTorch
    assert y.tolist()[0] == 10.0
    # The tutorials read values this way.
    assert engine.tensor([[0.5]], requires_grad=True).detach().item() == 0.5


def test_is_leaf():
    x = engine.tensor(30.0)
    W = engine.tensor(40.0, requires_grad=True)
    z = W * x
    assert x.is_leaf and W.is_leaf and not z.is_leaf
    assert (x * 2).is_leaf  # no input requires grad: no history


# ------------------------------------------------------------------------------------ graph nodes


def test_next_functions_end_in_accumulate_grad():
    x, y = engine.tensor(1.0), engine.tensor(2.0)
    w = engine.tensor(1.0, requires_grad=True)
    loss = (w * x - y) ** 2
    pow_node = loss.grad_fn
    assert type(pow_node).__name__ == "PowBackward0"
    ((sub_node, _),) = pow_node.next_functions
    assert type(sub_node).__name__ == "SubBackward0"
    (mul_node, _), (const, _) = sub_node.next_functions
    assert type(mul_node).__name__ == "MulBackward0" and const is None
    (acc, _), (none, _) = mul_node.next_functions
    assert isinstance(acc, AccumulateGrad) and type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is w and none is None
    assert acc.next_functions == ()


def test_grad_fn_repr_and_name():
    X = engine.tensor([[1.0], [3.0]])
    W = engine.tensor([[0.5]], requires_grad=True)
    loss = (X @ W).mean()
    assert re.fullmatch(r"<MeanBackward0 object at 0x[0-9a-f]+>", repr(loss.grad_fn))
    assert f"{loss.grad_fn}" == repr(loss.grad_fn)
    assert loss.grad_fn.name() == "MeanBackward0"
    assert repr(loss) == "tensor(1., grad_fn=<MeanBackward0>)"


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda a, b: a + b, "AddBackward0"),
        (lambda a, b: a - b, "SubBackward0"),
        (lambda a, b: 1.0 - a, "RsubBackward1"),
        (lambda a, b: a * b, "MulBackward0"),
        (lambda a, b: a / b, "DivBackward0"),
        (lambda a, b: -a, "NegBackward0"),
        (lambda a, b: a**2, "PowBackward0"),
        (lambda a, b: a**b, "PowBackward1"),
        (lambda a, b: a.unsqueeze(0) @ b.unsqueeze(1), "MmBackward0"),
        (lambda a, b: a.sum(), "SumBackward0"),
        (lambda a, b: a.sum(0), "SumBackward1"),
        (lambda a, b: a.mean(), "MeanBackward0"),
        (lambda a, b: a.mean(0), "MeanBackward1"),
        (lambda a, b: a.exp(), "ExpBackward0"),
        (lambda a, b: a.log(), "LogBackward0"),
        (lambda a, b: a.sqrt(), "SqrtBackward0"),
        (lambda a, b: a.tanh(), "TanhBackward0"),
        (lambda a, b: a.sigmoid(), "SigmoidBackward0"),
        (lambda a, b: a.relu(), "ReluBackward0"),
        (lambda a, b: a.abs(), "AbsBackward0"),
        (lambda a, b: a.clamp(0, 1), "ClampBackward1"),
        (lambda a, b: a.view(2, 1), "ViewBackward0"),
        (lambda a, b: a.unsqueeze(0).T, "PermuteBackward0"),
        (lambda a, b: a.unsqueeze(0).t(), "TBackward0"),
        (lambda a, b: a @ b, "DotBackward0"),
        (lambda a, b: engine.stack([a, b]) @ a, "MvBackward0"),
    ],
)
def test_grad_fn_names_are_pytorchs(make, name):
    a = engine.tensor([1.0, 2.0], requires_grad=True)
    b = engine.tensor([3.0, 0.5], requires_grad=True)
    assert type(make(a, b).grad_fn).__name__ == name


# ---------------------------------------------------------------------------------- autograd.grad


def test_autograd_grad_returns_without_accumulating():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    w = engine.tensor(3.0, requires_grad=True)
    y = (w * x * x).sum()
    gx, gw = autograd.grad(y, [x, w])
    assert gx.tolist() == [6.0, 12.0]  # 2wx
    assert gw.item() == 5.0  # Σx²
    assert x.grad is None and w.grad is None


def test_autograd_grad_with_grad_outputs_and_retain_graph():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    y = x**3
    (g,) = autograd.grad(y, x, grad_outputs=engine.tensor([1.0, 0.5]), retain_graph=True)
    assert g.tolist() == [3.0, 6.0]
    (g,) = autograd.grad(y.sum(), x)
    assert g.tolist() == [3.0, 12.0]


def test_autograd_grad_unused_input():
    a = engine.tensor(1.0, requires_grad=True)
    b = engine.tensor(2.0, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=exact(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True "
            "if this is the desired behavior."
        ),
    ):
        autograd.grad(a * 2, [a, b])
    ga, gb = autograd.grad(a * 2, [a, b], allow_unused=True)
    assert ga.item() == 2.0 and gb is None


def test_autograd_backward_function():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    autograd.backward((x * x).sum())
    assert x.grad.tolist() == [2.0, 4.0]


# ------------------------------------------------------------------------------------- graph.trace


def test_trace_of_the_least_squares_example():
    """Tutorial 000: x = 1, y = 2, w = 1, loss = (w·x − y)²."""
    x = torch.tensor(1.0)
    y = torch.tensor(2.0)
    w = torch.tensor(1.0, requires_grad=True)
    w.name = "w"
    y_hat = w * x
    loss = (y_hat - y) ** 2
    loss.backward()

    snapshot = trace(loss, names={x: "x", y: "y"})
    root = snapshot.nodes[snapshot.root]
    assert root.kind == "op" and root.op == "PowBackward0"
    assert float(root.value) == 1.0

    ((square_in,),) = [snapshot.edges_into(root.id)]
    assert float(square_in.local_grad) == -2.0  # ∂(d²)/∂d = 2d, d = −1

    sub = snapshot.nodes[square_in.source]
    assert sub.op == "SubBackward0"
    into_sub = sorted(snapshot.edges_into(sub.id), key=lambda e: e.index)
    assert [float(e.local_grad) for e in into_sub] == [1.0, -1.0]

    mul = snapshot.nodes[into_sub[0].source]
    assert mul.op == "MulBackward0"
    into_mul = {snapshot.nodes[e.source].label: e for e in snapshot.edges_into(mul.id)}
    assert float(into_mul["w"].local_grad) == 1.0  # ∂(w·x)/∂w = x
    assert float(into_mul["x"].local_grad) == 1.0  # ∂(w·x)/∂x = w

    w_node = snapshot.node("w")
    assert w_node.kind == "parameter" and float(w_node.grad) == -2.0
    assert snapshot.node("x").kind == "data" and snapshot.node("x").grad is None
    assert float(snapshot.node("y").value) == 2.0
    assert float(mul.grad) == -2.0 and float(sub.grad) == -2.0 and float(root.grad) == 1.0


def test_trace_of_the_neuron_example():
    """Tutorial 003: z = W·x + b with x = 30, W = 40, b = 50."""
    x = torch.tensor(30.0)
    W = torch.tensor(40.0, requires_grad=True)
    b = torch.tensor(50.0, requires_grad=True)
    z = W * x + b
    z.backward()
    snapshot = trace(z, names={x: "x", W: "W", b: "b"})
    root = snapshot.nodes[snapshot.root]
    assert float(root.value) == 1250.0 and root.op == "AddBackward0"
    mul = snapshot.nodes[next(e for e in snapshot.edges_into(root.id) if e.index == 0).source]
    into_mul = {snapshot.nodes[e.source].label: float(e.local_grad) for e in snapshot.edges_into(mul.id)}
    assert into_mul == {"W": 30.0, "x": 40.0}  # ∂z/∂W = x, ∂(W·x)/∂x = W
    into_add = {snapshot.nodes[e.source].label: float(e.local_grad) for e in snapshot.edges_into(root.id)}
    assert into_add[b.name or "b"] == 1.0
    assert float(snapshot.node("W").grad) == 30.0 and float(snapshot.node("b").grad) == 1.0


def test_trace_is_a_snapshot():
    w = engine.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    snapshot = trace(loss)
    before = snapshot.nodes[0].value.copy()
    with engine.no_grad():
        w += 5
    np.testing.assert_array_equal(snapshot.nodes[0].value, before)


# ------------------------------------------------------------------------------------------ printing


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda: engine.tensor(3.14159), "tensor(3.1416)"),
        (lambda: engine.tensor(2), "tensor(2)"),
        (lambda: engine.tensor(True), "tensor(True)"),
        (lambda: engine.tensor(-0.0), "tensor(-0.)"),
        (lambda: engine.tensor(1e-8), "tensor(1.0000e-08)"),
        (lambda: engine.tensor(123456789.0), "tensor(1.2346e+08)"),
        (lambda: engine.tensor(float("inf")), "tensor(inf)"),
        (lambda: engine.tensor(1.5, dtype=engine.float64), "tensor(1.5000, dtype=torch.float64)"),
        (lambda: engine.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
        (lambda: engine.tensor([-3, 10, 200]), "tensor([ -3,  10, 200])"),
        (lambda: engine.tensor([True, False]), "tensor([ True, False])"),
        (lambda: engine.ones(2, dtype=engine.int32), "tensor([1, 1], dtype=torch.int32)"),
        (lambda: engine.tensor([1.5, 2.25], dtype=engine.float64), "tensor([1.5000, 2.2500], dtype=torch.float64)"),
        (lambda: engine.tensor([0.1, 0.2], dtype=engine.float64) * 3, "tensor([0.3000, 0.6000], dtype=torch.float64)"),
        (lambda: engine.tensor([1.0, -2.0]), "tensor([ 1., -2.])"),
        (lambda: engine.tensor([0.5, -0.25]), "tensor([ 0.5000, -0.2500])"),
        (lambda: engine.tensor([0.0, 0.0]), "tensor([0., 0.])"),
        (lambda: engine.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
        (lambda: engine.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
        (lambda: engine.tensor([100.0, 0.001]), "tensor([1.0000e+02, 1.0000e-03])"),
        (lambda: engine.tensor([1234.5678, 0.5]), "tensor([1.2346e+03, 5.0000e-01])"),
        (
            lambda: engine.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
            "tensor([   nan,    inf,   -inf, 1.5000])",
        ),
        (lambda: engine.tensor([float("nan")]), "tensor([nan])"),
        (lambda: engine.zeros(0), "tensor([])"),
        (lambda: engine.zeros(2, 0), "tensor([], size=(2, 0))"),
        (lambda: engine.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
        (lambda: engine.tensor([[True, False], [False, True]]), "tensor([[ True, False],\n        [False,  True]])"),
        (lambda: engine.tensor([[[1.5]]]), "tensor([[[1.5000]]])"),
        (
            lambda: engine.arange(12.0).reshape(2, 2, 3),
            "tensor([[[ 0.,  1.,  2.],\n         [ 3.,  4.,  5.]],\n\n        [[ 6.,  7.,  8.],\n         [ 9., 10., 11.]]])",
        ),
        (lambda: engine.tensor([0.1, 0.25], requires_grad=True), "tensor([0.1000, 0.2500], requires_grad=True)"),
        (
            lambda: engine.tensor([[1e-3, 2.0], [3.0, 4.5]], dtype=engine.float64, requires_grad=True),
            "tensor([[1.0000e-03, 2.0000e+00],\n        [3.0000e+00, 4.5000e+00]], dtype=torch.float64, requires_grad=True)",
        ),
        (
            lambda: engine.arange(12.0, requires_grad=True) * 1.5,
            "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
            "        12.0000, 13.5000, 15.0000, 16.5000], grad_fn=<MulBackward0>)",
        ),
        (
            lambda: engine.linspace(-1, 1, 9, requires_grad=True),
            "tensor([-1.0000, -0.7500, -0.5000, -0.2500,  0.0000,  0.2500,  0.5000,  0.7500,\n"
            "         1.0000], requires_grad=True)",
        ),
        (
            lambda: engine.arange(2000.0),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
        ),
        (
            lambda: engine.arange(3000).reshape(1000, 3).float(),
            "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00],\n        [3.0000e+00, 4.0000e+00, 5.0000e+00],\n"
            "        [6.0000e+00, 7.0000e+00, 8.0000e+00],\n        ...,\n        [2.9910e+03, 2.9920e+03, 2.9930e+03],\n"
            "        [2.9940e+03, 2.9950e+03, 2.9960e+03],\n        [2.9970e+03, 2.9980e+03, 2.9990e+03]])",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_printing_follows_pytorch(make, text):
    t = make()
    assert repr(t) == text
    assert str(t) == text


def test_printing_in_the_tutorials():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    assert str(x**2 - 5) == "tensor([-4., -1.,  4., 11., 20.], grad_fn=<SubBackward0>)"
    W = torch.tensor([[0.0]], requires_grad=True)
    with torch.no_grad():
        W -= 0.001 * torch.tensor([[-35.0]])
    assert str(W) == "tensor([[0.0350]], requires_grad=True)"
    loss = torch.tensor(21.6349, requires_grad=True) * 1
    assert f"{loss:.2f}" == "21.63"
    assert f"Epoch: {20:02} - MSE Loss: {loss:.2f}" == "Epoch: 20 - MSE Loss: 21.63"


def test_size_prints_under_pytorchs_name_and_behaves_as_a_tuple():
    s = engine.ones(4, 1).shape
    assert repr(s) == str(s) == "torch.Size([4, 1])"
    assert s == (4, 1) and s[0] == 4 and isinstance(s, tuple)
    assert repr(engine.tensor(5.0).shape) == "torch.Size([])"
    assert repr(s[1:]) == "torch.Size([1])"
    assert s.numel() == 4
    assert engine.ones(2, 3).size() == (2, 3) and engine.ones(2, 3).size(1) == 3


def test_dtypes_print_under_pytorchs_name():
    assert repr(engine.float32) == str(engine.float32) == "torch.float32"
    assert repr(engine.tensor([1.0], dtype=engine.float64).dtype) == "torch.float64"
    assert engine.float is engine.float32 and engine.double is engine.float64 and engine.long is engine.int64


# ----------------------------------------------------------------------------------------- factories


def test_constant_factories():
    assert engine.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert engine.zeros((2, 3)).shape == (2, 3)
    assert engine.ones(2).tolist() == [1.0, 1.0]
    assert engine.full((2,), 3).tolist() == [3, 3] and engine.full((2,), 3).dtype == engine.int64
    assert engine.full((2,), 3.0).dtype == engine.float32
    assert engine.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert engine.eye(2, 3).shape == (2, 3)
    like = engine.ones(2, dtype=engine.float64)
    assert engine.zeros_like(like).dtype == engine.float64 and engine.zeros_like(like).tolist() == [0.0, 0.0]
    assert engine.ones_like(like).tolist() == [1.0, 1.0]
    for factory in (engine.zeros, engine.ones, engine.eye):
        assert factory(2).dtype == engine.float32
    assert engine.ones(2, requires_grad=True).requires_grad


def test_arange_and_linspace():
    assert engine.arange(5).tolist() == [0, 1, 2, 3, 4] and engine.arange(5).dtype == engine.int64
    assert engine.arange(0.0, 5).dtype == engine.float32
    assert engine.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert engine.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert engine.arange(5, dtype=engine.float64).dtype == engine.float64
    assert engine.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert engine.linspace(0, 1, 3).dtype == engine.float32


def test_tensor_dtype_inference():
    assert engine.tensor(1.0).dtype == engine.float32
    assert engine.tensor(1).dtype == engine.int64
    assert engine.tensor(True).dtype == engine.bool
    assert engine.tensor([1, 2.5]).dtype == engine.float32
    assert engine.tensor([[1, 2], [3, 4]]).dtype == engine.int64
    assert engine.tensor(np.array([1.0, 2.0])).dtype == engine.float64
    assert engine.tensor([1, 2], dtype=engine.float64).dtype == engine.float64


def test_manual_seed_makes_random_factories_reproducible():
    engine.manual_seed(7)
    a, b = engine.rand(3, 2), engine.randn(4)
    engine.manual_seed(7)
    assert engine.rand(3, 2).tolist() == a.tolist()
    assert engine.randn(4).tolist() == b.tolist()
    engine.manual_seed(8)
    assert engine.rand(3, 2).tolist() != a.tolist()
    assert a.dtype == engine.float32 and a.shape == (3, 2)
    assert ((values(a) >= 0) & (values(a) < 1)).all()


def test_random_draws_have_plausible_distributions():
    engine.manual_seed(0)
    u, n = values(engine.rand(20000)), values(engine.randn(20000))
    assert abs(u.mean() - 0.5) < 0.01 and abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03


def test_generators_are_independent_of_the_default_one():
    g = engine.Generator().manual_seed(3)
    first = engine.rand(2, generator=g).tolist()
    engine.manual_seed(3)
    engine.rand(5)
    g.manual_seed(3)
    assert engine.rand(2, generator=g).tolist() == first


# ---------------------------------------------------------------------------------- dtype promotion


@pytest.mark.parametrize(
    "make, dtype",
    [
        (lambda: engine.tensor([1, 2]) + 1.5, engine.float32),
        (lambda: 1.5 * engine.tensor([1, 2]), engine.float32),
        (lambda: engine.tensor([1, 2]) * 2, engine.int64),
        (lambda: engine.tensor([1, 2]) / 2, engine.float32),
        (lambda: engine.tensor([1, 2]) - engine.tensor([0.5, 1.0]), engine.float32),
        (lambda: engine.ones(2) + engine.tensor(1.0, dtype=engine.float64), engine.float32),
        (lambda: engine.ones(2, dtype=engine.float64) + engine.ones(2), engine.float64),
        (lambda: engine.tensor([1, 2]) + engine.tensor(1.5, dtype=engine.float64), engine.float64),
        (lambda: engine.tensor(1.0, dtype=engine.float64) + engine.tensor(1.0), engine.float64),
        (lambda: engine.tensor(True) + engine.tensor([1, 2]), engine.int64),
        (lambda: engine.ones(2) > 0, engine.bool),
        (lambda: engine.ones(2, dtype=engine.float64) * 2.5, engine.float64),
        (lambda: engine.tensor([1, 2]).exp(), engine.float32),
        (lambda: engine.tensor([1, 2]).sum(), engine.int64),
        (lambda: engine.tensor([True, True]).sum(), engine.int64),
    ],
)
def test_dtype_promotion(make, dtype):
    assert make().dtype == dtype


def test_int_and_float_arithmetic_values():
    assert (engine.tensor([1, 2]) + 1.5).tolist() == [2.5, 3.5]
    assert (engine.tensor([1, 2]) / 2).tolist() == [0.5, 1.0]
    assert (2.0 - engine.tensor([1, 2])).tolist() == [1.0, 0.0]


# -------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make, error, text",
    [
        (
            lambda: engine.ones(2, 3) + engine.ones(4, 3),
            RuntimeError,
            "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
        ),
        (
            lambda: engine.ones(2, 3) * engine.ones(3, 2),
            RuntimeError,
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1",
        ),
        (
            lambda: engine.ones(2, 3) @ engine.ones(2, 3),
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
        ),
        (
            lambda: engine.ones(3) @ engine.ones(4, 2),
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)",
        ),
        (
            lambda: engine.ones(3) @ engine.ones(4),
            RuntimeError,
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and "
            "4 elements respectively",
        ),
        (lambda: engine.ones(2, 3) @ engine.ones(4), RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
        (lambda: engine.mm(engine.ones(3), engine.ones(3, 2)), RuntimeError, "self must be a matrix"),
        (lambda: engine.tensor([[1, 2], [3]]), ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        (lambda: engine.tensor([[1, 2], [3, 4, 5]]), ValueError, "expected sequence of length 2 at dim 1 (got 3)"),
        (lambda: engine.ones(3).item(), RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar"),
        (
            lambda: engine.ones(2, 3).t().view(6),
            RuntimeError,
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
            "contiguous subspaces). Use .reshape(...) instead.",
        ),
        (lambda: engine.ones(6).reshape(4, -1), RuntimeError, "shape '[4, -1]' is invalid for input of size 6"),
        (
            lambda: engine.ones(2, 3).mean(dim=2),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            lambda: engine.tensor([1, 2]).mean(),
            RuntimeError,
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
        ),
        (lambda: bool(engine.ones(2)), RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"),
        (
            lambda: engine.tensor([1.0], requires_grad=True).numpy(),
            RuntimeError,
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ),
    ],
    ids=[
        "broadcast dim 0",
        "broadcast dim 1",
        "mm",
        "vector@matrix",
        "dot",
        "mv",
        "mm of a vector",
        "ragged short",
        "ragged long",
        "item",
        "view non-contiguous",
        "reshape",
        "dim out of range",
        "mean of int",
        "bool",
        "numpy with grad",
    ],
)
def test_misuse_raises_pytorchs_error(make, error, text):
    with pytest.raises(error, match=exact(text)):
        make()


def test_view_on_a_contiguous_tensor_shares_memory():
    a = engine.zeros(2, 3)
    v = a.view(6)
    v[0] = 1.0
    assert a.tolist()[0][0] == 1.0
    assert engine.ones(2, 3).t().reshape(6).shape == (6,)
