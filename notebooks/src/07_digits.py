# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 7 · Handwritten digits: a real network, trained with mini-batches
#
# The notes' handwriting example: an image goes in as a vector of pixels, 10 numbers come
# out, one per digit, and the network is trained to make the cross-entropy between its
# softmax output ŷ and the one-hot target y small, summed over all training images (the
# *total loss*). Gradient descent on the total loss uses **mini-batches**: each step
# computes L on a small random batch of images and updates θ with its gradient.
#
# The data is real: the UCI handwritten digits, 1797 images of 8 × 8 pixels (64 inputs
# instead of the notes' 16 × 16 = 256), written by 43 people and shipped with scikit-learn,
# so nothing is downloaded. The tools are the ones the notes meet in PyTorch: a `Dataset`
# that returns (image, label) pairs and a `DataLoader` that cuts it into shuffled
# mini-batches.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from autograd import no_grad, topological_order
from autograd.data import ArrayDataset, DataLoader, load_digits, train_test_split
from autograd.functional import gradcheck
from autograd.losses import cross_entropy, l2, softmax
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

images, labels = load_digits()
images = images / 16.0  # pixel values 0..16 → 0..1
x_train, x_test, y_train, y_test = train_test_split(images, labels, test_fraction=0.25, seed=0)
print(
    f"{len(images)} images of {images.shape[1]} pixels: "
    f"{len(x_train)} to train on, {len(x_test)} to test"
)

fig, axes = plt.subplots(2, 10, figsize=(10, 2.6))
for ax, image, label in zip(axes.flat, x_train, y_train):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Dataset and DataLoader
#
# `ArrayDataset` pairs the images with their labels; `dataset[i]` is one (image, label)
# pair. The `DataLoader` shuffles the order every epoch and yields batches. With
# `columns=True` a batch of images comes as 64 columns, one per pixel, each holding that
# pixel for all the images of the batch: exactly the input of a **batched** network, where
# every node of the graph holds one number per image. The graph is the one a learner would
# draw for a single image; numpy does the work for all 256 images at once.

# %%
train_set = ArrayDataset(x_train, y_train)
image, label = train_set[0]
print(f"dataset: {train_set}; one sample: image of shape {image.shape}, label {label}")

loader = DataLoader(train_set, batch_size=256, shuffle=True, seed=0, columns=True)
columns, batch_labels = next(iter(loader))
print(
    f"{len(loader)} batches per epoch; a batch: "
    f"{len(columns)} columns of {len(columns[0])} values, "
    f"labels {batch_labels[:8]}…"
)

# %% [markdown]
# ## The network
#
# 64 inputs → 32 ReLU neurons → 10 outputs (the logits z; softmax and cross-entropy are
# applied by the loss, whose gradient is ∂L/∂z = ŷ − y, notebook 5). The weights start small and
# random (`init="he"`, discussed below).
#
# On a batch, each layer computes all its neurons with one matrix product, Z = X·Wᵀ + b,
# recorded as one *fused* node whose backward is one vector-Jacobian product
# (∂L/∂W = dZᵀ·X, ∂L/∂X = dZ·W). The weights are still the same 2,410 scalar Values, and
# drawings show the layer neuron by neuron; only the graph is smaller, and training faster.

# %%
model = MLP(64, [32, 10], activation="relu", init="he", seed=0)
n_parameters = len(model.parameters())
one_image = model(list(x_train[0]))
one_batch = model(columns)
nodes = len(topological_order(cross_entropy(one_image, int(y_train[0]))))
batch_nodes = len(topological_order(cross_entropy(one_batch, batch_labels)))
for layer in model.layers:
    layer.fuse = False  # the batch again, neuron by neuron (every product, every sum)
unfused_nodes = len(topological_order(cross_entropy(model(columns), batch_labels)))
for layer in model.layers:
    layer.fuse = True
print(f"θ has {n_parameters} parameters (64·32 + 32 + 32·10 + 10)")
print(
    f"graph of the loss: {nodes} nodes for one image; for a batch of {len(batch_labels)}, "
    f"{unfused_nodes} neuron by neuron, {batch_nodes} with fused layers"
)
assert n_parameters == 64 * 32 + 32 + 32 * 10 + 10

# Backpropagation through the whole network agrees with central differences, checked on
# every 300th parameter, from both layers (each one costs two forward passes).
sample = model.parameters()[::300]
few_columns = [column[:32] for column in columns]
assert gradcheck(lambda *theta: cross_entropy(model(few_columns), batch_labels[:32]), sample)
print(f"gradcheck passed for {len(sample)} parameters: {[p.label for p in sample]}")


