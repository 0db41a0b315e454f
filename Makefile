# A fresh clone needs two commands: `make up` (set up, then start the local stack) and
# `make test` (set up, then run the checks and the test suite).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup up down status test lint bench checkov terraform-check studio studio-test screenshots

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

setup: $(UV)
	$(UV) sync --frozen
	$(VENV)/airloom doctor

# Airloom Studio, the web app the builder serves under /studio/: npm from the machine, with the
# committed lock. node_modules is installed again only when the lock changes.
STUDIO := studio
NPM ?= npm

$(STUDIO)/node_modules/.package-lock.json: $(STUDIO)/package-lock.json
	cd $(STUDIO) && $(NPM) ci --no-audit --no-fund
	touch $@

studio: $(STUDIO)/node_modules/.package-lock.json
	cd $(STUDIO) && $(NPM) run build

studio-test: $(STUDIO)/node_modules/.package-lock.json
	cd $(STUDIO) && $(NPM) run test

# docs/images/studio-*.png, taken on a local stack of its own by the browser tests' helpers.
screenshots: setup studio
	$(VENV)/python -m tests.e2e.studio_screenshots

up: setup studio
	$(VENV)/airloom up

down:
	$(VENV)/airloom down

status:
	$(VENV)/airloom status

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

# checkov conflicts with the project's dependencies: it gets its own pinned environment.
CHECKOV := .tools/checkov/bin/checkov

$(CHECKOV): requirements/checkov.txt | $(UV)
	$(PYTHON) -m venv .tools/checkov
	$(UV) pip install --quiet --python .tools/checkov/bin/python --require-hashes -r requirements/checkov.txt
	touch $(CHECKOV)

checkov: $(CHECKOV)

# The Terraform checks on their own (the test suite runs them too, in tests/integration/terraform).
terraform-check: setup $(CHECKOV)
	$(VENV)/airloom terraform check
	$(CHECKOV) --config-file terraform/.checkov.yaml -d terraform

# Two workers: the stack tests share one (tests/conftest.py), the other modules spread over
# both.
TEST_WORKERS ?= 2
# How many of the slowest tests the run lists (0: every one, to see where CI time goes).
TEST_DURATIONS ?= 25

test: lint $(CHECKOV) studio studio-test
	$(VENV)/pytest --numprocesses $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=$(TEST_DURATIONS)

bench: setup studio
	for script in bench/[!_]*.py; do $(VENV)/python $$script || exit 1; done
