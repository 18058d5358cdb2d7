# One entry point for people and CI. `make book` builds the site, `make test` runs every check.
# Both work on a fresh machine: the first target creates .venv and installs the pinned requirements.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data/synthetic
MIN_N ?= 5
STAMP := $(VENV)/.installed-stamp

.PHONY: book watch pdf test lab bench mutate venv lock clean

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
# rfc3987-syntax (an optional extra of jsonschema, pulled in by jupyter-events) compiles 38 grammars when
# jsonschema is imported: ~3 s CPU in every Sphinx run. jsonschema imports it only if present (the unused
# «iri» format check is all that is lost); see benchmarks/README.md.
	$(BIN)/python -m pip uninstall -q -y rfc3987-syntax
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . || $(BIN)/python -m pip install -q --no-deps -e .
# (kernel registered through the venv's real path: a checkout whose .venv is a symlink must not register its own)
	"$$(realpath $(VENV))/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lmp)" >/dev/null
	touch $@

# `lmp run` rewrites a notebook only when its inputs changed (see lmp_helpers/runner.py), so the Sphinx
# build below is skipped when none of the site's inputs is newer than the last successful build.
BOOK_INPUTS = $(wildcard generated/*/*.ipynb generated/*.md generated/nedlastinger/*/* generated/nedlastinger/*/*/* book/*.md book/*.bib book/_ext/*.py book/_locale/*/LC_MESSAGES/*.po book/_locale/*/LC_MESSAGES/*.js book/_templates/*.html book/_templates/*/*.html book/_static/*) _config.yml _toc.yml

book: $(STAMP)
	$(BIN)/lmp run --pulje 1 2 3 alle --data "$(DATA)" --min-n $(MIN_N)
	@$(MAKE) --no-print-directory _build/html/.lmp-built
	@echo "Boka er bygget: $(CURDIR)/_build/html/index.html"

# REPO_URL=https://... shows the repository button (book/_ext/lmp_site.py); without it there is none.
# `make watch` runs the same build (lmp_helpers/watch.py SPHINX_ARGV): change both together.
REPO_URL ?=
_build/html/.lmp-built: $(BOOK_INPUTS) $(STAMP)
	LMP_REPO_URL="$(REPO_URL)" $(BIN)/jupyter-book build . -W -n --keep-going
	touch $@

# The edit loop: one long-lived process (lmp_helpers/watch.py) that keeps a warm kernel parent and a warm
# Sphinx parent and does what `make book` does after every change to notebooks/, data/, lmp_helpers/, book/,
# _toc.yml or _config.yml (helper code or configuration restarts it). Ctrl-C stops it.
watch: $(STAMP)
	LMP_REPO_URL="$(REPO_URL)" $(BIN)/lmp watch --pulje 1 2 3 alle --data "$(DATA)" --min-n $(MIN_N)

# The site plus the report as a PDF per pulje in _build/html/pdf/, linked from every page
# («Last ned rapporten som PDF»). LMP_PDF=1 tells book/_ext/lmp_pdf.py to add the links and print the PDFs
# with chromium (lmp_helpers/pdf.py) once the pages are written; a plain `make book` has neither.
pdf: $(STAMP)
	scripts/ensure-chromium.sh
	$(BIN)/lmp run --pulje 1 2 3 alle --data "$(DATA)" --min-n $(MIN_N)
	LMP_PDF=1 LMP_REPO_URL="$(REPO_URL)" $(BIN)/jupyter-book build . -W -n --keep-going
	touch _build/html/.lmp-built
	@echo "PDF-ene er laget: $(CURDIR)/_build/html/pdf/"

# ruff, pytest, nbval, the book build (-W) and the browser/privacy tests, in order; see scripts/test.sh.
test: $(STAMP)
	scripts/ensure-chromium.sh
	scripts/ensure-poppler.sh
	DATA="$(DATA)" MIN_N="$(MIN_N)" scripts/test.sh

# JupyterLab on notebooks/ (the explorer is utforsk.ipynb). LAB_ARGS passes options, e.g.
# LAB_ARGS="--no-browser --port=8890". Jupyter refuses to run as root unless told: containers often do.
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Mutation testing of the modules behind the published numbers (mutmut, every mutant; not part of `make test`).
# Quiet 2-core machine, 27 Nov: all 5,931 mutants in 28.3 min (the 492 recorded survivors not re-run).
# MUTATE_RESUME=1 continues a stopped run; MUTATE_RERUN_RECORDED=1 re-runs the recorded survivors too. Config: pyproject [tool.mutmut]; results: tests/MUTATION.md.
mutate: $(STAMP)
	scripts/mutate.sh

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -vi '^lmp' > constraints.txt

clean:
	rm -rf _build generated
