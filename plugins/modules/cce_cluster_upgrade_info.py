#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_cluster_upgrade_info
short_description: Upgrade information of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Reports the current version of a CCE cluster (standard, Turbo or Autopilot), the versions it can be
    upgraded to, the upgrade paths, its upgrade tasks with phase and progress, the status of the last
    upgrade and the active upgrade task.
  - With O(task_id), reads only that upgrade task (one request); this is the cheap call to poll with
    C(until)/C(retries).
  - With O(task_id) and O(watch_seconds), one call keeps reading the task every O(poll_interval) seconds
    (one request per read) and returns as soon as the task stops running, or when O(watch_seconds) have
    passed. Fewer module runs for the same polling, which is what a controller upgrading many clusters at
    once runs out of.
  - Never changes anything.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
options:
  task_id:
    description:
      - ID of one upgrade task (a UUID). When given, only that task is read and returned (RV(task)).
    type: str
  watch_seconds:
    description:
      - With O(task_id), keep reading the task for up to this many seconds, every O(poll_interval)
        seconds, until its phase is no longer C(Init), C(Queuing) or C(Running).
      - The result is the last successful read; the module does not fail when the time is up (check
        RV(task.phase)). A read that fails with a throttling, connection or server error is retried at
        the next poll; the module fails only when no read succeeded.
      - V(0) reads the task once.
    type: int
    default: 0
  poll_interval:
    description:
      - Seconds between two reads of the task with O(watch_seconds).
    type: float
    default: 10
extends_documentation_fragment:
  - hwcloud.cce.connection
  - hwcloud.cce.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - hwcloud.cce.cluster
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs normally in check mode.
  diff_mode:
    support: N/A
    details: The module changes nothing.
seealso:
  - module: hwcloud.cce.cce_cluster_upgrade
  - module: hwcloud.cce.cce_cluster_info
"""

EXAMPLES = r"""
- name: What can this cluster be upgraded to? (credentials from the HW_* environment)
  hwcloud.cce.cce_cluster_upgrade_info:
    cluster_id: "{{ cluster_id }}"
  register: info

- name: Show the targets
  ansible.builtin.debug:
    msg: "{{ info.current_version }} -> {{ info.target_versions }}"

- name: Poll one upgrade task until it ends
  hwcloud.cce.cce_cluster_upgrade_info:
    cluster_id: "{{ cluster_id }}"
    task_id: "{{ upgrade.task_id }}"
  register: poll
  until: poll.task.phase in ['Success', 'Failed']
  retries: 120
  delay: 30

- name: Poll one upgrade task with fewer module runs (one progress report every 5 minutes at most)
  hwcloud.cce.cce_cluster_upgrade_info:
    cluster_id: "{{ cluster_id }}"
    task_id: "{{ upgrade.task_id }}"
    watch_seconds: 300
    poll_interval: 30
  register: poll
  until: poll.task.phase in ['Success', 'Failed', 'Pause']
  retries: 36
  delay: 30

- name: Autopilot cluster
  hwcloud.cce.cce_cluster_upgrade_info:
    cluster_id: "{{ cluster_id }}"
    cluster_flavor: autopilot
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 0d6b8a52-1f3e-11ef-9b57-0255ac100b03
cluster_name:
  description: Name of the cluster.
  returned: when O(task_id) is not given
  type: str
  sample: prod-a
cluster_status:
  description: Cluster phase (C(Available), C(Upgrading), ...).
  returned: when O(task_id) is not given
  type: str
  sample: Available
current_version:
  description: Current cluster version as ShowCluster reports it (the minor only for clusters from v1.21 on).
  returned: when O(task_id) is not given
  type: str
  sample: v1.29
full_version:
  description:
    - The cluster's full current version (C(release)-C(patch) from its upgrade information); C(current_version)
      when the upgrade information gives no release and patch.
    - Use this to judge whether a patch upgrade is done, since C(current_version) still reads the minor after it.
  returned: when O(task_id) is not given
  type: str
  sample: v1.29.8-r0
patch_target:
  description:
    - The latest patch of the cluster's own minor when the cluster is not on it, else null.
    - CCE moves a cluster to another minor only from the latest patch of its current minor, so this is the
      first upgrade to make when it is set.
  returned: when O(task_id) is not given
  type: str
  sample: v1.29.15-r2
platform_version:
  description: Internal platform version of the cluster.
  returned: when O(task_id) is not given
  type: str
  sample: cce.5.0
release:
  description: Release of the current version as upgradeinfo reports it.
  returned: when O(task_id) is not given
  type: str
  sample: v1.29.8
patch:
  description: Patch of the current version.
  returned: when O(task_id) is not given
  type: str
  sample: r0
suggest_patch:
  description: Recommended patch.
  returned: when O(task_id) is not given
  type: str
  sample: r0
target_versions:
  description:
    - Versions the cluster can be upgraded to, lowest first. These are the upgradeinfo targets (minors or full versions)
      and the targets of the upgrade path entries of the cluster's version and platform version.
  returned: when O(task_id) is not given
  type: list
  elements: str
  sample: ["v1.30.14-r10", "v1.31.10-r0"]
upgrade_paths:
  description: Upgrade paths of CCE (global, one entry per source version and platform version; targets are full versions).
  returned: when O(task_id) is not given
  type: list
  elements: dict
  contains:
    version:
      description: Source version.
      type: str
      sample: v1.29
    platform_version:
      description: Internal platform version of the source.
      type: str
      sample: cce.5.0
    target_versions:
      description: Versions reachable from the source.
      type: list
      elements: str
      sample: ["v1.30"]
