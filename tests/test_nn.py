"""Modules: parameters and their names, scopes, activations, init, inputs, gradients, save/load.

Gradient tolerance, as in test_engine_properties: central differences with eps = 1e-6 are
accurate to ~1e-7 on these small networks (values below ~10), so atol = 1e-5 and
rtol = 1e-4 leave a wide margin, while a wrong derivative misses by orders of magnitude.
Networks with kinked activations are only checked away from the kinks (see ``no_kinks``).
"""

import json
import math
import os
import stat

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, functional, topological_order
from autograd.nn import ACTIVATIONS, MLP, Layer, Module, Neuron

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-4
KINK_MARGIN = 1e-3  # far beyond eps: a finite difference never straddles a kink


def no_kinks(root: Value) -> bool:
    """True when no relu / leaky_relu in the graph has its input within KINK_MARGIN of 0."""
    return all(
        abs(node.parents[0].data) > KINK_MARGIN
        for node in topological_order(root)
        if node.op in {"relu", "leaky_relu"}
    )


def squared_outputs(model, x):
    """A scalar that depends on every output: Σ out², each output weighted differently."""
    outs = model(x)
    outs = outs if isinstance(outs, list) else [outs]
    return autograd.sum_of([(out * (i + 1)) ** 2 for i, out in enumerate(outs)])


# ---------------------------------------------------------------- parameters and names


def test_named_parameters_follow_the_attribute_structure_in_order():
    model = MLP(2, [3, 1], seed=0)
    expected = []
    for i, (nin, nout) in enumerate([(2, 3), (3, 1)]):
        for j in range(nout):
            expected += [f"layers.{i}.neurons.{j}.w.{k}" for k in range(nin)]
            expected.append(f"layers.{i}.neurons.{j}.b")
    names = [name for name, _ in model.named_parameters()]
    assert names == expected
    assert model.parameters() == [p for _, p in model.named_parameters()]
    assert len(model.parameters()) == (2 + 1) * 3 + (3 + 1) * 1


def test_parameter_labels_name_layer_neuron_and_weight():
    model = MLP(2, [3, 1], seed=0)
    labels = {name: p.label for name, p in model.named_parameters()}
    assert labels["layers.0.neurons.1.w.0"] == "L0.N1.w0"
    assert labels["layers.0.neurons.1.b"] == "L0.N1.b"
    assert labels["layers.1.neurons.0.w.2"] == "L1.N0.w2"
    assert len(set(labels.values())) == len(labels)  # every label unique


def documented_label(key: str, name: str = "") -> str:
    """The drawing label of a state_dict key, by the table in autograd.nn's docstring."""
    label = key.replace("layers.", "L").replace("neurons.", "N").replace("w.", "w")
    return f"{name}.{label}" if name else label


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (MLP(3, [4, 5, 2], seed=0), ""),
        (MLP(1, [12, 1], seed=0), ""),  # two-digit indices
        (Layer(11, 3, seed=0), "L0"),
        (Layer(2, 2, seed=0, name="hidden"), "hidden"),
        (Neuron(3, seed=0), "N0"),
        (Neuron(2, seed=0, name="out"), "out"),
    ],
    ids=repr,
)
def test_every_state_dict_key_maps_to_its_label_as_documented(model, name):
    pairs = [(key, p.label) for key, p in model.named_parameters()]
    assert [label for _, label in pairs] == [documented_label(key, name) for key, _ in pairs]
    assert "``state_dict()`` key" in autograd.nn.__doc__  # the table the rule comes from


def test_a_back_reference_to_the_owner_does_not_recurse_forever():
    class Body(Module):
        def __init__(self):
            self.w = Value(1.0)

    class Model(Module):
        def __init__(self):
            self.body = Body()
            self.body.owner = self  # points back up, as PyTorch users sometimes write
            self.blocks = [self.body, self.body]  # and the same module twice
            self.b = Value(2.0)

    model = Model()
    assert [name for name, _ in model.named_parameters()] == ["body.w", "b"]
    assert model.parameters() == [model.body.w, model.b]
    assert list(model.body.state_dict()) == ["w", "owner.b"]  # the owner is walked once too


