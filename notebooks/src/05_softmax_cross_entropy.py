# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5 · Softmax + cross-entropy: deriving ∂L/∂z = ŷ − y
#
# A classifier's last layer outputs one raw score zᵢ per class (the *logits*). **Softmax**
# turns them into predicted probabilities ŷ, and **cross-entropy** compares those with the
# target y:
#
# $$\hat y_i = \frac{e^{z_i}}{\sum_j e^{z_j}}, \qquad L = -\sum_i y_i \ln \hat y_i,$$
#
# where y is the target distribution: one-hot for a labelled sample (yᵢ = 1 for the true
# class, 0 elsewhere). The notes derive the backward pass of this pair by hand and arrive at
# a famously simple result,
#
# $$\frac{\partial L}{\partial z_j} = \hat y_j - y_j .$$
#
# Here we take the derivation apart step by step and confirm each step with the engine and
# with numerical derivatives.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import autograd
import viz
from autograd import Value
from autograd.functional import gradcheck, numerical_grad
from autograd.losses import cross_entropy, log_softmax, mse, softmax

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
# ## The forward pass
#
# The lecture's example: logits z = (3, 1, −3). Exponentiate, add up, divide.

# %%
z = [Value(3.0, label="z1"), Value(1.0, label="z2"), Value(-3.0, label="z3")]
exps = [zi.exp() for zi in z]
total = autograd.sum_of(exps)
y_hat = [e / total for e in exps]
total.label = "Σ e^zj"
for i, (e, y_hat_i) in enumerate(zip(exps, y_hat), start=1):
    e.label, y_hat_i.label = f"e^z{i}", f"ŷ{i}"  # names for the drawing below
    print(f"e^z{i} = {e.data:7.3f}    ŷ{i} = {y_hat_i.data:.3f}")
assert [round(y_hat_i.data, 2) for y_hat_i in y_hat] == [0.88, 0.12, 0.0]  # the notes' numbers
assert math.isclose(sum(y_hat_i.data for y_hat_i in y_hat), 1.0)

# the library's softmax gives the same probabilities
assert np.allclose([p.data for p in softmax(z)], [y_hat_i.data for y_hat_i in y_hat], rtol=1e-15)

# %% [markdown]
# Now the loss for the target "class 1", y = (1, 0, 0): L = −ln ŷ₁.

# %%
y = [1.0, 0.0, 0.0]
loss = -autograd.sum_of([y_i * y_hat_i.log() for y_i, y_hat_i in zip(y, y_hat)])
loss.label = "L"
print(f"L = {loss.data:.4f} = -ln {y_hat[0].data:.4f}")
assert math.isclose(loss.data, -math.log(y_hat[0].data))

# %% [markdown]
# ## The derivation, one step at a time
#
# **Step 1 — the softmax Jacobian.** Every ŷᵢ depends on every zⱼ (through the sum in the
# denominator). The quotient rule gives
#
# $$\frac{\partial \hat y_i}{\partial z_j} = \hat y_i(\delta_{ij} - \hat y_j),
# \qquad \delta_{ij} = 1 \text{ if } i = j \text{ else } 0.$$
#
# For i = j: ŷᵢ(1 − ŷᵢ), for i ≠ j: −ŷᵢŷⱼ. The engine computes one row of this matrix per
# backward pass: backward from ŷᵢ fills ∂ŷᵢ/∂zⱼ for all j.

# %%
y_hat_data = np.array([y_hat_i.data for y_hat_i in y_hat])
jacobian_by_formula = np.diag(y_hat_data) - np.outer(y_hat_data, y_hat_data)
jacobian_by_engine = np.zeros((3, 3))
for i, y_hat_i in enumerate(y_hat):
    y_hat_i.zero_grad()  # each row is a separate backward pass: forget the previous one
    y_hat_i.backward()
    jacobian_by_engine[i] = [zj.grad for zj in z]
print(np.round(jacobian_by_engine, 4))
assert np.allclose(jacobian_by_engine, jacobian_by_formula, rtol=1e-12, atol=1e-15)

# %% [markdown]
# **Step 2 — the loss.** L = −Σᵢ yᵢ ln ŷᵢ, so ∂L/∂ŷᵢ = −yᵢ / ŷᵢ.
#
# **Step 3 — the chain rule over all paths.** zⱼ reaches L through every ŷᵢ, so the
# contributions add:
#
# $$\frac{\partial L}{\partial z_j} = \sum_i \frac{\partial L}{\partial \hat y_i}
# \frac{\partial \hat y_i}{\partial z_j}
# = \sum_i \left(-\frac{y_i}{\hat y_i}\right) \hat y_i(\delta_{ij} - \hat y_j)
# = -y_j + \hat y_j \sum_i y_i = \hat y_j - y_j,$$
#
# using Σᵢ yᵢ = 1 in the last step. The 1/ŷᵢ from the log cancels the ŷᵢ from the softmax:
# that is why the pair is always used together.

# %%
loss.zero_grad()
loss.backward()
engine = np.array([zj.grad for zj in z])
derived = y_hat_data - np.array(y)
numerical = numerical_grad(lambda *zs: cross_entropy(list(zs), 0), [zj.data for zj in z])
print("engine     ", np.round(engine, 6))
print("ŷ − y      ", np.round(derived, 6))
print("numerical  ", np.round(numerical, 6))
assert np.allclose(engine, derived, rtol=1e-12, atol=1e-15)
assert np.allclose(numerical, derived, atol=1e-8)  # central differences: error ~ eps² and 1e-16/eps

