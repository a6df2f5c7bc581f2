"""Neurons, layers and multi-layer perceptrons built from scalar Values.

A ``Neuron`` holds one weight per input and a bias, and computes
``act(w0·x0 + w1·x1 + ... + b)`` as one n-ary sum node followed by the activation. A
``Layer`` is a list of neurons that read the same inputs; an ``MLP`` is a list of layers.
Every module is a ``Module``: it finds its parameters by walking its attributes, so
``named_parameters()`` gives stable names such as ``layers.0.neurons.1.w.0``, and it can
save and load them as JSON.

>>> model = MLP(2, [4, 1], seed=0)
>>> y = model([1.0, -2.0])             # one sample: a sequence of numbers
>>> y.backward()
>>> len(model.parameters()), model.parameters()[0].label
(17, 'L0.N0.w0')

Inputs. A module reads ``nin`` inputs, given as any of:

- a sequence of ``nin`` numbers or Values: one sample (a 1-D numpy array is such a sequence);
- a sequence of ``nin`` 1-D numpy arrays, one column per feature, all the same length: a
  batch, trained in one forward/backward pass at numpy speed;
- a 2-D numpy array of shape (samples, nin), as PyTorch takes it: the same batch, by rows.

Names. A parameter has two names, one for code and one for pictures, and this is the
one place that maps them:

=============================  ==================  ==========================================
``state_dict()`` key           drawing label       what it is
=============================  ==================  ==========================================
``layers.1.neurons.2.w.0``     ``L1.N2.w0``        MLP layer 1, neuron 2, weight of input 0
``layers.1.neurons.2.b``       ``L1.N2.b``         MLP layer 1, neuron 2, bias
``neurons.2.w.0``              ``{name}.N2.w0``    a Layer's neuron 2 (``name`` "L0" unless given)
``w.0`` / ``b``                ``{name}.w0`` ...   a Neuron (``name`` "N0" unless given)
=============================  ==================  ==========================================

The key is the attribute path, as in PyTorch (``model.layers[1].neurons[2].w[0]``), and
works for any Module; the label is short enough to fit in a node of a drawing. Every node a
neuron computes carries the scope ``"L1.N2"``, so the visualizer draws one cluster per
neuron, and per layer by the ``"L1"`` prefix.

>>> [(key, p.label) for key, p in MLP(1, [1, 1], seed=0).named_parameters()][-2:]
[('layers.1.neurons.0.w.0', 'L1.N0.w0'), ('layers.1.neurons.0.b', 'L1.N0.b')]

Saving. ``model.save(path)`` writes JSON (never pickle); ``MLP.load(path)`` builds the
network the file describes, and ``model.load(path)`` sets an existing model's parameters.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import types
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd import fused
from autograd.activations import ACTIVATIONS, Activation
from autograd.combine import sum_of
from autograd.engine import Value, activate, block, scope
from autograd.files import atomic_file
from autograd.modes import current

Seed = int | np.random.Generator | None

INITS = ("uniform", "xavier", "he")

# The header of a saved file, so that loading some other JSON says what is wrong.
FILE_FORMAT = "autograd-viz state_dict"
FILE_VERSION = 1  # files may also describe the model ("model"), which version-1 readers skip


class _ClassOrInstanceMethod:
    """A method with one meaning on the class and another on an instance.

    ``MLP.load(path)`` should build a model, as a PyTorch user reaches for first, and
    ``model.load(path)`` should fill an existing one: one name, two functions.
    """

    def __init__(self, on_class: Callable, on_instance: Callable) -> None:
        self.on_class, self.on_instance = on_class, on_instance
        self.__doc__ = f"{on_class.__doc__}\n\nOn a model: {on_instance.__doc__}"

    def __get__(self, instance: object, owner: type) -> Callable:
        if instance is None:
            return types.MethodType(self.on_class, owner)
        return types.MethodType(self.on_instance, instance)


# --------------------------------------------------------------------- Module


class Module:
    """Base class of everything with parameters: call it to run ``forward``.

    Parameters are found by walking the attributes in the order they were assigned:
    a Value attribute is a parameter, a Module attribute is searched recursively, and a
    list or tuple is searched item by item (its index becomes part of the name).
    Attributes whose name starts with ``_`` are skipped.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.w = Value(2.0)
    ...         self.b = Value(1.0)
    ...     def forward(self, x):
    ...         return self.w * x + self.b
    >>> f = Affine()
    >>> f(3.0).data, [name for name, _ in f.named_parameters()]
    (7.0, ['w', 'b'])
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return run_forward_hooks(self, args, self.forward(*args, **kwargs))

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward pass (PyTorch's hook).

        A hook that returns something other than None replaces the output. An MLP runs the
        hooks of its layers too. ``handle.remove()`` takes the hook off again.

        >>> seen = []
        >>> layer = Layer(1, 2, seed=0)
        >>> handle = layer.register_forward_hook(lambda m, inputs, out: seen.append(len(out)))
        >>> _ = layer([1.0]); handle.remove(); _ = layer([1.0])
        >>> seen                        # one call: the hook was removed before the second
        [2]
        """
        hooks = self.__dict__.setdefault("_forward_hooks", {})
        key = next(_HOOK_KEYS)  # never reused: an old handle cannot remove a newer hook
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output from its inputs; each module defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Yield ``(dotted name, parameter)`` pairs in a stable order; a shared one once.

        >>> [name for name, _ in Neuron(2).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        seen: set[Value] = set()
        for prefix, key, parameter in _walk(self):
            if parameter not in seen:
                seen.add(parameter)
                yield f"{prefix}.{key}" if prefix else str(key), parameter

    def parameters(self) -> list[Value]:
        """All parameters, in the order of ``named_parameters()``.

        >>> len(Layer(3, 2).parameters())      # 2 neurons × (3 weights + 1 bias)
        8
        """
        return list(self._found()[0])

    def _found(self) -> tuple[list[Value], list[Value]]:
        """``(parameters, blocks)``, cached until an attribute the walk read changes."""
        cached = _PARAMETERS.get(self)
        if cached is not None and _unchanged(cached[2]):
            return cached[0], cached[1]
        containers: list[tuple[Any, Any]] = []
        found = _walk(self, containers)
        parameters = list(dict.fromkeys(parameter for _, _, parameter in found))  # shared: once
        blocks = list(dict.fromkeys(p if p.base is None else p.base for p in parameters))
        _PARAMETERS[self] = (parameters, blocks, containers)
        return parameters, blocks

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (set it to None, as PyTorch does by default).

        >>> n = Neuron(1); n([2.0]).backward(); n.zero_grad()
        >>> n.b.grad is None
        True
        """
        for held in self._found()[1]:
            held.grad = None

    def blocks(self) -> list[Value]:
        """The leaves that hold the parameters: each Layer's weight and bias blocks (whose
        views ``parameters()`` are), and any parameter that is a Value of its own. What the
        optimizers and L2 read whole.

        >>> [b.label for b in MLP(2, [3, 1]).blocks()]
        ['L0.W', 'L0.bias', 'L1.W', 'L1.bias']
        """
        return list(self._found()[1])

    def state_dict(self) -> dict[str, float]:
        """The parameters' data by name: a plain dict, ready for JSON.

        >>> Neuron(1, seed=0).state_dict()["b"]
        0.0
        """
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state`` (strict: names must match exactly).

        Raises ValueError naming the problem (missing or unexpected names, a value that
        is not a finite number) and changes nothing unless everything is valid.

        >>> a, b = Neuron(2, seed=0), Neuron(2, seed=1)
        >>> b.load_state_dict(a.state_dict())
        >>> b.state_dict() == a.state_dict()
        True
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"state must be a mapping of names to numbers, not {type(state).__name__}"
            )
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append(f"missing {_names(missing)}")
            if unexpected:
                problems.append(f"unexpected {_names(unexpected)}")
            raise ValueError(f"state does not match {type(self).__name__}: {'; '.join(problems)}")
        numbers = {name: _finite_number(name, state[name]) for name in own}
        for name, parameter in own.items():  # only after every value passed its checks
            parameter.data = numbers[name]

    def config(self) -> dict[str, Any] | None:
        """The constructor arguments that rebuild this module's shape, or None.

        ``save`` writes them into the file, so ``MLP.load(path)`` can build the model
        before setting its parameters. A custom Module returns None (the default): load
        such a file into a model you create, ``model.load(path)``.

        >>> MLP(2, [3, 1], activation="tanh").config()
        {'nin': 2, 'nouts': [3, 1], 'activation': 'tanh', 'last_activation': 'linear'}
        """
        return None

    @classmethod
    def _parameter_count(cls, config: dict[str, Any]) -> int:
        """How many parameters ``cls(**config)`` has, checked before building it."""
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> None:
        """Write the model to ``path`` as JSON, atomically: its parameters and, for the
        built-in modules, its shape (``config()``).

        The file is written to a temporary file in the same directory, which then
        replaces ``path`` in one step: a failed or interrupted save leaves any old file
        as it was (see ``autograd.files.atomic_file``; a symlink is written through).
        Floats are written with all their digits, so loading is exact.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> model = MLP(2, [3, 1], seed=0); model.save(path)
        >>> MLP.load(path).state_dict() == model.state_dict()
        True
        """
        parameters = {}
        for name, value in self.state_dict().items():
            if not (isinstance(value, float) and math.isfinite(value)):
                raise ValueError(f"cannot save parameter {name!r}: its value is {value!r}")
            parameters[name] = value
        payload: dict[str, Any] = {"format": FILE_FORMAT, "version": FILE_VERSION}
        config = self.config()
        if config is not None:
            payload["model"] = {"class": type(self).__name__, "config": config}
        payload["parameters"] = parameters
        with atomic_file(path, "w") as file:
            json.dump(payload, file, indent=2)
            file.write("\n")

    def _load_into(self, path: str | os.PathLike) -> Module:
        """Set this model's parameters from a file written by ``save``; return the model.

        A file that is not JSON, not a saved model, of another architecture (names that
        do not match) or holding non-numbers raises ValueError naming the file and the
        problem; the model is then left unchanged.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "neuron.json")
        >>> Neuron(2, seed=0).save(path)
        >>> Neuron(2, seed=1).load(path).state_dict() == Neuron(2, seed=0).state_dict()
        True
        """
        path = Path(path)
        parameters = _read_saved(path)["parameters"]
        try:
            self.load_state_dict(parameters)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        return self

    @classmethod
    def _load_new(cls, path: str | os.PathLike) -> Module:
        """``MLP.load(path)``: build the model a file written by ``save`` describes.

        The file names the class and its constructor arguments; the class must match
        (``MLP.load`` of a saved ``Neuron`` is a ValueError), and a file holding more or
        fewer parameters than that shape has is refused before anything is built.
        """
        path = Path(path)
        payload = _read_saved(path)
        described = payload.get("model")
        if described is None:
            raise ValueError(
                f"{path} holds parameters but not the model's shape; create the model "
                f"and load into it: model = {cls.__name__}(...); model.load(path)"
            )
        if (
            not isinstance(described, dict)
            or not isinstance(described.get("class"), str)
            or not isinstance(described.get("config"), dict)
        ):
            raise ValueError(f'{path}: "model" must be {{"class": name, "config": {{...}}}}')
        if described["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {described['class']}, not a {cls.__name__}")
        config = described["config"]
        try:
            count = cls._parameter_count(config)
            if count != len(payload["parameters"]):
                raise ValueError(
                    f"that shape has {count} parameters, the file holds "
                    f"{len(payload['parameters'])}"
                )
            model = cls(**config)
        except NotImplementedError:
            raise ValueError(
                f"{cls.__name__} cannot be built from a file; create the model and load "
                f"into it: model = {cls.__name__}(...); model.load(path)"
            ) from None
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path}: cannot build {cls.__name__}({config}): {error}") from None
        return model._load_into(path)

    load = _ClassOrInstanceMethod(_load_new.__func__, _load_into)


