"""``Tensor``: a NumPy array with PyTorch's autograd attributes, operators and printing."""

from __future__ import annotations

import builtins
import numbers
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _device, _dtype, ops, return_types
from ._dtype import bool_, float32, float64, from_numpy_dtype, get_default_dtype, int64, to_numpy_dtype
from .function import AccumulateGrad, RemovableHandle, register_tensor_hook
from .function import backward as _backward
from .function import run_backward as _run_backward
from .function import unit_gradient as _unit
from .grad_mode import _state

__all__ = ["Size", "Tensor", "as_tensor", "from_numpy", "tensor", "tensor_from_array"]

LEAF_INPLACE_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
# Ops whose result is a view of their input in PyTorch (an in-place change to it would write into the input).
_VIEW_OPS = (
    ops.ViewBackward0,
    ops.UnsqueezeBackward0,
    ops.SqueezeBackward0,
    ops.SqueezeBackward1,
    ops.SqueezeBackward4,
    ops.PermuteBackward0,
    ops.TBackward0,
    ops.TransposeBackward0,
    ops.ExpandBackward0,
    ops.SelectBackward0,
    ops.SliceBackward0,
    ops.UnsqueezeIndexBackward0,
)
_NUMBER = (builtins.bool, builtins.int, builtins.float, np.number, np.bool_)


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([4, 1])``, as ``torch.Size`` does."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out


