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
CALLBACK_PLUGINS = Path(__file__).resolve().parent / "callback_plugins"


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


class CaseOutcome:
    """One case of a ModuleCaseBatch: whether its task ``failed`` (True/False; None if it never
    ran), its ``result``, the ``output`` of its task (``TASK [case <id>]`` up to the next task)
    and the API requests it ``sent``."""

    def __init__(self, failed, result, output, sent):
        self.failed = failed
        self.result = result
        self.output = output
        self.sent = sent


class ModuleCaseBatch:
    """Runs many single-module cases in one ``ansible-playbook`` run instead of one ``ansible``
    run each (an ansible start costs about as much CPU as two tasks in a running playbook).

    Every case is one task named ``case <id>`` with ``ignore_errors: true``. The test-only
    callback callback_plugins/case_recorder.py records its result and the length of the
    simulator's request log when it started, so the requests between one case's start and the
    next one's are exactly those that case sent (tasks run one after the other). The cases of
    one batch share the process environment: cases that unset or change environment variables go
    in their own batch (``env``). The simulator is reset (default scenario, no faults) once,
    before the batch.
    """

    def __init__(self, runner, work_dir):
        self.runner = runner
        self.sim = runner.sim
        self.work_dir = Path(work_dir)

    def run(self, cases, env=None, name="batch", fill=None):
        """``cases``: [(case_id, module, args)]; ``fill(sim, args)``, if given, completes the args after
        the reset (e.g. cluster names to ids). Returns {case_id: CaseOutcome}."""
        self.sim.reset()
        self.sim.set_faults({"rules": []})
        if fill is not None:
            cases = [(case_id, module, fill(self.sim, args)) for case_id, module, args in cases]
        for case_id, _module, args in cases:
            if re.search(r"[{][{%#]", json.dumps(args)):
                raise ValueError("case %s: Jinja in the arguments would be templated in a playbook" % case_id)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        recorded_file = self.work_dir / ("%s-recorded.json" % name)
        tasks = [{"name": "case %s" % case_id, (module if "." in module else "hwcloud.cce." + module): args,
                  "ignore_errors": True} for case_id, module, args in cases]
        play = [{"name": "module cases", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "tasks": tasks}]
        playbook = self.work_dir / ("%s.yml" % name)
        playbook.write_text(json.dumps(play, indent=1))  # JSON is YAML
        run_env = dict(env or {})
        run_env.update({"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_PLUGINS), "ANSIBLE_CALLBACKS_ENABLED": "case_recorder",
                        "CASE_RECORDER_FILE": str(recorded_file),
                        "CASE_RECORDER_LOG_URL": self.sim.url + "/_simulator/requests"})
        proc = self.runner.run_playbook(playbook, env=run_env)
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 or not recorded_file.exists():
            raise AssertionError("the batch playbook itself failed (rc %s):\n%s" % (proc.returncode, output[-6000:]))
        recorded = json.loads(recorded_file.read_text())
        log = self.sim.control("GET", "requests")
        sections = _task_sections(output)
        outcomes = {}
        for index, (case_id, _module, _args) in enumerate(cases):
            start = recorded[case_id]["mark"]
            end = recorded[cases[index + 1][0]]["mark"] if index + 1 < len(cases) else len(log)
            sent = [r for r in log[start:end] if not r["path"].startswith("/_simulator")]
            outcomes[case_id] = CaseOutcome(recorded[case_id]["failed"], recorded[case_id]["result"] or {},
                                            sections.get("case " + case_id, ""), sent)
        return outcomes


def _task_sections(output):
    """{task name: its part of a default-callback playbook output}."""
    sections = {}
    current = None
    for line in output.splitlines(keepends=True):
        match = re.match(r"^TASK \[(.*)\] \**\s*$", line)
        if match:
            current = match.group(1)
            sections[current] = line
        elif current is not None:
            sections[current] += line
    return sections
