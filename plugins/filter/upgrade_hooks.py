# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster_upgrade role's lifecycle hooks (cce_upgrade_hooks) and per-hop upgrade options.

Hooks: which task file a hook point names (and whether it exists), the facts a hook gets
(cce_upgrade_hook), what a failed hook does to the run, and the webhook bodies of the shipped
notify_webhook hook. Per-hop options: the add-ons of one hop (cce_upgrade_addons: a list for every
hop, or a mapping keyed by target version), and the checks of the add-on and node order variables,
whose rules are module_utils/upgrade.py's (the module builds the same request body from them).
The role only executes. Documentation: one YAML file per filter next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import hop_label
from ansible_collections.hwcloud.cce.plugins.module_utils.version import matches, version_or_none

#: The hook points, in the order a run meets them.
HOOK_POINTS = ("before_hop", "after_hop", "on_failure", "after_run")
#: Points whose failure stops the run (a failed hook of the run's end never hides the run's outcome).
HOP_POINTS = ("before_hop", "after_hop")
#: Where the role's own hooks live (a hook named without a path, such as notify_webhook).
SHIPPED_HOOKS_DIR = os.path.join("tasks", "hooks")
ID_KEYS = ("workflow_id", "precheck_task_id", "snapshot_task_id", "task_id")
RUN_KEYS = ("outcome", "message", "from_version", "to_version", "final_version", "target_version", "failed_step",
            "next_action", "duration")
HOP_RECORD_KEYS = ("index", "from", "to", "kind", "outcome", "failed_step") + ID_KEYS
WEBHOOK_FORMATS = ("json", "slack", "teams", "awx")


def _shown(value):
    return json.dumps(value, default=to_text)


def _is_shipped_name(value):
    return "/" not in value and os.sep not in value and not value.endswith((".yml", ".yaml"))


def _shipped_hooks(role_path):
    folder = os.path.join(role_path or "", SHIPPED_HOOKS_DIR)
    if not role_path or not os.path.isdir(folder):
        return []
    return sorted(name[:-4] for name in os.listdir(folder) if name.endswith(".yml"))


def _resolve(value, playbook_dir, role_path):
    """The absolute path of a hook's task file (it may not exist)."""
    value = os.path.expanduser(value.strip())
    if _is_shipped_name(value):
        return os.path.join(role_path or "", SHIPPED_HOOKS_DIR, value + ".yml")
    if os.path.isabs(value):
        return value
    # the playbook's directory first (a playbook of the collection's, hwcloud.cce.upgrade, has it inside the
    # collection), then the directory ansible-playbook was started in (an AWX job's project directory)
    candidates = [os.path.normpath(os.path.join(folder, value)) for folder in (playbook_dir, os.getcwd()) if folder]
    return next((path for path in candidates if os.path.isfile(path)), candidates[0])


def hook_errors(hooks, playbook_dir=None, role_path=None, name="cce_upgrade_hooks"):
    """One sentence per bad entry of ``hooks``, naming ``name.<point>``; an empty list when all are good."""
    if hooks is None or hooks == {}:
        return []
    if not isinstance(hooks, dict):
        return ["%s must be a dict of hook point (%s) to the path of a task file, got %s."
                % (name, ", ".join(HOOK_POINTS), _shown(hooks))]
    errors = []
    for point in sorted(hooks, key=to_text):
        value = hooks[point]
        where = "%s.%s" % (name, point)
        if point not in HOOK_POINTS:
            errors.append("%s is not a hook point; the points are %s." % (where, ", ".join(HOOK_POINTS)))
            continue
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            errors.append("%s must be the path of a task file (or the name of a hook shipped with the role: %s), got %s."
                          % (where, ", ".join(_shipped_hooks(role_path)) or "none", _shown(value)))
            continue
        path = _resolve(value, playbook_dir, role_path)
        if os.path.isfile(path):
            continue
        if _is_shipped_name(value.strip()):
            errors.append("%s: %s is not a hook shipped with the role (shipped: %s); give the path of a task file instead."
                          % (where, _shown(value), ", ".join(_shipped_hooks(role_path)) or "none"))
        else:
            errors.append("%s: no task file at %s (a relative path is looked for in the playbook's directory, then in the current directory)."
                          % (where, path))
    return errors


def hook_files(hooks, playbook_dir=None, role_path=None):
    """``{point: absolute path}`` of the hooks set in ``hooks`` (points left unset or null are left out)."""
    if not isinstance(hooks, dict):
        return {}
    return dict((point, _resolve(value, playbook_dir, role_path)) for point, value in hooks.items()
                if point in HOOK_POINTS and isinstance(value, str) and value.strip())


def _hop_facts(hop, count):
    hop = hop or {}
    return {"index": hop.get("index"), "total": count, "from": hop.get("from"), "to": hop.get("to"),
            "kind": hop.get("kind")}


def _record_of(results, index):
    for record in reversed(results or []):
        if isinstance(record, dict) and record.get("index") == index:
            return record
    return None


