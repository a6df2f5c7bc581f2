"""How a node of the graph is stored, and the bookkeeping of one backward pass.

``engine.Value`` is a ``Node`` with operations. A learner reads ``engine.py``; this file is
the machinery under it, there for speed and for the layers built on top:

- **The node.** Most nodes hold one number and have at most two operands whose local
  derivatives are numbers: those live in the node's own fields, with the scope of the
  module that made it (compiled, C doubles and pointers: 128 bytes a node). Anything else
  (a label, a batch, a gradient that is not a number, more than two operands, local
  derivatives that are not numbers, a block or a view of one) goes into a side record,
  ``More``, made only for the nodes that need it. The public properties
  (``data``, ``grad``, ``parents``, ``local_grads``, ...) read either the same way.
- **One backward pass** (``BackwardPass``): the order to visit nodes in, found by a
  sweep that counts in each node's ``_uses`` field how many nodes use it; the leaves'
  earlier gradients (they accumulate across passes); and adding each share.
- **Tables the layers above fill** when imported: each op's local derivatives built as a
  graph (``GRAPH_RULES``, from ``rules.py``) and how a node standing for many ops expands
  into them (``EXPANSIONS``, from ``fused.py``). This file and ``engine.py`` import neither:
  the arrows only go down.

>>> from autograd import Value
>>> y = Value(2.0) * Value(3.0)
>>> y.parents[0].data, y.local_grads, y._more is None     # two operands: no side record
(2.0, (3.0, 2.0), True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from mypy_extensions import i32

from autograd import elementwise as ew
from autograd import modes
from autograd.elementwise import Data

Number = int | float
# Read on every node: looked up once (compiled, `np.x` is a dictionary lookup each time).
_ARRAY: Final = np.ndarray
_NUMBER_TYPES: Final = (int, np.integer, np.floating)
_A_NUMBER: Final[object] = 0.0  # (object: compiled, made once, not a C double)


class Node:
    """The fields of a graph node and the properties that read them (see the module's
    docstring); ``engine.Value`` adds the operations."""

    __slots__ = (
        "_a",
        "_b",
        "_constant",
        "_da",
        "_db",
        "_grad",
        "_has_constant",
        "_has_grad",
        "_more",
        "_number",
        "_op",
        "_scope",
        "_uses",
    )  # fmt: skip

    def __init__(
        self,
        data: Number | np.ndarray | None,
        label: object = "",
        _op: str = "",
        _a: Node | None = None,
        _b: Node | None = None,
        _da: float = 0.0,
        _db: float = 0.0,
        _more: More | None = None,
        _constant: Data | None = None,
        _number: float = 0.0,
    ) -> None:
        # A learner makes leaves, Value(2.0, label="w"); ops pass the rest (engine._result):
        # their name, up to two operands with ∂out/∂operand as numbers, a side record for
        # anything else, their number operand, and their data as a number (compiled,
        # unboxed: `data` is None then) or in the side record.
        self._number = _number  # the data, when it is one number
        self._grad = 0.0  # the gradient, when it is one number and _has_grad
        self._a = _a
        self._b = _b
        self._da = _da
        self._db = _db
        self._constant = 0.0  # the op's number operand, when _has_constant
        self._op = _op
        self._scope = ""  # the module that made it (a neuron's "L1.N2"): most nodes have one
        self._more = _more
        self._has_grad = False
        self._has_constant = False
        self._uses: i32 = 0  # how many nodes use it, while a backward pass finds its order
        if _constant is not None:
            self._set_constant(_constant)
        if _op:  # an op's result: the op computed its data
            if data is not None and (_more is None or _more.array is None):
                self._number = data  # type: ignore[assignment]
        else:  # a leaf: check what it is given
            if not isinstance(label, str):  # (compiled, the property's own check names less)
                raise TypeError(f"Value label must be a str, not {type(label).__name__}")
            self.data = data  # type: ignore[assignment]
            self.label = label
        if modes.blocks_open():  # some thread is in a mode block: this one may be
            _apply_modes(self)

    # ----------------------------------------------------------------- data and gradient

    @property
    def data(self) -> Data:
        """The forward value: a float, or a 1-D float array (a batch); a block's, a matrix."""
        more = self._more
        if more is not None:
            if more.array is not None:
                return more.array
            if more.base is not None:  # a view: its number is the block's
                return more.flat[more.index]  # type: ignore[no-any-return]
        return self._number

    @data.setter
    def data(self, value: Number | np.ndarray) -> None:
        more = self._more
        if more is not None and more.base is not None:  # a view: write the block's number
            number = ew.as_data(value)
            if type(number) is not float:
                raise ValueError("a view holds one number of its block, not a batch")
            more.flat[more.index] = number
            return
        if more is not None and more.array is not None and more.array.ndim == 2:
            new = np.asarray(value, dtype=np.float64)  # a block: in place (its views read it)
            if new.shape != more.array.shape:
                raise ValueError(f"a block of shape {more.array.shape} cannot hold {new.shape}")
            more.array[...] = new
            return
        checked = ew.as_data(value)
        if type(checked) is float:
            self._number = checked
            if more is not None:
                more.array = None
        else:
            self._side().array = checked  # type: ignore[assignment]  # not a float: an array

    @property
    def grad(self) -> Any:
        """∂root/∂self after ``backward()``: a number, a batch, or a Value (``create_graph``);
        None before a backward pass reaches it. A view's is its number of the block's."""
        more = self._more
        if more is not None and more.base is not None:
            block = more.base._own_grad()
            if block is None:
                return None
            return block.item(more.index) if more.grad is None else more.grad
        return self._own_grad()

    @grad.setter
    def grad(self, value: Any) -> None:
        if isinstance(value, _NUMBER_TYPES) and type(value) is not bool:
            value = float(value)  # micrograd writes p.grad = 0
        more = self._more
        if more is None or more.base is None:
            self._set_own_grad(value)
        elif value is None:  # a block's gradient is all or nothing, as a tensor's
            more.base._set_own_grad(None)
            more.grad = None
        elif type(value) is float:
            block = more.base._own_grad()
            if block is None:
                block = np.zeros_like(more.base.data)
                more.base._set_own_grad(block)
            block.flat[more.index] = value
        else:  # a Value: a gradient built as a graph
            more.grad = value

    # ----------------------------------------------------------------- what the op recorded

    @property
    def parents(self) -> tuple[Node, ...]:
        """The operands, in order, duplicates kept (``a * a`` has parents ``(a, a)``)."""
        more = self._more
        if more is not None and more.parents is not None:
            return more.parents
        a, b = self._a, self._b
        if a is None:
            return ()
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """∂self/∂parent for each parent, computed in the forward pass: a number, a batch
        (one per sample), or an ``engine.LinearMap`` (a fused layer's block of its Jacobian)."""
        more = self._more
        if more is not None and more.local_grads is not None:
            return more.local_grads
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    @local_grads.setter
    def local_grads(self, local_grads: tuple[Any, ...]) -> None:
        # To try what a wrong derivative does (gradcheck then says which input is off).
        local_grads = tuple(local_grads)
        if len(local_grads) != len(self.parents):
            raise ValueError(
                f"{len(local_grads)} local derivatives for {len(self.parents)} parents"
            )
        more = self._side()
        more.parents, more.local_grads = self.parents, local_grads

    @property
    def arity(self) -> int:
        """How many operands the op that made this node had (0 for a leaf)."""
        more = self._more
        if more is not None and more.parents is not None:
            return len(more.parents)
        return 0 if self._a is None else 1 if self._b is None else 2

    def parent(self, k: int) -> Node:
        """Operand k: ``node.parent(k) is node.parents[k]``, without building the tuple."""
        more = self._more
        if more is not None and more.parents is not None:
            return more.parents[k]
        parent = self._a if k == 0 else self._b
        if parent is None:
            raise IndexError(f"operand {k} of a node with {self.arity}")
        return parent

    def local_grad(self, k: int) -> Any:
        """∂self/∂(operand k): ``node.local_grad(k) is node.local_grads[k]``."""
        more = self._more
        if more is not None and more.local_grads is not None:
            return more.local_grads[k]
        return self._da if k == 0 else self._db

    @property
    def op(self) -> str:
        """The operation that made this node, with its number operand: "*", "*2", "2-", "tanh".

        >>> from autograd import Value
        >>> (Value(1.0) * 2).op, (2 - Value(1.0)).op, (Value(1.0) ** 3).op
        ('*2', '2-', '**3')
        """
        kind, c = self._op, self.constant
        if c is None or kind in ("leaky_relu", "elu"):  # their number is a setting
            return kind
        if kind in ("r-", "r/", "r**"):  # the number stands on the left: 2 - x, 1 / x, 2 ** x
            return f"{ew.fmt(c)}{kind[1:]}"
        return f"sum+{ew.fmt(c)}" if kind == "sum" else f"{kind}{ew.fmt(c)}"

    @property
    def kind(self) -> str:
        """The op's name without its number operand: "*" for ``x * y`` and ``x * 2`` alike,
        "" for a leaf. Tables of rules are keyed by it."""
        return self._op

    @property
    def constant(self) -> Data | None:
        """The op's number operand (``x * 2`` has constant 2.0), or None."""
        more = self._more
        if more is not None and more.constant is not None:
            return more.constant
        return self._constant if self._has_constant else None

    @property
    def label(self) -> str:
        """The name drawings show for this value ("" for none)."""
        return "" if self._more is None else self._more.label

    @label.setter
    def label(self, label: object) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, not {type(label).__name__}")
        if label or self._more is not None:
            self._side().label = label

    @property
    def scope(self) -> str:
        """The module that computed this value ("L0.N1"), or ""; drawings cluster by it."""
        return self._scope

    @scope.setter
    def scope(self, scope: str) -> None:
        if not isinstance(scope, str):
            raise TypeError(f"a scope is a str, not {type(scope).__name__}")
        self._scope = scope

    @property
    def batch_size(self) -> int | None:
        """Number of samples this node holds, or None for a plain number."""
        data = self.data
        return None if type(data) is float else len(data)

    @property
    def base(self) -> Node | None:
        """The block this value is a view of (``engine.Value.element``), or None."""
        return None if self._more is None else self._more.base

    @property
    def base_index(self) -> int | None:
        """Which number of its block a view is (counted row by row), or None."""
        more = self._more
        return None if more is None or more.base is None else more.index

    def _own_grad(self) -> Any:
        """The gradient this node holds itself (a view's own: only while backward runs)."""
        more = self._more
        if more is not None and more.grad is not None:
            return more.grad
        return self._grad if self._has_grad else None

    def _set_own_grad(self, value: Any) -> None:
        more = self._more
        if type(value) is float:
            self._grad, self._has_grad = value, True
        else:
            self._has_grad = False
            if value is not None:  # a batch, a matrix, or a Value (create_graph)
                self._side().grad = value
                return
        if more is not None:
            more.grad = None

    def _forget_grad(self) -> None:
        """The node's own gradient set to None (without the grad setter's checks)."""
        self._has_grad = False
        if self._more is not None:
            self._more.grad = None

    def _is_number(self) -> bool:
        """Whether the data is one number, held in the node's own field."""
        more = self._more
        return more is None or (more.array is None and more.base is None)

    def _is_view(self) -> bool:
        return self._more is not None and self._more.base is not None

    def _side(self) -> More:
        """The node's side record, made when first needed."""
        if self._more is None:
            self._more = More()
        return self._more

    def _set_constant(self, constant: Data) -> None:
        if type(constant) is float:
            self._constant, self._has_constant = constant, True
        else:
            self._side().constant = constant  # type: ignore[assignment]  # a batch of constants


