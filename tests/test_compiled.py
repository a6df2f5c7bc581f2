"""The engine compiled with mypyc, and the same engine as pure Python.

``setup.py`` compiles ``engine.py`` and ``elementwise.py`` where a C compiler is found;
``AUTOGRAD_PURE_PYTHON=1`` runs the .py files instead. These tests check that the suite
really runs compiled where it can, that both builds give the same numbers bit for bit, and
that freeing deep graphs is safe in the compiled build, whose Value is an acyclic C type
(see ``_free_values_without_the_trashcan`` in setup.py). Each runs Python in a subprocess,
so that the build and the allocator can be chosen.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import autograd
from autograd import compiled

ROOT = Path(__file__).resolve().parents[1]
PURE = {compiled.PURE_PYTHON_VARIABLE: "1"}

needs_compiled = pytest.mark.skipif(
    not autograd.COMPILED, reason="the engine is not compiled here (pure Python)"
)


def run(code: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run ``code`` in a fresh Python from the repository root; return its stdout."""
    environment = {k: v for k, v in os.environ.items() if k != compiled.PURE_PYTHON_VARIABLE}
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def c_compiler_and_headers() -> bool:
    compiler = sysconfig.get_config_var("CC") or "cc"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which(compiler.split()[0]) is not None and headers.exists()


# ---------------------------------------------------------------- which engine runs


@pytest.mark.skipif(
    bool(os.environ.get(compiled.PURE_PYTHON_VARIABLE)), reason="pure Python asked for"
)
def test_the_suite_runs_the_compiled_engine_wherever_it_can_be_compiled():
    if not c_compiler_and_headers():
        pytest.skip("no C compiler or Python headers here: the pure-Python engine runs")
    assert autograd.COMPILED, "a C compiler is here, yet the engine runs as pure Python"
    assert Path(autograd.engine.__file__).suffix in {".so", ".pyd"}


@needs_compiled
def test_the_variable_runs_the_pure_python_engine_for_a_debugger():
    out = run("import autograd; print(autograd.COMPILED, autograd.engine.__file__)", PURE)
    flag, path = out.split()
    assert flag == "False" and path.endswith("engine.py")
    out = run("import autograd; print(autograd.COMPILED)")
    assert out.split() == ["True"]


@needs_compiled
def test_an_engine_edited_since_it_was_compiled_runs_as_pure_python_and_says_so(tmp_path):
    copy = tmp_path / "autograd"
    shutil.copytree(ROOT / "autograd", copy, ignore=shutil.ignore_patterns("__pycache__"))
    engine = copy / "engine.py"
    engine.write_text(engine.read_text() + "\n# a learner's edit\n")
    code = "import autograd; print(autograd.COMPILED, autograd.engine.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", str(copy / "engine.py")]
    assert "engine.py changed since it was compiled" in result.stderr


# ---------------------------------------------------------------- the same numbers

# Random graphs of every op (autograd.testing's programs, as the property tests use), on
# numbers and on batches, with special values among the inputs, their gradients, and second
# derivatives: each printed exactly (float.hex), to be compared between the builds.
SAME_NUMBERS = """
import random
import numpy as np
from autograd import Value, grad
from autograd.testing import OPS, Expression

def exact(x):
    return "None" if x is None else " ".join(float(v).hex() for v in np.atleast_1d(x))

rng = random.Random(0)
specials = [0.0, -0.0, 1e-300, 1e308, float("inf"), float("nan")]
for case in range(150):
    length = rng.randrange(3, 12)
    program = [(rng.choice(sorted(OPS)), rng.randrange(1000)) for _ in range(length)]
    f = Expression(program)
    numbers = [rng.uniform(-3, 3) for _ in range(3)]
    if case % 5 == 0:
        numbers[rng.randrange(3)] = rng.choice(specials)
    batches = [np.array([x, rng.uniform(-3, 3), rng.choice(specials)]) for x in numbers]
    for inputs in (numbers, batches):
        leaves = [Value(x) for x in inputs]
        out = f(*leaves)
        root = out if out.batch_size is None else out.sum()
        root.backward()
        print(case, exact(out.data), *(exact(leaf.grad) for leaf in leaves))
    leaves = [Value(x) for x in numbers]
    first = grad(f(*leaves), leaves, create_graph=True)
    second = grad(first[0], leaves) if isinstance(first[0], Value) else ()
    print(case, *(exact(g.data) for g in first), *(exact(g) for g in second))
"""


@needs_compiled
def test_compiled_and_pure_python_give_bit_identical_values_and_gradients():
    compiled_out = run(SAME_NUMBERS)
    pure_out = run(SAME_NUMBERS, PURE)
    assert len(compiled_out.splitlines()) == 3 * 150
    for line_c, line_p in zip(compiled_out.splitlines(), pure_out.splitlines(), strict=True):
        assert line_c == line_p


