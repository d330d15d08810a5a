"""Presets: the tutorial data and settings, and the generated lessons."""

import math

import numpy as np
import pytest

from playground.presets import DEFAULT_PRESET, PRESETS, load_preset
from playground.trainer import Trainer

NAMES = ["linear-regression", "single-weight", "sigmoid-neuron", "noisy-line", "quadratic", "sine", "step"]
CLASSIFICATION = ["circle", "xor", "gaussians", "spiral", "moons"]


def test_presets_are_listed_in_menu_order():
    assert list(PRESETS) == NAMES + CLASSIFICATION
    assert DEFAULT_PRESET == "linear-regression"
    for name, preset in PRESETS.items():
        assert preset.name == name and preset.title and preset.description
        assert preset.points.ndim == 2 and preset.points.shape[1] == (3 if name in CLASSIFICATION else 2)
        assert not preset.points.flags.writeable


def test_linear_regression_is_the_seed_002_setup():
    preset = load_preset("linear-regression")
    np.testing.assert_array_equal(preset.points, [[1, 3], [2, 5], [3, 7], [4, 9]])
    c = preset.config
    assert (c.model, c.loss, c.optimizer, c.lr, c.bias, c.batch_size) == ("linear", "mse", "sgd", 0.001, True, None)
    params = Trainer(c, preset.points).snapshot().params
    assert params["w"].shape == (1, 1) and params["w"].item() == 0.0 and params["b"].item() == 0.0


def test_single_weight_is_the_seed_000_setup():
    preset = load_preset("single-weight")
    np.testing.assert_array_equal(preset.points, [[1, 2]])
    c = preset.config
    assert (c.model, c.bias, c.loss, c.lr) == ("linear", False, "sse", 0.01)
    assert Trainer(c, preset.points).snapshot().params["w"].item() == 1.0


def test_sigmoid_neuron_does_not_saturate():
    preset = load_preset("sigmoid-neuron")
    trainer = Trainer(preset.config, preset.points)
    params = trainer.snapshot().params
    assert preset.config.model == "sigmoid"
    assert (params["w"].item(), params["b"].item()) == pytest.approx((0.4, 0.5))
    z = params["w"].item() * preset.points[:, 0] + params["b"].item()
    slope = 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z)))
    assert slope.min() > 0.05  # σ'(z) is alive at every point
    trainer.step()
    assert abs(trainer.snapshot().grads["w"].item()) > 1e-3
    assert np.all((preset.points[:, 1] > 0) & (preset.points[:, 1] < 1))


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_trains_down(name):
    preset = PRESETS[name]
    trainer = Trainer(preset.config, preset.points)
    assert trainer.can_train, trainer.why_not
    first = trainer.step()
    trainer.run(299)
    snap = trainer.snapshot()
    assert math.isfinite(snap.loss) and snap.loss < first


@pytest.mark.parametrize("name", ["noisy-line", "quadratic", "sine", "step"])
def test_generated_presets_follow_count_noise_and_seed(name):
    a = load_preset(name, n_points=25, noise=0.3, seed=4)
    b = load_preset(name, n_points=25, noise=0.3, seed=4)
    c = load_preset(name, n_points=25, noise=0.3, seed=5)
    assert a.generated and a.n_points == 25 and a.noise == 0.3 and a.seed == 4 and a.config.seed == 4
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)
    assert np.all(np.diff(a.points[:, 0]) >= 0)  # sorted by x for the table
    assert load_preset(name).n_points == PRESETS[name].n_points


def test_noise_zero_gives_the_clean_curves():
    line = load_preset("noisy-line", noise=0.0).points
    np.testing.assert_allclose(line[:, 1], 0.8 * line[:, 0] + 2.0)
    quad = load_preset("quadratic", noise=0.0).points
    np.testing.assert_allclose(quad[:, 1], 0.5 * quad[:, 0] ** 2 - quad[:, 0] - 1.0)
    sine = load_preset("sine", noise=0.0).points
    np.testing.assert_allclose(sine[:, 1], np.sin(sine[:, 0]))
    step = load_preset("step", noise=0.0).points
    np.testing.assert_array_equal(step[:, 1], (step[:, 0] > 0.5).astype(float))


def test_step_targets_are_zero_or_one():
    points = load_preset("step", n_points=200, noise=2.0, seed=1).points
    assert set(np.unique(points[:, 1])) == {0.0, 1.0}


def test_unknown_preset_lists_the_names():
    with pytest.raises(ValueError) as info:
        load_preset("linear")
    for name in NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize(
    "kwargs", [{"n_points": 0}, {"n_points": 2.5}, {"noise": -1.0}, {"noise": float("nan")}, {"seed": -3}]
)
def test_bad_generation_settings_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        load_preset("noisy-line", **kwargs)
