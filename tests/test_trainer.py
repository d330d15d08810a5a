"""The Qt-free trainer: the tutorials' numbers, every model/loss/optimizer, resuming, bad input."""

import json
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.config import Config
from playground.models import ACTIVATIONS, LOSSES, MODELS, OPTIMIZERS, CurveModel
from playground.presets import load_preset
from playground.trainer import Trainer, TrainingError

# From the seed-002 tutorial (PyTorch's own output).
FINAL_W = 2.0195605754852295
FINAL_B = 0.7054842114448547
PRINTED_LOSSES = [21.63, 11.03, 5.63, 2.88, 1.47, 0.76, 0.39, 0.21, 0.11, 0.06]


def tutorial_trainer():
    preset = load_preset("linear-regression")
    return Trainer(preset.config, preset.points)


# -- the tutorials -------------------------------------------------------------------------


def test_linear_regression_first_step_matches_the_tutorial():
    trainer = tutorial_trainer()
    before = trainer.snapshot()
    assert before.epoch == 0 and math.isnan(before.loss) and before.new_losses.size == 0
    assert before.grads["w"] is None and before.params["w"].item() == 0.0

    loss = trainer.step()

    snap = trainer.snapshot()
    assert loss == 41.0 and snap.loss == 41.0 and snap.new_losses.tolist() == [41.0]
    assert snap.epoch == 1
    assert snap.grads["w"].shape == (1, 1) and snap.grads["b"].shape == (1, 1)
    assert snap.grads["w"].item() == -35.0
    assert snap.grads["b"].item() == -12.0
    # The tutorial prints the values after the first update.
    assert snap.params["w"].item() == 0.03500000014901161
    assert snap.params["b"].item() == 0.012000000104308128


def test_linear_regression_200_single_steps_end_exactly_where_pytorch_does():
    trainer = tutorial_trainer()
    for _ in range(200):
        trainer.step()
    snap = trainer.snapshot()
    assert snap.epoch == 200
    assert float(snap.params["w"].item()) == FINAL_W
    assert float(snap.params["b"].item()) == FINAL_B
    assert [round(snap.new_losses[e - 1], 2) for e in range(20, 201, 20)] == PRINTED_LOSSES


def test_linear_regression_run_200_equals_200_steps():
    trainer = tutorial_trainer()
    last = trainer.run(200)
    snap = trainer.snapshot()
    assert last == snap.loss == snap.new_losses[-1]
    assert float(snap.params["w"].item()) == FINAL_W
    assert float(snap.params["b"].item()) == FINAL_B
    assert len(snap.new_losses.tolist()) == 200


def test_single_weight_step_matches_the_tutorial():
    preset = load_preset("single-weight")
    trainer = Trainer(preset.config, preset.points)
    assert list(trainer.snapshot().params) == ["w"]
    assert trainer.step() == 1.0
    snap = trainer.snapshot()
    assert snap.grads["w"].item() == -2.0
    assert snap.params["w"].item() == pytest.approx(1.02, abs=1e-7)
    assert snap.params["w"].item() == np.float32(1.02).item()


# -- every model, loss and optimizer ---------------------------------------------------------