def _event_message(point, cluster, hop_facts, count, outcome, run):
    name = cluster.get("name") or cluster.get("id") or "the cluster"
    if point in HOP_POINTS:
        hop = {"index": hop_facts["index"], "from": hop_facts["from"], "to": hop_facts["to"]}
        label = hop_label(hop, count) if count > 1 else "%s -> %s" % (hop["from"], hop["to"])
        if point == "before_hop":
            return "%s: starting %s" % (name, label if count > 1 else "the upgrade " + label)
        return "%s: %s %s" % (name, label if count > 1 else "upgrade " + label, outcome)
    message = " ".join(str((run or {}).get("message") or "").split())
    if point == "on_failure":
        return "%s: the upgrade run failed (%s): %s" % (name, outcome, message)
    return "%s: the upgrade run ended, outcome %s: %s" % (name, outcome, message)


def hook_event(route, point, hop=None, results=None, cluster_id=None, cluster_name=None, flavor=None, target=None,
               ids=None, run=None):
    """The facts a hook gets (``cce_upgrade_hook``), see cce_upgrade_hook_event.yml."""
    if point not in HOOK_POINTS:
        raise ValueError("cce_upgrade_hook_event: point must be one of %s, got %r" % (", ".join(HOOK_POINTS), point))
    route = route or {}
    count = route.get("count") or len(route.get("hops") or [])
    cluster = {"id": cluster_id, "name": cluster_name or cluster_id, "flavor": flavor}
    hop_facts = _hop_facts(hop, count)
    ids = dict((key, (ids or {}).get(key) or None) for key in ID_KEYS)
    step = None
    run_facts = None
    if point == "before_hop":
        outcome = "starting"
        step = (hop or {}).get("step") or "workflow"
        if (hop or {}).get("index", 1) != 1:
            # a later hop's ids come from its own guard, which has not run yet
            ids = dict((key, None) for key in ID_KEYS)
    elif point == "after_hop":
        record = _record_of(results, hop_facts["index"]) or {}
        outcome = record.get("outcome") or "upgraded"
        step = "verify" if outcome == "upgraded" else "wait"
        ids = dict((key, record.get(key) or ids.get(key)) for key in ID_KEYS)
    else:
        run = run or {}
        outcome = run.get("outcome")
        step = run.get("failed_step")
        ids = dict((key, run.get(key) or None) for key in ID_KEYS)
        run_facts = dict((key, run.get(key)) for key in RUN_KEYS)
        run_facts["hops"] = [dict((key, item.get(key)) for key in HOP_RECORD_KEYS)
                             for item in run.get("hops") or [] if isinstance(item, dict)]
        if not hop:
            hop_facts = _hop_facts(None, count)
    event = {"event": point, "cluster": cluster, "target_version": target, "step": step, "outcome": outcome,
             "ids": ids, "run": run_facts}
    event.update(hop_facts)
    event["message"] = _event_message(point, cluster, hop_facts, count, outcome, run_facts)
    return event


def hook_failure(failed, event, path, outcome=None, message="", failed_step=None, target=None, task=None):
    """What a failed hook does to the run: ``{outcome, message, failed_step, errors}``.

    A failed before_hop or after_hop hook ends the run as failed, with a message naming the hook, where the
    cluster stands and what the next run does; the hop's own record is left as it is (an upgraded hop
    stays upgraded). A failed on_failure or after_run hook leaves the outcome and message alone (the
    run's own failure is never hidden) and adds one sentence to ``errors``; the role then fails naming it.
    """
    failed = failed if isinstance(failed, dict) else {}
    event = event or {}
    point = event.get("event")
    reason = " ".join(str(failed.get("msg") or "unknown error").split())
    task = task or ""
    hook = "the %s hook (%s)" % (point, path)
    if point not in HOP_POINTS:
        error = "Also, %s failed%s: %s" % (hook, (" in task %s" % task) if task else "", reason)
        return {"outcome": outcome, "message": message, "failed_step": failed_step, "errors": [error]}
    cluster = event.get("cluster") or {}
    name = cluster.get("name") or cluster.get("id") or "the cluster"
    count = event.get("total") or 1
    hop = {"index": event.get("index"), "from": event.get("from"), "to": event.get("to")}
    label = hop_label(hop, count) if count > 1 and hop["index"] else "%s -> %s" % (hop["from"], hop["to"])
    text = "Upgrade of %s to %s stopped: %s failed %s %s: %s." % (
        name, target or event.get("target_version"), hook, "before" if point == "before_hop" else "after", label,
        reason.rstrip("."))
    if point == "before_hop":
        text += (" The role did nothing in this hop; the cluster stays at %s (an upgrade task CCE already runs goes on), "
                 "and the next run continues from there." % hop["from"])
    elif event.get("outcome") == "paused":
        text += " The hop's upgrade task is paused; the next run inside a window resumes it."
    elif hop["index"] and hop["index"] < count:
        text += (" The hop itself finished: the cluster is at %s; the next run continues with hop %d."
                 % (hop["to"], hop["index"] + 1))
    else:
        text += " The upgrade itself finished: the cluster is at %s." % hop["to"]
    return {"outcome": "failed", "message": text, "failed_step": "%s hook" % point, "errors": []}


