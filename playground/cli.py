"""``playground train`` and ``playground presets``: training without a window.

Imports no Qt. Usage::

    playground train --preset linear-regression --epochs 200 --export-params p.json --export-loss l.csv
    playground train --session run.json --epochs 100 --save-session run.json
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

from playground import io
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
    commands = parser.add_subparsers(dest="command", metavar="{train,presets}")
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
        if trainer.diverged:
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
            f"{source}: diverged at epoch {snapshot.epoch} (loss {snapshot.loss}); "
            f"try a smaller learning rate than {trainer.config.lr:g}",
            file=stdout,
        )
        return EXIT_FAILED
    loss = "n/a" if math.isnan(snapshot.loss) else f"{snapshot.loss:.6g}"
    since = f" (+{trained})" if start else ""
    print(
        f"{source}: epoch {snapshot.epoch}{since}, loss {loss}, {_describe_params(snapshot.params)}"
        + (f"; wrote {', '.join(written)}" if written else ""),
        file=stdout,
    )
    return EXIT_OK


def _run_presets(stdout):
    width = max(len(name) for name in PRESETS)
    for name, preset in PRESETS.items():
        count = f"{preset.n_points} point{'s' if preset.n_points != 1 else ''}"
        if preset.generated:
            count += f", generated (noise {preset.noise:g}, seed {preset.seed})"
        print(f"{name:<{width}}  {preset.title} ({count}): {preset.description}", file=stdout)
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
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "presets":
            return _run_presets(stdout)
        return _run_train(args, stdout, stderr)
    except _UsageError as exc:
        print(f"playground: error: {exc}", file=stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
