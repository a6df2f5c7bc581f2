"""The student's softplus in random expressions, checked by hypothesis: this test FAILS, on
purpose, and its report says where (run it: ``pytest examples/test_student_softplus.py``).

hypothesis builds functions from the ops listed (the student's op among the engine's),
with inputs kept away from every op's singularities; when one fails it shrinks it to the
smallest failing function and reports it, with the message and the picture of
``assert_gradients_match``.
"""

from hypothesis import given
from student_softplus import softplus

from autograd.testing import assert_gradients_match, expressions


@given(expressions(ops=[softplus, "mul", "add", "tanh"]))
def test_softplus_in_any_expression(case):
    f, inputs = case
    assert_gradients_match(f, *inputs)
