"""The loss landscape (Qt-free): grid values against the trainer's own loss, minima, gradients, ranges, contours."""

import dataclasses
import math

import numpy as np
import pytest

from playground.config import Config
from playground.coordinates import Coordinate, all_coordinates, element_name, parse_coordinate
from playground.landscape import (
    GRID_SIZE,
    Grid,
    LandscapeEvaluator,
    arrow_fraction,
    contour_levels,
    contour_segments,
    default_coordinates,
    follow_range,
    steepest_slope,
    surface,
)
from playground.presets import load_preset
from playground.trainer import Trainer

RNG = np.random.default_rng(11)


def trainer_at(config, points, params):
    """A trainer whose parameters are ``params``: the loss it computes is the reference."""
    init = tuple((name, np.asarray(value, dtype=np.float64).tolist()) for name, value in params.items())
    return Trainer(config.replace(init=init), points)


def with_values(params, coordinates, values):
    out = {name: np.array(value, dtype=np.float32, copy=True) for name, value in params.items()}
    for c, v in zip(coordinates, values):
        out[c.name].reshape(-1)[c.flat] = v
    return out


CASES = [
    ("linear-regression", {}),
    ("noisy-line", {"loss": "mae"}),
    ("noisy-line", {"loss": "huber"}),
    ("noisy-line", {"loss": "sse", "bias": True}),
    ("quadratic", {}),
    ("quadratic", {"degree": 4}),
    ("sigmoid-neuron", {}),
    ("step", {}),
    ("sine", {}),
    ("sine", {"hidden": (5, 4, 3), "activation": "relu"}),
    ("sine", {"activation": "sigmoid", "loss": "huber"}),
    ("circle", {}),
    ("circle", {"regularization": "l2", "regularization_rate": 0.05}),
    ("xor", {"regularization": "l1", "regularization_rate": 0.02}),
    ("gaussians", {"loss": "bce-logits", "regularization": "l2", "regularization_rate": 0.1}),
    ("spiral", {"regularization": "l1", "regularization_rate": 0.01}),
]


@pytest.mark.parametrize("preset, changes", CASES)
def test_grid_values_are_the_loss_the_trainer_computes_at_those_parameters(preset, changes):
    p = load_preset(preset)
    config = p.config.replace(**changes)
    trainer = Trainer(config, p.points)
    trainer.run(7)
    params = trainer.snapshot().params
    coordinates = all_coordinates(params)
    # Two coordinates from different places of the model, when it has them.
    chosen = (coordinates[0], coordinates[-1]) if len(coordinates) > 1 else (coordinates[0],)
    centre = [c.value(params) for c in chosen]
    ranges = [(v - 1.5, v + 0.75) for v in centre]
    grid = LandscapeEvaluator().grid(config, p.points, params, chosen, ranges, size=9)
    assert grid.losses.shape == ((9, 9) if len(chosen) == 2 else (9,))
    cells = [(i, j) for i in range(9) for j in range(9)]
    for i, j in [cells[k] for k in RNG.choice(len(cells), 6, replace=False)]:
        values = (grid.axes[0][i], grid.axes[1][j]) if len(chosen) == 2 else (grid.axes[0][i],)
        reference = trainer_at(config, p.points, with_values(params, chosen, values)).loss_tensor().item()
        got = grid.losses[j, i] if len(chosen) == 2 else grid.losses[i]
        assert got == pytest.approx(reference, rel=2e-6, abs=1e-7)


def test_on_the_seed_data_the_grid_minimum_is_within_one_cell_of_w2_b1():
    p = load_preset("linear-regression")
    trainer = Trainer(p.config, p.points)
    trainer.run(200)
    params = trainer.snapshot().params
    evaluator = LandscapeEvaluator()
    coordinates = default_coordinates(params)
    assert [c.label for c in coordinates] == ["w", "b"]
    minimum = evaluator.minimum(p.config, p.points, params, coordinates)
    assert minimum == pytest.approx((2.0, 1.0), abs=1e-9)
    path = np.array([[0.0, 0.0], [coordinates[0].value(params), coordinates[1].value(params)], minimum])
    ranges = follow_range(path)
    grid = evaluator.grid(p.config, p.points, params, coordinates, ranges)
    assert grid.losses.shape == (GRID_SIZE, GRID_SIZE)
    w, b = grid.argmin()
    cell = [(hi - lo) / (GRID_SIZE - 1) for lo, hi in ranges]
    assert abs(w - 2.0) <= cell[0] and abs(b - 1.0) <= cell[1]
    assert np.nanmin(grid.losses) < 0.01


