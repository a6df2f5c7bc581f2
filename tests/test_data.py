"""Datasets, the DataLoader, train_test_split, the synthetic sets and the real digits."""

import importlib.machinery
import importlib.util
import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.data import (
    ArrayDataset,
    DataLoader,
    Dataset,
    load_digits,
    make_circles,
    make_moons,
    make_spirals,
    train_test_split,
)


def numbered(n, features=2):
    """A dataset whose row i is [i, 10i, ...] and whose target is i: every sample traceable."""
    X = np.arange(n)[:, None] * 10.0 ** np.arange(features)
    return ArrayDataset(X, np.arange(n))


class ListDataset:
    """A dataset that is not an ArrayDataset: samples from Python lists."""

    def __init__(self, samples):
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


# ---------------------------------------------------------------- ArrayDataset


def test_array_dataset_gives_samples_and_copies_its_data():
    X, y = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([0, 1, 0])
    data = ArrayDataset(X, y)
    X[0, 0] = 99.0  # a later edit of the caller's array stays out
    x1, y1 = data[1]
    assert len(data) == 3 and x1.tolist() == [3.0, 4.0] and y1 == 1
    assert data[0][0].tolist() == [1.0, 2.0]
    assert data.inputs.dtype == np.float64 and data.targets.dtype == np.int64
    assert isinstance(data, Dataset)


def test_array_dataset_reads_1d_inputs_as_one_feature_and_keeps_float_targets():
    data = ArrayDataset([1, 2, 3], [0.5, 1.5, 2.5])
    assert data.inputs.shape == (3, 1)
    assert data.targets.dtype == np.float64


@pytest.mark.parametrize(
    ("inputs", "targets", "error", "message"),
    [
        (np.ones((3, 2)), np.ones(4), ValueError, "different lengths: 3 and 4"),
        (np.ones((0, 2)), np.ones(0), ValueError, "the dataset is empty"),
        ([[1.0, 2.0], [3.0]], [0, 1], ValueError, "rectangular array of numbers"),
        (np.ones((2, 2, 2)), np.ones(2), ValueError, r"2-D \(samples, features\)"),
        (5.0, [1.0], ValueError, "inputs must be an array of samples, got a single number"),
        ([["a", "b"]], [0], TypeError, "inputs must hold real numbers"),
        (np.ones((2, 2)), [None, 1], TypeError, "targets must hold real numbers, not object"),
    ],
)
def test_bad_array_datasets_are_clear_errors(inputs, targets, error, message):
    with pytest.raises(error, match=message):
        ArrayDataset(inputs, targets)


# ---------------------------------------------------------------- DataLoader