def test_a_list_that_contains_itself_is_walked_once():
    class Loop(Module):
        def __init__(self):
            self.items = [Value(1.0)]
            self.items.append(self.items)

    assert [name for name, _ in Loop().named_parameters()] == ["items.0"]


@pytest.mark.parametrize("name", ["", ".N0", "N0.", "L0..N1", " ", "L0. .N1"])
def test_module_names_with_an_empty_part_are_refused(name):
    with pytest.raises(ValueError, match="dot-separated parts") as error:
        Neuron(2, name=name)
    assert repr(name) in str(error.value)
    with pytest.raises(ValueError, match="dot-separated parts"):
        Layer(2, 2, name=name)


def test_dotted_module_names_give_dotted_scopes():
    layer = Layer(2, 2, seed=0, name="net.hidden")
    assert layer([1.0, 2.0])[1].scope == "net.hidden.N1"
    with pytest.raises(TypeError, match="name must be a string such as 'L0', not int"):
        Neuron(2, name=0)


def test_standalone_modules_have_default_names():
    assert [p.label for p in Neuron(2, seed=0).parameters()] == ["N0.w0", "N0.w1", "N0.b"]
    assert Layer(1, 2, seed=0).parameters()[2].label == "L0.N1.w0"
    assert Neuron(1, seed=0, name="out").b.label == "out.b"


def test_a_shared_parameter_is_listed_once_and_private_attributes_are_skipped():
    class Tied(Module):
        def __init__(self):
            self.first = Value(1.0)
            self.again = [self.first, Value(2.0)]
            self._cache = Value(3.0)

        def forward(self, x):
            return self.first * x

    names = [name for name, _ in Tied().named_parameters()]
    assert names == ["first", "again.1"]


def test_custom_modules_nest():
    class Two(Module):
        def __init__(self):
            self.encoder = Layer(2, 2, seed=0, name="enc")
            self.head = Neuron(2, activation="linear", seed=1, name="head")

        def forward(self, x):
            return self.head(self.encoder(x))

    model = Two()
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "encoder.neurons.0.w.0" and names[-1] == "head.b"
    assert isinstance(model([1.0, 2.0]), Value)


def test_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()([1.0])


def test_zero_grad_sets_every_parameter_grad_to_none():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ---------------------------------------------------------------- scopes for the visualizer


def test_nodes_a_neuron_computes_carry_its_scope_and_inputs_do_not():
    model = MLP(2, [3, 2], seed=0)
    x = [Value(1.0, label="a"), Value(-2.0, label="b")]
    outputs = model(x)
    assert [out.scope for out in outputs] == ["L1.N0", "L1.N1"]
    for node in topological_order(outputs[1]):
        if node.op:  # every computed node belongs to one neuron of the model
            assert node.scope.startswith(("L0.N", "L1.N"))
    assert all(v.scope == "" for v in x)
    neuron = model.layers[0].neurons[1]
    assert {p.scope for p in neuron.parameters()} == {"L0.N1"}  # weights sit in their cluster


def test_scopes_nest_under_an_outer_scope():
    model = MLP(1, [1], seed=0)
    with autograd.scope("model"):
        out = model([1.0])
    assert out.scope == "model.L0.N0"


def test_a_neuron_is_one_n_ary_sum_then_its_activation():
    neuron = Neuron(3, activation="tanh", seed=0)
    out = neuron([1.0, 2.0, 3.0])
    assert out.op == "tanh"
    total = out.parents[0]
    assert total.op == "sum" and len(total.parents) == 4  # three products and the bias
    assert total.parents[-1] is neuron.b


# ---------------------------------------------------------------- activations and init


ACTIVATION_REFERENCE = {  # numpy formulas, written independently of the engine
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1.0),
    "linear": lambda z: z,
}


@pytest.mark.parametrize("activation", sorted(ACTIVATION_REFERENCE))
def test_each_activation_computes_its_formula(activation):
    neuron = Neuron(3, activation=activation, seed=1)
    neuron.b.data = 0.25
    x = np.array([[0.5, -1.0, 2.0], [-2.0, 0.3, -0.7]])  # two samples, opposite signs
    w = np.array([p.data for p in neuron.w])
    expected = ACTIVATION_REFERENCE[activation](x @ w + 0.25)
    # 1e-12: the same arithmetic in a different order (matmul vs. a running sum)
    np.testing.assert_allclose(neuron(x).data, expected, rtol=1e-12, atol=1e-15)


