"""The simulator behaves as real CCE does (reference/real-cce-behaviour.md), point by point (issue 10)."""

import json
import re

import pytest
from huaweicloudsdkcce.v3 import (
    CreateAutopilotPreCheckRequest, CreateAutopilotUpgradeWorkFlowRequest, CreatePreCheckRequest, CreateUpgradeWorkFlowRequest,
    CreateUpgradeWorkFlowRequestBody, PrecheckClusterRequestBody, PrecheckSpec, ShowAutopilotPreCheckRequest,
    ShowAutopilotUpgradeWorkFlowRequest, ShowPreCheckRequest, ShowUpgradeWorkFlowRequest, WorkFlowSpec,
)
from test_engine import Cluster, _error

from cce_simulator.clock import format_timestamp, go_timestamp
from cce_simulator.engine import Cloud
from cce_simulator.errors import ApiError
from cce_simulator.scenario import ScenarioError, default_scenario, normalize
from cce_simulator.versions import Catalog

GO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})? \+0000 UTC$")
GO_CST = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})? \+0800 CST$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
DECIMAL = re.compile(r"^\d{1,3}\.\d{2}$")


def _upgrade_action(target, step=20, only=None, **extra):
    action = {"targetVersion": target, "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": step}}}
    if only is not None:
        action["isOnlyUpgrade"] = only
    action.update(extra)
    return {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {"clusterUpgradeAction": action}}


# -- 1. versions --------------------------------------------------------------------------------
def test_cluster_shows_minor_and_platform_version_upgradeinfo_the_full_version(api):
    cluster = Cluster(api, "stale-a")
    shown = cluster.get().json()
    assert (shown["spec"]["version"], shown["spec"]["platformVersion"]) == ("v1.29", "cce.2.0")
    info = cluster.get("/upgradeinfo").json()["spec"]["versionInfo"]
    assert (info["release"], info["patch"]) == ("v1.29.2", "r0")
    # upgradeinfo targets are full versions: the same-minor latest patch first, then the table's minors
    assert info["targetVersions"] == ["v1.29.4-r0", "v1.30.14-r10", "v1.31.10-r0"]
    summary = api.sim.cluster("stale-a")
    assert (summary["version"], summary["platform_version"]) == ("v1.29.2-r0", "cce.2.0")
    old = api.sim.add_cluster(name="old-a", flavor="cce", version="v1.19")  # before v1.21 spec.version is the full version
    assert api.get(api.cluster_path(old["id"])).json()["spec"]["version"] == "v1.19.16-r80"


def test_workflow_comes_back_with_resolved_full_versions(api):
    for name, flavor_target, expected in (("prod-a", "v1.30", "v1.30.14-r10"), ("ap-c", "v1.31", "v1.31.10-r0"),
                                          ("legacy-a", "v1.27.16", "v1.27.16-r10")):
        cluster = Cluster(api, name)
        created = cluster.workflow(flavor_target)
        assert created.status_code == 201, created.text
        spec = created.json()["spec"]
        assert (spec["clusterVersion"], spec["targetVersion"]) == (api.sim.cluster(name)["version"], expected)
        listed = cluster.get("/operation/upgradeworkflows").json()["items"][0]["spec"]
        assert listed["targetVersion"] == expected


def test_catalog_resolves_and_orders_versions():
    catalog = Catalog([{"version": "v1.29.10-r0", "platformVersion": "cce.9.0"},
                       {"version": "v1.29.9-r2", "platformVersion": "cce.8.0"},
                       {"version": "v1.30.1-r0", "platformVersion": "cce.1.0"}], {"v1.29": ["v1.30"]})
    assert catalog.latest_patch("v1.29") == "v1.29.10-r0"  # numeric, not text order
    assert catalog.resolve("v1.29") == "v1.29.10-r0"
    assert catalog.resolve("v1.29.9") == "v1.29.9-r2"
    assert catalog.resolve("v1.29.9-r1") is None
    assert catalog.targets("v1.29.9-r2") == ["v1.29.10-r0", "v1.30.1-r0"]
    assert catalog.targets("v1.29.10-r0") == ["v1.30.1-r0"]


