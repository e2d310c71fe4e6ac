"""hwcloud.cce.cce_cluster_upgrade driven by real ``ansible`` against the simulator."""

import threading
import time
import uuid

import pytest

MODULE = "cce_cluster_upgrade"
UPGRADE = "/operation/upgrade"
ACTIVE = ("Init", "Queuing", "Running", "Pause")


# An upgrade without a valid pre-check of ours (isOnlyUpgrade false) starts with CCE's own pre-check:
# on the slow simulator that stage lasts as long as a pre-check (360000 s), then the upgrade 600 s.
THROUGH_UPGRADE = 360000 + 700


def cluster_id(simulator, name):
    return simulator.cluster(name)["id"]


def upgrade(ansible, cid, check=False, diff=False, env=None, **args):
    params = dict({"cluster_id": cid, "target_version": "v1.30", "is_only_upgrade": True}, **ansible.fast)
    params.update(args)
    return ansible.run_module(MODULE, params, check=check, diff=diff, env=env)


def task_ids(api, cid):
    """The ids of the cluster's upgrade tasks, read from CCE (the simulator) directly."""
    return [task["metadata"]["uid"] for task in api.list_upgrade_tasks(cid).get("items") or []]


# --------------------------------------------------------------------------- state=present

def test_upgrade_changes_then_rerun_changes_nothing(ansible, sim, posts):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = upgrade(ansible, cid, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["attached"] is False
    assert result["phase"] == "Success" and float(result["progress"]) == 100   # CCE: a decimal string
    assert result["cluster_id"] == cid
    assert result["task_id"] and result["task"]["task_id"] == result["task_id"]
    assert (result["from_version"], result["to_version"]) == ("v1.29.4-r0", "v1.30.14-r10")
    assert result["diff"] == {"before": {"version": "v1.29.4-r0"}, "after": {"version": "v1.30"}}
    assert sim.cluster("prod-a")["version"] == "v1.30.14-r10"
    assert len(posts(sim, cid, UPGRADE)) == 1
    body_check = [r for r in sim.requests() if r["path"].endswith("/upgradeinfo")]
    assert body_check, "the target must be checked against upgradeinfo before the POST"

    writes_before = len(sim.writes(cid))
    rc, again, output = upgrade(ansible, cid)
    assert rc == 0, output
    assert again["changed"] is False
    assert again["attached"] is False
    assert again["task_id"] == result["task_id"]
    assert again["phase"] == "Success"
    assert len(sim.writes(cid)) == writes_before


def test_check_mode_reads_only_and_reports_the_diff(ansible, sim, cce_api):
    cid = cluster_id(sim, "prod-b")
    rc, result, output = upgrade(ansible, cid, check=True, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["task_id"] is None
    assert result["diff"] == {"before": {"version": "v1.29.4-r0"}, "after": {"version": "v1.30"}}
    assert sim.writes() == []
    assert sim.cluster("prod-b")["version"] == "v1.29.4-r0"
    assert task_ids(cce_api(sim), cid) == []


def test_check_mode_at_target_reports_no_change(ansible, sim):
    cid = cluster_id(sim, "prod-b")
    rc, result, output = upgrade(ansible, cid, target_version="v1.29", check=True)
    assert rc == 0, output
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"] == {"version": "v1.29.4-r0"}
    assert sim.writes() == []


def test_autopilot_upgrade(ansible, sim, posts):
    cid = cluster_id(sim, "ap-a")
    rc, result, output = upgrade(ansible, cid, cluster_flavor="autopilot")
    assert rc == 0, output
    assert result["changed"] is True and result["phase"] == "Success"
    assert sim.cluster("ap-a")["version"] == "v1.30.14-r10"
    sent = posts(sim, cid, UPGRADE)
    assert len(sent) == 1 and sent[0]["path"].startswith("/autopilot/v3/")
    assert all(r["path"].startswith("/autopilot/") for r in sim.requests())

    rc, again, output = upgrade(ansible, cid, cluster_flavor="autopilot")
    assert rc == 0, output
    assert again["changed"] is False
    assert len(posts(sim, cid, UPGRADE)) == 1


def test_second_run_attaches_to_the_running_upgrade(slow_ansible, slow, posts):
    cid = cluster_id(slow, "prod-c")
    rc, first, output = upgrade(slow_ansible, cid, wait=False)
    assert rc == 0, output
    assert first["changed"] is True and first["attached"] is False
    assert first["phase"] in ACTIVE

    rc, second, output = upgrade(slow_ansible, cid, wait=False)
    assert rc == 0, output
    assert second["changed"] is False
    assert second["attached"] is True
    assert second["task_id"] == first["task_id"]
    assert second["phase"] in ACTIVE
    assert len(posts(slow, cid, UPGRADE)) == 1

    slow.advance(THROUGH_UPGRADE)
    rc, third, output = upgrade(slow_ansible, cid)
    assert rc == 0, output
    assert third["changed"] is False
    assert third["task_id"] == first["task_id"] and third["phase"] == "Success"
    assert len(posts(slow, cid, UPGRADE)) == 1


def test_task_that_ends_between_the_reads_is_reported_not_submitted_again(slow_ansible, slow, posts):
    """The module reads the cluster (still v1.29), then the task list; the task ends in between."""
    cid = cluster_id(slow, "prod-a")
    rc, started, output = upgrade(slow_ansible, cid, wait=False)
    assert rc == 0, output

    def cluster_reads():
        return len([r for r in slow.requests() if r["method"] == "GET" and r["path"].endswith("/clusters/" + cid)])

    before = cluster_reads()
    slow.set_faults({"rules": [{"fault": "delay", "seconds": 3, "method": "GET", "path": UPGRADE + "/tasks$", "count": 1}]})
    finisher = threading.Thread(target=lambda: (wait_until(lambda: cluster_reads() > before), slow.advance(THROUGH_UPGRADE)))
    finisher.start()
    try:
        rc, result, output = upgrade(slow_ansible, cid, wait=False)
    finally:
        finisher.join(timeout=120)
    assert rc == 0, output
    assert result["changed"] is False and result["attached"] is False
    assert result["task_id"] == started["task_id"] and result["phase"] == "Success"
    assert (result["from_version"], result["to_version"]) == ("v1.29.4-r0", "v1.30.14-r10")
    assert len(posts(slow, cid, UPGRADE)) == 1


def wait_until(predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_lost_reply_on_the_upgrade_post_is_reread_and_attached(ansible, sim, posts, cce_api):
    cid = cluster_id(sim, "prod-a")
    sim.set_faults({"rules": [{"fault": "reset_after", "method": "POST", "path": "/operation/upgrade$", "count": 1}]})
    rc, result, output = upgrade(ansible, cid, wait=False)
    assert rc == 0, output
    assert result["attached"] is True
    assert result["changed"] is True
    assert result["task_id"]
    assert len(posts(sim, cid, UPGRADE)) == 1
    assert task_ids(cce_api(sim), cid) == [result["task_id"]]


def test_active_upgrade_to_another_target_fails_without_a_write(slow_ansible, slow):
    cid = cluster_id(slow, "legacy-a")
    rc, first, output = upgrade(slow_ansible, cid, target_version="v1.27", wait=False)
    assert rc == 0, output
    writes = len(slow.writes(cid))
    rc, result, output = upgrade(slow_ansible, cid, target_version="v1.28", wait=False)
    assert rc != 0
    assert "already has an active upgrade" in result["msg"]
    assert "v1.28" in result["msg"] and first["task_id"] in result["msg"]
    assert result["task_id"] == first["task_id"]
    assert len(slow.writes(cid)) == writes


def test_is_only_upgrade_false_lets_cce_run_its_own_precheck(ansible, sim, cce_api):
    """isOnlyUpgrade false (CCE's default) needs no pre-check of ours: CCE checks inside the task."""
    cid = cluster_id(sim, "prod-b")
    rc, result, output = upgrade(ansible, cid, is_only_upgrade=False)
    assert rc == 0, output
    assert result["changed"] is True and result["phase"] == "Success" and result["is_only_upgrade"] is False
    assert task_ids(cce_api(sim), cid) == [result["task_id"]]


def test_strategy_options_reach_the_api(ansible, sim, posts):
    cid = cluster_id(sim, "prod-c")
    rc, result, output = upgrade(
        ansible, cid, wait=False, user_defined_step=40, scope="NodePool",
        node_pool_order={"DefaultPool": 3},
        node_order={"DefaultPool": [{"node_selector": {"key": "zone", "value": ["az1"], "operator": "in"}, "priority": 1}]},
        addons=[{"name": "coredns", "version": "1.30.3"}],
    )
    assert rc == 0, output
    assert result["changed"] is True
    assert len(posts(sim, cid, UPGRADE)) == 1


# --------------------------------------------------------------------------- wait outcomes, retry

def test_failed_task_then_retried_succeeds(ansible, sim, fast):
    cid = cluster_id(sim, "flaky-a")
    rc, failed, output = upgrade(ansible, cid)
    assert rc != 0
    assert failed["phase"] == "Failed"
    assert failed["timed_out"] is False
    assert failed["task_id"] and failed["task_id"] in failed["msg"]
    assert "state=retried" in failed["msg"]
    assert failed["failure"]["cluster_message"] and failed["failure"]["cluster_message"] in failed["msg"]

    writes = len(sim.writes(cid))
    rc, again, output = upgrade(ansible, cid)
    assert rc != 0
    assert "state=retried" in again["msg"]
    assert len(sim.writes(cid)) == writes

    rc, checked, output = ansible.run_module(MODULE, dict(cluster_id=cid, state="retried", **fast), check=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert len(sim.writes(cid)) == writes

    rc, retried, output = ansible.run_module(MODULE, dict(cluster_id=cid, state="retried", **fast))
    assert rc == 0, output
    assert retried["changed"] is True
    assert retried["phase"] == "Success"
    assert retried["task_id"] == failed["task_id"]
    assert sim.cluster("flaky-a")["version"] == "v1.30.14-r10"
    retries = [w for w in sim.writes(cid) if w["path"].endswith("/operation/upgrade/retry")]
    assert len(retries) == 1

    rc, noop, output = ansible.run_module(MODULE, dict(cluster_id=cid, state="retried", **fast))
    assert rc == 0, output
    assert noop["changed"] is False
    assert len(sim.writes(cid)) == writes + 1


def test_wait_timeout_is_reported_apart_from_a_failure(slow_ansible, slow, posts):
    cid = cluster_id(slow, "prod-a")
    rc, result, output = upgrade(slow_ansible, cid, wait_timeout=1)
    assert rc != 0
    assert result["timed_out"] is True
    assert "timed out" in result["msg"]
    assert result["task_id"] and result["task_id"] in result["msg"]
    assert result["phase"] in ACTIVE
    assert result["progress"] is not None
    assert len(posts(slow, cid, UPGRADE)) == 1


def test_pause_and_resume_are_idempotent(slow_ansible, slow):
    cid = cluster_id(slow, "prod-b")
    rc, started, output = upgrade(slow_ansible, cid, wait=False)
    assert rc == 0, output

    def state(value, check=False, **extra):
        args = dict(cluster_id=cid, state=value, **dict(slow_ansible.fast, **extra))
        return slow_ansible.run_module(MODULE, args, check=check)

    rc, checked, output = state("paused", check=True)
    assert rc == 0, output
    assert checked["changed"] is True and checked["diff"]["after"]["phase"] == "Pause"
    assert len(slow.writes(cid)) == 1

    rc, paused, output = state("paused")
    assert rc == 0, output
    assert paused["changed"] is True and paused["phase"] == "Pause"
    assert paused["task_id"] == started["task_id"]
    assert paused["diff"]["after"]["phase"] == "Pause"
    assert len(slow.writes(cid)) == 2

    rc, again, output = state("paused")
    assert rc == 0, output
    assert again["changed"] is False and again["phase"] == "Pause"
    rc, checked, output = state("resumed", check=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert len(slow.writes(cid)) == 2

    rc, resumed, output = state("resumed", wait=False)
    assert rc == 0, output
    assert resumed["changed"] is True
    assert resumed["phase"] in ("Queuing", "Running")
    assert len(slow.writes(cid)) == 3

    rc, running, output = state("resumed", wait=False)
    assert rc == 0, output
    assert running["changed"] is False and running["phase"] in ("Queuing", "Running")

    slow.advance(THROUGH_UPGRADE)
    rc, finished, output = state("resumed")
    assert rc == 0, output
    assert finished["changed"] is False
    assert finished["phase"] == "Success"
    assert len(slow.writes(cid)) == 3
    assert slow.cluster("prod-b")["version"] == "v1.30.14-r10"


@pytest.mark.parametrize("state", ["paused", "resumed"])
def test_pause_and_resume_on_autopilot_are_refused_before_any_request(ansible, sim, state):
    cid = cluster_id(sim, "ap-b")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": state, "cluster_flavor": "autopilot"})
    assert rc != 0
    assert "autopilot" in result["msg"] and state in result["msg"]
    assert sim.requests() == []


def test_pause_without_an_active_task_fails_clearly(ansible, sim):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "paused"})
    assert rc != 0
    assert "no active upgrade task" in result["msg"]
    assert sim.writes() == []


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "not-a-cluster"}, "cluster_id"),
    ({"target_version": "1.30x"}, "target_version"),
    ({"target_version": None}, "target_version"),
    ({"user_defined_step": 0}, "user_defined_step"),
    ({"user_defined_step": 121}, "user_defined_step"),
    ({"scope": "Everything"}, "scope"),
    ({"node_pool_order": {"DefaultPool": -1}}, "node_pool_order"),
    ({"node_order": {"DefaultPool": [{"node_selector": {"key": "k", "operator": "like"}}]}}, "node_order"),
    ({"addons": [{"name": "coredns"}]}, "version"),
    ({"wait_timeout": -5}, "wait_timeout"),
])
def test_bad_input_fails_before_any_request(ansible, sim, args, option):
    params = {"cluster_id": cluster_id(sim, "prod-a"), "target_version": "v1.30"}
    params.update(args)
    params = {k: v for k, v in params.items() if v is not None}
    rc, result, output = ansible.run_module(MODULE, params)
    assert rc != 0
    assert option in result["msg"], result["msg"]
    assert sim.requests() == []


