"""``playground train``, ``playground landscape`` and ``playground presets``: training without a window.

Imports no Qt. Usage::

    playground train --preset linear-regression --epochs 200 --export-params p.json --export-loss l.csv
    playground train --session run.json --epochs 100 --save-session run.json
    playground train --preset sine --epochs 5000 --stop-when "converged<1e-7,loss-rises"
    playground landscape --preset linear-regression --params w,b --range -1:3,-1:2 --grid 64 \
        --epochs 200 --out grid.csv --path path.csv
    playground presets

Every output is checked before training starts (its extension, its folder, that it can be
written, that no two outputs name the same file), so a long run cannot fail at its end on a
path it could have refused at once. After training, every output that can be written is
written, even if another one fails. Ctrl-C stops training after the current epoch and
writes the outputs for the epochs trained; if the epoch takes long, Ctrl-C again a second
later stops at once, writing nothing.

Each subcommand is one ``_run_*`` function; the outputs (``_Output``, ``_check_outputs``,
``_write_outputs``) and the exit statuses (``EXIT_*``, ``EXIT_STATUS_HELP``) are shared.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import engine
from playground import io
from playground.breakpoints import SYNTAX, Breakpoints, BreakpointWatch
from playground.config import Config
from playground.coordinates import parse_coordinate
from playground.descent import Trail
from playground.landscape import GRID_SIZE, LandscapeEvaluator, default_coordinates, follow_range
from playground.presets import PRESETS, load_preset
from playground.trainer import Trainer

__all__ = ["main"]

EXIT_OK = 0
#: Training diverged (the outputs are written all the same).
EXIT_FAILED = 1
#: Bad arguments or unusable input, found before training: nothing is trained or written.
EXIT_USAGE = 2
#: Some output could not be written; every other output was.
EXIT_NOT_WRITTEN = 3
#: Stopped by Ctrl-C: 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 128 + signal.SIGINT

EXIT_STATUS_HELP = """\
exit status:
  0    success
  1    training diverged; the outputs are written all the same
  2    bad arguments or unusable input (a one-line message), found before training:
       nothing is trained or written
  3    an output could not be written (stderr names each); every other output was written
  130  stopped by Ctrl-C: training stops after the current epoch, and the outputs are
       written for the epochs trained"""
DEFAULT_EPOCHS = 200
#: Training runs in chunks of about this many seconds; Ctrl-C and the progress bar are served between them.
CHUNK_SECONDS = 0.05


class _UsageError(Exception):
    """Bad arguments or unusable input: one line per problem, and exit status 2."""


def _epochs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of epochs, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the number of epochs cannot be negative ({value})")
    return value


def _learning_rate(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"the learning rate must be a positive number, not {text}")
    try:
        Config(lr=value)  # the configuration's own rule for learning rates
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Gradient Playground without a window: train a preset or a saved session and export the results.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="{train,landscape,presets}")
    commands.required = True
    _add_train_parser(commands)
    _add_landscape_parser(commands)
    commands.add_parser("presets", help="list the presets", description="List the presets.")
    return parser


def _add_train_parser(commands):
    train = commands.add_parser(
        "train",
        help="train a preset or a saved session",
        description="Train a preset or a saved session, then export what was trained.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help=f"start from a preset ({', '.join(PRESETS)})")
    source.add_argument("--session", metavar="FILE", help="carry on from a saved session (.json)")
    train.add_argument(
        "--epochs",
        type=_epochs,
        default=DEFAULT_EPOCHS,
        metavar="N",
        help=f"epochs to train (default {DEFAULT_EPOCHS})",
    )
    train.add_argument(
        "--lr", type=_learning_rate, metavar="LR", help="learning rate (default: the preset's or session's)"
    )
    train.add_argument("--points", metavar="FILE.csv", help="train on the points of this CSV file (x,y)")
    for output in _TRAIN_OUTPUTS:
        train.add_argument(output.option, metavar=output.metavar, help=output.help)
    _add_stop_when(train)


# ----------------------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Output:
    """A file a subcommand was asked to write.

    Attributes
    ----------
    option : str
        The option that asks for it, e.g. ``"--export-loss"``.
    path : str
        Where to write it, as given.
    extensions : tuple of str
        The extensions it may have (lower case, with the dot).
    write : callable
        ``write(path, result)`` writes it from what the subcommand produced; raises
        :class:`playground.io.PlaygroundFileError` if it cannot.
    """

    option: str
    path: str
    extensions: tuple
    write: Callable


@dataclass(frozen=True)
class _OutputOption:
    option: str
    extensions: tuple
    write: Callable
    metavar: str
    help: str

    def requested(self, args):
        path = getattr(args, self.option.lstrip("-").replace("-", "_"))
        return None if path is None else _Output(self.option, path, self.extensions, self.write)


def _check_outputs(outputs):
    """Check every output before any work: extension, folder, writability, no file named twice.

    Raises
    ------
    _UsageError
        With one line per problem.
    """
    problems, usable = [], []
    for output in outputs:
        ext = os.path.splitext(output.path)[1].lower()
        if ext not in output.extensions:
            problems.append(f"{output.option} must end in {' or '.join(output.extensions)}: {output.path}")
            continue
        try:
            io.check_writable(output.path)
        except io.PlaygroundFileError as exc:
            problems.append(str(exc))
            continue
        usable.append(output)
    for i, first in enumerate(usable):
        for second in usable[i + 1 :]:
            if first.path == second.path:
                problems.append(f"{first.option} and {second.option} both name {first.path}: give each its own file")
            elif _same_file(first.path, second.path):
                problems.append(
                    f"{first.option} {first.path} and {second.option} {second.path} are the same file: "
                    "give each its own file"
                )
    if problems:
        raise _UsageError(*problems)


def _same_file(a, b):
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def _write_outputs(outputs, result, stderr):
    """Write every output that can be written; name each failure on ``stderr``.

    Returns
    -------
    (list of str, int)
        The paths written, and how many outputs could not be.
    """
    written, failed = [], 0
    for output in outputs:
        try:
            output.write(output.path, result)
        except io.PlaygroundFileError as exc:
            print(f"playground: error: {exc}", file=stderr)
            failed += 1
        else:
            written.append(output.path)
    return written, failed


def _wrote(written):
    return f"; wrote {', '.join(written)}" if written else ""


# ----------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.enabled = total > 0 and hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0

    def update(self, done, loss, force=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.WIDTH * done / self.total)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {100 * done // self.total:3d}%  epoch {done}/{self.total}  loss {loss:.6g}")
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class _StopOnCtrlC:
    """Ctrl-C while training asks to stop after the current epoch.

    Presses in quick succession are one request; a press at least :attr:`FORCE_AFTER` seconds
    after the first (the current epoch is taking long) interrupts at once. Once :attr:`writing`
    is set, Ctrl-C is ignored, so the outputs asked for are written whole. Only the main thread
    receives signals; elsewhere Ctrl-C keeps its usual effect.
    """

    FORCE_AFTER = 1.0

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self.requested = False
        self.writing = False
        self._first = None
        self._installed = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)
            self._installed = True
        return self

    def __exit__(self, *exc_info):
        if self._installed:
            signal.signal(signal.SIGINT, signal.SIG_DFL if self._previous is None else self._previous)
            self._installed = False

    def _interrupt(self, signum, frame):
        if self.writing:
            return
        now = self._clock()
        if self._first is None:
            self._first = now
            self.requested = True
        elif now - self._first >= self.FORCE_AFTER:
            raise KeyboardInterrupt


def _train(trainer, epochs, stderr, stop=None):
    """Train up to ``epochs`` epochs, in chunks of about CHUNK_SECONDS; return how many were trained.

    Stops early when the loss diverges or ``stop.requested`` becomes true.
    """
    progress = _Progress(epochs, stderr)
    chunk = 1
    done = 0
    loss = math.nan
    try:
        while done < epochs and not (stop is not None and stop.requested):
            began = time.monotonic()
            before = trainer.epoch
            loss = trainer.run(min(chunk, epochs - done))
            done += trainer.epoch - before
            progress.update(done, loss)
            if trainer.diverged or trainer.halted:
                break
            elapsed = time.monotonic() - began
            if elapsed < CHUNK_SECONDS / 2:
                chunk *= 2
            elif elapsed > 2 * CHUNK_SECONDS and chunk > 1:
                chunk //= 2
        progress.update(done, loss, force=True)
    finally:
        progress.close()
    return done


@dataclass(frozen=True)
class _Start:
    """What a run started from, to tell why it diverged."""

    epoch: int
    diverged: bool
    params_finite: bool
    largest_param: float
    loss: float

    @classmethod
    def of(cls, trainer):
        values = [p.detach().numpy() for p in trainer.model.parameters()]
        with np.errstate(all="ignore"):
            loss = float(trainer.loss_tensor().item()) if trainer.can_train else math.nan
            return cls(
                epoch=trainer.epoch,
                diverged=trainer.diverged,
                params_finite=all(np.isfinite(v).all() for v in values),
                largest_param=max((float(np.abs(v).max()) for v in values if v.size), default=0.0),
                loss=loss,
            )


def _why_diverged(trainer, start):
    """Why a run diverged, and what to do, in a few words: the learning rate is one cause of several."""
    if start.diverged or not start.params_finite:
        when = (
            f"after training had diverged at epoch {start.epoch}"
            if start.diverged
            else "with NaN or infinite parameters"
        )
        return f"the session was saved {when}, so no learning rate can help; start again from a preset"
    if not math.isfinite(start.loss):
        points = trainer.points
        largest_point = float(np.abs(points).max()) if points.size else 0.0
        if largest_point >= start.largest_param:
            what = f"the points (largest coordinate {largest_point:.3g}) are"
        else:
            what = f"the starting parameters (largest {start.largest_param:.3g}) are"
        return (
            f"the loss was already {start.loss} before the first step: {what} too large for float32 "
            "arithmetic, whatever the learning rate; scale them down"
        )
    return f"try a smaller learning rate than {trainer.config.lr:g}"


def _describe_params(params):
    if sum(v.size for v in params.values()) > 4:
        return f"{sum(v.size for v in params.values())} parameters"
    parts = []
    for name, value in params.items():
        values = value.reshape(-1).tolist()
        text = ", ".join(f"{v:.6g}" for v in values)
        parts.append(f"{name} = {text if len(values) == 1 else '[' + text + ']'}")
    return ", ".join(parts)


@dataclass(frozen=True)
class _Trained:
    """What ``playground train`` writes its outputs from."""

    trainer: Trainer
    snapshot: object


_TRAIN_OUTPUTS = (
    _OutputOption(
        "--export-params",
        io.PARAMETER_EXTENSIONS,
        lambda path, run: io.export_parameters(path, run.snapshot),
        "FILE",
        "write the parameters (.json, .csv or .npz)",
    ),
    _OutputOption(
        "--export-loss",
        (".csv",),
        lambda path, run: io.export_loss_csv(path, run.trainer.losses(), run.trainer.metric_history()),
        "FILE.csv",
        "write the loss curve (epoch,loss; classification adds test_loss,train_accuracy,test_accuracy)",
    ),
    _OutputOption(
        "--save-session",
        (".json",),
        lambda path, run: io.save_session(path, run.trainer.points, run.trainer),
        "FILE",
        "save a session to carry on from later (.json)",
    ),
    _OutputOption(
        "--export-torch",
        (".py",),
        lambda path, run: io.export_torch_script(path, run.trainer.points, run.trainer),
        "FILE.py",
        "write a PyTorch script that replays the run",
    ),
)


def _run_train(args, stdout, stderr):
    outputs = [o for o in (option.requested(args) for option in _TRAIN_OUTPUTS) if o is not None]
    _check_outputs(outputs)
    source, trainer = _trainer_for(args)
    watch = _watch_breakpoints(trainer, args)

    first_epoch = trainer.epoch
    start = _Start.of(trainer)
    with _StopOnCtrlC() as stop:
        trained = _train(trainer, args.epochs, stderr, stop)
        stop.writing = True
        snapshot = trainer.snapshot()
        written, failed = _write_outputs(outputs, _Trained(trainer, snapshot), stderr)

    loss = "n/a" if math.isnan(snapshot.loss) else f"{snapshot.loss:.6g}"
    state = f"epoch {snapshot.epoch}{f' (+{trained})' if first_epoch else ''}, loss {loss}{_accuracy(snapshot)}"
    params_finite = all(np.isfinite(v).all() for v in snapshot.params.values())
    diverged = snapshot.diverged or not params_finite
    if diverged:
        what = f"loss {snapshot.loss}" if snapshot.diverged else "NaN or infinite parameters"
        line = f"{source}: {_stopped_by(watch, trainer)}diverged at epoch {snapshot.epoch} ({what}); {_why_diverged(trainer, start)}"
    elif stop.requested:
        line = f"{source}: stopped by Ctrl-C after {trained} of {args.epochs} epochs: {state}, {_describe_params(snapshot.params)}"
    else:
        line = f"{source}: {_stopped_by(watch, trainer)}{state}, {_describe_params(snapshot.params)}"
    print(line + _wrote(written), file=stdout)

    if stop.requested:
        return EXIT_INTERRUPTED
    if failed:
        return EXIT_NOT_WRITTEN
    return EXIT_FAILED if diverged else EXIT_OK


def _accuracy(snapshot):
    """``, train accuracy 0.98, test accuracy 0.97`` for a classification run; else nothing."""
    if snapshot.metrics is None:
        return ""
    parts = [
        f"{what} accuracy {snapshot.metrics[key]:.4g}"
        for what, key in (("train", "train_accuracy"), ("test", "test_accuracy"))
        if not math.isnan(snapshot.metrics[key])
    ]
    return "".join(", " + part for part in parts)


def _trainer_for(args):
    """The trainer a command starts from (a preset or a session, with ``--points`` and ``--lr``), and its source's name."""
    if args.preset is not None:
        try:
            preset = load_preset(args.preset)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        source = preset.name
        trainer = Trainer(preset.config, preset.points)
    else:
        try:
            session = io.load_session(args.session)
        except io.SessionError as exc:
            raise _UsageError(str(exc)) from None
        source = os.path.basename(args.session)
        trainer = session.make_trainer()
    if args.points is not None:
        try:
            columns = 3 if trainer.config.task == "classification" else 2
            trainer.set_points(io.read_points_csv(args.points, columns))
        except io.PointsFormatError as exc:
            raise _UsageError(str(exc).replace("\n", " ")) from None
    if args.lr is not None:
        trainer.set_config(trainer.config.replace(lr=args.lr))
    if not trainer.can_train and args.epochs > 0:
        raise _UsageError(trainer.why_not)
    return source, trainer