# -- 2. the pre-check names the exact current patch version ---------------------------------------
@pytest.mark.parametrize("version", ["v1.29", "v1.29.4", "v1.29.2-r0", None])
def test_precheck_refuses_anything_but_the_current_patch_version(api, version):
    cluster = Cluster(api, "prod-a")
    spec = {"clusterID": cluster.id, "targetVersion": "v1.30"}
    if version is not None:
        spec["clusterVersion"] = version
    body = _error(cluster.post("/operation/precheck", {"apiVersion": "v3", "kind": "PreCheckTask", "spec": spec}),
                  400, "CCE.01400001")
    assert body["error_code"] == "CCE_CM.0101"
    assert "v1.29.4-r0" in body["message"]
    assert cluster.get("/operation/precheck/tasks").json()["items"] == []
    assert cluster.precheck("v1.30", "v1.29.4-r0").status_code == 200


# -- 3. patch first -------------------------------------------------------------------------------
@pytest.mark.parametrize("name,current,target,latest", [
    ("stale-a", "v1.29.2-r0", "v1.30", "v1.29.4-r0"),
    ("ancient-a", "v1.23.8-r0", "v1.25", "v1.23.17-r30"),
])
def test_minor_upgrade_from_an_older_patch_is_refused_everywhere(api, name, current, target, latest):
    cluster = Cluster(api, name)
    resolved = {"v1.30": "v1.30.14-r10", "v1.25": "v1.25.16-r10"}[target]
    message = "not supported to upgrade from %s to %s, only support to %s" % (current, resolved, latest)
    for resp in (cluster.workflow(target), cluster.precheck(target, current), cluster.upgrade(target, only=True),
                 cluster.upgrade(target)):
        body = _error(resp, 400, "CCE.01400001")
        assert body["message"] == message
    assert cluster.get("/operation/upgrade/tasks").json()["items"] == []


def test_patch_upgrade_then_the_minor(api):
    cluster = Cluster(api, "stale-a")
    created = cluster.workflow("v1.29").json()  # the minor names its latest patch, a valid target
    assert created["spec"]["targetVersion"] == "v1.29.4-r0"
    assert cluster.precheck("v1.29", "v1.29.2-r0").status_code == 200
    api.sim.advance(61)
    task_id = cluster.upgrade("v1.29.4-r0", only=True).json()["metadata"]["uid"]
    api.sim.advance(700)
    task = cluster.task(task_id)
    assert (task["status"]["phase"], task["spec"]["version"], task["spec"]["targetVersion"]) == ("Success", "v1.29.2-r0", "v1.29.4-r0")
    shown = cluster.get().json()
    assert (shown["spec"]["version"], shown["spec"]["platformVersion"]) == ("v1.29", "cce.4.0")  # still the minor
    info = cluster.get("/upgradeinfo").json()["spec"]["versionInfo"]
    assert (info["release"], info["patch"], info["targetVersions"]) == ("v1.29.4", "r0", ["v1.30.14-r10", "v1.31.10-r0"])
    post = cluster.post("/operation/postcheck", {"kind": "PostCheckTask", "apiVersion": "v3", "spec": {
        "clusterID": cluster.id, "clusterVersion": "v1.29.2-r0", "targetVersion": "v1.29.4-r0"}}).json()
    assert post["status"]["phase"] == "Success"
    assert cluster.get("/operation/upgradeworkflows/" + created["metadata"]["uid"]).json()["status"]["phase"] == "Success"
    assert cluster.workflow("v1.30").status_code == 201  # now on the latest patch: the next minor is open


# -- 4. upgrade paths ------------------------------------------------------------------------------
def test_upgrade_paths_one_entry_per_version_and_platform_version(api):
    for family in ("api", "autopilot"):
        reply = api.get("/%s/v3/clusterupgradepaths" % family).json()
        assert reply["kind"] == "ClusterUpgradePaths"
        entries = {(p["version"], p["platformVersion"]): p["targetVersions"] for p in reply["upgradePaths"]}
        assert entries[("v1.29", "cce.2.0")] == ["v1.29.4-r0", "v1.30.14-r10", "v1.31.10-r0"]
        assert entries[("v1.29", "cce.4.0")] == ["v1.30.14-r10", "v1.31.10-r0"]
        assert entries[("v1.23", "cce.9.0")] == ["v1.23.17-r30", "v1.25.16-r10", "v1.27.16-r10", "v1.28.15-r30"]
        assert entries[("v1.28", "cce.8.0")] == ["v1.29.4-r0", "v1.31.10-r0"]  # minors skip
        assert entries[("v1.19.16-r80", "cce.16.0")] == ["v1.21.14-r30", "v1.23.17-r30"]  # old sources by full version
        assert all(re.match(r"^v\d+\.\d+\.\d+-r\d+$", t) for targets in entries.values() for t in targets)


