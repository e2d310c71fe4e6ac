# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fleet summary from the summaries of several fleet runs (the slices of an AWX sliced job).

Documentation: cce_fleet_summary_merge.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

NOT_RUN = "not_run"
BAD_OUTCOMES = ("failed", NOT_RUN)
TRAILING_NUMBER = re.compile(r"(\d+)$")


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
    totals = {}
    for row in clusters:
        totals[row["outcome"]] = totals.get(row["outcome"], 0) + 1
    duplicates = [
        {"cluster": merged[key]["cluster"], "cluster_id": merged[key].get("cluster_id", ""),
         "parts": seen_in[key], "kept": merged[key]["part"]}
        for key in order if len(seen_in[key]) > 1
    ]
    return {
        "clusters": clusters,
        "count": len(clusters),
        "totals": dict(sorted(totals.items())),
        "parts": names,
        "failed": [row["cluster"] for row in clusters if row["outcome"] in BAD_OUTCOMES],
        "duplicates": duplicates,
    }


class FilterModule(object):
    def filters(self):
        return {"cce_fleet_summary_merge": cce_fleet_summary_merge}
