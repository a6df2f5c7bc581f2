"""Case D: one training epoch of micrograd's demo, in each library and on each path.

The demo (micrograd's ``demo.ipynb``): an MLP 2-16-16-1 (ReLU, linear output) on two-moons
points labelled ±1, the SVM hinge loss ``mean(relu(1 - y·score))`` plus L2 regularisation
``1e-4 · Σ p²``, full batch. An epoch is forward, zero_grad, backward and one SGD step.

Paths: "scalar" runs the model once per sample (our nn.MLP on floats, micrograd's nn.MLP,
PyTorch on 0-d float64 tensors); "batched" runs it once on the whole batch (our nn.MLP
on the (200, 2) array, so every node holds all samples; PyTorch ``nn.Linear`` layers in
float64); "minibatch" runs it on mini-batches of 32 in a fixed order, one SGD step each (7
steps an epoch of 200), as the README's training loop does, so each step's fixed cost is
paid 7 times. Ours uses ``losses.hinge``, ``losses.l2`` and ``optim.SGD``; micrograd runs the
demo's own code. Every library starts from the same points and the same weights, so the
first epoch's loss must agree.

>>> run_epoch = epoch_runner("ours", "batched", points=20)
>>> loss = run_epoch()
>>> loss > 0
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4  # L2 strength, as in the demo
LEARNING_RATE = 0.05  # constant, so any number of timed epochs stays a sane descent
SEED = 0
MINI_BATCH = 32  # the "minibatch" path: the README's loop

Weights = list[tuple[np.ndarray, np.ndarray]]  # per layer: W (nout, nin), b (nout,)


def epoch_runner(library: str, path: str, points: int = 200) -> Callable[[], float]:
    """A function that runs one epoch and returns its loss (before the SGD step).

    >>> epoch_runner("micrograd", "batched", 20)
    Traceback (most recent call last):
    ValueError: micrograd has no batched path
    """
    builders = {
        ("ours", "scalar"): _ours_scalar,
        ("ours", "batched"): _ours_batched,
        ("micrograd", "scalar"): _micrograd_scalar,
        ("torch", "scalar"): _torch_scalar,
        ("torch", "batched"): _torch_batched,
        ("numpy", "batched"): _numpy_batched,
        ("ours", "minibatch"): _ours_minibatch,
        ("torch", "minibatch"): _torch_minibatch,
        ("numpy", "minibatch"): _numpy_minibatch,
    }
    if library == "ours-pure":  # the same code; the harness set AUTOGRAD_PURE_PYTHON=1
        library = "ours"
    if (library, path) not in builders:
        raise ValueError(f"{library} has no {path} path")
    inputs, labels = moons(points)
    return builders[library, path](inputs, labels, initial_weights())


def mini_batches(inputs: Any, labels: Any, size: int = MINI_BATCH) -> list[tuple[Any, Any]]:
    """The epoch's mini-batches in a fixed order (the last one shorter), as slices.

    >>> [len(x) for x, _ in mini_batches(np.zeros((70, 2)), np.zeros(70))]
    [32, 32, 6]
    """
    return [(inputs[k : k + size], labels[k : k + size]) for k in range(0, len(labels), size)]


def moons(points: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two-moons inputs (points, 2) with noise 0.1 and labels ±1 (synthetic, seeded).

    >>> inputs, labels = moons(6)
    >>> inputs.shape, sorted(set(labels.tolist()))
    ((6, 2), [-1.0, 1.0])
    """
    from autograd.data import make_moons

    inputs, labels01 = make_moons(points, noise=0.1, seed=seed)
    return inputs, 2.0 * labels01 - 1.0  # the hinge loss wants -1 and +1


def initial_weights(seed: int = SEED) -> Weights:
    """Weights uniform in [-1, 1] and zero biases, as micrograd's Neuron draws them.

    >>> [w.shape for w, b in initial_weights()]
    [(16, 2), (16, 16), (1, 16)]
    """
    rng = np.random.default_rng(seed)
    return [
        (rng.uniform(-1.0, 1.0, size=(nout, nin)), np.zeros(nout))
        for nin, nout in itertools.pairwise(SIZES)
    ]


# --------------------------------------------------------------------- this engine


def _ours_model(weights: Weights) -> Any:
    """Our nn.MLP 2-16-16-1 (ReLU hidden layers, linear output) holding ``weights``."""
    from autograd import nn

    model = nn.MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=SEED)
    for layer, (w, b) in zip(model.layers, weights, strict=True):
        for neuron, row, bias in zip(layer.neurons, w.tolist(), b.tolist(), strict=True):
            for p, v in zip(neuron.w, row, strict=True):
                p.data = v
            neuron.b.data = bias
    return model


