"""Benchmarks of this engine against the peers a learner would pick instead.

``python -m bench`` (or ``make bench``) measures four cases on this engine, on micrograd
(installed by the ``bench`` extra) and on PyTorch when it is importable, each measurement in
a fresh interpreter with default settings, and prints one table with ratios and targets:

- A: a 100,000-step mixed graph ``acc = acc + (x[i] * w[i]).relu()``, ns per op node
- B: a 10^6-step chain ``y = y * 1.0001 + 0.0001``: does backward work, ns per op node
- C: bytes per op node of a 10^6-op-node graph
- D: one epoch of micrograd's demo (MLP 2-16-16-1, 200 two-moons points, hinge + L2)

Modules: ``libraries`` (one adapter per library), ``cases`` (A, B, C), ``epoch`` (D),
``worker`` (runs one measurement in its own process), ``report`` (the table and
RESULTS.md), ``__main__`` (the command line).
"""
