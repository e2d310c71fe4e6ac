"""Role hwcloud.cce.cluster_upgrade end to end, through playbooks/upgrade.yml, against the simulator."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path


REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOK = REPO_ROOT / "playbooks" / "upgrade.yml"
FAST = {"cce_upgrade_poll_interval": 1}
# Simulated length of the upgrade task on the slow simulator (roles/conftest.py).
LONG_UPGRADE = 60000
# Saturday and Sunday 02:00-06:00 in Berlin (summer time, UTC+2, in June 2026).
WINDOW = {"weekdays": ["sat", "sun"], "start": "02:00", "duration": 240, "timezone": "Europe/Berlin"}


def upgrade_vars(sim, name, **extra):
    data = {"cce_upgrade_cluster_id": sim.cluster(name)["id"], "cce_upgrade_target_version": "v1.30"}
    data.update(FAST)
    data.update(extra)
    return data


def output(proc):
    return proc.stdout + proc.stderr


def upgrade_posts(sim, cluster_id):
    return [r for r in sim.writes(cluster_id) if r["method"] == "POST" and r["path"].endswith("/operation/upgrade")]


def posts_to(sim, cluster_id, suffix):
    return [r for r in sim.writes(cluster_id) if r["method"] == "POST" and r["path"].endswith(suffix)]


def recap_changed(text):
    match = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", text)
    assert match, text[-2000:]
    return int(match.group(1))


def start_playbook(ansible, extra_vars):
    """ansible-playbook in its own process group (so it can be killed with everything it started)."""
    cmd = [ansible._command("ansible-playbook"), "-i", "localhost,", "-c", "local", str(PLAYBOOK),
           "-e", json.dumps(extra_vars)]
    return subprocess.Popen(cmd, env=ansible.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_for(predicate, timeout=120, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s" % what)


def finish_while_running(ansible, sim, extra_vars, ready, what):
    """Start playbooks/upgrade.yml, wait until ``ready()``, end the upgrade task by advancing the
    simulated clock, and return (return code, output) of the run."""
    run = start_playbook(ansible, extra_vars)
    try:
        wait_for(lambda: ready() or run.poll() is not None, what=what)
        sim.control("POST", "clock", {"advance": LONG_UPGRADE})
        out = run.communicate(timeout=300)[0]
    finally:
        if run.poll() is None:
            kill_group(run)
    return run.returncode, out


def descendants(pid):
    """PIDs of all processes below ``pid`` (Ansible's workers start their own sessions)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_group(proc):
    """SIGKILL ansible-playbook, its process group and every worker, as a killed AWX job would be."""
    workers = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_upgrade_end_to_end_then_rerun_changes_nothing(ansible, sim, tmp_path):
    cid = sim.cluster("prod-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_report_path=str(report)),
                                env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert sim.cluster("prod-a")["version"] == "v1.30.14-r10"   # v1.30 is its latest patch
    assert len(upgrade_posts(sim, cid)) == 1
    # One progress line per poll: phase, progress (CCE's decimal string), elapsed (Running lines: see the window test).
    assert re.search(r"prod-a upgrade: Success 100(\.00)?% \(elapsed \d+:\d\d:\d\d\)", text), text[-3000:]
    # Full versions (the cluster document shows only the minor); the pre-check was fresh, so CCE skips its own.
    assert "Cluster prod-a upgraded from v1.29.4-r0 to v1.30.14-r10" in text
    assert "CCE skips its own pre-check (ours is valid)" in text
    # Stats for AWX and the JSON report carry the same result.
    assert "CUSTOM STATS" in text and "cce_upgrade_results" in text
    result = json.loads(report.read_text())
    assert result["outcome"] == "upgraded"
    assert result["cluster_id"] == cid and result["cluster_name"] == "prod-a"
    assert result["from_version"] == "v1.29.4-r0" and result["to_version"] == "v1.30.14-r10"
    assert result["workflow_id"] and result["task_id"] and result["precheck_task_id"] and result["snapshot_task_id"]
    assert set(result["durations"]) == {"guard", "workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify"}
    workflows = [r for r in sim.writes(cid) if r["path"].endswith("/operation/upgradeworkflows")]
    assert len(workflows) == 1
    assert len(posts_to(sim, cid, "/operation/postcheck")) == 1

    writes_before = len(sim.writes(cid))
    again = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_report_path=str(report)))
    assert again.returncode == 0, output(again)[-3000:]
    assert len(sim.writes(cid)) == writes_before
    assert "Cluster prod-a is already at v1.30.14-r10: nothing to do." in again.stdout
    assert json.loads(report.read_text())["outcome"] == "already_upgraded"


