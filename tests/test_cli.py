"""``playground train`` / ``playground presets``: the acceptance run, resuming, exit statuses, no Qt;
diverged runs, Ctrl-C, outputs that cannot be written, and files left by killed saves."""

import json
import os
import select
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from playground import cli, io
from playground.presets import load_preset
from playground.trainer import Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FINAL_W = 2.0195605754852295
FINAL_B = 0.7054842114448547
PRINTED_LOSSES = [21.63, 11.03, 5.63, 2.88, 1.47, 0.76, 0.39, 0.21, 0.11, 0.06]


def read_loss_csv(path):
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss"
    return [float(line.split(",")[1]) for line in lines[1:]]


def test_the_acceptance_run(tmp_path, capsys):
    params, loss = tmp_path / "p.json", tmp_path / "l.csv"
    status = cli.main(
        [
            "train",
            "--preset",
            "linear-regression",
            "--epochs",
            "200",
            "--export-params",
            str(params),
            "--export-loss",
            str(loss),
        ]
    )
    assert status == 0
    doc = json.loads(params.read_text())
    assert doc["parameters"]["w"]["values"] == [[FINAL_W]]
    assert doc["parameters"]["b"]["values"] == [[FINAL_B]]
    assert doc["epoch"] == 200
    curve = read_loss_csv(loss)
    assert len(curve) == 200
    assert [round(curve[e - 1], 2) for e in range(20, 201, 20)] == PRINTED_LOSSES
    out, err = capsys.readouterr()
    summary = out.strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith(f"linear-regression: epoch 200, loss {curve[-1]:.6g}, w = 2.01956, b = 0.705484")
    assert err == ""  # no progress bar when stderr is not a terminal


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_100_plus_100_from_a_session_equals_200_straight(tmp_path, optimizer):
    # The preset's learning rate stays, except Adam, which needs a larger one on this data.
    lr = ["--lr", "0.05"] if optimizer == "adam" else []
    session = tmp_path / "s.json"
    base = tmp_path / "base.json"
    # Make a session with the chosen optimizer at epoch 0, so both runs start from it.
    from playground.presets import load_preset
    from playground.trainer import Trainer

    preset = load_preset("linear-regression")
    io.save_session(base, preset.points, Trainer(preset.config.replace(optimizer=optimizer), preset.points))

    assert (
        cli.main(
            [
                "train",
                "--session",
                str(base),
                "--epochs",
                "200",
                *lr,
                "--export-params",
                str(tmp_path / "straight.json"),
                "--export-loss",
                str(tmp_path / "straight.csv"),
            ]
        )
        == 0
    )
    assert cli.main(["train", "--session", str(base), "--epochs", "100", *lr, "--save-session", str(session)]) == 0
    assert (
        cli.main(
            [
                "train",
                "--session",
                str(session),
                "--epochs",
                "100",
                "--export-params",
                str(tmp_path / "resumed.json"),
                "--export-loss",
                str(tmp_path / "resumed.csv"),
            ]
        )
        == 0
    )

    straight = json.loads((tmp_path / "straight.json").read_text())
    resumed = json.loads((tmp_path / "resumed.json").read_text())
    assert resumed["epoch"] == straight["epoch"] == 200
    assert resumed["optimizer"]["name"] == optimizer
    assert resumed["parameters"] == straight["parameters"]
    assert read_loss_csv(tmp_path / "resumed.csv") == read_loss_csv(tmp_path / "straight.csv")
    if optimizer == "sgd":
        assert resumed["parameters"]["w"]["values"] == [[FINAL_W]]


def test_npz_csv_and_torch_exports(tmp_path):
    out = {ext: tmp_path / f"p.{ext}" for ext in ("npz", "csv")}
    assert cli.main(["train", "--preset", "single-weight", "--epochs", "1", "--export-params", str(out["npz"])]) == 0
    with np.load(out["npz"], allow_pickle=False) as data:
        assert data["w"].item() == np.float32(1.02)
    assert (
        cli.main(
            [
                "train",
                "--preset",
                "single-weight",
                "--epochs",
                "1",
                "--export-params",
                str(out["csv"]),
                "--export-torch",
                str(tmp_path / "run.py"),
            ]
        )
        == 0
    )
    assert out["csv"].read_text().splitlines()[1] == f"w,{float(np.float32(1.02))!r}"
    script = (tmp_path / "run.py").read_text()
    assert "import torch" in script and "EPOCHS = 1" in script


