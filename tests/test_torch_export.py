"""The exported PyTorch script replays the run: its loss curve matches the engine's."""

import subprocess
import sys

import numpy as np
import pytest

from playground import io
from playground.presets import load_preset
from playground.trainer import Config, Trainer

pytest.importorskip("torch")

CASES = {
    "linear-regression": (lambda p: p.config, "linear-regression", 200),
    "single-weight": (lambda p: p.config, "single-weight", 20),
    "sigmoid-neuron": (lambda p: p.config, "sigmoid-neuron", 60),
    "quadratic-momentum-minibatch": (
        lambda p: p.config.replace(optimizer="momentum", lr=0.002, batch_size=7),
        "quadratic",
        40,
    ),
    "sine-mlp-adam": (lambda p: p.config.replace(hidden=(8, 8)), "sine", 60),
    "mlp-relu-rmsprop-huber": (
        lambda p: Config(
            model="mlp", hidden=(6,), activation="relu", loss="huber", optimizer="rmsprop", lr=0.01, seed=2
        ),
        "sine",
        40,
    ),
    "mlp-sigmoid-nesterov-mae": (
        lambda p: Config(
            model="mlp", hidden=(4, 3, 2), activation="sigmoid", loss="mae", optimizer="nesterov", lr=0.05, seed=5
        ),
        "sine",
        40,
    ),
    "step-bce-adagrad": (lambda p: p.config.replace(optimizer="adagrad", lr=0.3, batch_size=16), "step", 30),
    "polynomial-sse-no-bias": (
        lambda p: Config(model="polynomial", degree=3, bias=False, loss="sse", lr=2e-5),
        "quadratic",
        30,
    ),
}


def run_script(path):
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "epoch,loss"
    rows = [line.split(",") for line in lines[1:] if not line.startswith("#")]
    final = {line[2:].split(" = ")[0]: line.split(" = ")[1] for line in lines if line.startswith("# ")}
    return [int(r[0]) for r in rows], np.array([float(r[1]) for r in rows]), final


@pytest.mark.parametrize("case", list(CASES))
def test_the_script_reproduces_the_loss_curve(tmp_path, case):
    make_config, preset_name, epochs = CASES[case]
    preset = load_preset(preset_name)
    trainer = Trainer(make_config(preset), preset.points)
    trainer.run(epochs)
    assert not trainer.diverged
    path = tmp_path / "replay.py"
    io.export_torch_script(path, trainer.points, trainer)

    epoch_numbers, curve, final = run_script(path)
    assert epoch_numbers == list(range(1, epochs + 1))
    np.testing.assert_allclose(curve, np.array(trainer.loss_history), rtol=1e-5, atol=0)
    assert set(final) == set(trainer.snapshot().params)


def test_the_tutorial_script_ends_on_the_tutorial_numbers(tmp_path):
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(200)
    path = tmp_path / "replay.py"
    io.export_torch_script(path, trainer.points, trainer.state_dict())
    text = path.read_text()
    assert "import engine" not in text and "playground" not in text.split('"""', 2)[2]
    _, curve, final = run_script(path)
    assert final["w"] == "[[2.0195605754852295]]" and final["b"] == "[[0.7054842114448547]]"
    assert list(curve) == list(trainer.loss_history)  # this one is bit for bit


def test_a_resumed_run_exports_from_its_initial_parameters(tmp_path):
    preset = load_preset("noisy-line", n_points=12)
    trainer = Trainer(preset.config.replace(optimizer="adam", lr=0.05), preset.points)
    trainer.run(25)
    resumed = Trainer(Config(), preset.points)
    resumed.load_state_dict(trainer.state_dict())
    resumed.run(25)
    path = tmp_path / "replay.py"
    io.export_torch_script(path, resumed.points, resumed)
    _, curve, _ = run_script(path)
    assert len(curve) == 50
    np.testing.assert_allclose(curve, resumed.loss_history, rtol=1e-5)


def test_a_diverging_run_stops_where_the_engine_stopped(tmp_path):
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config.replace(lr=10.0), preset.points)
    trainer.run(10_000)
    path = tmp_path / "replay.py"
    io.export_torch_script(path, trainer.points, trainer)
    _, curve, _ = run_script(path)
    assert len(curve) == trainer.epoch and not np.isfinite(curve[-1])
    np.testing.assert_allclose(curve[:-1], trainer.loss_history[:-1], rtol=1e-5)


def test_edits_during_the_run_are_noted_in_the_script():
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(10)
    trainer.set_config(trainer.config.replace(lr=0.002))
    trainer.run(5)
    trainer.set_points(preset.points[:3])
    assert trainer.edits == (10, 15)
    text = io.torch_script(trainer.points, trainer)
    assert "at epochs 10, 15" in text
    compile(text, "replay.py", "exec")