@pytest.mark.parametrize("env, words", [
    ({"HW_AUTH_TOKEN": "some-token"}, "conflicting"),
    ({"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}, "no credentials"),
])
def test_bad_credentials_fail_before_any_request(ansible, sim, env, words):
    rc, result, output = upgrade(ansible, cluster_id(sim, "prod-a"), env=env)
    assert rc != 0
    assert words in result["msg"]
    assert sim.requests() == []


@pytest.mark.parametrize("target, words", [
    ("v1.30.99-r9", "not offered"),
    ("v1.99", "skips"),
    ("v1.28", "lower"),
])
def test_unusable_targets_are_refused_before_any_write(ansible, sim, target, words):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = upgrade(ansible, cid, target_version=target)
    assert rc != 0
    assert "target_version" in result["msg"] and words in result["msg"], result["msg"]
    assert result["allowed_targets"] == ["v1.30.14-r10", "v1.31.10-r0"]
    assert sim.writes() == []
    assert sim.requests(), "the target is checked with reads"


def test_unknown_cluster_fails_with_the_api_error(ansible, sim):
    rc, result, output = upgrade(ansible, str(uuid.uuid4()))
    assert rc != 0
    assert result["status_code"] == 404
    assert result["error_code"] == "CCE.01404001"
    assert sim.writes() == []


def test_ad_hoc_key_value_form(ansible, sim, posts):
    cid = cluster_id(sim, "prod-c")
    rc, result, output = ansible.run_module(
        MODULE, "cluster_id=%s target_version=v1.30 is_only_upgrade=true wait=false" % cid)
    assert rc == 0, output
    assert result["changed"] is True and result["cluster_id"] == cid
    assert len(posts(sim, cid, UPGRADE)) == 1
