# nn-kiosk: the two commands a newcomer needs are `make run` and `make test`.
# Python 3.11, 3.12 or 3.13: `python3` when it is one of them (Debian 12: 3.11, Ubuntu 24.04:
# 3.12, Debian 13: 3.13), else the newest python3.1x on the PATH. Name another: make PYTHON=…
SUPPORTED_PYTHON := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach candidate,python3 python3.13 python3.12 python3.11,\
	$(shell $(candidate) -c '$(SUPPORTED_PYTHON)' >/dev/null 2>&1 && echo $(candidate))))
endif
VENV ?= .venv
PY := $(VENV)/bin/python
CONFIG ?= config/kiosk.yaml
# MNIST's four .gz files; the shared data folder when present, else torchvision downloads them.
MNIST_DIR ?= $(wildcard ../shared/data/mnist)
PEN_FILE ?= $(wildcard ../shared/data/pen/pendigits-train.jsonl)
export MNIST_DIR PEN_FILE
# Real-browser tests drive Debian's Chromium with Playwright (its own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
# The real client matrix and network lab (issue 11): Debian's Firefox ESR through Marionette, and
# two network namespaces on a veth cable with nftables rules (ip from iproute2, nft); the lab's
# tests skip, saying why, where namespaces cannot be made (not root).
FIREFOX ?= /usr/bin/firefox-esr
NFT ?= /usr/sbin/nft
IPROUTE ?= /bin/ip
LAB_PACKAGES := $(FIREFOX) $(NFT) $(IPROUTE)
# The booted-systemd test (tests/test_systemd_boot.py): a Debian root made by debootstrap, booted
# by systemd-nspawn (Debian's systemd-container).
DEBOOTSTRAP ?= /usr/sbin/debootstrap
NSPAWN ?= /usr/bin/systemd-nspawn
BOOT_PACKAGES := $(DEBOOTSTRAP) $(NSPAWN)
# The monitoring tests: Debian's Prometheus server scrapes a kiosk; promtool checks the rules.
PROMETHEUS ?= /usr/bin/prometheus
PROMTOOL ?= /usr/bin/promtool
MONITORING_PACKAGES := $(PROMETHEUS) $(PROMTOOL)
# The exhibit screen's front-end packages (Three.js, its font), pinned by display/package-lock.json.
DISPLAY_PACKAGES := display/node_modules/.package-lock.json

.PHONY: run test test-fast train bench screenshots lint check-config clean update

