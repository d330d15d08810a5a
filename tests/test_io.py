"""File formats: parameter and loss exports, point CSVs, sessions; fuzzed readers."""

import csv
import json
import math
import os
import stat
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import io
from playground.config import Config
from playground.coordinates import parse_coordinate
from playground.models import MODELS
from playground.presets import load_preset
from playground.trainer import Trainer

FINAL_W = 2.0195605754852295
FINAL_B = 0.7054842114448547
PRINTED_LOSSES = [21.63, 11.03, 5.63, 2.88, 1.47, 0.76, 0.39, 0.21, 0.11, 0.06]


@pytest.fixture(scope="module")
def tutorial_run():
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    trainer.run(200)
    return trainer


@pytest.fixture(scope="module")
def mlp_run():
    preset = load_preset("sine", n_points=20)
    trainer = Trainer(preset.config.replace(hidden=(3, 2)), preset.points)
    trainer.run(10)
    return trainer


# -- parameters -------------------------------------------------------------------------


def test_parameters_json(tmp_path, tutorial_run):
    path = tmp_path / "p.json"
    io.export_parameters(path, tutorial_run.snapshot())
    doc = json.loads(path.read_text())
    assert doc["format"] == "gradient-playground-parameters" and doc["version"] == 1
    assert doc["model"] == {"name": "linear", "bias": True}
    assert doc["loss"] == "mse"
    assert doc["optimizer"] == {"name": "sgd", "lr": 0.001}
    assert doc["epoch"] == 200
    assert doc["final_loss"] == tutorial_run.snapshot().loss and round(doc["final_loss"], 2) == 0.06
    assert doc["parameters"]["w"] == {"shape": [1, 1], "values": [[FINAL_W]]}
    assert doc["parameters"]["b"] == {"shape": [1, 1], "values": [[FINAL_B]]}


def test_parameters_json_describes_mlp_and_adam(tmp_path, mlp_run):
    path = tmp_path / "p.json"
    io.export_parameters(path, mlp_run.snapshot())
    doc = json.loads(path.read_text())
    assert doc["model"] == {"name": "mlp", "hidden": [3, 2], "activation": "tanh"}
    assert doc["optimizer"] == {"name": "adam", "lr": 0.01, "betas": [0.9, 0.999]}
    params = mlp_run.snapshot().params
    for name, value in params.items():
        entry = doc["parameters"][name]
        assert entry["shape"] == list(value.shape)
        np.testing.assert_array_equal(np.array(entry["values"], dtype=np.float32), value)


def test_parameters_csv(tmp_path, mlp_run):
    path = tmp_path / "p.csv"
    io.export_parameters(path, mlp_run.snapshot())
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["parameter", "value"]
    params = mlp_run.snapshot().params
    shapes = {name: value.shape for name, value in params.items()}
    assert len(rows) - 1 == sum(v.size for v in params.values())
    for entry, value in rows[1:]:
        # Each entry is spelled as the Parameters dock and the landscape spell it, and reads back.
        coordinate = parse_coordinate(entry, shapes)
        assert coordinate.label == entry
        assert np.float32(float(value)) == coordinate.value(params)
    assert rows[1][0] == "hidden1.weight[0, 0]" and rows[-1][0] == "output.bias"


def test_the_polynomial_formula_names_its_weights_as_the_export_does(tmp_path):
    preset = load_preset("quadratic")
    config = preset.config.replace(model="polynomial", degree=3)
    trainer = Trainer(config, preset.points)
    path = tmp_path / "p.csv"
    io.export_parameters(path, trainer.snapshot())
    with open(path, newline="") as f:
        names = [row[0] for row in list(csv.reader(f))[1:]]
    assert names == ["w[0, 0]", "w[1, 0]", "w[2, 0]", "b"]
    formula = MODELS["polynomial"].formula(config)
    assert all(name in formula for name in names)
    assert "₁" not in formula


