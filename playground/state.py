"""The trainer's state as JSON-able data, and back: parameters, optimizer state, arrays. Qt-free.

Sessions store a :meth:`playground.trainer.Trainer.state_dict`; reading one back checks every
array's dtype and shape against what the configured model and optimizer would hold, so a
corrupt or mismatched file is refused with a message instead of training on garbage.
"""

from __future__ import annotations

import numpy as np

import engine
from engine import nn
from playground.models import build_optimizer

__all__ = ["decode", "decode_params", "encode", "encode_params", "optimizer_state_kinds", "state_kind"]

_STATE_DTYPES = {"float32", "float64", "int64", "int32", "bool"}


def encode(value):
    """A JSON-able form of an optimizer-state value (tensors, arrays, numbers, lists)."""
    if isinstance(value, engine.Tensor):
        value = value.detach().numpy()
        return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist(), "tensor": True}
    if isinstance(value, np.ndarray):
        return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist(), "tensor": False}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__} in a state dict")


def _decode_array(d, what):
    if not isinstance(d, dict) or set(d) != {"dtype", "shape", "values", "tensor"}:
        raise ValueError(f"{what}: malformed array")
    dtype, shape = d["dtype"], d["shape"]
    if dtype not in _STATE_DTYPES:
        raise ValueError(f"{what}: unsupported dtype {dtype!r}")
    if (
        not isinstance(shape, list)
        or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 2**20 for s in shape)
        or len(shape) > 8
    ):
        raise ValueError(f"{what}: malformed shape")
    try:
        a = np.array(d["values"], dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{what}: malformed values") from exc
    if a.shape != tuple(shape):
        raise ValueError(f"{what}: values do not have shape {tuple(shape)}")
    return a


def decode(value, what):
    if isinstance(value, dict):
        a = _decode_array(value, what)
        return engine.from_numpy(a) if value["tensor"] else a
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(v, what) for v in value]
    raise ValueError(f"{what}: unexpected value {value!r}")


def state_kind(value):
    """What a state value is, for checking loaded optimizer state against the optimizer's own."""
    if isinstance(value, engine.Tensor):
        return ("tensor", str(value.detach().numpy().dtype), tuple(value.shape))
    if isinstance(value, np.ndarray):
        return ("array", str(value.dtype), tuple(value.shape))
    return (type(value).__name__,)


def optimizer_state_kinds(config, shapes):
    """The keys and kinds of the optimizer state of each parameter after one step: index -> {key: kind}."""
    params = [nn.Parameter(engine.zeros(shape)) for shape in shapes]
    for p, shape in zip(params, shapes):
        p.grad = engine.zeros(shape)
    optimizer = build_optimizer(config, params)
    optimizer.step()
    return {
        index: {k: state_kind(v) for k, v in entry.items()} for index, entry in optimizer.state_dict()["state"].items()
    }


def encode_params(named):
    return {name: {"shape": list(a.shape), "values": a.tolist()} for name, a in named.items()}


def decode_params(d, expected, what):
    """Decode {name: {"shape", "values"}} into float32 arrays matching ``expected`` {name: shape}."""
    if not isinstance(d, dict):
        raise ValueError(f"{what} must be a JSON object")
    if set(d) != set(expected):
        raise ValueError(f"{what} must name exactly {', '.join(expected)}; got {', '.join(map(str, d))}")
    out = {}
    for name, shape in expected.items():
        entry = d[name]
        if not isinstance(entry, dict) or "values" not in entry:
            raise ValueError(f"{what}: {name!r} has no values")
        try:
            a = np.array(entry["values"], dtype=np.float32)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{what}: {name!r} holds values that are not numbers") from exc
        if a.shape != tuple(shape) or list(entry.get("shape", a.shape)) != list(shape):
            raise ValueError(f"{what}: {name!r} must have shape {tuple(shape)}, not {a.shape}")
        out[name] = a
    return out
