"""User-defined differentiable operations: ``engine.autograd.Function``, as ``torch.autograd.Function``.

A subclass gives two static methods, and is used through ``apply``::

    class LegendrePolynomial3(engine.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    y = LegendrePolynomial3.apply(x)

``forward`` runs on Tensors with gradient recording off; the result's ``grad_fn`` is an instance of a
class made for each subclass and named as PyTorch names it (``LegendrePolynomial3Backward``), which is
also the ``ctx`` both methods receive. ``backward`` gets one gradient per output and returns one per
``forward`` argument (``None`` for arguments that are not tensors or need no gradient).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import function as core
from ..grad_mode import _state
from ..tensor import Tensor

__all__ = ["BackwardCFunction", "Function", "FunctionCtx"]


class FunctionCtx:
    """What ``forward`` and ``backward`` share: saved tensors and flags (``torch.autograd.function.FunctionCtx``)."""

    needs_input_grad: tuple = ()
    materialize_grads = True
    _saved: tuple | None = None
    _non_differentiable: tuple = ()
    _freed = False
    _versions: tuple | None = None

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for ``backward``; their versions are checked when they are unpacked."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument 0 is of type " + type(t).__name__
                )
        self._saved = tensors
        self._versions = tuple((t, t._version) for t in tensors if t is not None)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``."""
        if self._freed:
            raise RuntimeError(core.FREED_MESSAGE)
        return self._saved if self._saved is not None else ()

    @saved_tensors.setter
    def saved_tensors(self, value: tuple) -> None:
        # The backward pass frees saved values by assigning ().
        self._saved = value

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs that carry no gradient (they are returned with ``requires_grad=False``)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` receives zeros (True, the default) or None for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Accepted for compatibility: inputs modified in place by ``forward``."""


class BackwardCFunction(core.Node, FunctionCtx):
    """The graph node (and ``ctx``) of one call of a user-defined Function."""

    _forward_cls: Any = None
    symbol = "?"
    formula: tuple = ()
    inputs: tuple = ()
    output: Any = None
    grad: Any = None
    next_functions: tuple = ()
    _shapes: tuple = ()
    _seq = 0
    _retained: Any = None
    _hooks: dict | None = None
    _output_version = 0
    _args: tuple = ()
    _kwargs: dict = {}  # noqa: RUF012 - read-only default

    @property
    def label(self) -> str:
        return type(self)._forward_cls.__name__

    node_label = label

    def __call__(self, grad: Any) -> Any:
        return self.backward(grad)

    def _call_user_backward(self, grad: Tensor) -> tuple:
        cls = type(self)._forward_cls
        results = cls.backward(self, grad)
        if not isinstance(results, tuple):
            results = (results,)
        n_args = len(self.needs_input_grad)
        if len(results) < n_args:
            raise RuntimeError(
                f"function {type(self).__name__} returned an incorrect number of gradients (expected {n_args}, got "
                f"{len(results)})"
            )
        grads = []
        for arg, r in zip(self._args, results):
            if not isinstance(arg, Tensor):
                continue
            if r is not None and not isinstance(r, Tensor):
                raise TypeError(f"{type(self).__name__}.backward must return Tensors or None, not {type(r).__name__}")
            grads.append(r)
        return tuple(grads)

    def backward(self, grad: Any) -> Any:
        """Run the user's backward on Tensors and hand the engine arrays (one per tensor input)."""
        results = self._call_user_backward(core._wrap_like(self.inputs[0], np.asarray(grad)))
        return tuple(None if r is None else r._data for r in results)

    def _backward_on_tensors(self, grad: Any) -> Any:
        return self._call_user_backward(grad)

    # ------------------------------------------------------------------------ the Graph view
    def _scratch(self) -> BackwardCFunction:
        node = type(self)()
        node.needs_input_grad = tuple(isinstance(a, Tensor) for a in self._args)
        args = [Tensor._wrap(a._data) if isinstance(a, Tensor) else a for a in self._args]
        previous = _state.enabled
        _state.enabled = False
        try:
            out = type(self)._forward_cls.forward(node, *args, **self._kwargs)
        finally:
            _state.enabled = previous
        node._args = tuple(args)
        node.inputs = tuple(a for a in args if isinstance(a, Tensor))
        node._shapes = tuple(t._data.shape for t in node.inputs)
        node.output = (out[0] if isinstance(out, tuple) else out)._data
        return node

    def _run(self, node: BackwardCFunction, grad: np.ndarray) -> tuple:
        previous = _state.enabled
        _state.enabled = False
        try:
            with np.errstate(all="ignore"):
                return node.backward(grad)
        finally:
            _state.enabled = previous

    def local_grads(self, *arrays: Any) -> tuple:
        """The user's backward at a unit upstream gradient (re-running forward on the recorded inputs)."""
        node = self._scratch()
        grads = self._run(node, np.ones(node.output.shape, dtype=node.output.dtype))
        return tuple(None if g is None else np.array(g, copy=True) for g in grads)

    def contributions(self) -> tuple:
        """What the user's backward added to each tensor input's gradient, summed to the input's shape."""
        if self.grad is None:
            return (None,) * len(self.inputs)
        node = self._scratch()
        grads = self._run(node, np.asarray(self.grad))
        needs = [t._requires_grad for t in self.inputs]
        out: list[np.ndarray | None] = []
        for g, need, shape in zip(grads, needs, self._shapes):
            if g is None or not need:
                out.append(None)
            else:
                g = np.asarray(g)
                out.append(np.array(core.unbroadcast(g, shape) if g.shape != shape else g, copy=True))
        return tuple(out)


class FunctionMeta(type):
    """Makes, for each Function subclass, its node class ``<Name>Backward`` (as PyTorch does)."""

    def __init__(cls, name: str, bases: tuple, attrs: dict):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(
            name + "Backward", (BackwardCFunction,), {"_forward_cls": cls, "__module__": cls.__module__}
        )


class Function(metaclass=FunctionMeta):
    """Base class of user-defined differentiable operations (``torch.autograd.Function``).

    Subclasses define ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, *grad_outputs)`` as static
    methods and are called through :meth:`apply`. ``ctx.save_for_backward(*tensors)`` keeps tensors for
    ``backward`` (``ctx.saved_tensors``); ``ctx.needs_input_grad`` says which arguments need a
    gradient; ``ctx.mark_non_differentiable(*outputs)`` marks outputs without one. Other values can be
    stored as attributes of ``ctx``.
    """

    _backward_cls: type

    def __init__(self, *args: Any, **kwargs: Any):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
            "autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it with "
            "backward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then make the outputs' ``grad_fn`` this call's node."""
        node = cls._backward_cls()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        node.needs_input_grad = needs
        previous = _state.enabled
        _state.enabled = False
        try:
            outputs = cls.forward(node, *args, **kwargs)
        finally:
            _state.enabled = previous
        single = not isinstance(outputs, tuple)
        tensors_in = tuple(a for a in args if isinstance(a, Tensor))
        results = []
        for o in (outputs,) if single else outputs:
            if isinstance(o, Tensor) and any(o is t for t in tensors_in):
                o = Tensor._wrap(o._data)  # an input returned as it is: the output is a new tensor
            results.append(o)
        if previous and any(needs):
            differentiable = [
                o for o in results if isinstance(o, Tensor) and not any(o is n for n in node._non_differentiable)
            ]
            if len(differentiable) > 1:
                raise NotImplementedError("user-defined Functions with more than one differentiable output")
            if differentiable:
                (out,) = differentiable
                node.inputs = tensors_in
                node.output = out._data
                node._args = args
                node._kwargs = kwargs
                node.next_functions = tuple((t._grad_node(), 0) for t in tensors_in)
                node._shapes = tuple(t._data.shape for t in tensors_in)
                node._seq = next(core._sequence)
                node._output_ids = (id(out),)
                out.grad_fn = node
                out._requires_grad = True
        return results[0] if single else tuple(results)
