"""Bad input gets a clear error; non-finite arithmetic gets the IEEE 754 result."""

import math

import numpy as np
import pytest

from autograd import Value, detect_anomaly, functional

# ---------------------------------------------------------------- construction


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        ("1.0", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        (True, "bool"),
        ([1.0, 2.0], "list"),
        ((1.0,), "tuple"),
        (np.bool_(True), "bool"),
    ],
)
def test_value_rejects_non_numbers_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(data)


def test_value_accepts_ints_floats_and_numpy_scalars_as_float():
    for data in (3, 3.0, np.float32(3.0), np.int64(3)):
        v = Value(data)
        assert v.data == 3.0 and type(v.data) is float


def test_value_rejects_a_bad_label():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    ("array", "error", "message"),
    [
        (np.zeros((2, 2)), ValueError, "1-D"),
        (np.array([]), ValueError, "non-empty"),
        (np.array(["a"]), TypeError, "real numbers"),
        (np.array([1j]), TypeError, "real numbers"),
    ],
)
def test_bad_batches(array, error, message):
    with pytest.raises(error, match=message):
        Value(array)


def test_operands_must_be_numbers_or_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match="str"):
        x + "1"
    with pytest.raises(TypeError, match="NoneType"):
        x * None


def test_mixed_length_batches_raise_a_clear_error():
    a, b = Value(np.ones(3)), Value(np.ones(5))
    with pytest.raises(ValueError, match=r"different sizes \[3, 5\]"):
        a + b
    with pytest.raises(ValueError, match=r"different sizes \[1, 5\]"):
        Value(np.ones(1)) * b  # numpy would broadcast this one silently


# ---------------------------------------------------------------- IEEE 754 results


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Value(1000).exp(), math.inf),
        (lambda: Value(0).log(), -math.inf),
        (lambda: Value(-1).log(), math.nan),
        (lambda: Value(-1).sqrt(), math.nan),
        (lambda: Value(1) / 0, math.inf),
        (lambda: Value(-1) / 0, -math.inf),
        (lambda: Value(0) / 0, math.nan),
        (lambda: 1 / Value(0), math.inf),
        (lambda: Value(10.0) ** 1000, math.inf),
        (lambda: Value(-8.0) ** (1 / 3), math.nan),
        (lambda: Value(0.0) ** -1, math.inf),
        (lambda: Value(math.inf).sin(), math.nan),
        (lambda: Value(math.nan).relu(), math.nan),
        (lambda: Value(1000.0).sigmoid(), 1.0),
        (lambda: Value(-1000.0).sigmoid(), 0.0),
        (lambda: Value(1000.0).softplus(), 1000.0),
        (lambda: Value(-1000.0).elu(), -1.0),
    ],
)
def test_non_finite_arithmetic_follows_ieee(make, expected):
    out = make()
    if math.isnan(expected):
        assert math.isnan(out.data)
    else:
        assert out.data == expected


def test_ieee_results_for_batches_without_warnings():
    with np.errstate(all="raise"):  # the engine must not rely on numpy's warnings
        out = Value(np.array([1000.0, 0.0, -1.0]))
        assert np.array_equal(out.exp().data[:1], [math.inf])
        logs = out.log().data
    assert logs[1] == -math.inf and math.isnan(logs[2])


def test_gradients_at_the_edges_are_ieee_too():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


# ---------------------------------------------------------------- detect_anomaly


def test_detect_anomaly_names_the_op_and_its_inputs_in_forward():
    with (
        detect_anomaly(),
        pytest.raises(FloatingPointError, match=r"log produced nan from input -1"),
    ):
        Value(-1.0).log()
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"exp produced inf"):
        Value(1000.0).exp()


def test_detect_anomaly_in_backward_names_the_op():
    x = Value(0.0)
    y = x.sqrt()  # forward is fine (0); d/dx = 1/(2·0) = inf
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"backward of sqrt"):
        y.backward()


def test_detect_anomaly_is_off_outside_the_block():
    with detect_anomaly():
        pass
    assert math.isnan(Value(-1.0).log().data)


# ---------------------------------------------------------------- gradcheck's report


def test_gradcheck_reports_the_worst_input():
    def wrong_derivative(x, y):
        s = x.sin()
        if s.local_grads:  # recorded (numerical_grad evaluates under no_grad)
            s.local_grads = (2 * math.cos(x.data),)  # a wrong d/dx sin x: 2 cos x
        return s + y

    with pytest.raises(AssertionError, match=r"input 0 .*analytic .* vs numerical"):
        functional.gradcheck(wrong_derivative, [0.3, 1.0])


def test_gradcheck_needs_scalar_leaf_inputs():
    with pytest.raises(ValueError, match="no inputs"):
        functional.gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="holds a batch"):
        functional.gradcheck(lambda x: x.mean(), [Value(np.ones(3))])