LEARNING_RATES = {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adam": 0.02, "rmsprop": 0.01, "adagrad": 0.1}


def fitting_points(loss):
    xs = np.linspace(-1.0, 1.0, 12)
    if loss == "bce":
        return np.column_stack([xs, (xs > 0.1).astype(float)])
    return np.column_stack([xs, 0.6 * xs + 0.3 + 0.2 * np.sin(3 * xs)])


COMBINATIONS = [
    (m, l, o)
    for m in MODELS
    if MODELS[m].task == "regression"
    for l in LOSSES
    if "regression" in LOSSES[l].tasks
    for o in OPTIMIZERS
    if (l == "bce") == (m == "sigmoid" and l == "bce")
]


@pytest.mark.parametrize("model,loss,optimizer", COMBINATIONS)
def test_every_combination_trains_and_the_loss_goes_down(model, loss, optimizer):
    lr = LEARNING_RATES[optimizer] / (12 if loss == "sse" else 1)
    config = Config(model=model, loss=loss, optimizer=optimizer, lr=lr, degree=3, hidden=(8,), seed=1)
    trainer = Trainer(config, fitting_points(loss))
    assert trainer.can_train, trainer.why_not
    trainer.run(40)
    history = trainer.snapshot().new_losses.tolist()
    assert len(history) == 40
    assert all(math.isfinite(v) for v in history)
    assert history[-1] < history[0]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_minibatches_train_and_the_loss_goes_down(optimizer):
    config = Config(model="linear", optimizer=optimizer, lr=LEARNING_RATES[optimizer], batch_size=5)
    trainer = Trainer(config, fitting_points("mse"))
    trainer.run(30)
    history = trainer.snapshot().new_losses.tolist()
    assert len(history) == 30 and history[-1] < history[0]


def test_mlp_fits_the_sine_preset():
    preset = load_preset("sine")
    trainer = Trainer(preset.config, preset.points)
    first = trainer.step()
    trainer.run(499)
    assert trainer.snapshot().loss < first / 5


def test_mlp_parameters_are_named_by_layer():
    trainer = Trainer(Config(model="mlp", hidden=(4, 3)), fitting_points("mse"))
    shapes = {name: a.shape for name, a in trainer.snapshot().params.items()}
    assert shapes == {
        "hidden1.weight": (4, 1),
        "hidden1.bias": (4,),
        "hidden2.weight": (3, 4),
        "hidden2.bias": (3,),
        "output.weight": (1, 3),
        "output.bias": (1,),
    }


def test_polynomial_parameters_and_prediction():
    config = Config(model="polynomial", degree=3, init=(("w", (1.0, -2.0, 0.5)), ("b", 3.0)))
    trainer = Trainer(config, fitting_points("mse"))
    snap = trainer.snapshot()
    assert snap.params["w"].shape == (3, 1) and snap.params["b"].shape == (1, 1)
    xs = np.array([-2.0, 0.0, 0.5, 3.0])
    expected = 3.0 + 1.0 * xs - 2.0 * xs**2 + 0.5 * xs**3
    np.testing.assert_allclose(trainer.predict(xs), expected, rtol=1e-6)
    np.testing.assert_allclose(CurveModel()(config, snap.params, xs), expected, rtol=1e-6)


def test_the_same_seed_gives_the_same_mlp_and_another_seed_does_not():
    points = fitting_points("mse")
    a = Trainer(Config(model="mlp", seed=3), points).snapshot().params
    b = Trainer(Config(model="mlp", seed=3), points).snapshot().params
    c = Trainer(Config(model="mlp", seed=4), points).snapshot().params
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


CURVE_CASES = [(model, "tanh") for model in MODELS if model != "mlp" and MODELS[model].task == "regression"] + [
    ("mlp", a) for a in ACTIVATIONS
]


@pytest.mark.parametrize(("model", "activation"), CURVE_CASES)
def test_the_fitted_curve_is_the_trained_model_itself(model, activation):
    config = Config(model=model, degree=4, hidden=(5, 3), activation=activation, seed=7)
    if model != "mlp":
        config = config.replace(init=(("w", [0.3, -0.2, 0.1, 0.05][: 4 if model == "polynomial" else 1]), ("b", 0.4)))
    trainer = Trainer(config, fitting_points("mse"))
    trainer.run(5)
    curve = CurveModel()
    xs = np.linspace(-3, 3, 301)
    np.testing.assert_array_equal(curve(config, trainer.snapshot().params, xs), trainer.predict(xs))
    # The curve follows new parameters: another five epochs move it, again onto the trained model.
    before = curve(config, trainer.snapshot().params, xs)
    trainer.run(5)
    after = curve(config, trainer.snapshot().params, xs)
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, trainer.predict(xs))


