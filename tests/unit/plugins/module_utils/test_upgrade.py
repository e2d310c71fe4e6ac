# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure tests of plugins/module_utils/upgrade.py (no HTTP, no simulator)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up


def raw_task(uid, phase, target="v1.30", version="v1.29", created="2026-11-22 07:00:00.000000 +0000 UTC", **status):
    body = {
        "apiVersion": "v3", "kind": "UpgradeTask",
        "metadata": {"uid": uid, "creationTimestamp": created, "updateTimestamp": created},
        "spec": {"version": version, "targetVersion": target, "items": {}},
        "status": dict({"phase": phase, "progress": "10"}, **status),
    }
    return body


class FakeError(Exception):
    def __init__(self, status, error_code, outcome_unknown=False):
        super(FakeError, self).__init__(error_code)
        self.status = status
        self.error_code = error_code
        self.outcome_unknown = outcome_unknown


# --------------------------------------------------------------------------- tasks

def test_normalize_task_maps_every_field():
    task = up.normalize_task(raw_task("t1", "Running", completionTime="", message="node 3 of 5"))
    assert task == {
        "task_id": "t1", "version": "v1.29", "target_version": "v1.30", "phase": "Running",
        "progress": "10", "message": "node 3 of 5",
        "creation_timestamp": "2026-11-22 07:00:00.000000 +0000 UTC",
        "update_timestamp": "2026-11-22 07:00:00.000000 +0000 UTC", "completion_time": "",
    }


def test_normalize_task_tolerates_missing_parts():
    task = up.normalize_task({"metadata": {"uid": "x"}})
    assert task["task_id"] == "x"
    assert task["phase"] is None and task["target_version"] is None
    assert up.normalize_task(None)["task_id"] is None


def test_normalize_task_uses_reason_when_no_message():
    assert up.normalize_task(raw_task("t", "Failed", reason="node failed"))["message"] == "node failed"


def test_task_list_is_newest_first():
    body = {"items": [
        raw_task("old", "Success", target="v1.29", created="2026-01-01 00:00:00.000000 +0000 UTC"),
        raw_task("new", "Running", created="2026-11-22 07:00:00.000000 +0000 UTC"),
        raw_task("mid", "Failed", created="2026-06-01T00:00:00Z"),
    ]}
    assert [t["task_id"] for t in up.normalize_task_list(body)] == ["new", "mid", "old"]


def test_task_list_keeps_later_position_first_on_equal_timestamps():
    body = {"items": [raw_task("a", "Failed"), raw_task("b", "Running")]}
    assert [t["task_id"] for t in up.normalize_task_list(body)] == ["b", "a"]


def test_task_list_of_empty_or_odd_bodies():
    assert up.normalize_task_list({}) == []
    assert up.normalize_task_list({"items": None}) == []
    assert up.normalize_task_list({"items": ["junk", raw_task("a", "Init")]})[0]["task_id"] == "a"
    assert up.normalize_task_list(None) == []


@pytest.mark.parametrize("phase, active", [
    ("Init", True), ("Queuing", True), ("Running", True), ("Pause", True),
    ("Success", False), ("Failed", False), (None, False),
])
def test_find_active_upgrade_task_by_phase(phase, active):
    tasks = up.normalize_task_list({"items": [raw_task("t", phase)]})
    found = up.find_active_upgrade_task(tasks)
    assert (found is not None) is active
    if active:
        assert found["task_id"] == "t"


def test_find_active_upgrade_task_skips_finished_newer_tasks():
    tasks = up.normalize_task_list({"items": [
        raw_task("running", "Pause", created="2026-11-22 07:00:00.000000 +0000 UTC"),
        raw_task("done", "Success", target="v1.29", created="2026-11-22 08:00:00.000000 +0000 UTC"),
    ]})
    assert up.find_active_upgrade_task(tasks)["task_id"] == "running"
    assert up.find_active_upgrade_task([]) is None


def test_task_targets_version():
    task = up.normalize_task(raw_task("t", "Running", target="v1.30.2-r0"))
    assert up.task_targets_version(task, "v1.30")
    assert up.task_targets_version(task, "v1.30.2-r0")
    assert not up.task_targets_version(task, "v1.31")
    assert not up.task_targets_version(None, "v1.30")
    assert not up.task_targets_version(task, None)


