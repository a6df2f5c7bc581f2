# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · The way out: the same network in PyTorch
#
# Every gradient in these notebooks came from a graph of scalar Values that you can draw
# and step through. PyTorch computes the same gradients with the same chain rule, only
# on tensors: a layer is one weight matrix W and one bias vector b, and its node in the
# graph is one matrix product, not a cluster of neurons. This notebook trains a network
# here, moves it to PyTorch in one line, and checks that both compute the same outputs
# and the same ∂L/∂θ for every weight, to 12 decimal places. Then it trains on in
# PyTorch and comes back.
#
# **It needs PyTorch**, which the other notebooks do not: from the repository root,
# `make torch` (or `pip install 'autograd-viz[torch]'` in your own environment), then
# restart the kernel.

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograd import no_grad, topological_order
from autograd.data import ArrayDataset, DataLoader, make_moons
from autograd.losses import binary_cross_entropy
from autograd.nn import MLP
from autograd.optim import SGD

try:
    import torch
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "This notebook needs PyTorch: run `make torch` from the repository root (or "
        "`pip install 'autograd-viz[torch]'`), then restart the kernel."
    ) from None

# 110 dpi: 7 inches are 770 pixels, sharp on a laptop and on GitHub, with readable text
plt.rcParams.update(
    {
        "figure.figsize": (7, 3.6),
        "figure.dpi": 110,
        "font.size": 11,
        "figure.constrained_layout.use": True,
    }
)
print(f"PyTorch {torch.__version__}")

# %% [markdown]
# ## Train it here
#
# Two interleaving half moons (synthetic, drawn with numpy from a seed), labels 0 and 1; a
# 2-16-16-1 network with tanh in its hidden layers and a raw score z at its output, trained
# by gradient descent (SGD, η = 0.3) on the binary cross-entropy from logits,
# L = mean of softplus(z) − y·z, in mini-batches of 32. A few epochs only: enough for the
# rough shape of the moons; PyTorch will finish the job.

# %%
X, y = make_moons(300, noise=0.15, seed=0)
y = y.astype(np.float64)  # the targets 0.0 and 1.0, as PyTorch's loss takes them
model = MLP(2, [16, 16, 1], activation="tanh", init="xavier", seed=0)
opt = SGD(model.parameters(), lr=0.3)
loader = DataLoader(ArrayDataset(X, y), batch_size=32, shuffle=True, seed=0)


def accuracy_ours(network: MLP) -> float:
    with no_grad():
        return float(((network(X).data > 0) == (y == 1)).mean())


losses_here = []  # the mean L of each epoch's mini-batches
for _ in range(15):
    epoch_losses = []
    for xb, yb in loader:
        loss = binary_cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        epoch_losses.append(loss.data)
    losses_here.append(np.mean(epoch_losses))
print(f"{len(losses_here)} epochs: L from {losses_here[0]:.3f} to {losses_here[-1]:.3f}")
print(f"accuracy on the training set: {accuracy_ours(model):.1%}")
assert accuracy_ours(model) >= 0.85

# %% [markdown]
# ## Move it: one line
#
# `model.to_torch()` builds a `torch.nn.Sequential` of `Linear` layers with the same
# activations between them, in float64 (PyTorch's default is float32; float64 is what our
# Values hold, so nothing is rounded on the way). Neuron j of layer i becomes **row j** of
# that layer's weight matrix, of shape (outputs, inputs): `W[j, k]` is its weight w_k.

# %%
net = model.to_torch()
print(net)
neuron = model.layers[1].neurons[3]
print(f"L1.N3.w5 = {neuron.w[5].data:+.6f} here, W[3, 5] = {net[2].weight[3, 5].item():+.6f} there")
assert net[2].weight[3, 5].item() == neuron.w[5].data
assert all(p.dtype == torch.float64 for p in net.parameters())

# %% [markdown]
# ## The same outputs, the same gradients
#
# One mini-batch through both, the same loss (PyTorch's
# `binary_cross_entropy_with_logits` is ours), one backward pass each. Ours walks a graph
# of Values (each layer one fused node on a batch, its weights still scalar Values with a
# `.grad` each); PyTorch's walks a graph of tensor operations. Then, for every layer, ∂L/∂W
# from our Values, arranged as W, against PyTorch's `weight.grad`.

# %%
xb, yb = X[:64], y[:64]

model.zero_grad()
loss_ours = binary_cross_entropy(model(xb), yb)
loss_ours.backward()

x_torch = torch.from_numpy(xb)
z_torch = net(x_torch)[:, 0]
loss_torch = torch.nn.functional.binary_cross_entropy_with_logits(z_torch, torch.from_numpy(yb))
loss_torch.backward()

with no_grad():
    z_ours = model(xb).data
gap_z = np.abs(z_ours - z_torch.detach().numpy()).max()
print(f"L here {loss_ours.data:.15f}\nL there {loss_torch.item():.15f}")
print(f"largest difference of the 64 outputs z: {gap_z:.1e}")
assert abs(loss_ours.data - loss_torch.item()) <= 1e-12
assert gap_z <= 1e-12

