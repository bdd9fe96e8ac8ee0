# The two set-up commands: `make demo` renders the example, `make test` runs every test.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PIP     = $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint bench readme-image clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

# The demo signs its outputs with a local identity made once per machine (key kept outside
# the repository, under ~/.config/aktion): reuse it when it exists, else make it. Its root
# goes into your trust store (you made it, here), so the outputs verify as trusted; then
# both are verified. Undo with: aktion trust remove "identity rooftop-demo".
demo: $(VENV)/.installed
	$(BIN)/aktion identity use examples/rooftop --name rooftop-demo 2>/dev/null || \
	  $(BIN)/aktion identity create --name rooftop-demo -p examples/rooftop --no-trust
	@echo "trusting the demo identity made on this machine (aktion trust list shows it)"
	$(BIN)/aktion trust add --identity rooftop-demo
	$(BIN)/aktion render examples/rooftop
	$(BIN)/aktion verify examples/rooftop/out/rooftop.mp4
	$(BIN)/aktion verify examples/rooftop/out/rooftop-contact-sheet.png

readme-image: demo
	$(BIN)/aktion sheet examples/rooftop --out docs/contact-sheet.png --width 240

test: $(VENV)/.dev
	bash scripts/system-deps.sh
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_previz.py
	$(BIN)/python bench/bench_sound.py
	$(BIN)/python bench/bench_fight.py --repeat 2
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_draw.py --characters 4
	$(BIN)/python bench/bench_stitch.py
	$(BIN)/python bench/bench_diffusers.py --repeats 5
	$(BIN)/python bench/bench_memory.py
	RAY_USAGE_STATS_ENABLED=0 RAY_AUTH_MODE=disabled $(BIN)/python bench/bench_scale.py

clean:
	rm -rf $(VENV) examples/*/out examples/*/.aktion