def test_latest_task_and_latest_for_target():
    tasks = up.normalize_task_list({"items": [
        raw_task("a", "Success", target="v1.28", created="2026-01-01 00:00:00.000000 +0000 UTC"),
        raw_task("b", "Failed", target="v1.30", created="2026-02-01 00:00:00.000000 +0000 UTC"),
        raw_task("c", "Success", target="v1.29", created="2026-03-01 00:00:00.000000 +0000 UTC"),
    ]})
    assert up.latest_task(tasks)["task_id"] == "c"
    assert up.latest_task([]) is None
    assert up.latest_task_for_target(tasks, "v1.30")["task_id"] == "b"
    assert up.latest_task_for_target(tasks, "v1.31") is None


def test_task_ended_between_reads():
    def tasks(*raw):
        return up.normalize_task_list({"items": list(raw)})

    ended = tasks(raw_task("old", "Success", target="v1.28", version="v1.27", created="2026-01-01 00:00:00.000000 +0000 UTC"),
                  raw_task("new", "Success", target="v1.30", version="v1.29"))
    # the cluster read still showed v1.29: the newest task took it to v1.30
    assert up.task_ended_between_reads(ended, "v1.29", "v1.30")["task_id"] == "new"
    assert up.task_ended_between_reads(ended, "v1.29", "v1.30.2-r0") is None   # another target
    assert up.task_ended_between_reads(ended, "v1.28", "v1.30") is None        # not from this version
    assert up.task_ended_between_reads(ended, None, "v1.30") is None
    assert up.task_ended_between_reads(tasks(raw_task("r", "Running")), "v1.29", "v1.30") is None
    assert up.task_ended_between_reads(tasks(raw_task("f", "Failed")), "v1.29", "v1.30") is None
    assert up.task_ended_between_reads(tasks(raw_task("n", "Success", version="")), "v1.29", "v1.30") is None
    assert up.task_ended_between_reads([], "v1.29", "v1.30") is None
    # an older success does not count: only the newest task
    older = tasks(raw_task("s", "Success", created="2026-01-01 00:00:00.000000 +0000 UTC"),
                  raw_task("f", "Failed", created="2026-02-01 00:00:00.000000 +0000 UTC"))
    assert up.task_ended_between_reads(older, "v1.29", "v1.30") is None


def test_find_new_task_for_target_prefers_active_then_unknown_ids():
    tasks = up.normalize_task_list({"items": [
        raw_task("old", "Failed", created="2026-01-01 00:00:00.000000 +0000 UTC"),
        raw_task("new", "Init", created="2026-02-01 00:00:00.000000 +0000 UTC"),
    ]})
    assert up.find_new_task_for_target(tasks, "v1.30", ["old"])["task_id"] == "new"
    finished = up.normalize_task_list({"items": [
        raw_task("old", "Failed", created="2026-01-01 00:00:00.000000 +0000 UTC"),
        raw_task("new", "Success", created="2026-02-01 00:00:00.000000 +0000 UTC"),
    ]})
    assert up.find_new_task_for_target(finished, "v1.30", ["old"])["task_id"] == "new"
    assert up.find_new_task_for_target(finished, "v1.30", ["old", "new"]) is None
    assert up.find_new_task_for_target(finished, "v1.31", []) is None


def test_describe_task():
    task = up.normalize_task(raw_task("t9", "Failed", message="node x failed"))
    text = up.describe_task(task)
    assert "t9" in text and "v1.30" in text and "Failed" in text and "progress 10" in text and "node x failed" in text
    assert up.describe_task(None) == "no task"


def test_is_locked_error():
    assert up.is_locked_error(FakeError(429, "CCE.01429002"))
    assert not up.is_locked_error(FakeError(429, "APIGW.0308"))
    assert not up.is_locked_error(FakeError(400, "CCE.01429002"))
    assert not up.is_locked_error(ValueError("x"))


def test_task_id_from_submit():
    assert up.task_id_from_submit({"metadata": {"uid": "abc"}, "spec": {}}) == "abc"
    assert up.task_id_from_submit({"uid": "top"}) == "top"
    assert up.task_id_from_submit({}) is None
    assert up.task_id_from_submit(None) is None


# --------------------------------------------------------------------------- request body

def params(**overrides):
    base = dict(target_version="v1.30", user_defined_step=20, scope="Cluster", addons=None,
                node_pool_order=None, node_order=None, is_only_upgrade=False)
    base.update(overrides)
    return base


