# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one home of CCE timestamp parsing.

CCE writes times in Go's ``time.String()`` form with the server's zone abbreviation
(``2022-12-16 13:40:20.75671 +0800 CST``, ``2023-11-25 07:49:30 +0000 UTC``; the fraction runs
from none to nanoseconds) and, in some fields, RFC 3339 (``2023-11-14T20:30:57+08:00``,
``2023-11-25T07:49:30.123456789Z``). The numeric offset is what counts; the abbreviation can be
anything. A time without any offset is taken as UTC.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

UTC = datetime.timezone.utc

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
    # Go: the zone abbreviation (CST, UTC, +08 ...) and a monotonic clock reading (m=+0.5)
    r"(?:\s+(?:[A-Za-z][A-Za-z0-9_/-]*|[+-]\d{2,4}))?"
    r"(?:\s+m=[+-]\d+(?:\.\d+)?)?$"
)


def parse_timestamp(text):
    """Parse a CCE timestamp into an aware UTC datetime, or None when it is not one."""
    if not text or not isinstance(text, str):
        return None
    match = _TIMESTAMP.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                  int(second), micro, tzinfo=UTC)
    except ValueError:
        return None
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "").ljust(4, "0")
        hours, minutes = int(digits[:2]), int(digits[2:4])
        if hours > 23 or minutes > 59:
            return None
        value -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    return value


def utcnow():
    """The local clock as an aware UTC datetime."""
    return datetime.datetime.now(UTC)


def newest_first_key(*texts):
    """Sort key for a document by the first of ``texts`` that parses (oldest possible when none)."""
    for text in texts:
        stamp = parse_timestamp(text)
        if stamp is not None:
            return stamp
    return datetime.datetime.min.replace(tzinfo=UTC)


_TIME_INPUT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")
TIME_INPUT_FORMS = "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], optionally with Z or +HH:MM"


def is_date_only(text):
    """Whether a user's time is a bare date (``2026-12-24``)."""
    return isinstance(text, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()) is not None


def parse_time_input(value, name, tz=UTC):
    """A time a user gives (an option or a variable) as an aware UTC datetime.

    Accepts :data:`TIME_INPUT_FORMS`; a time without an offset is wall-clock time in ``tz`` (a tzinfo,
    UTC by default), a bare date is its midnight. Raises ValueError naming ``name`` and the forms.
    """
    text = value.strip() if isinstance(value, str) else None
    match = _TIME_INPUT.match(text) if text else None
    if match is None:
        raise ValueError("%s: %r is not a time; accepted forms: %s" % (name, value, TIME_INPUT_FORMS))
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise ValueError("%s: %r is not a valid date or time; accepted forms: %s"
                         % (name, value, TIME_INPUT_FORMS)) from None
    if offset is None:
        return moment.replace(tzinfo=tz).astimezone(UTC)
    if offset in ("Z", "z"):
        return moment.replace(tzinfo=UTC)
    digits = offset[1:].replace(":", "")
    shift = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (moment - shift if offset[0] == "+" else moment + shift).replace(tzinfo=UTC)


def format_utc(moment):
    """An aware datetime as RFC 3339 UTC with whole seconds: ``2026-12-09T02:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(moment):
    """An aware datetime or epoch seconds as RFC 3339 UTC text with milliseconds
    (``2026-06-13T02:00:05.250Z``); None stays None."""
    if moment is None:
        return None
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.fromtimestamp(float(moment), UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
