# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9 · Curvature: second derivatives, Newton's method and AdaGrad
#
# Gradient descent, θ ← θ − η ∂L/∂θ, only looks at the slope. The AdaGrad lecture asks how
# large a step *should* be, and answers with a parabola: for L(θ) = aθ² + bθ + c (a > 0) the
# minimum is at θ = −b/2a, so from θ₀ the best step is
#
# $$\left|\theta_0 + \frac{b}{2a}\right| = \frac{|2a\theta_0 + b|}{2a}
# = \frac{|\text{first derivative}|}{\text{second derivative}} .$$
#
# The slope alone is not enough: a large ∂L/∂θ can mean "far from the minimum" or just "a
# steep, narrow valley". The second derivative tells them apart. AdaGrad, which never
# computes a second derivative, divides by the root of the summed squared past gradients
# instead, and the lecture argues that this estimates the second derivative from first
# derivatives alone.
#
# The engine can compute second derivatives itself: `autograd.grad(..., create_graph=True)`
# returns each gradient as a `Value` with a graph of its own, which can be differentiated
# again ("double backward"). This notebook
#
# 1. computes, draws and checks second derivatives of the lecture's functions;
# 2. compares Newton's method, which takes the best step |∂L/∂θ| / (∂²L/∂θ²), with gradient
#    descent, on a 1-D loss and on the valley L = x²/20 + y² of notebook 6;
# 3. checks the AdaGrad intuition numerically;
# 4. computes the Hessian (all second derivatives) of a tiny network's loss, and reads
#    from its eigenvalues why one learning rate η cannot suit every direction.
#
# Every claim is checked with `assert`.

# %%
import itertools
import math

import matplotlib.pyplot as plt
import numpy as np

import autograd
import viz
from autograd import Value, topological_order
from autograd.functional import gradcheck, gradgradcheck, hessian, hvp
from autograd.losses import binary_cross_entropy, l2, mse
from autograd.nn import MLP
from autograd.optim import SGD, AdaGrad, Adam

plt.rcParams.update(
    {"figure.figsize": (7, 3.4), "figure.dpi": 110, "figure.constrained_layout.use": True}
)

# %% [markdown]
# ## 1. A second derivative is the derivative of the derivative
#
# Start with y = x³ at x = 2: dy/dx = 3x² = 12 and d²y/dx² = 6x = 12. With
# `create_graph=True` the first `autograd.grad` returns dy/dx as a `Value` built from x, and
# a second `autograd.grad` differentiates it. (`autograd.grad` leaves every `.grad` alone.)

# %%
x = Value(2.0, label="x")
y = x**3
(dy_dx,) = autograd.grad(y, [x], create_graph=True)  # 3x², as a graph
(d2y_dx2,) = autograd.grad(dy_dx, [x])  # 6x, a number
print(f"dy/dx = {dy_dx.data}  (3x² = {3 * 2.0**2}),  d²y/dx² = {d2y_dx2}  (6x = {6 * 2.0})")
assert isinstance(dy_dx, Value) and dy_dx.data == 12.0 and d2y_dx2 == 12.0
assert x.grad is None  # autograd.grad did not touch .grad

# %% [markdown]
# dy/dx is an ordinary graph, so `viz.draw` can show it. Its nodes were made by the backward
# pass, so they carry the scope `"backward"` and are drawn in a box of their own; x is the
# forward node they start from. The chain rule wrote 3x² as (x²)·3 (the local derivative of
# `**3`), times the seed ∂y/∂y = 1. Calling `backward()` on dy/dx fills in the grads: the
# one of x is the second derivative, 12.

# %%
dy_dx.label = "dy/dx"
dy_dx.backward()
assert x.grad == 12.0
assert {node.scope for node in topological_order(dy_dx) if node is not x} == {"backward"}
viz.draw(dy_dx)

# %% [markdown]
# The backward pass *of the backward pass* can be stepped through like any other (slider or
# buttons; in a browser via `viz.save_steps_html`):

# %%
viz.backward_steps(dy_dx)

# %% [markdown]
# ### A product: f(x) = tanh(x) · x
#
# With t = tanh x and tanh′ = 1 − t², by hand:
#
# $$f'(x) = t + x(1 - t^2), \qquad
# f''(x) = (1 - t^2) + (1 - t^2) - 2xt(1 - t^2) = 2(1 - t^2)(1 - xt).$$
#
# Double backward against this formula, and against `gradgradcheck` (central differences of
# the first derivatives), at a few points:


