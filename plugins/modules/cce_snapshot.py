#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_snapshot
short_description: Take a master snapshot of a Huawei Cloud CCE cluster before an upgrade
version_added: 0.1.0
description:
  - Takes a snapshot (backup) of the control plane of a CCE cluster, the optional step between the pre-check
    and the upgrade task, and by default waits until it finished.
  - Idempotent. Nothing new is started when the Snapshot step of the open upgrade workflow already succeeded,
    or when a snapshot task succeeded less than O(max_age) minutes ago. A snapshot task that is still running
    is attached to instead of starting a second one.
  - Works for standard and Turbo clusters (O(cluster_flavor=cce)) and for Autopilot clusters (O(cluster_flavor=autopilot)).
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
    details: Only reads. Reports a reusable or running snapshot, or that a new one would start.
  diff_mode:
    support: full
    details: Shows the snapshot task and phase before and after.
options:
  max_age:
    description:
      - A successful snapshot task that finished at most this many minutes ago is reused.
        The age is measured on CCE's clock (the C(Date) header of its replies), not the Ansible host's.
      - V(0) reuses only the Snapshot step of the open upgrade workflow.
    type: int
    default: 60
seealso:
  - module: hwcloud.cce.cce_precheck
  - module: hwcloud.cce.cce_cluster_upgrade
"""

EXAMPLES = r"""
- name: Snapshot the control plane before upgrading (reuses one taken in the last hour)
  hwcloud.cce.cce_snapshot:
    cluster_id: "{{ cce_cluster_id }}"
  register: snapshot

- name: Snapshot an Autopilot cluster, reusing only a snapshot of the last 15 minutes
  hwcloud.cce.cce_snapshot:
    cluster_id: "{{ cce_autopilot_cluster_id }}"
    cluster_flavor: autopilot
    max_age: 15
    wait_timeout: 1800
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
workflow_id:
  description: ID of the open upgrade workflow of the cluster, or V(null).
  returned: always
  type: str
  sample: c271e39e-1a6e-4d3d-8fa8-2a36329c68d1
task_id:
  description: ID of the snapshot task. V(null) in check mode when a new snapshot would start.
  returned: always
  type: str
  sample: 0c9a3d0e-8a5a-11ee-9b1c-0255ac100b03
phase:
  description:
    - Phase of the snapshot task, for example V(Running), V(Success) or V(Failed).
    - V(null) in check mode when a new snapshot would start.
  returned: always
  type: str
  sample: Success
progress:
  description: Progress of the snapshot task as CCE reports it.
  returned: always
  type: str
  sample: "100"
reused:
  description: Whether an earlier successful snapshot was reused.
  returned: always
  type: bool
  sample: false
attached:
  description: Whether the module attached to a snapshot task that was already running.
  returned: always
  type: bool
  sample: false
task:
  description: The snapshot task, V(null) when it could not be read (check mode, or a workflow step only).
  returned: always
  type: dict
  contains:
    task_id:
      description: ID of the snapshot task.
      type: str
    phase:
      description: Phase of the task.
      type: str
    progress:
      description: Progress of the task.
      type: str
    completion_time:
      description: When the task completed.
      type: str
    creation_timestamp:
      description: When the task was created.
      type: str
    update_timestamp:
      description: When the task last changed.
      type: str
    sub_tasks:
      description: Sub-tasks of the snapshot.
      type: list
      elements: dict
      contains:
        id:
          description: ID of the sub-task.
          type: str
        type:
          description: V(master-backup) or V(master-backup-rollback).
          type: str
        status:
          description: Status of the sub-task.
          type: str
        message:
          description: Message of the sub-task.
          type: str
        creation_timestamp:
          description: When the sub-task was created.
          type: str
        update_timestamp:
          description: When the sub-task last changed.
          type: str
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import documents as docs
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import TaskFailed, WaitTimeout


def main():
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        max_age=dict(type="int", default=60),
    )
    module = CceModule(argument_spec=argument_spec, supports_check_mode=True, wait=True)
    validate_inputs(module)
    workflow = find_open_workflow(module)
    task, task_id, how = find_existing_snapshot(module, workflow)
    if how is None:
        if module.check_mode:
            report(module, workflow, None, None, "would_create")
        task_id = start_snapshot(module)
        task, how = read_task(module, task_id), "created"
    if module.params["wait"] and not module.check_mode and how in ("created", "attached"):
        task = wait_for_snapshot(module, task_id, task, workflow)
    report(module, workflow, task, task_id, how)


