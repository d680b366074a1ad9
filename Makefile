# chibo: the front door. `make run` serves the demo, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt typecheck check-deploy migrations-check pytest bench messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("chibo needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) load_demo --if-empty
	$(MANAGE) runserver $(HOST):$(PORT)

test: lint typecheck check-deploy migrations-check pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.installed
	$(BIN)/mypy chibo

# The production settings must pass Django's deployment checks without a single warning.
check-deploy: $(VENV)/.installed
	CHIBO_DEBUG=false CHIBO_SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	CHIBO_ALLOWED_HOSTS=chibo.example.org $(MANAGE) check --deploy --fail-level WARNING

migrations-check: $(VENV)/.installed
	$(MANAGE) makemigrations --check --dry-run

# On every core (pytest-xdist, a test database per worker); JOBS=0 runs in this process.
pytest: $(VENV)/.installed
	$(BIN)/pytest -n $(or $(JOBS),auto) --dist worksteal

# Data at scale and timed scenarios against their floors (docs/performance.md):
# `make bench SCALE=district|province|nation`, `SMOKE=1` for the short run CI makes.
bench: $(VENV)/.installed
	$(PY) bench/run.py --scale $(or $(SCALE),district) $(if $(SMOKE),--smoke)

# Interface strings are written in Vietnamese; refresh the English catalogue after changing them.
messages: $(VENV)/.installed
	$(MANAGE) makemessages --locale en --no-obsolete --ignore '$(VENV)/*' --ignore 'tests/*' \
		--ignore conftest.py --ignore 'bench/*'
	$(MANAGE) compilemessages --locale en --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) var test-output