# %%
def f(x):
    return x.tanh() * x


def second_by_hand(x):
    t = math.tanh(x)
    return 2 * (1 - t * t) * (1 - x * t)


for point in [-2.0, -0.5, 0.0, 0.5, 1.5]:
    x = Value(point, label="x")
    (df,) = autograd.grad(f(x), [x], create_graph=True)
    (d2f,) = autograd.grad(df, [x])
    print(f"x = {point:5}:  f'' engine {d2f:+.12f}   by hand {second_by_hand(point):+.12f}")
    assert math.isclose(d2f, second_by_hand(point), rel_tol=1e-12, abs_tol=1e-15)
    assert gradgradcheck(f, [point])

# %% [markdown]
# The gradient graph at x = 0.5, with each edge's contribution (upstream grad × local
# derivative). The forward `tanh` node is reused by the backward pass (it is outside the
# box), and x reaches f′ by two paths: through tanh, and directly (the `*1` node carrying
# x into x(1 − t²)). Their contributions add up to f″(0.5), the grad of x:
#
# * through tanh: ∂f′/∂t · tanh′ = (1 − 2xt)(1 − t²) = 0.5379 × 0.7864 = 0.4230;
# * directly, with t held fixed: ∂f′/∂x = 1 − t² = 0.7864.

# %%
x = Value(0.5, label="x")
y = f(x)
(dy_dx,) = autograd.grad(y, [x], create_graph=True)
dy_dx.label = "f′(x)"
dy_dx.backward()
(tanh_node,) = [node for node in topological_order(dy_dx) if node.op == "tanh"]
t = math.tanh(0.5)
assert tanh_node.scope == "" and tanh_node is y.parents[0]  # the forward node, reused
assert math.isclose(tanh_node.grad, 1 - 2 * 0.5 * t)  # ∂f′/∂t
through_tanh, direct = (1 - 2 * 0.5 * t) * (1 - t * t), 1 - t * t
print(f"{through_tanh:.4f} + {direct:.4f} = {through_tanh + direct:.4f};  x.grad = {x.grad:.4f}")
assert math.isclose(x.grad, through_tanh + direct) and math.isclose(x.grad, second_by_hand(0.5))
viz.draw(dy_dx, edge_labels="contribution")

# %% [markdown]
# ### The lecture's activations
#
# For the sigmoid, σ′ = σ(1 − σ) and σ″ = σ(1 − σ)(1 − 2σ); for tanh, tanh″ = −2 tanh (1 −
# tanh²). Double backward works on a whole batch of points at once (a `Value` holding a numpy
# array), so the curves below are the engine's numbers, checked against the formulas. The
# second derivative measures how fast the slope changes: it is 0 at the centre, where σ and
# tanh are straight for a moment, and largest in size at ±1.32 (σ) and ±0.66 (tanh), where
# they bend most.

# %%
grid = np.linspace(-5, 5, 401)
s, th = 1 / (1 + np.exp(-grid)), np.tanh(grid)
formulas = {
    "sigmoid": (s, s * (1 - s), s * (1 - s) * (1 - 2 * s)),
    "tanh": (th, 1 - th**2, -2 * th * (1 - th**2)),
    "tanh(x)·x": (th * grid, th + grid * (1 - th**2), 2 * (1 - th**2) * (1 - grid * th)),
}
functions = {"sigmoid": Value.sigmoid, "tanh": Value.tanh, "tanh(x)·x": f}
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharex=True)
for ax, (name, fn) in zip(axes, functions.items()):
    x = Value(grid, label="x")
    y = fn(x)
    (first,) = autograd.grad(y.sum(), [x], create_graph=True)  # one derivative per point
    (second,) = autograd.grad(first.sum(), [x])
    for curve, formula in zip((y.data, first.data, second), formulas[name]):
        assert np.allclose(curve, formula, rtol=1e-12, atol=1e-14), name
    ax.plot(grid, y.data, label="f")
    ax.plot(grid, first.data, label="f′")
    ax.plot(grid, second, label="f″")
    ax.axhline(0, color="gray", lw=0.5)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("x")
axes[0].legend(fontsize=8)
plt.show()
bend = {name: abs(grid[np.argmax(formulas[name][2])]) for name in ("sigmoid", "tanh")}
print({name: round(float(at), 2) for name, at in bend.items()})
assert np.all(np.abs(formulas["sigmoid"][2][grid == 0]) < 1e-15)  # σ″(0) = 0
assert np.all(np.abs(formulas["tanh"][2][grid == 0]) < 1e-15)  # tanh″(0) = 0
assert math.isclose(bend["sigmoid"], math.log(2 + math.sqrt(3)), abs_tol=0.03)  # σ‴ = 0 there
assert math.isclose(bend["tanh"], math.atanh(1 / math.sqrt(3)), abs_tol=0.03)

