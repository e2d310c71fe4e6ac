"""Unit tests for the hwcloud.cce.cce_fleet_summary_merge filter (plugins/filter/fleet_summary.py)."""

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "fleet_summary.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_fleet_summary", PLUGIN)
fleet_summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fleet_summary)
merge = fleet_summary.cce_fleet_summary_merge


def row(cluster, outcome, **extra):
    return dict({"cluster": cluster, "cluster_id": "id-" + cluster, "outcome": outcome, "batch": 1}, **extra)


def test_filter_is_registered():
    assert fleet_summary.FilterModule().filters()["cce_fleet_summary_merge"] is merge


def test_disjoint_slices_merge_into_one_summary_with_totals_recomputed():
    parts = {
        "cce_fleet_summary_job_41": [row("a", "upgraded"), row("c", "failed"), row("e", "not_run")],
        "cce_fleet_summary_job_42": [row("b", "upgraded"), row("d", "already_upgraded")],
    }
    merged = merge(parts)
    assert [r["cluster"] for r in merged["clusters"]] == ["a", "c", "e", "b", "d"]
    assert merged["count"] == 5
    assert merged["totals"] == {"already_upgraded": 1, "failed": 1, "not_run": 1, "upgraded": 2}
    assert list(merged["totals"]) == sorted(merged["totals"])
    assert merged["failed"] == ["c", "e"]
    assert merged["duplicates"] == []
    assert merged["parts"] == ["cce_fleet_summary_job_41", "cce_fleet_summary_job_42"]
    assert merged["clusters"][3]["part"] == "cce_fleet_summary_job_42"
    # the rows keep their own fields
    assert merged["clusters"][0]["batch"] == 1 and merged["clusters"][0]["cluster_id"] == "id-a"


def test_parts_are_taken_in_job_id_order_not_text_order():
    """Job 9 ran before job 10: its row is the older one, replaced by job 10's."""
    merged = merge({"cce_fleet_summary_job_10": [row("a", "upgraded")],
                    "cce_fleet_summary_job_9": [row("a", "failed")]})
    assert merged["parts"] == ["cce_fleet_summary_job_9", "cce_fleet_summary_job_10"]
    assert merged["clusters"] == [dict(row("a", "upgraded"), part="cce_fleet_summary_job_10")]
    assert merged["count"] == 1 and merged["totals"] == {"upgraded": 1} and merged["failed"] == []
    assert merged["duplicates"] == [{"cluster": "a", "cluster_id": "id-a",
                                     "parts": ["cce_fleet_summary_job_9", "cce_fleet_summary_job_10"],
                                     "kept": "cce_fleet_summary_job_10"}]


def test_a_later_not_run_row_does_not_hide_what_an_earlier_run_did():
    merged = merge([[row("a", "upgraded")], [row("a", "not_run")]])
    assert merged["clusters"][0]["outcome"] == "upgraded" and merged["clusters"][0]["part"] == "1"
    assert merged["duplicates"][0]["kept"] == "1" and merged["duplicates"][0]["parts"] == ["1", "2"]
    assert merged["failed"] == []


def test_a_later_failure_replaces_an_earlier_success_and_is_counted_once():
    merged = merge([[row("a", "upgraded"), row("b", "upgraded")], [row("a", "failed")]])
    assert merged["totals"] == {"failed": 1, "upgraded": 1}
    assert merged["failed"] == ["a"]


def test_clusters_are_told_apart_by_id_then_by_name():
    """Two rows named alike but with other IDs are two clusters; rows without an ID match by name."""
    merged = merge([[row("a", "upgraded")], [dict(row("a", "failed"), cluster_id="other")],
                    [{"cluster": "n", "outcome": "upgraded"}], [{"cluster": "n", "outcome": "failed"}]])
    assert merged["count"] == 3
    assert [d["cluster"] for d in merged["duplicates"]] == ["n"]
    assert merged["duplicates"][0]["cluster_id"] == ""


def test_empty_and_missing_parts():
    assert merge({}) == {"clusters": [], "count": 0, "totals": {}, "parts": [], "failed": [], "duplicates": []}
    assert merge({"cce_fleet_summary_job_1": None})["parts"] == ["cce_fleet_summary_job_1"]


@pytest.mark.parametrize("parts, message", [
    ("rows", "must be a mapping of part names to summaries"),
    ({"cce_fleet_summary_job_3": {"a": 1}}, "part cce_fleet_summary_job_3 must be a list of cluster rows"),
    ([[{"cluster": "a"}]], "every row of part 1 must be a mapping with cluster and outcome"),
    ([["a"]], "every row of part 1"),
])
def test_bad_input_names_the_part_and_what_is_expected(parts, message):
    with pytest.raises(AnsibleFilterError, match=message):
        merge(parts)