class Tensor:
    """A multi-dimensional array that records the operations applied to it, as ``torch.Tensor``.

    Tensors are made with :func:`engine.tensor` and the other factory functions. A tensor with
    ``requires_grad=True`` that was not computed from others is a leaf; ``backward()`` on a result
    accumulates gradients into the leaves' ``.grad``.
    """

    # Class-level defaults keep tensor creation on the hot path to one attribute store.
    _grad = None
    grad_fn = None
    name = None
    _requires_grad = False
    _accumulate_ref = None
    _retains_grad = False
    _version = 0  # bumped by every in-place change, as PyTorch's version counter
    _hooks = None  # a leaf's gradient hooks (a non-leaf's live on its grad_fn)
    _plain_type: type[Tensor]  # the class op results are made of (set below: Tensor itself)
    __array_ufunc__ = None  # ndarray ⊕ Tensor defers to Tensor's reflected operators
    __array_priority__ = 1000
    device = _device.CPU
    is_cuda = False
    is_mps = False
    is_cpu = True

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> None:
        # torch.Tensor(data) or torch.Tensor(d0, d1, ...): float tensors of the default dtype.
        if len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)):
            data = _array_from(args[0], dtype or get_default_dtype())
        else:
            data = np.zeros(tuple(int(a) for a in args), dtype=to_numpy_dtype(dtype or get_default_dtype()))
        self._data = data
        if requires_grad:
            self._require_grad_at_creation()

    @classmethod
    def _wrap(cls, array):
        t = object.__new__(cls)
        t._data = array
        return t

    # ------------------------------------------------------------------------------- attributes
    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph (shares memory)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a Tensor of this tensor's shape and dtype), or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype_name(value._data.dtype)}' to a tensor "
                    f"with grad_dtype '{_SCALAR_NAMES.get(self._data.dtype, self._data.dtype.name)}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
                    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
                    "downstream systems that assume they match."
                )
        self._grad = value

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: Any = None) -> Size | builtins.int:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_normalize_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> builtins.int:
        return self._data.ndim

    def dim(self) -> builtins.int:
        return self._data.ndim

    def numel(self) -> builtins.int:
        return self._data.size

    nelement = numel

    def element_size(self) -> builtins.int:
        return self._data.itemsize

    @property
    def dtype(self) -> Any:
        return from_numpy_dtype(self._data.dtype)

    @property
    def is_floating_point_(self) -> builtins.bool:  # pragma: no cover - compatibility alias
        return self._data.dtype.kind == "f"

    def is_floating_point(self) -> builtins.bool:
        return self._data.dtype.kind == "f"

    @property
    def requires_grad(self) -> builtins.bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None:
        value = builtins.bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = value

    def _require_grad_at_creation(self):
        if self._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = True

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> builtins.bool:
        return self.grad_fn is None

    @property
    def retains_grad(self) -> builtins.bool:
        return self._retains_grad

    @property
    def T(self) -> Tensor:
        n = self._data.ndim
        return ops.PermuteBackward0.apply(self, axes=tuple(range(n - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def _grad_node(self):
        """The node gradients for this tensor flow into: its grad_fn, its AccumulateGrad, or None."""
        if self.grad_fn is not None:
            return self.grad_fn
        if not self._requires_grad:
            return None
        node = self._accumulate_ref() if self._accumulate_ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulate_ref = weakref.ref(node)
        return node

    def _accumulate_retained(self, grad):
        if isinstance(grad, Tensor):  # create_graph: keep the history
            grad = grad if grad._data.dtype == self._data.dtype else grad.to(self._data.dtype)
            self._grad = grad if self._grad is None else self._grad + grad
        elif self._grad is None:
            self._grad = Tensor._wrap(np.array(grad, dtype=self._data.dtype, copy=True))
        else:
            self._grad = Tensor._wrap(np.asarray(self._grad._data + grad))

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed (``torch.Tensor.register_hook``).

        A hook that returns a tensor replaces the gradient with it (for the rest of the backward pass and
        for ``.grad``). Works on leaves and non-leaves alike; returns a handle whose ``remove()``
        unregisters the hook.
        """
        return register_tensor_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after ``backward`` (a no-op on leaves)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True
        self.grad_fn._retained = weakref.ref(self)

    # ---------------------------------------------------------------------------------- autograd
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
        inputs: Any = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to graph leaves (``torch.Tensor.backward``).

        Parameters
        ----------
        gradient : Tensor, optional
            The vector in the vector-Jacobian product; required unless this tensor has one element.
        retain_graph : bool, optional
            Keep the graph's saved values for another backward; defaults to ``create_graph``.
        create_graph : bool, default False
            Record the backward pass, so that ``.grad`` can be differentiated again.
        inputs : sequence of Tensors, optional
            Accumulate only into these tensors.
        """
        if gradient is None and inputs is None and not create_graph and self._requires_grad and self._data.size == 1:
            # The everyday ``loss.backward()``: the root gradient is 1.
            _run_backward((self._grad_node(),), (_unit(self._data),), builtins.bool(retain_graph))
            return
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A new tensor sharing the values, with no history and ``requires_grad=False``."""
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------------------ conversions
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, force: builtins.bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory (an error if it requires grad, as in PyTorch)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype: Any = None, copy: builtins.bool | None = None) -> np.ndarray:
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype)

    def to(
        self,
        *args: Any,
        dtype: Any = None,
        device: Any = None,
        non_blocking: builtins.bool = False,
        copy: builtins.bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        """This tensor in another dtype (``torch.Tensor.to``); itself if nothing changes.

        Accepts PyTorch's forms: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` and the
        keywords. The only device that holds tensors is the CPU; others raise PyTorch's error for a build
        without them.
        """
        for a in args:
            if isinstance(a, (_dtype.dtype, np.dtype)) or a in (builtins.float, builtins.int, builtins.bool):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                device = a
        if device is not None:
            _device.check(device)
        if dtype is None:
            return self.clone() if copy else self
        target = to_numpy_dtype(dtype)
        if target == self._data.dtype:
            return self.clone() if copy else self
        if self._requires_grad and target.kind == "f":
            return ops.ToCopyBackward0.apply(self, dtype=target)
        return Tensor._wrap(self._data.astype(target))

    def type(self, dtype: Any = None, non_blocking: builtins.bool = False, **kwargs: Any) -> Any:
        """The type name (``"torch.FloatTensor"``) or, given a dtype or such a name, a converted tensor."""
        if dtype is None:
            return f"torch.{_TYPE_NAMES.get(self._data.dtype, 'Tensor')}"
        if isinstance(dtype, str):
            by_name = {f"torch.{name}": np_dtype for np_dtype, name in _TYPE_NAMES.items()}
            if dtype not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = by_name[dtype]
        return self.to(dtype)

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def long(self) -> Tensor:
        return self.to(int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def bool(self) -> Tensor:
        return self.to(bool_)

    def type_as(self, other: Any) -> Tensor:
        return self.to(other.dtype)

    def cpu(self, memory_format: Any = None) -> Tensor:
        """This tensor (it is on the CPU already)."""
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """PyTorch's error for a build without CUDA: the engine computes on the CPU."""
        _device.check("cuda")

    def get_device(self):
        """-1: the tensor is on the CPU (``torch.Tensor.get_device``)."""
        return -1

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """This tensor if its elements are laid out in row-major order, else a row-major copy (``CloneBackward0``)."""
        if self._data.flags.c_contiguous:
            return self
        return ops.CloneBackward0.apply(self)

    def is_contiguous(self) -> builtins.bool:
        return builtins.bool(self._data.flags.c_contiguous)

    def clone(self) -> Tensor:
        """A copy that stays in the graph (``CloneBackward0``)."""
        return ops.CloneBackward0.apply(self)

    # -------------------------------------------------------------------------------- in-place
    #
    # Every in-place change bumps ``_version``; a node that saved this tensor's values checks the
    # version in backward and raises PyTorch's error if it changed. An in-place op that records
    # history computes on a snapshot of the tensor (the value before, a separate graph input), then
    # makes the tensor hold the result; one that does not writes into the tensor's array.

    def _check_inplace(self):
        if _state.enabled and self._requires_grad:
            fn = self.grad_fn
            if fn is None:
                raise RuntimeError(LEAF_INPLACE_MESSAGE)
            if type(fn) in _VIEW_OPS and fn.inputs[0].grad_fn is None and fn.output is self._data:
                raise RuntimeError(VIEW_OF_LEAF_INPLACE_MESSAGE)

    def _bump_version(self):
        self._version += 1
        fn = self.grad_fn
        if fn is not None and fn.output is self._data:
            fn._output_version = self._version  # the node that made this tensor saw its output change

    def _snapshot(self):
        """A tensor object standing for this tensor's current value and history (for an in-place op's graph)."""
        t = Tensor._wrap(self._data)
        t.grad_fn = self.grad_fn
        t._requires_grad = self._requires_grad
        t._accumulate_ref = self._accumulate_ref
        t._version = self._version
        return t

    def _inplace(self, result):
        """Make ``self`` hold ``result`` (an op's output), as PyTorch's in-place ops do."""
        if result.grad_fn is not None:
            self._bump_version()
            self._data = result._data
            self.grad_fn = result.grad_fn
            self._requires_grad = True
            return self
        if self._data.shape != result._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(result._data.shape)}"
            )
        np.copyto(self._data, result._data, casting="unsafe")
        self._bump_version()
        return self

    def _records_with(self, other):
        return _state.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))

    def _inplace_binary(self, op, other):
        self._check_inplace()
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        if self._records_with(other):
            return self._inplace(op(self._snapshot(), other))
        return self._inplace(op(self, other))

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__add__, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__sub__, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__mul__, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__truediv__, other)

    def add_(self, other: Any, alpha: builtins.float = 1) -> Tensor:
        """``self += alpha * other`` in place; for float32 rounded once, as PyTorch's fused CPU kernel."""
        if alpha != 1 and self._data.dtype == np.float32 and not self._records_with(other):
            self._check_inplace()
            other_data = other._data if isinstance(other, Tensor) else np.asarray(other)
            update = np.multiply(other_data, np.float32(alpha), dtype=np.float64) + self._data
            np.copyto(self._data, np.broadcast_to(update, self._data.shape), casting="unsafe")
            self._bump_version()
            return self
        return self._inplace_binary(Tensor.__add__, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: builtins.float = 1) -> Tensor:
        return self.add_(other, alpha=-alpha) if alpha != 1 else self._inplace_binary(Tensor.__sub__, other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__mul__, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace_binary(Tensor.__truediv__, other)

    def _write(self, values):
        """Write ``values`` into this tensor's array in place (no history), bumping its version."""
        self._check_inplace()
        self._data[...] = values
        self._bump_version()
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self._write(0)

    def fill_(self, value: Any) -> Tensor:
        return self._write(value.item() if isinstance(value, Tensor) else value)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src``'s values into this tensor (broadcasting), in place."""
        self._check_inplace()
        src = src._data if isinstance(src, Tensor) else np.asarray(src)
        np.copyto(self._data, np.broadcast_to(src, self._data.shape), casting="unsafe")
        self._bump_version()
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        self._check_inplace()
        source = self._snapshot() if _state.enabled and self._requires_grad else self
        return self._inplace(source.clamp(min, max))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
        from .random import _generator

        self._check_inplace()
        return self._write(_generator(generator).normal(mean, std, self._data.shape))

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
        from .random import _generator

        self._check_inplace()
        return self._write(_generator(generator).uniform(a, b, self._data.shape))

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _index_arrays(index)
        if (isinstance(value, Tensor) and value._requires_grad and _state.enabled) or (
            self._requires_grad and _state.enabled
        ):
            if self._requires_grad and self.grad_fn is None:
                raise RuntimeError(VIEW_OF_LEAF_INPLACE_MESSAGE)
            value = _operand(value, self)
            self._inplace(ops.CopySlices.apply(self._snapshot(), value, index=index))
        else:
            self._data[index] = value._data if isinstance(value, Tensor) else value
            self._bump_version()

    # ----------------------------------------------------------------------------------- printing
    def __repr__(self) -> str:
        from ._formatting import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------------------------ python protocol
    def __len__(self) -> builtins.int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._data)

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __index__(self) -> builtins.int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    __hash__ = object.__hash__

    def __getattr__(self, name):
        # Reached only when an attribute is not found: PyTorch's names the engine lacks say so.
        from ._missing import tensor_attribute

        raise tensor_attribute(name)

    def __getitem__(self, index: Any) -> Tensor:
        index = _index_arrays(index)
        try:
            return _index_op(index).apply(self, index=index)
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None

    # ------------------------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        if type(other) is Tensor and self._data.dtype == other._data.dtype:
            return _binary(ops.AddBackward0, self, other)
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _binary(ops.AddBackward0, self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Tensor:
        if type(other) is Tensor and self._data.dtype == other._data.dtype and self._data.dtype != np.bool_:
            return _binary(ops.SubBackward0, self, other)
        if (
            self._data.dtype == np.bool_
            or isinstance(other, (builtins.bool, np.bool_))
            or (isinstance(other, Tensor) and other._data.dtype == np.bool_)
        ):
            _no_bool_subtraction(self, other if isinstance(other, Tensor) else Tensor._wrap(np.asarray(other)))
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _binary(ops.SubBackward0, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        if self._data.dtype == np.bool_ or isinstance(other, (builtins.bool, np.bool_)):
            _no_bool_subtraction(self, self)
        if isinstance(other, _NUMBER):
            if self._data.dtype.kind != "f" and isinstance(other, (builtins.float, np.floating)):
                return ops.RsubBackward1.apply(self.to(get_default_dtype()), other=other)
            return ops.RsubBackward1.apply(self, other=other)
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _binary(ops.SubBackward0, other, self)

    def __mul__(self, other: Any) -> Tensor:
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _binary(ops.MulBackward0, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        other = _operand(other, self, true_divide=True)
        if other is NotImplemented:
            return NotImplemented
        a = self
        if a._data.dtype.kind != "f" and other._data.dtype.kind != "f":
            a = self.to(get_default_dtype())
        return _binary(ops.DivBackward0, a, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, _NUMBER):
            a = self if self._data.dtype.kind == "f" else self.to(get_default_dtype())
            return ops.ReciprocalBackward0.apply(a) * other
        other = _operand(other, self, true_divide=True)
        if other is NotImplemented:
            return NotImplemented
        return other.__truediv__(self)

    def __floordiv__(self, other: Any) -> Tensor:
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _integer_division(np.floor_divide, "div_floor_cpu", self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        return _integer_division(np.floor_divide, "div_floor_cpu", other, self)

    def __mod__(self, other: Any) -> Tensor:
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        if self._data.dtype.kind == "f" or other._data.dtype.kind == "f":
            return _binary(ops.RemainderBackward0, self, other)
        return _integer_division(np.remainder, "remainder_cpu", self, other)

    def __rmod__(self, other: Any) -> Tensor:
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        if self._data.dtype.kind == "f" or other._data.dtype.kind == "f":
            return _binary(ops.RemainderBackward0, other, self)
        return _integer_division(np.remainder, "remainder_cpu", other, self)

    def __neg__(self) -> Tensor:
        return ops.NegBackward0.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return ops.AbsBackward0.apply(self)

    def __pow__(self, exponent: Any) -> Tensor:
        if type(exponent) is builtins.int and self._data.dtype.kind == "f":
            return ops.PowBackward0.apply(self, exponent=exponent)
        if isinstance(exponent, Tensor) and exponent._data.ndim == 0 and not exponent._requires_grad:
            exponent = exponent.item()
        if isinstance(exponent, _NUMBER):
            a = self
            if isinstance(exponent, (builtins.float, np.floating)) and self._data.dtype.kind != "f":
                a = self.to(get_default_dtype())
            elif a._data.dtype.kind in "iu" and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return ops.PowBackward0.apply(a, exponent=exponent)
        exponent = _operand(exponent, self)
        if exponent is NotImplemented:
            return NotImplemented
        return _binary(ops.PowBackward1, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, (builtins.int, np.integer)) and self._data.dtype.kind in "iu":
            return Tensor._wrap(np.power(np.asarray(base, dtype=self._data.dtype), self._data))
        if isinstance(base, _NUMBER):
            a = self if self._data.dtype.kind == "f" else self.to(get_default_dtype())
            return ops.PowBackward2.apply(a, base=base)
        base = _operand(base, self)
        if base is NotImplemented:
            return NotImplemented
        return base.__pow__(self)

    def __matmul__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            return NotImplemented
        a, b = self._data, other._data
        if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and a.dtype == b.dtype:
            return ops.MmBackward0.apply(self, other)  # what matmul does for two matrices, its checks passed
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            return NotImplemented
        return matmul(other, self)

    # comparisons: no grad, boolean results
    def _compare(self, other, fn):
        other = _operand(other, self)
        if other is NotImplemented:
            return NotImplemented
        try:
            return Tensor._wrap(np.asarray(fn(self._data, other._data)))
        except ValueError:
            _raise_broadcast_error(self, other)

    def __eq__(self, other: Any) -> Any:
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Any:
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_and if self._data.dtype == np.bool_ else np.bitwise_and)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_or if self._data.dtype == np.bool_ else np.bitwise_or)

    def __invert__(self) -> Tensor:
        return Tensor._wrap(~self._data)

    def equal(self, other: Any) -> builtins.bool:
        return self._data.shape == other._data.shape and builtins.bool(np.array_equal(self._data, other._data))

    def allclose(
        self, other: Any, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08, equal_nan: builtins.bool = False
    ) -> builtins.bool:
        return builtins.bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isfinite(self._data)))

    # named arithmetic
    def add(self, other: Any, alpha: builtins.float = 1) -> Tensor:
        if alpha == 1:
            return self + other
        other = _operand(other, self)
        return _binary(ops.AddBackward0, self, other, alpha=alpha)

    def sub(self, other: Any, alpha: builtins.float = 1) -> Tensor:
        if alpha == 1:
            return self - other
        other = _operand(other, self)
        _no_bool_subtraction(self, other)
        return _binary(ops.SubBackward0, self, other, alpha=alpha)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: Any = None) -> Tensor:
        """``self / other``; ``rounding_mode`` "trunc" or "floor" rounds the quotient (``torch.div``)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode == "trunc":
            quotient = self / other
            if self._data.dtype.kind != "f" and _operand(other, self)._data.dtype.kind != "f":
                return Tensor._wrap(
                    np.trunc(quotient._data).astype(np.result_type(self._data, _operand(other, self)._data))
                )
            return quotient.trunc()
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )

    divide = div

    def neg(self) -> Tensor:
        return -self

    negative = neg

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def square(self) -> Tensor:
        return ops.PowBackward0.apply(self, exponent=2)

    def reciprocal(self) -> Tensor:
        return ops.ReciprocalBackward0.apply(self)

    def matmul(self, other: Any) -> Tensor:
        return matmul(self, other)

    def mm(self, mat2: Any) -> Tensor:
        return mm(self, mat2)

    def mv(self, vec: Any) -> Tensor:
        return mv(self, vec)

    def dot(self, tensor: Any) -> Tensor:
        return dot(self, tensor)

    def maximum(self, other: Any) -> Tensor:
        return maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return minimum(self, other)

    # ------------------------------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        return ops.ExpBackward0.apply(_floating(self))

    def log(self) -> Tensor:
        return ops.LogBackward0.apply(_floating(self))

    def sqrt(self) -> Tensor:
        return ops.SqrtBackward0.apply(_floating(self))

    def tanh(self) -> Tensor:
        return ops.TanhBackward0.apply(_floating(self))

    def sigmoid(self) -> Tensor:
        return ops.SigmoidBackward0.apply(_floating(self))

    def relu(self) -> Tensor:
        return ops.ReluBackward0.apply(self)

    def abs(self) -> Tensor:
        return ops.AbsBackward0.apply(self)

    def sin(self) -> Tensor:
        return ops.SinBackward0.apply(_floating(self))

    def cos(self) -> Tensor:
        return ops.CosBackward0.apply(_floating(self))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]`` (``ClampBackward1`` for number bounds)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = maximum(out, _operand(min, self))
            if max is not None:
                out = minimum(out, _operand(max, self))
            return out
        return ops.ClampBackward1.apply(self, min=min, max=max)

    clip = clamp

    # -------------------------------------------------------------------------------- reductions
    def sum(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        dtype: Any = None,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        a = self.to(dtype) if dtype is not None else self
        if a._data.dtype.kind in "biu":
            a = a.to(int64)
        if dim is None or dim == () or dim == []:
            return ops.SumBackward0.apply(a)
        return ops.SumBackward1.apply(a, dim=_normalize_dims(dim, a._data.ndim), keepdim=keepdim)

    def mean(
        self,
        dim: Any = None,
        keepdim: builtins.bool = False,
        dtype: Any = None,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        """Mean of all elements, or over ``dim``; floating point tensors only, as in PyTorch."""
        if dim is None and dtype is None and axis is None and keepdims is None and self._data.dtype.kind == "f":
            return ops.MeanBackward0.apply(self)
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        a = self.to(dtype) if dtype is not None else self
        if a._data.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {_SCALAR_NAMES.get(a._data.dtype, a._data.dtype.name)}"
            )
        if dim is None or dim == () or dim == []:
            return ops.MeanBackward0.apply(a)
        return ops.MeanBackward1.apply(a, dim=_normalize_dims(dim, a._data.ndim), keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """The largest element; with ``dim``, ``torch.return_types.max(values, indices)`` along it."""
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        return self._extreme(dim, keepdim, ops.MaxBackward1, ops.MaxBackward0, np.argmax, return_types.max)

    def min(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """The smallest element; with ``dim``, ``torch.return_types.min(values, indices)`` along it."""
        if isinstance(dim, Tensor):
            return minimum(self, dim)
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        return self._extreme(dim, keepdim, ops.MinBackward1, ops.MinBackward0, np.argmin, return_types.min)

    def _extreme(self, dim, keepdim, whole_op, dim_op, arg, result_type):
        if dim is None:
            return whole_op.apply(self)
        d = _normalize_dim(dim, self._data.ndim)
        values = dim_op.apply(self, dim=d, keepdim=keepdim)
        indices = np.asarray(arg(self._data, axis=d))
        return result_type(values, Tensor._wrap(np.expand_dims(indices, d) if keepdim else indices))

    def argmax(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """The index of the largest element (of the flattened tensor, or along ``dim``)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        if dim is None:
            return Tensor._wrap(np.asarray(np.argmax(self._data)))
        return Tensor._wrap(np.asarray(np.argmax(self._data, axis=_normalize_dim(dim, self.ndim), keepdims=keepdim)))

    def argmin(
        self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Tensor:
        """The index of the smallest element (of the flattened tensor, or along ``dim``)."""
        if axis is not None or keepdims is not None:
            dim, keepdim = _numpy_aliases(dim, keepdim, axis, keepdims)
        if dim is None:
            return Tensor._wrap(np.asarray(np.argmin(self._data)))
        return Tensor._wrap(np.asarray(np.argmin(self._data, axis=_normalize_dim(dim, self.ndim), keepdims=keepdim)))

    # ------------------------------------------------------------------------------------ shapes
    def reshape(self, *shape: Any, **kwargs: Any) -> Tensor:
        shape = _shape_arg(shape) if shape or "shape" not in kwargs else tuple(kwargs["shape"])
        return ops.ViewBackward0.apply(self, shape=_resolve_shape(shape, self._data.size))

    def view(self, *shape: Any, **kwargs: Any) -> Tensor:
        if "dtype" in kwargs or (len(shape) == 1 and isinstance(shape[0], _dtype.dtype)):
            # Reinterpret the bits as another dtype of the same size (``Tensor.view(dtype)``).
            return Tensor._wrap(self._data.view(to_numpy_dtype(kwargs.get("dtype", shape[0] if shape else None))))
        shape = _shape_arg(shape) if shape or "size" not in kwargs else tuple(kwargs["size"])
        if self._data.ndim > 1 and not self._data.flags.c_contiguous and self._data.size > 1:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        return ops.ViewBackward0.apply(self, shape=_resolve_shape(shape, self._data.size))

    def view_as(self, other: Any) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Any) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        n = self._data.ndim
        if n == 0:
            return self.reshape(1)
        s, e = _normalize_dim(start_dim, n), _normalize_dim(end_dim, n)
        shape = self._data.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1 :])

    def t(self) -> Tensor:
        """Transpose of a matrix (``TBackward0``); vectors and scalars are returned as they are."""
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
        return ops.TBackward0.apply(self, axes=tuple(range(n - 1, -1, -1)))

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        n = self._data.ndim
        axes = list(range(n))
        d0, d1 = _normalize_dim(dim0, n), _normalize_dim(dim1, n)
        axes[d0], axes[d1] = axes[d1], axes[d0]
        return ops.TransposeBackward0.apply(self, axes=tuple(axes))

    def permute(self, *dims: Any, **kwargs: Any) -> Tensor:
        dims = _shape_arg(dims) if dims or "dims" not in kwargs else tuple(kwargs["dims"])
        n = self._data.ndim
        return ops.PermuteBackward0.apply(self, axes=tuple(_normalize_dim(d, n) for d in dims))

    def unsqueeze(self, dim: Any) -> Tensor:
        d = _normalize_dim(dim, self._data.ndim + 1)
        shape = self._data.shape
        return ops.UnsqueezeBackward0.apply(self, shape=shape[:d] + (1,) + shape[d:])

    def squeeze(self, dim: Any = None) -> Tensor:
        shape = self._data.shape
        if dim is None:
            return ops.SqueezeBackward0.apply(self, shape=tuple(s for s in shape if s != 1))
        dims = _normalize_dims(dim if isinstance(dim, (tuple, list)) else (dim,), self._data.ndim)
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
        return ops.SqueezeBackward1.apply(self, shape=new)

    def expand(self, *sizes: Any, **kwargs: Any) -> Tensor:
        sizes = _shape_arg(sizes) if sizes or "size" not in kwargs else tuple(kwargs["size"])
        lead = len(sizes) - self._data.ndim
        shape = tuple(self._data.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return ops.ExpandBackward0.apply(self, shape=shape)

    def expand_as(self, other: Any) -> Tensor:
        return self.expand(other.shape)


# ---------------------------------------------------------------------------------------- helpers

_TYPE_NAMES = {
    np.dtype(np.float16): "HalfTensor",
    np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.int8): "CharTensor",
    np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int32): "IntTensor",
    np.dtype(np.int64): "LongTensor",
    np.dtype(np.bool_): "BoolTensor",
}
_SCALAR_NAMES = {
    np.dtype(np.int64): "Long",
    np.dtype(np.int32): "Int",
    np.dtype(np.int16): "Short",
    np.dtype(np.int8): "Char",
    np.dtype(np.bool_): "Bool",
    np.dtype(np.uint8): "Byte",
    np.dtype(np.float16): "Half",
    np.dtype(np.float32): "Float",
    np.dtype(np.float64): "Double",
}


