#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_upgrade_plan
short_description: Plan the upgrade hops of a Huawei Cloud CCE cluster to a target version
version_added: 0.2.0
description:
  - Computes the shortest sequence of upgrades (hops) that takes a CCE cluster (standard, Turbo or
    Autopilot) from its full current version to O(target_version), and says where an interrupted
    upgrade run stands.
  - CCE upgrades a cluster one path step at a time. The latest patch of the current minor comes first
    when a minor upgrade is needed (CCE moves to another minor only from the latest patch of the
    current one); then the largest minor jumps the upgrade paths allow. Each hop's target is a full
    version (V(v1.28.15-r30)).
  - The first hop is what CCE offers the cluster now (its upgrade information, then the upgrade path
    entries of its own version and platform version). Later hops follow the upgrade paths of the minor
    each hop lands on; they are checked again against the cluster's fresh upgrade information when
    they start.
  - Never changes anything.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
options:
  target_version:
    description:
      - The final version, V(vX.Y) (its latest patch), V(vX.Y.Z-rN), or V(latest) (the newest version
        the upgrade paths reach).
    type: str
    required: true
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
  - module: hwcloud.cce.cce_cluster_upgrade_info
  - module: hwcloud.cce.cce_cluster_upgrade
"""

EXAMPLES = r"""
- name: How does this cluster get to v1.31? (credentials from the HW_* environment)
  hwcloud.cce.cce_upgrade_plan:
    cluster_id: "{{ cluster_id }}"
    target_version: v1.31
  register: plan

- name: Show the hops
  ansible.builtin.debug:
    msg: "{{ plan.msg }}"

- name: The newest version reachable, for an Autopilot cluster
  hwcloud.cce.cce_upgrade_plan:
    cluster_id: "{{ cluster_id }}"
    cluster_flavor: autopilot
    target_version: latest
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 0d6b8a52-1f3e-11ef-9b57-0255ac100b03
cluster_name:
  description: Name of the cluster.
  returned: success
  type: str
  sample: legacy-a
current_version:
  description: The cluster's full current version (from its upgrade information).
  returned: success
  type: str
  sample: v1.23.8-r0
platform_version:
  description: The cluster's platform version.
  returned: success
  type: str
  sample: cce.2.0
target_version:
  description: The target as asked (a version or C(latest)).
  returned: always
  type: str
  sample: v1.31
final_version:
  description: The version the last hop reaches (the current version when there is nothing to do).
  returned: success
  type: str
  sample: v1.31.10-r0
hops:
  description: The hops in order; empty when the cluster is already at the target.
  returned: success
  type: list
  elements: dict
  contains:
    index:
      description: Position of the hop, from 1.
      type: int
    from:
      description: Version the hop starts from.
      type: str
    to:
      description: Target of the hop (a full version, or a minor when CCE lists only minors).
      type: str
    kind:
      description: C(patch) (the latest patch of the same minor) or C(minor).
      type: str
    reason:
      description: Why the hop is needed.
      type: str
    steps:
      description: The steps of the hop as the P(hwcloud.cce.cluster_upgrade#role) role runs them.
      type: list
      elements: str
  sample:
    - index: 1
      from: v1.23.8-r0
      to: v1.23.17-r0
      kind: patch
      reason: CCE upgrades to another minor only from the latest patch of v1.23
      steps: [workflow, precheck, snapshot, upgrade, wait, postcheck, verify]
offered:
  description: The versions CCE offers the cluster now (the first hop is one of them).
  returned: always
  type: list
  elements: str
  sample: [v1.23.17-r0, v1.25.16-r10, v1.27.16-r10, v1.28.15-r30]
in_progress:
  description:
    - Where an interrupted run stands, from the open workflow and the active upgrade task; null when
      nothing is under way.
    - C(hop) is the index of the hop the run belongs to (null when its target is none of the hops),
      C(step) the first step not yet done (C(precheck), C(snapshot), C(upgrade), C(wait),
      C(postcheck), C(verify)).
  returned: success
  type: dict
  sample: {hop: 1, from: v1.23.8-r0, to: v1.23.17-r0, step: wait, workflow_id: 9a0b3f7e-1f3e-11ef-9b57-0255ac100b03,
           task_id: 2c1f7d12-1f3e-11ef-9b57-0255ac100b03, task_phase: Running, progress: "37.50"}
msg:
  description: The plan in one line.
  returned: always
  type: str
  sample: "v1.23.8-r0 -> v1.31.10-r0 in 3 hops: v1.23.17-r0 (patch), v1.28.15-r30 (minor), v1.31.10-r0 (minor)"
"""

from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import (
    HOP_STEPS,
    LATEST,
    PlanError,
    describe_plan,
    locate_run,
    plan_hops,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version
from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        target_version=dict(type="str", required=True),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True)
    validate_input(module)
    state = read_cluster_state(module)
    try:
        plan = plan_hops(state["current_version"], module.params["target_version"].strip(),
                         state["platform_version"], state["offered"], state["paths"])
    except PlanError as err:
        module.fail(str(err), cluster_id=state["cluster_id"], current_version=state["current_version"],
                    target_version=module.params["target_version"], offered=state["offered_list"])
    module.exit(changed=False, **plan_result(state, plan))


def validate_input(module):
    try:
        validate_cluster_id(module.params["cluster_id"])
        target = module.params["target_version"].strip()
        if target.lower() != LATEST:
            parse_version(target, "target_version")
    except ValueError as err:
        module.fail("%s (target_version also accepts latest)" % err if "target_version" in str(err) else str(err))


def read_cluster_state(module):
    """The reads a plan needs: cluster, upgrade info, paths, open workflow and active task."""
    api = module.api
    cluster_id = module.params["cluster_id"].strip()
    try:
        cluster = up.normalize_cluster(api.get_cluster(cluster_id), module.params["cluster_flavor"])
        info = up.normalize_upgrade_info(api.get_upgrade_info(cluster_id))
        paths = up.normalize_upgrade_paths(api.list_upgrade_paths())
        tasks = up.normalize_task_list(api.list_upgrade_tasks(cluster_id))
        workflows = wf.items_of(api.list_workflows(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "read the version, upgrade paths and upgrades of cluster %s" % cluster_id)
    current = info["current_version"] or cluster["version"]
    return {
        "cluster_id": cluster_id,
        "cluster": cluster,
        "current_version": current,
        "platform_version": cluster["platform_version"],
        "offered": info["target_versions"],
        "offered_list": up.collect_allowed_targets(info, paths, current, cluster["platform_version"]),
        "paths": paths,
        "workflow": wf.normalize_workflow(wf.find_open_workflow(workflows)),
        "active_task": up.find_active_upgrade_task(tasks),
    }


def plan_result(state, plan):
    hops = [dict(hop, index=index + 1, steps=list(HOP_STEPS)) for index, hop in enumerate(plan["hops"])]
    return dict(
        cluster_id=state["cluster_id"],
        cluster_name=state["cluster"]["name"],
        current_version=plan["current_version"],
        platform_version=state["platform_version"],
        target_version=plan["target_version"],
        final_version=plan["final_version"],
        hops=hops,
        offered=plan["offered"],
        in_progress=locate_run(plan["hops"], state["workflow"], state["active_task"]),
        msg=describe_plan(plan),
    )


if __name__ == "__main__":
    main()
