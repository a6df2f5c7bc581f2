# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2 · A linear model, its loss surface and gradient descent
#
# The notes train a model in three steps:
#
# 1. **a function with unknown parameters**, the model's prediction ŷ = b + w·x₁ (w: weight,
#    b: bias, x₁: the feature);
# 2. **a loss from the training data**, L(b, w) = 1/N Σₙ eₙ, where eₙ compares the
#    prediction ŷ with the true label y: eₙ = |ŷ − y| (MAE) or eₙ = (ŷ − y)² (MSE);
# 3. **optimisation**: w\*, b\* = arg min L, found by gradient descent,
#    w ← w − η ∂L/∂w and b ← b − η ∂L/∂b, with learning rate η.
#
# The notes predict tomorrow's video views from today's. We do the same with **real data**
# that ships with matplotlib: Google's daily closing share price from August 2004 to
# October 2008 (1047 trading days), in units of \$100 (as the notes count views in
# thousands, "k"). The feature x₁ is yesterday's close, the label y is today's close.

# %%
import matplotlib.cbook
import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import trange

from autograd import Value
from autograd.functional import gradcheck

# 110 dpi: 7 inches are 770 pixels, sharp on a laptop and on GitHub, with readable text
plt.rcParams.update(
    {
        "figure.figsize": (7, 3.6),
        "figure.dpi": 110,
        "font.size": 11,
        "figure.constrained_layout.use": True,
    }
)

prices = matplotlib.cbook.get_sample_data("goog.npz")["price_data"]
close = prices["close"] / 100  # in $100
dates = prices["date"]

x_all, y_all = close[:-1], close[1:]  # feature: yesterday's close; label: today's
n_train = len(x_all) * 2 // 3  # train on the first two thirds, test on the later days
x_train, y_train = x_all[:n_train], y_all[:n_train]
x_test, y_test = x_all[n_train:], y_all[n_train:]
print(f"{len(close)} days from {dates[0]} to {dates[-1]}")
print(f"training pairs: {len(x_train)} (to {dates[n_train]}), test pairs: {len(x_test)}")

plt.plot(dates, close, lw=1)
plt.axvline(dates[n_train], color="gray", ls="--")
plt.text(dates[n_train], 1.2, "  unseen test days →")
plt.ylabel("close ($100)")
plt.title("GOOG daily close (matplotlib sample data)")
plt.show()

# %% [markdown]
# ## Step 1: the model
#
# Every day is one sample, and the engine can carry all of them at once: a `Value` may hold
# a 1-D array, one number per sample, and every operation works sample by sample. So the
# graph of ŷ = b + w·x₁ has just a few nodes, whichever the number of days, while w and b
# stay single numbers shared by all the days.

# %%
x = Value(x_train, label="x₁")
y = Value(y_train, label="y")


def model(b, w, x):
    """The prediction ŷ = b + w·x₁."""
    return b + w * x


# %% [markdown]
# ## Step 2: the loss
#
# The notes try a first guess, L(0.5k, 1): b = 0.5 and w = 1. For each day the error e
# compares the prediction ŷ with the truth y, and L averages them over the N training days.


# %%
def mae(b, w):
    return abs(model(b, w, x) - y).mean()


def mse(b, w):
    return ((model(b, w, x) - y) ** 2).mean()


print(f"MAE L(b=0.5, w=1) = {mae(0.5, 1.0).data:.4f}   (${100 * mae(0.5, 1.0).data:.0f} a day)")
print(f"MSE L(b=0.5, w=1) = {mse(0.5, 1.0).data:.4f}")
assert np.isclose(mae(0.5, 1.0).data, np.mean(np.abs(0.5 + x_train - y_train)))

# %% [markdown]
# Every pair (w, b) has a loss, so L is a surface over the (w, b) plane: the notes draw it as
# an **error surface**, with colours for the size of L. We compute it on a grid with numpy
# (only to draw it, below with the descent paths), for both kinds of error. MSE gives a
# smooth bowl; MAE a surface made of flat pieces with creases. Both have a long, thin
# valley: raising w a little and lowering b by about 3.4 times as much (the average price,
# in $100) barely changes the predictions.

# %%
W, B = np.meshgrid(np.linspace(-0.2, 1.4, 161), np.linspace(-1.5, 2.0, 141))
errors = B[..., None] + W[..., None] * x_train - y_train  # one error per grid point and day
surfaces = {"MSE": (errors**2).mean(axis=-1), "MAE": np.abs(errors).mean(axis=-1)}


def draw_surface(ax, name):
    surface = surfaces[name]
    levels = np.geomspace(surface.min() * 1.2, surface.max(), 12)
    ax.contour(W, B, surface, levels=levels, cmap="viridis", linewidths=0.8)
    ax.set(xlabel="w", ylabel="b", title=f"L(w, b) with {name}")


