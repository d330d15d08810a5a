"""Classification in the plane, without Qt: data sets, the split, the models, losses, metrics and files."""

import json
import math

import numpy as np
import pytest
from test_torch_export import run_scripts

import engine
from playground import cli, datasets, io
from playground.config import Config
from playground.datasets import GENERATORS, as_class_points, generate
from playground.models import PlaneModel, build_loss, build_model
from playground.presets import load_preset
from playground.trainer import Trainer

torch = pytest.importorskip("torch")

CLASSIFY = dict(task="classification", model="classifier", hidden=(6, 5), optimizer="adam", lr=0.02)


# ---------------------------------------------------------------------------------------------- data


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_draw_the_same_points_from_the_same_seed(name):
    a = generate(name, 120, 0.2, seed=5)
    assert a.shape == (120, 3) and a.dtype == np.float64
    assert np.array_equal(a, generate(name, 120, 0.2, seed=5))
    assert not np.array_equal(a, generate(name, 120, 0.2, seed=6))
    assert set(np.unique(a[:, 2])) == {0.0, 1.0}
    assert np.abs(a[:, :2]).max() < 6.0 + 5 * 0.2  # in the plane the views show


def test_noiseless_data_sets_follow_their_rule():
    circle = generate("circle", 400, 0.0)
    radius = np.hypot(circle[:, 0], circle[:, 1])
    assert (radius[circle[:, 2] == 1] <= 2.5).all() and (radius[circle[:, 2] == 0] >= 3.5).all()
    xor = generate("xor", 400, 0.0)
    assert np.array_equal(xor[:, 2] == 1, xor[:, 0] * xor[:, 1] > 0)
    assert (np.abs(xor[:, :2]) >= 0.3).all()  # the gap along the axes


@pytest.mark.parametrize("name", ["gaussians", "spiral"])
def test_gaussians_and_spirals_draw_up_to_four_classes(name):
    points = generate(name, 200, 0.1, classes=4)
    assert np.bincount(points[:, 2].astype(int)).tolist() == [50, 50, 50, 50]
    with pytest.raises(ValueError, match="classes"):
        generate("moons", classes=3)


def test_the_split_keeps_its_points_when_points_are_added_and_ignores_the_generators_stream():
    mask = datasets.test_mask(1000, 0.3, seed=2)
    assert 250 < mask.sum() < 350
    assert np.array_equal(datasets.test_mask(600, 0.3, seed=2), mask[:600])
    assert not datasets.test_mask(50, 0.0, seed=2).any()
    # The spiral draws its positions from the seed's stream: the test points must not be its first draws.
    spiral = generate("spiral", 1000, 0.0, seed=2)
    radius = np.hypot(spiral[:, 0], spiral[:, 1])
    assert abs(radius[mask].mean() - radius[~mask].mean()) < 0.3


def test_class_points_are_checked():
    assert as_class_points([1.0, 2.0, 1.0]).shape == (1, 3)
    for bad in ([[0.0, 0.0, 0.5]], [[0.0, 0.0, -1.0]], [[math.nan, 0.0, 0.0]], [[0.0, 0.0]]):
        with pytest.raises(ValueError):
            as_class_points(bad)
    with pytest.raises(ValueError, match="below 2"):
        as_class_points([[0.0, 0.0, 2.0]], classes=2)


def test_configurations_keep_models_and_losses_to_their_task():
    with pytest.raises(ValueError, match="regression model"):
        Config(task="classification", model="mlp", loss="bce")
    with pytest.raises(ValueError, match="classification loss"):
        Config(task="classification", model="classifier", loss="mse")
    with pytest.raises(ValueError, match="not a regression loss"):
        Config(model="linear", loss="cross-entropy")
    config = Config(**CLASSIFY, loss="bce", features=["sin(x1)", "x1"])
    assert config.features == ("x1", "sin(x1)")  # the table's order
    assert Config.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="classes"):
        config.replace(classes=5)
    # The loss decides the classifier's head, so it is part of the model's key.
    assert config.model_key() != config.replace(loss="bce-logits").model_key()
    # The penalty and the held-out points change the loss over the parameters (the landscape's key).
    for change in ({"regularization": "l2"}, {"regularization_rate": 0.1}, {"test_fraction": 0.5}, {"seed": 3}):
        assert config.replace(**change).loss_key() != config.loss_key()
    assert config.replace(lr=0.5).loss_key() == config.loss_key()


# ---------------------------------------------------------------------------------------------- training


def _two_blobs(n=60, seed=0):
    return generate("gaussians", n, 0.0, seed=seed)


@pytest.mark.parametrize("loss", ["bce", "bce-logits", "cross-entropy"])
def test_each_classification_loss_learns_two_blobs(loss):
    trainer = Trainer(Config(**CLASSIFY, loss=loss, test_fraction=0.25), _two_blobs())
    assert trainer.can_train, trainer.why_not
    trainer.run(150)
    metrics = trainer.metrics()
    assert metrics["train_accuracy"] >= 0.95 and metrics["test_accuracy"] >= 0.9
    history = trainer.metric_history()
    assert history.shape == (150, 3) and history[-1, 1] > history[0, 1] - 1e-9


