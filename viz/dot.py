"""``draw(root)``: the computation graph as a ``graphviz.Digraph``, the chain rule on every edge.

Each value is a box with its label, ``data`` and ``grad``; each operation is a small table
with one cell per operand: that operand's edge ends in its cell, and the cell holds the local
derivative ∂out/∂in (or the contribution upstream × local). Summing the contributions of the
edges leaving a box gives the gradient written in it: the chain rule, readable off the picture.

>>> from autograd import Value
>>> a = Value(2.0, label="a")
>>> y = a * a
>>> y.backward()
>>> source = draw(y).source
>>> source.count("->")          # a -> op twice (one edge per use), op -> y once
3
>>> "grad 4" in source          # dy/da = 2a
True

Building the DOT text needs no Graphviz program; only rendering it (``viz.render``,
Jupyter's inline display) does. The text is deterministic: nodes are named by their place in
``topological_order`` (never ``id()``), so the same graph gives the same bytes in every run.
"""

from __future__ import annotations

import graphviz

from autograd import Value, topological_order
from autograd.fused import expanded, has_fused_layers
from viz.build import build_scene
from viz.options import DrawOptions
from viz.scene import Scene


def draw(root: Value, options: DrawOptions | None = None, **kwargs) -> graphviz.Digraph:
    """Draw the graph that computed ``root``; Jupyter shows the result inline (with the
    system's Graphviz, or graphviz-pure where there is none: ``viz.programs``).

    Options are those of ``DrawOptions`` (``rankdir``, ``show_grads``, ``edge_labels``,
    ``color_by_grad``, ``clusters``, ``collapse_neurons``, ``max_nodes``, ``fused_layers``),
    given as keywords or as one ``DrawOptions``. Batches show their first sample:
    ``data[0] 0.31 (B=64)``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * 2).tanh()
    >>> "gradients not computed" in draw(y).source    # backward() not called yet
    True
    """
    return draw_scene(root, options, **kwargs).to_digraph()


def draw_scene(root: Value, options: DrawOptions | None = None, **kwargs) -> Scene:
    """What ``draw`` draws, as a ``viz.scene.Scene`` (plain data) before it becomes DOT:
    for outputs that are not DOT (``viz.tikz``). Same options as ``draw``.

    >>> from autograd import Value
    >>> [node.kind for node in draw_scene(Value(2.0, label="x") * 3).nodes]
    ['value', 'value', 'op']
    """
    check_root(root)
    options = make_options(options, kwargs)
    order = drawn_order(root, options.fused_layers)
    return build_scene(order, [node.grad for node in order], options)


def drawn_order(root: Value, fused_layers: str) -> list[Value]:
    """The nodes a drawing shows, in topological order: the graph's own, or with each fused
    layer as its neurons (``fused_layers="expanded"``, see ``autograd.fused.expanded``).

    >>> from autograd import Value
    >>> [n.op for n in drawn_order(Value(2.0) * 3, "expanded")]
    ['', '*3']
    """
    order = topological_order(root)
    if fused_layers == "expanded" and has_fused_layers(order):
        order = topological_order(expanded(root))
    return order


def make_options(options: DrawOptions | None, kwargs: dict) -> DrawOptions:
    """One ``DrawOptions`` from either an object or keywords (not both).

    >>> make_options(None, {"rankdir": "TB"}).rankdir
    'TB'
    """
    if options is not None:
        if kwargs:
            raise TypeError("pass drawing options either as a DrawOptions or as keywords")
        if not isinstance(options, DrawOptions):
            raise TypeError(f"options must be a viz.DrawOptions, got {type(options).__name__}")
        return options
    try:
        return DrawOptions(**kwargs)
    except TypeError:
        known = ", ".join(DrawOptions.__dataclass_fields__)
        unknown = ", ".join(k for k in kwargs if k not in DrawOptions.__dataclass_fields__)
        raise TypeError(f"unknown drawing option {unknown} (the options are: {known})") from None


def check_root(root: object) -> None:
    """Raise TypeError unless ``root`` is an autograd Value."""
    if not isinstance(root, Value):
        raise TypeError(f"expected an autograd Value to draw, got {type(root).__name__}")