def _teams_card(event):
    facts = [{"title": "Cluster", "value": "%s (%s)" % (event["cluster"].get("name"), event["cluster"].get("id"))},
             {"title": "Event", "value": event["event"]},
             {"title": "Outcome", "value": str(event.get("outcome"))}]
    if event.get("index"):
        hop = "%s of %s: %s -> %s" % (event["index"], event.get("total"), event.get("from"), event.get("to"))
        facts.append({"title": "Hop", "value": hop})
    for key in ID_KEYS:
        if event["ids"].get(key):
            facts.append({"title": key, "value": event["ids"][key]})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": event["message"], "wrap": True, "weight": "Bolder"},
                     {"type": "FactSet", "facts": facts}]}
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def hook_payload(event, style="json"):
    """The JSON body the notify_webhook hook posts for ``event`` (cce_upgrade_hook), in ``style``."""
    if style not in WEBHOOK_FORMATS:
        raise ValueError("cce_notify_webhook_format must be one of %s, got %r" % (", ".join(WEBHOOK_FORMATS), style))
    event = dict(event or {})
    event.setdefault("cluster", {})
    event.setdefault("ids", {})
    event["message"] = event.get("message") or ""
    if style == "slack":
        return {"text": event["message"]}
    if style == "teams":
        return _teams_card(event)
    if style == "awx":
        return {"extra_vars": {"cce_upgrade_event": event}}
    return dict(event, text=event["message"])


# --------------------------------------------------------------------------- add-ons and node order

def _upgrade_request():
    """module_utils.upgrade (the upgrade request's builders), imported on the first call: Ansible imports every
    filter file of the collection in the worker process of each task that calls one of its filters."""
    from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade
    return upgrade


def _renamed(err, option, variable):
    text = str(err)
    return variable + text[len(option):] if text.startswith(option) else "%s: %s" % (variable, text)


def _addon_list_errors(addons, where):
    if not isinstance(addons, list):
        return ["%s must be a list of add-ons ({name, version, values}), got %s." % (where, _shown(addons))]
    try:
        _upgrade_request().build_addons(addons)
    except ValueError as err:
        return [_renamed(err, "addons", where) + " (each add-on: name, version, and optionally values, a dict)."]
    return []


def option_errors(addons=None, node_pool_order=None, node_order=None):
    """One sentence per bad value of cce_upgrade_addons, cce_upgrade_node_pool_order, cce_upgrade_node_order."""
    errors = []
    if isinstance(addons, dict):
        for key in sorted(addons, key=to_text):
            where = "cce_upgrade_addons[%s]" % key
            if not isinstance(key, str) or version_or_none(key) is None:
                errors.append("%s: a key of cce_upgrade_addons must be a target version (vX.Y, vX.Y.Z or vX.Y.Z-rN), "
                              "got %s." % (where, _shown(key)))
                continue
            errors.extend(_addon_list_errors(addons[key], where))
    elif addons is not None:
        found = _addon_list_errors(addons, "cce_upgrade_addons")
        if found and not isinstance(addons, list):
            found = ["cce_upgrade_addons must be a list of add-ons ({name, version, values}) for every hop, or a mapping "
                     "of target version (for example v1.29) to such a list, got %s." % _shown(addons)]
        errors.extend(found)
    upgrade = _upgrade_request()
    for value, option, variable, builder in (
            (node_pool_order, "node_pool_order", "cce_upgrade_node_pool_order", upgrade.build_node_pool_order),
            (node_order, "node_order", "cce_upgrade_node_order", upgrade.build_node_order)):
        if value is None:
            continue
        try:
            builder(value)
        except ValueError as err:
            errors.append(_renamed(err, option, variable) + ".")
    return errors


def hop_addons(addons, target):
    """The add-ons of the hop to ``target``: a list applies to every hop; a mapping gives the list of the
    most precise key ``target`` matches (v1.29.4-r0 before v1.29), or ``[]`` when none does."""
    if isinstance(addons, list):
        return addons
    if not isinstance(addons, dict) or not target:
        return []
    best, best_parts = [], -1
    for key, value in addons.items():
        version = version_or_none(key) if isinstance(key, str) else None
        if version is None or not matches(key, target):
            continue
        parts = sum(1 for part in (version.patch, version.revision) if part is not None)
        if parts > best_parts:
            best, best_parts = value or [], parts
    return best


class FilterModule(object):
    """Lifecycle hooks and per-hop options of the cluster_upgrade role."""

    def filters(self):
        return {
            "cce_upgrade_hook_files": hook_files,
            "cce_upgrade_hook_event": hook_event,
            "cce_upgrade_hook_failure": hook_failure,
            "cce_upgrade_hook_payload": hook_payload,
            "cce_upgrade_hop_addons": hop_addons,
        }
