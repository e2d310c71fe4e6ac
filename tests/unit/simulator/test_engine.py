"""The state machine and the CCE rules: conflicts, locks, versions, pre-check validity, failures."""

import re

import pytest

GO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})? \+0000 UTC$")


class Cluster:
    """Signed calls against one cluster."""

    def __init__(self, api, name):
        info = api.sim.cluster(name)
        self.api = api
        self.id = info["id"]
        self.flavor = info["flavor"]
        self.base = api.cluster_path(self.id, self.flavor)

    def get(self, sub=""):
        return self.api.get(self.base + sub)

    def post(self, sub, body=None):
        return self.api.post(self.base + sub, body)

    def workflow(self, target="v1.30"):
        return self.post("/operation/upgradeworkflows", {"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": target}})

    def precheck(self, target="v1.30", version="v1.29.4-r0", skipped=None):
        spec = {"clusterID": self.id, "clusterVersion": version, "targetVersion": target}
        if skipped:
            spec["skippedCheckItemList"] = [{"name": name} for name in skipped]
        return self.post("/operation/precheck", {"apiVersion": "v3", "kind": "PreCheckTask", "spec": spec})

    def upgrade(self, target="v1.30", step=20, only=None, kind="UpgradeTask"):
        action = {"targetVersion": target, "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": step}}}
        if only is not None:
            action["isOnlyUpgrade"] = only
        return self.post("/operation/upgrade", {"metadata": {"apiVersion": "v3", "kind": kind}, "spec": {"clusterUpgradeAction": action}})

    def task(self, task_id):
        return self.get("/operation/upgrade/tasks/" + task_id).json()

    def passed_precheck(self, target="v1.30", version="v1.29.4-r0"):
        resp = self.precheck(target, version)
        assert resp.status_code == 200, resp.text
        self.api.sim.advance(61)
        return resp.json()["metadata"]["uid"]


def _error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["errorCode"] == code
    assert body["kind"] == "Status" and body["code"] == status
    assert resp.headers["X-Request-Id"]
    return body


def test_second_open_workflow_conflicts(api):
    cluster = Cluster(api, "prod-b")
    assert cluster.workflow().status_code == 201
    body = _error(cluster.workflow(), 409, "CCE.01409001")
    assert body["errorMessage"] == "The resource already exists."


def test_second_upgrade_is_locked(api):
    cluster = Cluster(api, "prod-b")
    first = cluster.upgrade(only=True)
    assert first.status_code == 200
    _error(cluster.upgrade(only=True), 429, "CCE.01429002")
    tasks = cluster.get("/operation/upgrade/tasks").json()["items"]
    assert [t["metadata"]["uid"] for t in tasks] == [first.json()["metadata"]["uid"]]


@pytest.mark.parametrize("target", ["v1.32", "v1.28", "v1.29", "v1.29.4-r0", "v1.29.2-r0", "v1.30.6-r0", "v1.30.99-r0"])
def test_unsupported_targets(api, target):
    cluster = Cluster(api, "prod-a")
    for resp in (cluster.workflow(target), cluster.precheck(target), cluster.upgrade(target, only=True)):
        body = _error(resp, 400, "CCE.01400001")
        assert body["error_code"] == "CCE_CM.0004"
        assert body["message"] == "not supported to upgrade from v1.29.4-r0 to %s" % target


def test_legacy_cluster_path(api):
    cluster = Cluster(api, "legacy-a")
    assert cluster.workflow("v1.26").status_code == 400
    created = cluster.workflow("v1.28")  # the real table skips v1.27
    assert created.status_code == 201
    assert created.json()["spec"]["targetVersion"] == "v1.28.15-r30"


@pytest.mark.parametrize("change,message", [
    (lambda b: b["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"].update(userDefinedStep=0), "userDefinedStep"),
    (lambda b: b["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"].update(userDefinedStep=41), "between 1 and 40"),
    (lambda b: b["spec"]["clusterUpgradeAction"]["strategy"].pop("inPlaceRollingUpdate"), "user defined step"),
    (lambda b: b["spec"]["clusterUpgradeAction"].pop("targetVersion"), "targetVersion"),
    (lambda b: b["metadata"].update(kind="Upgrade"), "kind"),
    (lambda b: b["metadata"].update(apiVersion="v2"), "apiVersion"),
])
def test_upgrade_body_validation(api, change, message):
    cluster = Cluster(api, "prod-a")
    body = {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {"clusterUpgradeAction": {
        "targetVersion": "v1.30", "isOnlyUpgrade": True,
        "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": 20}}}}}
    change(body)
    reply = _error(cluster.post("/operation/upgrade", body), 400, "CCE.01400001")
    assert message in reply["message"]


