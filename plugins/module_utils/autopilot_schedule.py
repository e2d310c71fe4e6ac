# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Autopilot's own upgrade schedule: the server-side maintenance window and the weekly upgrade plans.

CCE upgrades Autopilot clusters to the latest patch of their minor by itself, inside a maintenance
window (``weekly_period``, ``start_time`` UTC, ``duration_hours``), following plans it generates every
Monday for the following week. A plan can only be postponed (``notBefore``), and only to a time
before its ``notBeforeDeadline``. Input checks, the documents in snake_case, and the decisions
(does the window differ, may this plan be postponed) live here; the modules only call them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hwcloud.cce.plugins.module_utils.documents import dig
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import format_utc, parse_timestamp
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_DURATION_HOURS = 24
PENDING = "Pending"
PLAN_PHASES = ("Pending", "Enqueued", "Upgrading", "Success", "Failed", "Skipped")
PLAN_ACTIVE_PHASES = ("Enqueued", "Upgrading")
_START = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _weekday(name):
    text = name.strip().lower() if isinstance(name, str) else ""
    for day in WEEKDAYS:
        if text in (day.lower(), day[:3].lower()):
            return day
    return None


def validate_window(weekdays, start_time, duration_hours):
    """The window as CCE stores it: ``{weekdays: [Monday...], start_time: "HH:00", duration_hours}``.

    Raises ValueError naming the option (``weekdays``, ``start_time``, ``duration_hours``) and the
    accepted values.
    """
    accepted_days = "accepted values: %s (or their first three letters, any case)" % ", ".join(WEEKDAYS)
    if not weekdays:
        raise ValueError("weekdays must name at least one day; %s" % accepted_days)
    days = set()
    for item in weekdays:
        day = _weekday(item)
        if day is None:
            raise ValueError("weekdays: %r is not a weekday; %s" % (item, accepted_days))
        days.add(day)
    text = start_time.strip() if isinstance(start_time, str) else ""
    match = _START.match(text)
    if match is None or match.group(2) != "00":
        raise ValueError("start_time must be a whole hour in UTC, HH:00 from 00:00 to 23:00 (CCE's window starts on "
                         "the hour), got %r" % (start_time,))
    if isinstance(duration_hours, bool) or not isinstance(duration_hours, int) \
            or not 1 <= duration_hours <= MAX_DURATION_HOURS:
        raise ValueError("duration_hours must be a whole number of hours from 1 to %d, got %r"
                         % (MAX_DURATION_HOURS, duration_hours))
    return {"weekdays": [day for day in WEEKDAYS if day in days],
            "start_time": "%02d:00" % int(match.group(1)),
            "duration_hours": duration_hours}


def window_body(window):
    """The MaintenanceWindow request body of a validated window."""
    return {"weekly_period": ",".join(window["weekdays"]), "start_time": window["start_time"],
            "duration_hours": window["duration_hours"]}


def normalize_window(document):
    """A ShowAutopilotMaintenanceWindow reply as ``{weekdays, start_time, duration_hours, upgrade_scope}``;
    None when it holds no window (CCE may answer an empty document instead of 404)."""
    period = dig(document, "weekly_period")
    if not isinstance(period, str) or not period.strip():
        return None
    days = [_weekday(part) or part.strip() for part in period.split(",") if part.strip()]
    start = dig(document, "start_time")
    match = _START.match(start.strip()) if isinstance(start, str) else None
    hours = dig(document, "duration_hours")
    return {"weekdays": [day for day in WEEKDAYS if day in days] + sorted(d for d in days if d not in WEEKDAYS),
            "start_time": "%02d:%s" % (int(match.group(1)), match.group(2)) if match else start,
            "duration_hours": int(hours) if isinstance(hours, (int, float)) and not isinstance(hours, bool) else hours,
            "upgrade_scope": dig(document, "upgrade_scope")}


def read_window(api, cluster_id):
    """The cluster's window (see :func:`normalize_window`), or None. The cluster is read first, so that
    a 404 of the window means "no window", never "no such cluster"."""
    api.get_cluster(cluster_id)
    try:
        return normalize_window(api.get_maintenance_window(cluster_id))
    except CceApiError as err:
        if err.status == 404:
            return None
        raise


