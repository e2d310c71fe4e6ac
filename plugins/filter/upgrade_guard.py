# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster_upgrade role's guard decision: what a run does with a cluster, or why it must not."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cce_upgrade_guard
short_description: Plan the upgrade of one CCE cluster from what the guard read
version_added: 0.2.0
author:
  - hwcloud.cce maintainers
description:
  - The decision of the P(hwcloud.cce.cluster_upgrade#role) role's guard step, from one read of the cluster
    (M(hwcloud.cce.cce_cluster_upgrade_info)) and of its workflows (M(hwcloud.cce.cce_upgrade_workflow_info)).
  - Judges the cluster's B(full) version (V(v1.29.15-r30)); CCE's cluster document shows only the minor, also
    after a patch upgrade, so a finished patch upgrade counts as done.
  - An upgrade task to the target that is running or paused is attached to; a task that ended with
    success between the read of the cluster and the read of its tasks counts as done.
  - Patch first. CCE moves a cluster to another minor only from the latest patch of its current minor;
    a minor target while a later patch of the current minor is offered is refused, naming the patch to
    upgrade to first.
  - Refuses (RV(_value.refusal)) a cluster that is neither Available nor Upgrading, an open workflow to
    another target, an active task to another target and a target CCE does not offer.
  - Versions are judged by the collection's one version model (module_utils/version.py).
options:
  _input:
    description: The result of M(hwcloud.cce.cce_cluster_upgrade_info) without C(task_id).
    type: dict
    required: true
  workflows:
    description: The result of M(hwcloud.cce.cce_upgrade_workflow_info) without C(workflow_id).
    type: dict
    required: true
  target:
    description: The target version, V(vX.Y), V(vX.Y.Z) or V(vX.Y.Z-rN).
    type: str
    required: true
  snapshot:
    description: Whether a full run takes a control-plane snapshot (adds the C(snapshot) step).
    type: bool
    default: true
  target_name:
    description: Name of the target variable, used in messages.
    type: str
    default: target_version
"""

EXAMPLES = r"""
- name: Plan the upgrade
  ansible.builtin.set_fact:
    plan: "{{ info | hwcloud.cce.cce_upgrade_guard(workflows, 'v1.30', target_name='cce_upgrade_target_version') }}"

- name: Refuse before any write
  ansible.builtin.fail:
    msg: "{{ plan.refusal }}"
  when: plan.refusal
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    cluster_name:
      description: The cluster's name.
      type: str
    cluster_status:
      description: The cluster's status (C(Available), C(Upgrading), ...).
      type: str
    current_version:
      description: The cluster's full current version (the minor when CCE gave no full version).
      type: str
      sample: v1.29.15-r30
    from_version:
      description: The version the upgrade starts from (of the active task or open workflow, else the current one).
      type: str
    at_target:
      description: Whether the cluster has reached the target.
      type: bool
    plan:
      description:
        - V(full) (start an upgrade), V(attach) (an upgrade task is active), V(finish) (the upgrade is done,
          the workflow's post-check is not), V(done) (nothing to do).
      type: str
    action:
      description: V(start), V(attach), V(resume) (the active task is paused), V(finish) or V(none).
      type: str
    steps:
      description: The steps a run takes, in order (the one step list of the plan, C(HOP_STEPS) of module_utils/upgrade_plan.py).
      type: list
      elements: str
    active_task:
      description: The active upgrade task (to the target), or V(null).
      type: dict
    open_workflow:
      description: The open workflow to the target, or V(null).
      type: dict
    workflow_id:
      description: ID of the open workflow, or V(null).
      type: str
    task_id:
      description: ID of the active upgrade task, or V(null).
      type: str
    failed_task:
      description:
        - With plan V(full), the newest upgrade task when it failed on its way to the target (CCE keeps it
          Failed; it can be retried), else V(null).
      type: dict
    retry_steps:
      description: The steps a run takes when it retries the failed upgrade task (RV(_value.failed_task)).
      type: list
      elements: str
    done_message:
      description: What a run that has nothing to do reports, or V(null).
      type: str
    refusal:
      description: Why the cluster must not be upgraded to the target (nothing is written), or V(null).
      type: str
"""

from ansible_collections.hwcloud.cce.plugins.filter.version import current_version
from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import steps_of
from ansible_collections.hwcloud.cce.plugins.module_utils.version import (
    is_at_target,
    is_patch_upgrade,
    latest_patch,
    matches,
    version_or_none,
)

UPGRADABLE_STATUSES = ("Available", "Upgrading")


def _ended_between_reads(info, current, target):
    """The newest task reached the target with success after the cluster was read (its old version)."""
    tasks = info.get("tasks") or []
    newest = tasks[0] if tasks and isinstance(tasks[0], dict) else None
    if newest is None or newest.get("phase") != "Success" or not matches(target, newest.get("target_version")):
        return None
    source = version_or_none(newest.get("version"))
    have = version_or_none(current)
    if source is None or have is None or not (source.covers(have) or have.covers(source)):
        return None
    return newest


def _offered_refusal(info, current, target, target_name, name):
    """Why ``target`` cannot be started from ``current`` (not offered, or patch first), or None."""
    offered = info.get("target_versions") or []
    listed = ", ".join(offered) or "none"
    want = version_or_none(target)
    have = version_or_none(current)
    if not any(matches(target, version) for version in offered):
        message = "%s %s is not offered for %s at %s; CCE offers: %s." % (target_name, target, name, current, listed)
        minors = [v.minor_key for v in (version_or_none(text) for text in offered) if v is not None]
        if want is not None and minors and all(minor < want.minor_key for minor in minors):
            message += (" CCE reaches %s from %s only in several upgrades, and this role runs one upgrade at a time: "
                        "upgrade to one of the offered versions first." % (want.minor_text, current))
        return message
    # The module's patch_target when it gives one; the same rule from the offered versions otherwise.
    patch = info["patch_target"] if "patch_target" in info else latest_patch(offered, current)
    if (patch and want is not None and have is not None and want.minor_key != have.minor_key
            and is_patch_upgrade(current, patch)):
        return ("%s %s is a minor upgrade, but %s is at %s, not the latest patch of %s: CCE upgrades to another "
                "minor only from the latest patch. Upgrade to %s first (%s=%s), then to %s."
                % (target_name, target, name, current, have.minor_text, patch, target_name, patch, target))
    return None


def upgrade_guard(info, workflows, target, snapshot=True, target_name="target_version"):
    """The guard's plan; see DOCUMENTATION."""
    info = info or {}
    workflows = workflows or {}
    target = (target or "").strip()
    name = info.get("cluster_name") or info.get("cluster_id") or "the cluster"
    status = info.get("cluster_status")
    current = current_version(info)
    active = info.get("active_task") or None
    open_any = workflows.get("open_workflow") or None
    open_same = open_any if open_any and matches(target, open_any.get("target_version")) else None
    other = open_any if open_any and open_same is None else None

    ended = None
    at_target = is_at_target(current, target)
    if not at_target:
        ended = _ended_between_reads(info, current, target)
        at_target = ended is not None
    post_done = open_same is None or ((open_same.get("points") or {}).get("post_check") or {}).get("status") == "Success"

    if active:
        plan = "attach"
    elif at_target and not post_done:
        plan = "finish"
    elif at_target:
        plan = "done"
    else:
        plan = "full"
    action = {"full": "start", "finish": "finish", "done": "none"}.get(plan)
    if action is None:
        action = "resume" if active.get("phase") == "Pause" else "attach"
    steps = steps_of(plan, snapshot)
    if active:
        from_version = active.get("version")
    elif open_any:
        from_version = open_any.get("cluster_version")
    else:
        from_version = current

    refusal = None
    if status not in UPGRADABLE_STATUSES:
        refusal = "Cluster %s is %s; an upgrade needs Available (or an upgrade in progress)." % (name, status)
    elif other is not None:
        refusal = ("Cluster %s has an open upgrade workflow %s to %s; finish or cancel it (playbooks/cancel.yml) first."
                   % (name, other.get("workflow_id"), other.get("target_version")))
    elif active and not matches(target, active.get("target_version")):
        refusal = ("An upgrade task %s to %s is already active on %s; %s is %s."
                   % (active.get("task_id"), active.get("target_version"), name, target_name, target))
    elif not at_target and not active:
        refusal = _offered_refusal(info, current, target, target_name, name)

    failed_task = None
    newest = (info.get("tasks") or [None])[0]
    if plan == "full" and isinstance(newest, dict) and newest.get("phase") == "Failed" \
            and matches(target, newest.get("target_version")):
        failed_task = newest
    done_message = None
    if plan == "done":
        reached = current if is_at_target(current, target) else (ended or {}).get("target_version")
        done_message = "Cluster %s is already at %s: nothing to do." % (name, reached)
    return {
        "cluster_name": name,
        "cluster_status": status,
        "current_version": current,
        "from_version": from_version,
        "at_target": at_target,
        "plan": plan,
        "action": action,
        "steps": steps,
        "active_task": active,
        "open_workflow": open_same,
        "workflow_id": open_any.get("workflow_id") if open_any else None,
        "task_id": active.get("task_id") if active else None,
        "failed_task": failed_task,
        "retry_steps": steps_of("retry", snapshot),
        "done_message": done_message,
        "refusal": refusal,
    }


FLAVOR_KINDS = {"autopilot": "an Autopilot", "cce": "a standard or Turbo"}


def cluster_not_found_message(other_flavor_read, cluster_id, flavor, cce_said=""):
    """Why the guard stops on a cluster that CCE does not find with ``flavor``; ``other_flavor_read`` is the
    result of hwcloud.cce.cce_cluster_info for the same ID under the other flavor (see cce_cluster_not_found_message.yml)."""
    other = "autopilot" if flavor == "cce" else "cce"
    found = ((other_flavor_read or {}).get("clusters") or [None])[0]
    if found:
        return ("Cluster %s (%s) is %s cluster, not found as %s: set cce_upgrade_cluster_flavor to %s "
                "(-e cce_upgrade_cluster_flavor=%s)." % (cluster_id, found.get("name"), FLAVOR_KINDS[other], flavor,
                                                         other, other))
    return ("Cluster %s (%s) not found; check cce_upgrade_cluster_id and cce_upgrade_cluster_flavor (and the project "
            "and region of the credentials). CCE said: %s" % (cluster_id, flavor, cce_said or ""))


class FilterModule(object):
    """Upgrade planning filters."""

    def filters(self):
        return {"cce_upgrade_guard": upgrade_guard,
                "cce_cluster_not_found_message": cluster_not_found_message}
