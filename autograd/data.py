"""Datasets, mini-batches, and small data sets to train on.

As in PyTorch, a dataset is anything with ``len(dataset)`` and ``dataset[i] -> (x, y)``,
and a ``DataLoader`` cuts it into mini-batches, shuffled each epoch if asked:

>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> loader = DataLoader(ArrayDataset(X, y), batch_size=32, shuffle=True, seed=0)
>>> xb, yb = next(iter(loader))
>>> xb.shape, yb.shape, len(loader)        # PyTorch's shapes: (batch, features), (batch,)
((32, 2), (32,), 4)

An MLP takes ``xb`` as it is (a batch, one forward pass for all rows); ``columns=True``
yields the same batch as a list of feature columns instead, the form of a batched Value.

Data sets: ``make_moons``, ``make_circles`` and ``make_spirals`` are synthetic (seeded,
generated with numpy); ``load_digits`` is real: 1797 handwritten digits (8x8 pixels, UCI),
read offline from the copy that ships inside scikit-learn.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

Seed = int | np.random.Generator | None


@runtime_checkable
class Dataset(Protocol):
    """What a DataLoader needs: a length and ``(input, target)`` pairs by index."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> tuple[Any, Any]: ...


class ArrayDataset:
    """Samples held in numpy arrays: ``inputs`` (samples, features), ``targets`` (samples, ...).

    1-D ``inputs`` mean one feature per sample. Inputs are stored as float64; targets keep
    an integer dtype (class labels) or become float64. Indexing with an int gives one
    ``(x, y)`` sample; with a slice or an array of indices, the arrays of those samples.

    >>> data = ArrayDataset([[0.0, 1.0], [2.0, 3.0]], [0, 1])
    >>> x, y = data[1]
    >>> len(data), x.tolist(), int(y)
    (2, [2.0, 3.0], 1)
    """

    def __init__(self, inputs: Any, targets: Any) -> None:
        inputs = _numeric_array("inputs", inputs)
        targets = _numeric_array("targets", targets)
        if inputs.ndim == 1:
            inputs = inputs[:, np.newaxis]
        if inputs.ndim != 2:
            raise ValueError(f"inputs must be 2-D (samples, features), got shape {inputs.shape}")
        if len(inputs) != len(targets):
            raise ValueError(
                f"inputs and targets have different lengths: {len(inputs)} and {len(targets)}"
            )
        if len(inputs) == 0:
            raise ValueError("the dataset is empty")
        self.inputs = inputs.astype(np.float64)  # a copy: later edits to the caller's data stay out
        self.targets = targets.astype(np.int64 if targets.dtype.kind in "iu" else np.float64)

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int | slice | np.ndarray) -> tuple[np.ndarray, Any]:
        return self.inputs[index], self.targets[index]

    def __repr__(self) -> str:
        return f"ArrayDataset({len(self)} samples, {self.inputs.shape[1]} features)"


