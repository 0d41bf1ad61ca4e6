# lnanalysis developer loop. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
REGION ?= LN
INDICATOR ?= rd_expenditure

help: ## List the targets with a one-line description each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	@# The project itself, editable, with its declared dependencies already pinned above
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned dependencies (done by every target that needs it)

lock: ## Re-resolve requirements.in into requirements-lock.txt (needs the package index)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Exact pins of every package in the lnanalysis environment (pip path)."; \
	  echo "# Generated from requirements.in by \`make lock\`; do not edit by hand."; \
	  .lock-venv/bin/pip freeze | grep -v '^-e'; } > requirements-lock.txt
	rm -rf .lock-venv

briefing: $(STAMP) ## Build data/processed/, figures/, notebooks, report: changed steps only (FORCE=1: all; ACCEPT=1: accept changed notebook outputs)
	$(PY) -m lnanalysis build $(if $(ACCEPT),--accept-notebooks) $(if $(FORCE),--force)

check-processed: $(STAMP) ## Rebuild data/processed/ into a scratch folder and list every cell that differs
	$(PY) -m lnanalysis check-processed

data: $(STAMP) ## Build data/processed/ only (no notebooks, no figures)
	$(PY) -m lnanalysis build --data-only $(if $(FORCE),--force)

test: $(STAMP) ## Run the fast tests, then nbval over the executed notebooks
	$(PY) -m pytest -q -m "not slow" --doctest-modules lnanalysis tests
	$(PY) -m pytest -q -p no:cacheprovider $(NBVAL_FLAGS) notebooks/[0-9][0-9]_*.ipynb

test-slow: $(STAMP) ## Run the slow property-test tier (hypothesis, 10,000 examples per parser)
	$(PY) -m pytest -q -m slow tests

lint: $(STAMP) ## Ruff lint and format check
	$(VENV)/bin/ruff check lnanalysis tests benchmarks
	$(VENV)/bin/ruff format --check lnanalysis tests benchmarks

format: $(STAMP) ## Apply ruff formatting
	$(VENV)/bin/ruff format lnanalysis tests benchmarks

bench: $(STAMP) ## Run every benchmark in benchmarks/ (one BENCH line per goal)
	@status=0; for f in benchmarks/bench_*.py; do $(PY) $$f || status=1; done; exit $$status

explore: $(STAMP) ## Render the explore notebook for REGION=… INDICATOR=… (papermill)
	$(PY) -m lnanalysis explore --region $(REGION) --indicator $(INDICATOR)

browser: ## Install Debian's chromium and CJK fonts for the report's PDF and browser tests (root)
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	  else echo "make browser: run as root, or apt-get install chromium fonts-noto-cjk"; exit 1; fi; }
	@chromium --version

lab: $(STAMP) ## Open JupyterLab in the project's environment
	$(VENV)/bin/jupyter lab notebooks

fetch-yearbooks: $(STAMP) ## Download the manifest's yearbook tables into the git-ignored cache and verify sha256
	$(PY) -m lnanalysis fetch-yearbooks

clean: ## Remove the virtual environment and caches (not data/processed or figures)
	rm -rf $(VENV) .pytest_cache .ruff_cache .cache

.PHONY: help venv lock browser briefing check-processed data test test-slow lint format bench explore lab fetch-yearbooks clean
