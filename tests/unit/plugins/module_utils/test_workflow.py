# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure tests of plugins/module_utils/workflow.py (documents shaped like the reference payloads)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf

UTC = datetime.timezone.utc
NOW = datetime.datetime(2023, 11, 25, 7, 30, 0, tzinfo=UTC)
CLUSTER = "b4b9e60f-8aa2-11ee-af09-0255ac10004f"

# Seed 000: the 201 response of CreateUpgradeWorkFlow (no phase yet, points without status).
CREATED = {
    "kind": "WorkFlowTask", "apiVersion": "v3",
    "metadata": {"uid": "5ddfddfe-87db-11ec-b5e5-0255ac111914"},
    "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.17.17-r0", "targetVersion": "v1.19.16-r80"},
    "status": {"pointStatuses": [{"taskType": "PreCheck"}, {"taskType": "Snapshot"},
                                 {"taskType": "Cluster"}, {"taskType": "PostCheck"}],
               "lineStatuses": [{"startPoint": {"taskType": "PreCheck"}, "endPoint": {"taskType": "Cluster"}},
                                {"startPoint": {"taskType": "Cluster"}, "endPoint": {"taskType": "PostCheck"}}]},
}

# Seed 001: ShowUpgradeWorkFlow, Pending (pre-check Success, upgrade Failed).
PENDING = {
    "kind": "WorkFlowTask", "apiVersion": "v3",
    "metadata": {"uid": "c271e39e-1a6e-4d3d-8fa8-2a36329c68d1",
                 "creationTimestamp": "2023-11-25 06:32:34.923248 +0000 UTC",
                 "updateTimestamp": "2023-11-25 07:49:30.281911 +0000 UTC"},
    "spec": {"clusterID": CLUSTER, "clusterVersion": "v1.17.17-r0", "targetVersion": "v1.19.16-r80"},
    "status": {"phase": "Pending", "pointStatuses": [
        {"taskType": "PreCheck", "taskID": "f61e008c-1600-41c0-9bde-121de5a30660", "status": "Success",
         "startTimeStamp": "2023-11-25 07:20:04.592972 +0000 UTC", "endTimeStamp": "2023-11-25 07:21:05.518966 +0000 UTC",
         "expireTimeStamp": "2023-11-25 08:21:05.518966 +0000 UTC"},
        {"taskType": "Snapshot"},
        {"taskType": "Cluster", "taskID": "6d799ff6-3afe-4242-80b4-6f0a0fa746cb", "status": "Failed",
         "startTimeStamp": "2023-11-25 07:49:30.283459 +0000 UTC", "endTimeStamp": "2023-11-25 07:58:35.507243 +0000 UTC"},
        {"taskType": "PostCheck"}],
        "lineStatuses": [{"startPoint": {"taskType": "PreCheck"}, "endPoint": {"taskType": "Cluster"}, "critical": True},
                         {"startPoint": {"taskType": "Cluster"}, "endPoint": {"taskType": "PostCheck"}}]},
}


def workflow(uid, phase, target="v1.30", created="2023-11-25 06:00:00.000000 +0000 UTC", points=None):
    doc = copy.deepcopy(PENDING)
    doc["metadata"].update(uid=uid, creationTimestamp=created, updateTimestamp=created)
    doc["spec"]["targetVersion"] = target
    doc["status"]["phase"] = phase
    if points is None:
        points = [{"taskType": t} for t in ("PreCheck", "Snapshot", "Cluster", "PostCheck")]
    doc["status"]["pointStatuses"] = points
    return doc


def check_item(name, level, phase="Success", group="LimitCheck", kind="Risk", **extra):
    item = {"name": name, "kind": kind, "group": group, "level": level, "phase": phase, "message": name + " message"}
    item.update(extra)
    return item


