# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ensure_* paths of cce_cluster_upgrade that the simulator cannot stage on demand
(CCE's 429 'locked' answer racing another run, a lost reply with no task afterwards), with a
fake CceModule and CceApi."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import TaskFailed, WaitTimeout
from ansible_collections.hwcloud.cce.plugins.modules import cce_cluster_upgrade as mod

CID = "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04"


class Failed(Exception):
    def __init__(self, msg, **extra):
        super(Failed, self).__init__(msg)
        self.msg = msg
        self.extra = extra


def task(uid, phase, target="v1.30"):
    return {"metadata": {"uid": uid, "creationTimestamp": "2026-11-22 07:00:00.000000 +0000 UTC"},
            "spec": {"version": "v1.29", "targetVersion": target}, "status": {"phase": phase, "progress": "10"}}


class FakeApi:
    def __init__(self, task_lists, submit=None, task_reads=None, release="v1.29.4", patch="r0", prechecks=None,
                 cluster_status=None, workflows=None, pause=None):
        self.task_lists = list(task_lists)
        self.submit = submit
        self.task_reads = task_reads or {}
        self.release, self.patch = release, patch
        self.prechecks = prechecks or []
        self.cluster_status = cluster_status or {"phase": "Available"}
        self.workflows = workflows or []
        self.pause = pause
        self.bodies = []
        self.calls = []

    def get_cluster(self, cluster_id):
        self.calls.append("get_cluster")
        return {"metadata": {"uid": cluster_id, "name": "c"}, "spec": {"version": "v1.29", "platformVersion": "cce.5.0"},
                "status": self.cluster_status}

    def list_prechecks(self, cluster_id):
        self.calls.append("list_prechecks")
        return {"items": self.prechecks}

    def list_workflows(self, cluster_id):
        self.calls.append("list_workflows")
        return {"items": self.workflows}

    def pause_upgrade(self, cluster_id):
        self.calls.append("pause_upgrade")
        if isinstance(self.pause, Exception):
            raise self.pause
        return {}

    def list_upgrade_tasks(self, cluster_id):
        self.calls.append("list_upgrade_tasks")
        items = self.task_lists.pop(0) if len(self.task_lists) > 1 else self.task_lists[0]
        if isinstance(items, Exception):
            raise items
        return {"items": items}

    def get_upgrade_info(self, cluster_id):
        self.calls.append("get_upgrade_info")
        return {"spec": {"versionInfo": {"release": self.release, "patch": self.patch, "targetVersions": ["v1.30"]}}}

    def list_upgrade_paths(self):
        self.calls.append("list_upgrade_paths")
        return {"upgradePaths": [{"version": "v1.29", "targetVersions": ["v1.30"]}]}

    def submit_upgrade(self, cluster_id, body):
        self.calls.append("submit_upgrade")
        self.bodies.append(body)
        submit = self.submit.pop(0) if isinstance(self.submit, list) else self.submit
        if isinstance(submit, Exception):
            raise submit
        return submit

    def get_upgrade_task(self, cluster_id, task_id):
        self.calls.append("get_upgrade_task")
        return self.task_reads.get(task_id) or task(task_id, "Queuing")

    def retry_upgrade(self, cluster_id):
        self.calls.append("retry_upgrade")
        return {}


class FakeModule:
    def __init__(self, api, check_mode=False, wait=False, waited=None, **params):
        self.api = api
        self.check_mode = check_mode
        self.params = dict(cluster_id=CID, state="present", target_version="v1.30", user_defined_step=20,
                           scope="Cluster", addons=None, node_pool_order=None, node_order=None,
                           is_only_upgrade=False, cluster_flavor="cce", wait=wait, wait_timeout=30,
                           poll_interval=1.0)
        self.params.update(params)
        self.waited = waited
        self.client = None
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def fail(self, msg, **extra):
        raise Failed(msg, **extra)

    def fail_from_error(self, err, action, **extra):
        raise Failed("%s failed: %s" % (action, err), error_code=err.error_code, **extra)

    def wait_for(self, fetch, done, failed=None, progress=None):
        if isinstance(self.waited, Exception):
            raise self.waited
        state = fetch()
        return state


def body():
    return mod.up.build_upgrade_body({"target_version": "v1.30"})


def test_locked_answer_attaches_to_the_task_another_run_started():
    locked = CceApiError("Resource locked by other requests.", kind="throttled", status=429, error_code="CCE.01429002")
    api = FakeApi([[], [task("theirs", "Running")]], submit=locked)
    result = mod.ensure_upgraded(FakeModule(api), body())
    assert result["attached"] is True and result["changed"] is False
    assert result["task_id"] == "theirs"
    assert api.calls.count("submit_upgrade") == 1


def test_lost_reply_attaches_to_the_new_task_and_reports_a_change():
    lost = CceApiError("connection reset", kind="connection", outcome_unknown=True)
    api = FakeApi([[task("old", "Success", target="v1.29")], [task("old", "Success", target="v1.29"), task("ours", "Queuing")]],
                  submit=lost)
    result = mod.ensure_upgraded(FakeModule(api), body())
    assert result["attached"] is True and result["changed"] is True
    assert result["task_id"] == "ours"
    assert api.calls.count("submit_upgrade") == 1


class FakeClock:
    """A clock the waiter's sleeps advance, so the settle polls take no real time."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    real = mod.wait_until

    def wait_until(*args, **kwargs):
        kwargs.update(clock=fake, sleep=fake.sleep)
        return real(*args, **kwargs)

    monkeypatch.setattr(mod, "wait_until", wait_until)
    return fake


def test_lost_reply_without_a_task_fails_and_never_posts_twice(clock):
    lost = CceApiError("connection reset", kind="connection", outcome_unknown=True)
    api = FakeApi([[]], submit=lost)
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api), body())
    assert "no upgrade task to v1.30 was found" in failure.value.msg
    assert api.calls.count("submit_upgrade") == 1
    # Bounded: the task list is polled for UNKNOWN_OUTCOME_SETTLE seconds at most, then the run fails.
    assert clock.now <= mod.UNKNOWN_OUTCOME_SETTLE
    assert api.calls.count("list_upgrade_tasks") == 1 + int(mod.UNKNOWN_OUTCOME_SETTLE) + 1


def test_late_reply_polls_until_the_task_appears_then_attaches(clock):
    """The reply came after api_timeout and CCE creates the task a few seconds later."""
    late = CceApiError("read timed out", kind="timeout", outcome_unknown=True)
    slow = CceApiError("read timed out", kind="timeout")
    api = FakeApi([[], [], slow, [], [task("ours", "Queuing")]], submit=late)
    result = mod.ensure_upgraded(FakeModule(api, poll_interval=5.0), body())
    assert result["attached"] is True and result["changed"] is True
    assert result["task_id"] == "ours"
    assert api.calls.count("submit_upgrade") == 1
    assert clock.sleeps == [mod.UNKNOWN_OUTCOME_INTERVAL] * 3  # poll_interval capped


def test_locked_answer_reads_the_task_list_once(clock):
    locked = CceApiError("Resource locked by other requests.", kind="throttled", status=429, error_code="CCE.01429002")
    api = FakeApi([[]], submit=locked)
    with pytest.raises(Failed):
        mod.ensure_upgraded(FakeModule(api), body())
    assert api.calls.count("list_upgrade_tasks") == 2 and clock.sleeps == []


def test_other_errors_fail_without_rereading():
    bad = CceApiError("precheck expired", kind="upgrade_state", status=400, error_code="CCE.01400075")
    api = FakeApi([[]], submit=bad)
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api), body())
    assert failure.value.extra["error_code"] == "CCE.01400075"
    assert api.calls.count("list_upgrade_tasks") == 1


def test_submit_reads_the_new_task_once():
    api = FakeApi([[]], submit={"metadata": {"uid": "new"}})
    result = mod.ensure_upgraded(FakeModule(api), body())
    assert result["changed"] is True and result["attached"] is False
    assert result["task_id"] == "new" and result["phase"] == "Queuing"
    assert api.calls == ["get_cluster", "get_upgrade_info", "list_upgrade_tasks", "get_upgrade_info", "list_upgrade_paths",
                         "submit_upgrade", "get_upgrade_task"]


def test_check_mode_validates_but_never_submits():
    api = FakeApi([[]], submit=AssertionError("no POST in check mode"))
    result = mod.ensure_upgraded(FakeModule(api, check_mode=True), body())
    assert result["changed"] is True and result["task_id"] is None
    assert result["diff"] == {"before": {"version": "v1.29.4-r0"}, "after": {"version": "v1.30"}}
    assert "submit_upgrade" not in api.calls


def test_failed_last_task_to_the_target_points_to_retry():
    api = FakeApi([[task("t1", "Failed")]])
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api), body())
    assert "state=retried" in failure.value.msg and failure.value.extra["task_id"] == "t1"
    assert "submit_upgrade" not in api.calls


def test_wait_timeout_and_task_failure_are_reported_differently():
    last = mod.up.normalize_task(task("t1", "Running"))
    api = FakeApi([[]], submit={"metadata": {"uid": "t1"}})
    with pytest.raises(Failed) as timeout:
        mod.ensure_upgraded(FakeModule(api, wait=True, waited=WaitTimeout(last, timeout=30)), body())
    assert timeout.value.extra["timed_out"] is True and timeout.value.extra["phase"] == "Running"
    assert "timed out after 30 s" in timeout.value.msg

    failed = mod.up.normalize_task(dict(task("t1", "Failed"), status={"phase": "Failed", "progress": "60", "message": "node n1 failed"}))
    api = FakeApi([[]], submit={"metadata": {"uid": "t1"}})
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api, wait=True, waited=TaskFailed(failed)), body())
    assert failure.value.extra["timed_out"] is False and failure.value.extra["phase"] == "Failed"
    assert "node n1 failed" in failure.value.msg and "t1" in failure.value.msg
    assert "cce_precheck" in failure.value.msg and failure.value.extra["failure"]["cluster_reason"] is None


@pytest.mark.parametrize("phase", ["Running", "Success", "Pause"])
def test_retry_is_unchanged_unless_the_task_failed(phase):
    api = FakeApi([[task("t1", phase)]])
    result = mod.ensure_retried(FakeModule(api, state="retried"))
    assert result["changed"] is False and result["phase"] == phase
    assert "retry_upgrade" not in api.calls


def test_retry_of_a_failed_task():
    api = FakeApi([[task("t1", "Failed")]], task_reads={"t1": task("t1", "Running")})
    result = mod.ensure_retried(FakeModule(api, state="retried"))
    assert result["changed"] is True and result["phase"] == "Running"
    assert result["diff"]["before"]["phase"] == "Failed"
    assert api.calls.count("retry_upgrade") == 1


# --------------------------------------------------------------------------- real CCE (issue 10)

def test_point3_a_finished_patch_upgrade_is_done_although_spec_version_reads_the_minor():
    """After a patch upgrade ShowCluster still says v1.29: the full version decides, no new upgrade."""
    api = FakeApi([[task("t1", "Success", target="v1.29.8-r0")]], release="v1.29.8", patch="r0",
                  submit=AssertionError("no POST: the cluster is at the target"))
    result = mod.ensure_upgraded(FakeModule(api, target_version="v1.29.8-r0"), body())
    assert result["changed"] is False and result["task_id"] == "t1"
    assert result["diff"] == {"before": {"version": "v1.29.8-r0"}, "after": {"version": "v1.29.8-r0"}}
    assert "submit_upgrade" not in api.calls


def test_point3_a_later_patch_also_reaches_a_full_target():
    api = FakeApi([[]], release="v1.29.9", patch="r2", submit=AssertionError("no POST"))
    result = mod.ensure_upgraded(FakeModule(api, target_version="v1.29.8-r0"), body())
    assert result["changed"] is False


def _precheck(target="v1.30", cluster_version="v1.29.4-r0", expire="2999-01-01 00:00:00 +0800 CST"):
    return {"metadata": {"uid": "p1", "creationTimestamp": "2026-11-22 07:00:00 +0800 CST"},
            "spec": {"clusterVersion": cluster_version, "targetVersion": target},
            "status": {"phase": "Success", "expireTimeStamp": expire}}


def _sent_only_upgrade(api):
    return [b["spec"]["clusterUpgradeAction"].get("isOnlyUpgrade") for b in api.bodies]


def test_point7_after_our_own_valid_precheck_the_upgrade_skips_cces_check():
    api = FakeApi([[]], submit={"metadata": {"uid": "new"}}, prechecks=[_precheck()])
    result = mod.ensure_upgraded(FakeModule(api, is_only_upgrade=None), body())
    assert _sent_only_upgrade(api) == [True] and result["is_only_upgrade"] is True


@pytest.mark.parametrize("prechecks", [[], [_precheck(expire="2001-01-01T00:00:00Z")],
                                       [_precheck(cluster_version="v1.29.2-r0")]])
def test_point7_without_a_valid_precheck_cce_checks_inside_the_task(prechecks):
    api = FakeApi([[]], submit={"metadata": {"uid": "new"}}, prechecks=prechecks)
    module = FakeModule(api, is_only_upgrade=None)
    mod.ensure_upgraded(module, body())
    assert _sent_only_upgrade(api) == [False] and module.warnings == []


def test_point7_is_only_upgrade_true_with_an_expired_precheck_is_sent_as_false_with_a_warning():
    api = FakeApi([[]], submit={"metadata": {"uid": "new"}}, prechecks=[_precheck(expire="2001-01-01T00:00:00Z")])
    module = FakeModule(api, is_only_upgrade=True)
    result = mod.ensure_upgraded(module, body())
    assert _sent_only_upgrade(api) == [False] and result["changed"] is True
    assert "isOnlyUpgrade=false" in module.warnings[0]


def test_point7_cce_saying_the_precheck_expired_is_answered_by_letting_cce_check():
    expired = CceApiError("The pre-upgrade check has expired.", kind="upgrade_state", status=400, error_code="CCE.01400075")
    api = FakeApi([[]], submit=[expired, {"metadata": {"uid": "new"}}], prechecks=[_precheck()])
    module = FakeModule(api, is_only_upgrade=None)
    result = mod.ensure_upgraded(module, body())
    assert _sent_only_upgrade(api) == [True, False] and result["task_id"] == "new"
    assert "CCE.01400075" in module.warnings[0]


def test_point6_a_failed_task_is_explained_from_the_cluster_status_and_the_workflow():
    failed = mod.up.normalize_task(task("t1", "Failed"))
    assert failed["message"] is None
    workflow = {"metadata": {"uid": "w1", "creationTimestamp": "2026-11-22 07:00:00 +0800 CST"},
                "spec": {"targetVersion": "v1.30"},
                "status": {"phase": "Pending", "pointStatuses": [{"taskType": "Cluster", "status": "Failed"}]}}
    api = FakeApi([[]], submit={"metadata": {"uid": "t1"}}, workflows=[workflow],
                  cluster_status={"phase": "Available", "reason": "UpgradeFailed",
                                  "message": "upgrade of node n1 failed: kubelet did not become ready"})
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api, wait=True, waited=TaskFailed(failed)), body())
    assert "UpgradeFailed: upgrade of node n1 failed: kubelet did not become ready" in failure.value.msg
    assert "w1" in failure.value.msg and failure.value.extra["failure"]["workflow_point"] == "Failed"


def test_point6_a_failed_last_task_names_the_clusters_reason():
    api = FakeApi([[task("t1", "Failed")]], cluster_status={"phase": "Available", "reason": "UpgradePreCheckFailed",
                                                            "message": "deprecated-api-check found a fatal risk"})
    with pytest.raises(Failed) as failure:
        mod.ensure_upgraded(FakeModule(api), body())
    assert "UpgradePreCheckFailed: deprecated-api-check found a fatal risk" in failure.value.msg


def test_point8_cce_refusing_the_deprecated_pause_says_so_and_leaves_the_task_running():
    refused = CceApiError("HTTP 400: PauseUpgradeClusterTask is deprecated", kind="invalid", status=400,
                          error_code="CCE.01400001")
    api = FakeApi([[task("t1", "Running")]], pause=refused)
    with pytest.raises(Failed) as failure:
        mod.ensure_paused(FakeModule(api, state="paused", target_version=None))
    assert "deprecated" in failure.value.msg and "runs on to its end" in failure.value.msg
    assert failure.value.extra["deprecated_api"] is True and api.calls.count("pause_upgrade") == 1


@pytest.mark.parametrize("step,warned", [(40, False), (41, True), (120, True)])
def test_point9_steps_above_40_warn_that_cce_may_refuse(step, warned):
    module = FakeModule(FakeApi([[]]), user_defined_step=step, cluster_flavor="cce")
    module.params["cluster_id"] = CID
    action = mod.validate_input(module)["spec"]["clusterUpgradeAction"]
    assert action["strategy"]["inPlaceRollingUpdate"]["userDefinedStep"] == step
    assert bool(module.warnings) is warned and (not warned or "CCE may refuse" in module.warnings[0])


@pytest.mark.parametrize("step", [0, 121, -3])
def test_point9_steps_outside_1_to_120_fail_before_any_request(step):
    api = FakeApi([[]])
    with pytest.raises(Failed) as failure:
        mod.validate_input(FakeModule(api, user_defined_step=step))
    assert "user_defined_step" in failure.value.msg and "1 and 120" in failure.value.msg and "1-40" in failure.value.msg
    assert api.calls == []
