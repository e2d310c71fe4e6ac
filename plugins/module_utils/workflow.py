# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Workflow, pre-check, snapshot and post-check helpers shared by the workflow-side modules.

Everything here is pure: functions take the JSON documents CCE returns (as parsed dicts) and
give back the snake_case shapes the modules return, or answer a question about them
(is this workflow open, may it be cancelled, can this pre-check be reused ...). No HTTP.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils.documents import (
    POINT_ACTIVE_STATUSES,
    PRECHECK_ACTIVE_PHASES,
    SNAPSHOT_ACTIVE_PHASES,
    WORKFLOW_OPEN_PHASES,
    WORKFLOW_UNCANCELLABLE_PHASES,
    as_bool,
    as_list,
    as_object,
    as_progress_text,
    dig,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import UTC, newest_first_key, parse_timestamp, utcnow

POINT_KEYS = (
    ("PreCheck", "pre_check"),
    ("Snapshot", "snapshot"),
    ("Cluster", "cluster"),
    ("PostCheck", "post_check"),
    ("Rollback", "rollback"),
)

CHECK_LEVELS = (("Fatal", "fatal"), ("Warning", "warning"), ("Info", "info"))

# Validity of a pre-check when the document carries no expireTimeStamp (the documented
# example shows one hour after the end of the check).
DEFAULT_PRECHECK_VALIDITY = datetime.timedelta(hours=1)

# A pre-check about to expire is not worth reusing: the upgrade must start before it expires.
PRECHECK_REUSE_MARGIN = datetime.timedelta(minutes=5)


# --------------------------------------------------------------------------- small helpers


def items_of(document):
    """The ``items`` of a CCE list document (a plain list is accepted as is)."""
    if isinstance(document, list):
        return [item for item in document if isinstance(item, dict)]
    return [item for item in as_list(dig(document, "items")) if isinstance(item, dict)]


def server_now(client=None):
    """The current time on the server's clock, as an aware UTC datetime.

    ``client`` is a CceClient: its ``server_time()`` is the local clock corrected by the HTTP
    ``Date`` of CCE's last reply, so expiry and age limits CCE enforces are judged as CCE judges
    them even when the local clock is skewed. Without a client: the local clock.
    """
    server_time = getattr(client, "server_time", None)
    if server_time is None:
        return utcnow()
    return datetime.datetime.fromtimestamp(server_time(), UTC)


def _newest_first(documents, *time_keys):
    def sort_key(doc):
        return newest_first_key(*(dig(doc, *path) for path in time_keys))
    # sorted() is stable: documents without timestamps keep the server's (oldest-first) order
    # reversed, so the last listed one counts as the newest.
    return sorted(reversed(list(documents)), key=sort_key, reverse=True)


# --------------------------------------------------------------------------- workflows

def workflow_id_of(document):
    return dig(document, "metadata", "uid")


def workflow_phase(document):
    """The workflow phase; a freshly created workflow carries none and counts as Init."""
    return dig(document, "status", "phase") or "Init"


def is_open_workflow(document):
    return workflow_phase(document) in WORKFLOW_OPEN_PHASES


def find_point(document, task_type):
    """The raw pointStatuses entry of ``task_type`` (``PreCheck``, ``Snapshot`` ...), or {}."""
    for point in as_list(dig(document, "status", "pointStatuses")):
        if isinstance(point, dict) and point.get("taskType") == task_type:
            return point
    return {}


def normalize_point(point):
    point = point or {}
    return {
        "task_id": point.get("taskID"),
        "status": point.get("status"),
        "start_timestamp": point.get("startTimeStamp"),
        "end_timestamp": point.get("endTimeStamp"),
        "expire_timestamp": point.get("expireTimeStamp"),
    }


def normalize_workflow(document):
    """A workflow document in the result shape of docs/developing.md (None stays None)."""
    if not document:
        return None
    points = {}
    for task_type, key in POINT_KEYS:
        raw = find_point(document, task_type)
        if raw or key != "rollback":
            points[key] = normalize_point(raw)
    lines = []
    for line in as_list(dig(document, "status", "lineStatuses")):
        if isinstance(line, dict):
            lines.append({
                "start": dig(line, "startPoint", "taskType"),
                "end": dig(line, "endPoint", "taskType"),
                "critical": as_bool(line.get("critical")),
            })
    return {
        "workflow_id": workflow_id_of(document),
        "cluster_id": dig(document, "spec", "clusterID"),
        "cluster_version": dig(document, "spec", "clusterVersion"),
        "target_version": dig(document, "spec", "targetVersion"),
        "phase": workflow_phase(document),
        "points": points,
        "lines": lines,
        "creation_timestamp": dig(document, "metadata", "creationTimestamp"),
        "update_timestamp": dig(document, "metadata", "updateTimestamp"),
    }


def sort_workflows(documents):
    """Workflow documents, newest first."""
    return _newest_first(documents, ("metadata", "creationTimestamp"), ("metadata", "updateTimestamp"))


def find_open_workflow(documents, target_version=None):
    """The newest open workflow (optionally only one for ``target_version``), or None."""
    for document in sort_workflows(documents):
        if not is_open_workflow(document):
            continue
        if target_version and not version.matches(target_version, dig(document, "spec", "targetVersion")):
            continue
        return document
    return None


def find_workflow(documents, target_version, phases):
    """The newest workflow for ``target_version`` whose phase is one of ``phases``, or None."""
    for document in sort_workflows(documents):
        if workflow_phase(document) in phases and \
                version.matches(target_version, dig(document, "spec", "targetVersion")):
            return document
    return None


def cancel_refusal(document):
    """Why CCE would refuse to cancel this workflow, or None when it may be cancelled.

    The rules of the UpgradeWorkFlowUpdate API: the workflow must not be Running, Success or
    Cancel, and none of its tasks may be initialising, queued, running or paused.
    (Cancel itself is handled by the caller: an already cancelled workflow is no change.)
    """
    workflow_id = workflow_id_of(document)
    phase = workflow_phase(document)
    if phase in WORKFLOW_UNCANCELLABLE_PHASES:
        return ("workflow %s is in phase %s; CCE cancels only workflows in phase Init or Pending "
                "(Pending: a task failed)" % (workflow_id, phase))
    for point in as_list(dig(document, "status", "pointStatuses")):
        if isinstance(point, dict) and point.get("status") in POINT_ACTIVE_STATUSES:
            return ("its %s task %s is %s; CCE cancels a workflow only when none of its tasks is "
                    "initialising, queued, running or paused"
                    % (point.get("taskType"), point.get("taskID") or "", point.get("status")))
    return None


# --------------------------------------------------------------------------- pre-check

def normalize_skipped_items(value):
    """Validate ``skipped_check_items``: names, or dicts ``{name, node_ids}``.

    Returns a list of ``{"name": str, "node_ids": list or None}``; raises ValueError with a
    message naming the option.
    """
    result = []
    for index, entry in enumerate(value or []):
        if isinstance(entry, str):
            name, node_ids = entry, None
        elif isinstance(entry, dict):
            unknown = sorted(set(entry) - set(("name", "node_ids")))
            if unknown:
                raise ValueError("skipped_check_items[%d]: unknown key(s) %s; accepted keys are name and node_ids"
                                 % (index, ", ".join(unknown)))
            name, node_ids = entry.get("name"), entry.get("node_ids")
            if node_ids is not None:
                if isinstance(node_ids, str):
                    node_ids = [node_ids]
                if not isinstance(node_ids, list) or not all(isinstance(n, str) and n.strip() for n in node_ids):
                    raise ValueError("skipped_check_items[%d].node_ids must be a list of node IDs" % index)
                node_ids = [n.strip() for n in node_ids] or None
        else:
            raise ValueError("skipped_check_items[%d] must be a check item name or a dict with name and node_ids"
                             % index)
        if not isinstance(name, str) or not name.strip():
            raise ValueError("skipped_check_items[%d].name must be a non-empty check item name" % index)
        result.append({"name": name.strip(), "node_ids": node_ids})
    return result


def skipped_items_body(skipped):
    """Normalised skipped items -> ``skippedCheckItemList`` of the PreCheck request (or None)."""
    body = []
    for item in skipped or []:
        entry = {"name": item["name"]}
        if item.get("node_ids"):
            entry["resourceSelector"] = {"key": "node.uid", "values": list(item["node_ids"]), "operator": "In"}
        body.append(entry)
    return body or None


def skipped_items_of(document):
    """The ``skippedCheckItemList`` a pre-check task echoes, in normalised form."""
    result = []
    for entry in as_list(dig(document, "spec", "skippedCheckItemList")):
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        values = as_list(dig(entry, "resourceSelector", "values"))
        result.append({"name": entry["name"], "node_ids": [v for v in values if isinstance(v, str)] or None})
    return result


def _normalize_check_item(raw, node=None):
    item = {
        "name": raw.get("name"),
        "kind": raw.get("kind"),
        "group": raw.get("group"),
        "level": raw.get("level"),
        "phase": raw.get("phase"),
        "message": raw.get("message") or "",
    }
    node_ids = []
    if node:
        item["node_id"] = node.get("uid")
        item["node_name"] = node.get("name")
        if node.get("uid"):
            node_ids.append(node["uid"])
    for risk in as_list(dig(raw, "riskSource", "nodeRisks")):
        if isinstance(risk, dict) and risk.get("NodeID") and risk["NodeID"] not in node_ids:
            node_ids.append(risk["NodeID"])
    item["node_ids"] = node_ids
    if raw.get("errorCodes"):
        item["error_codes"] = list(raw["errorCodes"])
    return item


def collect_check_items(document):
    """Every check item of a pre-check task (cluster, add-on and per-node), normalised."""
    status = dig(document, "status") or {}
    items = []
    for section in ("clusterCheckStatus", "addonCheckStatus"):
        for raw in as_list(dig(status, section, "itemsStatus")):
            if isinstance(raw, dict):
                items.append(_normalize_check_item(raw))
    for stage in as_list(dig(status, "nodeCheckStatus", "nodeStageStatus")):
        if not isinstance(stage, dict):
            continue
        node = as_object(stage.get("nodeInfo"))
        for raw in as_list(stage.get("itemsStatus")):
            if isinstance(raw, dict):
                items.append(_normalize_check_item(raw, node))
    return items


def group_items_by_level(items):
    """``{"fatal": [...], "warning": [...], "info": [...]}`` (unknown levels count as info)."""
    groups = dict((key, []) for _level, key in CHECK_LEVELS)
    names = dict(CHECK_LEVELS)
    for item in items:
        groups[names.get(item.get("level"), "info")].append(item)
    return groups


def _is_skipped(item, skipped):
    for skip in skipped or []:
        if skip["name"] != item.get("name"):
            continue
        if not skip.get("node_ids"):
            return True
        affected = item.get("node_ids") or []
        if affected and all(node in skip["node_ids"] for node in affected):
            return True
    return False


def blocking_items(items, skipped=None):
    """Fatal items that did not pass and that the user did not skip."""
    return [
        item for item in items
        if item.get("level") == "Fatal" and item.get("phase") != "Success" and not _is_skipped(item, skipped)
    ]


def describe_items(items):
    """``name (message)`` joined for failure messages."""
    parts = []
    for item in items:
        text = item.get("name") or "?"
        if item.get("node_id"):
            text += " on node %s" % item["node_id"]
        if item.get("message"):
            text += " (%s)" % item["message"]
        parts.append(text)
    return "; ".join(parts)


def precheck_id_of(document):
    return dig(document, "metadata", "uid")


def precheck_phase(document):
    return dig(document, "status", "phase")


def precheck_expiry(document, point=None):
    """When a pre-check result expires: the task's or the workflow point's expireTimeStamp,
    else one hour after it ended. None when nothing tells."""
    for source in (dig(document, "status", "expireTimeStamp"), (point or {}).get("expireTimeStamp")):
        stamp = parse_timestamp(source)
        if stamp is not None:
            return stamp
    for source in ((point or {}).get("endTimeStamp"), dig(document, "metadata", "updateTimestamp")):
        stamp = parse_timestamp(source)
        if stamp is not None:
            return stamp + DEFAULT_PRECHECK_VALIDITY
    return None


def precheck_reusable(document, point=None, now=None, margin=PRECHECK_REUSE_MARGIN):
    """A pre-check that succeeded and stays valid for at least ``margin`` more.

    ``now`` should be the server's time (:func:`server_now`): CCE judges expiry on its own clock.
    """
    if precheck_phase(document) != "Success":
        return False
    expiry = precheck_expiry(document, point)
    return expiry is not None and expiry - margin > (now or utcnow())


def precheck_expire_text(document, point=None):
    """The expiry as CCE wrote it (task first, then the workflow point)."""
    return dig(document, "status", "expireTimeStamp") or (point or {}).get("expireTimeStamp")


def sort_prechecks(documents):
    return _newest_first(documents, ("metadata", "creationTimestamp"), ("metadata", "updateTimestamp"))


def find_active_precheck(documents, target_version):
    """The newest pre-check for ``target_version`` that is still Init/Running, or None."""
    for document in sort_prechecks(documents):
        if precheck_phase(document) in PRECHECK_ACTIVE_PHASES and \
                version.matches(target_version, dig(document, "spec", "targetVersion")):
            return document
    return None


def find_reusable_precheck(documents, target_version, now=None, cluster_version=None):
    """The newest successful, unexpired pre-check for ``target_version``, or None.

    With ``cluster_version`` (the cluster's full current version), only a pre-check made from that
    version counts: one made before a patch upgrade checked another starting point.
    """
    for document in sort_prechecks(documents):
        if not version.matches(target_version, dig(document, "spec", "targetVersion")):
            continue
        checked_from = dig(document, "spec", "clusterVersion")
        if cluster_version and checked_from and not (version.matches(checked_from, cluster_version)
                                                     or version.matches(cluster_version, checked_from)):
            continue
        if precheck_reusable(document, now=now):
            return document
    return None


def normalize_precheck(document, skipped=None, point=None):
    """The pre-check part of the cce_precheck result."""
    items = collect_check_items(document)
    blocking = blocking_items(items, skipped)
    return {
        "task_id": precheck_id_of(document),
        "phase": precheck_phase(document),
        "cluster_version": dig(document, "spec", "clusterVersion"),
        "target_version": dig(document, "spec", "targetVersion"),
        "expire_timestamp": precheck_expire_text(document, point),
        "message": dig(document, "status", "message") or "",
        "check_items": group_items_by_level(items),
        "fatal_count": len(blocking),
        "blocking_items": blocking,
    }


# --------------------------------------------------------------------------- snapshots

def normalize_snapshot_task(document):
    """A master snapshot task (ListClusterMasterSnapshotTasks item) in result shape."""
    if not document:
        return None
    sub_tasks = []
    for item in as_list(dig(document, "spec", "items")):
        if isinstance(item, dict):
            sub_tasks.append({
                "id": item.get("id"),
                "type": item.get("type"),
                "status": item.get("status"),
                "message": item.get("message") or "",
                "creation_timestamp": item.get("creationTimestamp"),
                "update_timestamp": item.get("updateTimestamp"),
            })
    return {
        "task_id": dig(document, "metadata", "uid"),
        "phase": snapshot_phase(document),
        "progress": as_progress_text(dig(document, "status", "progress")),
        "completion_time": dig(document, "status", "completionTime"),
        "creation_timestamp": dig(document, "metadata", "creationTimestamp"),
        "update_timestamp": dig(document, "metadata", "updateTimestamp"),
        "sub_tasks": sub_tasks,
    }


def snapshot_phase(document):
    """The task phase; when CCE leaves it empty, derived from the sub-task statuses."""
    phase = dig(document, "status", "phase")
    if phase:
        return phase
    statuses = [item.get("status") for item in as_list(dig(document, "spec", "items")) if isinstance(item, dict)]
    statuses = [status for status in statuses if status]
    if not statuses:
        return None
    for status in ("Failed", "Running", "Pause", "Queuing", "Init"):
        if status in statuses:
            return status
    return "Success" if all(status == "Success" for status in statuses) else statuses[0]


def sort_snapshot_tasks(documents):
    return _newest_first(documents, ("metadata", "creationTimestamp"), ("metadata", "updateTimestamp"))


def find_snapshot_task(documents, task_id):
    for document in items_of(documents):
        if dig(document, "metadata", "uid") == task_id:
            return document
    return None


def find_active_snapshot(documents):
    """The newest snapshot task still in flight, or None."""
    for document in sort_snapshot_tasks(items_of(documents)):
        if snapshot_phase(document) in SNAPSHOT_ACTIVE_PHASES:
            return document
    return None


def snapshot_finished_at(document):
    for source in (dig(document, "status", "completionTime"), dig(document, "metadata", "updateTimestamp"),
                   dig(document, "metadata", "creationTimestamp")):
        stamp = parse_timestamp(source)
        if stamp is not None:
            return stamp
    return None


def find_recent_snapshot(documents, max_age_minutes, now=None):
    """The newest successful snapshot task that finished less than ``max_age_minutes`` ago."""
    now = now or utcnow()
    limit = datetime.timedelta(minutes=max_age_minutes)
    for document in sort_snapshot_tasks(items_of(documents)):
        if snapshot_phase(document) != "Success":
            continue
        finished = snapshot_finished_at(document)
        if finished is not None and now - finished <= limit:
            return document
    return None


def snapshot_task_id(create_response):
    """The task id of a CreateClusterMasterSnapshot response (top-level ``uid``)."""
    return (create_response or {}).get("uid") or dig(create_response, "metadata", "uid")


# --------------------------------------------------------------------------- post-check

def normalize_postcheck(document):
    return {
        "task_id": dig(document, "metadata", "uid"),
        "phase": dig(document, "status", "phase"),
        "cluster_version": dig(document, "spec", "clusterVersion"),
        "target_version": dig(document, "spec", "targetVersion"),
    }