# %% [markdown]
# ## Step 3: gradient descent, first with one parameter
#
# Fix b = 0 and look at L(w) alone. Gradient descent (1) picks a start w⁰, (2) computes the
# slope ∂L/∂w at w⁰, (3) steps against it: w¹ = w⁰ − η ∂L/∂w|_{w=w⁰}. The engine gives the
# slope; central differences confirm it.

# %%
w0, eta = 0.5, 0.02
w = Value(w0, label="w")
loss = mse(0.0, w)
loss.backward()
slope = w.grad
w1 = w0 - eta * slope
print(f"L(w⁰) = {loss.data:.4f}   ∂L/∂w = {slope:.4f}   w¹ = w⁰ − η·∂L/∂w = {w1:.4f}")
assert gradcheck(lambda w: mse(0.0, w), [w0])
assert mse(0.0, w1).data < loss.data  # the step went downhill

ws = np.linspace(0.3, 1.3, 101)
plt.plot(ws, [mse(0.0, v).data for v in ws], label="L(w), b = 0")
plt.plot(ws, loss.data + slope * (ws - w0), "--", label="tangent at w⁰")
plt.plot([w0, w1], [loss.data, mse(0.0, w1).data], "ro-", label="one step")
plt.ylim(0, 10)
plt.xlabel("w")
plt.legend()
plt.show()

# %% [markdown]
# ## Gradient descent on both parameters
#
# With θ = (w, b) the gradient is the vector g = (∂L/∂w, ∂L/∂b), and the update is
# θ ← θ − η g. One `backward()` fills both. Leaf gradients accumulate across calls (as in
# PyTorch), so each step first resets them. We start from (w⁰, b⁰) = (0, 1.5).


# %%
def gradient_descent(loss_fn, eta, steps, w0=0.0, b0=1.5):
    w, b = Value(w0, label="w"), Value(b0, label="b")
    path = []
    for _ in trange(steps, desc=f"η = {eta}"):
        w.grad = b.grad = None
        loss = loss_fn(b, w)
        loss.backward()
        path.append((w.data, b.data, loss.data))
        w.data -= eta * w.grad
        b.data -= eta * b.grad
    return np.array(path)


path = gradient_descent(mse, eta=0.05, steps=3000)
w_best, b_best, loss_best = path[-1]
print(f"after {len(path)} steps: w = {w_best:.4f}, b = {b_best:.4f}, L = {loss_best:.5f}")
# Every step lowered the loss (up to rounding in the last digits, once at the minimum).
assert np.all(np.diff(path[:, 2]) <= 1e-12 * path[:-1, 2])

# The MSE minimum of a linear model also has a closed form (least squares): compare.
features = np.column_stack([np.ones_like(x_train), x_train])
b_exact, w_exact = np.linalg.lstsq(features, y_train, rcond=None)[0]
print(f"least squares:       w = {w_exact:.4f}, b = {b_exact:.4f}")
assert abs(w_best - w_exact) < 1e-3 and abs(b_best - b_exact) < 1e-2

# %% [markdown]
# The model found is ŷ = 0.018 + 0.996·x₁: *today is yesterday, almost exactly*, the same
# shape as the notes' 0.1k + 0.97x for video views. On the surface, the path first falls
# straight into the valley (zig-zagging across it, as the steep direction nearly allows a
# too-large step), then crawls along the flat valley floor.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
draw_surface(left, "MSE")
left.plot(path[:, 0], path[:, 1], "r.-", ms=2, lw=0.7)
left.plot(w_exact, b_exact, "k*", ms=10)
right.semilogy(path[:, 2])
right.set(xlabel="step", ylabel="L (MSE)", title="loss during gradient descent")
plt.show()

# %% [markdown]
# ## The learning rate η
#
# η is a **hyperparameter**: we choose it, training does not. Too small and progress is slow;
# too large and each step overshoots the valley and lands higher than it started, so L
# grows without bound.

# %%
fig, ax = plt.subplots()
final_loss = {}
for eta in [0.01, 0.05, 0.075]:
    trial = gradient_descent(mse, eta=eta, steps=100)
    final_loss[eta] = trial[-1, 2]
    ax.semilogy(trial[:, 2], label=f"η = {eta}")
ax.set(xlabel="step", ylabel="L (MSE)", title="100 steps with three learning rates")
ax.legend()
plt.show()
print({eta: f"{value:.3g}" for eta, value in final_loss.items()})
assert final_loss[0.05] < final_loss[0.01]  # larger steps, faster progress...
assert final_loss[0.075] > trial[0, 2]  # ...until L blows up (trial: the η = 0.075 run)

# %% [markdown]
# ## MAE or MSE?
#
# The two errors differ in their gradients. With the error e = ŷ − y,
#
# * MSE: ∂L/∂w = 1/N Σ 2eₙ·x₁ₙ — the slope shrinks as the errors shrink, so the steps
#   get smaller near the minimum by themselves;
# * MAE: ∂L/∂w = 1/N Σ sign(eₙ)·x₁ₙ — each day pushes with the same strength however
#   small its error, so a fixed η keeps overshooting and the path never settles. In
#   exchange MAE is less swayed by a few very large errors.
#
# The engine's `abs` node has local derivative sign(e), so its gradients match these
# formulas:

