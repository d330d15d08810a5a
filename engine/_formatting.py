"""Printing tensors the way PyTorch prints them (a port of the rules in ``torch/_tensor_str.py``)."""

import math

import numpy as np


class _PrintOptions:
    """PyTorch's ``PRINT_OPTS``: what ``set_printoptions`` changes."""

    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


OPTS = _PrintOptions()
_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set how tensors print (``torch.set_printoptions``).

    Parameters
    ----------
    precision : int, optional
        Digits after the decimal point (default 4).
    threshold : int, optional
        Above this many elements a tensor is summarized with ``...`` (default 1000).
    edgeitems : int, optional
        Items shown at each end of a summarized dimension (default 3).
    linewidth : int, optional
        Characters per line (default 80).
    profile : {"default", "short", "full"}, optional
        A preset of the four above.
    sci_mode : bool, optional
        Force scientific notation on (True) or off (False); None (the default) chooses as PyTorch does.
        Like PyTorch, every call sets it, so omitting it resets it to None.
    """
    if profile is not None:
        for key, value in _PROFILES[profile].items():
            setattr(OPTS, key, value)
    if precision is not None:
        OPTS.precision = precision
    if threshold is not None:
        OPTS.threshold = threshold
    if edgeitems is not None:
        OPTS.edgeitems = edgeitems
    if linewidth is not None:
        OPTS.linewidth = linewidth
    OPTS.sci_mode = sci_mode


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
        precision = OPTS.precision
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return  # only nan / inf / 0: PyTorch pads nothing
        absolute = np.abs(finite)
        lo, hi = absolute.min(), absolute.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = OPTS.sci_mode
        if self.sci_mode:
            width = max(len(f"{v:.{precision}e}") for v in finite)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            width = max(len(f"{v:.{precision}f}") for v in finite)
        self.max_width = max(self.max_width, width)

    @staticmethod
    def _fixed_int(v):
        v = float(v)
        s = f"{v:.0f}"
        return s if math.isinf(v) or math.isnan(v) else s + "."

    def width(self):
        return self.max_width

    def format(self, value):
        precision = OPTS.precision
        if self.floating:
            v = float(value)
            if self.sci_mode:
                s = f"{v:{self.max_width}.{precision}e}"
            elif self.int_mode:
                s = self._fixed_int(v)
            else:
                s = f"{v:.{precision}f}"
        else:
            s = _plain(value)
        return (self.max_width - len(s)) * " " + s


def _plain(v):
    if isinstance(v, (np.bool_, bool)):
        return "True" if v else "False"
    return str(v.item() if hasattr(v, "item") else v)


def _vector_str(values, indent, formatter, summarize):
    edgeitems = OPTS.edgeitems
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((OPTS.linewidth - indent) / element_length))
    if summarize and values.shape[0] > 2 * edgeitems:
        data = (
            [formatter.format(v) for v in values[:edgeitems]]
            + [" ..."]
            + [formatter.format(v) for v in values[-edgeitems:]]
        )
    else:
        data = [formatter.format(v) for v in values]
    lines = [data[i : i + elements_per_line] for i in range(0, len(data), elements_per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(", ".join(line) for line in lines) + "]"


def _tensor_str(values, indent, formatter, summarize):
    edgeitems = OPTS.edgeitems
    dim = values.ndim
    if dim == 0:
        return formatter.format(values)
    if dim == 1:
        return _vector_str(values, indent, formatter, summarize)
    if summarize and values.shape[0] > 2 * edgeitems:
        slices = (
            [_tensor_str(values[i], indent + 1, formatter, summarize) for i in range(edgeitems)]
            + ["..."]
            + [
                _tensor_str(values[i], indent + 1, formatter, summarize)
                for i in range(len(values) - edgeitems, len(values))
            ]
        )
    else:
        slices = [_tensor_str(values[i], indent + 1, formatter, summarize) for i in range(values.shape[0])]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(values):
    """The elements printing shows, for choosing the number format."""
    edgeitems = OPTS.edgeitems
    if values.ndim == 0:
        return values.reshape(1)
    if values.shape[0] > 2 * edgeitems:
        values = np.concatenate([values[:edgeitems], values[-edgeitems:]])
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
    summarize = values.size > OPTS.threshold
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
        if last_line_len + len(s) + 2 > OPTS.linewidth:
            out += ",\n" + " " * indent + s
            last_line_len = indent + len(s)
        else:
            out += ", " + s
            last_line_len += len(s) + 2
    return out + ")"
