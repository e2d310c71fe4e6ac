"""playbooks/retry.yml, pause.yml, resume.yml and hold.yml (issue 12, point 10) against the simulator.

The pause/resume/hold case uses the role tests' slow simulator (roles/conftest.py), whose upgrade task
runs for 600 real seconds, so it is still running whatever the machine's load."""

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOKS = REPO_ROOT / "playbooks"


def text_of(proc):
    return " ".join((proc.stdout + proc.stderr).split())


@pytest.fixture
def newest_task(cce_api):
    """``newest_task(simulator, cluster_id)``: the newest upgrade task (normalised), read in-process."""
    from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up  # pylint: disable=import-outside-toplevel

    def read(simulator, cluster_id):
        tasks = up.normalize_task_list(cce_api(simulator).list_upgrade_tasks(cluster_id))
        return tasks[0] if tasks else None

    return read


def run(runner, name, **extra_vars):
    return runner.run_playbook(PLAYBOOKS / name, extra_vars)


def test_retry_playbook_retries_the_failed_task(ansible, sim, newest_task):
    cid = sim.cluster("flaky-a")["id"]
    upgrade = run(ansible, "upgrade.yml", cce_upgrade_cluster_id=cid, cce_upgrade_target_version="v1.30",
                  cce_upgrade_poll_interval=1, cce_upgrade_snapshot=False)
    assert upgrade.returncode != 0
    failed = newest_task(sim, cid)
    assert failed["phase"] == "Failed"

    proc = run(ansible, "retry.yml", cce_upgrade_cluster_id=cid)
    text = text_of(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "Upgrade task %s of cluster %s is" % (failed["task_id"], cid) in text
    assert "(retried now)." in text
    assert len([r for r in sim.writes(cid) if r["path"].endswith("/operation/upgrade/retry")]) == 1
    assert newest_task(sim, cid)["phase"] in ("Running", "Success")


def test_day2_playbooks_need_a_cluster_before_any_request(ansible, sim):
    for name in ("retry.yml", "pause.yml", "resume.yml", "hold.yml"):
        proc = run(ansible, name)
        assert proc.returncode != 0, name
        assert "Give the cluster with -e cce_upgrade_cluster_id=<uuid>" in text_of(proc), name
    assert sim.requests() == []


def test_pause_resume_and_a_hold_that_a_scheduled_run_does_not_undo(slow_ansible, slow_sim, newest_task, tmp_path):
    cid = slow_sim.cluster("prod-a")["id"]
    rc, _result, out = slow_ansible.run_module("cce_precheck", {"cluster_id": cid, "target_version": "v1.30",
                                                                "poll_interval": 0.2})
    assert rc == 0, out[-2000:]
    rc, _result, out = slow_ansible.run_module("cce_cluster_upgrade", {"cluster_id": cid, "target_version": "v1.30",
                                                                       "wait": False})
    assert rc == 0, out[-2000:]
    task_id = newest_task(slow_sim, cid)["task_id"]

    proc = run(slow_ansible, "pause.yml", cce_upgrade_cluster_id=cid)
    assert proc.returncode == 0, text_of(proc)[-3000:]
    assert "(paused now)." in text_of(proc)
    assert newest_task(slow_sim, cid)["phase"] == "Pause"
    proc = run(slow_ansible, "resume.yml", cce_upgrade_cluster_id=cid)
    assert proc.returncode == 0, text_of(proc)[-3000:]
    assert "(resumed now)." in text_of(proc)
    assert newest_task(slow_sim, cid)["phase"] == "Running"

    holds = tmp_path / "holds.json"
    proc = run(slow_ansible, "hold.yml", cce_upgrade_cluster_id=cid, cce_upgrade_hold_path=str(holds),
               cce_upgrade_hold_reason="waiting for the DB team")
    text = text_of(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "Cluster %s is on hold: waiting for the DB team." % cid in text
    assert "Upgrade task %s paused at" % task_id in text
    assert newest_task(slow_sim, cid)["phase"] == "Pause"
    assert json.loads(holds.read_text())[cid]["reason"] == "waiting for the DB team"

    # the scheduled run: the role would resume a paused task, but the hold keeps it paused
    writes = len(slow_sim.writes(cid))
    report = tmp_path / "report.json"
    proc = run(slow_ansible, "upgrade.yml", cce_upgrade_cluster_id=cid, cce_upgrade_target_version="v1.30",
               cce_upgrade_poll_interval=1, cce_upgrade_hold_path=str(holds), cce_upgrade_report_path=str(report))
    text = text_of(proc)
    assert proc.returncode == 0, text[-3000:]
    result = json.loads(report.read_text())
    assert result["outcome"] == "held"
    assert "is on hold since" in result["message"] and "waiting for the DB team" in result["message"]
    assert "-e cce_upgrade_hold_state=absent" in result["message"]
    proc = run(slow_ansible, "resume.yml", cce_upgrade_cluster_id=cid, cce_upgrade_hold_path=str(holds))
    assert proc.returncode != 0
    assert "is on hold since" in text_of(proc) and "Lift the hold first" in text_of(proc)
    assert len(slow_sim.writes(cid)) == writes
    assert newest_task(slow_sim, cid)["phase"] == "Pause"

    proc = run(slow_ansible, "hold.yml", cce_upgrade_cluster_id=cid, cce_upgrade_hold_path=str(holds),
               cce_upgrade_hold_state="absent")
    assert proc.returncode == 0, text_of(proc)[-3000:]
    assert "Hold of cluster %s lifted" % cid in text_of(proc)
    assert json.loads(holds.read_text()) == {}
    proc = run(slow_ansible, "resume.yml", cce_upgrade_cluster_id=cid, cce_upgrade_hold_path=str(holds))
    assert proc.returncode == 0, text_of(proc)[-3000:]
    assert newest_task(slow_sim, cid)["phase"] == "Running"
