# The two commands: `make run` sets everything up and serves the site; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
SECRET_KEY_FILE := .secret-key
# Use DJANGO_SECRET_KEY from the environment, else the key generated once into .secret-key.
WITH_KEY = DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}"
MANAGE = $(WITH_KEY) $(BIN)/python manage.py

.PHONY: run setup install migrate fixtures static test test-fast lint format migrations-check superuser backup restore load bench flood mutate scale clean

run: setup
	DJANGO_QUERY_TIMEOUT_MS=$${DJANGO_QUERY_TIMEOUT_MS:-10000} $(WITH_KEY) $(BIN)/gunicorn leaderboard.wsgi -c python:leaderboard.gunicorn_conf --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

setup: install $(SECRET_KEY_FILE) migrate fixtures static

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(SECRET_KEY_FILE):
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

migrate: install $(SECRET_KEY_FILE)
	$(MANAGE) migrate --noinput

fixtures: migrate
	$(MANAGE) load_seed_fixtures

static: install $(SECRET_KEY_FILE)
	$(MANAGE) collectstatic --noinput --verbosity 0

test: install
	DJANGO_SECRET_KEY=insecure-key-for-tests-only $(BIN)/pytest $(ARGS)

# The suite without the tests marked slow (browsers, servers, generated cases, data built
# at size): for a quick check while working, on every core (pytest-xdist; each worker has
# its own test database); `make test` (and CI) runs everything, in one process.
test-fast: install
	DJANGO_SECRET_KEY=insecure-key-for-tests-only $(BIN)/pytest -m "not slow" -n auto --dist worksteal $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix --exit-zero .
	$(BIN)/ruff format .

migrations-check: install
	DJANGO_SECRET_KEY=insecure-key-for-checks-only $(BIN)/python manage.py makemigrations --check --dry-run

superuser: migrate
	$(MANAGE) createsuperuser

# Load test: 64 connections for 30 s against gunicorn; appends figures to docs/benchmarks.md.
load: setup
	bash bench/load.sh $(CONNECTIONS) $(DURATION)

CONNECTIONS ?= 64
DURATION ?= 30

# The site against Datasette and a static file on 10,000 models x 50 benchmarks.
bench: install
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/harness.py $(BENCH_ARGS)

# The site's page times while one address floods /submit/ (issue 21).
flood: install
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/flood.py $(FLOOD_ARGS)

# Mutation testing of the rule modules (quotes, validation, ranking, caching, export):
# writes docs/mutation.md. Takes most of an hour on two cores.
mutate: install
	$(BIN)/python tools/mutate.py --jobs $(JOBS)

# Exports and imports at 10,000 models × 50 benchmarks; appends figures to docs/benchmarks.md.
scale: install
	$(BIN)/python bench/scale.py $(SCALE_ARGS)

JOBS ?= 2

BACKUP_DIR ?= backups

backup: install $(SECRET_KEY_FILE)
	mkdir -p $(BACKUP_DIR)
	$(MANAGE) backup $(BACKUP_DIR)/leaderboard-$$(date -u +%Y%m%dT%H%M%SZ).json

# make restore FILE=backups/leaderboard-....json: the database becomes exactly the backup,
# or, if the file fails to load, stays as it was.
restore: migrate
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/leaderboard-YYYYmmddTHHMMSSZ.json"; exit 2; }
	$(MANAGE) restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
