# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4 · Forward pass and backward pass of a small network
#
# The lecture's fully connected feedforward network: 2 inputs, three layers of 2 sigmoid
# neurons each. Every neuron computes a weighted sum z = w₁a₁ + w₂a₂ + b of its inputs a and
# passes it through the activation, a = σ(z). For a loss L, backpropagation splits every
# ∂L/∂w with the chain rule into two parts:
#
# $$\frac{\partial L}{\partial w}
# = \frac{\partial z}{\partial w}\cdot\frac{\partial L}{\partial z}$$
#
# * **forward pass**: ∂z/∂w is simply the input a that w multiplies (the notes: "the
#   partial derivative for a weight is the value of its input");
# * **backward pass**: ∂L/∂z is computed from the output layer back, each layer from the
#   next one:
#
# $$\frac{\partial L}{\partial z} = \sigma'(z)\Big[w_3\frac{\partial L}{\partial z'}
# + w_4\frac{\partial L}{\partial z''}\Big],$$
#
# where z′ and z″ are the sums of the next layer's neurons that this neuron feeds with
# weights w₃ and w₄: a network running backwards, with σ′(z) as a fixed amplifier.
#
# We build the lecture's network with `autograd.nn`, reproduce its numbers, draw it
# clustered by neuron, and check both passes against the engine.

# %%
import math

import numpy as np

import autograd
import viz
from autograd import Value
from autograd.functional import gradcheck
from autograd.losses import mse
from autograd.nn import MLP
from autograd.optim import SGD

# %% [markdown]
# ## The lecture's network
#
# `MLP(2, [2, 2, 2], ...)` makes layers `L0`, `L1`, `L2` of two neurons each; we set the
# weights and biases of the lecture's figure with `load_state_dict`. Code and drawings count
# from 0, as Python does, where the formulas count from 1: the w₁ and w₂ of the first
# neuron of the first layer are labelled `L0.N0.w0` and `L0.N0.w1` (the inputs x1, x2 and
# the targets y1, y2 keep the notes' names).

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
print(model)
print(f"{len(model.parameters())} parameters θ, e.g. {model.parameters()[0].label}")

for x, expected in [((1.0, -1.0), [0.62, 0.83]), ((0.0, 0.0), [0.51, 0.85])]:
    y_hat = model(list(x))
    print(f"input {x} → output ŷ = ({y_hat[0].data:.2f}, {y_hat[1].data:.2f})")
    assert [round(v.data, 2) for v in y_hat] == expected  # the numbers in the lecture's figure

# %% [markdown]
# ## The forward pass, layer by layer
#
# Calling each layer on the previous layer's outputs shows every z and a = σ(z). A neuron's
# output a is a `sigmoid` node; its only parent is the sum node z.

# %%
x = [Value(1.0, label="x1"), Value(-1.0, label="x2")]
values = x
layer_inputs, sums, outputs = [], [], []
for layer in model.layers:
    layer_inputs.append(values)
    values = layer(values)
    outputs.append(values)
    for neuron, a in enumerate(values):
        assert a.op == "sigmoid" and a.parents[0].op == "sum"
        a.label, a.parents[0].label = f"a {layer.name}.N{neuron}", f"z {layer.name}.N{neuron}"
    sums.append([a.parents[0] for a in values])
y_hat = values  # the network's output, its prediction ŷ
for layer, layer_sums, layer_outputs in zip(model.layers, sums, outputs):
    row = "   ".join(
        f"z = {z.data:6.3f}  a = σ(z) = {a.data:.3f}" for z, a in zip(layer_sums, layer_outputs)
    )
    print(f"{layer.name}:  {row}")

# %% [markdown]
# The loss compares the output ŷ with a target, here y = (1, 0), by
# L = ½ Σₖ (ŷₖ − yₖ)² (for two outputs that is what `mse` computes: the mean of the squares).

# %%
y = [Value(1.0, label="y1"), Value(0.0, label="y2")]
L = 0.5 * autograd.sum_of([(y_hat_k - y_k) ** 2 for y_hat_k, y_k in zip(y_hat, y)])
L.label = "L"
assert math.isclose(L.data, mse(y_hat, [1.0, 0.0]).data)
L.backward()
print(f"L = {L.data:.4f}")

# %% [markdown]
# ## The whole network, one box per neuron
#
# With `collapse_neurons=True` each neuron (everything created inside its scope) is drawn as
# one box with its output a and the gradient ∂L/∂a; clusters group the layers. The
# loss is on the right.

# %%
viz.draw(L, collapse_neurons=True)

