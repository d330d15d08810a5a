"""The app's command line: headless screenshots, argument errors, and the Qt-free dispatch."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]


def run(*args, timeout=240):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "playground", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_screenshot_writes_a_png_of_the_requested_size_and_exits_0(tmp_path):
    target = tmp_path / "shot.png"
    result = run("--preset", "linear-regression", "--epochs", "200", "--screenshot", str(target), "--size", "900x600")
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert not image.isNull()
    assert (image.width(), image.height()) == (900, 600)
    # Not a blank window: the plots put many distinct colours on the page.
    colours = {image.pixel(x, y) for x in range(0, 900, 7) for y in range(0, 600, 7)}
    assert len(colours) > 20


def test_bad_arguments_exit_2_with_a_message(tmp_path):
    result = run("--preset", "no-such-preset", "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "no-such-preset" in result.stderr
    assert not (tmp_path / "x.png").exists()
    result = run("--size", "huge", "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2 and "1400x900" in result.stderr


def test_headless_commands_never_import_qt():
    code = (
        "import sys; from playground.app import main; status = main(['presets']); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), sorted(m for m in sys.modules if 'PySide' in m); "
        "sys.exit(status)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "linear-regression" in result.stdout


def test_size_argument_parses_and_refuses():
    import argparse

    from playground.app import _size

    assert _size("1400x900") == (1400, 900)
    assert _size("800X600") == (800, 600)
    for bad in ("1400", "x900", "10x10", "1400x900x3", "wide"):
        with pytest.raises(argparse.ArgumentTypeError):
            _size(bad)


def test_a_missing_display_or_x11_library_is_named_before_qt_aborts():
    from playground.app import XCB_LIBRARIES, display_problem

    found = {library: f"lib{library}.so" for library in XCB_LIBRARIES}
    x11 = {"DISPLAY": ":0"}
    assert display_problem(x11, found.get, "linux") == ""
    missing = display_problem(x11, lambda library: None if library == "xcb-cursor" else found[library], "linux")
    assert "libxcb-cursor0" in missing and "sudo apt-get install libxcb-cursor0" in missing
    assert "libxcb-icccm4" not in missing
    assert "DISPLAY is not set" in display_problem({}, found.get, "linux")
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, lambda library: None, "linux") == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, lambda library: None, "linux") == ""
    assert display_problem({}, lambda library: None, "darwin") == ""


def test_without_a_display_the_command_says_what_to_do_and_exits_1():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "playground"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr.startswith("playground: there is no display") and "--screenshot" in result.stderr
    assert "Traceback" not in result.stderr