def test_metrics_are_those_of_the_parameters_an_epoch_starts_from():
    points = _two_blobs(40)
    trainer = Trainer(Config(**CLASSIFY, loss="cross-entropy", test_fraction=0.3), points)
    trainer.run(7)
    before = trainer.metrics()
    params = trainer.snapshot().params
    loss = trainer.step()  # full batch, no penalty: the epoch's loss is the training loss measured before it
    assert before["train_loss"] == pytest.approx(loss, rel=1e-5)
    row = trainer.metric_history()[-1]
    assert row[0] == pytest.approx(before["test_loss"]) and row[2] == before["test_accuracy"]
    assert row[1] == before["train_accuracy"]
    # Accuracy by hand, from the decision surface's model.
    predicted = PlaneModel().probabilities(trainer.config, params, points[:, :2]).argmax(axis=1)
    test = trainer.test_points
    assert before["test_accuracy"] == np.mean(predicted[test] == points[test, 2])
    assert before["train_accuracy"] == np.mean(predicted[~test] == points[~test, 2])


def test_the_boundary_runs_where_the_two_likeliest_classes_are_equally_likely():
    from playground.plane import boundary_segments, grid_points

    xs, ys, points = grid_points((-3.0, 3.0), (-2.0, 2.0), 61)
    x, y = points[:, 0], points[:, 1]
    one = 1 / (1 + np.exp(-4 * (x - 0.3)))
    segments = boundary_segments(np.column_stack([1 - one, one]), xs, ys)
    assert np.abs(segments[:, 0] - 0.3).max() < 0.02  # the line x = 0.3, up to interpolation
    ends = segments.reshape(-1, 2, 2)
    assert np.linalg.norm(ends[:, 1] - ends[:, 0], axis=1).sum() == pytest.approx(4.0)  # bottom to top
    # Three classes: every end lies where the two likeliest classes tie.
    logits = np.column_stack([-x, x, 2 * y])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    segments = boundary_segments(p, xs, ys)
    assert len(segments) > 100
    ex, ey = segments[:, 0], segments[:, 1]
    at = np.exp(np.column_stack([-ex, ex, 2 * ey]))
    top_two = np.sort(at / at.sum(axis=1, keepdims=True), axis=1)[:, -2:]
    assert np.abs(top_two[:, 1] - top_two[:, 0]).max() < 0.05


def test_points_of_the_wrong_kind_or_class_are_explained():
    trainer = Trainer(Config(**CLASSIFY, loss="bce"), np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert not trainer.can_train and "points (x, y)" in trainer.why_not
    trainer.set_points([[0.0, 0.0, 0.0], [1.0, 1.0, 2.0]])
    assert not trainer.can_train and "2 classes" in trainer.why_not
    trainer.set_config(trainer.config.replace(loss="cross-entropy", classes=3))
    assert trainer.can_train
    trainer.set_config(trainer.config.replace(model="logistic"))
    assert not trainer.can_train and "Logistic regression trains with" in trainer.why_not
    trainer.set_config(trainer.config.replace(model="classifier", test_fraction=0.9))
    trainer.set_points([[0.0, 0.0, 0.0]])
    assert trainer.test_points.all() and "test fraction" in trainer.why_not


# ---------------------------------------------------------------------------------------------- PyTorch


def _torch_penalised_loss(config, params, x, targets):
    """The loss written directly in PyTorch: features, layers, head, loss and penalty."""
    t = {name: torch.tensor(np.asarray(v), requires_grad=True) for name, v in params.items()}
    x = torch.tensor(x)
    h = torch.cat([x, x[:, :1] * x[:, 1:], torch.sin(x[:, :1])], dim=1)  # the features in the table's order
    h = torch.tanh(h @ t["hidden1.weight"].T + t["hidden1.bias"])
    h = torch.tanh(h @ t["hidden2.weight"].T + t["hidden2.bias"])
    z = h @ t["output.weight"].T + t["output.bias"]
    if config.loss == "bce":
        loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), torch.tensor(targets))
    elif config.loss == "bce-logits":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(targets))
    else:
        loss = torch.nn.functional.cross_entropy(z, torch.tensor(targets))
    weights = [t[n] for n in t if n.endswith("weight")]
    if config.regularization == "l1":
        loss = loss + config.regularization_rate * sum(w.abs().sum() for w in weights)
    elif config.regularization == "l2":
        loss = loss + config.regularization_rate * sum((w * w).sum() for w in weights)
    loss.backward()
    return loss.item(), {name: p.grad.numpy() for name, p in t.items()}


