# The two commands of the README do all the set-up: `make serve` (or `make build`) and `make test`.
# Set-up steps are stamp files, so a repeated call does nothing when nothing changed.

# The venv's interpreter: the system's python3 when it is 3.11 or newer with venv, else python3 from PATH.
# Distributions build their interpreter with libpython linked in and compiler optimisations that a version
# manager's default build (a shared libpython, no profile-guided optimisation) lacks: talkdeck runs 15-20%
# slower on the latter. `make PYTHON=python3.12` picks one while there is no .venv yet.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do \
	"$$p" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo "$$p"; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
PY_READY := $(VENV)/.installed
NPM_READY := node_modules/.package-lock.json

.PHONY: all setup build serve pdf check test bench clean

all: build

setup: $(PY_READY) $(NPM_READY)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "talkdeck needs Python 3.11 or newer with its venv module (python3 -m venv)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The compat editable mode puts the checkout on sys.path with a .pth line instead of an import hook,
# which keeps 15-20 ms off every talkdeck start.
$(PY_READY): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,examples]' --config-settings editable_mode=compat
	@touch $@

$(NPM_READY): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: setup
	$(BIN)/talkdeck build

serve: setup
	$(BIN)/talkdeck serve

pdf: setup
	$(BIN)/talkdeck pdf

check: setup
	$(BIN)/talkdeck check

test: setup
	$(BIN)/pytest

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf dist .pytest_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -not -path './node_modules/*' -exec rm -rf {} +