# -- 5. documents ------------------------------------------------------------------------------------
def _timestamps(document, found=None):
    found = [] if found is None else found
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and (key.endswith("Timestamp") or key.endswith("TimeStamp") or key in (
                    "completionTime", "latestBackupTime")):
                found.append(value)
            else:
                _timestamps(value, found)
    elif isinstance(document, list):
        for item in document:
            _timestamps(item, found)
    return found


@pytest.mark.parametrize("name,pattern", [("prod-a", GO_UTC), ("prod-b", GO_CST), ("prod-c", RFC3339), ("ap-b", GO_CST)])
def test_every_timestamp_in_the_clusters_style(api, name, pattern):
    cluster = Cluster(api, name)
    flavor = api.sim.cluster(name)["flavor"]
    workflow = cluster.workflow().json()["metadata"]["uid"]
    precheck = cluster.precheck().json()["metadata"]["uid"]
    api.sim.advance(61)
    snapshot_base = api.cluster_path(cluster.id, flavor, "v3.1")
    api.post(snapshot_base + "/operation/snapshot")
    api.sim.advance(121)
    task_id = cluster.upgrade().json()["metadata"]["uid"]
    api.sim.advance(700)
    documents = [cluster.get().json(), cluster.get("/operation/upgradeworkflows/" + workflow).json(),
                 cluster.get("/operation/precheck/tasks/" + precheck).json(), cluster.task(task_id),
                 api.get(snapshot_base + "/operation/snapshot/tasks").json(), cluster.get("/upgradeinfo").json(),
                 api.get(api.prefix(flavor) + "/jobs/" + task_id).json()]
    stamps = _timestamps(documents)
    assert len(stamps) >= 15
    assert all(pattern.match(stamp) for stamp in stamps), stamps
    points = cluster.get("/operation/upgradeworkflows/" + workflow).json()["status"]["pointStatuses"]
    assert pattern.match(points[0]["expireTimeStamp"])


def test_go_timestamps_carry_no_fraction_up_to_nanoseconds():
    assert go_timestamp(1671169220, "CST") == "2022-12-16 13:40:20 +0800 CST"
    assert format_timestamp(1671169220, "rfc3339") == "2022-12-16T13:40:20+08:00"
    fractions = {len(go_timestamp(1671169220 + second + 0.123456789).split(" ")[1].split(".")[1]) for second in range(3)}
    assert fractions == {3, 6, 9}


class FakeClock:
    """A simulated clock that moves only when told (engine-level tests, no timing margins)."""

    def __init__(self):
        self.value = 1700000000.0

    def now(self):
        return self.value


def test_progress_is_a_decimal_string_and_init_may_carry_completion_time():
    clock = FakeClock()
    cloud = Cloud(default_scenario(), clock)
    cid = cloud.by_name["prod-b"].id  # api_explorer documents
    task_id = cloud.submit_upgrade("cce", cid, _upgrade_action("v1.30", only=True))[1]["metadata"]["uid"]
    status = cloud.show_upgrade_task("cce", cid, task_id)[1]["status"]
    assert (status["phase"], status["progress"]) == ("Init", "0.00")
    assert GO_CST.match(status["completionTime"])
    clock.value += 5 + 150
    status = cloud.show_upgrade_task("cce", cid, task_id)[1]["status"]
    assert (status["phase"], status["progress"]) == ("Running", "25.00")
    assert "completionTime" not in status
    assert cloud.upgrade_info("cce", cid)[1]["status"]["progress"] == "25.00"
    clock.value += 0.03 * 600
    assert cloud.show_upgrade_task("cce", cid, task_id)[1]["status"]["progress"] == "28.00"
    sdk_style = cloud.by_name["prod-a"].id
    task_id = cloud.submit_upgrade("cce", sdk_style, _upgrade_action("v1.30", only=True))[1]["metadata"]["uid"]
    assert cloud.show_upgrade_task("cce", sdk_style, task_id)[1]["status"] == {"phase": "Queuing", "progress": "0.00"}


