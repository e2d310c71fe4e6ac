#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_upgrade_workflow
short_description: Create or cancel the upgrade workflow of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Creates the upgrade workflow that guides a CCE cluster to O(target_version), or cancels it.
  - An upgrade workflow ties together the pre-check, the master snapshot, the upgrade task and the
    post-check of one upgrade. A cluster has at most one open workflow (phase C(Init), C(Running) or C(Pending)).
  - With O(state=present) the module is idempotent. When the cluster already has an open workflow for the
    same target it is returned unchanged. When the open workflow is for another target the module fails,
    naming that workflow and how to cancel it.
  - With O(state=cancelled) the module checks the cancel rules of CCE before it sends anything.
    The workflow must not be C(Running), C(Success) or C(Cancel), and none of its tasks may be initialising,
    queued, running or paused. A refusal names the reason; a refusal by CCE itself (for example because a
    critical step has not run yet) is reported with the error CCE returned. A workflow that is already
    cancelled is no change.
  - Works for standard and Turbo clusters (O(cluster_flavor=cce)) and for Autopilot clusters (O(cluster_flavor=autopilot)).
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
extends_documentation_fragment:
  - hwcloud.cce.connection
  - hwcloud.cce.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - hwcloud.cce.cluster
attributes:
  check_mode:
    support: full
    details: Only reads. Reports whether a workflow would be created or cancelled, with a diff.
  diff_mode:
    support: full
    details: Shows the workflow phase and target version before and after.
options:
  target_version:
    description:
      - Kubernetes version to upgrade to, for example V(v1.30) or V(v1.30.4-r0).
      - A short version matches any patch of that minor version CCE resolved it to.
      - Required when O(state=present).
      - With O(state=cancelled) and no O(workflow_id), only an open workflow for this target is cancelled.
    type: str
  state:
    description:
      - V(present) makes sure an upgrade workflow for O(target_version) exists.
      - V(cancelled) cancels the workflow O(workflow_id) (by default the open workflow of the cluster).
    type: str
    choices: [present, cancelled]
    default: present
  workflow_id:
    description:
      - ID of the workflow to cancel (a UUID). Defaults to the open workflow of the cluster.
      - With O(state=present), the workflow that must be the open one for O(target_version).
    type: str
notes:
  - Cancelling a workflow does not roll back an upgrade that already ran; it only closes the workflow.
seealso:
  - module: hwcloud.cce.cce_upgrade_workflow_info
  - module: hwcloud.cce.cce_precheck
  - module: hwcloud.cce.cce_cluster_upgrade
"""

EXAMPLES = r"""
- name: Open an upgrade workflow to v1.30 (returns the existing one when already open)
  hwcloud.cce.cce_upgrade_workflow:
    cluster_id: "{{ cce_cluster_id }}"
    target_version: v1.30
  register: workflow

- name: Show the workflow id
  ansible.builtin.debug:
    msg: "workflow {{ workflow.workflow_id }} is {{ workflow.workflow.phase }}"

- name: Open a workflow on an Autopilot cluster
  hwcloud.cce.cce_upgrade_workflow:
    cluster_id: "{{ cce_autopilot_cluster_id }}"
    cluster_flavor: autopilot
    target_version: v1.30

- name: Cancel the open workflow of the cluster
  hwcloud.cce.cce_upgrade_workflow:
    cluster_id: "{{ cce_cluster_id }}"
    state: cancelled

- name: Cancel one workflow by id
  hwcloud.cce.cce_upgrade_workflow:
    cluster_id: "{{ cce_cluster_id }}"
    workflow_id: "{{ workflow.workflow_id }}"
    state: cancelled
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
workflow_id:
  description:
    - ID of the workflow that was created, found or cancelled.
    - V(null) in check mode when a workflow would be created, and when there was nothing to cancel.
  returned: always
  type: str
  sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
