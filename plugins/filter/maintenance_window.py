# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Maintenance-window arithmetic for scheduled upgrades (controller side, stdlib zoneinfo)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: window_status
short_description: Where a point in time falls relative to a weekly maintenance window
version_added: 0.1.0
author:
  - hwcloud.cce maintainers
description:
  - Takes a weekly maintenance window (weekdays, local start time, duration in minutes and an IANA
    time zone) and a point in time, and tells whether the time is inside a window, when the current
    or next window opens and closes, how many minutes are left, and when the following window opens.
  - A window belongs to the weekday on which it B(opens); a window that crosses midnight
    (for example C(start=23:00), C(duration=180)) stays open into the next day.
  - The start time is local wall-clock time in O(_input.timezone). On a daylight-saving day a start time
    that does not exist (the clock jumps over it) opens the window at the first instant after the
    jump; a start time that occurs twice opens it at the first occurrence. The duration is elapsed
    time, so a window that spans a clock change still lasts exactly O(_input.duration) minutes.
  - Windows that overlap or touch are merged into one.
  - Bad input raises an error that names the option (O(name)) and lists the accepted values.
options:
  _input:
    description:
      - The window, a dictionary.
    type: dict
    required: true
    suboptions:
      weekdays:
        description:
          - Days on which a window opens. Three-letter or full English names, any case
            (C(mon) ... C(sun), C(monday) ... C(sunday)), as a list or a comma-separated string.
          - Omitted means every day.
        type: list
        elements: str
      start:
        description:
          - Local opening time, C(HH:MM) in 24-hour notation.
        type: str
        required: true
      duration:
        description:
          - Length of each window in minutes, 1 to 10080 (one week).
        type: int
        required: true
      timezone:
        description:
          - IANA time zone name of O(_input.start), for example C(Europe/Berlin).
        type: str
        default: UTC
  now:
    description:
      - The point in time to evaluate. An ISO-8601 timestamp (a timestamp without offset is UTC),
        a C(datetime), or seconds since the epoch.
      - Omitted or V(null) means the controller's current time.
    type: raw
  elapsed_since:
    description:
      - Seconds since the epoch, read from the controller's clock when O(now) was fixed.
      - When given together with O(now), the time elapsed on the controller since then is added to
        O(now), so that a fixed starting time (an injected clock in tests) keeps moving forward while
        a long task is polled.
    type: float
  name:
    description:
      - Name of the window variable, used in error messages.
    type: str
    default: window
  now_name:
    description:
      - Name of the time variable, used in error messages.
    type: str
    default: now
"""

EXAMPLES = r"""
- name: Is it maintenance time?
  ansible.builtin.set_fact:
    window_state: >-
      {{ {'weekdays': ['sat', 'sun'], 'start': '02:00', 'duration': 240, 'timezone': 'Europe/Berlin'}
         | hwcloud.cce.window_status }}

- name: Evaluate an injected time (tests, dry runs)
  ansible.builtin.debug:
    msg: >-
      {{ (my_window | hwcloud.cce.window_status(now='2026-03-28T01:30:00Z')).opens_at }}

- name: Say when the next window opens
  ansible.builtin.debug:
    msg: "Outside the window; next window opens at {{ window_state.opens_at }}"
  when: not window_state.inside
"""

RETURN = r"""
_value:
  description: Where O(now) falls relative to the window.
  type: dict
  contains:
    inside:
      description: Whether O(now) is inside a window.
      type: bool
      sample: false
    now:
      description: The evaluated time, ISO-8601 in the window's time zone.
      type: str
      sample: "2026-03-27T18:00:00+01:00"
    opens_at:
      description: Opening of the current window when inside, else of the next window (ISO-8601, window time zone).
      type: str
      sample: "2026-03-28T02:00:00+01:00"
    closes_at:
      description: Closing of the window that RV(_value.opens_at) opens.
      type: str
      sample: "2026-03-28T06:00:00+01:00"
    remaining_minutes:
      description: Minutes until the current window closes; V(0) when outside.
      type: float
      sample: 0
    minutes_until_open:
      description: Minutes until the next window opens; V(0) when inside.
      type: float
      sample: 480.0
    next_open:
      description: The next opening strictly after O(now) (when inside, the opening after the current window).
      type: str
      sample: "2026-03-29T02:00:00+02:00"
    timezone:
      description: The window's time zone.
      type: str
      sample: Europe/Berlin
