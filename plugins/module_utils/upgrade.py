# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Upgrade-task helpers shared by the upgrade-side modules.

Pure functions, no sleeping. They turn CCE documents (camelCase, nested) into the
snake_case shapes the modules return, find the active upgrade task, build the UpgradeCluster
request body from module options and collect the targets a cluster may be upgraded to. The one
exception, check_offered_target, reads upgradeinfo and the upgrade paths through a CceApi (no
HTTP of its own) so that every module that starts something for a target checks it the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
from collections import namedtuple

from ansible_collections.hwcloud.cce.plugins.module_utils import documents as docs
from ansible_collections.hwcloud.cce.plugins.module_utils import version as versions
from ansible_collections.hwcloud.cce.plugins.module_utils.documents import as_progress_text, dig
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import newest_first_key
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import STEP_MAX, STEP_MIN, check_upgrade_target, validate_step

ACTIVE_PHASES = docs.UPGRADE_ACTIVE_PHASES
RUNNING_PHASES = docs.UPGRADE_RUNNING_PHASES
FINAL_PHASES = docs.UPGRADE_FINAL_PHASES
SUCCESS_PHASE = docs.SUCCESS
FAILED_PHASE = docs.FAILED
PAUSED_PHASE = docs.PAUSED

SCOPES = ("Cluster", "NodePool")
#: The SDK's operators plus "=", which Terraform's tested example sends (nodeOrder node selectors).
NODE_SELECTOR_OPERATORS = ("in", "notin", "exists", "!", "gt", "lt", "=")

LOCKED_ERROR_CODE = "CCE.01429002"

# --------------------------------------------------------------------------- tasks


def normalize_task(raw):
    """An UpgradeTask document (show or list item) as the snake_case task the modules return."""
    raw = raw if isinstance(raw, dict) else {}
    metadata = raw.get("metadata") or {}
    spec = raw.get("spec") or {}
    status = raw.get("status") or {}
    message = status.get("message") or status.get("reason")
    return {
        "task_id": metadata.get("uid"),
        "version": spec.get("version"),
        "target_version": spec.get("targetVersion"),
        "phase": status.get("phase"),
        "progress": as_progress_text(status.get("progress")),
        "message": message,
        "creation_timestamp": metadata.get("creationTimestamp"),
        "update_timestamp": metadata.get("updateTimestamp"),
        "completion_time": status.get("completionTime"),
    }


def normalize_task_list(body):
    """The task list (ListUpgradeClusterTasks body), normalised, newest first."""
    items = body.get("items") if isinstance(body, dict) else None
    tasks = [normalize_task(item) for item in (items or []) if isinstance(item, dict)]
    indexed = list(enumerate(tasks))
    # Newest first; on equal timestamps keep the later list position first.
    indexed.sort(key=lambda pair: (newest_first_key(pair[1]["creation_timestamp"], pair[1]["update_timestamp"]), pair[0]),
                 reverse=True)
    return [task for _index, task in indexed]


def is_active(task):
    return bool(task) and task.get("phase") in ACTIVE_PHASES


def is_running(task):
    return bool(task) and task.get("phase") in RUNNING_PHASES


def find_active_upgrade_task(tasks):
    """The newest task in Init/Queuing/Running/Pause, or None. ``tasks`` as from normalize_task_list."""
    for task in tasks or []:
        if is_active(task):
            return task
    return None


def task_targets_version(task, target_version):
    """True when the task upgrades to ``target_version`` (``v1.30`` matches a task to ``v1.30.2-r0``)."""
    if not task or not target_version:
        return False
    return versions.matches(target_version, task.get("target_version"))


def latest_task(tasks):
    """The newest task (list as from normalize_task_list), or None."""
    return tasks[0] if tasks else None


