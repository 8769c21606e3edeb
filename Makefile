# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations migrate check-migrations serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/python -m coordination.translations.build

migrate: install
	$(FLASK) db upgrade

## make run: install, migrate the local SQLite database, load the demo data on first run,
## and serve on http://127.0.0.1:5000 with the job process beside it.
run: migrate
	$(FLASK) demo load --if-empty
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the web server and the job process)"
	@$(FLASK) scheduler run & sched=$$!; \
	  trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT) --no-reload

## make test: install what the tests need and run the whole suite
## (SQLite; also PostgreSQL when TEST_DATABASE_URL is set), in a process per core
## (TEST_PROCESSES=0 runs it in one; a test file's tests stay in one process; the files that take
## longest are handed out first, in the order tests/conftest.py gives).
TEST_PROCESSES ?= auto
test: install-test
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

check-migrations: install
	$(FLASK) db check

clean:
	rm -rf $(VENV) instance .pytest_cache