def test_every_activation_name_is_tested():
    assert set(ACTIVATIONS) == set(ACTIVATION_REFERENCE)


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'gelu'") as error:
        MLP(2, [2, 1], activation="gelu")
    assert all(name in str(error.value) for name in ACTIVATIONS)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        MLP(2, [2, 1], last_activation="softmax")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(2, activation=["relu"]),
        lambda: Layer(2, 2, activation=["relu"]),
        lambda: MLP(2, [2, 1], activation=["relu"]),
        lambda: MLP(2, [2, 1], last_activation=["relu"]),
    ],
)
def test_an_activation_that_is_not_a_string_is_a_clear_error(make):
    with pytest.raises(TypeError, match=r"activation must be a name \(a string\) such as 'relu', "
                       r"not list \['relu'\]; valid names: relu, tanh"):  # fmt: skip
        make()


def test_an_init_that_is_not_a_string_is_a_clear_error():
    with pytest.raises(TypeError, match=r"init must be a name \(a string\), not list \['he'\]"):
        Neuron(2, init=["he"])


def test_last_layer_is_linear_by_default_and_hidden_layers_use_activation():
    model = MLP(2, [3, 3, 1], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert model([1.0, 1.0]).op == "sum"  # no activation node on the output
    sigmoid_out = MLP(2, [3, 1], last_activation="sigmoid", seed=0)
    assert sigmoid_out([1.0, 1.0]).op == "sigmoid"


@pytest.mark.parametrize(
    ("init", "bound"),
    [
        ("uniform", 1.0),
        ("xavier", math.sqrt(6 / (200 + 100))),
        ("he", math.sqrt(6 / 200)),
    ],
)
def test_init_draws_uniform_weights_of_the_scheme_bound_and_zero_biases(init, bound):
    layer = Layer(200, 100, init=init, seed=0)
    weights = np.array([w.data for n in layer.neurons for w in n.w])
    assert np.all(np.abs(weights) <= bound)
    # U(-a, a) has variance a²/3; with 20000 draws the sample variance is within ~0.6%
    # (one standard error), so 5% is a > 8-sigma margin that still tells the schemes apart.
    assert weights.var() == pytest.approx(bound**2 / 3, rel=0.05)
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_unknown_init_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown init 'normal'; valid names: uniform, xavier, he"):
        Neuron(2, init="normal")


def test_init_is_reproducible_from_a_seed():
    first, again, other = (MLP(3, [4, 2], init="he", seed=s).state_dict() for s in (7, 7, 8))
    assert first == again
    assert first != other


def test_a_shared_generator_gives_different_layers_different_weights():
    rng = np.random.default_rng(0)
    a, b = Layer(2, 2, seed=rng), Layer(2, 2, seed=rng)
    assert a.state_dict() != b.state_dict()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Neuron(0), "nin must be a positive integer, got 0"),
        (lambda: Neuron(2.0), "nin must be a positive integer, got 2.0"),
        (lambda: Neuron(True), "nin must be a positive integer, got True"),
        (lambda: Layer(2, 0), "nout must be a positive integer, got 0"),
        (lambda: MLP(2, []), "nouts must be a non-empty list of layer sizes"),
        (lambda: MLP(2, 3), "nouts must be a non-empty list of layer sizes, got 3"),
        (lambda: MLP(2, [3, -1]), r"nouts\[1\] must be a positive integer, got -1"),
    ],
)
def test_bad_sizes_are_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ---------------------------------------------------------------- inputs


def test_all_input_forms_give_the_same_outputs():
    model = MLP(3, [4, 2], seed=0)
    X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    rows = [[v.data for v in model(list(row))] for row in X]  # one sample at a time
    as_array_rows = [[v.data for v in model(row)] for row in X]  # a 1-D array is one sample
    by_rows = np.array([out.data for out in model(X)]).T  # 2-D: (samples, features)
    by_columns = np.array([out.data for out in model(list(X.T))]).T  # one array per feature
    as_values = [[v.data for v in model([Value(float(x)) for x in row])] for row in X]
    assert rows == as_array_rows == as_values
    # 1e-12: math.tanh and np.tanh may differ in the last bit; everything else is the same
    np.testing.assert_allclose(by_rows, rows, rtol=1e-12)
    np.testing.assert_array_equal(by_rows, by_columns)


