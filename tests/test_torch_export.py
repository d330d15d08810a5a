"""The exported PyTorch script replays the run: its loss curve matches the engine's."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import io
from playground.config import Config
from playground.models import LOSSES, MODELS, OPTIMIZERS
from playground.presets import load_preset
from playground.torch_export import torch_script
from playground.trainer import Trainer

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


# Runs scripts one after the other in one Python process (PyTorch is imported once), each in its
# own folder as working directory, and stores what each printed beside it.
_RUN_ALL = """
import contextlib, io, os, runpy, sys
for path in sys.argv[1:]:
    out = io.StringIO()
    os.chdir(os.path.dirname(path))
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    with open(path + ".out", "w") as f:
        f.write(out.getvalue())
"""


def _parse(text):
    lines = text.splitlines()
    assert lines[0] == "epoch,loss"
    rows = [line.split(",") for line in lines[1:] if not line.startswith("#")]
    final = {line[2:].split(" = ")[0]: line.split(" = ")[1] for line in lines if line.startswith("# ")}
    return [int(r[0]) for r in rows], np.array([float(r[1]) for r in rows]), final


def run_scripts(paths):
    """(epoch numbers, loss curve, final parameters) printed by each script."""
    paths = [str(Path(p).resolve()) for p in paths]
    result = subprocess.run([sys.executable, "-c", _RUN_ALL, *paths], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return [_parse(Path(p + ".out").read_text()) for p in paths]


def run_script(path):
    return run_scripts([path])[0]


def test_the_script_reproduces_the_loss_curve(tmp_path):
    paths, trainers = [], []
    for case, (make_config, preset_name, epochs) in CASES.items():
        preset = load_preset(preset_name)
        trainer = Trainer(make_config(preset), preset.points)
        trainer.run(epochs)
        assert not trainer.diverged, case
        path = tmp_path / f"{case}.py"
        io.export_torch_script(path, trainer.points, trainer)
        paths.append(path)
        trainers.append(trainer)
    for case, trainer, (epoch_numbers, curve, final) in zip(CASES, trainers, run_scripts(paths)):
        assert epoch_numbers == list(range(1, trainer.epoch + 1)), case
        np.testing.assert_allclose(curve, np.array(trainer.loss_history), rtol=1e-5, atol=0, err_msg=case)
        assert set(final) == set(trainer.snapshot().params), case


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
    text = torch_script(trainer.points, trainer.state_dict())
    assert "at epochs 10, 15" in text
    compile(text, "replay.py", "exec")


# Every model kind, loss and optimizer of the chooser (binary cross-entropy with the models whose
# outputs are probabilities), in one torch process: the scripts run one after the other.
PRODUCT = [
    (model, loss, optimizer)
    for model in MODELS
    if MODELS[model].task == "regression"
    for loss in LOSSES
    if "regression" in LOSSES[loss].tasks
    for optimizer in OPTIMIZERS
    if not LOSSES[loss].needs_probabilities or MODELS[model].probabilities
]
PRODUCT_EPOCHS = 12


def _product_config(model, loss, optimizer, index):
    lr = {"sgd": 0.02, "momentum": 0.01, "nesterov": 0.01, "adam": 0.02, "rmsprop": 0.005, "adagrad": 0.05}[optimizer]
    if loss == "sse":
        lr /= 10
    return Config(
        model=model,
        loss=loss,
        optimizer=optimizer,
        lr=lr,
        degree=2,
        hidden=(5, 4),
        activation=("tanh", "relu", "sigmoid")[index % 3],
        batch_size=5 if index % 4 == 0 else None,
        seed=index,
    )


def test_every_model_loss_and_optimizer_replays_in_pytorch(tmp_path):
    step = load_preset("step", n_points=15).points
    sine = load_preset("sine", n_points=15).points
    paths, trainers = [], []
    for index, (model, loss, optimizer) in enumerate(PRODUCT):
        trainer = Trainer(_product_config(model, loss, optimizer, index), step if loss == "bce" else sine)
        trainer.run(PRODUCT_EPOCHS)
        assert not trainer.diverged, (model, loss, optimizer)
        path = tmp_path / f"run{index}.py"
        io.export_torch_script(path, trainer.points, trainer)
        paths.append(path)
        trainers.append(trainer)
    for (model, loss, optimizer), trainer, (_, curve, _) in zip(PRODUCT, trainers, run_scripts(paths)):
        assert len(curve) == PRODUCT_EPOCHS, (model, loss, optimizer)
        np.testing.assert_allclose(curve, trainer.loss_history, rtol=1e-5, err_msg=f"{model} {loss} {optimizer}")


def test_no_file_name_or_data_can_change_the_scripts_code(tmp_path):
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(3)
    marker = tmp_path / "PWNED"
    names = [
        'run""";__import__("os").system("touch PWNED");"""x.py',
        "run\\N{x}\\x.py",
        "line\nbreak.py",
    ]
    paths = [tmp_path / name for name in names]
    for name, path in zip(names, paths):
        io.export_torch_script(path, trainer.points, trainer)
        text = path.read_text()
        compile(text, name, "exec")  # no SyntaxError from \N or \x in a name
        assert name not in text
    for _, curve, _ in run_scripts(paths):
        assert list(curve) == list(trainer.loss_history)
    assert not marker.exists()