# ----------------------------------------------------------------------------------------
# Breakpoints: --stop-when


def _stop_when(text):
    try:
        Breakpoints.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _add_stop_when(parser):
    parser.add_argument(
        "--stop-when",
        type=_stop_when,
        action="append",
        metavar="CONDITIONS",
        help=f"stop early when a condition holds, and say which: {SYNTAX} (comma-separated, or the option repeated)",
    )


def _watch_breakpoints(trainer, args):
    """A breakpoint watch on ``trainer`` for ``--stop-when``, or None."""
    if not args.stop_when:
        return None
    watch = BreakpointWatch(Breakpoints.parse(args.stop_when))
    trainer.add_observer(watch)
    return watch


def _stopped_by(watch, trainer):
    """``stopped at epoch N: why (--stop-when …); `` when a breakpoint stopped training, else nothing."""
    if watch is None or watch.hit is None or not trainer.halted:
        return ""
    hit = watch.hit
    condition = Breakpoints(**{hit.condition: getattr(watch.breakpoints, hit.condition)}).describe()
    return f"stopped at epoch {hit.epoch}: {hit.detail} (--stop-when {condition}); "


def _run_presets(stdout):
    width = max(len(name) for name in PRESETS)
    for name, preset in PRESETS.items():
        count = f"{preset.n_points} point{'s' if preset.n_points != 1 else ''}"
        if preset.generated:
            count += f", generated (noise {preset.noise:g}, seed {preset.seed})"
        print(f"{name:<{width}}  {preset.title} ({count}): {preset.description}", file=stdout)
    return EXIT_OK


