"""Batches give IEEE results without a RuntimeWarning whatever the user's warning filters and
numpy error settings are, and leave those settings as they were.

The issue's measurement: after ``warnings.simplefilter("always")`` (what pytest -W, IPython and
many users set) a batch [0, -1, 1e308, inf] through log, exp, ** 0.5, / and backward gave 9
RuntimeWarnings: the engine relied on a module-level filter. Now numpy's error state is
scoped to each of the engine's own numpy calls.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

from autograd import Value, nn
from autograd.losses import mse

BATCH = [0.0, -1.0, 1e308, math.inf]
DIVISORS = [0.0, 0.0, 1.0, -0.0]


def through_every_op(x: Value, d: Value) -> Value:
    return x.log() + x.exp() + x**0.5 + 1.0 / x + x / d


@pytest.mark.parametrize("action", ["always", "error", "default", "module", "once"])
def test_no_runtime_warning_under_any_filter_and_ieee_results(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)  # "error" turns any warning into an exception here
        x, d = Value(np.array(BATCH)), Value(np.array(DIVISORS))
        y = through_every_op(x, d)
        y.sum().backward()
        layer = nn.Layer(4, 3, activation="tanh", seed=0)  # a fused layer's matrices too
        out = layer(np.array([[1e308, -1e308, math.inf, 0.0], [1.0, 2.0, 3.0, 4.0]]))
        mse(out, np.zeros((2, 3))).backward()
    assert [str(w.message) for w in caught] == []
    for i, (v, dv) in enumerate(zip(BATCH, DIVISORS, strict=True)):  # the same as one number
        xi, di = Value(v), Value(dv)
        yi = through_every_op(xi, di)
        yi.backward()
        np.testing.assert_array_equal([yi.data, xi.grad], [y.data[i], x.grad[i]])


@pytest.mark.parametrize(
    "settings",
    [{"all": "raise"}, {"all": "warn"}, {"divide": "raise", "over": "print"}, {"all": "call"}],
)
def test_the_user_s_numpy_error_settings_are_as_they_were_after_every_call(settings):
    """np.seterr(all="raise") must not make the engine raise, nor be undone by it."""
    old = np.seterr(**settings)
    old_call = np.seterrcall(lambda kind, flag: None)
    try:
        before = np.geterr()
        x = Value(np.array(BATCH))
        assert np.geterr() == before
        y = x.log() * x.exp()
        assert np.geterr() == before
        y.sum().backward()
        assert np.geterr() == before
        assert y.data[0] == -math.inf and np.isnan(y.data[1])  # log 0 · 1, log(-1) · e^-1
    finally:
        np.seterr(**old)
        np.seterrcall(old_call)


def test_no_warning_under_python_w_error_in_a_fresh_process():
    code = (
        "import numpy as np\n"
        "from autograd import Value, nn\n"
        "x = Value(np.array([0.0, -1.0, 1e308, np.inf]))\n"
        "y = (x.log() + x.exp() + x ** 0.5 + 1.0 / x).sum()\n"
        "y.backward()\n"
        "nn.MLP(2, [3, 1], activation='sigmoid')(np.array([[1e308, -np.inf]])).sum().backward()\n"
        "print('ok', np.geterr()['divide'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert result.stdout == "ok warn\n", result.stderr
    # numpy itself still warns for the user's own code: only the engine's calls are quiet
    user = "import numpy as np\nimport autograd\nnp.log(np.zeros(1))\n"
    result = subprocess.run([sys.executable, "-W", "error", "-c", user], capture_output=True)
    assert result.returncode != 0 and b"RuntimeWarning" in result.stderr


def test_the_engine_s_quiet_numpy_calls_match_np_errstate_and_undo_themselves():
    """elementwise.on_arrays sets numpy's error state itself (faster than np.errstate): it
    must give np.errstate(all="ignore")'s results and put the caller's state back, also when
    the computation raises."""
    from autograd import elementwise as ew

    x = np.array(BATCH)
    with np.errstate(all="raise"):  # the caller's state, inside a context manager
        ours = ew.on_arrays(lambda a: (np.log(a), np.exp(a), a / np.array(DIVISORS)), x)
        with np.errstate(all="ignore"):
            expected = (np.log(x), np.exp(x), x / np.array(DIVISORS))
        with pytest.raises(KeyError):
            ew.on_arrays(lambda: {}["missing"])
        assert np.geterr()["divide"] == "raise"  # put back, after the error too
        with pytest.raises(FloatingPointError):
            np.log(np.zeros(1))
    for a, b in zip(ours, expected, strict=True):
        np.testing.assert_array_equal(a, b)
