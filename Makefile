# One command per habit. Every target bootstraps the virtual environment it needs.
#   make run      the whole system on this machine (embedded AWS, demo district, function URLs, schedules, site,
#                 the app at /app/: builds it first with make web)
#   make web      the app (web/) built into web/dist/ (npm ci when the lock file changed, a build when web/ did)
#   make test     infra checks, unit, integration, e2e and browser tests, OpenAPI staleness check
#                 (installs Chromium and CJK fonts for the browser tests when missing)
#   make lint     ruff + mypy
#   make bench    request counts and timings (docs/benchmarks.md), the app's in the system Chromium (builds it
#                 first); BENCH_ARGS="--sweep-sizes 800,8000,80000 --morning-sizes 800,80000 --publish-province"
#   make build    sam build (python3.13, arm64, no Docker)
#   make deploy   sam deploy --guided, then build the web app for / (make web-root) and upload it
#                 (python -m infra.deploy_app: config.json, Cache-Control, CloudFront invalidation)
#   make openapi  regenerate docs/openapi.json and the web app's API types (web/src/api/schema.d.ts)

SHELL := /bin/bash
PY313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13) $(shell command -v python3))
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: venv browser run test test-fast lint bench openapi deploy clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PYTHON) || $(PY313) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Chromium and CJK fonts from the system's packages, for the browser tests.
browser:
	@bash infra/scripts/ensure-browser.sh

run: venv web
	$(PYTHON) -m infra.local

test: venv browser web-check web
	$(PYTHON) -m infra.openapi --check
	$(PYTHON) -m pytest

test-fast: venv
	$(PYTHON) -m pytest tests/unit -q

lint: venv web-deps
	cd web && npx eslint --max-warnings=0 .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check shared functions infra
	$(VENV)/bin/mypy

bench: venv web
	$(PYTHON) -m infra.bench $(BENCH_ARGS)

openapi: venv web-deps
	$(PYTHON) -m infra.openapi
	cd web && npm run --silent api-types

include infra/build.mk
include infra/web.mk

# The stack first (its outputs name the app bucket, the distribution and the sign-in settings),
# then the app: `web-root` builds it for the distribution's / into web/dist-root, infra.deploy_app
# writes its config.json and uploads it.
deploy: build venv
	PATH="$(SAM_RUNTIME_BIN):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) deploy --guided
	$(MAKE) web-root
	$(PYTHON) -m infra.deploy_app --dist web/dist-root

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .local web/dist web/dist-root
