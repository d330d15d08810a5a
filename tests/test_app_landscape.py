"""The Landscape dock in the real window: the surface, the path, placing the start, live recomputation.

Every wait is on a signal or a condition, never a sleep.
"""

import dataclasses
import math

import numpy as np
import pytest

from playground.landscape import LandscapeEvaluator
from playground.panels.landscape import ARROW_PIXELS, FRAME_RATE, HOLD_ABOVE_SECONDS
from playground.presets import load_preset

TIMEOUT = 30_000


def surface_of(window):
    return window.landscape_panel.surface


def wait_for_surface(qtbot, window, condition=lambda s: True):
    qtbot.waitUntil(lambda: surface_of(window) is not None and condition(surface_of(window)), timeout=TIMEOUT)
    return surface_of(window)


def wait_for_epoch(qtbot, window, epoch):
    qtbot.waitUntil(
        lambda: (
            window.training.latest is not None and window.training.latest.epoch == epoch and not window.training.running
        ),
        timeout=TIMEOUT,
    )


def covers_the_view(window):
    def check(surface):
        (x0, x1), (y0, y1) = window.landscape_panel.view_box.viewRange()
        axes = surface.grid.axes
        return np.allclose([axes[0][0], axes[0][-1], axes[1][0], axes[1][-1]], [x0, x1, y0, y1])

    return check


def test_the_surface_is_the_loss_and_the_minimum_is_marked(qtbot, main_window):
    window = main_window
    surface = wait_for_surface(qtbot, window, covers_the_view(window))
    grid = surface.grid
    assert [c.label for c in grid.coordinates] == ["w", "b"]
    assert surface.minimum == pytest.approx((2.0, 1.0))
    points = window.document.points
    for i, j in [(0, 0), (10, 40), (63, 63), (31, 17)]:
        w, b = np.float32(grid.axes[0][i]), np.float32(grid.axes[1][j])
        assert grid.losses[j, i] == pytest.approx(np.mean((w * points[:, 0] + b - points[:, 1]) ** 2), rel=1e-6)
    xs, ys = window.landscape_panel.minimum_item.getData()
    assert (xs[0], ys[0]) == pytest.approx((2.0, 1.0))
    # The view holds the start (0, 0) and the minimum.
    (x0, x1), (y0, y1) = window.landscape_panel.view_box.viewRange()
    assert x0 < 0 < 2 < x1 and y0 < 0 < 1 < y1


def test_training_draws_the_path_the_current_point_and_the_arrow(qtbot, main_window):
    window = main_window
    wait_for_surface(qtbot, window)
    window.training.step(50)
    wait_for_epoch(qtbot, window, 50)
    panel = window.landscape_panel
    snapshot = window.training.latest
    qtbot.waitUntil(lambda: len(panel._path_items) and len(panel._path_items[0][1].getData()[0]) == 51, timeout=TIMEOUT)
    xs, ys = panel._path_items[0][1].getData()
    assert (xs[0], ys[0]) == (0.0, 0.0)
    assert (xs[-1], ys[-1]) == (float(snapshot.params["w"][0, 0]), float(snapshot.params["b"][0, 0]))
    current = panel._path_items[0][3].getData()
    assert (current[0][0], current[1][0]) == (xs[-1], ys[-1])
    # The arrow starts at the current point and points down the gradient computed there.
    qtbot.waitUntil(lambda: len(panel.arrow.getData()[0]) == 6, timeout=TIMEOUT)
    ax, ay = panel.arrow.getData()
    assert (ax[0], ay[0]) == pytest.approx((xs[-1], ys[-1]))
    p = load_preset("linear-regression")
    g = LandscapeEvaluator().gradient(p.config, p.points, snapshot.params, panel.coordinates)
    direction = np.array([ax[1] - ax[0], ay[1] - ay[0]])
    assert np.sign(direction).tolist() == np.sign(-g).tolist()


