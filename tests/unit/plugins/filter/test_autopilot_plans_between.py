"""Unit tests for the hwcloud.cce.cce_autopilot_plans_between filter (plugins/filter/autopilot_schedule.py)."""

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "autopilot_schedule.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_autopilot_schedule_filter", PLUGIN)
flt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(flt)


def plan(plan_id, not_before, not_after, phase="Pending"):
    return {"plan_id": plan_id, "not_before": not_before, "not_after": not_after, "phase": phase}


PLANS = [
    plan("late", "2026-12-12T02:00:00Z", "2026-12-12T06:00:00Z"),
    plan("wed", "2026-12-09T02:00:00Z", "2026-12-09T06:00:00Z"),
    plan("done", "2026-12-09T02:00:00Z", "2026-12-09T06:00:00Z", phase="Success"),
    plan("running", "2026-12-08T02:00:00Z", "2026-12-08T06:00:00Z", phase="Upgrading"),
]


def between(plans, start, end):
    return [item["plan_id"] for item in flt.cce_autopilot_plans_between(plans, start, end)]


def test_filter_is_registered():
    assert flt.FilterModule().filters()["cce_autopilot_plans_between"] is flt.cce_autopilot_plans_between


def test_plans_overlapping_the_span_earliest_first():
    assert between(PLANS, "2026-12-08 05:00", "2026-12-09 03:00") == ["running", "wed"]
    assert between({"plans": PLANS}, "2026-12-09T05:59:59Z", "2026-12-13") == ["wed", "late"]
    # Berlin evening of the 9th: 01:00 UTC on the 10th, after Wednesday's window
    assert between(PLANS, "2026-12-10T02:00:00+01:00", "2026-12-11T00:00:00Z") == []
    assert between([], "2026-12-01", "2026-12-31") == []


@pytest.mark.parametrize("plans, start, end, words", [
    ("plans", "2026-12-01", "2026-12-02", ["plans", "cce_autopilot_upgrade_plan_info"]),
    (PLANS, "soon", "2026-12-02", ["start", "YYYY-MM-DD"]),
    (PLANS, "2026-12-02", "2026-12-01", ["end", "not after start"]),
])
def test_bad_input(plans, start, end, words):
    with pytest.raises(AnsibleFilterError) as error:
        flt.cce_autopilot_plans_between(plans, start, end)
    for word in words:
        assert word in str(error.value)