def precheck(uid="p1", phase="Success", target="v1.30", created="2023-11-25 07:20:00.000000 +0000 UTC",
             expire="2023-11-25 08:21:05.518966 +0000 UTC", cluster_items=(), addon_items=(), nodes=(), skipped=None):
    status = {"phase": phase, "message": "", "clusterCheckStatus": {"phase": "Success", "itemsStatus": list(cluster_items)},
              "addonCheckStatus": {"phase": "Success", "itemsStatus": list(addon_items)},
              "nodeCheckStatus": {"phase": "Success", "nodeStageStatus": [
                  {"nodeInfo": {"uid": uid_, "name": name, "status": "Active", "nodeType": "node"}, "itemsStatus": items}
                  for uid_, name, items in nodes]}}
    if expire:
        status["expireTimeStamp"] = expire
    spec = {"clusterID": CLUSTER, "clusterVersion": "v1.29", "targetVersion": target}
    if skipped:
        spec["skippedCheckItemList"] = skipped
    return {"apiVersion": "v3", "kind": "PreCheckTask",
            "metadata": {"uid": uid, "creationTimestamp": created, "updateTimestamp": created},
            "spec": spec, "status": status}


# ----------------------------------------------------------------------------- timestamps, versions

@pytest.mark.parametrize("text, expected", [
    ("2023-11-25 07:49:30.281911 +0000 UTC", datetime.datetime(2023, 11, 25, 7, 49, 30, 281911, tzinfo=UTC)),
    ("2023-11-25T07:49:30Z", datetime.datetime(2023, 11, 25, 7, 49, 30, tzinfo=UTC)),
    ("2023-11-25T09:49:30.5+02:00", datetime.datetime(2023, 11, 25, 7, 49, 30, 500000, tzinfo=UTC)),
    ("2023-11-25 07:49:30 +0800 UTC", datetime.datetime(2023, 11, 24, 23, 49, 30, tzinfo=UTC)),
])
def test_parse_timestamp(text, expected):
    assert wf.parse_timestamp(text) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2023-13-45 07:49:30 +0000 UTC", 12])
def test_parse_timestamp_rejects(text):
    assert wf.parse_timestamp(text) is None


@pytest.mark.parametrize("requested, actual, expected", [
    ("v1.30", "v1.30", True),
    ("v1.30", "v1.30.4-r0", True),
    ("v1.30.4", "v1.30.4-r2", True),
    ("v1.30.4-r0", "v1.30.4-r0", True),
    ("v1.30", "v1.31", False),
    ("v1.30.4-r0", "v1.30.4-r1", False),
    ("v1.30.4", "v1.30", False),
    ("v1.3", "v1.30", False),
    ("", "v1.30", False),
    ("v1.30", None, False),
])
def test_version_matches(requested, actual, expected):
    assert version.matches(requested, actual) is expected


# ----------------------------------------------------------------------------- workflows

def test_normalize_created_workflow_has_init_phase_and_empty_points():
    result = wf.normalize_workflow(CREATED)
    assert result["workflow_id"] == "5ddfddfe-87db-11ec-b5e5-0255ac111914"
    assert result["cluster_id"] == CLUSTER
    assert result["cluster_version"] == "v1.17.17-r0"
    assert result["target_version"] == "v1.19.16-r80"
    assert result["phase"] == "Init"
    assert set(result["points"]) == {"pre_check", "snapshot", "cluster", "post_check"}
    assert result["points"]["pre_check"] == {"task_id": None, "status": None, "start_timestamp": None,
                                             "end_timestamp": None, "expire_timestamp": None}
    assert result["lines"] == [{"start": "PreCheck", "end": "Cluster", "critical": False},
                               {"start": "Cluster", "end": "PostCheck", "critical": False}]
    assert result["creation_timestamp"] is None