workflow:
  description:
    - The workflow. V(null) in check mode when a workflow would be created, and when there was nothing to cancel.
  returned: always
  type: dict
  contains:
    workflow_id:
      description: ID of the workflow.
      type: str
      sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
    cluster_id:
      description: ID of the cluster.
      type: str
      sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
    cluster_version:
      description: Version of the cluster when the workflow was created.
      type: str
      sample: v1.29.5-r0
    target_version:
      description: Version the workflow upgrades to, as CCE resolved it.
      type: str
      sample: v1.30.4-r0
    phase:
      description: Phase of the workflow, one of V(Init), V(Running), V(Pending), V(Success) or V(Cancel).
      type: str
      sample: Init
    points:
      description: The tasks of the workflow, keyed by step.
      type: dict
      contains:
        pre_check:
          description: The pre-check step.
          type: dict
          contains: &point
            task_id:
              description: ID of the task behind this step; V(null) until the step ran.
              type: str
            status:
              description: Status of the step (V(Init), V(Queuing), V(Running), V(Success), V(Failed)); V(null) until it ran.
              type: str
            start_timestamp:
              description: When the step started.
              type: str
            end_timestamp:
              description: When the step ended.
              type: str
            expire_timestamp:
              description: When the result of the step expires (pre-check only).
              type: str
        snapshot:
          description: The master snapshot step.
          type: dict
          contains: *point
        cluster:
          description: The upgrade task step.
          type: dict
          contains: *point
        post_check:
          description: The post-check step.
          type: dict
          contains: *point
        rollback:
          description: The rollback step, only when CCE reports one.
          type: dict
          returned: when CCE reports a rollback step
          contains: *point
    lines:
      description: The edges between steps.
      type: list
      elements: dict
      contains:
        start:
          description: Step the edge starts from.
          type: str
          sample: PreCheck
        end:
          description: Step the edge leads to.
          type: str
          sample: Cluster
        critical:
          description: Whether CCE marks the edge as critical (a key step of the upgrade).
          type: bool
    creation_timestamp:
      description: When the workflow was created.
      type: str
    update_timestamp:
      description: When the workflow last changed.
      type: str
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up
from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id, validate_optional_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version

REFUSAL_KINDS = ("invalid", "upgrade_state", "conflict", "forbidden")


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        target_version=dict(type="str"),
        state=dict(type="str", choices=["present", "cancelled"], default="present"),
        workflow_id=dict(type="str"),
    )
    module = CceModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["target_version"])],
    )
    validate_inputs(module)
    if module.params["state"] == "present":
        ensure_present(module)
    else:
        ensure_cancelled(module)