def test_a_queued_task_pauses_whether_it_reads_init_or_queuing():
    clock = FakeClock()
    cloud = Cloud(default_scenario(), clock)
    for name, queued in (("prod-b", "Init"), ("prod-a", "Queuing")):
        cid = cloud.by_name[name].id
        task_id = cloud.submit_upgrade("cce", cid, _upgrade_action("v1.30", only=True))[1]["metadata"]["uid"]
        assert cloud.show_upgrade_task("cce", cid, task_id)[1]["status"]["phase"] == queued
        assert cloud.pause_upgrade("cce", cid)[0] == 200
        assert cloud.show_upgrade_task("cce", cid, task_id)[1]["status"]["phase"] == "Pause"


def test_api_explorer_documents_type_critical_and_node_info_as_strings(api):
    cluster = Cluster(api, "ap-b")
    workflow = cluster.workflow().json()
    assert [line["critical"] for line in workflow["status"]["lineStatuses"]] == ["false", "false", "true", "true"]
    precheck = cluster.precheck().json()["metadata"]["uid"]
    api.sim.advance(61)
    nodes = cluster.get("/operation/precheck/tasks/" + precheck).json()["status"]["nodeCheckStatus"]["nodeStageStatus"]
    assert nodes and all(json.loads(node["nodeInfo"])["nodeType"] == "node" for node in nodes)
    sdk_style = Cluster(api, "prod-a").workflow().json()
    assert [line["critical"] for line in sdk_style["status"]["lineStatuses"]] == [False, False, True, True]


@pytest.mark.parametrize("name", ["prod-b", "ap-b"])
def test_sdk_reads_api_explorer_documents(sim, sdk, name):
    """The official SDK still drives the clusters whose documents use the API Explorer types."""
    client = sdk()
    info = sim.cluster(name)
    cid, autopilot = info["id"], info["flavor"] == "autopilot"
    create_wf = client.create_autopilot_upgrade_work_flow if autopilot else client.create_upgrade_work_flow
    request = (CreateAutopilotUpgradeWorkFlowRequest if autopilot else CreateUpgradeWorkFlowRequest)(
        cluster_id=cid, body=CreateUpgradeWorkFlowRequestBody(kind="WorkFlowTask", api_version="v3", spec=WorkFlowSpec(target_version="v1.30")))
    wid = create_wf(request).metadata.uid
    create_pc = client.create_autopilot_pre_check if autopilot else client.create_pre_check
    body = PrecheckClusterRequestBody(api_version="v3", kind="PreCheckTask",
                                      spec=PrecheckSpec(cluster_id=cid, cluster_version=info["version"], target_version="v1.30"))
    pid = create_pc((CreateAutopilotPreCheckRequest if autopilot else CreatePreCheckRequest)(cluster_id=cid, body=body)).metadata.uid
    sim.advance(61)
    show_wf = client.show_autopilot_upgrade_work_flow if autopilot else client.show_upgrade_work_flow
    workflow = show_wf((ShowAutopilotUpgradeWorkFlowRequest if autopilot else ShowUpgradeWorkFlowRequest)(
        cluster_id=cid, upgrade_workflow_id=wid))
    assert workflow.spec.target_version == "v1.30.14-r10"
    assert json.loads(workflow.raw_content)["status"]["lineStatuses"][0]["critical"] == "false"
    show_pc = client.show_autopilot_pre_check if autopilot else client.show_pre_check
    precheck = show_pc((ShowAutopilotPreCheckRequest if autopilot else ShowPreCheckRequest)(cluster_id=cid, task_id=pid))
    assert precheck.status.phase == "Success"
    assert isinstance(json.loads(precheck.raw_content)["status"]["nodeCheckStatus"]["nodeStageStatus"][0]["nodeInfo"], str)