def test_least_squares_minimum_is_the_line_fit_and_a_stationary_point_of_any_slice():
    p = load_preset("noisy-line")
    evaluator = LandscapeEvaluator()
    params = Trainer(p.config, p.points).snapshot().params
    slope, intercept = np.polyfit(p.points[:, 0], p.points[:, 1], 1)
    assert evaluator.minimum(p.config, p.points, params, default_coordinates(params)) == pytest.approx(
        (slope, intercept), rel=1e-6
    )
    # Only w: the best w with b held at 0 solves Σx(wx − y) = 0.
    (w,) = evaluator.minimum(p.config, p.points, params, default_coordinates(params)[:1])
    x, y = p.points.T
    assert w == pytest.approx((x @ y) / (x @ x), rel=1e-6)

    q = load_preset("quadratic")
    config = q.config.replace(degree=3, lr=0.001)
    trainer = Trainer(config, q.points)
    trainer.run(20)
    params = trainer.snapshot().params
    chosen = (all_coordinates(params)[1], all_coordinates(params)[3])  # w[1, 0] and b, w[0, 0] and w[2, 0] held
    best = evaluator.minimum(config, q.points, params, chosen)
    at_best = with_values(params, chosen, best)
    assert np.abs(evaluator.gradient(config, q.points, at_best, chosen)).max() < 1e-3
    grid = evaluator.grid(config, q.points, params, chosen, [(v - 1, v + 1) for v in best], size=21)
    assert evaluator.loss_at(config, q.points, at_best) <= np.nanmin(grid.losses) + 1e-6

    for preset in ("sine", "step", "sigmoid-neuron"):  # not linear in the parameters, or not squared error
        s = load_preset(preset)
        params = Trainer(s.config, s.points).snapshot().params
        assert evaluator.minimum(s.config, s.points, params, default_coordinates(params)) is None
    same_x = np.array([[1.0, 2.0], [1.0, 3.0]])  # no single best line through one x
    assert evaluator.minimum(p.config, same_x, params_of(p.config), default_coordinates(params_of(p.config))) is None


def params_of(config):
    return Trainer(config, np.zeros((0, 2))).snapshot().params