def test_normalize_pending_workflow_points():
    result = wf.normalize_workflow(PENDING)
    assert result["phase"] == "Pending"
    assert result["points"]["pre_check"]["task_id"] == "f61e008c-1600-41c0-9bde-121de5a30660"
    assert result["points"]["pre_check"]["expire_timestamp"] == "2023-11-25 08:21:05.518966 +0000 UTC"
    assert result["points"]["cluster"]["status"] == "Failed"
    assert result["points"]["snapshot"]["status"] is None
    assert result["lines"][0]["critical"] is True
    assert result["creation_timestamp"] == "2023-11-25 06:32:34.923248 +0000 UTC"
    assert "rollback" not in result["points"]


def test_normalize_reports_rollback_point_when_present():
    doc = copy.deepcopy(PENDING)
    doc["status"]["pointStatuses"].append({"taskType": "Rollback", "taskID": "r1", "status": "Running"})
    assert wf.normalize_workflow(doc)["points"]["rollback"]["task_id"] == "r1"


def test_normalize_none():
    assert wf.normalize_workflow(None) is None
    assert wf.normalize_workflow({}) is None


def test_items_of_accepts_list_documents_and_lists():
    assert wf.items_of({"kind": "List", "items": [PENDING, "junk"]}) == [PENDING]
    assert wf.items_of([PENDING, None]) == [PENDING]
    assert wf.items_of({}) == []
    assert wf.items_of(None) == []


def test_find_open_workflow_prefers_newest_open_one():
    old_open = workflow("old", "Pending", created="2023-11-25 05:00:00.000000 +0000 UTC")
    new_open = workflow("new", "Running", created="2023-11-25 06:00:00.000000 +0000 UTC")
    done = workflow("done", "Success", created="2023-11-25 07:00:00.000000 +0000 UTC")
    cancelled = workflow("cancelled", "Cancel", created="2023-11-25 08:00:00.000000 +0000 UTC")
    found = wf.find_open_workflow([old_open, done, new_open, cancelled])
    assert wf.workflow_id_of(found) == "new"


def test_find_open_workflow_for_target():
    a = workflow("a", "Init", target="v1.30.4-r0")
    assert wf.find_open_workflow([a], "v1.30") is a
    assert wf.find_open_workflow([a], "v1.31") is None
    assert wf.find_open_workflow([workflow("b", "Success")], "v1.30") is None


def test_created_workflow_without_phase_counts_as_open():
    assert wf.is_open_workflow(CREATED)
    assert wf.find_open_workflow([CREATED]) is CREATED


def test_find_workflow_by_phase():
    done = workflow("done", "Success", target="v1.30")
    assert wf.find_workflow([done], "v1.30", ("Success",)) is done
    assert wf.find_workflow([done], "v1.31", ("Success",)) is None
    assert wf.find_workflow([done], "v1.30", ("Cancel",)) is None


def test_sort_workflows_without_timestamps_keeps_last_listed_first():
    a, b = {"metadata": {"uid": "a"}}, {"metadata": {"uid": "b"}}
    assert [wf.workflow_id_of(d) for d in wf.sort_workflows([a, b])] == ["b", "a"]


# ----------------------------------------------------------------------------- cancel rules

def test_cancel_allowed_for_pending_with_finished_tasks():
    assert wf.cancel_refusal(PENDING) is None


def test_cancel_allowed_for_fresh_workflow():
    assert wf.cancel_refusal(CREATED) is None


@pytest.mark.parametrize("phase", ["Running", "Success", "Cancel"])
def test_cancel_refused_by_phase(phase):
    doc = copy.deepcopy(PENDING)
    doc["status"]["phase"] = phase
    reason = wf.cancel_refusal(doc)
    assert "phase %s" % phase in reason
    assert "c271e39e-1a6e-4d3d-8fa8-2a36329c68d1" in reason


@pytest.mark.parametrize("status", ["Init", "Queuing", "Running", "Pause"])
def test_cancel_refused_while_a_task_is_in_flight(status):
    doc = copy.deepcopy(PENDING)
    doc["status"]["pointStatuses"][1].update(taskID="snap-1", status=status)
    reason = wf.cancel_refusal(doc)
    assert "Snapshot task snap-1 is %s" % status in reason


