# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster_upgrade role's hop-by-hop decisions: the route, the window gate before a hop, the
hop records of the report, the check-mode plan and the failure's hop context.

The plan itself is module_utils/upgrade_plan.py's (also behind the cce_upgrade_plan module); these
filters only shape it for the role, which executes. Documentation: one YAML file per filter next to
this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import re
from shlex import quote as shlex_quote

from ansible_collections.hwcloud.cce.plugins.filter.version import current_version
from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import (
    PlanError,
    hop_label,
    plan_route,
    steps_of,
)

#: Keys of a hop record in the report (besides the hop's own from, to, kind, index).
RECORD_KEYS = ("workflow_id", "precheck_task_id", "snapshot_task_id", "task_id", "durations", "outcome", "failed_step")


def _route_line(route):
    hops = route["hops"]
    if not hops:
        return "%s is already at %s: nothing to upgrade" % (route["current_version"], route["target_version"])
    steps = ", ".join("%s (%s%s)" % (hop["to"], hop["kind"], "" if hop["state"] == "planned" else ", " + hop["state"].replace("_", " "))
                      for hop in hops)
    return "%s -> %s in %d hop%s: %s" % (route["current_version"], route["final_version"], len(hops),
                                         "" if len(hops) == 1 else "s", steps)


def upgrade_route(info, workflows, target, target_name="target_version"):
    """The hops of a run, from the guard's reads; ``refusal`` when no path leads to ``target``."""
    info = info or {}
    workflows = workflows or {}
    target = str(target or "").strip()
    current = current_version(info)
    name = info.get("cluster_name") or info.get("cluster_id") or "the cluster"
    try:
        route = plan_route(current, target, info.get("platform_version"), info.get("target_versions"),
                           info.get("upgrade_paths"), workflows.get("open_workflow"), info.get("active_task"))
    except (PlanError, ValueError) as err:
        text = str(err)
        if text.startswith("target_version"):
            text = target_name + text[len("target_version"):]
        return {"current_version": current, "target_version": target, "final_version": None, "hops": [],
                "count": 0, "offered": info.get("target_versions") or [], "message": "",
                "refusal": "Cluster %s: %s" % (name, text)}
    route.update(count=len(route["hops"]), refusal=None)
    route["message"] = _route_line(route)
    return route


def _whole_minutes(value):
    """Minutes as the role shows them: rounded half up (Jinja's round), never negative."""
    return int(math.floor(max(float(value or 0), 0.0) + 0.5))


def window_gate(window_state, min_remaining, preflight=False):
    """Whether the run may start its work now, from the window's state (None: no window).

    ``{"proceed", "outcome" (None, outside_window or window_too_short), "next_window", "message", "line"}``:
    ``message`` is what the run reports when it does not start, ``line`` what it shows either way. A pre-flight
    writes no upgrade, so it proceeds whatever the window says.
    """
    if not window_state:
        return {"proceed": True, "outcome": None, "next_window": None, "message": "", "line": ""}
    inside = bool(window_state.get("inside"))
    next_window = window_state.get("next_open") if inside else window_state.get("opens_at")
    remaining = float(window_state.get("remaining_minutes") or 0)
    outcome = None
    message = ""
    if preflight:  # a pre-flight writes no upgrade: it runs whatever the window says
        pass
    elif not inside:
        outcome = "outside_window"
        message = ("Outside the maintenance window (now %s): nothing done. The next window opens at %s."
                   % (window_state.get("now"), next_window))
    elif remaining < float(min_remaining or 0):
        outcome = "window_too_short"
        message = ("Only %d minutes left in the maintenance window (at least %s needed, "
                   "cce_upgrade_window_min_remaining): not starting. The next window opens at %s."
                   % (_whole_minutes(remaining), min_remaining, next_window))
    if outcome:
        line = message
    elif inside:
        line = "Inside the maintenance window: %d minutes left (closes at %s)." % (
            _whole_minutes(remaining), window_state.get("closes_at"))
    else:
        line = ("Outside the maintenance window (now %s); a pre-flight writes no upgrade, so it runs. The next "
                "window opens at %s." % (window_state.get("now"), next_window))
    return {"proceed": outcome is None, "outcome": outcome, "next_window": next_window, "message": message,
            "line": line}