_HOOK_KEYS = itertools.count()


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``remove()`` takes the hook off (as PyTorch)."""

    def __init__(self, hooks: dict[int, Callable], key: int) -> None:
        self.hooks, self.key = hooks, key

    def remove(self) -> None:
        """Take the hook off; removing it twice is harmless."""
        self.hooks.pop(self.key, None)


def run_forward_hooks(module: Module, inputs: tuple, output: Any) -> Any:
    """The output after ``module``'s forward hooks saw it (each may replace it)."""
    for hook in list(module.__dict__.get("_forward_hooks", {}).values()):
        replaced = hook(module, inputs, output)
        if replaced is not None:
            output = replaced
    return output


def _read_saved(path: Path) -> dict[str, Any]:
    """The checked JSON object of a file written by ``Module.save``."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a JSON text file") from None
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        raise ValueError(
            f'{path} is not a saved model (expected a JSON object with "format": "{FILE_FORMAT}")'
        )
    version = payload.get("version")
    if type(version) is not int or version != FILE_VERSION:  # true == 1 in Python: not here
        raise ValueError(
            f"{path} has format version {version!r}; "
            f"this version of autograd-viz reads version {FILE_VERSION}"
        )
    if not isinstance(payload.get("parameters"), dict):
        raise ValueError(f'{path}: "parameters" must be a JSON object of names to numbers')
    return payload


# --------------------------------------------------------------------- modules


class Neuron(Module):
    """``act(w·x + b)``: one weight per input, a bias, and an activation chosen by name.

    Args:
        nin: number of inputs.
        activation: one of ``relu``, ``tanh``, ``sigmoid``, ``leaky_relu``, ``elu``, ``linear``.
        init: weight initialisation: ``uniform`` (U(-1, 1), micrograd's), ``xavier``
            (Glorot uniform, U(±√(6/(nin+fan_out)))) or ``he`` (Kaiming uniform for ReLU,
            U(±√(6/nin))). The bias starts at 0.
        seed: an int, a numpy Generator (shared with other modules) or None (fresh entropy).
        name: prefix of the parameter labels and the scope of the nodes the neuron creates.
        fan_out: outputs of the layer the neuron belongs to; only ``xavier`` uses it.
        blocks: where its numbers live: (W, b, row), the blocks of the Layer it belongs to
            (``engine.block``) and its row of them. Left out, the neuron makes its own.

    Its weights ``w`` and bias ``b`` are views (``Value.element``) of numbers of W and b: a
    Layer's weights live in its two blocks, which the fused layer, the optimizers and L2
    read whole, while each view is a scalar Value a learner inspects and a drawing shows.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> n.w[0].label, n.b.label
    ('N0.w0', 'N0.b')
    >>> out = n([0.5, -1.0])
    >>> out.op, out.scope
    ('tanh', 'N0')
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        init: str = "uniform",
        seed: Seed = None,
        name: str = "N0",
        fan_out: int = 1,
        *,
        blocks: tuple[Value, Value, int] | None = None,
    ) -> None:
        _check_count("nin", nin)
        _check_count("fan_out", fan_out)
        _check_name(name)
        self._activate = _activation(activation)
        self.nin = nin
        self.activation = activation
        self.name = name
        if blocks is None:  # a neuron of its own: blocks of one row
            weights = _initial_weights(init, nin, fan_out, np.random.default_rng(seed))
            with scope(name):
                blocks = (block([weights], f"{name}.W"), block([[0.0]], f"{name}.bias"), 0)
        weight, bias, row = blocks
        with scope(name):  # parameters sit in their neuron's cluster in drawings
            self.w = [weight.element(row * nin + i, f"{name}.w{i}") for i in range(nin)]
            self.b = bias.element(row, f"{name}.b")

    def forward(self, x: object) -> Value:
        """The neuron's output for one sample or a batch (see the module docstring)."""
        return self._forward(_as_inputs(x, self.nin))

    def _forward(self, inputs: list[Value]) -> Value:  # inputs already checked
        with scope(self.name):
            products = [w * x for w, x in zip(self.w, inputs, strict=True)]
            return activate(sum_of([*products, self.b]), self._activate)  # one n-ary sum node

    def config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this neuron's shape (see ``Module.config``)."""
        return {"nin": self.nin, "activation": self.activation, "name": self.name}

    @classmethod
    def _parameter_count(cls, config: dict[str, Any]) -> int:
        _check_count("nin", config.get("nin"))
        return config["nin"] + 1

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r}, name={self.name!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout`` Values.

    The neurons are named ``{name}.N0``, ``{name}.N1``, ... Other arguments as ``Neuron``.
    Its numbers live in two blocks, ``weight`` (nout × nin) and ``bias`` (1 × nout), whose
    views are the neurons' ``w[i]`` and ``b``. On a batch, the layer computes all its neurons
    with one matrix product, as one node (autograd/fused.py) that hands W and b one matrix
    gradient each: the same values and gradients, many times faster. ``fuse=False`` (or
    setting ``layer.fuse``) makes every neuron's nodes instead, to see each of them.

    >>> layer = Layer(3, 2, activation="tanh", seed=0, name="L1")
    >>> outs = layer([1.0, 2.0, 3.0])
    >>> len(outs), outs[1].scope, layer.neurons[1].b.label, layer.weight.data.shape
    (2, 'L1.N1', 'L1.N1.b', (2, 3))
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        init: str = "uniform",
        seed: Seed = None,
        name: str = "L0",
        fuse: bool = True,
    ) -> None:
        _check_count("nin", nin)
        _check_count("nout", nout)
        _check_name(name)
        _activation(activation)  # check now, not inside the first neuron
        rng = np.random.default_rng(seed)  # one stream for all neurons: reproducible
        self.nin = nin
        self.nout = nout
        self.activation = activation
        self.name = name
        self.fuse = fuse
        rows = [_initial_weights(init, nin, nout, rng) for _ in range(nout)]  # neuron by neuron
        with scope(name):  # the blocks sit in the layer's cluster in drawings
            self._weight = block(rows, f"{name}.W")
            self._bias = block(np.zeros((1, nout)), f"{name}.bias")
        self.neurons = [
            Neuron(nin, activation, name=f"{name}.N{j}", blocks=(self._weight, self._bias, j))
            for j in range(nout)
        ]

    @property
    def weight(self) -> Value:
        """The block W (nout × nin): row j holds neuron j's weights (its ``w`` views)."""
        return self._weight

    @property
    def bias(self) -> Value:
        """The block b (1 × nout): number j is neuron j's bias (its ``b`` view)."""
        return self._bias

    def forward(self, x: object) -> list[Value]:
        """The outputs of every neuron, in order."""
        return list(self._forward(_as_inputs(x, self.nin)))

    def _forward(self, inputs: Sequence[Value]) -> Sequence[Value]:
        batch = isinstance(inputs, fused.Units) or any(v.batch_size is not None for v in inputs)
        if not (self.fuse and batch):
            return [neuron._forward(list(inputs)) for neuron in self.neurons]
        source = inputs.node if isinstance(inputs, fused.Units) else inputs  # a layer before
        with scope(self.name):  # a batch: the layer as one node, its neurons' outputs in it
            node = fused.layer_node(
                self._weight, self._bias, source, self.activation,
                [(neuron.w, neuron.b) for neuron in self.neurons],
            )  # fmt: skip
        outer = current().scope
        return fused.Units(node, [f"{outer}.{n.name}" if outer else n.name for n in self.neurons])

    def config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer's shape (see ``Module.config``)."""
        return {
            "nin": self.nin,
            "nout": self.nout,
            "activation": self.activation,
            "name": self.name,
        }

    @classmethod
    def _parameter_count(cls, config: dict[str, Any]) -> int:
        _check_count("nin", config.get("nin"))
        _check_count("nout", config.get("nout"))
        return (config["nin"] + 1) * config["nout"]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r}, name={self.name!r})"


