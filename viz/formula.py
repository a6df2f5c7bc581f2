"""Build an autograd graph from a formula typed on the command line, without evaluating it.

The text is parsed with ``ast`` and the tree is walked node by node: only numbers, the
names given values, ``+ - * / **``, unary minus and the engine's functions are accepted.
Anything else (attribute access, other calls, subscripts, strings, lambdas, comparisons...)
raises FormulaError naming the offending part; no Python code from the text ever runs.

>>> out, inputs = build_graph("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.8813735870195432})
>>> out.backward()
>>> round(out.data, 4), round(inputs["x"].grad, 4)
(0.7071, -1.5)
>>> build_graph("x.__class__", {"x": 1.0})
Traceback (most recent call last):
viz.formula.FormulaError: attribute access is not allowed in a formula: 'x.__class__'
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
import warnings
from collections.abc import Callable, Mapping

import autograd
from autograd import Value

Number = int | float
Operand = Value | Number  # a number stays a number until an op needs a Value (x ** 2 is "**2")

# name -> (function, how many Value arguments, how many optional number arguments)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int]] = {
    "exp": (Value.exp, 1, 0),
    "log": (Value.log, 1, 0),
    "sqrt": (Value.sqrt, 1, 0),
    "tanh": (Value.tanh, 1, 0),
    "sigmoid": (Value.sigmoid, 1, 0),
    "relu": (Value.relu, 1, 0),
    "leaky_relu": (Value.leaky_relu, 1, 1),  # leaky_relu(x, slope)
    "elu": (Value.elu, 1, 1),  # elu(x, alpha)
    "softplus": (Value.softplus, 1, 0),
    "sin": (Value.sin, 1, 0),
    "cos": (Value.cos, 1, 0),
    "abs": (abs, 1, 0),
    "max": (autograd.maximum, 2, 0),
    "min": (autograd.minimum, 2, 0),
}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}

# What to call the constructs we reject, so the message says what was found.
_DESCRIPTIONS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment expression",
    ast.JoinedStr: "a string",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "a starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}

MAX_FORMULA_LENGTH = 10_000  # a typed formula; longer text is a mistake (or an attack on ast)
MAX_QUOTED = 40  # an error message quotes at most this much of the formula


class FormulaError(ValueError):
    """A formula that cannot be drawn: the message names the offending part."""


def build_graph(formula: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The graph of ``formula`` with each name bound to a leaf Value labelled with that name.

    Returns ``(output, leaves by name)``; a name used twice is one leaf with two edges.
    Raises FormulaError for anything outside the accepted grammar, a name without a value,
    or a value given for a function's name.

    >>> out, leaves = build_graph("x * x + 2 ** -x", {"x": 1.0})
    >>> out.data, sorted(leaves)
    (1.5, ['x'])
    """
    values = {normalize_name(name): value for name, value in values.items()}
    for name, value in values.items():
        check_name(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(f"the value of {name} must be a number, got {value!r}")
    tree = parse(formula)
    leaves = {name: Value(float(value), label=name) for name, value in values.items()}
    try:
        output = _Builder(formula, leaves).build(tree.body)
    except RecursionError:
        raise FormulaError(
            "the formula is nested too deeply to draw (a long flat sum or product is fine)"
        ) from None
    if not isinstance(output, Value):
        output = Value(output)  # a formula of numbers only: still a graph of one node
    return output, leaves


def parse(formula: str) -> ast.Expression:
    """Parse ``formula`` as one expression (never executed); FormulaError on bad syntax.

    >>> parse("import os")
    Traceback (most recent call last):
    viz.formula.FormulaError: not a formula: invalid syntax at 'import os'
    """
    if not isinstance(formula, str):
        raise FormulaError(f"a formula is text, not {type(formula).__name__}")
    if not formula.strip():
        raise FormulaError("the formula is empty")
    if len(formula) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # "1if x" or "\\d" warn: the formula is refused anyway
            warnings.simplefilter("ignore")
            return ast.parse(formula.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at {quote(formula.strip()[max(0, (error.offset or 1) - 1) :])}"
        raise FormulaError(f"not a formula: {error.msg}{where}") from None
    except MemoryError:  # CPython's parser gives up on absurd nesting this way, without a word
        raise FormulaError(
            "not a formula: Python's parser ran out of memory on it (nested too deeply?)"
        ) from None
    except RecursionError:
        raise FormulaError("not a formula: it is nested too deeply for Python's parser") from None
    except ValueError as error:  # null bytes
        raise FormulaError(f"not a formula: {error}") from None


def quote(text: str) -> str:
    """``text`` quoted for an error message, cut to a readable length.

    >>> quote("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (100 characters)"
    """
    if len(text) <= MAX_QUOTED:
        return repr(text)
    return f"{text[: MAX_QUOTED - 1] + '…'!r} ({len(text)} characters)"


def normalize_name(name: str) -> str:
    """A name as Python's parser reads it (NFKC): the fullwidth ``ｘ`` is ``x``.

    >>> normalize_name("ｘ１")
    'x1'
    """
    return unicodedata.normalize("NFKC", name)


def check_name(name: str) -> None:
    """A name given a value must be an identifier that is neither a keyword nor a function.

    >>> check_name("tanh")
    Traceback (most recent call last):
    viz.formula.FormulaError: 'tanh' is a function name, it cannot be given a value
    """
    if not name.isidentifier() or keyword.iskeyword(name):
        raise FormulaError(f"{name!r} is not a valid name (letters, digits and _, not a keyword)")
    if name in FUNCTIONS:
        raise FormulaError(f"{name!r} is a function name, it cannot be given a value")


class _Builder:
    """Walks the syntax tree and builds the graph, one accepted node type at a time."""

    def __init__(self, formula: str, leaves: Mapping[str, Value]) -> None:
        self.formula = formula.strip()
        self.leaves = leaves

    def build(self, node: ast.AST) -> Operand:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.chain(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _DESCRIPTIONS.get(type(node), f"a {type(node).__name__} expression")
        raise FormulaError(f"{what} is not allowed in a formula: {self.source(node)!r}")

    def number(self, node: ast.Constant) -> Number:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a string" if isinstance(value, str | bytes) else f"a {type(value).__name__}"
            raise FormulaError(f"{kind} is not allowed in a formula: {self.source(node)!r}")
        if isinstance(value, int) and not _fits_float(value):
            raise FormulaError(f"the number {self.source(node)[:20]}... is too large for a float")
        return value

    def name(self, node: ast.Name) -> Value:
        if node.id in self.leaves:
            return self.leaves[node.id]
        if node.id in FUNCTIONS:
            raise FormulaError(f"{node.id!r} is a function: call it, as in {node.id}(x)")
        raise FormulaError(f"{node.id!r} has no value: give one with --at {node.id}=NUMBER")

    def unary(self, node: ast.UnaryOp) -> Operand:
        operand = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise FormulaError(f"the operator in {self.source(node)!r} is not allowed (only -x, +x)")

    def chain(self, node: ast.BinOp) -> Operand:
        # x*x*...*x parses as ((x*x)*x)*...: walk down the left side in a loop, not by
        # recursion, so that a flat product of thousands of factors is no "deep nesting".
        links = []
        while isinstance(node, ast.BinOp):
            links.append(node)
            node = node.left
        result = self.build(node)
        for link in reversed(links):
            result = self.binary(link, result, self.build(link.right))
        return result

    def binary(self, node: ast.BinOp, left: Operand, right: Operand) -> Value:
        apply = _BINARY.get(type(node.op))
        if apply is None:
            raise FormulaError(
                f"the operator in {self.source(node)!r} is not allowed (only + - * / **)"
            )
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # 2 * 3: the engine computes it (IEEE results, and a node to see)
        return apply(left, right)

    def call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            self.build(node.func)  # x.exp(): raises for the attribute access (or whatever it is)
            raise FormulaError(f"only functions can be called: {self.source(node)!r}")  # (x+1)(2)
        name = node.func.id
        if name not in FUNCTIONS:
            called = self.source(node.func)
            known = ", ".join(FUNCTIONS)
            raise FormulaError(
                f"unknown function {called!r} in {self.source(node)!r} (the functions are: {known})"
            )
        if node.keywords:
            raise FormulaError(
                f"keyword arguments are not allowed in a formula: {self.source(node)!r}"
            )
        function, n_values, n_options = FUNCTIONS[name]
        args = node.args
        if not n_values <= len(args) <= n_values + n_options:
            expected = f"{n_values} or {n_values + n_options}" if n_options else str(n_values)
            plural = "" if expected == "1" else "s"
            raise FormulaError(
                f"{name} takes {expected} argument{plural}, got {len(args)}: {self.source(node)!r}"
            )
        operands = [self.build(arg) for arg in args[:n_values]]
        operands = [x if isinstance(x, Value) else Value(x) for x in operands]
        options = [self.option(arg, name) for arg in args[n_values:]]
        return function(*operands, *options)

    def option(self, node: ast.AST, function: str) -> float:
        """A number argument such as leaky_relu's slope: a literal, possibly negative."""
        sign, inner = 1.0, node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            inner = node.operand
        if not isinstance(inner, ast.Constant):
            raise FormulaError(
                f"the second argument of {function} must be a number, got {self.source(node)!r}"
            )
        return sign * float(self.number(inner))  # number() refuses strings, bools, huge ints

    def source(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.formula, node) or ast.dump(node)
        return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def _fits_float(value: int) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
