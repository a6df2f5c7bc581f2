# Two commands for a fresh machine: `make demo` and `make test`. Each sets itself up:
# a virtual environment in .venv, this package with the extras it needs, and Graphviz `dot`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Installed extras (dev = everything the tests, notebooks and bench use); redone when
# pyproject.toml changes.
DEV_STAMP   := $(VENV)/.installed-dev

.PHONY: demo test bench notebooks lint dot clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# setuptools warns "Editable installation ... be careful with folders in your working
# directory" (10 lines) on every editable install; only that message is filtered.
QUIET_BUILD := PYTHONWARNINGS="ignore:Editable installation"

$(DEV_STAMP): pyproject.toml | $(PY)
	$(QUIET_BUILD) $(PY) -m pip install --quiet -e '.[dev]'
	touch $@

dot:
	@bash scripts/ensure-dot.sh

demo: $(DEV_STAMP) dot
	$(PY) -m viz demo --out out

# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
test: $(DEV_STAMP) dot
	@$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# PyTorch is measured too when it is installed in .venv; it is never a dependency.
bench: $(DEV_STAMP)
	$(PY) -m bench

notebooks: $(DEV_STAMP) dot
	$(VENV)/bin/jupyter notebook notebooks/

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check autograd viz tests bench notebooks
	$(VENV)/bin/ruff format --check autograd viz tests bench notebooks

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
