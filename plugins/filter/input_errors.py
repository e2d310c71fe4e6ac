# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster_upgrade role's input check: every role variable a module would reject late, judged before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cce_upgrade_input_errors
short_description: Check the values of the cluster_upgrade role's variables before any request
version_added: 0.2.0
author:
  - hwcloud.cce maintainers
description:
  - The first step of the P(hwcloud.cce.cluster_upgrade#role) role, also in check mode. Each bad value gets a sentence
    naming the role variable, what it accepts and what it got; no error gives an empty string.
  - Numbers and booleans may arrive as strings (C(-e name=value)); they are accepted as the role casts them.
  - The maintenance window (C(cce_upgrade_window), C(cce_upgrade_now)) is checked by the P(hwcloud.cce.window_status#filter) filter.
  - C(cce_upgrade_hooks) (known hook points, task files that exist), C(cce_upgrade_addons) (a list, or a mapping of
    target version to a list), C(cce_upgrade_node_pool_order) and C(cce_upgrade_node_order) (the shapes
    M(hwcloud.cce.cce_cluster_upgrade) takes) are checked too.
options:
  _input:
    description: The role variables, name to value; an unset variable has the value O(unset) or is left out.
    type: dict
    required: true
  unset:
    description: The value that stands for an unset variable.
    type: str
    default: (unset)
  playbook_dir:
    description: The playbook's directory, where a relative path of C(cce_upgrade_hooks) is looked for.
    type: path
  role_path:
    description: The role's directory, where a hook named without a path (V(notify_webhook)) is looked for.
    type: path
"""

EXAMPLES = r"""
- name: Check the role variables
  vars:
    names: [cce_upgrade_cluster_id, cce_upgrade_target_version]
    errors: "{{ dict(names | zip(query('ansible.builtin.vars', *names, default='(unset)'))) | hwcloud.cce.cce_upgrade_input_errors }}"
  ansible.builtin.assert:
    that: errors | length == 0
    fail_msg: "{{ errors }}"
"""

RETURN = r"""
_value:
  description: One sentence per bad value, separated by a space; an empty string when every value is good.
  type: str
"""

import json
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import LATEST
from ansible_collections.hwcloud.cce.plugins.filter.upgrade_hooks import hook_errors, option_errors
from ansible_collections.hwcloud.cce.plugins.filter.version import cce_version_valid

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
BOOL_WORDS = ("true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0")
#: name, smallest accepted value, largest accepted value (None: no upper bound)
INTEGER_INPUTS = (
    ("cce_upgrade_user_defined_step", 1, 120),
    ("cce_upgrade_poll_interval", 1, None),
    ("cce_upgrade_progress_interval", 0, None),
    ("cce_upgrade_timeout", 1, None),
    ("cce_upgrade_precheck_timeout", 1, None),
    ("cce_upgrade_snapshot_timeout", 1, None),
    ("cce_upgrade_snapshot_max_age", 0, None),
    ("cce_upgrade_window_min_remaining", 0, None),
)
BOOL_INPUTS = ("cce_upgrade_snapshot", "cce_upgrade_retry_failed", "cce_upgrade_cancel_on_failure",
               "cce_upgrade_pause_at_window_end", "cce_upgrade_preflight")
#: name, accepted values, whether it may be left unset
CHOICE_INPUTS = (
    ("cce_upgrade_cluster_flavor", ("cce", "autopilot"), False),
    ("cce_upgrade_scope", ("Cluster", "NodePool"), True),
)
#: Every variable this filter judges (what the role passes in).
CHECKED_INPUTS = (("cce_upgrade_cluster_id", "cce_upgrade_target_version")
                  + tuple(name for name, _a, _b in CHOICE_INPUTS) + tuple(name for name, _a, _b in INTEGER_INPUTS)
                  + BOOL_INPUTS + ("cce_upgrade_skipped_check_items", "cce_upgrade_report_path", "cce_upgrade_hooks",
                                   "cce_upgrade_addons", "cce_upgrade_node_pool_order", "cce_upgrade_node_order"))


def _shown(value):
    return json.dumps(value, default=to_text)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value):
    if _is_int(value):
        return True
    if isinstance(value, float):
        return value == int(value)
    return isinstance(value, str) and re.match(r"^[0-9]+$", value.strip()) is not None


def _bool_like(value):
    return (isinstance(value, bool) or (_is_int(value) and value in (0, 1))
            or (isinstance(value, str) and value.strip().lower() in BOOL_WORDS))


def input_errors(values, unset="(unset)", playbook_dir=None, role_path=None):
    """See DOCUMENTATION."""
    values = dict(values or {})

    def get(name):
        value = values.get(name)
        return None if value == unset else value

    errors = []
    cluster_id = get("cce_upgrade_cluster_id")
    if not (isinstance(cluster_id, str) and UUID.match(cluster_id.strip())):
        errors.append("cce_upgrade_cluster_id must be a cluster UUID like 6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04 "
                      "(8-4-4-4-12 hex digits), got %s." % _shown(cluster_id))
    target = get("cce_upgrade_target_version")
    if not (isinstance(target, str) and (target.strip().lower() == LATEST or cce_version_valid(target))):
        errors.append("cce_upgrade_target_version must be a CCE version vX.Y, vX.Y.Z or vX.Y.Z-rN (for example v1.30 or "
                      "v1.30.4-r0), or latest (the newest version the upgrade paths reach), got %s." % _shown(target))
    for name, accepted, optional in CHOICE_INPUTS:
        value = get(name)
        if not ((isinstance(value, str) and value in accepted) or (optional and value is None)):
            errors.append("%s must be one of %s, got %s." % (name, ", ".join(accepted), _shown(value)))
    for name, low, high in INTEGER_INPUTS:
        value = get(name)
        if not _whole(value) or int(value) < low or (high is not None and int(value) > high):
            accepted = ("from %d to %d" % (low, high)) if high is not None else ("of at least %d" % low)
            errors.append("%s must be an integer %s, got %s." % (name, accepted, _shown(value)))
    for name in BOOL_INPUTS:
        value = get(name)
        if not _bool_like(value):
            errors.append("%s must be a boolean (true or false; yes/no, on/off, 1/0 are accepted), got %s."
                          % (name, _shown(value)))
    skipped = get("cce_upgrade_skipped_check_items")
    if not isinstance(skipped, (list, tuple)):
        errors.append("cce_upgrade_skipped_check_items must be a list of pre-check items, got %s." % _shown(skipped))
    report = get("cce_upgrade_report_path")
    if not (report is None or (isinstance(report, str) and report.strip())):
        errors.append("cce_upgrade_report_path must be a file path, got %s." % _shown(report))
    errors.extend(hook_errors(get("cce_upgrade_hooks"), playbook_dir=playbook_dir, role_path=role_path))
    errors.extend(option_errors(get("cce_upgrade_addons"), get("cce_upgrade_node_pool_order"), get("cce_upgrade_node_order")))
    return " ".join(errors)


class FilterModule(object):
    """Role input filters."""

    def filters(self):
        return {"cce_upgrade_input_errors": input_errors}
