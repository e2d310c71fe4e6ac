#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_autopilot_maintenance_window
short_description: Set or remove the automatic-upgrade maintenance window of a CCE Autopilot cluster
version_added: 0.2.0
description:
  - CCE upgrades Autopilot clusters to the latest patch of their minor by itself, inside a server-side
    maintenance window, on plans it generates every Monday for the following week (see
    M(hwcloud.cce.cce_autopilot_upgrade_plan_info)). This module sets that window (O(state=present)) or
    removes it (O(state=absent)).
  - The window is weekly, in UTC, starts on a whole hour and lasts whole hours. CCE upgrades only patch
    versions this way; minor upgrades stay with M(hwcloud.cce.cce_cluster_upgrade) and the
    P(hwcloud.cce.cluster_upgrade#role) role.
  - Idempotent. The window is read first; nothing is written when it already matches.
  - Autopilot clusters only. Standard and Turbo clusters have no such API.
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
    details: Only reads, and reports what would change.
  diff_mode:
    support: full
    details: Shows the window before and after.
options:
  state:
    description:
      - V(present) sets the window (creates it, or replaces a different one); V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  weekdays:
    description:
      - Days on which the window opens (UTC), full English names or their first three letters, any case.
      - Required with O(state=present).
    type: list
    elements: str
  start_time:
    description:
      - Opening time in UTC, a whole hour C(HH:00) (V(00:00) to V(23:00)). Quote it in YAML.
      - Required with O(state=present).
    type: str
  duration_hours:
    description:
      - Length of the window in whole hours, 1 to 24.
      - Required with O(state=present).
    type: int
  cluster_flavor:
    description:
      - Only V(autopilot), since maintenance windows exist only for Autopilot clusters.
    type: str
    choices: [autopilot]
    default: autopilot
seealso:
  - module: hwcloud.cce.cce_autopilot_upgrade_plan_info
  - module: hwcloud.cce.cce_autopilot_upgrade_plan
"""

EXAMPLES = r"""
- name: Let CCE patch the Autopilot cluster on weekend nights (02:00-06:00 UTC)
  hwcloud.cce.cce_autopilot_maintenance_window:
    cluster_id: "{{ cluster_id }}"
    weekdays: [Saturday, Sunday]
    start_time: "02:00"
    duration_hours: 4

- name: Stop CCE from planning automatic patch upgrades
  hwcloud.cce.cce_autopilot_maintenance_window:
    cluster_id: "{{ cluster_id }}"
    state: absent
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 4f1d0a36-8a52-11ee-a8b5-0255ac100b03
window:
  description: The maintenance window after the run (V(null) when the cluster has none).
  returned: success
  type: dict
  contains:
    weekdays:
      description: Days on which the window opens, Monday first.
      type: list
      elements: str
      sample: [Saturday, Sunday]
    start_time:
      description: Opening time, UTC.
      type: str
      sample: "02:00"
    duration_hours:
      description: Length of the window in hours.
      type: int
      sample: 4
    upgrade_scope:
      description: What CCE upgrades in the window (V(patch)), as CCE reports it.
      type: str
      sample: patch
previous_window:
  description: The maintenance window before the run (V(null) when there was none).
  returned: success
  type: dict
  sample: null
"""

from ansible_collections.hwcloud.cce.plugins.module_utils import autopilot_schedule as schedule
from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        weekdays=dict(type="list", elements="str"),
        start_time=dict(type="str"),
        duration_hours=dict(type="int"),
        cluster_flavor=dict(type="str", choices=["autopilot"], default="autopilot"),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True,
                       required_if=[("state", "present", ("weekdays", "start_time", "duration_hours"))])
    desired = validate_input(module)
    cluster_id = module.params["cluster_id"].strip()
    try:
        result = ensure_window(module, cluster_id, desired)
    except CceApiError as err:
        module.fail_from_error(err, "set the maintenance window of Autopilot cluster %s" % cluster_id, cluster_id=cluster_id)
    module.exit(**result)


def validate_input(module):
    """The desired window (None for state absent); fails naming the option before any request."""
    params = module.params
    try:
        validate_cluster_id(params["cluster_id"])
        if params["state"] == "absent":
            return None
        return schedule.validate_window(params["weekdays"], params["start_time"], params["duration_hours"])
    except ValueError as err:
        module.fail(str(err))


def ensure_window(module, cluster_id, desired):
    current = schedule.read_window(module.api, cluster_id)
    after = current
    changed = False
    if desired is None and current is not None:
        changed, after = True, None
        if not module.check_mode:
            module.api.delete_maintenance_window(cluster_id)
    elif desired is not None and schedule.window_differs(current, desired):
        changed = True
        after = dict(desired, upgrade_scope=(current or {}).get("upgrade_scope"))
        if not module.check_mode:
            body = schedule.window_body(desired)
            written = (module.api.create_maintenance_window(cluster_id, body) if current is None
                       else module.api.update_maintenance_window(cluster_id, body))
            after = schedule.normalize_window(written) or after
    return dict(changed=changed, cluster_id=cluster_id, window=after, previous_window=current,
                diff=dict(before=current or {}, after=after or {}))


if __name__ == "__main__":
    main()