def test_lr_and_points_options(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n0,1\n1,3\n2,5\n")
    loss = tmp_path / "l.csv"
    assert (
        cli.main(
            [
                "train",
                "--preset",
                "linear-regression",
                "--points",
                str(points),
                "--lr",
                "0.05",
                "--epochs",
                "2000",
                "--export-loss",
                str(loss),
            ]
        )
        == 0
    )
    summary = capsys.readouterr().out
    assert "w = 2" in summary and "b = 1" in summary  # y = 2x + 1
    assert read_loss_csv(loss)[0] == pytest.approx((1 + 9 + 25) / 3)


def test_presets_lists_every_preset(capsys):
    assert cli.main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "linear-regression",
        "single-weight",
        "sigmoid-neuron",
        "noisy-line",
        "quadratic",
        "sine",
        "step",
        "circle",
        "xor",
        "gaussians",
        "spiral",
        "moons",
    ]
    assert "4 points" in lines[0] and "generated" in lines[3]


def test_divergence_exits_1_with_a_summary(tmp_path, capsys):
    loss = tmp_path / "l.csv"
    status = cli.main(
        ["train", "--preset", "linear-regression", "--lr", "10", "--epochs", "5000", "--export-loss", str(loss)]
    )
    assert status == 1
    out = capsys.readouterr().out
    assert "diverged at epoch" in out and "smaller learning rate" in out
    curve = read_loss_csv(loss)
    assert len(curve) < 5000 and not np.isfinite(curve[-1])


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--session", "{tmp}/missing.json"], "cannot read"),
        (["train", "--session", "{tmp}/garbage.json"], "not valid JSON"),
        (["train", "--preset", "sine", "--export-params", "{tmp}/p.txt"], "--export-params must end in"),
        (["train", "--preset", "sine", "--export-loss", "{tmp}/no/such/dir/l.csv"], "does not exist"),
        (["train", "--preset", "sine", "--export-params", "{tmp}/folder.json"], "it is a folder"),
        (["train", "--preset", "sine", "--export-loss", "{tmp}/pipe.csv"], "not a regular file"),
        (["train", "--preset", "sine", "--points", "{tmp}/bad.csv"], "line 2"),
        (["train", "--preset", "step", "--points", "{tmp}/good.csv"], "0 or 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, fragment):
    (tmp_path / "garbage.json").write_text("{not json")
    (tmp_path / "bad.csv").write_text("1,2\n3,four\n")
    (tmp_path / "good.csv").write_text("1,2\n3,4\n")
    (tmp_path / "folder.json").mkdir()  # a folder where a file should go
    os.mkfifo(tmp_path / "pipe.csv")  # not a file to replace
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].startswith("playground: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.csv",
        "folder.json",
        "garbage.json",
        "good.csv",
        "pipe.csv",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["train"],
        ["train", "--preset", "sine", "--session", "s.json"],
        ["train", "--preset", "sine", "--epochs", "-3"],
        ["train", "--preset", "sine", "--lr", "0"],
        ["fly"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    assert "error" in capsys.readouterr().err


def _env():
    return dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _run(args, **kwargs):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=_env(), timeout=120, **kwargs)


def _playground(*args, **kwargs):
    """The real ``playground`` command (``python -m playground`` dispatches ``train`` to the CLI)."""
    return _run(["-m", "playground", *args], **kwargs)


def test_the_module_runs_as_a_program(tmp_path):
    result = _run(
        [
            "-m",
            "playground.cli",
            "train",
            "--preset",
            "linear-regression",
            "--epochs",
            "200",
            "--export-params",
            "p.json",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads((tmp_path / "p.json").read_text())["parameters"]["w"]["values"] == [[FINAL_W]]
    assert result.stdout.startswith("linear-regression: epoch 200")
    bad = _run(["-m", "playground.cli", "train", "--preset", "linear"], cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_command_line_imports_no_qt():
    code = (
        "import sys, playground.cli, playground.io, playground.trainer, playground.presets; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'torch'));"
        "print(bad[:10]); sys.exit(1 if bad else 0)"
    )
    result = _run(["-c", code])
    assert result.returncode == 0, result.stdout + result.stderr


def test_progress_bar_on_a_terminal(capsys):
    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    from playground.presets import load_preset
    from playground.trainer import Trainer

    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    terminal = Terminal()
    assert cli._train(trainer, 200, terminal) == 200
    assert "100%" in terminal.text and "epoch 200/200" in terminal.text and terminal.text.endswith("\n")
    assert trainer.snapshot().params["w"].item() == FINAL_W


def test_help_documents_every_exit_status(capsys):
    assert cli.main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for status in (
        "0 success",
        "1 training diverged",
        "2 bad arguments or unusable input",
        "3 an output could not be written",
        "130 stopped by Ctrl-C",
    ):
        assert status in text


# -- diverged runs: standard JSON, and the right cause --------------------------------------


def _strict_json(text):
    """Standard JSON only: the bare tokens NaN, Infinity and -Infinity are refused."""

    def refuse(token):
        raise ValueError(f"not standard JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def _floats(values):
    """Nested lists of JSON numbers and "NaN"/"Infinity"/"-Infinity" strings as a float array."""
    return np.array(values, dtype=object).astype(np.float64)  # float() reads those strings


def test_a_diverged_run_writes_standard_json_that_reads_back(tmp_path):
    result = _playground(
        "train",
        *("--preset", "quadratic", "--lr", "1e38", "--epochs", "5"),
        *("--export-params", "p.json", "--save-session", "s.json"),
        cwd=tmp_path,
    )
    preset = load_preset("quadratic")
    trainer = Trainer(preset.config.replace(lr=1e38), preset.points)
    trainer.run(5)
    expected = trainer.snapshot()
    assert expected.diverged and not all(np.isfinite(v).all() for v in expected.params.values())

    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.splitlines() == [
        f"quadratic: diverged at epoch {expected.epoch} (loss {expected.loss}); "
        "try a smaller learning rate than 1e+38; wrote p.json, s.json"
    ]
    params = _strict_json((tmp_path / "p.json").read_text())
    assert params["epoch"] == expected.epoch and np.isnan(float(params["final_loss"]))
    for name, value in expected.params.items():
        stored = _floats(params["parameters"][name]["values"])
        assert np.array_equal(stored.astype(np.float32), value, equal_nan=True)
    _strict_json((tmp_path / "s.json").read_text())
    session = io.load_session(tmp_path / "s.json")
    assert repr(session.make_trainer().state_dict()) == repr(trainer.state_dict())  # NaN and ±inf too


def _session_after(tmp_path, preset, lr, epochs):
    path = tmp_path / f"{preset}-{lr}.json"
    assert cli.main(["train", "--preset", preset, "--lr", lr, "--epochs", epochs, "--save-session", str(path)]) == 1
    return path


def _nan_parameters(tmp_path):
    path = tmp_path / "nan.json"
    assert cli.main(["train", "--preset", "linear-regression", "--epochs", "3", "--save-session", str(path)]) == 0
    document = json.loads(path.read_text())
    document["trainer"]["parameters"]["w"]["values"] = [["NaN"]]
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    "make_session,cause",
    [
        (lambda tmp: _session_after(tmp, "noisy-line", "1e30", "5"), "after training had diverged at epoch 2"),
        (lambda tmp: _session_after(tmp, "linear-regression", "1e38", "1"), "with NaN or infinite parameters"),
        (_nan_parameters, "with NaN or infinite parameters"),
    ],
    ids=["diverged", "overflowed-parameters", "nan-parameters"],
)
def test_a_session_saved_diverged_is_not_blamed_on_the_learning_rate(tmp_path, capsys, make_session, cause):
    path = make_session(tmp_path)
    capsys.readouterr()
    assert cli.main(["train", "--session", str(path), "--lr", "0.0001", "--epochs", "10"]) == 1
    out = capsys.readouterr().out
    assert cause in out and "no learning rate can help" in out and "smaller learning rate" not in out


def test_points_too_large_are_not_blamed_on_the_learning_rate(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("0,1\n1,1e38\n2,3\n")
    assert cli.main(["train", "--preset", "linear-regression", "--points", str(points), "--epochs", "5"]) == 1
    out = capsys.readouterr().out
    assert "diverged at epoch 1" in out and "the points (largest coordinate 1e+38) are too large" in out
    assert "smaller learning rate" not in out


def test_a_learning_rate_that_is_zero_in_float32_is_refused(tmp_path, capsys):
    assert cli.main(["train", "--preset", "linear-regression", "--lr", "1e-320", "--epochs", "5"]) == 2
    assert "0 in float32" in capsys.readouterr().err
    # The smallest float32 learning rate is accepted, and moves the parameters.
    assert cli.main(["train", "--preset", "linear-regression", "--lr", "1e-45", "--epochs", "1"]) == 0
    assert "w = 0," not in capsys.readouterr().out
    # A session cannot smuggle one in either.
    session = tmp_path / "s.json"
    assert cli.main(["train", "--preset", "linear-regression", "--epochs", "0", "--save-session", str(session)]) == 0
    document = json.loads(session.read_text())
    document["trainer"]["config"]["lr"] = 1e-320
    session.write_text(json.dumps(document))
    capsys.readouterr()
    assert cli.main(["train", "--session", str(session), "--epochs", "5"]) == 2
    assert "0 in float32" in capsys.readouterr().err


def test_semicolon_separated_points_get_a_hint(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("x;y\n1,5;2,5\n2;3\n")
    assert cli.main(["train", "--preset", "linear-regression", "--points", str(points)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "line 2" in lines[0] and "semicolons" in lines[0] and "decimal mark" in lines[0]


# -- Ctrl-C ---------------------------------------------------------------------------------


def _read_until(fd, wanted, proc, timeout=60.0):
    """Read ``fd`` until ``wanted`` has appeared (or fail after ``timeout`` seconds); return what was read."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{wanted!r} did not appear: {seen!r}"
        assert proc.poll() is None, f"the program ended first: {seen!r}"
        if select.select([fd], [], [], min(remaining, 1.0))[0]:
            seen += os.read(fd, 4096)
    return seen


def _read_rest(fd):
    rest = b""
    try:
        while select.select([fd], [], [], 1.0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            rest += chunk
    except OSError:  # the terminal's other end has closed
        pass
    return rest


def test_ctrl_c_stops_after_the_current_epoch_and_writes_the_outputs(tmp_path):
    import pty

    terminal, child_terminal = pty.openpty()  # stderr on a terminal, as at the keyboard: the progress bar shows
    proc = subprocess.Popen(
        [sys.executable, "-m", "playground", "train", "--preset", "linear-regression", "--epochs", "100000000"]
        + ["--export-params", "p.json", "--export-loss", "l.csv", "--save-session", "s.json"],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child_terminal,
    )
    os.close(child_terminal)
    try:
        shown = _read_until(terminal, b"epoch", proc)  # the progress bar: training has started
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        shown += _read_rest(terminal)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(terminal)

    assert proc.returncode == 130
    assert b"Traceback" not in shown and shown.endswith(b"\r\n")  # the progress line is ended
    params = json.loads((tmp_path / "p.json").read_text())
    epochs = params["epoch"]
    assert 0 < epochs < 100_000_000
    lines = out.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"linear-regression: stopped by Ctrl-C after {epochs} of 100000000 epochs: ")
    assert lines[0].endswith("; wrote p.json, l.csv, s.json")
    # The outputs agree with each other and with an uninterrupted run of that many epochs.
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(epochs)
    assert read_loss_csv(tmp_path / "l.csv") == list(trainer.loss_history)
    assert params["parameters"]["w"]["values"] == trainer.snapshot().params["w"].tolist()
    session = io.load_session(tmp_path / "s.json")
    assert repr(session.make_trainer().state_dict()) == repr(trainer.state_dict())


def test_quick_ctrl_c_presses_are_one_request_and_a_later_one_stops_at_once():
    now = [100.0]
    stop = cli._StopOnCtrlC(clock=lambda: now[0])
    stop._interrupt(signal.SIGINT, None)
    assert stop.requested
    now[0] += 0.5
    stop._interrupt(signal.SIGINT, None)  # an impatient double press: still the one request
    now[0] += 0.6
    with pytest.raises(KeyboardInterrupt):
        stop._interrupt(signal.SIGINT, None)  # the epoch is taking long: stop at once
    stop.writing = True
    stop._interrupt(signal.SIGINT, None)  # the outputs being written are written whole


# -- outputs --------------------------------------------------------------------------------


@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder where this user cannot create files: a read-only folder, or, for root, whom
    permissions do not stop, a system folder that refuses new files."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for candidate in (str(folder), "/sys", "/proc"):
            probe = os.path.join(candidate, "probe.json")
            try:
                with open(probe, "x"):
                    pass
            except OSError:
                yield candidate
                return
            os.unlink(probe)
        pytest.fail("no folder on this machine refuses new files")
    finally:
        folder.chmod(0o755)


def test_an_unwritable_output_is_refused_before_training(tmp_path, unwritable_folder):
    # A hundred million epochs would take hours: only a check before training ends this in time.
    result = _playground(
        "train",
        *("--preset", "linear-regression", "--epochs", "100000000", "--export-loss", "l.csv"),
        *("--export-params", os.path.join(unwritable_folder, "p.json")),
        cwd=tmp_path,
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"playground: error: cannot write {unwritable_folder}/p.json: ")
    assert not (tmp_path / "l.csv").exists()


def test_every_output_that_can_be_written_is_written(tmp_path):
    import resource

    def small_files_only():  # in the child: files may not grow beyond 8 KB, too small for a session
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    result = _playground(
        "train",
        *("--preset", "linear-regression", "--epochs", "200", "--export-params", "p.json"),
        *("--export-loss", "l.csv", "--save-session", "s.json", "--export-torch", "t.py"),
        cwd=tmp_path,
        preexec_fn=small_files_only,
    )
    assert result.returncode == 3
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("playground: error: cannot write s.json: ")
    assert result.stdout.startswith("linear-regression: epoch 200, ")
    assert result.stdout.rstrip().endswith("; wrote p.json, l.csv, t.py")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.csv", "p.json", "t.py"]  # no temporary file left
    assert json.loads((tmp_path / "p.json").read_text())["parameters"]["w"]["values"] == [[FINAL_W]]
    assert len(read_loss_csv(tmp_path / "l.csv")) == 200
    assert "EPOCHS = 200" in (tmp_path / "t.py").read_text()


def _same_file_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "link.json").symlink_to("real.json")
    (tmp_path / "a.csv").write_text("")
    os.link(tmp_path / "a.csv", tmp_path / "hard.csv")
    return {
        "same text": ("--export-params", "x.csv", "--export-loss", "x.csv"),
        "spelled differently": ("--export-params", "x.csv", "--export-loss", "sub/../x.csv"),
        "a symbolic link": ("--save-session", "link.json", "--export-params", "real.json"),
        "a hard link": ("--export-params", "a.csv", "--export-loss", "hard.csv"),
    }


@pytest.mark.parametrize("case", ["same text", "spelled differently", "a symbolic link", "a hard link"])
def test_two_outputs_naming_one_file_are_refused(tmp_path, monkeypatch, capsys, case):
    monkeypatch.chdir(tmp_path)
    first, first_path, second, second_path = _same_file_paths(tmp_path)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert cli.main(["train", "--preset", "single-weight", first, first_path, second, second_path]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and first in lines[0] and second in lines[0] and second_path in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "real.json").read_text() == "{}"


def test_a_killed_save_leaves_a_temporary_file_that_a_later_save_removes(tmp_path):
    # A real save killed while writing (kill -9): what it leaves is what must be cleaned up.
    killed = _run(
        [
            "-c",
            "import os, signal; from playground import io; "
            "io._atomic_write('s.json', lambda f: (f.write(b'{\"half'), f.flush(), os.kill(os.getpid(), signal.SIGKILL)))",
        ],
        cwd=tmp_path,
    )
    assert killed.returncode == -signal.SIGKILL
    [leftover] = tmp_path.iterdir()
    assert leftover.name.startswith(".s.json.") and leftover.name.endswith(".tmp")
    old = time.time() - 2 * io.STALE_TEMP_SECONDS
    os.utime(leftover, (old, old))
    in_progress = tmp_path / ".s.json.abcd_123.tmp"  # another program's save of the same file, under way
    in_progress.write_bytes(b"{")
    other = tmp_path / ".other.json.abcd_123.tmp"  # another file's
    other.write_bytes(b"{")
    os.utime(other, (old, old))

    assert (
        cli.main(["train", "--preset", "single-weight", "--epochs", "1", "--save-session", str(tmp_path / "s.json")])
        == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.json.abcd_123.tmp", ".s.json.abcd_123.tmp", "s.json"]
    assert io.load_session(tmp_path / "s.json").epoch == 1