def test_outputs_single_value_for_one_output_else_a_list():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    assert isinstance(MLP(2, [3, 2], seed=0)([1.0, 2.0]), list)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)  # a Layer always gives a list
    assert isinstance(Neuron(2, seed=0)([1.0, 2.0]), Value)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([1.0, 2.0], "expected 3 inputs, got 2"),
        ([1.0, 2.0, 3.0, 4.0], "expected 3 inputs, got 4"),
        (np.ones(2), "expected 3 inputs, got 2"),
        (np.ones((5, 2)), r"expected 3 inputs per sample, got a batch of shape \(5, 2\)"),
        (np.ones((2, 3, 1)), r"got an array of shape \(2, 3, 1\)"),
        ([np.ones(4), np.ones(4), np.ones(5)], r"same number of samples, got sizes \[4, 5\]"),
        ([np.ones(4), Value(np.ones(3)), 1.0], r"same number of samples, got sizes \[3, 4\]"),
        ([1.0, 2.0, np.ones(0)], "non-empty 1-D array"),
    ],
)
def test_wrong_input_sizes_are_value_errors_naming_expected_and_actual(x, message):
    with pytest.raises(ValueError, match=message):
        MLP(3, [2, 1], seed=0)(x)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (1.0, "expected a sequence of 3 inputs, got float"),
        (Value(1.0), "expected a sequence of 3 inputs, got Value"),
        ("abc", "expected a sequence of 3 inputs, got str"),
        ((v for v in [1.0, 2.0, 3.0]), "expected a sequence of 3 inputs, got generator"),
        ([1.0, "2", 3.0], "input 1 must be a number, a Value or a 1-D numpy array, not str"),
        ([1.0, True, 3.0], "input 1 must be a number, a Value or a 1-D numpy array, not bool"),
        ([1.0, None, 3.0], "input 1 must be a number, a Value or a 1-D numpy array, not None"),
    ],
)
def test_inputs_of_the_wrong_type_are_type_errors(x, message):
    with pytest.raises(TypeError, match=message):
        MLP(3, [2, 1], seed=0)(x)


# ---------------------------------------------------------------- gradients


def check_parameter_gradients(model, x):
    """Backprop gradients of every parameter equal central finite differences."""
    loss = lambda *params: squared_outputs(model, x)  # noqa: E731 - reads params via the model
    assert functional.gradcheck(loss, model.parameters(), eps=EPS, atol=ATOL, rtol=RTOL)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_mlp_parameter_gradients_match_finite_differences(activation):
    model = MLP(3, [4, 3, 2], activation=activation, init="xavier", seed=3)
    for n in (n for layer in model.layers for n in layer.neurons):
        n.b.data = 0.1  # nonzero biases, so their gradients are tested on a general point
    x = [0.7, -1.3, 0.4]
    assert no_kinks(squared_outputs(model, x))  # precondition of the finite difference
    check_parameter_gradients(model, x)


def test_batched_parameter_gradients_match_finite_differences():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    loss = lambda *params: model(X).mean()  # noqa: E731
    assert functional.gradcheck(loss, model.parameters(), eps=EPS, atol=ATOL, rtol=RTOL)


def test_neuron_and_layer_parameter_gradients_match_finite_differences():
    check_parameter_gradients(Neuron(3, activation="sigmoid", seed=5), [0.2, -0.4, 1.0])
    check_parameter_gradients(Layer(3, 2, activation="elu", seed=6), [0.2, -0.4, 1.0])


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    init=st.sampled_from(["uniform", "xavier", "he"]),
    seed=st.integers(0, 2**16),
    x=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
)
def test_random_networks_have_correct_parameter_gradients(sizes, activation, init, seed, x):
    model = MLP(2, sizes, activation=activation, init=init, seed=seed)
    assume(no_kinks(squared_outputs(model, x)))
    check_parameter_gradients(model, x)


# ---------------------------------------------------------------- state_dict