def test_minibatch_epochs_follow_the_shuffled_order():
    # Two points per batch, SGD on the 4-point data: check each update by hand.
    config = Config(model="linear", lr=0.01, batch_size=2, seed=7, init=(("w", 0.5), ("b", -0.25)))
    points = np.array([[1.0, 3.0], [2.0, 5.0], [3.0, 7.0], [4.0, 9.0]])
    trainer = Trainer(config, points)
    rng = random.Random(7)
    w, b = 0.5, -0.25
    for _ in range(3):
        order = list(range(4))
        rng.shuffle(order)
        losses = []
        for start in (0, 2):
            batch = points[order[start : start + 2]]
            residual = w * batch[:, 0] + b - batch[:, 1]
            losses.append(np.mean(residual**2))
            w, b = (w - 0.01 * np.mean(2 * residual * batch[:, 0]), b - 0.01 * np.mean(2 * residual))
        epoch_loss = trainer.step()
        assert epoch_loss == pytest.approx(np.mean(losses), rel=1e-5)
        snap = trainer.snapshot()
        assert snap.params["w"].item() == pytest.approx(w, rel=1e-5)
        assert snap.params["b"].item() == pytest.approx(b, rel=1e-5)


def test_minibatches_go_through_the_engine_data_loader(monkeypatch):
    from engine.utils.data import DataLoader

    batches = []
    original = DataLoader.__iter__

    def counting_iter(self):
        for batch in original(self):
            batches.append(len(batch[1]))
            yield batch

    monkeypatch.setattr(DataLoader, "__iter__", counting_iter)
    trainer = Trainer(Config(batch_size=5), fitting_points("mse"))
    trainer.step()
    assert batches == [5, 5, 2]


# -- configuration changes ---------------------------------------------------------------


def test_a_learning_rate_change_keeps_the_parameters_and_applies_at_the_next_step():
    trainer = tutorial_trainer()
    trainer.run(10)
    before = trainer.snapshot()
    trainer.set_config(trainer.config.replace(lr=0.01))
    same = trainer.snapshot()
    assert same.epoch == 10 and same.new_losses.tolist() == before.new_losses.tolist()
    assert all(np.array_equal(before.params[k], same.params[k]) for k in before.params)
    trainer.step()
    after = trainer.snapshot()
    for name in ("w", "b"):
        expected = before.params[name].item() - 0.01 * after.grads[name].item()
        assert after.params[name].item() == pytest.approx(expected, rel=1e-6)
    assert after.epoch == 11


@pytest.mark.parametrize(
    "changes", [{"lr": 0.002}, {"momentum": 0.5}, {"batch_size": 2}, {"optimizer": "adam"}, {"beta1": 0.8}]
)
def test_optimizer_settings_do_not_reset(changes):
    trainer = Trainer(Config(optimizer="momentum", lr=0.01), fitting_points("mse"))
    trainer.run(5)
    before = trainer.snapshot()
    new = trainer.config.replace(**changes)
    assert not trainer.config.resets_parameters(new)
    trainer.set_config(new)
    snap = trainer.snapshot()
    assert snap.config == new and snap.epoch == 5
    assert all(np.array_equal(before.params[k], snap.params[k]) for k in before.params)
    trainer.run(3)
    assert trainer.snapshot().epoch == 8


@pytest.mark.parametrize(
    "changes",
    [{"model": "polynomial"}, {"model": "mlp"}, {"loss": "mae"}, {"seed": 5}, {"bias": False}, {"init": (("w", 1.0),)}],
)
def test_model_changes_reset(changes):
    trainer = Trainer(Config(lr=0.01), fitting_points("mse"))
    trainer.run(5)
    new = trainer.config.replace(**changes)
    assert trainer.config.resets_parameters(new)
    trainer.set_config(new)
    snap = trainer.snapshot()
    assert snap.epoch == 0 and snap.new_losses.size == 0 and math.isnan(snap.loss)
    assert snap.config == new
    fresh = Trainer(new, fitting_points("mse")).snapshot()
    assert set(snap.params) == set(fresh.params)
    assert all(np.array_equal(fresh.params[k], snap.params[k]) for k in fresh.params)