# %% [markdown]
# ## 2. Newton's method: take the best step, every step
#
# Newton's method takes the lecture's best step at every point, in the right direction:
#
# $$\theta \leftarrow \theta - \frac{\partial L / \partial \theta}
# {\partial^2 L / \partial \theta^2}.$$
#
# It jumps to the minimum of the parabola that has L's value, slope and curvature at θ. On a
# parabola that is the minimum itself, in one step; on any other loss it is repeated.
#
# A 1-D loss that is not a parabola: one sigmoid neuron ŷ = σ(w·x), a single weight w, and
# the cross-entropy against targets y on six made-up points (synthetic, chosen so that the
# classes overlap and the best w is finite). With z = w·x, notebook 5's ∂L/∂z = ŷ − y gives
#
# $$\frac{\partial L}{\partial w} = \operatorname{mean}\big((\hat y - y)\,x\big), \qquad
# \frac{\partial^2 L}{\partial w^2} = \operatorname{mean}\big(\hat y(1 - \hat y)\,x^2\big),$$
#
# checked below at a few w, and against central differences of L itself (`gradcheck`) and of
# ∂L/∂w (`gradgradcheck`).

# %%
inputs = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
targets = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 1.0])


def loss_1d(w):
    return binary_cross_entropy(Value(inputs) * w, targets)  # mean over the six points


def derivatives(w):
    """L(w), ∂L/∂w and ∂²L/∂w², the last by double backward."""
    w = Value(w, label="w")
    loss = loss_1d(w)
    (first,) = autograd.grad(loss, [w], create_graph=True)
    (second,) = autograd.grad(first, [w])
    return loss.data, first.data, second


for w in [-2.0, 0.0, 0.3, 1.35]:
    y_hat = 1 / (1 + np.exp(-w * inputs))
    _, first, second = derivatives(w)
    assert math.isclose(first, np.mean((y_hat - targets) * inputs), rel_tol=1e-12)
    assert math.isclose(second, np.mean(y_hat * (1 - y_hat) * inputs**2), rel_tol=1e-12)
    assert gradcheck(loss_1d, [w]) and gradgradcheck(loss_1d, [w])

newton = [0.0]
for _ in range(8):
    _, first, second = derivatives(newton[-1])
    newton.append(newton[-1] - first / second)
w_star = newton[-1]
print(f"Newton from w = 0: {', '.join(f'{w:.10f}' for w in newton[:7])}")
assert abs(derivatives(w_star)[1]) < 1e-15  # a minimum: the slope is 0 ...
assert derivatives(w_star)[2] > 0  # ... and the curve bends up

# %% [markdown]
# Each Newton step at least squares the error |w − w*| once it is small (the number of
# correct digits doubles). Gradient descent with a fixed η shrinks it by a constant factor.
# A fair η for gradient descent: 1 / (the largest second derivative of this loss, which is
# at w = 0), so that no step is larger than the lecture's best step at that point. Count the
# steps each needs to get within 10⁻⁸ of w*:

# %%
errors = [abs(w - w_star) for w in newton]
print("Newton errors:", " ".join(f"{e:.1e}" for e in errors[:7]))
for before, after in itertools.pairwise(errors):
    if before < 0.1 and after > 1e-14:
        assert after < before**2  # quadratic convergence
newton_steps = next(k for k, e in enumerate(errors) if e < 1e-8)

eta = 1 / derivatives(0.0)[2]
assert all(derivatives(w)[2] <= 1 / eta for w in np.linspace(-10, 10, 201))  # the largest
descent = [0.0]
while abs(descent[-1] - w_star) >= 1e-8:
    descent.append(descent[-1] - eta * derivatives(descent[-1])[1])
print(
    f"steps to |w − w*| < 1e-8: Newton {newton_steps}, gradient descent (η = {eta:.3f}) "
    f"{len(descent) - 1}"
)
assert newton_steps <= 6 and len(descent) - 1 >= 5 * newton_steps

# %% [markdown]
# Left: the loss, and the parabola Newton fits at w = 0 (same value, slope and curvature);
# its lowest point is Newton's first step. Right: the error per step, on a log scale: a
# straight line for gradient descent, a plunge for Newton.