def task_ended_between_reads(tasks, current_version, target_version):
    """The newest task when it succeeded from ``current_version`` to ``target_version``, else None.

    Such a task ended after the cluster was read (it still showed the version the task started
    from) and before the task list was: the cluster is at the target, not waiting for an upgrade.
    """
    newest = latest_task(tasks)
    if not newest or newest.get("phase") != SUCCESS_PHASE or not task_targets_version(newest, target_version):
        return None
    started_from = newest.get("version")
    if not started_from or not current_version:
        return None
    if versions.matches(current_version, started_from) or versions.matches(started_from, current_version):
        return newest
    return None


def latest_task_for_target(tasks, target_version):
    """The newest task that targets ``target_version``, or None."""
    for task in tasks or []:
        if task_targets_version(task, target_version):
            return task
    return None


def find_new_task_for_target(tasks, target_version, known_task_ids):
    """After a write whose outcome is unknown: the task for the target that was not there before.

    Prefers an active task for the target (whatever its id); otherwise the newest task for the
    target whose id is not in ``known_task_ids``.
    """
    known = set(known_task_ids or ())
    for task in tasks or []:
        if task_targets_version(task, target_version) and is_active(task):
            return task
    for task in tasks or []:
        if task_targets_version(task, target_version) and task.get("task_id") not in known:
            return task
    return None


def describe_task(task):
    """One line about a task for messages: id, target, phase, progress and CCE's reason."""
    if not task:
        return "no task"
    text = "task %s" % (task.get("task_id") or "<unknown id>")
    if task.get("target_version"):
        text += " to %s" % task["target_version"]
    text += " (phase %s" % (task.get("phase") or "unknown")
    if task.get("progress") not in (None, ""):
        text += ", progress %s" % task["progress"]
    text += ")"
    if task.get("message"):
        text += ": %s" % task["message"]
    return text


def failure_details(cluster_document=None, workflow_document=None):
    """Where CCE explains a failed upgrade: upgrade tasks carry no failure message, so the reason is
    the cluster's ``status.reason``/``status.message`` and the open workflow's ``Cluster`` point."""
    point = None
    for raw in docs.as_list(dig(workflow_document, "status", "pointStatuses")):
        if isinstance(raw, dict) and raw.get("taskType") == "Cluster":
            point = raw.get("status")
    return {
        "cluster_reason": dig(cluster_document, "status", "reason") or None,
        "cluster_message": dig(cluster_document, "status", "message") or None,
        "workflow_id": dig(workflow_document, "metadata", "uid"),
        "workflow_point": point,
    }


def describe_failure(details):
    """A sentence on why an upgrade failed and where to look, from :func:`failure_details`."""
    details = details or {}
    parts = []
    if details.get("cluster_reason") or details.get("cluster_message"):
        parts.append("the cluster reports %s" % ": ".join(
            text for text in (details.get("cluster_reason"), details.get("cluster_message")) if text))
    if details.get("workflow_id"):
        parts.append("upgrade workflow %s has its Cluster step %s"
                     % (details["workflow_id"], details.get("workflow_point") or "without a status"))
    text = "; ".join(parts) if parts else "CCE gives no reason on the upgrade task"
    return (text + ". Look at the pre-check results (hwcloud.cce.cce_precheck), the upgrade workflow "
            "(hwcloud.cce.cce_upgrade_workflow_info) and the cluster's events in the CCE console")


def is_locked_error(err):
    """True for CCE's 429 'Resource locked by other requests.' (another upgrade holds the cluster)."""
    return getattr(err, "status", None) == 429 and getattr(err, "error_code", None) == LOCKED_ERROR_CODE


def task_id_from_submit(body):
    """The upgrade task id from an UpgradeCluster response (``metadata.uid``)."""
    uid = dig(body, "metadata", "uid")
    if uid:
        return uid
    return body.get("uid") if isinstance(body, dict) else None


# --------------------------------------------------------------------------- request body

