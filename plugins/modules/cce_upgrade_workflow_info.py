#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_upgrade_workflow_info
short_description: Read the upgrade workflows of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Returns one upgrade workflow (O(workflow_id)) or all upgrade workflows of a cluster, newest first,
    and the open workflow (phase C(Init), C(Running) or C(Pending)) if there is one.
  - Read-only; never changes anything.
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
    details: The module only reads, so it runs the same in check mode.
  diff_mode:
    support: none
options:
  workflow_id:
    description:
      - ID of one workflow to read (a UUID; one request). Without it, every workflow of the cluster is listed.
    type: str
seealso:
  - module: hwcloud.cce.cce_upgrade_workflow
"""

EXAMPLES = r"""
- name: Read every upgrade workflow of a cluster
  hwcloud.cce.cce_upgrade_workflow_info:
    cluster_id: "{{ cce_cluster_id }}"
  register: workflows

- name: Report the open workflow
  ansible.builtin.debug:
    msg: "{{ workflows.open_workflow.workflow_id if workflows.open_workflow else 'no open workflow' }}"

- name: Poll one workflow until its upgrade step succeeded
  hwcloud.cce.cce_upgrade_workflow_info:
    cluster_id: "{{ cce_cluster_id }}"
    workflow_id: "{{ workflows.workflow_id }}"
  register: current
  until: current.workflow.points.cluster.status in ['Success', 'Failed']
  retries: 60
  delay: 30
  when: workflows.workflow_id is not none
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
workflow_id:
  description:
    - ID of O(workflow_id) when given; otherwise of the open workflow, or of the newest one when none is open.
    - V(null) when the cluster has no workflow.
  returned: always
  type: str
  sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
workflow:
  description:
    - The workflow O(workflow_id) when given; otherwise the open workflow, or the newest one when none is open.
    - V(null) when the cluster has no workflow.
  returned: always
  type: dict
  contains: &workflow
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
          description: Whether the edge is critical (a workflow can be cancelled only after its critical edges ran).
          type: bool
    creation_timestamp:
      description: When the workflow was created.
      type: str
    update_timestamp:
      description: When the workflow last changed.
      type: str
open_workflow:
  description:
    - The open workflow of the cluster (phase V(Init), V(Running) or V(Pending)), or V(null).
    - With O(workflow_id), that workflow when it is open, else V(null).
  returned: always
  type: dict
  contains: *workflow
workflows:
  description: The workflows read, newest first (with O(workflow_id), only that one).
  returned: always
  type: list
  elements: dict
  contains: *workflow
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id, validate_optional_id


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        workflow_id=dict(type="str"),
    )
    module = CceModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        validate_cluster_id(module.params["cluster_id"])
        validate_optional_id(module.params["workflow_id"], "workflow_id")
    except ValueError as err:
        module.fail(str(err))
    if module.params["workflow_id"]:
        documents = [read_one(module)]
    else:
        documents = read_all(module)
    report(module, documents)


def read_one(module):
    cluster_id, workflow_id = module.params["cluster_id"], module.params["workflow_id"]
    try:
        return module.api.get_workflow(cluster_id, workflow_id)
    except CceApiError as err:
        module.fail_from_error(err, "read upgrade workflow %s of cluster %s" % (workflow_id, cluster_id))


def read_all(module):
    cluster_id = module.params["cluster_id"]
    try:
        return wf.sort_workflows(wf.items_of(module.api.list_workflows(cluster_id)))
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade workflows of cluster %s" % cluster_id)


def report(module, documents):
    open_document = wf.find_open_workflow(documents)
    chosen = documents[0] if module.params["workflow_id"] else (open_document or (documents[0] if documents else None))
    workflow = wf.normalize_workflow(chosen)
    module.exit(
        changed=False,
        cluster_id=module.params["cluster_id"],
        workflow_id=workflow["workflow_id"] if workflow else None,
        workflow=workflow,
        open_workflow=wf.normalize_workflow(open_document),
        workflows=[wf.normalize_workflow(document) for document in documents],
    )


if __name__ == "__main__":
    main()
