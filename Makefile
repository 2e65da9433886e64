# The two set-up commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py

.PHONY: install run test lint bench demo vendor cluster cluster-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Embedded default: an SQLite file under var/, the demo data, gunicorn on 127.0.0.1:8000.
# The demo counts Mon-Fri in years whose holiday arrangement is not loaded yet (2027 onwards), explicitly
# and visibly; production keeps the default "error" until the operator loads the year (docs/workdays.md).
run: export ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY ?= weekdays
run: install
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo
	@echo "注意：演示环境对尚未载入节假日安排的年份按周一至周五计算工作日（ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY=$$ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY）。"
	@echo "平台地址：http://127.0.0.1:8000/  接口文档：http://127.0.0.1:8000/api/v1/docs"
	$(BIN)/gunicorn -c gunicorn.conf.py

# Front-end files served from our own static files (package.json): installed from the npm registry and
# copied under onevisit/static/vendor/. The copies are committed, so running the platform needs no npm.
vendor:
	npm install --no-audit --no-fund
	mkdir -p onevisit/static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE onevisit/static/vendor/echarts/

lint: install
	$(BIN)/ruff check .

# The whole suite. SQLite by default; PostgreSQL when DATABASE_URL points to one.
test: install
	$(BIN)/ruff check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The case engine under load on PostgreSQL (README, "Benchmarks"). BENCH_CASES=... changes the 1,000,000.
# The case engine, then the main pages on the same million cases, then the data hub look-ups,
# auto-approval and licence verification. Every line of stdout is one JSON metric; progress on stderr.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n1)" main start
	@BENCH_KEEP_DB=1 $(BIN)/python bench/run.py
	@$(BIN)/python bench/pages_bench.py
	@[ "$$BENCH_KEEP_DB" = 1 ] || psql -q postgres://postgres@127.0.0.1:5432/postgres -c "DROP DATABASE IF EXISTS $${BENCH_DB:-onevisit_bench} WITH (FORCE)"
	@$(BIN)/python bench/lookup_bench.py --runs 3 --seconds 10
	@$(BIN)/python bench/autoapprove_bench.py --runs 3 --seconds 10
	@$(MAKE) -s cluster-services
	@$(BIN)/python bench/events_bench.py --events 20000 --runs 3
	@$(BIN)/python bench/cluster.py killtest

# Past one machine (docs/scaling.md): HAProxy in front of two web nodes, two Celery workers, beat and the event
# publisher on the local PostgreSQL, RabbitMQ and Redis. `make cluster` serves the demo until Ctrl-C;
# `make cluster-test` is the kill test (SIGKILL a web node and a worker mid-load; nothing may be lost).
cluster-services:
	@command -v haproxy >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy)
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n1)" main start
	@rabbitmqctl -q status >/dev/null 2>&1 || (service rabbitmq-server start >/dev/null 2>&1 || rabbitmq-server -detached; rabbitmqctl -q await_startup)
	@redis-cli ping >/dev/null 2>&1 || service redis-server start >/dev/null 2>&1 || redis-server --daemonize yes >/dev/null

cluster: install cluster-services
	$(BIN)/python bench/cluster.py up

cluster-test: install cluster-services
	$(BIN)/python bench/cluster.py killtest