# %%
ws = np.linspace(-1.5, 4, 300)
loss_curve = np.array([loss_1d(Value(w)).data for w in ws])
value0, slope0, curvature0 = derivatives(0.0)
parabola = value0 + slope0 * ws + 0.5 * curvature0 * ws**2
vertex = -slope0 / curvature0
assert math.isclose(vertex, newton[1])  # Newton's step lands on the parabola's minimum

fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax.plot(ws, loss_curve, label="L(w)")
ax.plot(ws, parabola, "--", label="parabola at w = 0")
ax.plot(
    newton[:5],
    [loss_1d(Value(w)).data for w in newton[:5]],
    "o-",
    color="tab:red",
    ms=4,
    label="Newton",
)
ax.plot(
    descent[:12],
    [loss_1d(Value(w)).data for w in descent[:12]],
    "s",
    color="tab:green",
    ms=3,
    label="gradient descent (first 11)",
)
ax.set(ylim=(0.3, 0.9), xlabel="w", ylabel="L")
ax.legend(fontsize=7)
ax2.semilogy(errors[: newton_steps + 1], "o-", color="tab:red", label="Newton")
ax2.semilogy(
    [abs(w - w_star) for w in descent],
    ".-",
    color="tab:green",
    ms=3,
    label=f"gradient descent, η = {eta:.2f}",
)
ax2.set(xlabel="step", ylabel="|w − w*|", ylim=(1e-9, 10))
ax2.legend(fontsize=7)
plt.show()

# %% [markdown]
# ### Newton on x²/20 + y²
#
# With several parameters the second derivatives form a matrix, the **Hessian**
# H = [∂²L/∂θᵢ∂θⱼ], and Newton's step is θ ← θ − H⁻¹ ∂L/∂θ. For the valley of notebook 6,
# L(x, y) = x²/20 + y², H = diag(1/10, 2): x curves 20 times less than y. Its eigenvalues are
# the curvatures along the two axes.


# %%
def valley(x, y):
    return x**2 / 20 + y**2


START = (-7.0, 2.0)
H = hessian(valley, START)
curvatures = np.linalg.eigvalsh(H)
print("H =", H.tolist(), " eigenvalues", curvatures)
assert np.allclose(H, [[0.1, 0.0], [0.0, 2.0]], rtol=1e-12)
assert np.allclose(curvatures, [1 / 10, 2], rtol=1e-12)
assert gradgradcheck(valley, START)

theta = np.array(START)
x, y = Value(START[0], label="x"), Value(START[1], label="y")
gradient = np.array(autograd.grad(valley(x, y), [x, y]))
after_newton = theta - np.linalg.solve(H, gradient)
print(f"∂L/∂θ = {gradient},  one Newton step: {START} → {after_newton}")
assert np.allclose(after_newton, [0.0, 0.0], atol=1e-15)  # the minimum, in 1 step

# %% [markdown]
# Gradient descent with the η of the best guaranteed rate on this valley, η = 2 / (λ_min +
# λ_max) = 2/2.1 (notebook 6 used 0.95). It balances the two directions: a step multiplies x
# by 1 − η/10 and y by 1 − 2η, and both are 19/21 in size, so L shrinks by (19/21)² per
# step, and no fixed η does better in both at once. Also η = 0.5 and 0.1. Steps until
# L < 10⁻¹⁰:


# %%
def descend(lr, start=START, tol=1e-10, limit=10_000):
    x, y = Value(start[0], label="x"), Value(start[1], label="y")
    optimizer = SGD([x, y], lr=lr)
    path = [(x.data, y.data)]
    while valley(x.data, y.data) >= tol and len(path) <= limit:
        optimizer.zero_grad()
        valley(x, y).backward()
        optimizer.step()
        path.append((x.data, y.data))
    return np.array(path)


paths = {lr: descend(lr) for lr in (2 / 2.1, 0.5, 0.1)}
for lr, path in paths.items():
    print(f"gradient descent, η = {lr:.3f}: {len(path) - 1} steps")
    assert len(path) - 1 > 100  # Newton: 1
# with η = 2/2.1, L_t = L₀ (19/21)^2t: the first t with L_t < 1e-10
predicted = math.ceil(math.log(valley(*START) / 1e-10) / (2 * math.log(21 / 19)))
assert len(paths[2 / 2.1]) - 1 == predicted

