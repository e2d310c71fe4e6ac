# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines for until/retries polling loops."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: poll_progress
short_description: Print one progress line for a polled CCE task and pass the result through
version_added: 0.1.0
author:
  - hwcloud.cce maintainers
description:
  - >-
    Meant for the C(until) condition of a task that polls a CCE task with C(retries) and C(delay).
    Every evaluation prints one line on the controller, for example
    C(prod-a upgrade: Running 45% (elapsed 0:03:10)), and returns the polled result unchanged, so the
    condition can go on testing it.
  - Reads the phase and progress from C(task) (M(hwcloud.cce.cce_cluster_upgrade_info) with C(task_id))
    or from the top-level C(phase) and C(progress) keys (M(hwcloud.cce.cce_precheck), M(hwcloud.cce.cce_snapshot),
    M(hwcloud.cce.cce_cluster_upgrade)). A failed poll prints its message instead.
  - Side effect by design. It prints at most one line per poll attempt (RV(_value.attempts)) of a step.
options:
  _input:
    description: The registered result of the polling task.
    type: dict
    required: true
  step:
    description: Name of the step shown in the line, for example V(upgrade).
    type: str
    required: true
  started:
    description: Seconds since the epoch when the step started; the line shows the time elapsed since then.
    type: float
  label:
    description: What is being polled, for example the cluster name; starts the line.
    type: str
"""

EXAMPLES = r"""
- name: Wait for the upgrade task, one progress line per poll
  hwcloud.cce.cce_cluster_upgrade_info:
    cluster_id: "{{ cluster_id }}"
    task_id: "{{ upgrade.task_id }}"
  register: poll
  until: >-
    (poll | hwcloud.cce.poll_progress('upgrade', started, label='prod-a')).task.phase | default('')
    in ['Success', 'Failed', 'Pause']
  retries: 240
  delay: 30
"""

RETURN = r"""
_value:
  description: The input, unchanged.
  type: dict
  contains:
    attempts:
      description: The attempt number Ansible adds to the result of a task with C(retries).
      type: int
"""

import time

from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

display = Display()


def format_elapsed(seconds):
    seconds = max(0, int(seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds % 3600 // 60, seconds % 60)


def progress_line(result, step, started=None, label=None, clock=time.time):
    """The progress line for ``result`` (pure; used by the filter and by tests)."""
    result = result if isinstance(result, dict) else {}
    task = result.get("task") if isinstance(result.get("task"), dict) else {}
    phase = task.get("phase") or result.get("phase")
    progress = task.get("progress") if task.get("progress") not in (None, "") else result.get("progress")
    parts = []
    if label:
        parts.append("%s %s:" % (label, step))
    else:
        parts.append("%s:" % step)
    if result.get("failed") and not phase:
        parts.append("poll failed (%s)" % to_text(result.get("msg", "no message")))
    else:
        parts.append(to_text(phase or "unknown"))
        if progress not in (None, ""):
            text = to_text(progress)
            parts.append(text if text.endswith("%") else text + "%")
    if started is not None:
        try:
            parts.append("(elapsed %s)" % format_elapsed(clock() - float(started)))
        except (TypeError, ValueError):
            pass
    return " ".join(parts)


_LAST = {}


def poll_progress(result, step, started=None, label=None):
    """Print one progress line per poll and return ``result`` unchanged."""
    line = progress_line(result, step, started, label)
    key = (label, step, result.get("attempts") if isinstance(result, dict) else None)
    if _LAST.get((label, step)) != key:
        _LAST[(label, step)] = key
        display.display(line)
    return result


class FilterModule(object):
    """Progress filters."""

    def filters(self):
        return {"poll_progress": poll_progress}