def check_step(step):
    """``user_defined_step`` as an int; ValueError (naming the option) unless it is 1..120."""
    if isinstance(step, float):
        raise ValueError("user_defined_step must be an integer between %d and %d, got %r" % (STEP_MIN, STEP_MAX, step))
    return validate_step(step)


def _node_priority(item, pool_id):
    """One nodeOrder entry from snake_case or camelCase input; raises ValueError naming node_order."""
    where = "node_order[%s]" % pool_id
    if not isinstance(item, dict):
        raise ValueError("%s: each entry must be a dict with node_selector and priority" % where)
    selector = item.get("node_selector", item.get("nodeSelector"))
    if not isinstance(selector, dict):
        raise ValueError("%s: node_selector (key, value, operator) is required" % where)
    key = selector.get("key")
    operator = selector.get("operator", "in")
    values = selector.get("value", selector.get("values"))
    if not key or not isinstance(key, str):
        raise ValueError("%s: node_selector.key is required" % where)
    if operator not in NODE_SELECTOR_OPERATORS:
        raise ValueError("%s: node_selector.operator must be one of %s, got %r"
                         % (where, ", ".join(NODE_SELECTOR_OPERATORS), operator))
    if values is not None:
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise ValueError("%s: node_selector.value must be a list of strings" % where)
        values = [str(value) for value in values]
    priority = item.get("priority", 0)
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        raise ValueError("%s: priority must be a non-negative integer, got %r" % (where, priority))
    if priority < 0:
        raise ValueError("%s: priority must be a non-negative integer, got %r" % (where, priority))
    node_selector = {"key": key, "operator": operator}
    if values is not None:
        node_selector["value"] = values
    return {"nodeSelector": node_selector, "priority": priority}


def build_node_order(node_order):
    """``nodeOrder`` (pool id -> list of NodePriority) from the node_order option; ValueError on bad input."""
    if not node_order:
        return None
    if not isinstance(node_order, dict):
        raise ValueError("node_order must be a dict of node pool id to a list of {node_selector, priority}")
    result = {}
    for pool_id, items in node_order.items():
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise ValueError("node_order[%s] must be a list of {node_selector, priority}" % pool_id)
        result[str(pool_id)] = [_node_priority(item, pool_id) for item in items]
    return result


def build_node_pool_order(node_pool_order):
    """``nodePoolOrder`` (pool id -> priority) from the node_pool_order option; ValueError on bad input."""
    if not node_pool_order:
        return None
    if not isinstance(node_pool_order, dict):
        raise ValueError("node_pool_order must be a dict of node pool id to a priority")
    result = {}
    for pool_id, priority in node_pool_order.items():
        try:
            value = int(priority)
        except (TypeError, ValueError):
            value = None
        if value is None or isinstance(priority, bool) or value < 0 or str(priority).strip() != str(value):
            raise ValueError("node_pool_order[%s] must be a non-negative integer, got %r" % (pool_id, priority))
        result[str(pool_id)] = value
    return result


def build_addons(addons):
    """``addons`` (UpgradeAddonConfig list) from the addons option; ValueError on bad input."""
    result = []
    for index, addon in enumerate(addons or []):
        if not isinstance(addon, dict) or not addon.get("name") or not addon.get("version"):
            raise ValueError("addons[%d] needs name and version" % index)
        item = {"addonTemplateName": addon["name"], "operation": "patch", "version": addon["version"]}
        if addon.get("values") is not None:
            if not isinstance(addon["values"], dict):
                raise ValueError("addons[%d].values must be a dict" % index)
            item["values"] = addon["values"]
        result.append(item)
    return result or None