def test_batches_have_pytorch_shapes_and_keep_samples_in_order():
    batches = list(DataLoader(numbered(10), batch_size=4))
    assert [xb.shape for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert [yb.tolist() for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[2][0].tolist() == [[8.0, 80.0], [9.0, 90.0]]  # inputs stay with targets
    assert len(DataLoader(numbered(10), batch_size=4)) == 3


def test_columns_give_one_array_per_feature():
    columns, yb = next(iter(DataLoader(numbered(5, features=3), batch_size=2, columns=True)))
    assert [c.tolist() for c in columns] == [[0.0, 1.0], [0.0, 10.0], [0.0, 100.0]]
    assert yb.tolist() == [0, 1]


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(numbered(10), batch_size=4, drop_last=True)
    assert [len(yb) for _, yb in loader] == [4, 4] and len(loader) == 2


def test_shuffle_is_reproducible_and_new_each_epoch():
    def epochs(seed):
        loader = DataLoader(numbered(20), batch_size=5, shuffle=True, seed=seed)
        return [np.concatenate([yb for _, yb in loader]).tolist() for _ in range(2)]

    first, second = epochs(0)
    assert sorted(first) == list(range(20)) and first != list(range(20))
    assert first != second  # a new order every epoch
    assert epochs(0) == [first, second]  # the same run again from the same seed
    assert epochs(1)[0] != first


def test_shuffled_batches_keep_inputs_with_their_targets():
    for xb, yb in DataLoader(numbered(12), batch_size=5, shuffle=True, seed=3):
        assert xb[:, 0].tolist() == yb.tolist()


def test_any_dataset_with_len_and_getitem_is_collated_like_pytorch():
    data = ListDataset([([1.0, 2.0], 0), ([3.0, 4.0], 1), ([5.0, 6.0], 1)])
    xb, yb = next(iter(DataLoader(data, batch_size=2)))
    assert xb.tolist() == [[1.0, 2.0], [3.0, 4.0]] and yb.tolist() == [0, 1]
    scalars = ListDataset([(1.0, 0.5), (2.0, 1.5)])  # a number per sample: one feature
    xb, _ = next(iter(DataLoader(scalars, batch_size=2)))
    assert xb.shape == (2, 1)
    pairs = [([1.0], 0), ([2.0], 1)]  # a plain list of pairs is a dataset, as in PyTorch
    assert next(iter(DataLoader(pairs, batch_size=2)))[1].tolist() == [0, 1]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 45),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 100),
)
def test_an_epoch_visits_every_sample_once_in_full_batches(n, batch_size, shuffle, drop_last, seed):
    if drop_last and batch_size > n:
        with pytest.raises(ValueError, match="would yield no batch"):
            DataLoader(numbered(n), batch_size, shuffle, seed, drop_last)
        return
    loader = DataLoader(numbered(n), batch_size, shuffle, seed, drop_last)
    sizes = [len(yb) for _, yb in loader]
    seen = np.concatenate([yb for _, yb in loader]) if sizes else np.array([])
    assert len(sizes) == len(loader)
    assert all(size == batch_size for size in sizes[:-1]) and 0 < sizes[-1] <= batch_size
    assert len(set(seen.tolist())) == len(seen)  # no sample twice
    assert len(seen) == (n - n % batch_size if drop_last else n)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: DataLoader(numbered(5), batch_size=0), ValueError, "batch_size must be positive"),
        (lambda: DataLoader(numbered(5), batch_size=-2), ValueError, "must be positive, got -2"),
        (lambda: DataLoader(numbered(5), batch_size=2.0), TypeError, "must be an int, not float"),
        (lambda: DataLoader(numbered(5), batch_size=True), TypeError, "must be an int, not bool"),
        (lambda: DataLoader(ListDataset([]), batch_size=1), ValueError, "the dataset is empty"),
        (lambda: DataLoader(None, batch_size=1), TypeError, "__len__ and __getitem__, not None"),
        (lambda: DataLoader(5, batch_size=1), TypeError, "__len__ and __getitem__, not int"),
        (
            lambda: DataLoader(numbered(3), batch_size=4, drop_last=True),
            ValueError,
            "drop_last with batch_size 4 > 3 samples would yield no batch",
        ),
    ],
)
def test_bad_loaders_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_bad_samples_are_clear_errors_when_batched():
    not_pairs = DataLoader(ListDataset([[1.0, 2.0, 3.0]]), batch_size=1)
    with pytest.raises(ValueError, match=r"dataset\[0\] must be an \(input, target\) pair"):
        next(iter(not_pairs))
    ragged = DataLoader(ListDataset([([1.0, 2.0], 0), ([3.0], 1)]), batch_size=2)
    with pytest.raises(ValueError, match="inputs of a batch must be a rectangular array"):
        next(iter(ragged))


# ---------------------------------------------------------------- train_test_split