def _ours_epoch(batches: list[tuple[Any, Any]], weights: Weights) -> Callable[[], float]:
    """One epoch with our nn, losses and optim, one SGD step per batch; its loss is the mean
    of the batches' losses (each before its step). The model takes one sample (a list of
    floats) or a batch (a 2-D array) alike, so every path shares this code."""
    from autograd import losses, optim

    model = _ours_model(weights)
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step(inputs: Any, labels: Any) -> float:
        batched = isinstance(inputs, np.ndarray)
        scores = model(inputs) if batched else [model(row) for row in inputs]
        total = losses.hinge(scores, labels) + ALPHA * losses.l2(model)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        return total.data

    def epoch() -> float:
        return sum(step(x, y) for x, y in batches) / len(batches)

    return epoch


def ours_phases(points: int = 200, epochs: int = 300) -> dict[str, float]:
    """Where our batched epoch's time goes: mean µs per phase over ``epochs`` (after 20 not
    timed), the same epoch as ``_ours_epoch`` timed step by step.

    >>> sorted(ours_phases(points=10, epochs=2))
    ['backward', 'forward', 'hinge loss', 'l2 term', 'optimizer step', 'zero_grad']
    """
    from time import perf_counter_ns

    from autograd import losses, optim

    inputs, labels = moons(points)
    model = _ours_model(initial_weights())
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    names = ["forward", "hinge loss", "l2 term", "zero_grad", "backward", "optimizer step"]
    spent = dict.fromkeys(names, 0)
    for epoch in range(epochs + 20):
        t = [perf_counter_ns()]
        scores = model(inputs)
        t.append(perf_counter_ns())
        data_loss = losses.hinge(scores, labels)
        t.append(perf_counter_ns())
        total = data_loss + ALPHA * losses.l2(model)
        t.append(perf_counter_ns())
        optimizer.zero_grad()
        t.append(perf_counter_ns())
        total.backward()
        t.append(perf_counter_ns())
        optimizer.step()
        t.append(perf_counter_ns())
        if epoch >= 20:
            for k, name in enumerate(names):
                spent[name] += t[k + 1] - t[k]
    return {name: ns / epochs / 1e3 for name, ns in spent.items()}


