#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_autopilot_upgrade_plan_info
short_description: List the automatic upgrade plans of a CCE Autopilot cluster
version_added: 0.2.0
description:
  - Every Monday CCE plans the automatic patch upgrade of an Autopilot cluster that has a maintenance
    window (M(hwcloud.cce.cce_autopilot_maintenance_window)) and is not on the latest patch of its minor,
    for the following week. This module lists those plans, earliest first, and names the next one to run.
  - Plan times are UTC, as CCE gives them. Phases are V(Pending), V(Enqueued), V(Upgrading), V(Success),
    V(Failed) and V(Skipped).
  - Autopilot clusters only. Never changes anything.
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
    details: The module only reads, so it runs normally in check mode.
  diff_mode:
    support: N/A
    details: The module changes nothing.
options:
  plan_id:
    description:
      - Return only this plan in RV(plan) (a UUID). The module fails when the cluster has no such plan.
    type: str
  cluster_flavor:
    description:
      - Only V(autopilot), since upgrade plans exist only for Autopilot clusters.
    type: str
    choices: [autopilot]
    default: autopilot
seealso:
  - module: hwcloud.cce.cce_autopilot_upgrade_plan
  - module: hwcloud.cce.cce_autopilot_maintenance_window
"""

EXAMPLES = r"""
- name: Read CCE's automatic upgrade plans
  hwcloud.cce.cce_autopilot_upgrade_plan_info:
    cluster_id: "{{ cluster_id }}"
  register: plans

- name: Say when CCE will patch the cluster
  ansible.builtin.debug:
    msg: "CCE upgrades to {{ plans.next_plan.target_version }} from {{ plans.next_plan.not_before }}"
  when: plans.next_plan is not none
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
plans:
  description: All plans of the cluster, the earliest RV(plans[].not_before) first.
  returned: success
  type: list
  elements: dict
  contains: &plan
    plan_id:
      description: ID of the plan (the C(upgrade_plan_id) of CCE's API).
      type: str
      sample: 9b1e2c4d-3f5a-4b6c-8d7e-0f1a2b3c4d5e
    cluster_id:
      description: ID of the cluster.
      type: str
    cluster_version:
      description: The cluster's version when the plan was made.
      type: str
      sample: v1.29.2-r0
    target_version:
      description: The patch version CCE upgrades to.
      type: str
      sample: v1.29.4-r0
    not_before:
      description: Earliest start of the upgrade (UTC).
      type: str
      sample: "2026-12-09T02:00:00Z"
    not_after:
      description: Latest start of the upgrade (UTC).
      type: str
      sample: "2026-12-09T06:00:00Z"
    not_before_deadline:
      description: The latest time RV(plans[].not_before) can be postponed to (exclusive, UTC).
      type: str
      sample: "2026-12-21T00:00:00Z"
    phase:
      description: V(Pending), V(Enqueued), V(Upgrading), V(Success), V(Failed) or V(Skipped).
      type: str
      sample: Pending
    creation_timestamp:
      description: When CCE made the plan.
      type: str
next_plan:
  description: The Pending plan with the earliest RV(plans[].not_before), or V(null).
  returned: success
  type: dict
  contains: *plan
plan:
  description: The plan named by O(plan_id); V(null) without O(plan_id).
  returned: success
  type: dict
  contains: *plan
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import autopilot_schedule as schedule
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id, validate_optional_id


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        plan_id=dict(type="str"),
        cluster_flavor=dict(type="str", choices=["autopilot"], default="autopilot"),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True)
    cluster_id, plan_id = validate_input(module)
    try:
        plans = schedule.normalize_plans(module.api.list_upgrade_plans(cluster_id))
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade plans of Autopilot cluster %s" % cluster_id, cluster_id=cluster_id)
    plan = schedule.find_plan(plans, plan_id) if plan_id else None
    if plan_id and plan is None:
        module.fail("upgrade plan %s is not a plan of cluster %s; its plans: %s"
                    % (plan_id, cluster_id, ", ".join(p["plan_id"] for p in plans) or "none"), cluster_id=cluster_id)
    module.exit(changed=False, cluster_id=cluster_id, plans=plans, next_plan=schedule.next_plan(plans), plan=plan)


def validate_input(module):
    try:
        return (validate_cluster_id(module.params["cluster_id"]),
                validate_optional_id(module.params["plan_id"], "plan_id"))
    except ValueError as err:
        module.fail(str(err))


if __name__ == "__main__":
    main()
