"""Gradient Playground: watch gradient descent fit a model to points you can touch.

The package root stays free of Qt so that the trainer, the file formats and the
command line (``playground.trainer``, ``playground.io``, ``playground.cli``) can be
used headless.
"""