def test_sigkill_during_upgrade_then_rerun_submits_one_upgrade(ansible, sim):
    cid = sim.cluster("prod-b")["id"]
    first = start_playbook(ansible, upgrade_vars(sim, "prod-b"))
    try:
        wait_for(lambda: upgrade_posts(sim, cid) or first.poll() is not None, what="the upgrade POST")
    finally:
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == -signal.SIGKILL, "the playbook ended before it could be killed"
    assert len(upgrade_posts(sim, cid)) == 1

    rerun = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-b"))
    text = output(rerun)
    assert rerun.returncode == 0, text[-3000:]
    assert sim.cluster("prod-b")["version"].startswith("v1.30")
    assert len(upgrade_posts(sim, cid)) == 1
    assert len([r for r in sim.writes(cid) if r["path"].endswith("/operation/upgradeworkflows")]) == 1
    assert "Cluster prod-b upgraded from v1.29.4-r0 to v1.30.14-r10" in text


def test_outside_the_window_sends_nothing_and_names_the_next_window(ansible, sim):
    # Wednesday 2026-06-10 14:00 Berlin.
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_window=WINDOW,
                                                       cce_upgrade_now="2026-06-10T12:00:00Z"))
    assert proc.returncode == 0, output(proc)[-3000:]
    assert sim.requests() == []
    assert "Outside the maintenance window" in proc.stdout
    assert "next window opens at 2026-06-13T02:00:00+02:00" in proc.stdout
    assert recap_changed(proc.stdout) == 0


def test_too_little_left_in_the_window_refuses_to_start(ansible, sim):
    # Saturday 05:30 Berlin: 30 minutes left, 60 required.
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_window=WINDOW,
                                                       cce_upgrade_now="2026-06-13T05:30:00+02:00",
                                                       cce_upgrade_window_min_remaining=60))
    assert proc.returncode == 0, output(proc)[-3000:]
    assert sim.requests() == []
    assert "Only 30 minutes left in the maintenance window" in proc.stdout
    assert "next window opens at 2026-06-14T02:00:00+02:00" in proc.stdout


def test_bad_window_fails_before_any_request(ansible, sim):
    bad = dict(WINDOW, weekdays=["sat", "caturday"])
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_window=bad))
    text = output(proc)
    assert proc.returncode != 0
    assert "cce_upgrade_window.weekdays" in text and "accepted values: mon, tue" in text
    assert sim.requests() == []