class MLP(Module):
    """A multi-layer perceptron: layers ``L0``, ``L1``, ... of the given sizes.

    Hidden layers use ``activation``, the last layer ``last_activation`` (linear by
    default: raw scores, for a loss that expects logits). ``init`` is as for ``Neuron``,
    and one generator made from ``seed`` draws every layer, so a seed fixes the network.
    As in micrograd, calling the model returns a single Value when the last layer has one
    neuron, else a list.

    >>> model = MLP(3, [4, 4, 2], activation="tanh", init="xavier", seed=0)
    >>> [layer.name for layer in model.layers], len(model([1.0, 0.0, -1.0]))
    (['L0', 'L1', 'L2'], 2)
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        last_activation: str = "linear",
        init: str = "uniform",
        seed: Seed = None,
        fuse: bool = True,
    ) -> None:
        _check_sizes(nin, nouts)
        _activation(activation)  # check names now, not after building half the layers
        _activation(last_activation)
        rng = np.random.default_rng(seed)
        sizes = [nin, *nouts]
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = activation
        self.last_activation = last_activation
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation if i < len(nouts) - 1 else last_activation,
                init,
                rng,
                name=f"L{i}",
                fuse=fuse,
            )
            for i in range(len(nouts))
        ]

    def forward(self, x: object) -> Value | list[Value]:
        """The network's output: one Value if the last layer has one neuron, else a list."""
        values: Sequence[Value] = _as_inputs(x, self.nin)
        for layer in self.layers:  # on a batch, each fused layer reads the one before whole
            values = run_forward_hooks(layer, (values,), layer._forward(values))
        return values[0] if len(values) == 1 else list(values)

    def config(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this network's shape (see ``Module.config``)."""
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "last_activation": self.last_activation,
        }

    @classmethod
    def _parameter_count(cls, config: dict[str, Any]) -> int:
        sizes = _check_sizes(config.get("nin"), config.get("nouts"))
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(sizes))

    def to_torch(self) -> Any:
        """The same network in PyTorch: a ``torch.nn.Sequential`` of ``Linear`` layers and
        the same activations, in float64, with the same weights (autograd/torch_bridge.py).
        Needs PyTorch: ``pip install 'autograd-viz[torch]'``.

        >>> MLP(2, [3, 1], activation="tanh", seed=0).to_torch()
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): Tanh()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
        """
        from autograd import torch_bridge  # torch is optional: imported on first use only

        return torch_bridge.to_torch(self)

    @classmethod
    def from_torch(
        cls, source: Any, activation: str | None = None, last_activation: str | None = None
    ) -> MLP:
        """The MLP a ``torch.nn.Sequential`` (or its ``state_dict()``) describes, with its
        weights; activations for a state_dict, which holds none (defaults "relu", "linear").
        What maps and what does not: ``autograd.torch_bridge.mlp_arguments``.

        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
        >>> MLP.from_torch(net)
        MLP(2, [4, 1], activation='relu', last_activation='linear')
        """
        from autograd import torch_bridge

        config, state = torch_bridge.mlp_arguments(source, activation, last_activation)
        model = cls(**config)
        model.load_state_dict(state)
        return model

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"last_activation={self.last_activation!r})"
        )


