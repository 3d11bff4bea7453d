# Two commands do everything on a fresh machine:
#   make book   build the website into _build/html, executing every chapter
#   make test   the same set-up, then the whole test suite (CI runs exactly this)
# Both create .venv from the pinned requirements.lock when it is missing or stale.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader needs `alembic` on PATH; notebooks must find the venv's jupyter.
export PATH := $(BIN):$(PATH)
export PYTHONUNBUFFERED := 1
MATHJAX := _build/vendor/mathjax

.PHONY: book test venv lint format exercises lock browser capsh clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" > /dev/null
	touch $@

# MathJax 3 from npm (pinned in package-lock.json), copied beside the pages by html_extra_path.
$(MATHJAX)/tex-chtml.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(MATHJAX) && mkdir -p $(dir $(MATHJAX))
	cp -r node_modules/mathjax/es5 $(MATHJAX)

book: venv $(MATHJAX)/tex-chtml.js
	$(BIN)/jupyter-book build . -W --keep-going

# The browser check needs Debian's chromium; as root we install it, otherwise say how.
browser:
	@command -v chromium > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser test will fail without it)"; fi; }

# The isolation test rehearses a container without CAP_SYS_ADMIN with capsh (libcap2-bin).
capsh:
	@command -v capsh > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libcap2-bin > /dev/null; \
	  else echo "capsh is missing: sudo apt-get install libcap2-bin (the isolation test will fail without it)"; fi; }

test: book browser capsh
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Regenerate the student versions in exercises/ from solutions/ with nbgrader.
exercises: venv
	$(BIN)/python -m autograder.release

lock:
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet -r requirements.in
	{ head -2 requirements.lock; /tmp/lock-venv/bin/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	$(PYTHON) tools/sync_environment.py

clean:
	rm -rf _build node_modules
