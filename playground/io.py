"""Files: parameter and loss-curve exports, point CSVs, sessions and PyTorch scripts.

Qt-free, used by the app's File menu and by ``playground train``. Every file is
written atomically (a hidden temporary file ``.NAME.XXXXXXXX.tmp`` beside the target,
then ``os.replace``), so a failed save never leaves a half-written file. Saving over a
symbolic link writes the file it points to, and saving over a file keeps its
permissions. A temporary file left by a save that was killed is removed by the next save
to the same target once it is a minute old (younger ones may belong to a save in
progress). Every reader raises one clear error type (:class:`PointsFormatError`,
:class:`SessionError`) for anything it cannot use, and returns new objects, so a failed
open changes nothing. Nothing is pickled.

JSON files are standard JSON. A number that is not finite (the loss of a diverged run,
its parameters and gradients) is written as one of the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` (as Protocol Buffers' JSON mapping does), and read back as that float.
Sessions written by earlier versions, with the bare tokens ``NaN`` and ``Infinity``,
still open.

Formats
-------
parameters (.json)
    ``{"format": "gradient-playground-parameters", "version": 1, "model": {...},
    "loss": ..., "optimizer": {...}, "batch_size": ..., "seed": ..., "epoch": ...,
    "final_loss": ..., "parameters": {name: {"shape": [...], "values": nested lists}}}``;
    ``final_loss`` is null before the first epoch; ``final_loss`` and the values may be
    ``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` after a divergence.
parameters (.csv)
    ``parameter,value``, one row per entry, spelled as the app spells it everywhere: ``b`` for a
    one-element parameter, ``"w[1, 0]"`` for an entry of a matrix (quoted, as CSV quotes a comma).
parameters (.npz)
    One float32 array per parameter; readable with ``numpy.load(allow_pickle=False)``.
loss curve (.csv)
    ``epoch,loss``, epoch counted from 1.
points (.csv)
    Two columns, x and y, comma or whitespace separated, optional header row;
    ``#`` starts a comment line. (Semicolons are not separators: rows that hold one get
    a hint to save the file with commas and decimal points.)
session (.json)
    ``{"format": "gradient-playground-session", "version": 1, "points": [[x, y], ...],
    "trainer": Trainer.state_dict(), "app": {...}}``. The points are finite; any
    number of the trainer state may be ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io as io_module
import json
import math
import os
import re
import stat
import tempfile
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from playground.config import MAX_COORDINATE, Config
from playground.coordinates import element_name
from playground.models import MODELS, OPTIMIZERS
from playground.torch_export import torch_script
from playground.trainer import METRICS, Snapshot, Trainer

__all__ = [
    "PARAMETERS_FORMAT",
    "SESSION_FORMAT",
    "SESSION_VERSION",
    "PlaygroundFileError",
    "PointsFormatError",
    "Session",
    "SessionError",
    "check_writable",
    "export_loss_csv",
    "export_parameters",
    "export_points_csv",
    "export_torch_script",
    "load_session",
    "loss_csv_text",
    "parameters_document",
    "parse_points_csv",
    "parse_session",
    "points_csv_text",
    "read_points_csv",
    "save_session",
    "session_document",
]

PARAMETERS_FORMAT = "gradient-playground-parameters"
PARAMETERS_VERSION = 1
SESSION_FORMAT = "gradient-playground-session"
SESSION_VERSION = 1
PARAMETER_EXTENSIONS = (".json", ".csv", ".npz")
MAX_REPORTED_ROWS = 10
#: A temporary file of a save is left behind only if the save was killed; one older than this
#: (seconds) cannot belong to a save in progress, and the next save to its target removes it.
STALE_TEMP_SECONDS = 60.0
_TEMP_SUFFIX = ".tmp"
_TEMP_RANDOM = "[a-z0-9_]{8}"  # tempfile.mkstemp's random part
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
#: Rows NumPy parses at a time (a few milliseconds).
PARSE_CHUNK = 4096


class PlaygroundFileError(ValueError):
    """A file could not be read or written; the message says why, in one sentence or a short list."""


class PointsFormatError(PlaygroundFileError):
    """A points CSV could not be used.

    Attributes
    ----------
    problems : list of (int, str)
        ``(line number, what is wrong)`` for every unusable row (empty for whole-file problems).
    """

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


class SessionError(PlaygroundFileError):
    """A session file is unreadable, corrupt, or from a newer version of the program."""


# ----------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------


def _atomic_write(path, write, error=None):
    """Call ``write(binary_file)`` on a temporary file beside ``path``, then rename it over ``path``.

    An OSError becomes ``error`` (PlaygroundFileError unless given) with a one-line message.
    """
    try:
        _write_replacing(os.fspath(path), write)
    except OSError as exc:
        raise (error or PlaygroundFileError)(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from exc


def _target(path):
    """The file that writing ``path`` replaces (symbolic links followed) and its status (None if absent)."""
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target, None
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder")
    if not stat.S_ISREG(status.st_mode):
        raise OSError(errno.EINVAL, "it is not a regular file")
    return target, status


def _temp_file(target):
    """A new, empty, private temporary file beside ``target``: (descriptor, path)."""
    folder, name = os.path.split(target)
    return tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=_TEMP_SUFFIX)


def _remove_stale_temp_files(target):
    """Remove the temporary files of ``target`` that killed saves left behind (see STALE_TEMP_SECONDS)."""
    folder, name = os.path.split(target)
    pattern = re.compile(re.escape(f".{name}.") + _TEMP_RANDOM + re.escape(_TEMP_SUFFIX))
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                status = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(status.st_mode) and now - status.st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(entry.path)


def _new_file_mode():
    # mkstemp makes the file private; a new file gets the permissions any newly created file would have.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_replacing(path, write):
    target, existing = _target(path)
    _remove_stale_temp_files(target)
    fd, temp = _temp_file(target)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if existing is None:
                os.fchmod(f.fileno(), _new_file_mode())
            else:  # the file replaced keeps its permissions and, where allowed, its owner
                os.fchmod(f.fileno(), stat.S_IMODE(existing.st_mode))
                if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(f.fileno(), existing.st_uid, existing.st_gid)
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def check_writable(path):
    """Check that a file could be saved to ``path`` now, leaving nothing behind.

    Follows symbolic links as saving does, and creates and removes a temporary file in the
    folder, so what the operating system would refuse (a read-only folder or file system,
    missing permissions) is found before any work is done. An existing file is neither
    touched nor required to be writable: saving replaces it, keeping its permissions.

    Raises
    ------
    PlaygroundFileError
        Saying why not, in one line: the folder does not exist, the path is a folder or not
        a regular file, or the folder cannot be written.
    """
    path = os.fspath(path)
    try:
        target, _ = _target(path)
        if not os.path.isdir(os.path.dirname(target)):
            raise FileNotFoundError(errno.ENOENT, "its folder does not exist")
        fd, temp = _temp_file(target)
        os.close(fd)
        os.unlink(temp)
    except OSError as exc:
        raise PlaygroundFileError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _read_bytes(path, error):
    """The file's bytes; an OSError becomes ``error`` with a one-line message."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise error(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from exc


