"""What happens when code asks the engine for something PyTorch has and the engine does not.

``engine.fft``, ``nn.Conv2d`` or ``x.stft`` raise ``NotImplementedError`` naming the missing API,
instead of an ``AttributeError`` deep inside the learner's program. A name PyTorch does not have
either (a misspelling) still raises ``AttributeError`` with PyTorch's text. The list of PyTorch's
names is in :mod:`engine._pytorch_names` and is read the first time something is missing.
"""

_known: dict[str, frozenset[str]] = {}


def _names(namespace):
    names = _known.get(namespace)
    if names is None:
        from ._pytorch_names import NAMES

        names = _known[namespace] = frozenset(NAMES.get(namespace, "").split())
    return names


def in_pytorch(namespace, name):
    """True if ``name`` is a public name of PyTorch's ``namespace`` (e.g. ``"torch.nn"``)."""
    return not name.startswith("_") and name in _names(namespace)


def module_attribute(namespace, name):
    """The error for ``<module namespace>.<name>`` missing: NotImplementedError or PyTorch's AttributeError."""
    if in_pytorch(namespace, name):
        return NotImplementedError(f"{namespace}.{name} is not implemented in this engine")
    return AttributeError(f"module '{namespace}' has no attribute '{name}'")


def tensor_attribute(name):
    """The error for ``tensor.<name>`` missing."""
    if in_pytorch("torch.Tensor", name):
        return NotImplementedError(f"Tensor.{name} is not implemented in this engine")
    return AttributeError(f"'Tensor' object has no attribute '{name}'")


def module_getattr(namespace):
    """A module ``__getattr__`` raising :func:`module_attribute`'s error."""

    def __getattr__(name):
        raise module_attribute(namespace, name)

    return __getattr__
