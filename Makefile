# Entry points; the README documents each. Nothing here needs a server: embedded defaults
# (SQLite, filesystem broker) unless DATABASE_URL / REDIS_URL are set.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format bench venv dev-venv browser clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP)

venv: $(STAMP)
dev-venv: $(DEV_STAMP)

# .env makes direct manage.py commands (seed_demo, import_employees) work in development.
.env:
	printf '# Local development settings (git-ignored). Production sets these in its environment.\nDEBUG=true\n' > .env

run: $(STAMP) .env
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "CampaignHub on http://127.0.0.1:$(PORT)/  (sign in as ic / campaignhub-demo)"
	@# exec: make's own child is honcho, so a TERM to make (or Ctrl-C to the group) stops all four (web, email worker, tick worker, beat).
	@# SITE_URL here, not PORT: honcho gives each process its own PORT (web, web+100, web+200).
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} WEB_PORT=$(PORT) DEBUG=true exec $(BIN)/honcho start -f Procfile

# Browser tests need a Chromium: Debian's package as root on Debian, Playwright's download elsewhere.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/playwright install chromium; fi

# Two pytest runs. First, in parallel on pytest-xdist (each process has its own test database),
# everything except: `worker` tests (they share one broker) and `browser` tests (a live server and
# Chromium each, with 10 s timeouts, on small CI machines), which run second, serially. Both runs
# always happen; make fails if either fails. Exit status 5 (nothing selected, e.g. PYTEST_ARGS
# names a folder without worker tests) is not a failure. PYTEST_ARGS goes to both runs.
PYTEST_WORKERS ?= auto
test: $(DEV_STAMP) browser
	@status=0; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not worker and not browser" $(PYTEST_ARGS) || { s=$$?; [ $$s -eq 5 ] || status=$$s; }; \
	$(BIN)/pytest -m "worker or browser" $(PYTEST_ARGS) || { s=$$?; [ $$s -eq 5 ] || status=$$s; }; \
	exit $$status

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)
	@for f in $$(ls bench/*.py | grep -v harness.py); do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3*
