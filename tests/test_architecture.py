"""The layers of the code, read from its imports: arrows only go down, and what another file
needs is public.

Every module's imports are read from its source, those inside functions too (an import
deferred to a function is still an arrow; one under ``if TYPE_CHECKING:``, for annotations,
never runs and is not). autograd/ is layered as DESIGN.md draws it:

    elementwise ← activations ← modes ← node ← engine ← gradients ← combine ← rules ← fused ← nn

and viz/ reads autograd's public names only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "viz")

# The engine's core, bottom first: each may import only those before it (and the helpers
# below, which import none of them). The layers above it come after, in DESIGN.md's order.
CORE = [
    "elementwise", "activations", "modes", "node", "engine", "gradients", "combine", "rules",
    "fused", "nn",
]  # fmt: skip
# Atomic files, one-thread BLAS, which engine runs, the way out to PyTorch: none imports
# the core, so the core may call on them.
HELPERS = {"files", "blas", "compiled", "torch_bridge"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).glob("*.py")
    }


def imports(path: Path, known: set[str]) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in the file, anywhere."""
    found = []
    package = module_name(path).rpartition(".")[0] if path.name != "__init__.py" else None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):  # `if TYPE_CHECKING:` imports never run: annotations only
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                base = ".".join(filter(None, [package or module_name(path), base]))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:  # from autograd import engine: the module itself
                    found.append((submodule, [], node.lineno))
                else:
                    found.append((base, [alias.name], node.lineno))
    return found


def arrows() -> dict[str, set[str]]:
    known = set(modules())
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in modules().items():
        for target, _, _ in imports(path, known):
            if target in known and target != name:
                graph[name].add(target)
    return graph


def find_loop(graph: dict[str, set[str]]) -> list[str] | None:
    """A loop of arrows, as the list of modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step) :], step]
            elif not state.get(step):
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(graph[step])))
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_no_loop_of_imports_inside_a_package(package):
    graph = arrows()
    inside = {
        name: {t for t in targets if t.split(".")[0] == package}
        for name, targets in graph.items()
        if name.split(".")[0] == package
    }
    assert find_loop(inside) is None, " -> ".join(find_loop(inside) or [])


def test_the_loop_finder_finds_a_loop():
    assert find_loop({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_loop({"a": {"b"}, "b": set()}) is None


def test_the_engine_core_imports_only_what_is_below_it():
    graph = arrows()
    for height, name in enumerate(CORE):
        below = {f"autograd.{n}" for n in CORE[:height]} | {f"autograd.{n}" for n in HELPERS}
        above = {t for t in graph[f"autograd.{name}"] if t.startswith("autograd")} - below
        assert not above, f"autograd.{name} imports {sorted(above)}, above it or beside it"
    for name in HELPERS:
        assert not {t for t in graph[f"autograd.{name}"] if t.startswith("autograd.")}


def test_nothing_in_the_package_imports_the_package_itself():
    """`import autograd` inside autograd/ would import every layer, the top ones included."""
    graph = arrows()
    for name, targets in graph.items():
        if name.startswith("autograd.") and name != "autograd.compiled":
            assert "autograd" not in targets, f"{name} imports the package autograd itself"


def test_no_private_name_is_imported_from_another_file():
    known = set(modules())
    offences = []
    for path in modules().values():
        for target, names, line in imports(path, known):
            if target.split(".")[0] in PACKAGES or target in known:
                offences += [f"{path.name}:{line} {n} from {target}" for n in names if n[0] == "_"]
    assert not offences


def private_attributes_read(path: Path) -> list[str]:
    """`x._name` where x is not self or cls: reading another object's private field."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        private = isinstance(node, ast.Attribute) and node.attr[0] == "_" != node.attr[1]
        if private and not _own(node.value):  # type: ignore[attr-defined]
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def _own(base: ast.expr) -> bool:
    """self, cls or super(): the class reading its own fields."""
    if isinstance(base, ast.Name):
        return base.id in ("self", "cls")
    return isinstance(base, ast.Call) and getattr(base.func, "id", "") == "super"


def test_viz_reads_no_private_field_of_a_value_or_of_anything_else():
    paths = (ROOT / "viz").glob("*.py")
    assert not [hit for path in paths for hit in private_attributes_read(path)]


def test_a_fused_layer_is_known_by_its_class_not_by_a_string_tag():
    """Drawings ask autograd.fused (is_fused_layer, expanded), never `op == "layer"`."""
    offences = []
    for path in (ROOT / "viz").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    if isinstance(side, ast.Constant) and side.value in ("layer", "column"):
                        offences.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert not offences


def test_the_chain_rule_has_one_home_and_drawings_call_it():
    """viz computes no share of its own: every `upstream × local` it shows is contribution's."""
    callers = set()
    for path in (ROOT / "viz").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "contribution(" in source:
            callers.add(path.name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                assert not {"local", "upstream"} <= names, f"{path.name}:{node.lineno}"
    assert {"labels.py", "outside.py", "steps.py"} <= callers