last_upgrade:
  description: Status of the last upgrade as upgradeinfo reports it.
  returned: when O(task_id) is not given
  type: dict
  contains:
    phase:
      description: Phase (C(Init), C(Running), C(Pause), C(Success), C(Failed)); null when the cluster was never upgraded.
      type: str
      sample: Success
    progress:
      description: Progress.
      type: str
      sample: "100"
    completion_time:
      description: When it ended.
      type: str
      sample: "2026-11-22 07:58:35.507243 +0000 UTC"
tasks:
  description: Upgrade tasks of the cluster, newest first.
  returned: when O(task_id) is not given
  type: list
  elements: dict
  contains: &task
    task_id:
      description: Task ID.
      type: str
      sample: 6d799ff6-3afe-4242-80b4-6f0a0fa746cb
    version:
      description: Cluster version when the task started.
      type: str
      sample: v1.29
    target_version:
      description: Target version.
      type: str
      sample: v1.30
    phase:
      description: Phase (C(Init), C(Queuing), C(Running), C(Pause), C(Success), C(Failed)).
      type: str
      sample: Running
    progress:
      description: Progress as CCE reports it.
      type: str
      sample: "45"
    message:
      description: CCE's reason or message for the phase, when it gives one.
      type: str
      sample: node upgrade failed
    creation_timestamp:
      description: When the task was created.
      type: str
      sample: "2026-11-22 07:49:30.283459 +0000 UTC"
    update_timestamp:
      description: When the task was last updated.
      type: str
      sample: "2026-11-22 07:52:30.283459 +0000 UTC"
    completion_time:
      description: When the task finished.
      type: str
      sample: "2026-11-22 07:58:35.507243 +0000 UTC"
active_task:
  description: The newest task in C(Init), C(Queuing), C(Running) or C(Pause); null when none is active. Same keys as an item of RV(tasks).
  returned: when O(task_id) is not given
  type: dict
  contains: *task
task:
  description: The upgrade task named by O(task_id). Same keys as an item of RV(tasks).
  returned: when O(task_id) is given
  type: dict
  contains: *task
task_id:
  description: The O(task_id) that was read.
  returned: when O(task_id) is given
  type: str
  sample: 6d799ff6-3afe-4242-80b4-6f0a0fa746cb
polls:
  description: How many times the task was read (requests sent for it, retries of a failed read included).
  returned: when O(task_id) is given
  type: int
  sample: 1
"""

from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import pending_patch, validate_cluster_id, validate_optional_id
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import WaitTimeout, wait_until
from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        task_id=dict(type="str"),
        watch_seconds=dict(type="int", default=0),
        poll_interval=dict(type="float", default=10),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True)
    validate_input(module)
    if module.params["task_id"]:
        result = ensure_task_read(module)
    else:
        result = ensure_upgrade_info_read(module)
    module.exit(changed=False, **result)


def validate_input(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
    except ValueError as err:
        text = str(err)
        module.fail(text if "cluster_id" in text else "cluster_id: %s" % text)
    try:
        validate_optional_id(module.params["task_id"], "task_id")
    except ValueError as err:
        module.fail(str(err))
    if module.params["watch_seconds"] < 0:
        module.fail("watch_seconds must be 0 or more seconds, got %d" % module.params["watch_seconds"])
    if module.params["poll_interval"] <= 0:
        module.fail("poll_interval must be more than 0 seconds, got %s" % module.params["poll_interval"])


def ensure_task_read(module):
    """One GET per poll: exactly one without ``watch_seconds``; what a role polls."""
    cluster_id = module.params["cluster_id"]
    task_id = module.params["task_id"]
    what = "read upgrade task %s of cluster %s" % (task_id, cluster_id)
    reads = []

    def fetch():
        reads.append(1)
        return up.normalize_task(module.api.get_upgrade_task(cluster_id, task_id))

    try:
        if module.params["watch_seconds"] <= 0:
            task = fetch()
        else:
            task = wait_until(fetch, done=lambda state: not up.is_running(state),
                              timeout=module.params["watch_seconds"], interval=module.params["poll_interval"])
    except WaitTimeout as timeout:
        if timeout.last_state is None:
            module.fail_from_error(timeout.last_error, what)
        task = timeout.last_state
    except CceApiError as err:
        module.fail_from_error(err, what)
    return dict(cluster_id=cluster_id, task_id=task_id, task=task, polls=len(reads))


def ensure_upgrade_info_read(module):
    api = module.api
    cluster_id = module.params["cluster_id"]
    try:
        cluster = up.normalize_cluster(api.get_cluster(cluster_id), module.params["cluster_flavor"])
        info = up.normalize_upgrade_info(api.get_upgrade_info(cluster_id))
        paths = up.normalize_upgrade_paths(api.list_upgrade_paths())
        tasks = up.normalize_task_list(api.list_upgrade_tasks(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "read the upgrade information of cluster %s" % cluster_id)
    full = info["current_version"] or cluster["version"]
    allowed = up.collect_allowed_targets(info, paths, full, cluster["platform_version"])
    return dict(
        cluster_id=cluster_id,
        cluster_name=cluster["name"],
        cluster_status=cluster["status"],
        current_version=cluster["version"],
        full_version=full,
        patch_target=pending_patch(full, allowed),
        platform_version=cluster["platform_version"],
        release=info["release"],
        patch=info["patch"],
        suggest_patch=info["suggest_patch"],
        target_versions=allowed,
        upgrade_paths=paths,
        last_upgrade=info["last_upgrade"],
        tasks=tasks,
        active_task=up.find_active_upgrade_task(tasks),
    )


if __name__ == "__main__":
    main()
