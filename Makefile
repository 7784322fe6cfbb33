# nn-kiosk: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
CONFIG ?= config/kiosk.yaml
# MNIST's four .gz files; the shared data folder when present, else torchvision downloads them.
MNIST_DIR ?= $(wildcard ../shared/data/mnist)
PEN_FILE ?= $(wildcard ../shared/data/pen/pendigits-train.jsonl)
export MNIST_DIR PEN_FILE
# Real-browser tests drive Debian's Chromium with Playwright (its own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
# The exhibit screen's front-end packages (Three.js, its font), pinned by display/package-lock.json.
DISPLAY_PACKAGES := display/node_modules/.package-lock.json

.PHONY: run test train bench lint check-config clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed $(DISPLAY_PACKAGES)
	$(PY) -m kiosk --config $(CONFIG)

check-config: $(VENV)/.installed
	$(PY) -m kiosk check-config $(CONFIG)

test: $(VENV)/.installed $(DISPLAY_PACKAGES) $(CHROMIUM)
	$(PY) -m pytest -q

$(DISPLAY_PACKAGES): display/package.json display/package-lock.json
	npm ci --prefix display --no-audit --no-fund

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check kiosk training bench tests
	$(VENV)/bin/ruff format --check kiosk training bench tests

# Trains the shipped model (about two minutes here) and rewrites exports/mnist-mlp.
train: $(VENV)/.installed
	$(PY) -m training.train $(if $(MNIST_DIR),--mnist-dir $(MNIST_DIR)) --out exports/mnist-mlp --seed 0

# Benchmarks write JSON into bench/results/.
bench: $(VENV)/.installed $(DISPLAY_PACKAGES) $(CHROMIUM)
	$(PY) -m bench.run --out bench/results

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache bench/results display/node_modules
