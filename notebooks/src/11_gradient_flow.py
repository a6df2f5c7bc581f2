# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · Gradient flow through depth and training
#
# The notes argue for ReLU over the sigmoid in deep networks: the sigmoid's derivative
# σ′(z) = σ(z)(1 − σ(z)) is at most ¼, and the backward pass multiplies by it once per layer
# (∂L/∂z = σ′(z)·[w₃ ∂L/∂z′ + w₄ ∂L/∂z″], notebook 4), so in a deep sigmoid network the
# gradient reaching the first layers shrinks layer by layer: those layers barely learn. A
# ReLU passes a gradient of 1 wherever it is active ("no gradient saturation or vanishing
# for x > 0"), at the price of units that can die: output 0, gradient 0, for every input.
#
# `viz.GradientFlow(model)` measures both as training goes: after each `backward()`,
# `flow.record()` keeps, per layer, the mean and largest |∂L/∂w| of its weights, the
# fraction of dead ReLU units, and the fraction of saturated sigmoid/tanh units (local
# derivative below 0.01 for every sample). `viz.TrainingReplay` then follows one sample's
# graph through training, with a slider.
#
# Every claim is checked with `assert`.

# %%
from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import viz
from autograd.data import make_moons
from autograd.losses import binary_cross_entropy, mse
from autograd.nn import MLP
from autograd.optim import SGD

plt.rcParams.update({"figure.dpi": 110})  # GradientFlow.plot() is 7.5 inches: 825 pixels
X, y = make_moons(128, noise=0.1, seed=0)  # synthetic two moons, labels 0 and 1

# %% [markdown]
# ## 1. Eight layers of sigmoids against eight layers of ReLUs
#
# Two networks of the same shape, 2 inputs, seven hidden layers of 16 units and one
# output (eight layers, `L0` … `L7`), the same initialisation (Xavier) and the same data,
# trained for 60 steps of gradient descent on the binary cross-entropy.


# %%
def train(activation, steps=60, lr=0.5):
    model = MLP(2, [16] * 7 + [1], activation=activation, init="xavier", seed=0)
    flow = viz.GradientFlow(model)
    optimizer = SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = binary_cross_entropy(model(X), y)  # the whole batch: fused layers
        optimizer.zero_grad()
        loss.backward()
        flow.record()  # after backward, before the step changes anything
        optimizer.step()
    return flow, loss.data


flows, final_loss = {}, {}
for activation in ("sigmoid", "relu"):
    flows[activation], final_loss[activation] = train(activation)
    first_step = flows[activation].history[0]
    ratio = first_step[0].mean_abs_grad / first_step[-1].mean_abs_grad
    sizes = "  ".join(f"{s.name} {s.mean_abs_grad:.1e}" for s in first_step)
    print(f"{activation:>7}: first/last layer {ratio:.1e};  mean |∂L/∂w|: {sizes}")

# %% [markdown]
# At the first step the sigmoid network's first layer gets gradients more than four orders
# of magnitude smaller than its last, falling layer by layer as the argument says; the ReLU
# network's layers all get gradients of one size.

# %%
sigmoid_ratio = flows["sigmoid"].history[0][0].mean_abs_grad / (
    flows["sigmoid"].history[0][-1].mean_abs_grad
)
relu_ratio = flows["relu"].history[0][0].mean_abs_grad / flows["relu"].history[0][-1].mean_abs_grad
assert sigmoid_ratio < 1e-3, sigmoid_ratio  # orders of magnitude smaller
assert 0.1 < relu_ratio < 10, relu_ratio  # the same order of magnitude
sigmoid_layers = [s.mean_abs_grad for s in flows["sigmoid"].history[0]]
assert all(a < b for a, b in pairwise(sigmoid_layers[1:]))  # shrinking layer by layer

# %% [markdown]
# The layers × steps picture: the top panel's colour is log₁₀ mean |∂L/∂w|, one row per
# layer (the input side at the bottom), one column per training step. For the sigmoid
# network the first layers stay dark, and after a few steps the last layer's gradients fade
# too: the network gets stuck at the loss of a constant guess, log 2 = 0.693.

# %%
flows["sigmoid"].plot()

# %%
assert abs(final_loss["sigmoid"] - np.log(2)) < 1e-3  # stuck: predicts 1/2 for everything
assert final_loss["relu"] < 0.5  # learning
print(f"loss after 60 steps: sigmoid {final_loss['sigmoid']:.4f}, relu {final_loss['relu']:.4f}")

# %% [markdown]
# The saturation panel stays pale: no sigmoid unit has σ′ < 0.01 on every sample. The
# gradient vanishes anyway, because σ′ ≤ ¼ at *every* layer multiplies up over seven
# layers, saturated or not. The ReLU network's picture: gradients of one size through the
# depth, and its dead units, which pass no gradient at all (middle panel).

# %%
flows["relu"].plot()

# %%
dead = [s.dead_fraction for s in flows["relu"].history[-1][:-1]]
print("dead ReLU units per hidden layer after 60 steps:", [f"{d:.0%}" for d in dead])
assert any(d > 0 for d in dead) and all(d < 1 for d in dead)  # some died, no layer all dead

# %% [markdown]
# Recording is cheap enough to leave on: a few array operations per layer and step (the
# benchmark, `make bench`, times it on its batched epoch against a 10 % budget).
#
# ## 2. Scrubbing through training
#
# `viz.TrainingReplay(model, x, y, loss=mse)` follows one sample (x, y) through training:
# after each optimizer step, `replay.record(loss=batch_loss)` keeps that sample's graph at
# the new parameters, every value and gradient, and the batch's loss. It never changes the
# model or its `.grad`. A small network, 2-3-1 with tanh, fitting the moons' labels with the
# squared error:

# %%
model = MLP(2, [3, 1], activation="tanh", seed=1)
optimizer = SGD(model.parameters(), lr=0.2)
replay = viz.TrainingReplay(model, X[0], float(y[0]), loss=mse, max_steps=30)
for _ in range(300):
    loss = mse(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    replay.record(loss=loss)
print(f"{len(replay.losses)} steps recorded, {len(replay.steps)} kept: {replay.steps[:6]} …")
assert len(replay.steps) <= 30 and replay.steps[-1] == 300
assert replay.losses[-1] < replay.losses[0] / 2  # it learned

# %% [markdown]
# Run the cell to drag the slider: the graph of the sample at that step, its numbers and
# gradients, and the loss curve with the step marked. (`replay.save_html("training.html")`
# writes the same page to a file, offline.)

# %%
display(replay)