def evaluate(model, x, y):
    """(mean cross-entropy, accuracy) on images x with labels y; no graph is kept."""
    with no_grad():
        logits = model(x)  # a 2-D array of rows is one batch too
        loss = cross_entropy(logits, y).data
    return loss, float(np.mean(np.argmax([z.data for z in logits], axis=0) == y))


# %% [markdown]
# ## Training
#
# Each step: forward pass on a mini-batch, L = mean cross-entropy, `zero_grad()` and
# `backward()`, then Adam updates θ (Adam: notebook 6). One **epoch** is one pass over all
# training images.


# %%
def train(model, epochs, lr=0.02, weight_decay=0.0, seed=0, desc="epochs"):
    optimizer = Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loader = DataLoader(train_set, batch_size=256, shuffle=True, seed=seed, columns=True)
    history = []
    for _ in tqdm(range(epochs), desc=desc):
        for columns, targets in loader:
            optimizer.zero_grad()
            loss = cross_entropy(model(columns), targets)
            loss.backward()
            optimizer.step()
        history.append((*evaluate(model, x_train, y_train), evaluate(model, x_test, y_test)[1]))
    return np.array(history)  # per epoch: training loss, training accuracy, test accuracy


start = time.perf_counter()
initial_loss = evaluate(model, x_train, y_train)[0]
history = train(model, epochs=10)
seconds = time.perf_counter() - start
print(f"{seconds:.1f} s for {10 * len(loader)} steps and 10 evaluations")
print(f"training loss {initial_loss:.3f} → {history[-1, 0]:.3f}")
print(f"accuracy: training {history[-1, 1]:.1%}, test {history[-1, 2]:.1%}")
assert history[-1, 0] < initial_loss / 5
assert history[-1, 2] > 0.9  # 10 classes: guessing would give 10 %

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
epochs = np.arange(1, len(history) + 1)
left.plot(epochs, history[:, 0], "o-")
left.set(xlabel="epoch", ylabel="training loss (cross-entropy)")
right.plot(epochs, history[:, 1], "o-", label="training images")
right.plot(epochs, history[:, 2], "o-", label="test images")
right.set(xlabel="epoch", ylabel="accuracy", ylim=(0.5, 1.0))
right.legend()
plt.show()

# %% [markdown]
# Some test images with the network's answer and its softmax probability. The network
# has never seen these images; the ones it gets wrong are often hard for people too.

# %%
with no_grad():
    probabilities = np.array([p.data for p in softmax(model(x_test))])
predicted = probabilities.argmax(axis=0)
wrong = np.flatnonzero(predicted != y_test)
shown = [*range(6), *wrong[:4]]
fig, axes = plt.subplots(1, len(shown), figsize=(10, 1.8))
for ax, k in zip(axes, shown):
    ax.imshow(x_test[k].reshape(8, 8), cmap="gray_r")
    colour = "green" if predicted[k] == y_test[k] else "red"
    ax.set_title(f"{predicted[k]} ({probabilities[predicted[k], k]:.0%})", color=colour)
    ax.axis("off")
plt.show()
print(
    f"{len(wrong)} of {len(y_test)} test images wrong; "
    f"shown in red: true digits {y_test[wrong[:4]]}"
)

# %% [markdown]
# ## Weight initialisation
#
# Where gradient descent starts matters. With 64 inputs, weights drawn from U(−1, 1) make
# each weighted sum z a sum of 64 sizeable terms: the logits come out large, the softmax is
# confidently wrong, and the first steps are spent undoing that. Scaling the random weights
# by the number of inputs keeps z of a steady size through the layers: *Xavier*
# (Glorot) for tanh and sigmoid, *He* (Kaiming) for ReLU, whose bound √(6/n_in) makes up for
# ReLU zeroing half its inputs. Three epochs from each start:

# %%
init_results = {}
for init in ["uniform", "xavier", "he"]:
    candidate = MLP(64, [32, 10], activation="relu", init=init, seed=1)
    start_loss = evaluate(candidate, x_train, y_train)[0]
    with no_grad():
        logit_spread = float(np.std([z.data for z in candidate(x_train)]))
    result = train(candidate, epochs=3, desc=f"init={init}")
    init_results[init] = (start_loss, logit_spread, *result[-1])

