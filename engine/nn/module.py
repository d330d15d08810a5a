"""``Module`` and ``Parameter``: the building blocks of models, as in ``torch.nn``.

A :class:`Module` registers the :class:`Parameter` objects and sub-modules assigned to its
attributes, so ``parameters()``, ``named_parameters()``, ``state_dict()`` and ``zero_grad()`` find
them, and prints itself as PyTorch does. Registered parameters and sub-modules are also kept in the
instance ``__dict__``, so ``self.weight`` in ``forward`` is an ordinary attribute lookup.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["Module", "Parameter"]


def _typename(value):
    """PyTorch's ``torch.typename``: ``engine.FloatTensor`` for tensors, the class name otherwise."""
    if isinstance(value, Tensor):
        return value.type()
    module = type(value).__module__
    name = type(value).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


class Parameter(Tensor):
    """A tensor that is a model parameter: ``requires_grad=True`` by default (``torch.nn.Parameter``).

    Assigning a ``Parameter`` to a :class:`Module` attribute registers it, so it appears in
    ``parameters()`` and ``state_dict()``. The parameter shares memory with ``data``.

    Parameters
    ----------
    data : Tensor, optional
        The initial values (an empty float tensor if omitted).
    requires_grad : bool, default True
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.zeros((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data._data
        else:
            raise TypeError(f"Parameter(): argument 'data' (position 1) must be Tensor, not {type(data).__name__}")
        self._data = array
        if requires_grad:
            if array.dtype.kind not in "fc":
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            self._requires_grad = True

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__


class RemovableHandle:
    """What registering a hook returns; ``remove()`` unregisters it."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` could not match, as PyTorch returns it."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * spaces + line for line in lines)


