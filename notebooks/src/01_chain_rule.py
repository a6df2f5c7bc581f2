# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1 · Derivatives, computational graphs and the chain rule
#
# Training a network means finding parameters θ (all weights w and biases b) that make the
# loss L small, by gradient descent: θ ← θ − η ∂L/∂θ. The lecture calls backpropagation
# *"an efficient way to compute ∂L/∂w"*. This notebook builds that idea from the ground up:
#
# 1. a derivative is a slope, and a **numerical** estimate of it is easy (and approximate);
# 2. a **computational graph** of add and multiply nodes carries the forward pass left to
#    right and the backward pass right to left;
# 3. the **chain rule**: along one path derivatives multiply, over different paths they add;
# 4. the engine's `backward()` is exactly that rule, and it is checked against numbers;
# 5. why backpropagation beats numerical derivatives when there are many parameters.
#
# Every claim is checked with `assert`, so if the engine were wrong this notebook would stop.

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np

import viz
from autograd import Value, topological_order
from autograd.functional import gradcheck, numerical_grad

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
# ## 1. A derivative is a slope
#
# For f(x) = x³ − 2x the derivative is f′(x) = 3x² − 2, so f′(3) = 25. Without any calculus
# we can estimate it from two nearby values, the **central difference**
#
# $$f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon}.$$


# %%
def f(x):
    return x**3 - 2 * x


def central_difference(f, x, eps):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


for eps in [1e-1, 1e-3, 1e-5]:
    print(f"eps = {eps:g}:  estimate {central_difference(f, 3.0, eps):.10f}")

# %% [markdown]
# The engine gets the exact number instead. Build f from a `Value`, call `backward()`, and
# read ∂f/∂x from `x.grad`:

# %%
x = Value(3.0, label="x")
y = x**3 - 2 * x
y.backward()
print("f(3) =", y.data, "  df/dx =", x.grad)
assert x.grad == 3 * 3.0**2 - 2  # 25, exactly

# %% [markdown]
# How good is the numerical estimate? Its error first shrinks with ε (the formula is exact
# for parabolas, its error is about ε²·f‴/6) and then grows again, because f(x + ε) and
# f(x − ε) agree in more and more digits and their difference is mostly rounding noise.
# That is why a numerical gradient check always needs a tolerance, and why we do not train
# with numerical derivatives.

# %%
epsilons = np.logspace(-12, 0, 49)
errors = [abs(central_difference(f, 3.0, e) - x.grad) for e in epsilons]
plt.loglog(epsilons, errors, ".-")
plt.xlabel("ε")
plt.ylabel("|estimate − exact|")
plt.title("central difference error for f′(3)")
plt.show()
best = epsilons[int(np.argmin(errors))]
print(f"best ε ≈ {best:.0e}, error {min(errors):.1e}")
assert 1e-7 < best < 1e-3  # neither the largest nor the smallest ε is best

# %% [markdown]
# ## 2. A computational graph with add and multiply nodes
#
# The classic example of the book the notes follow (*Deep Learning from Scratch*): buy 2
# apples at 100 and 3 oranges at 150, and pay 10 % tax.
# Each operation is a node; the **forward pass** computes the price from left to right.
# The **backward pass** asks how much the price changes per unit change of each input, and
# passes that from right to left through the same nodes. Each node only needs its *local*
# derivative:
#
# * an **add** node passes the upstream gradient through unchanged (∂(x + y)/∂x = 1);
# * a **multiply** node multiplies it by the *other* input (∂(x·y)/∂x = y): it "swaps" x and y.
#
# Here are the two layers as the notes write them, with a forward and a backward method:


# %%
class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x  # swap x and y


apple, apple_num, orange, orange_num, tax = 100.0, 2.0, 150.0, 3.0, 1.1
mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()

# forward pass, left to right
apple_price = mul_apple.forward(apple, apple_num)
orange_price = mul_orange.forward(orange, orange_num)
fruit_price = add_fruit.forward(apple_price, orange_price)
price = mul_tax.forward(fruit_price, tax)

# backward pass, right to left, starting from ∂price/∂price = 1
d_fruit_price, d_tax = mul_tax.backward(1.0)
d_apple_price, d_orange_price = add_fruit.backward(d_fruit_price)
d_apple, d_apple_num = mul_apple.backward(d_apple_price)
d_orange, d_orange_num = mul_orange.backward(d_orange_price)

