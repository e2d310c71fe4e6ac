"""Fast subset of the soak (``make soak`` runs the full one: tests/soak/soak.py).

One role run (playbooks/upgrade.yml) on a fresh cluster while 20 % of the reads fail in every
way, SIGKILLed at a random moment (ansible-playbook and its workers), then rerun: the rerun
completes, with exactly one upgrade task and no workflow left open.
"""

import json
import os
import random
import signal
import subprocess

from reliability_helpers import UPGRADE_PLAYBOOK, list_tasks, new_cluster

READ_FAULTS = [{"fault": "throttle", "retry_after": "0.2"}, {"fault": "error", "status": 503},
               {"fault": "reset_after"}, {"fault": "malformed"}, {"fault": "html", "status": 502}]


def _workflows(rel, cid):
    rc, result, output = rel.module("cce_upgrade_workflow_info", {"cluster_id": cid})
    assert rc == 0, output
    return result["workflows"]


def test_killed_role_run_is_completed_by_the_rerun(rel, sim, tmp_path):
    each = 1 - 0.8 ** (1.0 / len(READ_FAULTS))
    sim.set_faults({"seed": 11, "rules": [dict(k, method="GET", path=r"^/(api|autopilot)/", probability=each)
                                          for k in READ_FAULTS]})
    cid = new_cluster(sim)
    extra = {"cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30", "cce_upgrade_poll_interval": 1}
    cmd = [rel.ansible._command("ansible-playbook"), "-i", "localhost,", "-c", "local", str(UPGRADE_PLAYBOOK),
           "-e", json.dumps(extra)]
    env = rel._env(None)
    kill_after = random.Random(os.getpid()).uniform(4, 30)
    with open(tmp_path / "killed.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    rc, output = rel.playbook(extra)
    assert rc == 0, "rerun after a kill at %.1fs failed:\n%s" % (kill_after, output[-4000:])
    assert "outcome=upgraded" in output or "outcome=already_upgraded" in output, output[-2000:]
    sim.set_faults({"rules": []})
    assert [c["version"] for c in sim.clusters() if c["id"] == cid] == ["v1.30.14-r10"]
    tasks = list_tasks(rel, cid)
    assert len(tasks) == 1 and tasks[0]["phase"] == "Success", tasks
    workflows = _workflows(rel, cid)
    assert workflows and all(w["phase"] == "Success" for w in workflows), workflows
    assert any(r["fault"] for r in sim.requests()), "no fault fired: the test proved nothing"


def test_role_rides_through_faults_on_every_write_step(rel, sim):
    """A 503 or a lost reply on each write step (workflow, pre-check, snapshot, upgrade, post-check):
    the role runs the step again, the module re-reads and attaches, and the upgrade completes with
    one workflow and one upgrade task."""
    sim.set_faults({"rules": [
        {"fault": "error", "status": 503, "method": "POST", "path": r"/operation/upgradeworkflows$", "count": 1},
        {"fault": "reset_after", "method": "POST", "path": r"/operation/precheck$", "count": 1},
        {"fault": "error", "status": 502, "method": "POST", "path": r"/operation/snapshot$", "count": 1},
        {"fault": "reset_after", "method": "POST", "path": r"/operation/upgrade$", "count": 1},
        {"fault": "error", "status": 503, "method": "POST", "path": r"/operation/postcheck$", "count": 1},
    ]})
    cid = new_cluster(sim)
    rc, output = rel.playbook({"cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30",
                               "cce_upgrade_poll_interval": 1})
    assert rc == 0, output[-4000:]
    fired = [r for r in sim.requests() if r["fault"]]
    assert len(fired) == 5, fired
    sim.set_faults({"rules": []})
    tasks = list_tasks(rel, cid)
    assert len(tasks) == 1 and tasks[0]["phase"] == "Success", tasks
    workflows = _workflows(rel, cid)
    assert len(workflows) == 1 and workflows[0]["phase"] == "Success", workflows