def test_train_test_split_partitions_the_samples_reproducibly():
    X, y = np.arange(20.0)[:, None], np.arange(20)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    assert (len(X_train), len(X_test)) == (15, 5)
    assert sorted([*y_train, *y_test]) == list(range(20))
    assert X_train[:, 0].tolist() == y_train.tolist()  # rows stay with their targets
    again = train_test_split(X, y, test_fraction=0.25, seed=0)
    assert again[3].tolist() == y_test.tolist()
    assert train_test_split(X, y, test_fraction=0.25, seed=1)[3].tolist() != y_test.tolist()


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((np.ones(4), np.ones(5), 0.5), ValueError, "different lengths: 4 and 5"),
        ((np.ones(4), np.ones(4), 0.0), ValueError, "between 0 and 1, got 0.0"),
        ((np.ones(4), np.ones(4), 1.0), ValueError, "between 0 and 1, got 1.0"),
        ((np.ones(4), np.ones(4), "0.5"), TypeError, "must be a number, not str"),
        ((np.ones(1), np.ones(1), 0.5), ValueError, "leaves no sample for training"),
    ],
)
def test_bad_splits_are_clear_errors(args, error, message):
    with pytest.raises(error, match=message):
        train_test_split(*args)


# ---------------------------------------------------------------- synthetic sets


def test_moons_lie_on_two_half_circles_without_noise():
    X, y = make_moons(101, seed=0)
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(outer[:, 1] >= 0) and np.all(inner[:, 1] <= 0.5)


def test_circles_have_radius_1_and_factor():
    X, y = make_circles(40, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3, rtol=1e-12)


def test_spirals_have_balanced_classes_within_the_unit_disc():
    X, y = make_spirals(301, n_classes=3, seed=0)
    assert X.shape == (301, 2) and np.bincount(y).tolist() == [101, 100, 100]
    assert np.all(np.hypot(*X.T) <= 1.0 + 1e-12)


@pytest.mark.parametrize("make", [make_moons, make_circles, make_spirals])
def test_synthetic_sets_are_reproducible_and_noise_moves_points(make):
    X, y = make(60, noise=0.1, seed=5)
    X_again, y_again = make(60, noise=0.1, seed=5)
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert not np.array_equal(X, make(60, noise=0.1, seed=6)[0])
    assert y.dtype == np.int64 and X.dtype == np.float64


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: make_moons(1), ValueError, "n_samples must be at least 2, got 1"),
        (lambda: make_moons(10.0), TypeError, "n_samples must be an int, not float"),
        (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: make_circles(10, noise=float("nan")), ValueError, "finite number >= 0, got nan"),
        (lambda: make_circles(10, factor=1.0), ValueError, "factor must be between 0 and 1"),
        (lambda: make_spirals(10, n_classes=1), ValueError, "n_classes must be between 2 and"),
        (lambda: make_spirals(3, n_classes=4), ValueError, "n_classes must be between 2 and"),
    ],
)
def test_bad_synthetic_arguments_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---------------------------------------------------------------- the real digits


UCI_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # from the UCI page


def test_digits_are_the_uci_8x8_set():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0 and np.all(np.round(X) == X)  # counts 0..16
    assert np.bincount(y).tolist() == UCI_CLASS_COUNTS
    assert y[:10].tolist() == list(range(10))
    zero = X[0].reshape(8, 8)  # the first image is a 0: blank edge column, a hole inside
    assert zero[:, 0].sum() == 0.0 and zero[3].tolist() == [0, 4, 12, 0, 0, 8, 8, 0]


def test_digits_fall_back_to_scikit_learns_loader(monkeypatch, tmp_path):
    # Where the bundled table is not found, load_digits asks scikit-learn's own loader
    # (here a stand-in, so the test does not spend seconds importing scikit-learn).
    fake_spec = importlib.machinery.ModuleSpec("sklearn", None, origin=str(tmp_path / "x.py"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: fake_spec)
    stand_in = types.ModuleType("sklearn.datasets")
    stand_in.load_digits = lambda return_X_y: (np.ones((3, 64), dtype=np.int64), np.arange(3))
    monkeypatch.setitem(sys.modules, "sklearn.datasets", stand_in)
    X, y = load_digits()
    assert X.dtype == np.float64 and X.shape == (3, 64) and y.tolist() == [0, 1, 2]


def test_digits_without_scikit_learn_say_how_to_install_it(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "autograd-viz\[data\]"'):
        load_digits()