# --------------------------------------------------------------------- helpers


def _walk(
    root: Module, containers: list[tuple[Any, Any]] | None = None
) -> list[tuple[str, str | int, Value]]:
    """The parameters reachable from a Module's attributes, each with where it was found:
    (the dotted path of its container, its attribute name or index, the parameter).

    A module or list already visited is skipped, as PyTorch does: a back-reference
    (``self.body.owner = self``) would otherwise be walked forever. ``containers`` gets
    each module and list walked with a shallow copy of its contents (see ``_unchanged``).
    """
    found: list[tuple[str, str | int, Value]] = []
    _walk_into(root, "", set(), found, [] if containers is None else containers)
    return found


def _walk_into(
    node: Module | list | tuple, prefix: str, visited: set[int], found: list, containers: list
) -> None:
    if id(node) in visited:
        return
    visited.add(id(node))
    contents = vars(node) if isinstance(node, Module) else node
    containers.append((contents, contents if isinstance(contents, tuple) else contents.copy()))
    if isinstance(node, Module):
        children: Iterable = [(k, c) for k, c in contents.items() if k[0] != "_"]
    else:
        children = enumerate(node)
    for key, child in children:
        if isinstance(child, Value):
            found.append((prefix, key, child))
        elif isinstance(child, _CONTAINERS):
            name = f"{prefix}.{key}" if prefix else str(key)
            _walk_into(child, name, visited, found, containers)


