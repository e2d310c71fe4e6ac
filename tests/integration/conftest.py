"""Integration harness: real ansible / ansible-playbook runs against the simulator.

Fixtures
- ``collections_path`` (session): a directory holding ``ansible_collections/hwcloud/cce`` that
  points at this checkout, for ANSIBLE_COLLECTIONS_PATH.
- ``ansible`` (function): runs modules ad hoc and playbooks against ``sim`` (tests/conftest.py)
  with the credentials injected through the environment, the way AWX injects them. Its runs share
  the modules' payloads and compiled module_utils within the test session (``module_cache_env``,
  tests/integration/module_cache.py): the same code, built and compiled once instead of in every run.
  ``ansible.bound_to(other)`` is the same runner pointed at another simulator.
- ``ansible_runner_for`` (session): ``ansible_runner_for(simulator, work_dir)`` makes that runner
  outside a test function, for module-scoped fixtures that run many cases in one playbook.
- ``slow_simulator`` (session) / ``slow`` (function, reset): a second simulator on real time
  (time scale 1) whose pre-checks and snapshots take 100 hours and upgrades 600 s unless its
  clock is advanced: for cases that must find a task still running however slow the machine is.
  ``slow_ansible`` is ``ansible`` bound to it.
- ``fast`` (function): the wait options that make a module poll the scaled simulator quickly.
- ``posts`` (function): ``posts(simulator, cluster_id, "/operation/upgrade")`` lists the POSTs
  to that cluster whose path ends with the suffix.
- ``cce_api`` (function): ``cce_api(simulator, flavor="cce")`` is this collection's ``CceApi``
  in-process, for reading the state a test left behind without another ansible run.
  ``workflow_of(simulator, cluster_id, workflow_id=None, flavor="cce")`` reads one workflow (the
  newest open one without an id) in the result shape of cce_upgrade_workflow_info.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from module_cache import module_cache_env

REPO_ROOT = Path(__file__).resolve().parents[2]
# Wait options for modules polling the scaled simulator (a 60 s pre-check takes 0.6 s there).
FAST = {"poll_interval": 0.2}
# Durations of the slow simulator's scenario (seconds of real time at time scale 1).
SLOW_DURATIONS = {"precheck": 360000, "snapshot": 360000, "upgrade": 600}


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("collections")
    target = root / "ansible_collections" / "hwcloud"
    target.mkdir(parents=True)
    (target / "cce").symlink_to(REPO_ROOT, target_is_directory=True)
    return root


class AnsibleRunner:
    """Runs real ansible commands with credentials from the environment."""

    def __init__(self, sim, collections_path, tmp_path):
        self.sim = sim
        self.collections_path = collections_path
        self.tmp_path = tmp_path
        creds = sim.credentials
        self.credentials = creds
        self.env = dict(os.environ)
        for key in list(self.env):
            if key.startswith(("HW_", "HUAWEICLOUD_SDK_")):
                del self.env[key]
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "HW_REGION_NAME": creds["region"],
            "HW_PROJECT_ID": creds["project_id"],
            "HW_ACCESS_KEY": creds["access_key"],
            "HW_SECRET_KEY": creds["secret_key"],
            "HW_CCE_ENDPOINT": sim.url,
            "HW_IAM_ENDPOINT": sim.url,
        })
        self.env.update(module_cache_env(self.env, Path(collections_path) / "module-cache"))
        self.bin_dir = Path(sys.executable).parent

    @property
    def fast(self):
        """The wait options that make a module poll the scaled simulator quickly (a fresh dict)."""
        return dict(FAST)

    def bound_to(self, simulator):
        """The same runner, with endpoints and credentials of another simulator."""
        return AnsibleRunner(simulator, self.collections_path, self.tmp_path)

    def _command(self, name):
        candidate = self.bin_dir / name
        return str(candidate) if candidate.exists() else name

    def run_module(self, module, args=None, check=False, diff=False, env=None, verbosity=0, timeout=600):
        """Run ``hwcloud.cce.<module>`` ad hoc; return (rc, result dict, raw output).

        ansible-core ships no ``json`` stdout callback, so the result is read from the file the
        built-in ``tree`` callback writes; at verbosity 3 it keeps the whole result, diff included.
        """
        tree = Path(tempfile.mkdtemp(prefix="tree-", dir=str(self.tmp_path)))
        run_env = dict(self.env)
        run_env.update({"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_CALLBACKS_ENABLED": "tree",
                        "ANSIBLE_CALLBACK_TREE_DIR": str(tree), "ANSIBLE_DEPRECATION_WARNINGS": "0"})
        run_env.update(env or {})
        for key, value in list(run_env.items()):
            if value is None:
                del run_env[key]
        name = module if "." in module else "hwcloud.cce." + module
        cmd = [self._command("ansible"), "localhost", "-c", "local", "-m", name]
        if args:  # an empty JSON object would arrive as raw params
            cmd += ["-a", args if isinstance(args, str) else json.dumps(args)]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        cmd.append("-" + "v" * max(3, verbosity))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=timeout, check=False)
        output = proc.stdout + proc.stderr
        result_file = tree / "localhost"
        result = json.loads(result_file.read_text()) if result_file.exists() else {}
        return proc.returncode, result, output

    def run_playbook(self, playbook, extra_vars=None, check=False, env=None, verbosity=0,
                     timeout=900, extra_args=()):
        """Run ansible-playbook; return the CompletedProcess (stdout holds the whole run)."""
        run_env = dict(self.env)
        run_env.update(env or {})
        for key, value in list(run_env.items()):
            if value is None:
                del run_env[key]
        cmd = [self._command("ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        if check:
            cmd.append("--check")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        cmd += list(extra_args)
        # no terminal on stdin: a prompt (the fleet approval) must see a run without one, as in AWX or CI
        return subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)


@pytest.fixture
def ansible(sim, collections_path, tmp_path):
    return AnsibleRunner(sim, collections_path, tmp_path)


@pytest.fixture(scope="session")
def ansible_runner_for(collections_path):
    """``ansible_runner_for(simulator, work_dir)``: an AnsibleRunner for wider-scoped fixtures."""

    def make(simulator, work_dir):
        return AnsibleRunner(simulator, collections_path, Path(work_dir))

    return make


@pytest.fixture
def fast():
    """Wait options for a module against the scaled simulator (a fresh dict for every test)."""
    return dict(FAST)


def post_writes(simulator, cluster_id, suffix):
    """The POST requests to ``cluster_id`` whose path ends with ``suffix``."""
    return [w for w in simulator.writes(cluster_id) if w["method"] == "POST" and w["path"].endswith(suffix)]


@pytest.fixture
def posts():
    return post_writes


def _simulator_harness(config):
    """tests/conftest.py as a module (pytest registers every conftest as a plugin named by its path)."""
    harness = config.pluginmanager.get_plugin(str(REPO_ROOT / "tests" / "conftest.py"))
    if harness is None:  # registered under another spelling of the path (symlinks)
        for plugin in config.pluginmanager.get_plugins():
            if hasattr(plugin, "start_simulator") and hasattr(plugin, "stop_simulator"):
                harness = plugin
                break
    assert harness is not None, "tests/conftest.py (start_simulator) is not loaded"
    return harness


@pytest.fixture(scope="session")
def slow_simulator(request, tmp_path_factory):
    """A second simulator on real time: the default clusters, pre-checks and snapshots that take
    100 hours, upgrades 600 s (``slow.advance(700)`` finishes them). One per test session (worker)."""
    from cce_simulator.scenario import DEFAULT_SCENARIO  # tests/simulator is on PYTHONPATH

    scenario = dict(DEFAULT_SCENARIO, durations=dict(DEFAULT_SCENARIO["durations"], **SLOW_DURATIONS))
    path = tmp_path_factory.mktemp("slow-simulator") / "scenario.json"
    path.write_text(json.dumps(scenario))
    harness = _simulator_harness(request.config)
    started = harness.start_simulator(["--scenario", str(path)], time_scale=1.0)
    yield started
    harness.stop_simulator(started)


@pytest.fixture
def slow(slow_simulator, sim):
    """The slow simulator, reset to its scenario with no faults (``sim`` is reset too)."""
    slow_simulator.reset()
    slow_simulator.set_faults({"rules": []})
    return slow_simulator


@pytest.fixture
def slow_ansible(ansible, slow):
    """``ansible`` pointed at the slow simulator."""
    return ansible.bound_to(slow)


@pytest.fixture
def cce_api(collections_path):
    """``cce_api(simulator, flavor="cce")``: the collection's CceApi against ``simulator`` (in-process,
    milliseconds instead of an ansible run), for reading the state a test left behind."""
    if str(collections_path) not in sys.path:
        sys.path.insert(0, str(collections_path))
    # pylint: disable=import-outside-toplevel
    from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
    from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceClient, ConnectionConfig

    def api_for(simulator, flavor="cce"):
        creds = simulator.credentials
        config = ConnectionConfig(region=creds["region"], project_id=creds["project_id"],
                                  access_key=creds["access_key"], secret_key=creds["secret_key"],
                                  cce_endpoint=simulator.url, api_retries=2, api_timeout=30)
        return CceApi(CceClient(config), flavor)

    return api_for


@pytest.fixture
def workflow_of(cce_api):
    """``workflow_of(simulator, cluster_id, workflow_id=None, flavor="cce")``: a workflow as
    cce_upgrade_workflow_info returns it (``workflow``), read in-process."""
    from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf  # pylint: disable=import-outside-toplevel

    def read(simulator, cluster_id, workflow_id=None, flavor="cce"):
        api = cce_api(simulator, flavor)
        if workflow_id:
            return wf.normalize_workflow(api.get_workflow(cluster_id, workflow_id))
        return wf.normalize_workflow(wf.find_open_workflow(wf.items_of(api.list_workflows(cluster_id))))

    return read
