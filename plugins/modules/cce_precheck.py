#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_precheck
short_description: Run the pre-upgrade check of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Runs the pre-upgrade check of a CCE cluster for O(target_version) and returns its check items grouped by level.
  - Idempotent. A successful pre-check for the same target that has not expired yet (the PreCheck step of the
    open upgrade workflow, or the cluster's list of pre-check tasks) is reused without a new check.
    A pre-check for the target that is still running is attached to instead of starting a second one.
  - Fails when the check reports a C(Fatal) risk, listing the fatal items, unless each of them is skipped with
    O(skipped_check_items). Also fails when the check itself ends in C(Failed) or C(Error).
  - Works for standard and Turbo clusters (O(cluster_flavor=cce)) and for Autopilot clusters (O(cluster_flavor=autopilot)).
  - The check is sent with the cluster's exact current patch version (C(v1.29.4-r0), from its upgrade information)
    as CCE requires, and only for a target CCE offers. A new minor while the cluster is not on the latest patch of
    its own fails before the check starts, naming that patch (CCE upgrades patch first).
  - A check item's C(nodeInfo) given as JSON text and timestamps in Go's form with any time zone (C(+0800 CST))
    are read like the documented shapes.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
extends_documentation_fragment:
  - hwcloud.cce.connection
  - hwcloud.cce.wait
  - hwcloud.cce.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - hwcloud.cce.cluster
attributes:
  check_mode:
    support: full
    details: Only reads. Reports a reusable or running pre-check, or that a new one would start.
  diff_mode:
    support: full
    details: Shows the pre-check task and phase before and after.
options:
  target_version:
    description:
      - Kubernetes version the upgrade goes to, for example V(v1.30).
    type: str
    required: true
  skipped_check_items:
    description:
      - Check items to skip, after you confirmed that their risk is acceptable.
      - Each entry is the name of a check item (skipped everywhere), or a dictionary with the keys
        C(name) (the check item) and C(node_ids) (a list of node IDs; the item is skipped on these nodes only).
      - Sent to CCE as C(skippedCheckItemList); a skipped C(Fatal) item no longer fails the module.
    type: list
    elements: raw
    default: []
  force:
    description:
      - Start a new pre-check even when a successful pre-check for the target has not expired yet,
        for example after CCE refused the upgrade because the pre-check expired (error C(CCE.01400075)).
      - A pre-check that is still running is attached to all the same (CCE runs one at a time).
    type: bool
    default: false
notes:
  - The result of a pre-check expires (CCE documents one hour). The upgrade must start before the pre-check expires,
    so a pre-check that expires within five minutes is not reused. Expiry is judged on CCE's clock
    (the C(Date) header of its replies), so a skewed clock on the Ansible host does not matter.
  - With O(wait=false) the module returns as soon as the check runs; poll it again with the same options
    (it attaches to the running check) until RV(phase) is V(Success), V(Failed) or V(Error).
seealso:
  - module: hwcloud.cce.cce_upgrade_workflow
  - module: hwcloud.cce.cce_snapshot
  - module: hwcloud.cce.cce_cluster_upgrade
"""

EXAMPLES = r"""
- name: Run the pre-upgrade check for v1.30 and wait for it
  hwcloud.cce.cce_precheck:
    cluster_id: "{{ cce_cluster_id }}"
    target_version: v1.30
  register: precheck

- name: Show the warnings
  ansible.builtin.debug:
    msg: "{{ precheck.check_items.warning | map(attribute='name') | list }}"

- name: Accept one risk everywhere and another on two nodes only
  hwcloud.cce.cce_precheck:
    cluster_id: "{{ cce_cluster_id }}"
    target_version: v1.30
    skipped_check_items:
      - deprecated-api-check
      - name: node-os-check
        node_ids:
          - 0b6c43b5-8a5d-11ee-9ea1-0255ac100b05
          - 0b6c43b5-8a5d-11ee-9ea1-0255ac100b06

- name: Start the check on an Autopilot cluster without waiting
  hwcloud.cce.cce_precheck:
    cluster_id: "{{ cce_autopilot_cluster_id }}"
    cluster_flavor: autopilot
    target_version: v1.30
    wait: false
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
workflow_id:
  description: ID of the open upgrade workflow for the target, or V(null) when there is none.
  returned: always
  type: str
  sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
task_id:
  description: ID of the pre-check task. V(null) in check mode when a new check would start.
  returned: always
  type: str
  sample: f61e008c-1600-41c0-9bde-121de5a30660
phase:
  description:
    - Phase of the pre-check, V(Init), V(Running), V(Success), V(Failed) or V(Error).
    - V(null) in check mode when a new check would start.
  returned: always
  type: str
  sample: Success
reused:
  description: Whether an earlier successful, unexpired pre-check was reused.
  returned: always
  type: bool
  sample: false
attached:
  description: Whether the module attached to a pre-check that was already running.
  returned: always
  type: bool
  sample: false
cluster_version:
  description: Cluster version the pre-check checked from (the full version).
  returned: always
  type: str
  sample: v1.29.4-r0
target_version:
  description: Target version of the pre-check (as CCE reports it, else O(target_version)).
  returned: always
  type: str
  sample: v1.30
expire_timestamp:
  description: When the result of the pre-check expires.
  returned: always
  type: str
  sample: "2023-11-25 08:21:05.518966 +0000 UTC"
message:
  description: Message of the pre-check (typically the error log of a failed check).
  returned: always
  type: str
  sample: ""
fatal_count:
  description: Number of C(Fatal) risks that did not pass and were not skipped.
  returned: always
  type: int
  sample: 0
check_items:
  description: The check items of the pre-check (cluster, add-on and node items), grouped by level.
  returned: always
  type: dict
  contains:
    fatal:
      description: Items of level C(Fatal).
      type: list
      elements: dict
      contains: &item
        name:
          description: Name of the check item.
          type: str
        kind:
          description: V(Risk) (may be skipped after confirmation) or V(Exception) (must be fixed).
          type: str
        group:
          description: V(LimitCheck), V(MasterCheck), V(NodeCheck), V(AddonCheck) or V(ExecuteException).
          type: str
        level:
          description: V(Info), V(Warning) or V(Fatal).
          type: str
        phase:
          description: Phase of the item, V(Init), V(Running), V(Success) or V(Failed).
          type: str
        message:
          description: Hint text of the item.
          type: str
        node_id:
          description: UID of the node the item was checked on.
          type: str
          returned: for node check items
        node_name:
          description: Name of the node the item was checked on.
          type: str
          returned: for node check items
        node_ids:
          description: UIDs of the nodes the item concerns (node items and node risks).
          type: list
          elements: str
        error_codes:
          description: Error codes of the item.
          type: list
          elements: str
          returned: when CCE reports some
    warning:
      description: Items of level C(Warning).
      type: list
      elements: dict
      contains: *item
    info:
      description: Items of level C(Info) (and of an unknown level).
      type: list
      elements: dict
      contains: *item
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up
from ansible_collections.hwcloud.cce.plugins.module_utils import documents as docs
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import WaitTimeout


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        target_version=dict(type="str", required=True),
        skipped_check_items=dict(type="list", elements="raw", default=[]),
        force=dict(type="bool", default=False),
    )
    module = CceModule(argument_spec=argument_spec, supports_check_mode=True, wait=True)
    skipped = validate_inputs(module)
    workflow = find_open_workflow(module)
    document, how = find_existing_precheck(module, workflow)
    if document is None:
        current_version = check_target(module)
        if module.check_mode:
            exit_would_start(module, workflow, current_version)
        document, how = start_precheck(module, skipped, current_version), "created"
    if module.params["wait"] and not module.check_mode:
        document = wait_for_precheck(module, document, workflow)
    report(module, document, how, workflow, skipped)


