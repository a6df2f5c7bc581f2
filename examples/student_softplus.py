"""A student's softplus with a wrong derivative, and how autograd.testing finds it.

softplus(x) = log(1 + eˣ), a smooth ReLU. Its derivative is eˣ / (1 + eˣ) = 1 / (1 + e⁻ˣ),
the sigmoid σ(x); the student lost the minus sign and wrote 1 / (1 + eˣ), which is σ(−x).
Nothing crashes: backward runs, and every gradient through this op is quietly wrong.

    python examples/student_softplus.py        # the check: its message, and a picture
    pytest examples/test_student_softplus.py   # the same mistake, found by hypothesis

The picture (``student_softplus.png`` here, or the path given) is the graph of the
failing check with the wrong edge in red.
"""

import math
import sys

import numpy as np

import autograd
from autograd.testing import GradientMismatch, assert_gradients_match

softplus = autograd.function(
    lambda x: np.logaddexp(0.0, x),  # log(1 + eˣ), without overflow for large x
    lambda x: 1 / (1 + math.e**x),  # the mistake: σ(−x); σ(x) is 1 / (1 + math.e**-x)
    name="softplus_student",
)


def neuron(x, w, b):
    """One neuron with the student's activation: softplus(x·w + b)."""
    return softplus(x * w + b)


def main(picture: str = "student_softplus.png") -> int:
    try:
        assert_gradients_match(neuron, 0.8, -1.3, 0.5, picture=picture)
    except GradientMismatch as failure:
        print(failure)
        return 1
    print("the gradients match")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
