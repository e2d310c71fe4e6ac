# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The change record: the report of an upgrade run, of a fleet and of a pre-flight, as JSON data, as one
self-contained HTML page (inline CSS and SVG, no script, no external asset) and as Markdown.

Input shapes (what the role and the playbooks write; every key is optional):

- a run: the cluster_upgrade role's result (``cluster_name``, ``cluster_id``, ``from_version``,
  ``to_version``, ``outcome``, ``steps``, ``durations``, ``step_times``, ``started``, ``ended``, ids,
  ``accepted_risks``, ``precheck_items``, ...), with or without ``hops``: a list of ``{from, to,
  workflow_id, task_id, outcome, steps}`` where ``steps`` is a list of ``{name, start, end, duration}``
  (``step`` for ``name`` and ``started``/``ended`` for ``start``/``end`` are read too) or a mapping of
  step name to such a dict or to seconds. A run without ``hops`` is one hop.
- a fleet: ``{clusters: [{cluster, cluster_id, flavor, from, to, batch or wave, outcome, duration,
  message, started, report}], target_version}`` where ``report`` is the run of that cluster.
- a pre-flight: ``{clusters: [{cluster, cluster_id, from, to, verdict, risks, workflow_id,
  precheck_task_id, message}], target_version}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

try:
    from html import escape as _html_escape
except ImportError:  # pragma: no cover (Python 2)
    from cgi import escape as _cgi_escape

    def _html_escape(text, quote=True):
        return _cgi_escape(text, quote)

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover (Python < 3.9)
    ZoneInfo = None

from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import UTC, iso_utc, parse_timestamp
from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import HOP_STEPS

REPORT_KINDS = ("run", "fleet", "preflight")
REPORT_FORMATS = ("json", "html", "markdown")
FORMAT_SUFFIXES = {"json": ".json", "html": ".html", "markdown": ".md"}
STEP_ORDER = ("guard", "workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify")
STEP_COLOURS = {
    "guard": "#9aa5b1", "workflow": "#5b8def", "precheck": "#8e6bd8", "snapshot": "#2fa4a9",
    "upgrade": "#e8a33d", "wait": "#f2c14e", "postcheck": "#4caf7a", "verify": "#2e7d57",
}
OTHER_COLOUR = "#b0b7c3"
FAILED_COLOUR = "#d64545"
BAD_OUTCOMES = ("failed", "blocked", "not_run")
OUTCOME_CLASSES = {
    "upgraded": "good", "already_upgraded": "good", "ready": "good", "planned": "info", "partial": "warn",
    "risks": "warn", "paused": "warn", "held": "warn", "outside_window": "info", "no_target": "info",
    "failed": "bad", "blocked": "bad", "not_run": "bad",
}
PRECHECK_LEVELS = (("fatal", "Fatal"), ("warning", "Warning"), ("info", "Info"))

# What to do after a run that failed in a step (the role's variables; the message says why).
NEXT_ACTIONS = {
    "guard": "Nothing was changed. Fix what the reason says (target version, cluster status, open workflow) and run again.",
    "workflow": "Nothing was upgraded. Run again: the role finds the upgrade workflow and continues.",
    "precheck": ("Nothing was upgraded. Fix the fatal pre-check items, or accept their risk: list them in "
                 "cce_upgrade_skipped_check_items (recorded here with cce_upgrade_requested_by and cce_upgrade_change_id) "
                 "and run again."),
    "snapshot": "Nothing was upgraded. Run again: the role takes the snapshot again, then upgrades.",
    "upgrade": ("The upgrade did not complete. Fix the cause, then run again with cce_upgrade_retry_failed: true to retry "
                "the upgrade task (CCE keeps the nodes already upgraded). The snapshot serves to recover a failed upgrade."),
    "wait": ("The upgrade did not complete. Fix the cause, then run again with cce_upgrade_retry_failed: true to retry "
             "the upgrade task (CCE keeps the nodes already upgraded); a task that still runs is attached to."),
    "postcheck": "The cluster runs the new version. Run again to repeat the post-check.",
    "verify": "Check the cluster's version in the CCE console, then run again to repeat the verification.",
}
BLOCKED_ACTION = "Nothing was changed. Resolve the blocking items before the maintenance window and run the pre-flight again."


# ---------------------------------------------------------------------------------------------
# inputs