def hop_gate(window_state, hop, route, min_remaining, current=None):
    """Whether ``hop`` (not the first of the run) may start now, from the window's state.

    ``{"proceed": bool, "outcome": None or "partial", "message": str}``. A hop under way is always
    continued; a new hop needs ``min_remaining`` minutes of the window left.
    """
    if not window_state or (hop or {}).get("state") != "planned":
        return {"proceed": True, "outcome": None, "message": ""}
    inside = window_state.get("inside")
    remaining = float(window_state.get("remaining_minutes") or 0)
    if inside and remaining >= float(min_remaining or 0):
        return {"proceed": True, "outcome": None, "message": ""}
    opens = window_state.get("next_open") if inside else window_state.get("opens_at")
    reached = current or hop.get("from")
    why = ("only %d minutes left in the maintenance window (at least %s needed, cce_upgrade_window_min_remaining)"
           % (int(round(remaining)), min_remaining)) if inside else "the maintenance window has closed"
    count = (route or {}).get("count") or len((route or {}).get("hops") or [])
    message = ("At %s; next hop %s (hop %d of %d) in the next window%s: %s. The next run inside a window continues."
               % (reached, hop.get("to"), hop.get("index"), count, (" (opens at %s)" % opens) if opens else "", why))
    return {"proceed": False, "outcome": "partial", "message": message}


def hop_records(route, results):
    """Every hop of ``route`` for the report: the record of the hops this run worked on (``results``),
    the others with outcome ``not_started``."""
    done = {}
    for result in results or []:
        if isinstance(result, dict) and result.get("index") is not None:
            done[int(result["index"])] = result
    records = []
    for hop in (route or {}).get("hops") or []:
        record = {"index": hop["index"], "from": hop["from"], "to": hop["to"], "kind": hop["kind"]}
        found = done.get(int(hop["index"]))
        for key in RECORD_KEYS:
            record[key] = (found or {}).get(key)
        if found is None:
            record.update(outcome="not_started", durations={})
        records.append(record)
    return records


def hop_record(hop, outcome, durations=None, failed_step=None, **ids):
    """``[record]`` of ``hop`` for the report (``[]`` when no hop ran): the hop's index, from and to,
    the ids given (workflow_id, precheck_task_id, snapshot_task_id, task_id), its step durations, its
    outcome (``upgraded``, ``paused``, ``failed``) and the failed step."""
    if not hop:
        return []
    record = {"index": hop.get("index"), "from": hop.get("from"), "to": hop.get("to"), "kind": hop.get("kind")}
    for key in ("workflow_id", "precheck_task_id", "snapshot_task_id", "task_id"):
        record[key] = ids.get(key) or None
    record.update(durations=dict(durations or {}), outcome=outcome, failed_step=failed_step)
    return [record]


def add_durations(total, more):
    """Step durations summed per step (hops run the same steps)."""
    summed = dict(total or {})
    for step, seconds in (more or {}).items():
        summed[step] = round(float(summed.get(step, 0)) + float(seconds or 0), 1)
    return summed


def hop_context(route, hop, results=None):
    """What a message about ``hop`` adds: ``label`` (empty for a one-hop run), ``stays`` (the version the
    cluster keeps after a failure in this hop, as a sentence; empty for a one-hop run)."""
    count = (route or {}).get("count") or 0
    if not hop or count <= 1:
        return {"label": "", "stays": ""}
    finished = [r for r in results or [] if isinstance(r, dict) and r.get("outcome") in ("upgraded", "done")]
    if finished:
        last = finished[-1]
        stays = ("The cluster stays at %s, the version of hop %d (the last finished hop)."
                 % (last["to"], last["index"]))
    else:
        stays = "The cluster stays at %s: no hop finished." % hop.get("from")
    return {"label": hop_label(hop, count), "stays": stays}


def step_plans(guard, target, flavor="cce", snapshot_max_age=60, timeout=10800, poll_interval=30, retry_failed=False):
    """``{step: what a real run would do}`` for the check-mode plan of the first hop."""
    guard = guard or {}
    workflow = guard.get("open_workflow") or {}
    point = ((workflow.get("points") or {}).get("pre_check") or {}) if workflow else {}
    active = guard.get("active_task") or {}
    action = guard.get("action")
    if guard.get("workflow_id"):
        workflow_line = "reuse the open upgrade workflow %s" % guard["workflow_id"]
    else:
        workflow_line = "create an upgrade workflow to %s" % target
    status = point.get("status") or ""
    if status == "Success":
        precheck = "reuse pre-check %s unless it has expired (then run a new one)" % point.get("task_id")
    elif status in ("Init", "Queuing", "Running"):
        precheck = "attach to pre-check %s (%s)" % (point.get("task_id"), status)
    else:
        precheck = "run the pre-check (or reuse an unexpired successful one)"
    progress = active.get("progress") or "?"
    if action == "start":
        upgrade = "submit the upgrade task %s -> %s" % (guard.get("from_version"), target)
    elif action == "retry":
        upgrade = "retry the failed upgrade task %s" % guard.get("task_id")
    elif action == "resume" and flavor == "autopilot":
        upgrade = ("stop: upgrade task %s of this Autopilot cluster is paused; continue it in the CCE console"
                   % active.get("task_id"))
    elif action == "resume":
        upgrade = "resume the paused upgrade task %s at %s%%" % (active.get("task_id"), progress)
    else:
        upgrade = "attach to the running upgrade task %s (%s %s%%)" % (active.get("task_id"), active.get("phase"), progress)
    wait = "wait for the upgrade task (at most %s s, a status read every %s s%s)" % (
        timeout, poll_interval, ", retrying it once if it fails" if retry_failed else "")
    return {
        "workflow": workflow_line,
        "precheck": precheck,
        "snapshot": "take a control-plane snapshot (or reuse one at most %s minutes old)" % snapshot_max_age,
        "upgrade": upgrade,
        "wait": wait,
        "postcheck": "run the post-check and complete the workflow",
        "verify": "check the cluster version and the workflow phase",
    }


