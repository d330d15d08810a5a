"""Adagrad, with PyTorch's update rule and its float32 rounding."""

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import FlatStateOptimizer, addcdiv_, addcmul_, fused_add, to_scalar

__all__ = ["Adagrad"]

_sqrt = np.sqrt  # module-level so tests can substitute PyTorch's own float32 square root


class Adagrad(FlatStateOptimizer):
    """Adagrad (``torch.optim.Adagrad``), with PyTorch's update rule::

        g = ∇θ (−∇θ with maximize) + weight_decay·θ
        s = s + g²;   θ = θ − clr·g / (√s + eps),   clr = lr / (1 + (t − 1)·lr_decay)

    The accumulator ``s`` starts at ``initial_accumulator_value``. The float32 operations and
    roundings are PyTorch's, one for one, except the square root (see :class:`Adam`).

    Parameters
    ----------
    params : iterable of Tensors or dicts
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10
    maximize : bool, default False
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if differentiable:
            raise NotImplementedError("differentiable=True is not supported by this engine")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._initial_state(p, group, group["initial_accumulator_value"]))

    def _initial_state(self, p, group, value=None):
        if value is None:
            # Parameters added later by add_param_group start from the defaults' value, as in PyTorch.
            value = self.defaults["initial_accumulator_value"]
        return {"step": self._step_tensor(), "sum": Tensor._wrap(np.full_like(p._data, value))}

    def _check_group(self, group):
        for key, label in (
            ("lr", "learning rate"),
            ("lr_decay", "lr_decay value"),
            ("weight_decay", "weight_decay value"),
            ("initial_accumulator_value", "initial_accumulator_value value"),
            ("eps", "epsilon value"),
        ):
            if not group[key] >= 0.0:
                raise ValueError(f"Invalid {label}: {group[key]}")

    def _state_keys(self, group):
        return ("sum",)

    def _hyperparameters(self, group):
        return to_scalar(group["lr"]), group["lr_decay"], group["eps"], group["weight_decay"], group["maximize"]

    def _update(self, d, g, buffers, step, hyper):
        lr, lr_decay, eps, weight_decay, maximize = hyper
        if maximize:
            g = -g
        if weight_decay != 0:
            g = fused_add(g, d, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        total = buffers["sum"]
        addcmul_(total, g, g, 1)
        std = _sqrt(total)
        std += d.dtype.type(eps)
        addcdiv_(d, g, std, -clr)