linears = [m for m in net if isinstance(m, torch.nn.Linear)]
for i, (layer, linear) in enumerate(zip(model.layers, linears)):
    dW = np.array([[w.grad for w in n.w] for n in layer.neurons])  # ∂L/∂W, row j = neuron j
    db = np.array([n.b.grad for n in layer.neurons])
    dW_torch, db_torch = linear.weight.grad.numpy(), linear.bias.grad.numpy()
    gap = max(np.abs(dW - dW_torch).max(), np.abs(db - db_torch).max())
    print(f"layer {i}: ∂L/∂W {dW.shape}, ∂L/∂b {db.shape}, largest difference {gap:.1e}")
    assert gap <= 1e-12


def torch_graph_size(tensor: torch.Tensor) -> int:
    """The operations PyTorch recorded to compute ``tensor`` (its autograd graph)."""
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(parent for parent, _ in node.next_functions)
    return len(seen)


n_parameters = len(model.parameters())
print(
    f"graph of L: {len(topological_order(loss_ours))} Values here ({n_parameters} of them "
    f"weights and biases), {torch_graph_size(loss_torch)} tensor operations there"
)

# %% [markdown]
# The numbers agree to 15 decimal places and more: what is left is rounding, since the two
# libraries add the same numbers in different orders. Ours is the chain rule node by node,
# with every ∂L/∂w a number you can find on a drawing; PyTorch's is the same chain rule
# with one node per matrix operation (`AddmmBackward` for x·Wᵀ + b, `TanhBackward`, ...),
# which is why it scales to millions of weights.
#
# ## Train on in PyTorch, and come back
#
# From here on it is ordinary PyTorch: `torch.optim.SGD` with the same η, on the same kind
# of mini-batches (shuffled by a numpy generator, as our `DataLoader` does), with a copy of
# ours trained beside it to compare. Then
# `MLP.from_torch(net)` reads the trained module back into Values (it also takes a
# `state_dict()`; a module that is not Linear layers and the activations above, a
# convolution say, is refused with a message saying what does not map).

# %%
torch_opt = torch.optim.SGD(net.parameters(), lr=0.3)
twin = MLP.from_torch(net)  # and, to compare, ours trained on the very same mini-batches
twin_opt = SGD(twin.parameters(), lr=0.3)
generator = np.random.default_rng(1)
losses_there, losses_twin = [], []
for _ in range(30):
    order, epoch_losses, twin_losses = generator.permutation(len(X)), [], []
    for start in range(0, len(X), 32):
        batch = order[start : start + 32]
        z = net(torch.from_numpy(X[batch]))[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(y[batch]))
        torch_opt.zero_grad()
        loss.backward()
        torch_opt.step()
        epoch_losses.append(loss.item())

        twin_loss = binary_cross_entropy(twin(X[batch]), y[batch])
        twin_opt.zero_grad()
        twin_loss.backward()
        twin_opt.step()
        twin_losses.append(twin_loss.data)
    losses_there.append(np.mean(epoch_losses))
    losses_twin.append(np.mean(twin_losses))

back = MLP.from_torch(net)
with torch.no_grad():
    z_there = net(torch.from_numpy(X))[:, 0].numpy()
with no_grad():
    z_back = back(X).data
gap_back = np.abs(z_back - z_there).max()
print(back)
print(f"after {len(losses_there)} more epochs in PyTorch: accuracy {accuracy_ours(back):.1%}")
print(f"largest difference of the {len(X)} outputs, back here: {gap_back:.1e}")
assert gap_back <= 1e-12
back_state, twin_state = back.state_dict(), twin.state_dict()
gap_twin = max(abs(back_state[name] - twin_state[name]) for name in back_state)
print(f"the {len(back_state)} parameters trained there and here differ by at most {gap_twin:.1e}")
assert gap_twin <= 1e-12
assert accuracy_ours(back) >= 0.97 and accuracy_ours(back) > accuracy_ours(model)

fig, ax = plt.subplots()
epochs_here = 1 + np.arange(len(losses_here))
epochs_there = len(losses_here) + 1 + np.arange(len(losses_there))
ax.plot(epochs_here, losses_here, "o-", ms=3, label="here: autograd.optim.SGD")
ax.plot(epochs_there, losses_there, "o-", ms=3, label="there: torch.optim.SGD")
ax.plot(epochs_there, losses_twin, "k--", lw=1, label="here too, on the same mini-batches")
ax.axvline(len(losses_here) + 0.5, color="gray", ls="--", lw=1)
ax.text(len(losses_here) + 0.5, max(losses_here) * 0.95, " model.to_torch()", color="gray")
ax.set_xlabel("epoch")
ax.set_ylabel("L (mean over the epoch's mini-batches)")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# One curve across the move: the network is the same, so training goes on where it was.
# (Plain SGD keeps nothing but the weights. An optimizer with state, Adam's running
# averages or SGD's momentum, would start that state afresh in PyTorch.) PyTorch does not
# train better: `twin`, our copy trained here on the very same mini-batches, draws the
# same curve (dashed), and ends with the same parameters to rounding. The plateau near
# L = 0.24 is where this network sits for a while, in either library.
#
# What maps: `Linear` layers with biases, one activation after each (ReLU, Tanh, Sigmoid,
# LeakyReLU(0.01), ELU(1.0), or none), the same one after every hidden layer: that is what
# an `MLP` is. Anything else has no counterpart among our modules, and from then on the
# real tool is the one to use: the same ideas, `loss.backward()` and `p.grad`, at scale.
