# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade plan: the shortest sequence of hops from a cluster's full version to a target.

CCE moves a cluster one path step at a time: to the latest patch of its own minor, or (from that
latest patch only) to one of the minors its path table allows, minors may be skipped. CCE offers
the next step of one cluster (its upgrade info) and the table of every step (``ClusterUpgradePaths``:
one entry per version and platform version); no API plans several steps. :func:`plan_hops` does:

- the first hop comes from what CCE offers this cluster now: the upgrade info's targets, else the
  path entries of the cluster's own version and platform version;
- later hops come from the path entries of the minor a hop lands on, of any platform version (the
  platform version after a hop is not known before it): a prediction that each hop checks again
  against the cluster's fresh upgrade info when it starts;
- patch first: when a minor hop is needed and the cluster is not on the latest patch of its minor,
  the first hop is that patch;
- the fewest hops, and among plans of equal length the largest minor jumps first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import deque

from ansible_collections.hwcloud.cce.plugins.module_utils.version import (
    is_at_target,
    matches,
    parse_version,
    version_or_none,
)

LATEST = "latest"


class PlanError(ValueError):
    """No path leads to the target; the message names what CCE offers and why."""


def _versions(texts):
    """The versions among ``texts`` (CCE documents), without duplicates, in the order given."""
    seen, result = set(), []
    for text in texts or []:
        version = version_or_none(text)
        if version is not None and version.text not in seen:
            seen.add(version.text)
            result.append(version)
    return result


def _field(entry, snake, camel):
    """A field of a path entry, as normalize_upgrade_paths returns it or as CCE writes it."""
    return entry.get(snake, entry.get(camel))


def _entry_minor(entry):
    version = version_or_none(entry.get("version")) if isinstance(entry, dict) else None
    return None if version is None else version.minor_key


def _entries_of(paths, minor_key, platform_version=None):
    """Path entries whose version is of ``minor_key`` (and of ``platform_version`` when given)."""
    found = []
    for entry in paths or []:
        if _entry_minor(entry) != minor_key:
            continue
        if platform_version is not None and _field(entry, "platform_version", "platformVersion") != platform_version:
            continue
        found.append(entry)
    return found


def _best_per_minor(versions):
    """``{minor_key: version}``: the highest version listed for each minor."""
    best = {}
    for version in versions:
        known = best.get(version.minor_key)
        if known is None or version.key > known.key:
            best[version.minor_key] = version
    return best


def first_step_targets(current, platform_version, offered, paths):
    """The versions a cluster at ``current`` may move to now, as CCE offers them.

    ``offered``: the upgrade info's ``targetVersions`` (the first source; minors or full versions);
    ``paths``: the ``ClusterUpgradePaths`` entries (as CCE writes them or as normalize_upgrade_paths
    returns them), of which only those of the cluster's own version and platform version apply.
    """
    cur = parse_version(current, "current version")
    targets = _versions(offered)
    if not targets:
        for entry in _entries_of(paths, cur.minor_key, platform_version):
            entry_version = version_or_none(entry.get("version"))
            # Sources up to v1.19 are named by their full version: the entry must be this one.
            if entry_version is not None and entry_version.patch is not None and entry_version.key != cur.key:
                continue
            targets.extend(_versions(_field(entry, "target_versions", "targetVersions")))
        targets = _versions([t.text for t in targets])
    return [t for t in targets if t.key > cur.key or (t.minor_key > cur.minor_key)]


def _later_step_targets(minor_key, paths):
    """Minor targets from a cluster that a hop left on the latest patch of ``minor_key``."""
    targets = []
    for entry in _entries_of(paths, minor_key):
        targets.extend(v for v in _versions(_field(entry, "target_versions", "targetVersions")) if v.minor_key > minor_key)
    return _best_per_minor(targets)