def check_report_formats(value, name="cce_upgrade_report_format", path=None, path_name="cce_upgrade_report_path"):
    """Messages (empty when fine) for a list of report formats and the report path it needs."""
    accepted = ", ".join(REPORT_FORMATS)
    if isinstance(value, str):  # -e name=html,markdown
        value = [item.strip() for item in value.split(",") if item.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        return ["%s must be a non-empty list of report formats out of %s, got %s." % (name, accepted, json.dumps(value))]
    bad = [item for item in value if item not in REPORT_FORMATS]
    if bad:
        return ["%s accepts %s; %s is not one of them." % (name, accepted, ", ".join(json.dumps(item) for item in bad))]
    if any(item != "json" for item in value) and not (isinstance(path, str) and path.strip()):
        return ["%s %s writes files: set %s (the JSON report's path; the others are written beside it)."
                % (name, ", ".join(value), path_name)]
    return []


def report_paths(path, formats):
    """Where each format is written: the JSON report at ``path``, the others beside it
    (``report.json`` -> ``report.html``, ``report.md``)."""
    stem = path[:-len(".json")] if path.endswith(".json") else path
    paths = {}
    for fmt in formats:
        paths[fmt] = path if fmt == "json" else stem + FORMAT_SUFFIXES[fmt]
    return paths


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def step_timeline(durations, ended, last_step=None, last_started=None):
    """Start and end (UTC) of each step of a run, from its step durations (in the order they ran).

    The role starts a step where the last one ended, so the steps are laid back to back, backwards from
    the end of the last step: ``last_started`` (epoch seconds) plus its duration when ``last_step`` is the
    last one, else ``ended`` (epoch seconds)."""
    items = [(name, _number(seconds)) for name, seconds in (durations or {}).items()]
    items = [(name, seconds) for name, seconds in items if seconds is not None]
    if not items:
        return []
    end = _number(ended)
    start_of_last = _number(last_started)
    if last_step == items[-1][0] and start_of_last is not None:
        end = start_of_last + items[-1][1]
    if end is None:
        return [{"step": name, "start": None, "end": None, "duration": seconds} for name, seconds in items]
    timeline = []
    for name, seconds in reversed(items):
        timeline.append({"step": name, "start": iso_utc(end - seconds), "end": iso_utc(end), "duration": seconds})
        end -= seconds
    return list(reversed(timeline))


#: The order the steps of a hop run in: the hop's guard, then its steps.
HOP_RUN_ORDER = ("guard",) + tuple(HOP_STEPS)


def hop_step_times(hops, ended):
    """The hops of a route with ``step_times`` added to each: their step durations (in run order) laid back
    to back across the hops, backwards from ``ended`` (epoch seconds), as step_timeline does for one run."""
    def rank(name):
        return HOP_RUN_ORDER.index(name) if name in HOP_RUN_ORDER else len(HOP_RUN_ORDER)

    end = _number(ended)
    hops = [dict(hop) for hop in hops if isinstance(hop, dict)]
    if end is None:
        return hops
    for hop in reversed(hops):
        items = [(name, _number(seconds)) for name, seconds in (hop.get("durations") or {}).items()]
        items = sorted(((name, seconds) for name, seconds in items if seconds is not None), key=lambda item: rank(item[0]))
        times = []
        for name, seconds in reversed(items):
            times.append({"step": name, "start": iso_utc(end - seconds), "end": iso_utc(end), "duration": seconds})
            end -= seconds
        hop["step_times"] = list(reversed(times))
    return hops


def accepted_risks(skipped, change_id=None, requested_by=None, precheck_items=None):
    """The skipped pre-check items as accepted risks: who accepted them, under which change, at which level."""
    levels = {}
    for key, level in PRECHECK_LEVELS:
        for item in (precheck_items or {}).get(key) or []:
            if isinstance(item, dict) and item.get("name"):
                levels.setdefault(item["name"], item.get("level") or level)
    risks = []
    for entry in skipped or []:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if not name:
            continue
        node_ids = list(entry.get("node_ids") or []) if isinstance(entry, dict) else []
        risks.append({"name": str(name), "node_ids": node_ids, "level": levels.get(name),
                      "accepted_by": requested_by or None, "change_id": change_id or None})
    return risks


def next_action(report):
    """What to do after this run, or None when it needs nothing."""
    outcome = report.get("outcome")
    if outcome == "blocked":
        return BLOCKED_ACTION
    if outcome != "failed":
        return None
    return NEXT_ACTIONS.get(report.get("failed_step") or "", "Read the reason, fix the cause and run again.")


def run_record(result, started=None, ended=None, last_step=None, last_started=None, skipped=None,
               change_id=None, requested_by=None, precheck=None, window=None):
    """The role's result with the change record's fields added (its own keys are kept)."""
    record = dict(result or {})
    precheck_items = {}
    if isinstance(precheck, dict) and isinstance(precheck.get("check_items"), dict):
        precheck_items = dict((key, list(precheck["check_items"].get(key) or [])) for key, _level in PRECHECK_LEVELS)
    timeline = step_timeline(record.get("durations"), ended, last_step, last_started)
    end = _number(ended)
    if end is not None and timeline and timeline[-1]["end"]:
        # step durations are rounded to 0.1 s: the last one may reach a little past the moment read as the end
        end = max(end, parse_timestamp(timeline[-1]["end"]).timestamp())
    record.update({
        "started": iso_utc(_number(started)) if _number(started) is not None else None,
        "ended": iso_utc(end) if end is not None else None,
        "step_times": timeline,
        "change_id": change_id or None,
        "requested_by": requested_by or None,
        "accepted_risks": accepted_risks(skipped, change_id, requested_by, precheck_items),
        "precheck_items": precheck_items,
        "timezone": (window.get("timezone") if isinstance(window, dict) else None) or "UTC",
    })
    if isinstance(record.get("hops"), list) and record["hops"] and timeline and timeline[-1]["end"]:
        record["hops"] = hop_step_times(record["hops"], parse_timestamp(timeline[-1]["end"]).timestamp())
    record["next_action"] = next_action(record)
    return record


# ---------------------------------------------------------------------------------------------
# reading a report

def _moment(value):
    """An aware UTC datetime from RFC 3339 text, a Go timestamp or epoch seconds; None otherwise."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is not None:
            return parsed
    seconds = _number(value)
    if seconds is not None and seconds > 0:
        return datetime.datetime.fromtimestamp(seconds, UTC)
    return None


def _steps_of(raw, durations=None):
    """A hop's steps as a list of {name, start, end, duration} (datetimes or None)."""
    entries = []
    if isinstance(raw, dict):
        for name, value in raw.items():
            entries.append(dict(value, name=name) if isinstance(value, dict) else {"name": name, "duration": value})
    elif isinstance(raw, list):
        entries = [dict(item) for item in raw if isinstance(item, dict)]
    if not entries and isinstance(durations, dict):
        entries = [{"name": name, "duration": seconds} for name, seconds in durations.items()]
    steps = []
    for item in entries:
        start = _moment(item.get("start", item.get("started")))
        end = _moment(item.get("end", item.get("ended")))
        duration = _number(item.get("duration"))
        if duration is None and start is not None and end is not None:
            duration = (end - start).total_seconds()
        steps.append({"name": str(item.get("name") or item.get("step") or "?"), "start": start, "end": end,
                      "duration": duration, "outcome": item.get("outcome")})
    return steps


def _hops_of(report):
    hops = report.get("hops")
    if isinstance(hops, list) and hops:
        result = []
        for number, hop in enumerate(item for item in hops if isinstance(item, dict)):
            result.append({
                "number": number + 1,
                "from": hop.get("from", hop.get("from_version")),
                "to": hop.get("to", hop.get("to_version")),
                "workflow_id": hop.get("workflow_id"),
                "task_id": hop.get("task_id"),
                "precheck_task_id": hop.get("precheck_task_id"),
                "snapshot_task_id": hop.get("snapshot_task_id"),
                "outcome": hop.get("outcome"),
                "failed_step": hop.get("failed_step"),
                "steps": _steps_of(hop.get("steps") or hop.get("step_times"), hop.get("durations")),
            })
        return result
    return [{
        "number": 1,
        "from": report.get("from_version"),
        "to": report.get("to_version") or report.get("target_version"),
        "workflow_id": report.get("workflow_id"),
        "task_id": report.get("task_id"),
        "precheck_task_id": report.get("precheck_task_id"),
        "snapshot_task_id": report.get("snapshot_task_id"),
        "outcome": report.get("outcome"),
        "failed_step": report.get("failed_step"),
        "steps": _steps_of(report.get("step_times"), report.get("durations")),
    }]


def _zone(name):
    if not name or name == "UTC" or ZoneInfo is None:
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # unknown zone: UTC only
        return None


def _failed_step_of(hops, report):
    """(hop number, step name) where the run failed, or (None, None)."""
    if report.get("outcome") not in ("failed", "blocked"):
        return None, None
    for hop in hops:
        if hop.get("failed_step") or hop.get("outcome") in ("failed", "blocked"):
            return hop["number"], hop.get("failed_step") or report.get("failed_step")
    return (hops[-1]["number"] if hops else None), report.get("failed_step")


def read_run(report):
    """A run report in the shape the renderers use."""
    report = report if isinstance(report, dict) else {}
    hops = _hops_of(report)
    failed_hop, failed_step = _failed_step_of(hops, report)
    for hop in hops:
        for step in hop["steps"]:
            step["failed"] = hop["number"] == failed_hop and step["name"] == failed_step
    items = report.get("precheck_items") if isinstance(report.get("precheck_items"), dict) else {}
    zone_name = report.get("timezone") or "UTC"
    return {
        "name": report.get("cluster_name") or report.get("cluster") or report.get("cluster_id") or "?",
        "cluster_id": report.get("cluster_id"),
        "flavor": report.get("cluster_flavor") or report.get("flavor"),
        "from": report.get("from_version"),
        "to": report.get("to_version"),
        "target": report.get("target_version"),
        "outcome": report.get("outcome") or "unknown",
        "action": report.get("action"),
        "planned_steps": list(report.get("steps") or []),
        "check_mode": bool(report.get("check_mode")),
        "started": _moment(report.get("started")),
        "ended": _moment(report.get("ended")),
        "duration": _number(report.get("duration")),
        "zone_name": zone_name,
        "zone": _zone(zone_name),
        "change_id": report.get("change_id"),
        "requested_by": report.get("requested_by"),
        "accepted_risks": [risk for risk in report.get("accepted_risks") or [] if isinstance(risk, dict)],
        "precheck_items": dict((key, [item for item in items.get(key) or [] if isinstance(item, dict)])
                               for key, _level in PRECHECK_LEVELS),
        "risks": [risk for risk in report.get("risks") or [] if isinstance(risk, dict)],
        "hops": hops,
        "failed_hop": failed_hop if len(hops) > 1 else None,
        "failed_step": failed_step,
        "message": report.get("message") or "",
        "next_action": report.get("next_action") or next_action(report),
        "next_window": report.get("next_window"),
    }


def read_fleet(report):
    """A fleet report: its clusters (each with its run, when it ran) in the shape the renderers use."""
    report = report if isinstance(report, dict) else {}
    clusters = []
    for row in report.get("clusters") or []:
        if not isinstance(row, dict):
            continue
        run = read_run(row["report"]) if isinstance(row.get("report"), dict) else None
        outcome = row.get("outcome") or (run or {}).get("outcome") or "unknown"
        started = _moment(row.get("started"))
        duration = _number(row.get("duration"))
        clusters.append({
            "name": row.get("cluster") or (run or {}).get("name") or "?",
            "cluster_id": row.get("cluster_id"),
            "flavor": row.get("flavor"),
            "from": row.get("from"),
            "to": row.get("to"),
            "wave": row.get("wave") or row.get("batch"),
            "outcome": outcome,
            "duration": duration,
            "message": row.get("message") or "",
            "started": started,
            "run": run,
        })
    return {"clusters": clusters, "target": report.get("target_version"),
            "wave_name": "wave" if any(isinstance(row, dict) and row.get("wave") for row in report.get("clusters") or []) else "batch"}


def fleet_waves(clusters):
    """The waves (or batch numbers) of a fleet's clusters, in rollout order: the summary's order."""
    waves = []
    for cluster in clusters:
        if cluster["wave"] not in (None, "", 0) and cluster["wave"] not in waves:
            waves.append(cluster["wave"])
    return waves


def read_preflight(report):
    report = report if isinstance(report, dict) else {}
    clusters = []
    for row in report.get("clusters") or []:
        if isinstance(row, dict):
            clusters.append({
                "name": row.get("cluster") or "?", "cluster_id": row.get("cluster_id"), "from": row.get("from"),
                "to": row.get("to"), "verdict": row.get("verdict") or "unknown",
                "risks": [risk for risk in row.get("risks") or [] if isinstance(risk, dict)],
                "workflow_id": row.get("workflow_id"), "precheck_task_id": row.get("precheck_task_id"),
                "message": row.get("message") or "",
            })
    return {"clusters": clusters, "target": report.get("target_version")}


def counts(values):
    """(value, count) pairs, most frequent first."""
    tally = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))


