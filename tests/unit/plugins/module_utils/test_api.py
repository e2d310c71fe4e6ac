"""api.py: paths per flavor and request bodies, with a recording client."""

import json

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi, upgrade_body
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError

CID = "b4b9e60f-8aa2-11ee-af09-0255ac10004f"


class RecordingClient:
    project_id = "proj"

    def __init__(self):
        self.calls = []

    def request(self, method, path, body=None, query=None):
        self.calls.append((method, path, body, query))
        return {"ok": True}


def call(flavor, name, *args, **kwargs):
    client = RecordingClient()
    result = getattr(CceApi(client, flavor), name)(*args, **kwargs)
    assert result == {"ok": True}
    return client.calls[0]


@pytest.mark.parametrize("flavor,prefix", [("cce", "/api"), ("autopilot", "/autopilot")])
@pytest.mark.parametrize("name,args,method,suffix", [
    ("get_cluster", (CID,), "GET", "/v3/projects/proj/clusters/" + CID),
    ("get_upgrade_info", (CID,), "GET", "/v3/projects/proj/clusters/%s/upgradeinfo" % CID),
    ("list_upgrade_paths", (), "GET", "/v3/clusterupgradepaths"),
    ("list_workflows", (CID,), "GET", "/v3/projects/proj/clusters/%s/operation/upgradeworkflows" % CID),
    ("get_workflow", (CID, "w1"), "GET", "/v3/projects/proj/clusters/%s/operation/upgradeworkflows/w1" % CID),
    ("get_precheck", (CID, "t1"), "GET", "/v3/projects/proj/clusters/%s/operation/precheck/tasks/t1" % CID),
    ("list_prechecks", (CID,), "GET", "/v3/projects/proj/clusters/%s/operation/precheck/tasks" % CID),
    ("create_snapshot", (CID,), "POST", "/v3.1/projects/proj/clusters/%s/operation/snapshot" % CID),
    ("list_snapshot_tasks", (CID,), "GET", "/v3.1/projects/proj/clusters/%s/operation/snapshot/tasks" % CID),
    ("get_upgrade_task", (CID, "u1"), "GET", "/v3/projects/proj/clusters/%s/operation/upgrade/tasks/u1" % CID),
    ("list_upgrade_tasks", (CID,), "GET", "/v3/projects/proj/clusters/%s/operation/upgrade/tasks" % CID),
    ("retry_upgrade", (CID,), "POST", "/v3/projects/proj/clusters/%s/operation/upgrade/retry" % CID),
])
def test_paths(flavor, prefix, name, args, method, suffix):
    got_method, path, body, _query = call(flavor, name, *args)
    assert (got_method, path) == (method, prefix + suffix)
    assert body is None


def test_list_clusters_query_drops_none():
    assert call("cce", "list_clusters", detail="true", status=None) == (
        "GET", "/api/v3/projects/proj/clusters", None, {"detail": "true"})


def test_create_workflow_body_serialises_like_sdk():
    method, path, body, _rest = call("cce", "create_workflow", CID, "v1.23")
    assert method == "POST" and path.endswith("/operation/upgradeworkflows")
    assert json.dumps(body) == '{"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.23"}}'


def test_cancel_workflow_is_patch():
    method, path, body, _rest = call("autopilot", "cancel_workflow", CID, "w1")
    assert method == "PATCH" and path == "/autopilot/v3/projects/proj/clusters/%s/operation/upgradeworkflows/w1" % CID
    assert json.dumps(body) == '{"status": {"phase": "Cancel"}}'