def _shortest_minor_route(start, first_targets, goal, paths):
    """The fewest-hop list of versions from minor ``start`` to a minor satisfying ``goal``.

    ``first_targets``: ``{minor_key: version}`` allowed from ``start``; ``goal(minor_key)`` says
    whether a minor is the destination. Breadth first, larger minors first, so that among routes
    of equal length the one with the largest jumps is found first. None when none exists.
    """
    queue = deque([(start, [])])
    seen = {start}
    while queue:
        minor, route = queue.popleft()
        options = first_targets if minor == start else _later_step_targets(minor, paths)
        for key in sorted(options, reverse=True):
            if key in seen:
                continue
            seen.add(key)
            step = route + [options[key]]
            if goal(key):
                return step
            queue.append((key, step))
    return None


def _reachable_minors(start, first_targets, paths):
    """``{minor_key: version}`` of every minor reachable from ``start``."""
    reached, frontier = {}, [(start, first_targets)]
    while frontier:
        minor, options = frontier.pop()
        for key, version in options.items():
            if key not in reached or version.key > reached[key].key:
                reached[key] = version
                frontier.append((key, _later_step_targets(key, paths)))
    return reached


def _offer_text(versions):
    return ", ".join(v.text for v in versions) if versions else "none"


def plan_hops(current, target, platform_version=None, offered=None, paths=None):
    """The hops from ``current`` (a full version) to ``target`` (a version or ``latest``).

    Returns ``{"current_version", "target_version" (as asked), "final_version" (full, or the
    minor when CCE lists only minors), "hops": [{"from", "to", "kind", "reason"}], "offered"}``:
    ``kind`` is ``patch`` or ``minor``; no hops when the cluster is already at the target.
    Raises :class:`PlanError` when no path leads there, naming what CCE offers and why.
    """
    cur = parse_version(current, "current version")
    first = first_step_targets(current, platform_version, offered, paths)
    result = {"current_version": cur.text, "target_version": target, "final_version": None,
              "hops": [], "offered": [v.text for v in first]}
    latest_target = str(target).strip().lower() == LATEST
    want = None if latest_target else parse_version(target, "target_version")

    if want is not None:
        if is_at_target(cur, want):
            result["final_version"] = cur.text
            return result
        if want.minor_key < cur.minor_key or (want.minor_key == cur.minor_key and want.key < cur.key
                                              and want.patch is not None):
            raise PlanError("target_version %s is lower than the cluster's current version %s: CCE cannot "
                            "downgrade. CCE offers: %s" % (want.text, cur.text, _offer_text(first)))

    same_minor = [v for v in first if v.minor_key == cur.minor_key and v.key > cur.key]
    latest_patch = max(same_minor, key=lambda v: v.key) if same_minor else None
    minor_first = _best_per_minor([v for v in first if v.minor_key > cur.minor_key])

    hops = []
    position = cur
    if want is not None and want.minor_key == cur.minor_key:
        reaching = [v for v in same_minor if is_at_target(v, want)]
        if not reaching:
            raise PlanError("target_version %s is not offered for a cluster at %s. CCE offers: %s"
                            % (want.text, cur.text, _offer_text(first)))
        patch = max(reaching, key=lambda v: v.key)
        result["hops"] = [_hop(cur, patch, "patch", "%s is a later patch of the cluster's own minor %s"
                               % (patch.text, cur.minor_text))]
        result["final_version"] = patch.text
        return result

    if latest_target:
        reachable = _reachable_minors(cur.minor_key, minor_first, paths)
        if not reachable:
            if latest_patch is None:
                result["final_version"] = cur.text
                return result
            result["hops"] = [_hop(cur, latest_patch, "patch", "%s is the latest patch of %s and no newer minor "
                                   "is offered" % (latest_patch.text, cur.minor_text))]
            result["final_version"] = latest_patch.text
            return result
        goal_key = max(reachable)

        def goal(key):
            return key == goal_key
    else:
        def goal(key):
            return key == want.minor_key

    route = _shortest_minor_route(cur.minor_key, minor_first, goal, paths)
    if route is None:
        reachable = _reachable_minors(cur.minor_key, minor_first, paths)
        newest = max(reachable.values(), key=lambda v: v.key) if reachable else None
        raise PlanError("target_version %s cannot be reached from %s: CCE offers %s now%s."
                        % (target, cur.text, _offer_text(first),
                           (" and the upgrade paths lead up to %s" % newest.text) if newest else
                           " and its upgrade paths list no minor beyond them"))

    if latest_patch is not None:
        hops.append(_hop(cur, latest_patch, "patch", "CCE upgrades to another minor only from the latest "
                         "patch of %s" % cur.minor_text))
        position = latest_patch
    for index, step in enumerate(route):
        is_last = index == len(route) - 1
        if is_last and want is not None and want.patch is not None:
            if not is_at_target(step, want):
                raise PlanError("target_version %s is not offered: the upgrade paths lead to %s. CCE offers: %s"
                                % (want.text, step.text, _offer_text(first)))
        reason = ("the target %s" % (want.text if want is not None else "(latest: %s)" % step.text)
                  if is_last else "the largest step the upgrade paths allow from %s towards %s"
                  % (position.minor_text, want.text if want is not None else "the newest version"))
        hops.append(_hop(position, step, "minor", reason))
        position = step
    result["hops"] = hops
    result["final_version"] = position.text
    return result