def test_click_places_the_start_and_undo_takes_it_back(qtbot, main_window, plot_mouse):
    window = main_window
    wait_for_surface(qtbot, window)
    panel = window.landscape_panel
    mouse = plot_mouse(panel.plot_widget)
    with qtbot.waitSignal(window.document.configChanged, timeout=TIMEOUT):
        mouse.click(1.0, -0.5)
    px, py = panel.view_box.viewPixelSize()
    init = dict(window.document.config.init)
    assert init["w"][0][0] == pytest.approx(1.0, abs=2 * px) and init["b"][0][0] == pytest.approx(-0.5, abs=2 * py)
    # Training starts again from there: epoch 0 at the placed point, and the descent goes on from it.
    qtbot.waitUntil(
        lambda: (
            window.training.latest.epoch == 0
            and float(window.training.latest.params["w"][0, 0]) == np.float32(init["w"][0][0])
        ),
        timeout=TIMEOUT,
    )
    window.training.step(3)
    wait_for_epoch(qtbot, window, 3)
    path = window.training.latest.descent.runs[0]
    assert path.values[0].tolist() == [np.float32(init["w"][0][0]), np.float32(init["b"][0][0])]
    assert window.undo_action.text() == "&Undo Start from w = " + f"{init['w'][0][0]:.4g}, b = {init['b'][0][0]:.4g}"
    window.undo_action.trigger()
    assert dict(window.document.config.init) == {"w": ((0.0,),), "b": ((0.0,),)}
    qtbot.waitUntil(lambda: float(window.training.latest.params["w"][0, 0]) == 0.0, timeout=TIMEOUT)


def test_a_drag_on_the_landscape_is_one_undo_step(qtbot, main_window, plot_mouse):
    window = main_window
    wait_for_surface(qtbot, window)
    mouse = plot_mouse(window.landscape_panel.plot_widget)
    before = window.document.undo_stack.count()
    mouse.drag((0.5, 0.5), (2.5, 1.5), steps=8)
    assert window.document.undo_stack.count() == before + 1
    init = dict(window.document.config.init)
    px, py = window.landscape_panel.view_box.viewPixelSize()
    assert init["w"][0][0] == pytest.approx(2.5, abs=2 * px) and init["b"][0][0] == pytest.approx(1.5, abs=2 * py)
    window.undo_action.trigger()
    assert dict(window.document.config.init) == {"w": ((0.0,),), "b": ((0.0,),)}


def test_dragging_a_data_point_recomputes_the_surface(qtbot, main_window, plot_mouse):
    window = main_window
    first = wait_for_surface(qtbot, window)
    assert first.minimum == pytest.approx((2.0, 1.0))
    points = window.document.points
    x, y = points[3]
    plot_mouse(window.data_panel.plot_widget).drag((x, y), (x, y + 2.0), steps=6)
    moved = window.document.points
    slope, intercept = np.polyfit(moved[:, 0], moved[:, 1], 1)
    surface = wait_for_surface(qtbot, window, lambda s: s is not first and s.minimum != pytest.approx((2.0, 1.0)))
    assert surface.minimum == pytest.approx((slope, intercept), rel=1e-6)
    w, b = np.float32(surface.grid.axes[0][20]), np.float32(surface.grid.axes[1][30])
    assert surface.grid.losses[30, 20] == pytest.approx(np.mean((w * moved[:, 0] + b - moved[:, 1]) ** 2), rel=1e-6)


def test_a_costly_surface_holds_still_while_a_point_is_dragged_and_catches_up_on_release(
    qtbot, make_main_window, plot_mouse
):
    window = make_main_window("circle")
    panel = window.landscape_panel
    wait_for_surface(qtbot, window)
    requests = []
    panel.gridWanted.connect(requests.append)
    seen = []  # grid requests made by the time each move of the drag reached the document
    window.document.pointsChanged.connect(lambda *_: seen.append(len(requests)))
    x, y = window.document.points[0, :2]
    # Cheap surfaces follow a drag; this one counts as costly.
    panel._grid_seconds = HOLD_ABOVE_SECONDS * 2
    plot_mouse(window.data_panel.plot_widget).drag((x, y), (x + 1.0, y + 1.0), steps=6)
    assert len(seen) >= 3 and seen[-1] == seen[0] == 0  # nothing was asked for during the drag
    qtbot.waitUntil(lambda: len(requests) > 0, timeout=TIMEOUT)  # the release catches up
    assert requests[-1].points[0, :2].tolist() == pytest.approx(window.document.points[0, :2].tolist())
    # A cheap one is recomputed as the point moves.
    requests.clear()
    seen.clear()
    panel._grid_seconds = 0.0
    x, y = window.document.points[1, :2]
    plot_mouse(window.data_panel.plot_widget).drag((x, y), (x - 1.0, y - 1.0), steps=6)
    assert seen[-1] > 0