print("init      L at start   logit std   L after 3 epochs   test accuracy")
for init, (start_loss, spread, loss, _, test_accuracy) in init_results.items():
    print(f"{init:8s}  {start_loss:10.3f}   {spread:9.2f}   {loss:16.3f}   {test_accuracy:12.1%}")
assert init_results["uniform"][0] > 2 * init_results["he"][0]  # a much worse start...
assert init_results["uniform"][2] > init_results["he"][2]  # ...still worse after 3 epochs

# %% [markdown]
# ## L2 regularisation
#
# As in notebook 8, add λ Σ w² to the cross-entropy L_CE: L = L_CE + λ Σᵢ wᵢ². Its
# gradient adds 2λw to each ∂L_CE/∂w. The optimizers' `weight_decay` option adds exactly
# `weight_decay · w` to each gradient, so `weight_decay = 2λ` takes the same steps without
# building a graph node for each of the 2410 squares. We check that on one step:


# %%
def one_step(use_weight_decay, lam=1e-3):
    net = MLP(64, [32, 10], activation="relu", init="he", seed=2)
    optimizer = Adam(net.parameters(), lr=0.02, weight_decay=2 * lam if use_weight_decay else 0.0)
    loss = cross_entropy(net(columns), batch_labels)
    if not use_weight_decay:
        loss = loss + lam * l2(net)  # l2(model) = Σ over all its parameters of p²
    loss.backward()
    optimizer.step()
    return np.array([p.data for p in net.parameters()])


difference = np.abs(one_step(True) - one_step(False)).max()
print(f"largest difference between the two updates: {difference:.1e}")
assert difference < 1e-12

# %% [markdown]
# Regularisation matters most when there is little data. Train on only 150 images for the
# same number of steps with λ = 0, 10⁻³ and 10⁻²:

# %%
few = ArrayDataset(x_train[:150], y_train[:150])
l2_results, first_layer = {}, {}
for lam in [0.0, 1e-3, 1e-2]:
    net = MLP(64, [32, 10], activation="relu", init="he", seed=0)
    optimizer = Adam(net.parameters(), lr=0.03, weight_decay=2 * lam)
    batch, targets = next(iter(DataLoader(few, batch_size=150, columns=True)))  # all 150
    for _ in tqdm(range(40), desc=f"λ = {lam:g}"):
        optimizer.zero_grad()
        cross_entropy(net(batch), targets).backward()
        optimizer.step()
    squares = sum(p.data**2 for p in net.parameters())
    l2_results[lam] = (evaluate(net, *few[:])[1], evaluate(net, x_test, y_test)[1], squares)
    first_layer[lam] = [[w.data for w in neuron.w] for neuron in net.layers[0].neurons[:6]]

print("     λ   training acc.   test acc.    Σ w²")
for lam, (train_accuracy, test_accuracy, squares) in l2_results.items():
    print(f"{lam:6g}   {train_accuracy:13.1%}   {test_accuracy:9.1%}   {squares:6.1f}")
sizes = [l2_results[lam][2] for lam in l2_results]
assert sizes[0] > sizes[1] > sizes[2]  # a larger λ keeps the weights smaller

fig, axes = plt.subplots(3, 6, figsize=(8, 4.4))
largest = np.abs(first_layer[0.0]).max()  # one colour scale for all: white is 0
for row, lam in zip(axes, first_layer):
    for ax, weights in zip(row, first_layer[lam]):
        ax.imshow(np.reshape(weights, (8, 8)), cmap="RdBu", vmin=-largest, vmax=largest)
        ax.axis("off")
    row[0].set_title(f"λ = {lam:g}", loc="left")
fig.suptitle("weights of 6 first-layer neurons, as 8×8 images")
plt.show()

# %% [markdown]
# With 150 images the network learns the training set (almost) perfectly whatever λ is;
# the penalty shrinks the weights, while the test accuracy barely changes. The weight
# images show where the shrinking is plainest: pixels at the edge of the 8 × 8 frame are
# blank in nearly every image, so their weights get almost no gradient from the data and
# keep their random start when λ = 0; with L2 only the decay acts on them and they fade
# to 0 (white). λ is a hyperparameter: pick it by the accuracy on held-out data, never
# on the training data, where λ = 0 always looks best.
#
# **Summary.** A network of 2410 parameters, trained with mini-batches from a DataLoader,
# reads handwritten digits it has never seen with over 90 % accuracy after a few seconds.
# Batched Values keep the graph as small as for one image. Where training starts
# (initialisation) and how large the weights may grow (L2) both show up in the numbers.