class Module:
    """Base class of all models and layers (``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, assign parameters and sub-modules as attributes and
    define ``forward``; calling the module runs ``forward``::

        class Line(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(engine.zeros(1, 1))

            def forward(self, x):
                return x @ self.w

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after :meth:`eval`.
    """

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    _hooks: dict | None = None  # {"forward_pre": {id: fn}, "forward": {id: fn}} once a hook is registered

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hooks is None:
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        hooks: dict = self.__dict__["_hooks"]
        for hook in list(hooks["forward_pre"].values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(hooks["forward"].values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def _add_hook(self, kind, hook):
        hooks = self.__dict__.setdefault("_hooks", {"forward_pre": {}, "forward": {}})
        handle = RemovableHandle(hooks[kind])
        hooks[kind][handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each forward; a returned value replaces the arguments."""
        return self._add_hook("forward_pre", hook)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after each forward; a returned value replaces the output
        (``torch.nn.Module.register_forward_hook``)."""
        return self._add_hook("forward", hook)

    # ------------------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, None)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            self.add_module(name, value)
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module or None expected)"
                )
            modules[name] = None
            d[name] = None
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' (torch.Tensor or None expected)"
                )
            buffers[name] = value
        object.__setattr__(self, name, value)

    def _forget(self, name):
        """Remove ``name`` from every registry (before it is registered again as something else)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            d[registry].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name):
        # Only reached when normal lookup fails; registered members normally live in __dict__ too.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            members = d.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            members = d.get(registry)
            if members is not None and name in members:
                del members[name]
                d["_non_persistent_buffers"].discard(name)
                d.pop(name, None)
                return
        object.__delattr__(self, name)

    def _check_name(self, name, kind, registry):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(
                f'{kind} name can\'t contain "."'
                if kind != "module"
                else f'module name can\'t contain ".", got: {name}'
            )
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``) under ``name``."""
        self._check_name(name, "parameter", "_parameters")
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                    "(torch.nn.Parameter or None required)"
                )
            if param.grad_fn is not None:
                raise ValueError(
                    f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                    f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                    "the forward() method."
                )
        self.__dict__["_parameters"][name] = param
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is saved in the state dict (if ``persistent``) but is not a parameter."""
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None required)"
            )
        d = self.__dict__
        d["_buffers"][name] = tensor
        if persistent:
            d["_non_persistent_buffers"].discard(name)
        else:
            d["_non_persistent_buffers"].add(name)
        d[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module (or ``None``) under ``name``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_name(name, "module", "_modules")
        self.__dict__["_modules"][name] = module
        self.__dict__[name] = module

    register_module = add_module

    # ----------------------------------------------------------------------------------- walking
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module (name ``""``) and every module below it."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct sub-modules."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        if recurse:
            walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            walk = iter([(prefix, self)])
        for module_prefix, module in walk:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs with PyTorch's dotted names (``"weight"``, ``"0.bias"``)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters of this module and (with ``recurse``) of every module below it."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_parameter(self, target: str) -> Parameter:
        """The parameter named ``target`` (``"0.weight"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters or module._parameters[name] is None:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return module._parameters[name]

    def get_submodule(self, target: str) -> Module:
        """The sub-module named ``target`` (``"0"``, ``"encoder.0"``; ``""`` is this module)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = child
        return module

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on this module; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -------------------------------------------------------------------------------- state dict
    def _local_state(self):
        d = self.__dict__
        state = {name: p for name, p in d["_parameters"].items() if p is not None}
        for name, b in d["_buffers"].items():
            if b is not None and name not in d["_non_persistent_buffers"]:
                state[name] = b
        return state

    def state_dict(self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False) -> dict:
        """An ordered ``{name: tensor}`` of the parameters and persistent buffers.

        The tensors share memory with the module's (detached unless ``keep_vars``), as in PyTorch.
        """
        if destination is None:
            destination = OrderedDict()
        for name, value in self._local_state().items():
            destination[prefix + name] = value if keep_vars else value.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False) -> Any:
        """Copy parameters and buffers from ``state_dict`` (``torch.nn.Module.load_state_dict``).

        Parameters
        ----------
        state_dict : mapping
            ``{name: Tensor}`` as returned by :meth:`state_dict`; NumPy arrays are accepted too.
        strict : bool, default True
            Missing and unexpected keys are errors (PyTorch's ``RuntimeError`` text).

        Returns
        -------
        NamedTuple
            ``missing_keys`` and ``unexpected_keys``.

        Notes
        -----
        Unlike PyTorch, nothing is copied unless every entry is valid: a failed load leaves the
        module as it was.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors, copies = [], [], [], []
        for prefix, module in self.named_modules():
            prefix = prefix + "." if prefix else ""
            local = module._local_state()
            for name, target in local.items():
                key = prefix + name
                if key not in state_dict:
                    missing.append(key)
                    continue
                value = state_dict[key]
                if isinstance(value, Tensor):
                    array = value._data
                elif isinstance(value, np.ndarray):
                    array = value
                else:
                    errors.append(
                        f'While copying the parameter named "{key}", expected torch.Tensor or '
                        f"Tensor-like object from checkpoint but received {type(value)}"
                    )
                    continue
                if array.shape != target._data.shape:
                    errors.append(
                        f"size mismatch for {key}: copying a param with shape "
                        f"{type(target.shape)(array.shape)} from checkpoint, the shape in current "
                        f"model is {target.shape}."
                    )
                    continue
                copies.append((target, array))
            for key in state_dict:
                if not isinstance(key, str) or not key.startswith(prefix):
                    continue
                parts = key[len(prefix) :].split(".", 1)
                if (parts[0] not in module._modules) if len(parts) > 1 else (parts[0] not in local):
                    unexpected.append(key)
        if strict:
            if unexpected:
                errors.insert(
                    0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected))
                )
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(type(self).__name__, "\n\t".join(errors))
            )
        for target, array in copies:
            if assign:
                target._data = np.array(array, dtype=target._data.dtype, copy=True)
            else:
                np.copyto(target._data, array, casting="unsafe")
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every module below it; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = Tensor._wrap(np.zeros_like(p.grad._data))

    def to(
        self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False, **kwargs: Any
    ) -> Module:
        """Convert floating point parameters and buffers to ``dtype`` in place; returns self.

        Accepts ``to(device)``, ``to(dtype)``, ``to(device, dtype)`` and ``to(tensor)`` as PyTorch does. The
        only device that holds tensors is the CPU; others raise PyTorch's error for a build without them.
        """
        from .. import _device
        from .._dtype import dtype as _dtype_cls
        from .._dtype import to_numpy_dtype

        for a in args:
            if isinstance(a, _dtype_cls):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            else:
                device = a
        if device is not None:
            _device.check(device)
        if dtype is None:
            return self
        target = to_numpy_dtype(dtype)
        if target.kind != "f":
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}"
            )
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f" and t._data.dtype != target:
                t._data = t._data.astype(target)
                if t.grad is not None:
                    t.grad = Tensor._wrap(t.grad._data.astype(target))
        return self

    def float(self) -> Module:
        from .._dtype import float32

        return self.to(float32)

    def double(self) -> Module:
        from .._dtype import float64

        return self.to(float64)

    def cpu(self) -> Module:
        """This module (its tensors are on the CPU already)."""
        return self

    def half(self):
        from .._dtype import float16

        return self.to(float16)

    def type(self, dst_type):
        """Convert the parameters and buffers to ``dst_type``; returns self."""
        return self.to(dst_type)

    def share_memory(self):
        """Nothing to share across processes here; returns self."""
        return self

    def compile(self, *args, **kwargs):
        """Nothing to compile in this engine; the module runs as it is."""

    def get_buffer(self, target):
        """The buffer named ``target`` (``"0.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        return module._buffers[name]

    def set_submodule(self, target, module, strict=False):
        """Put ``module`` at the dotted path ``target``."""
        parent_path, _, name = target.rpartition(".")
        setattr(self.get_submodule(parent_path), name, module)

    def cuda(self, device=None):
        """PyTorch's error for a build without CUDA: the engine computes on the CPU."""
        from .. import _device

        _device.check("cuda")

    # ---------------------------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """Extra text inside the parentheses of this module's repr (override in subclasses)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def __dir__(self):
        return sorted(set(object.__dir__(self)))
