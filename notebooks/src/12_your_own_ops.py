# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 · Write your own op, and test it
#
# Every op of the engine is two formulas side by side: its forward value, and the local
# derivative ∂out/∂in of each input, which backward multiplies by the gradient flowing in
# (the chain rule). An op of your own is the same two formulas, and if the second one is
# wrong, nothing crashes: backward runs, and every gradient through the op is quietly wrong.
# So an op is finished when it is *tested*: its derivative against finite differences, at
# many points, inside many expressions.
#
# This notebook
#
# 1. writes softplus(x) = log(1 + eˣ), the smooth ReLU, as an op of our own with
#    `autograd.function`, and uses it in a neuron;
# 2. tests it with `autograd.testing.assert_gradients_match`, to first and second order;
# 3. makes the classic mistake in its derivative, and watches the check find it: which
#    input, which op, and a picture with the wrong edge in red;
# 4. lets hypothesis search random expressions for a failure, and shrink it to the smallest.
#
# Every claim is checked with `assert`.

# %%
import math
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from IPython.display import SVG

import autograd
import viz
from autograd import Value
from autograd.testing import GradientMismatch, assert_gradients_match, expressions

PICTURES = Path(tempfile.gettempdir())  # where the checks draw their pictures

# %% [markdown]
# ## 1. An op is a forward and a derivative
#
# softplus(x) = log(1 + eˣ). Its derivative is eˣ / (1 + eˣ) = 1 / (1 + e⁻ˣ), the sigmoid
# σ(x). `autograd.function(forward, derivative, name)` makes the op: both functions take the
# inputs' numbers (floats, or arrays for batches) and return the output's and the local
# derivative. The forward uses numpy's `logaddexp(0, x)` = log(e⁰ + eˣ), which never
# overflows; the derivative is written with operators only (e⁻ˣ as `math.e ** -x`), so it
# also works on Values, which second derivatives need (section 2).

# %%
softplus = autograd.function(
    lambda x: np.logaddexp(0.0, x),  # log(1 + eˣ)
    lambda x: 1 / (1 + math.e**-x),  # σ(x)
    name="softplus_ours",
)

x, w, b = Value(0.8, label="x"), Value(-1.3, label="w"), Value(0.5, label="b")
z = x * w + b
z.label = "z"
a = softplus(z)
a.label = "a"
a.backward()

sigma = 1 / (1 + math.exp(-z.data))
print(f"z = {z.data:.4f}, a = softplus(z) = {a.data:.4f}, ∂a/∂z = σ(z) = {sigma:.4f}")
print(f"∂a/∂w = σ(z)·x = {w.grad:.4f}, ∂a/∂x = σ(z)·w = {x.grad:.4f}, ∂a/∂b = {b.grad:.4f}")
assert a.op == "softplus_ours" and a.local_grads == (sigma,)
assert math.isclose(a.data, math.log(1 + math.exp(z.data)), rel_tol=1e-15)
assert math.isclose(w.grad, sigma * x.data) and math.isclose(x.grad, sigma * w.data)
assert math.isclose(a.data, z.softplus().data, rel_tol=1e-15)  # the engine's own softplus

# %% [markdown]
# The op is a node like any other: drawn with its name, its local derivative σ(z) in the
# cell where z's edge enters it.

# %%
viz.draw(a)

# %% [markdown]
# It works on batches too (one number per sample), since numpy's functions and the
# operators work elementwise on arrays:

# %%
zs = Value(np.array([-2.0, 0.0, 3.0]))
ours = softplus(zs)
ours.sum().backward()
print("softplus:", ours.data.round(4), "  ∂/∂z:", zs.grad.round(4))
assert np.allclose(ours.data, zs.softplus().data, rtol=1e-15)
assert np.allclose(zs.grad, 1 / (1 + np.exp(-zs.data)), rtol=1e-15)

# %% [markdown]
# ## 2. Test it against finite differences
#
# `assert_gradients_match(f, *inputs)` runs backward and compares each gradient with the
# central difference (f(x + h) − f(x − h)) / 2h, the slope of a chord. It first makes sure
# the difference itself can be trusted: with h = 10⁻⁶ and h/10 it must give the same number
# (else the function curves too fast for the step), and the one-sided slopes on either side
# must agree (else there is a kink, as relu's at 0, where no difference can judge). Only then
# may a mismatch blame the derivative. It returns nothing when everything matches.
#
# `order=2` checks the second derivatives too (the Hessian, by double backward): they go
# through our derivative called on Values, which is why it is written with operators.


# %%
def neuron(x, w, b):
    return softplus(x * w + b)


assert_gradients_match(neuron, 0.8, -1.3, 0.5)
assert_gradients_match(neuron, 0.8, -1.3, 0.5, order=2)
assert_gradients_match(neuron, np.array([-3.0, 0.1, 2.5]), -1.3, 0.5)  # sample by sample
print("first and second derivatives match, on numbers and on a batch")