# ---------------------------------------------------------------------------------------------
# text helpers

def format_duration(seconds):
    """``0.4 s``, ``42 s``, ``3 min 05 s``, ``2 h 04 min``; ``-`` when unknown."""
    seconds = _number(seconds)
    if seconds is None:
        return "-"
    if seconds < 10:
        return "%.1f s" % seconds
    whole = int(round(seconds))
    if whole < 60:
        return "%d s" % whole
    if whole < 3600:
        return "%d min %02d s" % (whole // 60, whole % 60)
    return "%d h %02d min" % (whole // 3600, (whole % 3600) // 60)


def format_time(moment, zone=None):
    """``2026-06-13 02:00:05 UTC`` (or in ``zone``: ``2026-06-13 04:00:05 CEST``); ``-`` when unknown."""
    if moment is None:
        return "-"
    if zone is None:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or str(zone))


def _text(value):
    return "-" if value is None or value == "" else str(value)


def _esc(value):
    return _html_escape(_text(value), quote=True)


# ---------------------------------------------------------------------------------------------
# the timeline chart (inline SVG)

def _span(rows):
    moments = []
    for row in rows:
        for hop in row["hops"]:
            for step in hop["steps"]:
                moments.extend(m for m in (step["start"], step["end"]) if m is not None)
    if not moments:
        return None, None
    first, last = min(moments), max(moments)
    if last <= first:
        last = first + datetime.timedelta(seconds=1)
    return first, last


def _tick_seconds(total):
    for tick in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if total / tick <= 8:
            return tick
    return 86400 * 7


def timeline_svg(rows, title="Timeline"):
    """An inline SVG: one bar per row (``{label, outcome, hops: [{number, steps}], note}``), one segment
    per step coloured by step, a dark mark where a hop starts, the failed step in red with a cross."""
    label_width, bar_left, width, row_height, top = 170, 180, 980, 26, 46
    bar_width = width - bar_left - 200  # room for the outcome after the longest bar
    first, last = _span(rows)
    height = top + row_height * max(len(rows), 1) + 56
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" width="%d" height="%d" '
           'viewBox="0 0 %d %d" aria-label="%s">' % (width, height, width, height, _esc(title)),
           '<title>%s</title>' % _esc(title),
           '<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>' % (width, height)]
    if first is not None:
        total = (last - first).total_seconds()
        scale = bar_width / total
        tick = _tick_seconds(total)
        count = int(total // tick) + 1
        for index in range(count + 1):
            offset = index * tick
            if offset > total + 1e-9:
                break
            x = bar_left + offset * scale
            moment = first + datetime.timedelta(seconds=offset)
            label = moment.strftime("%H:%M:%S") if tick >= 1 else moment.strftime("%H:%M:%S.") + "%d" % (moment.microsecond // 100000)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e3e7ed"/>'
                       % (x, top - 6, x, top + row_height * len(rows)))
            out.append('<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>' % (x, top - 10, label))
        out.append('<text x="%d" y="16" class="axis">UTC, from %s to %s</text>'
                   % (bar_left, _esc(format_time(first)), _esc(format_time(last))))
    for index, row in enumerate(rows):
        y = top + index * row_height
        bad = row["outcome"] in BAD_OUTCOMES
        out.append('<g class="bar" data-cluster="%s" data-outcome="%s">' % (_esc(row["label"]), _esc(row["outcome"])))
        out.append('<text x="%d" y="%d" class="label" text-anchor="end">%s</text>'
                   % (label_width, y + 16, _esc(row["label"])))
        end_x = bar_left
        for hop in row["hops"]:
            hop_start = None
            for step in hop["steps"]:
                if first is None or step["start"] is None or step["end"] is None:
                    continue
                x = bar_left + (step["start"] - first).total_seconds() * scale
                w = max((step["end"] - step["start"]).total_seconds() * scale, 1.5)
                hop_start = x if hop_start is None else min(hop_start, x)
                colour = FAILED_COLOUR if step.get("failed") else STEP_COLOURS.get(step["name"], OTHER_COLOUR)
                out.append('<rect class="step%s" data-step="%s" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s">'
                           '<title>%s%s: %s, %s to %s</title></rect>'
                           % (" failed" if step.get("failed") else "", _esc(step["name"]), x, y + 4, w, row_height - 8,
                              colour, ("hop %d " % hop["number"]) if len(row["hops"]) > 1 else "", _esc(step["name"]),
                              format_duration(step["duration"]), _esc(format_time(step["start"])),
                              _esc(format_time(step["end"]))))
                end_x = max(end_x, x + w)
                if step.get("failed"):
                    cx = x + w + 7
                    out.append('<path class="failure-mark" d="M%.1f %d L%.1f %d M%.1f %d L%.1f %d" stroke="%s" stroke-width="2.5"/>'
                               % (cx - 5, y + 8, cx + 5, y + 18, cx + 5, y + 8, cx - 5, y + 18, FAILED_COLOUR))
                    end_x = max(end_x, cx + 6)
            if hop["number"] > 1 and hop_start is not None:
                out.append('<line class="hop-mark" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#1f2933" stroke-width="2"/>'
                           '<text x="%.1f" y="%d" class="hop">hop %d</text>'
                           % (hop_start, y + 1, hop_start, y + row_height - 1, hop_start + 2, y + 2, hop["number"]))
        note = row.get("note") or row["outcome"]
        out.append('<text x="%.1f" y="%d" class="outcome%s">%s</text>'
                   % (end_x + (16 if bad else 6), y + 16, " bad" if bad else "", _esc(note)))
        out.append('</g>')
    legend_y = top + row_height * max(len(rows), 1) + 24
    x = bar_left
    for name in STEP_ORDER + ("failed",):
        colour = FAILED_COLOUR if name == "failed" else STEP_COLOURS[name]
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" class="legend">%s</text>'
                   % (x, legend_y, colour, x + 16, legend_y + 10, name))
        x += 16 + 7 * len(name) + 12
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1f2933" stroke-width="2"/>'
               '<text x="%d" y="%d" class="legend">hop start</text>' % (x, legend_y - 1, x, legend_y + 13, x + 6, legend_y + 10))
    out.append('</svg>')
    return "".join(out)


