# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One method per CCE operation. The ``/api`` vs ``/autopilot`` prefix is decided here only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 only
    from urllib import quote  # type: ignore

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError

FLAVORS = ("cce", "autopilot")
PREFIXES = {"cce": "/api", "autopilot": "/autopilot"}
API_VERSION = "v3"


def _segment(value):
    return quote(str(value), safe="")


def upgrade_body(target_version, user_defined_step=20, scope=None, is_only_upgrade=None,
                 node_pool_order=None, node_order=None, addons=None, agency_name=None):
    """The UpgradeCluster request body (``metadata`` + ``spec.clusterUpgradeAction``).

    Optional fields left as None are omitted, as the SDK omits them.
    """
    rolling = {"userDefinedStep": user_defined_step}
    if scope is not None:
        rolling["scope"] = scope
    action = {
        "targetVersion": target_version,
        "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": rolling},
    }
    if is_only_upgrade is not None:
        action["isOnlyUpgrade"] = bool(is_only_upgrade)
    if agency_name is not None:
        action["agencyName"] = agency_name
    if node_pool_order is not None:
        action["nodePoolOrder"] = node_pool_order
    if node_order is not None:
        action["nodeOrder"] = node_order
    if addons is not None:
        action["addons"] = addons
    return {"metadata": {"apiVersion": API_VERSION, "kind": "UpgradeTask"},
            "spec": {"clusterUpgradeAction": action}}


def _skipped_item(item):
    if isinstance(item, dict):
        return item
    return {"name": str(item)}


