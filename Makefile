# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
PORT ?= 8000
# `make run HOST=0.0.0.0` serves the local network with debug off (README: "Serving a class
# from a laptop"). Set with = rather than ?=, so a shell's own HOST variable (tcsh exports one)
# never changes what a plain `make run` does; the command line still overrides it.
HOST = 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
ARTICLE := forum/content/us-russia-peace-talks.txt
ARTICLE_TITLE := The reduction in US-Russia peace talks

.PHONY: run test install lint bench requirements messages prod-up prod-down

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes, so a second `make run` starts in seconds.
# Every package is pinned with its hashes (compiled by `make requirements`): pip refuses anything else.
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# After editing requirements.in or requirements-dev.in: pin everything they need, with hashes.
requirements: $(VENV)/.installed-dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --output-file requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --output-file requirements-dev.txt requirements-dev.in

install: $(VENV)/.installed

run: $(VENV)/.installed
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_article $(ARTICLE) --title "$(ARTICLE_TITLE)" --skip-existing
	DJANGO_DEBUG=1 $(PY) manage.py import_factors forum/content/factors.json
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_accounts
ifeq ($(HOST),127.0.0.1)
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)
else
	$(PY) manage.py serve_lan --host $(HOST) --port $(PORT)
endif

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# The translations (README: "Languages"): gather every marked string into locale/ru and locale/es, always with the
# same options (forum/management/commands/update_messages.py), then compile the .mo files, which are committed.
# Needs GNU gettext. New strings arrive untranslated and changed ones fuzzy: `make test` fails until they are done.
messages: $(VENV)/.installed-dev
	$(PY) manage.py update_messages

# Lint, the one code format, and the layers (import-linter contracts in pyproject.toml).
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# On demand, never in CI: about five minutes of load on this machine (README: "Benchmarks").
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

# Production on this machine (README: "Running in production"): nginx in front of two gunicorn app servers
# on PostgreSQL and Redis, configured by the files in deploy/. Its files are in run/ (git-ignored).
# FORUM_PORT=8090 make prod-up listens elsewhere; deploy/stack.py lists the other knobs.
prod-up: $(VENV)/.installed
	$(PY) deploy/stack.py up

prod-down:
	$(PY) deploy/stack.py down
