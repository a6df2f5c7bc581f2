"""The way out to PyTorch: model.to_torch() and MLP.from_torch() give the same network.

The same inputs give the same outputs and the same gradients (of every weight, bias and
input) in both, to 1e-12, for every activation, one sample or a batch, fused or not;
architectures that do not map are refused with a message naming the part that does not.
PyTorch is optional: where it is missing these tests skip, saying what to install, except
those that check what a user without it gets.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

from autograd import Value
from autograd.nn import MLP
from autograd.optim import SGD

TOLERANCE = 1e-12
ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "linear"]
NEEDS_TORCH = "needs PyTorch: make torch, or pip install 'autograd-viz[torch]'"


@pytest.fixture
def torch():
    if importlib.util.find_spec("torch") is None:
        pytest.skip(NEEDS_TORCH)
    import torch

    return torch


# --------------------------------------------------------------------- without torch


def test_import_autograd_does_not_import_torch():
    code = "import sys, autograd, autograd.nn, autograd.torch_bridge; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_without_torch_the_bridge_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if it were not installed
    model = MLP(2, [1], seed=0)
    with pytest.raises(ModuleNotFoundError, match=r"needs PyTorch.*autograd-viz\[torch\]"):
        model.to_torch()
    with pytest.raises(ModuleNotFoundError, match=r"make torch"):
        MLP.from_torch({})


# --------------------------------------------------------------------- the same numbers


def ours_and_torch(model: MLP, net, X: np.ndarray, Y: np.ndarray, batch: bool, torch):
    """Outputs and gradients of Σ_outputs mean((ŷ − y)²) in both, as numpy arrays by
    torch's names (``0.weight``, ...), plus ``input`` and ``output``."""
    columns = [Value(column) for column in X.T] if batch else [Value(float(x)) for x in X[0]]
    predictions = model(columns)
    predictions = predictions if isinstance(predictions, list) else [predictions]
    if batch:
        loss = sum(((p - y) ** 2).mean() for p, y in zip(predictions, Y.T))
    else:
        loss = sum((p - float(y)) ** 2 for p, y in zip(predictions, Y[0]))
    loss.backward()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    ours = {"output": np.array([p.data for p in predictions]).T.reshape(Y.shape)}
    for i, layer in enumerate(model.layers):
        ours[f"{net_index(net, linears[i])}.weight"] = np.array(
            [[w.grad for w in n.w] for n in layer.neurons]
        )
        ours[f"{net_index(net, linears[i])}.bias"] = np.array([n.b.grad for n in layer.neurons])
    ours["input"] = np.array([c.grad for c in columns]).T.reshape(X.shape)

    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    out = net(x)
    ((out - torch.from_numpy(Y)) ** 2).mean(0).sum().backward()
    theirs = {name: p.grad.numpy() for name, p in net.named_parameters()}
    theirs |= {"output": out.detach().numpy(), "input": x.grad.numpy()}
    return ours, theirs


def net_index(net, module) -> str:
    return next(name for name, m in net.named_children() if m is module)


def assert_same(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name].shape == theirs[name].shape, name
        difference = np.max(np.abs(ours[name] - theirs[name]))
        assert difference <= TOLERANCE, f"{name}: differs by {difference:.3g}"


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("last_activation", ["linear", "sigmoid", "tanh"])
@pytest.mark.parametrize("inputs", ["batch, fused", "batch, node by node", "one sample"])
def test_to_torch_gives_the_same_outputs_and_gradients(torch, activation, last_activation, inputs):
    rng = np.random.default_rng(7)
    model = MLP(
        3,
        [5, 4, 2],
        activation,
        last_activation,
        "xavier",
        seed=1,
        fuse=inputs != "batch, node by node",
    )
    net = model.to_torch()
    samples = 1 if inputs == "one sample" else 16
    X, Y = rng.normal(size=(samples, 3)), rng.normal(size=(samples, 2))
    ours, theirs = ours_and_torch(model, net, X, Y, samples > 1, torch)
    assert_same(ours, theirs)
    assert all(p.dtype == torch.float64 for p in net.parameters())


