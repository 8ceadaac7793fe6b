# The two commands: `make build` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
COURSE ?= course_src

.PHONY: build test lint typecheck pytest docs bench bench-peers fuzz schema templates screenshots clean install install-test browser npm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

build: install ## install the package in .venv and build the example course into dist/
	$(BIN)/coursebuilder build $(COURSE) -o dist

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,docs]'

browser: ## Debian's chromium for the browser tests (installed when missing)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

npm: ## scorm-again and axe-core for the browser tests
	@if [ ! -d node_modules/scorm-again ] || [ ! -d node_modules/axe-core ]; then npm ci --no-audit --no-fund --loglevel=error; fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

pytest: install-test browser npm
	$(BIN)/pytest -q

docs: install-test ## the documentation site, from docs/ into site/ (strict: a broken link or reference fails)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint typecheck docs pytest ## install what the tests need, then lint, type-check, build the docs and run every test

schema: install ## regenerate schemas/ from the models
	$(BIN)/coursebuilder schema -o schemas

templates: install ## compile the SCORM and Common Cartridge page templates into coursebuilder/compiled_templates/
	$(BIN)/python tools/compile_templates.py

screenshots: install-test browser npm ## take the README's screenshots again into docs/screenshots/
	COURSEBUILDER_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/test_screenshots.py

bench: install ## time validate and build on synthetic S, M and L courses
	$(BIN)/python bench/run.py

bench-peers: install ## time our question bank against coursekit's on the same 20,000 questions (needs a working python3.13 or python3.12 on PATH)
	$(BIN)/python bench/peers.py

fuzz: install-test ## a longer property-based campaign than `make test` runs
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/test_fuzz.py

clean:
	rm -rf dist site .venv node_modules .pytest_cache .mypy_cache .ruff_cache