# ----------------------------------------------------------------------------- skipped items

def test_normalize_skipped_items_accepts_names_and_dicts():
    result = wf.normalize_skipped_items(["a", {"name": "b"}, {"name": " c ", "node_ids": ["n1", "n2"]},
                                         {"name": "d", "node_ids": "n3"}])
    assert result == [{"name": "a", "node_ids": None}, {"name": "b", "node_ids": None},
                      {"name": "c", "node_ids": ["n1", "n2"]}, {"name": "d", "node_ids": ["n3"]}]


@pytest.mark.parametrize("value, fragment", [
    ([""], "skipped_check_items[0].name"),
    ([{"node_ids": ["n1"]}], "skipped_check_items[0].name"),
    (["ok", {"name": "x", "nodes": ["n1"]}], "skipped_check_items[1]: unknown key(s) nodes"),
    ([{"name": "x", "node_ids": [1]}], "skipped_check_items[0].node_ids"),
    ([3], "skipped_check_items[0] must be"),
])
def test_normalize_skipped_items_rejects(value, fragment):
    with pytest.raises(ValueError) as info:
        wf.normalize_skipped_items(value)
    assert fragment in str(info.value)


def test_skipped_items_body_uses_node_uid_selector():
    body = wf.skipped_items_body([{"name": "a", "node_ids": None}, {"name": "b", "node_ids": ["n1"]}])
    assert body == [{"name": "a"},
                    {"name": "b", "resourceSelector": {"key": "node.uid", "values": ["n1"], "operator": "In"}}]
    assert wf.skipped_items_body([]) is None


def test_skipped_items_of_reads_the_echoed_spec():
    selector = {"key": "node.uid", "values": ["n1"], "operator": "In"}
    doc = precheck(skipped=[{"name": "a"}, {"name": "b", "resourceSelector": selector}])
    assert wf.skipped_items_of(doc) == [{"name": "a", "node_ids": None}, {"name": "b", "node_ids": ["n1"]}]


# ----------------------------------------------------------------------------- check items

def risky_precheck(phase="Failed"):
    return precheck(
        phase=phase,
        cluster_items=[check_item("upgrade-limit-check", "Info"),
                       check_item("deprecated-api-check", "Fatal", "Failed", errorCodes=["CCE.01400074"])],
        addon_items=[check_item("addon-version-check", "Warning", group="AddonCheck")],
        nodes=[("n1", "node-1", [check_item("node-os-check", "Fatal", "Failed", group="NodeCheck")]),
               ("n2", "node-2", [check_item("node-os-check", "Fatal", "Failed", group="NodeCheck"),
                                 check_item("node-status-check", "Info", group="NodeCheck")])],
    )


def test_collect_and_group_items():
    items = wf.collect_check_items(risky_precheck())
    groups = wf.group_items_by_level(items)
    assert [i["name"] for i in groups["fatal"]] == ["deprecated-api-check", "node-os-check", "node-os-check"]
    assert [i["name"] for i in groups["warning"]] == ["addon-version-check"]
    assert [i["name"] for i in groups["info"]] == ["upgrade-limit-check", "node-status-check"]
    node_item = groups["fatal"][1]
    assert node_item["node_id"] == "n1" and node_item["node_name"] == "node-1" and node_item["node_ids"] == ["n1"]
    assert groups["fatal"][0]["error_codes"] == ["CCE.01400074"]
    assert set(groups["info"][0]) >= {"name", "kind", "group", "level", "phase", "message"}


def test_node_risks_count_as_affected_nodes():
    doc = precheck(cluster_items=[check_item("x", "Fatal", "Failed", riskSource={"nodeRisks": [{"NodeID": "n9"}]})])
    assert wf.collect_check_items(doc)[0]["node_ids"] == ["n9"]


