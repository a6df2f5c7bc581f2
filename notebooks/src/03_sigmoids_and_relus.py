# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3 · Sigmoids, ReLUs, model bias and overfitting
#
# Whatever w and b are, the prediction ŷ = b + w·x₁ is a straight line: a linear model
# cannot follow a curve that bends. The notes call this limitation **model bias** and lift
# it in three moves, which this notebook retraces:
#
# 1. any **piecewise-linear** curve is a constant plus a sum of "hard sigmoid" pieces, and a
#    hard sigmoid is two **ReLUs**; any continuous curve is close to a piecewise-linear one;
# 2. a smooth **sigmoid** c·σ(b + w·x) can stand in for each piece, giving the flexible model
#    ŷ = b + Σᵢ cᵢ σ(bᵢ + wᵢ·x), whose unknown parameters are all collected in θ;
# 3. stacking such layers gives a **deep** network; more layers fit the training data better,
#    but past some depth they get *worse* on data they have not seen: **overfitting**.

# %%
import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from tqdm.auto import tqdm, trange

import autograd
from autograd import Value
from autograd.data import train_test_split
from autograd.functional import gradcheck
from autograd.losses import mse
from autograd.nn import MLP
from autograd.optim import Adam

# 110 dpi: 7 inches are 770 pixels, sharp on a laptop and on GitHub, with readable text
plt.rcParams.update(
    {
        "figure.figsize": (7, 3.6),
        "figure.dpi": 110,
        "font.size": 11,
        "figure.constrained_layout.use": True,
    }
)

# %% [markdown]
# ## 1. A piecewise-linear curve is a sum of hard sigmoids
#
# A **hard sigmoid** is flat, then rises linearly, then is flat again. Between the corners
# t₀ and t₁, rising by a height h, it is made of two ReLUs (relu(x) = max(0, x)):
#
# $$\text{hard}(x) = \frac{h}{t_1 - t_0}\big(\text{relu}(x - t_0) - \text{relu}(x - t_1)\big).$$
#
# The notes' red curve is a constant plus one hard sigmoid per linear piece. We make up such
# a curve (synthetic: corners and heights chosen by hand, as in the lecture's drawing) and
# build it from ReLUs with the engine. `x` is one batched `Value` holding 400 points.


# %%
def hard_sigmoid(x, t0, t1, height):
    return height / (t1 - t0) * ((x - t0).relu() - (x - t1).relu())


corners = np.array([0.0, 0.25, 0.5, 0.8, 1.0])  # t₀ … t₄ (made up)
heights_at = np.array([0.5, 1.5, 0.7, 1.2, 0.3])  # the red curve's value at each corner
grid = np.linspace(-0.1, 1.1, 400)
x = Value(grid, label="x")

pieces = [
    hard_sigmoid(x, corners[k - 1], corners[k], heights_at[k] - heights_at[k - 1])
    for k in range(1, len(corners))
]
red = heights_at[0] + autograd.sum_of(pieces)  # constant + sum of the blue pieces

fig, ax = plt.subplots()
ax.plot(grid, red.data, "r", lw=3, label="red = constant + Σ pieces")
for k, piece in enumerate(pieces, start=1):
    ax.plot(grid, piece.data, "b", lw=1, alpha=0.4 + 0.15 * k, label=f"piece {k}")
ax.axhline(heights_at[0], color="gray", ls=":", label="constant")
ax.legend(fontsize=9, loc="lower left", ncol=2)
plt.show()
# the sum is exactly the curve through the corners (np.interp draws straight lines between them)
assert np.allclose(red.data, np.interp(grid, corners, heights_at), atol=1e-12)

# %% [markdown]
# Any continuous curve is close to a piecewise-linear one with enough corners, so it is
# close to a sum of enough hard sigmoids. A real curve: Google's daily closing share price
# (2004–2008, shipped with matplotlib), on a time axis scaled to [0, 1]. With n pieces the
# error shrinks as n grows:

# %%
prices = matplotlib.cbook.get_sample_data("goog.npz")["price_data"]
close = prices["close"][::4] / 100  # every 4th trading day, in $100
time_axis = np.linspace(0.0, 1.0, len(close))
t = Value(time_axis, label="time")