def test_parameters_npz_loads_without_pickle(tmp_path, tutorial_run, mlp_run):
    for trainer in (tutorial_run, mlp_run):
        path = tmp_path / "p.npz"
        io.export_parameters(path, trainer.snapshot())
        with np.load(path, allow_pickle=False) as data:
            loaded = {k: data[k] for k in data.files}
        params = trainer.snapshot().params
        assert set(loaded) == set(params)
        for name in params:
            assert loaded[name].dtype == np.float32
            np.testing.assert_array_equal(loaded[name], params[name])
    with np.load(tmp_path / "p.npz", allow_pickle=False) as data:
        assert "hidden1.weight" in data.files


def test_unknown_parameter_format_writes_nothing(tmp_path, tutorial_run):
    with pytest.raises(io.PlaygroundFileError, match=r"\.json"):
        io.export_parameters(tmp_path / "p.txt", tutorial_run.snapshot())
    assert list(tmp_path.iterdir()) == []


def test_unwritable_target_raises_a_file_error(tmp_path, tutorial_run):
    with pytest.raises(io.PlaygroundFileError, match="cannot write"):
        io.export_parameters(tmp_path / "missing" / "p.json", tutorial_run.snapshot())


def _strict_json(text):
    """Standard JSON only: the bare tokens NaN, Infinity and -Infinity are refused."""

    def refuse(token):
        raise ValueError(f"not standard JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def overflowed_run():
    """A run whose learning rate overflows everything: the loss ends in NaN, the parameters hold ±inf."""
    preset = load_preset("quadratic")
    trainer = Trainer(preset.config.replace(lr=1e38), preset.points)
    trainer.run(5)
    params = np.concatenate([v.ravel() for v in trainer.snapshot().params.values()])
    assert np.isnan(trainer.loss_history[-1]) and np.isposinf(params).any() and np.isneginf(params).any()
    return trainer


def test_parameters_json_is_standard_json_when_values_are_not_finite(tmp_path, overflowed_run):
    path = tmp_path / "p.json"
    snapshot = overflowed_run.snapshot()
    io.export_parameters(path, snapshot)
    doc = _strict_json(path.read_text())
    assert doc["final_loss"] == "NaN"
    for name, value in snapshot.params.items():
        expected = [[{math.inf: "Infinity", -math.inf: "-Infinity"}.get(v, v) for v in row] for row in value.tolist()]
        assert doc["parameters"][name]["values"] == expected
    # Before the first epoch there is no loss: null, not "NaN".
    io.export_parameters(path, Trainer(Config(), load_preset("linear-regression").points).snapshot())
    assert _strict_json(path.read_text())["final_loss"] is None


# -- loss curve -------------------------------------------------------------------------


def test_loss_csv_rows_match_the_tutorial(tmp_path, tutorial_run):
    path = tmp_path / "loss.csv"
    io.export_loss_csv(path, tutorial_run.loss_history)
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss" and len(lines) == 201
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(1, 201))
    assert float(rows[0][1]) == 41.0
    assert [round(float(rows[e - 1][1]), 2) for e in range(20, 201, 20)] == PRINTED_LOSSES
    assert [float(r[1]) for r in rows] == list(tutorial_run.loss_history)


def test_loss_csv_keeps_non_finite_losses():
    text = io.loss_csv_text([1.5, float("inf"), float("nan")])
    assert text == "epoch,loss\n1,1.5\n2,inf\n3,nan\n"


# -- points -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x,y\n1,3\n2,5\n",
        "1,3\n2,5\n",
        "1 3\n2\t5\n",
        "\ufeffx y\r\n1   3\r\n\r\n2 5\r\n",
        "# points\nx, y\n1, 3\n# middle\n2 ,5",
        b"x,y\n1.0e0,3\n+2,5.000\n",
        b"\xef\xbb\xbfx;y\n1,3\n2,5\n".replace(b";", b","),
    ],
)
def test_points_csv_variants(text):
    np.testing.assert_array_equal(io.parse_points_csv(text), [[1, 3], [2, 5]])


