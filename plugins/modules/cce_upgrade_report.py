#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_upgrade_report
short_description: Write the change record of a CCE upgrade run, a fleet or a pre-flight as JSON, HTML and Markdown
version_added: 0.2.0
description:
  - Writes the report of an upgrade run (the result of the P(hwcloud.cce.cluster_upgrade#role) role), of a fleet
    (C(playbooks/fleet_upgrade.yml)) or of a pre-flight (C(playbooks/preflight.yml)) in each of O(formats).
  - V(json) is the report as it is, at O(path). V(html) is one self-contained page (inline CSS and SVG, no script,
    no external asset) and V(markdown) a Markdown file for a ticket; both are written beside O(path), with its
    C(.json) suffix replaced by C(.html) or C(.md) (or added).
  - For a run, the page shows the plan and every hop (from, to, start and end of each step in UTC and in the
    maintenance window's time zone, durations), the pre-check items by level, the accepted (skipped) risks with who
    accepted them, the snapshot, task and workflow IDs, the outcome and, on failure, the step, the reason and what
    to do next. For a fleet, also a summary table (counts by outcome, batches or waves) and a timeline chart (one
    bar per cluster, one segment per step, hops marked, failures in red). For a pre-flight, the readiness of each
    cluster (ready, risks or blocked) with its items.
  - A file is written only when its content differs. Sends no request to CCE.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
options:
  report:
    description: The report data.
    type: dict
    required: true
  kind:
    description: What the report is about.
    type: str
    choices: [run, fleet, preflight]
    default: run
  path:
    description: Path of the JSON report; the other formats are written beside it.
    type: path
    required: true
  formats:
    description: The formats to write.
    type: list
    elements: str
    choices: [json, html, markdown]
    default: [json]
attributes:
  check_mode:
    support: full
    details: In check mode the module says which files it would write, and writes none.
  diff_mode:
    support: none
  platform:
    platforms: all
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
seealso:
  - module: hwcloud.cce.cce_precheck
"""

EXAMPLES = r"""
- name: Write the change record of the run as JSON, HTML and Markdown
  hwcloud.cce.cce_upgrade_report:
    report: "{{ cce_upgrade_result }}"
    path: /var/lib/upgrades/prod-a.json
    formats: [json, html, markdown]

- name: Write the fleet's change record as HTML and Markdown only
  hwcloud.cce.cce_upgrade_report:
    report:
      clusters: "{{ cce_fleet_summary }}"
      target_version: v1.30
    kind: fleet
    path: /var/lib/upgrades/fleet.json
    formats: [html, markdown]
"""

RETURN = r"""
files:
  description: The path written (or, in check mode, to be written) for each format asked for.
  returned: always
  type: dict
  sample:
    json: /var/lib/upgrades/prod-a.json
    html: /var/lib/upgrades/prod-a.html
    markdown: /var/lib/upgrades/prod-a.md
changed_files:
  description: The formats whose file changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: [html, markdown]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.cce.plugins.module_utils.change_record import (
    REPORT_FORMATS,
    REPORT_KINDS,
    render,
    report_paths,
    write_if_changed,
)


def write_reports(report, kind, path, formats, check_mode):
    """Write each format of the report; returns (files by format, formats that changed)."""
    files = report_paths(path, formats)
    changed = []
    for fmt in formats:
        if write_if_changed(files[fmt], render(report, kind, fmt), check_mode=check_mode):
            changed.append(fmt)
    return files, changed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            report=dict(type="dict", required=True),
            kind=dict(type="str", choices=list(REPORT_KINDS), default="run"),
            path=dict(type="path", required=True),
            formats=dict(type="list", elements="str", choices=list(REPORT_FORMATS), default=["json"]),
        ),
        supports_check_mode=True,
    )
    formats = []
    for fmt in module.params["formats"]:
        if fmt not in formats:
            formats.append(fmt)
    if not formats:
        module.fail_json(msg="formats must name at least one of %s" % ", ".join(REPORT_FORMATS))
    try:
        files, changed = write_reports(module.params["report"], module.params["kind"], module.params["path"],
                                       formats, module.check_mode)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=bool(changed), files=files, changed_files=changed)


if __name__ == "__main__":
    main()
