# A fresh clone needs two commands: `make up` (set up, then start the local stack) and
# `make test` (set up, then run the checks and the test suite).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup up down status test lint bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

setup: $(UV)
	$(UV) sync --frozen
	$(VENV)/airloom doctor

up: setup
	$(VENV)/airloom up

down:
	$(VENV)/airloom down

status:
	$(VENV)/airloom status

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

test: lint
	$(VENV)/pytest

bench: setup
	for script in bench/*.py; do $(VENV)/python $$script || exit 1; done
