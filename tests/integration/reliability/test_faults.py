"""Faults injected by the simulator, seen through real ``ansible`` module runs.

Every fault kind (429 with Retry-After, 500/502/503, connection reset before and after the
server processed the request, a reply slower than ``api_timeout``, malformed JSON, a proxy's
HTML error page) is either retried within the ``api_retries`` budget or ends in a clear error.
An upgrade POST whose reply was lost is followed by a re-read and an attach: never a second task.
"""

import time

import pytest

from reliability_helpers import list_tasks, new_cluster, upgrade_posts

CLUSTER_GET = r"/clusters/[0-9a-f-]{36}$"
UPGRADE_POST = r"/clusters/[0-9a-f-]{36}/operation/upgrade$"
WORKFLOW_POST = r"/clusters/[0-9a-f-]{36}/operation/upgradeworkflows$"

# (id, rule, extra module args)
READ_FAULTS = [
    ("throttle-retry-after", {"fault": "throttle", "retry_after": "0.3"}, {}),
    ("throttle-fractional-retry-after", {"fault": "throttle", "retry_after": "0.25"}, {}),
    ("throttle-no-retry-after", {"fault": "throttle", "retry_after": None}, {}),
    ("error-500", {"fault": "error", "status": 500}, {}),
    ("error-502", {"fault": "error", "status": 502}, {}),
    ("error-503", {"fault": "error", "status": 503}, {}),
    ("reset-before", {"fault": "reset_before"}, {}),
    ("reset-after", {"fault": "reset_after"}, {}),
    ("slower-than-api-timeout", {"fault": "delay", "seconds": 2.5}, {"api_timeout": 1}),
    ("malformed-json", {"fault": "malformed"}, {}),
    ("proxy-html-page", {"fault": "html", "status": 502}, {}),
]


def _faulted(sim, pattern_suffix):
    return [r for r in sim.requests() if r.get("fault") and r["path"].endswith(pattern_suffix)]


@pytest.mark.parametrize("rule,extra", [c[1:] for c in READ_FAULTS], ids=[c[0] for c in READ_FAULTS])
def test_read_is_retried_within_budget(rel, sim, rule, extra):
    cid = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [dict(rule, method="GET", path=CLUSTER_GET, count=2)]})
    rc, result, output = rel.module("cce_cluster_info", dict({"cluster_id": cid}, **extra))
    assert rc == 0, output
    assert result["cluster"]["id"] == cid

    def reads():
        return [r for r in sim.requests() if r["method"] == "GET" and r["path"].endswith("/clusters/" + cid)]

    # A delayed request is logged when the simulator answers it, after the client gave up on it:
    # wait for it (it would otherwise land in the next test's log).
    deadline = time.monotonic() + 15
    while len(reads()) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    logged = reads()
    assert len(logged) == 3, logged  # two faulted, one good
    assert sum(1 for r in logged if r["fault"]) == 2


@pytest.mark.parametrize("rule,expect", [
    ({"fault": "throttle", "retry_after": "0.1"}, "throttl"),
    ({"fault": "error", "status": 503}, "503"),
    ({"fault": "html", "status": 502}, "502 Bad Gateway"),
    ({"fault": "malformed"}, "malformed JSON"),
    ({"fault": "reset_after"}, "connection"),
], ids=["throttle", "503", "html", "malformed", "reset"])
def test_read_budget_exhausted_is_a_clear_error(rel, sim, rule, expect):
    cid = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [dict(rule, method="GET", path=CLUSTER_GET)]})
    rc, result, output = rel.module("cce_cluster_info", {"cluster_id": cid, "api_retries": 2})
    assert rc != 0, output
    msg = result["msg"]
    assert expect in msg, msg
    assert "Traceback" not in output
    assert result.get("error_kind") in ("throttled", "transient", "connection"), result
    reads = [r for r in sim.requests() if r["method"] == "GET" and r["path"].endswith("/clusters/" + cid)]
    assert len(reads) == 3, "api_retries=2 means 3 attempts: %s" % reads


def test_throttled_upgrade_post_is_retried_once_processed(rel, sim):
    """429 means the gateway refused the POST before CCE saw it: safe to repeat."""
    cid = new_cluster(sim)
    sim.set_faults({"rules": [{"fault": "throttle", "method": "POST", "path": UPGRADE_POST, "count": 2,
                               "retry_after": "0.2"}]})
    rc, result, output = _upgrade(rel, cid)
    assert rc == 0, output
    assert result["phase"] == "Success" and result["changed"] is True
    posts = upgrade_posts(sim, cid)
    assert len(posts) == 3 and [p["status"] for p in posts][:2] == [429, 429] and posts[2]["status"] < 300, posts
    assert len(list_tasks(rel, cid)) == 1