def test_precheck_body():
    selector = {"key": "node.uid", "values": ["n1"], "operator": "In"}
    _m, path, body, _rest = call("cce", "create_precheck", CID, "v1.29.3-r0", "v1.30",
                                 skipped_items=["node-check", {"name": "x", "resourceSelector": selector}])
    assert path.endswith("/operation/precheck")
    assert body == {"apiVersion": "v3", "kind": "PreCheckTask", "spec": {
        "clusterID": CID, "clusterVersion": "v1.29.3-r0", "targetVersion": "v1.30",
        "skippedCheckItemList": [{"name": "node-check"}, {"name": "x", "resourceSelector": {
            "key": "node.uid", "values": ["n1"], "operator": "In"}}]}}
    _m, _p, body, _rest = call("cce", "create_precheck", CID, "v1.29", "v1.30")
    assert "skippedCheckItemList" not in body["spec"]


def test_postcheck_body():
    _m, path, body, _rest = call("autopilot", "create_postcheck", CID, "v1.29", "v1.30")
    assert path == "/autopilot/v3/projects/proj/clusters/%s/operation/postcheck" % CID
    assert body == {"kind": "PostCheckTask", "apiVersion": "v3",
                    "spec": {"clusterID": CID, "clusterVersion": "v1.29", "targetVersion": "v1.30"}}


def test_upgrade_body_and_submit():
    body = upgrade_body("v1.30", user_defined_step=40, scope="NodePool", is_only_upgrade=False)
    assert body == {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {"clusterUpgradeAction": {
        "targetVersion": "v1.30", "strategy": {"type": "inPlaceRollingUpdate",
                                               "inPlaceRollingUpdate": {"userDefinedStep": 40, "scope": "NodePool"}},
        "isOnlyUpgrade": False}}}
    assert upgrade_body("v1.30")["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"] == {
        "userDefinedStep": 20}
    method, path, sent, _rest = call("cce", "submit_upgrade", CID, body)
    assert (method, path, sent) == ("POST", "/api/v3/projects/proj/clusters/%s/operation/upgrade" % CID, body)


def test_pause_continue_standard_only():
    assert call("cce", "pause_upgrade", CID)[1].endswith("/operation/upgrade/pause")
    assert call("cce", "continue_upgrade", CID)[1].endswith("/operation/upgrade/continue")
    client = RecordingClient()
    api = CceApi(client, "autopilot")
    for name in ("pause_upgrade", "continue_upgrade"):
        with pytest.raises(CceApiError) as info:
            getattr(api, name)(CID)
        assert info.value.kind == "config"
    assert client.calls == []


def test_path_params_are_encoded():
    assert call("cce", "get_workflow", CID, "a/b c")[1].endswith("/upgradeworkflows/a%2Fb%20c")


def test_unknown_flavor():
    with pytest.raises(CceApiError, match="cluster_flavor"):
        CceApi(RecordingClient(), "turbo")


@pytest.mark.parametrize("name,args,method,suffix,body", [
    ("get_maintenance_window", (CID,), "GET", "/maintenancewindows", None),
    ("create_maintenance_window", (CID, {"weekly_period": "Sunday"}), "POST", "/maintenancewindows", {"weekly_period": "Sunday"}),
    ("update_maintenance_window", (CID, {"weekly_period": "Sunday"}), "PUT", "/maintenancewindows", {"weekly_period": "Sunday"}),
    ("delete_maintenance_window", (CID,), "DELETE", "/maintenancewindows", None),
    ("list_upgrade_plans", (CID,), "GET", "/upgradeplans", None),
    ("postpone_upgrade_plan", (CID, "p/1", "2026-12-09T02:00:00Z"), "PUT", "/upgradeplans/p%2F1",
     {"notBefore": "2026-12-09T02:00:00Z"}),
])
def test_autopilot_schedule_operations(name, args, method, suffix, body):
    got = call("autopilot", name, *args)
    assert got[:3] == (method, "/autopilot/v3/projects/proj/clusters/%s%s" % (CID, suffix), body)
    client = RecordingClient()
    with pytest.raises(CceApiError) as error:
        getattr(CceApi(client, "cce"), name)(*args)
    assert error.value.kind == "config" and "Autopilot" in error.value.message
    assert client.calls == []
