"""Loss functions: how far predictions are from targets, as one scalar Value.

Predictions are what a model returns: one Value, or a list of Values (one per output,
for example one logit per class). Each holds a float (one sample) or a batch. Every loss
returns a scalar Value: the mean over the samples of a batch and, for the elementwise
losses, over the outputs too (PyTorch's default ``reduction="mean"``).

How to pass targets:

- ``mse``, ``mae``, ``binary_cross_entropy``, ``hinge`` (elementwise): one target per
  prediction. For a single output: a number, or a 1-D numpy array with one target per
  sample of a batch. For k outputs: a sequence of k such targets, or a 2-D array
  (samples, k) (what a DataLoader yields for vector targets).
- ``cross_entropy``: a class index (``int``) or class probabilities (a one-hot list of k
  numbers) for one sample; for a batch, a 1-D integer array of class indices (what a
  DataLoader yields for class labels) or a 2-D array (samples, k) of probabilities.

>>> from autograd import Value
>>> logits = [Value(2.0), Value(1.0), Value(0.1)]
>>> loss = cross_entropy(logits, 0)
>>> loss.backward()
>>> round(loss.data, 4), [round(z.grad, 4) for z in logits]    # ∂L/∂z = softmax(z) − onehot
(0.417, [-0.341, 0.2424, 0.0986])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from autograd import elementwise as ew
from autograd.combine import sum_of, sum_of_squares
from autograd.engine import Value
from autograd.nn import Module

Predictions = Value | Sequence[Value]


# --------------------------------------------------------------------- regression


def mse(predictions: Predictions, targets: object) -> Value:
    """Mean squared error: mean of (prediction − target)².

    >>> mse([Value(1.0), Value(3.0)], [0.0, 0.0]).data        # (1 + 9) / 2
    5.0
    """
    return _elementwise_mean("mse", predictions, targets, lambda p, t: (p - t) ** 2)


def mae(predictions: Predictions, targets: object) -> Value:
    """Mean absolute error: mean of |prediction − target| (its gradient is the sign).

    >>> import numpy as np
    >>> mae(Value(np.array([1.0, -3.0])), np.array([0.0, 0.0])).data
    2.0
    """
    return _elementwise_mean("mae", predictions, targets, lambda p, t: abs(p - t))


# --------------------------------------------------------------------- classification


def binary_cross_entropy(logits: Predictions, targets: object) -> Value:
    """Binary cross-entropy from logits, like PyTorch's ``binary_cross_entropy_with_logits``.

    Takes the raw score z, not a probability: −[t·log σ(z) + (1−t)·log(1−σ(z))] is computed
    as softplus(z) − t·z, which never overflows; its gradient is σ(z) − t. Targets are
    probabilities in [0, 1] (usually the labels 0 and 1).

    >>> round(binary_cross_entropy(Value(0.0), 1).data, 4)      # log 2
    0.6931
    >>> binary_cross_entropy(Value(1000.0), 1).data             # finite at extreme logits
    0.0
    """

    def check(t: Value) -> None:
        bad = _first_bad(t.data, (t.data >= 0.0) & (t.data <= 1.0))
        if bad is not None:
            raise ValueError(f"binary_cross_entropy: targets must be in [0, 1], got {bad:g}")

    return _elementwise_mean(
        "binary_cross_entropy", logits, targets, lambda z, t: z.softplus() - z * t, check
    )


def hinge(scores: Predictions, targets: object) -> Value:
    """Max-margin loss as in micrograd: mean of relu(1 − target·score), targets −1 or +1.

    >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data         # (0 + 1.5) / 2
    0.75
    """

    def check(t: Value) -> None:
        bad = _first_bad(t.data, np.abs(t.data) == 1.0)
        if bad is not None:
            raise ValueError(f"hinge: targets must be -1 or +1, got {bad:g}")

    return _elementwise_mean("hinge", scores, targets, lambda s, t: (1 - s * t).relu(), check)


def softmax(logits: Sequence[Value]) -> list[Value]:
    """Probabilities e^z_i / Σ_j e^z_j, computed as softmax(z − max z) so no e^z overflows.

    The shift is a constant (read from the data), which leaves every gradient exact:
    softmax(z − c) = softmax(z) for any c.

    >>> [round(p.data, 4) for p in softmax([Value(1000.0), Value(1000.0)])]
    [0.5, 0.5]
    """
    exps = [s.exp() for s in _shifted("softmax", logits)]
    total = sum_of(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """log softmax(z)_i = (z_i − m) − log Σ_j e^(z_j − m), m = max z: finite at logits of ±1000.

    >>> [round(p.data, 4) for p in log_softmax([Value(1000.0), Value(-1000.0)])]
    [0.0, -2000.0]
    """
    shifted = _shifted("log_softmax", logits)
    log_total = sum_of([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


def cross_entropy(logits: Sequence[Value], target: object) -> Value:
    """Cross-entropy from logits: −Σ_j t_j · log_softmax(z)_j, the mean over the samples.

    ``target`` is a class index or class probabilities (see the module docstring). With
    probabilities t summing to 1 the loss is log Σ e^(z−m) − Σ_j t_j (z_j − m), stable at
    any logit, and its gradient is ∂L/∂z_j = softmax(z)_j − t_j.

    >>> import numpy as np
    >>> batch = [Value(np.array([5.0, 0.0])), Value(np.array([0.0, 5.0]))]
    >>> round(cross_entropy(batch, np.array([0, 1])).data, 4)   # both samples right
    0.0067
    """
    zs = _values("cross_entropy", logits, "logits")
    if len(zs) < 2:
        raise ValueError(
            "cross_entropy needs one logit per class, at least 2; "
            "for one logit use binary_cross_entropy"
        )
    probabilities = _class_probabilities(target, len(zs), _batch_size("cross_entropy", zs))
    shifted = _shifted("cross_entropy", zs)
    log_total = sum_of([s.exp() for s in shifted]).log()
    picked = []  # the t_j · (z_j − m) terms; a class index leaves one term, s_class
    for s, t in zip(shifted, probabilities, strict=True):
        if isinstance(t, float) and t == 0.0:
            continue
        picked.append(s if isinstance(t, float) and t == 1.0 else s * t)
    loss = log_total - (picked[0] if len(picked) == 1 else sum_of(picked))
    return loss if loss.batch_size is None else loss.mean()


# --------------------------------------------------------------------- regularisation


def l2(parameters: Iterable[Value] | Module) -> Value:
    """Sum of squares of the parameters (add ``λ · l2(model.parameters())`` to a loss).

    >>> l2([Value(1.0), Value(-2.0)]).data
    5.0
    """
    if isinstance(parameters, Module):
        params = parameters.blocks()  # the Layers' blocks, read whole: one matrix each
    else:
        params = list(parameters)
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"l2: parameter {i} must be a Value, not {type(p).__name__}")
    if not params:
        raise ValueError("l2 needs at least one parameter")
    return sum_of_squares(params)  # one node, whatever the number of parameters


# --------------------------------------------------------------------- helpers


def _elementwise_mean(
    name: str,
    predictions: Predictions,
    targets: object,
    loss_of: Callable[[Value, Value], Value],
    check: Callable[[Value], None] | None = None,
) -> Value:
    """mean over outputs and samples of loss_of(prediction, target)."""
    preds = _values(name, predictions, "predictions")
    _batch_size(name, preds)
    columns = _target_columns(name, targets, len(preds))
    terms = []
    for i, (p, column) in enumerate(zip(preds, columns, strict=True)):
        t = _target_value(name, column, p, i)
        if check is not None:
            check(t)
        terms.append(loss_of(p, t))
    total = terms[0] if len(terms) == 1 else sum_of(terms) / len(terms)
    return total if total.batch_size is None else total.mean()


def _values(name: str, values: object, what: str) -> list[Value]:
    if isinstance(values, Value):
        return [values]
    if isinstance(values, Sequence) and not isinstance(values, str) and len(values) > 0:
        for i, v in enumerate(values):
            if not isinstance(v, Value):
                raise TypeError(f"{name}: {what}[{i}] must be a Value, not {type(v).__name__}")
        return list(values)
    raise TypeError(f"{name}: {what} must be a Value or a non-empty list of Values, not {values!r}")


def _batch_size(name: str, values: list[Value]) -> int | None:
    """The batch size the values share (None if all are plain scalars)."""
    sizes = sorted({v.batch_size for v in values if v.batch_size is not None})
    if len(sizes) > 1:
        raise ValueError(f"{name}: predictions hold batches of different sizes {sizes}")
    return sizes[0] if sizes else None


def _target_columns(name: str, targets: object, k: int) -> list[object]:
    """Split targets into one entry per prediction (see the module docstring)."""
    if isinstance(targets, np.ndarray) and targets.ndim == 2:
        if targets.shape[1] != k:
            raise ValueError(
                f"{name}: targets of shape {targets.shape} for {k} predictions; "
                f"expected shape (samples, {k})"
            )
        return list(targets.T)
    is_sequence = isinstance(targets, Sequence | np.ndarray) and not isinstance(targets, str)
    if k == 1 and (not is_sequence or isinstance(targets, np.ndarray)):
        return [targets]  # a number, a Value, or a column of samples
    if not is_sequence:
        raise TypeError(
            f"{name}: expected {k} targets, one per prediction, got {type(targets).__name__}"
        )
    if len(targets) != k:
        raise ValueError(
            f"{name}: expected {k} target{'s' if k > 1 else ''}, one per prediction, "
            f"got {len(targets)} (a batch of targets goes in a numpy array)"
        )
    return list(targets)


def _target_value(name: str, target: object, prediction: Value, index: int) -> Value:
    if isinstance(target, Value):
        t = target
    else:
        try:
            t = Value(target, label="target")
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name}: target {index}: {error}") from None
    if t.batch_size is not None and t.batch_size != prediction.batch_size:
        held = prediction.batch_size or "one sample"
        raise ValueError(
            f"{name}: target {index} holds {t.batch_size} samples, its prediction holds {held}"
        )
    return t


def _shifted(name: str, logits: Sequence[Value]) -> list[Value]:
    """z − max(z), the max taken from the data and used as a constant (no gradient)."""
    zs = _values(name, logits, "logits")
    _batch_size(name, zs)
    largest = functools.reduce(ew.maximum, [z.data for z in zs])  # per sample for a batch
    return [z - largest for z in zs]


def _class_probabilities(target: object, k: int, batch: int | None) -> list[float | np.ndarray]:
    """The target as k columns t_j (floats, or arrays over the batch), each row summing to 1."""
    if isinstance(target, int | float | np.integer | np.floating) and not isinstance(
        target, bool | np.bool_
    ):
        index = _class_indices(np.asarray(target), k)
        return [1.0 if j == index else 0.0 for j in range(k)]
    try:
        array = np.asarray(target)
    except ValueError:  # ragged nested lists
        raise ValueError(f"cross_entropy: target {target!r} is not a rectangular array") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"cross_entropy: target must be a class index or class probabilities, "
            f"not {type(target).__name__} of {array.dtype}"
        )
    if array.ndim == 1 and batch is not None:  # one class index per sample
        if len(array) != batch:
            raise ValueError(
                f"cross_entropy: {len(array)} class indices for a batch of {batch} samples"
            )
        indices = _class_indices(array, k)
        return [(indices == j).astype(np.float64) for j in range(k)]
    if array.ndim == 1:  # one sample's probabilities, e.g. one-hot
        if len(array) != k:
            raise ValueError(f"cross_entropy: {len(array)} class probabilities for {k} logits")
        _check_probabilities(array[np.newaxis, :])
        return [float(p) for p in array]
    if array.ndim == 2 and batch is not None:  # (samples, k) probabilities
        if array.shape != (batch, k):
            raise ValueError(
                f"cross_entropy: target of shape {array.shape}, expected ({batch}, {k}) "
                f"for {k} logits over a batch of {batch}"
            )
        _check_probabilities(array)
        return list(array.T.astype(np.float64))
    raise ValueError(
        f"cross_entropy: a target of shape {array.shape} does not fit {k} logits "
        f"{'over a batch of ' + str(batch) if batch else 'of one sample'}"
    )


def _class_indices(array: np.ndarray, k: int) -> np.ndarray | int:
    """Check class indices are whole numbers in 0..k−1; return them as integers."""
    flat = array.reshape(-1)
    whole = np.isfinite(flat) & (flat == np.floor(flat))
    if not whole.all():
        bad = flat[~whole][0]
        raise ValueError(f"cross_entropy: a class index must be a whole number, got {bad}")
    outside = (flat < 0) | (flat >= k)
    if outside.any():
        position = int(np.argmax(outside))
        where = f" (sample {position})" if array.ndim else ""
        raise ValueError(
            f"cross_entropy: class index {int(flat[position])}{where} is out of range "
            f"for {k} classes (0 to {k - 1})"
        )
    return int(array) if array.ndim == 0 else array.astype(np.int64)


def _check_probabilities(rows: np.ndarray) -> None:
    # 1e-6: the rounding in user-normalised rows (even from float32 data) is far smaller.
    finite = np.isfinite(rows).all(axis=1)
    valid = finite & (rows >= 0).all(axis=1) & (np.abs(rows.sum(axis=1) - 1.0) <= 1e-6)
    if not valid.all():
        row = int(np.argmin(valid))
        raise ValueError(
            "cross_entropy: class probabilities must be >= 0 and sum to 1, "
            f"got {rows[row].tolist()}" + (f" for sample {row}" if len(rows) > 1 else "")
        )


def _first_bad(data: float | np.ndarray, ok: bool | np.ndarray) -> float | None:
    """The first element of ``data`` where ``ok`` is False (nan fails every check), or None."""
    if np.all(ok):
        return None
    return float(np.asarray(data).reshape(-1)[np.argmin(np.asarray(ok).reshape(-1))])
