# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet summary: its rows (one per cluster of a fleet run), its table, and one summary from the summaries
of several fleet runs (the slices of an AWX sliced job).

Documentation: cce_fleet_summary_rows.yml, cce_fleet_summary_table.yml, cce_fleet_summary_merge.yml and
cce_fleet_merged_table.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

NOT_RUN = "not_run"
BAD_OUTCOMES = ("failed", NOT_RUN)
TRAILING_NUMBER = re.compile(r"(\d+)$")
# The reason of a cluster the run did not reach, when neither the wave plan nor the last gate gives one.
NOT_RUN_BY_BATCH = "not run: an earlier batch failed"
TABLE_ROW = "%-30s %5s %-12s %-12s %-16s %9s  %s"
MERGED_TABLE_ROW = "%-30s %8s %-12s %-12s %-16s"
JOB_PART = re.compile(r"^cce_fleet_summary_job_")


def _mapping(value):
    return value if isinstance(value, dict) else {}


def cce_fleet_summary_rows(clusters, hostvars, plan=None, gate=None, target_version=""):
    """One row per cluster of the run (the inventory names in ``clusters``), from each host's ``cce_fleet_result``
    (set by the upgrade play for the clusters it ran) and its inventory variables; see the documentation."""
    if not isinstance(clusters, (list, tuple)):
        raise AnsibleFilterError("cce_fleet_summary_rows: the input must be the list of the run's clusters, not %s"
                                 % type(clusters).__name__)
    plan, gate = _mapping(plan), _mapping(gate)
    wave_of, not_run = _mapping(plan.get("wave_of")), _mapping(plan.get("not_run"))
    rows = []
    for host in clusters:
        host_vars = hostvars[host]
        result = _mapping(host_vars.get("cce_fleet_result", {}))
        ran = "outcome" in result
        rows.append({
            "cluster": host,
            "cluster_id": result.get("cluster_id", host_vars.get("cce_cluster_id", "")),
            "flavor": result.get("flavor", host_vars.get("cce_cluster_flavor", "cce")),
            "from": result.get("from", host_vars.get("cce_cluster_version", "")),
            "to": result.get("to", target_version or ""),
            "batch": result.get("batch", 0),
            "outcome": result.get("outcome", NOT_RUN),
            "duration": result.get("duration", 0),
            "hops": result.get("hops", []),
            "wave": wave_of.get(host, ""),
            "message": result.get("message", "" if ran else not_run.get(
                host, gate.get("not_run_message") or NOT_RUN_BY_BATCH)),
            "started": result.get("started"),
            "report": host_vars.get("cce_upgrade_result"),
        })
    return rows


def _totals(rows):
    totals = {}
    for row in rows:
        totals[row["outcome"]] = totals.get(row["outcome"], 0) + 1
    return dict(sorted(totals.items()))


def _totals_text(totals):
    return ", ".join("%s %s" % item for item in sorted(totals.items()))


def cce_fleet_summary_table(rows):
    """The lines the fleet playbook shows: a header, a line per cluster, the totals by outcome."""
    lines = [TABLE_ROW % ("cluster", "batch", "from", "to", "outcome", "duration", "hops")]
    for row in rows:
        hops = list(row.get("hops") or [])
        lines.append(TABLE_ROW % (row["cluster"], row.get("batch") or "-", row.get("from", ""), row.get("to", ""),
                                  row["outcome"], "%.1f s" % float(row.get("duration") or 0),
                                  "%d%s" % (len(hops), ": " + " > ".join(str(hop) for hop in hops) if hops else "")))
    lines.append("%d clusters: %s" % (len(rows), _totals_text(_totals(rows))))
    return lines


def cce_fleet_merged_table(merged):
    """The lines the report job shows for a merged summary (cce_fleet_summary_merge): a line per cluster with its
    AWX job, the totals, and each cluster found in more than one job."""
    def job(part):
        return JOB_PART.sub("", str(part))

    lines = [MERGED_TABLE_ROW % ("cluster", "job", "from", "to", "outcome")]
    for row in merged["clusters"]:
        lines.append(MERGED_TABLE_ROW % (row["cluster"], job(row.get("part", "")), row.get("from", ""),
                                         row.get("to", ""), row["outcome"]))
    lines.append("%d clusters from %d jobs: %s" % (merged["count"], len(merged["parts"]), _totals_text(merged["totals"])))
    for duplicate in merged["duplicates"]:
        lines.append("%s was in jobs %s; the row of job %s is kept" % (
            duplicate["cluster"], ", ".join(job(part) for part in duplicate["parts"]), job(duplicate["kept"])))
    return lines


def _part_order(name):
    match = TRAILING_NUMBER.search(name)
    return (0, int(match.group(1)), name) if match else (1, 0, name)


def _named_parts(parts):
    """[(name, rows)] in merge order."""
    if isinstance(parts, dict):
        names = sorted((str(name) for name in parts), key=_part_order)
        by_text = dict((str(name), rows) for name, rows in parts.items())
        return [(name, by_text[name]) for name in names]
    if isinstance(parts, (list, tuple)):
        return [(str(index), rows) for index, rows in enumerate(parts, 1)]
    raise AnsibleFilterError("cce_fleet_summary_merge: the input must be a mapping of part names to summaries "
                             "(cce_fleet_summary_job_<id>: rows) or a list of summaries, not %s" % type(parts).__name__)


def _rows(name, rows):
    if rows is None:
        return []
    if not isinstance(rows, (list, tuple)):
        raise AnsibleFilterError("cce_fleet_summary_merge: part %s must be a list of cluster rows "
                                 "(the cce_fleet_summary of one run), not %s" % (name, type(rows).__name__))
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("cluster"), str) or "outcome" not in row:
            raise AnsibleFilterError("cce_fleet_summary_merge: every row of part %s must be a mapping with cluster and "
                                     "outcome (a row of cce_fleet_summary); got %r" % (name, row))
    return rows


def cce_fleet_summary_merge(parts):
    merged = {}
    order = []
    seen_in = {}
    names = []
    for name, rows in _named_parts(parts):
        names.append(name)
        for row in _rows(name, rows):
            key = row.get("cluster_id") or row["cluster"]
            seen_in.setdefault(key, []).append(name)
            if key not in merged:
                order.append(key)
            elif row["outcome"] == NOT_RUN and merged[key]["outcome"] != NOT_RUN:
                continue
            merged[key] = dict(row, part=name)
    clusters = [merged[key] for key in order]
    duplicates = [
        {"cluster": merged[key]["cluster"], "cluster_id": merged[key].get("cluster_id", ""),
         "parts": seen_in[key], "kept": merged[key]["part"]}
        for key in order if len(seen_in[key]) > 1
    ]
    return {
        "clusters": clusters,
        "count": len(clusters),
        "totals": _totals(clusters),
        "parts": names,
        "failed": [row["cluster"] for row in clusters if row["outcome"] in BAD_OUTCOMES],
        "duplicates": duplicates,
    }


class FilterModule(object):
    def filters(self):
        return {"cce_fleet_summary_rows": cce_fleet_summary_rows,
                "cce_fleet_summary_table": cce_fleet_summary_table,
                "cce_fleet_summary_merge": cce_fleet_summary_merge,
                "cce_fleet_merged_table": cce_fleet_merged_table}