Tensor._plain_type = Tensor  # the class op results are made of (never a subclass such as Parameter)


def _category(dt):
    k = dt.kind
    return 2 if k in "fc" else (0 if k == "b" else 1)


def _operand(other, like, true_divide=False):
    """``other`` as a Tensor whose dtype follows PyTorch's promotion against ``like``."""
    if isinstance(other, Tensor):
        a, b = like._data, other._data
        if a.dtype == b.dtype:
            return other
        ca, cb = _category(a.dtype), _category(b.dtype)
        if ca == cb:
            # Same category: dimensioned tensors win over 0-d ones.
            if (b.ndim == 0 and a.ndim > 0) or (a.ndim == 0 and b.ndim > 0):
                return other if b.ndim > 0 else other.to(a.dtype)
            return other
        if cb < ca:
            return other.to(a.dtype)
        return other
    if isinstance(other, (builtins.float, np.floating)):
        dt = like._data.dtype if like._data.dtype.kind == "f" else get_default_dtype().numpy
        return Tensor._wrap(np.asarray(other, dtype=dt))
    if isinstance(other, (builtins.bool, np.bool_)):
        return Tensor._wrap(np.asarray(other, dtype=like._data.dtype))
    if isinstance(other, (builtins.int, np.integer)):
        dt = like._data.dtype if like._data.dtype.kind != "b" else np.dtype(np.int64)
        if true_divide and dt.kind != "f":
            dt = get_default_dtype().numpy
        return Tensor._wrap(np.asarray(other, dtype=dt))
    if isinstance(other, np.ndarray):
        return Tensor._wrap(other)
    return NotImplemented