def _write_text(path, text, error=None):
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")), error)


def _json_number(value):
    """A float as standard JSON: itself if finite, else "NaN", "Infinity" or "-Infinity"."""
    value = float(value)
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _json_numbers(value):
    """``value`` (JSON-able data) with every non-finite float written as :func:`_json_number` does."""
    if isinstance(value, float):
        return value if value - value == 0.0 else _json_number(value)
    if isinstance(value, (list, tuple)):
        kinds = set(map(type, value))  # a long loss history takes the short ways below
        if kinds <= {float, int}:
            if math.isfinite(sum(value)):  # (a sum that overflows takes the long way)
                return list(value)
            return [v if v - v == 0.0 else _json_number(v) for v in value]
        return [_json_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    return value


def _numbers_from_json(value):
    """The inverse of :func:`_json_numbers`: "NaN", "Infinity" and "-Infinity" become floats again."""
    if isinstance(value, str):
        return _NON_FINITE.get(value, value)
    if isinstance(value, list):
        kinds = set(map(type, value))
        if kinds <= {float, int}:
            return value
        if kinds <= {float, int, str}:
            return [_NON_FINITE.get(v, v) if type(v) is str else v for v in value]
        return [_numbers_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _numbers_from_json(v) for k, v in value.items()}
    return value


def _float_text(value):
    return repr(float(value))


# ----------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------


def _model_description(config):
    arguments = MODELS[config.model].arguments(config)
    return {"name": config.model, **{k: list(v) if isinstance(v, tuple) else v for k, v in arguments.items()}}


def _optimizer_description(config):
    settings = OPTIMIZERS[config.optimizer].settings(config)
    return {"name": config.optimizer, **{k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}}


def parameters_document(snapshot: Snapshot) -> dict:
    """The JSON parameter export of ``snapshot`` as a dict (see the module docstring)."""
    config = snapshot.config
    return {
        "format": PARAMETERS_FORMAT,
        "version": PARAMETERS_VERSION,
        "model": _model_description(config),
        "loss": config.loss,
        "optimizer": _optimizer_description(config),
        "batch_size": config.batch_size,
        "seed": config.seed,
        "epoch": snapshot.epoch,
        "final_loss": _json_number(snapshot.loss) if snapshot.epoch else None,
        **_classification_description(snapshot),
        "parameters": {
            name: {"shape": list(np.shape(value)), "values": _json_numbers(np.asarray(value).tolist())}
            for name, value in snapshot.params.items()
        },
    }


def _classification_description(snapshot):
    """What a classification run adds to the parameter export: its task, classes, split,
    regularization and final metrics (None where there are no points to measure)."""
    config = snapshot.config
    extra = {}
    if config.regularization != "none":
        extra["regularization"] = {"name": config.regularization, "rate": config.regularization_rate}
    if config.task != "classification":
        return extra
    extra.update(task=config.task, classes=config.classes, test_fraction=config.test_fraction)
    if snapshot.metrics is not None:
        extra["metrics"] = {name: _json_number(value) for name, value in snapshot.metrics.items()}
    return extra


def _parameters_csv(snapshot):
    out = io_module.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["parameter", "value"])
    for name, value in snapshot.params.items():
        value = np.asarray(value)
        for index in np.ndindex(*value.shape):
            writer.writerow([element_name(name, value.shape, index), _float_text(float(value[index]))])
    return out.getvalue()