def test_unknown_level_is_grouped_as_info():
    groups = wf.group_items_by_level([{"name": "x", "level": "Critical"}])
    assert groups == {"fatal": [], "warning": [], "info": [{"name": "x", "level": "Critical"}]}


def test_blocking_items_honour_skips():
    items = wf.collect_check_items(risky_precheck())
    assert len(wf.blocking_items(items)) == 3
    assert [i["name"] for i in wf.blocking_items(items, [{"name": "deprecated-api-check", "node_ids": None}])] == \
        ["node-os-check", "node-os-check"]
    only_n1 = [{"name": "node-os-check", "node_ids": ["n1"]}]
    assert [i["node_id"] for i in wf.blocking_items(items, only_n1) if i["name"] == "node-os-check"] == ["n2"]
    everything = [{"name": "deprecated-api-check", "node_ids": None}, {"name": "node-os-check", "node_ids": ["n1", "n2"]}]
    assert wf.blocking_items(items, everything) == []


def test_passed_fatal_item_does_not_block():
    items = wf.collect_check_items(precheck(cluster_items=[check_item("x", "Fatal", "Success")]))
    assert wf.blocking_items(items) == []


def test_describe_items():
    items = wf.blocking_items(wf.collect_check_items(risky_precheck()))
    text = wf.describe_items(items)
    assert "deprecated-api-check (deprecated-api-check message)" in text
    assert "node-os-check on node n1" in text


def test_normalize_precheck():
    result = wf.normalize_precheck(risky_precheck(), [{"name": "node-os-check", "node_ids": None}])
    assert result["task_id"] == "p1"
    assert result["phase"] == "Failed"
    assert result["target_version"] == "v1.30"
    assert result["cluster_version"] == "v1.29"
    assert result["expire_timestamp"] == "2023-11-25 08:21:05.518966 +0000 UTC"
    assert result["fatal_count"] == 1
    assert [i["name"] for i in result["blocking_items"]] == ["deprecated-api-check"]
    assert len(result["check_items"]["fatal"]) == 3


def test_running_precheck_has_no_items():
    result = wf.normalize_precheck({"metadata": {"uid": "p"}, "status": {"phase": "Running"}})
    assert result["check_items"] == {"fatal": [], "warning": [], "info": []}
    assert result["fatal_count"] == 0 and result["message"] == ""


# ----------------------------------------------------------------------------- reuse / expiry

def test_precheck_reusable_until_shortly_before_expiry():
    doc = precheck(expire="2023-11-25 08:00:00.000000 +0000 UTC")
    assert wf.precheck_reusable(doc, now=NOW)
    assert not wf.precheck_reusable(doc, now=datetime.datetime(2023, 11, 25, 7, 56, tzinfo=UTC))
    assert not wf.precheck_reusable(doc, now=datetime.datetime(2023, 11, 25, 8, 1, tzinfo=UTC))
    assert wf.precheck_reusable(doc, now=datetime.datetime(2023, 11, 25, 7, 56, tzinfo=UTC),
                                margin=datetime.timedelta(0))


def test_failed_precheck_is_never_reusable():
    assert not wf.precheck_reusable(precheck(phase="Failed"), now=NOW)


def test_precheck_expiry_falls_back_to_point_then_end_plus_one_hour():
    doc = precheck(expire=None)
    point = {"expireTimeStamp": "2023-11-25 09:00:00 +0000 UTC"}
    assert wf.precheck_expiry(doc, point) == datetime.datetime(2023, 11, 25, 9, 0, tzinfo=UTC)
    assert wf.precheck_expire_text(doc, point) == "2023-11-25 09:00:00 +0000 UTC"
    point = {"endTimeStamp": "2023-11-25 07:21:00 +0000 UTC"}
    assert wf.precheck_expiry(doc, point) == datetime.datetime(2023, 11, 25, 8, 21, tzinfo=UTC)
    assert wf.precheck_expiry(doc) == datetime.datetime(2023, 11, 25, 8, 20, tzinfo=UTC)
    assert wf.precheck_expiry({"status": {"phase": "Success"}}) is None
    assert not wf.precheck_reusable({"status": {"phase": "Success"}}, now=NOW)