def window_differs(current, desired):
    """Whether the stored window ``current`` (or None) differs from the validated ``desired``."""
    if current is None:
        return True
    return any(current.get(key) != desired[key] for key in ("weekdays", "start_time", "duration_hours"))


# -- upgrade plans ----------------------------------------------------------------------------------

def plan_items(document):
    """The plans of a ListAutopilotUpgradePlans reply: ``items`` is a list, or (as the SDK types it)
    one plan object."""
    items = dig(document, "items")
    if isinstance(items, dict):
        items = [items]
    return [item for item in items or [] if isinstance(item, dict) and dig(item, "metadata", "uid")]


def normalize_plan(document):
    """An UpgradePlan as the modules return it (snake_case, times as CCE wrote them)."""
    if not isinstance(document, dict):
        return None
    spec = document.get("spec") or {}
    return {
        "plan_id": dig(document, "metadata", "uid"),
        "cluster_id": spec.get("clusterID"),
        "cluster_version": spec.get("clusterVersion"),
        "target_version": spec.get("targetVersion"),
        "not_before": spec.get("notBefore"),
        "not_after": spec.get("notAfter"),
        "not_before_deadline": spec.get("notBeforeDeadline"),
        "phase": dig(document, "status", "phase"),
        "creation_timestamp": dig(document, "metadata", "creationTimestamp"),
    }


def normalize_plans(document):
    """All plans of a list reply, the earliest ``notBefore`` first."""
    plans = [normalize_plan(item) for item in plan_items(document)]
    return sorted(plans, key=lambda plan: _sort_time(plan["not_before"]))


def _sort_time(text):
    stamp = parse_timestamp(text)
    return stamp.isoformat() if stamp is not None else "9999"


def next_plan(plans):
    """The plan CCE will run next: the earliest Pending one (None when there is none)."""
    pending = [plan for plan in plans if plan["phase"] == PENDING]
    return pending[0] if pending else None


def find_plan(plans, plan_id):
    for plan in plans:
        if plan["plan_id"] == plan_id:
            return plan
    return None


def postpone_decision(plan, not_before):
    """Whether moving ``plan`` to start not before ``not_before`` (aware datetime) needs a request.

    Returns ``(needed, not_before_text)``. Not needed when the plan already starts at or after that
    time. Raises ValueError (naming ``not_before``) when CCE would refuse: the plan is no longer
    Pending, or ``not_before`` is not before the plan's ``notBeforeDeadline``.
    """
    wanted = format_utc(not_before)
    current = parse_timestamp(plan["not_before"])
    if current is not None and current >= not_before:
        return False, wanted
    if plan["phase"] != PENDING:
        raise ValueError("upgrade plan %s is %s: CCE postpones only a Pending plan (its notBefore is %s)"
                         % (plan["plan_id"], plan["phase"], plan["not_before"]))
    deadline = parse_timestamp(plan["not_before_deadline"])
    if deadline is not None and not_before >= deadline:
        raise ValueError("not_before %s is not before the notBeforeDeadline %s of upgrade plan %s: CCE postpones a plan "
                         "only to a time before its deadline; give a not_before earlier than %s"
                         % (wanted, plan["not_before_deadline"], plan["plan_id"], plan["not_before_deadline"]))
    return True, wanted


def postponed(plan, not_before):
    """``plan`` as CCE answers a postpone to ``not_before``: the window keeps its length."""
    start, end = parse_timestamp(plan["not_before"]), parse_timestamp(plan["not_after"])
    result = dict(plan, not_before=format_utc(not_before))
    if start is not None and end is not None:
        result["not_after"] = format_utc(not_before + (end - start))
    return result


def plans_between(plans, start, end):
    """The plans CCE may still start between ``start`` and ``end`` (aware datetimes): Pending (or already
    Enqueued/Upgrading) plans whose ``[not_before, not_after]`` overlaps that span, earliest first."""
    found = []
    for plan in plans:
        if plan.get("phase") not in (PENDING,) + PLAN_ACTIVE_PHASES:
            continue
        opens, closes = parse_timestamp(plan.get("not_before")), parse_timestamp(plan.get("not_after"))
        if opens is None:
            continue
        if opens < end and (closes or opens) >= start:
            found.append(plan)
    return sorted(found, key=lambda plan: _sort_time(plan["not_before"]))
