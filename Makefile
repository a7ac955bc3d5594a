# Mitra TTG. Two commands do all set-up on a fresh machine with only Python 3.11:
#   make run    virtualenv, migrations, data, and the site on http://127.0.0.1:8000
#   make test   virtualenv and the whole test suite (CI=true: on PostgreSQL + Redis + Chromium)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# CI runs on the real services of the machine (see .ci/run).
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mitra_ttg
export REDIS_URL ?= redis://127.0.0.1:6379/15
endif

.PHONY: run test lint format bench venv migrate data smoke-sqlite check-ci clean messages

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

migrate: venv
	$(PY) manage.py migrate --noinput

# Every data-loading step, in order. Later issues add theirs here; all are idempotent.
data: migrate
	$(PY) manage.py load_regions
	$(PY) manage.py seed_demo

run: data
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
ifeq ($(CI),true)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-ci
	$(MAKE) --no-print-directory smoke-sqlite
	$(BIN)/pytest
else
	$(BIN)/pytest
endif

# Schema drift and the OpenAPI document, checked before the suite.
check-ci: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# A brand-new SQLite file: migrate and every data step, then the smoke tests on SQLite.
smoke-sqlite: venv
	rm -f /tmp/mitra-ttg-smoke.sqlite3*
	env -u DATABASE_URL -u REDIS_URL DATABASE_URL=sqlite:////tmp/mitra-ttg-smoke.sqlite3 $(MAKE) --no-print-directory data
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -m smoke -p no:cacheprovider
	rm -f /tmp/mitra-ttg-smoke.sqlite3*

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark in bench/, in name order: catalog.py (issue 6), checkout.py (issue 7),
# matching.py (issue 11), reports.py (issue 13).
bench: venv
	@set -e; found=0; for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; found=1; echo "== $$f"; $(PY) "$$f"; \
	done; \
	if [ $$found = 0 ]; then echo "No benchmarks yet: bench/ has no *.py files."; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

# Extract new interface strings (needs GNU gettext's xgettext), then compile them (no gettext).
messages: venv
	$(PY) manage.py makemessages -l id -l en --ignore=.venv --ignore=tests --ignore=staticfiles
	$(PY) manage.py compile_translations