def test_find_reusable_precheck_matches_target_and_prefers_newest():
    old = precheck("old", created="2023-11-25 07:00:00 +0000 UTC")
    new = precheck("new", created="2023-11-25 07:10:00 +0000 UTC")
    other = precheck("other", target="v1.31", created="2023-11-25 07:20:00 +0000 UTC")
    failed = precheck("failed", phase="Failed", created="2023-11-25 07:25:00 +0000 UTC")
    assert wf.precheck_id_of(wf.find_reusable_precheck([old, new, other, failed], "v1.30", now=NOW)) == "new"
    assert wf.find_reusable_precheck([old, new], "v1.30", now=datetime.datetime(2023, 11, 26, tzinfo=UTC)) is None
    assert wf.find_reusable_precheck([other], "v1.30", now=NOW) is None


class FakeClient:
    """Stands in for CceClient: ``server_time()`` is what CCE's Date header said (epoch seconds)."""

    def __init__(self, server_time):
        self._server_time = server_time

    def server_time(self):
        return self._server_time


def test_server_now_comes_from_the_client_else_the_local_clock():
    assert wf.server_now(FakeClient(NOW.timestamp())) == NOW
    assert wf.server_now(FakeClient(NOW.timestamp())).tzinfo is not None
    local = wf.server_now()
    assert abs((local - datetime.datetime.now(UTC)).total_seconds()) < 5
    assert abs((wf.server_now(object()) - datetime.datetime.now(UTC)).total_seconds()) < 5


