"""The PyTorch export: a self-contained script that replays a training run with PyTorch. Qt-free.

The script is generated from the definitions the app trains with: the model classes, the sampler
and the epoch functions of :mod:`playground.models` are copied into it as source, and the model,
loss and optimizer constructor calls come from the same tables. The engine speaks PyTorch, so the
same source runs on both.

Nothing the user types reaches the script's code: the points and parameters enter as
``repr(float)`` literals and every setting comes from a validated :class:`~playground.config.Config`;
the script's file name is not written into it at all.
"""

from __future__ import annotations

import inspect

import numpy as np

from playground import models
from playground.config import Config
from playground.datasets import test_mask
from playground.models import LOSSES, MODELS, OPTIMIZERS, loss_source

__all__ = ["torch_script"]

_HEADER = '''\
"""Gradient Playground run, replayed with PyTorch.

{summary}

Rebuilds the points, the model, its initial parameters, the loss and the optimizer, trains
{epochs} epoch{epochs_s} and prints the loss curve as CSV (epoch,loss), then the final parameters as
comment lines. Needs only PyTorch: run this file with Python.
"""

import math
import random

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = {epochs}
POINTS = {points}
INITIAL_PARAMETERS = {initial}
'''

_REGRESSION_DATA = """
x = torch.tensor([[p[0]] for p in POINTS], dtype=torch.float64).to(torch.float32)
y = torch.tensor([[p[1]] for p in POINTS], dtype=torch.float64).to(torch.float32)
"""

# Points in the plane: (x1, x2, class) rows; the model trains on those not held out for testing.
_CLASSIFICATION_DATA = """
TEST_POINTS = {test}
train = [p for i, p in enumerate(POINTS) if i not in TEST_POINTS]
test = [p for i, p in enumerate(POINTS) if i in TEST_POINTS]
x = torch.tensor([[p[0], p[1]] for p in train], dtype=torch.float64).to(torch.float32)
{targets}
"""
_CLASS_INDICES = "y = torch.tensor([int(p[2]) for p in train], dtype=torch.int64)"
_CLASS_TARGETS = "y = torch.tensor([[p[2]] for p in train], dtype=torch.float64).to(torch.float32)"

_ACCURACY = """
with torch.no_grad():
    for name, points in (("train", train), ("test", test)):
        if points:
            inputs = torch.tensor([[p[0], p[1]] for p in points], dtype=torch.float64).to(torch.float32)
            predicted = class_probabilities(model(inputs), model.sigmoid).argmax(dim=1).tolist()
            accuracy = sum(c == int(p[2]) for c, p in zip(predicted, points)) / len(points)
            print(f"# {name}_accuracy = {accuracy!r}")
"""

_SET_UP = """{data}model = {model}
with torch.no_grad():
    for name, parameter in model.named_parameters():
        parameter.copy_(torch.tensor(INITIAL_PARAMETERS[name], dtype=torch.float32))
loss_fn = {loss}
optimizer = {optimizer}
{loader}
print("epoch,loss")
for epoch in range(1, EPOCHS + 1):
    epoch_loss = {epoch}
    print(f"{{epoch}},{{epoch_loss!r}}")
    if not math.isfinite(epoch_loss):
        break

for name, parameter in model.named_parameters():
    print(f"# {{name}} = {{parameter.detach().tolist()}}")
{accuracy}"""


def _literal(value):
    """A Python literal for nested lists/tuples of floats, exact (repr) and compact."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(float(value))


def _definitions(config) -> list:
    """The exported definitions this run needs: its model class (after its bases) and its epoch function."""
    needed = [c for c in reversed(MODELS[config.model].module.__mro__) if c in models.EXPORTED]
    if config.task == "classification":
        needed = [models.plane_features, *needed, models.class_probabilities]
    if config.regularization != "none":
        needed += [models.penalized_weights, models.Regularized]
    if config.batch_size is None:
        needed.append(models.full_batch_epoch)
    else:
        needed += [models.ShuffleSampler, models.new_shuffle_rng, models.minibatch_epoch]
    return needed


def _summary(config, n_points, edits) -> str:
    kind = MODELS[config.model]
    arguments = ", ".join(f"{k} {v}" for k, v in kind.arguments(config).items())
    text = (
        f"{n_points} point{'s' if n_points != 1 else ''}; model {kind.name} ({arguments}); "
        f"loss {LOSSES[config.loss].title}; optimizer {OPTIMIZERS[config.optimizer].title}, "
        f"learning rate {config.lr!r}"
        f"{f'; minibatches of {config.batch_size}' if config.batch_size else ''}."
    )
    if edits:
        shown = ", ".join(str(int(e)) for e in edits[:10])
        text += (
            f"\nThe points or settings changed during the original run (at epoch{'s' if len(edits) > 1 else ''} "
            f"{shown}{', …' if len(edits) > 10 else ''}); this script trains the final ones throughout."
        )
    return text


def torch_script(points, state: dict, epochs: int | None = None) -> str:
    """Source of a self-contained PyTorch script that replays a training run.

    The script rebuilds the same points, model, initial parameters, loss and optimizer (with the
    current settings), trains ``epochs`` epochs (by default as many as the state records) and
    prints ``epoch,loss`` rows, then ``# name = values`` lines.

    Parameters
    ----------
    points : array_like, shape (N, 2)
    state : dict
        A :meth:`~playground.trainer.Trainer.state_dict`.
    epochs : int, optional
    """
    config = Config.from_dict(state["config"])
    epochs = state["epoch"] if epochs is None else int(epochs)
    width = 3 if config.task == "classification" else 2
    points = np.asarray(points, dtype=np.float64).reshape(-1, width)
    initial = {name: entry["values"] for name, entry in state["initial_parameters"].items()}
    loss = LOSSES[config.loss]
    if config.batch_size is None:
        loader = ""
        epoch = "full_batch_epoch(model, loss_fn, optimizer, x, y)"
    else:
        loader = (
            f"loader = DataLoader(TensorDataset(x, y), batch_size={config.batch_size}, "
            f"sampler=ShuffleSampler(len(x), new_shuffle_rng({config.seed})))\n"
        )
        epoch = f"minibatch_epoch(model, loss_fn, optimizer, loader, len(x), summed={loss.summed})"
    if config.task == "classification":
        test = np.flatnonzero(test_mask(len(points), config.test_fraction, config.seed)).tolist()
        data = _CLASSIFICATION_DATA.format(
            test="{" + ", ".join(str(i) for i in test) + "}" if test else "set()",
            targets=_CLASS_INDICES if loss.class_indices else _CLASS_TARGETS,
        )
    else:
        data = _REGRESSION_DATA
    header = _HEADER.format(
        summary=_summary(config, len(points), state.get("edits") or []),
        epochs=epochs,
        epochs_s="" if epochs == 1 else "s",
        points="[\n" + "".join(f"    {_literal(p)},\n" for p in points.tolist()) + "]",
        initial="{" + ", ".join(f"{name!r}: {_literal(values)}" for name, values in initial.items()) + "}",
    )
    definitions = "\n\n".join(inspect.getsource(d) for d in _definitions(config))
    set_up = _SET_UP.format(
        data=data,
        model=MODELS[config.model].source(config),
        loss=loss_source(config),
        optimizer=OPTIMIZERS[config.optimizer].source(config),
        loader=loader,
        epoch=epoch,
        accuracy=_ACCURACY if config.task == "classification" else "",
    )
    return header + "\n\n" + definitions + "\n" + set_up
