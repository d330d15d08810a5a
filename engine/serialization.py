"""``torch.save`` and ``torch.load`` for tensors and the containers state dicts are made of, without pickle.

A saved file is a zip archive: ``structure.json`` describes the object (dicts, ordered dicts,
lists, tuples, numbers, strings, dtypes, sizes and tensors) and each tensor's values are a
``.npy`` member read back with ``allow_pickle=False``. So ``torch.save(model.state_dict(), path)``
and ``model.load_state_dict(torch.load(path))`` work, and loading a file never runs code from it.
Whole modules and other arbitrary objects (which PyTorch pickles) are refused with a message.
"""

import io
import json
import os
import zipfile
from collections import OrderedDict

import numpy as np

from . import _device
from ._dtype import dtype as _dtype_class
from ._dtype import from_numpy_dtype
from .tensor import Size, Tensor

__all__ = ["load", "save"]

FORMAT = "gradient-playground-tensors"
VERSION = 1


class _Writer:
    def __init__(self):
        self.arrays = []

    def encode(self, obj):
        from .nn.module import Module, Parameter

        if isinstance(obj, Tensor):
            self.arrays.append(np.ascontiguousarray(obj._data))
            kind = "parameter" if isinstance(obj, Parameter) else "tensor"
            return {"kind": kind, "index": len(self.arrays) - 1, "requires_grad": obj.requires_grad}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            return {"kind": "float", "value": float(obj).hex()}
        if isinstance(obj, Size):
            return {"kind": "size", "items": list(obj)}
        if isinstance(obj, _dtype_class):
            return {"kind": "dtype", "name": obj.name}
        if isinstance(obj, dict):
            items = []
            for key, value in obj.items():
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise TypeError(
                        f"torch.save in this engine stores dicts with str or int keys, not {type(key).__name__}"
                    )
                items.append([key, self.encode(value)])
            return {"kind": "ordereddict" if isinstance(obj, OrderedDict) else "dict", "items": items}
        if isinstance(obj, list):
            return {"kind": "list", "items": [self.encode(v) for v in obj]}
        if isinstance(obj, tuple):
            return {"kind": "tuple", "items": [self.encode(v) for v in obj]}
        if isinstance(obj, Module):
            raise NotImplementedError(
                "torch.save of a whole nn.Module is not implemented in this engine (it needs pickle); "
                "save model.state_dict() and load it with model.load_state_dict(torch.load(path))"
            )
        raise NotImplementedError(
            f"torch.save of a {type(obj).__name__} is not implemented in this engine: it stores tensors, "
            "numbers, strings and dicts, lists and tuples of them"
        )


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Save ``obj`` (tensors, state dicts, and dicts/lists/tuples of tensors and numbers) to ``f``,
    a path or a binary file (``torch.save``)."""
    writer = _Writer()
    structure = {"format": FORMAT, "version": VERSION, "object": writer.encode(obj)}
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("structure.json", json.dumps(structure))
        for i, array in enumerate(writer.arrays):
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            archive.writestr(f"tensors/{i}.npy", buffer.getvalue())


def _decode(node, arrays):
    from .nn.module import Parameter

    if node is None or isinstance(node, (bool, str, int)):
        return node
    kind = node["kind"]
    if kind in ("tensor", "parameter"):
        t = Tensor._wrap(arrays(node["index"]))
        if kind == "parameter":
            return Parameter(t, requires_grad=node["requires_grad"])
        if node["requires_grad"]:
            t.requires_grad_()
        return t
    if kind == "float":
        return float.fromhex(node["value"])
    if kind == "size":
        return Size(node["items"])
    if kind == "dtype":
        from . import _dtype

        return getattr(_dtype, node["name"] if node["name"] != "bool" else "bool_")
    if kind in ("dict", "ordereddict"):
        pairs = [(key, _decode(value, arrays)) for key, value in node["items"]]
        return OrderedDict(pairs) if kind == "ordereddict" else dict(pairs)
    if kind == "list":
        return [_decode(v, arrays) for v in node["items"]]
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in node["items"])
    raise ValueError(f"not a file saved by torch.save of this engine (unknown entry {kind!r})")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by :func:`save` from ``f``, a path or a binary file (``torch.load``).

    Tensors land on the CPU (``map_location`` may only name the CPU). Files written by PyTorch
    itself (pickles) are not read.
    """
    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        _device.check(map_location)
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise RuntimeError("this file was not written by torch.save of this engine; it reads no pickles") from None
    with archive:
        try:
            structure = json.loads(archive.read("structure.json"))
        except KeyError:
            raise RuntimeError(
                "this file was not written by torch.save of this engine (PyTorch's own files are pickles, "
                "which the engine does not read)"
            ) from None
        if structure.get("format") != FORMAT:
            raise RuntimeError("this file was not written by torch.save of this engine")

        def array(index):
            with archive.open(f"tensors/{index}.npy") as member:
                data = np.load(io.BytesIO(member.read()), allow_pickle=False)
            from_numpy_dtype(data.dtype)
            return data

        return _decode(structure["object"], array)
