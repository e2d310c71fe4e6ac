# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading CCE documents as CCE really writes them: the one home of the field normalizers and
of the phase names.

The SDK models and the API Explorer spec disagree on some types, and real documents follow the
spec: ``LineStatus.critical`` is a string (``"false"``), ``NodeStageStatus.nodeInfo`` may be JSON
text, an upgrade task's ``progress`` is a decimal string (``"37.50"``). Every module reads such
fields through the helpers here, never with ``bool()`` or ``.get()`` on its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# --------------------------------------------------------------------------- phase names

#: Upgrade task phases (UpgradeTaskStatus) in which the task is not over; Pause counts as active.
UPGRADE_ACTIVE_PHASES = ("Init", "Queuing", "Running", "Pause")
#: Upgrade task phases in which CCE is working on the task (not paused, not ended).
UPGRADE_RUNNING_PHASES = ("Init", "Queuing", "Running")
UPGRADE_FINAL_PHASES = ("Success", "Failed")
SUCCESS = "Success"
FAILED = "Failed"
PAUSED = "Pause"

#: Workflow phases (WorkFlowPhase). A workflow without a phase has just been created (Init).
WORKFLOW_OPEN_PHASES = ("Init", "Running", "Pending")
WORKFLOW_CLOSED_PHASES = ("Success", "Cancel")
#: Workflow phases in which CCE refuses to cancel it.
WORKFLOW_UNCANCELLABLE_PHASES = ("Running", "Success", "Cancel")

#: Statuses of a workflow point (sub-task) and of a snapshot task that mean "in flight".
POINT_ACTIVE_STATUSES = UPGRADE_ACTIVE_PHASES
SNAPSHOT_ACTIVE_PHASES = UPGRADE_ACTIVE_PHASES

PRECHECK_ACTIVE_PHASES = ("Init", "Running")
PRECHECK_TERMINAL_PHASES = ("Success", "Failed", "Error")
#: Phases of a check or snapshot task that mean it did not succeed.
TASK_FAILED_PHASES = ("Failed", "Error")
PRECHECK_FAILED_PHASES = TASK_FAILED_PHASES
SNAPSHOT_FAILED_PHASES = TASK_FAILED_PHASES
POSTCHECK_FAILED_PHASES = TASK_FAILED_PHASES


# --------------------------------------------------------------------------- field readers

def dig(document, *keys):
    """Walk nested dicts; None as soon as a level is missing or not a dict."""
    current = document
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def as_list(value):
    """``value`` when it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def as_bool(value, default=False):
    """A flag CCE may send as a bool or as text: ``true``/``"true"``/``"True"``/``1`` are true,
    ``false``/``"false"``/``""``/``0`` false; None (missing) and anything else give ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0", ""):
            return False
    return default


def as_object(value):
    """A dict CCE may send as an object or as its JSON text; ``{}`` when it is neither."""
    if isinstance(value, dict):
        return value
    if isinstance(value, (str, bytes)):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def as_percent(value):
    """A progress as a float (``"37.50"``, ``"37.5%"``, ``37``), or None when there is none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        try:
            return float(text)
        except ValueError:
            return None
    return None


def as_progress_text(value):
    """A progress as the text the modules return (CCE's decimal string as it is; a number as text)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return ("%.2f" % value) if isinstance(value, float) else str(value)
    return str(value)
