"""hwcloud.cce.cce_cluster_upgrade_info driven by real ``ansible`` against the simulator."""

import threading
import time
import uuid

import pytest

MODULE = "cce_cluster_upgrade_info"


# An upgrade without a valid pre-check of ours (isOnlyUpgrade false) starts with CCE's own pre-check:
# on the slow simulator that stage lasts as long as a pre-check (360000 s), then the upgrade 600 s.
THROUGH_UPGRADE = 360000 + 700


def cluster_id(simulator, name):
    return simulator.cluster(name)["id"]


def info(ansible, cid, check=False, **args):
    return ansible.run_module(MODULE, dict({"cluster_id": cid}, **args), check=check)


def start_upgrade(ansible, cid, **args):
    params = dict({"cluster_id": cid, "target_version": "v1.30", "wait": False}, **ansible.fast)
    params.update(args)
    rc, result, output = ansible.run_module("cce_cluster_upgrade", params)
    assert rc == 0, output
    return result


TASK_KEYS = {"task_id", "version", "target_version", "phase", "progress", "message",
             "creation_timestamp", "update_timestamp", "completion_time"}


def test_versions_targets_and_paths(ansible, sim):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = info(ansible, cid)
    assert rc == 0, output
    assert result["changed"] is False
    assert result["cluster_id"] == cid and result["cluster_name"] == "prod-a"
    assert result["cluster_status"] == "Available"
    assert result["current_version"] == "v1.29"
    assert (result["release"], result["patch"], result["full_version"]) == ("v1.29.4", "r0", "v1.29.4-r0")
    assert result["platform_version"] == "cce.4.0" and result["patch_target"] is None
    assert result["target_versions"] == ["v1.30.14-r10", "v1.31.10-r0"]
    paths = dict(((p["version"], p["platform_version"]), p["target_versions"]) for p in result["upgrade_paths"])
    assert paths[("v1.29", "cce.4.0")] == ["v1.30.14-r10", "v1.31.10-r0"]
    assert paths[("v1.29", "cce.2.0")] == ["v1.29.4-r0", "v1.30.14-r10", "v1.31.10-r0"]
    assert result["tasks"] == [] and result["active_task"] is None
    assert set(result["last_upgrade"]) == {"phase", "progress", "completion_time"}
    assert sim.writes() == []


def test_legacy_cluster_targets(ansible, sim):
    rc, result, output = info(ansible, cluster_id(sim, "legacy-a"))
    assert rc == 0, output
    assert result["current_version"] == "v1.25" and result["full_version"] == "v1.25.16-r10"
    assert result["target_versions"] == ["v1.27.16-r10", "v1.28.15-r30"]


def test_check_mode_reads_the_same(ansible, sim):
    cid = cluster_id(sim, "prod-b")
    rc, normal, output = info(ansible, cid)
    assert rc == 0, output
    rc, checked, output = info(ansible, cid, check=True)
    assert rc == 0, output
    assert checked["changed"] is False
    assert checked["target_versions"] == normal["target_versions"] == ["v1.30.14-r10", "v1.31.10-r0"]
    assert sim.writes() == []


def test_active_task_and_single_task_poll(slow_ansible, slow):
    cid = cluster_id(slow, "prod-c")
    started = start_upgrade(slow_ansible, cid)
    rc, result, output = info(slow_ansible, cid)
    assert rc == 0, output
    assert [t["task_id"] for t in result["tasks"]] == [started["task_id"]]
    assert set(result["tasks"][0]) == TASK_KEYS
    active = result["active_task"]
    assert active["task_id"] == started["task_id"]
    assert active["phase"] in ("Init", "Queuing", "Running", "Pause")
    assert (active["version"], active["target_version"]) == ("v1.29.4-r0", "v1.30.14-r10")
    assert result["cluster_status"] == "Upgrading"

    before = len(slow.requests())
    rc, polled, output = info(slow_ansible, cid, task_id=started["task_id"])
    assert rc == 0, output
    requests = slow.requests()[before:]
    assert len(requests) == 1
    assert requests[0]["method"] == "GET" and requests[0]["path"].endswith("/operation/upgrade/tasks/" + started["task_id"])
    assert polled["task_id"] == started["task_id"] and polled["cluster_id"] == cid
    assert polled["task"]["task_id"] == started["task_id"] and set(polled["task"]) == TASK_KEYS
    assert "tasks" not in polled and "active_task" not in polled

    slow.advance(THROUGH_UPGRADE)
    rc, done, output = info(slow_ansible, cid)
    assert rc == 0, output
    assert done["active_task"] is None
    assert done["tasks"][0]["phase"] == "Success"
    assert done["current_version"] == "v1.30" and done["full_version"] == "v1.30.14-r10"
    assert done["last_upgrade"]["phase"] == "Success"
    assert done["target_versions"] == ["v1.31.10-r0"]


