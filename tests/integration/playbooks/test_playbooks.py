"""playbooks/cancel.yml and playbooks/status.yml against the simulator."""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
CANCEL = REPO_ROOT / "playbooks" / "cancel.yml"
STATUS = REPO_ROOT / "playbooks" / "status.yml"


def output(proc):
    return proc.stdout + proc.stderr


def test_status_of_one_cluster_reads_only(ansible, sim):
    cluster = sim.cluster("prod-a")
    proc = ansible.run_playbook(STATUS, {"cce_upgrade_cluster_id": cluster["id"]})
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "prod-a (%s): v1.29.4-r0 Available" % cluster["id"] in text   # the full version
    assert "targets v1.30.14-r10, v1.31.10-r0;" in text
    assert "no active upgrade" in text and "no open workflow" in text
    assert "prod-b" not in text
    assert sim.writes() == []


def test_status_of_autopilot_clusters(ansible, sim):
    proc = ansible.run_playbook(STATUS, {"cce_upgrade_cluster_flavor": "autopilot"})
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "ap-a (" in text and "prod-a (" not in text


def test_status_of_unknown_cluster_fails(ansible, sim):
    proc = ansible.run_playbook(STATUS, {"cce_upgrade_cluster_id": "00000000-0000-4000-8000-000000000000"})
    assert proc.returncode != 0
    assert "not found" in output(proc)


def test_status_of_all_clusters_then_cancel_the_open_workflow(ansible, sim):
    cid = sim.cluster("prod-b")["id"]
    rc, _result, out = ansible.run_module("cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, out[-2000:]
    assert len(sim.writes(cid)) == 1

    status = ansible.run_playbook(STATUS, {})
    text = output(status)
    assert status.returncode == 0, text[-3000:]
    for name in ("prod-a", "prod-b", "prod-c", "risky-a"):
        assert name + " (" in text
    # stale-a is not on the latest patch of its minor: CCE takes it to another minor only from there
    assert re.search(r"stale-a \([0-9a-f-]+\): v1\.29\.2-r0 Available, targets v1\.29\.4-r0, [^;]* \(latest patch v1\.29\.4-r0 first\);",
                     " ".join(text.split())), text[-3000:]
    assert "ap-a (" not in text   # autopilot clusters need cce_upgrade_cluster_flavor=autopilot
    assert "open workflow" in text and "Init to v1.30" in text
    assert len(sim.writes()) == 1

    proc = ansible.run_playbook(CANCEL, {"cce_upgrade_cluster_id": cid})
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "is Cancel (cancelled now)" in text
    patches = [r for r in sim.writes(cid) if r["method"] == "PATCH"]
    assert len(patches) == 1 and "/operation/upgradeworkflows/" in patches[0]["path"]

    again = ansible.run_playbook(CANCEL, {"cce_upgrade_cluster_id": cid})
    assert again.returncode == 0, output(again)[-3000:]
    assert "has no open upgrade workflow: nothing to cancel" in again.stdout
    assert len(sim.writes(cid)) == 2


def test_cancel_needs_a_cluster_id(ansible, sim):
    proc = ansible.run_playbook(CANCEL, {})
    assert proc.returncode != 0
    assert "cce_upgrade_cluster_id" in output(proc)
    assert sim.requests() == []