def test_expiry_is_judged_on_the_server_clock_not_the_local_one():
    """The local clock says the pre-check is fresh; CCE's clock (an hour ahead) says it expired."""
    local_now = datetime.datetime.now(UTC)
    doc = precheck(expire=(local_now + datetime.timedelta(minutes=50)).strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC"))
    assert wf.precheck_reusable(doc)  # the local clock alone would reuse it
    server_ahead = FakeClient((local_now + datetime.timedelta(hours=1)).timestamp())
    assert not wf.precheck_reusable(doc, now=wf.server_now(server_ahead))
    assert wf.find_reusable_precheck([doc], "v1.30", now=wf.server_now(server_ahead)) is None
    # Within the 5-minute margin of the server's clock: not reused either; just outside: reused.
    near = FakeClient((local_now + datetime.timedelta(minutes=46)).timestamp())
    assert not wf.precheck_reusable(doc, now=wf.server_now(near))
    safe = FakeClient((local_now + datetime.timedelta(minutes=44)).timestamp())
    assert wf.precheck_reusable(doc, now=wf.server_now(safe))
    # A server clock behind the local one keeps a locally "expired" pre-check valid.
    old = precheck(expire=(local_now - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC"))
    assert not wf.precheck_reusable(old)
    behind = FakeClient((local_now - datetime.timedelta(minutes=30)).timestamp())
    assert wf.precheck_reusable(old, now=wf.server_now(behind))


def test_snapshot_age_is_judged_on_the_server_clock():
    done = snapshot("s", "Success", completed="2023-11-25 07:00:00 +0000 UTC")
    assert wf.find_recent_snapshot([done], 60, now=wf.server_now(FakeClient(NOW.timestamp()))) is done
    later = FakeClient((NOW + datetime.timedelta(hours=1)).timestamp())
    assert wf.find_recent_snapshot([done], 60, now=wf.server_now(later)) is None


def test_find_active_precheck():
    running = precheck("run", phase="Running", expire=None)
    init = precheck("init", phase="Init", expire=None, target="v1.31")
    assert wf.find_active_precheck([precheck("ok"), running, init], "v1.30") is running
    assert wf.find_active_precheck([precheck("ok")], "v1.30") is None


# ----------------------------------------------------------------------------- snapshots

def snapshot(uid, phase, created="2023-11-25 07:00:00.000000 +0000 UTC", completed=None, sub_status=None):
    status = {"phase": phase, "progress": "100" if phase == "Success" else "40"}
    if completed:
        status["completionTime"] = completed
    return {"kind": "SnapshotTask", "apiVersion": "v3.1",
            "metadata": {"uid": uid, "creationTimestamp": created, "updateTimestamp": completed or created},
            "spec": {"items": [{"id": uid + "-1", "type": "master-backup", "status": sub_status or phase,
                                "creationTimestamp": created, "updateTimestamp": created, "message": ""}]},
            "status": status}


def test_normalize_snapshot_task():
    result = wf.normalize_snapshot_task(snapshot("s1", "Success", completed="2023-11-25 07:02:00 +0000 UTC"))
    assert result["task_id"] == "s1"
    assert result["phase"] == "Success"
    assert result["progress"] == "100"
    assert result["completion_time"] == "2023-11-25 07:02:00 +0000 UTC"
    assert result["sub_tasks"][0]["type"] == "master-backup"
    assert wf.normalize_snapshot_task(None) is None


@pytest.mark.parametrize("statuses, expected", [
    (["Success", "Success"], "Success"),
    (["Success", "Running"], "Running"),
    (["Queuing"], "Queuing"),
    (["Failed", "Running"], "Failed"),
    ([], None),
])
def test_snapshot_phase_derived_from_sub_tasks(statuses, expected):
    doc = {"metadata": {"uid": "s"}, "spec": {"items": [{"status": s} for s in statuses]}, "status": {}}
    assert wf.snapshot_phase(doc) == expected


def test_find_active_and_recent_snapshots():
    old_ok = snapshot("old", "Success", created="2023-11-25 05:00:00 +0000 UTC", completed="2023-11-25 05:02:00 +0000 UTC")
    new_ok = snapshot("new", "Success", created="2023-11-25 07:00:00 +0000 UTC", completed="2023-11-25 07:02:00 +0000 UTC")
    failed = snapshot("failed", "Failed", created="2023-11-25 07:10:00 +0000 UTC")
    running = snapshot("running", "Running", created="2023-11-25 07:20:00 +0000 UTC")
    listing = {"items": [old_ok, new_ok, failed, running]}
    assert wf.find_active_snapshot(listing) is running
    assert wf.find_active_snapshot({"items": [old_ok, failed]}) is None
    assert wf.find_recent_snapshot(listing, 60, now=NOW) is new_ok
    assert wf.find_recent_snapshot(listing, 20, now=NOW) is None
    assert wf.find_recent_snapshot({"items": [old_ok]}, 180, now=NOW) is old_ok
    assert wf.find_snapshot_task(listing, "failed") is failed
    assert wf.find_snapshot_task(listing, "missing") is None


def test_snapshot_task_id_from_create_response():
    assert wf.snapshot_task_id({"uid": "abc", "metadata": {"apiVersion": "v3.1", "kind": "x"}}) == "abc"
    assert wf.snapshot_task_id({"metadata": {"uid": "def"}}) == "def"
    assert wf.snapshot_task_id(None) is None


# ----------------------------------------------------------------------------- post-check

def test_normalize_postcheck_seed_004():
    response = {"kind": "PostCheckTask", "apiVersion": "v3", "metadata": {"uid": "e99fedf8-348c-4084-b0fd-81bf187df4e0"},
                "spec": {"clusterID": "8978deaa-1743-11ee-8e46-0255ac10004c", "clusterVersion": "v1.15.11-r1",
                         "targetVersion": "v1.19.16-r80"},
                "status": {"phase": "Success"}}
    assert wf.normalize_postcheck(response) == {"task_id": "e99fedf8-348c-4084-b0fd-81bf187df4e0", "phase": "Success",
                                                "cluster_version": "v1.15.11-r1", "target_version": "v1.19.16-r80"}
