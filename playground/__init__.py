"""Gradient Playground: watch gradient descent fit a model to points you can touch.

The package root stays free of Qt so that the trainer, the file formats and the
command line (``playground.trainer``, ``playground.io``, ``playground.cli``) can be
used headless.
"""

import os as _os

# One BLAS thread: the models are small, and multi-threaded OpenBLAS slows to a crawl while the GUI
# and the training thread keep both cores busy. Set before anything imports NumPy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
