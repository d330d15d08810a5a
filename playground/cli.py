"""``playground train``, ``playground landscape`` and ``playground presets``: training without a window.

Imports no Qt. Usage::

    playground train --preset linear-regression --epochs 200 --export-params p.json --export-loss l.csv
    playground train --session run.json --epochs 100 --save-session run.json
    playground train --preset sine --epochs 5000 --stop-when "converged<1e-7,loss-rises"
    playground landscape --preset linear-regression --params w,b --range -1:3,-1:2 --grid 64 \
        --epochs 200 --out grid.csv --path path.csv
    playground presets

Exit status: 0 on success; 1 if training diverged or an output file could not be
written; 2, with a one-line message, for bad arguments or unreadable input.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

import engine
from playground import io
from playground.breakpoints import SYNTAX, Breakpoints, BreakpointWatch
from playground.coordinates import parse_coordinate
from playground.descent import Trail
from playground.landscape import GRID_SIZE, LandscapeEvaluator, default_coordinates, follow_range
from playground.presets import PRESETS, load_preset
from playground.trainer import Trainer

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_EPOCHS = 200


class _UsageError(Exception):
    """Bad arguments or unreadable input: a one-line message and exit status 2."""


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
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Gradient Playground without a window: train a preset or a saved session and export the results.",
        epilog="Exit status: 0 on success; 1 if training diverged or a file could not be written; "
        "2 for bad arguments or unreadable input.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{train,landscape,presets}")
    commands.required = True

    train = commands.add_parser(
        "train",
        help="train a preset or a saved session",
        description="Train a preset or a saved session, then export what was trained.",
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
    train.add_argument("--export-params", metavar="FILE", help="write the parameters (.json, .csv or .npz)")
    train.add_argument("--export-loss", metavar="FILE.csv", help="write the loss curve (epoch,loss)")
    train.add_argument("--save-session", metavar="FILE", help="save a session to carry on from later (.json)")
    train.add_argument("--export-torch", metavar="FILE.py", help="write a PyTorch script that replays the run")
    _add_stop_when(train)

    _add_landscape_parser(commands)
    commands.add_parser("presets", help="list the presets", description="List the presets.")
    return parser


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


def _train(trainer, epochs, stderr):
    progress = _Progress(epochs, stderr)
    chunk = max(1, min(1000, epochs // 200))
    done = 0
    loss = trainer.snapshot().loss
    while done < epochs:
        n = min(chunk, epochs - done)
        before = trainer.epoch
        loss = trainer.run(n)
        done += trainer.epoch - before
        progress.update(done, loss)
        if trainer.diverged or trainer.halted:
            break
    progress.update(done, loss, force=True)
    progress.close()
    return done


def _describe_params(params):
    if sum(v.size for v in params.values()) > 4:
        return f"{sum(v.size for v in params.values())} parameters"
    parts = []
    for name, value in params.items():
        values = value.reshape(-1).tolist()
        text = ", ".join(f"{v:.6g}" for v in values)
        parts.append(f"{name} = {text if len(values) == 1 else '[' + text + ']'}")
    return ", ".join(parts)


def _check_output(path, extensions, what):
    ext = os.path.splitext(path)[1].lower()
    if ext not in extensions:
        raise _UsageError(f"{what} must end in {' or '.join(extensions)}: {path}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise _UsageError(f"the folder of {path} does not exist")


def _run_train(args, stdout, stderr):
    outputs = [
        (args.export_params, io.PARAMETER_EXTENSIONS, "--export-params"),
        (args.export_loss, (".csv",), "--export-loss"),
        (args.save_session, (".json",), "--save-session"),
        (args.export_torch, (".py",), "--export-torch"),
    ]
    for path, extensions, what in outputs:
        if path is not None:
            _check_output(path, extensions, what)

    source, trainer = _trainer_for(args)
    watch = _watch_breakpoints(trainer, args)

    start = trainer.epoch
    trained = _train(trainer, args.epochs, stderr)
    snapshot = trainer.snapshot()

    written = []
    try:
        if args.export_params:
            io.export_parameters(args.export_params, snapshot)
            written.append(args.export_params)
        if args.export_loss:
            io.export_loss_csv(args.export_loss, trainer.losses())
            written.append(args.export_loss)
        if args.save_session:
            io.save_session(args.save_session, trainer.points, trainer)
            written.append(args.save_session)
        if args.export_torch:
            io.export_torch_script(args.export_torch, trainer.points, trainer)
            written.append(args.export_torch)
    except io.PlaygroundFileError as exc:
        print(f"playground: error: {exc}", file=stderr)
        return EXIT_FAILED

    if snapshot.diverged:
        print(
            f"{source}: {_stopped_by(watch, trainer)}diverged at epoch {snapshot.epoch} (loss {snapshot.loss}); "
            f"try a smaller learning rate than {trainer.config.lr:g}",
            file=stdout,
        )
        return EXIT_FAILED
    loss = "n/a" if math.isnan(snapshot.loss) else f"{snapshot.loss:.6g}"
    since = f" (+{trained})" if start else ""
    print(
        f"{source}: {_stopped_by(watch, trainer)}epoch {snapshot.epoch}{since}, loss {loss}, "
        f"{_describe_params(snapshot.params)}" + (f"; wrote {', '.join(written)}" if written else ""),
        file=stdout,
    )
    return EXIT_OK


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
            trainer.set_points(io.read_points_csv(args.points))
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
    for path, what in ((args.out, "--out"), (args.path, "--path")):
        if path is not None:
            _check_output(path, (".csv",), what)
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
    """Run the command line; return the exit status.

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
        print(f"playground: error: {exc}", file=stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
