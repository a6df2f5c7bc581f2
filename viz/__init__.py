"""Draw autograd graphs: values, gradients and the chain rule on every edge.

>>> from autograd import Value
>>> import viz
>>> x = Value(2.0, label="x")
>>> y = x * x
>>> y.backward()
>>> source = viz.draw(y, edge_labels="contribution").source   # draw() gives a graphviz.Digraph
>>> source.count("1 × 2 = 2")        # one edge per use of x; together they make x.grad = 4
2

- ``draw(root, ...)``: the graph as a ``graphviz.Digraph`` (shown inline by Jupyter);
  ``DrawOptions`` holds its options.
- ``render(root, "graph.svg", ...)``: write svg, png, pdf (needs the Graphviz programs) or dot.
- ``backward_steps(root)`` / ``save_steps_html(root, "steps.html")``: the backward pass,
  step by step, as a player in Jupyter or a self-contained HTML page.
- ``python -m viz "tanh(x*w + b)" --at x=2 --at w=-3 --at b=6.88 -o out/neuron.svg``: from a shell.

Modules, one job each: ``options`` (``DrawOptions``), ``labels`` (text and escaping),
``colours``, ``scene`` (what to draw, as data), ``build`` (graph -> scene), ``networks``
(clusters, collapsed neurons), ``outside`` (honest sub-graphs), ``layout`` (bounded layout
time), ``dot`` (``draw``), ``images`` (``render``: files), ``steps`` (the replayed
backward pass), ``player`` (its HTML, with ``player.js``/``player.css``), ``formula`` and
``__main__`` (the command line).
"""

from viz.dot import draw
from viz.images import GraphvizNotFoundError, render
from viz.options import DrawOptions
from viz.steps import BackwardSteps, Frame, backward_steps, save_steps_html

__all__ = [
    "BackwardSteps",
    "DrawOptions",
    "Frame",
    "GraphvizNotFoundError",
    "backward_steps",
    "draw",
    "render",
    "save_steps_html",
]