def test_body_must_be_json(api, signer):
    cluster = Cluster(api, "prod-a")
    url = api.url + cluster.base + "/operation/upgradeworkflows"
    for content_type, payload, code in (("application/json", b"{not json", "CCE.01400001"),
                                        ("text/plain", b'{"kind": "WorkFlowTask"}', "CCE.01400006")):
        headers = signer("POST", url, {"Content-Type": content_type}, payload, api.access_key, api.secret_key)
        resp = api.session.post(url, data=payload, headers=headers, timeout=10)
        _error(resp, 400, code)


def test_cluster_not_available(api):
    api.sim.add_cluster(name="asleep-a", flavor="cce", version="v1.29", status="Hibernation")
    cluster = Cluster(api, "asleep-a")
    body = _error(cluster.upgrade(only=True), 400, "CCE.01400001")
    assert body["message"] == "cluster status is Hibernation, not allowed to upgrade"


def test_precheck_items_and_expiry(api):
    cluster = Cluster(api, "prod-a")
    created = cluster.precheck().json()
    assert created["metadata"].keys() == {"uid"}
    api.sim.advance(30)
    running = cluster.get("/operation/precheck/tasks/" + created["metadata"]["uid"]).json()
    assert running["status"]["phase"] == "Running" and running["status"]["clusterCheckStatus"]["phase"] == "Running"
    api.sim.advance(40)
    done = cluster.get("/operation/precheck/tasks/" + created["metadata"]["uid"]).json()
    status = done["status"]
    assert status["phase"] == "Success"
    assert {"clusterCheckStatus", "addonCheckStatus", "nodeCheckStatus"} <= status.keys()
    levels = {i["level"] for i in status["clusterCheckStatus"]["itemsStatus"]}
    assert levels <= {"Info", "Warning", "Fatal"}
    assert status["nodeCheckStatus"]["nodeStageStatus"][0]["nodeInfo"]["nodeType"] == "node"
    assert GO_TIME.match(status["expireTimeStamp"]) and GO_TIME.match(done["metadata"]["creationTimestamp"])
    workflow_free = cluster.get("/operation/precheck/tasks").json()["items"]
    assert workflow_free[0]["metadata"]["uid"] == created["metadata"]["uid"]


def test_fatal_precheck_item_can_be_skipped(api):
    cluster = Cluster(api, "risky-a")
    resp = cluster.precheck(skipped=["deprecated-api-check"])
    api.sim.advance(61)
    shown = cluster.get("/operation/precheck/tasks/" + resp.json()["metadata"]["uid"]).json()
    assert shown["status"]["phase"] == "Success"
    names = [i["name"] for i in shown["status"]["clusterCheckStatus"]["itemsStatus"]]
    assert "deprecated-api-check" not in names


def test_flaky_cluster_fails_on_a_node_then_retry_succeeds(api):
    cluster = Cluster(api, "flaky-a")
    workflow = cluster.workflow().json()["metadata"]["uid"]
    cluster.passed_precheck()
    task_id = cluster.upgrade().json()["metadata"]["uid"]
    api.sim.advance(500)
    task = cluster.task(task_id)
    assert task["status"]["phase"] == "Failed"
    assert task["status"]["progress"] == "60.00"
    assert set(task["status"]) == {"phase", "progress", "completionTime"}  # no failure message on a task
    shown = cluster.get().json()
    assert shown["status"]["reason"] == "UpgradeFailed"
    assert re.search(r"node flaky-a-defaultpool-\d", shown["status"]["message"])
    flow = cluster.get("/operation/upgradeworkflows/" + workflow).json()
    assert flow["status"]["phase"] == "Pending"
    assert {p["taskType"]: p.get("status") for p in flow["status"]["pointStatuses"]}["Cluster"] == "Failed"
    assert shown["spec"]["version"] == "v1.29"
    assert cluster.post("/operation/upgrade/retry").status_code == 200
    assert cluster.task(task_id)["status"]["phase"] == "Running"
    assert "reason" not in cluster.get().json()["status"]
    api.sim.advance(300)
    task = cluster.task(task_id)
    assert (task["status"]["phase"], task["status"]["progress"]) == ("Success", "100.00")
    assert cluster.get().json()["spec"]["version"] == "v1.30"
    assert api.sim.cluster("flaky-a")["version"] == "v1.30.14-r10"
    assert cluster.get("/operation/upgradeworkflows/" + workflow).json()["status"]["phase"] == "Running"


