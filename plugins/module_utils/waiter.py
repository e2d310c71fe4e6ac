# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Polling with a deadline on the monotonic clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError

#: Error kinds that mean "this poll failed, the thing we wait for did not": keep waiting.
KEEP_WAITING_KINDS = frozenset(["throttled", "transient", "timeout", "connection"])


class WaitTimeout(Exception):
    """The deadline passed; ``last_state`` is the last state read (None if no poll succeeded)."""

    def __init__(self, last_state, timeout=None, last_error=None):
        message = "timed out after %ss" % timeout if timeout is not None else "timed out"
        if last_error is not None:
            message += " (last poll failed: %s)" % last_error
        super(WaitTimeout, self).__init__(message)
        self.last_state = last_state
        self.timeout = timeout
        self.last_error = last_error


class TaskFailed(Exception):
    """``failed(state)`` said the task failed; ``state`` is that state."""

    def __init__(self, state):
        super(TaskFailed, self).__init__("the task failed")
        self.state = state


def wait_until(fetch, done, failed=None, timeout=3600, interval=10, progress=None,
               clock=time.monotonic, sleep=time.sleep):
    """Call ``fetch()`` every ``interval`` seconds until ``done(state)`` (returns the state) or
    ``failed(state)`` (raises TaskFailed), for at most ``timeout`` seconds (raises WaitTimeout).

    A CceApiError of a transient kind during a poll means keep waiting; others propagate.
    ``progress(state, elapsed)`` is called after every successful poll. There is always one
    poll at the start and one at the deadline.
    """
    start = clock()
    deadline = start + max(0, timeout)
    last_state = None
    last_error = None
    while True:
        try:
            state = fetch()
        except CceApiError as error:
            if error.kind not in KEEP_WAITING_KINDS:
                raise
            last_error = error
        else:
            last_state = state
            last_error = None
            if progress is not None:
                progress(state, clock() - start)
            if failed is not None and failed(state):
                raise TaskFailed(state)
            if done(state):
                return state
        now = clock()
        if now >= deadline:
            raise WaitTimeout(last_state, timeout=timeout, last_error=last_error)
        sleep(max(0, min(interval, deadline - now)))