class More:
    """What a node holds beyond one number and two operands (see the module's docstring)."""

    __slots__ = (
        "array", "base", "constant", "flat", "grad", "index", "label", "local_grads", "parents",
    )  # fmt: skip

    def __init__(self) -> None:
        self.label = ""
        self.array: np.ndarray | None = None  # the data, when it is not one number
        self.grad: Any = None  # the gradient, when it is not one number
        self.parents: tuple[Node, ...] | None = None  # when not in the node's own fields
        self.local_grads: tuple[Any, ...] | None = None
        self.constant: np.ndarray | None = None  # a number operand that is a batch
        self.base: Node | None = None  # a view: the block whose number it is
        self.index = 0  # which one, row by row
        self.flat: Any = None  # a block's numbers, flat: a memoryview of its array


def make_block(node: Node, array: np.ndarray) -> None:
    """Make the leaf ``node`` hold ``array`` (2-D) as a block of parameters."""
    more = node._side()
    more.array = np.array(array, dtype=np.float64, order="C")  # a copy, C order: flat views
    more.flat = memoryview(more.array.reshape(-1))


def make_view(node: Node, block: Node, index: int) -> None:
    """Make the leaf ``node`` a view of number ``index`` of ``block``."""
    source = block._more
    if source is None or source.flat is None or block._a is not None:
        raise TypeError("only a block (engine.block) has views")
    if not 0 <= index < len(source.flat):
        raise IndexError(f"a block of {len(source.flat)} numbers has no number {index}")
    more = node._side()
    more.base, more.index, more.flat = block, index, source.flat