def _chart_rows_of_fleet(fleet):
    rows = []
    for cluster in fleet["clusters"]:
        run = cluster["run"]
        hops = run["hops"] if run else []
        if not any(step["start"] for hop in hops for step in hop["steps"]) and cluster["started"] and cluster["duration"]:
            end = cluster["started"] + datetime.timedelta(seconds=cluster["duration"])
            whole_run = {"name": "run", "start": cluster["started"], "end": end, "duration": cluster["duration"],
                         "failed": cluster["outcome"] == "failed"}
            hops = [{"number": 1, "steps": [whole_run]}]
        note = cluster["outcome"].replace("_", " ")
        if run and run["failed_step"]:
            note += " in %s" % run["failed_step"]
        if len(hops) > 1:
            note += " (%d hops)" % len(hops)
        rows.append({"label": cluster["name"], "outcome": cluster["outcome"], "hops": hops, "note": note})
    return rows


def _chart_rows_of_run(run):
    note = run["outcome"].replace("_", " ") + (" in %s" % run["failed_step"] if run["failed_step"] else "")
    return [{"label": "hop %d: %s" % (hop["number"], _text(hop["to"])) if len(run["hops"]) > 1 else run["name"],
             "outcome": hop.get("outcome") or run["outcome"], "hops": [dict(hop, number=1)],
             "note": (hop.get("outcome") or note) if len(run["hops"]) > 1 else note}
            for hop in run["hops"]]


