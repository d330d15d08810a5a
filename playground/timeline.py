"""A run's timeline: keyframes to show any earlier epoch, and to train on from it. Qt-free.

A :class:`Timeline` observes a :class:`~playground.trainer.Trainer` and keeps
:class:`~playground.trainer.TrainerState` keyframes: every ``interval`` epochs, and at every edit
(new points or optimizer settings, which training cannot replay without). Any epoch between two
keyframes is the earlier keyframe plus the deterministic epochs after it, replayed on a trainer of
its own (:meth:`Timeline.trainer_at`), so it has exactly the bits the run had. Memory is bounded:
when the keyframes outgrow their budget the interval doubles and every other regular keyframe goes;
edits keep theirs, and past the budget the oldest epochs stop being reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.trainer import Trainer

__all__ = ["KEYFRAME_BUDGET", "Keyframe", "Timeline"]

#: Bytes of keyframe arrays a timeline may hold.
KEYFRAME_BUDGET = 32 * 1024 * 1024
#: Most keyframes a timeline keeps, whatever their size.
MAX_KEYFRAMES = 4096
#: What a keyframe costs beyond its arrays.
KEYFRAME_OVERHEAD = 1024


@dataclass(frozen=True, eq=False)
class Keyframe:
    """A trainer state on the timeline; ``pinned`` states (starts and edits) survive thinning."""

    state: object
    pinned: bool

    @property
    def epoch(self) -> int:
        return self.state.epoch


class Timeline:
    """Keyframes of one trainer's run. Add it with ``trainer.add_observer(timeline)`` after :meth:`restart`.

    Parameters
    ----------
    budget : int
        Bytes of keyframe arrays to keep at most.
    """

    def __init__(self, budget: int = KEYFRAME_BUDGET, max_keyframes: int = MAX_KEYFRAMES):
        self.budget = int(budget)
        self.max_keyframes = int(max_keyframes)
        self._keyframes = []
        self.interval = 1
        self.lineage = 0  # counts the restarts: a branch of another lineage cannot come back
        self._scratch = None  # (trainer, keyframe it started from)

    # ----------------------------------------------------------------- recording
    def restart(self, trainer):
        """Start a new timeline at ``trainer``'s current state (a reset, a loaded session)."""
        self.lineage += 1
        self._keyframes = [Keyframe(trainer.capture_state(), True)]
        self.interval = 1
        self._scratch = None

    def epoch_done(self, trainer, loss) -> bool:
        if trainer.epoch - self._keyframes[-1].epoch >= self.interval:
            self._add(Keyframe(trainer.capture_state(), False))
        return False

    def trainer_changed(self, trainer, what):
        if what in ("reset", "state"):
            self.restart(trainer)
        elif what in ("points", "config"):
            self._add(Keyframe(trainer.capture_state(), True))  # training after it cannot be replayed without it
        elif what == "rewind":
            self.truncate(trainer.epoch)
            self._add(Keyframe(trainer.capture_state(), True))

    def _add(self, keyframe):
        if self._keyframes and self._keyframes[-1].epoch == keyframe.epoch:
            # The same epoch again (an edit right after a keyframe): the newer state rules what follows.
            keyframe = Keyframe(keyframe.state, keyframe.pinned or self._keyframes[-1].pinned)
            self._keyframes[-1] = keyframe
        else:
            self._keyframes.append(keyframe)
        self._thin()

    def _limit(self) -> int:
        size = self._keyframes[-1].state.nbytes + KEYFRAME_OVERHEAD
        return max(16, min(self.max_keyframes, self.budget // size))

    def _thin(self):
        limit = self._limit()
        while len(self._keyframes) > limit:
            self.interval *= 2
            kept = [
                k
                for i, k in enumerate(self._keyframes)
                if k.pinned or k.epoch % self.interval == 0 or i == len(self._keyframes) - 1
            ]
            if len(kept) > limit:  # mostly edits: the oldest epochs go
                kept = kept[len(kept) - limit :]
            self._keyframes = kept
        self._scratch = None if self._scratch and self._scratch[1] not in self._keyframes else self._scratch

    # ----------------------------------------------------------------- reading
    def __len__(self):
        return len(self._keyframes)

    def keyframe_states(self) -> list:
        """The states kept, oldest first."""
        return [k.state for k in self._keyframes]

    @property
    def first_epoch(self) -> int:
        """The earliest epoch that can be shown."""
        return self._keyframes[0].epoch if self._keyframes else 0

    def keyframe_for(self, epoch: int) -> Keyframe:
        """The last keyframe at or before ``epoch``."""
        found = None
        for keyframe in self._keyframes:
            if keyframe.epoch > epoch:
                break
            found = keyframe
        if found is None:
            raise ValueError(f"epoch {epoch} is before the earliest kept epoch {self.first_epoch}")
        return found

    def trainer_at(self, trainer, epoch: int) -> Trainer:
        """A trainer of its own at ``epoch`` of ``trainer``'s run (0 ≤ epoch ≤ its epoch): the keyframe
        before it, and the epochs after it replayed. Reused while moving forward between keyframes."""
        if not self.first_epoch <= epoch <= trainer.epoch:
            raise ValueError(f"epoch {epoch} is outside the timeline ({self.first_epoch} to {trainer.epoch})")
        keyframe = self.keyframe_for(epoch)
        scratch = self._scratch
        if scratch is None or scratch[1] is not keyframe or scratch[0].epoch > epoch:
            state = keyframe.state
            replay = Trainer(state.config, state.points)
            replay.restore_state(state, trainer.losses_until(state.epoch))
            scratch = self._scratch = (replay, keyframe)
        replay = scratch[0]
        while replay.epoch < epoch:  # run() stops at a NaN loss; the run itself may have gone on
            replay.run(epoch - replay.epoch)
        return replay

    # ----------------------------------------------------------------- branches
    def truncate(self, epoch: int):
        """Forget the keyframes after ``epoch``."""
        self._keyframes = [k for k in self._keyframes if k.epoch <= epoch]
        self._scratch = None

    def export(self) -> tuple:
        """What :meth:`restore` needs to bring this timeline back."""
        return (list(self._keyframes), self.interval, self.lineage)

    def restore(self, saved):
        self._keyframes, self.interval, self.lineage = list(saved[0]), saved[1], saved[2]
        self._scratch = None