# -- 6. no failure message on tasks; reasons where CCE puts them ----------------------------------------
def test_failed_node_reason_is_on_the_cluster_and_job_not_on_the_task(api):
    cluster = Cluster(api, "flaky-a")
    task_id = cluster.upgrade(only=True).json()["metadata"]["uid"]
    api.sim.advance(500)
    task = cluster.task(task_id)
    assert task["status"]["phase"] == "Failed" and "message" not in task["status"]
    assert task["spec"]["items"] == {}
    status = cluster.get().json()["status"]
    assert status["reason"] == "UpgradeFailed" and "retry" in status["message"]
    job = api.get(api.prefix() + "/jobs/" + task_id).json()
    assert job["status"]["reason"] == status["message"]


# -- 7. isOnlyUpgrade -------------------------------------------------------------------------------------
def test_upgrade_needs_no_prior_precheck(api):
    cluster = Cluster(api, "prod-a")
    task_id = cluster.upgrade().json()["metadata"]["uid"]
    api.sim.advance(15)
    # CCE's own pre-check stage runs first (isOnlyUpgrade defaults to false): no progress yet
    assert (cluster.task(task_id)["status"]["phase"], cluster.task(task_id)["status"]["progress"]) == ("Running", "0.00")
    api.sim.advance(700)
    assert cluster.task(task_id)["status"]["phase"] == "Success"


@pytest.mark.parametrize("name", ["risky-a", "ap-risky"])
def test_builtin_precheck_fails_the_task_on_a_fatal_risk(api, name):
    cluster = Cluster(api, name)
    workflow = cluster.workflow().json()["metadata"]["uid"]
    task_id = cluster.upgrade().json()["metadata"]["uid"]
    api.sim.advance(100)
    task = cluster.task(task_id)
    assert (task["status"]["phase"], task["status"]["progress"]) == ("Failed", "0.00")
    status = cluster.get().json()["status"]
    assert status["reason"] == "UpgradePreCheckFailed" and "deprecated-api-check" in status["message"]
    assert cluster.get().json()["spec"]["version"] == "v1.29"
    flow = cluster.get("/operation/upgradeworkflows/" + workflow).json()["status"]
    assert flow["phase"] == "Pending"
    assert [p.get("status") for p in flow["pointStatuses"] if p["taskType"] == "Cluster"] == ["Failed"]
    assert cluster.post("/operation/upgrade/retry").status_code == 200  # CCE checks again: same risk, same end
    api.sim.advance(100)
    assert cluster.task(task_id)["status"]["phase"] == "Failed"


def test_precheck_risk_from_limits_the_risk_to_later_minors(api):
    """precheck_risk_from: APIs removed in a later Kubernetes are a risk only for targets of that minor on:
    the patch upgrade's pre-check passes, the minor upgrade's (API and built-in) finds the fatal item."""
    for name, version in (("psp-a", "v1.23.8-r0"), ("psp-b", "v1.23.17-r30")):
        api.sim.add_cluster(name=name, flavor="cce", version=version, precheck_risk="fatal", precheck_risk_from="v1.25")
    older, latest = Cluster(api, "psp-a"), Cluster(api, "psp-b")
    patch = older.precheck("v1.23.17-r30", "v1.23.8-r0").json()["metadata"]["uid"]
    minor = latest.precheck("v1.25", "v1.23.17-r30").json()["metadata"]["uid"]
    task_id = latest.upgrade("v1.25").json()["metadata"]["uid"]   # CCE's own pre-check inside the task
    api.sim.advance(100)
    assert older.get("/operation/precheck/tasks/" + patch).json()["status"]["phase"] == "Success"
    assert latest.get("/operation/precheck/tasks/" + minor).json()["status"]["phase"] == "Failed"
    assert latest.task(task_id)["status"]["phase"] == "Failed"
    with pytest.raises(ScenarioError, match="precheck_risk_from must be a minor version"):
        normalize({"clusters": [{"name": "bad-from", "precheck_risk": "fatal", "precheck_risk_from": "v1.25.3-r0"}]})


def test_is_only_upgrade_true_skips_the_builtin_precheck(api):
    cluster = Cluster(api, "risky-a")
    task_id = cluster.upgrade(only=True).json()["metadata"]["uid"]
    api.sim.advance(30)
    assert float(cluster.task(task_id)["status"]["progress"]) > 0
    api.sim.advance(600)
    assert cluster.task(task_id)["status"]["phase"] == "Success"