X, Y = np.meshgrid(np.linspace(-8, 8, 161), np.linspace(-3, 3, 61))
fig, ax = plt.subplots(figsize=(7, 3))
ax.contour(X, Y, valley(X, Y), levels=np.geomspace(0.05, 30, 10), cmap="viridis", linewidths=0.6)
best = paths[2 / 2.1]
ax.plot(
    best[:40, 0],
    best[:40, 1],
    "o-",
    color="tab:green",
    ms=2.5,
    lw=1,
    label=f"gradient descent η = 2/2.1 (first 40 of {len(best) - 1} steps)",
)
ax.plot([START[0], 0], [START[1], 0], "o-", color="tab:red", lw=1.5, label="Newton (1 step)")
ax.plot(0, 0, "k+", ms=10)
ax.set(xlabel="x", ylabel="y", aspect="equal")
ax.legend(fontsize=7, loc="upper right")
plt.show()

# %% [markdown]
# ## 3. The AdaGrad intuition, checked
#
# **The slope alone misleads across parameters.** At the start (−7, 2), ∂L/∂x = −0.7 is much
# smaller than ∂L/∂y = 4, yet x is 3.5 times farther from its minimum. The lecture's ratio
# |first derivative| / second derivative gets both distances exactly (here L is a parabola in
# each parameter), with the second derivatives from double backward:

# %%
x, y = Value(START[0], label="x"), Value(START[1], label="y")
first = autograd.grad(valley(x, y), [x, y], create_graph=True)
second = [autograd.grad(first[i], [(x, y)[i]])[0] for i in range(2)]  # ∂²L/∂x², ∂²L/∂y²
for name, g, h, start in zip("xy", first, second, START):
    print(
        f"{name}: |∂L/∂{name}| = {abs(g.data):.1f}   ∂²L/∂{name}² = {h}   ratio = "
        f"{abs(g.data) / h:.1f}   distance to the minimum = {abs(start):.1f}"
    )
    assert math.isclose(abs(g.data) / h, abs(start))
assert abs(first[0].data) < abs(first[1].data) and abs(START[0]) > abs(START[1])

# %% [markdown]
# **First derivatives do carry the curvature.** The lecture's argument for AdaGrad: sample the
# first derivative at several points; where the loss curves more, the first derivatives are
# larger. On a parabola ∂L/∂θ = (∂²L/∂θ²)·(θ − θ*), so at the same distances from the
# minimum, the root of the summed squares of the first derivatives is exactly proportional
# to the second derivative. Sampled at the same 21 offsets in both directions:

# %%
offsets = np.linspace(-5, 5, 21)


def root_sum_of_squares(direction):
    """√Σ (∂L/∂θ)² over the offsets, moving one parameter and keeping the other at 0."""
    total = 0.0
    for d in offsets:
        x, y = Value(d if direction == "x" else 0.0), Value(d if direction == "y" else 0.0)
        g = autograd.grad(valley(x, y), [x, y])[0 if direction == "x" else 1]
        total += g * g
    return math.sqrt(total)


root_sum_x, root_sum_y = root_sum_of_squares("x"), root_sum_of_squares("y")
print(
    f"√Σg²: x {root_sum_x:.4f}, y {root_sum_y:.4f}; ratio {root_sum_y / root_sum_x:.6f}; "
    f"ratio of second derivatives {second[1] / second[0]:.6f}"
)
assert math.isclose(root_sum_y / root_sum_x, second[1] / second[0], rel_tol=1e-12)

# %% [markdown]
# **On AdaGrad's own path the estimate is rough.** AdaGrad does not sample the same offsets:
# its h sums the gradients at the points *it visited*, so on a parabola
#
# $$\sqrt{h} = \sqrt{\textstyle\sum_t g_t^2}
# = \frac{\partial^2 L}{\partial\theta^2}\,\sqrt{\textstyle\sum_t (\theta_t - \theta^*)^2} :$$
#
# the second derivative times how far that parameter has been from its minimum so far. We run
# the library's `AdaGrad` (η = 1.5, as in notebook 6) and, at every step, compare its step
# with the ideal one, |∂L/∂θ| / (∂²L/∂θ²).

# %%
x, y = Value(START[0], label="x"), Value(START[1], label="y")
optimizer = AdaGrad([x, y], lr=1.5)
history = {"x": [], "y": []}  # per step: (θ before, gradient, AdaGrad's step, h)
for _ in range(30):
    optimizer.zero_grad()
    valley(x, y).backward()
    before = {"x": (x.data, x.grad), "y": (y.data, y.grad)}
    optimizer.step()
    for name, p in (("x", x), ("y", y)):
        theta_before, g = before[name]
        history[name].append((theta_before, g, p.data - theta_before, optimizer.state[p]["sum"]))