def _apply_modes(node: Node) -> None:
    """What a new node gets from its thread's modes: its scope; for an op's result, no
    parents under no_grad (it is a leaf then), and the anomaly check."""
    mode = modes.current()
    if mode.scope:
        node._scope = mode.scope
    if not node._op:
        return
    if not mode.recording:
        node._a = node._b = None
        if node._more is not None:
            node._more.parents = node._more.local_grads = None
    if mode.anomaly:
        check_forward(node)


# --------------------------------------------------------------------- one backward pass


def reverse_order(root: Node) -> tuple[list[Node], list[Node]]:
    """The op nodes root depends on, root first and each before its parents (the order
    backward visits them in), and the leaves it reaches.

    Two sweeps, no recursion (a chain a million nodes deep is fine). The first finds every
    op node of root's graph and counts, in each node's ``_uses``, how many of them use it;
    the second places root, then each node once every node that uses it is placed (Kahn's
    algorithm), which brings every count back to 0. Each sweep walks the list it fills, the
    second the first's, so lists only grow (``list.pop`` shrinks a list's memory whenever it
    falls below half full: that cost more than the search). Callers hold
    ``engine.ONE_BACKWARD_AT_A_TIME``, so no other pass counts meanwhile.
    """
    if root._a is None:
        return [], [root]  # a leaf: nothing to visit
    nodes: list[Node] = [root]
    leaves: list[Node] = []
    try:
        i = 0
        while i < len(nodes):  # the first sweep: find the op nodes, count every node's uses
            node = nodes[i]
            i += 1
            more = node._more
            if more is not None and more.parents is not None:
                for parent in more.parents:
                    _count_use(parent, nodes)
            else:
                _count_use(node._a, nodes)  # type: ignore[arg-type]  # an op node: has one
                if node._b is not None:
                    _count_use(node._b, nodes)
        placed = 1  # the second: the same list again, now in the order backward needs
        i = 0
        while i < placed:
            node = nodes[i]
            i += 1
            more = node._more
            if more is not None and more.parents is not None:
                for parent in more.parents:
                    placed = _release(parent, nodes, placed, leaves)
            else:
                placed = _release(node._a, nodes, placed, leaves)  # type: ignore[arg-type]
                if node._b is not None:
                    placed = _release(node._b, nodes, placed, leaves)
    except BaseException:
        _clear_uses(root)  # leave no count behind, whatever happened
        raise
    return nodes, leaves


