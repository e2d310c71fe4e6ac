"""The official SDK (huaweicloudsdkcce) drives the simulator unmodified."""

import json

import pytest
from huaweicloudsdkcce.v3 import (
    ClusterUpgradeAction, CreateAutopilotPostCheckRequest, CreateAutopilotPreCheckRequest, CreateAutopilotUpgradeWorkFlowRequest,
    CreatePostCheckRequest, CreatePreCheckRequest, CreateUpgradeWorkFlowRequest, CreateUpgradeWorkFlowRequestBody,
    InPlaceRollingUpdate, PostcheckClusterRequestBody, PostcheckSpec, PrecheckClusterRequestBody, PrecheckSpec,
    ShowAutopilotClusterRequest, ShowAutopilotPreCheckRequest, ShowAutopilotUpgradeClusterTaskRequest,
    ShowAutopilotUpgradeWorkFlowRequest, ShowClusterRequest, ShowPreCheckRequest, ShowUpgradeClusterTaskRequest,
    ShowUpgradeWorkFlowRequest, UpgradeAutopilotClusterRequest, UpgradeAutopilotWorkFlowUpdateRequest, UpgradeClusterRequest,
    UpgradeClusterRequestBody, UpgradeClusterRequestMetadata, UpgradeSpec, UpgradeStrategy, UpgradeWorkFlowUpdateRequest,
    UpgradeWorkFlowUpdateRequestBody, UpgradeWorkFlowUpdateRequestBodyStatus, WorkFlowSpec,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

OPS = {
    "cce": {
        "show_cluster": ("show_cluster", ShowClusterRequest),
        "create_workflow": ("create_upgrade_work_flow", CreateUpgradeWorkFlowRequest),
        "show_workflow": ("show_upgrade_work_flow", ShowUpgradeWorkFlowRequest),
        "cancel_workflow": ("upgrade_work_flow_update", UpgradeWorkFlowUpdateRequest),
        "create_precheck": ("create_pre_check", CreatePreCheckRequest),
        "show_precheck": ("show_pre_check", ShowPreCheckRequest),
        "upgrade": ("upgrade_cluster", UpgradeClusterRequest),
        "show_task": ("show_upgrade_cluster_task", ShowUpgradeClusterTaskRequest),
        "postcheck": ("create_post_check", CreatePostCheckRequest),
    },
    "autopilot": {
        "show_cluster": ("show_autopilot_cluster", ShowAutopilotClusterRequest),
        "create_workflow": ("create_autopilot_upgrade_work_flow", CreateAutopilotUpgradeWorkFlowRequest),
        "show_workflow": ("show_autopilot_upgrade_work_flow", ShowAutopilotUpgradeWorkFlowRequest),
        "cancel_workflow": ("upgrade_autopilot_work_flow_update", UpgradeAutopilotWorkFlowUpdateRequest),
        "create_precheck": ("create_autopilot_pre_check", CreateAutopilotPreCheckRequest),
        "show_precheck": ("show_autopilot_pre_check", ShowAutopilotPreCheckRequest),
        "upgrade": ("upgrade_autopilot_cluster", UpgradeAutopilotClusterRequest),
        "show_task": ("show_autopilot_upgrade_cluster_task", ShowAutopilotUpgradeClusterTaskRequest),
        "postcheck": ("create_autopilot_post_check", CreateAutopilotPostCheckRequest),
    },
}
CLUSTERS = {"cce": ("prod-a", "risky-a"), "autopilot": ("ap-a", "ap-risky")}


class Flow:
    """Calls one flavor's operations through the SDK."""

    def __init__(self, client, flavor):
        self.client = client
        self.ops = OPS[flavor]

    def call(self, op, **kwargs):
        method, request_class = self.ops[op]
        return getattr(self.client, method)(request_class(**kwargs))


def _workflow_body(target):
    return CreateUpgradeWorkFlowRequestBody(kind="WorkFlowTask", api_version="v3", spec=WorkFlowSpec(target_version=target))


def _cancel_body():
    return UpgradeWorkFlowUpdateRequestBody(status=UpgradeWorkFlowUpdateRequestBodyStatus(phase="Cancel"))


def _precheck_body(cluster_id, version, target):
    spec = PrecheckSpec(cluster_id=cluster_id, cluster_version=version, target_version=target)
    return PrecheckClusterRequestBody(api_version="v3", kind="PreCheckTask", spec=spec)


def _upgrade_body(target):
    strategy = UpgradeStrategy(type="inPlaceRollingUpdate", in_place_rolling_update=InPlaceRollingUpdate(user_defined_step=20))
    action = ClusterUpgradeAction(target_version=target, strategy=strategy)
    return UpgradeClusterRequestBody(metadata=UpgradeClusterRequestMetadata(api_version="v3", kind="UpgradeTask"),
                                     spec=UpgradeSpec(cluster_upgrade_action=action))


@pytest.mark.parametrize("flavor", ["cce", "autopilot"])
def test_full_upgrade_flow(sim, sdk, flavor):
    flow = Flow(sdk(), flavor)
    cid = sim.cluster(CLUSTERS[flavor][0])["id"]
    cluster = flow.call("show_cluster", cluster_id=cid)
    assert cluster.spec.version == "v1.29" and cluster.status.phase == "Available"
    assert cluster.spec.platform_version == "cce.4.0"

    created = flow.call("create_workflow", cluster_id=cid, body=_workflow_body("v1.30"))
    assert created.status_code == 201
    wid = created.metadata.uid
    assert created.spec.cluster_id == cid and created.spec.cluster_version == "v1.29.4-r0"
    assert created.spec.target_version == "v1.30.14-r10"
    assert [p.task_type for p in created.status.point_statuses] == ["PreCheck", "Snapshot", "Cluster", "PostCheck"]

    precheck = flow.call("create_precheck", cluster_id=cid, body=_precheck_body(cid, "v1.29.4-r0", "v1.30"))
    pid = precheck.metadata.uid
    assert precheck.status.phase == "Init"
    sim.advance(61)
    shown = flow.call("show_precheck", cluster_id=cid, task_id=pid)
    assert shown.status.phase == "Success"
    assert shown.status.expire_time_stamp.endswith("+0000 UTC")

    submitted = flow.call("upgrade", cluster_id=cid, body=_upgrade_body("v1.30"))
    assert submitted.status_code == 200
    tid = submitted.metadata.uid
    sim.advance(120)  # past CCE's own pre-check stage (isOnlyUpgrade defaults to false)
    task = flow.call("show_task", cluster_id=cid, task_id=tid)
    assert task.status.phase == "Running" and 0 < float(task.status.progress) < 100
    assert flow.call("show_cluster", cluster_id=cid).status.phase == "Upgrading"
    workflow = flow.call("show_workflow", cluster_id=cid, upgrade_workflow_id=wid)
    assert workflow.status.phase == "Running"

    sim.advance(600)
    task = flow.call("show_task", cluster_id=cid, task_id=tid)
    assert (task.status.phase, task.status.progress) == ("Success", "100.00")
    assert task.status.completion_time
    cluster = flow.call("show_cluster", cluster_id=cid)
    assert (cluster.spec.version, cluster.status.phase) == ("v1.30", "Available")

    post = flow.call("postcheck", cluster_id=cid, body=PostcheckClusterRequestBody(
        api_version="v3", kind="PostCheckTask", spec=PostcheckSpec(cluster_id=cid, cluster_version="v1.29.4-r0", target_version="v1.30")))
    assert post.status.phase == "Success"
    workflow = flow.call("show_workflow", cluster_id=cid, upgrade_workflow_id=wid)
    raw = json.loads(workflow.raw_content)
    assert raw["status"]["phase"] == "Success"
    points = {p["taskType"]: p for p in raw["status"]["pointStatuses"]}
    assert points["PreCheck"]["taskID"] == pid and points["PreCheck"]["status"] == "Success"
    assert "expireTimeStamp" in points["PreCheck"]
    assert points["Cluster"]["taskID"] == tid and points["Cluster"]["status"] == "Success"
    assert points["PostCheck"]["status"] == "Success"
    assert all(isinstance(line["critical"], bool) for line in raw["status"]["lineStatuses"])
    # the SDK parsed the enum values (an unknown value would come back as an empty enum object)
    assert workflow.status.phase == "Success"
    assert [p.status for p in workflow.status.point_statuses] == ["Success", None, "Success", "Success"]


@pytest.mark.parametrize("flavor", ["cce", "autopilot"])
def test_cancel_open_workflow(sim, sdk, flavor):
    flow = Flow(sdk(), flavor)
    cid = sim.cluster(CLUSTERS[flavor][0])["id"]
    wid = flow.call("create_workflow", cluster_id=cid, body=_workflow_body("v1.30")).metadata.uid
    cancelled = flow.call("cancel_workflow", cluster_id=cid, upgrade_workflow_id=wid, body=_cancel_body())
    assert cancelled.status_code == 200
    assert json.loads(cancelled.raw_content)["status"]["phase"] == "Cancel"
    # a cancelled workflow no longer blocks a new one
    assert flow.call("create_workflow", cluster_id=cid, body=_workflow_body("v1.30")).status_code == 201


@pytest.mark.parametrize("flavor", ["cce", "autopilot"])
def test_cancel_pending_workflow_after_fatal_precheck(sim, sdk, flavor):
    flow = Flow(sdk(), flavor)
    cid = sim.cluster(CLUSTERS[flavor][1])["id"]
    wid = flow.call("create_workflow", cluster_id=cid, body=_workflow_body("v1.30")).metadata.uid
    pid = flow.call("create_precheck", cluster_id=cid, body=_precheck_body(cid, "v1.29.4-r0", "v1.30")).metadata.uid
    sim.advance(61)
    precheck = json.loads(flow.call("show_precheck", cluster_id=cid, task_id=pid).raw_content)
    assert precheck["status"]["phase"] == "Failed"
    fatal = [i for i in precheck["status"]["clusterCheckStatus"]["itemsStatus"] if i["level"] == "Fatal"]
    assert fatal and fatal[0]["phase"] == "Failed"
    assert json.loads(flow.call("show_workflow", cluster_id=cid, upgrade_workflow_id=wid).raw_content)["status"]["phase"] == "Pending"
    cancelled = flow.call("cancel_workflow", cluster_id=cid, upgrade_workflow_id=wid, body=_cancel_body())
    assert json.loads(cancelled.raw_content)["status"]["phase"] == "Cancel"


@pytest.mark.parametrize("flavor", ["cce", "autopilot"])
def test_cancel_refused_with_reason(sim, sdk, flavor):
    flow = Flow(sdk(), flavor)
    cid = sim.cluster(CLUSTERS[flavor][0])["id"]
    wid = flow.call("create_workflow", cluster_id=cid, body=_workflow_body("v1.30")).metadata.uid
    flow.call("create_precheck", cluster_id=cid, body=_precheck_body(cid, "v1.29.4-r0", "v1.30"))
    sim.advance(10)
    with pytest.raises(ClientRequestException) as info:
        flow.call("cancel_workflow", cluster_id=cid, upgrade_workflow_id=wid, body=_cancel_body())
    assert info.value.status_code == 400
    assert "cannot be cancelled" in info.value.error_msg
    assert "Running" in info.value.error_msg
    assert info.value.request_id


def test_wrong_secret_key_gets_gateway_401(sim, sdk):
    flow = Flow(sdk(secret_key="not-the-right-secret-key-000000000000000"), "cce")
    with pytest.raises(ClientRequestException) as info:
        flow.call("show_cluster", cluster_id=sim.cluster("prod-a")["id"])
    assert info.value.status_code == 401
    assert info.value.error_code == "APIGW.0301"
    assert "verify aksk signature fail" in info.value.error_msg
    assert "not-the-right-secret" not in info.value.error_msg
