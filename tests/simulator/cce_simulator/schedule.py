"""Autopilot's own upgrade schedule (reference real-cce-behaviour.md section 6).

An Autopilot cluster may have one server-side maintenance window (``weekly_period``: weekday names,
``start_time``: ``HH:MM`` UTC, ``duration_hours``: whole hours, ``upgrade_scope``: ``patch``).
Every Monday 01:00 UTC CCE generates an upgrade plan for the following week when the cluster has a
window and its minor has a later patch: the plan starts at the first window of that week
(``notBefore``), ends with that window (``notAfter``) and may be postponed until
``notBeforeDeadline`` (here: the end of the week after the plan's week; the real deadline is not
documented). Plan times are UTC, RFC 3339 with ``Z``.

This module holds the rules that need no cluster state; ``engine.Cloud`` runs the plans.
"""

import datetime
import re
import uuid

from .errors import invalid

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
START_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_DURATION_HOURS = 24  # not documented: one window is at most a day here
UPGRADE_SCOPE = "patch"
PLAN_PHASES = ("Pending", "Enqueued", "Upgrading", "Success", "Failed", "Skipped")
DAY = 86400
WEEK = 7 * DAY
GENERATION_OFFSET = 3600  # Monday 01:00 UTC
DEADLINE_AFTER_WEEK_START = 2 * WEEK
UTC = datetime.timezone.utc
_PLAN_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


class WindowError(ValueError):
    """A maintenance window body CCE refuses (the message says why)."""


def parse_window(body):
    """The stored window of a request body (or a scenario entry); WindowError naming the field."""
    if not isinstance(body, dict):
        raise WindowError("the maintenance window must be a JSON object with weekly_period, start_time and duration_hours")
    period = body.get("weekly_period")
    if not isinstance(period, str) or not period.strip():
        raise WindowError("weekly_period is required: comma-separated weekdays from %s" % ",".join(WEEKDAYS))
    days = [part.strip() for part in period.split(",")]
    for day in days:
        if day not in WEEKDAYS:
            raise WindowError("weekly_period: %r is not a weekday; accepted: %s" % (day, ",".join(WEEKDAYS)))
    start = body.get("start_time")
    if not isinstance(start, str) or not START_TIME.match(start):
        raise WindowError("start_time must be HH:MM (UTC), got %r" % (start,))
    hours = body.get("duration_hours")
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_DURATION_HOURS:
        raise WindowError("duration_hours must be a whole number of hours from 1 to %d, got %r" % (MAX_DURATION_HOURS, hours))
    scope = body.get("upgrade_scope", UPGRADE_SCOPE)
    if scope != UPGRADE_SCOPE:
        raise WindowError("upgrade_scope must be %s: CCE upgrades Autopilot clusters automatically only to patch versions, "
                          "got %r" % (UPGRADE_SCOPE, scope))
    ordered = [day for day in WEEKDAYS if day in days]
    return {"weekly_period": ",".join(ordered), "start_time": start, "duration_hours": hours, "upgrade_scope": UPGRADE_SCOPE}


def check_window_body(body):
    """:func:`parse_window` for an API request: 400 CCE.01400001 when refused."""
    try:
        return parse_window(body)
    except WindowError as exc:
        raise invalid(str(exc)) from exc


def plan_time(epoch):
    """A plan time as the simulator writes it: RFC 3339 UTC, whole seconds."""
    return datetime.datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_plan_time(text):
    """Epoch seconds of a ``notBefore`` a client sends: ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS]``
    (no offset: UTC, as the SDK sends a ``datetime``), with ``Z`` or ``+HH:MM``. None when unparsable."""
    match = _PLAN_TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC)
    except ValueError:
        return None
    epoch = moment.timestamp()
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        shift = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        epoch -= shift if offset[0] == "+" else -shift
    return epoch


def week_start(epoch):
    """Monday 00:00 UTC of the week holding ``epoch``."""
    moment = datetime.datetime.fromtimestamp(epoch, UTC)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - datetime.timedelta(days=moment.weekday())).timestamp()


def next_generation(after):
    """The first plan generation (Monday 01:00 UTC) strictly after ``after``."""
    moment = week_start(after) + GENERATION_OFFSET
    while moment <= after:
        moment += WEEK
    return moment


def last_generation(before):
    """The last plan generation at or before ``before``."""
    return next_generation(before) - WEEK


def first_window(window, start, end):
    """(opens, closes) of the first window opening in [start, end), or None."""
    days = window["weekly_period"].split(",")
    hour, minute = (int(part) for part in window["start_time"].split(":"))
    for offset in range(8):
        day = week_start(start) + offset * DAY
        if WEEKDAYS[datetime.datetime.fromtimestamp(day, UTC).weekday()] not in days:
            continue
        opens = day + hour * 3600 + minute * 60
        if start <= opens < end:
            return opens, opens + window["duration_hours"] * 3600
    return None


class UpgradePlan:
    """One automatic patch upgrade: Pending until ``not_before``, then it runs (or is skipped)."""

    def __init__(self, cluster, target, not_before, not_after, deadline, created):
        self.uid = str(uuid.uuid4())
        self.cluster = cluster
        self.cluster_version = cluster.version
        self.target = target
        self.not_before = not_before
        self.not_after = not_after
        self.deadline = deadline
        self.created = created
        self.updated = created
        self.task = None
        self.skipped = False

    def phase(self, now):
        if self.skipped:
            return "Skipped"
        if self.task is None:
            return "Pending"
        task_phase = self.task.phase(now)
        return {"Success": "Success", "Failed": "Failed", "Queuing": "Enqueued", "Init": "Enqueued"}.get(task_phase, "Upgrading")

    def postpone_refusal(self, moment, now):
        """Why CCE refuses to move ``notBefore`` to ``moment`` (None when it accepts)."""
        phase = self.phase(now)
        if phase != "Pending":
            return "upgrade plan %s is %s: only a Pending plan can be postponed" % (self.uid, phase)
        if moment < self.not_before:
            return ("notBefore %s is earlier than the plan's notBefore %s: an upgrade plan can only be postponed"
                    % (plan_time(moment), plan_time(self.not_before)))
        if moment >= self.deadline:
            return ("notBefore %s must be earlier than the plan's notBeforeDeadline %s"
                    % (plan_time(moment), plan_time(self.deadline)))
        return None

    def postpone(self, moment, now):
        self.not_after += moment - self.not_before
        self.not_before = moment
        self.updated = now

    def render(self, now):
        ts = self.cluster.ts
        return {
            "kind": "UpgradePlan", "apiVersion": "v3",
            "metadata": {"uid": self.uid, "creationTimestamp": ts(self.created), "updateTimestamp": ts(self.updated)},
            "spec": {"clusterID": self.cluster.id, "clusterVersion": self.cluster_version, "targetVersion": self.target,
                     "notBefore": plan_time(self.not_before), "notAfter": plan_time(self.not_after),
                     "notBeforeDeadline": plan_time(self.deadline)},
            "status": {"phase": self.phase(now)},
        }
