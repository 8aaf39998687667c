# Two commands set everything up on a fresh machine:
#   make serve   -- install, then run the web UI on the seed corpus (http://127.0.0.1:5000)
#   make test    -- install (with Chromium for the browser tests), then run the whole suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test lint bench bench-report load eval chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(PY) -m web serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) chromium
	$(PY) -m ruff check compare web tests benchmarks
	$(PY) -m mypy compare web
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) -m benchmarks.bench_engine

# the corpus report on synthetic corpora of 1,000 / 10,000 / 100,000 documents (the last takes minutes)
bench-report: $(STAMP)
	$(PY) -m benchmarks.bench_report --sizes 1000 10000 100000 --baseline 300

# the long forms of the load and kill -9 tests (LOAD_SECONDS=120 by default, 10 crash rounds)
load: $(STAMP)
	$(PY) -m benchmarks.load
	$(PY) -m benchmarks.load --hostile
	$(PY) -m benchmarks.crash --rounds 10