def test_build_upgrade_body_minimal():
    assert up.build_upgrade_body(params()) == {
        "metadata": {"apiVersion": "v3", "kind": "UpgradeTask"},
        "spec": {"clusterUpgradeAction": {
            "targetVersion": "v1.30",
            "strategy": {"type": "inPlaceRollingUpdate",
                         "inPlaceRollingUpdate": {"userDefinedStep": 20, "scope": "Cluster"}},
            "isOnlyUpgrade": False,
        }},
    }


def test_build_upgrade_body_defaults_step_and_scope():
    action = up.build_upgrade_body({"target_version": "v1.30"})["spec"]["clusterUpgradeAction"]
    assert action["strategy"]["inPlaceRollingUpdate"] == {"userDefinedStep": 20}
    assert "isOnlyUpgrade" not in action


def test_build_upgrade_body_full():
    body = up.build_upgrade_body(params(
        user_defined_step=120, scope="NodePool", is_only_upgrade=True,
        addons=[{"name": "coredns", "version": "1.30.3", "values": {"replicas": 3}},
                {"name": "everest", "version": "2.4.1", "values": None}],
        node_pool_order={"DefaultPool": 0, "pool-b": "5"},
        node_order={"DefaultPool": [
            {"node_selector": {"key": "zone", "value": ["az1"], "operator": "in"}, "priority": 2},
            {"nodeSelector": {"key": "gpu", "operator": "exists"}},
        ]},
    ))
    action = body["spec"]["clusterUpgradeAction"]
    assert action["strategy"]["inPlaceRollingUpdate"] == {"userDefinedStep": 120, "scope": "NodePool"}
    assert action["isOnlyUpgrade"] is True
    assert action["addons"] == [
        {"addonTemplateName": "coredns", "operation": "patch", "version": "1.30.3", "values": {"replicas": 3}},
        {"addonTemplateName": "everest", "operation": "patch", "version": "2.4.1"},
    ]
    assert action["nodePoolOrder"] == {"DefaultPool": 0, "pool-b": 5}
    assert action["nodeOrder"] == {"DefaultPool": [
        {"nodeSelector": {"key": "zone", "operator": "in", "value": ["az1"]}, "priority": 2},
        {"nodeSelector": {"key": "gpu", "operator": "exists"}, "priority": 0},
    ]}


@pytest.mark.parametrize("step", [0, 121, -1, "x", True, 2.5])
def test_step_outside_range_names_the_option(step):
    with pytest.raises(ValueError, match="user_defined_step"):
        up.build_upgrade_body(params(user_defined_step=step))


@pytest.mark.parametrize("step", [1, 60, 120])
def test_step_inside_range(step):
    assert up.check_step(step) == step
    action = up.build_upgrade_body(params(user_defined_step=step))["spec"]["clusterUpgradeAction"]
    assert action["strategy"]["inPlaceRollingUpdate"]["userDefinedStep"] == step


def test_bad_scope():
    with pytest.raises(ValueError, match="scope"):
        up.build_upgrade_body(params(scope="Everything"))


@pytest.mark.parametrize("node_order", [
    {"p": [{"priority": 1}]},
    {"p": [{"node_selector": {"operator": "in"}}]},
    {"p": [{"node_selector": {"key": "k", "operator": "like"}}]},
    {"p": [{"node_selector": {"key": "k"}, "priority": -1}]},
    {"p": [{"node_selector": {"key": "k"}, "priority": "high"}]},
    {"p": [{"node_selector": {"key": "k", "value": 5}}]},
    {"p": "zone"},
    {"p": ["zone"]},
])
def test_bad_node_order_names_the_option(node_order):
    with pytest.raises(ValueError, match="node_order"):
        up.build_upgrade_body(params(node_order=node_order))


@pytest.mark.parametrize("order", [{"p": -1}, {"p": "x"}, {"p": True}, {"p": 1.5}, ["p"]])
def test_bad_node_pool_order_names_the_option(order):
    with pytest.raises(ValueError, match="node_pool_order"):
        up.build_upgrade_body(params(node_pool_order=order))


@pytest.mark.parametrize("addons", [[{"name": "coredns"}], [{"version": "1"}], ["coredns"],
                                    [{"name": "a", "version": "1", "values": "x"}]])
def test_bad_addons_name_the_option(addons):
    with pytest.raises(ValueError, match=r"addons\[0\]"):
        up.build_upgrade_body(params(addons=addons))


# --------------------------------------------------------------------------- clusters

CLUSTER = {
    "kind": "Cluster", "apiVersion": "v3",
    "metadata": {"name": "prod-a", "uid": "c-1", "creationTimestamp": "t0", "updateTimestamp": "t1"},
    "spec": {"category": "CCE", "type": "VirtualMachine", "flavor": "cce.s1.small",
             "version": "v1.29", "platformVersion": "cce.5.0"},
    "status": {"phase": "Available"},
}


