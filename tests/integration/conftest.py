"""Integration harness: real ansible / ansible-playbook runs against the simulator.

Fixtures
- ``collections_path`` (session): a directory holding ``ansible_collections/hwcloud/cce`` that
  points at this checkout, for ANSIBLE_COLLECTIONS_PATH.
- ``ansible`` (function): runs modules ad hoc and playbooks against ``sim`` (tests/conftest.py)
  with the credentials injected through the environment, the way AWX injects them.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


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
        self.bin_dir = Path(sys.executable).parent

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
        cmd = [self._command("ansible"), "localhost", "-c", "local", "-m", name,
               "-a", args if isinstance(args, str) else json.dumps(args or {})]
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
        return subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=timeout, check=False)


@pytest.fixture
def ansible(sim, collections_path, tmp_path):
    return AnsibleRunner(sim, collections_path, tmp_path)