class DataLoader:
    """Iterate over a dataset in mini-batches of ``(inputs, targets)`` numpy arrays.

    Each batch is ``(xb, yb)`` with ``xb`` of shape (batch, features) and ``yb`` the
    targets stacked the same way, as PyTorch's DataLoader gives them. With
    ``columns=True``, ``xb`` is a list of ``features`` 1-D arrays instead (one column per
    feature: the inputs of a batched Value).

    ``shuffle`` draws a new order every epoch from a generator seeded once with ``seed``,
    so a run is reproducible; ``drop_last`` drops a final batch smaller than the others.

    >>> loader = DataLoader(ArrayDataset([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]], [0, 1, 0]),
    ...                     batch_size=2, columns=True)
    >>> [(columns, yb.tolist()) for columns, yb in loader][1]
    ([array([3.]), array([30.])], [0])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        seed: Seed = None,
        drop_last: bool = False,
        columns: bool = False,
    ) -> None:
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"dataset must have __len__ and __getitem__, not {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
            raise TypeError(f"batch_size must be an int, not {type(batch_size).__name__}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if len(dataset) == 0:
            raise ValueError("the dataset is empty")
        if drop_last and batch_size > len(dataset):
            raise ValueError(
                f"drop_last with batch_size {batch_size} > {len(dataset)} samples "
                "would yield no batch"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.columns = columns
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        """Number of batches per epoch."""
        n, size = len(self.dataset), self.batch_size
        return n // size if self.drop_last else math.ceil(n / size)

    def __iter__(self) -> Iterator[tuple[np.ndarray | list[np.ndarray], np.ndarray]]:
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            inputs, targets = self._fetch(indices)
            yield (list(inputs.T) if self.columns else inputs), targets

    def _fetch(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(self.dataset, ArrayDataset):  # numpy indexing, no per-sample Python
            return self.dataset[indices]
        return _collate(self.dataset, indices)

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, columns={self.columns})"
        )


def train_test_split(
    inputs: Any, targets: Any, test_fraction: float = 0.25, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then hold out ``ceil(test_fraction · n)`` samples for testing.

    Returns ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     np.arange(10.0), np.arange(10), test_fraction=0.3, seed=0)
    >>> len(X_train), len(X_test), sorted([*y_train, *y_test]) == list(range(10))
    (7, 3, True)
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if len(inputs) != len(targets):
        raise ValueError(
            f"inputs and targets have different lengths: {len(inputs)} and {len(targets)}"
        )
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"test_fraction must be a number, not {type(test_fraction).__name__}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    n = len(inputs)
    n_test = math.ceil(test_fraction * n)
    if n_test >= n:
        raise ValueError(
            f"test_fraction {test_fraction} of {n} samples leaves no sample for training"
        )
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return inputs[train], inputs[test], targets[train], targets[test]


# --------------------------------------------------------------------- data sets


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (synthetic), labels 0 and 1, as scikit-learn draws them.

    Returns ``X`` of shape (n_samples, 2) and ``y`` of shape (n_samples,), shuffled;
    ``noise`` is the standard deviation of Gaussian noise added to every coordinate.

    >>> X, y = make_moons(6, seed=0)
    >>> X.shape, sorted(y.tolist())
    ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    _check_sizes(n_samples, noise)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n_inner)
    X = np.concatenate(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            np.column_stack([1 - np.cos(inner), 0.5 - np.sin(inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    return _noisy_shuffled(X, y, noise, np.random.default_rng(seed))


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """A circle (label 0) around a smaller one of radius ``factor`` (label 1); synthetic.

    >>> X, y = make_circles(8, factor=0.5, seed=0)
    >>> sorted(np.round(np.hypot(X[:, 0], X[:, 1]), 6).tolist())
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    _check_sizes(n_samples, noise)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    return _noisy_shuffled(X, y, noise, np.random.default_rng(seed))


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms (synthetic), as in Stanford's CS231n notes.

    Arm k has radius growing from 0 to 1 while its angle turns through 4 radians starting
    at 4k; ``noise`` is the standard deviation of Gaussian noise on the angle.

    >>> X, y = make_spirals(30, n_classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((30, 2), [10, 10, 10])
    """
    _check_sizes(n_samples, noise)
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"n_classes must be an int, not {type(n_classes).__name__}")
    if not 2 <= n_classes <= n_samples:
        raise ValueError(f"n_classes must be between 2 and n_samples, got {n_classes}")
    rng = np.random.default_rng(seed)
    counts = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    arms, labels = [], []
    for k, count in enumerate(counts):
        radius = np.linspace(0.0, 1.0, count)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), count) + noise * rng.standard_normal(count)
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(count, k, dtype=np.int64))
    return _noisy_shuffled(np.concatenate(arms), np.concatenate(labels), 0.0, rng)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits: 1797 images of 8x8 pixels, values 0 to 16, labels 0-9.

    Real data, read offline from the copy bundled with scikit-learn (the ``data`` extra).
    Returns ``X`` (1797, 64) float64 (divide by 16 to scale to [0, 1]) and ``y`` (1797,).

    >>> X, y = load_digits()
    >>> X.shape, y[:5].tolist()
    ((1797, 64), [0, 1, 2, 3, 4])
    """
    try:
        spec = importlib.util.find_spec("sklearn")
    except ValueError:  # a module object without a spec (as a test leaves it)
        spec = None
    if spec is None or spec.origin is None:
        raise ImportError(
            "load_digits reads the digits bundled with scikit-learn, which is not installed: "
            'pip install "autograd-viz[data]"'
        )
    # The table itself (64 pixel columns, then the label), as scikit-learn reads it; this
    # skips importing scikit-learn and scipy, which takes seconds.
    bundled = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if bundled.is_file():
        table = np.loadtxt(bundled, delimiter=",")
        return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits as sklearn_load_digits  # if the file ever moves

    inputs, targets = sklearn_load_digits(return_X_y=True)
    return inputs.astype(np.float64), targets.astype(np.int64)


# --------------------------------------------------------------------- helpers


def _numeric_array(what: str, data: Any) -> np.ndarray:
    try:
        array = np.asarray(data)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{what} must be a rectangular array of numbers") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{what} must hold real numbers, not {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{what} must be an array of samples, got a single number")
    return array


def _collate(dataset: Dataset, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stack samples ``dataset[i]`` into (inputs, targets) arrays, as PyTorch's collate."""
    inputs, targets = [], []
    for i in indices.tolist():
        sample = dataset[i]
        if not (isinstance(sample, tuple | list) and len(sample) == 2):
            raise ValueError(f"dataset[{i}] must be an (input, target) pair, got {sample!r}")
        inputs.append(sample[0])
        targets.append(sample[1])
    xb = _numeric_array("the inputs of a batch", inputs)
    if xb.ndim == 1:
        xb = xb[:, np.newaxis]  # one number per sample: one feature
    if xb.ndim != 2:
        raise ValueError(f"samples must be numbers or 1-D arrays, got a batch of shape {xb.shape}")
    return xb.astype(np.float64), _numeric_array("the targets of a batch", targets)


def _check_sizes(n_samples: object, noise: object) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an int, not {type(n_samples).__name__}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number, not {type(noise).__name__}")
    if not (noise >= 0 and math.isfinite(noise)):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _noisy_shuffled(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]