_CONTAINERS = (Module, list, tuple)  # a tuple of classes: isinstance is faster than with |

# parameters() on a model remembers what it found, and the contents of every module and
# list it walked through (l2(model) asks on every training step). The answer is reused
# only while each of those still holds the very same objects: any attribute set, any item
# added, removed or replaced anywhere along the way, and the model is walked again.
_PARAMETERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _unchanged(containers: list[tuple[Any, Any]]) -> bool:
    try:
        return all(now == then for now, then in containers)  # the same objects: `is`, in C
    except ValueError:  # an array attribute replaced by another: numpy will not say ==
        return False


def _as_inputs(x: object, nin: int) -> list[Value]:
    """Check a module's input (see the module docstring) and return one Value per feature."""
    if isinstance(x, np.ndarray) and x.ndim == 2:  # (samples, features), as PyTorch
        if x.shape[1] != nin:
            raise ValueError(
                f"expected {nin} inputs per sample, got a batch of shape {x.shape} "
                f"({x.shape[1]} features)"
            )
        return [Value(column, label=f"x{i}") for i, column in enumerate(x.T)]
    if isinstance(x, np.ndarray) and x.ndim != 1:
        raise ValueError(
            f"expected {nin} inputs as a 1-D array (one sample) or a 2-D array "
            f"(samples, features), got an array of shape {x.shape}"
        )
    if isinstance(x, Value | str | bytes) or not isinstance(x, Sequence | np.ndarray):
        raise TypeError(
            f"expected a sequence of {nin} inputs, got {type(x).__name__}; "
            f"for a single input write [x]"
        )
    if len(x) != nin:
        raise ValueError(f"expected {nin} inputs, got {len(x)}")
    values = [_as_input(item, i) for i, item in enumerate(x)]
    sizes = sorted({v.batch_size for v in values if v.batch_size is not None})
    if len(sizes) > 1:
        raise ValueError(f"input columns must have the same number of samples, got sizes {sizes}")
    return values