curvature = {"x": second[0], "y": second[1]}
for name in "xy":
    thetas, gs, steps, hs = map(np.array, zip(*history[name]))
    # the identity above, with the second derivative from double backward
    assert np.allclose(np.sqrt(hs), curvature[name] * np.sqrt(np.cumsum(thetas**2)), rtol=1e-12)
    assert np.allclose(steps, -1.5 * gs / (np.sqrt(hs) + 1e-10), rtol=1e-12)  # AdaGrad's rule
estimate = [math.sqrt(hy / hx) for (*_, hx), (*_, hy) in zip(history["x"], history["y"])]
print(
    f"AdaGrad's estimate of ∂²L/∂y² ÷ ∂²L/∂x² (true: 20): step 1 {estimate[0]:.2f}, "
    f"step 5 {estimate[4]:.2f}, step 30 {estimate[-1]:.2f}"
)
assert all(1 < e < 20 / 3 for e in estimate)  # the right direction, not the right size
assert 20 / max(estimate) > 3.4 and 20 / min(estimate) < 6.3  # too small by 3.5 to 6.2 times
y_at, h_y = (
    [step[0] for step in history["y"]],
    [step[3] for step in history["y"]],
)  # y_at[k]: after k steps
assert abs(y_at[5]) < 0.003 and (h_y[-1] - h_y[4]) / h_y[-1] < 1e-5  # y: done by step 5

# %% [markdown]
# So AdaGrad ranks the two curvatures correctly at every step (y's denominator is larger)
# but underestimates their ratio by a factor of 3.5 to 6.2: y is within 0.003 of its
# minimum after 5 steps, stops adding to its h, and so looks flatter than it is.
#
# The plot compares the fraction of the ideal step that each method takes, per parameter:
# plain gradient descent takes η·∂²L/∂θ², Newton exactly 1 (the ideal step), AdaGrad
# η·(∂²L/∂θ²)/√h. Gradient descent (η = 2/2.1) takes 1.9 times the ideal step in y (it
# overshoots and bounces) but only a tenth of it in x, a 20-fold mismatch; AdaGrad narrows
# it to between 3.5 and 6.2 (0.73 of the ideal step in y, 0.12 to 0.21 in x); Newton
# removes it.

# %%
fraction = {}
for name in "xy":
    thetas, gs, steps, hs = map(np.array, zip(*history[name]))
    ideal = np.abs(gs) / curvature[name]
    fraction[name] = np.abs(steps) / ideal
sgd = {name: (2 / 2.1) * curvature[name] for name in "xy"}

fig, ax = plt.subplots(figsize=(7, 3))
for name, color in (("x", "tab:blue"), ("y", "tab:orange")):
    ax.plot(range(1, 31), fraction[name], "o-", ms=3, color=color, label=f"AdaGrad, {name}")
    ax.axhline(sgd[name], color=color, ls="--", lw=1, label=f"gradient descent, {name}")
ax.axhline(1, color="tab:red", lw=1.5, label="Newton (the ideal step)")
ax.set(yscale="log", xlabel="step", ylabel="step ÷ ideal step", ylim=(0.05, 3))
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
plt.show()

print(
    f"AdaGrad's fraction of the ideal step: x {fraction['x'].min():.2f} to "
    f"{fraction['x'].max():.2f}, y {fraction['y'].min():.2f} to {fraction['y'].max():.2f}"
)
assert fraction["x"].min() > 0.11 and fraction["x"].max() < 0.22
assert fraction["y"].min() > 0.7 and fraction["y"].max() < 0.76
mismatch_adagrad = fraction["y"] / fraction["x"]
print(
    f"gradient descent mismatch {sgd['y'] / sgd['x']:.0f}, AdaGrad "
    f"{mismatch_adagrad.min():.1f} to {mismatch_adagrad.max():.1f}, Newton 1"
)
assert math.isclose(sgd["y"] / sgd["x"], 20) and sgd["y"] > 1 > sgd["x"]
assert np.all((mismatch_adagrad > 1) & (mismatch_adagrad < 20 / 3))
assert np.all(fraction["x"] < 1) and np.all(fraction["y"] < 1)  # AdaGrad never overshoots here

