"""Gradient Playground: watch gradient descent fit a model to points you can touch.

The package root stays free of Qt so that the trainer, the file formats and the
command line (``playground.trainer``, ``playground.io``, ``playground.cli``) can be
used headless.
"""

# The engine sets one BLAS thread before NumPy loads (the models are small, and multi-threaded OpenBLAS
# crawls while the GUI and training threads keep both cores busy); the app loads NumPy through
# pyqtgraph before it reaches the engine, so load the engine first.
import engine  # noqa: F401

APP_TITLE = "Gradient Playground"