def test_window_closing_pauses_and_next_window_resumes(slow_ansible, slow_sim):
    sim, ansible = slow_sim, slow_ansible
    cid = sim.cluster("prod-c")["id"]
    # Five seconds before the Saturday window closes; the clock keeps moving while the role polls.
    closing = ansible.run_playbook(PLAYBOOK, upgrade_vars(
        sim, "prod-c", cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-13T05:59:55+02:00",
        cce_upgrade_window_min_remaining=0, cce_upgrade_pause_at_window_end=True))
    text = output(closing)
    assert closing.returncode == 0, text[-3000:]
    assert "paused, resumes next window (opens at 2026-06-14T02:00:00+02:00)" in text
    assert len(upgrade_posts(sim, cid)) == 1
    assert len(posts_to(sim, cid, "/operation/upgrade/pause")) == 1
    # One progress line per poll of the running task: phase, progress (CCE's decimal string), elapsed.
    assert re.search(r"prod-c upgrade: (Running|Queuing|Init) \d+\.\d\d% \(elapsed \d+:\d\d:\d\d\)", text), text[-3000:]
    assert sim.cluster("prod-c")["version"] == "v1.29.4-r0"

    # A dry run inside Sunday's window: it would resume the paused task, and sends nothing.
    writes = len(sim.writes(cid))
    dry = ansible.run_playbook(PLAYBOOK, upgrade_vars(
        sim, "prod-c", cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-14T02:10:00+02:00"), check=True)
    text = output(dry)
    assert dry.returncode == 0, text[-3000:]
    assert "would resume the paused upgrade" in text and "resume the paused upgrade task" in text
    assert len(sim.writes(cid)) == writes

    # Sunday inside the window: resume the paused task, then let simulated time run to the end.
    rc, out = finish_while_running(ansible, sim, upgrade_vars(
        sim, "prod-c", cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-14T02:10:00+02:00",
        cce_upgrade_pause_at_window_end=True), lambda: posts_to(sim, cid, "/operation/upgrade/continue"), "the continue POST")
    assert rc == 0, out[-3000:]
    assert "resumed" in out
    assert "Cluster prod-c upgraded from v1.29.4-r0 to v1.30.14-r10" in out
    assert sim.cluster("prod-c")["version"].startswith("v1.30")
    assert len(upgrade_posts(sim, cid)) == 1


def test_progress_interval_polls_inside_one_module_run(slow_ansible, slow_sim):
    """cce_upgrade_progress_interval: the wait step's module run keeps polling (one request per poll)
    and returns at the first read that sees the task end: one module run, one progress line."""
    sim, ansible = slow_sim, slow_ansible
    cid = sim.cluster("prod-b")["id"]

    def task_reads():
        return [r for r in sim.requests()
                if r.get("cluster_id") == cid and re.search(r"/operation/upgrade/tasks/[0-9a-f-]+$", r["path"])]

    rc, out = finish_while_running(ansible, sim, upgrade_vars(
        sim, "prod-b", cce_upgrade_progress_interval=600, cce_upgrade_snapshot=False),
        lambda: len(task_reads()) >= 4, "four reads of the upgrade task")
    assert rc == 0, out[-3000:]
    assert sim.cluster("prod-b")["version"].startswith("v1.30")
    lines = re.findall(r"prod-b upgrade: .*", out)
    assert len(lines) == 1 and re.search(r"Success 100(\.00)?%", lines[0]), out[-3000:]
    assert "RETRYING: [localhost]: Wait for upgrade task" not in out
    assert len(task_reads()) >= 5
    assert all(r["method"] == "GET" for r in task_reads())


def test_fatal_precheck_stops_with_the_items_and_no_upgrade(ansible, sim, tmp_path):
    cid = sim.cluster("risky-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "risky-a", cce_upgrade_report_path=str(report)))
    text = output(proc)
    assert proc.returncode != 0
    assert "failed in step precheck" in text
    assert "deprecated-api-check" in text
    assert upgrade_posts(sim, cid) == []
    assert sim.cluster("risky-a")["version"] == "v1.29.4-r0"
    result = json.loads(report.read_text())
    assert result["outcome"] == "failed" and result["failed_step"] == "precheck"
    assert result["precheck_task_id"] and result["precheck_task_id"] in result["message"]


def test_autopilot_cluster_upgrades_through_the_autopilot_api(ansible, sim):
    cid = sim.cluster("ap-a")["id"]
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "ap-a", cce_upgrade_cluster_flavor="autopilot", cce_upgrade_snapshot=False))
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert sim.cluster("ap-a")["version"].startswith("v1.30")
    posts = upgrade_posts(sim, cid)
    assert len(posts) == 1 and posts[0]["path"].startswith("/autopilot/v3/")
    assert all(r["path"].startswith("/autopilot/") for r in sim.writes(cid))
    assert "Cluster ap-a upgraded from v1.29.4-r0 to v1.30.14-r10" in text


def test_target_out_of_reach_fails_in_guard_without_writes(ansible, sim):
    # From v1.29 the real path table leads up to v1.33 (v1.31, v1.32, v1.33); v1.34 is out of reach.
    cid = sim.cluster("prod-a")["id"]
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_target_version="v1.34"))
    text = " ".join(output(proc).split())
    assert proc.returncode != 0
    assert "failed in step guard" in text
    assert "Cluster prod-a: cce_upgrade_target_version v1.34 cannot be reached from v1.29.4-r0" in text
    assert "CCE offers v1.30.14-r10, v1.31.10-r0 now and the upgrade paths lead up to v1.33.1-r0." in text
    assert sim.writes(cid) == []