# %% [markdown]
# ## 4. The Hessian of a tiny network's loss
#
# A network with 1 input, 2 tanh hidden neurons and 1 linear output has 7 parameters θ.
# We fit it to 8 synthetic points of y = sin 2x: the loss is the mean squared error between
# the predictions ŷ and the targets y, plus a little L2 regularisation λ‖θ‖² (notebook 8),
# λ = 0.001. To reach the minimum precisely we run Adam, then a few Newton steps
# θ ← θ − H⁻¹ ∂L/∂θ (the Hessian of 7 parameters is cheap: one double backward per
# parameter).
#
# Why the penalty: without it (λ = 0) this loss is so flat in some directions that Newton's
# method, started where Adam stops, wanders off instead of converging, since its step divides
# by those tiny curvatures. The penalty's Hessian is 2λ·I: it adds 2λ to every curvature.

# %%
xs = np.linspace(-1, 1, 8)
ys = np.sin(2 * xs)
LAMBDA = 0.001


def fit(lam, newton_steps=4):
    """The network fitted with penalty lam: Adam, then Newton; returns model and losses."""
    model = MLP(1, [2, 1], activation="tanh", seed=0)
    theta = model.parameters()

    def data_loss(*_):
        """MSE of ŷ against y; reads θ from the model (hessian() passes θ in, perturbs it)."""
        predictions = [model([x]) for x in xs]  # ŷ
        return mse(predictions, ys.tolist())

    def loss(*_):
        return data_loss() + lam * l2(theta)

    optimizer = Adam(theta, lr=0.05)
    for _ in range(500):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()
    gradient = np.array(autograd.grad(loss(), theta))
    history = [(loss().data, np.abs(gradient).max())]
    for _ in range(newton_steps):
        step = np.linalg.solve(hessian(loss, theta), gradient)
        for p, s in zip(theta, step):
            p.data -= s
        gradient = np.array(autograd.grad(loss(), theta))
        history.append((loss().data, np.abs(gradient).max()))
    print(f"λ = {lam}:")
    for k, (value, largest) in enumerate(history):
        where = "after Adam   " if k == 0 else f"Newton step {k}"
        print(f"  {where}: L = {value:.6e}, largest |∂L/∂θ| = {largest:.1e}")
    return model, theta, data_loss, loss, history


*_, without_penalty = fit(0.0)
assert without_penalty[-1][0] > 10 * without_penalty[0][0]  # the loss grew: Newton wandered off
assert without_penalty[-1][1] > 1e-3  # and is nowhere near a stationary point

model, theta, data_loss, network_loss, history = fit(LAMBDA)
assert history[-1][1] < 1e-12  # a stationary point of L

# %% [markdown]
# The Hessian there, checked two ways: it is symmetric (∂²L/∂θᵢ∂θⱼ = ∂²L/∂θⱼ∂θᵢ, although the
# engine computes each row by its own backward pass), and it matches central differences of
# the gradients, (∂L/∂θ(θ + εeⱼ) − ∂L/∂θ(θ − εeⱼ)) / 2ε, column by column.

# %%
H = hessian(network_loss, theta)
columns = []
for p in theta:
    original = p.data
    p.data = original + 1e-5
    above = np.array(autograd.grad(network_loss(), theta))
    p.data = original - 1e-5
    below = np.array(autograd.grad(network_loss(), theta))
    p.data = original
    columns.append((above - below) / 2e-5)
numerical = np.column_stack(columns)
print(
    f"largest |H − Hᵀ| {np.abs(H - H.T).max():.1e}, "
    f"largest |H − numerical| {np.abs(H - numerical).max():.1e}"
)
assert np.allclose(H, H.T, rtol=0, atol=1e-12)
assert np.allclose(H, numerical, rtol=1e-5, atol=1e-7)
assert gradgradcheck(network_loss, theta)  # the library's own check of the same thing
print(np.array2string(H, precision=3, suppress_small=True))

# %% [markdown]
# Its eigenvalues are the curvatures along its eigenvectors, the loss's principal
# directions. All positive: a minimum (a negative one would make it a saddle). The penalty
# λ‖θ‖² has the Hessian 2λ·I, so it lifts every eigenvalue of the data loss's Hessian by
# exactly 2λ = 0.002. Even so, they spread over three orders of magnitude:

