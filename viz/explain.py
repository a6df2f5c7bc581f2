"""Why a gradient is what it is: ``explain(v, root)``, the chain rule for one node, in numbers.

``backward()`` gives a node ``v`` one share per use: each op that read ``v`` hands back its
upstream gradient (∂root/∂op's output) times its local derivative (∂output/∂v), and the
shares add up. A derivation lists those terms, with the local derivative in symbols (from
the table below, keyed by the op) and in numbers, so a learner can check every step.

>>> from autograd import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w + x                   # x is used twice: two terms
>>> y.label = "y"
>>> y.backward()
>>> d = explain(x, y)
>>> [t.formula for t in d.terms], d.total
(['∂(x·w)/∂x = w', '∂(x·w + x)/∂x = 1'], -2.0)
>>> print(d)  # doctest: +NORMALIZE_WHITESPACE
∂y/∂x = -2: x is used 2 times, and backward() adds one term per use (upstream × local)
  use 1, x → *: local ∂(x·w)/∂x = w = -3
      upstream ∂y/∂(x·w) = 1; upstream × local = 1 × -3 = -3
  use 2, x → +: local ∂(x·w + x)/∂x = 1
      upstream ∂y/∂y = 1; upstream × local = 1 × 1 = 1
  total: -3 + 1 = -2 = x.grad

Every product is computed by ``autograd.engine.contribution``, the function ``backward()``
itself adds with, so a derivation cannot disagree with backward. A batch is shown one
sample at a time (``sample=``), except where backward sums over it: a weight holds one
number for all samples, so its share is the sum over the batch, and the derivation says so.
An op whose local derivative is not a number (a fused layer's edge: the op gives it only
multiplied by the upstream gradient) gets its product and a generic ∂out/∂in; a gradient
that is a matrix is shown as one.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from autograd import Value, enable_grad, topological_order
from autograd.engine import contribution
from autograd.rules import local_grads_as_graph
from viz.dot import drawn_order
from viz.labels import describe, format_number, shorten

MAX_NAME_CHARS = 24  # an unlabelled node is named by its expression when it is this short
MAX_MATRIX_COLUMNS = 6  # a matrix row shows this many numbers, then "…"


# --------------------------------------------------------------------- the table of ops
# Each op: how to write its output from its operands' names (and its number operand c), and
# its local derivative ∂out/∂operand in symbols, one per operand. The key is ``node.op``
# with the number operand replaced by "c" ("*2" → "*c", "2-" → "c-", "**3" → "**c").

Names = Sequence[str]
Rule = tuple[Callable[[Names, str], str], Callable[[Names, str, int], str]]


def _binary(symbol: str, d: tuple[str, str]) -> Rule:
    return (
        lambda n, c: f"{n[0]}{symbol}{n[1]}",
        lambda n, c, k: d[k].format(a=n[0], b=n[1]),
    )


def _with_number(expression: str, derivative: str) -> Rule:
    return (
        lambda n, c: expression.format(a=n[0], c=c),
        lambda n, c, k: derivative.format(a=n[0], c=c),
    )


def _function(name: str, derivative: str) -> Rule:
    return (lambda n, c: f"{name}({n[0]})", lambda n, c, k: derivative.format(a=n[0], c=c))


def _sum_expression(n: Names, c: str) -> str:
    terms = [*n, c] if c else list(n)
    return " + ".join(terms) if len(terms) > 1 else f"Σₙ {terms[0]}[n]"  # one batch, summed


def _power_derivative(n: Names, c: str, k: int) -> str:
    try:
        lower = format_number(float(c) - 1.0)  # x**3: 3·x^2
    except ValueError:  # a batch of exponents
        lower = f"({c} − 1)"
    return f"{c}·{n[0]}" if lower == "1" else f"{c}·{n[0]}^{lower}"


def _pick(which: str) -> Rule:
    first, second = (">", "<") if which == "max" else ("<", ">")
    return (
        lambda n, c: f"{which}({n[0]}, {n[1]})",
        lambda n, c, k: (
            f"1 if {n[k]} {first} {n[1 - k]}, 0 if {n[k]} {second} {n[1 - k]}, ½ on a tie"
        ),
    )


RULES: dict[str, Rule] = {
    "+": _binary(" + ", ("1", "1")),
    "-": _binary(" − ", ("1", "−1")),
    "*": _binary("·", ("{b}", "{a}")),
    "/": _binary("/", ("1/{b}", "−{a}/{b}²")),
    "**": _binary("^", ("{b}·{a}^({b} − 1)", "{a}^{b}·ln {a}")),
    "+c": _with_number("{a} + {c}", "1"),
    "-c": _with_number("{a} − {c}", "1"),
    "c-": _with_number("{c} − {a}", "−1"),
    "*c": _with_number("{a}·{c}", "{c}"),
    "/c": _with_number("{a}/{c}", "1/{c}"),
    "c/": _with_number("{c}/{a}", "−{c}/{a}²"),
    "**c": (lambda n, c: f"{n[0]}^{c}", _power_derivative),
    "c**": _with_number("{c}^{a}", "{c}^{a}·ln {c}"),
    "neg": _with_number("−{a}", "−1"),
    "abs": _with_number("|{a}|", "sign({a})"),
    "exp": _with_number("e^{a}", "e^{a}"),
    "log": _with_number("ln {a}", "1/{a}"),
    "sqrt": _with_number("√{a}", "1/(2√{a})"),
    "tanh": _function("tanh", "1 − tanh²({a})"),
    "sigmoid": _function("σ", "σ({a})·(1 − σ({a}))"),
    "relu": _function("relu", "1 if {a} > 0, else 0"),
    "leaky_relu": _function("leaky_relu", "1 if {a} > 0, else the slope"),
    "elu": _function("elu", "1 if {a} > 0, else α·e^{a}"),
    "softplus": _function("softplus", "σ({a})"),
    "sin": _function("sin", "cos({a})"),
    "cos": _function("cos", "−sin({a})"),
    "sum": (_sum_expression, lambda n, c, k: "1"),
    "sum+c": (_sum_expression, lambda n, c, k: "1"),
    "mean": (lambda n, c: f"mean({n[0]})", lambda n, c, k: "1/B (B samples)"),
    "sum_of_squares": (
        lambda n, c: " + ".join(f"{name}²" for name in n),
        lambda n, c, k: f"2·{n[k]}",
    ),
    "max": _pick("max"),
    "min": _pick("min"),
}


def rule_key(node: Value) -> str:
    """The key of ``node``'s op in ``RULES``: its op with the number operand written "c".

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> [rule_key(n) for n in (x * 2, 2 - x, x**3, 2**x, x - 2, -2 - x, x.tanh())]
    ['*c', 'c-', '**c', 'c**', '-c', 'c-', 'tanh']
    """
    op = node.op
    if node.constant is None or op in RULES:
        return op
    for suffix in ("**", "-", "/"):  # the number on the left: "2-", "-2-", "2**"
        if op.endswith(suffix) and op != suffix:
            return "c" + suffix
    for prefix in ("sum+", "**", "*", "+", "-", "/"):  # the number on the right
        if op.startswith(prefix) and op != prefix:
            return prefix + "c"
    return op


# --------------------------------------------------------------------- derivations


@dataclass
class Term:
    """One use of the node: the edge into ``consumer`` (operand ``operand`` of it).

    ``local`` is ∂consumer/∂node (a number, a batch, or for an op that gives it only as a
    product, the op's own object), ``upstream`` the consumer's gradient ∂root/∂consumer,
    ``product`` what backward() adds to the node's gradient along this edge.
    """

    op: str
    formula: str
    local: object
    upstream: object
    product: object
    consumer: Value
    operand: int


@dataclass
class Derivation:
    """The gradient of ``node`` in the graph of ``root``, term by term.

    ``total`` is the node's gradient; ``terms`` one ``Term`` per use; ``earlier`` the part
    of ``total`` the terms do not explain (gradients of earlier ``backward()`` calls, which
    leaves accumulate, or of uses outside this graph), or None; ``shows`` says whether the
    numbers are one sample, the sum over a batch, or plain numbers.
    """

    node: Value
    root: Value
    name: str
    root_name: str
    total: object
    terms: list[Term] = field(default_factory=list)
    earlier: object = None
    sample: int = 0
    shows: str = "numbers"

    def header(self) -> str:
        """The first line: the gradient, and how many terms make it."""
        total = _show(self.total, self.sample)
        start = f"∂{self.root_name}/∂{wrap_name(self.name)} = {total}"
        if not self.terms:
            if self.node is self.root:
                return f"{start}: backward() starts here (the seed ∂{self.root_name}/∂itself)"
            return f"{start}: no op in this graph uses {self.name}"
        n = len(self.terms)
        uses = "once" if n == 1 else f"{n} times"
        who = self.name if name_of(self.node) else f"{self.name} ({describe(self.node)})"
        note = {
            "numbers": "",
            "sample": f" (sample {self.sample} of {_batch(self.node)} shown)",
            "sum": (
                f" ({self.name} is one number shared by every sample, so each term is the "
                "sum over the batch)"
            ),
        }[self.shows]
        return (
            f"{start}: {who} is used {uses}, and backward() adds one term per use "
            f"(upstream × local){note}"
        )

    def term_lines(self, number: int) -> list[str]:
        """The two lines of term ``number`` (from 0): its local derivative, then its product."""
        t, k = self.terms[number], self.sample
        consumer = name_of(t.consumer)
        of = wrap_name(consumer) if consumer else f"(the {t.op} node)"
        upstream = f"upstream ∂{self.root_name}/∂{of} = {_show(t.upstream, k)}"
        if self.shows == "sum" and _is_batch(t.upstream):  # one sample of many: say which
            upstream += f" (sample {k})"
        product = _show(t.product, k)
        if not _is_number(t.local):  # the op gives it only multiplied by upstream
            return [
                f"use {number + 1}, {self.name} → {t.op}: local {t.formula}, a block of the "
                "op's Jacobian that the op gives only times upstream",
                f"    {upstream}; the op's product for this edge = {product}",
            ]
        local = f"local {t.formula}"
        value = _show(t.local, k)
        if not local.endswith(f"= {value}"):
            local += f" = {value}"
        if self.shows == "sum" and _is_batch(t.local):
            local += f" (sample {k})"
        if self.shows == "sum":
            times = f"Σ over the batch of upstream × local = {product}"
        else:
            times = f"upstream × local = {_show(t.upstream, k)} × {value} = {product}"
        return [f"use {number + 1}, {self.name} → {t.op}: {local}", f"    {upstream}; {times}"]

    def footer(self) -> str:
        """The last line: the terms added up, and what ``.grad`` holds."""
        k = self.sample
        parts = [_show(t.product, k) for t in self.terms]
        line = (
            "total: "
            + parts[0]
            + "".join(f" − {p[1:]}" if p.startswith("-") else f" + {p}" for p in parts[1:])
        )
        if len(parts) > 1:
            line += f" = {_show(_add(t.product for t in self.terms), k)}"
        if self.earlier is None:
            return f"{line} = {self.name}.grad"
        return (
            f"{line}; but {self.name}.grad = {_show(self.total, k)}: "
            f"{_show(self.earlier, k)} more came from no edge of this graph (an earlier "
            "backward(): leaves accumulate, call zero_grad() between passes; or a use "
            "outside this graph)"
        )

    def lines(self) -> list[str]:
        """The derivation as lines of text (``str(d)`` joins them)."""
        lines = [self.header()]
        for number in range(len(self.terms)):
            lines += ["  " + line for line in self.term_lines(number)]
        if self.terms:
            lines.append("  " + self.footer())
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_markdown_(self) -> str:
        """Jupyter: the chain rule as a formula, then one row per term."""
        rows = [
            f"**{_md(self.header())}**",
            "",
            r"$$\frac{\partial\,\mathrm{root}}{\partial v} = \sum_{\text{uses of } v}"
            r"\frac{\partial\,\mathrm{root}}{\partial\,\mathrm{use}}\cdot"
            r"\frac{\partial\,\mathrm{use}}{\partial v}$$",
        ]
        if self.terms:
            k = self.sample
            rows += [
                "",
                "| use | local derivative ∂use/∂v | upstream ∂root/∂use | upstream × local |",
                "|---|---|---|---|",
            ]
            for n, t in enumerate(self.terms, start=1):
                local = f"{t.formula} = {_show(t.local, k)}"
                cells = [f"{n}: → {t.op}", local, _show(t.upstream, k), _show(t.product, k)]
                rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
            rows += ["", _md(self.footer())]
        return "\n".join(rows)


def explain(v: Value, root: Value, *, sample: int = 0) -> Derivation:
    """The derivation of ``v.grad`` after ``root.backward()``: one term per use of ``v``.

    ``root`` is the node backward() started from (a Value only knows its parents, so the
    uses of ``v`` are found in root's graph). For a batch node, ``sample`` picks the sample
    shown. After ``backward(create_graph=True)`` the gradients are Values, and so are the
    terms (their local derivatives as graphs, ``autograd.rules``): their data add up.

    >>> from autograd import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.backward()
    >>> [t.product for t in explain(a, b).terms]      # a·a: two uses, 3 + 3 = 6
    [3.0, 3.0]
    """
    if not isinstance(v, Value) or not isinstance(root, Value):
        raise TypeError(
            f"explain(v, root) takes two autograd Values, got {type(v).__name__} "
            f"and {type(root).__name__}"
        )
    order = topological_order(root)
    if v not in set(order) and v.base in set(order):  # a view of a block used whole (a fused
        order = drawn_order(root, "expanded")  # layer): it is a weight of the neurons drawn
    if v not in set(order):
        raise ValueError(f"{describe(v)} is not in the graph of {describe(root)}")
    grads = [node.grad for node in order]
    if _reached_only_through_copies(order, grads, v):  # create_graph through a fused layer
        order = drawn_order(root, "expanded")
        grads = [node.grad for node in order]
    return derivation(order, grads, order.index(v), sample=sample)


def derivation(
    order: list[Value],
    grads: list,
    i: int,
    *,
    sample: int = 0,
    edges: dict[Value, list[tuple[int, int]]] | None = None,
    name: str | None = None,
) -> Derivation:
    """The derivation of node ``order[i]`` when ``grads[j]`` is the gradient of ``order[j]``
    (``order`` topological, root last): what ``explain`` and the step-through page show.
    ``edges`` is ``uses(order)``, to pass when deriving many nodes of one graph; ``name``
    names the node in the text (its label or expression by default).

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0, label="x"); y = x * 5; y.label = "y"
    >>> derivation(topological_order(y), [5.0, 1.0], 0).terms[0].formula
    '∂(x·5)/∂x = 5'
    """
    node, root = order[i], order[-1]
    total = grads[i]
    if total is None:
        raise ValueError(f"{describe(node)} has no gradient: call backward() on {describe(root)}")
    _check_sample(node, sample)
    edges = uses(order) if edges is None else edges
    name = name or name_of(node) or "v"
    as_graph = any(isinstance(g, Value) for g in grads)  # backward(create_graph=True)
    terms = [_term(order[j], k, grads[j], node, name, as_graph) for j, k in edges.get(node, [])]
    shows = "numbers"
    if node.batch_size is not None:
        shows = "sample"
    elif any(_is_batch(t.upstream) for t in terms):
        shows = "sum"
    d = Derivation(node, root, name, name_of(root) or "out", total, terms, sample=sample)
    d.shows = shows
    if terms:
        d.earlier = _unexplained(total, _add(t.product for t in terms))
    return d


def uses(order: list[Value]) -> dict[Value, list[tuple[int, int]]]:
    """Each node of ``order`` -> its uses, as (position of the op that uses it, operand).

    >>> from autograd import Value, topological_order
    >>> a = Value(1.0); b = a * a
    >>> uses(topological_order(b))[a]
    [(1, 0), (1, 1)]
    """
    found: dict[Value, list[tuple[int, int]]] = {}
    for j, consumer in enumerate(order):
        for k, parent in enumerate(consumer.parents):
            found.setdefault(parent, []).append((j, k))
    return found


# --------------------------------------------------------------------- helpers


def _term(
    consumer: Value, k: int, upstream: object, node: Value, subject: str, as_graph: bool
) -> Term:
    if upstream is None:
        raise ValueError(
            f"{describe(consumer)} uses {describe(node)} but has no gradient: call "
            "backward() from the root of this graph first"
        )
    local = consumer.local_grads[k]
    if as_graph:  # create_graph=True: backward multiplied the local derivatives as graphs
        with enable_grad():
            local = local_grads_as_graph(consumer)[k]
    with np.errstate(all="ignore"):  # IEEE results, as backward() gives them
        product = contribution(local, upstream, node.data)
    return Term(consumer.op, _formula(consumer, k, node, subject), local, upstream, product,
                consumer, k)  # fmt: skip


def _formula(consumer: Value, k: int, node: Value, subject: str) -> str:
    """``∂(x·w)/∂x = w``: the local derivative in symbols, named by the operands."""
    names = operand_names(consumer, node, subject)
    c = "" if consumer.constant is None else _number_text(consumer.constant)
    rule = RULES.get(rule_key(consumer))
    if rule is None:  # an op the table does not know: its numbers, and a generic ∂out/∂in
        return f"∂{consumer.op}/∂{wrap_name(subject)}"
    expression, derivative = rule
    return f"∂{wrap_name(expression(names, c))}/∂{wrap_name(names[k])} = {derivative(names, c, k)}"


def operand_names(consumer: Value, node: Value | None = None, subject: str = "") -> list[str]:
    """The names of ``consumer``'s operands, ``node`` called ``subject``; unnamed ones get
    the letters a, b, ... (never another operand's name).

    >>> from autograd import Value
    >>> x = Value(1.0, label="x")
    >>> operand_names(x * Value(2.0)), operand_names(x * x, x, "v")
    (['x', 'a'], ['v', 'v'])
    """
    names = [subject if p is node else name_of(p) for p in consumer.parents]
    taken = set(filter(None, names))
    letters = iter(ch for ch in "abcdefghijklmnopqrstuwxyz" if ch not in taken)
    return [n if n is not None else next(letters, "?") for n in names]


def name_of(node: Value, depth: int = 0) -> str | None:
    """A node's name: its label, or its expression when short (``x1·w1``), else None.

    >>> from autograd import Value
    >>> x, w = Value(1.0, label="x"), Value(2.0, label="w")
    >>> name_of(x), name_of(x * w), name_of(((x * w).tanh() + x) * 3)
    ('x', 'x·w', None)
    """
    if node.label:
        return shorten(node.label, MAX_NAME_CHARS)
    rule = RULES.get(rule_key(node))
    if not node.parents or rule is None or depth >= 2:
        return None
    names = [name_of(p, depth + 1) for p in node.parents]
    if None in names:
        return None
    text = expression_of(node, [n for n in names if n is not None])
    return text if text is not None and len(text) <= MAX_NAME_CHARS else None


def expression_of(node: Value, names: Sequence[str]) -> str | None:
    """How ``node`` is computed from its operands, called ``names``; None for an op the
    table does not know.

    >>> from autograd import Value
    >>> expression_of(Value(1.0) ** 2, ["x"]), expression_of(Value(1.0).exp(), ["x"])
    ('x^2', 'e^x')
    """
    rule = RULES.get(rule_key(node))
    if rule is None or not node.parents:
        return None
    c = "" if node.constant is None else _number_text(node.constant)
    return rule[0](names, c)


def wrap_name(name: str) -> str:
    """A name as it stands after ∂: bracketed unless it is one word or a call.

    >>> wrap_name("x1"), wrap_name("L0.N0.w0"), wrap_name("x1·w1"), wrap_name("tanh(n)")
    ('x1', 'L0.N0.w0', '(x1·w1)', 'tanh(n)')
    """
    plain = all(ch.isalnum() or ch in "._" for ch in name)
    is_call = name.endswith(")") and name.count("(") == 1 and name.index("(") > 0
    return name if plain or is_call else f"({name})"


def _number_text(c: object) -> str:
    if isinstance(c, np.ndarray):
        return "c"  # a batch of constants: one per sample
    return format_number(float(c))  # type: ignore[arg-type]


def _data(x: object) -> object:
    return x.data if isinstance(x, Value) else x


def _is_number(x: object) -> bool:
    """A number or a batch of numbers (a local derivative an op can give on its own)."""
    return isinstance(_data(x), float | int | np.ndarray | np.floating | np.integer)


def _is_batch(x: object) -> bool:
    return isinstance(_data(x), np.ndarray)


def _batch(node: Value) -> int:
    return node.batch_size or 1


def _show(x: object, sample: int) -> str:
    """A number as the derivation shows it: one sample of a batch, a matrix by one row."""
    x = _data(x)
    if isinstance(x, np.ndarray):
        if x.ndim == 2:
            row = x[min(sample, len(x) - 1)]
            cells = [format_number(v) for v in row[:MAX_MATRIX_COLUMNS]]
            more = ", …" if len(row) > MAX_MATRIX_COLUMNS else ""
            return f"a {x.shape[0]}×{x.shape[1]} matrix, row {sample}: [{', '.join(cells)}{more}]"
        return format_number(x[min(sample, len(x) - 1)])
    if isinstance(x, float | int | np.floating | np.integer):
        return format_number(float(x))
    return "(given by the op only times upstream)"


def _add(values) -> object:
    total: object = 0.0
    for v in values:
        total = total + _data(v)  # type: ignore[operator]
    return total


def _unexplained(total: object, explained: object) -> object:
    """The part of ``total`` that the terms do not give (None when they give all of it)."""
    t, e = np.asarray(_data(total), dtype=float), np.asarray(explained, dtype=float)
    with np.errstate(all="ignore"):
        rest = t - e
        same = np.isclose(t, e, rtol=1e-9, atol=1e-12) | ((t == e) | (np.isnan(t) & np.isnan(e)))
    if np.all(same):
        return None
    return float(rest) if rest.ndim == 0 else rest


def _reached_only_through_copies(order: list[Value], grads: list, v: Value) -> bool:
    """True when v has a gradient but a node using it has none: backward(create_graph=True)
    differentiated a fused layer through a copy of its neurons (autograd.fused), so the
    uses of v are in that copy, which ``viz.dot.drawn_order(root, "expanded")`` rebuilds."""
    index = {n: j for j, n in enumerate(order)}
    if grads[index[v]] is None:
        return False
    users = [n for n in order if any(p is v for p in n.parents)]
    return any(grads[index[n]] is None for n in users)


def _check_sample(node: Value, sample: object) -> None:
    if isinstance(sample, bool) or not isinstance(sample, int | np.integer) or sample < 0:
        raise ValueError(f"sample must be a non-negative int, got {sample!r}")
    size = node.batch_size
    if size is not None and sample >= size:
        raise ValueError(f"sample {sample} is out of range: {describe(node)} holds {size}")


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]|$~#"})


def _md(text: str) -> str:
    """Text for a Markdown cell, shown literally: no HTML, no math, no table breaks."""
    return html.escape(text.translate(_MARKDOWN_SPECIAL), quote=False)
