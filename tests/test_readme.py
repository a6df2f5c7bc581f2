"""The README's Python runs as a reader runs it: pasted into the interactive interpreter.

Every ```python block is fed line by line to ``code.InteractiveConsole``, as pasting into
``python`` does (a loop needs a blank line before the next statement there, and a blank
line inside a function ends it), each section's blocks in order into one interpreter of its
own, in a folder laid out as the README says (``out/``, which ``make demo`` made). The tour
then prints what the README shows, and its picture is the committed one.
"""

import ast
import code
import contextlib
import importlib
import importlib.util
import io
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Packages some examples need that `make test` may lack: those examples skip, saying why.
OPTIONAL = {"torch": "needs PyTorch: make torch, or pip install 'autograd-viz[torch]'"}


def fenced_blocks(language: str, section: str = "") -> list[str]:
    """The README's code blocks in one language, from the section with this heading on
    (list indentation removed)."""
    text = README[README.index(f"## {section}") :] if section else README
    blocks = re.findall(rf"^( *)```{language}\n(.*?)^\1```", text, flags=re.DOTALL | re.MULTILINE)
    return [textwrap.dedent(indent + body) for indent, body in blocks]


def section_of(block: str) -> str:
    """The heading of the README section a block stands in."""
    before = README[: README.index(block.splitlines()[0])]
    return re.findall(r"^## (.+)$", before, flags=re.MULTILINE)[-1]


PYTHON = fenced_blocks("python")
IDS = [f"{section_of(block)} #{i}" for i, block in enumerate(PYTHON)]


@dataclass
class Pasted:
    """What pasting one block printed, what went wrong, and the names it left behind."""

    output: str = ""
    errors: list[str] = field(default_factory=list)
    namespace: dict = field(default_factory=dict)


class Console(code.InteractiveConsole):
    """The interactive interpreter, keeping the syntax errors and tracebacks it reports."""

    def __init__(self, pasted: Pasted) -> None:
        super().__init__(pasted.namespace)
        self.pasted = pasted

    def write(self, data: str) -> None:  # only errors are written here
        self.pasted.errors.append(data)


def paste(block: str, folder: Path, namespace: dict | None = None) -> Pasted:
    """Paste ``block`` into an interactive interpreter running in ``folder`` (a fresh one,
    or the one whose names are ``namespace``), then press Enter once (which ends a block
    that closes with an indented line)."""
    for module in sorted(imported_modules(block) & OPTIONAL.keys()):
        if importlib.util.find_spec(module) is None:
            pytest.skip(OPTIONAL[module])
    fresh = {"__name__": "__console__", "__doc__": None}
    pasted = Pasted(namespace=fresh if namespace is None else namespace)
    console, printed = Console(pasted), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(printed):
        for line in [*block.splitlines(), ""]:
            console.push(line)
    pasted.output = printed.getvalue()
    return pasted


def imported_modules(block: str) -> set[str]:
    """The top-level packages a block imports."""
    names = set()
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.fixture(scope="module")
def pasted(tmp_path_factory):
    """Each block pasted once (in order, each into its own interpreter), on first use."""
    folder = tmp_path_factory.mktemp("reader")
    (folder / "out").mkdir()  # made by `make demo`, as the README says before its examples
    done: dict[int, Pasted] = {}

    sections: dict[str, dict] = {}  # a section's blocks build on each other: one interpreter

    def get(index: int) -> Pasted:
        for earlier in range(index + 1):  # in order, as a reader pastes them
            if earlier not in done:
                names = sections.setdefault(section_of(PYTHON[earlier]), {})
                done[earlier] = paste(PYTHON[earlier], folder, names or None)
                sections[section_of(PYTHON[earlier])] = done[earlier].namespace
        return done[index]

    get.folder = folder
    return get


def index_in(section: str) -> int:
    """The index of the first Python block in a section."""
    return PYTHON.index(fenced_blocks("python", section)[0])


def raised_by(block: str) -> str | None:
    """The exception a block shows it raises, as the first line of the ```text block right
    after it ("GradientMismatch: ..."), or None: such a block is pasted to fail."""
    after = README[README.index(block) + len(block) :]
    shown = re.match(r"\s*```\n\s*```text\n(\w+: .*)\n", after)
    return (
        shown.group(1)
        if shown and shown.group(1).split(":")[0].endswith(("Error", "Mismatch"))
        else None
    )


@pytest.mark.parametrize("index", range(len(PYTHON)), ids=IDS)
def test_every_python_block_pastes_into_the_interpreter_without_an_error(pasted, index):
    expected = raised_by(PYTHON[index])
    if expected is None:
        assert pasted(index).errors == []
    else:  # the block shows a failure on purpose: exactly that one, and nothing else
        traceback = "".join(pasted(index).errors).strip().splitlines()
        assert traceback[0] == "Traceback (most recent call last):"
        assert any(line.endswith(expected) for line in traceback)  # (autograd.testing.…)
    # and writes its files into out/, which git ignores, never beside the reader's code
    assert [path.name for path in pasted.folder.iterdir()] == ["out"]
    assert "/out/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_paste_test_sees_what_a_reader_sees(tmp_path):
    # A loop followed at once by a statement is fine in a script and fails when pasted.
    block = "total = 0\nfor i in range(3):\n    total += i\nprint(total)\n"
    exec(compile(block, "script", "exec"), {})
    assert "SyntaxError" in "".join(paste(block, tmp_path).errors)
    # An expression's value is echoed, as the interpreter does.
    assert paste("1 + 1\n", tmp_path).output == "2\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")
