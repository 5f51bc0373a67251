# Two commands do all the set-up on a fresh machine:
#   make run    — the server with the Kota Batu demo data on the embedded SQLite database
#   make test   — the test suite (SQLite; set BATT_TEST_DATABASE_URL for PostgreSQL+PostGIS)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench-geo bench-photo schema clean

PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -c constraints.txt -e '.[test]'
	$(MAKE) --no-print-directory pillow-simd
	touch $(STAMP)

# Photos are resized with Pillow-SIMD, the drop-in build of Pillow with SIMD resampling
# (same PIL API; about 7x faster resizing, which is what lets complaint intake reach its
# target — see the README's performance section). It is built from source against Debian's
# image libraries, with AVX2 where the CPU has it. PILLOW_SIMD=0 keeps stock Pillow (e.g. to
# take a Pillow security release before Pillow-SIMD follows it); so does a failed build,
# with a warning.
PILLOW_SIMD ?= 1
# Built without pip's wheel cache (a wheel built before a library was installed would lack
# that format), then checked for every format and library the photo pipeline needs.
export PILLOW_CHECK := from PIL import features; import sys; \
  sys.exit(not all(features.check(f) for f in ("jpg", "zlib", "webp", "littlecms2")))
PILLOW_BUILD_DEPS := libjpeg62-turbo-dev zlib1g-dev liblcms2-dev libwebp-dev

.PHONY: pillow-simd
pillow-simd:
ifeq ($(PILLOW_SIMD),1)
	@dpkg -s $(PILLOW_BUILD_DEPS) >/dev/null 2>&1 || { \
	  echo "Installing Debian's image libraries to build Pillow-SIMD …"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
	    -y -qq --no-install-recommends $(PILLOW_BUILD_DEPS) >/dev/null \
	  || echo "WARNING: could not install $(PILLOW_BUILD_DEPS)"; }
	@echo "Building Pillow-SIMD …"
	@$(PIP) uninstall -y pillow pillow-simd
	@{ CC="cc $$(grep -qw avx2 /proc/cpuinfo && echo -mavx2)" $(PIP) install --no-deps \
	     --no-cache-dir --no-binary pillow-simd -c constraints.txt pillow-simd \
	   && $(BIN)/python -c "$$PILLOW_CHECK"; } \
	  || { echo "WARNING: Pillow-SIMD could not be built; photos use stock Pillow (slower)."; \
	       $(PIP) uninstall -y pillow-simd; $(PIP) install -c constraints.txt pillow; }
else
	@$(PIP) uninstall -y pillow-simd
	$(PIP) install --force-reinstall --no-deps -c constraints.txt pillow
endif

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

# The live-stream client test drives the npm graphql-ws client (Node.js 20+, as the apps'
# developers use it); its packages are pinned in tests/js/package-lock.json.
JS_DEPS := tests/js/node_modules/.package-lock.json

$(JS_DEPS): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then cd tests/js && npm ci --no-audit --no-fund --silent; \
	 else echo "WARNING: npm not found; the graphql-ws client test will be skipped"; fi

test: $(STAMP) $(CHROMIUM) $(JS_DEPS)
	$(BIN)/pytest

schema: $(STAMP)
	$(BIN)/batt export-schema

clean:
	rm -rf $(VENV) var .pytest_cache
