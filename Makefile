# tb_histdiag — `make help` lists the targets. Everything runs inside .venv (created on demand).
# Small numpy networks train faster on one BLAS thread than on several (measured 2.7x on a CNN).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Keras and TensorFlow live in a venv of their own: the project does not depend on them.
TF_VENV := .venv-tf
TF_PINS := tensorflow-cpu==2.21.0 tensorboard==2.21.0
DEMO_LOGDIR ?= demo_logdir
PORT ?= 6006

.DEFAULT_GOAL := help
.PHONY: help install build dist compat compat-ci demo demo-data test lint format test-js test-py test-keras eval bench loadtest clean

help:  ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

build: frontend/node_modules/.package-lock.json  ## Build the frontend bundle into tb_histdiag/static/
	cd frontend && npm run build

$(VENV)/.installed: $(VENV)/bin/python setup.py pyproject.toml
	$(MAKE) build
	$(PY) -m pip install -q -e ".[dev,test,demo]"
	touch $@

install: $(VENV)/.installed  ## Create .venv and install the package (editable) with dev/test/demo extras

dist: install build  ## sdist + wheel into dist/, both carrying the built frontend (installing them needs no npm)
	rm -rf dist
	mkdir -p build
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m build --outdir dist . > build/dist.log 2>&1 || { cat build/dist.log; exit 1; }
	@! grep -iE 'warning|deprecat' build/dist.log || { echo "make dist: the build printed warnings (above)"; exit 1; }
	@ls -l dist

compat: dist  ## Each tested TensorBoard/numpy/protobuf/Python row: the wheel in a clean venv, no Node.js (ROWS=id,...)
	$(PY) scripts/compat.py --dist dist $(if $(ROWS),--rows $(ROWS)) $(COMPAT_ARGS)

compat-ci: dist  ## The oldest and the newest rows of `make compat` (`make test` runs them)
	$(PY) scripts/compat.py --dist dist --rows ends $(COMPAT_ARGS)

demo-data: install  ## Generate the demo logdir from real training (numpy networks)
	OPENBLAS_NUM_THREADS=1 $(PY) -m tb_histdiag.scenarios $(DEMO_LOGDIR)

demo: demo-data  ## Build, generate the demo logdir, start TensorBoard on 127.0.0.1:$(PORT)
	@echo "Open http://127.0.0.1:$(PORT)/#tb_histdiag"
	$(VENV)/bin/tensorboard --logdir $(DEMO_LOGDIR) --host 127.0.0.1 --port $(PORT) \
	  --samples_per_plugin=histograms=0

lint: install  ## ruff check + format check
	$(VENV)/bin/ruff check tb_histdiag tests scripts setup.py
	$(VENV)/bin/ruff format --check tb_histdiag tests scripts setup.py

format: install  ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix tb_histdiag tests scripts setup.py
	$(VENV)/bin/ruff format tb_histdiag tests scripts setup.py

test-js: build  ## Frontend logic tests (node --test)
	cd frontend && npm test

test-py: install  ## Python tests: unit, data providers, WSGI app, real tensorboard, browser
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest

$(TF_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(TF_VENV)
	$(TF_VENV)/bin/python -m pip install -q $(TF_PINS) "pytest>=8" "hypothesis>=6.100"
	$(TF_VENV)/bin/python -m pip install -q --no-deps -e .
	touch $@

test-keras: $(TF_VENV)/.installed  ## Keras callbacks (HistogramLogger, DiagnosticsCallback) in real model.fit, in a TensorFlow venv
	OPENBLAS_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 $(TF_VENV)/bin/python -m pytest -p no:cacheprovider \
	  -W ignore::DeprecationWarning tests/test_keras_logger.py tests/test_keras_callback.py \
	  tests/test_keras_architectures.py

test: lint test-js test-py test-keras compat-ci  ## The whole suite (what CI runs): Python, JS, Keras, the oldest and newest compat rows

eval: install  ## Score the verdicts on the labelled corpus's held-out part (PART=tuning|heldout|all)
	$(PY) scripts/eval.py $(if $(PART),--part $(PART)) $(EVAL_ARGS)

bench: install  ## Benchmarks vs TensorBoard's own routes -> docs/benchmarks.md (SCALE=S|L|S,L); watch -> docs/benchmarks-watch.md
	$(PY) scripts/bench.py $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)
	OPENBLAS_NUM_THREADS=1 $(PY) scripts/bench_watch.py --out docs/benchmarks-watch.md

loadtest: install  ## 200 concurrent clients: /diagnostics vs TB's histograms route (SCALE=L)
	$(PY) scripts/loadtest.py $(if $(SCALE),--scale $(SCALE)) $(LOADTEST_ARGS)

clean:  ## Remove build output, caches and the demo logdir (keeps .venv and .venv-tf)
	rm -rf build dist *.egg-info tb_histdiag/static .pytest_cache .ruff_cache $(DEMO_LOGDIR)
	find . -name __pycache__ -prune -exec rm -rf {} +