by_hand = {
    "apple": d_apple,
    "apple_num": d_apple_num,
    "orange": d_orange,
    "orange_num": d_orange_num,
    "tax": d_tax,
}
print(f"price = {price:.1f}")
for name, gradient in by_hand.items():
    print(f"∂price/∂{name:<10} = {gradient:.4g}")

# %% [markdown]
# The engine does the same with no layer classes: every `Value` produced by an operation
# remembers its `parents` and the `local_grads` ∂out/∂parent, computed during the forward
# pass. A multiply node's local derivatives are indeed its inputs, swapped:

# %%
inputs = {
    "apple": Value(100.0, label="apple"),
    "apple_num": Value(2.0, label="apple_num"),
    "orange": Value(150.0, label="orange"),
    "orange_num": Value(3.0, label="orange_num"),
    "tax": Value(1.1, label="tax"),
}
apple_price = inputs["apple"] * inputs["apple_num"]
apple_price.label = "apple_price"
orange_price = inputs["orange"] * inputs["orange_num"]
orange_price.label = "orange_price"
fruit_price = apple_price + orange_price
fruit_price.label = "fruit_price"
price = fruit_price * inputs["tax"]
price.label = "price"

print("apple_price: op", apple_price.op, " local_grads", apple_price.local_grads)
print("fruit_price: op", fruit_price.op, " local_grads", fruit_price.local_grads)
assert apple_price.local_grads == (2.0, 100.0)  # (∂/∂apple, ∂/∂apple_num) = (apple_num, apple)
assert fruit_price.local_grads == (1.0, 1.0)

# %%
price.backward()
for name, leaf in inputs.items():
    print(f"∂price/∂{name:<10} engine {leaf.grad:10.4g}   by hand {by_hand[name]:10.4g}")
    assert math.isclose(leaf.grad, by_hand[name], rel_tol=1e-12)  # same products: rounding only

# %% [markdown]
# `viz.draw` shows the same computation: each box is a value with its `data` and `grad`
# (∂price/∂value), each ellipse an operation. On every edge into an operation it writes the
# contribution that edge makes in the backward pass, *upstream grad × local derivative*.
# Follow the apples from the right: 1 × 1.1 through the tax node, × 1 through the add node,
# × 2 (the other input) through the multiply node: ∂price/∂apple = 2.2.

# %%
viz.draw(price, edge_labels="contribution")

# %% [markdown]
# Reading the result: one more apple *count* adds 110 to the price (100 × 1.1), one more
# unit of apple *price* adds 2.2 (2 apples × 1.1), and raising the tax factor by 1 would add
# the whole pre-tax 650.

# %% [markdown]
# ## 3. The chain rule: multiply along a path, add over paths
#
# The notes summarise the chain rule in two cases:
#
# * **one path**: if y = g(x) and z = h(y), then dz/dx = dz/dy · dy/dx;
# * **two paths**: if x = g(s), y = h(s) and z = k(x, y), then
#   dz/ds = ∂z/∂x · dx/ds + ∂z/∂y · dy/ds.
#
# Case 1 with y = x², z = sin y at x = 0.5: dz/dx = cos(x²) · 2x.

# %%
x = Value(0.5, label="x")
z = (x**2).sin()
z.backward()
by_chain_rule = math.cos(0.5**2) * 2 * 0.5
print(f"engine {x.grad:.12f}   chain rule {by_chain_rule:.12f}")
assert math.isclose(x.grad, by_chain_rule, rel_tol=1e-12)

# %% [markdown]
# Case 2 with x = eˢ, y = s², z = x·y at s = 1: the two paths give
# dz/ds = y·eˢ + x·2s = s²eˢ + 2s·eˢ = 3e.

# %%
s = Value(1.0, label="s")
z = s.exp() * s**2
z.label = "z"
z.backward()
print(f"engine {s.grad:.12f}   3e = {3 * math.e:.12f}")
assert math.isclose(s.grad, 3 * math.e, rel_tol=1e-12)
viz.draw(z, edge_labels="contribution")