def test_shape_settings_of_other_models_do_not_reset():
    linear = Config(model="linear")
    assert not linear.resets_parameters(linear.replace(degree=5, hidden=(3,), activation="relu"))
    poly = Config(model="polynomial", degree=2)
    assert poly.resets_parameters(poly.replace(degree=3))
    mlp = Config(model="mlp")
    assert mlp.resets_parameters(mlp.replace(hidden=(4,)))
    assert mlp.resets_parameters(mlp.replace(activation="relu"))


def test_a_bad_init_in_set_config_changes_nothing():
    trainer = tutorial_trainer()
    trainer.run(3)
    with pytest.raises(ValueError, match="'v'"):
        trainer.set_config(trainer.config.replace(init=(("v", 1.0),)))
    assert trainer.config == load_preset("linear-regression").config
    assert trainer.snapshot().epoch == 3
    with pytest.raises(ValueError, match="shape"):
        Trainer(Config(init=(("w", (1.0, 2.0)),)), fitting_points("mse"))


def test_reset_returns_to_the_initial_parameters():
    trainer = tutorial_trainer()
    trainer.run(20)
    trainer.reset()
    snap = trainer.snapshot()
    assert snap.epoch == 0 and snap.params["w"].item() == 0.0 and snap.grads["w"] is None
    trainer.run(200)
    assert trainer.snapshot().params["w"].item() == FINAL_W


def test_new_points_apply_at_the_next_step_and_keep_the_parameters():
    trainer = tutorial_trainer()
    trainer.run(5)
    before = trainer.snapshot()
    trainer.set_points([[0.0, 1.0], [1.0, 1.0]])
    snap = trainer.snapshot()
    assert snap.n_points == 2 and snap.epoch == 5
    assert all(np.array_equal(before.params[k], snap.params[k]) for k in before.params)
    w, b = snap.params["w"].item(), snap.params["b"].item()
    expected = np.mean((np.array([0.0, 1.0]) * w + b - 1.0) ** 2)
    assert trainer.step() == pytest.approx(expected, rel=1e-6)


# -- bad input ------------------------------------------------------------------------------


def test_no_points_means_no_training_with_a_message():
    trainer = Trainer(Config(), np.zeros((0, 2)))
    assert not trainer.can_train
    assert "no points" in trainer.why_not
    with pytest.raises(TrainingError, match="no points"):
        trainer.step()
    snap = trainer.snapshot()
    assert snap.n_points == 0 and snap.epoch == 0 and not snap.diverged
    assert trainer.predict(np.array([1.0, 2.0])).shape == (2,)
    trainer.set_points([[1.0, 2.0]])
    assert trainer.can_train and trainer.why_not == ""
    trainer.step()


def test_removing_every_point_mid_run_keeps_the_parameters():
    trainer = tutorial_trainer()
    trainer.run(4)
    params = trainer.snapshot().params
    trainer.set_points(np.empty((0, 2)))
    assert not trainer.can_train
    trainer.set_points(load_preset("linear-regression").points)
    assert np.array_equal(trainer.snapshot().params["w"], params["w"])
    trainer.run(196)
    assert trainer.snapshot().params["w"].item() == FINAL_W


def test_bce_needs_zero_one_targets_and_the_sigmoid_neuron():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    trainer = Trainer(Config(model="sigmoid", loss="bce"), points)
    assert not trainer.can_train and "0 or 1" in trainer.why_not and "1 point " in trainer.why_not
    trainer.set_points(points[:2])
    assert trainer.can_train
    trainer.set_config(trainer.config.replace(model="mlp"))
    assert not trainer.can_train and "sigmoid" in trainer.why_not