def test_task_that_ends_between_the_guard_reads_is_finished_not_restarted(slow_ansible, slow_sim, fast):
    """The guard reads the cluster (v1.29, Upgrading), then the task list; the task ends in between.
    The run finishes the workflow instead of taking it for a new upgrade (found by make soak: a
    rerun after a SIGKILL failed its pre-check against the new version)."""
    sim, ansible = slow_sim, slow_ansible
    cid = sim.cluster("prod-a")["id"]
    # What a run killed right after its upgrade POST leaves: a workflow, a pre-check, a running task.
    for module, args in (("cce_upgrade_workflow", {"target_version": "v1.30"}),
                         ("cce_precheck", dict({"target_version": "v1.30"}, **fast)),
                         ("cce_cluster_upgrade", {"target_version": "v1.30", "wait": False})):
        rc, result, out = ansible.run_module(module, dict({"cluster_id": cid}, **args))
        assert rc == 0, out

    def cluster_reads():
        return len([r for r in sim.requests() if r["method"] == "GET" and r["path"].endswith("/clusters/" + cid)])

    before = cluster_reads()
    sim.set_faults({"rules": [{"fault": "delay", "seconds": 3, "method": "GET", "path": "/operation/upgrade/tasks$",
                               "count": 1}]})
    rc, out = finish_while_running(ansible, sim, upgrade_vars(sim, "prod-a"), lambda: cluster_reads() > before,
                                   "the guard's read of the cluster")
    assert rc == 0, out[-3000:]
    assert "(cce, v1.29.4-r0, Upgrading) -> v1.30: upgrade done, finishing the workflow" in out, out[-3000:]
    assert "Cluster prod-a upgraded from v1.29.4-r0 to v1.30.14-r10" in out
    assert len(upgrade_posts(sim, cid)) == 1
    assert len(posts_to(sim, cid, "/operation/precheck")) == 1
    assert len(posts_to(sim, cid, "/operation/postcheck")) == 1


def test_unknown_cluster_fails_in_guard_naming_the_variables(ansible, sim):
    proc = ansible.run_playbook(PLAYBOOK, dict(upgrade_vars(sim, "prod-a"),
                                               cce_upgrade_cluster_id="0b1c2d3e-4f5a-46b7-a8c9-d0e1f2a3b4c5"))
    text = output(proc)
    assert proc.returncode != 0, text[-3000:]
    assert "failed in step guard" in text
    assert "Cluster 0b1c2d3e-4f5a-46b7-a8c9-d0e1f2a3b4c5 (cce) not found; check cce_upgrade_cluster_id and" in text
    assert sim.writes() == []


def test_check_mode_attaches_to_the_running_upgrade_after_a_timeout(slow_ansible, slow_sim, tmp_path):
    """cce_upgrade_timeout against a task that runs for minutes: the role stops with a message naming
    the task and the timeout; the workflow cannot be cancelled while its task runs (refusal reported);
    a --check run then plans to attach to that task and sends nothing."""
    sim, ansible = slow_sim, slow_ansible
    cid = sim.cluster("prod-a")["id"]
    report = tmp_path / "timeout.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(
        sim, "prod-a", cce_upgrade_timeout=2, cce_upgrade_snapshot=False, cce_upgrade_cancel_on_failure=True,
        cce_upgrade_report_path=str(report)))
    text = output(proc)
    assert proc.returncode != 0, text[-3000:]
    result = json.loads(report.read_text())
    task_id = result["task_id"]
    assert task_id and result["outcome"] == "failed" and result["failed_step"] == "wait"
    assert ("Timed out after 2 s (cce_upgrade_timeout) waiting for upgrade task %s" % task_id) in result["message"]
    assert "The task keeps running in CCE; run the role again to continue waiting." in result["message"]
    assert "Cancelling workflow %s was refused" % result["workflow_id"] in result["message"]
    assert "Running" in result["message"]
    assert [r for r in sim.writes(cid) if r["method"] == "PATCH"] == []   # refused before any request
    assert len(upgrade_posts(sim, cid)) == 1

    writes = len(sim.writes(cid))
    reads = len(sim.requests())
    dry = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a"), check=True,
                               env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    text = output(dry)
    assert dry.returncode == 0, text[-3000:]
    assert len(sim.writes(cid)) == writes
    assert len(sim.requests()) > reads   # the guard did read the cluster
    assert "v1.29.4-r0 -> v1.30 would attach to the running upgrade" in text
    assert "attach to the running upgrade task %s" % task_id in text
    assert re.search(r'"action": "attach"', text) and re.search(r'"outcome": "planned"', text)
    assert "precheck" not in re.search(r'"steps": \[[^\]]*\]', text).group(0)


