# Test-only callback of tests/integration/reliability (reliability_helpers.ModuleCaseBatch).
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Records, for every task named ``case <id>``, its result, whether it failed (ignored or not)
    and the length of the simulator's request log when the task started (read in the controller process: no task, no fork).

    Environment: CASE_RECORDER_FILE (the JSON written at the end) and CASE_RECORDER_LOG_URL (the
    simulator's ``/_simulator/requests``).
    """

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'case_recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {}
        self.current = None

    def _log_length(self):
        with urllib.request.urlopen(os.environ['CASE_RECORDER_LOG_URL'], timeout=30) as resp:
            return len(json.loads(resp.read()))

    def v2_playbook_on_task_start(self, task, is_conditional):
        name = task.get_name()
        self.current = name[len('case '):] if name.startswith('case ') else None
        if self.current is not None:
            self.cases[self.current] = {'mark': self._log_length(), 'result': None, 'failed': None}

    def _record(self, result, failed):
        if self.current is not None:
            self.cases[self.current]['result'] = json.loads(json.dumps(dict(result.result), default=str))
            self.cases[self.current]['failed'] = failed

    def v2_runner_on_ok(self, result):
        self._record(result, False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, True)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['CASE_RECORDER_FILE'], 'w', encoding='utf-8') as handle:
            json.dump(self.cases, handle)
