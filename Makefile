# Two commands do all the set-up on a fresh machine:
#   make run    — the server with the Kota Batu demo data on the embedded SQLite database
#   make test   — the test suite (SQLite; set BATT_TEST_DATABASE_URL for PostgreSQL+PostGIS)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench-geo bench-photo schema clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/batt serve --demo

# The wall-display test drives a real headless Chromium (Debian's package; nothing downloads
# a browser of its own).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests …"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

test: $(STAMP) $(CHROMIUM)
	$(BIN)/pytest

schema: $(STAMP)
	$(BIN)/batt export-schema

clean:
	rm -rf $(VENV) var .pytest_cache