fig, ax = plt.subplots()
ax.plot(time_axis, close, "k.", ms=2, label="GOOG close")
errors = {}
for n in [3, 10, 30]:
    knots = np.linspace(0.0, 1.0, n + 1)
    at_knots = np.interp(knots, time_axis, close)
    curve = at_knots[0] + autograd.sum_of(
        [
            hard_sigmoid(t, knots[k - 1], knots[k], at_knots[k] - at_knots[k - 1])
            for k in range(1, n + 1)
        ]
    )
    errors[n] = mse(curve, close).data
    ax.plot(time_axis, curve.data, label=f"{n} hard sigmoids = {2 * n} ReLUs, L = {errors[n]:.3f}")
ax.set(xlabel="time (scaled)", ylabel="close ($100)")
ax.legend(fontsize=9)
plt.show()
assert errors[3] > errors[10] > errors[30]

# %% [markdown]
# ## 2. Sigmoids instead: the flexible model, and gradient descent finds θ
#
# The sigmoid c·σ(b + w·x) = c / (1 + e^{−(b + w·x)}) is a smooth hard sigmoid: w sets how
# steep the step is, b where it happens, c how high it goes.

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
s = Value(np.linspace(-4, 4, 200))
for ax, (name, settings) in zip(
    axes,
    [
        ("w", [(1, 0, 1), (3, 0, 1), (10, 0, 1)]),
        ("b", [(2, -2, 1), (2, 0, 1), (2, 2, 1)]),
        ("c", [(2, 0, 0.5), (2, 0, 1), (2, 0, 1.5)]),
    ],
):
    for w_, b_, c_ in settings:
        ax.plot(s.data, (c_ * (b_ + w_ * s).sigmoid()).data, label=f"w={w_} b={b_} c={c_}")
    ax.set_title(f"changing {name}")
    ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# Summing n of them gives the model of the notes,
#
# $$\hat y = b + \sum_{i=1}^{n} c_i\,\sigma(b_i + w_i x),$$
#
# with the unknown parameters θ = (c₁…cₙ, b₁…bₙ, w₁…wₙ, b). This time nobody places the
# pieces: gradient descent finds θ. We start the steps spread evenly over time
# (bᵢ = −wᵢ·centreᵢ) with height cᵢ = 0, and let Adam (a refined gradient descent, see
# notebook 6) minimise the MSE loss between ŷ and the closes y. A graph for 262 days is as
# small as for one day, since every node holds all the days.


# %%
def fit_sigmoids(n, steps=300):
    steepness = 4.0 * n
    centres = np.linspace(0.0, 1.0, n + 2)[1:-1]
    w = [Value(steepness, label=f"w{i}") for i in range(1, n + 1)]  # w₁ … wₙ, as in the text
    b = [Value(-steepness * centre, label=f"b{i}") for i, centre in enumerate(centres, 1)]
    c = [Value(0.0, label=f"c{i}") for i in range(1, n + 1)]
    bias = Value(float(close.mean()), label="b")
    theta = [*c, *b, *w, bias]
    optimizer = Adam(theta, lr=0.1)
    history = []
    for _ in trange(steps, desc=f"{n} sigmoids"):
        optimizer.zero_grad()
        y_hat = bias + autograd.sum_of(
            [ci * (wi * t + bi).sigmoid() for ci, wi, bi in zip(c, w, b)]
        )
        loss = mse(y_hat, close)
        loss.backward()
        optimizer.step()
        history.append(loss.data)
    return y_hat.data, history


fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.plot(time_axis, close, "k.", ms=2)
final = {}
for n in [3, 10, 30]:
    fitted, history = fit_sigmoids(n)
    final[n] = history[-1]
    left.plot(time_axis, fitted, label=f"{n} sigmoids")
    right.semilogy(history, label=f"{n} sigmoids")
    assert history[-1] < history[0] / 5  # training lowered the loss
