"""Shared test harness: a real cce_simulator process.

Fixtures
- ``simulator`` (session): a ``python -m cce_simulator`` process on a free port with scaled time.
- ``sim`` (function): the same simulator, reset to the default scenario, faults cleared.
``start_simulator`` / ``stop_simulator`` start extra ones (TLS, special scenarios); the
``simulator_factory`` fixture does the same and stops them after the test.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SIMULATOR_DIR = REPO_ROOT / "tests" / "simulator"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DEFAULT_TIME_SCALE = float(os.environ.get("CCE_SIM_TIME_SCALE", "0.01"))


class Simulator:
    """A running cce_simulator process and helpers for its control API."""

    def __init__(self, process, url):
        self.process = process
        self.url = url

    def _call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (loopback only)
            body = resp.read()
        return json.loads(body) if body else None

    def control(self, method, name, payload=None):
        return self._call(method, "/_simulator/" + name, payload)

    def reset(self):
        return self.control("POST", "reset", {})

    @property
    def credentials(self):
        return self.control("GET", "credentials")

    def clusters(self):
        return self.control("GET", "clusters")

    def cluster(self, name):
        for item in self.clusters():
            if item["name"] == name:
                return item
        raise KeyError(name)

    def requests(self):
        """The request log: API requests only (control calls are not logged)."""
        return [r for r in self.control("GET", "requests") if not r["path"].startswith("/_simulator")]

    def writes(self, cluster_id=None):
        return [
            r for r in self.requests()
            if r["method"] in WRITE_METHODS and not r["path"].startswith("/v3/auth")
            and (cluster_id is None or r.get("cluster_id") == cluster_id)
        ]

    def set_faults(self, spec):
        return self.control("POST", "faults", spec)

    def faults(self):
        return self.control("GET", "faults")

    def add_cluster(self, **spec):
        return self.control("POST", "clusters", spec)

    def advance(self, seconds):
        """Jump simulated time forward."""
        return self.control("POST", "clock", {"advance": seconds})

    def expire_tokens(self):
        return self.control("POST", "tokens/expire", {})

    @property
    def output(self):
        """What the process printed (stdout and stderr) after the listening line."""
        return "".join(getattr(self.process, "captured", []))


def _start_simulator(extra_args=(), time_scale=DEFAULT_TIME_SCALE):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SIMULATOR_DIR), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "cce_simulator", "--host", "127.0.0.1", "--port", "0",
           "--time-scale", str(time_scale), *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError("simulator exited with %s" % proc.returncode)
            continue
        if line.startswith("listening on "):
            _drain(proc)
            return proc, line.split("listening on ", 1)[1].strip()
    proc.kill()
    raise RuntimeError("simulator did not start within 30 s")


def _drain(proc):
    """Keep reading the process output so a full pipe never blocks the simulator."""
    proc.captured = []

    def pump():
        for line in proc.stdout:
            if len(proc.captured) < 10000:
                proc.captured.append(line)

    threading.Thread(target=pump, daemon=True).start()


def start_simulator(extra_args=(), time_scale=DEFAULT_TIME_SCALE):
    """Start an extra simulator (for TLS or special scenarios); the caller stops it."""
    proc, url = _start_simulator(extra_args, time_scale)
    return Simulator(proc, url)


def stop_simulator(simulator):
    simulator.process.terminate()
    try:
        simulator.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        simulator.process.kill()


@pytest.fixture(scope="session")
def simulator():
    sim = start_simulator()
    yield sim
    stop_simulator(sim)


@pytest.fixture
def simulator_factory():
    """Start extra simulators (``factory(extra_args, time_scale)``); all are stopped afterwards."""
    started = []

    def factory(extra_args=(), time_scale=DEFAULT_TIME_SCALE):
        extra = start_simulator(extra_args, time_scale)
        started.append(extra)
        return extra

    yield factory
    for extra in started:
        stop_simulator(extra)


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.set_faults({"rules": []})
    return simulator
