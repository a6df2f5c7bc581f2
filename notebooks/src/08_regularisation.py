# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 8 · Regression with regularisation
#
# The notes' Pokémon example predicts a Pokémon's combat power after evolution from its
# power before, with models of growing complexity
#
# $$\hat y = b + w_1 x + w_2 x^2 + \dots + w_d x^d ,$$
#
# trained on 10 Pokémon and tested on others. The training error falls with every extra
# power, but in the lecture the testing error explodes at degree 5: **overfitting**. The cure is
# **regularisation**: add λ Σ wᵢ² to the loss,
#
# $$L = \frac1N\sum_n \big(\hat y^n - y^n\big)^2 + \lambda \sum_i w_i^2 ,$$
#
# with ŷⁿ the prediction for sample n and yⁿ its true value,
#
# which prefers small weights, so a smoother function that changes less when its input
# changes a little. The bias b is left out of the penalty: it moves the curve up and down
# and has nothing to do with how smooth it is.
#
# We have no Pokémon, but scikit-learn ships a small real data set of the same shape:
# **diabetes** (442 patients), x = body mass index, y = disease progression one year later,
# both standardised. Like the notes, we train on very few: 22 patients; the other 420 are
# the test set.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from tqdm.auto import trange

import autograd
from autograd import Value
from autograd.data import train_test_split
from autograd.functional import gradcheck
from autograd.losses import l2, mse
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

features, progression = load_diabetes(return_X_y=True)
bmi = features[:, 2]
bmi = (bmi - bmi.mean()) / bmi.std()
progression = (progression - progression.mean()) / progression.std()
x_train, x_test, y_train, y_test = train_test_split(bmi, progression, test_fraction=0.95, seed=4)
scale = np.abs(x_train).max()  # x in [−1, 1] on the training data keeps x⁸ a modest number
x_train, x_test = x_train / scale, x_test / scale
print(f"{len(x_train)} training patients, {len(x_test)} test patients")

# %% [markdown]
# ## The model and its loss, with the engine
#
# The features of degree d are the powers x, x², …, x^d; each is a batched `Value` holding
# one number per patient, and θ = (b, w₁ … w_d). `l2(w)` is Σᵢ wᵢ².


# %%
def powers(x, degree):
    return [Value(x**k, label=f"x^{k}") for k in range(1, degree + 1)]


def loss_fn(b, w, x, y, lam=0.0):
    y_hat = b + autograd.sum_of([wk * xk for wk, xk in zip(w, powers(x, len(w)))])
    return mse(y_hat, y) + lam * l2(w)


# The engine's ∂L/∂θ agrees with central differences at an arbitrary θ (degree 3, λ = 0.1).
assert gradcheck(lambda b, *w: loss_fn(b, w, x_train, y_train, lam=0.1), [0.3, -0.5, 0.8, 0.2])
print("gradcheck passed")


# %% [markdown]
# ## Where the gradient is zero
#
# This loss is a quadratic function of θ, so its minimum is the one point where every
# ∂L/∂θ is 0. Setting the derivatives to zero gives linear equations for θ (the *normal
# equations*: (XᵀX/N + λD) θ = Xᵀy/N, with X the matrix of powers and D the identity with a
# 0 for the bias), which numpy solves exactly. The engine confirms the solution: at that θ,
# backward gives gradients of zero (up to rounding).


# %%
def exact_fit(degree, lam=0.0):
    X = np.vander(x_train, degree + 1, increasing=True)  # columns 1, x, x², …
    penalty = lam * np.diag([0.0] + [1.0] * degree)  # no penalty on the bias
    n = len(x_train)
    return np.linalg.solve(X.T @ X / n + penalty, X.T @ y_train / n)


def as_values(theta):
    return Value(theta[0], label="b"), [Value(v, label=f"w{k}") for k, v in enumerate(theta[1:], 1)]


for degree, lam in [(3, 0.0), (8, 0.01)]:
    b, w = as_values(exact_fit(degree, lam))
    loss_fn(b, w, x_train, y_train, lam).backward()
    largest = max(abs(p.grad) for p in [b, *w])
    print(f"degree {degree}, λ = {lam}: largest |∂L/∂θ| at the solution = {largest:.1e}")
    assert largest < 1e-9  # zero up to rounding of sums of ~20 numbers of size ~1

# %% [markdown]
# Gradient descent reaches the same point. Adam, from θ = 0, on degree 8 with λ = 0.01:

# %%
b, w = as_values(np.zeros(9))
optimizer = Adam([b, *w], lr=0.03)
history = []
for _ in trange(800, desc="Adam"):
    optimizer.zero_grad()
    loss = loss_fn(b, w, x_train, y_train, lam=0.01)
    loss.backward()
    optimizer.step()
    history.append(loss.data)
exact = exact_fit(8, 0.01)
found = np.array([b.data] + [wk.data for wk in w])
print(f"largest |θ_Adam − θ_exact| = {np.abs(found - exact).max():.1e}")
assert np.abs(found - exact).max() < 1e-6

plt.semilogy(np.array(history) - loss_fn(*as_values(exact), x_train, y_train, 0.01).data + 1e-16)
plt.xlabel("step")
plt.ylabel("L − L(θ_exact)")
plt.title("Adam converging to the exact minimum")
plt.show()