def test_bad_rows_are_reported_with_line_numbers():
    text = "x,y\n1,2\nfoo,3\n4,5\n6\n7,nan\n8,inf,1\n9,1e400\n1e39,0\n"
    with pytest.raises(io.PointsFormatError) as info:
        io.parse_points_csv(text)
    err = info.value
    assert [n for n, _ in err.problems] == [3, 5, 6, 7, 8, 9]
    message = str(err)
    assert "\n" not in message
    for fragment in (
        "6 rows",
        "line 9: '1e39' is too large",
        "line 3: 'foo' is not a number",
        "line 5: expected 2 values",
        "line 6: 'nan' is not a finite number",
        "line 7: expected 2 values (x, y), found 3",
        "line 8: '1e400' is not a finite number",
    ):
        assert fragment in message


def test_many_bad_rows_are_summarised():
    text = "\n".join(f"{i},oops" for i in range(30))
    with pytest.raises(io.PointsFormatError, match="and 20 more rows") as info:
        io.parse_points_csv(text)
    assert len(info.value.problems) == 30


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "no points"),
        ("x,y\n", "no points"),
        ("# nothing\n\n", "no points"),
        (b"\xff\xfe\x00", "not a text file"),
        ("1,2\x00", "not a text file"),
    ],
)
def test_files_without_points(text, reason):
    with pytest.raises(io.PointsFormatError, match=reason):
        io.parse_points_csv(text)


def test_a_nan_first_row_is_an_error_not_a_header():
    with pytest.raises(io.PointsFormatError, match="line 1"):
        io.parse_points_csv("nan,inf\n1,2\n")


def test_points_round_trip_exactly(tmp_path):
    points = np.array([[0.1, -2.5e-300], [1 / 3, 3.4e38], [-0.0, 123456789.123456789]])
    path = tmp_path / "points.csv"
    io.export_points_csv(path, points)
    assert path.read_text().startswith("x,y\n")
    np.testing.assert_array_equal(io.read_points_csv(path), points)


def test_reading_a_missing_points_file(tmp_path):
    with pytest.raises(io.PointsFormatError, match="cannot read"):
        io.read_points_csv(tmp_path / "nope.csv")


def test_the_file_name_is_in_the_message(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("1,2\n3,x\n")
    with pytest.raises(io.PointsFormatError, match=r"mine\.csv: .*line 2"):
        io.read_points_csv(path)


finite = st.floats(min_value=-3.4e38, max_value=3.4e38)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=30))
def test_points_csv_round_trip_property(rows):
    points = np.array(rows, dtype=np.float64).reshape(-1, 2)
    np.testing.assert_array_equal(io.parse_points_csv(io.points_csv_text(points)), points)


csv_tokens = st.sampled_from(list("0123456789.,-+eE \t\n\r#xyna_if") + ["nan", "inf", "1e999", "\ufeff", "é"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(csv_tokens, max_size=60).map("".join), st.text(max_size=60), st.binary(max_size=60)))
def test_fuzzed_points_csv_only_raises_points_format_error(text):
    try:
        points = io.parse_points_csv(text)
    except io.PointsFormatError as exc:
        assert str(exc)
        return
    assert points.ndim == 2 and points.shape[1] == 2 and len(points) >= 1
    assert np.isfinite(points).all()


# -- sessions -----------------------------------------------------------------------------

SESSION_CONFIGS = {
    "sgd": Config(optimizer="sgd", lr=0.001),
    "momentum": Config(optimizer="momentum", lr=0.001),
    "adam": Config(optimizer="adam", lr=0.05),
    "mlp-minibatch": Config(model="mlp", hidden=(5,), optimizer="rmsprop", lr=0.01, batch_size=3, seed=3),
}


