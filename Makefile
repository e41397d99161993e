# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test check install install-dev db demo reset-demo e2e-deps e2e-moodle clean bench-deps bench-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Deletes the local SQLite database; the next `make run` loads a fresh demo.
reset-demo:
	rm -f instance/classroom.sqlite3

test: install-dev e2e-deps
	$(BIN)/python -m pytest

# Lint and format check (ruff); CI runs it before the tests.
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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