class CceApi:
    """CCE upgrade operations for one cluster flavor (``cce`` or ``autopilot``)."""

    def __init__(self, client, flavor="cce"):
        if flavor not in FLAVORS:
            raise CceApiError("cluster_flavor must be one of %s, got %r" % (", ".join(FLAVORS), flavor),
                              kind="config")
        self.client = client
        self.flavor = flavor
        self.prefix = PREFIXES[flavor]

    # -- paths --------------------------------------------------------------------------------

    def _project(self, version=API_VERSION):
        return "%s/%s/projects/%s" % (self.prefix, version, _segment(self.client.project_id))

    def _cluster(self, cluster_id, suffix="", version=API_VERSION):
        return "%s/clusters/%s%s" % (self._project(version), _segment(cluster_id), suffix)

    def _get(self, path, query=None):
        return self.client.request("GET", path, query=query)

    def _post(self, path, body=None):
        return self.client.request("POST", path, body=body)

    # -- clusters -------------------------------------------------------------------------------

    def get_cluster(self, cluster_id):
        return self._get(self._cluster(cluster_id))

    def list_clusters(self, **query):
        query = dict((k, v) for k, v in query.items() if v is not None)
        return self._get("%s/clusters" % self._project(), query=query or None)

    def get_upgrade_info(self, cluster_id):
        return self._get(self._cluster(cluster_id, "/upgradeinfo"))

    def list_upgrade_paths(self):
        return self._get("%s/%s/clusterupgradepaths" % (self.prefix, API_VERSION))

    # -- workflows ------------------------------------------------------------------------------

    def create_workflow(self, cluster_id, target_version):
        body = {"kind": "WorkFlowTask", "apiVersion": API_VERSION, "spec": {"targetVersion": target_version}}
        return self._post(self._cluster(cluster_id, "/operation/upgradeworkflows"), body)

    def list_workflows(self, cluster_id):
        return self._get(self._cluster(cluster_id, "/operation/upgradeworkflows"))

    def get_workflow(self, cluster_id, workflow_id):
        return self._get(self._cluster(cluster_id, "/operation/upgradeworkflows/%s" % _segment(workflow_id)))

    def cancel_workflow(self, cluster_id, workflow_id):
        return self.client.request(
            "PATCH", self._cluster(cluster_id, "/operation/upgradeworkflows/%s" % _segment(workflow_id)),
            body={"status": {"phase": "Cancel"}})

    # -- pre-check / post-check -----------------------------------------------------------------

    def create_precheck(self, cluster_id, cluster_version, target_version, skipped_items=None):
        """``skipped_items``: check-item names, or full SkippedCheckItemList entries (dicts)."""
        spec = {"clusterID": cluster_id, "clusterVersion": cluster_version, "targetVersion": target_version}
        if skipped_items:
            spec["skippedCheckItemList"] = [_skipped_item(item) for item in skipped_items]
        body = {"apiVersion": API_VERSION, "kind": "PreCheckTask", "spec": spec}
        return self._post(self._cluster(cluster_id, "/operation/precheck"), body)

    def get_precheck(self, cluster_id, task_id):
        return self._get(self._cluster(cluster_id, "/operation/precheck/tasks/%s" % _segment(task_id)))

    def list_prechecks(self, cluster_id):
        return self._get(self._cluster(cluster_id, "/operation/precheck/tasks"))

    def create_postcheck(self, cluster_id, cluster_version, target_version):
        body = {"kind": "PostCheckTask", "apiVersion": API_VERSION, "spec": {
            "clusterID": cluster_id, "clusterVersion": cluster_version, "targetVersion": target_version}}
        return self._post(self._cluster(cluster_id, "/operation/postcheck"), body)

    # -- snapshot -----------------------------------------------------------------------------------

    def create_snapshot(self, cluster_id):
        return self._post(self._cluster(cluster_id, "/operation/snapshot", version="v3.1"))

    def list_snapshot_tasks(self, cluster_id):
        return self._get(self._cluster(cluster_id, "/operation/snapshot/tasks", version="v3.1"))

    # -- upgrade task -------------------------------------------------------------------------------

    def submit_upgrade(self, cluster_id, body):
        """POST the UpgradeCluster body (see :func:`upgrade_body`); the task id is ``metadata.uid``."""
        return self._post(self._cluster(cluster_id, "/operation/upgrade"), body)

    def get_upgrade_task(self, cluster_id, task_id):
        return self._get(self._cluster(cluster_id, "/operation/upgrade/tasks/%s" % _segment(task_id)))

    def list_upgrade_tasks(self, cluster_id):
        return self._get(self._cluster(cluster_id, "/operation/upgrade/tasks"))

    def _standard_only(self, operation):
        if self.flavor != "cce":
            raise CceApiError("%s is not available for autopilot clusters (CCE offers only retry there)"
                              % operation, kind="config")

    def pause_upgrade(self, cluster_id):
        self._standard_only("pause")
        return self._post(self._cluster(cluster_id, "/operation/upgrade/pause"))

    def continue_upgrade(self, cluster_id):
        self._standard_only("continue")
        return self._post(self._cluster(cluster_id, "/operation/upgrade/continue"))

    def retry_upgrade(self, cluster_id):
        return self._post(self._cluster(cluster_id, "/operation/upgrade/retry"))

    # -- Autopilot's own schedule: maintenance window and upgrade plans (no standard-CCE twin) ------

    def _autopilot_only(self, operation):
        if self.flavor != "autopilot":
            raise CceApiError("%s exist only for Autopilot clusters (cluster_flavor autopilot); standard CCE has "
                              "no such API" % operation, kind="config")

    def get_maintenance_window(self, cluster_id):
        self._autopilot_only("maintenance windows")
        return self._get(self._cluster(cluster_id, "/maintenancewindows"))

    def create_maintenance_window(self, cluster_id, window):
        """``window``: ``{weekly_period, start_time, duration_hours}`` (snake_case, as CCE names them)."""
        self._autopilot_only("maintenance windows")
        return self._post(self._cluster(cluster_id, "/maintenancewindows"), window)

    def update_maintenance_window(self, cluster_id, window):
        self._autopilot_only("maintenance windows")
        return self.client.request("PUT", self._cluster(cluster_id, "/maintenancewindows"), body=window)

    def delete_maintenance_window(self, cluster_id):
        self._autopilot_only("maintenance windows")
        return self.client.request("DELETE", self._cluster(cluster_id, "/maintenancewindows"))

    def list_upgrade_plans(self, cluster_id):
        self._autopilot_only("automatic upgrade plans")
        return self._get(self._cluster(cluster_id, "/upgradeplans"))

    def postpone_upgrade_plan(self, cluster_id, plan_id, not_before):
        """UpdateAutopilotUpgradePlan: CCE only postpones (``notBefore``, before ``notBeforeDeadline``)."""
        self._autopilot_only("automatic upgrade plans")
        return self.client.request("PUT", self._cluster(cluster_id, "/upgradeplans/%s" % _segment(plan_id)),
                                   body={"notBefore": not_before})