@pytest.mark.parametrize(
    "preset, changes",
    [
        ("linear-regression", {}),
        ("quadratic", {}),
        ("step", {}),
        ("sine", {}),
        ("moons", {"regularization": "l2", "regularization_rate": 0.05}),
        ("xor", {"regularization": "l1", "regularization_rate": 0.02}),
    ],
)
def test_gradient_at_a_point_is_the_trainers_backward(preset, changes):
    p = load_preset(preset)
    p = dataclasses.replace(p, config=p.config.replace(**changes))
    trainer = Trainer(p.config, p.points)
    trainer.run(3)
    params = trainer.snapshot().params
    coordinates = all_coordinates(params)
    chosen = (coordinates[0], coordinates[len(coordinates) // 2], coordinates[-1])
    got = LandscapeEvaluator().gradient(p.config, p.points, params, chosen)
    reference = trainer_at(p.config, p.points, params)
    reference.loss_tensor().backward()
    grads = {name: param.grad.numpy() for name, param in reference.model.named_parameters()}
    expected = [grads[c.name].reshape(-1)[c.flat] for c in chosen]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_loss_at_matches_the_trainer_bit_for_bit():
    p = load_preset("sine")
    trainer = Trainer(p.config, p.points)
    trainer.run(4)
    assert LandscapeEvaluator().loss_at(p.config, p.points, trainer.snapshot().params) == trainer.loss_tensor().item()


def test_follow_range_holds_the_path_with_room_in_round_steps():
    path = np.array([[0.0, 0.0], [1.3, 0.4], [2.02, 0.71], [2.0, 1.0]])
    (w0, w1), (b0, b1) = follow_range(path)
    assert w0 < 0.0 and w1 > 2.02 and b0 < 0.0 and b1 > 1.0
    assert w1 - w0 <= 2 * (2.02 + 2 * 1.01) and b1 - b0 <= 2 * (1.0 + 2 * 1.0)
    for value in (w0, w1, b0, b1):
        assert round(value * 4) == value * 4  # multiples of a round step (here 0.25 or 0.5)
    # A little more path does not move the range: the view stays put while training creeps on.
    assert follow_range(np.vstack([path, [[2.01, 0.99]]])) == follow_range(path)
    # A single value gets a window of its own.
    ((lo, hi),) = follow_range(np.array([[3.0]]))
    assert lo <= 2.0 and hi >= 4.0
    assert follow_range(np.array([[np.nan, 1.0]]))[0] == (-1.0, 1.0)


def test_contours_of_a_bowl_are_circles():
    xs = np.linspace(-2, 2, 41)
    ys = np.linspace(-2, 2, 41)
    z = xs[None, :] ** 2 + ys[:, None] ** 2
    segments = contour_segments(xs, ys, z, 1.0)
    radii = np.hypot(segments[..., 0], segments[..., 1])
    assert np.abs(radii - 1.0).max() < 0.01  # on the circle, up to the linear interpolation across a cell
    # Around the whole circle: the segments' total length is close to 2π.
    length = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum()
    assert length == pytest.approx(2 * math.pi, rel=0.01)
    assert len(contour_segments(xs, ys, z, 100.0)) == 0
    whole = len(segments)
    z[20, 30] = np.nan  # a hole on the circle (x = 1, y = 0): the cells around it are left out, the rest drawn
    assert 0 < len(contour_segments(xs, ys, z, 1.0)) < whole


def test_contour_saddle_cells_follow_the_centre_value():
    xs = ys = np.array([0.0, 1.0])
    z = np.array([[1.0, 0.0], [0.0, 1.0]])  # corners (0,0) and (1,1) above 0.4, the centre 0.5 above
    segments = contour_segments(xs, ys, z, 0.4)
    assert len(segments) == 2
    # The centre is above: the two corners below are cut off, (1, 0) and (0, 1).
    ends = {tuple(np.round(e, 6)) for s in segments for e in s}
    assert ends == {(0.6, 0.0), (1.0, 0.4), (0.0, 0.6), (0.4, 1.0)}


def test_the_steepest_slope_of_a_grid_is_the_largest_gradient_norm():
    xs = np.linspace(-2, 2, 41)  # the axes' spacings differ, so swapping them would change the slope
    ys = np.linspace(-1, 1, 11)
    bowl = xs[None, :] ** 2 + 4 * ys[:, None] ** 2  # rows follow y
    grid = Grid(default_coordinates({"w": np.zeros((1, 1)), "b": np.zeros((1, 1))}), (xs, ys), bowl)
    assert steepest_slope(grid) == pytest.approx(math.hypot(2 * 2, 8 * 1))  # ∇L = (2x, 8y) at a corner
    bowl[0, 0] = bowl[-1, -1] = np.nan  # holes are left out, not spread
    assert math.isfinite(steepest_slope(grid))
    curve = Grid(grid.coordinates[:1], (xs,), (xs - 1) ** 2)
    assert steepest_slope(curve) == pytest.approx(6.0)  # |2(x − 1)| at x = −2
    assert steepest_slope(Grid(grid.coordinates[:1], (xs,), np.ones_like(xs))) is None  # flat: no scale
    assert surface(grid, log=False).steepest == steepest_slope(grid)


def test_the_arrow_loses_a_quarter_for_each_tenfold_flatter_slope():
    assert arrow_fraction(8.0, 8.0) == 1.0
    assert arrow_fraction(0.8, 8.0) == pytest.approx(0.75)
    assert arrow_fraction(0.008, 8.0) == pytest.approx(0.25)
    assert arrow_fraction(8e-4, 8.0) == pytest.approx(0.0)
    assert arrow_fraction(1e-9, 8.0) == 0.0 and arrow_fraction(0.0, 8.0) == 0.0
    assert arrow_fraction(80.0, 8.0) == 1.0  # steeper than anything on the grid: the whole arrow
    assert arrow_fraction(0.08, 8.0, decades=2) == pytest.approx(0.0)
    assert arrow_fraction(3.0, None) == 1.0  # no scale yet


def test_surface_colours_and_levels():
    p = load_preset("linear-regression")
    evaluator = LandscapeEvaluator()
    params = Trainer(p.config, p.points).snapshot().params
    grid = evaluator.grid(p.config, p.points, params, default_coordinates(params), [(-1, 3), (-1, 2)], size=16)
    linear = surface(grid, log=False)
    log = surface(grid, log=True)
    assert linear.colour_range == (pytest.approx(np.nanmin(grid.losses)), pytest.approx(np.nanmax(grid.losses)))
    assert log.colour_range[1] == pytest.approx(math.log10(np.nanmax(grid.losses)))
    assert np.all(np.diff(linear.levels) > 0) and len(linear.levels) == 10
    ratios = log.levels[1:] / log.levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # evenly spaced on the log scale
    assert len(linear.contours) and len(log.contours)
    assert len(contour_levels(np.full((3, 3), 2.0), log=False)) == 0


def test_coordinates_are_spelled_as_the_parameters_panel_spells_them():
    shapes = {"hidden1.weight": (16, 1), "hidden2.weight": (16, 16), "output.bias": (1,), "w": (1, 1)}
    assert parse_coordinate("w", shapes) == Coordinate("w", (0, 0), (1, 1))
    assert parse_coordinate("output.bias", shapes).label == "output.bias"
    for text in ("hidden2.weight[3, 5]", "hidden2.weight[3,5]", " hidden2.weight[ 3 , 5 ] ", "hidden2.weight[53]"):
        c = parse_coordinate(text, shapes)
        assert (c.name, c.index, c.label, c.flat) == ("hidden2.weight", (3, 5), "hidden2.weight[3, 5]", 53)
    assert parse_coordinate("hidden1.weight[4]", shapes).index == (4, 0)
    for bad, message in [
        ("v", "not a parameter of this model; its parameters are hidden1.weight"),
        ("hidden2.weight", "has 256 entries: name one, e.g. hidden2.weight[0, 0]"),
        ("hidden2.weight[16, 0]", "has shape (16, 16)"),
        ("hidden2.weight[256]", "flat index 0 to 255"),
        ("hidden2.weight[a]", "whole numbers"),
    ]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
            parse_coordinate(bad, shapes)
    assert element_name("w", (1, 1), (0, 0)) == "w"
    params = {"w": np.zeros((2, 1)), "b": np.zeros((1, 1))}
    assert [c.label for c in all_coordinates(params)] == ["w[0, 0]", "w[1, 0]", "b"]
    assert Coordinate("w", (1, 0), (2, 1)).value({"w": np.array([[3.0], [4.0]])}) == 4.0
    assert [c.label for c in default_coordinates({"w": np.zeros((1, 1))})] == ["w"]


def test_grids_of_many_points_are_evaluated_in_chunks():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 3000)
    points = np.column_stack([x, 0.3 * x - 0.1])
    config = Config(model="linear")
    params = params_of(config)
    evaluator = LandscapeEvaluator()
    coordinates = default_coordinates(params)
    values = rng.uniform(-1, 1, (800, 2))
    from playground import landscape

    old = landscape.CHUNK_ELEMENTS
    try:
        landscape.CHUNK_ELEMENTS = 3000 * 7  # chunks of 7 parameter sets
        chunked = evaluator.losses(config, points, params, coordinates, values)
    finally:
        landscape.CHUNK_ELEMENTS = old
    whole = evaluator.losses(config, points, params, coordinates, values)
    np.testing.assert_array_equal(chunked, whole)
    w, b = values[5]
    assert whole[5] == pytest.approx(np.mean((w * x + b - points[:, 1]) ** 2), rel=1e-5)


def test_a_path_is_drawn_with_the_points_that_move_on_screen():
    from playground.landscape import path_on_pixels

    # A descent spiralling into a minimum: thousands of epochs within a few pixels of it.
    t = np.arange(20_000)
    radius = 3.0 * np.exp(-t / 500)
    xs, ys = 2 + radius * np.cos(t / 10), 1 + radius * np.sin(t / 10)
    pixel = (0.01, 0.01)
    kx, ky = path_on_pixels(xs, ys, pixel)
    assert (kx[0], ky[0]) == (xs[0], ys[0]) and (kx[-1], ky[-1]) == (xs[-1], ys[-1])
    assert len(kx) < len(xs) / 4
    cells = np.stack([np.floor(kx / pixel[0]), np.floor(ky / pixel[1])], axis=1)
    assert (np.diff(cells[:-1], axis=0) != 0).any(axis=1).all()  # each kept point left the last one's pixel
    # Every dropped point shares a pixel with the kept point before it.
    kept = np.isin(xs, kx)
    last = np.maximum.accumulate(np.where(kept, np.arange(len(xs)), 0))
    dropped = ~kept
    assert (np.floor(xs[dropped] / 0.01) == np.floor(xs[last[dropped]] / 0.01)).all()
    # Gaps (non-finite points) are kept, so the path stays broken where it was.
    xs[100] = np.nan
    kx, _ = path_on_pixels(xs, ys, pixel)
    assert np.isnan(kx).sum() == 1
