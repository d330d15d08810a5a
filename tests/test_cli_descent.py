"""``playground landscape`` and ``playground train --stop-when``: files, values against the trainer, exit statuses."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from playground import cli
from playground.presets import load_preset
from playground.trainer import Trainer

FINAL_W = 2.0195605754852295
FINAL_B = 0.7054842114448547


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def landscape(tmp_path, *args):
    grid, path = tmp_path / "grid.csv", tmp_path / "path.csv"
    status = cli.main(["landscape", *args, "--out", str(grid), "--path", str(path)])
    return status, grid, path


def test_landscape_of_the_seed_run_writes_the_grid_and_the_path(tmp_path, capsys):
    status, grid, path = landscape(
        tmp_path, "--preset", "linear-regression", "--params", "w,b", "--range", "-1:3,-1:2", "--grid", "9"
    )
    assert status == 0
    header, rows = read_csv(grid)
    assert header == ["w", "b", "loss"] and rows.shape == (81, 3)
    ws, bs = np.linspace(-1, 3, 9), np.linspace(-1, 2, 9)
    np.testing.assert_array_equal(rows[:, 0], np.repeat(ws, 9))  # w varies slowest
    np.testing.assert_array_equal(rows[:, 1], np.tile(bs, 9))
    # Each loss is the mean squared error of the line w·x + b on the seed points.
    points = load_preset("linear-regression").points
    for w, b, loss in rows[::7]:
        expected = np.mean((np.float32(w) * points[:, 0] + np.float32(b) - points[:, 1]) ** 2)
        assert loss == pytest.approx(expected, rel=1e-6)
    lowest = rows[np.argmin(rows[:, 2])]
    assert abs(lowest[0] - 2.0) <= 0.5 and abs(lowest[1] - 1.0) <= 0.375  # within one cell of w = 2, b = 1

    header, path_rows = read_csv(path)
    assert header == ["epoch", "w", "b", "loss"] and path_rows.shape == (201, 4)
    np.testing.assert_array_equal(path_rows[:, 0], np.arange(201))
    assert path_rows[0].tolist() == [0.0, 0.0, 0.0, 41.0]  # the start: w = b = 0, loss 41
    assert path_rows[-1, 1:3].tolist() == [FINAL_W, FINAL_B]
    # The loss at the parameters after epoch e is the loss epoch e + 1 computed, bit for bit.
    p = load_preset("linear-regression")
    trainer = Trainer(p.config, p.points)
    trainer.run(201)
    np.testing.assert_array_equal(path_rows[:, 3], trainer.losses())
    out = capsys.readouterr().out
    assert out.startswith(
        "linear-regression: epoch 200, loss 0.0624782; the loss over w, b on [-1, 3] × [-1, 2] (9×9 grid)"
    )
    assert out.rstrip().endswith(f"wrote {grid}, {path}")


def test_landscape_of_matrix_entries_holds_the_other_parameters_at_their_final_values(tmp_path):
    status, grid, path = landscape(
        tmp_path,
        "--preset",
        "sine",
        "--params",
        "hidden2.weight[3,5],output.bias",
        "--range",
        "-2:2,-1:1",
        "--grid",
        "4",
        "--epochs",
        "30",
    )
    assert status == 0
    header, rows = read_csv(grid)
    assert header == ["hidden2.weight[3,5]", "output.bias", "loss"]  # quoted in the file: the name has a comma
    assert '"hidden2.weight[3,5]"' in grid.read_text().splitlines()[0]
    p = load_preset("sine")
    trainer = Trainer(p.config, p.points)
    trainer.run(30)
    final = trainer.snapshot().params
    for v, bias, loss in rows[[0, 5, 15]]:
        params = {name: value.copy() for name, value in final.items()}
        params["hidden2.weight"][3, 5] = v
        params["output.bias"][0] = bias
        at = Trainer(p.config.replace(init=tuple((n, a.tolist()) for n, a in params.items())), p.points)
        assert loss == pytest.approx(at.loss_tensor().item(), rel=2e-6)
    _, path_rows = read_csv(path)
    assert path_rows.shape == (31, 4)
    assert path_rows[-1, 1] == float(final["hidden2.weight"][3, 5])


def test_landscape_over_one_parameter_and_with_the_default_choices(tmp_path, capsys):
    status, grid, path = landscape(tmp_path, "--preset", "single-weight", "--epochs", "25", "--grid", "33")
    assert status == 0
    header, rows = read_csv(grid)
    assert header == ["w", "loss"] and rows.shape == (33, 2)
    x, y = load_preset("single-weight").points.T
    np.testing.assert_allclose(rows[:, 1], [np.sum((np.float32(w) * x - y) ** 2) for w in rows[:, 0]], rtol=1e-6)
    lo, hi = rows[0, 0], rows[-1, 0]
    _, path_rows = read_csv(path)
    assert lo < path_rows[:, 1].min() and hi > 2.0  # the default range holds the path and the minimum w = 2
    assert "(33 points)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--params", "v,b"], "--params: 'v' is not a parameter of this model; its parameters are w, b"),
        (["--params", "w,b,w"], "--params names one or two parameters"),
        (["--params", "w,w"], "the same parameter twice"),
        (["--range", "0:1"], "--range needs 2 ranges LO:HI"),
        (["--range", "0:1,2:1"], "'2:1' must be finite numbers with LO < HI"),
        (["--range", "0:1,a:b"], "'a:b' is not LO:HI"),
    ],
)
def test_landscape_usage_errors_exit_2_with_one_line(tmp_path, capsys, args, message):
    status = cli.main(["landscape", "--preset", "linear-regression", *args, "--out", str(tmp_path / "g.csv")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "g.csv").exists()


def test_landscape_exit_statuses_follow_playground_train(tmp_path, capsys):
    assert cli.main(["landscape", "--preset", "linear-regression", "--grid", "1", "--out", "g.csv"]) == 2
    assert cli.main(["landscape", "--preset", "linear-regression", "--out", str(tmp_path / "g.txt")]) == 2
    capsys.readouterr()
    status = cli.main(
        [
            "landscape",
            "--preset",
            "linear-regression",
            "--lr",
            "0.5",
            "--epochs",
            "100",
            "--out",
            str(tmp_path / "g.csv"),
        ]
    )
    assert status == 1 and "diverged at epoch" in capsys.readouterr().out
    folder = tmp_path / "taken.csv"
    folder.mkdir()
    assert (
        cli.main(["landscape", "--preset", "linear-regression", "--epochs", "1", "--out", str(folder)]) == 2
    )  # checked before training


# ------------------------------------------------------------------------------------ --stop-when


def test_stop_when_stops_at_the_epoch_and_says_which_condition_fired(tmp_path, capsys):
    params = tmp_path / "p.json"
    p = load_preset("linear-regression")
    reference = Trainer(p.config, p.points)
    losses = [reference.step() for _ in range(4000)]
    converged = next(e for e in range(2, 4001) if abs(losses[e - 1] - losses[e - 2]) < 1e-5)
    status = cli.main(
        [
            "train",
            "--preset",
            "linear-regression",
            "--epochs",
            "4000",
            "--stop-when",
            "converged<1e-5,loss-rises",
            "--export-params",
            str(params),
        ]
    )
    assert status == 0
    assert json.loads(params.read_text())["epoch"] == converged
    out = capsys.readouterr().out
    assert out.startswith(f"linear-regression: stopped at epoch {converged}: the loss changed by ")
    assert "(--stop-when converged<1e-05); epoch" in out

    assert cli.main(["train", "--preset", "linear-regression", "--lr", "0.13", "--stop-when", "loss-rises"]) == 0
    assert "stopped at epoch 2: the loss rose from 41 to " in capsys.readouterr().out
    assert (
        cli.main(["train", "--preset", "linear-regression", "--lr", "0.3", "--epochs", "500", "--stop-when", "nan"])
        == 1
    )
    out = capsys.readouterr().out
    assert "stopped at epoch" in out and "(--stop-when nan); diverged at epoch" in out
    assert cli.main(["train", "--preset", "linear-regression", "--epochs", "10", "--stop-when", "epoch=20"]) == 0
    assert "stopped" not in capsys.readouterr().out  # it never fired: ten epochs, as asked


def test_stop_when_syntax_errors_exit_2():
    assert cli.main(["train", "--preset", "linear-regression", "--stop-when", "loss>3"]) == 2


def test_landscape_runs_as_a_program_without_qt(tmp_path):
    code = (
        "import sys; from playground import cli; "
        "status = cli.main(['landscape', '--preset', 'quadratic', '--grid', '8', '--epochs', '5', '--out', 'g.csv']); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'torch')); "
        "print(bad[:5]); sys.exit(status or (3 if bad else 0))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    header, rows = read_csv(tmp_path / "g.csv")
    assert header == ["w[0,0]", "w[1,0]", "loss"] and rows.shape == (64, 3) and np.isfinite(rows[:, 2]).all()
