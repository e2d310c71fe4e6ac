"""The README's quick start from a checkout (issue 12, point 5), run as written: `make simulator` in one
terminal, `make shell` in another, then the README's commands in that shell. Only the port differs (a
free one instead of 8780, given to both make targets as PORT=)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from module_cache import module_cache_env

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- quickstart-from-checkout"


def readme_commands():
    """The command lines of the README's quick-start-from-a-checkout block, comments removed."""
    text = (REPO_ROOT / "README.md").read_text()
    block = text[text.index(MARKER):]
    block = block[block.index("```sh\n") + len("```sh\n"):]
    block = block[:block.index("\n```")]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_env(tmp_path):
    """A newcomer's environment: no credentials or ansible settings of ours, the venv not on PATH. Only the
    integration tests' module cache is added (module_cache.py): it changes no behaviour."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("HW_", "HUAWEICLOUD_", "ANSIBLE_", "MAKE", "MFLAGS")))
    env["VENV"] = str(Path(sys.executable).parent.parent)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(env["VENV"]))
    env.update(module_cache_env(env, tmp_path / "module-cache"))
    return env


def test_readme_quickstart_from_a_checkout_works_as_written(tmp_path):
    commands = readme_commands()
    assert commands[0] == "make simulator" and commands[1] == "make shell", commands
    assert any(c.startswith("ansible localhost -m hwcloud.cce.cce_cluster_upgrade_info") for c in commands)
    assert any(c.startswith("ansible-playbook hwcloud.cce.upgrade") for c in commands)
    port = free_port()
    env = make_env(tmp_path)
    simulator = subprocess.Popen(commands[0].split() + ["PORT=%d" % port], cwd=str(REPO_ROOT), env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_simulator/credentials" % port, timeout=2).read()
                break
            except OSError:
                assert simulator.poll() is None and time.monotonic() < deadline, "make simulator did not start"
                time.sleep(0.3)
        script = "set -e\n" + "\n".join(commands[2:]) + "\n"
        shell = subprocess.run(commands[1].split() + ["PORT=%d" % port], cwd=str(REPO_ROOT), env=env, input=script,
                               capture_output=True, text=True, timeout=600, check=False)
    finally:
        os.killpg(simulator.pid, signal.SIGTERM)
        simulator.wait(timeout=30)
    out = " ".join((shell.stdout + shell.stderr).split())
    assert shell.returncode == 0, out[-4000:]
    assert "HW_* point at the simulator on http://127.0.0.1:%d" % port in out
    assert '"current_version": "v1.29"' in out
    assert "prod-a (466652df-a613-5710-bfdc-5a863bbabd38): v1.29" in out
    assert "Cluster prod-a upgraded from v1.29.4-r0 to v1.30" in out, out[-4000:]
