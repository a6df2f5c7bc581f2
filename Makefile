# Two commands for a fresh machine: `make demo` and `make test`. Each sets itself up:
# a virtual environment in .venv, this package with the extras it needs (its engine compiled
# with mypyc when a C compiler is here: setup.py), and Graphviz `dot`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Installed extras (dev = everything the tests, notebooks and bench use); redone when
# pyproject.toml changes.
DEV_STAMP   := $(VENV)/.installed-dev
# The compiled engine, made again when its source changes (a stale one is not used: it would
# hide the edit, so autograd/compiled.py runs the .py files instead, with a warning).
COMPILED_STAMP := $(VENV)/.compiled
ENGINE_SOURCES := $(addprefix autograd/,elementwise.py activations.py modes.py node.py \
	engine.py combine.py) setup.py
# The pure-Python engine is tested too, beside the compiled one: the engine's doctests, its
# design, property tests against finite differences, batches and bad input.
PURE_SUBSET := $(filter-out setup.py,$(ENGINE_SOURCES)) tests/test_engine.py \
	tests/test_engine_design.py tests/test_engine_properties.py tests/test_batched.py \
	tests/test_engine_errors.py

.PHONY: demo test bench notebooks torch lint dot compiler clean docs-pictures

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# setuptools warns "Editable installation ... be careful with folders in your working
# directory" (10 lines) on every editable install; only that message is filtered.
QUIET_BUILD := PYTHONWARNINGS="ignore:Editable installation"

$(DEV_STAMP): pyproject.toml | $(PY) compiler
	$(QUIET_BUILD) $(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(COMPILED_STAMP)

$(COMPILED_STAMP): $(ENGINE_SOURCES) | $(DEV_STAMP)
	$(QUIET_BUILD) $(PY) -m pip install --quiet --no-deps -e .
	touch $@

compiler: | $(PY)
	@bash scripts/ensure-compiler.sh $(PY)

dot:
	@bash scripts/ensure-dot.sh

demo: $(COMPILED_STAMP) dot
	$(PY) -m viz demo --out out

# Every picture in docs/, drawn by graphviz-pure (the same bytes on every platform);
# tests/test_docs_pictures.py fails when a committed one differs from what this draws.
docs-pictures: $(COMPILED_STAMP)
	$(PY) scripts/docs_pictures.py

# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
NO_TESTS_IS_AN_ERROR = rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	[ $$rc -eq 0 ] || exit $$rc

test: $(COMPILED_STAMP) dot
	@$(PY) -m pytest; $(NO_TESTS_IS_AN_ERROR)
	@echo "--- again with the pure-Python engine (AUTOGRAD_PURE_PYTHON=1): $(PURE_SUBSET)"
	@AUTOGRAD_PURE_PYTHON=1 $(PY) -m pytest -q $(PURE_SUBSET); $(NO_TESTS_IS_AN_ERROR)

# PyTorch is measured too when it is installed in .venv; it is never a dependency.
bench: $(COMPILED_STAMP)
	$(PY) -m bench

# Jupyter on the notebooks, as root too and without a display (containers, servers, SSH):
# scripts/notebooks.py passes --allow-root and --no-browser only where they are needed and
# prints the address with its token. More Jupyter options: JUPYTER_ARGS="--ip=0.0.0.0".
JUPYTER_ARGS ?=
notebooks: $(DEV_STAMP) dot
	$(PY) scripts/notebooks.py notebooks $(JUPYTER_ARGS)

# PyTorch, for the way out to it (autograd/torch_bridge.py, notebook 13): an optional extra,
# so `make test` skips those tests, saying why, where it is missing. CI installs it first
# (.ci/run) so that they always run there: about 20 s in a fresh venv, against CI's 3 minutes.
# torch==2.13.0 is the CPU build this project's machines keep on disk; a bare `torch` would
# download a CUDA build of several GB. Elsewhere pick your own: make torch TORCH=torch
TORCH ?= torch==2.13.0
torch: $(DEV_STAMP)
	$(PY) -m pip install --quiet '$(TORCH)'

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check autograd viz tests bench notebooks scripts examples setup.py conftest.py
	$(VENV)/bin/ruff format --check autograd viz tests bench notebooks scripts examples setup.py conftest.py
	$(VENV)/bin/mypy  # the compiled modules: mypyc needs them to type-check (pyproject.toml)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .mypy_cache build autograd/*.so