ACTION_WORDS = {"start": "start the upgrade", "attach": "attach to the running upgrade", "resume": "resume the paused upgrade",
                "retry": "retry the failed upgrade task", "finish": "finish the upgrade workflow"}


def check_plan(route, guard, steps, plans, name, from_version, target, snapshot=True):
    """The check-mode report: ``message`` (one paragraph) and ``lines`` (one per step of the first hop,
    then one per later hop)."""
    route = route or {}
    hops = route.get("hops") or []
    count = len(hops)
    first = ["%s: %s" % (step, plans[step]) for step in steps]
    later = ["hop %d of %d, %s -> %s (%s, after hop %d): %s" % (hop["index"], count, hop["from"], hop["to"], hop["kind"],
                                                                hop["index"] - 1, ", ".join(steps_of("full", snapshot)))
             for hop in hops[1:]]
    action = ACTION_WORDS.get((guard or {}).get("action"), "do nothing")
    message = "Check mode, nothing changed: %s %s -> %s would %s. Steps: %s." % (
        name, from_version, target, action, "; ".join(first))
    if count > 1:
        message += " Plan: %s. Then: %s." % (route.get("message"), "; ".join(later))
        head = ["Would run (check mode), %s:" % route.get("message"), "%s, steps:" % hop_label(hops[0], count)]
    else:
        head = ["Would run (check mode):"]
    return {"message": message, "lines": head + first + later}


# The modules' advice names their options (skipped_check_items, state=retried); the role gives its own,
# naming role variables (the fatal items below, cce_upgrade_retry_hint in the wait step).
MODULE_ADVICE = re.compile(r" Fix them, or accept them with skipped_check_items [^.]*[.]|; run with state=retried to retry (it|the failed task)")


def failure_message(failed, step, name, target, task_ids=None, hop_label="", stays=""):
    """The one message of a failed run: the hop (when there are several), the step, the task, the
    reason (the module's message without its own advice), the fatal pre-check items and how to accept
    them, CCE's error code and request id, and the version the cluster stays at."""
    failed = failed if isinstance(failed, dict) else {}
    task_ids = task_ids or {}
    own_id = failed.get("task_id") or None
    task_id = own_id or task_ids.get(step) if step in ("precheck", "snapshot") else own_id if step == "postcheck" else task_ids.get("upgrade")
    checks = failed.get("check_items")
    fatal = [item.get("name") for item in (checks.get("fatal") or [])] if isinstance(checks, dict) else []
    reason = MODULE_ADVICE.sub("", str(failed.get("msg") or "unknown error").strip())
    text = "Upgrade of %s to %s%s failed in step %s%s: %s" % (
        name, target, (" (%s)" % hop_label) if hop_label else "", step, (" (task %s)" % task_id) if task_id else "", reason)
    if fatal:
        accept = shlex_quote(json.dumps({"cce_upgrade_skipped_check_items": fatal}))
        text += (" Fatal pre-check items: %s. Fix them, or accept their risk and run again with -e %s."
                 % (", ".join(fatal), accept))
    if failed.get("error_code"):
        text += " [error_code %s, request_id %s]" % (failed["error_code"], failed.get("request_id") or "n/a")
    if stays:
        text += " " + stays
    return {"message": text, "task_id": task_id}


class FilterModule(object):
    """Hop-by-hop filters of the cluster_upgrade role."""

    def filters(self):
        return {
            "cce_upgrade_route": upgrade_route,
            "cce_upgrade_hop_gate": hop_gate,
            "cce_upgrade_window_gate": window_gate,
            "cce_upgrade_hop_records": hop_records,
            "cce_upgrade_add_durations": add_durations,
            "cce_upgrade_hop_record": hop_record,
            "cce_upgrade_hop_context": hop_context,
            "cce_upgrade_step_plans": step_plans,
            "cce_upgrade_check_plan": check_plan,
            "cce_upgrade_failure_message": failure_message,
        }