# the library's cross_entropy takes the logits and the class index, and agrees
library_loss = cross_entropy(z, 0)
assert math.isclose(library_loss.data, loss.data, rel_tol=1e-12)

# %% [markdown]
# The graph of the hand-built loss shows why Step 3 needs a sum: each zⱼ has one path
# through its own exp node into the sum, and from the sum into *every* division. The numbers
# on the edges are the local derivatives.

# %%
viz.draw(loss, edge_labels="local")

# %% [markdown]
# ## Checking the result on many random cases at once
#
# One `Value` can hold a whole batch: here 500 random logit vectors for k classes, one
# Value per class holding 500 numbers, with random true classes. `cross_entropy` averages
# the loss over the batch, so the engine's gradient for sample n is (ŷₙ − yₙ)/500.

# %%
rng = np.random.default_rng(0)
batch = 500
for k in [2, 3, 10]:
    logits = [Value(column) for column in rng.normal(scale=3.0, size=(k, batch))]
    labels = rng.integers(0, k, size=batch)
    cross_entropy(logits, labels).backward()
    probabilities = np.array([p.data for p in softmax(logits)])
    one_hot = np.eye(k)[labels].T
    engine = np.array([zj.grad for zj in logits]) * batch
    error = np.abs(engine - (probabilities - one_hot)).max()
    print(f"k = {k:2d}: largest |engine − (ŷ − y)| over {batch} samples = {error:.1e}")
    assert error < 1e-12

# %% [markdown]
# The derivation only used Σᵢ yᵢ = 1, so it also holds for a *soft* target such as
# y = (0.7, 0.2, 0.1):

# %%
soft = [0.7, 0.2, 0.1]
z_soft = [Value(v) for v in (3.0, 1.0, -3.0)]
cross_entropy(z_soft, soft).backward()
assert np.allclose([zj.grad for zj in z_soft], y_hat_data - np.array(soft), rtol=1e-12)
assert gradcheck(lambda *zs: cross_entropy(list(zs), soft), [3.0, 1.0, -3.0])
print("soft target: ∂L/∂z = ŷ − y holds")

# %% [markdown]
# ## Large logits: compute it the stable way
#
# e^1000 overflows to infinity, and inf/inf is nan, so the formula as written breaks for
# large logits. Softmax does not change when the same constant is subtracted from every zⱼ,
# so the library computes it from z − max(z), and the loss from
# ln ŷᵢ = (zᵢ − m) − ln Σⱼ e^(zⱼ − m), which stays finite.

# %%
big = [Value(1000.0), Value(0.0), Value(-1000.0)]
naive = [e / autograd.sum_of([b.exp() for b in big]) for e in (b.exp() for b in big)]
print("naive softmax:   ", [p.data for p in naive])
print("log_softmax:     ", [p.data for p in log_softmax(big)])
stable = cross_entropy(big, 1)
stable.backward()
print("cross_entropy:   ", stable.data, " ∂L/∂z:", [b.grad for b in big])
assert math.isnan(naive[0].data)
assert stable.data == 1000.0  # −ln ŷ₂ = −(0 − 1000) + ln(1 + e^−1000 + e^−2000)
assert [b.grad for b in big] == [1.0, -1.0, 0.0]  # ŷ − y with ŷ = (1, 0, 0), y = (0, 1, 0)

# %% [markdown]
# ## Why not the squared error?
#
# The lecture also compares cross-entropy with MSE on the softmax outputs. Take two classes,
# the true class 1, z₂ = 0, and vary z₁ from very wrong (−8) to very right (+8). All 161
# values of z₁ go through the engine as one batch:

# %%
z1 = Value(np.linspace(-8, 8, 161), label="z1")
z2 = Value(np.zeros(161), label="z2")
target = np.zeros(161, dtype=int)  # class index 0: the first logit is the true class

curves = {}
for name in ["cross-entropy", "MSE on softmax"]:
    z1.grad = z2.grad = None
    if name == "cross-entropy":
        loss = cross_entropy([z1, z2], target)
    else:
        loss = mse(softmax([z1, z2]), np.column_stack([np.ones(161), np.zeros(161)]))
    loss.backward()
    curves[name] = z1.grad * 161  # per-sample gradient (the loss is a mean over the batch)

fig, ax = plt.subplots()
for name, gradient in curves.items():
    ax.plot(z1.data, gradient, label=name)
ax.set(xlabel="z₁ (true class)", ylabel="∂L/∂z₁", title="gradient reaching the true logit")
ax.axhline(0, color="gray", lw=0.5)
ax.legend()
plt.show()
very_wrong = 0  # the sample with z₁ = −8
print({name: round(float(g[very_wrong]), 4) for name, g in curves.items()})
assert curves["cross-entropy"][very_wrong] < -0.99  # ŷ₁ − 1 ≈ −1: a strong push
assert abs(curves["MSE on softmax"][very_wrong]) < 0.01  # a flat plateau: almost no push

# %% [markdown]
# With cross-entropy, a confidently wrong prediction gets the largest gradient, ŷ₁ − 1 ≈ −1.
# With MSE the gradient carries an extra factor ŷ₁(1 − ŷ₁) from the softmax, which vanishes
# when ŷ₁ is near 0: training would stall on the flat part of the error surface exactly
# where it is most wrong.
#
# **Summary.** Softmax + cross-entropy has the backward pass ∂L/∂z = ŷ − y: the predicted
# probabilities minus the target. We derived it with the chain rule (summing over all the
# paths through the softmax), and checked it against the engine, against numerical
# derivatives, on 1500 random samples, for soft targets, and at extreme logits. Notebook 7
# uses exactly this loss to train a digit classifier.
