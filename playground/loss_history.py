"""The loss curve as the app keeps it: bounded memory, and drawing cost independent of the run's length.

Qt-free. Snapshots carry only the losses of the epochs since the last one; :class:`LossHistory`
collects them. The most recent epochs are kept exactly; older ones are folded into a min/max
envelope of at most ``max_buckets`` buckets whose width doubles whenever they run out, so ten
million epochs take about as much memory as ten thousand. The envelope keeps what a plot of the
whole run can show: every spike and every dip of each bucket. Exports write every epoch's loss from
the trainer itself, not from here.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LossHistory", "MetricHistory"]


class LossHistory:
    """Every epoch's loss, the recent ones exactly and the older ones as a min/max envelope.

    Parameters
    ----------
    recent : int
        How many of the latest epochs are kept exactly.
    max_buckets : int
        At most this many envelope buckets (an even number).
    """

    def __init__(self, recent: int = 20_000, max_buckets: int = 2048):
        self.recent = int(recent)
        self.max_buckets = int(max_buckets) // 2 * 2
        self.clear()

    def clear(self) -> None:
        """Forget everything (a reset)."""
        self._exact = np.empty(2 * self.recent, dtype=np.float64)
        self._n_exact = 0  # values in _exact: epochs count - n_exact + 1 … count
        self._count = 0
        self._first = math.nan
        self._bucket = 1  # epochs per envelope bucket
        self._low = np.empty(self.max_buckets, dtype=np.float64)
        self._high = np.empty(self.max_buckets, dtype=np.float64)
        self._n_buckets = 0  # full buckets: epochs 1 … n_buckets × bucket
        self._partial: list[float] = []  # (min, max) of epochs not yet in a full bucket, before _exact
        self._partial_count = 0
        self.generation = getattr(self, "generation", -1) + 1

    # ----------------------------------------------------------------- feeding
    def update(self, snapshot) -> None:
        """Take a :class:`~playground.trainer.Snapshot`'s new losses (starting over if it says so)."""
        if snapshot.history_reset:
            self.clear()
        self.extend(snapshot.new_losses)

    def extend(self, losses) -> None:
        """Append the losses of the next epochs."""
        losses = np.asarray(losses, dtype=np.float64).reshape(-1)
        if not losses.size:
            return
        if self._count == 0:
            self._first = float(losses[0])
        self._count += losses.size
        if losses.size >= self.recent:
            self._retire(self._exact[: self._n_exact])
            self._retire(losses[: -self.recent])
            self._exact[: self.recent] = losses[-self.recent :]
            self._n_exact = self.recent
            return
        if self._n_exact + losses.size > len(self._exact):
            keep = self.recent - losses.size
            self._retire(self._exact[: self._n_exact - keep])
            self._exact[:keep] = self._exact[self._n_exact - keep : self._n_exact]
            self._n_exact = keep
        self._exact[self._n_exact : self._n_exact + losses.size] = losses
        self._n_exact += losses.size

    def _retire(self, values: np.ndarray) -> None:
        """Fold values that leave the exact part into the envelope, oldest first."""
        i = 0
        while i < values.size:
            width = self._bucket
            if self._partial_count == 0 and values.size - i >= width:
                room = self.max_buckets - self._n_buckets
                if room == 0:
                    self._halve()
                    continue
                k = min(room, (values.size - i) // width)
                low, high = _fold(values[i : i + k * width].reshape(k, width))
                self._low[self._n_buckets : self._n_buckets + k] = low
                self._high[self._n_buckets : self._n_buckets + k] = high
                self._n_buckets += k
                i += k * width
                continue
            take = min(width - self._partial_count, values.size - i)
            part = values[i : i + take]
            low, high = self._partial or (math.nan, math.nan)
            self._partial = [_fmin(low, part), _fmax(high, part)]
            self._partial_count += take
            i += take
            if self._partial_count == width:
                if self._n_buckets == self.max_buckets:
                    self._halve()  # the partial bucket is now half of a wider one
                    continue
                self._low[self._n_buckets], self._high[self._n_buckets] = self._partial
                self._n_buckets += 1
                self._partial, self._partial_count = [], 0

    def _halve(self) -> None:
        """Merge neighbouring buckets: half as many, twice as wide."""
        n = self._n_buckets // 2
        self._low[:n] = np.fmin(self._low[0 : 2 * n : 2], self._low[1 : 2 * n : 2])
        self._high[:n] = np.fmax(self._high[0 : 2 * n : 2], self._high[1 : 2 * n : 2])
        self._n_buckets = n
        self._bucket *= 2

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return self._count

    @property
    def last(self) -> float:
        return float(self._exact[self._n_exact - 1]) if self._n_exact else math.nan

    @property
    def first(self) -> float:
        return self._first

    def fingerprint(self) -> tuple:
        """(epochs, first loss, last loss): equal for the same deterministic run."""
        return (self._count, _key(self._first), _key(self.last))

    @property
    def exact_start(self) -> int:
        """The first epoch kept exactly (epochs are counted from 1)."""
        return self._count - self._n_exact + 1

    def exact(self, start_epoch: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, losses) of the exactly kept epochs from ``start_epoch`` on."""
        first = max(start_epoch, self.exact_start)
        offset = first - self.exact_start
        losses = self._exact[offset : self._n_exact]
        return np.arange(first, first + losses.size, dtype=np.float64), losses

    def curve(self, start_epoch: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, losses) to draw from ``start_epoch`` on: the envelope's buckets as min/max
        pairs, then the exact epochs. At most ``2 × max_buckets + 2 + recent`` points."""
        xs, ys = [], []
        if self._n_buckets:
            starts = 1 + self._bucket * np.arange(self._n_buckets, dtype=np.float64)
            centre = starts + (self._bucket - 1) / 2
            keep = centre + self._bucket / 2 >= start_epoch
            xs.append(np.repeat(centre[keep], 2))
            ys.append(
                np.column_stack([self._low[: self._n_buckets][keep], self._high[: self._n_buckets][keep]]).ravel()
            )
        if self._partial_count:
            begin = 1 + self._bucket * self._n_buckets
            centre = begin + (self._partial_count - 1) / 2
            if centre + self._partial_count / 2 >= start_epoch:
                xs.append(np.array([centre, centre]))
                ys.append(np.array(self._partial, dtype=np.float64))
        epochs, losses = self.exact(start_epoch)
        xs.append(epochs)
        ys.append(losses)
        return np.concatenate(xs), np.concatenate(ys)

    def nbytes(self) -> int:
        """Memory held by the arrays (bounded, whatever the number of epochs)."""
        return self._exact.nbytes + self._low.nbytes + self._high.nbytes


def _fold(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row min and max, ignoring NaN (a diverged epoch shows as the envelope's edge, not a hole)."""
    with np.errstate(invalid="ignore"):
        return np.fmin.reduce(block, axis=1), np.fmax.reduce(block, axis=1)


def _fmin(current: float, values: np.ndarray) -> float:
    return float(np.fmin(current, np.fmin.reduce(values))) if values.size else current


def _fmax(current: float, values: np.ndarray) -> float:
    return float(np.fmax(current, np.fmax.reduce(values))) if values.size else current


def _key(value: float):
    return "nan" if math.isnan(value) else value


class MetricHistory:
    """A classification run's test loss, train accuracy and test accuracy per epoch, gathered from
    snapshots (:attr:`~playground.trainer.Snapshot.new_metrics`), each kept as a :class:`LossHistory`
    (recent epochs exactly, older ones as a min/max envelope); empty for regression."""

    COLUMNS = 3

    def __init__(self, recent: int = 20_000, max_buckets: int = 2048):
        self._columns = [LossHistory(recent, max_buckets) for _ in range(self.COLUMNS)]

    def __len__(self) -> int:
        return len(self._columns[0])

    def clear(self) -> None:
        for column in self._columns:
            column.clear()

    def update(self, snapshot) -> None:
        metrics = snapshot.new_metrics
        if metrics is None or snapshot.history_reset:
            self.clear()
        if metrics is not None and len(metrics):
            metrics = np.asarray(metrics, dtype=np.float64).reshape(-1, self.COLUMNS)
            for i, column in enumerate(self._columns):
                column.extend(metrics[:, i])

    def curves(self, start_epoch: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
        """(epochs, values) to draw from ``start_epoch`` on, for each column (see :meth:`LossHistory.curve`)."""
        return [column.curve(start_epoch) for column in self._columns]

    def exact(self) -> np.ndarray:
        """(epochs kept exactly, 3): the recent rows (every row of a short run), oldest first."""
        return np.column_stack([column.exact()[1] for column in self._columns]).reshape(-1, self.COLUMNS)

    def nbytes(self) -> int:
        return sum(column.nbytes() for column in self._columns)
