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
    def __init__(self, task_lists, submit=None, task_reads=None):
        self.task_lists = list(task_lists)
        self.submit = submit
        self.task_reads = task_reads or {}
        self.calls = []

    def get_cluster(self, cluster_id):
        self.calls.append("get_cluster")
        return {"metadata": {"uid": cluster_id, "name": "c"}, "spec": {"version": "v1.29"}, "status": {"phase": "Available"}}

    def list_upgrade_tasks(self, cluster_id):
        self.calls.append("list_upgrade_tasks")
        items = self.task_lists.pop(0) if len(self.task_lists) > 1 else self.task_lists[0]
        if isinstance(items, Exception):
            raise items
        return {"items": items}

    def get_upgrade_info(self, cluster_id):
        self.calls.append("get_upgrade_info")
        return {"spec": {"versionInfo": {"targetVersions": ["v1.30"]}}}

    def list_upgrade_paths(self):
        self.calls.append("list_upgrade_paths")
        return {"upgradePaths": [{"version": "v1.29", "targetVersions": ["v1.30"]}]}

    def submit_upgrade(self, cluster_id, body):
        self.calls.append("submit_upgrade")
        if isinstance(self.submit, Exception):
            raise self.submit
        return self.submit

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
    assert api.calls == ["get_cluster", "list_upgrade_tasks", "get_upgrade_info", "list_upgrade_paths",
                         "submit_upgrade", "get_upgrade_task"]


def test_check_mode_validates_but_never_submits():
    api = FakeApi([[]], submit=AssertionError("no POST in check mode"))
    result = mod.ensure_upgraded(FakeModule(api, check_mode=True), body())
    assert result["changed"] is True and result["task_id"] is None
    assert result["diff"] == {"before": {"version": "v1.29"}, "after": {"version": "v1.30"}}
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
