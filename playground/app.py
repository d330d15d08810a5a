"""Command line entry point: ``playground [--preset NAME] [--epochs N] [--screenshot FILE.png] [--size WxH]``.

``playground train ...``, ``playground landscape ...`` and ``playground presets`` are the headless command line
(:mod:`playground.cli`); they are dispatched before anything imports Qt.
"""

from __future__ import annotations

import argparse
import os
import sys

HEADLESS_COMMANDS = ("train", "landscape", "presets")
ORGANIZATION = "Gradient Playground"
APPLICATION = "playground"
#: Libraries Qt's X11 platform plugin needs beyond X itself, and the Debian/Ubuntu packages that
#: have them (a minimal system lacks some; Qt then aborts with a message about its plugin).
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def display_problem(environ=None, find_library=None, platform=None) -> str:
    """Why a window cannot open here, in a sentence with the remedy; empty if nothing is known to be wrong.

    Checked before Qt starts, because Qt aborts the process on these problems.
    """
    import ctypes.util

    environ = os.environ if environ is None else environ
    find_library = ctypes.util.find_library if find_library is None else find_library
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return ""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return ""  # offscreen, wayland, …: Qt's own choice
    if not chosen and environ.get("WAYLAND_DISPLAY"):
        return ""
    if not environ.get("DISPLAY"):
        return (
            "there is no display to open a window on (DISPLAY is not set). Run it in a desktop session, "
            "or without a window: 'playground --screenshot FILE.png' or 'playground train --help'."
        )
    missing = [package for library, package in XCB_LIBRARIES.items() if find_library(library) is None]
    if missing:
        return (
            f"the window needs system libraries that are missing: {', '.join(missing)}. "
            f"On Debian or Ubuntu: sudo apt-get install {' '.join(missing)}"
        )
    return ""


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1400x900, not {text!r}") from None
    if not (200 <= width <= 10000 and 200 <= height <= 10000):
        raise argparse.ArgumentTypeError("width and height must be between 200 and 10000 pixels")
    return width, height


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"epochs must be a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("epochs must be 0 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    from playground.presets import DEFAULT_PRESET, PRESETS

    parser = argparse.ArgumentParser(
        prog="playground",
        description="Gradient Playground: drag data points and watch gradient descent fit them. "
        "Use 'playground train --help' for headless training and 'playground presets' for the presets.",
    )
    parser.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=list(PRESETS),
        metavar="NAME",
        help=f"preset to open: {', '.join(PRESETS)} (default: {DEFAULT_PRESET})",
    )
    parser.add_argument("--epochs", type=_epochs, default=0, metavar="N", help="train N epochs at start, then pause")
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="render the window offscreen after training, write it to FILE.png and exit",
    )
    parser.add_argument(
        "--size",
        type=_size,
        default=None,
        metavar="WxH",
        help="window size in pixels, e.g. 1400x900 (default for screenshots: 1400x900)",
    )
    return parser


def main(argv=None) -> int:
    """Run the program; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in HEADLESS_COMMANDS:
        from playground import cli  # no Qt on this path

        return cli.main(argv)

    args = build_parser().parse_args(argv)
    if args.screenshot and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.screenshot:
        return _screenshot(args)
    problem = display_problem()
    if problem:
        print(f"playground: {problem}", file=sys.stderr)
        return 1
    return _run(args)


def application():
    """The QApplication, made once, with the app's names and garbage-collection policy."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if getattr(app, "garbage_collector", None) is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        # Python's cyclic collector may run inside any allocation, even one Qt makes while it holds
        # a signal-slot lock; destroying a QObject there deadlocks. Collect from the event loop only.
        app.garbage_collector = GarbageCollector(interval=1.0)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Gradient Playground")
    return app


def _train_at_start(window, epochs: int, timeout_ms: int | None = None) -> bool:
    """Train ``epochs`` epochs through the window's worker and wait until they are shown."""
    from PySide6.QtCore import QEventLoop, QTimer

    if epochs <= 0:
        return True
    loop = QEventLoop()
    done = {"ok": False}

    def check(*_args):
        snapshot = window.training.latest
        if not window.training.running and snapshot is not None and (snapshot.epoch >= epochs or snapshot.diverged):
            done["ok"] = True
            loop.quit()

    # A run's end arrives as its state, then its last snapshot.
    window.training.stateChanged.connect(check)
    window.training.snapshotReady.connect(check)
    window.training.errored.connect(lambda _error: loop.quit())
    if timeout_ms:
        QTimer.singleShot(timeout_ms, loop.quit)
    window.training.step(epochs)
    loop.exec()
    window.training.stateChanged.disconnect(check)
    window.training.snapshotReady.disconnect(check)
    return done["ok"]


def _screenshot(args) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from playground.main_window import MainWindow

    app = application()
    window = MainWindow(preset=args.preset, settings=None)
    width, height = args.size or (1400, 900)
    window.resize(width, height)
    window.lay_out_docks(width, height)  # as on a screen of that size
    window.show()
    app.processEvents()
    ok = _train_at_start(window, args.epochs, timeout_ms=10 * 60 * 1000)
    # Let the last snapshot reach every panel, the landscape's surface catch up (a few seconds at
    # most) and the layout settle before grabbing.
    for _ in range(100):
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        if window.landscape_panel.settled:
            break
    loop = QEventLoop()
    QTimer.singleShot(150, loop.quit)
    loop.exec()
    app.processEvents()
    image = window.grab()
    saved = image.save(args.screenshot)
    window.close()
    if not saved:
        print(f"playground: could not write {args.screenshot}", file=sys.stderr)
        return 1
    if not ok:
        print("playground: training did not finish; the screenshot shows where it stopped", file=sys.stderr)
    return 0


def _run(args) -> int:
    from PySide6.QtCore import QSettings

    from playground.main_window import MainWindow

    app = application()
    window = MainWindow(preset=args.preset, settings=QSettings())
    if args.size:
        window.resize(*args.size)
        window.lay_out_docks(*args.size)
    window.show()
    if args.epochs:
        window.training.step(args.epochs)
    status = app.exec()
    window.training.shutdown()
    return status


if __name__ == "__main__":
    sys.exit(main())