def validate_inputs(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
    except ValueError as err:
        module.fail(str(err))
    if module.params["max_age"] < 0:
        module.fail("max_age must be 0 or more minutes, got %d" % module.params["max_age"])


def find_open_workflow(module):
    cluster_id = module.params["cluster_id"]
    try:
        return wf.find_open_workflow(wf.items_of(module.api.list_workflows(cluster_id)))
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade workflows of cluster %s" % cluster_id)


def list_tasks(module):
    cluster_id = module.params["cluster_id"]
    try:
        return wf.items_of(module.api.list_snapshot_tasks(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "list the snapshot tasks of cluster %s" % cluster_id)


def read_task(module, task_id):
    return wf.find_snapshot_task(list_tasks(module), task_id)


def find_existing_snapshot(module, workflow):
    """(task document, task id, "reused" | "attached") of a snapshot that makes a new one needless."""
    tasks = list_tasks(module)
    point = wf.find_point(workflow, "Snapshot") if workflow else {}
    if point.get("status") == "Success":
        task_id = point.get("taskID")
        return wf.find_snapshot_task(tasks, task_id) if task_id else None, task_id, "reused"
    running = wf.find_active_snapshot(tasks)
    if running is not None:
        return running, running["metadata"].get("uid"), "attached"
    if module.params["max_age"] > 0:
        recent = wf.find_recent_snapshot(tasks, module.params["max_age"], now=wf.server_now(module.client))
        if recent is not None:
            return recent, recent["metadata"].get("uid"), "reused"
    return None, None, None


def start_snapshot(module):
    cluster_id = module.params["cluster_id"]
    try:
        created = module.api.create_snapshot(cluster_id)
    except CceApiError as err:
        if err.outcome_unknown or err.kind in ("conflict", "throttled"):
            running = wf.find_active_snapshot(list_tasks(module))
            if running is not None:
                return running["metadata"].get("uid")
        module.fail_from_error(err, "start a master snapshot of cluster %s" % cluster_id)
    task_id = wf.snapshot_task_id(created)
    if not task_id:
        module.fail("CCE accepted the snapshot of cluster %s but returned no task id" % cluster_id)
    return task_id


def wait_for_snapshot(module, task_id, task, workflow):
    cluster_id = module.params["cluster_id"]
    try:
        return module.wait_for(
            lambda: read_task(module, task_id),
            lambda state: state is not None and wf.snapshot_phase(state) == "Success",
            failed=lambda state: state is not None and wf.snapshot_phase(state) in docs.SNAPSHOT_FAILED_PHASES,
        )
    except TaskFailed as err:
        return err.state
    except WaitTimeout as err:
        last = wf.normalize_snapshot_task(err.last_state or task) or {}
        module.fail("snapshot task %s of cluster %s is still %s after %s seconds; run the module again to "
                    "attach to it, or raise wait_timeout"
                    % (task_id, cluster_id, last.get("phase") or "running", module.params["wait_timeout"]),
                    cluster_id=cluster_id, task_id=task_id, phase=last.get("phase"),
                    workflow_id=wf.workflow_id_of(workflow) if workflow else None)
    except CceApiError as err:
        module.fail_from_error(err, "wait for snapshot task %s of cluster %s" % (task_id, cluster_id))


def report(module, workflow, task, task_id, how):
    normalized = wf.normalize_snapshot_task(task)
    phase = normalized["phase"] if normalized else None
    if how == "reused" and phase is None:
        phase = "Success"
    state = {"task_id": task_id, "phase": phase}
    result = dict(
        changed=how in ("created", "would_create"),
        cluster_id=module.params["cluster_id"],
        workflow_id=wf.workflow_id_of(workflow) if workflow else None,
        task_id=task_id,
        phase=phase,
        progress=normalized["progress"] if normalized else None,
        reused=how == "reused",
        attached=how == "attached",
        task=normalized,
        diff=dict(before={} if how in ("created", "would_create") else state,
                  after={"phase": "Success"} if how == "would_create" else state),
    )
    if phase in docs.SNAPSHOT_FAILED_PHASES:
        messages = "; ".join(item["message"] for item in normalized["sub_tasks"] if item.get("message"))
        result.pop("diff")
        result.pop("changed")
        module.fail("snapshot task %s of cluster %s ended in phase %s%s"
                    % (task_id, module.params["cluster_id"], phase, ": " + messages if messages else ""), **result)
    module.exit(**result)


if __name__ == "__main__":
    main()
