# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-dev db demo reset-demo e2e-deps clean

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

e2e-deps:
	@true

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov
