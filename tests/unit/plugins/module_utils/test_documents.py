"""documents.py and the readers built on it, fed the document shapes real CCE writes
(real-cce-behaviour.md section 3: Go/CST timestamps, progress as a decimal string, completionTime
while Init, ``critical`` as a string, ``nodeInfo`` as JSON text)."""

import datetime
import json

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import documents as docs
from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf

UTC = datetime.timezone.utc

# The published ShowUpgradeClusterTask example: Go time.String() with the server's zone.
TASK_CST_INIT = {
    "apiVersion": "v3", "kind": "UpgradeTask",
    "metadata": {"uid": "1dd1f6a5-e4a1-11ec-a8a2-0255ac100b03",
                 "creationTimestamp": "2022-12-16 13:40:20.75671 +0800 CST",
                 "updateTimestamp": "2022-12-16 13:40:20.75671 +0800 CST"},
    "spec": {"version": "v1.23.4-r0", "targetVersion": "v1.25.2-r0", "items": {}},
    "status": {"phase": "Init", "progress": "0.00", "completionTime": "2022-12-16 13:40:20.75671 +0800 CST"},
}

# The API Explorer spec's types: LineStatus.critical and NodeStageStatus.nodeInfo are strings.
WORKFLOW_SPEC_TYPES = {
    "kind": "WorkFlowTask", "apiVersion": "v3",
    "metadata": {"uid": "w-1", "creationTimestamp": "2022-12-16 13:40:20.123456789 +0800 CST"},
    "spec": {"clusterID": "c", "clusterVersion": "v1.23.4-r0", "targetVersion": "v1.25.2-r0"},
    "status": {"phase": "Init", "pointStatuses": [{"taskType": "PreCheck"}, {"taskType": "Cluster"}],
               "lineStatuses": [{"startPoint": {"taskType": "PreCheck"}, "endPoint": {"taskType": "Cluster"},
                                 "critical": "false"},
                                {"startPoint": {"taskType": "Cluster"}, "endPoint": {"taskType": "PostCheck"},
                                 "critical": "true"}]},
}

NODE = {"uid": "n-1", "name": "node-1", "status": "Active", "nodeType": "node"}


def precheck_with(node_info, expire="2999-01-01 08:00:00 +0800 CST"):
    return {"apiVersion": "v3", "kind": "PreCheckTask",
            "metadata": {"uid": "p-1", "creationTimestamp": "2022-12-16 13:40:20 +0800 CST"},
            "spec": {"clusterID": "c", "clusterVersion": "v1.23.4-r0", "targetVersion": "v1.25"},
            "status": {"phase": "Success", "expireTimeStamp": expire,
                       "nodeCheckStatus": {"phase": "Failed", "nodeStageStatus": [
                           {"nodeInfo": node_info, "itemsStatus": [
                               {"name": "NodeKubeletCheck", "level": "Fatal", "phase": "Failed", "message": "down"}]}]}}}


@pytest.mark.parametrize("value,expected", [
    (True, True), (False, False), ("true", True), ("false", False), ("True", True), ("FALSE", False),
    ("", False), (1, True), (0, False), (None, False), ("maybe", False), ([], False)])
def test_as_bool(value, expected):
    assert docs.as_bool(value) is expected


def test_as_bool_default_for_unknown():
    assert docs.as_bool(None, default=True) is True and docs.as_bool("maybe", default=True) is True


@pytest.mark.parametrize("value,expected", [
    (NODE, NODE), (json.dumps(NODE), NODE), (json.dumps(NODE).encode(), NODE), ("not json", {}), ("[1]", {}),
    (None, {}), (42, {})])
def test_as_object(value, expected):
    assert docs.as_object(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("0.00", 0.0), ("37.50", 37.5), ("100", 100.0), ("45%", 45.0), (12, 12.0), (12.5, 12.5),
    (None, None), ("", None), ("n/a", None), (True, None)])
def test_as_percent(value, expected):
    assert docs.as_percent(value) == expected


@pytest.mark.parametrize("value,expected", [("37.50", "37.50"), (37.5, "37.50"), (45, "45"), (None, None)])
def test_as_progress_text(value, expected):
    assert docs.as_progress_text(value) == expected


def test_dig_and_as_list():
    assert docs.dig({"a": {"b": 1}}, "a", "b") == 1
    assert docs.dig({"a": "text"}, "a", "b") is None and docs.dig(None, "a") is None
    assert docs.as_list("x") == [] and docs.as_list([1]) == [1]


def test_point5_a_cst_init_task_with_a_completion_time_is_read_as_it_is():
    task = up.normalize_task(TASK_CST_INIT)
    assert task["phase"] == "Init" and task["progress"] == "0.00"
    assert task["completion_time"] == "2022-12-16 13:40:20.75671 +0800 CST"
    assert up.is_active(task) and up.is_running(task)   # a completionTime does not end an Init task
    assert task["message"] is None                      # CCE writes no failure message on tasks


def test_point5_critical_false_as_a_string_is_false():
    lines = wf.normalize_workflow(WORKFLOW_SPEC_TYPES)["lines"]
    assert [line["critical"] for line in lines] == [False, True]


@pytest.mark.parametrize("node_info", [NODE, json.dumps(NODE)])
def test_point5_node_info_as_json_text_is_read_like_an_object(node_info):
    items = wf.collect_check_items(precheck_with(node_info))
    assert items[0]["node_id"] == "n-1" and items[0]["node_name"] == "node-1" and items[0]["node_ids"] == ["n-1"]
    summary = wf.normalize_precheck(precheck_with(node_info))
    assert summary["fatal_count"] == 1


def test_point5_node_info_that_is_not_json_does_not_crash():
    items = wf.collect_check_items(precheck_with("garbage"))
    assert items[0].get("node_id") is None and items[0]["name"] == "NodeKubeletCheck"


def test_point5_a_cst_expiry_keeps_the_precheck_reusable_and_judged_on_the_offset():
    now = datetime.datetime(2022, 12, 16, 6, 0, 0, tzinfo=UTC)            # 14:00 CST
    document = precheck_with(NODE, expire="2022-12-16 15:00:00.123456789 +0800 CST")  # 07:00 UTC
    assert wf.precheck_expiry(document) == datetime.datetime(2022, 12, 16, 7, 0, 0, 123456, tzinfo=UTC)
    assert wf.precheck_reusable(document, now=now)
    assert not wf.precheck_reusable(document, now=now + datetime.timedelta(minutes=56))
    assert wf.find_reusable_precheck([document], "v1.25", now=now) is document


def test_point5_snapshot_reuse_reads_cst_timestamps():
    snapshot = {"kind": "SnapshotTask", "metadata": {"uid": "s-1", "creationTimestamp": "2022-12-16 13:40:20 +0800 CST"},
                "status": {"phase": "Success", "completionTime": "2022-12-16 13:50:00.5 +0800 CST", "progress": "100.00"}}
    now = datetime.datetime(2022, 12, 16, 6, 0, 0, tzinfo=UTC)
    assert wf.snapshot_finished_at(snapshot) == datetime.datetime(2022, 12, 16, 5, 50, 0, 500000, tzinfo=UTC)
    assert wf.find_recent_snapshot([snapshot], 60, now=now) is snapshot
    assert wf.normalize_snapshot_task(snapshot)["progress"] == "100.00"


def test_phase_names_have_one_home():
    assert wf.PRECHECK_ACTIVE_PHASES is docs.PRECHECK_ACTIVE_PHASES
    assert up.ACTIVE_PHASES is docs.UPGRADE_ACTIVE_PHASES and up.SUCCESS_PHASE == docs.SUCCESS
    assert docs.SNAPSHOT_ACTIVE_PHASES == docs.UPGRADE_ACTIVE_PHASES
