"""The way out to PyTorch: the same network, the same numbers, in the real tool.

``model.to_torch()`` and ``MLP.from_torch(module)`` (autograd/nn.py) call this module.
An ``autograd.nn.MLP`` is what PyTorch writes as a ``torch.nn.Sequential`` of ``Linear``
layers with an activation after each hidden one (and after the last one, unless it is
linear). Neuron ``j`` of layer ``i`` is row ``j`` of that ``Linear``'s weight matrix:

=======================================  ==========================================
autograd.nn                              torch.nn.Sequential
=======================================  ==========================================
``model.layers[i].neurons[j].w[k]``      ``linears[i].weight[j, k]`` (out, in)
``model.layers[i].neurons[j].b``         ``linears[i].bias[j]``
``activation="relu"``, ``"tanh"``, ...   ``ReLU()``, ``Tanh()``, ``Sigmoid()``,
                                         ``LeakyReLU(0.01)``, ``ELU(1.0)``
``last_activation="linear"``             no module after the last ``Linear``
=======================================  ==========================================

where ``linears`` are the ``Linear`` modules in order. The numbers are copied in float64,
PyTorch's ``torch.float64`` and our floats alike, so both networks give the same outputs
and gradients for the same inputs, to rounding (tests/test_torch_bridge.py: 1e-12).

PyTorch is optional (``pip install 'autograd-viz[torch]'``): it is imported here on first
use, never by ``import autograd``.

>>> from autograd.nn import MLP
>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> net = to_torch(model)
>>> [type(m).__name__ for m in net], net[0].weight.dtype
(['Linear', 'Tanh', 'Linear'], torch.float64)
>>> net[0].weight[1, 0].item() == model.layers[0].neurons[1].w[0].data
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

INSTALL = "pip install 'autograd-viz[torch]' (in this repository: make torch)"

# Our activation names (autograd.nn.ACTIVATIONS) and the torch.nn module of each; ours use
# PyTorch's defaults, LeakyReLU's slope 0.01 and ELU's alpha 1.0.
TORCH_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "relu": lambda nn: nn.ReLU(),
    "tanh": lambda nn: nn.Tanh(),
    "sigmoid": lambda nn: nn.Sigmoid(),
    "leaky_relu": lambda nn: nn.LeakyReLU(0.01),
    "elu": lambda nn: nn.ELU(1.0),
}
LINEAR = "linear"
NAMES = ", ".join([*TORCH_ACTIVATIONS, LINEAR])


def import_torch() -> Any:
    """``torch``, or ModuleNotFoundError saying how to install it.

    >>> import_torch().__name__
    'torch'
    """
    try:
        import torch
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            f"the bridge to PyTorch needs PyTorch, which is not installed: {INSTALL}"
        ) from None
    return torch


def to_torch(model: Any) -> torch.nn.Sequential:
    """The network ``model`` (an ``autograd.nn.MLP``) as a ``torch.nn.Sequential`` in
    float64 with the same weights: ``model.to_torch()`` calls this.

    The module is new (changing one network leaves the other as it is) and drawn from no
    random numbers: PyTorch's random state is left as it was.

    >>> from autograd.nn import MLP
    >>> to_torch(MLP(3, [4, 2], activation="relu", seed=0))
    Sequential(
      (0): Linear(in_features=3, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=2, bias=True)
    )
    """
    torch = import_torch()
    modules = []
    for layer in model.layers:
        weight = [[float(w.data) for w in neuron.w] for neuron in layer.neurons]
        bias = [float(neuron.b.data) for neuron in layer.neurons]
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, len(weight[0]), len(weight), dtype=torch.float64
        )
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(bias, dtype=torch.float64))
        modules.append(linear)
        if layer.activation != LINEAR:
            modules.append(TORCH_ACTIVATIONS[layer.activation](torch.nn))
    return torch.nn.Sequential(*modules)


def mlp_arguments(
    source: Any, activation: str | None = None, last_activation: str | None = None
) -> tuple[dict[str, Any], dict[str, float]]:
    """What ``MLP.from_torch(source)`` builds: the MLP's constructor arguments and its
    ``state_dict``, read from a torch module or from a torch ``state_dict``.

    - A ``torch.nn.Sequential`` (nested ones are read through) of ``Linear`` layers with
      biases, each followed by at most one activation, the same one after every hidden
      layer; or a single ``Linear``. Its activations are read from it; ``activation`` and
      ``last_activation``, if given, must agree.
    - A ``state_dict`` (a mapping of names to tensors or numpy arrays) holding the
      ``weight`` and ``bias`` of each ``Linear``, in order, and nothing else. It holds no
      activations: they are ``activation`` (default ``"relu"``) and ``last_activation``
      (default ``"linear"``), MLP's defaults.

    Anything else raises a ValueError (TypeError for the wrong kind of object) that names
    the module or key that does not map, and why.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    >>> config, state = mlp_arguments(net)
    >>> config
    {'nin': 2, 'nouts': [3, 1], 'activation': 'tanh', 'last_activation': 'linear'}
    >>> state["layers.0.neurons.2.w.1"] == net[0].weight[2, 1].item()
    True
    """
    torch = import_torch()
    if isinstance(source, torch.nn.Module):
        layers, found_hidden, found_last = _read_module(source, torch)
        activation = _agree("activation", activation, found_hidden)
        last_activation = _agree("last_activation", last_activation, found_last)
    elif isinstance(source, Mapping):
        layers = _read_state_dict(source, torch)
        activation = _check_name("activation", "relu" if activation is None else activation)
        last_activation = _check_name(
            "last_activation", LINEAR if last_activation is None else last_activation
        )
    else:
        raise TypeError(
            f"from_torch takes a torch.nn.Module or its state_dict(), not {type(source).__name__}"
        )
    _check_shapes(layers)
    config = {
        "nin": layers[0][1].shape[1],
        "nouts": [weight.shape[0] for _, weight, _ in layers],
        "activation": activation,
        "last_activation": last_activation,
    }
    state = {}
    for i, (_, weight, bias) in enumerate(layers):
        for j, (row, b) in enumerate(zip(weight, bias)):
            for k, w in enumerate(row):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = float(w)
            state[f"layers.{i}.neurons.{j}.b"] = float(b)
    return config, state


# --------------------------------------------------------------------- reading torch

Layers = list[tuple[str, np.ndarray, np.ndarray]]  # (name in torch, weight, bias) per Linear


def _read_module(module: Any, torch: Any) -> tuple[Layers, str | None, str]:
    """The Linear layers of a module and the activations after them: the hidden layers'
    (None when there is no hidden layer) and the last one's."""
    if not _computes_as(module, torch.nn.Sequential) and not _computes_as(module, torch.nn.Linear):
        raise ValueError(
            f"cannot map a {type(module).__name__} to an MLP: from_torch reads a "
            "torch.nn.Sequential of Linear layers and activations (or one Linear), whose "
            "order is the order it computes in; a module with its own forward() does not "
            "say its order. Pass its state_dict() instead, with activation=... "
            "(and last_activation=...)"
        )
    layers: Layers = []
    after: list[str] = []  # the activation after each Linear
    lone = isinstance(module, torch.nn.Linear)
    for name, child in [("Linear", module)] if lone else _flattened(module, torch):
        if type(child) is torch.nn.Identity:  # computes nothing: as if it were not there
            continue
        if _computes_as(child, torch.nn.Linear):
            if child.bias is None:
                raise ValueError(
                    f"cannot map Linear {name!r}: it has no bias, and every neuron of an "
                    "MLP has one (build it with bias=True)"
                )
            layers.append((name, _array(child.weight, torch), _array(child.bias, torch)))
            after.append(LINEAR)
            continue
        found = _activation_of(name, child, torch)
        if not layers:
            raise ValueError(f"cannot map {name!r}: an MLP starts with a Linear layer")
        if after[-1] != LINEAR:
            raise ValueError(
                f"cannot map {name!r}: {type(child).__name__} comes right after another "
                "activation; an MLP has one activation after each Linear layer"
            )
        after[-1] = found
    if not layers:
        raise ValueError("cannot map an empty module to an MLP: it has no Linear layer")
    hidden = sorted(set(after[:-1]))
    if len(hidden) > 1:
        places = ", ".join(f"{a} after {name!r}" for (name, _, _), a in zip(layers, after[:-1]))
        raise ValueError(
            f"cannot map the hidden layers' activations ({places}): an MLP gives every "
            "hidden layer the same one"
        )
    return layers, hidden[0] if hidden else None, after[-1]