def test_string_extra_vars_and_a_failed_task_retried(ansible, sim):
    """-e key=value gives strings; the role casts them where used (role argument validation checks
    types but leaves the variables as given). flaky-a's task fails once; cce_upgrade_retry_failed retries it."""
    cid = sim.cluster("flaky-a")["id"]
    strings = {"cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30", "cce_upgrade_poll_interval": "1",
               "cce_upgrade_timeout": "600", "cce_upgrade_precheck_timeout": "300", "cce_upgrade_snapshot": "false",
               "cce_upgrade_retry_failed": "true", "cce_upgrade_cancel_on_failure": "false",
               "cce_upgrade_user_defined_step": "10", "cce_upgrade_snapshot_max_age": "30"}
    args = []
    for name, value in strings.items():
        args += ["-e", "%s=%s" % (name, value)]
    proc = ansible.run_playbook(PLAYBOOK, extra_args=args)
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert sim.cluster("flaky-a")["version"].startswith("v1.30")
    assert len(upgrade_posts(sim, cid)) == 1
    assert len(posts_to(sim, cid, "/operation/upgrade/retry")) == 1
    assert posts_to(sim, cid, "/operation/snapshot") == []   # "false" was read as false
    assert re.search(r"flaky-a upgrade: Failed \d+(\.\d+)?%", text), text[-3000:]
    assert "Cluster flaky-a upgraded from v1.29.4-r0 to v1.30.14-r10" in text


def test_failed_task_without_retry_names_step_task_and_reason_and_cancels(ansible, sim, tmp_path):
    cid = sim.cluster("flaky-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "flaky-a", cce_upgrade_snapshot=False,
                                                       cce_upgrade_cancel_on_failure=True,
                                                       cce_upgrade_report_path=str(report)))
    text = output(proc)
    assert proc.returncode != 0
    result = json.loads(report.read_text())
    task_id = result["task_id"]
    assert result["outcome"] == "failed" and result["failed_step"] == "wait" and task_id
    message = result["message"]
    assert "failed in step wait (task %s)" % task_id in message
    assert "Upgrade task %s failed at" % task_id in message
    # The task carries no message: CCE's reason is on the cluster, and the workflow says where it stopped.
    assert re.search(r"the cluster reports UpgradeFailed: upgrade of node \S+ failed: kubelet did not become ready", message), message
    assert "upgrade workflow %s has its Cluster step Failed" % result["workflow_id"] in message
    assert "Look at the pre-check results" in message
    assert "The upgrade workflow %s was cancelled." % result["workflow_id"] in message
    assert message in " ".join(text.split())
    assert posts_to(sim, cid, "/operation/upgrade/retry") == []
    cancels = [r for r in sim.writes(cid) if r["method"] == "PATCH"]
    assert len(cancels) == 1 and cancels[0]["path"].endswith("/operation/upgradeworkflows/" + result["workflow_id"])
    assert cancels[0]["status"] == 200


def test_expired_precheck_is_not_reused_and_a_0075_answer_is_handled_by_the_module(ansible, sim, posts):
    """A successful pre-check that expired is not reused (the role runs a fresh one). Should CCE still
    answer the upgrade with CCE.01400075 (no public source shows it does), the upgrade module submits
    once more without skipping CCE's own pre-check; the role does not depend on that code any more and
    ends with exactly one upgrade task."""
    cid = sim.cluster("prod-b")["id"]
    rc, first, out = ansible.run_module("cce_precheck", dict(ansible.fast, cluster_id=cid, target_version="v1.30"))
    assert rc == 0 and first["phase"] == "Success", out[-2000:]
    sim.advance(3700 / sim.control("GET", "clock")["time_scale"])  # the validity is an hour of real time
    sim.set_faults({"rules": [{"fault": "error", "method": "POST", "path": "/operation/upgrade$", "status": 400,
                               "error_code": "CCE.01400075", "message": "precheck expired, please precheck again",
                               "count": 1}]})
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-b", cce_upgrade_snapshot=False))
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert sim.cluster("prod-b")["version"] == "v1.30.14-r10"
    submits = upgrade_posts(sim, cid)
    assert [r["status"] for r in submits] == [400, 200]
    prechecks = posts(sim, cid, "/operation/precheck")
    assert len(prechecks) == 2   # ours (expired, not reused), the role's fresh one
    assert "Cluster prod-b upgraded from v1.29.4-r0 to v1.30.14-r10" in text   # one upgrade task: the one 200 above


def test_precheck_expired_at_the_submit_lets_cce_check_inside_the_task(short_precheck_ansible):
    """isOnlyUpgrade: when the role's pre-check has expired by the time it submits, the upgrade is
    submitted with isOnlyUpgrade false (CCE runs its own pre-check inside the task) instead of failing."""
    ansible = short_precheck_ansible
    sim = ansible.sim
    cid = sim.cluster("prod-a")["id"]
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "prod-a", cce_upgrade_snapshot=False))
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "CCE runs its own pre-check first (ours has expired)" in text
    assert [r["status"] for r in upgrade_posts(sim, cid)] == [200]
    assert "Cluster prod-a upgraded from v1.29.4-r0 to v1.30.14-r10" in text


