# 银龄通 — the two commands a newcomer needs are `make run` and `make test`.
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help setup run test lint format train nlu-resources migrate providers models vosk-model speaker phone benchmark lock clean

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
	@$(PY) -m benchmarks.voice

providers: setup  ## import a provider directory: make providers CSV=path (default: the sample)
	@$(PY) -m knowledge.booking.providers_import $(CSV)

models: setup  ## assemble and check the offline speech model; say whether Vosk is configured (offline)
	@$(PY) -m voice.models

vosk-model: setup  ## download (internet), sha256-check and unpack vosk-model-small-cn-0.22 into var/models
	@$(PY) -m voice.models --fetch-vosk --dest var/models

speaker: setup  ## speaker client: microphone, or make speaker FILES="a.wav b.wav" (replies in var/speaker)
	@$(PY) -m voice.clients.speaker --gateway $(or $(GATEWAY),http://127.0.0.1:8000) $(FILES)
phone: setup  ## telephone bridge: Asterisk AudioSocket on LISTEN (127.0.0.1:9092) to the gateway
	@$(PY) -m voice.clients.audiosocket --listen $(or $(LISTEN),127.0.0.1:9092) --gateway $(or $(GATEWAY),http://127.0.0.1:8000)

lock: setup  ## re-pin every installed package into constraints.txt
	@(echo '# Every package of the environment, pinned (pip freeze). Regenerate with `make lock`.'; \
	  .venv/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==') > constraints.txt

clean:  ## remove the virtualenv, models, databases and results
	rm -rf .venv models var results .rasa