# %% [markdown]
# ## More powers: training error down, test error up
#
# Now the notes' experiment, without regularisation, for degrees 1 to 8. Each model is
# fitted exactly (the gradient is zero there, as checked above).


# %%
def mean_squared_error(theta, x, y):
    return np.mean((np.polynomial.polynomial.polyval(x, theta) - y) ** 2)


degrees = range(1, 9)
fits = {d: exact_fit(d) for d in degrees}
train_error = {d: mean_squared_error(fits[d], x_train, y_train) for d in degrees}
test_error = {d: mean_squared_error(fits[d], x_test, y_test) for d in degrees}
print("degree   train    test")
for d in degrees:
    print(f"{d:6d}   {train_error[d]:5.3f}   {test_error[d]:9.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
line = np.linspace(x_train.min(), x_train.max(), 200)
left.plot(x_test, y_test, ".", color="lightgray", ms=3, label="test")
left.plot(x_train, y_train, "k.", ms=6, label="training")
for d in [1, 3, 8]:
    left.plot(line, np.polynomial.polynomial.polyval(line, fits[d]), label=f"degree {d}")
left.set(xlabel="x (BMI, scaled)", ylabel="y (progression, scaled)", ylim=(-3, 3))
left.legend(fontsize=9)
right.semilogy(list(degrees), list(train_error.values()), "o-", label="training")
right.semilogy(list(degrees), list(test_error.values()), "o-", label="test")
right.set(xlabel="degree", ylabel="average error (MSE)")
right.legend(fontsize=9)
plt.show()

# A bigger model contains the smaller ones (set the extra w to 0): its best training error
# can only be lower. Rounding may add ~1e-12.
assert np.all(np.diff(list(train_error.values())) <= 1e-12)
best_degree = min(test_error, key=test_error.get)
assert best_degree < 8 and test_error[8] > 100 * test_error[best_degree]

# %% [markdown]
# Degree 8 passes closest to the 22 training patients and is far off for the others,
# especially where a test patient's BMI lies a little outside the training range: a
# high power amplifies that, as in the lecture's table.
#
# ## The λ sweep
#
# Keep the most flexible model, degree 8, and add the penalty λ Σ wᵢ² for a range of λ.

# %%
lambdas = [0.0, *np.logspace(-5, 1, 13)]
ridge = {lam: exact_fit(8, lam) for lam in lambdas}
sweep = {
    lam: (
        mean_squared_error(theta, x_train, y_train),
        mean_squared_error(theta, x_test, y_test),
        float(np.sum(theta[1:] ** 2)),
    )
    for lam, theta in ridge.items()
}
print("     λ      train     test    Σ w²")
for lam, (train, test, size) in sweep.items():
    print(f"{lam:8.0e}   {train:6.3f}   {test:8.3f}   {size:9.3g}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.plot(x_test, y_test, ".", color="lightgray", ms=3)
left.plot(x_train, y_train, "k.", ms=6)
for lam in [0.0, 1e-3, 1e-2, 1.0]:
    left.plot(line, np.polynomial.polynomial.polyval(line, ridge[lam]), label=f"λ = {lam:g}")
left.set(xlabel="x (BMI, scaled)", ylabel="y (progression, scaled)", ylim=(-3, 3), title="degree 8")
left.legend(fontsize=9)
positive = lambdas[1:]
right.loglog(positive, [sweep[lam][0] for lam in positive], "o-", label="training")
right.loglog(positive, [sweep[lam][1] for lam in positive], "o-", label="test")
right.set(xlabel="λ", ylabel="average error (MSE)")
right.legend(fontsize=9)
plt.show()

train_by_lambda = [sweep[lam][0] for lam in lambdas]
size_by_lambda = [sweep[lam][2] for lam in lambdas]
# Exact properties of the minimisers: a larger λ trades training error for smaller weights.
assert np.all(np.diff(train_by_lambda) >= -1e-12)  # up to rounding
assert np.all(np.diff(size_by_lambda) <= 1e-12)
best_lambda = min(sweep, key=lambda lam: sweep[lam][1])
print(f"best λ on the test data: {best_lambda:g}")
assert 0.0 < best_lambda < lambdas[-1]  # neither no penalty nor the strongest one
assert sweep[best_lambda][1] < sweep[0.0][1] / 100

# %% [markdown]
# As λ grows, the training error rises (the penalty pulls the fit away from the training
# points) while Σ wᵢ² falls and the curve flattens. The test error falls first, because the
# wild wiggles disappear, then rises again when the model becomes too stiff to follow the
# data: the notes' conclusion that we want a *smooth* function, but not *too* smooth. In
# practice λ is a hyperparameter picked on held-out data, exactly as done here. (On this
# noisy data the best regularised degree-8 curve is about as good as the straight line of
# degree 1: the effect of BMI is close to linear. Regularisation lets us keep a flexible
# model without paying for its flexibility.)
#
# The optimizers offer the same penalty as `weight_decay` (it adds λ·w to each gradient,
# i.e. the gradient of (λ/2)·w²); notebook 7 uses it on the digits network.
#
# **Summary.** More flexible models lower the training error and can raise the test error.
# Regularisation, λ Σ wᵢ² added to L, makes the weights small and the function smooth; λ is
# chosen where the error on unseen data is lowest.