def build_upgrade_body(params):
    """The UpgradeCluster request body from module options (snake_case names of the module)."""
    step = params.get("user_defined_step")
    step = check_step(20 if step is None else step)
    rolling = {"userDefinedStep": step}
    # scope is in the SDK only (not in the API reference, Terraform never sends it): sent when set.
    scope = params.get("scope")
    if scope is not None:
        if scope not in SCOPES:
            raise ValueError("scope must be one of %s, got %r" % (", ".join(SCOPES), scope))
        rolling["scope"] = scope
    action = {
        "targetVersion": params["target_version"],
        "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": rolling},
    }
    if params.get("is_only_upgrade") is not None:
        action["isOnlyUpgrade"] = bool(params["is_only_upgrade"])
    node_pool_order = build_node_pool_order(params.get("node_pool_order"))
    if node_pool_order:
        action["nodePoolOrder"] = node_pool_order
    node_order = build_node_order(params.get("node_order"))
    if node_order:
        action["nodeOrder"] = node_order
    addons = build_addons(params.get("addons"))
    if addons:
        action["addons"] = addons
    return {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {"clusterUpgradeAction": action}}


# --------------------------------------------------------------------------- clusters

def normalize_cluster(raw, flavor="cce"):
    """A ShowCluster / ListClusters item as the snake_case cluster the modules return."""
    raw = raw if isinstance(raw, dict) else {}
    metadata = raw.get("metadata") or {}
    spec = raw.get("spec") or {}
    status = raw.get("status") or {}
    return {
        "id": metadata.get("uid"),
        "name": metadata.get("name"),
        "flavor": flavor,
        "version": spec.get("version"),
        "platform_version": spec.get("platformVersion"),
        "status": status.get("phase"),
        "category": spec.get("category"),
        "type": spec.get("type"),
        "creation_timestamp": metadata.get("creationTimestamp"),
        "update_timestamp": metadata.get("updateTimestamp"),
    }


def normalize_cluster_list(body, flavor="cce"):
    items = body.get("items") if isinstance(body, dict) else None
    return [normalize_cluster(item, flavor) for item in (items or []) if isinstance(item, dict)]


def cluster_matches(cluster, name=None, status=None, version=None):
    """Client-side filters of cce_cluster_info: ``name`` is a glob, ``status`` exact (any case),
    ``version`` matches like versions_match (``v1.29`` matches ``v1.29.3-r0``)."""
    if name and not fnmatch.fnmatchcase(cluster.get("name") or "", name):
        return False
    if status and (cluster.get("status") or "").lower() != status.lower():
        return False
    if version and not versions.matches_listed(version, cluster.get("version")):
        return False
    return True


# --------------------------------------------------------------------------- upgrade info and paths

def normalize_upgrade_info(body):
    """ShowClusterUpgradeInfo as release, patch, current_version (the full version), suggest_patch,
    target_versions (minors or full versions), last_upgrade."""
    spec = dig(body, "spec") or {}
    version_info = spec.get("versionInfo") or {}
    last = spec.get("lastUpgradeInfo") or {}
    status = dig(body, "status") or {}
    return {
        "release": version_info.get("release"),
        "patch": version_info.get("patch"),
        "current_version": versions.current_full_version(body),
        "suggest_patch": version_info.get("suggestPatch"),
        "target_versions": [v for v in (version_info.get("targetVersions") or []) if v],
        "last_upgrade": {
            "phase": last.get("phase") or status.get("phase"),
            "progress": as_progress_text(last.get("progress") if last else status.get("progress")),
            "completion_time": last.get("completionTime") if last else status.get("completionTime"),
        },
    }


def normalize_upgrade_paths(body):
    """ListClusterUpgradePaths as a list of ``version``, ``platform_version``, ``target_versions``."""
    items = body.get("upgradePaths") if isinstance(body, dict) else None
    return [
        {
            "version": item.get("version"),
            "platform_version": item.get("platformVersion"),
            "target_versions": [v for v in (item.get("targetVersions") or []) if v],
        }
        for item in (items or []) if isinstance(item, dict)
    ]