# ----------------------------------------------------------------------------------------
# playground landscape


def _attach_ranges(argv):
    """``--range -1:3,-1:2`` as ``--range=-1:3,-1:2``: a range may start with a minus sign, which
    argparse would otherwise read as an option."""
    argv = list(argv)
    for i, token in enumerate(argv[:-1]):
        if token == "--range" and argv[i + 1].startswith("-"):
            argv[i : i + 2] = [f"--range={argv[i + 1]}"]
            break
    return argv


def _add_landscape_parser(commands):
    landscape = commands.add_parser(
        "landscape",
        help="train, then write the loss over one or two parameters (and the path the optimizer took)",
        description=(
            "Train a preset or a saved session, then write the loss over a grid of one or two parameters "
            "(the others at their final values) and, with --path, the parameters and loss after every epoch."
        ),
        epilog="Exit status: 0 on success; 1 if training diverged or a file could not be written; "
        "2 for bad arguments or unreadable input.",
    )
    source = landscape.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help=f"start from a preset ({', '.join(PRESETS)})")
    source.add_argument("--session", metavar="FILE", help="carry on from a saved session (.json)")
    landscape.add_argument(
        "--params",
        metavar="P1,P2",
        help="the parameters on the axes, as the Parameters panel names them (w,b; hidden1.weight[0,0]); "
        "one or two; default: the model's first two",
    )
    landscape.add_argument(
        "--range",
        metavar="LO:HI,LO:HI",
        help="each parameter's range (default: around the path and the least-squares minimum, as the app shows it)",
    )
    landscape.add_argument(
        "--grid", type=_grid_size, default=GRID_SIZE, metavar="N", help=f"N×N grid points (default {GRID_SIZE})"
    )
    landscape.add_argument(
        "--epochs",
        type=_epochs,
        default=DEFAULT_EPOCHS,
        metavar="E",
        help=f"epochs to train first (default {DEFAULT_EPOCHS})",
    )
    landscape.add_argument(
        "--lr", type=_learning_rate, metavar="LR", help="learning rate (default: the preset's or session's)"
    )
    landscape.add_argument("--points", metavar="FILE.csv", help="train on the points of this CSV file (x,y)")
    landscape.add_argument("--out", metavar="GRID.csv", required=True, help="write the grid (P1,P2,loss)")
    landscape.add_argument("--path", metavar="PATH.csv", help="write the path (epoch,P1,P2,loss; epoch 0 = start)")