def _count_use(parent: Node, nodes: list[Node]) -> None:
    if parent._uses == 0 and parent._a is not None:
        nodes.append(parent)  # an op node, first met
    parent._uses += 1


def _release(parent: Node, nodes: list[Node], placed: int, leaves: list[Node]) -> int:
    parent._uses -= 1
    if parent._uses != 0:
        return placed
    if parent._a is None:
        leaves.append(parent)
        return placed
    nodes[placed] = parent
    return placed + 1


def _clear_uses(root: Node) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        node._uses = 0
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)


class BackwardPass:
    """One backward pass: the nodes to visit, their edges, and each gradient as it adds up.

    Making it finds the order, keeps what the leaves held (they accumulate across passes)
    and seeds the root; leaving it gives the leaves back their earlier gradients plus this
    pass's (or, if the pass failed, the earlier ones alone). With ``create_graph`` every
    local derivative is built as a graph (``GRAPH_RULES``) and the new nodes are recorded
    whatever the mode, tagged with the scope "backward" so drawings can tell them apart; and
    the pass runs on a copy of the graph whose fused layers are expanded into their neurons
    (``expand``: engine.expand), whose gradients the nodes they stand for then get.
    """

    __slots__ = (
        "anomaly", "copies", "create_graph", "earlier", "graph_forms", "leaves", "modes", "nodes",
        "plain", "quiet", "visiting",
    )  # fmt: skip

    def __init__(
        self, root: Node, seed: Any, create_graph: bool, expand: Callable[[Any], Any]
    ) -> None:
        self.create_graph = create_graph
        self.copies: dict[Any, Any] = {}
        if create_graph:  # fused layers (fused.py) are differentiated as their neurons
            root, self.copies = expand(root)
        self.nodes, self.leaves = reverse_order(root)
        # Leaves accumulate across passes: what they held is kept aside. A view's number
        # stays in its block, which gets this pass's total at the end (only a gradient
        # built as a graph is kept on the view itself).
        self.earlier = [leaf._own_grad() if leaf._is_view() else leaf.grad for leaf in self.leaves]
        for node in self.nodes:
            node._forget_grad()
        for node in self.leaves:
            node._forget_grad()
        root._set_own_grad(seed)
        self.quiet = np.errstate(all="ignore")  # batches: IEEE results, no warnings
        self.modes = modes.Switched(recording=True, scope="backward") if create_graph else None
        self.anomaly = modes.current().anomaly
        self.plain = not create_graph and not self.anomaly
        self.visiting: Node | None = None  # the node whose graph forms are computed
        self.graph_forms: tuple[Any, ...] = ()

    def __enter__(self) -> BackwardPass:
        self.quiet.__enter__()
        if self.modes is not None:
            self.modes.__enter__()
        return self

    def holds_numbers(self, node: Node) -> bool:
        """Whether node's gradient, operands and local derivatives are plain numbers in its
        own fields, and this pass neither builds a graph nor checks for anomalies: then
        backward hands its gradient on without boxing a number (engine._hand_on_numbers)."""
        return node._more is None and node._has_grad and self.plain

    def add_number(self, parent: Node, share: float) -> None:
        """``add`` for a share that is a plain number."""
        if parent._has_grad:
            parent._grad += share
        elif parent._more is None or parent._more.grad is None:
            parent._grad, parent._has_grad = share, True
        else:
            self.add(parent, share)

    def data_kind(self, node: Node) -> Any:
        """node's data, as far as ``contribution`` needs it: whether it is one number or a
        batch. For a number, one shared float stands for them all (nothing to make)."""
        return _A_NUMBER if node._is_number() else node.data

    def local_grad(self, node: Node, k: int) -> Any:
        """∂node/∂(operand k): a number or a batch, or a Value built from the op's operands
        and output when the gradient is built as a graph."""
        if k == 0 and self.anomaly:
            check_backward(node)
        if not self.create_graph:
            return node.local_grad(k)
        if node is not self.visiting:
            self.visiting, self.graph_forms = node, local_grads_as_graph(node)
        return self.graph_forms[k]

    def add(self, parent: Node, share: Any) -> None:
        """parent's gradient += share; the first share is the gradient itself (an array
        copied, so a gradient never aliases another node's)."""
        grad = parent._own_grad()
        if type(share) is float and (grad is None or parent._has_grad):
            parent._grad = parent._grad + share if parent._has_grad else share
            parent._has_grad = True
        elif grad is None:
            parent._set_own_grad(share.copy() if isinstance(share, _ARRAY) else share)
        elif isinstance(grad, _ARRAY) and isinstance(share, _ARRAY):
            grad += share  # ours alone: made by the copy above
        else:
            parent._set_own_grad(grad + share)

    def __exit__(self, *exception: object) -> None:
        if self.modes is not None:
            self.modes.__exit__(None, None, None)
        self.quiet.__exit__(None, None, None)
        failed = exception[0] is not None
        views: list[tuple[Node, Any, Any]] = []
        for leaf, grad in zip(self.leaves, self.earlier):
            if leaf._is_view():
                views.append((leaf, grad, leaf._own_grad()))
                leaf._forget_grad()
            elif failed or leaf._own_grad() is None:
                leaf._set_own_grad(grad)
            elif grad is not None:
                leaf._set_own_grad(grad + leaf._own_grad())
        _add_to_blocks(views, failed)
        if not failed:
            for node, copy in self.copies.items():  # each node gets its copy's gradient;
                if isinstance(copy, list):  # a node with many outputs, one copy's each
                    node._set_own_grad([out.grad for out in copy])
                else:
                    node.grad = None if copy is None else copy.grad