def test_to_torch_is_linear_layers_and_the_same_activations(torch):
    net = MLP(2, [3, 3, 1], activation="leaky_relu", last_activation="sigmoid").to_torch()
    assert [type(m).__name__ for m in net] == [
        *("Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear", "Sigmoid")
    ]
    assert net[1].negative_slope == 0.01
    assert [(m.in_features, m.out_features) for m in net[::2]] == [(2, 3), (3, 3), (3, 1)]


def test_to_torch_copies_and_leaves_torchs_random_state_alone(torch):
    model = MLP(2, [2, 1], seed=0)
    before, state = torch.get_rng_state(), model.state_dict()
    net = model.to_torch()
    assert torch.equal(torch.get_rng_state(), before)
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert model.state_dict() == state  # a copy: changing one leaves the other


def test_from_torch_reads_a_torch_initialised_float32_network_exactly(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 6), torch.nn.Tanh(),
        torch.nn.Linear(6, 2), torch.nn.Sigmoid(),
    )  # fmt: skip
    model = MLP.from_torch(net)
    assert model.config() == {
        "nin": 3, "nouts": [6, 6, 2], "activation": "tanh", "last_activation": "sigmoid"
    }  # fmt: skip
    assert model.layers[2].neurons[1].w[4].data == float(net[4].weight[1, 4].item())
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    ours, theirs = ours_and_torch(model, copy.deepcopy(net).double(), X, Y, True, torch)
    assert_same(ours, theirs)


def test_there_and_back_is_exact_from_a_module_and_from_a_state_dict(torch):
    model = MLP(4, [8, 3], activation="elu", last_activation="tanh", seed=5)
    again = MLP.from_torch(model.to_torch())
    assert again.config() == model.config() and again.state_dict() == model.state_dict()
    state = model.to_torch().state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    from_state = MLP.from_torch(state, activation="elu", last_activation="tanh")
    assert from_state.config() == model.config()
    assert from_state.state_dict() == model.state_dict()


def test_a_state_dict_takes_mlps_default_activations_and_any_layer_names(torch):
    state = OrderedDict(
        [("fc1.weight", torch.ones(3, 2)), ("fc1.bias", torch.zeros(3)),
         ("out.weight", torch.ones(1, 3)), ("out.bias", torch.zeros(1))]
    )  # fmt: skip
    model = MLP.from_torch(state)
    assert (model.activation, model.last_activation) == ("relu", "linear")
    assert model([1.0, -2.0]).data == 0.0  # relu(1 − 2) = 0 in every hidden neuron
    assert MLP.from_torch(state, activation="linear")([1.0, -2.0]).data == -3.0


def test_nested_sequentials_and_identity_read_through(torch):
    nn = torch.nn
    net = nn.Sequential(
        nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Identity()), nn.Linear(3, 1), nn.Identity()
    )
    model = MLP.from_torch(net)
    assert model.config()["nouts"] == [3, 1] and model.last_activation == "linear"


def test_a_subclass_with_its_own_forward_is_not_taken_for_what_it_extends(torch):
    class Residual(torch.nn.Sequential):
        def forward(self, x):
            return x + super().forward(x)

    class Scaled(torch.nn.Linear):
        def forward(self, x):
            return 2 * super().forward(x)

    with pytest.raises(ValueError, match="cannot map a Residual"):
        MLP.from_torch(Residual(torch.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="cannot map '0': Scaled has no counterpart"):
        MLP.from_torch(torch.nn.Sequential(Scaled(2, 1)))


def test_a_single_linear_is_a_one_layer_mlp(torch):
    linear = torch.nn.Linear(3, 2)
    model = MLP.from_torch(linear)
    assert model.config()["nouts"] == [2] and model.last_activation == "linear"
    assert MLP.from_torch(linear.state_dict()).state_dict() == model.state_dict()


def test_training_both_with_sgd_keeps_them_equal(torch):
    # the same network, loss and optimizer (torch.optim's rules): the same weights after
    model = MLP(2, [6, 1], activation="tanh", seed=2)
    net = model.to_torch()
    ours_opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    their_opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 2)), rng.normal(size=32)
    for _ in range(5):
        loss = ((model(X) - y) ** 2).mean()
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()
        their_loss = ((net(torch.from_numpy(X))[:, 0] - torch.from_numpy(y)) ** 2).mean()
        their_opt.zero_grad()
        their_loss.backward()
        their_opt.step()
        assert abs(loss.data - their_loss.item()) <= TOLERANCE
    back = MLP.from_torch(net).state_dict()
    assert max(abs(back[name] - value) for name, value in model.state_dict().items()) <= TOLERANCE