def test_the_tour_prints_what_the_readme_shows_and_draws_the_committed_picture(pasted):
    tour = pasted(index_in("The 30-second tour"))
    assert tour.output == fenced_blocks("text")[0]
    # the committed picture shows what the tour draws (texts compared: layout and the
    # Graphviz version may differ from machine to machine)
    drawn, committed = (pasted.folder / "out/neuron.svg"), (ROOT / "docs/neuron.svg")
    assert svg_texts(drawn) == svg_texts(committed)
    assert "grad &#45;1.5" in svg_texts(committed)  # SVG escapes the minus sign


def svg_texts(path: Path) -> list[str]:
    return sorted(re.findall(r">([^<>]+)</text>", path.read_text(encoding="utf-8")))


def test_the_training_example_learns(pasted):
    namespace = pasted(index_in("Training, the PyTorch way")).namespace
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    from autograd import no_grad

    with no_grad():
        scores = model(X).data
    assert ((scores > 0) == (y == 1)).mean() >= 0.95


def test_the_second_derivative_example_prints_what_the_readme_shows(pasted):
    example = pasted(index_in("Second derivatives"))
    assert example.output == fenced_blocks("text", "Second derivatives")[0]


def test_the_teaching_example_prints_what_the_readme_shows(pasted):
    example = pasted(index_in("Teaching with it"))
    assert example.output == fenced_blocks("text", "Teaching with it")[0]


def test_the_pytorch_example_prints_the_same_gradient_twice(pasted):
    example = pasted(index_in("The same network in PyTorch"))
    expected = fenced_blocks("text", "The same network in PyTorch")[0]
    assert example.output == expected
    ours, theirs = expected.split()
    assert ours == theirs
    assert type(example.namespace["back"]).__name__ == "MLP"


def test_the_own_op_example_fails_as_the_readme_shows(tmp_path, monkeypatch):
    check, hypothesis_test = fenced_blocks("python", "Your own ops, checked")[:2]
    (shown,) = fenced_blocks("text", "Your own ops, checked")[:1]
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the picture goes here
    from autograd.testing import GradientMismatch

    namespace: dict = {}
    with pytest.raises(GradientMismatch) as failure:
        exec(compile(check, "README own op", "exec"), namespace)
    headline, culprit, picture = shown.splitlines()
    assert f"GradientMismatch: {failure.value}".splitlines()[:2] == [headline, culprit]
    assert picture.startswith("  Picture of the graph (the culprit's edge in red): /tmp/")
    assert str(failure.value.picture).startswith(f"{tmp_path}/autograd-testing/softplus_student-")

    exec(compile(hypothesis_test, "README hypothesis test", "exec"), namespace)
    with pytest.raises(GradientMismatch) as found:
        namespace["test_softplus_in_any_expression"]()
    assert "Expression('v0 = softplus_student(x2)')" in found.value.__notes__[0]


# ------------------------------------------------------------ names the README uses

LIBRARIES = ("autograd", "viz")
SUBMODULES = ("nn", "losses", "optim", "data", "functional")  # `from autograd import nn` habits


def names_the_readme_uses() -> set[str]:
    """Every dotted name of autograd or viz the README imports or uses, written as a
    reader would write it: ``autograd.nn.MLP``, ``viz.draw``, and ``nn.Layer`` for
    ``from autograd import nn``; from the Python blocks (their imports and the attributes
    they take of what they import) and from the inline code of the prose."""
    names = set()
    for block in PYTHON:
        tree = ast.parse(block)
        imported: dict[str, str] = {}  # local name -> what it is
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    imported[alias.asname or alias.name.split(".")[0]] = alias.name
                    names.add(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    names.add(f"{node.module}.{alias.name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and (dotted := dotted_name(node)):
                head, _, rest = dotted.partition(".")
                if head in imported:
                    names.add(f"{imported[head]}.{rest}")
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.DOTALL))
    for snippet in inline:
        for dotted in re.findall(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)", snippet):
            head = dotted.split(".")[0]
            if head in SUBMODULES:
                dotted = f"autograd.{dotted}"
            if dotted.split(".")[0] in LIBRARIES and not dotted.endswith(".py"):
                names.add(dotted)
    return {name for name in names if name.split(".")[0] in LIBRARIES}


def dotted_name(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def resolve(dotted: str) -> object:
    """What ``dotted`` names, found as Python finds it: ``import a.b`` for the longest
    module prefix, then attributes; AttributeError or ImportError if it is not there."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


def test_the_collector_finds_names_in_code_and_in_prose():
    names = names_the_readme_uses()
    assert {"autograd.Value", "viz.render", "autograd.nn.MLP", "autograd.sum_of"} <= names
    assert "autograd.nn.Layer" in names  # written `nn.Layer` in the prose


def test_every_name_the_readme_uses_is_importable_as_written():
    missing = []
    for name in sorted(names_the_readme_uses()):
        try:
            resolve(name)
        except (ImportError, AttributeError) as error:
            missing.append(f"{name}: {error}")
    assert not missing
    # and `import autograd` alone is enough for the dotted spellings, as with torch.nn
    import autograd

    assert autograd.nn.MLP is resolve("autograd.nn.MLP")
    assert autograd.optim.SGD is resolve("autograd.optim.SGD")