# %% [markdown]
# Zooming into one neuron, `L0.N0`: its two multiply nodes, the sum z and the sigmoid.
# Drawing the sub-graph that ends at its output a shows the gradients ∂L/∂node that the
# backward pass from L left there, and on each edge the local derivative. The edge from each
# weight is labelled with the input it multiplies, x1 = 1 and x2 = −1: the forward-pass
# part ∂z/∂w = input, as in the notes.

# %%
viz.draw(outputs[0][0])

# %% [markdown]
# ## The backward pass by the notes' recipe
#
# Start at the output layer, where ŷ = a: ∂L/∂z = σ′(z) · ∂L/∂ŷ, with ∂L/∂ŷ = ŷ − y.
# Then walk back one layer at a time with the formula above, and finally multiply by the
# forward-pass part: ∂L/∂w = a_input · ∂L/∂z and ∂L/∂b = ∂L/∂z. Plain floats only; the engine
# is used just to read the forward values.


# %%
def sigmoid_derivative(z):
    s = 1 / (1 + math.exp(-z))
    return s * (1 - s)


n_layers = len(model.layers)
dL_dz = [None] * n_layers
dL_dz[-1] = [
    sigmoid_derivative(z.data) * (y_hat_k.data - y_k.data)
    for z, y_hat_k, y_k in zip(sums[-1], y_hat, y)
]
for layer in reversed(range(n_layers - 1)):
    following = model.layers[layer + 1].neurons
    dL_dz[layer] = [
        sigmoid_derivative(z.data)
        * sum(n.w[j].data * g for n, g in zip(following, dL_dz[layer + 1]))
        for j, z in enumerate(sums[layer])
    ]

print("neuron    ∂L/∂z by the recipe   by the engine")
for layer, layer_sums in enumerate(sums):
    for neuron, z in enumerate(layer_sums):
        print(f"L{layer}.N{neuron}     {dL_dz[layer][neuron]:12.6f}     {z.grad:12.6f}")
        assert math.isclose(dL_dz[layer][neuron], z.grad, rel_tol=1e-12, abs_tol=1e-15)

# %%
checked = 0
for layer, module in enumerate(model.layers):
    for neuron, unit in enumerate(module.neurons):
        for w, a_in in zip(unit.w, layer_inputs[layer]):
            assert math.isclose(
                w.grad, a_in.data * dL_dz[layer][neuron], rel_tol=1e-12, abs_tol=1e-15
            )
            checked += 1
        assert math.isclose(unit.b.grad, dL_dz[layer][neuron], rel_tol=1e-12, abs_tol=1e-15)
        checked += 1
print(f"∂L/∂w = a_input · ∂L/∂z and ∂L/∂b = ∂L/∂z hold for all {checked} parameters")

# %% [markdown]
# And the engine's gradients themselves agree with central differences, parameter by
# parameter (`gradcheck` nudges each weight up and down and recomputes L):


# %%
def loss_of_model():
    y_hat = model([1.0, -1.0])
    return 0.5 * autograd.sum_of([(y_hat_k - y_k) ** 2 for y_hat_k, y_k in zip(y_hat, [1.0, 0.0])])


assert gradcheck(lambda *theta: loss_of_model(), model.parameters())
print("gradcheck passed for all", len(model.parameters()), "parameters")

# %% [markdown]
# ## Several samples in one pass
#
# Give each input a numpy array with one entry per sample and the same graph computes all
# of them at once; the weights stay single numbers. Both of the lecture's inputs together:

# %%
batch = model([np.array([1.0, 0.0]), np.array([-1.0, 0.0])])
print("outputs:", [np.round(v.data, 2).tolist() for v in batch])
assert np.allclose(batch[0].data, [model([1.0, -1.0])[0].data, model([0.0, 0.0])[0].data])

# %% [markdown]
# ## One step of gradient descent
#
# With every ∂L/∂θ known, one step θ ← θ − η ∂L/∂θ lowers L. The optimizer does the update;
# `zero_grad()` first, because gradients accumulate across backward passes.

# %%
optimizer = SGD(model.parameters(), lr=1.0)
optimizer.zero_grad()
before = loss_of_model()
before.backward()
optimizer.step()
after = loss_of_model()
print(f"L before the step {before.data:.4f}, after {after.data:.4f}")
assert after.data < before.data

# %% [markdown]
# **Summary.** The forward pass computes every z and a layer by layer, and with them every
# ∂z/∂w = a. The backward pass computes every ∂L/∂z from the output back, each layer from
# the next through the same weights and the amplifier σ′(z). Their product is ∂L/∂w for
# every weight, from one forward and one backward pass, and the engine's `backward()` does
# exactly this.
