"""Printing tensors the way PyTorch prints them (a port of the rules in ``torch/_tensor_str.py``)."""

import math

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat:
                self.max_width = max(self.max_width, len(_plain(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return  # only nan / inf / 0: PyTorch pads nothing
        absolute = np.abs(finite)
        lo, hi = absolute.min(), absolute.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if hi / lo > 1000.0 or hi > 1.0e8:
                self.sci_mode = True
                width = max(len(f"{v:.{PRECISION}e}") for v in finite)
            else:
                width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            if hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                self.sci_mode = True
                width = max(len(f"{v:.{PRECISION}e}") for v in finite)
            else:
                width = max(len(f"{v:.{PRECISION}f}") for v in finite)
        self.max_width = max(self.max_width, width)

    @staticmethod
    def _fixed_int(v):
        v = float(v)
        s = f"{v:.0f}"
        return s if math.isinf(v) or math.isnan(v) else s + "."

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating:
            v = float(value)
            if self.sci_mode:
                s = f"{v:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                s = self._fixed_int(v)
            else:
                s = f"{v:.{PRECISION}f}"
        else:
            s = _plain(value)
        return (self.max_width - len(s)) * " " + s


def _plain(v):
    if isinstance(v, (np.bool_, bool)):
        return "True" if v else "False"
    return str(v.item() if hasattr(v, "item") else v)


def _vector_str(values, indent, formatter, summarize):
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((LINEWIDTH - indent) / element_length))
    if summarize and values.shape[0] > 2 * EDGEITEMS:
        data = (
            [formatter.format(v) for v in values[:EDGEITEMS]]
            + [" ..."]
            + [formatter.format(v) for v in values[-EDGEITEMS:]]
        )
    else:
        data = [formatter.format(v) for v in values]
    lines = [data[i : i + elements_per_line] for i in range(0, len(data), elements_per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(", ".join(line) for line in lines) + "]"


def _tensor_str(values, indent, formatter, summarize):
    dim = values.ndim
    if dim == 0:
        return formatter.format(values)
    if dim == 1:
        return _vector_str(values, indent, formatter, summarize)
    if summarize and values.shape[0] > 2 * EDGEITEMS:
        slices = (
            [_tensor_str(values[i], indent + 1, formatter, summarize) for i in range(EDGEITEMS)]
            + ["..."]
            + [
                _tensor_str(values[i], indent + 1, formatter, summarize)
                for i in range(len(values) - EDGEITEMS, len(values))
            ]
        )
    else:
        slices = [_tensor_str(values[i], indent + 1, formatter, summarize) for i in range(values.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(values):
    """The elements printing shows, for choosing the number format."""
    if values.ndim == 0:
        return values.reshape(1)
    if values.shape[0] > 2 * EDGEITEMS:
        values = np.concatenate([values[:EDGEITEMS], values[-EDGEITEMS:]])
    if values.ndim == 1:
        return values
    return np.concatenate([_summarized(v).reshape(-1) for v in values])


def tensor_repr(t):
    """``repr(tensor)`` as PyTorch prints it, with ``dtype=``, ``requires_grad=`` and ``grad_fn=`` suffixes."""
    from ._dtype import get_default_dtype

    values = t._data
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    summarize = values.size > THRESHOLD
    default_float = get_default_dtype().numpy
    show_dtype = not (values.dtype == default_float or values.dtype == np.int64 or values.dtype == np.bool_)
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        show_dtype = values.dtype != default_float
    else:
        formatter = _Formatter(_summarized(values) if summarize else values)
        body = _tensor_str(values, indent, formatter, summarize)
    if show_dtype:
        suffixes.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    out = prefix + body
    # PyTorch's _add_suffixes, including its count of the last line's length.
    last_line_len = len(out) - out.rfind("\n") + 1
    for s in suffixes:
        if last_line_len + len(s) + 2 > LINEWIDTH:
            out += ",\n" + " " * indent + s
            last_line_len = indent + len(s)
        else:
            out += ", " + s
            last_line_len += len(s) + 2
    return out + ")"