def validate_inputs(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
        parse_version(module.params["target_version"], "target_version")
        return wf.normalize_skipped_items(module.params["skipped_check_items"])
    except ValueError as err:
        module.fail(str(err))


def find_open_workflow(module):
    cluster_id = module.params["cluster_id"]
    try:
        workflows = wf.items_of(module.api.list_workflows(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade workflows of cluster %s" % cluster_id)
    return wf.find_open_workflow(workflows, module.params["target_version"])


def find_existing_precheck(module, workflow):
    """A pre-check to reuse ("reused") or to attach to ("attached"), else (None, None)."""
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    point = wf.find_point(workflow, "PreCheck") if workflow else {}
    if point.get("taskID") and point.get("status") in ("Success",) + docs.POINT_ACTIVE_STATUSES:
        try:
            document = module.api.get_precheck(cluster_id, point["taskID"])
        except CceApiError as err:
            if err.kind != "not_found":
                module.fail_from_error(err, "read pre-check task %s of cluster %s" % (point["taskID"], cluster_id))
            document = None
        if document is not None:
            if wf.precheck_reusable(document, point, now=wf.server_now(module.client)) and not module.params["force"]:
                return document, "reused"
            if wf.precheck_phase(document) in docs.PRECHECK_ACTIVE_PHASES:
                return document, "attached"
    try:
        prechecks = wf.items_of(module.api.list_prechecks(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "list the pre-check tasks of cluster %s" % cluster_id)
    running = wf.find_active_precheck(prechecks, target)
    if running is not None:
        return running, "attached"
    reusable = None if module.params["force"] else wf.find_reusable_precheck(
        prechecks, target, now=wf.server_now(module.client))
    if reusable is not None:
        return reusable, "reused"
    return None, None


def exit_would_start(module, workflow, current_version):
    """Check mode: the result a new pre-check would start with, built like every other result."""
    target = module.params["target_version"]
    document = {"spec": {"clusterVersion": current_version, "targetVersion": target}, "status": {}}
    result, _summary = build_result(module, document, "created", workflow, [])
    result.update(phase=None, message="a new pre-check for %s would start" % target,
                  diff=dict(before={}, after={"target_version": target, "phase": "Init"}))
    module.exit(**result)


def check_target(module):
    """Before a pre-check starts: the target must be one CCE offers for the cluster (GETs only).

    Returns the cluster's full current version (from its upgrade information). Not called when a pre-check for the target is reused or
    attached to: CCE accepted the target then.
    """
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    try:
        cluster = module.api.get_cluster(cluster_id)
    except CceApiError as err:
        module.fail_from_error(err, "read cluster %s" % cluster_id)
    spec = (cluster or {}).get("spec") or {}
    try:
        offered = up.check_offered_target(module.api, cluster_id, spec.get("version"), target, spec.get("platformVersion"))
    except CceApiError as err:
        module.fail_from_error(err, "read the versions cluster %s can be upgraded to" % cluster_id)
    except up.TargetNotOffered as err:
        module.fail(str(err), cluster_id=cluster_id, current_version=err.current, allowed_targets=err.allowed)
    # CCE wants the exact current patch version (v1.29.4-r0) in the pre-check's clusterVersion.
    return offered.current_version


def start_precheck(module, skipped, current_version):
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    try:
        created = module.api.create_precheck(cluster_id, current_version, target,
                                             skipped_items=wf.skipped_items_body(skipped))
    except CceApiError as err:
        if err.outcome_unknown or err.kind in ("conflict", "throttled"):
            # Started by a concurrent run, or the reply was lost: attach when it is there.
            document, _how = find_existing_precheck(module, None)
            if document is not None:
                return document
        module.fail_from_error(err, "start the pre-check of cluster %s for %s" % (cluster_id, target))
    task_id = wf.precheck_id_of(created)
    if not wf.precheck_phase(created) and task_id:
        created = dict(created, status=dict(created.get("status") or {}, phase="Init"))
    return created


def wait_for_precheck(module, document, workflow):
    if wf.precheck_phase(document) in docs.PRECHECK_TERMINAL_PHASES:
        return document
    cluster_id = module.params["cluster_id"]
    task_id = wf.precheck_id_of(document)
    try:
        return module.wait_for(
            lambda: module.api.get_precheck(cluster_id, task_id),
            lambda state: wf.precheck_phase(state) in docs.PRECHECK_TERMINAL_PHASES,
        )
    except WaitTimeout as err:
        last = getattr(err, "last_state", None) or document
        module.fail("pre-check task %s of cluster %s is still %s after %s seconds; run the module again to "
                    "attach to it, or raise wait_timeout"
                    % (task_id, cluster_id, wf.precheck_phase(last) or "running", module.params["wait_timeout"]),
                    cluster_id=cluster_id, task_id=task_id,
                    workflow_id=wf.workflow_id_of(workflow) if workflow else None)
    except CceApiError as err:
        module.fail_from_error(err, "wait for pre-check task %s of cluster %s" % (task_id, cluster_id))


def build_result(module, document, how, workflow, skipped):
    """The module's result for a pre-check document (the one result builder of this module)."""
    point = wf.find_point(workflow, "PreCheck") if workflow else {}
    skipped = skipped + wf.skipped_items_of(document)
    summary = wf.normalize_precheck(document, skipped, point)
    result = dict(
        changed=how == "created",
        cluster_id=module.params["cluster_id"],
        workflow_id=wf.workflow_id_of(workflow) if workflow else None,
        task_id=summary["task_id"],
        phase=summary["phase"],
        reused=how == "reused",
        attached=how == "attached",
        cluster_version=summary["cluster_version"],
        target_version=summary["target_version"] or module.params["target_version"],
        expire_timestamp=summary["expire_timestamp"],
        message=summary["message"],
        fatal_count=summary["fatal_count"],
        check_items=summary["check_items"],
    )
    if how == "created":
        result["diff"] = dict(before={}, after={"task_id": summary["task_id"], "phase": summary["phase"]})
    else:
        state = {"task_id": summary["task_id"], "phase": summary["phase"]}
        result["diff"] = dict(before=state, after=state)
    return result, summary


def report(module, document, how, workflow, skipped):
    result, summary = build_result(module, document, how, workflow, skipped)
    if summary["phase"] in docs.PRECHECK_TERMINAL_PHASES:
        failure = dict((key, value) for key, value in result.items() if key not in ("changed", "diff"))
        if summary["blocking_items"]:
            module.fail(
                "pre-check %s of cluster %s for %s found %d fatal risk(s): %s. Fix them, or accept them with "
                "skipped_check_items (item names, or dicts with name and node_ids) and run again."
                % (summary["task_id"], module.params["cluster_id"], result["target_version"],
                   summary["fatal_count"], wf.describe_items(summary["blocking_items"])),
                fatal_items=summary["blocking_items"], **failure)
        if summary["phase"] in docs.PRECHECK_FAILED_PHASES:
            module.fail("pre-check %s of cluster %s for %s ended in phase %s: %s"
                        % (summary["task_id"], module.params["cluster_id"], result["target_version"],
                           summary["phase"], summary["message"] or "no message from CCE"), **failure)
    module.exit(**result)


if __name__ == "__main__":
    main()