@pytest.mark.parametrize("name", list(SESSION_CONFIGS))
def test_session_resumes_bit_for_bit(tmp_path, name):
    config = SESSION_CONFIGS[name]
    points = load_preset("noisy-line", n_points=10).points
    straight = Trainer(config, points)
    straight.run(40)

    first = Trainer(config, points)
    first.run(20)
    path = tmp_path / "run.json"
    io.save_session(path, first.points, first, app={"view": "log"})
    session = io.load_session(path)
    assert session.epoch == 20 and session.config == config and session.app == {"view": "log"}
    np.testing.assert_array_equal(session.points, points)
    resumed = session.make_trainer()
    resumed.run(20)

    a, b = straight.snapshot(), resumed.snapshot()
    assert a.new_losses.tolist() == b.new_losses.tolist()
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_session_from_a_state_dict_and_its_document(tmp_path, tutorial_run):
    path = tmp_path / "s.json"
    io.save_session(path, tutorial_run.points, tutorial_run.state_dict())
    doc = json.loads(path.read_text())
    assert doc["format"] == "gradient-playground-session" and doc["version"] == io.SESSION_VERSION
    assert doc["points"] == [[1.0, 3.0], [2.0, 5.0], [3.0, 7.0], [4.0, 9.0]]
    assert doc["trainer"]["parameters"]["w"]["values"] == [[FINAL_W]]
    assert doc["trainer"]["config"]["optimizer"] == "sgd"
    assert len(doc["trainer"]["loss_history"]) == 200


def test_saving_over_a_session_is_atomic(tmp_path, tutorial_run, monkeypatch):
    path = tmp_path / "s.json"
    io.save_session(path, tutorial_run.points, tutorial_run)
    original = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io.os, "replace", failing_replace)
    with pytest.raises(io.SessionError, match="No space left"):
        io.save_session(path, np.zeros((1, 2)), tutorial_run)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary file left behind


def test_a_session_that_cannot_be_stored_leaves_the_old_file(tmp_path, tutorial_run):
    path = tmp_path / "s.json"
    io.save_session(path, tutorial_run.points, tutorial_run)
    original = path.read_bytes()
    state = tutorial_run.state_dict()
    state["extra"] = object()
    with pytest.raises(io.SessionError):
        io.save_session(path, tutorial_run.points, state)
    assert path.read_bytes() == original


def valid_session_text(trainer):
    return json.dumps(io.session_document(trainer.points, trainer))


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: d.update(version=2), "newer version"),
        (lambda d: d.update(format="other"), "not a Gradient Playground session"),
        (lambda d: d.update(version="1"), "version"),
        (lambda d: d.pop("trainer"), "no training state"),
        (lambda d: d.update(points=[[1, 2, 3]]), "points"),
        (lambda d: d.update(points=[[1, float("nan")]]), "finite"),
        (lambda d: d["trainer"].update(epoch=7), "corrupt"),
        (lambda d: d["trainer"]["parameters"].pop("w"), "corrupt"),
        (lambda d: d["trainer"]["config"].update(optimizer="newton"), "corrupt"),
        (lambda d: d["trainer"].update(version=5), "corrupt"),
        (lambda d: d.update(app=[]), "app"),
    ],
)
def test_corrupt_sessions_raise_session_error(tmp_path, tutorial_run, mutate, message):
    doc = json.loads(valid_session_text(tutorial_run))
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(io.SessionError, match=message) as info:
        io.load_session(path)
    assert "bad.json" in str(info.value)


@pytest.mark.parametrize(
    "data", [b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"format": 3}', b"[" * 100_000 + b"]" * 100_000]
)
def test_garbage_is_not_a_session(tmp_path, data):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(io.SessionError):
        io.load_session(path)


def test_truncated_session(tmp_path, tutorial_run):
    text = valid_session_text(tutorial_run)
    for cut in (1, len(text) // 3, len(text) - 2):
        with pytest.raises(io.SessionError, match="not valid JSON"):
            io.parse_session(text[:cut])


def test_missing_session_file(tmp_path):
    with pytest.raises(io.SessionError, match="cannot read"):
        io.load_session(tmp_path / "none.json")


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6))
json_value = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=8
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _paths(v, prefix + (i,))


_SESSION_TEMPLATE = None