@pytest.mark.parametrize(
    "points", [[[1.0, float("nan")]], [[float("inf"), 1.0]], [[1.0, 2.0, 3.0, 4.0]], [1.0], [[1e39, 0.0]]]
)
def test_bad_points_are_rejected_and_change_nothing(points):
    trainer = tutorial_trainer()
    with pytest.raises(ValueError):
        trainer.set_points(points)
    assert trainer.snapshot().n_points == 4


def test_a_diverging_learning_rate_is_reported_not_raised():
    trainer = tutorial_trainer()
    trainer.set_config(trainer.config.replace(lr=10.0))
    last = trainer.run(10_000)
    snap = trainer.snapshot()
    assert not math.isfinite(last)
    assert snap.diverged and trainer.diverged
    assert snap.epoch < 10_000  # run() stopped at the first non-finite loss
    assert all(math.isfinite(v) for v in snap.new_losses.tolist()[:-1])
    assert snap.new_losses.tolist()[0] == 41.0
    trainer.set_config(trainer.config.replace(lr=0.001))
    trainer.reset()
    assert not trainer.snapshot().diverged
    trainer.run(200)
    assert trainer.snapshot().params["w"].item() == FINAL_W


@pytest.mark.parametrize(
    "bad",
    [
        {"lr": 0},
        {"lr": -1.0},
        {"lr": float("nan")},
        {"degree": 0},
        {"degree": 10},
        {"hidden": ()},
        {"hidden": (16, 16, 16, 16)},
        {"hidden": (65,)},
        {"activation": "softplus"},
        {"loss": "hinge"},
        {"optimizer": "lbfgs"},
        {"model": "tree"},
        {"momentum": 1.0},
        {"beta2": -0.1},
        {"batch_size": 0},
        {"seed": -1},
        {"bias": "yes"},
        {"init": (("w", float("inf")),)},
        {"init": (("w", "one"),)},
        {"degree": 2.5},
        {"degree": True},
    ],
)
def test_invalid_configs_raise_value_error(bad):
    with pytest.raises(ValueError):
        Config(**bad)


# -- configs and snapshots ------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        Config(),
        Config(model="mlp", hidden=(3, 4, 5), activation="relu", optimizer="adam", beta1=0.8, batch_size=7, seed=9),
        Config(model="polynomial", degree=9, loss="huber", optimizer="nesterov", init=(("w", [[1.0]] * 9),)),
        load_preset("linear-regression").config,
        load_preset("single-weight").config,
    ],
)
def test_config_round_trips_through_json(config):
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and hash(again) == hash(config)


def test_config_from_dict_rejects_unknown_settings():
    with pytest.raises(ValueError, match="learning_rate"):
        Config.from_dict({"learning_rate": 0.1})
    with pytest.raises(ValueError):
        Config.from_dict(["lr", 0.1])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.name for f in Config.__dataclass_fields__.values()] + ["x"]), json_values, max_size=6
    )
)
def test_config_from_dict_raises_only_value_error(d):
    try:
        config = Config.from_dict(d)
    except ValueError:
        return
    assert Config.from_dict(config.to_dict()) == config


def test_snapshots_are_independent_copies():
    trainer = tutorial_trainer()
    assert trainer.snapshot().grads == {"w": None, "b": None}  # no backward yet, as p.grad is None
    trainer.step()
    snap = trainer.snapshot()
    with pytest.raises(ValueError):
        snap.params["w"][0, 0] = 5.0
    with pytest.raises(ValueError):
        snap.grads["w"][0, 0] = 5.0
    trainer.run(5)
    assert snap.params["w"].item() == np.float32(0.035).item() and snap.epoch == 1


def test_loss_tensor_builds_a_graph_without_touching_the_gradients():
    trainer = tutorial_trainer()
    trainer.step()
    grads = trainer.snapshot().grads
    loss = trainer.loss_tensor([0])
    assert loss.grad_fn is not None
    w = trainer.snapshot().params["w"].item()
    b = trainer.snapshot().params["b"].item()
    assert loss.item() == pytest.approx((w * 1 + b - 3) ** 2, rel=1e-6)
    assert trainer.snapshot().grads["w"].item() == grads["w"].item()


