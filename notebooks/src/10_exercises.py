# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Derivations and exercises: why a gradient is what it is, then compute it yourself
#
# `backward()` gives every node one share per use: each op that read the node hands back its
# own gradient (the *upstream* gradient ∂L/∂op's output) times its *local* derivative
# (∂output/∂node), and the shares add up:
#
# $$\frac{\partial L}{\partial v} = \sum_{\text{uses of } v}
# \frac{\partial L}{\partial\,\text{use}}\cdot\frac{\partial\,\text{use}}{\partial v}.$$
#
# `viz.explain(v, root)` writes that sum out for one node, with the local derivative in
# symbols and every number substituted. `viz.exercise(root, ...)` hides numbers of the
# graph for you to work out, and checks your answers. This notebook
#
# 1. explains the gradients of the neuron of notebook 1: one use, two uses, a repeated
#    `backward()`, a batch;
# 2. turns the neuron into exercises on its gradients, local derivatives and values;
# 3. turns the lecture's network (notebook 4) into the exercises a teacher would hand out.
#
# Every claim is checked with `assert`.

# %%
import math

import numpy as np

import viz
from autograd import Value, topological_order
from autograd.nn import MLP

# %% [markdown]
# ## 1. The derivation of one gradient
#
# The neuron a = tanh(z) with z = x₁w₁ + x₂w₂ + b, at the numbers of notebook 1:

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
z = x1 * w1 + x2 * w2 + b
z.label = "z"
a = z.tanh()
a.label = "a"
a.backward()
print(viz.explain(w1, a))

# %% [markdown]
# w₁ is used once, by the product x₁·w₁, whose local derivative is x₁ = 2; the product's own
# gradient is 0.5, so ∂a/∂w₁ = 0.5 × 2 = 1. In Jupyter the derivation also shows as a
# formula and a table:

# %%
viz.explain(z, a)

# %% [markdown]
# Each term's product is computed by the very function `backward()` adds with
# (`autograd.engine.contribution`), so the derivation and the gradient cannot disagree:

# %%
for v in topological_order(a):
    d = viz.explain(v, a)
    if d.terms:
        assert math.isclose(sum(t.product for t in d.terms), v.grad, rel_tol=1e-12)
assert viz.explain(w1, a).terms[0].formula == "∂(x1·w1)/∂w1 = x1"

# %% [markdown]
# ### A value used twice: one term per use, added up
#
# In y = x·x + x the leaf x is used three times: twice by the product (∂(x·x)/∂x = x for
# each operand) and once by the sum. That is why backward *adds* to a gradient (`+=`)
# instead of setting it.

# %%
x = Value(3.0, label="x")
y = x * x + x
y.label = "y"
y.backward()
print(viz.explain(x, y))
assert [t.product for t in viz.explain(x, y).terms] == [3.0, 3.0, 1.0] and x.grad == 7.0

# %% [markdown]
# ### A second `backward()` without `zero_grad()`
#
# Leaves accumulate their gradients across calls, as in PyTorch. Calling `backward()` a
# second time doubles w₁'s gradient, and the derivation says where the extra part came from:

# %%
a.backward()
d = viz.explain(w1, a)
print(d.footer())
assert w1.grad == 2 * d.terms[0].product and d.earlier == d.terms[0].product
a.zero_grad()
a.backward()
assert viz.explain(w1, a).earlier is None  # after zero_grad(), one pass: nothing extra

# %% [markdown]
# ### A batch: one weight, many samples
#
# A weight holds one number for every sample, so its gradient is the sum over the batch of
# each sample's share; a value that holds a batch has one gradient per sample.

# %%
xs = Value(np.array([2.0, 1.0, -1.0, 0.5]), label="x")
w = Value(-0.7, label="w")
L = (xs * w).tanh().mean()
L.label = "L"
L.backward()
print(viz.explain(w, L))
print()
print(viz.explain(xs, L, sample=1))
(term,) = viz.explain(w, L).terms
assert math.isclose(term.product, float(np.dot(term.local, term.upstream)))  # Σ over samples

# %% [markdown]
# The step-through of notebook 1 (`viz.backward_steps(a)`) shows the same derivation beside
# the picture when you click a value: terms still to come are grey until the step that adds
# them.
#
# ## 2. Exercises on the neuron
#
# `viz.exercise(a, ask="grad")` hides every gradient but the root's (its 1 is where backward
# starts) and keeps what they are computed from: the values, and on each edge its local
# derivative. Each `?` is a blank, named by its label or, for an unlabelled value, by its
# expression (`x1·w1`) or its place (`v7`):

# %%
ex = viz.exercise(a, ask="grad")
print(ex.blanks)
ex.draw()

# %% [markdown]
# A learner works from a, back to the leaves: ∂a/∂z = 1 − a² = 0.5; every `+` passes 0.5 on;
# each `*` hands one input the other input times 0.5. Here are answers with one slip (the
# sign of ∂a/∂x₁):

# %%
answers = {"z": 0.5, "x1·w1 + x2·w2": 0.5, "x1·w1": 0.5, "x2·w2": 0.5, "b": 0.5}
answers |= {"w1": 1.0, "x1": 1.5, "w2": 0.0, "x2": 0.5}
result = ex.check(answers)
print(result)
assert [name for name, right in result.items() if not right] == ["x1"]
assert "times local ∂(x1·w1)/∂x1 = w1 = -3" in result.hints["x1"]  # the way, not the answer

