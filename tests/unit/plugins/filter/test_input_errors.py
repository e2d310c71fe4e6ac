"""Unit tests for the cce_upgrade_input_errors filter: the role's variables judged before any request."""

from pathlib import Path

import pytest
import yaml

from ansible_collections.hwcloud.cce.plugins.filter.input_errors import CHECKED_INPUTS, FilterModule, input_errors

REPO_ROOT = Path(__file__).resolve().parents[4]
GOOD = {"cce_upgrade_cluster_id": "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04", "cce_upgrade_target_version": "v1.30",
        "cce_upgrade_cluster_flavor": "cce", "cce_upgrade_scope": "(unset)", "cce_upgrade_user_defined_step": 20,
        "cce_upgrade_poll_interval": "30", "cce_upgrade_progress_interval": 0, "cce_upgrade_timeout": 10800.0,
        "cce_upgrade_precheck_timeout": 1800, "cce_upgrade_snapshot_timeout": 3600, "cce_upgrade_snapshot_max_age": 60,
        "cce_upgrade_window_min_remaining": 60, "cce_upgrade_snapshot": True, "cce_upgrade_retry_failed": "no",
        "cce_upgrade_cancel_on_failure": 0, "cce_upgrade_pause_at_window_end": "Off", "cce_upgrade_preflight": False,
        "cce_upgrade_skipped_check_items": [], "cce_upgrade_report_path": None}


def errors(**changes):
    values = dict(GOOD)
    values.update(changes)
    return input_errors(values)


def test_good_values_and_latest_pass():
    assert errors() == ""
    assert errors(cce_upgrade_target_version="latest") == ""
    assert errors(cce_upgrade_target_version="v1.30.4-r0", cce_upgrade_scope="NodePool") == ""


@pytest.mark.parametrize("name,value,expected", [
    ("cce_upgrade_cluster_id", "(unset)", "cce_upgrade_cluster_id must be a cluster UUID like 6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04 "
                                          "(8-4-4-4-12 hex digits), got null."),
    ("cce_upgrade_target_version", "1.30", "cce_upgrade_target_version must be a CCE version vX.Y, vX.Y.Z or vX.Y.Z-rN (for "
                                           "example v1.30 or v1.30.4-r0), or latest (the newest version the upgrade paths "
                                           "reach), got \"1.30\"."),
    ("cce_upgrade_cluster_flavor", "turbo", "cce_upgrade_cluster_flavor must be one of cce, autopilot, got \"turbo\"."),
    ("cce_upgrade_user_defined_step", 500, "cce_upgrade_user_defined_step must be an integer from 1 to 120, got 500."),
    ("cce_upgrade_poll_interval", "fast", "cce_upgrade_poll_interval must be an integer of at least 1, got \"fast\"."),
    ("cce_upgrade_timeout", True, "cce_upgrade_timeout must be an integer of at least 1, got true."),
    ("cce_upgrade_snapshot_max_age", 1.5, "cce_upgrade_snapshot_max_age must be an integer of at least 0, got 1.5."),
    ("cce_upgrade_snapshot", "maybe", "cce_upgrade_snapshot must be a boolean (true or false; yes/no, on/off, 1/0 are "
                                      "accepted), got \"maybe\"."),
    ("cce_upgrade_retry_failed", 2, "cce_upgrade_retry_failed must be a boolean (true or false; yes/no, on/off, 1/0 are "
                                    "accepted), got 2."),
    ("cce_upgrade_skipped_check_items", "a,b", "cce_upgrade_skipped_check_items must be a list of pre-check items, got \"a,b\"."),
    ("cce_upgrade_report_path", " ", "cce_upgrade_report_path must be a file path, got \" \"."),
])
def test_each_bad_value_is_named_with_what_it_accepts(name, value, expected):
    assert errors(**{name: value}) == expected


def test_several_errors_in_one_line():
    text = errors(cce_upgrade_cluster_id="prod-a", cce_upgrade_scope="All")
    assert text.startswith("cce_upgrade_cluster_id must be") and text.endswith("cce_upgrade_scope must be one of Cluster, NodePool, got \"All\".")
    assert "\n" not in text


def test_the_role_passes_exactly_the_checked_variables():
    tasks = yaml.safe_load((REPO_ROOT / "roles" / "cluster_upgrade" / "tasks" / "validate.yml").read_text())
    assert tuple(tasks[0]["vars"]["cce_upgrade_checked_inputs"]) == CHECKED_INPUTS


def test_registered():
    assert FilterModule().filters()["cce_upgrade_input_errors"] is input_errors
