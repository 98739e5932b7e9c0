# The two promises: `make run` (fresh machine → shop with demo data on :8000) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install install-dev migrate seed test test-fast lint messages worker beat web bench clean

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
	$(MANAGE) seed_demo --if-empty

setup: seed

run: setup
	@$(MANAGE) demo_logins
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/pytest -m "not browser" -x $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

# Needs GNU gettext (apt-get install gettext). The compiled .mo files are committed.
messages: install
	$(MANAGE) makemessages -l ko -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=media
	$(MANAGE) compilemessages --ignore=.venv

# Services mode, by hand (DATABASE_URL and REDIS_URL set): the processes docker-compose runs.
web: install
	$(MANAGE) collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/gunicorn config.wsgi:application -b $(HOST):$(PORT) -w 4 --threads 4
worker: install
	$(BIN)/celery -A config worker -l info -c 2
beat: install
	$(BIN)/celery -A config beat -l info -s $(VENV)/celerybeat-schedule

bench: install-dev
	$(BIN)/python bench/storefront.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .test-media .pytest_cache
