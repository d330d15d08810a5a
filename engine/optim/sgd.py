"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, fused_add, fused_add_, to_scalar

__all__ = ["SGD"]

_f32 = np.float32
_f64 = np.float64


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``), with PyTorch's update rule::

        g = ∇θ (−∇θ with maximize) + weight_decay·θ
        b = g at the first step, else momentum·b + (1 − dampening)·g
        g = g + momentum·b with nesterov, else b (when momentum ≠ 0)
        θ = θ − lr·g

    Each step rounds as PyTorch's CPU kernels do (the final ``θ − lr·g`` is one fused
    multiply-add), so float32 trajectories are bit-for-bit PyTorch's.

    Parameters
    ----------
    params : iterable of Tensors or dicts
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0
    nesterov : bool, default False
        Needs a positive momentum and zero dampening.
    maximize : bool, default False
        Ascend the objective instead.
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise NotImplementedError("differentiable=True is not supported by this engine")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _check_group(self, group):
        if group["lr"] < 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if group["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if group["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update of every parameter that has a gradient; returns the closure's loss if given."""
        loss = self._closure_loss(closure) if closure is not None else None
        state = self.state
        for group in self.param_groups:
            lr = to_scalar(group["lr"])
            momentum = group["momentum"]
            weight_decay = group["weight_decay"]
            maximize = group["maximize"]
            if momentum == 0 and weight_decay == 0 and not maximize:
                # Plain gradient descent, the playground's hot path: θ ← θ − lr·g, rounded once.
                step32 = float(_f32(-lr))
                for p in group["params"]:
                    g = p._grad
                    if g is None:
                        continue
                    d = p._data
                    if d.dtype == _f32:
                        if d.size == 1:
                            # The same sum in double on a Python float: the product of two floats is
                            # exact in double, the sum rounds once, the store to float32 once more.
                            d.fill(g._data.item() * step32 + d.item())
                        else:
                            d[...] = np.multiply(g._data, step32, dtype=_f64) + d
                    else:
                        d -= lr * g._data
                    p._version += 1  # an in-place update, as PyTorch counts it
                continue
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p._data
                g = p.grad._data
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = fused_add(g, d, weight_decay)
                if momentum != 0:
                    entry = state[p]
                    buf = entry.get("momentum_buffer")
                    if buf is None:
                        buf = Tensor._wrap(np.array(g, copy=True))
                        entry["momentum_buffer"] = buf
                    else:
                        b = buf._data
                        b *= b.dtype.type(momentum)
                        fused_add_(b, g, 1 - dampening)
                    g = fused_add(g, buf._data, momentum) if nesterov else buf._data
                fused_add_(d, g, -lr)
                p._version += 1
        return loss