# %% [markdown]
# ## 3. The classic mistake
#
# Take the derivative of log(1 + eˣ) in a hurry: 1 / (1 + eˣ). The minus sign is lost, and
# that is σ(−x), not σ(x). Backward does not complain:

# %%
softplus_wrong = autograd.function(
    lambda x: np.logaddexp(0.0, x),
    lambda x: 1 / (1 + math.e**x),  # the mistake: σ(−x)
    name="softplus_student",
)


def neuron_wrong(x, w, b):
    return softplus_wrong(x * w + b)


x, w, b = Value(0.8, label="x"), Value(-1.3, label="w"), Value(0.5, label="b")
a = neuron_wrong(x, w, b)
a.backward()
right = 1 / (1 + math.exp(0.54)) * 0.8  # σ(z)·x at z = 0.8·(-1.3) + 0.5 = -0.54
print(f"∂a/∂w = {w.grad:.4f} by backward: a plausible number, but σ(z)·x = {right:.4f}")
assert math.isclose(a.data, math.log(1 + math.exp(-0.54)))  # the forward value is right
assert not math.isclose(w.grad, right, rel_tol=0.1)  # its gradient is not

# %% [markdown]
# The check finds it. Its message names the gradient that disagrees and the input, and then
# the culprit: each op's local derivative is compared with finite differences of *that op
# alone*, recomputed from its inputs' numbers, so the op whose own derivative is wrong is
# named, with both numbers.

# %%
try:
    assert_gradients_match(neuron_wrong, 0.8, -1.3, 0.5, picture=PICTURES / "neuron.svg")
    raise AssertionError("the wrong derivative was not caught")
except GradientMismatch as failure:
    print(failure)
    mismatch = failure
assert mismatch.op == "softplus_student" and mismatch.input in ("x", "w", "b")
assert "softplus_student's local derivative with respect to its input is 0.631812" in str(mismatch)
assert "finite differences of softplus_student alone give 0.368188" in str(mismatch)
assert math.isclose(0.631812 + 0.368188, 1.0)  # σ(−z) + σ(z) = 1

# %% [markdown]
# And the picture it drew: the failing graph, the wrong edge in red, its cell saying what
# the derivative gave and what it should be: σ(−z) = 0.6318 against σ(z) = 0.3682. The two
# add up to 1, since σ(−z) = 1 − σ(z): the fingerprint of the lost minus sign.

# %%
SVG(filename=str(mismatch.picture))

# %% [markdown]
# ## 4. Let hypothesis look for the failure
#
# One point is one test. `autograd.testing.expressions(ops=[...])` is a hypothesis strategy
# that draws whole functions built from the ops listed (ours, among the engine's), with
# inputs kept away from every op's singularities (no log of 0, no overflowing exp, kinks at
# least 10⁻³ away). The property "backward matches finite differences" is then checked on
# a hundred of them. When one fails, hypothesis shrinks it to the smallest failing function
# and reports that one. (`derandomize=True`: the same examples each run, so this notebook
# reads the same every time; `database=None`: nothing is saved to disk.)


# %%
def check_softplus(op):
    @settings(derandomize=True, database=None, deadline=None)
    @given(expressions(ops=[op, "mul", "add", "tanh"], max_depth=6))
    def test_op_in_any_expression(case):
        f, inputs = case
        assert_gradients_match(f, *inputs, picture=PICTURES / f"{op.name}_shrunk.svg")

    test_op_in_any_expression()


try:
    check_softplus(softplus_wrong)
    raise AssertionError("hypothesis did not find the wrong derivative")
except GradientMismatch as failure:
    print(failure.__notes__[0])  # hypothesis's report: the smallest failing case it found
    print(failure)
    shrunk = failure
assert shrunk.op == "softplus_student"
assert "Expression('v0 = softplus_student(x" in shrunk.__notes__[0]

# %% [markdown]
# The smallest failing function is the op alone, at the simplest input where its derivative
# is wrong:

# %%
SVG(filename=str(shrunk.picture))

# %% [markdown]
# The right softplus passes the same search:

# %%
check_softplus(softplus)
print("softplus_ours: backward matches finite differences in every expression drawn")

# %% [markdown]
# **Summary.**
#
# * `autograd.function(forward, derivative, name)` makes an op from its two formulas; it is
#   a node like the engine's own: backward, batches, drawings. Written with operators only
#   (`math.e ** -x`), the derivative also works on Values, which gives second derivatives.
# * A wrong derivative does not crash anything. `assert_gradients_match` finds it: it trusts
#   finite differences only when two step sizes agree and there is no kink, then names the
#   input, the op whose own derivative disagrees, and draws the graph with that edge in red.
# * With `expressions(ops=[...])`, hypothesis searches many functions for a failure and
#   shrinks it to the smallest: a test of the op everywhere, not at one point.
