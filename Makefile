# Two commands do everything on a fresh machine:
#   make book   build the website into _build/html (English) and _build/html/zh_CN (Chinese),
#               executing every chapter once
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

.PHONY: book book-en book-zh i18n test venv lint format exercises lock browser capsh clean

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
	@$(MAKE) --no-print-directory book-en
	@$(MAKE) --no-print-directory book-zh

# The notebooks first execute in parallel into the build's cache (one per core; a failure is
# left for the build to report), then the build renders them.
book-en: venv $(MATHJAX)/tex-chtml.js
	$(BIN)/python tools/execute_notebooks.py
	$(BIN)/jupyter-book build . -W --keep-going

# The Chinese edition: the same source with the catalogues of locales/zh_CN, built beside the
# English one and copied into _build/html/zh_CN. Its config names the English build's execution
# cache, so the notebooks are not run again. It fails on a broken `$`, code span or link in a
# translation (i18n check below) and, under -W, on an untranslated or fuzzy message of a
# published page; `make book ZH_DRAFT=1` shows those in English instead (work in progress).
book-zh: venv $(MATHJAX)/tex-chtml.js
	$(BIN)/python tools/i18n.py check --markup-only
	$(BIN)/python tools/i18n.py config zh $(if $(ZH_DRAFT),--draft) > /dev/null
	$(BIN)/jupyter-book build . --config _build/_config.zh.yml --path-output _build/zh -W --keep-going
	rm -rf _build/html/zh_CN && mkdir -p _build/html && cp -r _build/zh/_build/html _build/html/zh_CN

# Regenerate the catalogues of locales/ from the English source (after editing a page).
i18n: venv
	$(BIN)/python tools/i18n.py extract
	$(BIN)/python tools/i18n.py stats | tail -1

# The browser check needs Debian's chromium, and a CJK font so that screenshots of the Chinese
# pages show characters (fonts-noto-cjk); as root we install them, otherwise say how.
browser:
	@{ command -v chromium > /dev/null && fc-list :lang=zh 2> /dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk > /dev/null; \
	  else echo "chromium or a CJK font is missing: sudo apt-get install chromium fonts-noto-cjk (the browser test will fail without them)"; fi; }

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
