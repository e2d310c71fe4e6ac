# hwcloud.cce developer entry points. Needs only python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
COLLECTIONS := $(VENV)/collections
STAMP := $(VENV)/.installed
PORT ?= 8780
TIME_SCALE ?= 0.01

export ANSIBLE_COLLECTIONS_PATH := $(abspath $(COLLECTIONS))
export PYTHONPATH := $(abspath tests/simulator)

.PHONY: help venv test unit integration sanity lint demo simulator bench soak clean

help:
	@echo "make demo       install, start the simulator, upgrade a cluster end to end"
	@echo "make test       everything CI checks"
	@echo "make simulator  serve the default scenario on 127.0.0.1:$(PORT)"
	@echo "make bench      the performance benchmark (figures + bench-results.json)"

$(STAMP): requirements-dev.txt requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	mkdir -p $(COLLECTIONS)/ansible_collections/hwcloud
	ln -sfn $(abspath .) $(COLLECTIONS)/ansible_collections/hwcloud/cce
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	bash .ci/run

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q

simulator: $(STAMP)
	$(BIN)/python -m cce_simulator --host 127.0.0.1 --port $(PORT) --time-scale $(TIME_SCALE)

demo: $(STAMP)
	bash .ci/demo

clean:
	rm -rf $(VENV) tests/output .ansible .pytest_cache
