# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet waves of playbooks/fleet_upgrade.yml: which cluster upgrades in which wave, whether a wave passed
its health gate, the soak and the approval before the next wave, and what is reported as not run.

The playbook only executes these decisions (one task, register, when)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.errors import AnsibleFilterError

DEFAULT_SERIAL = [1, "25%", "100%"]
# Outcomes of the cluster_upgrade role (and of the fleet playbook) that let the next wave start:
# the cluster is where it should be (or check mode planned it). Any other outcome (failed, blackout,
# outside_window, window_too_short, partial, held, paused) counts against the wave's failure budget.
PASSING_OUTCOMES = ("upgraded", "already_upgraded", "no_target", "planned")
WAVE_KEYS = ("name", "hosts", "match", "soak", "max_fail_percentage")
WAVE_SHAPE = ("a list of {name, hosts (inventory groups or cluster names), match (host variables and their values), "
              "soak, max_fail_percentage}, in rollout order")
SOAK_ACCEPTED = "accepted values: seconds (0 or more), or a number with a unit: 90s, 30m, 2h"
SOAK_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}
APPROVE_ANSWERS = ("yes", "y")
GO_ON_ANSWERS = ("", "yes", "y")


def _error(option, message):
    return AnsibleFilterError("%s: %s" % (option, message))


def parse_soak(value, option="cce_fleet_soak"):
    """Seconds of a soak: a whole number of seconds or a string such as 90s, 30m, 2h."""
    if isinstance(value, bool) or value is None:
        raise _error(option, "%r is not a soak time; %s" % (value, SOAK_ACCEPTED))
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, float) and value.is_integer():
        seconds = int(value)
    else:
        match = re.match(r"^\s*(\d+)\s*([smh]?)\s*$", str(value))
        if not match:
            raise _error(option, "%r is not a soak time; %s" % (value, SOAK_ACCEPTED))
        seconds = int(match.group(1)) * SOAK_UNITS[match.group(2)]
    if seconds < 0:
        raise _error(option, "%r is negative; %s" % (value, SOAK_ACCEPTED))
    return seconds


