# One command per habit. Every target bootstraps the virtual environment it needs.
#   make run      the whole system on this machine (embedded AWS, demo district, function URLs, schedules, site,
#                 the app at /app/: builds it first with make web)
#   make web      the app (web/) built into web/dist/ (npm ci when the lock file changed, a build when web/ did)
#   make test     infra checks, unit, integration, e2e and browser tests, OpenAPI staleness check
#                 (installs Chromium and CJK fonts for the browser tests when missing)
#   make lint     ruff + mypy
#   make bench    request counts and timings (docs/benchmarks.md), the app's in the system Chromium (builds it
#                 first); BENCH_ARGS="--sweep-sizes 800,8000,80000 --morning-sizes 800,80000 --publish-province"
#   make build    sam build (python3.13, arm64, no Docker), then the layer pruned of boto3's family and
#                 byte-compiled (python -m infra.layer)
#   make lock     after a change to pyproject's dependencies: requirements.lock (uv, versions kept where they
#                 still fit; LOCK_ARGS=--upgrade for the newest), then shared/requirements.txt from it
#
# One set of versions: the venv is installed from requirements.lock (then the project itself, --no-deps);
# the layer from shared/requirements.txt, generated from the same lock (python -m infra.lock --check in
# the tests). The venv's stamp is keyed by the lock and pyproject.toml.
#   make deploy   sam deploy --guided, then build the web app for / (make web-root) and upload it
#                 (python -m infra.deploy_app: config.json, Cache-Control, CloudFront invalidation)
#   make openapi  regenerate docs/openapi.json and the web app's API types (web/src/api/schema.d.ts)

SHELL := /bin/bash
PY313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13) $(shell command -v python3))
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
# uv, for `make lock` only, in a virtual environment of its own.
UV_VENV ?= .venv-uv
UV := $(UV_VENV)/bin/uv

.PHONY: venv lock browser run test test-fast lint bench openapi deploy clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PYTHON) || $(PY313) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.lock
	$(PYTHON) -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

$(UV):
	$(PY313) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet uv

lock: $(UV)
	$(UV) pip compile pyproject.toml --extra dev --universal --custom-compile-command "make lock" \
		-o requirements.lock $(LOCK_ARGS)
	$(MAKE) venv
	$(PYTHON) -m infra.lock

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
	rm -rf .aws-sam .venv-uv .pytest_cache .mypy_cache .ruff_cache .local web/dist web/dist-root
