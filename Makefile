# motcua — two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make run    install, migrate, load the Cà Mau demo, serve on http://127.0.0.1:8000 (Ctrl-C stops)
#   make test   install what the tests need (Debian's chromium included) and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEBS   := chromium chromium-driver poppler-utils fonts-liberation2 libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0

.PHONY: run test install system-deps migrate demo lint clean screenshots

run: install
	$(BIN)/motcua migrate --no-input
	$(BIN)/motcua demo
	$(BIN)/motcua serve 127.0.0.1:8000

test: system-deps install
	$(BIN)/ruff check src tests bench
	$(BIN)/motcua makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3 || $(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian packages for printed forms (fonts, Pango, HarfBuzz subsetting) and browser tests.
system-deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Refresh the screenshots in docs/screenshots/ that the user guides show.
screenshots: system-deps install
	MOTCUA_SCREENSHOTS=1 $(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) var