def _flattened(module: Any, torch: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The modules of a Sequential in order, with their names; nested ones read through."""
    found = []
    for name, child in module.named_children():
        if _computes_as(child, torch.nn.Sequential):
            found += _flattened(child, torch, f"{prefix}{name}.")
        else:
            found.append((f"{prefix}{name}", child))
    return found


def _computes_as(module: Any, kind: type) -> bool:
    """Whether ``module`` is a ``kind`` (or a subclass) that computes as ``kind`` does: a
    subclass with a forward() of its own may compute anything."""
    return isinstance(module, kind) and type(module).forward is kind.forward


def _activation_of(name: str, module: Any, torch: Any) -> str:
    """Our name for the activation module ``module``, or ValueError saying why not."""
    nn = torch.nn
    simple = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
    if type(module) in simple:
        return simple[type(module)]
    if type(module) is nn.LeakyReLU and module.negative_slope == 0.01:
        return "leaky_relu"
    if type(module) is nn.ELU and module.alpha == 1.0:
        return "elu"
    if type(module) in (nn.LeakyReLU, nn.ELU):
        setting = "negative_slope" if type(module) is nn.LeakyReLU else "alpha"
        raise ValueError(
            f"cannot map {name!r}: {module!r} has {setting} {getattr(module, setting)}; "
            "autograd.nn's leaky_relu and elu use PyTorch's defaults, 0.01 and 1.0"
        )
    raise ValueError(
        f"cannot map {name!r}: {type(module).__name__} has no counterpart in an MLP, which "
        f"holds Linear layers and the activations {', '.join(_torch_names(torch))}"
    )


def _torch_names(torch: Any) -> list[str]:
    return [type(make(torch.nn)).__name__ for make in TORCH_ACTIVATIONS.values()]


def _read_state_dict(state: Mapping, torch: Any) -> Layers:
    """The (weight, bias) of each Linear in a state_dict, in its order."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        prefix, _, kind = str(key).rpartition(".")
        if kind not in ("weight", "bias"):
            raise ValueError(
                f"cannot map state_dict key {key!r}: an MLP's state_dict holds only the "
                "weight and bias of each Linear layer"
            )
        if not isinstance(value, torch.Tensor | np.ndarray):
            raise TypeError(
                f"state_dict[{key!r}] must be a tensor or a numpy array, not {type(value).__name__}"
            )
        groups.setdefault(prefix, {})[kind] = _array(value, torch)
    if not groups:
        raise ValueError("cannot map an empty state_dict to an MLP: it has no Linear layer")
    layers: Layers = []
    for prefix, found in groups.items():
        name = prefix or "(the module itself)"
        if set(found) != {"weight", "bias"}:
            missing = "bias" if "weight" in found else "weight"
            raise ValueError(f"cannot map layer {name!r}: the state_dict has no {missing} for it")
        if found["weight"].ndim != 2 or found["bias"].shape != found["weight"].shape[:1]:
            raise ValueError(
                f"cannot map layer {name!r}: a Linear layer's weight is (out, in) and its bias "
                f"(out,), got {found['weight'].shape} and {found['bias'].shape}"
            )
        layers.append((prefix, found["weight"], found["bias"]))
    return layers


def _array(numbers: Any, torch: Any) -> np.ndarray:
    """A tensor's (or array's) numbers as a new float64 numpy array (exact from float32)."""
    if isinstance(numbers, np.ndarray):
        return numbers.astype(np.float64)
    return numbers.detach().to(device="cpu", dtype=torch.float64).numpy().copy()


def _check_shapes(layers: Layers) -> None:
    """Each layer reads what the one before it gives, and every number is finite."""
    for (before, previous, _), (name, weight, _) in itertools.pairwise(layers):
        if weight.shape[1] != previous.shape[0]:
            raise ValueError(
                f"cannot map layer {name!r}: it takes {weight.shape[1]} inputs, and layer "
                f"{before!r} before it gives {previous.shape[0]}"
            )
    for name, weight, bias in layers:
        for what, numbers in (("weight", weight), ("bias", bias)):
            if numbers.size == 0:
                raise ValueError(f"cannot map layer {name!r}: its {what} is empty")
            if not np.isfinite(numbers).all():
                raise ValueError(f"cannot map layer {name!r}: its {what} holds nan or inf")


def _agree(what: str, given: str | None, found: str | None) -> str:
    """The activation the module has, checked against the one asked for (if any)."""
    if found is None:  # no hidden layer: the module says nothing, MLP's default it is
        return _check_name(what, "relu" if given is None else given)
    if given is not None and _check_name(what, given) != found:
        raise ValueError(
            f"{what}={given!r}, but the module has {found!r} there; leave {what} out to take "
            "the module's"
        )
    return found


def _check_name(what: str, name: object) -> str:
    if name not in (*TORCH_ACTIVATIONS, LINEAR):
        raise ValueError(f"unknown {what} {name!r}; valid names: {NAMES}")
    return str(name)