# %% [markdown]
# The hint is the derivation with every number the picture hides left out. The teacher's
# answers, and a check that they are backward's:

# %%
solution = ex.solution()
print({name: round(value, 4) for name, value in solution.items()})
named = {v.label: v for v in topological_order(a) if v.label}
assert all(solution[name] == named[name].grad for name in ("z", "w1", "x1", "b"))

# %% [markdown]
# Shown in Jupyter, the exercise is a page with one box per blank that checks your answers
# itself (run the cell: untrusted notebooks and GitHub show the picture only, and you check
# in code with `ex.check`). `ex.save_html("neuron.html")` writes the same page to a file
# that works offline, to hand out.

# %%
viz.exercise(a, ask="grad")

# %% [markdown]
# The local derivatives are an exercise too (`ask="local"`: each edge, named "input->op"),
# and so is the forward pass (`ask="data"`: each op's value from its inputs).

# %%
local = viz.exercise(a, ask="local")
print(local.blanks)
by_rule = {
    "x1->x1·w1": w1.data,  # ∂(x1·w1)/∂x1 = w1
    "w1->x1·w1": x1.data,  # ∂(x1·w1)/∂w1 = x1
    "z->a": 1 - a.data**2,  # ∂tanh(z)/∂z = 1 − tanh²(z)
}
assert all(local.check(by_rule).values())
forward = viz.exercise(a, ask="data")
print(forward.blanks)
assert all(forward.check({"x1·w1": -6.0, "z": 0.8814, "a": 0.7071}).values())

# %% [markdown]
# ## 3. The lecture's network as a handout
#
# Notebook 4's network: two inputs, three layers of two sigmoid neurons, with the weights of
# the lecture's figure, on the input x = (1, −1).

# %%
model = MLP(2, [2, 2, 2], activation="sigmoid", last_activation="sigmoid")
lecture_weights = {  # layer: (weights of neuron 0, of neuron 1), (bias 0, bias 1)
    0: (([1, -2], [-1, 1]), (1, 0)),
    1: (([2, -1], [-2, -1]), (0, 0)),
    2: (([3, -1], [-1, 4]), (-2, 2)),
}
state = {}
for layer, (weights, biases) in lecture_weights.items():
    for neuron in range(2):
        for i in range(2):
            state[f"layers.{layer}.neurons.{neuron}.w.{i}"] = weights[neuron][i]
        state[f"layers.{layer}.neurons.{neuron}.b"] = biases[neuron]
model.load_state_dict(state)
x = [Value(1.0, label="x1"), Value(-1.0, label="x2")]
values = x
for layer in model.layers:  # name each neuron's sum z and output a, as notebook 4 does
    values = layer(values)
    for neuron, a_out in enumerate(values):
        a_out.label = f"a {layer.name}.N{neuron}"
        a_out.parents[0].label = f"z {layer.name}.N{neuron}"
y_hat = values
L = 0.5 * ((y_hat[0] - 1.0) ** 2 + (y_hat[1] - 0.0) ** 2)  # the target y = (1, 0)
L.label = "L"

# %% [markdown]
# The whole network has too many numbers for one sitting. A seed picks a few, the same
# ones every time, so a class gets one handout; `only` keeps to the neurons' sums and
# outputs: four forward values to compute.

# %%
neurons = [f"{v} L{layer}.N{n}" for layer in range(3) for n in range(2) for v in "za"]
handout = viz.exercise(L, ask="data", seed=4, count=4, only=neurons)
print(handout.blanks)
handout.draw()

# %% [markdown]
# The learner's answers, by the lecture's recipe with plain numbers: z = w₁a₁ + w₂a₂ + b,
# then a = σ(z), layer after layer.


# %%
def sigma(t):
    return 1 / (1 + math.exp(-t))


by_hand = {}
inputs = [1.0, -1.0]
for layer, (weights, biases) in lecture_weights.items():
    outputs = []
    for neuron in range(2):
        z_value = sum(w * v for w, v in zip(weights[neuron], inputs)) + biases[neuron]
        by_hand[f"z L{layer}.N{neuron}"] = z_value
        by_hand[f"a L{layer}.N{neuron}"] = sigma(z_value)
        outputs.append(sigma(z_value))
    inputs = outputs
assert [round(v, 2) for v in inputs] == [0.62, 0.83]  # the numbers in the lecture's figure
result = handout.check({name: by_hand[name] for name in handout.blanks})
print(result)
assert all(result.values())

# %% [markdown]
# And the backward pass: a seed picks four gradients among the first layer's weights and
# the neurons' sums. Each blank's derivation is its hint, so a learner who is stuck sees
# which upstream gradient and which local derivative to multiply.

# %%
first_layer = [f"L0.N{n}.w{i}" for n in range(2) for i in range(2)]
asked = first_layer + [name for name in neurons if name.startswith("z")]
grads = viz.exercise(L, ask="grad", seed=2, count=4, only=asked)
print(grads.blanks)
stuck = grads.blanks[0]
print(grads.check({stuck: 0.0}).hints[stuck])

# %% [markdown]
# The teacher's answers are backward's:

# %%
L.backward()
by_name = {n.label: n for n in topological_order(L) if n.label}
for name, value in grads.solution().items():
    assert math.isclose(value, by_name[name].grad, rel_tol=1e-12), name
print({name: round(value, 5) for name, value in grads.solution().items()})