def test_state_dict_round_trip_through_load_state_dict():
    source, target = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.3, 0.4]).data == source([0.3, 0.4]).data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.pop("layers.0.neurons.0.b"), r"missing 1 name \('layers.0.neurons.0.b'\)"),
        (lambda s: s.update(extra=1.0), r"unexpected 1 name \('extra'\)"),
        (lambda s: s.update({"layers.0.neurons.0.b": "0.5"}), "must be a number, got '0.5'"),
        (lambda s: s.update({"layers.0.neurons.0.b": None}), "must be a number, got None"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), "must be a number, got True"),
        (lambda s: s.update({"layers.0.neurons.0.b": [1.0]}), r"must be a number, got \[1.0\]"),
        (lambda s: s.update({"layers.0.neurons.0.b": math.nan}), "must be finite, got nan"),
        (lambda s: s.update({"layers.0.neurons.0.b": 10**400}), "too large for a float"),
    ],
)
def test_load_state_dict_is_strict_and_changes_nothing_on_error(edit, message):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = MLP(2, [3, 1], seed=1).state_dict()
    edit(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="mapping of names to numbers, not list"):
        Neuron(1).load_state_dict([1.0, 2.0])


def test_load_state_dict_accepts_ints_and_numpy_numbers():
    neuron = Neuron(2, seed=0)
    neuron.load_state_dict({"w.0": 1, "w.1": np.float32(0.5), "b": np.int64(-2)})
    assert neuron.state_dict() == {"w.0": 1.0, "w.1": 0.5, "b": -2.0}
    assert all(type(p.data) is float for p in neuron.parameters())


# ---------------------------------------------------------------- save / load


def test_save_load_round_trip_is_exact(tmp_path):
    model = MLP(3, [5, 4, 2], init="he", seed=0)
    model.layers[0].neurons[0].b.data = 0.1 + 0.2  # a float with many digits: 0.30000000000000004
    path = tmp_path / "model.json"
    model.save(path)
    copy = MLP(3, [5, 4, 2], seed=1)
    copy.load(str(path))  # str and Path both work
    assert copy.state_dict() == model.state_dict()  # every float bit for bit
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in copy(x)] == [v.data for v in model(x)]