# %% [markdown]
# Two edges leave `s`, one per path, and `s.grad` is the sum of their contributions:
# 5.437 (through `**2`) + 2.718 (through `exp`) = 8.155. The backward pass itself can be
# stepped through, one node per frame, in the order `backward()` visits them: use the
# slider or the buttons (in Jupyter, or any browser opening the HTML that
# `viz.save_steps_html(z, "steps.html")` writes).

# %%
viz.backward_steps(z)

# %% [markdown]
# A variable used twice is the same thing: `a * a` has the parents `(a, a)`, one edge per
# use, and the two contributions add up to ∂(a·a)/∂a = a + a = 2a.

# %%
a = Value(4.0, label="a")
square = a * a
print("parents are (a, a):", square.parents == (a, a), "  local_grads:", square.local_grads)
square.backward()
assert a.grad == 8.0

# %% [markdown]
# ## 4. `backward()` is the chain rule and nothing else
#
# To convince ourselves, we redo the backward pass of the price example by hand, using only
# what the graph stores. `topological_order(price)` lists every node after its parents;
# walking it **in reverse** visits each node after everything that uses it, so its gradient
# ∂price/∂node is complete when we pass it on: each parent receives `local × upstream`.

# %%
gradient = {price: 1.0}  # ∂price/∂price
for node in reversed(topological_order(price)):
    for parent, local in zip(node.parents, node.local_grads):
        gradient[parent] = gradient.get(parent, 0.0) + local * gradient[node]

for node in topological_order(price):
    name = node.label or node.op
    print(f"{name:>12}: data {node.data:8.4g}   ∂price/∂node {gradient[node]:8.4g}")
    assert math.isclose(gradient[node], node.grad, rel_tol=1e-12)

# %% [markdown]
# ## 5. Numerical gradients check backpropagation; backpropagation is what scales
#
# `autograd.functional.gradcheck` compares the engine's gradient with central differences
# for every input, and raises with a report if they disagree. Here is a loss with the shape
# of one neuron: its prediction ŷ = σ(w₁x₁ + w₂x₂ + b), the target y, and L = (ŷ − y)²,
# checked in all its inputs:


# %%
def neuron_loss(w1, w2, b, x1, x2, y):
    y_hat = (w1 * x1 + w2 * x2 + b).sigmoid()
    return (y_hat - y) ** 2


point = [1.0, -2.0, 1.0, 1.0, -1.0, 0.0]
assert gradcheck(neuron_loss, point)
print("numerical:", [round(g, 6) for g in numerical_grad(neuron_loss, point)])

# %% [markdown]
# The catch with numerical gradients is cost. To estimate ∂L/∂θᵢ for *n* parameters, central
# differences run the forward pass twice **per parameter**: 2n forward passes. The backward
# pass gets all n derivatives from one forward and one backward pass. With the millions of
# parameters the lecture mentions, that difference is everything. We count the forward
# passes for a loss with n = 300 parameters:

# %%
n = 300
rng = np.random.default_rng(0)
features = rng.normal(size=n)
forward_passes = 0


def loss(*theta):
    global forward_passes
    forward_passes += 1
    return sum((t * x).tanh() for t, x in zip(theta, features)) ** 2


theta = [Value(t) for t in rng.normal(size=n)]
start = time.perf_counter()
estimate = numerical_grad(loss, theta)
numerical_seconds = time.perf_counter() - start
print(f"numerical: {forward_passes} forward passes, {numerical_seconds:.2f} s")
assert forward_passes == 2 * n

forward_passes = 0
start = time.perf_counter()
loss(*theta).backward()
backprop_seconds = time.perf_counter() - start
print(f"backprop:  {forward_passes} forward pass + 1 backward pass, {backprop_seconds:.3f} s")
exact = [t.grad for t in theta]
worst = max(abs(e - g) for e, g in zip(exact, estimate))
print(f"largest difference between the two gradients: {worst:.1e}")
assert worst < 1e-6  # central differences with eps = 1e-6 agree to ~1e-9 on this smooth loss

# %% [markdown]
# **Summary.** A derivative is a slope; numerical estimates are handy to *check* one but cost
# two forward passes per parameter and carry rounding error. A computational graph stores
# each node's local derivative in the forward pass; the backward pass multiplies them along
# paths and adds over paths (the chain rule), giving every ∂L/∂θ at once. Next: use those
# gradients for gradient descent on a real linear model (notebook 2).
