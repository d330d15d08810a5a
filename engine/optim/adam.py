"""Adam and AdamW, with PyTorch's update rule and its float32 rounding."""

from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import FlatStateOptimizer, addcdiv_, addcmul_, fused_add, lerp_, to_scalar

__all__ = ["Adam", "AdamW"]

_sqrt = np.sqrt  # module-level so tests can substitute PyTorch's own float32 square root


class Adam(FlatStateOptimizer):
    """Adam (``torch.optim.Adam``), with PyTorch's update rule::

        g = ∇θ (−∇θ with maximize);  with weight_decay: g += weight_decay·θ (AdamW: θ *= 1 − lr·weight_decay)
        m = lerp(m, g, 1 − β₁);  v = β₂·v + (1 − β₂)·g²
        θ = θ − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + eps)     (amsgrad: √max(v) instead of √v)

    The float32 operations and roundings are PyTorch's, one for one. PyTorch's float32 square root
    (Intel MKL's) is not always correctly rounded; the engine's is, so trajectories agree with
    PyTorch's to about one part in 10⁶ rather than bit for bit.

    Parameters
    ----------
    params : iterable of Tensors or dicts
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False
    maximize : bool, default False
    decoupled_weight_decay : bool, default False
        True gives AdamW.
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        if capturable or differentiable:
            raise NotImplementedError("capturable and differentiable are not supported by this engine")
        betas = tuple(float(to_scalar(b)) for b in betas)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        lr, eps, betas, weight_decay = group["lr"], group["eps"], group["betas"], group["weight_decay"]
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair of numbers, got {betas!r}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

    def _state_keys(self, group):
        return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if group["amsgrad"] else ("exp_avg", "exp_avg_sq")

    def _initial_state(self, p, group):
        state = {
            "step": self._step_tensor(),
            "exp_avg": Tensor._wrap(np.zeros_like(p._data)),
            "exp_avg_sq": Tensor._wrap(np.zeros_like(p._data)),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(p._data))
        return state

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (
            to_scalar(group["lr"]),
            to_scalar(beta1),
            to_scalar(beta2),
            group["eps"],
            group["weight_decay"],
            group["amsgrad"],
            group["maximize"],
            group["decoupled_weight_decay"],
        )

    def _update(self, d, g, buffers, step, hyper):
        lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled = hyper
        m = buffers["exp_avg"]
        v = buffers["exp_avg_sq"]
        t = d.dtype.type
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled:
                d *= t(1 - lr * weight_decay)
            else:
                g = fused_add(g, d, weight_decay)
        lerp_(m, g, 1 - beta1)  # m.lerp_(g, 1 − β₁)
        v *= t(beta2)
        addcmul_(v, g, g, 1 - beta2)  # v.mul_(β₂).addcmul_(g, g, value=1 − β₂)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            vmax = buffers["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)
            denom = _sqrt(vmax)
        else:
            denom = _sqrt(v)
        denom /= t(bias_correction2_sqrt)
        denom += t(eps)
        addcdiv_(d, m, denom, -step_size)  # θ.addcdiv_(m, denom, value=−step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``): θ ← θ·(1 − lr·weight_decay) before the
    Adam update. ``weight_decay`` defaults to 0.01."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
