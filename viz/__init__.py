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
- ``render(root, "graph.svg", ...)``: write svg, png, pdf or dot (the system's Graphviz, or
  graphviz-pure from pip: ``programs``).
- ``backward_steps(root)`` / ``save_steps_html(root, "steps.html")``: the backward pass,
  step by step, as a player in Jupyter or a self-contained HTML page.
- Onto slides: ``render_steps(root, "frames/", format="png")`` (one numbered image a step),
  ``animate(root, "backward.gif")``, ``to_tikz(root)`` (a TikZ picture for LaTeX).
- ``explain(v, root)``: why ``v.grad`` is what it is, one term per use (``Derivation``).
- ``exercise(root, ask="grad" | "local" | "data")``: numbers hidden for a learner, checked.
- ``GradientFlow(model)``: per-layer gradient sizes, dead and saturated units, per step.
- ``TrainingReplay(model, x, y, loss=...)``: one sample's graph through training, a slider.
- ``python -m viz "tanh(x*w + b)" --at x=2 --at w=-3 --at b=6.88 -o out/neuron.svg``: from a
  shell.

Modules, one job each: ``options`` (``DrawOptions``), ``labels`` (text and escaping),
``colours``, ``scene`` (what to draw, as data), ``build`` (graph -> scene), ``networks``
(clusters, bundled layers), ``boxes`` (collapsed neurons), ``graphs`` (cycles),
``outside`` (honest sub-graphs), ``layout`` (bounded layout time), ``dot`` (``draw``),
``programs`` (which Graphviz runs), ``images`` (``render``: files), ``steps`` (the
replayed backward pass), ``frames`` (its frames as files and a GIF), ``tikz`` (LaTeX),
``player`` (its HTML, with ``player.js``/``player.css``), ``explain`` (derivations),
``exercise`` and ``exercise_page`` (with ``exercise.js``/``.css``), ``flow`` (gradient
flow), ``replay`` (training replay), ``formula`` and ``__main__`` (the command line).
"""

from viz.dot import draw
from viz.exercise import CheckResult, Exercise, exercise
from viz.explain import Derivation, Term, explain
from viz.flow import GradientFlow, LayerFlow
from viz.frames import animate, render_steps
from viz.images import GraphvizNotFoundError, render
from viz.options import DrawOptions
from viz.player import BackwardSteps, backward_steps, save_steps_html
from viz.replay import TrainingReplay
from viz.steps import Frame
from viz.tikz import to_tikz

__all__ = [
    "BackwardSteps",
    "CheckResult",
    "Derivation",
    "DrawOptions",
    "Exercise",
    "Frame",
    "GradientFlow",
    "GraphvizNotFoundError",
    "LayerFlow",
    "Term",
    "TrainingReplay",
    "animate",
    "backward_steps",
    "draw",
    "exercise",
    "explain",
    "render",
    "render_steps",
    "save_steps_html",
    "to_tikz",
]