def _hop(source, target, kind, reason):
    return {"from": source.text, "to": target.text, "kind": kind, "reason": reason}


# --------------------------------------------------------------------------- where a run stands

#: The steps of one hop, in order, as the role runs them (the names of the role's step files).
HOP_STEPS = ("workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify")

_POINT_STEPS = (("pre_check", "precheck"), ("snapshot", "snapshot"), ("cluster", "upgrade"), ("post_check", "postcheck"))


def _same_version(a, b):
    return bool(a and b) and (matches(a, b) or matches(b, a))


def _hop_index(hops, target):
    for index, hop in enumerate(hops):
        if _same_version(hop["to"], target):
            return index + 1
    return None


def locate_run(hops, workflow=None, active_task=None):
    """Where an interrupted run stands: None when nothing is under way for the cluster.

    ``workflow``: the newest open workflow as normalize_workflow returns it (or None);
    ``active_task``: the active upgrade task as normalize_task returns it (or None). Returns
    ``{"hop", "from", "to", "step", "workflow_id", "task_id", "task_phase", "progress"}``: ``hop``
    is the 1-based index of the plan's hop the run belongs to (None when its target is not one of
    them), ``step`` the first step not yet done.
    """
    if not workflow and not active_task:
        return None
    target = (active_task or {}).get("target_version") or (workflow or {}).get("target_version")
    source = (active_task or {}).get("version") or (workflow or {}).get("cluster_version")
    if active_task:
        step = "wait"
    else:
        step = "verify"
        points = workflow.get("points") or {}
        for key, name in _POINT_STEPS:
            if (points.get(key) or {}).get("status") != "Success":
                step = name
                break
    return {
        "hop": _hop_index(hops, target),
        "from": source,
        "to": target,
        "step": step,
        "workflow_id": (workflow or {}).get("workflow_id"),
        "task_id": (active_task or {}).get("task_id"),
        "task_phase": (active_task or {}).get("phase"),
        "progress": (active_task or {}).get("progress"),
    }


def describe_plan(plan):
    """One line: ``v1.23.8-r0 -> v1.31.10-r0 in 3 hops: v1.23.17-r0 (patch), ...``."""
    hops = plan.get("hops") or []
    if not hops:
        return "%s is already at %s: nothing to upgrade" % (plan.get("current_version"), plan.get("target_version"))
    steps = ", ".join("%s (%s)" % (hop["to"], hop["kind"]) for hop in hops)
    return "%s -> %s in %d hop%s: %s" % (plan.get("current_version"), plan.get("final_version"), len(hops),
                                         "" if len(hops) == 1 else "s", steps)


