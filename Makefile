# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: run test install lint bench loadtest clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Cần Python 3.11 trở lên (Python 3.11+ is required)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# HOST and PORT reach every step as FLASK_RUN_HOST/FLASK_RUN_PORT: the demo's issued documents carry QR codes built
# from them (when PUBLIC_BASE_URL is not set), and flask run serves there.
run: install
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(BIN)/flask --app wsgi db upgrade
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(BIN)/flask --app wsgi seed-demo
	@echo "Mở http://$(HOST):$(PORT) — Open http://$(HOST):$(PORT)"
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(BIN)/flask --app wsgi run --no-reload

# The whole suite runs with every app's files in a real S3-compatible store (SeaweedFS on loopback, TEST_STORAGE=s3),
# as a province or national deployment keeps them; then the tests that store or read files run a second time with
# the files on local disk, as a single commune keeps them, on SQLite (the database's side of them is the same on
# either store). Every other test never touches a file, and under TEST_STORAGE=s3 its app refuses to start on local
# disk (tests/conftest.py). `TEST_STORAGE=local make test` swaps the two: the whole suite on local disk, then the
# file tests in the store.
FILE_TESTS ?= tests/photos tests/test_evidence_files.py tests/test_minutes.py tests/test_minutes_legal.py \
	tests/test_minutes_signers.py tests/test_decisions.py tests/test_reports.py tests/test_backup.py \
	tests/test_backup_job.py tests/test_jobs.py tests/test_batch_print_job.py tests/test_server_killed.py \
	tests/test_exports.py tests/test_api_inspections.py tests/test_measurements_api.py \
	tests/test_measurements_pages.py tests/test_write_races.py
TEST_STORAGE ?= s3
OTHER_STORAGE = $(if $(filter s3,$(TEST_STORAGE)),local,s3)

# The whole suite (the 15 slowest steps shown), then the file tests on the other store, then the wall time of both
# (CI must stay under 30 minutes).
test: install
	@start=$$(date +%s); \
	TEST_STORAGE=$(TEST_STORAGE) $(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS); status=$$?; \
	TEST_STORAGE=$(OTHER_STORAGE) $(BIN)/python -m pytest -q $(PYTEST_ARGS) -k "not postgres" $(FILE_TESTS) || status=1; \
	echo "make test: $$(( $$(date +%s) - start )) s wall time (pytest exit status $$status)"; \
	exit $$status

lint: install
	$(BIN)/ruff check inspect_app tests bench

bench: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/bench_minutes.py

# The load test (bench/load_test.py: a fresh instance, gunicorn, Locust for 2 minutes, the check), about 5 minutes per
# backend; the PostgreSQL one needs LOADTEST_POSTGRES_URL's server. Not part of `make test`.
LOADTEST_BACKENDS ?= sqlite postgres
LOADTEST_POSTGRES_URL ?= postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_load
loadtest: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	@status=0; for backend in $(LOADTEST_BACKENDS); do \
		$(BIN)/python bench/load_test.py --backend $$backend --postgres-url '$(LOADTEST_POSTGRES_URL)' || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache
