"""RMSprop, with PyTorch's update rule and its float32 rounding."""

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import FlatStateOptimizer, addcdiv_, addcmul_, fused_add, fused_add_, lerp_, to_scalar

__all__ = ["RMSprop"]

_sqrt = np.sqrt  # module-level so tests can substitute PyTorch's own float32 square root


class RMSprop(FlatStateOptimizer):
    """RMSprop (``torch.optim.RMSprop``), with PyTorch's update rule::

        g = ∇θ (−∇θ with maximize) + weight_decay·θ
        v = α·v + (1 − α)·g²
        centered: ḡ = lerp(ḡ, g, 1 − α) and a = √(v − ḡ²) + eps, else a = √v + eps
        momentum > 0: b = momentum·b + g/a, θ = θ − lr·b;   else θ = θ − lr·g/a

    The float32 operations and roundings are PyTorch's, one for one, except the square root (see
    :class:`Adam`).

    Parameters
    ----------
    params : iterable of Tensors or dicts
    lr : float, default 1e-2
    alpha : float, default 0.99
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
    maximize : bool, default False
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        if capturable or differentiable:
            raise NotImplementedError("capturable and differentiable are not supported by this engine")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        for key, label in (
            ("lr", "learning rate"),
            ("eps", "epsilon value"),
            ("momentum", "momentum value"),
            ("weight_decay", "weight_decay value"),
            ("alpha", "alpha value"),
        ):
            if not group[key] >= 0.0:
                raise ValueError(f"Invalid {label}: {group[key]}")

    def _state_keys(self, group):
        keys: tuple[str, ...] = ("square_avg",)
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys

    def _initial_state(self, p, group):
        state = {"step": self._step_tensor()}
        for key in self._state_keys(group):
            state[key] = Tensor._wrap(np.zeros_like(p._data))
        return state

    def _hyperparameters(self, group):
        return (
            to_scalar(group["lr"]),
            group["alpha"],
            group["eps"],
            group["weight_decay"],
            group["momentum"],
            group["centered"],
            group["maximize"],
        )

    def _update(self, d, g, buffers, step, hyper):
        lr, alpha, eps, weight_decay, momentum, centered, maximize = hyper
        t = d.dtype.type
        if maximize:
            g = -g
        if weight_decay != 0:
            g = fused_add(g, d, weight_decay)
        square_avg = buffers["square_avg"]
        square_avg *= t(alpha)
        addcmul_(square_avg, g, g, 1 - alpha)
        if centered:
            grad_avg = buffers["grad_avg"]
            lerp_(grad_avg, g, 1 - alpha)
            centred = square_avg.copy()
            addcmul_(centred, grad_avg, grad_avg, -1)
            avg = _sqrt(centred)
        else:
            avg = _sqrt(square_avg)
        avg += t(eps)
        if momentum > 0:
            buf = buffers["momentum_buffer"]
            buf *= t(momentum)
            addcdiv_(buf, g, avg, 1)
            fused_add_(d, buf, -lr)
        else:
            addcdiv_(d, g, avg, -lr)