def test_saved_file_is_readable_json_with_ordinary_permissions(tmp_path):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    payload = json.loads(path.read_text())
    assert payload["format"] == "autograd-viz state_dict" and payload["version"] == 1
    assert list(payload["parameters"]) == ["w.0", "w.1", "b"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["model.json"]  # no temporary file left over


def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(0o600)
    Neuron(2, seed=0).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_save_failing_midway_keeps_the_old_file(tmp_path, monkeypatch, failure):
    path = tmp_path / "model.json"
    old = MLP(2, [3, 1], seed=0)
    old.save(path)
    old_bytes = path.read_bytes()
    real_dump = json.dump

    def dump_half_then_fail(obj, file, **kwargs):  # the write is interrupted mid-file
        text = json.dumps(obj, **kwargs)
        file.write(text[: len(text) // 2])
        file.flush()
        raise failure

    monkeypatch.setattr(json, "dump", dump_half_then_fail)
    with pytest.raises(type(failure)):
        MLP(2, [3, 1], seed=1).save(path)
    monkeypatch.setattr(json, "dump", real_dump)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.json"]  # the half-written temporary file is gone
    restored = MLP(2, [3, 1], seed=2)
    restored.load(path)
    assert restored.state_dict() == old.state_dict()


def test_a_save_failing_before_the_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    Neuron(2, seed=0).save(path)
    old_bytes = path.read_bytes()

    def fail(*args):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="I/O error"):
        Neuron(2, seed=1).save(path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.json"]


def test_save_refuses_non_finite_parameters_and_missing_directories(tmp_path):
    neuron = Neuron(2, seed=0)
    neuron.w[1].data = math.nan
    with pytest.raises(ValueError, match=r"cannot save parameter 'w\.1': its value is nan"):
        neuron.save(tmp_path / "model.json")
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError, match=r"directory .*missing does not exist"):
        Neuron(2, seed=0).save(tmp_path / "missing" / "model.json")


def saved_payload():
    return {
        "format": "autograd-viz state_dict",
        "version": 1,
        "parameters": Neuron(2, seed=0).state_dict(),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not valid JSON"),
        (b'{"format": "autograd-viz state_dict", ', "is not valid JSON"),
        (b"\xff\xfe\x00garbage", "is not a JSON text file"),
        (b"[1, 2, 3]", "is not a saved model"),
        (b'{"w.0": 1.0, "w.1": 2.0, "b": 0.0}', "is not a saved model"),
        (json.dumps({**saved_payload(), "version": 2}).encode(), "format version 2"),
        (json.dumps({**saved_payload(), "version": True}).encode(), "format version True"),
        (json.dumps({**saved_payload(), "version": 1.0}).encode(), "format version 1.0"),
        (json.dumps({**saved_payload(), "version": "1"}).encode(), "format version '1'"),
        (json.dumps({**saved_payload(), "parameters": [1.0]}).encode(), '"parameters" must be'),
        (
            json.dumps({**saved_payload(), "parameters": Neuron(3).state_dict()}).encode(),
            r"unexpected 1 name \('w.2'\)",
        ),
        (
            json.dumps({**saved_payload(), "parameters": {"w.0": 1, "w.1": "x", "b": 0}}).encode(),
            "parameter 'w.1' must be a number, got 'x'",
        ),
        (
            b'{"format": "autograd-viz state_dict", "version": 1,'
            b' "parameters": {"w.0": NaN, "w.1": 1, "b": 0}}',
            "parameter 'w.0' must be finite, got nan",
        ),
        (
            b'{"format": "autograd-viz state_dict", "version": 1,'
            b' "parameters": {"w.0": 1e400, "w.1": 1, "b": 0}}',
            "parameter 'w.0' must be finite, got inf",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "is not valid JSON"),
    ],
)
def test_malformed_files_are_clear_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "model.json"
    path.write_bytes(content)
    neuron = Neuron(2, seed=1)
    before = neuron.state_dict()
    with pytest.raises(ValueError, match=message) as error:
        neuron.load(path)
    assert str(path) in str(error.value)
    assert neuron.state_dict() == before


def test_loading_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        Neuron(2).load(tmp_path / "nothing.json")


# ---------------------------------------------------------------- load on the class


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [5, 4, 2], activation="tanh", last_activation="sigmoid", init="he", seed=0),
        Layer(3, 2, activation="elu", seed=0, name="hidden"),
        Neuron(3, activation="leaky_relu", seed=0, name="out"),
    ],
    ids=repr,
)
def test_load_on_the_class_builds_the_saved_model(tmp_path, model):
    path = tmp_path / "model.json"
    model.save(path)
    loaded = type(model).load(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    x = [0.3, -1.2, 2.0]
    outputs = (loaded(x), model(x))
    assert [[v.data for v in np.atleast_1d(out)] for out in outputs] == [
        [v.data for v in np.atleast_1d(outputs[1])]
    ] * 2
    assert [p.label for p in loaded.parameters()] == [p.label for p in model.parameters()]


def test_load_on_a_model_fills_it_and_returns_it(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    model = MLP(2, [3, 1], seed=1)
    assert model.load(path) is model
    assert model.state_dict() == MLP(2, [3, 1], seed=0).state_dict()


def write_saved(path, **changes):
    payload = {**json.loads(path.read_text()), **changes}
    path.write_text(json.dumps(payload))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": {"class": "Neuron", "config": {"nin": 2}}}, "holds a Neuron, not a MLP"),
        ({"model": ["MLP"]}, '"model" must be'),
        ({"model": {"class": "MLP", "config": [2, [3, 1]]}}, '"model" must be'),
        (  # a tampered shape is refused before a huge model is built
            {"model": {"class": "MLP", "config": {"nin": 2, "nouts": [10**9, 10**9]}}},
            rf"cannot build MLP.*that shape has {3 * 10**9 + (10**9 + 1) * 10**9} parameters, "
            r"the file holds 13",
        ),
        (
            {"model": {"class": "MLP", "config": {"nin": 2, "nouts": [3, 1], "bias": 5}}},
            "cannot build MLP.*unexpected keyword argument 'bias'",
        ),
        (
            {"model": {"class": "MLP", "config": {"nin": 2, "nouts": [3, 1], "activation": 7}}},
            "cannot build MLP.*activation must be a name",
        ),
        ({"model": {"class": "MLP", "config": {"nin": True, "nouts": [3, 1]}}}, "nin must be"),
    ],
)
def test_load_on_the_class_refuses_files_that_do_not_describe_it(tmp_path, change, message):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    write_saved(path, **change)
    with pytest.raises(ValueError, match=message) as error:
        MLP.load(path)
    assert str(path) in str(error.value)


