# `make build`: sam build for python3.13 on arm64, on this machine, without Docker.
#
# Included by the top-level Makefile (or run alone: make -f infra/build.mk build).
# The SAM CLI lives in its own virtual environment (.venv-sam, Python 3.11): it pins versions
# that clash with the project's test environment. sam's Python builder needs an interpreter of the
# target runtime on PATH (python3.13 from pyenv); for BuildArchitecture arm64 it downloads
# manylinux aarch64 wheels, so no container is needed.
# sam installs the layer from shared/requirements.txt (generated from requirements.lock by
# `python -m infra.lock`); then infra.layer, run by that same python3.13, prunes what the runtime
# provides (boto3, botocore and their kin), byte-compiles the layer (unchecked-hash .pyc files) and
# reports its size.

SAM_VENV ?= .venv-sam
SAM_VENV_PYTHON ?= $(HOME)/.pyenv/versions/3.11.7/bin/python
SAM_RUNTIME_BIN ?= $(HOME)/.pyenv/versions/3.13.0/bin
SAM_BUILD_FLAGS ?= --cached --parallel
SAM := $(SAM_VENV)/bin/sam

.PHONY: build sam-cli

build: $(SAM)
	PATH="$(SAM_RUNTIME_BIN):$$PATH" SAM_CLI_TELEMETRY=0 \
		$(SAM) build --template-file template.yaml $(SAM_BUILD_FLAGS)
	"$(SAM_RUNTIME_BIN)/python3" -m infra.layer .aws-sam/build

sam-cli: $(SAM)

$(SAM):
	test -x "$(SAM_VENV_PYTHON)" || { echo "missing $(SAM_VENV_PYTHON) (pyenv install 3.11.7)"; exit 1; }
	"$(SAM_VENV_PYTHON)" -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli
