"""Role hwcloud.cce.cluster_upgrade with blackout dates (cce_upgrade_blackout), through playbooks/upgrade.yml."""

import json
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOK = REPO_ROOT / "playbooks" / "upgrade.yml"
FREEZE = [{"name": "year-end freeze", "start": "2026-12-20", "end": "2027-01-03", "timezone": "Europe/Berlin"}]
INSIDE = "2027-01-03T22:30:00Z"  # 23:30 in Berlin on the last day of the freeze
LONG_UPGRADE = 60000  # simulated seconds of an upgrade task on the slow simulator (roles/conftest.py)


def blackout_vars(sim, name, **extra):
    data = {"cce_upgrade_cluster_id": sim.cluster(name)["id"], "cce_upgrade_target_version": "v1.30",
            "cce_upgrade_poll_interval": 1, "cce_upgrade_blackout": FREEZE, "cce_upgrade_now": INSIDE}
    data.update(extra)
    return data


def report_of(path):
    return json.loads(Path(path).read_text())


def test_a_blackout_blocks_a_start_and_says_when_it_ends(ansible, sim, tmp_path):
    cid = sim.cluster("prod-a")["id"]
    dry = ansible.run_playbook(PLAYBOOK, blackout_vars(sim, "prod-a"), check=True)
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-3000:]
    assert "outcome=blackout" in dry.stdout
    assert sim.writes(cid) == []

    report = tmp_path / "blackout.json"
    proc = ansible.run_playbook(PLAYBOOK, blackout_vars(sim, "prod-a", cce_upgrade_report_path=str(report)))
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    assert sim.writes(cid) == []
    result = report_of(report)
    assert result["outcome"] == "blackout"
    assert "Inside the blackout year-end freeze" in result["message"]
    assert "no upgrade is started until it ends at 2027-01-04T00:00:00+01:00" in result["message"]
    assert "inside a blackout, not starting" in text

    # after the freeze the same run starts the upgrade
    proc = ansible.run_playbook(PLAYBOOK, blackout_vars(sim, "prod-a", cce_upgrade_now="2027-01-03T23:00:00Z",
                                                        cce_upgrade_snapshot=False, cce_upgrade_report_path=str(report)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert report_of(report)["outcome"] != "blackout"
    assert len([w for w in sim.writes(cid) if w["path"].endswith("/operation/upgrade")]) == 1


def test_a_running_upgrade_is_followed_to_its_end_through_a_blackout(slow_ansible, slow_sim, cce_api, tmp_path):
    """The slow simulator's upgrade task runs for 60000 simulated seconds: the role finds it running inside
    the blackout, follows it (polls), and finishes once the clock is moved past its end."""
    from ansible_collections.hwcloud.cce.plugins.module_utils.api import upgrade_body  # pylint: disable=import-outside-toplevel
    sim = slow_sim
    cid = sim.cluster("prod-c")["id"]
    api = cce_api(sim)
    api.create_workflow(cid, "v1.30")
    task_id = api.submit_upgrade(cid, upgrade_body("v1.30", is_only_upgrade=True))["metadata"]["uid"]
    report = tmp_path / "attach.json"
    extra = blackout_vars(sim, "prod-c", cce_upgrade_report_path=str(report))
    cmd = [slow_ansible._command("ansible-playbook"), "-i", "localhost,", "-c", "local", str(PLAYBOOK), "-e", json.dumps(extra)]
    run = subprocess.Popen(cmd, env=slow_ansible.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        while not any(r["path"].endswith("/tasks/" + task_id) for r in sim.requests()) and run.poll() is None:
            assert time.monotonic() < deadline, "the role never polled the running task"
            time.sleep(0.2)
        sim.advance(LONG_UPGRADE)
        text = run.communicate(timeout=300)[0]
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, text[-3000:]
    result = report_of(report)
    assert result["outcome"] not in ("blackout", "failed")
    assert result["task_id"] == task_id
    assert "continuing it" in text
    assert sim.cluster("prod-c")["version"].startswith("v1.30")
    upgrade_writes = [w for w in sim.writes(cid) if "/operation/upgrade" in w["path"] and "workflows" not in w["path"]]
    assert [w["path"].rsplit("/", 1)[-1] for w in upgrade_writes] == ["upgrade"]  # ours only: no pause, no second submit


def test_a_bad_blackout_fails_before_any_request(ansible, sim):
    bad = [dict(FREEZE[0], end="2027-13-03")]
    proc = ansible.run_playbook(PLAYBOOK, blackout_vars(sim, "prod-a", cce_upgrade_blackout=bad))
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "cce_upgrade_blackout[0].end" in text and "accepted: a list of {start, end, timezone, name}" in text
    assert sim.requests() == []
