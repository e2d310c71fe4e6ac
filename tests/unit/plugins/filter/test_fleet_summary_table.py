"""Unit tests for the fleet summary's rows and tables (plugins/filter/fleet_summary.py): cce_fleet_summary_rows,
cce_fleet_summary_table, cce_fleet_merged_table."""

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "fleet_summary.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_fleet_summary_table", PLUGIN)
fleet_summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fleet_summary)

HOSTVARS = {
    "prod-a": {"cce_cluster_id": "id-a", "cce_cluster_flavor": "cce", "cce_cluster_version": "v1.29.4-r0",
               "cce_fleet_result": {"cluster_id": "id-a", "flavor": "cce", "from": "v1.29.4-r0", "to": "v1.30.14-r10",
                                    "batch": 1, "outcome": "upgraded", "duration": 42.25, "hops": ["v1.30.14-r10"],
                                    "started": "2026-11-30T10:00:00Z"},
               "cce_upgrade_result": {"outcome": "upgraded"}},
    "risky-a": {"cce_cluster_id": "id-r", "cce_cluster_version": "v1.29.4-r0",
                "cce_fleet_result": {"batch": 2, "outcome": "failed", "duration": 3, "message": "pre-check failed"}},
    "ap-a": {"cce_cluster_id": "id-ap", "cce_cluster_flavor": "autopilot", "cce_cluster_version": "v1.29.4-r0"},
    "prod-c": {"cce_cluster_id": "id-c", "cce_cluster_version": "v1.28.9-r0"},
}


def test_the_filters_are_registered():
    filters = fleet_summary.FilterModule().filters()
    for name in ("cce_fleet_summary_rows", "cce_fleet_summary_table", "cce_fleet_merged_table"):
        assert filters[name] is getattr(fleet_summary, name)


def test_a_cluster_that_ran_gets_its_result_and_its_role_report():
    rows = fleet_summary.cce_fleet_summary_rows(["prod-a"], HOSTVARS, target_version="v1.30")
    assert rows == [{"cluster": "prod-a", "cluster_id": "id-a", "flavor": "cce", "from": "v1.29.4-r0",
                     "to": "v1.30.14-r10", "batch": 1, "outcome": "upgraded", "duration": 42.25,
                     "hops": ["v1.30.14-r10"], "wave": "", "message": "", "started": "2026-11-30T10:00:00Z",
                     "report": {"outcome": "upgraded"}}]


def test_values_the_run_did_not_set_come_from_the_inventory_and_the_target():
    rows = fleet_summary.cce_fleet_summary_rows(["risky-a", "ap-a"], HOSTVARS, target_version="v1.30")
    risky, autopilot = rows
    assert (risky["cluster_id"], risky["flavor"], risky["from"], risky["to"]) == ("id-r", "cce", "v1.29.4-r0", "v1.30")
    assert risky["outcome"] == "failed" and risky["message"] == "pre-check failed" and risky["report"] is None
    assert (autopilot["flavor"], autopilot["outcome"], autopilot["batch"], autopilot["hops"]) == ("autopilot", "not_run", 0, [])


def test_the_reason_of_a_cluster_not_run_comes_from_the_plan_then_the_gate_then_the_batch_rule():
    plan = {"wave_of": {"ap-a": "prod", "prod-c": "prod"}, "not_run": {"ap-a": "not run: in no wave of cce_fleet_waves"}}
    gate = {"not_run_message": "not run: wave dev failed its gate"}
    rows = fleet_summary.cce_fleet_summary_rows(["ap-a", "prod-c"], HOSTVARS, plan=plan, gate=gate)
    assert [(row["wave"], row["message"]) for row in rows] == [
        ("prod", "not run: in no wave of cce_fleet_waves"), ("prod", "not run: wave dev failed its gate")]
    without = fleet_summary.cce_fleet_summary_rows(["prod-c"], HOSTVARS, gate={"not_run_message": ""})
    assert without[0]["message"] == "not run: an earlier batch failed" and without[0]["to"] == ""


def test_rows_need_the_list_of_clusters():
    with pytest.raises(AnsibleFilterError, match="list of the run's clusters"):
        fleet_summary.cce_fleet_summary_rows("prod-a", HOSTVARS)


def test_the_table_has_a_line_per_cluster_and_the_totals_by_outcome():
    rows = fleet_summary.cce_fleet_summary_rows(["prod-a", "risky-a", "ap-a"], HOSTVARS, target_version="v1.30")
    lines = fleet_summary.cce_fleet_summary_table(rows)
    assert lines[0].split() == ["cluster", "batch", "from", "to", "outcome", "duration", "hops"]
    assert lines[1].split() == ["prod-a", "1", "v1.29.4-r0", "v1.30.14-r10", "upgraded", "42.2", "s", "1:", "v1.30.14-r10"]
    assert lines[3].split() == ["ap-a", "-", "v1.29.4-r0", "v1.30", "not_run", "0.0", "s", "0"]
    assert lines[-1] == "3 clusters: failed 1, not_run 1, upgraded 1"


def test_the_merged_table_names_each_clusters_job_and_the_duplicates():
    merged = fleet_summary.cce_fleet_summary_merge({
        "cce_fleet_summary_job_12": [{"cluster": "prod-a", "cluster_id": "id-a", "outcome": "failed", "from": "v1.29.4-r0"}],
        "cce_fleet_summary_job_13": [{"cluster": "prod-a", "cluster_id": "id-a", "outcome": "upgraded",
                                      "from": "v1.29.4-r0", "to": "v1.30.14-r10"},
                                     {"cluster": "prod-b", "cluster_id": "id-b", "outcome": "upgraded"}]})
    lines = fleet_summary.cce_fleet_merged_table(merged)
    assert lines[0].split() == ["cluster", "job", "from", "to", "outcome"]
    assert lines[1].split() == ["prod-a", "13", "v1.29.4-r0", "v1.30.14-r10", "upgraded"]
    assert lines[2].split() == ["prod-b", "13", "upgraded"]
    assert lines[3] == "2 clusters from 2 jobs: upgraded 2"
    assert lines[4] == "prod-a was in jobs 12, 13; the row of job 13 is kept"