def parse_budget(value, option="cce_fleet_max_fail_percentage"):
    accepted = "accepted values: a percentage from 0 to 100 (10 or \"10%\")"
    if isinstance(value, bool):
        raise _error(option, "%r is not a percentage; %s" % (value, accepted))
    try:
        budget = float(value.strip().rstrip("%") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise _error(option, "%r is not a percentage; %s" % (value, accepted))
    if not 0 <= budget <= 100:
        raise _error(option, "%r is out of range; %s" % (value, accepted))
    return budget


def _as_list(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _selected_by_hosts(names, option, groups, inventory_hosts):
    selected = set()
    for name in names:
        if not isinstance(name, str) or not name:
            raise _error(option, "%r is not a group or cluster name; accepted values: names of inventory groups "
                                 "(such as cce_flavor_cce) or of clusters" % (name,))
        if name in groups and name != "all":
            selected.update(groups[name])
        elif name in inventory_hosts:
            selected.add(name)
        else:
            known = sorted(group for group in groups if group not in ("all", "ungrouped"))
            raise _error(option, "%s is neither a group nor a cluster of the inventory; accepted values: the "
                                 "inventory's groups (%s) or cluster names" % (name, ", ".join(known) or "none"))
    return selected


def _selected_by_match(match, option, inventory_hosts, hostvars):
    if not isinstance(match, dict) or not match:
        raise _error(option, "%r is not a selector; accepted values: a dictionary of host variables and the "
                             "value (or list of values) each must have, for example {cce_cluster_flavor: autopilot}"
                             % (match,))
    selected = set()
    for host in inventory_hosts:
        variables = hostvars.get(host) or {}
        if all(key in variables and str(variables[key]) in [str(item) for item in _as_list(wanted)]
               for key, wanted in match.items()):
            selected.add(host)
    return selected


def _check_wave(wave, index, names):
    option = "cce_fleet_waves[%d]" % index
    if not isinstance(wave, dict):
        raise _error(option, "%r is not a wave; accepted: %s" % (wave, WAVE_SHAPE))
    unknown = sorted(set(wave) - set(WAVE_KEYS))
    if unknown:
        raise _error(option, "unknown key %s; accepted keys: %s" % (", ".join(unknown), ", ".join(WAVE_KEYS)))
    name = wave.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _error(option + ".name", "a wave needs a name (dev, staging, prod); accepted: %s" % WAVE_SHAPE)
    if name in names:
        raise _error(option + ".name", "%s names two waves; each wave needs its own name" % name)
    if wave.get("hosts") in (None, [], "") and wave.get("match") is None:
        raise _error(option, "wave %s selects nothing: give hosts (inventory groups or cluster names), match "
                             "(host variables and their values) or both" % name)
    return option, name


def cce_fleet_wave_plan(waves, run_hosts, groups=None, hostvars=None, serial=None, soak=0, max_fail_percentage=0):
    """The order, batches and waves of a fleet run.

    ``waves`` is cce_fleet_waves (None or [] for the canary batches of ``serial``); ``run_hosts`` the clusters of
    this run in the host pattern's order; ``groups`` and ``hostvars`` the inventory's."""
    run_hosts = [str(host) for host in (run_hosts or [])]
    budget = parse_budget(max_fail_percentage)
    default_soak = parse_soak(soak)
    if waves in (None, "", []):
        return {"waves": [], "skipped_waves": [], "hosts": run_hosts, "clusters": run_hosts,
                "serial": serial if serial not in (None, "", []) else DEFAULT_SERIAL, "wave_of": {}, "not_run": {},
                "lines": []}
    if not isinstance(waves, (list, tuple)):
        raise _error("cce_fleet_waves", "%r is not a list of waves; accepted: %s" % (waves, WAVE_SHAPE))
    if serial not in (None, "", []):
        raise _error("cce_fleet_serial", "give either cce_fleet_serial (canary batches) or cce_fleet_waves (each wave "
                                         "is one batch), not both; put a canary in a wave of its own")
    groups = groups or {}
    hostvars = hostvars or {}
    inventory_hosts = list(groups.get("all") or run_hosts)
    planned, names, taken, skipped, lines = [], [], set(), [], []
    for index, wave in enumerate(waves):
        option, name = _check_wave(wave, index, names)
        names.append(name)
        selected = set(inventory_hosts)
        if wave.get("hosts") not in (None, [], ""):
            selected &= _selected_by_hosts(_as_list(wave["hosts"]), option + ".hosts", groups, set(inventory_hosts))
        if wave.get("match") is not None:
            selected &= _selected_by_match(wave["match"], option + ".match", inventory_hosts, hostvars)
        if not selected:
            raise _error(option, "wave %s selects no cluster of the inventory; check its hosts and match" % name)
        wave_soak = parse_soak(wave["soak"], option + ".soak") if "soak" in wave else default_soak
        wave_budget = (parse_budget(wave["max_fail_percentage"], option + ".max_fail_percentage")
                       if "max_fail_percentage" in wave else budget)
        clusters = [host for host in run_hosts if host in selected and host not in taken]
        taken.update(clusters)
        if not clusters:
            skipped.append(name)
            lines.append("Wave %s: no cluster of this run (its clusters are outside the host pattern or limit, "
                         "or in an earlier wave)" % name)
            continue
        planned.append({"name": name, "index": len(planned) + 1, "clusters": clusters, "soak": wave_soak,
                        "max_fail_percentage": wave_budget})
        lines.append("Wave %d, %s: %s" % (len(planned), name, ", ".join(clusters)))
    unwaved = [host for host in run_hosts if host not in taken]
    if unwaved:
        lines.append("In no wave, not upgraded: %s" % ", ".join(unwaved))
    hosts = [host for wave in planned for host in wave["clusters"]]
    return {
        "waves": planned,
        "skipped_waves": skipped,
        "hosts": hosts,
        "clusters": hosts + unwaved,
        "serial": [len(wave["clusters"]) for wave in planned],
        "wave_of": dict((host, wave["name"]) for wave in planned for host in wave["clusters"]),
        "not_run": dict((host, "not run: in no wave of cce_fleet_waves") for host in unwaved),
        "lines": lines,
    }


def _is_foreground_terminal(fd, pid):
    if not os.isatty(fd):
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgid(pid)
    except OSError:
        # not this process's controlling terminal (a worker process has left it): a terminal all the same
        return True


def controller_has_terminal():
    """Whether ansible-playbook reads from a terminal in the foreground, the condition under which
    ansible.builtin.pause can ask a question. Filters run in a worker process, which has left the terminal:
    the controller is its parent (read through /proc; without /proc the answer is no terminal)."""
    if _is_foreground_terminal(0, os.getpid()):
        return True
    parent = os.getppid()
    try:
        fd = os.open("/proc/%d/fd/0" % parent, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return _is_foreground_terminal(fd, parent)
    finally:
        os.close(fd)


def _counts(results):
    counts = {}
    for result in results:
        outcome = result.get("outcome") or "not_run"
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join("%s %d" % (outcome, counts[outcome]) for outcome in sorted(counts))


def _later(plan, batch):
    later = plan["waves"][batch:]
    return "; ".join("wave %s (%s)" % (wave["name"], ", ".join(wave["clusters"])) for wave in later)


def cce_fleet_wave_gate(results, plan, batch, max_fail_percentage=0, approval=False, require_approval=False,
                        terminal=None, check_mode=False):
    """The health gate after a batch (a wave, or a canary batch without waves): whether the rollout goes on,
    the soak and the approval before the next wave, the line to show, and the message of the clusters not run."""
    results = [result for result in (results or []) if isinstance(result, dict)]
    batch = int(batch)
    waves = plan.get("waves") or []
    if not waves:
        budget = parse_budget(max_fail_percentage)
        failed = [result.get("cluster") for result in results if result.get("outcome") == "failed"]
        stop = len(failed) * 100 > budget * len(results)
        line = "Batch %d: %s; failure budget %g%%: %s" % (
            batch, _counts(results), budget, "stopping the rollout" if stop else "going on")
        return {"stop": stop, "wave": None, "soak": 0, "ask": False, "prompt": "", "line": line,
                "not_run_message": "not run: an earlier batch failed"}
    wave = waves[batch - 1]
    budget = wave["max_fail_percentage"]
    bad = [result for result in results if result.get("outcome") not in PASSING_OUTCOMES]
    passed = len(bad) * 100 <= budget * len(results)
    last = batch >= len(waves)
    decision = {"stop": False, "wave": wave["name"], "soak": 0, "ask": False, "prompt": "", "not_run_message": ""}
    judged = "Wave %s: %s; failure budget %g%%" % (wave["name"], _counts(results), budget)
    if not passed:
        names = ", ".join("%s (%s)" % (result.get("cluster"), result.get("outcome")) for result in bad)
        decision.update(stop=True, line="%s: did not pass its health gate (%s). Stopping the rollout; not run: %s"
                                        % (judged, names, _later(plan, batch) or "nothing"),
                        not_run_message="not run: wave %s did not pass its health gate (%s)" % (wave["name"], names))
        return decision
    if last:
        decision["line"] = "%s: passed its health gate; the last wave" % judged
        return decision
    following = waves[batch]
    if (approval or require_approval) and terminal is None:
        terminal = controller_has_terminal()
    if (approval or require_approval) and not terminal and require_approval:
        decision.update(
            stop=True,
            line="%s: passed its health gate. Wave %s needs an approval (cce_fleet_require_approval) and there is "
                 "no terminal to ask: stopping the rollout; not run: %s" % (judged, following["name"], _later(plan, batch)),
            not_run_message="not run: wave %s needs an approval (cce_fleet_require_approval) and the run had no "
                            "terminal to ask" % following["name"])
        return decision
    decision["soak"] = 0 if check_mode else wave["soak"]
    line = "%s: passed its health gate; next: wave %s" % (judged, following["name"])
    if wave["soak"]:
        line += " (no soak in check mode)" if check_mode else ", after a soak of %d s" % wave["soak"]
    if approval or require_approval:
        if terminal:
            decision["ask"] = True
            decision["prompt"] = (
                "Wave %s passed. Start wave %s (%s)? %s" % (
                    wave["name"], following["name"], ", ".join(following["clusters"]),
                    "Type yes to start it; anything else stops the rollout here" if require_approval
                    else "Press Enter to start it, or type stop to stop the rollout here"))
            line += ", and its approval"
        else:
            line += (". No terminal to ask for the approval of wave %s: going on without it "
                     "(cce_fleet_require_approval: true stops here instead)" % following["name"])
    decision["line"] = line
    return decision


def cce_fleet_wave_approval(answer, gate, plan, batch, require_approval=False):
    """The gate after the answer to the approval prompt: whether the next wave starts."""
    if not gate.get("ask"):
        return gate
    following = plan["waves"][int(batch)]["name"]
    text = str(answer or "").strip().lower()
    if text in (APPROVE_ANSWERS if require_approval else GO_ON_ANSWERS):
        return dict(gate, stop=False, line="Wave %s approved" % following, not_run_message="")
    return dict(gate, stop=True,
                line="Wave %s not approved (answer %r): stopping the rollout; not run: %s"
                     % (following, str(answer or ""), _later(plan, int(batch))),
                not_run_message="not run: wave %s was not approved" % following)


class FilterModule(object):
    """Fleet wave filters."""

    def filters(self):
        return {
            "cce_fleet_wave_plan": cce_fleet_wave_plan,
            "cce_fleet_wave_gate": cce_fleet_wave_gate,
            "cce_fleet_wave_approval": cce_fleet_wave_approval,
        }
