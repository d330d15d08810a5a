"""engine.utils.data: datasets, samplers, collation and the DataLoader."""

from collections import namedtuple

import numpy as np
import pytest

import engine
from engine.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def points(n=10):
    x = engine.arange(n, dtype=engine.float32).reshape(n, 1)
    return TensorDataset(x, x * 2 + 1)


def test_tensor_dataset_rows():
    ds = points(5)
    assert len(ds) == 5
    x, y = ds[3]
    assert x.tolist() == [3.0] and y.tolist() == [7.0]
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        TensorDataset(engine.zeros(3, 1), engine.zeros(4, 1))
    with pytest.raises(TypeError):
        TensorDataset([1.0, 2.0])


def test_batches_in_order_with_a_short_last_batch():
    loader = DataLoader(points(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    x, y = batches[2]
    assert isinstance(batches[2], list)  # PyTorch collates tuples of tensors into a list
    assert x.tolist() == [[8.0], [9.0]] and y.tolist() == [[17.0], [19.0]]
    assert x.dtype == engine.float32 and x.grad_fn is None and not x.requires_grad


def test_drop_last():
    loader = DataLoader(points(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[0].shape[0] for b in loader] == [4, 4]


def test_shuffle_with_a_seeded_generator_is_reproducible_and_a_permutation():
    def epochs(seed, n_epochs=3):
        g = engine.Generator().manual_seed(seed)
        loader = DataLoader(points(10), batch_size=3, shuffle=True, generator=g)
        return [[int(v) for b in loader for v in b[0].reshape(-1).tolist()] for _ in range(n_epochs)]

    first = epochs(7)
    assert first == epochs(7)
    assert first != epochs(8)
    for order in first:
        assert sorted(order) == list(range(10))  # every point once per epoch
    assert first[0] != first[1]  # a fresh order each epoch
    assert first[0] != list(range(10))


def test_shuffle_without_a_generator_follows_manual_seed():
    def order():
        return [int(v) for b in DataLoader(points(10), batch_size=10, shuffle=True) for v in b[0].reshape(-1).tolist()]

    engine.manual_seed(3)
    a = order()
    engine.manual_seed(3)
    assert order() == a


def test_rows_stay_paired_after_shuffling():
    loader = DataLoader(points(20), batch_size=6, shuffle=True, generator=engine.Generator().manual_seed(1))
    for x, y in loader:
        assert np.array_equal(y._data, x._data * 2 + 1)


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": float(i), "n": i, "v": np.array([i, i * i], dtype=np.float32), "name": f"p{i}"}


def test_default_collate_of_a_custom_dataset():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert batch["x"].dtype == engine.float64 and batch["x"].tolist() == [0.0, 1.0, 2.0]
    assert batch["n"].dtype == engine.int64 and batch["n"].tolist() == [0, 1, 2]
    assert batch["v"].tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]] and batch["v"].dtype == engine.float32
    assert batch["name"] == ["p0", "p1", "p2"]
    Point = namedtuple("Point", "x y")
    collated = default_collate([Point(engine.tensor(1.0), 2), Point(engine.tensor(3.0), 4)])
    assert isinstance(collated, Point) and collated.x.tolist() == [1.0, 3.0] and collated.y.tolist() == [2, 4]
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([engine.zeros(2), engine.zeros(3)])


def test_generic_path_equals_the_tensor_dataset_fast_path():
    class Rows(Dataset):
        def __init__(self, ds):
            self.ds = ds

        def __len__(self):
            return len(self.ds)

        def __getitem__(self, i):
            return self.ds[i]

    ds = points(9)
    fast = list(DataLoader(ds, batch_size=4, shuffle=True, generator=engine.Generator().manual_seed(2)))
    slow = list(DataLoader(Rows(ds), batch_size=4, shuffle=True, generator=engine.Generator().manual_seed(2)))
    for (a, b), (c, d) in zip(fast, slow):
        assert np.array_equal(a._data, c._data) and np.array_equal(b._data, d._data)


def test_batch_size_none_sampler_and_batch_sampler():
    ds = points(4)
    singles = list(DataLoader(ds, batch_size=None))
    assert len(singles) == 4 and singles[1][0].tolist() == [1.0]
    reverse = DataLoader(ds, batch_size=2, sampler=[3, 2, 1, 0])
    assert [b[0].reshape(-1).tolist() for b in reverse] == [[3.0, 2.0], [1.0, 0.0]]
    by_hand = DataLoader(ds, batch_sampler=[[0, 3], [1]])
    assert [b[0].reshape(-1).tolist() for b in by_hand] == [[0.0, 3.0], [1.0]] and len(by_hand) == 2


def test_invalid_arguments_are_pytorchs_errors():
    ds = points(4)
    with pytest.raises(ValueError, match="^sampler option is mutually exclusive with shuffle$"):
        DataLoader(ds, shuffle=True, sampler=[0, 1])
    with pytest.raises(
        ValueError,
        match="^batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last$",
    ):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="^batch_size should be a positive integer value, but got batch_size=0$"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="^drop_last should be a boolean value, but got drop_last=1$"):
        BatchSampler(SequentialSampler(ds), 2, 1)
    with pytest.raises(ValueError, match="^num_samples should be a positive integer value, but got num_samples=0$"):
        DataLoader(TensorDataset(engine.zeros(0, 1)), batch_size=2, shuffle=True)


def test_an_empty_dataset_gives_no_batches():
    loader = DataLoader(TensorDataset(engine.zeros(0, 1), engine.zeros(0, 1)), batch_size=3)
    assert len(loader) == 0 and list(loader) == []


def test_samplers():
    ds = points(6)
    assert list(SequentialSampler(ds)) == [0, 1, 2, 3, 4, 5]
    g = engine.Generator().manual_seed(0)
    drawn = list(RandomSampler(ds, replacement=True, num_samples=20, generator=g))
    assert len(drawn) == 20 and all(0 <= i < 6 for i in drawn)
    more = list(RandomSampler(ds, num_samples=9, generator=g))
    assert len(more) == 9 and sorted(more[:6]) == list(range(6))
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, True)) == 2


def test_subset_concat_and_random_split():
    ds = points(10)
    sub = Subset(ds, [9, 0])
    assert len(sub) == 2 and sub[0][0].tolist() == [9.0]
    both = ds + sub
    assert isinstance(both, ConcatDataset) and len(both) == 12 and both[11][0].tolist() == [0.0]
    assert both[-1][0].tolist() == [0.0]
    train, test = random_split(ds, [7, 3], generator=engine.Generator().manual_seed(4))
    assert len(train) == 7 and len(test) == 3
    assert sorted(train.indices + test.indices) == list(range(10))
    a, b = random_split(ds, [0.8, 0.2], generator=engine.Generator().manual_seed(4))
    assert (len(a), len(b)) == (8, 2)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(ds, [5, 6])


def test_training_with_minibatches():
    """A full loop: shuffled minibatches fit y = 2x + 1."""
    engine.manual_seed(0)
    x = engine.rand(64, 1) * 2 - 1
    loader = DataLoader(
        TensorDataset(x, 2 * x + 1), batch_size=16, shuffle=True, generator=engine.Generator().manual_seed(0)
    )
    model = engine.nn.Linear(1, 1)
    opt = engine.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(100):
        for xb, yb in loader:
            opt.zero_grad()
            engine.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    assert model.weight.item() == pytest.approx(2.0, abs=1e-3) and model.bias.item() == pytest.approx(1.0, abs=1e-3)