# Installed once, then never again by itself: `make run` on an exhibit PC that is offline, or
# was updated, starts without pip or npm. `make update` installs changed dependencies (online).
$(VENV)/.installed:
	@test -n "$(PYTHON)" || { echo "No Python 3.11, 3.12 or 3.13 found. Install python3 and python3-venv" \
		"(docs/operations.md), or name one: make PYTHON=/usr/bin/python3.12"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# A hint, never an install: the dependencies changed since they were installed.
STALE_CHECK = @for f in pyproject.toml display/package-lock.json; do \
	if [ $$f -nt $(VENV)/.installed ]; then echo "note: $$f changed since the install; 'make update' installs the change (needs the network)"; fi; \
	done

update:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'
	npm ci --prefix display --no-audit --no-fund
	npm ci --no-audit --no-fund
	touch $(VENV)/.installed

run: | $(VENV)/.installed $(DISPLAY_PACKAGES)
	$(STALE_CHECK)
	$(PY) -m kiosk --config $(CONFIG)

check-config: $(VENV)/.installed
	$(PY) -m kiosk check-config $(CONFIG)

test: $(VENV)/.installed $(DISPLAY_PACKAGES) $(CHROMIUM) $(LAB_PACKAGES) $(BOOT_PACKAGES) $(MONITORING_PACKAGES)
	$(STALE_CHECK)
	$(PY) -m pytest -q -rs --durations=15

# The inner loop: unit tests only (no browser, no other process, nothing slow), under a minute here.
# Layers and markers: docs/architecture.md, tests/support/layers.py.
test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not browser and not process and not slow"

# Like the exhibit's own: installed when missing only (`make update` after package.json changed).
$(DISPLAY_PACKAGES):
	npm ci --prefix display --no-audit --no-fund

# Developers' front-end tools (package.json at the top: Biome); never needed on an exhibit PC.
DEV_TOOLS := node_modules/.package-lock.json
$(DEV_TOOLS):
	npm ci --no-audit --no-fund

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# One apt-get run for all three files, whichever are missing (a grouped target, GNU make 4.3).
$(LAB_PACKAGES) &:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr nftables iproute2

$(BOOT_PACKAGES) &:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap systemd-container

$(MONITORING_PACKAGES) &:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus

# Python: ruff (style) and mypy (types); the three pages' JavaScript and CSS: Biome (biome.json).
lint: $(VENV)/.installed $(DEV_TOOLS)
	$(VENV)/bin/ruff check kiosk training bench tests tools
	$(VENV)/bin/ruff format --check kiosk training bench tests tools
	$(VENV)/bin/mypy
	npx --no-install biome ci

# Trains the shipped model (about two minutes here) and rewrites exports/mnist-mlp.
train: $(VENV)/.installed
	$(PY) -m training.train $(if $(MNIST_DIR),--mnist-dir $(MNIST_DIR)) --out exports/mnist-mlp --seed 0

# Benchmarks write JSON into bench/results/.
bench: $(VENV)/.installed $(DISPLAY_PACKAGES) $(CHROMIUM) $(LAB_PACKAGES)
	$(PY) -m bench.run --out bench/results

# Rewrites docs/screenshots/: every scene of the screen at 1080p and 4K, the tablet page in English
# and German, the presenter page (a real kiosk, headless Chromium; about five minutes here). It also
# prints how much of the screen the network covers in the live and timeline scenes.
screenshots: $(VENV)/.installed $(DISPLAY_PACKAGES) $(CHROMIUM)
	$(PY) -m tools.screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache bench/results display/node_modules node_modules

# ---- Installing on the exhibit PC (docs/operations.md) ----------------------------------------
# `sudo make install` copies what runs (server, browser pages with the screen's packages, the
# model, the default config) to $(PREFIX), builds its own virtual environment there, creates the
# two system users, installs both units and, only if there is none yet, the staff's
# /etc/nn-kiosk/kiosk.yaml (an existing one is never overwritten). It does not start anything.
# With DESTDIR (a staged install, e.g. for a package) a virtual environment cannot be built for
# the final path: none is built, no users are created, and the commands to run on the exhibit PC
# are printed instead. The program is readable by everyone (the service users) and writable by
# root only. PIP_INSTALL_ARGS passes options to pip, e.g. a local wheel folder:
# PIP_INSTALL_ARGS="--no-index --find-links /media/usb/wheels".
PREFIX ?= /opt/nn-kiosk
SYSTEMD_UNIT_DIR ?= /etc/systemd/system
SYSUSERS_DIR ?= /etc/sysusers.d
CAGE ?= /usr/bin/cage
DISPLAY_URL ?= http://127.0.0.1:8080/
INSTALL_PYTHON ?= $(PYTHON)
PIP_INSTALL_ARGS ?=
INSTALL_ITEMS := kiosk display tablet_client presenter_client common_client exports config pyproject.toml
INSTALL_DOCS := docs/operations.md docs/configuration.md
UNITS := nn-kiosk.service nn-kiosk-display.service
# Fixed by the units' ConfigurationDirectory= and StateDirectory=.
KIOSK_ETC := /etc/nn-kiosk
KIOSK_STATE := /var/lib/nn-kiosk
SUBSTITUTE := sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@CAGE@|$(CAGE)|g' \
	-e 's|@CHROMIUM@|$(CHROMIUM)|g' -e 's|@DISPLAY_URL@|$(DISPLAY_URL)|g'
# The shipped config, pointed at the installed model and the state folder systemd provides.
INSTALLED_CONFIG := sed -e '/^model:/,/^[^ \#]/s|^  export: .*|  export: $(PREFIX)/exports/mnist-mlp|' \
	-e '/^tablet:/,/^[^ \#]/s|^  state_dir: .*|  state_dir: $(KIOSK_STATE)|' \
	-e 's|python -m kiosk check-config config/kiosk.yaml|$(PREFIX)/.venv/bin/python -m kiosk check-config $(KIOSK_ETC)/kiosk.yaml|'
BUILD_VENV := umask 022 && $(INSTALL_PYTHON) -m venv $(PREFIX)/.venv \
	&& $(PREFIX)/.venv/bin/python -m pip install $(PIP_INSTALL_ARGS) -e $(PREFIX) \
	&& $(PREFIX)/.venv/bin/python -m compileall -q $(PREFIX)/kiosk \
	&& systemd-sysusers $(SYSUSERS_DIR)/nn-kiosk.conf

.PHONY: install uninstall

install: $(DISPLAY_PACKAGES)
	@case "$(PREFIX)" in /?*) ;; *) echo "PREFIX must be an absolute folder, e.g. /opt/nn-kiosk"; exit 1;; esac
	install -d $(DESTDIR)$(PREFIX) $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(SYSUSERS_DIR) $(DESTDIR)$(KIOSK_ETC)
	cd $(DESTDIR)$(PREFIX) && rm -rf $(INSTALL_ITEMS) docs
	tar -c --exclude=__pycache__ --exclude='*.pyc' $(INSTALL_ITEMS) $(INSTALL_DOCS) \
		| tar -x --no-same-owner -C $(DESTDIR)$(PREFIX)
	cd $(DESTDIR)$(PREFIX) && chmod -R u=rwX,go=rX $(INSTALL_ITEMS) docs
	for unit in $(UNITS); do \
		$(SUBSTITUTE) systemd/$$unit.in > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$$unit \
		&& chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$$unit || exit 1; \
	done
	install -m 644 systemd/nn-kiosk.sysusers $(DESTDIR)$(SYSUSERS_DIR)/nn-kiosk.conf
	@if [ -e $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml ]; then \
		echo "kept $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml (yours); the shipped defaults are in $(PREFIX)/config/kiosk.yaml"; \
	else \
		$(INSTALLED_CONFIG) config/kiosk.yaml > $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml.new \
		&& chmod 644 $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml.new \
		&& mv $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml.new $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml \
		&& echo "installed $(DESTDIR)$(KIOSK_ETC)/kiosk.yaml"; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
		echo '$(BUILD_VENV)' && $(BUILD_VENV) || exit 1; \
	else \
		echo; echo "Staged in $(DESTDIR). On the exhibit PC, as root, first:"; \
		echo "  $(BUILD_VENV)"; \
	fi
	@echo
	@echo "Then start the exhibit, now and at every boot:"
	@echo "  systemctl daemon-reload"
	@echo "  systemctl enable --now nn-kiosk.service          # the server"
	@echo "  systemctl enable --now nn-kiosk-display.service  # the screen on this PC (needs cage, chromium)"
	@echo "Config: $(KIOSK_ETC)/kiosk.yaml  State: $(KIOSK_STATE)  Guide: $(PREFIX)/docs/operations.md"

# Removes the program, the units and the users' file; never the staff's config ($(KIOSK_ETC))
# nor the state ($(KIOSK_STATE): paired tablets), nor the two system users.
uninstall:
	@case "$(PREFIX)" in /?*) ;; *) echo "PREFIX must be an absolute folder, e.g. /opt/nn-kiosk"; exit 1;; esac
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		echo "systemctl disable --now $(UNITS)"; systemctl disable --now $(UNITS) || true; \
	fi
	rm -f $(addprefix $(DESTDIR)$(SYSTEMD_UNIT_DIR)/,$(UNITS)) $(DESTDIR)$(SYSUSERS_DIR)/nn-kiosk.conf
	if [ -d $(DESTDIR)$(PREFIX) ]; then \
		cd $(DESTDIR)$(PREFIX) && rm -rf $(INSTALL_ITEMS) docs .venv nn_kiosk.egg-info build; \
	fi
	-rmdir $(DESTDIR)$(PREFIX) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "Kept: $(KIOSK_ETC) (the config), $(KIOSK_STATE) (paired tablets), the users nn-kiosk and nn-kiosk-display."
	@echo "Delete them by hand only if the exhibit is gone for good."
