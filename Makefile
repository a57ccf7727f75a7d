# The only entry points: make demo | test | check | bench | docs
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
PRODUCTION_ENV := DJANGO_SETTINGS_MODULE=egov.settings.production \
	EGOV_SECRET_KEY=check-only-$(shell echo $$PPID)-not-a-real-secret-but-long-enough-for-the-check \
	DATABASE_URL=postgres://egov@127.0.0.1:5432/egov \
	EGOV_ANALYTICS_PSEUDONYM_KEYS=check=$(shell head -c 32 /dev/urandom | base64)

LINT_PATHS := src conftest.py manage.py $(wildcard tests bench)

.PHONY: demo test check bench docs setup clean lock

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)
	@$(BIN)/python manage.py compile_catalogs --verbosity 0

demo: setup
	$(BIN)/egov demo

test: setup
	$(BIN)/pytest

check: setup
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PRODUCTION_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: setup
	$(BIN)/python bench/run.py

docs: setup
	$(BIN)/egov openapi docs/openapi.json

# Re-pin after changing pyproject.toml's dependencies.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var
