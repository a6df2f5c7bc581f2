"""Draw autograd graphs: values, gradients and the chain rule on every edge.

>>> from autograd import Value
>>> import viz
>>> x = Value(2.0, label="x")
>>> y = x * x
>>> y.backward()
>>> source = viz.draw(y, edge_labels="contribution").source   # draw() gives a graphviz.Digraph
>>> source.count("1 × 2 = 2")        # one edge per use of x; together they make x.grad = 4
2

- ``draw(root, ...)``: the graph as a ``graphviz.Digraph`` (shown inline by Jupyter).
- ``render(root, "graph.svg", ...)``: write svg, png or pdf (needs the Graphviz programs).
- ``backward_steps(root)`` / ``save_steps_html(root, "steps.html")``: the backward pass,
  one frame per node, as a player in Jupyter or a self-contained HTML page.
- ``python -m viz "tanh(x*w + b)" --at x=2 w=-3 b=6.88 -o neuron.svg``: the same from a shell.
"""

from viz.dot import draw
from viz.render import GraphvizNotFoundError, render
from viz.steps import BackwardSteps, Frame, backward_steps, save_steps_html

__all__ = [
    "BackwardSteps",
    "Frame",
    "GraphvizNotFoundError",
    "backward_steps",
    "draw",
    "render",
    "save_steps_html",
]