def _template():
    global _SESSION_TEMPLATE
    if _SESSION_TEMPLATE is None:
        trainer = Trainer(Config(optimizer="adam", lr=0.01, batch_size=2), load_preset("linear-regression").points)
        trainer.run(3)
        _SESSION_TEMPLATE = valid_session_text(trainer)
    return json.loads(_SESSION_TEMPLATE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_session_documents_only_raise_session_error(data):
    doc = _template()
    paths = [p for p in _paths(doc) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            if data.draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = data.draw(json_value)
        except (KeyError, IndexError, TypeError):
            pass
    try:
        text = json.dumps(doc)
    except ValueError:
        return
    try:
        session = io.parse_session(text)
    except io.SessionError as exc:
        assert str(exc)
        return
    trainer = session.make_trainer()  # whatever loads must train or say why not
    if trainer.can_train:
        trainer.run(2)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=80), st.text(max_size=80), json_value.map(json.dumps)))
def test_fuzzed_session_bytes_only_raise_session_error(data):
    with pytest.raises(io.SessionError):
        io.parse_session(data)


def test_a_diverged_session_is_standard_json_and_reads_back_the_same_floats(tmp_path, overflowed_run):
    path = tmp_path / "s.json"
    io.save_session(path, overflowed_run.points, overflowed_run)
    doc = _strict_json(path.read_text())
    assert doc["trainer"]["loss_history"][-1] == "NaN"
    restored = io.load_session(path).make_trainer()
    assert repr(restored.state_dict()) == repr(overflowed_run.state_dict())  # every NaN and ±inf in place
    # And an epoch more goes as it goes on the original run.
    original = Trainer(overflowed_run.config, overflowed_run.points)
    original.run(5)
    original.run(1)
    restored.run(1)
    assert repr(restored.state_dict()) == repr(original.state_dict())


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(st.lists(st.floats() | st.integers(), max_size=8), lambda c: st.lists(c, max_size=3), max_leaves=20)
)
def test_non_finite_numbers_survive_the_json_encoding(values):
    text = json.dumps(io._json_numbers(values), allow_nan=False)  # standard JSON, or this raises
    assert repr(io._numbers_from_json(json.loads(text))) == repr(values)


def test_sessions_with_the_bare_nan_tokens_of_earlier_versions_open(tmp_path, overflowed_run):
    path = tmp_path / "old.json"
    document = {
        "format": io.SESSION_FORMAT,
        "version": 1,
        "points": overflowed_run.points.tolist(),
        "trainer": overflowed_run.state_dict(),
        "app": {},
    }
    path.write_text(json.dumps(document))  # Python's default: bare NaN and Infinity
    assert "NaN" in path.read_text() and '"NaN"' not in path.read_text()
    restored = io.load_session(path).make_trainer()
    assert repr(restored.state_dict()) == repr(overflowed_run.state_dict())


def test_opening_a_session_does_not_touch_the_running_trainer(tmp_path, tutorial_run):
    # The app keeps its own trainer; a failed open must leave it as it was.
    live = Trainer(Config(lr=0.01), load_preset("noisy-line").points)
    live.run(5)
    before = live.snapshot()
    path = tmp_path / "s.json"
    io.save_session(path, tutorial_run.points, tutorial_run)
    path.write_text(path.read_text()[:-50])
    with pytest.raises(io.SessionError):
        io.load_session(path)
    after = live.snapshot()
    assert after.new_losses.tolist() == before.new_losses.tolist() and after.config == before.config


def test_saved_files_get_the_usual_permissions_not_private_ones(tmp_path):
    import os
    import stat

    from playground import io

    umask = os.umask(0o022)
    try:
        target = tmp_path / "points.csv"
        io.export_points_csv(target, np.array([[1.0, 2.0]]))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    finally:
        os.umask(umask)


# -- how files are replaced ---------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o444, 0o640])
def test_saving_over_a_file_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "points.csv"
    target.write_text("x,y\n")
    target.chmod(mode)
    io.export_points_csv(target, np.array([[1.0, 2.0]]))
    assert stat.S_IMODE(target.stat().st_mode) == mode
    np.testing.assert_array_equal(io.read_points_csv(target), [[1.0, 2.0]])