# ---------------------------------------------------------------------------------------------
# HTML

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2933;
       margin: 24px auto; max-width: 1040px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 4px; } h2 { font-size: 1.25em; margin-top: 28px; border-bottom: 1px solid #d9dee5; }
h3 { font-size: 1.05em; margin-top: 20px; }
.subtitle { color: #52606d; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.92em; }
th, td { border: 1px solid #d9dee5; padding: 4px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
td:last-child { white-space: normal; }
th { background: #f2f4f7; }
table.facts th { width: 190px; }
code { font-family: "SFMono-Regular", Consolas, "Liberation Mono", monospace; font-size: 0.92em; }
.outcome { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 0.9em; }
.outcome.good { background: #d7f5e3; color: #1b6b3f; } .outcome.warn { background: #fff1c7; color: #7a5300; }
.outcome.bad { background: #fbd9d9; color: #9b1c1c; } .outcome.info { background: #dde8fb; color: #1c4595; }
.outcome.unknown { background: #eceff3; color: #3e4c59; }
.failure { border-left: 4px solid #d64545; background: #fdf0f0; padding: 8px 14px; margin: 12px 0; }
.note { border-left: 4px solid #5b8def; background: #eef3fd; padding: 8px 14px; margin: 12px 0; }
section.cluster { margin-top: 26px; }
svg.timeline text { font-family: inherit; font-size: 12px; fill: #1f2933; }
svg.timeline text.tick, svg.timeline text.axis, svg.timeline text.hop { font-size: 10px; fill: #52606d; }
svg.timeline text.bad { fill: #9b1c1c; font-weight: 600; }
footer { margin-top: 36px; color: #7b8794; font-size: 0.85em; }
"""


def _badge(outcome):
    return '<span class="outcome %s">%s</span>' % (OUTCOME_CLASSES.get(outcome, "unknown"), _esc(outcome))


def _table(headers, rows, css_class=None):
    out = ['<table%s><thead><tr>' % (' class="%s"' % css_class if css_class else "")]
    out.extend("<th>%s</th>" % _esc(header) for header in headers)
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join("<td>%s</td>" % cell for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _facts(pairs):
    return ('<table class="facts"><tbody>'
            + "".join("<tr><th>%s</th><td>%s</td></tr>" % (_esc(name), value) for name, value in pairs)
            + "</tbody></table>")


def _page(title, subtitle, body, generated):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>%s</title><style>%s</style></head><body>\n<h1>%s</h1>\n<p class=\"subtitle\">%s</p>\n%s\n"
            "<footer>Change record written by the hwcloud.cce collection%s.</footer>\n</body></html>\n"
            % (_esc(title), CSS, _esc(title), subtitle, body,
               (" at " + _esc(format_time(generated))) if generated else ""))


def _times(moment, run):
    text = _esc(format_time(moment))
    if run["zone"] is not None and moment is not None:
        text += "<br>%s" % _esc(format_time(moment, run["zone"]))
    return text


def _run_html(run, heading="h2", fleet=False):
    sub = "h3" if heading == "h2" else "h4"
    out = []
    if fleet:
        out.append('<section class="cluster" id="cluster-%s"><%s>%s %s</%s>'
                   % (_esc(run["name"]), heading, _esc(run["name"]), _badge(run["outcome"]), heading))
    facts = [
        ("Cluster", "%s <code>%s</code> (%s)" % (_esc(run["name"]), _esc(run["cluster_id"]), _esc(run["flavor"]))),
        ("Outcome", _badge(run["outcome"]) + (" (check mode: nothing was changed)" if run["check_mode"] else "")),
        ("Version", "%s &rarr; %s (target %s)" % (_esc(run["from"]), _esc(run["to"]), _esc(run["target"]))),
        ("Change", "%s, requested by %s" % (_esc(run["change_id"]), _esc(run["requested_by"]))),
        ("Started", _times(run["started"], run)),
        ("Ended", _times(run["ended"], run)),
        ("Duration", _esc(format_duration(run["duration"]))),
    ]
    if not fleet:
        out.append(_facts(facts))
    else:
        out.append(_facts(facts[2:]))
    if run["outcome"] in ("failed", "blocked"):
        where = "step <strong>%s</strong>" % _esc(run["failed_step"]) if run["failed_step"] else "the run"
        if run["failed_hop"]:
            where += " of hop %d" % run["failed_hop"]
        out.append('<div class="failure"><p><strong>%s in %s.</strong></p><p>Reason: %s</p><p>What to do next: %s</p></div>'
                   % (_esc(run["outcome"].capitalize()), where, _esc(run["message"]), _esc(run["next_action"])))
    elif run["message"]:
        out.append('<div class="note"><p>%s</p></div>' % _esc(run["message"]))
    out.append("<%s>Plan</%s>" % (sub, sub))
    out.append("<p>Action <strong>%s</strong>; steps: %s.</p>" % (
        _esc(run["action"]), _esc(", ".join(run["planned_steps"]) or "none")))
    for hop in run["hops"]:
        title = "Hop %d: %s &rarr; %s" % (hop["number"], _esc(hop["from"]), _esc(hop["to"]))
        out.append("<%s>%s %s</%s>" % (sub, title, _badge(hop["outcome"]) if hop.get("outcome") else "", sub))
        out.append(_facts([("Workflow", "<code>%s</code>" % _esc(hop["workflow_id"])),
                           ("Pre-check task", "<code>%s</code>" % _esc(hop["precheck_task_id"])),
                           ("Snapshot task", "<code>%s</code>" % _esc(hop["snapshot_task_id"])),
                           ("Upgrade task", "<code>%s</code>" % _esc(hop["task_id"]))]))
        rows = []
        for step in hop["steps"]:
            name = _esc(step["name"]) + (' <span class="outcome bad">failed</span>' if step.get("failed") else "")
            row = [name, _esc(format_time(step["start"])), _esc(format_time(step["end"]))]
            if run["zone"] is not None:
                row += [_esc(format_time(step["start"], run["zone"])), _esc(format_time(step["end"], run["zone"]))]
            rows.append(row + [_esc(format_duration(step["duration"]))])
        headers = ["step", "start (UTC)", "end (UTC)"]
        if run["zone"] is not None:
            headers += ["start (%s)" % run["zone_name"], "end (%s)" % run["zone_name"]]
        out.append(_table(headers + ["duration"], rows) if rows else "<p>No step ran.</p>")
    if any(step["start"] for hop in run["hops"] for step in hop["steps"]) and not fleet:
        out.append("<%s>Timeline</%s>" % (sub, sub))
        out.append(timeline_svg(_chart_rows_of_run(run), "Steps of %s" % run["name"]))
    out.append("<%s>Pre-check items</%s>" % (sub, sub))
    item_rows = []
    for key, level in PRECHECK_LEVELS:
        for item in run["precheck_items"][key]:
            item_rows.append([_esc(item.get("level") or level), _esc(item.get("name")), _esc(item.get("phase")),
                              _esc(item.get("message"))])
    out.append(_table(["level", "item", "result", "what"], item_rows) if item_rows else "<p>No pre-check item reported.</p>")
    if run["risks"]:
        out.append(_table(["risk", "level", "what"],
                          [[_esc(r.get("name")), _esc(r.get("level")), _esc(r.get("what"))] for r in run["risks"]]))
    out.append("<%s>Accepted risks</%s>" % (sub, sub))
    if run["accepted_risks"]:
        out.append(_table(["item", "level", "nodes", "accepted by", "change"], [
            [_esc(r.get("name")), _esc(r.get("level")), _esc(", ".join(r.get("node_ids") or []) or "all"),
             _esc(r.get("accepted_by")), _esc(r.get("change_id"))] for r in run["accepted_risks"]]))
    else:
        out.append("<p>None: no pre-check item was skipped.</p>")
    if fleet:
        out.append("</section>")
    return "\n".join(out)


def render_run_html(report, generated=None):
    run = read_run(report)
    subtitle = "%s %s &rarr; %s %s" % (_esc(run["name"]), _esc(run["from"]), _esc(run["to"]), _badge(run["outcome"]))
    return _page("Change record: upgrade of %s" % run["name"], subtitle, _run_html(run), generated)


def render_fleet_html(report, generated=None):
    fleet = read_fleet(report)
    clusters = fleet["clusters"]
    body = ["<h2>Summary</h2>"]
    body.append(_table(["outcome", "clusters"], [[_badge(outcome), str(number)]
                                                 for outcome, number in counts(c["outcome"] for c in clusters)]))
    waves = fleet_waves(clusters)
    if waves:
        rows = []
        for wave in waves:
            members = [c for c in clusters if c["wave"] == wave]
            rows.append([_esc(wave), ", ".join("%s %d" % (_badge(o), n) for o, n in counts(c["outcome"] for c in members)),
                         _esc(", ".join(c["name"] for c in members))])
        body.append(_table([fleet["wave_name"], "outcomes", "clusters"], rows))
    body.append("<h2>Timeline</h2>")
    body.append(timeline_svg(_chart_rows_of_fleet(fleet), "Fleet timeline"))
    body.append("<h2>Clusters</h2>")
    body.append(_table(["cluster", fleet["wave_name"], "from", "to", "outcome", "duration", "message"], [
        ['<a href="#cluster-%s">%s</a>' % (_esc(c["name"]), _esc(c["name"])) if c["run"] else _esc(c["name"]),
         _esc(c["wave"]), _esc(c["from"]), _esc(c["to"]), _badge(c["outcome"]),
         _esc(format_duration(c["duration"])), _esc(c["message"])] for c in clusters]))
    body.append("<h2>Per cluster</h2>")
    for cluster in clusters:
        if cluster["run"]:
            body.append(_run_html(cluster["run"], heading="h3", fleet=True))
    subtitle = "%d clusters to %s: %s" % (len(clusters), _esc(fleet["target"] or "their next version"), ", ".join(
        "%d %s" % (n, _esc(o)) for o, n in counts(c["outcome"] for c in clusters)))
    return _page("Change record: fleet upgrade", subtitle, "\n".join(body), generated)


def render_preflight_html(report, generated=None):
    record = read_preflight(report)
    clusters = record["clusters"]
    body = ["<h2>Summary</h2>",
            _table(["verdict", "clusters"], [[_badge(v), str(n)] for v, n in counts(c["verdict"] for c in clusters)]),
            "<h2>Clusters</h2>",
            _table(["cluster", "from", "to", "verdict", "workflow", "pre-check task", "message"], [
                [_esc(c["name"]), _esc(c["from"]), _esc(c["to"]), _badge(c["verdict"]), "<code>%s</code>" % _esc(c["workflow_id"]),
                 "<code>%s</code>" % _esc(c["precheck_task_id"]), _esc(c["message"])] for c in clusters])]
    body.append("<h2>Items</h2>")
    rows = [[_esc(c["name"]), _esc(r.get("level")), _esc(r.get("name")), _esc(r.get("what"))]
            for c in clusters for r in c["risks"]]
    body.append(_table(["cluster", "level", "item", "what"], rows) if rows else "<p>No risk found.</p>")
    subtitle = "Readiness of %d clusters for %s: %s" % (len(clusters), _esc(record["target"] or "their next version"), ", ".join(
        "%d %s" % (n, _esc(v)) for v, n in counts(c["verdict"] for c in clusters)))
    return _page("Readiness record: pre-flight", subtitle, "\n".join(body), generated)


# ---------------------------------------------------------------------------------------------
# Markdown

def _md(value):
    """A table cell or inline text: one line, pipes and angle brackets escaped."""
    text = " ".join(_text(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*").replace("_", "\\_")


def _md_table(headers, rows):
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(cell for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def _md_code(value):
    return "`%s`" % _text(value).replace("`", "'")


def _md_time(moment, run):
    text = _md(format_time(moment))
    if run["zone"] is not None and moment is not None:
        text += " (%s)" % _md(format_time(moment, run["zone"]))
    return text


def _run_markdown(run, level=2):
    sub = "#" * (level + 1)
    out = [_md_table(["", ""], [
        ["Cluster", "%s %s (%s)" % (_md(run["name"]), _md_code(run["cluster_id"]), _md(run["flavor"]))],
        ["Outcome", "**%s**%s" % (_md(run["outcome"]), " (check mode: nothing was changed)" if run["check_mode"] else "")],
        ["Version", "%s → %s (target %s)" % (_md(run["from"]), _md(run["to"]), _md(run["target"]))],
        ["Change", "%s, requested by %s" % (_md(run["change_id"]), _md(run["requested_by"]))],
        ["Started", _md_time(run["started"], run)],
        ["Ended", _md_time(run["ended"], run)],
        ["Duration", _md(format_duration(run["duration"]))],
    ])]
    if run["outcome"] in ("failed", "blocked"):
        where = "step %s" % _md(run["failed_step"]) if run["failed_step"] else "the run"
        if run["failed_hop"]:
            where += " of hop %d" % run["failed_hop"]
        out.append("> **%s in %s.**\n>\n> Reason: %s\n>\n> What to do next: %s"
                   % (_md(run["outcome"].capitalize()), where, _md(run["message"]), _md(run["next_action"])))
    elif run["message"]:
        out.append("> %s" % _md(run["message"]))
    out.append("%s Plan\n\nAction **%s**; steps: %s." % (sub, _md(run["action"]), _md(", ".join(run["planned_steps"]) or "none")))
    for hop in run["hops"]:
        outcome = (" (%s)" % _md(hop["outcome"])) if hop.get("outcome") else ""
        out.append("%s Hop %d: %s → %s%s" % (sub, hop["number"], _md(hop["from"]), _md(hop["to"]), outcome))
        out.append("Workflow %s, pre-check task %s, snapshot task %s, upgrade task %s." % (
            _md_code(hop["workflow_id"]), _md_code(hop["precheck_task_id"]), _md_code(hop["snapshot_task_id"]),
            _md_code(hop["task_id"])))
        headers = ["step", "start (UTC)", "end (UTC)"]
        if run["zone"] is not None:
            headers += ["start (%s)" % run["zone_name"], "end (%s)" % run["zone_name"]]
        rows = []
        for step in hop["steps"]:
            row = [_md(step["name"]) + (" **failed**" if step.get("failed") else ""), _md(format_time(step["start"])),
                   _md(format_time(step["end"]))]
            if run["zone"] is not None:
                row += [_md(format_time(step["start"], run["zone"])), _md(format_time(step["end"], run["zone"]))]
            rows.append(row + [_md(format_duration(step["duration"]))])
        out.append(_md_table(headers + ["duration"], rows) if rows else "No step ran.")
    out.append("%s Pre-check items" % sub)
    rows = [[_md(item.get("level") or level_name), _md(item.get("name")), _md(item.get("phase")), _md(item.get("message"))]
            for key, level_name in PRECHECK_LEVELS for item in run["precheck_items"][key]]
    out.append(_md_table(["level", "item", "result", "what"], rows) if rows else "No pre-check item reported.")
    if run["risks"]:
        rows = [[_md(r.get("name")), _md(r.get("level")), _md(r.get("what"))] for r in run["risks"]]
        out.append(_md_table(["risk", "level", "what"], rows))
    out.append("%s Accepted risks" % sub)
    if run["accepted_risks"]:
        out.append(_md_table(["item", "level", "nodes", "accepted by", "change"], [
            [_md(r.get("name")), _md(r.get("level")), _md(", ".join(r.get("node_ids") or []) or "all"),
             _md(r.get("accepted_by")), _md(r.get("change_id"))] for r in run["accepted_risks"]]))
    else:
        out.append("None: no pre-check item was skipped.")
    return "\n\n".join(out)


def render_run_markdown(report, generated=None):
    run = read_run(report)
    return "# Change record: upgrade of %s\n\n%s\n\n%s\n" % (_md(run["name"]), _run_markdown(run), _md_footer(generated))


def _md_footer(generated):
    return "_Change record written by the hwcloud.cce collection%s._" % (
        (" at " + format_time(generated)) if generated else "")


def render_fleet_markdown(report, generated=None):
    fleet = read_fleet(report)
    clusters = fleet["clusters"]
    out = ["# Change record: fleet upgrade",
           "%d clusters to %s." % (len(clusters), _md(fleet["target"] or "their next version")),
           "## Summary",
           _md_table(["outcome", "clusters"], [[_md(o), str(n)] for o, n in counts(c["outcome"] for c in clusters)])]
    waves = fleet_waves(clusters)
    if waves:
        out.append(_md_table([fleet["wave_name"], "clusters", "outcomes"], [
            [_md(w), _md(", ".join(c["name"] for c in clusters if c["wave"] == w)),
             _md(", ".join("%s %d" % (o, n) for o, n in counts(c["outcome"] for c in clusters if c["wave"] == w)))]
            for w in waves]))
    out.append("## Clusters")
    out.append(_md_table(["cluster", fleet["wave_name"], "from", "to", "outcome", "started (UTC)", "duration", "message"], [
        [_md(c["name"]), _md(c["wave"]), _md(c["from"]), _md(c["to"]), "**%s**" % _md(c["outcome"]),
         _md(format_time(c["started"])), _md(format_duration(c["duration"])), _md(c["message"])] for c in clusters]))
    for cluster in clusters:
        if cluster["run"]:
            out.append("## %s: %s" % (_md(cluster["name"]), _md(cluster["outcome"])))
            out.append(_run_markdown(cluster["run"], level=3))
    out.append(_md_footer(generated))
    return "\n\n".join(out) + "\n"


def render_preflight_markdown(report, generated=None):
    record = read_preflight(report)
    clusters = record["clusters"]
    out = ["# Readiness record: pre-flight",
           "%d clusters checked for %s." % (len(clusters), _md(record["target"] or "their next version")),
           "## Summary",
           _md_table(["verdict", "clusters"], [[_md(v), str(n)] for v, n in counts(c["verdict"] for c in clusters)]),
           "## Clusters",
           _md_table(["cluster", "from", "to", "verdict", "workflow", "pre-check task", "message"], [
               [_md(c["name"]), _md(c["from"]), _md(c["to"]), "**%s**" % _md(c["verdict"]), _md_code(c["workflow_id"]),
                _md_code(c["precheck_task_id"]), _md(c["message"])] for c in clusters]),
           "## Items"]
    rows = [[_md(c["name"]), _md(r.get("level")), _md(r.get("name")), _md(r.get("what"))] for c in clusters for r in c["risks"]]
    out.append(_md_table(["cluster", "level", "item", "what"], rows) if rows else "No risk found.")
    out.append(_md_footer(generated))
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# one entry point

RENDERERS = {
    ("run", "html"): render_run_html, ("run", "markdown"): render_run_markdown,
    ("fleet", "html"): render_fleet_html, ("fleet", "markdown"): render_fleet_markdown,
    ("preflight", "html"): render_preflight_html, ("preflight", "markdown"): render_preflight_markdown,
}


def render_json(report):
    """The JSON report as Ansible's to_nice_json writes it, with a final newline."""
    return json.dumps(report, indent=4, sort_keys=True, separators=(",", ": "), ensure_ascii=False) + "\n"


def render(report, kind, fmt, generated=None):
    """The text of ``report`` (a ``kind`` of report) in format ``fmt``."""
    if kind not in REPORT_KINDS:
        raise ValueError("rendering the change record: kind must be one of %s, got %r" % (", ".join(REPORT_KINDS), kind))
    if fmt == "json":
        return render_json(report)
    if (kind, fmt) not in RENDERERS:
        raise ValueError("rendering the change record: format must be one of %s, got %r" % (", ".join(REPORT_FORMATS), fmt))
    try:
        return RENDERERS[(kind, fmt)](report, generated=generated)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ValueError("rendering the %s change record as %s: %s" % (kind, fmt, exc))


def write_if_changed(path, text, check_mode=False):
    """Write ``text`` to ``path`` unless it holds that already; returns whether it (would have) changed."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return False
    except (IOError, OSError):
        pass
    if check_mode:
        return True
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.tmp%d" % (os.path.basename(path), os.getpid()))
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.rename(temporary, path)
    except (IOError, OSError) as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise ValueError("writing the change record %s: %s" % (path, exc))
    return True
