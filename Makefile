# deesc: `make demo` sets everything up and serves the demo; `make test` runs the whole suite.
# Both are idempotent: a second run only does what changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-stamp
DEB_STAMP := var/.debian-stamp
NPM_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The CPU build of torch on this machine's disk, when there is one.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

# command-or-library:Debian packages. Only what is missing is installed, so a node that came with
# its own npm (NodeSource) is left alone rather than fought with Debian's npm.
DEBIAN_NEEDS := ffmpeg:ffmpeg espeak-ng:espeak-ng sox:sox,libsox-fmt-all chromium:chromium \
	chromedriver:chromium-driver pdftoppm:poppler-utils node:nodejs npm:npm \
	lib=libpango-1.0:libpango-1.0-0,libpangoft2-1.0-0,fonts-dejavu-core

.PHONY: demo test lint bootstrap migrate clean bench api-fuzz

bootstrap: $(STAMP) $(DEB_STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(FIND_LINKS) -e '.[dev]'
	@touch $@

# Debian packages: installed only when a command or library is missing.
$(DEB_STAMP): Makefile
	@mkdir -p var
	@missing=""; \
	for need in $(DEBIAN_NEEDS); do \
		what=$${need%%:*}; pkgs=$$(echo $${need#*:} | tr , ' '); \
		case $$what in \
			lib=*) ldconfig -p | grep -q "$${what#lib=}" || missing="$$missing $$pkgs";; \
			*) command -v $$what >/dev/null 2>&1 || missing="$$missing $$pkgs";; \
		esac; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

$(NPM_STAMP): package.json package-lock.json $(DEB_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

migrate: bootstrap
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py prepare_asr_models

demo: migrate
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: bootstrap
	$(PY) -m pytest $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: bootstrap
	$(PY) -m bench all

clean:
	rm -rf var/media var/static var/deesc.sqlite3* .pytest_cache

# Property-based requests against the OpenAPI schema: no response may be a server error.
api-fuzz: bootstrap
	bash .ci/api-fuzz
