# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters on Autopilot's own upgrade schedule (the plans cce_autopilot_upgrade_plan_info returns)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.cce.plugins.module_utils.autopilot_schedule import plans_between
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import parse_time_input


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
    return plans_between(plans, begin, finish)


class FilterModule(object):
    """Autopilot schedule filters."""

    def filters(self):
        return {"cce_autopilot_plans_between": cce_autopilot_plans_between}
