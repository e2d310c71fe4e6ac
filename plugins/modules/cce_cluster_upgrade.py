#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_cluster_upgrade
short_description: Upgrade a Huawei Cloud CCE cluster, or pause, resume or retry its upgrade task
version_added: 0.1.0
description:
  - Starts the in-place upgrade of a CCE cluster (standard, Turbo or Autopilot) to O(target_version)
    and optionally waits for the upgrade task to finish.
  - Idempotent. A cluster already at O(target_version) is left alone. This is judged on the cluster's full
    version (C(v1.28.15-r30), from its upgrade information), because after a patch upgrade CCE still reports
    the minor (C(v1.28)) as the cluster's version. A minor target is reached by any patch of it, a full
    target by that version or a later patch of the same minor. When an upgrade task to the same
    target is already active (C(Init), C(Queuing), C(Running) or C(Pause)), the module attaches to it
    (RV(attached=true)) and never submits a second one. An active task to a different target is an error.
  - Before anything is written, the target is checked against the cluster's upgrade information and the
    upgrade paths of CCE (only the entries of the cluster's own platform version); a downgrade, a skipped
    minor version or a target that is not offered fails without any change.
  - Patch first. CCE moves a cluster to another minor only from the latest patch of its current minor.
    A new minor as O(target_version) while the cluster is on an older patch fails before any change,
    naming the latest patch (for example V(v1.28.15-r30)) to upgrade to first; that patch is itself a
    valid O(target_version).
  - When the reply to the upgrade request is lost, or CCE answers that the cluster is locked by another
    request, the module reads the task list again and attaches to the task for the target instead of
    sending the request a second time.
  - O(state=paused), O(state=resumed) and O(state=retried) pause, continue and retry the upgrade task.
    CCE offers pause and continue for standard clusters only; Autopilot supports retry.
  - Pause and continue are B(deprecated) by CCE (listed under its historical APIs). The module keeps
    O(state=paused) and O(state=resumed); when CCE refuses them, the module fails saying so and the upgrade
    task runs on to its end (wait for it with O(state=present), retry it with O(state=retried) if it fails).
  - CCE runs its own pre-check inside the upgrade task unless the request says C(isOnlyUpgrade=true). See
    O(is_only_upgrade). By default the module skips CCE's built-in check only after a successful pre-check
    of M(hwcloud.cce.cce_precheck) for the target that has not expired.
  - Upgrade tasks carry no failure message. When a task fails, the module reports what CCE says elsewhere,
    the cluster's C(status.reason) and C(status.message), and points to the upgrade workflow and the
    pre-check results.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
options:
  state:
    description:
      - V(present) makes sure the cluster is at, or being upgraded to, O(target_version).
      - V(paused) pauses the active upgrade task (standard clusters only). Unchanged when it is already paused.
      - V(resumed) continues a paused upgrade task (standard clusters only). Unchanged when it is running.
      - V(retried) retries the latest upgrade task when it has failed. Unchanged when it is running or has succeeded.
    type: str
    choices: [present, paused, resumed, retried]
    default: present
  target_version:
    description:
      - Kubernetes version to upgrade to, for example V(v1.30) (a minor version means its latest patch) or V(v1.30.4-r0).
      - Required when O(state=present).
      - With the other states, optional; when given, the active task must target this version.
    type: str
  user_defined_step:
    description:
      - Largest number of nodes upgraded in one batch. Batches grow 1, 2, then powers of two up to this value.
      - CCE's API reference documents 1 to 40 (20 recommended). 41 to 120 (what the SDK allows) is sent with a
        warning that CCE may refuse it; below 1 or above 120 fails before any request.
    type: int
    default: 20
  scope:
    description:
      - V(Cluster) keeps growing the batch size across node pools; V(NodePool) starts again with each node pool.
      - Sent only when set (it is in CCE's SDK but not in its API reference); CCE's default applies otherwise.
    type: str
    choices: [Cluster, NodePool]
  addons:
    description:
      - Add-ons to upgrade together with the cluster.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Add-on template name, for example V(coredns).
        type: str
        required: true
      version:
        description:
          - Add-on version that matches the target cluster version.
        type: str
        required: true
      values:
        description:
          - "Add-on parameters as CCE nests them: C({\"basic\": {...}, \"custom\": {...}, \"flavor\": {...}})."
          - CCE also upgrades installed add-ons to a compatible version by itself during the cluster upgrade.
        type: dict
  node_pool_order:
    description:
      - Order of the node pools. Keys are node pool IDs (V(DefaultPool) for the default pool), values are
        non-negative priorities; a higher priority is upgraded first.
    type: dict
  node_order:
    description:
      - Order of the nodes inside node pools. Keys are node pool IDs (V(DefaultPool) for the default pool).
      - Each value is a list of batches, each a dict with C(node_selector) (C(key), C(value) list, C(operator) one of
        V(in), V(notin), V(exists), V(!), V(gt), V(lt), V(=)) and C(priority) (non-negative integer, higher first).
    type: dict
  is_only_upgrade:
    description:
      - Sent as C(isOnlyUpgrade). V(false) makes CCE run its own pre-check inside the upgrade task (a fatal
        risk it finds fails the task); V(true) skips it, which is right only after a successful pre-check.
      - When not set, the module sends V(true) when a successful pre-check for the target (for example from
        M(hwcloud.cce.cce_precheck)) exists that has not expired, V(false) otherwise.
      - V(true) with no valid pre-check (it expired) is sent as V(false) with a warning, so CCE checks again
        instead of the upgrade failing. Should CCE still answer C(CCE.01400075) (pre-check expired) to V(true),
        the module submits once more with V(false).
    type: bool
notes:
  - CCE's cluster-upgrade APIs are available only upon request; an account without them gets a permission
    error, which the module reports saying the account needs the cluster-upgrade APIs enabled.
  - With O(wait=true) a paused task keeps the module waiting until O(wait_timeout).
  - A wait that runs out of time fails with RV(timed_out=true) and the task's ID, phase and progress;
    a task that fails fails the module with RV(phase=Failed).
extends_documentation_fragment:
  - hwcloud.cce.connection
  - hwcloud.cce.wait
  - hwcloud.cce.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - hwcloud.cce.cluster
attributes:
  check_mode:
    support: full
    details: Reads only; reports whether an upgrade, pause, resume or retry would be sent.
  diff_mode:
    support: full
seealso:
  - module: hwcloud.cce.cce_cluster_upgrade_info
  - module: hwcloud.cce.cce_cluster_info
"""

EXAMPLES = r"""
- name: Upgrade a cluster to v1.30 and wait for it (credentials from the HW_* environment)
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    target_version: v1.30
    user_defined_step: 10
    scope: NodePool
    wait: true
    wait_timeout: 7200
  register: upgrade

- name: Start the upgrade without the built-in pre-check and return at once
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    target_version: v1.30
    is_only_upgrade: true
    node_pool_order:
      DefaultPool: 10
    addons:
      - name: coredns
        version: 1.30.3
  register: upgrade

- name: Upgrade an Autopilot cluster
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    cluster_flavor: autopilot
    target_version: v1.30

- name: Pause the running upgrade (standard clusters)
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    state: paused

- name: Continue it
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    state: resumed

- name: Retry a failed upgrade and wait for the result
  hwcloud.cce.cce_cluster_upgrade:
    cluster_id: "{{ cluster_id }}"
    state: retried
    wait: true
"""

RETURN = r"""
cluster_id:
  description: ID of the cluster.
  returned: always
  type: str
  sample: 0d6b8a52-1f3e-11ef-9b57-0255ac100b03
task_id:
  description: ID of the upgrade task submitted, attached to, paused, resumed or retried.
  returned: always; null in check mode when a new upgrade would be submitted, and when the cluster is at the target with no task on record
  type: str
  sample: 6d799ff6-3afe-4242-80b4-6f0a0fa746cb
attached:
  description: True when the module found an upgrade task to the target already active (or created by a request whose reply was lost) and
    followed it instead of submitting one.
  returned: always
  type: bool
  sample: false
phase:
  description: Phase of the task after the module ran (C(Init), C(Queuing), C(Running), C(Pause), C(Success), C(Failed)).
  returned: always
  type: str
  sample: Running
progress:
  description: Progress of the task as CCE reports it (a decimal string such as C(37.50)).
  returned: always
  type: str
  sample: "45.00"
from_version:
  description: Cluster version before the upgrade (the full version when CCE gives it).
  returned: always
  type: str
  sample: v1.29.4-r0
is_only_upgrade:
  description: The C(isOnlyUpgrade) the module sent (V(true) skipped CCE's own pre-check inside the task).
  returned: when the module submitted an upgrade
  type: bool
  sample: true
failure:
  description:
    - Where CCE explains a failed upgrade, since upgrade tasks carry no message.
    - C(cluster_reason) and C(cluster_message) are the cluster's C(status.reason) and C(status.message);
      C(workflow_id) and C(workflow_point) the open upgrade workflow and the status of its C(Cluster) point, when there is one.
  returned: when the upgrade task failed
  type: dict
  sample: {"cluster_reason": "UpgradeFailed", "cluster_message": "upgrade of node 10.0.0.12 failed", "workflow_id": null,
           "workflow_point": null}
to_version:
  description: Version the upgrade goes to.
  returned: always
  type: str
  sample: v1.30
deprecated_api:
  description: True when CCE refused O(state=paused) or O(state=resumed) because pause and continue are deprecated (the module then fails).
  returned: failure of state=paused or state=resumed refused by CCE
  type: bool
  sample: true
timed_out:
  description: True when O(wait=true) ran out of O(wait_timeout) before the task finished (the module then fails).
  returned: failure while waiting
  type: bool
  sample: true
task:
  description: The upgrade task.
  returned: always; null when there is no task
  type: dict
  contains:
    task_id:
      description: Task ID.
      type: str
      sample: 6d799ff6-3afe-4242-80b4-6f0a0fa746cb
    version:
      description: Cluster version when the task started.
      type: str
      sample: v1.29
    target_version:
      description: Target version of the task.
      type: str
      sample: v1.30
    phase:
      description: Task phase.
      type: str
      sample: Running
    progress:
      description: Task progress.
      type: str
      sample: "45"
    message:
      description: CCE's reason or message for the phase, when it gives one.
      type: str
      sample: node upgrade failed
    creation_timestamp:
      description: When the task was created.
      type: str
      sample: "2026-11-22 07:49:30.283459 +0000 UTC"
    update_timestamp:
      description: When the task was last updated.
      type: str
      sample: "2026-11-22 07:52:30.283459 +0000 UTC"
    completion_time:
      description: When the task finished.
      type: str
      sample: "2026-11-22 07:58:35.507243 +0000 UTC"
diff:
  description: Version (and, for pause, resume and retry, task phase) before and after.
  returned: always
  type: dict
  contains:
    before:
      description: Before the change.
      type: dict
      sample: {"version": "v1.29"}
    after:
      description: After the change.
      type: dict
      sample: {"version": "v1.30"}
"""

from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import step_warning, validate_cluster_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version
from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils import workflow as wf
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import TaskFailed, WaitTimeout, wait_until
from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up


# CCE's answer to an upgrade without a successful, unexpired pre-check (is_only_upgrade=false).
PRECHECK_REQUIRED_CODE = "CCE.01400075"

# After an upgrade POST whose outcome is unknown: how long (seconds) to look for the task CCE may
# still be creating, and the longest pause between two reads of the task list.
UNKNOWN_OUTCOME_SETTLE = 10.0
UNKNOWN_OUTCOME_INTERVAL = 2.0


def argument_spec():
    return dict(
        cluster_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "paused", "resumed", "retried"]),
        target_version=dict(type="str"),
        user_defined_step=dict(type="int", default=20),
        scope=dict(type="str", choices=["Cluster", "NodePool"]),
        addons=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            version=dict(type="str", required=True),
            values=dict(type="dict"),
        )),
        node_pool_order=dict(type="dict"),
        node_order=dict(type="dict"),
        is_only_upgrade=dict(type="bool"),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True, wait=True,
                       required_if=[("state", "present", ["target_version"])])
    body = validate_input(module)
    state = module.params["state"]
    if state == "present":
        result = ensure_upgraded(module, body)
    elif state == "paused":
        result = ensure_paused(module)
    elif state == "resumed":
        result = ensure_resumed(module)
    else:
        result = ensure_retried(module)
    module.exit(**result)


def validate_input(module):
    """Everything that can be checked without a request; returns the upgrade body for state=present."""
    params = module.params
    try:
        validate_cluster_id(params["cluster_id"])
    except ValueError as err:
        module.fail(_naming("cluster_id", err))
    if params["target_version"] is not None:
        try:
            parse_version(params["target_version"], "target_version")
        except ValueError as err:
            module.fail(_naming("target_version", err))
    state = params["state"]
    if state in ("paused", "resumed") and params["cluster_flavor"] == "autopilot":
        module.fail("state=%s is not supported with cluster_flavor=autopilot: CCE Autopilot has no pause or "
                    "continue API for upgrade tasks (state=retried is supported)" % state)
    if state != "present":
        return None
    try:
        body = up.build_upgrade_body(params)
    except ValueError as err:
        module.fail(str(err))
    warning = step_warning(body["spec"]["clusterUpgradeAction"]["strategy"]["inPlaceRollingUpdate"]["userDefinedStep"])
    if warning:
        module.warn(warning)
    return body


def _naming(option, err):
    text = str(err)
    return text if option in text else "%s: %s" % (option, text)


# --------------------------------------------------------------------------- state=present

def ensure_upgraded(module, body):
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    cluster = read_cluster(module)
    current = read_current_version(module, cluster)
    tasks = read_tasks(module)

    active = up.find_active_upgrade_task(tasks)
    if active:
        if not up.task_targets_version(active, target):
            module.fail("cluster %s already has an active upgrade %s; target_version %s cannot start until it ends"
                        % (cluster_id, up.describe_task(active), target),
                        cluster_id=cluster_id, task_id=active["task_id"], task=active)
        task = wait_for_task(module, active, changed=False)
        return upgrade_result(module, task, current, target, changed=False, attached=True)

    # Judged on the full version: after a patch upgrade ShowCluster still reports the minor.
    if version.is_at_target(current, target):
        done = up.latest_task_for_target(tasks, target)
        return upgrade_result(module, done, current, target, changed=False, attached=False, after_version=current)

    ended = up.task_ended_between_reads(tasks, current, target)
    if ended:
        # The cluster read still showed the old version; the task list shows the upgrade done.
        after = ended.get("target_version") or target
        return upgrade_result(module, ended, after, target, changed=False, attached=False, after_version=after)

    last = up.latest_task(tasks)
    if last and last["phase"] == up.FAILED_PHASE and up.task_targets_version(last, target):
        details = read_failure_details(module)
        module.fail("the last upgrade of cluster %s failed: %s; %s. Run with state=retried to retry it"
                    % (cluster_id, up.describe_task(last), up.describe_failure(details)),
                    cluster_id=cluster_id, task_id=last["task_id"], phase=last["phase"], task=last, failure=details)

    check_target(module, cluster, current, target)
    if module.check_mode:
        return upgrade_result(module, None, current, target, changed=True, attached=False)

    body = with_only_upgrade(body, decide_only_upgrade(module, current, target))
    task, attached, changed, sent = submit_upgrade(module, body, tasks)
    task = wait_for_task(module, task, changed=changed)
    result = upgrade_result(module, task, current, target, changed=changed, attached=attached)
    result["is_only_upgrade"] = sent["spec"]["clusterUpgradeAction"].get("isOnlyUpgrade")
    return result


def read_current_version(module, cluster):
    """The cluster's full version (upgradeinfo's versionInfo), else what ShowCluster reported."""
    cluster_id = module.params["cluster_id"]
    try:
        return up.current_full_version(module.api, cluster_id, cluster["version"])
    except CceApiError as err:
        module.fail_from_error(err, "read the upgrade information of cluster %s" % cluster_id)


def check_target(module, cluster, current, target):
    """Validate the target against upgradeinfo and the upgrade paths (GETs only)."""
    cluster_id = module.params["cluster_id"]
    try:
        up.check_offered_target(module.api, cluster_id, current, target, cluster.get("platform_version"))
    except CceApiError as err:
        module.fail_from_error(err, "read the upgrade paths of cluster %s" % cluster_id)
    except up.TargetNotOffered as err:
        module.fail(_naming("target_version", err), cluster_id=cluster_id, current_version=err.current,
                    allowed_targets=err.allowed)


def decide_only_upgrade(module, current, target):
    """``isOnlyUpgrade``: true only after a successful pre-check for the target that has not expired
    (CCE then skips its own); false otherwise, so that CCE checks inside the upgrade task."""
    requested = module.params["is_only_upgrade"]
    if requested is False:
        return False
    valid = has_valid_precheck(module, current, target)
    if requested and not valid:
        module.warn("is_only_upgrade=true, but cluster %s has no successful pre-check for %s that has not expired: "
                    "submitting with isOnlyUpgrade=false, so that CCE runs its own pre-check inside the upgrade task"
                    % (module.params["cluster_id"], target))
    return valid


def has_valid_precheck(module, current, target):
    cluster_id = module.params["cluster_id"]
    try:
        prechecks = wf.items_of(module.api.list_prechecks(cluster_id))
    except CceApiError as err:
        module.warn("could not list the pre-checks of cluster %s (%s): CCE will run its own pre-check" % (cluster_id, err))
        return False
    found = wf.find_reusable_precheck(prechecks, target, now=wf.server_now(module.client), cluster_version=current)
    return found is not None


def with_only_upgrade(body, only_upgrade):
    action = dict(body["spec"]["clusterUpgradeAction"], isOnlyUpgrade=bool(only_upgrade))
    return dict(body, spec=dict(body["spec"], clusterUpgradeAction=action))


def read_failure_details(module):
    """What CCE says about a failed upgrade outside the task (reads; errors leave a field empty)."""
    cluster_id = module.params["cluster_id"]
    cluster = workflow = None
    try:
        cluster = module.api.get_cluster(cluster_id)
    except CceApiError:
        pass
    try:
        workflow = wf.find_open_workflow(wf.items_of(module.api.list_workflows(cluster_id)))
    except CceApiError:
        pass
    return up.failure_details(cluster, workflow)


def submit_upgrade(module, body, tasks_before):
    """POST the upgrade once; returns (task, attached, changed, the body that was sent).

    A lost reply (outcome unknown) or CCE's 429 'locked' answer means: re-read the task list and
    attach to the task for the target, never POST again. After a lost reply the task is most likely
    ours (changed); after 'locked' another request started it (not changed).
    """
    api = module.api
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    try:
        response = api.submit_upgrade(cluster_id, body)
    except CceApiError as err:
        if err.error_code == PRECHECK_REQUIRED_CODE and body["spec"]["clusterUpgradeAction"].get("isOnlyUpgrade"):
            # Defensive: CCE says the pre-check expired. A 400 created nothing: let CCE check again itself.
            module.warn("CCE answered %s (the pre-check expired) to the upgrade of cluster %s: submitting again with "
                        "isOnlyUpgrade=false, so that CCE runs its own pre-check" % (PRECHECK_REQUIRED_CODE, cluster_id))
            return submit_upgrade(module, with_only_upgrade(body, False), tasks_before)
        if err.error_code == PRECHECK_REQUIRED_CODE:
            err.hint = ("CCE requires a successful pre-check for %s that has not expired (CCE's pre-checks "
                        "expire after about an hour): run hwcloud.cce.cce_precheck for target_version %s "
                        "again (force=true starts a fresh one), then run this module again." % (target, target))
        if not (err.outcome_unknown or up.is_locked_error(err)):
            module.fail_from_error(err, "submit the upgrade of cluster %s to %s" % (cluster_id, target))
        if err.outcome_unknown:
            # CCE may still be processing the POST (a reply after api_timeout): let the task appear.
            task = settle_task_after_unknown_outcome(module, tasks_before)
        else:
            task = find_task_after_unknown_outcome(module, tasks_before)
        if task is None:
            module.fail_from_error(err, "submit the upgrade of cluster %s to %s (no upgrade task to %s was found "
                                        "afterwards; run the module again to re-check)" % (cluster_id, target, target))
        return task, True, bool(err.outcome_unknown), body
    task_id = up.task_id_from_submit(response)
    if not task_id:
        task = find_task_after_unknown_outcome(module, tasks_before)
        if task is None:
            module.fail("CCE accepted the upgrade of cluster %s but returned no task id" % cluster_id, cluster_id=cluster_id)
        return task, False, True, body
    task = read_task(module, task_id, tolerate_errors=True)
    if task is None:
        task = up.normalize_task({"metadata": {"uid": task_id}, "spec": {"targetVersion": target}})
    return task, False, True, body


def find_task_after_unknown_outcome(module, tasks_before):
    target = module.params["target_version"]
    known = [task["task_id"] for task in tasks_before]
    return up.find_new_task_for_target(read_tasks(module), target, known)


def settle_task_after_unknown_outcome(module, tasks_before):
    """After an upgrade POST whose outcome is unknown: poll the task list for the new task.

    A few reads, for at most UNKNOWN_OUTCOME_SETTLE seconds (the waiter sleeps between them, at the
    module's poll_interval capped to UNKNOWN_OUTCOME_INTERVAL), because CCE may create the task after
    the reply was lost or came too late. Returns the task, or None when none appeared. Never POSTs.
    """
    cluster_id = module.params["cluster_id"]
    target = module.params["target_version"]
    known = [task["task_id"] for task in tasks_before]
    interval = min(float(module.params.get("poll_interval") or UNKNOWN_OUTCOME_INTERVAL), UNKNOWN_OUTCOME_INTERVAL)

    def fetch():
        tasks = up.normalize_task_list(module.api.list_upgrade_tasks(cluster_id))
        return {"task": up.find_new_task_for_target(tasks, target, known)}

    try:
        return wait_until(fetch, lambda state: state["task"] is not None,
                          timeout=UNKNOWN_OUTCOME_SETTLE, interval=interval)["task"]
    except WaitTimeout:
        return None
    except CceApiError as err:
        module.fail_from_error(err, "list the upgrade tasks of cluster %s" % cluster_id)


def upgrade_result(module, task, current, target, changed, attached, after_version=None):
    result = dict(
        changed=changed,
        cluster_id=module.params["cluster_id"],
        task_id=task["task_id"] if task else None,
        attached=attached,
        phase=task.get("phase") if task else None,
        progress=task.get("progress") if task else None,
        from_version=(task.get("version") if task else None) or current,
        to_version=(task.get("target_version") if task else None) or target,
        task=task,
        diff=up.version_diff(current, after_version or target),
    )
    return result


# --------------------------------------------------------------------------- pause / resume / retry

def ensure_paused(module):
    cluster_id = module.params["cluster_id"]
    tasks = read_tasks(module)
    active = up.find_active_upgrade_task(tasks)
    if not active:
        module.fail("cluster %s has no active upgrade task to pause (latest: %s)" % (cluster_id, up.describe_task(up.latest_task(tasks))),
                    cluster_id=cluster_id)
    guard_target(module, active)
    if active["phase"] == up.PAUSED_PHASE:
        return task_result(module, active, active, changed=False)
    if module.check_mode:
        return task_result(module, active, dict(active, phase=up.PAUSED_PHASE), changed=True)
    call_deprecated(module, module.api.pause_upgrade, "pause", active)
    after = wait_for_task(module, active, changed=True, done_phases=(up.PAUSED_PHASE,) + up.FINAL_PHASES,
                          failed_phases=(), always_read=True)
    return task_result(module, active, after, changed=True)


def ensure_resumed(module):
    cluster_id = module.params["cluster_id"]
    tasks = read_tasks(module)
    active = up.find_active_upgrade_task(tasks)
    if not active:
        last = up.latest_task(tasks)
        if last and last["phase"] == up.SUCCESS_PHASE:
            guard_target(module, last)
            return task_result(module, last, last, changed=False)
        module.fail("cluster %s has no paused upgrade task to resume (latest: %s)%s"
                    % (cluster_id, up.describe_task(last),
                       "; run with state=retried to retry the failed task" if last and last["phase"] == up.FAILED_PHASE else ""),
                    cluster_id=cluster_id)
    guard_target(module, active)
    if active["phase"] != up.PAUSED_PHASE:
        task = wait_for_task(module, active, changed=False)
        return task_result(module, active, task, changed=False)
    if module.check_mode:
        return task_result(module, active, dict(active, phase="Running"), changed=True)
    call_deprecated(module, module.api.continue_upgrade, "continue", active)
    after = wait_for_task(module, active, changed=True, always_read=True)
    return task_result(module, active, after, changed=True)


def ensure_retried(module):
    cluster_id = module.params["cluster_id"]
    tasks = read_tasks(module)
    last = up.latest_task(tasks)
    if not last:
        module.fail("cluster %s has no upgrade task to retry" % cluster_id, cluster_id=cluster_id)
    guard_target(module, last)
    if last["phase"] != up.FAILED_PHASE:
        task = wait_for_task(module, last, changed=False) if up.is_active(last) else last
        return task_result(module, last, task, changed=False)
    if module.check_mode:
        return task_result(module, last, dict(last, phase="Running"), changed=True)
    call(module, module.api.retry_upgrade, "retry the upgrade of cluster %s" % cluster_id)
    after = wait_for_task(module, dict(last, phase="Running"), changed=True, always_read=True)
    return task_result(module, last, after, changed=True)


def guard_target(module, task):
    target = module.params["target_version"]
    if target and not up.task_targets_version(task, target):
        module.fail("target_version %s does not match the upgrade %s of cluster %s"
                    % (target, up.describe_task(task), module.params["cluster_id"]),
                    cluster_id=module.params["cluster_id"], task_id=task["task_id"], task=task)


def task_result(module, before, after, changed):
    after = after or before
    after_version = after.get("target_version") if after.get("phase") == up.SUCCESS_PHASE else after.get("version")
    before_version = before.get("target_version") if before.get("phase") == up.SUCCESS_PHASE else before.get("version")
    return dict(
        changed=changed,
        cluster_id=module.params["cluster_id"],
        task_id=after.get("task_id"),
        attached=False,
        phase=after.get("phase"),
        progress=after.get("progress"),
        from_version=after.get("version"),
        to_version=after.get("target_version"),
        task=after,
        diff=up.version_diff(before_version, after_version, before.get("phase"), after.get("phase")),
    )


# --------------------------------------------------------------------------- reads and waiting

def call(module, method, action):
    try:
        return method(module.params["cluster_id"])
    except CceApiError as err:
        module.fail_from_error(err, action)


#: HTTP statuses with which CCE refuses an API it no longer serves.
REFUSED_STATUSES = (400, 404, 405, 410, 501)


def call_deprecated(module, method, action, task):
    """Pause or continue: deprecated CCE APIs (listed under its historical APIs). When CCE refuses
    them, fail saying so; the task is left as it is and runs on to its end."""
    cluster_id = module.params["cluster_id"]
    try:
        return method(cluster_id)
    except CceApiError as err:
        if err.outcome_unknown or err.status not in REFUSED_STATUSES:
            module.fail_from_error(err, "%s the upgrade of cluster %s" % (action, cluster_id))
        module.fail("CCE refused to %s the upgrade of cluster %s (%s). Pause and continue are deprecated CCE APIs "
                    "(listed under CCE's historical APIs) that CCE may no longer serve here. The upgrade %s runs on to its "
                    "end: wait for it with state=present, and retry it with state=retried if it fails."
                    % (action, cluster_id, err.message, up.describe_task(task)),
                    cluster_id=cluster_id, task_id=task.get("task_id"), task=task, deprecated_api=True,
                    status_code=err.status, error_code=err.error_code)


def read_cluster(module):
    cluster_id = module.params["cluster_id"]
    body = call(module, module.api.get_cluster, "read cluster %s" % cluster_id)
    return up.normalize_cluster(body, module.params["cluster_flavor"])


def read_tasks(module):
    cluster_id = module.params["cluster_id"]
    body = call(module, module.api.list_upgrade_tasks, "list the upgrade tasks of cluster %s" % cluster_id)
    return up.normalize_task_list(body)


def read_task(module, task_id, tolerate_errors=False):
    cluster_id = module.params["cluster_id"]
    try:
        return up.normalize_task(module.api.get_upgrade_task(cluster_id, task_id))
    except CceApiError as err:
        if tolerate_errors:
            return None
        module.fail_from_error(err, "read upgrade task %s of cluster %s" % (task_id, cluster_id))


def wait_for_task(module, task, changed, done_phases=(up.SUCCESS_PHASE,), failed_phases=(up.FAILED_PHASE,), always_read=False):
    """With wait=true poll the task by id until it is done; otherwise (or in check mode) return it as is.

    ``always_read`` re-reads the task once even without wait, so a pause/continue/retry reports the new phase.
    """
    cluster_id = module.params["cluster_id"]
    task_id = task.get("task_id")
    if module.check_mode or not task_id:
        return task
    if not module.params.get("wait"):
        return (read_task(module, task_id, tolerate_errors=True) or task) if always_read else task
    if task.get("phase") in done_phases and not always_read:
        return task

    def fetch():
        return up.normalize_task(module.api.get_upgrade_task(cluster_id, task_id))

    try:
        return module.wait_for(
            fetch,
            lambda state: state.get("phase") in done_phases,
            failed=lambda state: state.get("phase") in failed_phases,
        )
    except WaitTimeout as exc:
        last = _state_of(exc, "last_state") or task
        module.fail("timed out after %s s waiting for the upgrade of cluster %s: %s"
                    % (module.params["wait_timeout"], cluster_id, up.describe_task(last)),
                    changed=changed, timed_out=True, cluster_id=cluster_id, task_id=task_id,
                    phase=last.get("phase"), progress=last.get("progress"), task=last)
    except TaskFailed as exc:
        last = _state_of(exc, "state") or task
        details = read_failure_details(module)
        module.fail("the upgrade of cluster %s failed: %s; %s. Run with state=retried to retry it"
                    % (cluster_id, up.describe_task(last), up.describe_failure(details)),
                    changed=changed, timed_out=False, cluster_id=cluster_id, task_id=task_id,
                    phase=last.get("phase"), progress=last.get("progress"), task=last, failure=details)
    except CceApiError as err:
        module.fail_from_error(err, "wait for upgrade task %s of cluster %s" % (task_id, cluster_id))


def _state_of(exc, attribute):
    state = getattr(exc, attribute, None)
    if state is None and exc.args:
        state = exc.args[0]
    return state if isinstance(state, dict) else None


if __name__ == "__main__":
    main()
