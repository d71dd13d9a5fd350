# The two commands a newcomer needs: `make run` and `make test`. Everything else is for CI
# and for people working on the platform.

SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# uv: the one on PATH, the one pip put in ~/.local/bin, or one installed here on first use.
UV := $(or $(shell command -v uv 2>/dev/null),$(wildcard $(HOME)/.local/bin/uv),$(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --locked --no-sync

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smartplatform
TEST_REDIS_URL ?= redis://127.0.0.1:6379
# Parallel pytest processes for the tests that may run side by side.
TEST_WORKERS ?= 2
ADDRPORT ?= 127.0.0.1:8000

.PHONY: help run test test-postgres test-embedded test-contract lint deps check-deploy messages drills fuzz bench contract

help:
	@echo "make run    start the platform with demo data on http://$(ADDRPORT) (SQLite, tasks in-process)"
	@echo "make test   the whole test suite: PostgreSQL + Redis + real workers, the embedded SQLite setup, the contract run"
	@echo "make lint   ruff and mypy"

$(CURDIR)/.tools/bin/uv:
	@echo "uv is missing: installing it into .tools/"
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

deps: $(UV)
	@$(UV) sync --locked --quiet

# The embedded setup, whatever the shell exports for the test run: no Redis, no broker (tasks
# and the event relay in-process), DEBUG on. DATABASE_URL is honoured (SQLite by default).
EMBEDDED := env REDIS_URL= CELERY_BROKER_URL= DEBUG=$${DEBUG:-true}

run: deps
	@$(EMBEDDED) $(RUN) python manage.py migrate --noinput
	@$(EMBEDDED) $(RUN) python manage.py load_demo_data
	@$(EMBEDDED) $(RUN) python manage.py ensure_demo_admin --admin-url http://$(ADDRPORT)/admin/
	@echo "API: http://$(ADDRPORT)/api/v1/  docs: http://$(ADDRPORT)/api/docs/  admin: http://$(ADDRPORT)/admin/"
	@exec $(EMBEDDED) $(RUN) python manage.py serve $(ADDRPORT)

test: deps test-postgres test-embedded test-contract

# The whole suite on PostgreSQL with Redis and real workers. Races and worker tests run alone
# afterwards: 40-thread races plus workers come near PostgreSQL's 100 connections.
test-postgres:
	@echo "== tests on PostgreSQL + Redis =="
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(RUN) pytest -m "not serial" -n $(TEST_WORKERS) -q
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		DRILL_EVENTS=30 DRILL_KILLS=1 $(RUN) pytest -m serial -q --drills

# The contract run's smoke profile (fixed seed): schemathesis over every operation of a live
# server on a fresh PostgreSQL database with the demo data (tests/contract/).
test-contract:
	@echo "== contract run: schemathesis against a live server (smoke profile) =="
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(RUN) python -m tests.contract.run --profile smoke

# The embedded setup: SQLite, local-memory cache, tasks in-process. Tests that need
# PostgreSQL, Redis or a worker are marked and skipped here.
test-embedded:
	@echo "== tests on the embedded setup (SQLite, no Redis) =="
	DATABASE_URL=sqlite:///$(CURDIR)/.test-db.sqlite3 REDIS_URL= CELERY_BROKER_URL= \
		$(RUN) pytest -m "not serial" -n $(TEST_WORKERS) -q
	DATABASE_URL=sqlite:///$(CURDIR)/.test-db.sqlite3 REDIS_URL= CELERY_BROKER_URL= \
		$(RUN) pytest -m serial -q

# Deep runs, for when an issue closes; CI runs the same code at a small scale.
PG_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)}

drills: deps
	$(PG_ENV) DRILL_EVENTS=$${DRILL_EVENTS:-400} DRILL_KILLS=$${DRILL_KILLS:-8} \
		$(RUN) pytest tests/drills --drills -q -s -p no:xdist

fuzz: deps
	$(PG_ENV) FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-3000} FUZZ_RANDOM=1 $(RUN) pytest tests/fuzz -q -s
	$(PG_ENV) $(RUN) python -m tests.contract.run --profile deep

# Schemathesis against a live server on a fresh PostgreSQL database with the demo data.
contract: deps
	$(PG_ENV) $(RUN) python -m tests.contract.run --profile $${CONTRACT_PROFILE:-smoke}

bench: deps
	$(PG_ENV) BENCH_EVENTS=$${BENCH_EVENTS:-5000} $(RUN) pytest tests/bench -q -s -p no:xdist
	@echo "== catalogue search latency on a scratch database (smartplatform_bench) =="
	psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS smartplatform_bench" \
		-c "CREATE DATABASE smartplatform_bench"
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true THROTTLE_ANON_RATE=1000000/min $(RUN) python manage.py migrate -v0
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true THROTTLE_ANON_RATE=1000000/min \
		$(RUN) python manage.py bench_search --projects $${BENCH_PROJECTS:-10000}
	@echo "== listing list and search latency on the same scratch database =="
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true THROTTLE_ANON_RATE=1000000/min \
		$(RUN) python manage.py bench_listings --listings $${BENCH_LISTINGS:-100000}
	@echo "== booking throughput and free-time search on the same scratch database =="
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true THROTTLE_ANON_RATE=1000000/min \
		$(RUN) python manage.py bench_bookings --resources $${BENCH_RESOURCES:-10000}
	@echo "== matching: one listing against the marketplace (the online path) =="
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true \
		$(RUN) python manage.py bench_matching --listings $${BENCH_LISTINGS:-100000}
	@echo "== notification fan-out: one announcement to many residents =="
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartplatform_bench REDIS_URL= \
		CELERY_BROKER_URL= DEBUG=true \
		$(RUN) python manage.py bench_notifications --recipients $${BENCH_RECIPIENTS:-10000}

lint: deps
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy smartplatform catalogue exchange matching notifications tests

# What production runs: `manage.py check --deploy` with a production-like environment.
check-deploy: deps
	DEBUG=false SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=smartsamhalle.example DATABASE_URL=sqlite:////tmp/check-deploy.sqlite3 \
		$(RUN) python manage.py check --deploy --fail-level WARNING

# Refresh the Swedish and English message catalogues and compile them (needs gettext).
messages: deps
	DEBUG=true $(RUN) python manage.py makemessages -l sv -l en --ignore=.venv --ignore=.tools --ignore=tests --no-obsolete
	DEBUG=true $(RUN) python manage.py compilemessages --ignore=.venv --ignore=.tools
