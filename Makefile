# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PO_FILES := $(wildcard marketplace/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint bench cluster cluster-stop install translations extract-messages update-messages migrate seed clean

run: install translations
	@mkdir -p instance
	$(FLASK) db upgrade
	@if [ ! -f instance/.demo-seeded ]; then $(FLASK) seed-demo && touch instance/.demo-seeded; fi
	@echo ""
	@echo "  Serumpun is running on http://$(HOST):$(PORT)"
	@echo "  Demo sign-ins: every account in README.md (\"Demo sign-ins\"), password serumpun-demo"
	@echo "  (seed-demo printed them above the first time). Another port or host: make run PORT=5001 HOST=0.0.0.0"
	@echo ""
	@# The job consumer runs inside the server (see README, "Background jobs"): one command is enough.
	JOBS_IN_PROCESS=1 SITE_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

test: install translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed at 100,000 products against a bare Flask "hello" (needs wrk: apt-get install wrk).
bench: install translations
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The production topology on this machine: HAProxy, three gunicorn app servers, two job consumers,
# PostgreSQL, Redis and S3 (moto). Needs haproxy (apt-get install haproxy); see deploy/cluster.sh.
cluster: install translations
	bash deploy/cluster.sh start

cluster-stop:
	bash deploy/cluster.sh stop

# ruff, and the layers written down for import-linter (the contracts are in pyproject.toml).
lint: install
	$(BIN)/ruff check marketplace tests app.py deploy
	$(BIN)/lint-imports

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Serumpun needs Python 3.11 or newer."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV); on Debian: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

translations: install $(MO_FILES)

%.mo: %.po
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# For developers: collect new strings into the catalogs.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__ instance tests" -o marketplace/translations/messages.pot --no-location --sort-output --omit-header .
update-messages: extract-messages
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

migrate: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed-demo

clean:
	rm -rf $(VENV) instance/serumpun.sqlite* instance/jobs.sqlite* instance/.demo-seeded