# %%
eigenvalues, eigenvectors = np.linalg.eigh(H)
print("eigenvalues:", " ".join(f"{e:.2e}" for e in eigenvalues))
print(f"largest ÷ smallest = {eigenvalues[-1] / eigenvalues[0]:.0f}")
assert np.all(eigenvalues > 0)
assert eigenvalues[-1] / eigenvalues[0] > 1000
data_eigenvalues = np.linalg.eigvalsh(hessian(data_loss, theta))
print("the MSE alone, same θ:", " ".join(f"{e:.2e}" for e in data_eigenvalues))
assert np.allclose(eigenvalues - data_eigenvalues, 2 * LAMBDA, rtol=0, atol=1e-12)
# H·v by double backward, without building H: along an eigenvector it is λ·v
top, flat = eigenvectors[:, -1], eigenvectors[:, 0]
assert np.allclose(hvp(network_loss, theta, top.tolist()), eigenvalues[-1] * top, atol=1e-10)

fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(range(1, 8), eigenvalues, color="tab:purple", label="L = MSE + λ‖θ‖²")
ax.plot(range(1, 8), data_eigenvalues, "k_", ms=22, mew=2, label="MSE alone (same θ)")
ax.set(yscale="log", xlabel="eigenvalue number", ylabel="curvature λ")
ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# **Why one η cannot suit every direction.** Near the minimum, L is close to a parabola in
# every eigen-direction, and a gradient-descent step multiplies the distance along the
# direction of curvature λ by (1 − ηλ). So
#
# * along the steepest direction it needs η < 2/λ_max, or the steps grow (overshoot);
# * along the flattest one, a step then shrinks the distance only by the factor
#   1 − 2λ_min/λ_max, which is about 1 − 0.0016 here: hundreds of steps just to halve it.
#
# Checked with the real network (not the parabola): move θ away from the minimum by 10⁻⁵
# along both the steepest and the flattest eigenvector, run 50 steps of gradient descent,
# and measure what is left along each direction, for η just below and just above 2/λ_max.

# %%
minimum = np.array([p.data for p in theta])


def left_after_descent(lr, steps=50, distance=1e-5):
    for p, value in zip(theta, minimum + distance * (top + flat)):
        p.data = value
    optimizer = SGD(theta, lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        network_loss().backward()
        optimizer.step()
    offset = np.array([p.data for p in theta]) - minimum
    for p, value in zip(theta, minimum):  # back to the minimum
        p.data = value
    return offset @ top / distance, offset @ flat / distance  # fraction left along each


limit = 2 / eigenvalues[-1]
assert math.isclose(2 * eigenvalues[0] / eigenvalues[-1], 0.0016, abs_tol=0.0001)
for lr in (0.9 * limit, 1.1 * limit):
    along_top, along_flat = left_after_descent(lr)
    if lr < limit:
        print(
            f"η = {lr:.3f} (0.9 × 2/λ_max): after 50 steps, {abs(along_top):.1e} of the "
            f"steep offset is left, {along_flat:.3f} of the flat one"
        )
        assert abs(along_top) < 1e-3 and along_flat > 0.9  # steep: gone; flat: barely moved
    else:
        print(
            f"η = {lr:.3f} (1.1 × 2/λ_max): after 50 steps, the steep offset is "
            f"{abs(along_top):.0f} times as large"
        )
        assert abs(along_top) > 100  # steep: blown up (1.2⁵⁰ ≈ 9000 on the parabola)

# %% [markdown]
# **Summary.**
#
# * `autograd.grad(..., create_graph=True)` returns gradients as graphs; differentiating them
#   again gives second derivatives, which match hand-derived formulas, `gradgradcheck` and
#   central differences. Their graphs are drawn in a "backward" box, reusing forward nodes.
# * Newton's method takes the lecture's best step |∂L/∂θ| / (∂²L/∂θ²): one step on a
#   parabola (x²/20 + y², whose Hessian has eigenvalues 1/10 and 2), a handful with
#   digit-doubling convergence on a 1-D cross-entropy loss, against tens to hundreds of steps
#   for gradient descent.
# * AdaGrad's √(Σg²) is the second derivative times the root of the summed squared
#   distances from the minimum: it estimates the curvature *ratio* exactly when the
#   gradients are sampled at the same distances, and roughly (right order, too small) along
#   its own path.
# * A tiny network's Hessian is symmetric, agrees with differences of gradients, and has
#   curvatures spread by a factor of more than a thousand: an η small enough for the
#   steepest direction leaves the flattest one almost untouched. Per-parameter steps
#   (AdaGrad, RMSProp, Adam) attack this problem; Newton's method solves it, at the price
#   of the Hessian.
