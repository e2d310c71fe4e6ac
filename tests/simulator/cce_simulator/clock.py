"""Simulated time.

Simulated time starts at the real wall clock when the simulator starts and runs ``1 / time_scale``
times faster than real time: with ``time_scale=0.01`` a 600 s upgrade takes 6 real seconds.
``advance()`` jumps it forward (control API ``POST /_simulator/clock``).
"""

import datetime
import threading
import time


CST = datetime.timezone(datetime.timedelta(hours=8))


def _go_fraction(epoch):
    """Go's ``.999999999``: nanoseconds with trailing zeros dropped, nothing for whole seconds.

    CCE's own fields vary in precision (nanoseconds, microseconds, milliseconds); the second of the
    timestamp picks one, so a client meets all of them.
    """
    unit = (1, 1000, 1000000)[int(epoch) % 3]
    nanos = int(round((epoch - int(epoch)) * 1e9 / unit)) * unit
    if nanos >= 1000000000:
        nanos = 1000000000 - unit
    return ("." + ("%09d" % nanos).rstrip("0")) if nanos else ""


def go_timestamp(epoch, zone="UTC"):
    """Format epoch seconds as Go's ``time.String()`` does on a CCE server.

    ``zone="UTC"``: ``2023-11-25 06:32:34.923248 +0000 UTC``; ``zone="CST"``:
    ``2022-12-16 13:40:20.75671 +0800 CST`` (the published ShowUpgradeClusterTask example).
    """
    if zone == "CST":
        moment = datetime.datetime.fromtimestamp(int(epoch), CST)
        suffix = " +0800 CST"
    else:
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        suffix = " +0000 UTC"
    return moment.strftime("%Y-%m-%d %H:%M:%S") + _go_fraction(epoch) + suffix


def rfc3339_timestamp(epoch):
    """RFC 3339 in China Standard Time, as some CCE fields use: ``2023-11-14T20:30:57+08:00``."""
    return datetime.datetime.fromtimestamp(int(epoch), CST).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def format_timestamp(epoch, style="go_utc"):
    """One timestamp in a scenario ``timestamp_style``: ``go_utc``, ``go_cst`` or ``rfc3339``."""
    if style == "go_cst":
        return go_timestamp(epoch, "CST")
    if style == "rfc3339":
        return rfc3339_timestamp(epoch)
    return go_timestamp(epoch)


def iso_timestamp(epoch):
    """Format epoch seconds as IAM does: ``2024-01-01T00:00:00.000000Z``."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SimClock:
    """Scaled simulated clock (epoch seconds)."""

    def __init__(self, time_scale=1.0):
        if time_scale <= 0:
            raise ValueError("time scale must be positive")
        self.time_scale = float(time_scale)
        self._lock = threading.Lock()
        self._wall0 = time.time()
        self._mono0 = time.monotonic()
        self._offset = 0.0

    def now(self):
        """Current simulated time in epoch seconds."""
        elapsed = time.monotonic() - self._mono0
        return self._wall0 + elapsed / self.time_scale + self._offset

    def advance(self, seconds):
        """Jump simulated time forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def reset(self):
        with self._lock:
            self._offset = 0.0