def _add_to_blocks(views: list[tuple[Node, Any, Any]], failed: bool) -> None:
    """Each view's share of this pass into its number of its block's gradient: one numpy
    addition per block (a view's number is the block's, not the view's own)."""
    blocks: dict[Node, tuple[list[int], list[float]]] = {}
    for view, earlier, total in views:
        more: More = view._more  # type: ignore[assignment]
        more.grad = earlier  # a gradient built as a graph, kept from an earlier pass
        if failed or total is None:
            continue
        if isinstance(total, Node) or earlier is not None:  # a graph: kept on the view too
            more.grad = total if earlier is None else earlier + total
            total = total.data if isinstance(total, Node) else total
        indices, numbers = blocks.setdefault(more.base, ([], []))  # type: ignore[arg-type]
        indices.append(more.index)
        numbers.append(total)
    for block, (indices, numbers) in blocks.items():
        grad = block._own_grad()
        if grad is None:
            grad = np.zeros_like(block.data)
            block._set_own_grad(grad)
        grad.reshape(-1)[indices] += numbers  # each view once a pass: no index repeats


def seed_of(root: Node, gradient: Any) -> Any:
    """∂root/∂root: 1 for a number; a batch root needs an explicit gradient (as PyTorch)."""
    if isinstance(gradient, Node):  # a gradient that is itself a graph (create_graph)
        if gradient.batch_size != root.batch_size:
            raise ValueError("backward(): the gradient must hold as many samples as the root")
        return gradient
    if gradient is None:
        if root.batch_size is not None:
            raise ValueError(
                f"backward() on a batch of {root.batch_size} needs a gradient: grad can be "
                "implicitly created only for a scalar; call .sum() or .mean() first"
            )
        return 1.0
    seed = ew.as_data(gradient)
    if type(seed) is not float and root.batch_size != len(seed):
        what = "a number" if root.batch_size is None else f"a batch of {root.batch_size}"
        raise ValueError(f"backward(): a gradient of {len(seed)} samples for {what}")
    return seed


