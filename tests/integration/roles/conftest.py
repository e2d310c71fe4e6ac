"""Fixtures for the role tests: a second simulator whose upgrade task runs long enough to be
interrupted, paused, resumed or timed out however loaded the machine is (60000 simulated seconds,
600 s real at time scale 0.01; ``POST /_simulator/clock {"advance": LONG_UPGRADE_SECONDS}`` ends it),
and a third whose pre-checks expire before the role submits the upgrade."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SIMULATOR_DIR = REPO_ROOT / "tests" / "simulator"
SCENARIO = SIMULATOR_DIR / "cce_simulator" / "scenarios" / "default.json"
TIME_SCALE = float(os.environ.get("CCE_SIM_TIME_SCALE", "0.01"))
LONG_UPGRADE_SECONDS = 60000
SHORT_PRECHECK_VALIDITY = 0.3  # real seconds (30 simulated seconds at time scale 0.01)


def scenario_simulator(simulator, tmp_path_factory, name, change):
    """Start a simulator on the default scenario changed by ``change(scenario)``; yields it, stops it after."""
    scenario = json.loads(SCENARIO.read_text())
    change(scenario)
    path = tmp_path_factory.mktemp("scenario") / ("%s.json" % name)
    path.write_text(json.dumps(scenario))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SIMULATOR_DIR), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "cce_simulator", "--host", "127.0.0.1", "--port", "0",
         "--time-scale", str(TIME_SCALE), "--scenario", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            url = line.split("listening on ", 1)[1].strip()
            break
        if not line and proc.poll() is not None:
            break
    if url is None:
        proc.kill()
        raise RuntimeError("%s simulator did not start" % name)
    # Keep reading its output so that a full pipe never blocks the simulator.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    started = type(simulator)(proc, url)
    yield started
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def slow_simulator(simulator, tmp_path_factory):
    """A simulator with a long upgrade task; same control API as ``simulator``."""
    def change(scenario):
        scenario["durations"]["upgrade"] = LONG_UPGRADE_SECONDS
    yield from scenario_simulator(simulator, tmp_path_factory, "long-upgrade", change)


@pytest.fixture(scope="module")
def short_precheck_simulator(simulator, tmp_path_factory):
    """A simulator whose pre-checks stay valid only SHORT_PRECHECK_VALIDITY real seconds: a pre-check
    has expired by the time the role submits the upgrade (a module run takes longer at time scale 0.01)."""
    def change(scenario):
        scenario["durations"]["precheck_validity"] = SHORT_PRECHECK_VALIDITY
    yield from scenario_simulator(simulator, tmp_path_factory, "short-precheck", change)


@pytest.fixture
def short_precheck_ansible(ansible, short_precheck_simulator, collections_path, tmp_path):
    """The ``ansible`` runner, pointed at ``short_precheck_simulator`` (reset)."""
    short_precheck_simulator.reset()
    short_precheck_simulator.set_faults({"rules": []})
    work = tmp_path / "short-precheck"
    work.mkdir(exist_ok=True)
    return type(ansible)(short_precheck_simulator, collections_path, work)


@pytest.fixture
def slow_sim(slow_simulator):
    slow_simulator.reset()
    slow_simulator.set_faults({"rules": []})
    return slow_simulator


@pytest.fixture
def slow_ansible(ansible, slow_sim, collections_path, tmp_path):
    """The ``ansible`` runner, pointed at ``slow_sim``."""
    work = tmp_path / "slow"
    work.mkdir(exist_ok=True)
    return type(ansible)(slow_sim, collections_path, work)