# --------------------------------------------------------------------- what does not map


def nets(nn):
    """(module or state_dict, what the error must say) for architectures that do not map."""
    lin = nn.Linear
    return {
        "a convolution": (nn.Sequential(nn.Conv2d(1, 1, 3), lin(2, 1)), "'0': Conv2d has no"),
        "dropout": (nn.Sequential(lin(2, 3), nn.Dropout(), lin(3, 1)), "'1': Dropout has no"),
        "no bias": (nn.Sequential(lin(2, 3, bias=False)), "'0': it has no bias"),
        "mixed hidden": (
            nn.Sequential(lin(2, 2), nn.ReLU(), lin(2, 2), nn.Tanh(), lin(2, 1)),
            "relu after '0', tanh after '2'",
        ),
        "two in a row": (nn.Sequential(lin(2, 2), nn.ReLU(), nn.Tanh()), "'2': Tanh comes right"),
        "activation first": (nn.Sequential(nn.ReLU(), lin(2, 1)), "starts with a Linear"),
        "other slope": (nn.Sequential(lin(2, 2), nn.LeakyReLU(0.2), lin(2, 1)), "0.2"),
        "other alpha": (nn.Sequential(lin(2, 2), nn.ELU(2.0), lin(2, 1)), "alpha 2.0"),
        "shapes": (nn.Sequential(lin(2, 3), nn.ReLU(), lin(4, 1)), "takes 4 inputs"),
        "empty": (nn.Sequential(), "no Linear layer"),
        "own forward": (nn.Bilinear(2, 2, 1), "Pass its state_dict() instead"),
        "a buffer": ({**lin(2, 1).state_dict(), "bn.running_mean": np.zeros(1)}, "bn.running_mean"),
        "no bias key": ({"0.weight": np.ones((1, 2))}, "no bias for it"),
        "bias shape": ({"0.weight": np.ones((2, 2)), "0.bias": np.ones(3)}, "got (2, 2) and (3,)"),
        "nan": ({"0.weight": np.full((1, 2), np.nan), "0.bias": np.ones(1)}, "holds nan or inf"),
    }


@pytest.mark.parametrize(
    "case",
    [
        *("a convolution", "dropout", "no bias", "mixed hidden", "two in a row"),
        *("activation first", "other slope", "other alpha", "shapes", "empty"),
        *("own forward", "a buffer", "no bias key", "bias shape", "nan"),
    ],
)
def test_architectures_that_do_not_map_are_named(torch, case):
    source, message = nets(torch.nn)[case]
    with pytest.raises(ValueError, match="cannot map") as error:
        MLP.from_torch(source)
    assert message in str(error.value)


def test_wrong_kinds_and_disagreeing_activations_are_clear_errors(torch):
    with pytest.raises(TypeError, match=r"torch\.nn\.Module or its state_dict"):
        MLP.from_torch([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"state_dict\['0.weight'\] must be a tensor"):
        MLP.from_torch({"0.weight": [[1.0]], "0.bias": [0.0]})
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match="activation='relu', but the module has 'tanh'"):
        MLP.from_torch(net, activation="relu")
    assert MLP.from_torch(net, activation="tanh").activation == "tanh"  # agreeing is fine
    with pytest.raises(ValueError, match="unknown activation 'swish'; valid names: relu"):
        MLP.from_torch(net.state_dict(), activation="swish")
