"""The scalar coordinates of parameter space: one entry of one parameter, by the name the app shows. Qt-free.

The Parameters panel, the Landscape dock, the command line and the parameter export all spell an
entry the same way: ``w`` for a one-element parameter, ``hidden1.weight[0, 0]`` for an entry of a
matrix (:func:`element_name`). :func:`parse_coordinate` reads that spelling back, also without the
space (``hidden1.weight[0,0]``) or with a single flat (row-major) index (``hidden1.weight[5]``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Coordinate", "all_coordinates", "element_name", "parse_coordinate"]


def element_name(name: str, shape: tuple, index: tuple) -> str:
    """``w`` for a one-element parameter, ``name[i, j]`` otherwise."""
    if math.prod(shape) == 1:
        return name
    return f"{name}[{', '.join(str(i) for i in index)}]"


@dataclass(frozen=True)
class Coordinate:
    """One scalar entry of a model parameter.

    Attributes
    ----------
    name : str
        The parameter (``w``, ``hidden1.weight``).
    index : tuple of int
        The entry's index in the parameter's shape.
    shape : tuple of int
        The parameter's shape.
    """

    name: str
    index: tuple
    shape: tuple

    @property
    def label(self) -> str:
        """How the app spells it (see :func:`element_name`)."""
        return element_name(self.name, self.shape, self.index)

    @functools.cached_property
    def flat(self) -> int:
        """The entry's position in the parameter's flattened values (read after every epoch)."""
        return int(np.ravel_multi_index(self.index, self.shape)) if self.shape else 0

    def value(self, params: dict) -> float:
        """The entry's value in ``params`` (name -> array)."""
        return float(np.asarray(params[self.name]).reshape(-1)[self.flat])

    def __str__(self):
        return self.label


def all_coordinates(params: dict) -> list:
    """Every scalar coordinate of ``params`` (name -> array), in the order the Parameters panel lists them."""
    coordinates = []
    for name, value in params.items():
        shape = tuple(np.shape(value))
        coordinates.extend(Coordinate(name, tuple(int(i) for i in index), shape) for index in np.ndindex(*shape))
    return coordinates


_SPELLING = re.compile(r"^\s*(?P<name>[A-Za-z_][\w.]*)\s*(?:\[(?P<index>[^\]]*)\])?\s*$")


def parse_coordinate(text: str, shapes: dict) -> Coordinate:
    """Read a coordinate spelled as the app spells it.

    Parameters
    ----------
    text : str
        ``w``, ``hidden1.weight[0, 0]``, ``hidden1.weight[0,0]`` or, with the flat index of the
        parameter CSV export, ``hidden1.weight[0]``.
    shapes : dict
        Parameter name -> shape, of the model the coordinate belongs to.

    Raises
    ------
    ValueError
        With a sentence naming the model's coordinates when ``text`` is not one of them.
    """
    match = _SPELLING.match(text)
    known = ", ".join(c.label for c in all_coordinates({n: np.empty(s) for n, s in shapes.items()})[:12])
    more = " …" if sum(math.prod(s) for s in shapes.values()) > 12 else ""
    if match is None or match["name"] not in shapes:
        raise ValueError(f"{text.strip()!r} is not a parameter of this model; its parameters are {known}{more}")
    name = match["name"]
    shape = tuple(shapes[name])
    size = math.prod(shape)
    if match["index"] is None:
        if size != 1:
            raise ValueError(
                f"{name} has {size} entries: name one, e.g. {element_name(name, shape, (0,) * len(shape))}"
            )
        return Coordinate(name, (0,) * len(shape), shape)
    try:
        numbers = tuple(int(part) for part in match["index"].split(","))
    except ValueError:
        raise ValueError(f"{text.strip()!r}: the index must be whole numbers, e.g. {name}[0, 0]") from None
    if len(numbers) == 1 and len(shape) != 1:
        if not 0 <= numbers[0] < size:
            raise ValueError(f"{text.strip()!r}: {name} has {size} entries (flat index 0 to {size - 1})")
        index = tuple(int(i) for i in np.unravel_index(numbers[0], shape))
    else:
        if len(numbers) != len(shape) or not all(0 <= i < s for i, s in zip(numbers, shape)):
            raise ValueError(f"{text.strip()!r}: {name} has shape {shape}")
        index = numbers
    return Coordinate(name, index, shape)