# %%
w, b = Value(0.9, label="w"), Value(0.3, label="b")
for name, loss_fn, local in [
    ("MSE", mse, lambda e: 2 * e),
    ("MAE", mae, np.sign),
]:
    w.grad = b.grad = None
    loss_fn(b, w).backward()
    e = 0.3 + 0.9 * x_train - y_train
    by_formula = np.mean(local(e) * x_train), np.mean(local(e))
    print(f"{name}: engine (∂L/∂w, ∂L/∂b) = ({w.grad:.5f}, {b.grad:.5f})   formula", end=" ")
    print(f"({by_formula[0]:.5f}, {by_formula[1]:.5f})")
    assert np.allclose((w.grad, b.grad), by_formula, rtol=1e-12)

# %%
path_mae = gradient_descent(mae, eta=0.05, steps=3000)
path_mae_small = gradient_descent(mae, eta=0.005, steps=3000)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
draw_surface(left, "MAE")
left.plot(path_mae[:300, 0], path_mae[:300, 1], "r.-", ms=2, lw=0.5, label="η = 0.05")
left.plot(path_mae_small[:, 0], path_mae_small[:, 1], "b-", lw=1, label="η = 0.005")
left.legend(loc="lower left")
right.plot(path_mae[:, 2], "r", lw=0.5, label="η = 0.05")
right.plot(path_mae_small[:, 2], "b", label="η = 0.005")
right.axhline(surfaces["MAE"].min(), color="k", ls=":", label="lowest MAE on the grid")
right.set(xlabel="step", ylabel="L (MAE)", ylim=(0, 1))
right.legend()
plt.show()
for eta, trial in [(0.05, path_mae), (0.005, path_mae_small)]:
    print(
        f"MAE, η = {eta}: the last 500 steps have L between "
        f"{trial[-500:, 2].min():.4f} and {trial[-500:, 2].max():.4f}"
    )
assert path_mae_small[-1, 2] < path_mae[-500:, 2].min()  # the smaller η got lower

# %% [markdown]
# With η = 0.05 the MAE path bounces across the crease of the valley for ever, at a loss far
# above the minimum; a ten times smaller η gets much closer, slowly. (Practical optimizers
# shrink the step over time or adapt it per parameter: notebook 6.)

# %% [markdown]
# ## Using more previous days as features
#
# The notes then let the model look further back: ŷ = b + Σⱼ wⱼxⱼ with xⱼ the views j days
# ago, for 7, 28 and 56 days, and L went down on the training data *and* on unseen days,
# because views have a weekly rhythm. Does that carry over to share prices? With many
# near-identical features (today's price is very close to yesterday's) the valley of L
# becomes extremely long and thin and plain gradient descent needs a huge number of steps
# (notebook 6 shows optimizers that cope), so here we take the exact MSE minimum of each
# linear model by least squares, and compare L on the training days and on the unseen test
# days. The test days are the same for every model.

# %%
MAX_DAYS = 56


def lagged(days):
    """For each day from MAX_DAYS on: the closes of the `days` days before, and its close.

    Every model gets the same target days, so the models differ only in their features.
    """
    rows = [close[MAX_DAYS - j - 1 : len(close) - j - 1] for j in range(days)]
    return np.column_stack(rows), close[MAX_DAYS:]


n_test = len(x_test)
train, test = np.s_[:-n_test], np.s_[-n_test:]
print("days   L train   L test    (MSE, in ($100)²)")
table = {}
for days in [1, 7, 28, MAX_DAYS]:
    rows, labels = lagged(days)
    features = np.column_stack([np.ones(len(rows)), rows])
    theta = np.linalg.lstsq(features[train], labels[train], rcond=None)[0]
    table[days] = [np.mean((features[s] @ theta - labels[s]) ** 2) for s in (train, test)]
    print(f"{days:4d}   {table[days][0]:.5f}   {table[days][1]:.5f}")

train_losses = [table[d][0] for d in table]
assert np.all(np.diff(train_losses) <= 1e-12)  # each model contains the previous one
assert table[MAX_DAYS][1] > table[1][1]  # but unseen days are not predicted better

# %% [markdown]
# More features can only lower L on the training data (the bigger model can always set the
# extra weights to 0). On the unseen days L got slightly *worse*: yesterday's price already
# says all that past prices know about today's, so the extra weights fit noise. A lower
# training loss is not the goal; a lower loss on data the model has not seen is. That gap is
# the theme of notebooks 3 (model bias and overfitting) and 8 (regularisation).
#
# **Summary.** Model ŷ = b + w·x₁; loss L(b, w) from training data (MAE or MSE); gradient
# descent θ ← θ − η g with g = ∇L from one backward pass. The learning rate η trades speed
# against stability, and the loss surface shows both.