"""

import datetime
import re
import time

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import is_date_only, parse_time_input

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9 controllers
    ZoneInfo = None
    ZoneInfoNotFoundError = Exception

UTC = datetime.timezone.utc
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WINDOW_KEYS = ("weekdays", "start", "duration", "timezone")
MAX_DURATION = 7 * 24 * 60
START_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _error(name, message):
    return AnsibleFilterError("%s: %s" % (name, message))


def parse_weekdays(value, name="window"):
    """Return the set of weekday numbers (Monday = 0) named by ``value``."""
    option = "%s.weekdays" % name
    accepted = "accepted values: %s (or the full English names)" % ", ".join(WEEKDAYS)
    if value is None:
        return set(range(7))
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise _error(option, "must be a list of weekday names, got %r; %s" % (value, accepted))
    if not items:
        raise _error(option, "must name at least one day; %s" % accepted)
    days = set()
    for item in items:
        text = to_text(item).strip().lower() if isinstance(item, str) else None
        if text in WEEKDAYS:
            days.add(WEEKDAYS.index(text))
        elif text in FULL_WEEKDAYS:
            days.add(FULL_WEEKDAYS.index(text))
        else:
            raise _error(option, "%r is not a weekday; %s" % (item, accepted))
    return days


def parse_start(value, name="window"):
    option = "%s.start" % name
    text = to_text(value).strip() if isinstance(value, str) else None
    match = START_RE.match(text) if text else None
    if not match:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            # YAML 1.1 reads an unquoted 12:30 as the base-60 number 750.
            hhmm = "%02d:%02d" % (value // 60, value % 60)
            raise _error(option, "%d is not a time of day: YAML reads an unquoted %s as the base-60 number %d. "
                                 "Quote the time: start: \"%s\"" % (value, hhmm, value, hhmm))
        raise _error(option, "%r is not a time of day; accepted values: HH:MM, 00:00 to 23:59" % (value,))
    return datetime.time(int(match.group(1)), int(match.group(2)))


def parse_duration(value, name="window"):
    option = "%s.duration" % name
    accepted = "accepted values: whole minutes from 1 to %d" % MAX_DURATION
    if isinstance(value, bool):
        raise _error(option, "%r is not a number of minutes; %s" % (value, accepted))
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, str) and value.strip().isdigit():
        minutes = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        minutes = int(value)
    else:
        raise _error(option, "%r is not a number of minutes; %s" % (value, accepted))
    if not 1 <= minutes <= MAX_DURATION:
        raise _error(option, "%d is out of range; %s" % (minutes, accepted))
    return minutes


def parse_timezone(value, name="window"):
    option = "%s.timezone" % name
    accepted = "accepted values: IANA time zone names such as UTC or Europe/Berlin"
    if ZoneInfo is None:  # pragma: no cover
        raise _error(option, "needs Python 3.9 or later on the controller (zoneinfo)")
    if value is None:
        return ZoneInfo("UTC")
    if not isinstance(value, str) or not value.strip():
        raise _error(option, "%r is not a time zone name; %s" % (value, accepted))
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _error(option, "unknown time zone %r; %s" % (value, accepted))


def parse_window(window, name="window"):
    """Validate a window dictionary; return (weekday set, start time, minutes, tzinfo)."""
    if not isinstance(window, dict):
        raise _error(name, "must be a dictionary with the keys %s, got %r" % (", ".join(WINDOW_KEYS), window))
    unknown = sorted(to_text(key) for key in window if key not in WINDOW_KEYS)
    if unknown:
        raise _error(name, "unknown key(s) %s; accepted keys: %s" % (", ".join(unknown), ", ".join(WINDOW_KEYS)))
    for key in ("start", "duration"):
        if window.get(key) is None:
            raise _error("%s.%s" % (name, key), "is required")
    return (parse_weekdays(window.get("weekdays"), name), parse_start(window["start"], name),
            parse_duration(window["duration"], name), parse_timezone(window.get("timezone"), name))


def parse_now(value, name="now"):
    """Return an aware UTC datetime for ``value`` (None = the current time)."""
    accepted = "accepted values: an ISO-8601 timestamp such as 2026-03-28T02:30:00+01:00 (no offset = UTC)"
    if value is None or (isinstance(value, str) and not value.strip()):
        return datetime.datetime.now(UTC)
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise _error(name, "%r is not a timestamp; %s" % (value, accepted))
    else:
        raise _error(name, "%r is not a timestamp; %s" % (value, accepted))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def evaluated_now(now, elapsed_since, now_name="now"):
    """``now`` (see :func:`parse_now`) moved on by the controller time elapsed since ``elapsed_since``
    when ``now`` is fixed (an injected clock keeps running while a long task is polled)."""
    fixed = now is not None and not (isinstance(now, str) and not now.strip())
    moment = parse_now(now, now_name)
    if fixed and elapsed_since is not None:
        try:
            since = float(elapsed_since)
        except (TypeError, ValueError):
            raise _error("elapsed_since", "%r is not a number of seconds since the epoch" % (elapsed_since,))
        moment += datetime.timedelta(seconds=max(0.0, time.time() - since))
    return moment


def _opening(day, start, tz):
    """UTC instant at which a window opening at local ``start`` on ``day`` opens."""
    local = datetime.datetime.combine(day, start).replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC)


def _intervals(days, start, minutes, tz, around):
    """Merged (open, close) UTC intervals near ``around``, sorted."""
    local_day = around.astimezone(tz).date()
    span = datetime.timedelta(minutes=minutes)
    back = minutes // (24 * 60) + 2
    found = []
    for offset in range(-back, 16):
        day = local_day + datetime.timedelta(days=offset)
        if day.weekday() in days:
            opens = _opening(day, start, tz)
            found.append([opens, opens + span])
    found.sort()
    merged = []
    for opens, closes in found:
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return merged


def _iso(moment, tz):
    return moment.astimezone(tz).isoformat()


def _minutes(delta):
    return round(delta.total_seconds() / 60.0, 2)


def window_status(window, now=None, elapsed_since=None, name="window", now_name="now"):
    """Where ``now`` falls relative to the weekly ``window``; see DOCUMENTATION."""
    days, start, minutes, tz = parse_window(window, name)
    moment = evaluated_now(now, elapsed_since, now_name)

    intervals = _intervals(days, start, minutes, tz, moment)
    if any(closes - opens >= datetime.timedelta(days=8) for opens, closes in intervals):
        raise _error(name, "the windows cover the whole week and never close; "
                           "leave the window unset to allow any time")
    current = next(((o, c) for o, c in intervals if o <= moment < c), None)
    upcoming = [(o, c) for o, c in intervals if o > moment]
    following = upcoming[0] if upcoming else None
    result = {
        "inside": current is not None,
        "now": _iso(moment, tz),
        "timezone": getattr(tz, "key", to_text(tz)),
    }
    shown = current or following
    result["opens_at"] = _iso(shown[0], tz)
    result["closes_at"] = _iso(shown[1], tz)
    if current:
        result["remaining_minutes"] = _minutes(current[1] - moment)
        result["minutes_until_open"] = 0
    else:
        result["remaining_minutes"] = 0
        result["minutes_until_open"] = _minutes(following[0] - moment)
    result["next_open"] = _iso(following[0], tz)
    return result


# -- blackout dates ---------------------------------------------------------------------------------

BLACKOUT_KEYS = ("start", "end", "timezone", "name")
BLACKOUT_SHAPE = ("accepted: a list of {start, end, timezone, name}; start and end a date YYYY-MM-DD (the end day "
                  "is included) or a date-time YYYY-MM-DD HH:MM[:SS] / YYYY-MM-DDTHH:MM[:SS] (an offset such as "
                  "+01:00 or Z is allowed), timezone an IANA name such as Europe/Berlin (default UTC), name optional")


def _blackout_bound(value, tz, option, is_end):
    """The UTC instant of a blackout's start or end; a date starts at its midnight and, as an end,
    includes the whole day."""
    day = None
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return moment.astimezone(UTC)
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str) and is_date_only(value):
        try:
            day = datetime.date(*(int(part) for part in value.strip().split("-")))
        except ValueError:
            raise _error(option, "%r is not a valid date; %s" % (value, BLACKOUT_SHAPE))
    elif isinstance(value, str):
        try:
            return parse_time_input(value, option, tz)
        except ValueError:
            raise _error(option, "%r is not a date or date-time; %s" % (value, BLACKOUT_SHAPE))
    else:
        raise _error(option, "%r is not a date or date-time; %s" % (value, BLACKOUT_SHAPE))
    if is_end:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0)).replace(tzinfo=tz).astimezone(UTC)


def parse_blackouts(value, name="blackout"):
    """Validate the blackout list; return [(start, end, label, tzinfo)] in UTC, sorted by start."""
    if value is None:
        return []
    if isinstance(value, (str, dict)) or not isinstance(value, (list, tuple)):
        raise _error(name, "must be a list of blackout periods, got %r; %s" % (value, BLACKOUT_SHAPE))
    periods = []
    for index, entry in enumerate(value):
        option = "%s[%d]" % (name, index)
        if not isinstance(entry, dict):
            raise _error(option, "must be a dictionary, got %r; %s" % (entry, BLACKOUT_SHAPE))
        unknown = sorted(to_text(key) for key in entry if key not in BLACKOUT_KEYS)
        if unknown:
            raise _error(option, "unknown key(s) %s; %s" % (", ".join(unknown), BLACKOUT_SHAPE))
        for key in ("start", "end"):
            if entry.get(key) in (None, ""):
                raise _error("%s.%s" % (option, key), "is required; %s" % BLACKOUT_SHAPE)
        tz = parse_timezone(entry.get("timezone"), option)
        start = _blackout_bound(entry["start"], tz, option + ".start", False)
        end = _blackout_bound(entry["end"], tz, option + ".end", True)
        if end <= start:
            raise _error(option, "ends (%s) before it starts (%s); %s" % (entry["end"], entry["start"], BLACKOUT_SHAPE))
        label = to_text(entry.get("name") or "%s to %s" % (entry["start"], entry["end"]))
        periods.append((start, end, label, tz))
    periods.sort(key=lambda period: period[0])
    return periods


def blackout_status(blackouts, now=None, elapsed_since=None, name="blackout", now_name="now"):
    """Whether ``now`` falls in one of the ``blackouts`` and when that ends; see the filter's documentation."""
    periods = parse_blackouts(blackouts, name)
    moment = evaluated_now(now, elapsed_since, now_name)
    current = [period for period in periods if period[0] <= moment < period[1]]
    result = {"inside": bool(current), "now": moment.isoformat(), "names": [], "starts_at": None, "ends_at": None,
              "next_start": None, "next_name": None, "message": ""}
    if current:
        last = max(current, key=lambda period: period[1])
        end, tz = last[1], last[3]
        extended = True
        while extended:  # overlapping or touching periods make one blackout
            extended = False
            for period in periods:
                if period[0] <= end < period[1]:
                    end, tz, extended = period[1], period[3], True
                    current.append(period)
        names = []
        for period in current:
            if period[2] not in names:
                names.append(period[2])
        result.update(names=names, starts_at=_iso(min(p[0] for p in current), tz), ends_at=_iso(end, tz))
        result["message"] = ("Inside the blackout %s (since %s): no upgrade is started until it ends at %s. An upgrade "
                             "already running is followed to its end." % (", ".join(names), result["starts_at"], result["ends_at"]))
        moment = end
    upcoming = [period for period in periods if period[0] >= moment]
    if upcoming:
        result["next_start"] = _iso(upcoming[0][0], upcoming[0][3])
        result["next_name"] = upcoming[0][2]
    return result


class FilterModule(object):
    """Maintenance-window and blackout filters."""

    def filters(self):
        return {"window_status": window_status, "blackout_status": blackout_status}
