# OdooOps: `make demo` runs the main job, `make test` runs every check.
# Both install what they need on first use (Debian packages, the virtualenv,
# pinned npm tools) and are quick the second time.

PYTHON ?= /usr/bin/python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help deps demo test lint pgtap pytest clean clean-venv

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

deps: $(STAMP) node_modules/.installed console/node_modules/.installed ## install system packages, the virtualenv and npm tools
	@scripts/install_system_deps.sh

$(STAMP): requirements.lock pyproject.toml
	@scripts/install_system_deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

# `npm install --no-save` installs exactly what package-lock.json pins and never
# rewrites it. Not `npm ci`: it rejects the lock because the registry lacks the
# Supabase CLI builds for other platforms, which npm therefore left out of it.
node_modules/.installed: package.json package-lock.json
	@npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

# The console (Next.js) has its own package.json and lock: its ~700 MB of
# node_modules stay out of the tools' tree. `npm ci` installs exactly the lock.
console/node_modules/.installed: console/package.json console/package-lock.json
	@cd console && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: deps ## the main job on a throwaway PostgreSQL
	@$(BIN)/odooops demo

lint: deps ## sqlfluff and plpgsql_check
	@$(BIN)/odooops lint

pgtap: deps ## the pgTAP suite on a freshly migrated database
	@$(BIN)/odooops db test

pytest: deps ## the Python test suite
	@$(BIN)/python -m pytest -q

test: deps ## everything (odooops check): imports, ruff, lint, pgTAP, Edge Functions, pytest, spec gates
	@$(BIN)/odooops check

clean: ## stop the `db up` cluster and remove caches
	-@$(BIN)/odooops db down
	rm -rf .pytest_cache supabase/.temp

clean-venv: ## remove the virtualenv and npm tools
	rm -rf $(VENV) node_modules console/node_modules console/.next console/generated