# ---------------------------------------------------------------- freeing deep graphs

# A deep chain, the tape told to let go of it (as backward does), then dropped: its nodes
# are freed one inside the other's deallocation, as deep as the chain.
FREE_A_CHAIN = """
import sys
from autograd import Value, engine
depth = int(sys.argv[1]) if len(sys.argv) > 1 else {depth}
x = Value(1.0)
y = x
for _ in range(depth):
    y = -y
y.backward()           # takes the chain off the tape
assert x.grad == 1.0
w = Value(0.5)
loss = x
for i in range(depth // 10):   # a graph with two-parent nodes too
    loss = loss + (w * float(i)).relu()
loss.backward()
del y, loss            # frees every node, each from inside its child's deallocation
print("freed")
"""


@needs_compiled
def test_freeing_a_ten_million_deep_chain_is_safe():
    """About 2 GB and 10 s: the scale the issue asked to prove (the C stack stays bounded by
    the parents tuples' trashcan, whatever the depth)."""
    assert run(FREE_A_CHAIN.format(depth=10_000_000), timeout=600).split() == ["freed"]


@needs_compiled
def test_freeing_deep_graphs_writes_no_byte_outside_its_nodes():
    """PYTHONMALLOC=debug guards every allocation with bytes it checks on free: the trashcan
    of mypyc's acyclic classes wrote 16 bytes in front of nodes deeper than ~50."""
    env = {"PYTHONMALLOC": "debug"}
    assert run(FREE_A_CHAIN.format(depth=20_000), env).split() == ["freed"]


# ---------------------------------------------------------------- installing


def _copy_of_the_source(tmp_path: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    source = tmp_path / "source"
    for name in files:
        if (ROOT / name).exists():  # (a file deleted but not yet committed)
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    return source


def test_an_isolated_build_compiles_the_engine(tmp_path):
    """`pip wheel` as a fresh clone's install does it: in pip's isolated build environment,
    which has only pyproject.toml's build requirements (mypy needs numpy there: without it,
    mypyc stopped and a fresh install ran pure Python while a developer's venv compiled)."""
    if not c_compiler_and_headers() or os.environ.get(compiled.PURE_PYTHON_VARIABLE):
        pytest.skip("no C compiler here, or pure Python asked for")
    source = _copy_of_the_source(tmp_path)
    # A new, empty environment, as on a fresh machine: from this one (which has numpy
    # installed), mypy in pip's build environment found numpy anyway and hid the bug.
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "env")], check=True)
    bare_python = next(p for p in (tmp_path / "env").glob("*/python*") if p.is_file())
    result = subprocess.run(
        [str(bare_python), "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert not [line for line in output.splitlines() if "autograd:" in line], output[-3000:]
    (wheel,) = tmp_path.glob("autograd_viz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert f"autograd/{compiled.RECORD}" in names
    for module in compiled.MODULES:
        assert [n for n in names if n.startswith(f"autograd/{module}.") and n.endswith(".so")]


def test_a_failed_compile_installs_the_pure_python_engine_saying_why_in_one_line(tmp_path):
    """`pip wheel` where the C compiler fails (CC=false): a wheel of .py files, and one line."""
    source = _copy_of_the_source(tmp_path)
    env = {**os.environ, "CC": "false"}
    env.pop(compiled.PURE_PYTHON_VARIABLE, None)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    said = [line.strip() for line in output.splitlines() if "autograd:" in line]
    assert said == [
        "autograd: installing the pure-Python engine (no working C compiler or Python headers;"
        " on Debian: apt-get install build-essential python3-dev (make does it when run as root))"
    ]
    (wheel,) = tmp_path.glob("autograd_viz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograd/engine.py" in names
    assert not [n for n in names if n.endswith((".so", ".pyd")) or n.endswith(compiled.RECORD)]


# ---------------------------------------------------------------- the one cycle


def test_a_create_graph_gradient_is_freed_when_it_is_reset():
    """backward(create_graph=True) gives a leaf a gradient whose graph refers back to the
    leaf: a cycle, which the collector never sees in the compiled engine (Values are
    untracked, setup.py). Resetting the gradient, as zero_grad does, frees it (README)."""
    import gc
    import tracemalloc

    from autograd import Value

    def steps(n: int) -> None:
        for _ in range(n):
            x = Value(1.5)
            (x * x * x).backward(create_graph=True)  # x.grad: the graph 3x², refers to x
            x.zero_grad()

    steps(200)  # warm up: caches, interned numbers
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        steps(2_000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        gc.enable()
    assert grown < 100_000, f"{grown} bytes kept by 2,000 reset create_graph gradients"
