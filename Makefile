# Developer and CI entry points. Every target is idempotent and quick when there is nothing to do:
# the virtualenv is keyed on the content of pyproject.toml, the helm binaries on install_helm.py.
#
#   make setup     .venv with svcgen and its dev tools, plus the pinned helm (4.1.4) and helm3 (3.17.3)
#   make demo      lint, render and convert the bundled examples; prints a summary
#   make test      the whole test suite (pytest, in parallel)
#   make generate  regenerate every generated artefact (values.schema.json, README table, goldens)
#   make lint      ruff and mypy --strict
#   make bench     every benchmark in benchmarks/
#   make clean     caches and build output (`make distclean` also removes .venv)
#   make apiserver       build (cached) and start kube-apiserver + etcd on loopback (.apiserver/)
#   make apiserver-stop  stop it and remove its data

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= -n auto --dist loadscope

# Stamps named after the content they depend on: a changed pyproject.toml (or installer) gets a
# new stamp name, so a fresh clone, a pull or a branch switch reinstalls exactly when it must.
SETUP_KEY := $(shell sha256sum pyproject.toml | cut -c1-12)
HELM_KEY := $(shell sha256sum scripts/install_helm.py | cut -c1-12)
SETUP_STAMP := $(VENV)/.setup-$(SETUP_KEY)
HELM_STAMP := $(VENV)/.helm-$(HELM_KEY)

# True when the installed svcgen has this command (others are added over time).
has_command = COLUMNS=200 $(BIN)/svcgen --help 2>/dev/null | grep -E '^[^[:alnum:]]*[[:space:]]$(1)[[:space:]]' >/dev/null

.PHONY: help setup demo test generate lint bench clean distclean apiserver apiserver-build apiserver-stop

help:
	@sed -n 's/^#   make /  make /p' Makefile

setup: $(SETUP_STAMP) $(HELM_STAMP)
	@test -x $(BIN)/helm -a -x $(BIN)/helm3 || $(PYTHON) scripts/install_helm.py --venv $(VENV)

$(SETUP_STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.setup-*
	@touch $@

$(HELM_STAMP): | $(SETUP_STAMP)
	$(PYTHON) scripts/install_helm.py --venv $(VENV)
	@rm -f $(VENV)/.helm-*
	@touch $@

demo: setup
	@SVCGEN=$(BIN)/svcgen bash scripts/demo.sh

# pytest exits 5 when it collected nothing: that is a failure here, never a silent pass.
# The API server is built first; where it cannot be (no go), its tests are skipped, except under
# CI=true, where the build failing fails the run.
test: setup
	@nice -n 10 $(PYTHON) scripts/apiserver.py build || { [ "$${CI:-}" != true ] && \
	  echo "make test: the API server could not be built; the tests that need it are skipped" >&2; }
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) $(ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

generate: setup
	@if $(call has_command,schema); then $(BIN)/svcgen schema; \
	else echo "generate: no 'svcgen schema' command yet; schema not regenerated"; fi
	@status=0; SVCGEN_UPDATE_GOLDENS=1 $(BIN)/pytest -m golden $(PYTEST_ARGS) -q || status=$$?; \
	if [ $$status -eq 5 ]; then echo "generate: no golden tests to regenerate"; status=0; fi; \
	exit $$status
	@git status --short -- chart values-examples tests 2>/dev/null | sed 's/^/  changed: /' || true

lint: setup
	$(BIN)/ruff check generator tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/mypy --strict scripts benchmarks

bench: setup
	@status=0; for script in benchmarks/*.py; do \
	  case "$$(basename "$$script")" in _*) continue;; esac; \
	  echo "== $$script"; $(BIN)/python "$$script" || status=1; echo; \
	done; exit $$status

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)

# The API server the suite installs the chart into. Building takes long the first time and is
# cached (~/.cache/svcgen/apiserver/<version>); a build that is there and verified takes a second.
apiserver-build:
	@nice -n 10 $(PYTHON) scripts/apiserver.py build

apiserver: apiserver-build
	@$(PYTHON) scripts/apiserver.py start

apiserver-stop:
	@$(PYTHON) scripts/apiserver.py stop
