"""Calling a module on parameters it does not own, as ``torch.func`` does.

:func:`functional_call` is PyTorch's ``torch.func.functional_call``: the module runs with the given
tensors in place of its parameters and buffers, and is left as it was.

:func:`stacked_call` evaluates a module for a whole stack of parameter sets in one forward pass:
what ``torch.func.vmap`` over ``functional_call`` computes in PyTorch (the ensembling idiom of
``torch.func.stack_module_state``). Rather than batching every operation, it relies on the forward
pass broadcasting over a leading stack dimension, which elementwise operations and ``@`` do as they
are; ``nn.Linear`` layers with stacked weights run through a batched matrix product (PyTorch's
``F.linear`` only takes a matrix). A loss landscape uses it to evaluate thousands of parameter
values at the cost of a few large array operations.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .nn.layers import Linear
from .nn.module import Module
from .tensor import Tensor

__all__ = ["functional_call", "stacked_call"]


def _dicts(parameter_and_buffer_dicts):
    if isinstance(parameter_and_buffer_dicts, dict):
        return dict(parameter_and_buffer_dicts)
    if isinstance(parameter_and_buffer_dicts, (list, tuple)):
        merged = {}
        for d in parameter_and_buffer_dicts:
            if not isinstance(d, dict):
                raise ValueError(
                    f"Expected all elements of parameter_and_buffer_dicts to be dictionaries but got {type(d)}"
                )
            repeated = [key for key in d if key in merged]
            if repeated:
                raise ValueError(
                    f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous"
                )
            merged.update(d)
        return merged
    raise ValueError(
        f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, "
        f"but got {type(parameter_and_buffer_dicts)}"
    )


def _owner(module, name):
    """The sub-module holding the dotted ``name``, and the attribute's own name there."""
    *path, leaf = name.split(".")
    owner = module
    for part in path:
        children = owner.__dict__.get("_modules", {})
        if part not in children or children[part] is None:
            return None, leaf
        owner = children[part]
    return owner, leaf


def _tied_names(module):
    """Every name of a parameter or buffer shared under several names: name -> all its names."""
    names_of: dict[int, list[str]] = {}
    for members in (module.named_parameters, module.named_buffers):
        for name, value in members(remove_duplicate=False):
            names_of.setdefault(id(value), []).append(name)
    return {name: names for names in names_of.values() if len(names) > 1 for name in names}


