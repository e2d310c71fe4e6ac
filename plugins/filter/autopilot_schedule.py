# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters on Autopilot's own upgrade schedule (the plans cce_autopilot_upgrade_plan_info returns)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

import datetime

from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import format_utc, parse_time_input, parse_timestamp


def cce_autopilot_plans_between(plans, start, end, name="plans"):
    """The plans CCE may start between ``start`` and ``end``; see the filter's documentation."""
    if isinstance(plans, dict) and "plans" in plans:
        plans = plans["plans"]
    if not isinstance(plans, list) or not all(isinstance(plan, dict) for plan in plans):
        raise AnsibleFilterError("%s: must be the plans of hwcloud.cce.cce_autopilot_upgrade_plan_info (its result or "
                                 "its plans list), got %r" % (name, plans))
    try:
        begin, finish = parse_time_input(str(start), "start"), parse_time_input(str(end), "end")
    except ValueError as err:
        raise AnsibleFilterError(str(err))
    if finish <= begin:
        raise AnsibleFilterError("end %s is not after start %s" % (end, start))
    # Imported here, not at the top: Ansible imports every filter file of the collection in the worker
    # process of each task that calls one of its filters (docs/developing.md, "Test timing").
    from ansible_collections.hwcloud.cce.plugins.module_utils.autopilot_schedule import plans_between
    return plans_between(plans, begin, finish)


def cce_autopilot_server_plan_advice(plans, now, window_state=None, timeout=10800, postpone=False, cluster=""):
    """What a manual run of the role does about CCE's own plans for an Autopilot cluster; see the documentation."""
    try:
        begin = parse_time_input(str(now), "now")
    except ValueError as err:
        raise AnsibleFilterError(str(err))
    closes = parse_timestamp((window_state or {}).get("closes_at")) if (window_state or {}).get("inside") else None
    finish = closes or begin + datetime.timedelta(seconds=int(timeout))
    until = format_utc(finish)
    found = cce_autopilot_plans_between(plans, format_utc(begin), until)
    movable = [plan for plan in found if plan.get("phase") == "Pending"
               and (parse_timestamp(plan.get("not_before_deadline")) is None
                    or finish < parse_timestamp(plan.get("not_before_deadline")))]
    stuck = [plan for plan in found if plan not in movable]
    lines = ["plan %s to %s (may start %s to %s, %s)" % (plan.get("plan_id"), plan.get("target_version"),
                                                         plan.get("not_before"), plan.get("not_after"), plan.get("phase"))
             for plan in found]
    if not found:
        message = ""
    elif postpone:
        message = "Autopilot cluster %s: postponing CCE's own upgrade %s to %s, after this run: %s.%s" % (
            cluster, "plan" if len(movable) == 1 else "plans", until, "; ".join(lines),
            (" %d cannot be postponed (already started, or %s is past its not_before_deadline)" % (len(stuck), until))
            if stuck else "")
    else:
        message = ("Autopilot cluster %s: CCE may start its own upgrade during this run (until %s): %s. Set "
                   "cce_upgrade_postpone_server_plan: true to postpone it past the run, or move it with "
                   "hwcloud.cce.cce_autopilot_upgrade_plan." % (cluster, until, "; ".join(lines)))
    return {"plans": found, "postpone": movable if postpone else [], "until": until, "message": message}


class FilterModule(object):
    """Autopilot schedule filters."""

    def filters(self):
        return {"cce_autopilot_plans_between": cce_autopilot_plans_between,
                "cce_autopilot_server_plan_advice": cce_autopilot_server_plan_advice}