def _grid_size(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of grid points, got {text!r}") from None
    if not 2 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"the grid must have 2 to 1024 points a side, not {value}")
    return value


def _split_params(text):
    """``w,b`` or ``hidden1.weight[0,0],output.bias``: split at the commas outside brackets."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _ranges(text, count):
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != count:
        raise _UsageError(f"--range needs {count} range{'s' if count > 1 else ''} LO:HI, one per parameter")
    ranges = []
    for part in parts:
        bounds = part.split(":")
        try:
            lo, hi = (float(b) for b in bounds)
        except ValueError:
            raise _UsageError(f"--range: {part!r} is not LO:HI (two numbers)") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise _UsageError(f"--range: {part!r} must be finite numbers with LO < HI")
        ranges.append((lo, hi))
    return ranges


class _PathLosses:
    """Observer: the loss on all the points at the parameters after each epoch (the path's loss column)."""

    def __init__(self, trainer):
        self.losses = [self._loss(trainer)]

    @staticmethod
    def _loss(trainer):
        if not trainer.can_train:
            return math.nan
        with engine.no_grad():
            return trainer.loss_tensor().item()

    def epoch_done(self, trainer, loss):
        self.losses.append(self._loss(trainer))
        return False

    def trainer_changed(self, trainer, what):
        pass


def _run_landscape(args, stdout, stderr):
    _check_outputs(
        [_Output(what, path, (".csv",), None) for path, what in ((args.out, "--out"), (args.path, "--path")) if path]
    )
    source, trainer = _trainer_for(args)
    params = trainer.snapshot().params
    shapes = {name: value.shape for name, value in params.items()}
    if args.params:
        names = _split_params(args.params)
        if not 1 <= len(names) <= 2:
            raise _UsageError("--params names one or two parameters, e.g. w,b")
        try:
            coordinates = tuple(parse_coordinate(name, shapes) for name in names)
        except ValueError as exc:
            raise _UsageError(f"--params: {exc}") from None
        if len(set(coordinates)) != len(coordinates):
            raise _UsageError("--params names the same parameter twice")
    else:
        coordinates = default_coordinates(params)
    ranges = _ranges(args.range, len(coordinates)) if args.range else None

    trail = Trail(max_rows=args.epochs + 1)  # every epoch
    trail.restart(trainer, coordinates)
    losses = _PathLosses(trainer)
    trainer.add_observer(trail)
    trainer.add_observer(losses)
    _train(trainer, args.epochs, stderr)
    snapshot = trainer.snapshot()
    epochs, values = trail.path()

    evaluator = LandscapeEvaluator()
    minimum = evaluator.minimum(trainer.config, trainer.points, snapshot.params, coordinates)
    if ranges is None:
        shown = values if minimum is None else np.vstack([values, [minimum]])
        ranges = follow_range(shown)
    grid = evaluator.grid(trainer.config, trainer.points, snapshot.params, coordinates, ranges, size=args.grid)

    written = []
    try:
        io.export_landscape_csv(args.out, grid)
        written.append(args.out)
        if args.path:
            io.export_path_csv(args.path, coordinates, epochs, values, losses.losses)
            written.append(args.path)
    except io.PlaygroundFileError as exc:
        print(f"playground: error: {exc}", file=stderr)
        return EXIT_FAILED

    names = ", ".join(c.label for c in coordinates)
    where = " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in ranges)
    lowest = (
        np.nanmin(np.where(np.isfinite(grid.losses), grid.losses, np.nan))
        if np.isfinite(grid.losses).any()
        else math.nan
    )
    at = ", ".join(f"{c.label} = {v:.4g}" for c, v in zip(coordinates, grid.argmin()))
    size = f"{args.grid}×{args.grid} grid" if len(coordinates) == 2 else f"{args.grid} points"
    print(
        f"{source}: epoch {snapshot.epoch}, loss {snapshot.loss:.6g}; the loss over {names} on {where} "
        f"({size}) is lowest, {lowest:.6g}, at {at}; wrote {', '.join(written)}",
        file=stdout,
    )
    if snapshot.diverged:
        print(
            f"{source}: training diverged at epoch {snapshot.epoch}; try a smaller learning rate than {trainer.config.lr:g}",
            file=stdout,
        )
        return EXIT_FAILED
    return EXIT_OK


def main(argv=None) -> int:
    """Run the command line; return the exit status (see :data:`EXIT_STATUS_HELP`).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name (``sys.argv[1:]`` by default), for
        example ``["train", "--preset", "linear-regression", "--epochs", "200"]``.
    """
    stdout, stderr = sys.stdout, sys.stderr
    try:
        args = _parser().parse_args(_attach_ranges(sys.argv[1:] if argv is None else list(argv)))
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "presets":
            return _run_presets(stdout)
        if args.command == "landscape":
            return _run_landscape(args, stdout, stderr)
        return _run_train(args, stdout, stderr)
    except _UsageError as exc:
        for problem in exc.args:
            print(f"playground: error: {problem}", file=stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("playground: interrupted", file=stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
