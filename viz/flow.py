"""How gradients flow through depth and training: ``GradientFlow(model)``, one record a step.

After each ``backward()`` the training loop calls ``flow.record()``, which keeps, for every
layer, the size of its weights' gradients and how many of its units pass (almost) no
gradient back: dead ReLUs and saturated sigmoids or tanhs. ``flow.plot()`` draws the layers
× steps, which is where a deep sigmoid network's vanishing gradients show.

>>> import numpy as np
>>> from autograd.nn import MLP
>>> model = MLP(2, [3, 3, 1], activation="relu", seed=0)
>>> flow = GradientFlow(model)
>>> loss = (model(np.ones((4, 2))) - 1.0).__pow__(2).mean()
>>> loss.backward()
>>> [layer.name for layer in flow.record()], flow.history[0][0].dead_fraction is not None
(['L0', 'L1', 'L2'], True)

A forward hook on each layer (``Module.register_forward_hook``) keeps its output of the
latest forward pass; ``record()`` reads it with the gradient of the layer's weight block
(``layer.weight.grad``, one matrix). Recording costs a few array operations per layer, a
few per cent of a small batched epoch (bench case D).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import fused
from autograd.nn import Layer, Module

SATURATED_BELOW = 0.01  # a unit whose local derivative is below this passes back < 1 %
DEAD = ("relu",)  # activations whose units can die: output 0 for every input
SATURATING = {  # activations that saturate, and their local derivative from their output
    "sigmoid": lambda a: a * (1.0 - a),  # σ' = σ(1 − σ)
    "tanh": lambda a: 1.0 - a * a,  # tanh' = 1 − tanh²
}


class LayerFlow(NamedTuple):
    """One layer at one step.

    - ``mean_abs_grad``, ``max_abs_grad``: the mean and the largest |∂L/∂w| over the
      layer's weights (not its biases), as ``.grad`` held them at ``record()``.
    - ``dead_fraction``: for a ReLU layer, the fraction of its units whose output was 0 for
      every sample of the latest forward pass (a dead unit passes no gradient back, so its
      weights get none); None for other activations.
    - ``saturated_fraction``: for a sigmoid or tanh layer, the fraction of its units whose
      local derivative (σ' = σ(1 − σ), tanh' = 1 − tanh², from the unit's output) was below
      0.01 for every sample of the latest forward pass; None for other activations.
    """

    name: str
    mean_abs_grad: float
    max_abs_grad: float
    dead_fraction: float | None
    saturated_fraction: float | None


class GradientFlow:
    """Per-layer gradient statistics of ``model`` (an MLP, or one Layer), one row a step.

    ``history[step][layer]`` is a ``LayerFlow``; ``layers`` are the layers watched.
    ``record()`` reads the layers' outputs of the latest forward pass of the model and the
    weights' gradients: call it after ``backward()`` and before the model runs again.
    ``remove()`` takes the hooks off the model.
    """

    def __init__(self, model: Module) -> None:
        self.layers: list[Layer] = _layers_of(model)
        self.history: list[list[LayerFlow]] = []
        self._outputs: list[Any] = [None] * len(self.layers)
        counts = [layer.weight.data.size for layer in self.layers]  # where each layer starts
        self._starts, self._counts = np.cumsum([0, *counts[:-1]]), np.array(counts, float)
        self._handles = [
            layer.register_forward_hook(self._keeper(k)) for k, layer in enumerate(self.layers)
        ]

    def _keeper(self, k: int):
        def keep(module: Module, inputs: tuple, output: Any) -> None:
            self._outputs[k] = output  # the layer's outputs: one Value per unit

        return keep

    def record(self) -> list[LayerFlow]:
        """Add this step's statistics to ``history`` (and return them)."""
        for layer, outputs in zip(self.layers, self._outputs):
            if outputs is None:
                raise RuntimeError(
                    f"record(): layer {layer.name} has not run since GradientFlow(model) was "
                    "made; call record() after the forward pass and backward()"
                )
        grads = [layer.weight.grad for layer in self.layers]  # one matrix a layer (its block)
        if any(g is None for g in grads):
            raise RuntimeError(
                "record(): the model's weights have no gradient; call record() after "
                "loss.backward() (and before zero_grad())"
            )
        # All layers' gradients in one array, so each statistic is one numpy call for all.
        sizes = np.abs(np.concatenate([g.reshape(-1) for g in grads]))
        means = (np.add.reduceat(sizes, self._starts) / self._counts).tolist()
        maxes = np.maximum.reduceat(sizes, self._starts).tolist()
        step = [
            LayerFlow(layer.name, mean, top, *self._passing(layer, outputs))
            for layer, outputs, mean, top in zip(self.layers, self._outputs, means, maxes)
        ]
        self.history.append(step)
        return step

    def _passing(self, layer: Layer, outputs: list) -> tuple[float | None, float | None]:
        """(dead fraction, saturated fraction) of one layer's units, None where n/a."""
        kind = layer.activation
        if kind not in DEAD and kind not in SATURATING:
            return None, None
        if isinstance(outputs, fused.Units):  # a batch: the layer's one matrix, as it is
            a = outputs.node.data  # samples × units
        else:
            a = np.array([v.data for v in outputs]).reshape(len(outputs), -1).T
        if kind in DEAD:  # outputs are ≥ 0: a unit is dead when its outputs sum to 0
            alive = np.count_nonzero(np.ones(len(a)) @ a)  # column sums (BLAS: 4x a reduce)
            return 1.0 - alive / len(outputs), None
        passing = np.count_nonzero(SATURATING[kind](a).max(axis=0) >= SATURATED_BELOW)
        return None, 1.0 - passing / len(outputs)

    def remove(self) -> None:
        """Take the forward hooks off the model (``history`` stays)."""
        for handle in self._handles:
            handle.remove()

    def plot(self) -> Any:
        """A matplotlib Figure: layers × steps of mean |∂L/∂w| (log scale), and of the dead
        and saturated fractions (grey where a layer's activation has none)."""
        if not self.history:
            raise ValueError("nothing to plot: call record() after each backward() first")
        import matplotlib.pyplot as plt  # the notebooks' extra: imported only to plot
        from matplotlib.colors import LogNorm
        from matplotlib.ticker import MaxNLocator

        names = [layer.name for layer in self.layers]
        grads = self._table("mean_abs_grad")
        panels = [  # title, layers × steps, colour scale, colour map, said when all n/a
            ("mean |∂L/∂w| of each layer's weights", grads, LogNorm(*_positive_range(grads)),
             "viridis", ""),
            ("fraction of dead ReLU units (output 0 for every sample)",
             self._table("dead_fraction"), None, "Reds", "no ReLU layer"),
            ("fraction of saturated σ/tanh units (local derivative < 0.01 for every sample)",
             self._table("saturated_fraction"), None, "Oranges", "no sigmoid or tanh layer"),
        ]  # fmt: skip
        figure, axes = plt.subplots(3, 1, figsize=(7.5, 6.5), sharex=True, constrained_layout=True)
        steps = len(self.history)
        for ax, (title, table, norm, cmap, none) in zip(axes, panels):
            colours = plt.get_cmap(cmap).with_extremes(bad="#e6e6e6")  # grey: n/a
            image = ax.imshow(
                np.ma.masked_invalid(table),
                aspect="auto",
                origin="lower",  # the input side at the bottom
                interpolation="nearest",
                cmap=colours,
                norm=norm,
                vmin=None if norm else 0.0,
                vmax=None if norm else 1.0,
                extent=(0.5, steps + 0.5, -0.5, len(names) - 0.5),
            )
            ax.set_yticks(range(len(names)), names)
            ax.set_ylabel("layer")
            ax.set_title(title, fontsize=10)
            figure.colorbar(image, ax=ax, pad=0.01)
            if np.isnan(table).all():
                ax.text(0.5, 0.5, none, transform=ax.transAxes, ha="center", va="center")
        axes[-1].set_xlabel("training step (record)")
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        plt.close(figure)  # returned, not shown twice by pyplot in Jupyter
        return figure

    def _table(self, field: str) -> np.ndarray:
        """``field`` of every layer at every step, layers × steps (nan where None)."""
        table = np.full((len(self.layers), len(self.history)), np.nan)
        for t, step in enumerate(self.history):
            for k, layer in enumerate(step):
                value = getattr(layer, field)
                table[k, t] = np.nan if value is None else value
        return table

    def __repr__(self) -> str:
        return f"<GradientFlow of {len(self.layers)} layers, {len(self.history)} steps recorded>"


def _positive_range(table: np.ndarray) -> tuple[float, float]:
    """The colour range of a log scale: the smallest and largest positive entries."""
    positive = table[np.isfinite(table) & (table > 0.0)]
    if positive.size == 0:
        return 1e-12, 1.0  # every gradient is 0: one colour
    low, high = float(positive.min()), float(positive.max())
    return (low, high) if high > low else (low / 10.0, high * 10.0)


def _layers_of(model: object) -> list[Layer]:
    if isinstance(model, Layer):
        return [model]
    layers = getattr(model, "layers", None)
    if not isinstance(model, Module) or not isinstance(layers, list) or not layers:
        raise TypeError(
            f"GradientFlow watches an MLP (a Module with .layers) or a Layer, "
            f"not {type(model).__name__}"
        )
    if not all(isinstance(layer, Layer) for layer in layers):
        raise TypeError("GradientFlow: every item of model.layers must be an autograd.nn.Layer")
    return layers
