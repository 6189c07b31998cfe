# i18n-pipeline — the newsroom's two commands are `make install` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
CLI    := $(BIN)/i18n-pipeline
ARTICLES ?= 50

.PHONY: install system-packages test translate review models models-missing bench catalogs-extract catalogs-update catalogs-compile clean help

help:
	@echo "make install    create .venv and install i18n-pipeline with everything it needs"
	@echo "make test       run the test suite (offline; builds its own tiny models)"
	@echo "make translate  translate articles/ into ru and arm (out/); fetches missing models when online"
	@echo "make review     open the translator workspace (serve) on 127.0.0.1:8765"
	@echo "make models     download the en→ru and en→hy models (connected machine only)"
	@echo "make bench      benchmark against Argos Translate and raw CTranslate2 (ARTICLES=$(ARTICLES))"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(PY) system-packages
	$(BIN)/pip install --quiet -e '.[test,ray]'
	@$(MAKE) --no-print-directory catalogs-compile

# Optional Debian packages: Chromium for the review-page security test, hunspell and
# hunspell-ru for the Russian spelling check, PostgreSQL (server binaries only: the tests start a
# throwaway cluster of their own; pg_trgm is in -contrib) for the shared-TM contract tests.
# Installed when running as root with apt; everything else works without.
SYSTEM_PACKAGES := chromium hunspell hunspell-ru postgresql postgresql-contrib
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null 2>&1; } || \
	  echo "note: could not install $(SYSTEM_PACKAGES); the browser and PostgreSQL tests are skipped and Russian spelling is not checked"; \
	fi

test: $(PY)
	@$(BIN)/pytest

# Fetches the pairs that have no pack first (a connected machine needs no `make models`);
# offline that step is silent and translate stops with exit 3 and the line saying what to install.
translate: $(PY) models-missing
	$(CLI) translate articles --to ru,arm --out out

# The translator workspace on 127.0.0.1:8765 (the printed URL carries this launch's secret).
review: $(PY)
	$(CLI) serve

models-missing: $(PY)
	@$(CLI) models fetch en ru --missing-only --offline-ok
	@$(CLI) models fetch en hy --missing-only --offline-ok

models: $(PY)
	$(CLI) models fetch en ru
	$(CLI) models fetch en hy

bench: $(PY)
	$(PY) -m bench --articles $(ARTICLES)

# Gettext catalogs for fixed strings (babel). .mo files are built here, never committed.
catalogs-extract: $(PY)
	$(BIN)/pybabel -q extract -F locales/babel.cfg -k N_ -k NP_:1c,2 -c TRANSLATORS: --project=i18n-pipeline --version=0.1.0 --msgid-bugs-address=newsroom@localhost --copyright-holder="i18n-pipeline authors" -w 100 -o locales/i18n_pipeline.pot i18n_pipeline

# --no-fuzzy-matching: a new string arrives empty (a test fails until it is translated) instead of a guess.
catalogs-update: catalogs-extract
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -w 100 -i locales/i18n_pipeline.pot -d locales -D i18n_pipeline

# --use-fuzzy: an entry marked for review still beats English in a Russian or Armenian article.
catalogs-compile: $(PY)
	$(BIN)/pybabel -q compile --use-fuzzy -d locales -D i18n_pipeline

clean:
	rm -rf out .bench build *.egg-info
