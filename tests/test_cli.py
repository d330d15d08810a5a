"""``playground train`` / ``playground presets``: the acceptance run, resuming, exit statuses, no Qt."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from playground import cli, io

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
    assert out["csv"].read_text().splitlines()[1] == f"w,0,{float(np.float32(1.02))!r}"
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
        (["train", "--preset", "sine", "--points", "{tmp}/bad.csv"], "line 2"),
        (["train", "--preset", "step", "--points", "{tmp}/good.csv"], "0 or 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, fragment):
    (tmp_path / "garbage.json").write_text("{not json")
    (tmp_path / "bad.csv").write_text("1,2\n3,four\n")
    (tmp_path / "good.csv").write_text("1,2\n3,4\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].startswith("playground: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "garbage.json", "good.csv"]


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


def test_a_write_failure_exits_1(tmp_path, capsys):
    target = tmp_path / "p.json"
    target.mkdir()  # a folder where the file should go
    assert cli.main(["train", "--preset", "single-weight", "--epochs", "1", "--export-params", str(target)]) == 1
    assert "cannot write" in capsys.readouterr().err


def _run(args, **kwargs):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120, **kwargs)


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
