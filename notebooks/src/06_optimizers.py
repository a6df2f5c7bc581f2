# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6 · Optimizers: SGD, Momentum, AdaGrad, RMSProp, Adam
#
# Plain gradient descent, W ← W − η ∂L/∂W, takes the same η for every parameter and forgets
# each gradient after one step. The notes compare it with four refinements on the function
#
# $$f(x, y) = \frac{x^2}{20} + y^2 ,$$
#
# a valley 20 times steeper across (y) than along (x), with its minimum at (0, 0). The update
# rules, with g = ∂L/∂W and ⊙ the elementwise product:
#
# | optimizer | update |
# |---|---|
# | SGD | W ← W − η g |
# | Momentum | v ← αv − η g ;  W ← W + v |
# | AdaGrad | h ← h + g ⊙ g ;  W ← W − η g / √h |
# | RMSProp | h ← ρh + (1 − ρ) g ⊙ g ;  W ← W − η g / √h |
# | Adam | m ← β₁m + (1 − β₁)g ;  v ← β₂v + (1 − β₂) g ⊙ g ;  W ← W − η m̂ / √v̂ |
#
# (Adam's m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) undo the bias of starting m and v at 0.
# A tiny ε is added to every square root to avoid dividing by 0.) `autograd.optim` has each
# of them, with PyTorch's names and defaults; here we check them against these formulas,
# then watch them walk down the valley from (−7, 2), as in the notes' figure.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from autograd import Value
from autograd.optim import SGD, AdaGrad, Adam, RMSProp

# 110 dpi: 7 inches are 770 pixels, sharp on a laptop and on GitHub, with readable text
plt.rcParams.update(
    {
        "figure.figsize": (7, 3.6),
        "figure.dpi": 110,
        "font.size": 11,
        "figure.constrained_layout.use": True,
    }
)


def f(x, y):
    return x**2 / 20 + y**2


START = (-7.0, 2.0)

# %% [markdown]
# The gradient is (∂f/∂x, ∂f/∂y) = (x/10, 2y). At the start that is (−0.7, 4): it points
# mostly *across* the valley, not towards the minimum.

# %%
x, y = Value(START[0], label="x"), Value(START[1], label="y")
f(x, y).backward()
print(f"∂f/∂x = {x.grad}, ∂f/∂y = {y.grad}")
assert math.isclose(x.grad, START[0] / 10) and math.isclose(y.grad, 2 * START[1])

# %% [markdown]
# ## The library's optimizers follow the notes' formulas
#
# Each formula written out with numpy, next to the library's optimizer. PyTorch writes
# Momentum as b ← μb + g, W ← W − ηb: the same steps, with v = −ηb.


# %%
def by_formula(name, lr, steps=30):
    w = np.array(START)
    v, h, m, s = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2)
    path = [w.copy()]
    for t in range(1, steps + 1):
        g = np.array([w[0] / 10, 2 * w[1]])
        if name == "SGD":
            w = w - lr * g
        elif name == "Momentum":
            v = 0.9 * v - lr * g
            w = w + v
        elif name == "AdaGrad":
            h = h + g * g
            w = w - lr * g / (np.sqrt(h) + 1e-10)
        elif name == "RMSProp":
            h = 0.99 * h + 0.01 * g * g
            w = w - lr * g / (np.sqrt(h) + 1e-8)
        elif name == "Adam":
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            m_hat, s_hat = m / (1 - 0.9**t), s / (1 - 0.999**t)
            w = w - lr * m_hat / (np.sqrt(s_hat) + 1e-8)
        path.append(w.copy())
    return np.array(path)


def with_library(make_optimizer, steps=30):
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    optimizer = make_optimizer([x, y])
    path = [(x.data, y.data)]
    for _ in range(steps):
        optimizer.zero_grad()
        f(x, y).backward()
        optimizer.step()
        path.append((x.data, y.data))
    return np.array(path)


# the learning rates of the book's figure that the notes show (RMSProp's picked likewise:
# as large as still behaves well)
optimizers = {
    "SGD": (0.95, lambda p: SGD(p, lr=0.95)),
    "Momentum": (0.1, lambda p: SGD(p, lr=0.1, momentum=0.9)),
    "AdaGrad": (1.5, lambda p: AdaGrad(p, lr=1.5)),
    "RMSProp": (0.15, lambda p: RMSProp(p, lr=0.15)),
    "Adam": (0.3, lambda p: Adam(p, lr=0.3)),
}
paths = {}
for name, (lr, make_optimizer) in optimizers.items():
    paths[name] = with_library(make_optimizer)
    difference = np.abs(paths[name] - by_formula(name, lr)).max()
    print(
        f"{name:9s} η = {lr:<5} largest difference from the formula over 30 steps: {difference:.1e}"
    )
    assert difference < 1e-12

# %% [markdown]
# ## Thirty steps each, on the contours of f

# %%
X, Y = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 101))
fig, axes = plt.subplots(2, 3, figsize=(10, 6))
for ax, (name, path) in zip(axes.flat, paths.items()):
    ax.contour(X, Y, f(X, Y), levels=np.geomspace(0.05, 30, 10), cmap="viridis", linewidths=0.6)
    ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", ms=2.5, lw=1)
    ax.plot(0, 0, "k+", ms=10)
    ax.set_title(f"{name} (η = {optimizers[name][0]})", fontsize=10)
    ax.set(xlim=(-10, 10), ylim=(-5, 5))
last = axes.flat[-1]
last.set_title("f along the path", fontsize=10)
for name, path in paths.items():
    last.semilogy(f(path[:, 0], path[:, 1]), label=name)
last.set(xlim=(0, 30), ylim=(1e-6, 100), xlabel="step")
last.legend(fontsize=9)
plt.show()

final = {name: float(f(*path[-1])) for name, path in paths.items()}
print({name: f"{value:.2e}" for name, value in final.items()})
for name, value in final.items():
    assert value < f(*START) / 10, name  # every optimizer made real progress in 30 steps

# %% [markdown]
# What the pictures show:
#
# * **SGD** with a large η bounces from wall to wall: the gradient points across the valley,
#   and the step that suits the steep y direction is far too small for the shallow x one.
# * **Momentum** keeps a running velocity v: the back-and-forth parts cancel, the
#   consistent part (along x) builds up, like a ball rolling down the valley.
# * **AdaGrad** divides each parameter's step by the root of its summed squared gradients:
#   y, with its large gradients, gets small steps, x large ones. The sum only grows, so the
#   steps keep shrinking ("learning-rate decay").
# * **RMSProp** forgets old gradients (a moving average instead of a sum), so the steps do
#   not shrink to nothing.
# * **Adam** combines Momentum's velocity with RMSProp's per-parameter scaling.
#
# Which is closest to the minimum after 30 steps depends on the learning rates and on the
# valley; on this one, badly scaled on purpose, the per-parameter scaling of AdaGrad and
# RMSProp pays off most:

# %%
ranking = sorted(final, key=final.get)
print("closest to the minimum after 30 steps:", " < ".join(ranking))
assert max(final["AdaGrad"], final["RMSProp"]) < min(final["SGD"], final["Momentum"])

# %% [markdown]
# **Summary.** All five optimizers use the same gradient from one backward pass; they differ
# in how they turn it into a step: plain (SGD), with memory (Momentum), per-parameter
# scaling (AdaGrad, RMSProp), or both (Adam). The library's implementations match the
# formulas to the last digits.