def test_normalize_cluster():
    assert up.normalize_cluster(CLUSTER, "cce") == {
        "id": "c-1", "name": "prod-a", "flavor": "cce", "version": "v1.29", "platform_version": "cce.5.0",
        "status": "Available", "category": "CCE", "type": "VirtualMachine",
        "creation_timestamp": "t0", "update_timestamp": "t1",
    }
    assert up.normalize_cluster({}, "autopilot")["flavor"] == "autopilot"


def test_normalize_cluster_list_and_filters():
    other = {"metadata": {"name": "legacy-a", "uid": "c-2"}, "spec": {"version": "v1.25.3-r0"}, "status": {"phase": "Upgrading"}}
    clusters = up.normalize_cluster_list({"items": [CLUSTER, other, "junk"]}, "cce")
    assert [c["id"] for c in clusters] == ["c-1", "c-2"]
    assert up.cluster_matches(clusters[0], name="prod-*")
    assert not up.cluster_matches(clusters[1], name="prod-*")
    assert up.cluster_matches(clusters[0], status="available")
    assert not up.cluster_matches(clusters[0], status="Upgrading")
    assert up.cluster_matches(clusters[1], version="v1.25")
    assert not up.cluster_matches(clusters[1], version="v1.29")
    assert up.cluster_matches(clusters[0])
    assert up.normalize_cluster_list({}, "cce") == []


# --------------------------------------------------------------------------- upgrade info and paths

UPGRADE_INFO = {
    "kind": "UpgradeInfo", "apiVersion": "v3", "metadata": {},
    "spec": {"lastUpgradeInfo": {"phase": "Success", "progress": "100", "completionTime": "t9"},
             "versionInfo": {"release": "v1.29.8", "patch": "r0", "suggestPatch": "r1", "targetVersions": ["v1.30"]}},
    "status": {"phase": "Success"},
}

PATHS = {"upgradePaths": [
    {"version": "v1.25", "platformVersion": "cce.1.0", "targetVersions": ["v1.27"]},
    {"version": "v1.29", "platformVersion": "cce.5.0", "targetVersions": ["v1.30", "v1.31"]},
    {"version": "v1.19.16-r20", "targetVersions": ["v1.21"]},
]}


def test_normalize_upgrade_info():
    info = up.normalize_upgrade_info(UPGRADE_INFO)
    assert info == {
        "release": "v1.29.8", "patch": "r0", "current_version": "v1.29.8-r0", "suggest_patch": "r1",
        "target_versions": ["v1.30"],
        "last_upgrade": {"phase": "Success", "progress": "100", "completion_time": "t9"},
    }


def test_normalize_upgrade_info_falls_back_to_status():
    info = up.normalize_upgrade_info({"status": {"phase": "Running", "progress": "40"}})
    assert info["last_upgrade"] == {"phase": "Running", "progress": "40", "completion_time": None}
    assert info["target_versions"] == []
    assert up.normalize_upgrade_info(None)["release"] is None


def test_normalize_upgrade_paths():
    paths = up.normalize_upgrade_paths(PATHS)
    assert paths[1] == {"version": "v1.29", "platform_version": "cce.5.0", "target_versions": ["v1.30", "v1.31"]}
    assert paths[2]["platform_version"] is None
    assert up.normalize_upgrade_paths({}) == []


def test_collect_allowed_targets_unions_info_and_matching_paths():
    info = up.normalize_upgrade_info(UPGRADE_INFO)
    paths = up.normalize_upgrade_paths(PATHS)
    assert up.collect_allowed_targets(info, paths, "v1.29") == ["v1.30", "v1.31"]
    # the suggested patch of the current release (r1 > r0) is a target too
    assert up.collect_allowed_targets(info, paths, "v1.29.8-r0") == ["v1.29.8-r1", "v1.30", "v1.31"]
    assert up.collect_allowed_targets(None, paths, "v1.25") == ["v1.27"]
    assert up.collect_allowed_targets(None, paths, "v1.19.16-r20") == ["v1.21"]
    assert up.collect_allowed_targets(None, paths, "v1.33") == []
    assert up.collect_allowed_targets(info, None, "v1.33") == ["v1.30"]


