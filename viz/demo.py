"""The main job (``make demo``): a neuron's gradients, its pictures, and a network trained.

1. The classic neuron tanh(x1·w1 + x2·w2 + b): every value and gradient, printed.
2. Pictures in ``out/``: the neuron (values, gradients, the chain rule on every edge), its
   backward pass step by step (an HTML player), and a small MLP clustered by neuron.
3. An MLP 2-16-16-1 trained on two moons with mini-batches, the PyTorch way
   (``model(x)``, ``loss.backward()``, ``opt.step()``, ``opt.zero_grad()``), with a progress
   bar, its held-out accuracy, and the trained weights saved as JSON.

>>> from pathlib import Path; import tempfile
>>> report = run_demo(Path(tempfile.mkdtemp()), epochs=2, quiet=True)
>>> sorted(report)
['files', 'neuron_grads', 'test_accuracy', 'train_accuracy']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

import viz
from autograd import Value, no_grad, topological_order
from autograd.data import ArrayDataset, DataLoader, make_moons, train_test_split
from autograd.losses import hinge, l2
from autograd.nn import MLP
from autograd.optim import SGD


def run_demo(out_dir: Path, epochs: int = 40, quiet: bool = False) -> dict:
    """Run the three parts above, writing into ``out_dir``; return what was measured."""
    say = (lambda *args: None) if quiet else print
    out_dir.mkdir(parents=True, exist_ok=True)

    say("1. The neuron o = tanh(x1·w1 + x2·w2 + b), after o.backward():")
    o = classic_neuron()
    o.backward()
    leaves = [node for node in topological_order(o) if node.label]
    for node in leaves:
        say(
            f"   {node.label:>14}  data {node.data:+.4f}   grad ∂o/∂{node.label} = {node.grad:+.4f}"
        )

    say("\n2. Pictures:")
    files = [
        viz.render(o, out_dir / "neuron.svg", edge_labels="contribution"),
        viz.save_steps_html(o, out_dir / "neuron_steps.html"),
        viz.render(_one_sample_mlp_loss(), out_dir / "mlp.svg", color_by_grad=True),
    ]
    for path in files:
        say(f"   wrote {path}")

    say("\n3. An MLP 2-16-16-1 learns two moons (synthetic data, 300 points):")
    train_accuracy, test_accuracy, model = train_moons(epochs, quiet)
    files.append(out_dir / "moons_mlp.json")
    model.save(files[-1])
    say(f"   accuracy: train {train_accuracy:.1%}, held-out test {test_accuracy:.1%}")
    say(f"   wrote {files[-1]}")
    return {
        "files": files,
        "neuron_grads": {node.label: node.grad for node in leaves},
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
    }


def classic_neuron() -> Value:
    """tanh(x1·w1 + x2·w2 + b) with every node labelled; b makes o = 1/√2, grads round."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    weighted = x1w1 + x2w2
    weighted.label = "x1·w1 + x2·w2"
    n = weighted + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def train_moons(epochs: int, quiet: bool = False) -> tuple[float, float, MLP]:
    """Mini-batch SGD with momentum on hinge loss + L2, every batch one batched graph."""
    X, y = make_moons(300, noise=0.1, seed=0)
    signs = 2.0 * y - 1.0  # the hinge loss wants targets −1 and +1
    X_train, X_test, t_train, t_test = train_test_split(X, signs, test_fraction=0.25, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(ArrayDataset(X_train, t_train), batch_size=32, shuffle=True, seed=0)

    with tqdm(range(epochs), desc="   training", unit="epoch", disable=quiet) as bar:
        for _ in bar:
            losses = []
            for xb, tb in loader:
                loss = hinge(model(xb), tb) + 1e-4 * l2(model)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.data)
            bar.set_postfix(loss=f"{np.mean(losses):.4f}")
    return _accuracy(model, X_train, t_train), _accuracy(model, X_test, t_test), model


def _accuracy(model: MLP, X: np.ndarray, signs: np.ndarray) -> float:
    with no_grad():  # evaluation only: record nothing
        scores = model(X).data
    return float(np.mean((scores > 0) == (signs > 0)))


def _one_sample_mlp_loss() -> Value:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    prediction = model([2.0, -1.0])
    prediction.label = "y"
    loss = (prediction - 1.0) ** 2
    loss.label = "loss = (y - 1)²"
    loss.backward()
    return loss