def test_choosing_other_coordinates_records_their_path(qtbot, make_main_window):
    window = make_main_window("quadratic")
    panel = window.landscape_panel
    wait_for_surface(qtbot, window)
    assert [c.label for c in panel.coordinates] == ["w[0, 0]", "w[1, 0]"]
    with qtbot.waitSignal(panel.coordinatesChanged, timeout=TIMEOUT):
        panel.y_combo.setCurrentIndex(2)  # b
    assert [c.label for c in panel.coordinates] == ["w[0, 0]", "b"]
    wait_for_surface(qtbot, window, lambda s: [c.label for c in s.grid.coordinates] == ["w[0, 0]", "b"])
    window.training.step(5)
    wait_for_epoch(qtbot, window, 5)
    descent = window.training.latest.descent
    assert [c.label for c in descent.coordinates] == ["w[0, 0]", "b"]
    params = window.training.latest.params
    assert descent.runs[0].values[-1].tolist() == [float(params["w"][0, 0]), float(params["b"][0, 0])]
    # The same parameter on both axes is not a landscape: the other axis takes the one replaced.
    panel.y_combo.setCurrentIndex(0)
    assert [c.label for c in panel.coordinates] == ["b", "w[0, 0]"]
    panel.y_combo.setCurrentIndex(panel.y_combo.count() - 1)  # none: the loss curve over one parameter
    surface = wait_for_surface(qtbot, window, lambda s: len(s.grid.coordinates) == 1)
    assert surface.grid.losses.ndim == 1 and panel.loss_curve.isVisible() and not panel.image.isVisible()


def test_log_colours_and_following_the_path(qtbot, main_window):
    window = main_window
    panel = window.landscape_panel
    wait_for_surface(qtbot, window, lambda s: not s.log)
    panel.log_check.setChecked(True)
    surface = wait_for_surface(qtbot, window, lambda s: s.log)
    assert surface.colour_range[1] == pytest.approx(np.log10(np.nanmax(surface.grid.losses)))
    assert panel.color_bar.axis.labelText == "log₁₀ loss"
    # Zooming stops the following; the surface is computed for the new view; Fit follows again.
    panel.view_box.scaleBy((0.5, 0.5))
    panel.view_box.sigRangeChangedManually.emit(panel.view_box.state["mouseEnabled"])
    assert not panel.following
    x0 = panel.view_box.viewRange()[0][0]
    wait_for_surface(qtbot, window, lambda s: s.grid.axes[0][0] == pytest.approx(x0))
    panel.fit_button.click()
    assert panel.following


def test_the_single_weight_landscape_is_a_loss_curve(qtbot, make_main_window):
    window = make_main_window("single-weight")
    surface = wait_for_surface(qtbot, window)
    assert [c.label for c in surface.grid.coordinates] == ["w"] and surface.minimum == pytest.approx((2.0,))
    x, y = load_preset("single-weight").points.T
    w = np.float32(surface.grid.axes[0][100])
    assert surface.grid.losses[100] == pytest.approx(np.sum((w * x - y) ** 2), rel=1e-6)
    assert not window.landscape_panel.y_combo.isEnabled()


def test_hidden_landscape_computes_nothing(qtbot, main_window):
    window = main_window
    wait_for_surface(qtbot, window)
    requests = []
    window.landscape_panel.gridWanted.connect(requests.append)
    window.landscape_dock.close()
    window.training.step(20)
    wait_for_epoch(qtbot, window, 20)
    window.document.move_points([0], [[1.0, 4.0]])
    assert requests == []
    window.landscape_dock.show()
    qtbot.waitUntil(lambda: len(requests) > 0, timeout=TIMEOUT)


