# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test check fast-tests lint install install-dev lock audit db demo reset-demo e2e-deps e2e-moodle clean bench-deps bench-smoke two-instances

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the locks only: every package pinned with its hashes, so two installs a month
# apart are the same. requirements-dev.txt holds the app's pins too, so it installs on its own.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Recompiles the locks from requirements.in / requirements-dev.in (pip-tools), keeping current pins
# unless the .in file changed them. Only PyPI is asked: a machine's own pip configuration (local wheel
# folders, extra indexes) would add hashes that no other machine can match.
# To move one package on: make lock LOCK_ARGS="--upgrade-package NAME".
LOCK_ARGS ?=
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url $(LOCK_ARGS)

lock: install-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# Known vulnerabilities in the locked packages (pip-audit, PyPI's advisory data); see .ci/audit.
audit: install-dev
	bash .ci/audit

db: install
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Deletes the local SQLite database; the next `make run` loads a fresh demo.
reset-demo:
	rm -f instance/classroom.sqlite3

# The whole suite with the coverage floor; -rs lists every skipped test with its reason.
COVERAGE := --cov=classroom --cov-report=term-missing:skip-covered --cov-fail-under=85
PYTEST_ARGS ?=
# WORKERS=N runs the tests in N processes (pytest-xdist; each has its own database: its own SQLite
# files, its own PostgreSQL schema, see tests/conftest.py). Unset, one process.
WORKERS ?=
# loadfile: each file's tests run in one worker, in order (a module's later tests may check what its
# earlier ones did to the world they share, as tests/test_bad_input.py does).
XDIST := $(if $(WORKERS),-n $(WORKERS) --dist loadfile,)

test: install-dev e2e-deps
	$(BIN)/python -m pytest $(COVERAGE) -rs $(XDIST) $(PYTEST_ARGS)

# Lint, format check and types in seconds: ruff, and mypy on classroom/ (settings in mypy.ini).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# What CI runs first: lint and types, then every test but the browser ones (SQLite unless
# TEST_DATABASE_URL is set). No coverage floor here: a part of the suite cannot reach it.
check: lint fast-tests

fast-tests: install-dev
	$(BIN)/python -m pytest -m "not e2e" -rs $(XDIST) $(PYTEST_ARGS)

# Browser tests need Debian's Chromium (Playwright never downloads a browser of its own) and
# axe-core from npm, pinned in package-lock.json. Root installs what is missing; others are told how.
CHROMIUM := /usr/bin/chromium

e2e-deps: node_modules/axe-core/axe.min.js
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM). Install it with: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; \
	  else \
	    echo "The browser tests need npm to install axe-core. Install it with: sudo apt-get install npm" >&2; \
	    exit 1; \
	  fi; \
	fi
	npm ci --no-audit --no-fund
	touch $@

# The load generator (Locust) has an environment of its own, so its dependencies never touch the app's.
BENCH_VENV := bench/.venv

$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements.txt
	touch $@

bench-deps: $(BENCH_VENV)/.installed

# A tiny district and a few seconds of every scenario against gunicorn (PostgreSQL on 127.0.0.1).
bench-smoke: install bench-deps
	bash bench/smoke.sh

# LTI 1.3 against a real Moodle 4.5 in Chromium (minutes, so not part of `make test`; README "LTI 1.3
# setup"). Uses the kit in shared/moodle beside the repository; when no Moodle answers on MOODLE_PORT it
# runs the kit's up.sh, which needs MOODLE_MIRROR (the Moodle source as a git directory) and MOODLE_HOME.
MOODLE_KIT ?= $(abspath $(firstword $(wildcard ../shared/moodle ../../shared/moodle)))
MOODLE_PORT ?= 8081
export MOODLE_PORT

e2e-moodle: install-dev
	@test -n "$(MOODLE_KIT)" || { echo "The Moodle kit (shared/moodle) is not beside this repository: set MOODLE_KIT." >&2; exit 1; }
	@if ! $(BIN)/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$(MOODLE_PORT)/login/index.php', timeout=30)" 2>/dev/null; then \
	  if [ -z "$$MOODLE_MIRROR" ]; then \
	    echo "No Moodle on 127.0.0.1:$(MOODLE_PORT). Set MOODLE_MIRROR to the Moodle source (see $(MOODLE_KIT)/README.md) and MOODLE_HOME, and run make e2e-moodle again." >&2; exit 1; \
	  fi; \
	  bash $(MOODLE_KIT)/up.sh; \
	fi
	MOODLE_KIT=$(MOODLE_KIT) $(BIN)/python tests/moodle/e2e_moodle.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .coverage htmlcov node_modules test-artifacts

# Two app instances behind nginx (Debian's) on one PostgreSQL and one Redis: sessions, rate limits, LTI
# launch state and the moderation queue whichever instance answers, and one instance killed mid-lesson
# (tests/test_two_instances.py; ports 5160-5170; about ten seconds; CI runs it after the benchmark smoke run).
two-instances: install-dev
	TWO_INSTANCES=1 $(BIN)/python -m pytest -p no:cacheprovider -q -rs tests/test_two_instances.py