@pytest.mark.parametrize("rule,extra", [
    ({"fault": "reset_after"}, {}),
    ({"fault": "malformed"}, {}),
], ids=["reset-after", "malformed"])
def test_lost_upgrade_reply_is_reread_and_attached(rel, sim, rule, extra):
    """CCE created the task but the reply was lost: the module re-reads and attaches."""
    cid = new_cluster(sim)
    sim.set_faults({"rules": [dict(rule, method="POST", path=UPGRADE_POST, count=1)]})
    rc, result, output = _upgrade(rel, cid, **extra)
    assert rc == 0, output
    assert result["attached"] is True, result
    assert result["phase"] == "Success"
    assert len(upgrade_posts(sim, cid)) == 1, "the POST must never be repeated"
    tasks = list_tasks(rel, cid)
    assert len(tasks) == 1 and tasks[0]["task_id"] == result["task_id"]


def test_upgrade_reply_slower_than_api_timeout(rel, sim):
    """The reply comes after api_timeout (CCE processes the POST late). Never a second POST:
    either the re-read finds the task and attaches, or the run fails saying the outcome is unknown
    and the next run attaches."""
    cid = new_cluster(sim)
    sim.set_faults({"rules": [{"fault": "delay", "seconds": 3, "method": "POST", "path": UPGRADE_POST, "count": 1}]})
    rc, result, output = _upgrade(rel, cid, api_timeout=1)
    if rc != 0:
        assert result.get("outcome_unknown") is True, output
        assert "api_timeout" in result["msg"] or "outcome" in result["msg"], result["msg"]
        deadline = time.monotonic() + 30  # the simulator logs the slow POST once it has answered
        while not upgrade_posts(sim, cid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(upgrade_posts(sim, cid)) == 1
        rc, result, output = _upgrade(rel, cid)
        assert rc == 0, output
    assert result["phase"] == "Success"
    assert len(upgrade_posts(sim, cid)) == 1
    assert len(list_tasks(rel, cid)) == 1


@pytest.mark.parametrize("rule", [
    {"fault": "reset_before"},
    {"fault": "error", "status": 500},
    {"fault": "error", "status": 503},
    {"fault": "html", "status": 502},
], ids=["reset-before", "500", "503", "html"])
def test_refused_or_unsent_upgrade_post(rel, sim, rule):
    """CCE never processed the POST. The module must not repeat it blindly: it ends in a clear error
    (or, having re-read and found no task, may submit once more); there is never more than one task,
    and the next run completes the upgrade."""
    cid = new_cluster(sim)
    sim.set_faults({"rules": [dict(rule, method="POST", path=UPGRADE_POST, count=1)]})
    rc, result, output = _upgrade(rel, cid)
    if rc != 0:
        msg = result["msg"]
        assert "upgrade" in msg and cid in msg, msg
        assert "Traceback" not in output
        assert list_tasks(rel, cid) == []
        rc, result, output = _upgrade(rel, cid)
        assert rc == 0, output
    assert result["phase"] == "Success"
    assert len(list_tasks(rel, cid)) == 1


def test_lost_workflow_create_reply_is_reread(rel, sim):
    cid = new_cluster(sim)
    sim.set_faults({"rules": [{"fault": "reset_after", "method": "POST", "path": WORKFLOW_POST, "count": 1}]})
    rc, result, output = rel.module("cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, output
    assert result["workflow_id"]
    posts = [r for r in sim.writes(cid) if r["path"].endswith("/upgradeworkflows")]
    assert len(posts) == 1
    rc, info, output = rel.module("cce_upgrade_workflow_info", {"cluster_id": cid})
    assert rc == 0, output
    assert [w["workflow_id"] for w in info["workflows"]] == [result["workflow_id"]]


def test_polls_ride_through_faults(rel, sim):
    """While the module waits, a third of the polls fail in every way: the wait goes on."""
    cid = new_cluster(sim)
    kinds = [{"fault": "throttle", "retry_after": "0.1"}, {"fault": "error", "status": 503},
             {"fault": "reset_after"}, {"fault": "malformed"}, {"fault": "html", "status": 502}]
    rules = [dict(k, method="GET", path=r"/operation/upgrade/tasks/", probability=0.35) for k in kinds]
    sim.set_faults({"seed": 7, "rules": rules})
    rc, result, output = _upgrade(rel, cid, api_retries=1)
    assert rc == 0, output
    assert result["phase"] == "Success"
    assert any(r["fault"] for r in sim.requests()), "no fault fired: the test proved nothing"
    assert len(upgrade_posts(sim, cid)) == 1


def _upgrade(rel, cid, **extra):
    args = {"cluster_id": cid, "target_version": "v1.30", "is_only_upgrade": True, "poll_interval": 0.3}
    args.update(extra)
    return rel.module("cce_cluster_upgrade", args)
