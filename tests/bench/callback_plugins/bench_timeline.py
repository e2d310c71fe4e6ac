# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper: appends one JSON line per task start (wall time, task name, controller CPU) to $CCE_BENCH_TIMELINE."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timeline
type: aggregate
short_description: Task start times for tests/bench/bench.py
description:
  - Writes one JSON line per task start (C(time), C(name), C(cpu)) to the file named by E(CCE_BENCH_TIMELINE);
    C(cpu) is the controller's CPU seconds so far (its own and its finished workers' and modules').
  - Only used by the benchmark; not part of the collection.
requirements:
  - the E(CCE_BENCH_TIMELINE) environment variable
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get("CCE_BENCH_TIMELINE")

    def v2_playbook_on_task_start(self, task, is_conditional):
        if not self._path:
            return
        with open(self._path, "a") as handle:
            times = os.times()
            cpu = times.user + times.system + times.children_user + times.children_system
            handle.write(json.dumps({"time": time.time(), "name": task.get_name(), "cpu": round(cpu, 3)}) + "\n")
