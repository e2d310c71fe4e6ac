"""Role hwcloud.cce.cluster_upgrade across several versions in one run (issue 11): the route hop by hop,
through playbooks/upgrade.yml, against the simulator.

ancient-a is on v1.23.8-r0, not the latest patch of v1.23 (v1.23.17-r30): to v1.31 it takes the patch,
then v1.28 (the largest jump from v1.23), then v1.31 (the largest from v1.28).
"""

import json
import re
import signal

from test_cluster_upgrade import (
    LONG_UPGRADE,
    PLAYBOOK,
    WINDOW,
    finish_while_running,
    kill_group,
    output,
    posts_to,
    recap_changed,
    start_playbook,
    upgrade_posts,
    wait_for,
)

TASK_READ = re.compile(r"/operation/upgrade/tasks/[0-9a-f-]+$")


def hop_vars(cluster_id, target, **extra):
    # One module run polls each upgrade task to its end (a read a second): fewer module runs, less CPU.
    data = {"cce_upgrade_cluster_id": cluster_id, "cce_upgrade_target_version": target, "cce_upgrade_poll_interval": 1,
            "cce_upgrade_progress_interval": 600}
    data.update(extra)
    return data


def refused(sim, cluster_id=None):
    """API requests CCE refused (4xx), of one cluster or all."""
    return [r for r in sim.requests() if 400 <= r["status"] < 500 and (cluster_id is None or r.get("cluster_id") == cluster_id)]