def test_version_diff():
    assert up.version_diff("v1.29", "v1.30") == {"before": {"version": "v1.29"}, "after": {"version": "v1.30"}}
    assert up.version_diff("v1.29", "v1.29", "Running", "Pause") == {
        "before": {"version": "v1.29", "phase": "Running"}, "after": {"version": "v1.29", "phase": "Pause"}}


class _OfferApi:
    """Reads only: what check_offered_target may call."""

    def __init__(self):
        self.calls = []

    def get_upgrade_info(self, cluster_id):
        self.calls.append("get_upgrade_info")
        return {"spec": {"versionInfo": {"release": "v1.29", "targetVersions": ["v1.30.2-r0"]}}}

    def list_upgrade_paths(self):
        self.calls.append("list_upgrade_paths")
        return {"upgradePaths": [{"version": "v1.29", "targetVersions": ["v1.30"]},
                                 {"version": "v1.30", "targetVersions": ["v1.31"]}]}


def test_check_offered_target_accepts_an_offered_target_with_two_reads():
    api = _OfferApi()
    offered = up.check_offered_target(api, "cid", "v1.29.5-r0", "v1.30")
    assert offered.allowed == ["v1.30", "v1.30.2-r0"] and offered.current_version == "v1.29.5-r0"
    assert api.calls == ["get_upgrade_info", "list_upgrade_paths"]


@pytest.mark.parametrize("target,pattern", [
    ("v1.28", "downgrade"),
    ("v1.31", "skips"),
    ("v1.29", "current version"),
])
def test_check_offered_target_refuses_naming_target_version_and_accepted_values(target, pattern):
    with pytest.raises(up.TargetNotOffered) as failure:
        up.check_offered_target(_OfferApi(), "cid", "v1.29.5-r0", target)
    text = str(failure.value)
    assert "target_version" in text and pattern in text and "v1.30" in text
    assert isinstance(failure.value, ValueError)
    assert failure.value.current == "v1.29.5-r0" and failure.value.allowed == ["v1.30", "v1.30.2-r0"]


# --------------------------------------------------------------------------- real CCE (issue 10)

# ClusterUpgradePaths as CCE lists it: one entry per version and platform version, full-version
# targets including the same-minor patch (real-cce-behaviour.md section 2).
REAL_PATHS = {"kind": "ClusterUpgradePaths", "upgradePaths": [
    {"version": "v1.25", "platformVersion": "cce.5.0", "targetVersions": ["v1.25.6-r0", "v1.27.3-r0"]},
    {"version": "v1.25", "platformVersion": "cce.6.0", "targetVersions": ["v1.27.3-r0", "v1.28.15-r30"]},
    {"version": "v1.28", "platformVersion": "cce.9.0", "targetVersions": ["v1.29.4-r0", "v1.31.2-r0"]},
]}


def test_point4_paths_apply_only_for_the_clusters_platform_version():
    paths = up.normalize_upgrade_paths(REAL_PATHS)
    assert up.collect_allowed_targets(None, paths, "v1.25.2-r0", "cce.5.0") == ["v1.25.6-r0", "v1.27.3-r0"]
    assert up.collect_allowed_targets(None, paths, "v1.25.6-r0", "cce.6.0") == ["v1.27.3-r0", "v1.28.15-r30"]
    assert up.collect_allowed_targets(None, paths, "v1.25.2-r0", "cce.9.0") == []


def test_point4_upgradeinfo_targets_come_first_minors_or_full_versions():
    info = up.normalize_upgrade_info({"spec": {"versionInfo": {"release": "v1.28.2", "patch": "r0",
                                                               "targetVersions": ["v1.28.15-r30", "v1.29"]}}})
    assert info["current_version"] == "v1.28.2-r0"
    assert up.collect_allowed_targets(info, [], info["current_version"]) == ["v1.28.15-r30", "v1.29"]


class _PatchFirstApi(object):
    """A cluster on v1.28.2-r0 (not its latest patch), as CCE describes it."""

    def __init__(self, release="v1.28.2", patch="r0"):
        self.release, self.patch = release, patch

    def get_upgrade_info(self, cluster_id):
        return {"spec": {"versionInfo": {"release": self.release, "patch": self.patch,
                                         "targetVersions": ["v1.28.15-r30", "v1.29.4-r0", "v1.31.2-r0"]}}}

    def list_upgrade_paths(self):
        return REAL_PATHS