@pytest.mark.parametrize("loss", ["bce", "bce-logits", "cross-entropy"])
@pytest.mark.parametrize("regularization", ["none", "l1", "l2"])
def test_losses_and_penalties_match_pytorch(loss, regularization):
    config = Config(
        **CLASSIFY,
        loss=loss,
        classes=3 if loss == "cross-entropy" else 2,
        features=("x1", "x2", "sin(x1)", "x1*x2"),
        regularization=regularization,
        regularization_rate=0.05,
        seed=3,
    )
    points = generate("gaussians", 30, 0.5, seed=1, classes=config.classes)
    model = build_model(config)
    x, y = Trainer(config, points).data()
    value = build_loss(config, model)(model(x), y)
    value.backward()
    params = {name: p.detach().numpy().copy() for name, p in model.named_parameters()}
    expected, grads = _torch_penalised_loss(config, params, x.numpy(), y.numpy())
    assert value.item() == pytest.approx(expected, rel=1e-6)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name], rtol=1e-5, atol=1e-7, err_msg=name)
    if regularization != "none":
        assert value.grad_fn.name() == "AddBackward0"  # the penalty is part of the graph


def test_exported_scripts_replay_classification_runs_in_pytorch(tmp_path):
    cases = {
        "logistic-bce": Config(**{**CLASSIFY, "model": "logistic"}, loss="bce", features=("x1", "x2", "x1^2")),
        "mlp-logits-l2": Config(**CLASSIFY, loss="bce-logits", regularization="l2", regularization_rate=0.01),
        "softmax-ce-l1": Config(
            **{**CLASSIFY, "model": "softmax"}, loss="cross-entropy", regularization="l1", regularization_rate=0.01
        ),
        "mlp-ce-minibatch": Config(**CLASSIFY, loss="cross-entropy", batch_size=16, features=("x1", "x2", "sin(x2)")),
    }
    points = generate("moons", 80, 0.2, seed=4)
    paths, trainers = [], []
    for name, config in cases.items():
        trainer = Trainer(config.replace(test_fraction=0.25), points)
        trainer.run(15)
        path = tmp_path / f"{name}.py"
        io.export_torch_script(path, trainer.points, trainer)
        paths.append(path)
        trainers.append(trainer)
    for name, trainer, (_, curve, final) in zip(cases, trainers, run_scripts(paths)):
        np.testing.assert_allclose(curve, trainer.loss_history, rtol=1e-5, err_msg=name)
        metrics = trainer.metrics()
        assert float(final["test_accuracy"]) == pytest.approx(metrics["test_accuracy"]), name
        assert float(final["train_accuracy"]) == pytest.approx(metrics["train_accuracy"]), name


# ---------------------------------------------------------------------------------------------- files and CLI


def test_class_points_csv_round_trip_and_errors(tmp_path):
    points = generate("gaussians", 25, 0.3, classes=3)
    path = tmp_path / "points.csv"
    io.export_points_csv(path, points)
    assert path.read_text().splitlines()[0] == "x1,x2,class"
    assert np.array_equal(io.read_points_csv(path, columns=3), points)
    with pytest.raises(io.PointsFormatError, match="expected 3 values"):
        io.parse_points_csv("x,y\n1,2\n", columns=3)
    with pytest.raises(io.PointsFormatError, match="whole number"):
        io.parse_points_csv("1,2,0.5\n", columns=3)


def test_a_classification_session_goes_on_bit_for_bit(tmp_path):
    preset = load_preset("moons", n_points=60)
    straight = Trainer(preset.config, preset.points)
    straight.run(40)
    first = Trainer(preset.config, preset.points)
    first.run(20)
    path = tmp_path / "run.json"
    io.save_session(path, first.points, first)
    resumed = io.load_session(path).make_trainer()
    resumed.run(20)
    assert resumed.loss_history == straight.loss_history
    np.testing.assert_array_equal(resumed.metric_history(), straight.metric_history())


@pytest.mark.parametrize(
    ("name", "needed"), [("circle", 0.95), ("xor", 0.95), ("gaussians", 0.95), ("moons", 0.95), ("spiral", 0.90)]
)
def test_each_classification_preset_learns_its_data_set_from_the_command_line(tmp_path, capsys, name, needed):
    params, losses = tmp_path / "p.json", tmp_path / "loss.csv"
    epochs = 2000
    argv = [
        "train",
        "--preset",
        name,
        "--epochs",
        str(epochs),
        "--export-params",
        str(params),
        "--export-loss",
        str(losses),
    ]
    assert cli.main(argv) == 0
    assert "test accuracy" in capsys.readouterr().out
    document = json.loads(params.read_text())
    metrics = document["metrics"]
    assert set(metrics) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    assert metrics["test_accuracy"] >= needed, metrics
    assert document["task"] == "classification" and document["test_fraction"] == 0.3
    rows = losses.read_text().splitlines()
    assert rows[0] == "epoch,loss,test_loss,train_accuracy,test_accuracy" and len(rows) == epochs + 1
    first, last = (list(map(float, row.split(",")[1:])) for row in (rows[1], rows[-1]))
    assert last[0] < first[0] and last[1] < first[1]  # training and test loss went down
    assert engine.is_grad_enabled()
