"""The fleet guide's run on the simulator (issue 12, point 4), as written: `make simulator` with the fleet
scenario (30 clusters at time scale 0.01) in one terminal, `make shell` in another, then the guide's
fleet command with its defaults (forks, batches, progress interval). All 30 clusters must upgrade: the
time scale must not break the defaults (a pre-check stays valid an hour of real time, like CCE's).
Only the port differs (a free one instead of 8780, given to both make targets as PORT=)."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from test_readme_quickstart import free_port, make_env

REPO_ROOT = Path(__file__).resolve().parents[2]
GUIDE = REPO_ROOT / "docs" / "docsite" / "rst" / "guide_fleet.rst"
MARKER = ".. fleet-on-the-simulator"


def guide_commands():
    """The command lines of the guide's fleet-on-the-simulator block: `$ ` lines, comments removed."""
    text = GUIDE.read_text()
    block = text[text.index(MARKER):]
    block = block[block.index(".. code-block:: console"):]
    lines = []
    for line in block.splitlines()[2:]:
        if line.strip() and not line.startswith("   "):
            break
        if line.strip().startswith("$ "):
            lines.append(re.sub(r"\s+#.*$", "", line.strip()[2:]).strip())
    return lines


def test_fleet_guide_upgrades_30_simulated_clusters_with_the_defaults(tmp_path):
    commands = guide_commands()
    assert commands[0].startswith("make simulator SCENARIO=") and commands[1] == "make shell", commands
    fleet = [c for c in commands if c.startswith("ansible-playbook hwcloud.cce.fleet_upgrade")]
    assert len(fleet) == 1, commands
    port = free_port()
    env = make_env(tmp_path)
    simulator = subprocess.Popen(commands[0].split() + ["PORT=%d" % port], cwd=str(REPO_ROOT), env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = "http://127.0.0.1:%d/_simulator/" % port
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = json.load(urllib.request.urlopen(url + "health", timeout=2))
                break
            except OSError:
                assert simulator.poll() is None and time.monotonic() < deadline, "make simulator did not start"
                time.sleep(0.3)
        assert health["time_scale"] == 0.01 and health["clusters"] == 30, health
        script = "set -e\n" + "\n".join(commands[2:]) + "\n"
        shell = subprocess.run(commands[1].split() + ["PORT=%d" % port], cwd=str(REPO_ROOT), env=env, input=script,
                               capture_output=True, text=True, timeout=3000, check=False)
        clusters = json.load(urllib.request.urlopen(url + "clusters", timeout=10))
    finally:
        os.killpg(simulator.pid, signal.SIGTERM)
        simulator.wait(timeout=30)
    out = " ".join((shell.stdout + shell.stderr).split())
    assert shell.returncode == 0, out[-6000:]
    assert "30 clusters: upgraded 30" in out, out[-6000:]
    assert sorted(c["version"] for c in clusters) == ["v1.30.14-r10"] * 30, clusters
    # every upgrade used the role's own pre-check: none had expired by the submit (at time scale 0.01 an
    # hour of simulated validity was 36 real seconds, less than the role's waits between the two)
    assert out.count("CCE skips its own pre-check (ours is valid)") == 30, out[-6000:]
    assert "ours has expired" not in out and "CCE.01400075" not in out, out[-6000:]