def test_a_fatal_risk_found_by_cces_own_check_is_reported_from_the_cluster(short_precheck_ansible, tmp_path):
    """No failure message on upgrade tasks: the role's pre-check skipped the risky item (accepted risk),
    expired before the submit, and CCE's own check inside the task failed it. The role reports CCE's
    reason from the cluster's status and where to look."""
    ansible = short_precheck_ansible
    sim = ansible.sim
    cid = sim.cluster("risky-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(
        sim, "risky-a", cce_upgrade_snapshot=False, cce_upgrade_skipped_check_items=["deprecated-api-check"],
        cce_upgrade_report_path=str(report)))
    text = output(proc)
    assert proc.returncode != 0, text[-3000:]
    result = json.loads(report.read_text())
    assert result["outcome"] == "failed" and result["failed_step"] == "wait"
    message = result["message"]
    assert "Upgrade task %s failed at" % result["task_id"] in message
    assert ("the cluster reports UpgradePreCheckFailed: the pre-check of the upgrade to v1.30.14-r10 found a fatal "
            "risk: deprecated-api-check") in message, message
    assert "Look at the pre-check results" in message
    assert len(upgrade_posts(sim, cid)) == 1
    assert sim.cluster("risky-a")["version"] == "v1.29.4-r0"


def test_patch_upgrade_is_verified_on_the_full_version_then_done(ansible, sim, tmp_path):
    """stale-a is on v1.29.2-r0, not the latest patch of v1.29 (v1.29.4-r0). After the patch upgrade the
    cluster document still reads v1.29: the verify step judges the full version, and a rerun finds the
    cluster at the target (never "Verification failed")."""
    cid = sim.cluster("stale-a")["id"]
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "stale-a", cce_upgrade_target_version="v1.29.4-r0",
                                                       cce_upgrade_snapshot=False, cce_upgrade_report_path=str(report)))
    text = output(proc)
    assert proc.returncode == 0, text[-3000:]
    assert "Verification failed" not in text
    assert "Cluster stale-a upgraded from v1.29.2-r0 to v1.29.4-r0" in text
    result = json.loads(report.read_text())
    assert (result["outcome"], result["from_version"], result["to_version"]) == ("upgraded", "v1.29.2-r0", "v1.29.4-r0")
    assert sim.cluster("stale-a")["version"] == "v1.29.4-r0"
    assert len(upgrade_posts(sim, cid)) == 1

    writes = len(sim.writes(cid))
    again = ansible.run_playbook(PLAYBOOK, upgrade_vars(sim, "stale-a", cce_upgrade_target_version="v1.29.4-r0",
                                                        cce_upgrade_report_path=str(report)))
    assert again.returncode == 0, output(again)[-3000:]
    assert "Cluster stale-a is already at v1.29.4-r0: nothing to do." in again.stdout
    assert json.loads(report.read_text())["outcome"] == "already_upgraded"
    assert len(sim.writes(cid)) == writes


def test_refused_pause_at_the_window_end_lets_the_task_run_to_its_end(slow_ansible, slow_sim):
    """Pause and continue are deprecated: on a cluster where CCE refuses them, the window-end pause says
    so and the role waits for the task to finish instead of leaving it paused."""
    sim, ansible = slow_sim, slow_ansible
    cid = sim.add_cluster(name="nopause-a", flavor="cce", version="v1.29.4-r0", pause_continue="deprecated")["id"]
    rc, out = finish_while_running(ansible, sim, {
        "cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30", "cce_upgrade_poll_interval": 1,
        "cce_upgrade_window": WINDOW, "cce_upgrade_now": "2026-06-13T05:59:55+02:00",
        "cce_upgrade_window_min_remaining": 0, "cce_upgrade_pause_at_window_end": True},
        lambda: posts_to(sim, cid, "/operation/upgrade/pause"), "the refused pause POST")
    text = " ".join(out.split())
    assert rc == 0, out[-3000:]
    assert [r["status"] for r in posts_to(sim, cid, "/operation/upgrade/pause")] == [400]
    assert "but CCE refused to pause it (pause and continue are deprecated CCE APIs" in text
    assert "Cluster nopause-a upgraded from v1.29.4-r0 to v1.30.14-r10" in text
    assert "paused, resumes next window" not in text
    assert sim.cluster("nopause-a")["version"] == "v1.30.14-r10"
    assert posts_to(sim, cid, "/operation/upgrade/continue") == []
