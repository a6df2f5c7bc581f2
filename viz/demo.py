"""The main job (``make demo``): a neuron's gradients, its pictures, and a network trained.

1. The classic neuron tanh(x1·w1 + x2·w2 + b): every value and gradient, printed.
2. Pictures in ``out/``: the neuron (values, gradients, the chain rule on every edge), its
   backward pass step by step (an HTML player), and a small 2-3-1 MLP clustered by neuron.
3. An MLP 2-16-16-1 trained on two moons with mini-batches, the PyTorch way
   (``model(x)``, ``loss.backward()``, ``opt.step()``, ``opt.zero_grad()``), with a progress
   bar (in a terminal; a log gets a few plain lines), its held-out accuracy, the trained
   network saved as JSON, and drawn on the held-out points with each neuron one box (its
   output, gradient, ‖∂L/∂w‖, dead and saturated units marked).
4. Which file to open for what.

>>> from pathlib import Path; import tempfile
>>> report = run_demo(Path(tempfile.mkdtemp()), epochs=2, quiet=True)
>>> sorted(report)
['files', 'neuron_grads', 'test_accuracy', 'train_accuracy']
>>> [path.name for path in report["files"]][-2:]
['mlp_trained.svg', 'moons_mlp.json']
"""

from __future__ import annotations

import re
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
    nodes = forward_order(o)
    inputs = [node for node in nodes if not node.parents]
    say("   inputs and weights:")
    for node in inputs:
        say(_gradient_line(node))
    say("   computed, in the order of the forward pass:")
    for node in nodes:
        if node.parents:
            say(_gradient_line(node))

    say("\n2. Pictures:")
    neuron_svg = viz.render(o, out_dir / "neuron.svg", edge_labels="contribution")
    steps_html = viz.save_steps_html(o, out_dir / "neuron_steps.html")
    mlp_svg = viz.render(_one_sample_mlp_loss(), out_dir / "mlp.svg", color_by_grad=True)
    files = [neuron_svg, steps_html, mlp_svg]
    for path in files:
        say(f"   wrote {path}")

    say("\n3. An MLP 2-16-16-1 learns two moons (synthetic data, 300 points):")
    train_accuracy, test_accuracy, model = train_moons(epochs, quiet)
    model_json = out_dir / "moons_mlp.json"
    model.save(model_json)
    trained_svg = viz.render(held_out_loss(model), out_dir / "mlp_trained.svg")
    files += [trained_svg, model_json]
    say(f"   accuracy: train {train_accuracy:.1%}, held-out test {test_accuracy:.1%}")
    say(f"   wrote {trained_svg}")
    say(f"   wrote {model_json}")

    trained_nodes = len(topological_order(model([0.0, 0.0])))
    say("\n4. Open these files (the .html plays in any web browser, offline):")
    guide = {
        neuron_svg: ["the neuron: data and grad on every node, upstream × local on each edge"],
        steps_html: ["its backward pass one step at a time (← → keys or buttons; zoom, pan)"],
        mlp_svg: ["a small 2-3-1 tanh MLP on one sample, L = (ŷ − y)², every node of it"],
        trained_svg: [
            f"the trained 2-16-16-1 ({trained_nodes:,} nodes a sample) on the held-out points,",
            "each neuron one box: its output, gradient and ‖∂L/∂w‖, dead units dashed",
        ],
        model_json: [f"the trained 2-16-16-1 network: MLP.load({str(model_json)!r})"],
    }
    width = max(len(str(path)) for path in guide)
    for path, lines in guide.items():
        for i, line in enumerate(lines):
            say(f"   {str(path) if i == 0 else '':<{width}}  {line}")
    return {
        "files": files,
        "neuron_grads": {node.label: node.grad for node in inputs},
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


def forward_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, in the order a person evaluates the formula:
    operands left to right, each before the node that uses it.

    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> [node.label or node.op for node in forward_order(a * b + a)]
    ['a', 'b', '*', '+']
    """
    order: list[Value] = []
    placed: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:  # depth first, a node placed after its operands (no recursion limit)
        node, operands_placed = stack.pop()
        if node in placed:
            continue
        if operands_placed:
            placed.add(node)
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents))
    return order


def _gradient_line(node: Value) -> str:
    # "∂o/∂x1·w1 + x2·w2" would read as (∂o/∂x1)·w1 + ...: a compound label gets parentheses
    name = node.label if re.fullmatch(r"\w+", node.label) else f"({node.label})"
    return f"   {node.label:>13}  data {node.data:+.4f}   grad ∂o/∂{name} = {node.grad:+.4f}"


def moons_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The demo's data: 300 moons (synthetic, seeded), targets −1/+1, a quarter held out."""
    X, y = make_moons(300, noise=0.1, seed=0)
    signs = 2.0 * y - 1.0  # the hinge loss wants targets −1 and +1
    return train_test_split(X, signs, test_fraction=0.25, seed=0)


def held_out_loss(model: MLP) -> Value:
    """The hinge loss L of ``model`` on the held-out moons, after backward(): what the
    trained network's picture shows (a batch: dead means 0 on every held-out point)."""
    _, X_test, _, t_test = moons_split()
    model.zero_grad()  # the last training step's gradients would add to these
    prediction = model(X_test)
    prediction.label = "ŷ"
    loss = hinge(prediction, Value(t_test, label="y"))  # the notebooks' notation
    loss.label = "L"
    loss.backward()
    return loss


def train_moons(epochs: int, quiet: bool = False) -> tuple[float, float, MLP]:
    """Mini-batch SGD with momentum on hinge loss + L2, every batch one batched graph."""
    X_train, X_test, t_train, t_test = moons_split()
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(ArrayDataset(X_train, t_train), batch_size=32, shuffle=True, seed=0)

    # disable=None: tqdm draws no bar when stderr is not a terminal (a log file, CI), where
    # each redraw would add carriage returns to one endless line; plain lines go there instead
    with tqdm(
        range(epochs), desc="   training", unit="epoch", disable=True if quiet else None
    ) as bar:
        log_every = max(1, epochs // 4) if bar.disable and not quiet else 0
        for epoch in bar:
            losses = []
            for xb, tb in loader:
                loss = hinge(model(xb), tb) + 1e-4 * l2(model)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.data)
            bar.set_postfix(loss=f"{np.mean(losses):.4f}")
            if log_every and ((epoch + 1) % log_every == 0 or epoch + 1 == epochs):
                print(f"   training: epoch {epoch + 1}/{epochs}, loss {np.mean(losses):.4f}")
    return _accuracy(model, X_train, t_train), _accuracy(model, X_test, t_test), model


def _accuracy(model: MLP, X: np.ndarray, signs: np.ndarray) -> float:
    with no_grad():  # evaluation only: record nothing
        scores = model(X).data
    return float(np.mean((scores > 0) == (signs > 0)))


def _one_sample_mlp_loss() -> Value:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    prediction = model([2.0, -1.0])
    prediction.label = "ŷ"
    target = Value(1.0, label="y")  # a Value, so the picture names the target
    loss = (prediction - target) ** 2
    loss.label = "L = (ŷ − y)²"
    loss.backward()
    return loss