@contextlib.contextmanager
def _reparametrized(module, tensors, strict, tie_weights):
    expected = {name for name, _ in module.named_parameters(remove_duplicate=False)}
    expected |= {name for name, _ in module.named_buffers(remove_duplicate=False)}
    for value in tensors.values():
        if not isinstance(value, Tensor):
            raise TypeError(f"{value!r} is not an instance of torch.Tensor")
    if tie_weights:
        tied = _tied_names(module)
        extra: dict[str, Any] = {}
        for name, value in tensors.items():
            for other in tied.get(name, ()):
                if other in tensors and tensors[other] is not value:
                    raise ValueError(
                        f"functional_call got multiple values for keys {sorted(tied[name])}, which are tied. "
                        "Consider using tie_weights=False"
                    )
                extra.setdefault(other, value)
        tensors = {**extra, **tensors}
    if strict:
        missing = sorted(expected - set(tensors))
        unexpected = sorted(set(tensors) - expected)
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(lines))
    saved = []
    try:
        for name, value in tensors.items():
            owner, leaf = _owner(module, name)
            if owner is None:
                continue
            d = owner.__dict__
            registry = next((r for r in ("_parameters", "_buffers") if leaf in d[r]), None)
            saved.append((d, registry, leaf, d[registry][leaf] if registry else None, leaf in d, d.get(leaf)))
            if registry is not None:
                d[registry][leaf] = value
            d[leaf] = value  # forward reads registered members as plain attributes
        yield
    finally:
        for d, registry, leaf, registered, had_attribute, attribute in reversed(saved):
            if registry is not None:
                d[registry][leaf] = registered
            if had_attribute:
                d[leaf] = attribute
            else:
                d.pop(leaf, None)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call ``module`` with the given tensors in place of its parameters and buffers.

    Mirrors ``torch.func.functional_call``: for the duration of the call, each name in the dicts
    (``"weight"``, ``"0.bias"``, ``"hidden1.weight"`` …) refers to the given tensor instead of the
    module's own; afterwards the module is exactly as before. Gradients flow to the given tensors,
    not to the module's parameters.

    Parameters
    ----------
    module : nn.Module
    parameter_and_buffer_dicts : dict or sequence of dicts
        Name -> tensor. Several dicts must not share a name (ValueError, as in PyTorch).
    args : Tensor or tuple, optional
        Positional arguments of ``forward``; a single value is passed as the only one.
    kwargs : dict, optional
        Keyword arguments of ``forward``.
    tie_weights : bool, default True
        A tensor given for one name of a parameter registered under several names replaces it
        under all of them.
    strict : bool, default False
        Require the dicts to name every parameter and buffer and nothing else (RuntimeError with
        PyTorch's message otherwise). Without it, names the module lacks are ignored and the
        module's own tensors stand in for the names not given.

    Returns
    -------
    Whatever ``module(*args, **kwargs)`` returns.
    """
    tensors = _dicts(parameter_and_buffer_dicts)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, tensors, strict, tie_weights):
        return module(*args, **(kwargs or {}))


# ---------------------------------------------------------------------------------- stacks


class _StackedLinear(Module):
    """An ``nn.Linear`` whose weight or bias carries a leading stack dimension of ``size``.

    For each member b of the stack it computes ``input @ weight[b].T + bias[b]``, the outputs
    stacked first. The input is either shared by the whole stack (``(…, in)``) or already one per
    member (``(size, …, in)``, the output of an earlier stacked layer).
    """

    def __init__(self, weight, bias, size):
        super().__init__()
        self.__dict__.update(weight=weight, bias=bias, size=size)

    def forward(self, input):
        weight, bias, size = self.weight, self.bias, self.size
        stacked = input.dim() >= 3 and input.shape[0] == size
        if weight.dim() == 3 and input.dim() == 2 and not stacked:
            # A shared batch of rows meets every weight of the stack: one matrix product for all.
            rows, out_features = input.shape[0], weight.shape[1]
            out = input @ weight.reshape(size * out_features, weight.shape[2]).transpose(0, 1)
            out = out.reshape(rows, size, out_features).transpose(0, 1)
            weight, stacked = None, True
        elif weight.dim() == 3:
            # The stack lines up with the leading dimension; the input's other batch dimensions broadcast.
            batch = input.dim() - (3 if stacked else 2)
            weight = weight.reshape(size, *([1] * max(batch, 0)), *weight.shape[1:])
            stacked = True
        if weight is not None:
            out = input @ weight.transpose(-1, -2)
        if bias is not None:
            if bias.dim() == 2:
                singletons = out.dim() - (2 if stacked else 1)
                bias = bias.reshape(size, *([1] * singletons), bias.shape[-1])
            out = out + bias
        return out


def stacked_call(module, stacked, args=None, kwargs=None):
    """Evaluate ``module`` once for each of B parameter sets, in one forward pass.

    ``stacked`` maps parameter names to tensors of shape ``(B, *parameter.shape)``; the
    parameters not named keep the module's own values for every member of the stack. The result
    is what PyTorch computes with ``torch.func.vmap(lambda p: functional_call(module, p, args))``
    over the stacked tensors: the outputs of the B calls, stacked along a new first dimension.

    This is the engine's own extension (PyTorch has no single call for it). It runs the module's
    ``forward`` once with the stacked tensors in place, so that forward must broadcast over a
    leading stack dimension, as elementwise operations and matrix products with ``@`` do;
    ``nn.Linear`` sub-modules with stacked parameters are handled here. The inputs themselves are
    shared by every member of the stack.

    Parameters
    ----------
    module : nn.Module
    stacked : dict
        Name -> tensor of shape ``(B, *shape)``, the same B for all.
    args : Tensor or tuple, optional
    kwargs : dict, optional

    Returns
    -------
    Tensor
        Shape ``(B, *output_shape)``.

    Raises
    ------
    ValueError
        If the stacked tensors disagree on B or do not fit their parameters' shapes, or if the
        forward pass does not produce one output per member of the stack.
    """
    own = dict(module.named_parameters())
    own.update(dict(module.named_buffers()))
    sizes = set()
    for name, value in stacked.items():
        if name not in own:
            raise ValueError(f"stacked_call: the module has no parameter or buffer {name!r}")
        if not isinstance(value, Tensor):
            raise TypeError(f"{value!r} is not an instance of torch.Tensor")
        shape = tuple(own[name].shape)
        if value.dim() != len(shape) + 1 or tuple(value.shape[1:]) != shape:
            raise ValueError(
                f"stacked_call: {name!r} has shape {tuple(own[name].shape)}, so its stack must have shape "
                f"(B, {', '.join(str(s) for s in shape)}), not {tuple(value.shape)}"
            )
        sizes.add(value.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"stacked_call: the stacks have different sizes {sorted(sizes)}")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    if not sizes:
        out = module(*args, **(kwargs or {}))
        raise ValueError(f"stacked_call: nothing is stacked (the output has shape {tuple(out.shape)})")
    size = sizes.pop()

    # nn.Linear layers with a stacked weight or bias are swapped for a batched equivalent; every
    # other stacked tensor stands in for its parameter, as in functional_call.
    linears = {name: m for name, m in module.named_modules() if isinstance(m, Linear)}
    layers: dict[str, dict[str, Any]] = {}
    plain: dict[str, Any] = {}
    for name, value in stacked.items():
        owner, _, leaf = name.rpartition(".")
        if owner in linears and leaf in ("weight", "bias"):
            layers.setdefault(owner, {})[leaf] = value
        else:
            plain[name] = value
    batched = {
        owner: _StackedLinear(given.get("weight", linears[owner].weight), given.get("bias", linears[owner].bias), size)
        for owner, given in layers.items()
    }
    if "" in batched:  # the module is itself an nn.Linear
        out = batched[""](*args, **(kwargs or {}))
    else:
        swaps = []
        try:
            for owner, layer in batched.items():
                parent, leaf = _owner(module, owner)
                d = parent.__dict__
                swaps.append((d, leaf, d["_modules"][leaf], d.get(leaf)))
                d["_modules"][leaf] = layer
                d[leaf] = layer
            with _reparametrized(module, plain, strict=False, tie_weights=False):
                out = module(*args, **(kwargs or {}))
        finally:
            for d, leaf, layer, attribute in reversed(swaps):
                d["_modules"][leaf] = layer
                d[leaf] = attribute
    if not isinstance(out, Tensor) or out.dim() == 0 or out.shape[0] != size:
        got: object = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise ValueError(
            f"stacked_call: the forward pass gave {got}, not one output per member of the stack of {size}; "
            "it must broadcast over a leading stack dimension"
        )
    return out