def test_ancient_cluster_to_v1_31_hop_by_hop_then_a_rerun_changes_nothing(ansible, sim, tmp_path):
    cid = sim.cluster("ancient-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, hop_vars(cid, "v1.31", cce_upgrade_report_path=str(report)),
                                env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    text = output(proc)
    assert proc.returncode == 0, text[-4000:]
    assert sim.cluster("ancient-a")["version"] == "v1.31.10-r0"
    assert "v1.23.8-r0 -> v1.31.10-r0 in 3 hops: v1.23.17-r30 (patch), v1.28.15-r30 (minor), v1.31.10-r0 (minor)" in text
    assert "Cluster ancient-a upgraded from v1.23.8-r0 to v1.31.10-r0 in 3 hops" in text
    # one workflow, one upgrade task and one post-check per hop; CCE accepted every request
    assert len(upgrade_posts(sim, cid)) == 3
    assert len(posts_to(sim, cid, "/operation/upgradeworkflows")) == 3
    assert len(posts_to(sim, cid, "/operation/postcheck")) == 3
    assert refused(sim, cid) == []
    result = json.loads(report.read_text())
    assert (result["outcome"], result["from_version"], result["to_version"]) == ("upgraded", "v1.23.8-r0", "v1.31.10-r0")
    hops = result["hops"]
    assert [(h["from"], h["to"], h["outcome"]) for h in hops] == [
        ("v1.23.8-r0", "v1.23.17-r30", "upgraded"), ("v1.23.17-r30", "v1.28.15-r30", "upgraded"),
        ("v1.28.15-r30", "v1.31.10-r0", "upgraded")]
    assert all(h["workflow_id"] and h["task_id"] and h["precheck_task_id"] for h in hops)
    assert len(set(h["task_id"] for h in hops)) == 3
    assert all(set(h["durations"]) >= {"workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify"} for h in hops)
    assert result["task_id"] == hops[-1]["task_id"] and result["workflow_id"] == hops[-1]["workflow_id"]
    assert "CUSTOM STATS" in text and '"hops"' in text

    writes = len(sim.writes(cid))
    again = ansible.run_playbook(PLAYBOOK, hop_vars(cid, "v1.31"))
    assert again.returncode == 0, output(again)[-3000:]
    assert len(sim.writes(cid)) == writes
    assert recap_changed(again.stdout) == 0
    assert "Cluster ancient-a is already at v1.31.10-r0: nothing to do." in again.stdout


def test_ancient_cluster_to_latest(ansible, sim):
    cid = sim.cluster("ancient-a")["id"]
    proc = ansible.run_playbook(PLAYBOOK, hop_vars(cid, "latest", cce_upgrade_snapshot=False))
    text = output(proc)
    assert proc.returncode == 0, text[-4000:]
    assert sim.cluster("ancient-a")["version"].startswith("v1.33.")
    # v1.23.17-r30, v1.28, v1.31, v1.32, v1.33: the path table's largest steps
    posts = upgrade_posts(sim, cid)
    assert len(posts) == 5, text[-3000:]
    assert re.search(r"v1\.23\.8-r0 -> v1\.33\.\S+ in 5 hops: v1\.23\.17-r30 \(patch\), v1\.28\.15-r30 \(minor\), "
                     r"v1\.31\.10-r0 \(minor\), v1\.32\.\S+ \(minor\), v1\.33\.\S+ \(minor\)", text), text[-3000:]
    assert refused(sim, cid) == []


def test_sigkill_in_the_second_hop_then_the_rerun_attaches_to_its_task(slow_ansible, slow_sim):
    sim, ansible = slow_sim, slow_ansible
    cid = sim.cluster("ancient-a")["id"]
    variables = hop_vars(cid, "v1.28", cce_upgrade_snapshot=False)
    first = start_playbook(ansible, variables)
    try:
        wait_for(lambda: upgrade_posts(sim, cid) or first.poll() is not None, what="hop 1's upgrade POST")
        sim.advance(LONG_UPGRADE)   # hop 1's task ends
        wait_for(lambda: len(upgrade_posts(sim, cid)) >= 2 or first.poll() is not None, what="hop 2's upgrade POST")

        def hop2_polled():
            log = sim.requests()
            second = [i for i, r in enumerate(log) if r["method"] == "POST" and r["path"].endswith("/operation/upgrade")][1]
            return any(TASK_READ.search(r["path"]) for r in log[second + 1:])

        wait_for(lambda: hop2_polled() or first.poll() is not None, what="a poll of hop 2's task")
    finally:
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == -signal.SIGKILL, "the playbook ended before it could be killed"
    assert sim.cluster("ancient-a")["version"] == "v1.23.17-r30"
    reads = len([r for r in sim.requests() if TASK_READ.search(r["path"])])

    rc, out = finish_while_running(ansible, sim, variables,
                                   lambda: len([r for r in sim.requests() if TASK_READ.search(r["path"])]) > reads,
                                   "the rerun's poll of hop 2's task")
    assert rc == 0, out[-4000:]
    assert "attached (already running)" in out
    assert sim.cluster("ancient-a")["version"] == "v1.28.15-r30"
    assert len(upgrade_posts(sim, cid)) == 2      # no second task in hop 2
    assert len(posts_to(sim, cid, "/operation/upgradeworkflows")) == 2
    assert "Cluster ancient-a upgraded from v1.23.17-r30 to v1.28.15-r30" in out
    assert refused(sim, cid) == []


def test_window_closing_between_hops_ends_partial_and_the_next_run_completes(ansible, sim, tmp_path):
    cid = sim.cluster("ancient-a")["id"]
    report = tmp_path / "report.json"
    # Saturday, 60 minutes and 5 seconds before the window closes: hop 1 starts, and takes longer than 5 s
    # (its upgrade task alone runs 6 s at the simulator's time scale), so hop 2 finds less than 60 minutes left.
    proc = ansible.run_playbook(PLAYBOOK, hop_vars(
        cid, "v1.28", cce_upgrade_snapshot=False, cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-13T04:59:55+02:00",
        cce_upgrade_window_min_remaining=60, cce_upgrade_report_path=str(report)))
    text = " ".join(output(proc).split())
    assert proc.returncode == 0, text[-3000:]
    assert ("At v1.23.17-r30; next hop v1.28.15-r30 (hop 2 of 2) in the next window (opens at 2026-06-14T02:00:00+02:00)"
            in text), text[-3000:]
    result = json.loads(report.read_text())
    assert result["outcome"] == "partial"
    assert [(h["to"], h["outcome"]) for h in result["hops"]] == [("v1.23.17-r30", "upgraded"), ("v1.28.15-r30", "not_started")]
    assert sim.cluster("ancient-a")["version"] == "v1.23.17-r30"
    assert len(upgrade_posts(sim, cid)) == 1

    nxt = ansible.run_playbook(PLAYBOOK, hop_vars(
        cid, "v1.28", cce_upgrade_snapshot=False, cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-14T02:10:00+02:00"))
    assert nxt.returncode == 0, output(nxt)[-3000:]
    assert sim.cluster("ancient-a")["version"] == "v1.28.15-r30"
    assert len(upgrade_posts(sim, cid)) == 2


def test_fatal_risk_in_the_second_hop_names_it_and_the_cluster_stays_at_the_first(ansible, sim, tmp_path):
    # APIs removed in v1.25: the patch hop's pre-check passes, the minor hop's finds the fatal risk.
    cid = sim.add_cluster(name="psp-a", flavor="cce", version="v1.23.8-r0", precheck_risk="fatal", precheck_risk_from="v1.25")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, hop_vars(cid, "v1.28", cce_upgrade_snapshot=False, cce_upgrade_report_path=str(report)))
    text = " ".join(output(proc).split())
    assert proc.returncode != 0
    result = json.loads(report.read_text())
    message = result["message"]
    assert "Upgrade of psp-a to v1.28 (hop 2 of 2 (v1.23.17-r30 -> v1.28.15-r30)) failed in step precheck" in message
    assert "deprecated-api-check" in message
    assert "The cluster stays at v1.23.17-r30, the version of hop 1 (the last finished hop)." in message
    assert message in text
    assert result["outcome"] == "failed" and result["failed_step"] == "precheck"
    hops = result["hops"]
    assert [(h["to"], h["outcome"], h["failed_step"]) for h in hops] == [
        ("v1.23.17-r30", "upgraded", None), ("v1.28.15-r30", "failed", "precheck")]
    assert hops[1]["precheck_task_id"] and hops[1]["precheck_task_id"] in message
    assert sim.cluster("psp-a")["version"] == "v1.23.17-r30"
    assert len(upgrade_posts(sim, cid)) == 1


def test_check_mode_shows_every_hop_and_sends_nothing(ansible, sim):
    cid = sim.cluster("ancient-a")["id"]
    proc = ansible.run_playbook(PLAYBOOK, hop_vars(cid, "v1.31"), check=True, env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert sim.writes() == []
    assert "Would run (check mode), v1.23.8-r0 -> v1.31.10-r0 in 3 hops" in text
    assert "hop 1 of 3 (v1.23.8-r0 -> v1.23.17-r30), steps:" in text
    assert "submit the upgrade task v1.23.8-r0 -> v1.23.17-r30" in text
    assert ("hop 2 of 3, v1.23.17-r30 -> v1.28.15-r30 (minor, after hop 1): workflow, precheck, snapshot, upgrade, wait, "
            "postcheck, verify") in text
    assert "hop 3 of 3, v1.28.15-r30 -> v1.31.10-r0 (minor, after hop 2)" in text
    assert re.search(r'"outcome": "planned"', text)
