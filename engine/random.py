"""Seeded random numbers: ``manual_seed``, ``Generator`` and the default generator.

The engine draws from NumPy's PCG64 rather than PyTorch's Mersenne Twister, so seeded values are
reproducible run to run but are not the same numbers PyTorch draws.
"""

import numpy as np

__all__ = ["Generator", "default_generator", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]

DEFAULT_SEED = 67280421310721  # PyTorch's default seed


class Generator:
    """A random number generator with PyTorch's seeding API and a JSON-friendly state."""

    def __init__(self, device="cpu"):
        self._seed = DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self):
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)
        self.manual_seed(entropy & 0xFFFFFFFFFFFFFFFF)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as plain JSON-able data (no pickling)."""
        state = self._rng.bit_generator.state
        return {
            "seed": self._seed,
            "bit_generator": state["bit_generator"],
            "state": {k: int(v) for k, v in state["state"].items()},
            "has_uint32": int(state["has_uint32"]),
            "uinteger": int(state["uinteger"]),
        }

    def set_state(self, state):
        if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
            raise ValueError("not a generator state saved by this engine")
        self._seed = int(state["seed"])
        bg = np.random.PCG64()
        bg.state = {
            "bit_generator": "PCG64",
            "state": {k: int(v) for k, v in state["state"].items()},  # type: ignore[typeddict-item]
            "has_uint32": int(state["has_uint32"]),
            "uinteger": int(state["uinteger"]),
        }
        self._rng = np.random.Generator(bg)
        return self

    @property
    def numpy(self):
        """The underlying ``numpy.random.Generator``."""
        return self._rng


default_generator = Generator()


def _generator(generator=None):
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator (``torch.manual_seed``)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
