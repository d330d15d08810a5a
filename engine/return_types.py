"""Named results of ops that return several tensors, as ``torch.return_types``.

``x.max(dim=1)`` gives a ``torch.return_types.max``: a tuple with ``values`` and ``indices`` fields that
prints as PyTorch prints it::

    torch.return_types.max(
    values=tensor([5., 6.]),
    indices=tensor([1, 2]))
"""

__all__ = [
    "aminmax",
    "cummax",
    "cummin",
    "histogram",
    "kthvalue",
    "linalg_lstsq",
    "max",
    "median",
    "min",
    "mode",
    "slogdet",
    "sort",
    "topk",
]


class _ReturnType(tuple):
    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __new__(cls, *values):
        if len(values) == 1 and isinstance(values[0], (tuple, list)):
            values = tuple(values[0])
        if len(values) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__} takes a {len(cls._fields)}-sequence")
        return tuple.__new__(cls, values)

    def __repr__(self):
        fields = ",\n".join(f"{field}={item!r}" for field, item in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{fields})"

    __str__ = __repr__


def _field(i):
    return property(lambda self: self[i])


def _make(name: str, fields: tuple) -> type:
    namespace = {"__slots__": (), "_fields": fields, "__module__": "torch.return_types", "__qualname__": name}
    namespace.update({field: _field(i) for i, field in enumerate(fields)})
    return type(name, (_ReturnType,), namespace)


_VALUES_INDICES = ("values", "indices")
max = _make("max", _VALUES_INDICES)
min = _make("min", _VALUES_INDICES)
sort = _make("sort", _VALUES_INDICES)
topk = _make("topk", _VALUES_INDICES)
kthvalue = _make("kthvalue", _VALUES_INDICES)
median = _make("median", _VALUES_INDICES)
mode = _make("mode", _VALUES_INDICES)
cummax = _make("cummax", _VALUES_INDICES)
cummin = _make("cummin", _VALUES_INDICES)
aminmax = _make("aminmax", ("min", "max"))
linalg_lstsq = _make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
slogdet = _make("slogdet", ("sign", "logabsdet"))
histogram = _make("histogram", ("hist", "bin_edges"))