def validate_inputs(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
        validate_optional_id(module.params["workflow_id"], "workflow_id")
        if module.params["target_version"] is not None:
            parse_version(module.params["target_version"], "target_version")
    except ValueError as err:
        module.fail(str(err))


def list_workflows(module):
    cluster_id = module.params["cluster_id"]
    try:
        return wf.items_of(module.api.list_workflows(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade workflows of cluster %s" % cluster_id)


def get_workflow(module, workflow_id):
    cluster_id = module.params["cluster_id"]
    try:
        return module.api.get_workflow(cluster_id, workflow_id)
    except CceApiError as err:
        module.fail_from_error(err, "read upgrade workflow %s of cluster %s" % (workflow_id, cluster_id))


def exit_with(module, changed, document, diff=None):
    normalized = wf.normalize_workflow(document)
    result = dict(
        changed=changed,
        cluster_id=module.params["cluster_id"],
        workflow_id=normalized["workflow_id"] if normalized else None,
        workflow=normalized,
    )
    if diff is not None:
        result["diff"] = diff
    module.exit(**result)


def _summary(document):
    if not document:
        return {}
    return {"workflow_id": wf.workflow_id_of(document), "phase": wf.workflow_phase(document),
            "target_version": (document.get("spec") or {}).get("targetVersion")}


def ensure_present(module):
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    workflows = list_workflows(module)
    current = find_current(module, workflows)
    if current is not None:
        exit_with(module, False, current, diff=dict(before=_summary(current), after=_summary(current)))
    check_target(module)

    after = {"workflow_id": None, "phase": "Init", "target_version": target}
    if module.check_mode:
        module.exit(changed=True, cluster_id=cluster_id, workflow_id=None, workflow=None,
                    diff=dict(before={}, after=after))
    try:
        created = module.api.create_workflow(cluster_id, target)
    except CceApiError as err:
        # A workflow created by a concurrent run, or a create whose reply was lost:
        # look again before failing.
        if err.outcome_unknown or err.kind == "conflict":
            current = find_current(module, list_workflows(module))
            if current is not None:
                exit_with(module, bool(err.outcome_unknown), current,
                          diff=dict(before={}, after=_summary(current)))
        module.fail_from_error(err, "create an upgrade workflow to %s for cluster %s" % (target, cluster_id))
    exit_with(module, True, created, diff=dict(before={}, after=_summary(created)))


def check_target(module):
    """Before a workflow is created: the target must be one CCE offers for the cluster (GETs only).

    Not needed when a workflow for the target already exists: CCE accepted the target then.
    """
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    try:
        spec = (module.api.get_cluster(cluster_id) or {}).get("spec") or {}
        up.check_offered_target(module.api, cluster_id, spec.get("version"), target, spec.get("platformVersion"))
    except CceApiError as err:
        module.fail_from_error(err, "read the versions cluster %s can be upgraded to" % cluster_id)
    except up.TargetNotOffered as err:
        module.fail(str(err), cluster_id=cluster_id, current_version=err.current, allowed_targets=err.allowed)


def find_current(module, workflows):
    """The workflow that already satisfies state=present, None when one must be created.

    Fails when the open workflow is for another target (or is not the requested workflow_id).
    """
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    open_workflow = wf.find_open_workflow(workflows)
    if open_workflow is not None:
        open_id = wf.workflow_id_of(open_workflow)
        open_target = (open_workflow.get("spec") or {}).get("targetVersion")
        if not version.matches(target, open_target):
            module.fail(
                "cluster %s already has an open upgrade workflow %s to %s (phase %s); target_version %s "
                "needs a new workflow. Finish that workflow, or cancel it with state=cancelled "
                "workflow_id=%s, then run again."
                % (cluster_id, open_id, open_target, wf.workflow_phase(open_workflow), target, open_id),
                workflow_id=open_id, cluster_id=cluster_id)
        if module.params["workflow_id"] and module.params["workflow_id"] != open_id:
            module.fail("workflow_id %s is not the open upgrade workflow of cluster %s (the open one is %s)"
                        % (module.params["workflow_id"], cluster_id, open_id),
                        workflow_id=open_id, cluster_id=cluster_id)
        return open_workflow
    # The upgrade to this target already completed: nothing left to create.
    return wf.find_workflow(workflows, target, ("Success",))


def ensure_cancelled(module):
    cluster_id = module.params["cluster_id"]
    workflow_id = module.params["workflow_id"]
    if workflow_id:
        document = get_workflow(module, workflow_id)
    else:
        document = wf.find_open_workflow(list_workflows(module), module.params["target_version"])
        if document is None:
            module.exit(changed=False, cluster_id=cluster_id, workflow_id=None, workflow=None,
                        msg="cluster %s has no open upgrade workflow%s; nothing to cancel"
                        % (cluster_id, " to %s" % module.params["target_version"]
                           if module.params["target_version"] else ""))
        workflow_id = wf.workflow_id_of(document)

    before = _summary(document)
    if wf.workflow_phase(document) == "Cancel":
        exit_with(module, False, document, diff=dict(before=before, after=before))

    refusal = wf.cancel_refusal(document)
    if refusal:
        module.fail("cannot cancel upgrade workflow %s of cluster %s: %s" % (workflow_id, cluster_id, refusal),
                    cluster_id=cluster_id, workflow_id=workflow_id, workflow=wf.normalize_workflow(document))

    after = dict(before, phase="Cancel")
    if module.check_mode:
        exit_with(module, True, document, diff=dict(before=before, after=after))
    try:
        cancelled = module.api.cancel_workflow(cluster_id, workflow_id)
    except CceApiError as err:
        if err.outcome_unknown:
            cancelled = get_workflow(module, workflow_id)
            if wf.workflow_phase(cancelled) == "Cancel":
                exit_with(module, True, cancelled, diff=dict(before=before, after=_summary(cancelled)))
        if err.kind in REFUSAL_KINDS:
            module.fail_from_error(err, "cancel upgrade workflow %s of cluster %s (CCE refused: %s)"
                                   % (workflow_id, cluster_id, err.message))
        module.fail_from_error(err, "cancel upgrade workflow %s of cluster %s" % (workflow_id, cluster_id))
    if not cancelled or not wf.workflow_id_of(cancelled):
        cancelled = get_workflow(module, workflow_id)
    exit_with(module, True, cancelled, diff=dict(before=before, after=_summary(cancelled)))


if __name__ == "__main__":
    main()