def _integer_division(ufunc, kernel, a, b):
    """``a // b`` or ``a % b`` without history: integers by zero raise PyTorch's ZeroDivisionError,
    floats give inf and nan quietly."""
    x, y = a._data, b._data
    if x.dtype == np.bool_ and y.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if x.dtype.kind in "biu" and y.dtype.kind in "biu" and not np.all(y):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(all="ignore"):
        return Tensor._wrap(np.asarray(ufunc(x, y)))


def _floating(t):
    return t if t._data.dtype.kind == "f" else t.to(get_default_dtype())


def _raise_broadcast_error(a, b):
    sa, sb = a._data.shape, b._data.shape
    for i in range(1, builtins.max(len(sa), len(sb)) + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            dim = builtins.max(len(sa), len(sb)) - i
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {dim}"
            )
    raise RuntimeError(f"operands of shapes {list(sa)} and {list(sb)} could not be broadcast together")


def _no_bool_subtraction(a, b):
    if a._data.dtype == np.bool_ and b._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if a._data.dtype == np.bool_ or b._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _binary(op, a, b, **attrs):
    if a._data.dtype != b._data.dtype:
        da, db = a._data.dtype, b._data.dtype
        ka, kb = _category(da), _category(db)
        if ka == kb:
            # Same category: a dimensioned tensor's dtype wins over a 0-d one's (PyTorch's promotion).
            if a._data.ndim == 0 and b._data.ndim > 0:
                a = a.to(db)
            elif b._data.ndim == 0 and a._data.ndim > 0:
                b = b.to(da)
        elif ka == 2 and kb != 2:  # int ⊕ float: the integer side takes the float type first
            b = b.to(da)
        elif kb == 2 and ka != 2:
            a = a.to(db)
    try:
        return op.apply(a, b, **attrs)
    except ValueError:
        if a._data.ndim and b._data.ndim:
            try:
                np.broadcast_shapes(a._data.shape, b._data.shape)
            except ValueError:
                _raise_broadcast_error(a, b)
        raise