def check_forward(node: Node) -> None:
    """detect_anomaly(): a FloatingPointError naming the op and its inputs, at an inf or nan."""
    data = node.data
    if not ew.is_finite(data):
        inputs = ", ".join(ew.fmt(p.data) for p in node.parents)
        what = "nan" if np.isnan(data).any() else "inf"
        raise FloatingPointError(f"{node.kind} produced {what} from input {inputs}")


def check_backward(node: Node) -> None:
    """detect_anomaly(): a FloatingPointError at an inf or nan gradient or local derivative."""
    grad = node.grad
    if not ew.is_finite(grad.data if isinstance(grad, Node) else grad):
        raise FloatingPointError(
            f"backward: the gradient reaching {node.op or 'a leaf'} "
            f"{node.label or ew.fmt(node.data)} is {ew.fmt(grad)}"
        )
    for local, parent in zip(node.local_grads, node.parents):
        if not isinstance(local, float | np.ndarray):
            continue  # a fused layer's block: its products are checked as the gradients they make
        if not ew.is_finite(local):
            inputs = ", ".join(ew.fmt(p.data) for p in node.parents)
            raise FloatingPointError(
                f"backward of {node.op}: local derivative {ew.fmt(local)} at input {inputs}"
                f" (operand {parent.label or ew.fmt(parent.data)})"
            )


# --------------------------------------------------------------------- tables filled above

Rule = Callable[[Any], tuple[Any, ...]]
GRAPH_RULES: Final[dict[str, Rule]] = {}  # op kind -> its local derivatives as Values (rules.py)
Expansion = Callable[[Any, dict[Any, Any]], Any]
EXPANSIONS: Final[dict[str, Expansion]] = {}  # op kind -> the ops it stands for (fused.py)


def local_grads_as_graph(node: Node) -> tuple[Any, ...]:
    """``node.local_grads`` computed as Values from the node's inputs and output, by the
    rule registered for its op (``autograd.rules``), so a gradient can be differentiated.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(3.0)
    >>> [d.data for d in local_grads_as_graph(a * b)]
    [3.0, 2.0]
    """
    rule = GRAPH_RULES.get(node.kind)
    if rule is None:
        raise NotImplementedError(f"no second-derivative rule for the op {node.op!r}")
    return rule(node)
