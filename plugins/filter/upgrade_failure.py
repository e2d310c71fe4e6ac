# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a CCE upgrade task failed, in words, from where CCE really says it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cce_upgrade_failure_reason
short_description: Say why a CCE upgrade task failed and where to look
version_added: 0.2.0
author:
  - hwcloud.cce maintainers
description:
  - CCE's upgrade tasks carry no failure message (their status has only phase, progress and completion
    time). CCE gives the reason of a failed upgrade on the cluster (C(status.reason) and C(status.message))
    and in the upgrade workflow (the status of its C(Cluster) point).
  - Takes the RV(hwcloud.cce.cce_cluster_upgrade#module:failure) details that M(hwcloud.cce.cce_cluster_upgrade)
    returns for a failed upgrade task and gives one sentence with the reason and where to look next (the
    pre-check results, the upgrade workflow, the cluster's events).
  - V(null) or an empty dictionary says that CCE gave no reason, and still where to look.
options:
  _input:
    description: The RV(hwcloud.cce.cce_cluster_upgrade#module:failure) dictionary, or V(null).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read why the upgrade failed (check mode, nothing is sent)
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    target_version: v1.30
    wait: false
  check_mode: true
  register: failed_upgrade
  failed_when: false

- name: Say why
  ansible.builtin.debug:
    msg: "{{ failed_upgrade.failure | default(none) | hwcloud.cce.cce_upgrade_failure_reason }}"
"""

RETURN = r"""
_value:
  description: The reason and where to look, one sentence without the final full stop.
  type: str
  sample: >-
    the cluster reports UpgradeFailed: upgrade of node prod-a-node-2 failed: kubelet did not become ready; upgrade
    workflow 0c6e... has its Cluster step Failed. Look at the pre-check results (hwcloud.cce.cce_precheck), the upgrade
    workflow (hwcloud.cce.cce_upgrade_workflow_info) and the cluster's events in the CCE console
"""


def failure_reason(details):
    """The sentence for ``details`` (the module's ``failure`` result); see DOCUMENTATION."""
    # Imported here, not at the top: Ansible imports every filter file of the collection in the worker
    # process of each task that calls one of its filters (docs/developing.md, "Test timing").
    from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade import describe_failure
    return describe_failure(details if isinstance(details, dict) else {})


def wait_failure(poll, task_id, timeout):
    """Why waiting for upgrade task ``task_id`` stopped: the last poll failed (no task in it), or the role ran out
    of time (``timeout`` seconds, cce_upgrade_timeout) while the task still runs; see cce_upgrade_wait_failure.yml."""
    poll = poll if isinstance(poll, dict) else {}
    task = poll.get("task")
    if not isinstance(task, dict):
        return "Reading upgrade task %s failed: %s" % (task_id, poll.get("msg") or "unknown error")
    return ("Timed out after %s s (cce_upgrade_timeout) waiting for upgrade task %s (phase %s, %s%%). The task keeps "
            "running in CCE; run the role again to continue waiting."
            % (timeout, task_id, task.get("phase", "unknown"), task.get("progress", "?")))


class FilterModule(object):
    """Upgrade failure filters."""

    def filters(self):
        return {"cce_upgrade_failure_reason": failure_reason,
                "cce_upgrade_wait_failure": wait_failure}