def _numpy_aliases(dim, keepdim, axis, keepdims):
    """PyTorch's NumPy-style keyword aliases: ``axis`` for ``dim``, ``keepdims`` for ``keepdim``."""
    return (axis if dim is None else dim), (builtins.bool(keepdims) if keepdims is not None else keepdim)


def _normalize_dim(dim, ndim):
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not (lo <= dim <= hi):
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % builtins.max(ndim, 1) if ndim else 0


def _normalize_dims(dim, ndim):
    if isinstance(dim, (tuple, list)):
        return tuple(_normalize_dim(d, ndim) for d in dim) if ndim else ()
    return _normalize_dim(dim, ndim) if ndim else ()


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        return tuple(shape[0])
    return tuple(shape)


def _resolve_shape(shape, size):
    shape = tuple(builtins.int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _index_arrays(index):
    """Tensors inside an index become arrays; lists stay advanced indices."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    return index


def _index_op(index):
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if isinstance(p, (list, np.ndarray)):
            return ops.IndexBackward0
    for p in reversed(parts):
        if isinstance(p, (builtins.int, np.integer)):
            return ops.SelectBackward0
        if isinstance(p, slice) and p != slice(None):
            return ops.SliceBackward0
        if p is None:
            return ops.UnsqueezeIndexBackward0
    return ops.SliceBackward0


# ------------------------------------------------------------------------------- linear algebra


def _dtype_name(dt):
    return {np.float32: "float", np.float64: "double"}.get(dt.type, dt.name)


def mm(a: Any, b: Any) -> Tensor:
    """Matrix product of two 2-D tensors (``MmBackward0``)."""
    if a._data.ndim != 2 or b._data.ndim != 2:
        raise RuntimeError("self must be a matrix" if a._data.ndim != 2 else "mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        (n, k), (k2, m) = a._data.shape, b._data.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: "
            f"{_dtype_name(a._data.dtype)} != {_dtype_name(b._data.dtype)}"
        )
    return ops.MmBackward0.apply(a, b)


def mv(a: Any, v: Any) -> Tensor:
    """Matrix–vector product (``MvBackward0``)."""
    if a._data.ndim != 2 or v._data.ndim != 1 or a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._data.shape[0]}), mat "
            f"({'x'.join(map(str, a._data.shape))}), vec ({v._data.shape[0]})"
        )
    return ops.MvBackward0.apply(a, v)


def dot(a: Any, b: Any) -> Tensor:
    """Dot product of two 1-D tensors (``DotBackward0``)."""
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    if a._data.shape != b._data.shape:
        n, m = a._data.shape[0], b._data.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    return ops.DotBackward0.apply(a, b)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with PyTorch's rules for 1-D, 2-D and batched operands (``torch.matmul``)."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 2 and nb == 2:
        return mm(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 1 and nb == 2:
        out = mm(a.unsqueeze(0), b)
        return ops.SqueezeBackward4.apply(out, shape=out._data.shape[1:])
    sa, sb = a._data.shape, b._data.shape
    inner_b = sb[-2] if nb > 1 else sb[-1]
    if sa[-1] != inner_b:
        if nb <= 2 and na > 2:  # PyTorch folds the batch into one matrix product
            rows = a._data.size // sa[-1]
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                f"{'x'.join(map(str, sb if nb == 2 else (sb[0], 1)))})"
            )
        expected = list(sb[:-2]) + [sa[-1]]
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {expected} but got: {list(sb[:-1])}."
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: "
            f"{_dtype_name(a._data.dtype)} != {_dtype_name(b._data.dtype)}"
        )
    try:
        return (ops.MatrixTimesBatchBackward if na == 2 else ops.BatchedMatmulBackward).apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({sa[-3] if na > 2 else 1}) must match the size of tensor b "
            f"({sb[-3] if nb > 2 else 1}) at non-singleton dimension 0"
        ) from None


def maximum(a: Any, b: Any) -> Tensor:
    return _binary(ops.MaximumBackward0, a, _operand(b, a))


def minimum(a: Any, b: Any) -> Tensor:
    return _binary(ops.MinimumBackward0, a, _operand(b, a))


# ----------------------------------------------------------------------------------- construction


def _infer_list_dtype(data):
    """PyTorch's inference for nested Python sequences: float if any float, else int, else bool."""
    kinds = set()
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            kinds.add(x._data.dtype.kind)
        elif isinstance(x, (builtins.bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (builtins.int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (builtins.float, np.floating)):
            kinds.add("f")
        elif isinstance(x, numbers.Number):
            raise TypeError(f"can't convert {type(x).__name__} to a tensor")
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if "f" in kinds:
        return get_default_dtype().numpy
    if "i" in kinds or "u" in kinds:
        return np.dtype(np.int64)
    if "b" in kinds:
        return np.dtype(np.bool_)
    return get_default_dtype().numpy


def _check_ragged(data, dim=0):
    """Raise PyTorch's ValueError for ragged nested lists; return the nested shape."""
    if not isinstance(data, (list, tuple)):
        return ()
    if not data:
        return (0,)
    shapes = [_check_ragged(x, dim + 1) for x in data]
    first = shapes[0]
    for s in shapes[1:]:
        if s != first:
            got = s[0] if s else 0
            raise ValueError(f"expected sequence of length {first[0] if first else 0} at dim {dim + 1} (got {got})")
    return (len(data),) + first


def _array_from(data, dtype=None):
    np_dtype = to_numpy_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        if np_dtype is None:
            from_numpy_dtype(data.dtype)  # unsupported dtypes raise PyTorch's TypeError
        arr = np.array(data, copy=True)
    elif isinstance(data, (list, tuple)):
        _check_ragged(data)
        inferred = _infer_list_dtype(data)
        arr = np.array(
            [x.item() if isinstance(x, Tensor) else x for x in data]
            if data and any(isinstance(x, Tensor) for x in data)
            else data,
            dtype=np.float64 if inferred.kind == "f" else inferred,
        )
        if np_dtype is None:
            np_dtype = inferred
    elif isinstance(data, np.generic):
        from_numpy_dtype(data.dtype)
        arr = np.array(data)
    elif isinstance(data, builtins.bool):
        arr = np.array(data, dtype=np.bool_)
    elif isinstance(data, (builtins.int, np.integer)):
        arr = np.array(data, dtype=np.int64)
    elif isinstance(data, (builtins.float, np.floating)):
        arr = np.array(data, dtype=np.float64)
        if np_dtype is None:
            np_dtype = get_default_dtype().numpy
    else:
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if np_dtype is not None and arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: builtins.bool = False,
    pin_memory: builtins.bool = False,
) -> Tensor:
    """Make a tensor from a number, a nested sequence, an ndarray or a tensor (``torch.tensor``).

    Python floats give float32 (the default dtype), ints int64 and bools bool; arrays keep their dtype.
    """
    if device is not None or not _device.default_is_cpu():
        _device.check(device)
    t = Tensor._wrap(_array_from(data, dtype))
    if requires_grad:
        t._require_grad_at_creation()
    return t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with an ndarray of a matching dtype."""
    if device is not None:
        _device.check(device)
    if isinstance(data, Tensor) and (dtype is None or to_numpy_dtype(dtype) == data._data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or to_numpy_dtype(dtype) == data.dtype):
        from_numpy_dtype(data.dtype)
        return Tensor._wrap(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (``torch.from_numpy``)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def tensor_from_array(array: np.ndarray, requires_grad: builtins.bool = False) -> Tensor:
    """Wrap an ndarray without copying (for engine internals and the playground's trainer)."""
    t = Tensor._wrap(np.asarray(array))
    if requires_grad:
        t._require_grad_at_creation()
    return t