def test_saving_over_a_symbolic_link_writes_the_file_it_points_to(tmp_path):
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "points.csv"
    real.write_text("x,y\n")
    real.chmod(0o600)
    link = tmp_path / "points.csv"
    link.symlink_to(real)
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(tmp_path / "data" / "new.csv")
    for path in (link, dangling):
        io.export_points_csv(path, np.array([[3.0, 4.0]]))
        assert path.is_symlink()
    assert os.readlink(link) == str(real) and stat.S_IMODE(real.stat().st_mode) == 0o600
    np.testing.assert_array_equal(io.read_points_csv(real), [[3.0, 4.0]])
    np.testing.assert_array_equal(io.read_points_csv(tmp_path / "data" / "new.csv"), [[3.0, 4.0]])
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["new.csv", "points.csv"]


def test_check_writable_finds_what_a_save_would_meet_and_changes_nothing(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "loop.csv").symlink_to("loop.csv")
    (tmp_path / "kept.csv").write_text("1,2\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    io.check_writable(tmp_path / "new.csv")
    io.check_writable(tmp_path / "kept.csv")
    for name, reason in [
        ("missing/p.csv", "its folder does not exist"),
        ("folder.csv", "it is a folder"),
        ("pipe.csv", "it is not a regular file"),
        ("loop.csv", "[Tt]oo many levels of symbolic links"),
    ]:
        with pytest.raises(io.PlaygroundFileError, match=f"cannot write .*{name}: {reason}"):
            io.check_writable(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "kept.csv").read_text() == "1,2\n"


def test_only_stale_temporary_files_of_the_same_target_are_removed(tmp_path):
    old = time.time() - 2 * io.STALE_TEMP_SECONDS
    names = {
        ".points.csv.a1b2c3d4.tmp": old,  # left by a killed save: removed
        ".points.csv.e5f6g7h8.tmp": time.time(),  # a save under way: kept
        ".other.csv.a1b2c3d4.tmp": old,  # another target's
        ".points.csv.a1b2c3d4.tmp.bak": old,  # not a temporary file of ours
        "points.csv.a1b2c3d4.tmp": old,
    }
    for name, when in names.items():
        (tmp_path / name).write_text("partial")
        os.utime(tmp_path / name, (when, when))
    io.export_points_csv(tmp_path / "points.csv", np.array([[1.0, 2.0]]))
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == sorted([*names.keys() - {".points.csv.a1b2c3d4.tmp"}, "points.csv"])


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("x;y\n1;2\n3;4\n", "line 3: expected 2 values (x, y), found 1 (they hold semicolons"),
        ("1,5;2,5\n", "found 3 (it holds semicolons"),
        ("1;2\n", "the file holds no points (its first row, read as a header, holds semicolons"),
    ],
)
def test_semicolons_get_a_hint_about_the_separator(text, fragment):
    with pytest.raises(io.PointsFormatError) as info:
        io.parse_points_csv(text)
    assert fragment in str(info.value) and "decimal mark" in str(info.value)


# ------------------------------------------------------------------------------- the fast path

_NUMBER = st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(_NUMBER, _NUMBER), min_size=1, max_size=30),
    separator=st.sampled_from([",", ", ", " ", "\t", " ,"]),
    header=st.sampled_from([None, "x,y", "x y", "# points\nx,y"]),
    blank=st.booleans(),
    formatter=st.sampled_from([repr, lambda v: f"{v:.3g}", lambda v: f"{v:e}"]),
)
def test_well_formed_files_parse_the_same_fast_and_row_by_row(rows, separator, header, blank, formatter):
    lines = [f"{formatter(x)}{separator}{formatter(y)}" for x, y in rows]
    if blank:
        lines.insert(len(lines) // 2, "")
    if header:
        lines.insert(0, header)
    text = "\n".join(lines) + "\n"
    fast = io._parse_clean_points(text)
    slow = io._parse_rows(text)
    assert fast is not None  # well formed: NumPy reads it
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(io.parse_points_csv(text), slow)


@pytest.mark.parametrize(
    "text",
    ["1,2\n3,nan\n", "1,2\n3,4,5\n", "1,2\n3\n", "1,2\nx,4\n", "1,2\n1e39,0\n", "x,y\n", "1 2 3\n", ""],
)
def test_files_with_problems_go_to_the_row_by_row_parser(text):
    assert io._parse_clean_points(text) is None