def _as_input(item: object, index: int) -> Value:
    if isinstance(item, Value):
        return item
    if isinstance(item, bool | np.bool_) or not isinstance(
        item, int | float | np.number | np.ndarray
    ):
        raise TypeError(
            f"input {index} must be a number, a Value or a 1-D numpy array, "
            f"not {type(item).__name__}"
        )
    return Value(item, label=f"x{index}")


def _activation(name: str) -> Activation:
    if not isinstance(name, str):
        raise TypeError(
            f"activation must be a name (a string) such as 'relu', "
            f"not {type(name).__name__} {name!r}; valid names: {', '.join(ACTIVATIONS)}"
        )
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def _initial_weights(init: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """``fan_in`` weights drawn uniformly from ±bound, the bound set by the scheme."""
    if not isinstance(init, str):
        raise TypeError(
            f"init must be a name (a string), not {type(init).__name__} {init!r}; "
            f"valid names: {', '.join(INITS)}"
        )
    if init == "uniform":
        bound = 1.0  # micrograd: random.uniform(-1, 1)
    elif init == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))  # keeps the variance of activations and grads
    elif init == "he":
        bound = math.sqrt(6.0 / fan_in)  # variance 2/fan_in: ReLU zeroes half of the inputs
    else:
        raise ValueError(f"unknown init {init!r}; valid names: {', '.join(INITS)}")
    return rng.uniform(-bound, bound, size=fan_in)


def _check_name(name: object) -> None:
    """A module name becomes a scope and a label prefix: dotted parts, none of them empty."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'L0', not {type(name).__name__}")
    if any(part.strip() == "" for part in name.split(".")):
        raise ValueError(
            f"name must be one or more dot-separated parts such as 'L0' or 'L0.N1', none "
            f"of them empty or blank, got {name!r}"
        )


def _check_sizes(nin: object, nouts: object) -> list[int]:
    """An MLP's layer sizes, input first, or ValueError naming the bad one."""
    _check_count("nin", nin)
    if isinstance(nouts, int | str) or not isinstance(nouts, Sequence) or len(nouts) == 0:
        raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
    for i, size in enumerate(nouts):
        _check_count(f"nouts[{i}]", size)
    return [nin, *nouts]


def _check_count(what: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")


def _finite_number(name: str, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"parameter {name!r} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"parameter {name!r} is too large for a float: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"parameter {name!r} must be finite, got {number!r}")
    return number


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{len(names)} name{'s' if len(names) != 1 else ''} ({shown}{more})"
