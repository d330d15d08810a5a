"""Breakpoints: conditions that pause training by themselves. Qt-free; the app and the command line share them.

A :class:`Breakpoints` value says which conditions are armed; a :class:`BreakpointWatch` observes a
:class:`~playground.trainer.Trainer` and, after the epoch where one fires, asks it to stop and
keeps a :class:`Hit` saying which condition fired, where and why. The command line spells the
conditions as ``--stop-when`` takes them (:meth:`Breakpoints.parse`)::

    loss-rises, nan, grad-norm>100, loss<1e-4, converged<1e-9, epoch=500

"The loss rises" fires at every epoch whose loss is above the one before; the other conditions fire
when they become true (so training resumed past one does not stop again at once), "epoch reaches
N" once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

__all__ = ["SYNTAX", "BreakpointWatch", "Breakpoints", "Hit"]

#: How ``--stop-when`` spells the conditions.
SYNTAX = "loss-rises, nan, grad-norm>X, loss<X, converged<X, epoch=N"

#: The conditions, in the order the app lists them: key -> what the app says.
TITLES = {
    "loss_rises": "The loss rises",
    "nonfinite": "The loss is NaN or infinite",
    "grad_norm_above": "The gradient norm exceeds",
    "loss_below": "The loss falls below",
    "change_below": "The loss changes by less than (converged)",
    "epoch_reaches": "The epoch reaches",
}
#: What each condition means, for tooltips.
TIPS = {
    "loss_rises": "Pause at every epoch whose loss is higher than the one before (a step that went uphill)",
    "nonfinite": "Pause when the loss becomes NaN or infinite (training stops there anyway)",
    "grad_norm_above": "Pause when the gradient's norm, over all parameters, first exceeds this",
    "loss_below": "Pause when the loss first falls below this",
    "change_below": "Pause when the loss first changes by less than this from one epoch to the next",
    "epoch_reaches": "Pause after this many epochs",
}
#: Default thresholds the app offers.
DEFAULTS = {"grad_norm_above": 100.0, "loss_below": 1e-3, "change_below": 1e-7, "epoch_reaches": 1000}


@dataclass(frozen=True)
class Breakpoints:
    """Which conditions pause training (None or False: not armed).

    Attributes
    ----------
    loss_rises : bool
        The epoch's loss is higher than the previous epoch's.
    nonfinite : bool
        The loss is NaN or infinite.
    grad_norm_above : float or None
        The gradient norm (over all parameters, from the epoch's backward pass) exceeds this.
    loss_below : float or None
        The loss falls below this.
    change_below : float or None
        The loss changes by less than this from one epoch to the next: converged.
    epoch_reaches : int or None
        Training has completed this many epochs.
    """

    loss_rises: bool = False
    nonfinite: bool = False
    grad_norm_above: float | None = None
    loss_below: float | None = None
    change_below: float | None = None
    epoch_reaches: int | None = None

    def __post_init__(self):
        for name in ("grad_norm_above", "loss_below", "change_below"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name.replace('_', ' ')}: the threshold must be a finite number ≥ 0, not {value!r}")
        if self.epoch_reaches is not None and (
            isinstance(self.epoch_reaches, bool) or not isinstance(self.epoch_reaches, int) or self.epoch_reaches < 1
        ):
            raise ValueError(f"epoch reaches: the epoch must be a whole number ≥ 1, not {self.epoch_reaches!r}")

    def armed(self) -> tuple:
        """The keys of the armed conditions."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) not in (None, False))

    def __bool__(self):
        return bool(self.armed())

    def describe(self) -> str:
        """The armed conditions as ``--stop-when`` spells them."""
        words = {
            "loss_rises": lambda v: "loss-rises",
            "nonfinite": lambda v: "nan",
            "grad_norm_above": lambda v: f"grad-norm>{v:g}",
            "loss_below": lambda v: f"loss<{v:g}",
            "change_below": lambda v: f"converged<{v:g}",
            "epoch_reaches": lambda v: f"epoch={v}",
        }
        return ",".join(words[key](getattr(self, key)) for key in self.armed())

    @classmethod
    def parse(cls, texts) -> Breakpoints:
        """Read conditions as ``--stop-when`` spells them: one string or several, comma-separated.

        Raises
        ------
        ValueError
            Naming the part that could not be read and the syntax.
        """
        if isinstance(texts, str):
            texts = [texts]
        settings = {}
        for text in texts:
            for part in (p.strip() for p in text.split(",")):
                if not part:
                    continue
                key, value = _parse_one(part)
                settings[key] = value
        return cls(**settings)


def _number(part, text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{part!r}: {text!r} is not a number (the conditions are: {SYNTAX})") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{part!r}: the threshold must be a finite number ≥ 0")
    return value


_PATTERNS = [
    (re.compile(r"^(loss-rises|rises)$"), lambda part, m: ("loss_rises", True)),
    (re.compile(r"^(nan|inf|nonfinite)$"), lambda part, m: ("nonfinite", True)),
    (re.compile(r"^grad-norm\s*>\s*(\S+)$"), lambda part, m: ("grad_norm_above", _number(part, m[1]))),
    (re.compile(r"^loss\s*<\s*(\S+)$"), lambda part, m: ("loss_below", _number(part, m[1]))),
    (re.compile(r"^converged\s*<\s*(\S+)$"), lambda part, m: ("change_below", _number(part, m[1]))),
    (re.compile(r"^epoch\s*=\s*(\S+)$"), lambda part, m: ("epoch_reaches", _epoch(part, m[1]))),
]


def _epoch(part, text):
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{part!r}: {text!r} is not a whole number of epochs") from None
    if value < 1:
        raise ValueError(f"{part!r}: the epoch must be at least 1")
    return value


def _parse_one(part):
    for pattern, make in _PATTERNS:
        match = pattern.match(part.lower())
        if match:
            return make(part, match)
    raise ValueError(f"{part!r} is not a condition; the conditions are: {SYNTAX}")


@dataclass(frozen=True)
class Hit:
    """A breakpoint that fired.

    Attributes
    ----------
    condition : str
        Its key (see :data:`TITLES`).
    epoch : int
        The epoch after which training paused.
    loss : float
        That epoch's loss.
    detail : str
        What happened, in a few words ("the loss rose from 0.52 to 0.53").
    """

    condition: str
    epoch: int
    loss: float
    detail: str

    def message(self) -> str:
        """A sentence for the user."""
        return f"Paused at epoch {self.epoch:,}: {self.detail}."


class BreakpointWatch:
    """Watches a trainer's epochs and asks it to stop when a breakpoint fires.

    Add it with ``trainer.add_observer(watch)``; after ``trainer.step()`` or ``trainer.run()``
    returns with ``trainer.halted``, :attr:`hit` says which condition fired.
    """

    def __init__(self, breakpoints: Breakpoints | None = None):
        self.breakpoints = breakpoints or Breakpoints()
        self.hit: Hit | None = None
        self.forget()

    def forget(self):
        """Start afresh (a reset, another run): no previous loss, every condition false so far."""
        self._previous = math.nan
        self._was = {}

    def set_breakpoints(self, breakpoints: Breakpoints):
        self.breakpoints = breakpoints
        self._was = {}

    # -- the trainer's observer interface
    def epoch_done(self, trainer, loss) -> bool:
        bp = self.breakpoints
        previous, self._previous = self._previous, loss
        if not bp:
            return False
        epoch = trainer.epoch
        finite = math.isfinite(loss)
        hit = None
        if bp.nonfinite and not finite:
            hit = ("nonfinite", f"the loss is {loss}")
        if hit is None and bp.epoch_reaches is not None and epoch == bp.epoch_reaches:
            hit = ("epoch_reaches", f"epoch {epoch:,} reached, as asked")
        if hit is None and bp.loss_rises and finite and math.isfinite(previous) and loss > previous:
            hit = ("loss_rises", f"the loss rose from {previous:.6g} to {loss:.6g}")
        if hit is None and bp.grad_norm_above is not None:
            norm = gradient_norm(trainer)
            if self._became("grad_norm_above", norm > bp.grad_norm_above):
                hit = ("grad_norm_above", f"the gradient norm {norm:.6g} exceeds {bp.grad_norm_above:g}")
        if hit is None and bp.loss_below is not None and self._became("loss_below", finite and loss < bp.loss_below):
            hit = ("loss_below", f"the loss {loss:.6g} fell below {bp.loss_below:g}")
        if hit is None and bp.change_below is not None:
            change = abs(loss - previous) if finite and math.isfinite(previous) else math.inf
            if self._became("change_below", change < bp.change_below):
                hit = ("change_below", f"the loss changed by {change:.4g}, less than {bp.change_below:g}: converged")
        if hit is None:
            return False
        self.hit = Hit(hit[0], epoch, loss, hit[1])
        return True

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state", "rewind"):
            self.forget()

    def _became(self, key, now) -> bool:
        was = self._was.get(key, False)
        self._was[key] = now
        return now and not was


def gradient_norm(trainer) -> float:
    """The Euclidean norm of all the parameters' gradients (from the last backward pass)."""
    total = 0.0
    for p in trainer.model.parameters():
        g = p.grad
        if g is not None:
            a = g.numpy().astype("float64")
            total += float((a * a).sum())
    return math.sqrt(total)
