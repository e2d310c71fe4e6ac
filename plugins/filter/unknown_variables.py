# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Misspelled and misplaced variables of the collection's role and playbooks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: unknown_variables
short_description: Name the variables a role or playbook does not know, with the closest known name
version_added: 0.1.0
author:
  - hwcloud.cce maintainers
description:
  - >-
    Takes the names of the variables defined for a host (for example
    C(query('ansible.builtin.varnames', '.+'))) and returns one message for every name that starts
    with one of O(prefixes) but is not a known variable, naming the closest known variable
    (C(cce_upgrade_windows: unknown variable; did you mean cce_upgrade_window?)). An empty list means
    every name is known.
  - >-
    Also returns a message for module option names given as variables (C(skipped_check_items),
    C(user_defined_step), C(wait_timeout)): the role does not read them; the message names the role
    variable to use instead, with the C(-e) form that works.
  - >-
    The names the collection publishes with C(ansible.builtin.set_stats) (C(cce_upgrade_results),
    C(cce_fleet_summary), C(cce_fleet_summary_job_<AWX job ID>)) are always accepted: AWX passes the
    artifacts of a workflow node to the following nodes as extra variables.
  - >-
    With O(role), the known names are the options in the role's C(meta/argument_specs.yml) (one
    source for the documentation, the argument check and this check), added to O(known). The names
    the role sets itself are accepted too: its C(vars/main.yml) always, and the facts and registered
    results of its tasks when O(role_ran) is true (they remain after an earlier run on the same host).
options:
  _input:
    description: Names of the variables defined for the host.
    type: list
    elements: str
    required: true
  known:
    description: Names that are known besides those of O(role) (for example a playbook's own variables).
    type: list
    elements: str
    default: []
  internal:
    description: Names the caller sets itself; accepted, never suggested.
    type: list
    elements: str
    default: []
  prefixes:
    description: Only names with one of these prefixes are checked.
    type: list
    elements: str
    default: [cce_upgrade_, cce_fleet_]
  role:
    description: Name of a role of this collection (for example V(cluster_upgrade)) whose variables are known.
    type: str
  role_ran:
    description: Whether the role already ran on this host, so its own facts and registered results may be defined.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Fail on a misspelled role variable before anything is sent
  vars:
    unknown: "{{ query('ansible.builtin.varnames', '.+') | hwcloud.cce.unknown_variables(role='cluster_upgrade') }}"
  ansible.builtin.assert:
    that: unknown | length == 0
    fail_msg: "{{ unknown | join(' ') }}"
    quiet: true
"""

RETURN = r"""
_value:
  description: One message per unknown or misplaced variable, sorted by name; empty when every name is known.
  type: list
  elements: str
"""

import difflib
import json
import os
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

import yaml

# Module options that newcomers pass to the role (the modules' own messages name them):
# option -> (role variable, an example value for the -e JSON form).
MODULE_OPTIONS = {
    "skipped_check_items": ("cce_upgrade_skipped_check_items", ["<check item>"]),
    "user_defined_step": ("cce_upgrade_user_defined_step", 20),
    "wait_timeout": ("cce_upgrade_timeout", 10800),
}
# The artifacts the role and the fleet playbook publish with set_stats. In an AWX workflow they reach
# every later node as extra variables (a rollout after a canary run), so they are never misspellings.
PUBLISHED_VARIABLES = ("cce_upgrade_results", "cce_fleet_summary")
PUBLISHED_PATTERN = re.compile(r"^cce_fleet_summary_job_[0-9]+$")
ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
SET_FACT_KEYS = ("ansible.builtin.set_fact", "set_fact")


def _load_yaml(path):
    with open(path, "rb") as handle:
        return yaml.safe_load(handle) or {}


def _names_set_in(data, found):
    """Collect the set_fact keys and register names of a task file (any nesting of blocks)."""
    if isinstance(data, list):
        for item in data:
            _names_set_in(item, found)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in SET_FACT_KEYS and isinstance(value, dict):
                found.update(value)
            elif key == "register" and isinstance(value, str):
                found.add(value)
            elif isinstance(value, (list, dict)):
                _names_set_in(value, found)
    return found


def role_variables(role, roles_dir=ROLES_DIR):
    """(documented options, role vars, names the role's tasks set) of a role of this collection."""
    path = os.path.join(roles_dir, role)
    specs = os.path.join(path, "meta", "argument_specs.yml")
    if not os.path.isfile(specs):
        raise AnsibleFilterError("unknown_variables: no role %s with meta/argument_specs.yml in %s" % (role, roles_dir))
    documented = set()
    for entry in (_load_yaml(specs).get("argument_specs") or {}).values():
        documented.update((entry or {}).get("options") or {})
    role_vars = set()
    vars_file = os.path.join(path, "vars", "main.yml")
    if os.path.isfile(vars_file):
        role_vars.update(_load_yaml(vars_file))
    set_by_tasks = set()
    tasks_dir = os.path.join(path, "tasks")
    for name in sorted(os.listdir(tasks_dir)) if os.path.isdir(tasks_dir) else []:
        if name.endswith((".yml", ".yaml")):
            _names_set_in(_load_yaml(os.path.join(tasks_dir, name)), set_by_tasks)
    return documented, role_vars, set_by_tasks


def _closest(name, candidates, prefixes):
    """The candidate closest to ``name``, comparing what follows the shared prefix (so that the prefix
    alone does not make two names look alike); None when none is close."""
    def rest(item):
        for prefix in prefixes:
            if item.startswith(prefix):
                return prefix, item[len(prefix):]
        return "", item
    prefix, tail = rest(name)
    by_tail = dict((rest(item)[1], item) for item in sorted(candidates) if rest(item)[0] == prefix)
    matches = difflib.get_close_matches(tail, sorted(by_tail), n=1, cutoff=0.5)
    return by_tail[matches[0]] if matches else None


def unknown_variables(names, known=None, internal=None, prefixes=None, role=None, role_ran=False):
    if not isinstance(names, (list, tuple, set)):
        raise AnsibleFilterError("unknown_variables: the input must be a list of variable names")
    prefixes = tuple(prefixes or ("cce_upgrade_", "cce_fleet_"))
    documented = set(to_text(name) for name in (known or []))
    accepted = set(to_text(name) for name in (internal or []))
    if role:
        options, role_vars, set_by_tasks = role_variables(role)
        documented.update(options)
        accepted.update(role_vars)
        if role_ran:
            accepted.update(set_by_tasks)
    accepted.update(documented)
    messages = []
    for name in sorted(set(to_text(item) for item in names)):
        if name in MODULE_OPTIONS:
            variable, example = MODULE_OPTIONS[name]
            if variable in documented:
                messages.append("%s is an option of the modules; the role does not read it. Use the role variable %s, "
                                "for example -e '%s'." % (name, variable, json.dumps({variable: example})))
            continue
        if not name.startswith(prefixes) or name in accepted or name in PUBLISHED_VARIABLES or PUBLISHED_PATTERN.match(name):
            continue
        suggestion = _closest(name, documented, prefixes)
        if suggestion:
            messages.append("%s is not a known variable; did you mean %s?" % (name, suggestion))
        else:
            messages.append("%s is not a known variable (ansible-doc -t role hwcloud.cce.cluster_upgrade lists the "
                            "role's variables)." % name)
    return messages


class FilterModule(object):
    def filters(self):
        return {"unknown_variables": unknown_variables}
