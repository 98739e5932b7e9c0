# The two promises: `make run` (fresh machine → shop with demo data on :8000) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings derive SITE_URL (where PG callbacks go) from these, so `PORT=8101 make run` is reachable.
export HOST PORT
BACKUP_DIR ?= backups

.PHONY: run setup install install-dev migrate seed test test-fast lint migrations-check messages worker beat web \
	bench backup restore clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo --if-empty --no-logins

setup: seed

# The embedded demo: DEBUG off (the shop's own 404/500 pages; `DEBUG=1 make run` for development),
# static files through whitenoise, and the scheduled jobs (run_schedule) beside the server, stopped
# with it (a background job ignores Ctrl-C in a script, hence the trap).
run: setup
	@$(MANAGE) demo_logins
	@$(MANAGE) run_schedule & schedule=$$!; \
	trap 'kill $$schedule 2>/dev/null; wait $$schedule 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-dev lint migrations-check
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/pytest -m "not browser" -x $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

# A model change without its migration fails CI (models only: no database needed, so none is asked).
migrations-check: install-dev
	DATABASE_URL=sqlite:///:memory: $(MANAGE) makemigrations --check --dry-run

# Backups: the database (pg_dump custom format, or a SQLite copy) plus media and private files, in
# one folder under $(BACKUP_DIR) with a manifest of row counts and money sums. See docs/operations.md.
backup: install
	$(MANAGE) backup --output-dir $(BACKUP_DIR)

# Into an empty database only: `make restore BACKUP=backups/shop-20260101-033000`.
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=<backup folder>"; exit 2; }
	$(MANAGE) restore $(BACKUP)

# Needs GNU gettext (apt-get install gettext). The compiled .mo files are committed.
messages: install
	$(MANAGE) makemessages -l ko -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=media
	$(MANAGE) compilemessages --ignore=.venv

# Services mode, by hand (DATABASE_URL and REDIS_URL set): the processes docker-compose runs.
# Production-like: DEBUG off whatever the environment says, gunicorn, static files through whitenoise.
web: install
	$(MANAGE) collectstatic --noinput -v0
	DEBUG=0 DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/gunicorn config.wsgi:application -b $(HOST):$(PORT) -w 4 --threads 4
worker: install
	$(BIN)/celery -A config worker -l info -c 2
beat: install
	$(BIN)/celery -A config beat -l info -s $(VENV)/celerybeat-schedule

bench: install-dev
	$(BIN)/python bench/storefront.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles .test-media .pytest_cache