def task_reads(simulator, task_id):
    return [r for r in simulator.requests() if r["path"].endswith("/operation/upgrade/tasks/" + task_id)]


def test_watch_returns_when_the_task_ends_one_request_per_poll(slow_ansible, slow):
    cid = cluster_id(slow, "prod-a")
    started = start_upgrade(slow_ansible, cid)
    before = len(task_reads(slow, started["task_id"]))

    def finish_after_two_polls():
        deadline = time.monotonic() + 120
        while len(task_reads(slow, started["task_id"])) < before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        slow.advance(THROUGH_UPGRADE)

    finisher = threading.Thread(target=finish_after_two_polls)
    finisher.start()
    try:
        rc, result, output = info(slow_ansible, cid, task_id=started["task_id"], watch_seconds=120, poll_interval=0.5)
    finally:
        finisher.join(timeout=130)
    assert rc == 0, output
    assert result["task"]["phase"] == "Success"
    reads = task_reads(slow, started["task_id"])[before:]
    assert result["polls"] == len(reads) >= 3
    # It stopped at the first read that saw the end: that read is the last request to the simulator.
    assert slow.requests()[-1]["path"].endswith("/operation/upgrade/tasks/" + started["task_id"])
    assert all(r["method"] == "GET" for r in reads)


@pytest.mark.parametrize("failed_reads", [0, 1])
def test_watch_ends_without_failing_when_the_time_is_up(slow_ansible, slow, failed_reads):
    """The time is up: the last read is returned, no failure; a read that fails (503, no retries)
    is only a missed poll."""
    cid = cluster_id(slow, "prod-c")
    started = start_upgrade(slow_ansible, cid)
    before = len(task_reads(slow, started["task_id"]))
    slow.set_faults({"rules": [{"fault": "error", "status": 503, "method": "GET",
                                "path": "/operation/upgrade/tasks/" + started["task_id"], "count": failed_reads}]})
    rc, result, output = info(slow_ansible, cid, task_id=started["task_id"], watch_seconds=1, poll_interval=0.4,
                              api_retries=0)
    assert rc == 0, output
    assert result["task"]["task_id"] == started["task_id"]
    assert result["task"]["phase"] in ("Init", "Queuing", "Running")
    # Reads at 0, 0.4, 0.8 and one at the deadline.
    reads = task_reads(slow, started["task_id"])[before:]
    assert result["polls"] == len(reads) == 4
    assert len([r for r in reads if r["status"] == 503]) == failed_reads


def test_autopilot(ansible, sim):
    cid = cluster_id(sim, "ap-b")
    rc, result, output = info(ansible, cid, cluster_flavor="autopilot")
    assert rc == 0, output
    assert result["current_version"] == "v1.29" and result["target_versions"] == ["v1.30.14-r10", "v1.31.10-r0"]
    assert result["tasks"] == []
    assert sim.requests() and all(r["path"].startswith("/autopilot/") for r in sim.requests())


def test_ad_hoc_key_value_form(ansible, sim):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = ansible.run_module(MODULE, "cluster_id=%s" % cid)
    assert rc == 0, output
    assert result["cluster_id"] == cid and result["current_version"] == "v1.29"
    assert "localhost | SUCCESS" in output


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "prod-a"}, "cluster_id"),
    ({"task_id": "../../clusters"}, "task_id"),
    ({"task_id": str(uuid.uuid4()), "watch_seconds": -1}, "watch_seconds"),
    ({"task_id": str(uuid.uuid4()), "watch_seconds": 10, "poll_interval": 0}, "poll_interval"),
])
def test_bad_input_fails_before_any_request(ansible, sim, args, option):
    params = dict({"cluster_id": cluster_id(sim, "prod-a")}, **args)
    rc, result, output = ansible.run_module(MODULE, params)
    assert rc != 0
    assert option in result["msg"]
    assert sim.requests() == []


def test_unknown_cluster_and_task(ansible, sim):
    rc, result, output = info(ansible, str(uuid.uuid4()))
    assert rc != 0
    assert result["status_code"] == 404 and result["error_code"] == "CCE.01404001"
    rc, result, output = info(ansible, cluster_id(sim, "prod-a"), task_id=str(uuid.uuid4()))
    assert rc != 0
    assert result["status_code"] == 404
    assert len(sim.requests()) == 2