@pytest.mark.parametrize("target", ["v1.29", "v1.29.4-r0", "v1.31"])
def test_point3_a_new_minor_from_an_older_patch_is_refused_naming_the_latest_patch(target):
    with pytest.raises(up.TargetNotOffered) as failure:
        up.check_offered_target(_PatchFirstApi(), "cid", "v1.28", target, "cce.9.0")
    text = str(failure.value)
    assert "target_version %s" % target in text and "latest patch v1.28.15-r30 first" in text
    assert failure.value.current == "v1.28.2-r0"


@pytest.mark.parametrize("target", ["v1.28.15-r30", "v1.28.15"])
def test_point3_the_latest_patch_of_the_same_minor_is_a_valid_target(target):
    offered = up.check_offered_target(_PatchFirstApi(), "cid", "v1.28", target, "cce.9.0")
    assert offered.current_version == "v1.28.2-r0"


def test_point3_from_the_latest_patch_the_next_minor_is_valid():
    offered = up.check_offered_target(_PatchFirstApi("v1.28.15", "r30"), "cid", "v1.28", "v1.29", "cce.9.0")
    assert offered.current_version == "v1.28.15-r30"


def test_point1_current_full_version_reads_upgradeinfo_else_the_cluster_version():
    assert up.current_full_version(_PatchFirstApi(), "cid", "v1.28") == "v1.28.2-r0"
    assert up.current_full_version(_PatchFirstApi(release=None), "cid", "v1.28") == "v1.28"


def test_point6_failure_details_come_from_the_cluster_and_the_workflow():
    cluster = {"status": {"phase": "Available", "reason": "UpgradeFailed", "message": "upgrade of node n1 failed"}}
    workflow = {"metadata": {"uid": "w1"}, "status": {"phase": "Pending", "pointStatuses": [
        {"taskType": "PreCheck", "status": "Success"}, {"taskType": "Cluster", "status": "Failed"}]}}
    details = up.failure_details(cluster, workflow)
    assert details == {"cluster_reason": "UpgradeFailed", "cluster_message": "upgrade of node n1 failed",
                       "workflow_id": "w1", "workflow_point": "Failed"}
    text = up.describe_failure(details)
    assert "UpgradeFailed: upgrade of node n1 failed" in text and "w1" in text and "cce_precheck" in text
    assert "no reason on the upgrade task" in up.describe_failure(up.failure_details({"status": {}}, None))


def test_point6_a_task_without_message_reads_progress_as_a_decimal_string():
    status = {"phase": "Failed", "progress": "37.50", "completionTime": "2022-12-16 13:40:20.75671 +0800 CST"}
    task = up.normalize_task({"metadata": {"uid": "t"}, "status": status})
    assert task["progress"] == "37.50" and task["message"] is None
    assert up.normalize_task({"status": {"progress": 12.5}})["progress"] == "12.50"


def test_point5_task_list_orders_go_cst_and_rfc3339_timestamps_by_instant():
    body = {"items": [
        raw_task("a", "Success", created="2022-12-16 13:40:20.75671 +0800 CST"),   # 05:40:20 UTC
        raw_task("b", "Success", created="2022-12-16T06:00:00Z"),                  # 06:00 UTC
        raw_task("c", "Success", created="2022-12-16 05:50:00 +0000 UTC"),         # 05:50 UTC
    ]}
    assert [t["task_id"] for t in up.normalize_task_list(body)] == ["b", "c", "a"]


@pytest.mark.parametrize("step", [1, 40, 41, 120])
def test_point9_steps_1_to_120_build(step):
    body = up.build_upgrade_body({"target_version": "v1.30", "user_defined_step": step})
    assert body["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"] == {"userDefinedStep": step}


def test_point9_scope_is_sent_only_when_set_and_operator_equals_is_accepted():
    body = up.build_upgrade_body({"target_version": "v1.30", "scope": "NodePool", "node_order": {
        "DefaultPool": [{"node_selector": {"key": "name", "operator": "=", "value": ["n1"]}, "priority": 1}]}})
    action = body["spec"]["clusterUpgradeAction"]
    assert action["strategy"]["inPlaceRollingUpdate"] == {"userDefinedStep": 20, "scope": "NodePool"}
    assert action["nodeOrder"]["DefaultPool"][0]["nodeSelector"] == {"key": "name", "operator": "=", "value": ["n1"]}


def test_point1_a_full_version_filter_keeps_clusters_listed_with_their_minor_only():
    listed = {"version": "v1.29"}
    assert up.cluster_matches(listed, version="v1.29.8-r0")
    assert not up.cluster_matches(listed, version="v1.30.1-r0")
    assert not up.cluster_matches({"version": "v1.19.16-r20"}, version="v1.19.16-r4")
