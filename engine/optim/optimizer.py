"""The ``Optimizer`` base class, as ``torch/optim/optimizer.py``: parameter groups, defaults, lazy
per-parameter state, ``zero_grad``, ``state_dict`` and ``load_state_dict``.

Updates are written into each parameter's array in place, so every reference to a parameter (the
model, the app, the user's variables) sees the new values. PyTorch's CPU kernels round each in-place
float32 operation once, and fuse ``add_(x, alpha=a)``, ``lerp_`` and ``addcmul_`` into one
multiply-add with a single rounding; the helpers here reproduce that by computing those steps in
float64 from float32 operands (the product is then exact) and rounding once.
"""

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from .._dtype import get_default_dtype
from ..grad_mode import enable_grad
from ..tensor import Tensor

__all__ = ["FlatStateOptimizer", "Optimizer", "required"]

_f32 = np.float32
_f64 = np.float64


class _RequiredParameter:
    """Marks a hyperparameter that every parameter group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


# ------------------------------------------------------------------ PyTorch's float32 arithmetic


def scalar(value: float, array: np.ndarray) -> float:
    """A Python number as PyTorch passes it to a kernel for ``array``: rounded to the array's dtype."""
    return float(array.dtype.type(value))


def fused_add(y: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    """``y + alpha·x`` rounded once to ``y``'s dtype: PyTorch's ``y.add(x, alpha=alpha)`` (a new array)."""
    if y.dtype == _f32:
        return (np.multiply(x, scalar(alpha, y), dtype=_f64) + y).astype(_f32)
    return y + alpha * x


def fused_add_(y: np.ndarray, x: np.ndarray, alpha: float) -> None:
    """``y.add_(x, alpha=alpha)`` in place, rounded once."""
    if y.dtype == _f32:
        y[...] = np.multiply(x, scalar(alpha, y), dtype=_f64) + y
    else:
        y += alpha * x


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start.lerp_(end, weight)`` in place: PyTorch's two-sided formula as one fused multiply-add."""
    w = scalar(weight, start)
    diff = end - start
    if start.dtype == _f32:
        if abs(w) < 0.5:
            start[...] = np.multiply(diff, w, dtype=_f64) + start
        else:
            start[...] = np.multiply(diff, w - 1.0, dtype=_f64) + end
    elif abs(w) < 0.5:
        start += w * diff
    else:
        start[...] = end - diff * (1.0 - w)


def addcmul_(y: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``y.addcmul_(a, b, value=value)`` in place: ``(value·a)`` rounded, then one fused multiply-add."""
    va = a * y.dtype.type(value)
    if y.dtype == _f32:
        y[...] = np.multiply(va, b, dtype=_f64) + y
    else:
        y += va * b


def addcdiv_(y: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``y.addcdiv_(a, b, value=value)`` in place: ``((value·a) / b)`` then added, each step rounded."""
    q = a * y.dtype.type(value)
    q /= b
    y += q


def to_scalar(value: Any) -> Any:
    """A hyperparameter as a Python number (one-element tensors are accepted, as in PyTorch)."""
    if isinstance(value, Tensor):
        return value.item()
    return value


# ---------------------------------------------------------------------------------- the base


def _typename(value):
    return value.type() if isinstance(value, Tensor) else type(value).__name__


def _plain(value):
    """A state value as plain JSON-able data: tensors and arrays become (nested) lists or numbers."""
    if isinstance(value, Tensor):
        return value._data.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


class Optimizer:
    """Base class of the optimizers (``torch.optim.Optimizer``).

    Parameters
    ----------
    params : iterable
        Tensors to optimize, ``(name, tensor)`` pairs, or dicts defining parameter groups (each with
        a ``"params"`` entry and optional per-group hyperparameters).
    defaults : dict
        Default hyperparameters for groups that do not set them.

    Attributes
    ----------
    param_groups : list of dict
        The groups: ``"params"`` plus every hyperparameter. Changing a value (``group["lr"] = 0.1``)
        takes effect at the next :meth:`step`.
    state : dict
        Per-parameter state (step counts, momentum buffers, moment estimates), created lazily at the
        first step that sees a gradient for the parameter.
    """

    def __init__(self, params: Any, defaults: dict) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                "but got " + _typename(params)
            )
        self.state: defaultdict[Any, dict] = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ------------------------------------------------------------------------------- groups
    def _check_group(self, group):
        """Validate a group's hyperparameters (PyTorch's ValueError texts); subclasses override."""

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering "
                "of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will "
                "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {current} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self._check_group(param_group)
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters: to ``None`` (default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        p.grad = Tensor._wrap(np.zeros_like(p._grad._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their gradients; ``closure`` re-evaluates and returns the loss."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    @staticmethod
    def _step_tensor():
        # PyTorch keeps the step count as a 0-d tensor of the default float dtype.
        return Tensor._wrap(np.zeros((), dtype=get_default_dtype().numpy))

    # ----------------------------------------------------------------------------- state dicts
    def _required_state(self, group):
        """The state keys every started parameter of ``group`` must have (subclasses override)."""
        return ()

    def state_dict(self) -> dict:
        """The optimizer's state as plain, JSON-able data (``torch.optim.Optimizer.state_dict``).

        Returns
        -------
        dict
            ``"state"``: ``{index: {name: value}}`` with tensors as nested lists (the step count as
            a number); ``"param_groups"``: the groups' hyperparameters with ``"params"`` as lists
            of indices. Parameters are numbered across groups in order, as PyTorch numbers them.
        """
        index_of: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: _plain(v) for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            if isinstance(p, Tensor) and id(p) in index_of:
                state[index_of[id(p)]] = {k: _plain(v) for k, v in values.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a :meth:`state_dict` (also one that went through JSON).

        Everything is checked before anything changes: the number and sizes of the groups, the
        parameter indices, and the shape of every saved array against its parameter's shape.

        Raises
        ------
        ValueError
            If ``state_dict`` does not fit this optimizer.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("an optimizer state dict must be a dict with 'state' and 'param_groups'")
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or not all(isinstance(g, dict) for g in saved_groups):
            raise ValueError("'param_groups' must be a list of dicts")
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups):
            if not isinstance(s.get("params"), (list, tuple)) or len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
                )
        id_map = {}
        for g, s in zip(groups, saved_groups):
            for index, p in zip(s["params"], g["params"]):
                id_map[_index(index)] = p
        new_groups = []
        for g, s in zip(groups, saved_groups):
            new = {}
            for key, value in s.items():
                if key == "params":
                    continue
                if isinstance(value, list) and isinstance(g.get(key, self.defaults.get(key)), tuple):
                    value = tuple(value)  # e.g. Adam's betas after a JSON round trip
                new[key] = value
            for key, default in self.defaults.items():
                new.setdefault(key, g.get(key, default))
            new["params"] = g["params"]
            if "param_names" in g and "param_names" not in new:
                new["param_names"] = g["param_names"]
            self._check_group(new)
            new_groups.append(new)
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError("'state' must be a dict of parameter index to state")
        group_of = {id(p): g for g in new_groups for p in g["params"]}
        state: defaultdict[Any, dict] = defaultdict(dict)
        for key, values in saved_state.items():
            index = _index(key)
            if index not in id_map:
                raise ValueError(f"loaded state refers to parameter {key!r}, which the optimizer does not have")
            if not isinstance(values, dict):
                raise ValueError(f"the state of parameter {key!r} must be a dict")
            p = id_map[index]
            entry = {k: self._cast_state(p, k, v, key) for k, v in values.items()}
            if entry:
                missing = [k for k in self._required_state(group_of[id(p)]) if k not in entry]
                if missing:
                    raise ValueError(f"the state of parameter {key!r} lacks {', '.join(map(repr, missing))}")
            state[p] = entry
        self.state = state
        self.param_groups[:] = new_groups

    @staticmethod
    def _cast_state(p, key, value, index):
        """A loaded state value as the optimizer keeps it: arrays as tensors shaped and typed like ``p``."""
        if key == "step":
            if isinstance(value, Tensor):
                value = value._data
            try:
                step = float(np.asarray(value, dtype=np.float64).reshape(()))
            except (TypeError, ValueError):
                raise ValueError(f"the step count of parameter {index!r} must be a number") from None
            if not math.isfinite(step) or step < 0:
                raise ValueError(f"the step count of parameter {index!r} must be a non-negative number")
            return Tensor._wrap(np.array(step, dtype=get_default_dtype().numpy))
        if isinstance(value, (Tensor, np.ndarray, list)):
            array = value._data if isinstance(value, Tensor) else value
            dtype = p._data.dtype if p._data.dtype.kind == "f" else None
            try:
                array = np.array(array, dtype=dtype, copy=True)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(
                    f"optimizer state {key!r} of parameter {index!r} holds values that are not numbers"
                ) from None
            if array.shape != p._data.shape:
                raise ValueError(
                    f"optimizer state {key!r} of parameter {index!r} has shape {tuple(array.shape)}, "
                    f"but the parameter has shape {tuple(p._data.shape)}"
                )
            return Tensor._wrap(array)
        return value


class _NotFlat:
    """Remembers that a group cannot be flattened (mixed dtypes or step counts), until it changes."""

    usable = False

    def __init__(self, params, keys):
        self.ids = tuple(id(p) for p in params)
        self.keys = keys

    def check(self, optimizer, params, keys):
        return self.keys == keys and self.ids == tuple(id(p) for p in params)


class _FlatGroup:
    """One contiguous copy of a group's parameters, gradients and state buffers.

    Elementwise updates give the same bits on a concatenation as parameter by parameter, so a group
    of several small parameters is updated with a dozen NumPy calls instead of a dozen per
    parameter. The per-parameter state tensors are views into the flat buffers, so ``optimizer.state``
    stays live; the parameters themselves are copied in and written back in place each step.
    """

    buffers: dict
    dtype: np.dtype
    entries: list
    grad_flat: np.ndarray
    ids: tuple
    keys: tuple
    param_flat: np.ndarray
    params: list
    size: int
    slices: list
    state_tensors: list
    steps: np.ndarray

    __slots__ = (
        "buffers",
        "dtype",
        "entries",
        "grad_flat",
        "ids",
        "keys",
        "param_flat",
        "params",
        "size",
        "slices",
        "state_tensors",
        "steps",
    )
    usable = True

    def check(self, optimizer, params, keys):
        """True if this copy still describes ``params`` and their state."""
        if self.keys != keys or len(params) != len(self.ids):
            return False
        state = optimizer.state
        for i, p in enumerate(params):
            if id(p) != self.ids[i]:
                return False
            entry = state[p]
            if entry is not self.entries[i]:
                return False
            for key, tensor in self.state_tensors[i].items():
                if entry.get(key) is not tensor:
                    return False
        return True

    @classmethod
    def build(cls, optimizer, group, params, keys):
        """Flat buffers for ``params`` (None if they differ in dtype or in step count)."""
        dtype = params[0]._data.dtype
        if dtype.kind != "f" or any(p._data.dtype != dtype for p in params):
            return None
        state = optimizer.state
        for p in params:
            optimizer._prepare(p, group)
        counts = [float(state[p]["step"]._data) for p in params]
        if any(c != counts[0] for c in counts):
            return None
        self = cls()
        sizes = [p._data.size for p in params]
        offsets = np.cumsum([0] + sizes)
        self.ids = tuple(id(p) for p in params)
        self.params = params
        self.slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(offsets)]
        self.keys = keys
        self.dtype = dtype
        self.size = int(offsets[-1])
        self.buffers = {k: np.empty(self.size, dtype=dtype) for k in keys}
        self.steps = np.empty(len(params), dtype=state[params[0]]["step"]._data.dtype)
        self.param_flat = np.empty(self.size, dtype=dtype)
        self.grad_flat = np.empty(self.size, dtype=dtype)
        self.entries, self.state_tensors = [], []
        for i, (p, sl) in enumerate(zip(params, self.slices)):
            entry = state[p]
            tensors = {}
            for k in keys:
                buf = self.buffers[k]
                buf[sl] = np.broadcast_to(entry[k]._data, p._data.shape).reshape(-1)
                tensors[k] = entry[k] = Tensor._wrap(buf[sl].reshape(p._data.shape))
            self.steps[i] = counts[0]
            tensors["step"] = entry["step"] = Tensor._wrap(self.steps[i : i + 1].reshape(()))
            self.entries.append(entry)
            self.state_tensors.append(tensors)
        return self

    def gather(self):
        """Copy the current parameters and gradients in; False if some gradient is missing or of another dtype."""
        params = self.params
        grads = []
        for p in params:
            g = p.grad
            if g is None or g._data.dtype != self.dtype:
                return False
            grads.append(g._data)
        try:
            np.concatenate(grads, axis=None, out=self.grad_flat)
            np.concatenate([p._data for p in params], axis=None, out=self.param_flat)
        except ValueError:  # a parameter changed size
            return False
        return True

    def scatter(self):
        """Write the updated parameters back into each parameter's own array."""
        flat = self.param_flat
        for p, sl in zip(self.params, self.slices):
            d = p._data
            d[...] = flat[sl].reshape(d.shape)
            p._version += 1  # an in-place update, as PyTorch counts it


class FlatStateOptimizer(Optimizer):
    """An optimizer whose update is elementwise and whose state is a step count plus arrays shaped like
    the parameter. Subclasses give ``_initial_state(p, group)``, ``_state_keys(group)``,
    ``_hyperparameters(group)`` and ``_update(d, g, buffers, step, hyper)``, which updates the
    parameter values ``d`` and the state arrays in place."""

    def _state_keys(self, group: dict) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _initial_state(self, p: Tensor, group: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _hyperparameters(self, group: dict) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(
        self, d: np.ndarray, g: np.ndarray, buffers: dict, step: float, hyper: tuple
    ) -> None:  # pragma: no cover
        raise NotImplementedError

    def _required_state(self, group):
        return ("step",) + self._state_keys(group)

    def _prepare(self, p, group):
        entry = self.state[p]
        if not entry:
            entry.update(self._initial_state(p, group))
        elif any(k not in entry for k in self._state_keys(group)):
            # A buffer switched on after the state was created (e.g. RMSprop's momentum).
            for k, v in self._initial_state(p, group).items():
                entry.setdefault(k, v)
        return entry

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update of every parameter that has a gradient; returns the closure's loss if given."""
        loss = self._closure_loss(closure) if closure is not None else None
        flats = self.__dict__.setdefault("_flat_groups", {})
        for group in self.param_groups:
            hyper = self._hyperparameters(group)
            keys = self._state_keys(group)
            params = group["params"]
            key = id(group)
            flat = flats.get(key)
            if len(params) > 1 and all(p.grad is not None for p in params):
                if flat is None or not flat.check(self, params, keys):
                    flat = flats[key] = _FlatGroup.build(self, group, params, keys) or _NotFlat(params, keys)
                if flat.usable and flat.gather():
                    flat.steps += 1
                    self._update(flat.param_flat, flat.grad_flat, flat.buffers, float(flat.steps[0]), hyper)
                    flat.scatter()
                    continue
            if flat is not None and flat.usable:
                del flats[key]  # the step counts of the parameters may now differ
            for p in params:
                if p.grad is None:
                    continue
                entry = self._prepare(p, group)
                count = entry["step"]._data
                count += 1
                buffers = {k: entry[k]._data for k in keys}
                self._update(p._data, p.grad._data, buffers, float(count), hyper)
                p._version += 1
        return loss

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self.__dict__.pop("_flat_groups", None)


def _index(key):
    """A parameter index from a state dict: an int, or its string form after a JSON round trip."""
    if isinstance(key, bool):
        raise ValueError(f"parameter index {key!r} is not an integer")
    if isinstance(key, (int, np.integer)):
        return int(key)
    if isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    raise ValueError(f"parameter index {key!r} is not an integer")
