"""Parameter initialisation in place, as ``torch.nn.init``.

Random initialisers draw from the engine's seeded default generator (or ``generator=``), so
``engine.manual_seed(s)`` before building a model makes its initial weights reproducible. The
engine's generator is not PyTorch's, so the numbers differ from PyTorch's for the same seed.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from .. import _missing
from ..random import _generator

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _fill(tensor, values):
    # Writes go straight to the array: initialisation is never recorded in the graph (PyTorch uses no_grad).
    tensor._data[...] = values
    return tensor


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for ``nonlinearity`` (``torch.nn.init.calculate_gain``).

    linear, conv and sigmoid: 1; tanh: 5/3; relu: √2; leaky_relu: √(2 / (1 + slope²)); selu: 3/4.
    """
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fan_in_and_fan_out(tensor):
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = 1
    for s in shape[2:]:
        receptive_field *= s
    return shape[1] * receptive_field, shape[0] * receptive_field


def _correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: Any) -> Tensor:
    """Fill with ``val``."""
    if not isinstance(val, numbers.Number):
        raise TypeError(f"constant_(): val must be a number, not {type(val).__name__}")
    return _fill(tensor, val)


def uniform_(tensor: Tensor, a: Any = 0.0, b: Any = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples of U(a, b)."""
    return _fill(tensor, _generator(generator).uniform(a, b, tensor._data.shape))


def normal_(tensor: Tensor, mean: Any = 0.0, std: Any = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    return _fill(tensor, _generator(generator).normal(mean, std, tensor._data.shape))


def kaiming_uniform_(
    tensor: Tensor, a: Any = 0, mode: Any = "fan_in", nonlinearity: Any = "leaky_relu", generator: Any = None
) -> Tensor:
    """He initialisation: U(−bound, bound) with bound = gain·√(3 / fan) (``torch.nn.init.kaiming_uniform_``).

    ``nn.Linear`` uses ``a=√5``, which gives bound = 1/√fan_in.
    """
    if 0 in tensor._data.shape:
        import warnings

        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor, a: Any = 0, mode: Any = "fan_in", nonlinearity: Any = "leaky_relu", generator: Any = None
) -> Tensor:
    """He initialisation: N(0, std²) with std = gain / √fan."""
    if 0 in tensor._data.shape:
        import warnings

        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor: Tensor, gain: Any = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialisation: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: Any = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialisation: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


__getattr__ = _missing.module_getattr("torch.nn.init")
