# hwcloud.cce developer entry points. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
COLLECTIONS := $(VENV)/collections
STAMP := $(VENV)/.installed
PORT ?= 8780
TIME_SCALE ?= 0.01
# A scenario file for `make simulator` (default: the built-in scenario), e.g.
# SCENARIO=tests/simulator/cce_simulator/scenarios/fleet.json (30 clusters fleet-001 ... fleet-030).
SCENARIO ?=

export ANSIBLE_COLLECTIONS_PATH := $(abspath $(COLLECTIONS))
export PYTHONPATH := $(abspath tests/simulator)
export VENV
# The inner loop's integration subset (`make check`): real ansible runs of the cheapest module.
CHECK_INTEGRATION ?= tests/integration/test_cce_cluster_info.py

.PHONY: help venv test check unit integration sanity lint docs build demo simulator shell bench soak clean

help:
	@echo "make demo        install, start the simulator, upgrade a cluster end to end"
	@echo "make test        everything CI checks (.ci/run calls it); the last line is pytest's summary"
	@echo "make check       inner loop: ansible-lint, yamllint, changelog lint, unit tests, $(CHECK_INTEGRATION)"
	@echo "make simulator   serve the default scenario (or SCENARIO=file) on 127.0.0.1:$(PORT)"
	@echo "make shell       a shell with ansible and this checkout as hwcloud.cce, HW_* set for make simulator"
	@echo "make unit        pytest tests/unit"
	@echo "make integration pytest tests/integration (real ansible against the simulator)"
	@echo "make sanity      ansible-test sanity (current ansible-core, and the newest one if a pyenv 3.12/3.13 exists)"
	@echo "make lint        ansible-lint (production), yamllint, antsibull-changelog lint"
	@echo "make docs        antsibull-docs lint-collection-docs --plugin-docs"
	@echo "make build       build/hwcloud-cce-<version>.tar.gz, galaxy-importer, EE build context"
	@echo "make bench       performance benchmark (table + bench-results.json); not part of make test"
	@echo "make soak        50 role runs under 20 % faults + 20 SIGKILL interruptions (soak-results.json)"
	@echo "make venv        create $(VENV) with the pinned tools (requirements-dev.txt)"

# The venv is (re)made when the pinned requirements change. The symlink gives
# ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) the collection hwcloud.cce = this checkout.
$(STAMP): requirements-dev.txt requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	mkdir -p $(COLLECTIONS)/ansible_collections/hwcloud
	ln -sfn $(abspath .) $(COLLECTIONS)/ansible_collections/hwcloud/cce
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	bash .ci/steps

# Inner loop (about a minute on an idle 2-CPU machine); `make test` before pushing.
check: $(STAMP)
	CI_SERIAL=1 bash .ci/steps lint yamllint changelog
	$(BIN)/python -m pytest tests/unit $(CHECK_INTEGRATION) -q -p no:cacheprovider -n 2 --dist loadgroup

sanity: $(STAMP)
	bash .ci/steps sanity sanity-next

lint: $(STAMP)
	bash .ci/steps lint yamllint changelog

docs: $(STAMP)
	bash .ci/steps docs

build: $(STAMP)
	CI_DIST=build bash .ci/steps build ee

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -p no:cacheprovider

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q -p no:cacheprovider -n auto --dist loadgroup

simulator: $(STAMP)
	$(BIN)/python -m cce_simulator --host 127.0.0.1 --port $(PORT) --time-scale $(TIME_SCALE) $(if $(SCENARIO),--scenario $(SCENARIO))

shell: $(STAMP)
	@PORT=$(PORT) bash .ci/shell $(ARGS)

demo: $(STAMP)
	bash .ci/demo

bench: $(STAMP)
	bash .ci/bench

soak: $(STAMP)
	bash .ci/soak

clean:
	rm -rf $(VENV) .venv-core-next build tests/output .ansible .pytest_cache importer_result.json changelogs/.plugin-cache.yaml