def test_require_precheck_is_a_scenario_option(api):
    api.sim.add_cluster(name="strict-a", flavor="cce", version="v1.29", require_precheck=True)
    cluster = Cluster(api, "strict-a")
    body = _error(cluster.upgrade(only=True), 400, "CCE.01400075")
    assert "precheck" in body["message"]
    cluster.passed_precheck()
    time_scale = api.sim.control("GET", "clock")["time_scale"]
    api.sim.advance(3601 / time_scale)  # the validity is an hour of real time (see below)
    assert _error(cluster.upgrade(only=True), 400, "CCE.01400075")["message"] == "precheck expired, please precheck again"
    cluster.passed_precheck()
    assert cluster.upgrade(only=True).status_code == 200


def test_precheck_validity_is_real_time_whatever_the_time_scale(api):
    # Real CCE keeps a pre-check valid for an hour of real time; the client's pace (a 30 s poll interval)
    # is real time too. The time scale speeds up CCE's work, not the client's deadline: at time scale 0.01
    # the pre-check ends 0.6 s after it starts and stays valid for an hour (100 simulated hours).
    api.sim.add_cluster(name="strict-b", flavor="cce", version="v1.29", require_precheck=True)
    cluster = Cluster(api, "strict-b")
    time_scale = api.sim.control("GET", "clock")["time_scale"]
    task_id = cluster.passed_precheck()
    assert cluster.get("/operation/precheck/tasks/" + task_id).json()["status"]["phase"] == "Success"
    api.sim.advance(3500 / time_scale)  # just under an hour of real time after the pre-check ended
    assert cluster.upgrade(only=True).status_code == 200


# -- 8. pause and continue are deprecated ------------------------------------------------------------------
def test_deprecated_pause_and_continue_refused_retry_kept(api):
    api.sim.add_cluster(name="modern-a", flavor="cce", version="v1.29", pause_continue="deprecated", fail_upgrade_once_at=30)
    cluster = Cluster(api, "modern-a")
    task_id = cluster.upgrade(only=True).json()["metadata"]["uid"]
    api.sim.advance(60)
    for action, api_name in (("pause", "PauseUpgradeClusterTask"), ("continue", "ContinueUpgradeClusterTask")):
        body = _error(cluster.post("/operation/upgrade/" + action), 400, "CCE.01400001")
        assert body["message"] == "%s is deprecated and not supported any more" % api_name
    assert cluster.task(task_id)["status"]["phase"] == "Running"
    api.sim.advance(200)
    assert cluster.task(task_id)["status"]["phase"] == "Failed"
    assert cluster.post("/operation/upgrade/retry").status_code == 200
    api.sim.advance(600)
    assert cluster.task(task_id)["status"]["phase"] == "Success"


# -- 9. batch size and selectors ----------------------------------------------------------------------------
def test_user_defined_step_limit_and_node_selectors(api):
    cluster = Cluster(api, "prod-a")
    body = _error(cluster.upgrade(step=41, only=True), 400, "CCE.01400001")
    assert body["message"] == "userDefinedStep must be an integer between 1 and 40"
    bad = _upgrade_action("v1.30", only=True, nodeOrder={"DefaultPool": [{"nodeSelector": {"key": "name", "operator": "like", "value": ["a"]},
                                                                          "priority": 1}]})
    assert "invalid nodeSelector operator 'like'" in _error(cluster.post("/operation/upgrade", bad), 400, "CCE.01400001")["message"]
    good = _upgrade_action("v1.30", step=40, only=True, nodeOrder={"DefaultPool": [
        {"nodeSelector": {"key": "name", "operator": "=", "value": ["prod-a-defaultpool-1"]}, "priority": 2},
        {"nodeSelector": {"key": "name", "operator": "In", "value": ["prod-a-defaultpool-2"]}, "priority": 1}]})
    assert "scope" not in good["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"]
    assert cluster.post("/operation/upgrade", good).status_code == 200