# -- state dicts --------------------------------------------------------------------------

RESUME_CONFIGS = {
    "sgd": Config(optimizer="sgd", lr=0.001),
    "momentum": Config(optimizer="momentum", lr=0.001, momentum=0.9),
    "adam": Config(optimizer="adam", lr=0.05),
    "nesterov": Config(optimizer="nesterov", lr=0.001),
    "rmsprop": Config(optimizer="rmsprop", lr=0.01),
    "adagrad": Config(optimizer="adagrad", lr=0.1),
    "mlp-adam-minibatch": Config(model="mlp", hidden=(6,), optimizer="adam", lr=0.01, batch_size=3, seed=2),
    "sigmoid-bce": Config(model="sigmoid", loss="bce", optimizer="momentum", lr=0.1),
}


@pytest.mark.parametrize("name", list(RESUME_CONFIGS))
def test_state_dict_through_json_resumes_bit_for_bit(name):
    config = RESUME_CONFIGS[name]
    points = fitting_points(config.loss)
    straight = Trainer(config, points)
    straight.run(60)

    first = Trainer(config, points)
    first.run(30)
    saved = json.loads(json.dumps(first.state_dict()))
    resumed = Trainer(Config(), points)  # a different config: the state brings its own
    resumed.load_state_dict(saved)
    assert resumed.config == config and resumed.snapshot().epoch == 30
    resumed.run(30)

    a, b = straight.snapshot(), resumed.snapshot()
    assert a.new_losses.tolist() == b.new_losses.tolist()
    for key in a.params:
        assert np.array_equal(a.params[key], b.params[key])
        assert np.array_equal(a.grads[key], b.grads[key])
    assert all(np.array_equal(straight.initial_parameters[k], resumed.initial_parameters[k]) for k in a.params)


def test_loaded_state_shows_the_same_snapshot():
    trainer = tutorial_trainer()
    trainer.run(7)
    other = Trainer(Config(), np.array(trainer.points))
    other.load_state_dict(json.loads(json.dumps(trainer.state_dict())))
    a, b = trainer.snapshot(), other.snapshot()
    assert (a.epoch, a.loss, a.new_losses.tolist(), a.config) == (b.epoch, b.loss, b.new_losses.tolist(), b.config)
    assert all(np.array_equal(a.grads[k], b.grads[k]) for k in a.grads)


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda d: d.update(version=99),
        lambda d: d.update(format="something else"),
        lambda d: d.update(epoch=3),
        lambda d: d["parameters"].pop("b"),
        lambda d: d["parameters"]["w"].update(values=[[1.0, 2.0]]),
        lambda d: d["parameters"]["w"].update(values="many"),
        lambda d: d["config"].update(model="mlp"),
        lambda d: d["config"].update(lr=-1),
        lambda d: d["optimizer"].update(name="adam"),
        lambda d: d["optimizer"].update(state=[[5, {}]]),
        lambda d: d["optimizer"]["state"].append(
            [0, {"momentum_buffer": {"dtype": "float32", "shape": [3], "values": [1, 2, 3], "tensor": True}}]
        ),
        lambda d: d.update(shuffle_rng=[1, 2, 3]),
        lambda d: d.update(loss_history=["x"] * d["epoch"]),
    ],
)
def test_a_corrupt_state_raises_value_error_and_changes_nothing(corrupt):
    source = Trainer(Config(optimizer="momentum", lr=0.001), load_preset("linear-regression").points)
    source.run(5)
    state = json.loads(json.dumps(source.state_dict()))
    corrupt(state)
    target = tutorial_trainer()
    target.run(3)
    before = target.snapshot()
    with pytest.raises(ValueError):
        target.load_state_dict(state)
    after = target.snapshot()
    assert after.config == before.config and after.new_losses.tolist() == before.new_losses.tolist()
    assert all(np.array_equal(before.params[k], after.params[k]) for k in before.params)
    target.run(197)
    assert target.snapshot().params["w"].item() == FINAL_W