left.legend(fontsize=9)
left.set(xlabel="time (scaled)", title="fitted curves")
right.set(xlabel="step", ylabel="L (MSE)", title="training loss")
right.legend(fontsize=9)
plt.show()
print({n: round(value, 4) for n, value in final.items()})
assert final[3] > final[10] > final[30]  # more sigmoids, less model bias

# %% [markdown]
# This model is a neural network with one hidden layer of n sigmoid neurons; in the
# library it is `MLP(1, [n, 1], activation="sigmoid")`. The notes then swap each sigmoid
# for two ReLUs (a hard sigmoid), the usual choice today, and stack layers:
# a = σ(b + Wx) feeds the next layer as its input.

# %% [markdown]
# ## 3. More layers: less model bias, and then overfitting
#
# The notes train ReLU networks with 1 to 4 layers: the training loss keeps falling, but
# the loss on unseen days rises again at 4 layers. We repeat the experiment on real data:
# scikit-learn's **diabetes** set (442 patients, shipped offline). x is a patient's body
# mass index, the label y a measure of disease progression one year later, both standardised. We
# train on only 44 patients and test on the other 398, with `MLP(1, [6] * layers + [1])`:
# `layers` hidden layers of 6 ReLU neurons each.

# %%
bmi, progression = load_diabetes(return_X_y=True)
bmi = bmi[:, 2]
bmi = (bmi - bmi.mean()) / bmi.std()
progression = (progression - progression.mean()) / progression.std()
x_train, x_test, y_train, y_test = train_test_split(bmi, progression, test_fraction=0.9, seed=2)
print(f"{len(x_train)} training patients, {len(x_test)} test patients")

results, models = {}, {}
for layers in tqdm([1, 2, 3, 4], desc="networks"):
    model = MLP(1, [6] * layers + [1], activation="relu", init="he", seed=1)
    optimizer = Adam(model.parameters(), lr=0.03)
    for _ in range(200):
        optimizer.zero_grad()
        loss = mse(model([x_train]), y_train)  # [x_train]: one input column holding every sample
        loss.backward()
        optimizer.step()
    results[layers] = (loss.data, mse(model([x_test]), y_test).data)
    models[layers] = model

print("layers   L train   L test")
for layers, (train_loss, test_loss) in results.items():
    print(f"{layers:6d}   {train_loss:7.3f}   {test_loss:6.3f}")

# backpropagation through the ReLU layers agrees with central differences, parameter by
# parameter (a kink of a ReLU within 1e-6 of a sample would spoil one estimate; none is)
two_layers = models[2]
assert gradcheck(lambda *theta: mse(two_layers([x_train]), y_train), two_layers.parameters())

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
line = np.linspace(bmi.min(), bmi.max(), 200)
left.plot(x_test, y_test, ".", color="lightgray", ms=3, label="test patients")
left.plot(x_train, y_train, "k.", ms=5, label="training patients")
for layers in [1, 4]:
    left.plot(line, models[layers]([line]).data, label=f"{layers} layer{'s' * (layers > 1)}")
left.set(xlabel="BMI (standardised)", ylabel="progression", title="fitted curves")
left.legend(fontsize=9)
depths = list(results)
right.plot(depths, [results[d][0] for d in depths], "o-", label="training data")
right.plot(depths, [results[d][1] for d in depths], "o-", label="unseen test data")
right.set(xlabel="hidden layers", ylabel="L (MSE)", xticks=depths, title="loss")
right.legend(fontsize=9)
plt.show()
assert results[4][0] < results[1][0]  # deeper: lower loss on the training data...
assert results[4][1] > results[1][1]  # ...but higher on data it has not seen

# %% [markdown]
# The 4-layer network bends to follow individual training patients, which lowers its
# training loss and raises its loss on everyone else: it has learned the noise of 44
# patients. This is the notes' overfitting. The fix is not to stop using flexible models,
# but to pick the one that does best on held-out data, get more data, or regularise
# (notebook 8).
#
# **Summary.** Linear models have model bias. Constant + Σ hard sigmoids (each two ReLUs)
# makes any piecewise-linear curve and approximates any continuous one; smooth sigmoids do
# the same with all of θ found by gradient descent. Depth lowers the training loss further,
# and too much of it overfits.
