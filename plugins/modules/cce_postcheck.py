#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_postcheck
short_description: Run the post-upgrade check of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Runs the post-upgrade check that confirms an upgrade and completes its upgrade workflow.
  - The check is for the upgrade workflow O(workflow_id), by default the open workflow of the cluster.
    It checks from the workflow's original version (C(clusterVersion)) to its target version.
  - Idempotent. Nothing is sent when the PostCheck step of the workflow already succeeded.
  - Fails when the upgrade step of the workflow has not succeeded yet, and when the post-check ends
    in phase C(Failed) or C(Error).
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
    details: Only reads. Reports whether the post-check would run.
  diff_mode:
    support: full
    details: Shows the status of the PostCheck step before and after.
options:
  workflow_id:
    description:
      - ID of the upgrade workflow to confirm (a UUID). Defaults to the open workflow of the cluster.
    type: str
  target_version:
    description:
      - Without O(workflow_id), only the open workflow for this target is used, for example V(v1.30).
    type: str
seealso:
  - module: hwcloud.cce.cce_cluster_upgrade
  - module: hwcloud.cce.cce_upgrade_workflow_info
"""

EXAMPLES = r"""
- name: Confirm the upgrade of the open workflow
  hwcloud.cce.cce_postcheck:
    cluster_id: "{{ cce_cluster_id }}"
  register: postcheck

- name: Confirm the upgrade of one workflow of an Autopilot cluster
  hwcloud.cce.cce_postcheck:
    cluster_id: "{{ cce_autopilot_cluster_id }}"
    cluster_flavor: autopilot
    workflow_id: "{{ workflow.workflow_id }}"
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 8978deaa-1743-11ee-8e46-0255ac10004c
workflow_id:
  description: ID of the upgrade workflow the post-check is for.
  returned: always
  type: str
  sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
task_id:
  description:
    - ID of the post-check task.
    - V(null) in check mode when the post-check would run, and when CCE does not report one.
  returned: always
  type: str
  sample: e99fedf8-348c-4084-b0fd-81bf187df4e0
phase:
  description:
    - Phase of the post-check, V(Success), V(Failed) or V(Error).
    - V(null) in check mode when the post-check would run.
  returned: always
  type: str
  sample: Success
cluster_version:
  description: Version of the cluster before the upgrade (the workflow's C(clusterVersion)).
  returned: always
  type: str
  sample: v1.29
target_version:
  description: Version the cluster was upgraded to (the workflow's C(targetVersion)).
  returned: always
  type: str
  sample: v1.30
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import documents as docs
from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id, validate_optional_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        workflow_id=dict(type="str"),
        target_version=dict(type="str"),
    )
    module = CceModule(argument_spec=argument_spec, supports_check_mode=True)
    validate_inputs(module)
    workflow = find_workflow(module)
    ensure_postchecked(module, workflow)


def validate_inputs(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
        validate_optional_id(module.params["workflow_id"], "workflow_id")
        if module.params["target_version"] is not None:
            parse_version(module.params["target_version"], "target_version")
    except ValueError as err:
        module.fail(str(err))


def find_workflow(module):
    cluster_id = module.params["cluster_id"]
    workflow_id = module.params["workflow_id"]
    target = module.params["target_version"]
    try:
        if workflow_id:
            return module.api.get_workflow(cluster_id, workflow_id)
        workflows = wf.items_of(module.api.list_workflows(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "read the upgrade workflows of cluster %s" % cluster_id)
    found = wf.find_open_workflow(workflows, target)
    if found is None:
        # Already confirmed: the newest workflow completed (the post-check closes it).
        newest = [document for document in wf.sort_workflows(workflows)
                  if not target or version.matches(target, (document.get("spec") or {}).get("targetVersion"))]
        if newest and wf.workflow_phase(newest[0]) == "Success":
            found = newest[0]
    if found is None:
        module.fail("cluster %s has no open upgrade workflow%s; give workflow_id, or create one with "
                    "hwcloud.cce.cce_upgrade_workflow" % (cluster_id, " to %s" % target if target else ""),
                    cluster_id=cluster_id)
    return found


def ensure_postchecked(module, workflow):
    cluster_id = module.params["cluster_id"]
    workflow_id = wf.workflow_id_of(workflow)
    spec = workflow.get("spec") or {}
    point = wf.find_point(workflow, "PostCheck")
    result = dict(cluster_id=cluster_id, workflow_id=workflow_id, task_id=point.get("taskID"),
                  phase=point.get("status"), cluster_version=spec.get("clusterVersion"),
                  target_version=spec.get("targetVersion"))
    before = {"status": point.get("status")}
    if point.get("status") == "Success" or wf.workflow_phase(workflow) == "Success":
        module.exit(changed=False, diff=dict(before=before, after=before), **result)

    refusal = postcheck_refusal(workflow)
    if refusal:
        module.fail("cannot run the post-check of upgrade workflow %s of cluster %s: %s"
                    % (workflow_id, cluster_id, refusal), **result)
    diff = dict(before=before, after={"status": "Success"})
    if module.check_mode:
        module.exit(changed=True, diff=diff, **dict(result, task_id=None, phase=None))
    try:
        response = module.api.create_postcheck(cluster_id, result["cluster_version"], result["target_version"])
    except CceApiError as err:
        module.fail_from_error(err, "run the post-check of cluster %s (%s -> %s)"
                               % (cluster_id, result["cluster_version"], result["target_version"]), **result)
    check = wf.normalize_postcheck(response)
    result.update(task_id=check["task_id"], phase=check["phase"])
    if check["phase"] in docs.POSTCHECK_FAILED_PHASES or not check["phase"]:
        module.fail("the post-check of cluster %s (%s -> %s) ended in phase %s; look at the cluster's nodes and "
                    "add-ons, then run the post-check again"
                    % (cluster_id, result["cluster_version"], result["target_version"], check["phase"] or "unknown"),
                    **result)
    module.exit(changed=True, diff=dict(before=before, after={"status": check["phase"]}), **result)


def postcheck_refusal(workflow):
    """Why a post-check cannot run for this workflow yet, or None."""
    phase = wf.workflow_phase(workflow)
    if phase == "Cancel":
        return "the workflow was cancelled"
    cluster = wf.find_point(workflow, "Cluster").get("status")
    if cluster != "Success":
        return ("its upgrade step is %s; the post-check runs after the upgrade task succeeded "
                "(hwcloud.cce.cce_cluster_upgrade)" % (cluster or "not started"))
    return None


if __name__ == "__main__":
    main()