def test_user_defined_step_up_to_120_is_a_scenario_option(api):
    api.sim.add_cluster(name="wide-a", flavor="cce", version="v1.29", max_user_defined_step=120)
    cluster = Cluster(api, "wide-a")
    assert _error(cluster.upgrade(step=121, only=True), 400, "CCE.01400001")["message"].endswith("between 1 and 120")
    assert cluster.upgrade(step=120, only=True).status_code == 200


# -- 10. upgrade APIs are granted on request -----------------------------------------------------------------
def test_upgrade_apis_not_granted_answer_403(api):
    added = api.sim.add_cluster(name="nogrant-a", flavor="autopilot", version="v1.29", upgrade_api_granted=False)
    cluster = Cluster(api, "nogrant-a")
    assert cluster.get().status_code == 200 and cluster.get("/upgradeinfo").status_code == 200
    calls = [cluster.workflow(), cluster.get("/operation/upgradeworkflows"), cluster.precheck(),
             cluster.upgrade(only=True), cluster.get("/operation/upgrade/tasks"), cluster.post("/operation/upgrade/retry"),
             api.post(api.cluster_path(added["id"], "autopilot", "v3.1") + "/operation/snapshot")]
    for resp in calls:
        body = _error(resp, 403, "CCE.01403001")
        assert body["errorMessage"] == "Forbidden." and body["reason"] == "Forbidden"
        assert "available only upon request" in body["message"]


def test_account_without_upgrade_apis_is_a_global_option():
    scenario = normalize({"options": {"upgrade_api_granted": False}, "clusters": [{"name": "one", "version": "v1.29"},
                                                                                  {"name": "two", "version": "v1.29", "upgrade_api_granted": True}]})

    class Clock:
        @staticmethod
        def now():
            return 1700000000.0

    cloud = Cloud(scenario, Clock())
    one, two = cloud.by_name["one"].id, cloud.by_name["two"].id
    with pytest.raises(ApiError) as info:
        cloud.list_workflows("cce", one)
    assert (info.value.status, info.value.body["errorCode"]) == (403, "CCE.01403001")
    assert cloud.list_workflows("cce", two)[0] == 200


def test_scenario_rejects_unknown_versions_and_options():
    with pytest.raises(ScenarioError, match="not a release"):
        normalize({"clusters": [{"name": "x", "version": "v1.29.3-r0"}]})
    with pytest.raises(ScenarioError, match="unknown options"):
        normalize({"options": {"pause": "no"}})
    with pytest.raises(ScenarioError, match="timestamp_style"):
        normalize({"clusters": [{"name": "x", "version": "v1.29", "timestamp_style": "local"}]})


def test_default_scenario_shape():
    """DESIGN.md: three healthy clusters per flavor, a fatal risk, a flaky node, one behind its patch, one minors behind."""
    clusters = {c["name"]: c for c in default_scenario()["clusters"]}
    for flavor in ("cce", "autopilot"):
        healthy = [c for c in clusters.values() if c["flavor"] == flavor and not c["precheck_risk"] and not c["fail_upgrade_once_at"]]
        assert len(healthy) >= 3
        assert any(c["flavor"] == flavor and c["precheck_risk"] == "fatal" for c in clusters.values())
    assert clusters["flaky-a"]["fail_upgrade_once_at"]
    assert clusters["stale-a"]["version"] == "v1.29.2-r0" and clusters["ancient-a"]["version"] == "v1.23.8-r0"
    assert {c["timestamp_style"] for c in clusters.values()} == {"go_utc", "go_cst", "rfc3339"}
    assert {c["document_style"] for c in clusters.values()} == {"sdk", "api_explorer"}
    assert len({c["platform_version"] for c in clusters.values()}) >= 4


def test_scenario_upgrade_paths_in_the_older_list_form():
    scenario = normalize({"upgrade_paths": [{"version": "v1.29", "targetVersions": ["v1.30"]}],
                          "clusters": [{"name": "x", "version": "v1.29"}]})
    assert scenario["upgrade_paths"] == {"v1.29": ["v1.30"]}

    class Clock:
        @staticmethod
        def now():
            return 1700000000.0

    cloud = Cloud(scenario, Clock())
    info = cloud.upgrade_info("cce", cloud.by_name["x"].id)[1]
    assert info["spec"]["versionInfo"]["targetVersions"] == ["v1.30.14-r10"]