# --------------------------------------------------------------------------- the route a run takes

def steps_of(plan, snapshot=True):
    """The steps a run takes for a hop of plan ``full`` (start), ``attach``, ``retry``, ``finish`` or
    ``done``: the tail of :data:`HOP_STEPS` from where that plan begins (no snapshot when told so)."""
    first = {"full": "workflow", "attach": "upgrade", "retry": "upgrade", "finish": "postcheck"}.get(plan)
    if first is None:
        return []
    steps = list(HOP_STEPS[HOP_STEPS.index(first):])
    if not snapshot and "snapshot" in steps:
        steps.remove("snapshot")
    return steps


def _run_lead(current, target, workflow, active_task):
    """The hop a run left under way, to put first: an active task, or an open workflow whose target the
    cluster has not passed. None when nothing is under way or the run's target lies beyond ``target``."""
    run = locate_run([], workflow, active_task)
    if run is None or not run["to"]:
        return None
    cur = version_or_none(current)
    goes_to = version_or_none(run["to"])
    if cur is None or goes_to is None:
        return None
    if str(target).strip().lower() != LATEST:
        want = version_or_none(target)
        if want is None or goes_to.minor_key > want.minor_key or (
                goes_to.minor_key == want.minor_key and want.patch is not None and goes_to.key > want.key):
            return None
    reached = is_at_target(cur, goes_to)
    if reached and active_task:
        return None
    source = run["from"] or cur.text
    kind = "patch" if version_or_none(source) is not None and version_or_none(source).minor_key == goes_to.minor_key else "minor"
    return {"from": source, "to": run["to"], "kind": kind,
            "reason": "an earlier run left this upgrade %s" % ("to finish" if reached else "under way"),
            "state": "finishing" if reached else "under_way", "step": run["step"]}


def plan_route(current, target, platform_version=None, offered=None, paths=None, workflow=None, active_task=None):
    """The hops a run takes: :func:`plan_hops`, after the hop an interrupted run left under way.

    A run under way (an active upgrade task, or an open workflow) is continued first, never started
    again: its hop leads (``state`` ``under_way``, or ``finishing`` when only its post-check is left),
    and the rest is planned from the version it reaches. Every hop gets ``index`` (from 1), ``state``
    (``under_way``, ``finishing`` or ``planned``) and ``step`` (the first step not done, or None).
    Raises :class:`PlanError` as :func:`plan_hops` does.
    """
    lead = _run_lead(current, target, workflow, active_task)
    if lead is None:
        plan = plan_hops(current, target, platform_version, offered, paths)
        hops = [dict(hop, state="planned", step=None) for hop in plan["hops"]]
    else:
        reached = version_or_none(lead["to"])
        if str(target).strip().lower() == LATEST or not is_at_target(reached, parse_version(target, "target_version")):
            plan = plan_hops(reached.text, target, None, None, paths)
        else:
            plan = {"current_version": reached.text, "target_version": target, "final_version": reached.text,
                    "hops": [], "offered": []}
        hops = [lead] + [dict(hop, state="planned", step=None) for hop in plan["hops"]]
        plan = dict(plan, current_version=version_or_none(current).text,
                    offered=first_step_targets_texts(current, platform_version, offered, paths))
    for index, hop in enumerate(hops):
        hop["index"] = index + 1
    return dict(plan, hops=hops, final_version=hops[-1]["to"] if hops else plan["final_version"])


def first_step_targets_texts(current, platform_version, offered, paths):
    return [v.text for v in first_step_targets(current, platform_version, offered, paths)]


def hop_label(hop, count):
    """``hop 2 of 3 (v1.23.17-r30 -> v1.28.15-r30)``."""
    return "hop %d of %d (%s -> %s)" % (hop["index"], count, hop["from"], hop["to"])
