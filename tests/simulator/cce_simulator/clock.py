"""Simulated time.

Simulated time starts at the real wall clock when the simulator starts and runs ``1 / time_scale``
times faster than real time: with ``time_scale=0.01`` a 600 s upgrade takes 6 real seconds.
``advance()`` jumps it forward (control API ``POST /_simulator/clock``).
"""

import datetime
import threading
import time


def go_timestamp(epoch):
    """Format epoch seconds the way CCE does: ``2023-11-25 06:32:34.923248 +0000 UTC``."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


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
