# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change record filters for the role and the playbooks.

Each filter calls the collection's change record (module_utils/change_record.py); the role and the
playbooks hold no report rule of their own. Documentation: one YAML file per filter next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _change_record():
    """module_utils.change_record, imported on the first call: Ansible imports every filter file of the collection
    in the worker process of each task that calls one of its filters (docs/developing.md, "Test timing")."""
    from ansible_collections.hwcloud.cce.plugins.module_utils import change_record
    return change_record


def cce_change_record(result, started=None, ended=None, last_step=None, last_started=None, skipped=None,
                      change_id=None, requested_by=None, precheck=None, window=None):
    """The role's result with timestamps, accepted risks, pre-check items and the next action added."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("cce_change_record: the input must be the role's result (a dict)")
    return _change_record().run_record(result, started=started, ended=ended, last_step=last_step,
                                       last_started=last_started, skipped=skipped, change_id=change_id,
                                       requested_by=requested_by, precheck=precheck, window=window)


def cce_report_format_errors(value, name="cce_upgrade_report_format", path=None, path_name="cce_upgrade_report_path"):
    """Messages for a bad list of report formats (or a missing report path); empty when fine."""
    return _change_record().check_report_formats(value, name=name, path=path, path_name=path_name)


class FilterModule(object):
    """Change record filters."""

    def filters(self):
        return {"cce_change_record": cce_change_record, "cce_report_format_errors": cce_report_format_errors}
