#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_autopilot_upgrade_plan
short_description: Postpone an automatic upgrade plan of a CCE Autopilot cluster
version_added: 0.2.0
description:
  - CCE plans the automatic patch upgrades of Autopilot clusters itself (see
    M(hwcloud.cce.cce_autopilot_upgrade_plan_info)). It lets a plan be B(postponed) and nothing else;
    no API cancels a plan or moves it earlier.
  - This module makes sure a plan does not start before O(not_before). A plan that already starts at or
    after that time is left alone (no request). Otherwise the plan's start is moved to O(not_before).
  - CCE accepts a new start only while the plan is V(Pending) and only before the plan's
    C(notBeforeDeadline). The module checks both before it sends anything and fails with the deadline
    in the message.
  - Autopilot clusters only.
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
    details: Only reads, and reports whether the plan would be postponed.
  diff_mode:
    support: full
    details: Shows the plan's C(not_before) and C(not_after) before and after.
options:
  plan_id:
    description:
      - ID of the plan (a UUID), as M(hwcloud.cce.cce_autopilot_upgrade_plan_info) returns it.
      - Omitted means the cluster's next plan (the V(Pending) plan that starts first). When the cluster has
        no Pending plan, nothing is done.
    type: str
  not_before:
    description:
      - The plan must not start before this time.
      - C(YYYY-MM-DD), C(YYYY-MM-DD HH:MM[:SS]) or C(YYYY-MM-DDTHH:MM[:SS]), with C(Z) or an offset such as
        C(+08:00); without one the time is UTC. A date alone means its midnight.
      - Must be earlier than the plan's C(not_before_deadline).
    type: str
    required: true
  cluster_flavor:
    description:
      - Only V(autopilot), since upgrade plans exist only for Autopilot clusters.
    type: str
    choices: [autopilot]
    default: autopilot
seealso:
  - module: hwcloud.cce.cce_autopilot_upgrade_plan_info
  - module: hwcloud.cce.cce_autopilot_maintenance_window
"""

EXAMPLES = r"""
- name: Keep CCE's automatic patch upgrade out of the release week
  hwcloud.cce.cce_autopilot_upgrade_plan:
    cluster_id: "{{ cluster_id }}"
    not_before: "2026-12-14 02:00"

- name: Postpone one plan by id, in local time
  hwcloud.cce.cce_autopilot_upgrade_plan:
    cluster_id: "{{ cluster_id }}"
    plan_id: "{{ plans.next_plan.plan_id }}"
    not_before: "2026-12-14T10:00:00+08:00"
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
plan_id:
  description: ID of the plan acted on; V(null) when the cluster has no Pending plan and O(plan_id) was not given.
  returned: success
  type: str
  sample: 9b1e2c4d-3f5a-4b6c-8d7e-0f1a2b3c4d5e
not_before:
  description: O(not_before) in UTC, as sent to CCE.
  returned: success
  type: str
  sample: "2026-12-14T02:00:00Z"
plan:
  description:
    - The plan after the run (in check mode, as it would be), V(null) when there is none.
    - Same keys as the items of RV(hwcloud.cce.cce_autopilot_upgrade_plan_info#module:plans).
  returned: success
  type: dict
  sample: {plan_id: 9b1e2c4d-3f5a-4b6c-8d7e-0f1a2b3c4d5e, target_version: v1.29.4-r0, phase: Pending,
           not_before: "2026-12-14T02:00:00Z", not_after: "2026-12-14T06:00:00Z",
           not_before_deadline: "2026-12-21T00:00:00Z"}
msg:
  description: What was done, in one line.
  returned: success
  type: str
  sample: upgrade plan 9b1e2c4d-3f5a-4b6c-8d7e-0f1a2b3c4d5e postponed to 2026-12-14T02:00:00Z
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import autopilot_schedule as schedule
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import format_utc, parse_time_input
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id, validate_optional_id


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        plan_id=dict(type="str"),
        not_before=dict(type="str", required=True),
        cluster_flavor=dict(type="str", choices=["autopilot"], default="autopilot"),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True)
    cluster_id, plan_id, not_before = validate_input(module)
    try:
        result = ensure_postponed(module, cluster_id, plan_id, not_before)
    except (CceApiError, ValueError) as err:
        module.fail_from_error(err, "postpone the upgrade plan of Autopilot cluster %s" % cluster_id, cluster_id=cluster_id)
    module.exit(**result)


def validate_input(module):
    params = module.params
    try:
        return (validate_cluster_id(params["cluster_id"]), validate_optional_id(params["plan_id"], "plan_id"),
                parse_time_input(params["not_before"], "not_before"))
    except ValueError as err:
        module.fail(str(err))


def choose_plan(plans, plan_id, cluster_id):
    if plan_id is None:
        return schedule.next_plan(plans)
    plan = schedule.find_plan(plans, plan_id)
    if plan is None:
        raise ValueError("plan_id %s is not a plan of cluster %s; its plans: %s"
                         % (plan_id, cluster_id, ", ".join(p["plan_id"] for p in plans) or "none"))
    return plan


def ensure_postponed(module, cluster_id, plan_id, not_before):
    plans = schedule.normalize_plans(module.api.list_upgrade_plans(cluster_id))
    plan = choose_plan(plans, plan_id, cluster_id)
    wanted = format_utc(not_before)
    if plan is None:
        return dict(changed=False, cluster_id=cluster_id, plan_id=None, not_before=wanted, plan=None,
                    msg="cluster %s has no Pending upgrade plan: nothing to postpone" % cluster_id)
    needed, wanted = schedule.postpone_decision(plan, not_before)
    before = {"not_before": plan["not_before"], "not_after": plan["not_after"]}
    if not needed:
        return dict(changed=False, cluster_id=cluster_id, plan_id=plan["plan_id"], not_before=wanted, plan=plan,
                    diff=dict(before=before, after=before),
                    msg="upgrade plan %s starts at %s, not before %s: nothing to do" % (plan["plan_id"], plan["not_before"], wanted))
    after_plan = schedule.postponed(plan, not_before)
    if not module.check_mode:
        reply = schedule.normalize_plan(module.api.postpone_upgrade_plan(cluster_id, plan["plan_id"], wanted))
        if reply and reply.get("plan_id"):
            after_plan = reply
    return dict(changed=True, cluster_id=cluster_id, plan_id=plan["plan_id"], not_before=wanted, plan=after_plan,
                diff=dict(before=before, after={"not_before": after_plan["not_before"], "not_after": after_plan["not_after"]}),
                msg="upgrade plan %s postponed to %s" % (plan["plan_id"], wanted))


if __name__ == "__main__":
    main()
