# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pre-flight verdict of one CCE cluster: ready, risks or blocked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cce_upgrade_preflight
short_description: Judge a CCE cluster ready, at risk or blocked for an upgrade, from the guard and the pre-check
version_added: 0.2.0
author:
  - hwcloud.cce maintainers
description:
  - The decision of the P(hwcloud.cce.cluster_upgrade#role) role's pre-flight run (C(cce_upgrade_preflight=true),
    C(playbooks/preflight.yml)), from the guard's plan (P(hwcloud.cce.cce_upgrade_guard#filter)) and the result of
    M(hwcloud.cce.cce_precheck).
  - V(blocked) when the guard refuses the target (a target CCE does not offer, patch first, a cluster that is not
    Available, another open workflow), when an upgrade task to the target failed (a run stops there), or when the
    pre-check found fatal risks that are not skipped.
  - V(risks) when the pre-check passed with items of level C(Warning) (CCE marks them C(Success); the check ran and
    found a risk), or when check items were skipped (CCE does not check them, so their risk is unknown).
  - V(ready) otherwise, also when the cluster is already at the target or its upgrade is under way.
  - The validity of the pre-check does not matter; a real run reuses it or runs a new one.
options:
  _input:
    description: The plan of P(hwcloud.cce.cce_upgrade_guard#filter).
    type: dict
    required: true
  precheck:
    description: The result of M(hwcloud.cce.cce_precheck) (also a failed one), or V(null) when no pre-check ran.
    type: dict
  target:
    description: The target version, for messages.
    type: str
    default: ""
  skipped:
    description: The skipped check items (names, or dicts with C(name)); each is reported as a risk of level V(Skipped).
    type: list
    elements: raw
    default: []
  retry_name:
    description: How to retry a failed upgrade task, for messages.
    type: str
    default: cce_upgrade_retry_failed
"""

EXAMPLES = r"""
- name: Judge the cluster
  ansible.builtin.set_fact:
    verdict: "{{ plan | hwcloud.cce.cce_upgrade_preflight(precheck_result, target='v1.30') }}"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    verdict:
      description: V(ready), V(risks) or V(blocked).
      type: str
    risks:
      description: Pre-check items of level C(Warning), C(Fatal) items that did not pass, and skipped items (level V(Skipped)).
      type: list
      elements: dict
      contains:
        name:
          description: The check item.
          type: str
        level:
          description: V(Fatal), V(Warning) or V(Skipped).
          type: str
        what:
          description: CCE's hint for the item (and the node it was found on).
          type: str
    blocking:
      description: Names of the items (or the reason) that block the upgrade.
      type: list
      elements: str
    message:
      description: One sentence for the cluster.
      type: str
"""


def _risk(item):
    what = item.get("message") or ""
    node = item.get("node_name") or item.get("node_id")
    if node:
        what = ("%s (node %s)" % (what, node)) if what else "node %s" % node
    return {"name": item.get("name") or "?", "level": item.get("level"), "what": what}


def _is_risk(item):
    """Warning items are risks whatever their phase (CCE marks them Success); Fatal ones when they did not pass."""
    if not isinstance(item, dict):
        return False
    return item.get("level") == "Warning" or (item.get("level") == "Fatal" and item.get("phase") != "Success")


def _risks(precheck, skipped):
    groups = precheck.get("check_items") if isinstance(precheck, dict) else None
    items = []
    if isinstance(groups, dict):
        for key in ("fatal", "warning"):
            items.extend(_risk(item) for item in groups.get(key) or [] if _is_risk(item))
    for entry in skipped or []:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if name:
            items.append({"name": str(name), "level": "Skipped",
                          "what": "skipped at your request (cce_upgrade_skipped_check_items); CCE did not check it"})
    return items


def preflight(plan, precheck=None, target="", skipped=None, retry_name="cce_upgrade_retry_failed"):
    """The verdict for ``plan`` (the guard's) and ``precheck`` (the module's result); see DOCUMENTATION."""
    plan = plan if isinstance(plan, dict) else {}
    name = plan.get("cluster_name") or "the cluster"
    target = target or "the target"
    risks = _risks(precheck, skipped)
    if plan.get("refusal"):
        return {"verdict": "blocked", "risks": [], "blocking": [plan["refusal"]], "message": plan["refusal"]}
    failed_task = plan.get("failed_task")
    if failed_task:
        message = ("Upgrade task %s of %s to %s failed; a run stops there until it is retried (%s=true)."
                   % (failed_task.get("task_id") or "?", name, target, retry_name))
        return {"verdict": "blocked", "risks": risks, "blocking": [message], "message": message}
    if plan.get("plan") != "full":
        message = plan.get("done_message") or "%s: an upgrade to %s is under way (%s); nothing to check." % (
            name, target, plan.get("action") or "attach")
        return {"verdict": "ready", "risks": [], "blocking": [], "message": message}
    if not isinstance(precheck, dict):
        message = "%s: no pre-check result." % name
        return {"verdict": "blocked", "risks": [], "blocking": [message], "message": message}
    if precheck.get("fatal_count"):
        blocking = [item.get("name") or "?" for item in precheck.get("fatal_items") or []]
        blocking = blocking or [risk["name"] for risk in risks if risk["level"] == "Fatal"]
        message = "%s cannot be upgraded to %s: the pre-check found %d fatal risk(s): %s." % (
            name, target, precheck["fatal_count"], ", ".join(blocking))
        return {"verdict": "blocked", "risks": risks, "blocking": blocking, "message": message}
    if risks:
        message = "%s can be upgraded to %s, with %d risk(s): %s." % (
            name, target, len(risks), ", ".join(risk["name"] for risk in risks))
        return {"verdict": "risks", "risks": risks, "blocking": [], "message": message}
    message = "%s is ready for %s: the pre-check (task %s) passed." % (name, target, precheck.get("task_id") or "?")
    return {"verdict": "ready", "risks": [], "blocking": [], "message": message}


class FilterModule(object):
    """Pre-flight filters."""

    def filters(self):
        return {"cce_upgrade_preflight": preflight}
