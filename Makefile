# The course's commands. A fresh machine needs Python 3.10+ and make; everything else goes into
# .venv (created when missing). Installs use uv when it can be had (much faster), else pip.
#
#   make lab      set up, then open JupyterLab on the first chapter
#   make test     set up, then run the whole test suite (tests/ and every notebook with nbval)
#   make slides   build the offline reveal.js decks into slides/
#   make notebooks  re-execute the chapters in place, then normalise them (vmlib/nbnormalize.py)
#   make bench    run the benchmarks (machine vs py65, translator vs interpreter, hypervisor,
#                 paravirtualization and hardware assistance vs trap-and-emulate)
#   make guests   rebuild the guest programs (guests/*.elf) from C and re-record them under QEMU

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# pytest-xdist workers; `make test JOBS=0` runs in one process
JOBS   ?= 2
# extra pytest arguments, e.g. `make test PYTEST_ARGS="-k slides -x"`
PYTEST_ARGS ?=
# extra benchmark arguments, e.g. `make bench BENCH_ARGS="--rounds 1"`
BENCH_ARGS ?=
# extra Linux build arguments, e.g. `make linux LINUX_ARGS=bare`
LINUX_ARGS ?=
# extra guest build arguments, e.g. `make guests GUESTS_ARGS=--check` (same bytes as committed?)
GUESTS_ARGS ?=
# the chapters `make notebooks` re-executes, e.g. `make notebooks NOTEBOOKS=notebooks/03_the_machine.ipynb`
NOTEBOOKS ?= $(wildcard notebooks/[0-9][0-9]_*.ipynb)

# Set-up is redone only when these files change (make compares their dates with the stamps).
STAMP        := $(VENV)/.installed-requirements
DEV_STAMP    := $(VENV)/.installed-dev
GUESTS_STAMP := $(VENV)/.installed-guests

ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: help setup setup-dev lab test slides notebooks bench guests linux clean distclean

help:
	@echo "make lab      set up .venv, then open JupyterLab on notebooks/00_welcome.ipynb"
	@echo "make test     set up .venv, then run the whole test suite (JOBS=$(JOBS) workers)"
	@echo "make slides   build the offline slide decks into slides/ (needs npm once)"
	@echo "make notebooks  re-execute every chapter in place and normalise it (NOTEBOOKS=... for some)"
	@echo "make bench    run the speed benchmark (the machine against py65)"
	@echo "make guests   rebuild guests/*.elf from guests/src/*.c (installs ziglang) and re-record them"
	@echo "make linux    build Linux for the machine into build/linux (Debian: installs its packages)"
	@echo "make clean    remove built decks, test artifacts and caches (keeps .venv)"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python 3.10 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)

# install(requirements file): uv when available (pip-installed into the venv), else pip
define install
	if [ ! -x $(BIN)/uv ]; then $(PY) -m pip install --quiet --disable-pip-version-check uv || true; fi; \
	if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --python $(PY) -r $(1); \
	else \
		echo "uv not available: installing with pip (slower)"; \
		$(PY) -m pip install --disable-pip-version-check -r $(1); \
	fi
endef

$(STAMP): requirements.txt pyproject.toml | $(PY)
	@$(call install,requirements.txt)
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	@$(call install,requirements-dev.txt)
	@touch $@

# only `make guests` needs the C compiler (ziglang, about 100 MB)
$(GUESTS_STAMP): requirements-guests.txt | $(PY)
	@$(call install,requirements-guests.txt)
	@touch $@

setup: $(STAMP)
setup-dev: $(DEV_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_welcome.ipynb

# pytest's exit status 5 ("no tests collected") fails the target like any other non-zero status.
# (A missing notebooks/ is not passed to pytest; tests/test_slides.py and the deck test still
# require every chapter of the beginner deck.)
test: $(DEV_STAMP)
	rc=0; $(PY) -m pytest $(if $(filter-out 0,$(JOBS)),-n $(JOBS) --dist loadfile,) \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		tests $(wildcard notebooks) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure" >&2; fi; \
	exit $$rc

slides: $(STAMP)
	$(PY) -m vmlib.slides

# Re-execute the chapters in place, saving the widgets' state for static readers and the decks,
# then normalise them, so that the diff shows only what the code changed: no execution
# timestamps, no fresh widget ids, no stdout split differently (see vmlib/nbnormalize.py).
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.store_widget_state=True --ExecutePreprocessor.record_timing=False \
		--ExecutePreprocessor.timeout=900 \
		$(NOTEBOOKS)
	$(PY) -m vmlib.nbnormalize $(NOTEBOOKS)

bench: $(DEV_STAMP)
	status=0; $(PY) bench/machine_vs_py65.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/dbt_vs_interp.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/hv_efficiency.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/pv_vs_trap.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/hw_vs_trap.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/bt_vs_trap.py $(BENCH_ARGS) || status=1; \
	$(PY) bench/linux_boot.py || status=1; exit $$status

# The guest ELFs are committed; this rebuilds them from guests/src and, when qemu-riscv32 is
# installed, re-records guests/expected/*.json (see guests/build.py).
guests: $(GUESTS_STAMP)
	$(PY) guests/build.py $(GUESTS_ARGS)

# Linux for the course machine (chapter 08): Debian's linux-source-6.12 and cross compiler,
# installed with apt-get where missing, and zig for the shell; see linux/build.py.
linux: $(GUESTS_STAMP)
	$(PY) linux/build.py --install $(LINUX_ARGS)

clean:
	rm -rf slides/*.html test-artifacts .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) slides/vendor