def test_a_file_without_the_model_shape_loads_into_a_model_only(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(saved_payload()))  # as written before files described models
    with pytest.raises(ValueError, match=r"not the model's shape; create the model"):
        Neuron.load(path)
    assert Neuron(2, seed=5).load(path).state_dict() == Neuron(2, seed=0).state_dict()


def test_a_custom_module_loads_into_an_instance_and_says_so_on_the_class(tmp_path):
    class Affine(Module):
        def __init__(self):
            self.w, self.b = Value(2.0), Value(1.0)

    path = tmp_path / "affine.json"
    Affine().save(path)
    assert "model" not in json.loads(path.read_text())
    with pytest.raises(ValueError, match=r"create the model and load into it: model = Affine"):
        Affine.load(path)
    loaded = Affine()
    loaded.w.data = 0.0
    assert loaded.load(path).w.data == 2.0


def test_parameters_are_found_again_after_any_change_to_the_model():
    """parameters() reuses its last answer while the model is unchanged (l2(model) asks on
    every step); any change anywhere along the way must be seen, never a stale list."""
    model = MLP(2, [3, 1], seed=0)
    first = model.parameters()
    assert model.parameters() == first and model.parameters() is not first  # a fresh list
    first.clear()  # what callers do with their list is theirs
    assert len(model.parameters()) == 13

    replacement = Value(5.0, label="new")
    model.layers[0].neurons[1].w[0] = replacement  # an item replaced inside a list
    assert replacement in model.parameters() and len(model.parameters()) == 13
    model.layers[1].neurons.append(Neuron(3, name="L1.N1"))  # an item added
    assert len(model.parameters()) == 17
    extra = Value(1.0)
    model.layers[0].scale = extra  # an attribute set on a module deep inside
    assert model.parameters()[-1] is not extra and extra in model.parameters()
    del model.layers[0].scale
    assert extra not in model.parameters()


# ---------------------------------------------------------------- forward hooks


@pytest.mark.parametrize("batched", [False, True], ids=["one sample", "fused batch"])
def test_forward_hooks_see_each_layers_output_and_can_be_removed(batched):
    """As PyTorch's register_forward_hook: hook(module, inputs, output) after forward; an MLP
    runs the hooks of its layers too (it calls them directly, not through __call__)."""
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    x = np.ones((4, 2)) if batched else [1.0, -1.0]
    seen = []
    handles = [
        layer.register_forward_hook(lambda m, inputs, out: seen.append((m, inputs, out)))
        for layer in model.layers
    ]
    y = model(x)
    assert [m for m, _, _ in seen] == model.layers
    (_, _, hidden), (_, last_inputs, last) = seen
    assert last[0] is y and last_inputs == (hidden,)  # the second layer read the first's output
    assert [v.batch_size for v in hidden] == [4 if batched else None] * 3
    handles[0].remove()
    handles[0].remove()  # twice: harmless
    seen.clear()
    model(x)
    assert [m for m, _, _ in seen] == [model.layers[1]]
    assert len(model.parameters()) == 13  # hooks are not parameters, nor saved
    assert all("hook" not in name for name in model.state_dict())


def test_a_hook_that_returns_a_value_replaces_the_output_and_handles_stay_distinct():
    neuron = Neuron(1, activation="linear", seed=0)
    first = neuron.register_forward_hook(lambda m, inputs, out: out * 10)
    assert neuron([1.0]).data == pytest.approx(10 * neuron.w[0].data)
    first.remove()
    second = neuron.register_forward_hook(lambda m, inputs, out: out + 1)
    first.remove()  # an old handle never removes a newer hook
    assert neuron([1.0]).data == pytest.approx(neuron.w[0].data + 1)
    second.remove()
    assert neuron([1.0]).data == pytest.approx(neuron.w[0].data)