def ours_gradient_flow_overhead(
    points: int = 200, epochs: int = 300, block: int = 10
) -> dict[str, float]:
    """Our batched epoch without and with ``viz.GradientFlow`` recording after every
    backward: median µs per epoch of each, and the difference in per cent.

    Two models train side by side from the same weights, in alternating blocks of ``block``
    epochs (after 20 not timed), so a change in the machine's speed hits both alike.

    >>> sorted(ours_gradient_flow_overhead(points=10, epochs=2, block=1))
    ['overhead_percent', 'with_us', 'without_us']
    """
    import statistics
    from time import perf_counter_ns

    import viz
    from autograd import losses, optim

    inputs, labels = moons(points)
    runs = {}
    for recording in (False, True):
        model = _ours_model(initial_weights())
        flow = viz.GradientFlow(model) if recording else None
        runs[recording] = (model, optim.SGD(model.parameters(), lr=LEARNING_RATE), flow)
    times: dict[bool, list[float]] = {False: [], True: []}

    def run_block(recording: bool, timed: bool) -> None:
        model, optimizer, flow = runs[recording]
        start = perf_counter_ns()
        for _ in range(block):
            total = losses.hinge(model(inputs), labels) + ALPHA * losses.l2(model)
            optimizer.zero_grad()
            total.backward()
            if flow is not None:
                flow.record()
            optimizer.step()
        if timed:
            times[recording].append((perf_counter_ns() - start) / block / 1e3)

    for k in range(max(1, 20 // block)):
        run_block(k % 2 == 1, timed=False)
    for k in range(2 * max(1, epochs // block)):
        run_block(k % 2 == 1, timed=True)
    without, with_flow = statistics.median(times[False]), statistics.median(times[True])
    return {
        "without_us": without,
        "with_us": with_flow,
        "overhead_percent": 100.0 * (with_flow / without - 1.0),
    }


def _ours_scalar(inputs: np.ndarray, labels: np.ndarray, weights: Weights) -> Callable[[], float]:
    return _ours_epoch([(inputs.tolist(), labels.tolist())], weights)


def _ours_batched(inputs: np.ndarray, labels: np.ndarray, weights: Weights) -> Callable[[], float]:
    return _ours_epoch([(inputs, labels)], weights)


def _ours_minibatch(
    inputs: np.ndarray, labels: np.ndarray, weights: Weights
) -> Callable[[], float]:
    return _ours_epoch(mini_batches(inputs, labels), weights)


# --------------------------------------------------------------------- micrograd


def _micrograd_scalar(
    inputs: np.ndarray, labels: np.ndarray, weights: Weights
) -> Callable[[], float]:
    from micrograd.engine import Value
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]))
    for layer, (w, b) in zip(model.layers, weights):
        for neuron, row, bias in zip(layer.neurons, w.tolist(), b.tolist()):
            for p, v in zip(neuron.w, row):
                p.data = v
            neuron.b.data = bias
    params = model.parameters()
    rows, targets = inputs.tolist(), labels.tolist()

    def epoch() -> float:  # the demo's loss() and training step, line for line
        xs = [list(map(Value, row)) for row in rows]
        scores = list(map(model, xs))
        losses = [(1 + -t * s).relu() for t, s in zip(targets, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return total.data

    return epoch


# --------------------------------------------------------------------- PyTorch


def _parameters(layers: list[tuple[list[list[Any]], list[Any]]]) -> list[Any]:
    """Every weight and bias of list-based layers: per layer, weight rows and biases."""
    return [p for rows, biases in layers for p in [*(w for row in rows for w in row), *biases]]


def _torch_scalar(inputs: np.ndarray, labels: np.ndarray, weights: Weights) -> Callable[[], float]:
    import torch

    def parameter(v: float) -> Any:
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    layers = [
        ([[parameter(v) for v in row] for row in w.tolist()], [parameter(v) for v in b.tolist()])
        for w, b in weights
    ]
    params = _parameters(layers)
    optimizer = torch.optim.SGD(params, lr=LEARNING_RATE)
    rows, targets = inputs.tolist(), labels.tolist()
    last = len(layers) - 1

    def forward(x: list[Any]) -> Any:  # micrograd's Neuron: sum(w·x, start=b), then ReLU
        for k, (rows_, biases) in enumerate(layers):
            x = [sum((w * xi for w, xi in zip(row, x)), b) for row, b in zip(rows_, biases)]
            if k != last:
                x = [v.relu() for v in x]
        return x[0]

    def epoch() -> float:
        scores = [forward(row) for row in rows]
        losses = [(1 - t * s).relu() for t, s in zip(targets, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + ALPHA * sum(p * p for p in params)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        return total.item()

    return epoch


def _torch_epoch(
    batches: list[tuple[np.ndarray, np.ndarray]], weights: Weights
) -> Callable[[], float]:
    """PyTorch ``nn.Linear`` layers in float64, one SGD step per batch (as ``_ours_epoch``)."""
    import torch

    linears = [torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64) for w, _ in weights]
    with torch.no_grad():
        for linear, (w, b) in zip(linears, weights):
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
    layers: list[torch.nn.Module] = []
    for linear in linears:
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # the output layer is linear
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=LEARNING_RATE)
    tensors = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]

    def step(x: Any, targets: Any) -> float:
        scores = model(x).squeeze(1)
        data_loss = torch.relu(1 - targets * scores).mean()
        total = data_loss + ALPHA * sum((p * p).sum() for p in params)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        return total.item()

    def epoch() -> float:
        return sum(step(x, y) for x, y in tensors) / len(tensors)

    return epoch


def _torch_batched(inputs: np.ndarray, labels: np.ndarray, weights: Weights) -> Callable[[], float]:
    return _torch_epoch([(inputs, labels)], weights)


def _torch_minibatch(
    inputs: np.ndarray, labels: np.ndarray, weights: Weights
) -> Callable[[], float]:
    return _torch_epoch(mini_batches(inputs, labels), weights)


# --------------------------------------------------------------------- the numpy floor


def _numpy_batched(inputs: np.ndarray, labels: np.ndarray, weights: Weights) -> Callable[[], float]:
    """The same epoch written by hand in numpy: forward, the hinge and L2 loss, backward by
    the chain rule layer by layer, the SGD step. No graph, no nodes: what the arithmetic
    costs, the floor any engine's batched epoch stands on."""
    return _numpy_epoch([(inputs, labels)], weights)


def _numpy_minibatch(
    inputs: np.ndarray, labels: np.ndarray, weights: Weights
) -> Callable[[], float]:
    return _numpy_epoch(mini_batches(inputs, labels), weights)


def _numpy_epoch(
    batches: list[tuple[np.ndarray, np.ndarray]], weights: Weights
) -> Callable[[], float]:
    """The hand-written step of ``_numpy_batched``, once per batch (as ``_ours_epoch``)."""
    params = [(w.copy(), b.copy()) for w, b in weights]

    def step(inputs: np.ndarray, labels: np.ndarray) -> float:
        activations, pre = [inputs], []
        for k, (w, b) in enumerate(params):
            z = activations[-1] @ w.T + b
            pre.append(z)
            activations.append(np.maximum(z, 0.0) if k < len(params) - 1 else z)
        scores = activations[-1][:, 0]
        margins = 1.0 - labels * scores
        data_loss = np.maximum(margins, 0.0).mean()
        l2 = sum(float((w * w).sum() + (b * b).sum()) for w, b in params)
        total = data_loss + ALPHA * l2
        grad = (np.where(margins > 0.0, -labels, 0.0) / len(labels))[:, None]  # ∂loss/∂scores
        for k in range(len(params) - 1, -1, -1):
            w, b = params[k]
            if k < len(params) - 1:
                grad = grad * (pre[k] > 0.0)  # through the ReLU
            grad_w = grad.T @ activations[k] + 2.0 * ALPHA * w
            grad_b = grad.sum(axis=0) + 2.0 * ALPHA * b
            grad = grad @ w  # to the layer below, before this layer's step
            w -= LEARNING_RATE * grad_w
            b -= LEARNING_RATE * grad_b
        return float(total)

    def epoch() -> float:
        return sum(step(x, y) for x, y in batches) / len(batches)

    return epoch