def test_while_a_network_trains_the_newest_surface_is_drawn_with_its_epoch(qtbot, make_main_window):
    # The MLP's other weights change at every epoch, so each grid is out of date by the time it
    # is done; the newest one is drawn all the same, named by the epoch it was computed at.
    window = make_main_window("sine")
    panel = window.landscape_panel
    wait_for_surface(qtbot, window)
    shown = []
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: window.training.running and window.training.latest.epoch > 0, timeout=TIMEOUT)
    first = panel.surface
    qtbot.waitUntil(lambda: panel.surface is not first and window.training.running, timeout=TIMEOUT)
    shown.append(panel.status.text())
    window.controls.play_action.trigger()
    qtbot.waitUntil(lambda: not window.training.running, timeout=TIMEOUT)
    epoch = int(shown[0].split("as at epoch ")[1].split(" ")[0].replace(",", ""))
    assert epoch > 0
    assert panel.surface.grid.coordinates == panel.coordinates


def test_while_training_the_landscape_is_drawn_with_the_snapshots_frames(qtbot, main_window):
    """Not from a timer of its own, which would fire while the training thread trains."""
    window = main_window
    panel = window.landscape_panel
    window.training.step(30)  # a snapshot with the optimizer's path, replayed below
    wait_for_epoch(qtbot, window, 30)
    latest = window.training.latest

    def snapshot_at(epoch):
        return dataclasses.replace(latest, epoch=epoch, last=False)

    panel._shown_at -= 1.0 / FRAME_RATE  # as if the last frame of the landscape were a while ago
    panel.show_snapshot(snapshot_at(101))
    assert panel._snapshot.epoch == 101  # drawn at once
    panel.show_snapshot(snapshot_at(102))
    assert panel._snapshot.epoch == 101  # too soon: kept for a later frame …
    assert panel._frame_timer.isActive() and panel._frame_timer.interval() >= 2000 / FRAME_RATE - 1
    panel._shown_at -= 1.0 / FRAME_RATE
    panel.show_snapshot(snapshot_at(103))
    assert panel._snapshot.epoch == 103  # … and drawn with the next snapshot once one is due
    assert not panel._frame_timer.isActive()
    panel.show_snapshot(snapshot_at(104))
    qtbot.waitUntil(lambda: panel._snapshot.epoch == 104, timeout=TIMEOUT)  # none follows: the timer draws it


def test_the_arrow_shrinks_as_the_descent_nears_the_minimum_and_is_gone_there(qtbot, main_window):
    window = main_window
    panel = window.landscape_panel
    surface = wait_for_surface(qtbot, window)

    def arrow():
        """The arrow's start (view coordinates) and length (pixels), or None when it is not drawn."""
        xs, ys = panel.arrow.getData()
        if xs is None or len(xs) != 6:
            return None
        px, py = panel.view_box.viewPixelSize()
        return (xs[0], ys[0]), math.hypot((xs[1] - xs[0]) / px, (ys[1] - ys[0]) / py)

    def arrow_at_current_point():
        if panel._snapshot is None or panel._snapshot.epoch != window.training.latest.epoch:
            return False  # the panel has not drawn the newest snapshot yet
        drawn, here = arrow(), panel._current()
        return drawn is not None and drawn[0] == pytest.approx(here)

    lengths = []
    for epochs in (1, 200):
        window.training.step(epochs)
        wait_for_epoch(qtbot, window, window.training.latest.epoch + epochs)
        qtbot.waitUntil(arrow_at_current_point, timeout=TIMEOUT)
        lengths.append(arrow()[1])
    assert 0 < lengths[1] < lengths[0] - 0.1 * ARROW_PIXELS
    # Started at the exact minimum, there is no way down to point to.
    with qtbot.waitSignal(window.document.configChanged, timeout=TIMEOUT):
        panel.startPlaced.emit(surface.minimum, 1, True)
    qtbot.waitUntil(
        lambda: (
            panel._current() == pytest.approx(surface.minimum)  # the panel shows the new start
            and panel._gradient is not None
            and panel._gradient[0] == panel._gradient_key()  # and the gradient there has arrived
        ),
        timeout=TIMEOUT,
    )
    assert np.linalg.norm(panel._gradient[1]) < 1e-3 * surface.steepest
    assert arrow() is None