def path_applies(path, current_version, platform_version=None):
    """True when an upgrade path entry is the cluster's: its source is the current version and,
    when both are known, its platform version is the cluster's (CCE lists one entry per version
    and platform version)."""
    source = path.get("version")
    if not source or not current_version:
        return False
    entry_platform = path.get("platform_version")
    if platform_version and entry_platform and entry_platform != platform_version:
        return False
    # v1.21+ paths name the minor (v1.29); older ones the full patch (v1.19.16-r20).
    return versions.matches(source, current_version)


def collect_allowed_targets(upgrade_info, upgrade_paths, current_version, platform_version=None):
    """Targets the cluster may be upgraded to: upgradeinfo targetVersions first (minors or full
    versions), then the targets of the upgrade path entries of the cluster's version and platform
    version, and the suggested patch of its release when it is later. Deduplicated, sorted by version.

    ``upgrade_info`` as from normalize_upgrade_info (or None), ``upgrade_paths`` as from
    normalize_upgrade_paths (or None).
    """
    targets = []

    def add(text):
        if text and text not in targets:
            targets.append(text)

    for text in (upgrade_info or {}).get("target_versions") or []:
        add(text)
    for path in upgrade_paths or []:
        if path_applies(path, current_version, platform_version):
            for text in path.get("target_versions") or []:
                add(text)
    suggested = versions.full_version((upgrade_info or {}).get("release"), (upgrade_info or {}).get("suggest_patch"))
    if suggested and current_version and versions.is_patch_upgrade(current_version, suggested):
        add(suggested)
    return sorted(targets, key=versions.sort_key)


class TargetNotOffered(ValueError):
    """``target_version`` is not one CCE offers for the cluster; the message names it and the accepted
    values. ``current`` is the cluster's version, ``allowed`` the offered targets."""

    def __init__(self, message, current=None, allowed=None):
        super(TargetNotOffered, self).__init__(message)
        self.current = current
        self.allowed = list(allowed or [])


class OfferedTargets(namedtuple("OfferedTargets", ["current_version", "allowed"])):
    """What CCE offers a cluster: its ``current_version`` (the full version when upgradeinfo gives
    it, else the version ShowCluster reported) and the ``allowed`` targets."""

    __slots__ = ()


def read_offered_targets(api, cluster_id, cluster_version, platform_version=None):
    """Two GETs through ``api`` (a CceApi): upgradeinfo (the full current version and its
    ``targetVersions``) and the upgrade paths of the cluster's version and platform version.
    A CceApiError from the reads propagates."""
    info = normalize_upgrade_info(api.get_upgrade_info(cluster_id))
    current = info["current_version"] or cluster_version
    paths = normalize_upgrade_paths(api.list_upgrade_paths())
    return OfferedTargets(current, collect_allowed_targets(info, paths, current, platform_version))


def check_offered_target(api, cluster_id, cluster_version, target_version, platform_version=None):
    """Check ``target_version`` against the versions CCE offers for the cluster, before any write.

    Returns the :class:`OfferedTargets` when the target is acceptable; raises TargetNotOffered (a
    ValueError naming ``target_version``) for the current version, a downgrade, a new minor while the
    cluster is not on the latest patch of its own, a skipped minor or a version not offered. A
    CceApiError from the reads propagates.
    """
    offered = read_offered_targets(api, cluster_id, cluster_version, platform_version)
    try:
        check_upgrade_target(offered.current_version, target_version, offered.allowed)
    except ValueError as err:
        raise TargetNotOffered(str(err), current=offered.current_version, allowed=offered.allowed)
    return offered


def current_full_version(api, cluster_id, cluster_version):
    """The cluster's full current version from its upgradeinfo (one GET), else ``cluster_version``."""
    return versions.current_full_version(api.get_upgrade_info(cluster_id)) or cluster_version


def version_diff(before, after, before_phase=None, after_phase=None):
    """The ``diff`` result: before/after version (and phase, when a task state changes)."""
    result = {"before": {"version": before}, "after": {"version": after}}
    if before_phase is not None or after_phase is not None:
        result["before"]["phase"] = before_phase
        result["after"]["phase"] = after_phase
    return result
