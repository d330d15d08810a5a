"""The optimizer race: several optimizer set-ups from the same start, on the same data, in lock-step. Qt-free.

The main run is an ordinary :class:`~playground.trainer.Trainer`. Each challenger is another
trainer on the same configuration but for its optimizer settings (:class:`RacerSetup`). A
:class:`Challengers` object observes the main trainer: after each of its epochs every challenger
trains one epoch, and every change of the main run (new points, another model or loss, a reset)
is made to the challengers too. Each racer therefore trains exactly as it would alone: its losses
and parameters are bit for bit those of a trainer with its configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from playground.config import Config
from playground.models import OPTIMIZERS
from playground.trainer import Trainer

__all__ = ["MAX_RACERS", "Challengers", "RacerSetup", "default_challengers"]

#: The main run and at most three challengers.
MAX_RACERS = 4


@dataclass(frozen=True)
class RacerSetup:
    """An optimizer and its settings: what distinguishes one racer from another.

    Attributes
    ----------
    optimizer : str
        A key of :data:`playground.models.OPTIMIZERS`.
    lr, momentum, beta1, beta2 : float
        As in :class:`~playground.config.Config` (only those the optimizer reads matter).
    """

    optimizer: str = "sgd"
    lr: float = 0.001
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999

    def __post_init__(self):
        Config().replace(**self._fields())  # the configuration's own checks

    def _fields(self) -> dict:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "momentum": self.momentum,
            "beta1": self.beta1,
            "beta2": self.beta2,
        }

    @classmethod
    def of(cls, config: Config) -> RacerSetup:
        """The set-up of ``config``."""
        return cls(config.optimizer, config.lr, config.momentum, config.beta1, config.beta2)

    def config(self, base: Config) -> Config:
        """``base`` with this optimizer and its settings."""
        return base.replace(**self._fields())

    @property
    def label(self) -> str:
        """A short name for legends: ``Adam, lr 0.01``, ``SGD with momentum 0.9, lr 0.001``."""
        choice = OPTIMIZERS[self.optimizer]
        settings = {key: getattr(self, key) for key in choice.fields}
        title = choice.title
        if "momentum" in settings:
            title += f" {settings['momentum']:g}"
        if "beta1" in settings and (self.beta1, self.beta2) != (0.9, 0.999):
            title += f" (β {self.beta1:g}, {self.beta2:g})"
        return f"{title}, lr {self.lr:g}"


def default_challengers(config: Config) -> tuple:
    """Three set-ups to race against ``config``'s: momentum and Nesterov at its learning rate, and Adam."""
    lr = config.lr
    return (
        RacerSetup("momentum", lr=lr, momentum=0.9),
        RacerSetup("nesterov", lr=lr, momentum=0.9),
        RacerSetup("adam", lr=max(lr, 0.01) if not math.isclose(lr, 0.01) else 0.05),
    )


class Challengers:
    """Trainers that race the main trainer in lock-step; add them with ``main.add_observer(challengers)``.

    Parameters
    ----------
    main : Trainer
        The main run; the challengers take its configuration (but for the optimizer), its
        points and its initial parameters.
    setups : sequence of RacerSetup
        One challenger each.
    """

    def __init__(self, main: Trainer, setups):
        self.setups = tuple(setups)
        # Built from the main run's configuration, they start from its initial parameters (at epoch 0).
        self.trainers = [Trainer(setup.config(main.config), main.points) for setup in self.setups]

    # -- the main trainer's observer interface
    def epoch_done(self, main, loss) -> bool:
        for trainer in self.trainers:
            if trainer.can_train and not trainer.diverged:
                trainer.step()
        return False

    def trainer_changed(self, main, what):
        if what == "points":
            points = main.points
            for trainer in self.trainers:
                trainer.set_points(points)
        elif what in ("config", "reset", "state"):
            for trainer, setup in zip(self.trainers, self.setups):
                trainer.set_config(setup.config(main.config))
                if what != "config":
                    trainer.set_points(main.points)
                    trainer.reset()