def export_parameters(path, snapshot: Snapshot):
    """Write the parameters of ``snapshot`` to ``path``; the format follows the extension.

    Parameters
    ----------
    path : str or os.PathLike
        Ends in ``.json``, ``.csv`` or ``.npz``.
    snapshot : Snapshot

    Raises
    ------
    PlaygroundFileError
        For another extension, or when the file cannot be written.
    """
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext == ".json":
        _write_text(path, json.dumps(parameters_document(snapshot), indent=2, allow_nan=False) + "\n")
    elif ext == ".csv":
        _write_text(path, _parameters_csv(snapshot))
    elif ext == ".npz":
        arrays = {name: np.asarray(value) for name, value in snapshot.params.items()}
        _atomic_write(path, lambda f: np.savez(f, **arrays))
    else:
        raise PlaygroundFileError(
            f"parameters can be exported as {', '.join(PARAMETER_EXTENSIONS)}, not {ext or 'a file without extension'}"
        )


# ----------------------------------------------------------------------------------------
# Loss curve
# ----------------------------------------------------------------------------------------


def loss_csv_text(loss_history, metrics=None) -> str:
    """``epoch,loss`` rows, epoch counted from 1 (the loss computed in that epoch, before its step).

    With ``metrics`` (a classification run's :meth:`~playground.trainer.Trainer.metric_history`,
    one row per epoch), the columns ``test_loss,train_accuracy,test_accuracy`` follow, measured at
    the same parameters as the loss.
    """
    if metrics is None or len(metrics) == 0:
        lines = ["epoch,loss"]
        lines.extend(f"{epoch},{_float_text(loss)}" for epoch, loss in enumerate(loss_history, start=1))
        return "\n".join(lines) + "\n"
    metrics = np.asarray(metrics, dtype=np.float64).reshape(-1, len(METRICS))
    lines = [",".join(("epoch", "loss", *METRICS))]
    lines.extend(
        ",".join([str(epoch), _float_text(loss), *(_float_text(v) for v in row)])
        for epoch, (loss, row) in enumerate(zip(loss_history, metrics.tolist()), start=1)
    )
    return "\n".join(lines) + "\n"


