"""The app's loss history: exact recent epochs, a min/max envelope for the rest, bounded memory."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.loss_history import LossHistory, MetricHistory
from playground.presets import load_preset
from playground.trainer import LossLog, PackedBlock, Trainer


def _check(history, values):
    """Everything the history says agrees with the full list of values."""
    values = np.asarray(values, dtype=np.float64)
    assert len(history) == values.size
    epochs, exact = history.exact()
    assert exact.size >= min(history.recent, values.size)
    np.testing.assert_array_equal(exact, values[values.size - exact.size :])
    np.testing.assert_array_equal(epochs, np.arange(values.size - exact.size + 1, values.size + 1))
    width = history._bucket
    for i in range(history._n_buckets):  # each bucket holds the extremes of its epochs
        part = values[i * width : (i + 1) * width]
        assert history._low[i] == np.nanmin(part) and history._high[i] == np.nanmax(part)
    assert history._n_buckets * width + history._partial_count == values.size - exact.size
    xs, ys = history.curve()
    assert xs.size == ys.size <= 2 * history.max_buckets + 2 + 2 * history.recent
    assert np.all(np.diff(xs) >= 0)  # drawn left to right
    if values.size:
        assert np.nanmin(ys) == np.nanmin(values) and np.nanmax(ys) == np.nanmax(values)


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(st.integers(0, 90), max_size=40),
    recent=st.integers(1, 30),
    buckets=st.sampled_from([2, 4, 6, 16]),
    seed=st.integers(0, 2**16),
)
def test_any_way_of_feeding_keeps_the_recent_epochs_and_the_extremes_of_the_rest(chunks, recent, buckets, seed):
    rng = np.random.default_rng(seed)
    history = LossHistory(recent=recent, max_buckets=buckets)
    values = []
    for n in chunks:
        new = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4)
        history.extend(new)
        values.extend(new)
        _check(history, values)


def test_ten_million_epochs_take_bounded_memory_and_a_bounded_curve():
    history = LossHistory()
    before = history.nbytes()
    losses = 1.0 / np.arange(1, 100_001)
    for _ in range(100):  # ten million epochs, a hundred thousand at a time
        history.extend(losses)
    assert len(history) == 10_000_000
    assert history.nbytes() == before
    xs, ys = history.curve()
    assert xs.size <= 2 * history.max_buckets + 2 + 2 * history.recent
    assert ys.max() == 1.0 and ys.min() == losses[-1]


def test_a_reset_snapshot_starts_over_and_deltas_append():
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    history = LossHistory(recent=8, max_buckets=4)
    first = trainer.snapshot()
    assert first.history_reset and first.new_losses.size == 0
    history.update(first)
    mark = first.mark
    for epochs in (3, 1, 20, 5):
        trainer.run(epochs)
        snapshot = trainer.snapshot(since=mark)
        assert not snapshot.history_reset and snapshot.new_losses.size == epochs
        history.update(snapshot)
        mark = snapshot.mark
    _check(history, trainer.losses())
    assert history.fingerprint() == (29, trainer.loss_history[0], trainer.loss_history[-1])
    trainer.reset()
    trainer.run(2)
    snapshot = trainer.snapshot(since=mark)
    assert snapshot.history_reset and snapshot.new_losses.size == 2  # the whole (new) history
    history.update(snapshot)
    _check(history, trainer.losses())


def test_skipped_snapshots_merge_their_losses():
    preset = load_preset("noisy-line", n_points=10)
    trainer = Trainer(preset.config, preset.points)
    a = trainer.snapshot()
    trainer.run(4)
    b = trainer.snapshot(since=a.mark)
    trainer.run(3)
    c = trainer.snapshot(since=b.mark)
    merged = b.followed_by(c)
    assert merged.epoch == 7 and not merged.history_reset
    np.testing.assert_array_equal(merged.new_losses, trainer.losses())
    assert a.followed_by(b).history_reset  # a reset is kept when a later snapshot is merged in
    trainer.reset()
    d = trainer.snapshot(since=c.mark)
    assert c.followed_by(d) is d


def test_the_trainers_log_is_float32_where_the_losses_are_and_exact_everywhere():
    log = LossLog()
    rng = np.random.default_rng(3)
    values = rng.standard_normal(3 * LossLog.BLOCK + 17).astype(np.float32).astype(np.float64)
    values[LossLog.BLOCK + 5] = 0.1  # not a float32 number: that block is kept in float64
    values[-1] = math.nan
    for v in values:
        log.append(float(v))
    np.testing.assert_array_equal(log.values(), values)
    assert [b.dtype for b in log._blocks] == [np.float32, np.float64, np.float32]
    for start in (0, 1, LossLog.BLOCK - 1, LossLog.BLOCK, 2 * LossLog.BLOCK + 3, values.size - 2, values.size):
        np.testing.assert_array_equal(log.since(start), values[start:])


def test_full_batch_losses_are_kept_in_less_than_four_bytes_an_epoch():
    preset = load_preset("linear-regression")
    trainer = Trainer(preset.config, preset.points)
    epochs = 2 * LossLog.BLOCK + 10
    trainer.run(epochs)
    log = trainer._losses
    assert [b.dtype for b in log._blocks] == [np.float32, np.float32]
    assert log.nbytes() < 0.5 * 4 * 2 * LossLog.BLOCK  # a falling loss: its high bytes repeat
    history = trainer.losses()
    assert history.size == epochs and history.dtype == np.float64
    assert history[-1] == trainer.snapshot().loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_packed_blocks_give_back_every_bit(dtype):
    rng = np.random.default_rng(5)
    values = (rng.standard_normal(LossLog.BLOCK) * 10.0 ** rng.integers(-30, 30, LossLog.BLOCK)).astype(dtype)
    values[[3, 4, 5, 6, 7]] = [math.nan, math.inf, -math.inf, -0.0, np.finfo(dtype).tiny / 4]
    block = PackedBlock(values)
    back = block.unpack()
    assert back.dtype == dtype and len(block) == values.size
    np.testing.assert_array_equal(back.view(np.uint8), values.view(np.uint8))
    back[0] = 1.0  # a copy: the block is not changed
    np.testing.assert_array_equal(block.unpack().view(np.uint8), values.view(np.uint8))


def test_a_settled_loss_takes_a_few_bytes_a_block():
    log = LossLog()
    falling = 1.0 + np.exp(-np.arange(LossLog.BLOCK) / 500.0)
    for value in np.concatenate([falling, np.full(3 * LossLog.BLOCK, falling[-1])]).astype(np.float32):
        log.append(float(value))
    first, *settled = log._blocks
    assert first.nbytes < 0.6 * 4 * LossLog.BLOCK
    assert all(block.nbytes < 100 for block in settled)
    assert log.values()[LossLog.BLOCK - 1] == np.float32(falling[-1]) and log.last == np.float32(falling[-1])


def test_classification_metrics_are_kept_like_the_loss_in_bounded_memory():
    import dataclasses

    p = load_preset("xor", n_points=80)
    trainer = Trainer(p.config, p.points)
    history = MetricHistory(recent=50, max_buckets=8)
    snapshot = trainer.snapshot()
    history.update(snapshot)
    sizes = []
    for _ in range(30):
        trainer.run(20)
        snapshot = trainer.snapshot(since=snapshot.mark)
        history.update(snapshot)
        sizes.append(history.nbytes())
    rows = trainer.metric_history()  # test loss, train accuracy, test accuracy of every epoch
    assert len(history) == len(rows) == 600 and len(set(sizes)) == 1
    np.testing.assert_array_equal(history.exact(), rows[-50:])
    for column, (epochs, values) in enumerate(history.curves()):
        # The exact tail, and an envelope before it that holds each older epoch's extremes.
        np.testing.assert_array_equal(epochs[-50:], np.arange(551, 601))
        np.testing.assert_array_equal(values[-50:], rows[-50:, column])
        older = rows[:550, column]
        assert np.nanmin(values[:-50]) == np.nanmin(older) and np.nanmax(values[:-50]) == np.nanmax(older)
        assert len(values) <= 2 * 8 + 2 + 50
    history.update(dataclasses.replace(snapshot, new_metrics=None))  # a regression run: nothing to show
    assert len(history) == 0
