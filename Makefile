# 银龄通 — the two commands a newcomer needs are `make run` and `make test`.
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help setup run test lint format train nlu-resources migrate providers models benchmark lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## create .venv (Python 3.10) and install pinned dependencies
	@scripts/bootstrap.sh

run: setup  ## set up, migrate, train if needed, start all servers
	@$(PY) -m scripts.stack run

test:  ## run every test (lint, Rasa data/story/NLU tests, unit, API, end-to-end)
	@scripts/test.sh

lint: setup  ## ruff
	@.venv/bin/ruff check .

format: setup  ## apply ruff's fixes and formatting
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

train: setup  ## retrain the Rasa model from scratch
	@$(PY) -m scripts.train --force

nlu-resources: setup  ## regenerate region lookup/synonyms/jieba entries from the gazetteer
	@$(PY) scripts/gen_nlu_resources.py

migrate: setup  ## bring DATABASE_URL up to the latest schema
	@$(PY) -m knowledge.migrate

benchmark: setup  ## print and record performance figures (benchmarks/results/)
	@$(PY) -m benchmarks.spine && $(PY) -m benchmarks.knowledge
	@$(PY) -m benchmarks.bookings --database sqlite && $(PY) -m benchmarks.bookings --database postgresql

providers: setup  ## import a provider directory: make providers CSV=path (default: the sample)
	@$(PY) -m knowledge.booking.providers_import $(CSV)

models: setup  ## assemble and check the offline speech model; say whether Vosk is configured
	.venv/bin/python -m voice.models

lock: setup  ## re-pin every installed package into constraints.txt
	@(echo '# Every package of the environment, pinned (pip freeze). Regenerate with `make lock`.'; \
	  .venv/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==') > constraints.txt

clean:  ## remove the virtualenv, models, databases and results
	rm -rf .venv models var results .rasa