def test_pause_and_continue_on_cce(api):
    cluster = Cluster(api, "prod-c")
    task_id = cluster.upgrade(only=True).json()["metadata"]["uid"]
    api.sim.advance(120)
    assert cluster.post("/operation/upgrade/pause").status_code == 200
    paused = cluster.task(task_id)["status"]
    assert paused["phase"] == "Pause"
    api.sim.advance(1000)
    assert cluster.task(task_id)["status"] == paused
    assert cluster.get().json()["status"]["phase"] == "Upgrading"
    assert cluster.post("/operation/upgrade/continue").status_code == 200
    assert cluster.task(task_id)["status"]["phase"] == "Running"
    api.sim.advance(600)
    assert cluster.task(task_id)["status"]["phase"] == "Success"
    _error(cluster.post("/operation/upgrade/continue"), 400, "CCE.01400001")


def test_pause_is_not_an_autopilot_api(api):
    cluster = Cluster(api, "ap-b")
    for action in ("pause", "continue"):
        resp = cluster.post("/operation/upgrade/" + action)
        assert resp.status_code == 404
        assert resp.json()["error_code"] == "APIGW.0101"
    assert cluster.post("/operation/upgrade/retry").status_code == 400


def test_cluster_of_other_flavor_is_not_found(api):
    autopilot_id = api.sim.cluster("ap-a")["id"]
    body = _error(api.get(api.cluster_path(autopilot_id, "cce")), 404, "CCE.01404001")
    assert autopilot_id in body["message"]
    cce_id = api.sim.cluster("prod-a")["id"]
    _error(api.get(api.cluster_path(cce_id, "autopilot") + "/upgradeinfo"), 404, "CCE.01404001")


def test_snapshot_tasks(api):
    for name, flavor in (("prod-a", "cce"), ("ap-a", "autopilot")):
        cid = api.sim.cluster(name)["id"]
        base = api.cluster_path(cid, flavor, "v3.1")
        created = api.post(base + "/operation/snapshot")
        assert created.status_code == 200
        uid = created.json()["uid"]
        assert created.json()["metadata"]["apiVersion"] == "v3.1"
        item = api.get(base + "/operation/snapshot/tasks").json()["items"][0]
        assert item["metadata"]["uid"] == uid and item["status"]["phase"] == "Running"
        assert item["spec"]["items"][0]["type"] == "master-backup"
        api.sim.advance(121)
        listing = api.get(base + "/operation/snapshot/tasks").json()
        assert listing["items"][0]["status"]["phase"] == "Success"
        assert listing["status"]["latestBackupTime"]


def test_info_paths_gates_and_lists(api):
    for flavor in ("cce", "autopilot"):
        family = "api" if flavor == "cce" else "autopilot"
        paths = api.get("/%s/v3/clusterupgradepaths" % family).json()["upgradePaths"]
        by_platform = {(p["version"], p["platformVersion"]): p["targetVersions"] for p in paths}
        assert by_platform[("v1.29", "cce.4.0")] == ["v1.30.14-r10", "v1.31.10-r0"]
        gates = api.get("/%s/v3/clusterupgradefeaturegates" % family).json()["upgradeFeatureGates"]
        assert set(gates.values()) <= {"Support", "Disable", "Default"}
    info = api.get(api.cluster_path(api.sim.cluster("legacy-a")["id"]) + "/upgradeinfo").json()
    assert info["spec"]["versionInfo"]["targetVersions"] == ["v1.27.16-r10", "v1.28.15-r30"]
    listing = api.get(api.prefix("autopilot") + "/clusters?status=Available&version=v1.29&detail=true").json()["items"]
    assert sorted(c["metadata"]["name"] for c in listing) == ["ap-a", "ap-b", "ap-c", "ap-risky"]
    assert listing[0]["spec"]["flavor"] == "cce.autopilot.cluster" and "annotations" in listing[0]["metadata"]
    assert api.get(api.prefix() + "/clusters?version=v1.25").json()["items"][0]["metadata"]["name"] == "legacy-a"
    assert api.get(api.prefix() + "/clusters?type=ARM64").json()["items"] == []


def test_job_of_upgrade_task(api):
    cluster = Cluster(api, "prod-a")
    task_id = cluster.upgrade(only=True).json()["metadata"]["uid"]
    job = api.get(api.prefix() + "/jobs/" + task_id).json()
    assert job["kind"] == "Job" and job["status"]["phase"] in ("Initializing", "Running")
    _error(api.get(api.prefix() + "/jobs/nope"), 404, "CCE.01404001")


def test_postcheck_fails_before_upgrade(api):
    cluster = Cluster(api, "prod-a")
    cluster.workflow()
    body = {"kind": "PostCheckTask", "apiVersion": "v3", "spec": {"clusterID": cluster.id, "clusterVersion": "v1.29", "targetVersion": "v1.30"}}
    reply = cluster.post("/operation/postcheck", body).json()
    assert reply["status"]["phase"] == "Failed" and reply["metadata"]["uid"]
    _error(cluster.post("/operation/postcheck", dict(body, kind="Other")), 400, "CCE.01400001")