def export_loss_csv(path, loss_history, metrics=None):
    """Write the loss curve to ``path`` as CSV (see :func:`loss_csv_text`)."""
    _write_text(path, loss_csv_text(loss_history, metrics))


# ----------------------------------------------------------------------------------------
# Points
# ----------------------------------------------------------------------------------------


_SEPARATOR_HINT = "separate x and y with a comma or spaces, and use a point as the decimal mark, as in 1.5,2.5"


def _number(field_text):
    """``float(field_text)`` if it is a finite number, else None; and a reason."""
    try:
        value = float(field_text)
    except ValueError:
        return None, f"{field_text!r} is not a number"
    if not math.isfinite(value):
        return None, f"{field_text!r} is not a finite number"
    if abs(value) > MAX_COORDINATE:
        return None, f"{field_text!r} is too large (beyond ±{MAX_COORDINATE:.3g})"
    return value, ""


def parse_points_csv(text, columns=2) -> np.ndarray:
    """Read points from CSV text: two columns (x, y), comma or whitespace separated; with
    ``columns=3``, points in the plane (x1, x2, class), the class a whole number from 0.

    A first row that holds no numbers at all (``x,y``) is a header. Empty lines and
    lines starting with ``#`` are skipped.

    Parameters
    ----------
    text : str or bytes
        Bytes are decoded as UTF-8 (a byte-order mark is allowed).

    Returns
    -------
    np.ndarray
        float64, shape (N, columns), N ≥ 1, all finite.

    Raises
    ------
    PointsFormatError
        Listing every row that could not be read, with its line number, or saying the
        file holds no points or is not text.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PointsFormatError("this is not a text file (it is not valid UTF-8)") from exc
    elif text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise PointsFormatError("this is not a text file (it holds NUL bytes)")
    clean = _parse_clean_points(text, columns)
    points = clean if clean is not None else _parse_rows(text, columns)
    if columns == 3:
        labels = points[:, 2]
        bad = np.flatnonzero((labels != np.round(labels)) | (labels < 0))
        if len(bad):
            problems = [(None, f"class {labels[i]!r} is not a whole number from 0") for i in bad]
            shown = ", ".join(repr(float(labels[i])) for i in bad[:MAX_REPORTED_ROWS])
            raise PointsFormatError(
                f"{len(bad)} point{'s have' if len(bad) > 1 else ' has'} a class that is not a whole number from 0: {shown}",
                problems,
            )
    return points


_COLUMN_NAMES = {2: "x, y", 3: "x1, x2, class"}


def _parse_rows(text, columns=2) -> np.ndarray:
    """Points row by row, collecting every problem with its line number (see :func:`parse_points_csv`)."""
    rows, problems = [], []
    first_row = True
    semicolons = False  # an unread row holds one: the file is probably "x;y" or "1,5;2,5" (decimal commas)
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")] if "," in line else line.split()
        values, reasons = [], []
        for f in fields:
            value, reason = _number(f)
            values.append(value)
            if reason:
                reasons.append(reason)
        is_header = first_row and _is_header(fields)
        first_row = False
        if is_header:
            semicolons = ";" in line
            continue
        if len(fields) != columns:
            problems.append((number, f"expected {columns} values ({_COLUMN_NAMES[columns]}), found {len(fields)}"))
        elif reasons:
            problems.append((number, "; ".join(reasons)))
        else:
            rows.append(values)
            continue
        semicolons = semicolons or ";" in line
    if problems:
        shown = [f"line {n}: {why}" for n, why in problems[:MAX_REPORTED_ROWS]]
        more = len(problems) - MAX_REPORTED_ROWS
        if more > 0:
            shown.append(f"and {more} more row{'s' if more > 1 else ''}")
        noun = "row" if len(problems) == 1 else "rows"
        message = f"{len(problems)} {noun} could not be read: " + "; ".join(shown)
        if semicolons:
            message += f" ({'it holds' if len(problems) == 1 else 'they hold'} semicolons: {_SEPARATOR_HINT})"
        raise PointsFormatError(message, problems)
    if not rows:
        hint = f" (its first row, read as a header, holds semicolons: {_SEPARATOR_HINT})" if semicolons else ""
        raise PointsFormatError("the file holds no points" + hint)
    return np.array(rows, dtype=np.float64).reshape(-1, columns)


def _is_header(fields) -> bool:
    """A row with no number in it at all (``x,y``); "nan" and "inf" are numbers, if unusable ones."""
    return all(_number(f)[0] is None for f in fields) and not any(
        f.lower().lstrip("+-") in ("nan", "inf", "infinity") for f in fields
    )


def _parse_clean_points(text, columns=2):
    """The points of a well-formed file, parsed by NumPy (five times faster than row by row);
    None when anything is off, so that the careful parser can say what and where.

    NumPy reads ``PARSE_CHUNK`` rows at a time: it holds Python's GIL while it parses, and
    between chunks other threads (the GUI's) get their turn.
    """
    lines = text.splitlines()
    content = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        return None
    first = lines[content[0]].strip()
    header = _is_header([f.strip() for f in first.split(",")] if "," in first else first.split())
    rows = content[1:] if header else content
    if not rows:
        return None
    delimiter = "," if "," in lines[rows[0]] else None  # as the data rows are written
    data = lines[rows[0] :]
    chunks = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": the careful parser will say so
            for start in range(0, len(data), PARSE_CHUNK):
                chunk = data[start : start + PARSE_CHUNK]
                chunks.append(np.loadtxt(chunk, delimiter=delimiter, comments="#", dtype=np.float64, ndmin=2))
    except (ValueError, IndexError):
        return None
    chunks = [c for c in chunks if c.size]
    if not chunks or any(c.shape[1] != columns for c in chunks):
        return None
    points = np.concatenate(chunks)
    if not np.isfinite(points).all() or np.abs(points).max() > MAX_COORDINATE:
        return None
    return points


def read_points_csv(path, columns=2) -> np.ndarray:
    """Read points from a CSV file (see :func:`parse_points_csv`).

    Raises
    ------
    PointsFormatError
        If the file cannot be read or holds unusable rows (the message names the file).
    """
    data = _read_bytes(path, PointsFormatError)
    try:
        return parse_points_csv(data, columns)
    except PointsFormatError as exc:
        raise PointsFormatError(f"{os.path.basename(os.fspath(path))}: {exc}", exc.problems) from None


def points_csv_text(points) -> str:
    """``x,y`` header and one row per point, with every digit needed to read it back exactly;
    points in the plane as ``x1,x2,class`` rows (the class a whole number)."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim == 2 and points.shape[1] == 3:
        return "x1,x2,class\n" + "".join(
            f"{_float_text(x1)},{_float_text(x2)},{int(c)}\n" for x1, x2, c in points.tolist()
        )
    points = points.reshape(-1, 2)
    return "x,y\n" + "".join(f"{_float_text(x)},{_float_text(y)}\n" for x, y in points.tolist())


def export_points_csv(path, points):
    """Write points to ``path`` as CSV (see :func:`points_csv_text`)."""
    _write_text(path, points_csv_text(points))


# ----------------------------------------------------------------------------------------
# Sessions
# ----------------------------------------------------------------------------------------


def _state_of(trainer_or_state):
    if isinstance(trainer_or_state, Trainer):
        return trainer_or_state.state_dict()
    if isinstance(trainer_or_state, dict):
        return trainer_or_state
    raise TypeError("expected a Trainer or a Trainer.state_dict()")


@dataclass(frozen=True, eq=False)
class Session:
    """An opened session: everything needed to carry on training where it stopped.

    Attributes
    ----------
    points : np.ndarray
        Read-only, shape (N, 2).
    config : Config
    state : dict
        A :meth:`Trainer.state_dict` (validated): load it with ``trainer.load_state_dict``.
    app : dict
        What the app stored besides (view settings and the like); ``{}`` if nothing.
    """

    points: np.ndarray
    config: Config
    state: dict
    app: dict = field(default_factory=dict)

    @property
    def epoch(self) -> int:
        """Epochs trained when the session was saved."""
        return self.state["epoch"]

    def make_trainer(self) -> Trainer:
        """A new trainer on the session's points, in the saved state."""
        trainer = Trainer(self.config, self.points)
        trainer.load_state_dict(self.state)
        return trainer


def session_document(points, trainer_or_state, app=None) -> dict:
    """The session JSON document as a dict.

    Parameters
    ----------
    points : array_like, shape (N, 2)
    trainer_or_state : Trainer or dict
        The trainer, or its :meth:`~Trainer.state_dict` (what the app's worker sends).
    app : dict, optional
        JSON-able settings of the app to keep with the session (finite numbers only).

    Returns
    -------
    dict
        Standard JSON data: non-finite numbers of the trainer state are written as the
        strings "NaN", "Infinity" and "-Infinity" (see the module docstring).
    """
    points = np.asarray(points, dtype=np.float64)
    points = points.reshape(-1, points.shape[1] if points.ndim == 2 and points.shape[1] == 3 else 2)
    if not np.isfinite(points).all():
        raise ValueError("points must be finite")
    return {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "points": points.tolist(),
        "trainer": _json_numbers(_state_of(trainer_or_state)),
        "app": dict(app or {}),
    }


def save_session(path, points, trainer_or_state, app=None):
    """Save a session to ``path`` atomically (temporary file, then rename).

    Raises
    ------
    SessionError
        When the file cannot be written (the previous file, if any, is untouched).
    """
    document = session_document(points, trainer_or_state, app)
    try:
        text = json.dumps(document, indent=1, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SessionError(f"the session cannot be stored: {exc}") from exc
    _write_text(path, text + "\n", SessionError)


def parse_session(text) -> Session:
    """Read a session from its JSON text (str or bytes).

    Raises
    ------
    SessionError
        If the text is not a session, is corrupt, or comes from a newer version.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SessionError("this is not a session file (it is not valid UTF-8 text)") from exc
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SessionError(f"this is not a session file (it is not valid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != SESSION_FORMAT:
        raise SessionError("this is not a Gradient Playground session file")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionError("the session file has no valid version number")
    if version > SESSION_VERSION:
        raise SessionError(
            f"the session was saved by a newer version of Gradient Playground (format "
            f"version {version}); this version reads up to version {SESSION_VERSION}"
        )
    raw_points = document.get("points")
    width = len(raw_points[0]) if isinstance(raw_points, list) and raw_points and isinstance(raw_points[0], list) else 2
    if (
        not isinstance(raw_points, list)
        or width not in (2, 3)
        or not all(
            isinstance(p, list)
            and len(p) == width
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
            for p in raw_points
        )
    ):
        raise SessionError("the session's points are malformed (expected a list of [x, y] or [x1, x2, class] numbers)")
    try:
        points = np.array(raw_points, dtype=np.float64).reshape(-1, width)
    except OverflowError:
        raise SessionError("the session's points are malformed (a number is too large)") from None
    if not np.isfinite(points).all():
        raise SessionError("the session's points must be finite numbers")
    if points.size and np.abs(points).max() > MAX_COORDINATE:
        raise SessionError(f"the session's points must lie within ±{MAX_COORDINATE:.3g}")
    app = document.get("app", {})
    if not isinstance(app, dict):
        raise SessionError("the session's app settings are malformed")
    try:
        state = _numbers_from_json(document.get("trainer"))
    except RecursionError:
        raise SessionError("the session's training state is corrupt (nested too deeply)") from None
    if not isinstance(state, dict):
        raise SessionError("the session holds no training state")
    try:
        config = Config.from_dict(state.get("config"))
        if (width == 3) != (config.task == "classification"):
            raise ValueError(
                "a classification session holds points (x1, x2, class), a regression session points (x, y)"
            )
        Trainer(config, points).load_state_dict(state)  # validates everything
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        raise SessionError(f"the session's training state is corrupt: {exc}") from None
    points.flags.writeable = False
    return Session(points=points, config=config, state=state, app=app)


def load_session(path) -> Session:
    """Open a session file (see :func:`parse_session`); nothing else changes if it fails.

    Raises
    ------
    SessionError
        If the file cannot be read, is corrupt, or comes from a newer version.
    """
    data = _read_bytes(path, SessionError)
    try:
        return parse_session(data)
    except SessionError as exc:
        raise SessionError(f"{os.path.basename(os.fspath(path))}: {exc}") from None


# ----------------------------------------------------------------------------------------
# PyTorch script
# ----------------------------------------------------------------------------------------


def export_torch_script(path, points, trainer_or_state, epochs=None):
    """Write a PyTorch script that replays the run (see :func:`playground.torch_export.torch_script`)."""
    _write_text(path, torch_script(points, _state_of(trainer_or_state), epochs))


# ----------------------------------------------------------------------------------------
# Loss landscapes
# ----------------------------------------------------------------------------------------


def _csv_line(fields) -> str:
    """One CSV line; a field with a comma or a quote is quoted."""
    quoted = (f'"{f.replace(chr(34), chr(34) * 2)}"' if ("," in f or '"' in f) else f for f in fields)
    return ",".join(quoted) + "\n"


def _column(coordinate) -> str:
    """A coordinate as a column name: as the app spells it, without spaces (``hidden1.weight[0,0]``)."""
    return coordinate.label.replace(", ", ",")


def landscape_csv_text(grid) -> str:
    """``P1,P2,loss`` rows of a :class:`~playground.landscape.Grid`, P1 varying slowest (``P1,loss`` for one)."""
    lines = [_csv_line([*(_column(c) for c in grid.coordinates), "loss"])]
    lines.extend(",".join(_float_text(v) for v in row) + "\n" for row in grid.rows())
    return "".join(lines)


def export_landscape_csv(path, grid):
    """Write a loss landscape grid (see :func:`landscape_csv_text`)."""
    _write_text(path, landscape_csv_text(grid))


def path_csv_text(coordinates, epochs, values, losses) -> str:
    """``epoch,P1,P2,loss`` rows: the parameters after each epoch (epoch 0: the start) and the loss there."""
    lines = [_csv_line(["epoch", *(_column(c) for c in coordinates), "loss"])]
    for epoch, row, loss in zip(epochs, values, losses):
        lines.append(",".join([str(int(epoch)), *(_float_text(v) for v in row), _float_text(loss)]) + "\n")
    return "".join(lines)


def export_path_csv(path, coordinates, epochs, values, losses):
    """Write an optimizer's path (see :func:`path_csv_text`)."""
    _write_text(path, path_csv_text(coordinates, epochs, values, losses))
