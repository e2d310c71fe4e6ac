"""Helpers of the reliability and security suite (imported by conftest.py and the tests).

``rel`` (function fixture) runs real ``ansible`` / ``ansible-playbook`` processes against the
per-worker simulator (``sim``) with the credentials injected through the environment, the way
AWX injects them, and reads results from the built-in ``minimal`` callback (the module
runner is the shared one of tests/integration/conftest.py). Every helper returns the whole output so tests can grep it (secrets, hints).
"""

import json
import re
import ssl
import subprocess
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
UPGRADE_PLAYBOOK = REPO_ROOT / "playbooks" / "upgrade.yml"
UPGRADE_POST = re.compile(r"/clusters/[^/]+/operation/upgrade$")


class Runner:
    """Runs hwcloud.cce modules and playbooks; ``env`` holds the AK/SK credentials."""

    def __init__(self, ansible):
        self.ansible = ansible
        self.sim = ansible.sim
        self.env = dict(ansible.env)
        self.credentials = ansible.credentials

    def _env(self, env, callback=None):
        run_env = dict(self.env)
        if callback:
            run_env["ANSIBLE_STDOUT_CALLBACK"] = callback
        run_env.update(env or {})
        return {k: v for k, v in run_env.items() if v is not None}

    def module(self, module, args=None, check=False, env=None, verbosity=3, timeout=300):
        """Run ``hwcloud.cce.<module>`` ad hoc through the shared harness; return (rc, result, output)."""
        return self.ansible.run_module(module, args, check=check, env=env, verbosity=verbosity, timeout=timeout)

    def playbook(self, extra_vars, env=None, verbosity=0, timeout=600, playbook=UPGRADE_PLAYBOOK):
        """Run a playbook (default playbooks/upgrade.yml); return (rc, output)."""
        cmd = [self.ansible._command("ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook),
               "-e", json.dumps(extra_vars)]
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self._env(env), timeout=timeout, check=False)
        return proc.returncode, proc.stdout + proc.stderr


def cluster_id(sim, name):
    return sim.cluster(name)["id"]


def upgrade_posts(sim, cid=None):
    """Upgrade-task POSTs that reached the simulator (faulted or not)."""
    return [r for r in sim.writes(cid) if r["method"] == "POST" and UPGRADE_POST.search(r["path"])]


def new_cluster(sim, flavor="cce", version="v1.29", name=None):
    """Add a fresh healthy cluster (POST /_simulator/clusters); return its id."""
    item = sim.add_cluster(name=name or "rel-%s" % uuid.uuid4().hex[:8], flavor=flavor, version=version)
    return item["id"]


def list_tasks(rel, cid, flavor="cce"):
    rc, result, output = rel.module("cce_cluster_upgrade_info", {"cluster_id": cid, "cluster_flavor": flavor})
    assert rc == 0, output
    return result["tasks"]


def make_self_signed(directory, host="127.0.0.1"):
    """Write a self-signed ``cert.pem`` / ``key.pem`` (CN and subjectAltName ``host``) with the openssl CLI."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=%s" % host,
         "-addext", "subjectAltName=IP:%s" % host, "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True, timeout=60)
    return cert, key


def api_requests_over_tls(sim, cafile):
    """The request log of a simulator serving HTTPS (control API read with ``cafile`` trusted)."""
    context = ssl.create_default_context(cafile=str(cafile))
    with urllib.request.urlopen(sim.url + "/_simulator/requests", timeout=30, context=context) as resp:  # noqa: S310
        entries = json.loads(resp.read())
    return [e for e in entries if not e["path"].startswith("/_simulator")]
