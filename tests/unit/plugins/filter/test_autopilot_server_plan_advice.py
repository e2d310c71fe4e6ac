"""Unit tests for the hwcloud.cce.cce_autopilot_server_plan_advice filter (plugins/filter/autopilot_schedule.py):
what the cluster_upgrade role does about CCE's own upgrade plans of an Autopilot cluster."""

import importlib.util
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "autopilot_schedule.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_autopilot_schedule_advice", PLUGIN)
flt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(flt)


def plan(plan_id, not_before, not_after, phase="Pending", deadline="2026-12-21T00:00:00Z"):
    return {"plan_id": plan_id, "target_version": "v1.29.4-r0", "not_before": not_before, "not_after": not_after,
            "not_before_deadline": deadline, "phase": phase}


WED = plan("wed", "2026-12-09T02:00:00Z", "2026-12-09T06:00:00Z")
SAT = plan("sat", "2026-12-12T02:00:00Z", "2026-12-12T06:00:00Z")


def advice(plans, now, **extra):
    return flt.cce_autopilot_server_plan_advice({"plans": plans}, now, cluster="ap-x", **extra)


def test_registered():
    assert flt.FilterModule().filters()["cce_autopilot_server_plan_advice"] is flt.cce_autopilot_server_plan_advice


def test_without_a_window_the_run_lasts_at_most_the_timeout():
    found = advice([WED, SAT], "2026-12-09T01:00:00Z", timeout=7200)
    assert [p["plan_id"] for p in found["plans"]] == ["wed"] and found["until"] == "2026-12-09T03:00:00Z"
    assert found["postpone"] == []
    assert "CCE may start its own upgrade during this run (until 2026-12-09T03:00:00Z): plan wed to v1.29.4-r0" in found["message"]
    assert "cce_upgrade_postpone_server_plan: true" in found["message"]
    assert advice([WED, SAT], "2026-12-09T01:00:00Z", timeout=1800) == {
        "plans": [], "postpone": [], "until": "2026-12-09T01:30:00Z", "message": ""}


def test_inside_a_window_the_run_lasts_until_it_closes():
    state = {"inside": True, "closes_at": "2026-12-12T04:00:00+01:00"}
    found = advice([WED, SAT], "2026-12-12T01:30:00+01:00", window_state=state, timeout=60)
    assert [p["plan_id"] for p in found["plans"]] == ["sat"] and found["until"] == "2026-12-12T03:00:00Z"


def test_postpone_moves_the_pending_plans_a_deadline_allows():
    late = plan("late", "2026-12-09T02:30:00Z", "2026-12-09T06:30:00Z", deadline="2026-12-09T02:45:00Z")
    running = plan("running", "2026-12-09T00:00:00Z", "2026-12-09T04:00:00Z", phase="Upgrading")
    found = advice([WED, late, running], "2026-12-09T01:00:00Z", timeout=7200, postpone=True)
    assert [p["plan_id"] for p in found["postpone"]] == ["wed"]
    assert found["message"].startswith("Autopilot cluster ap-x: postponing CCE's own upgrade plan to 2026-12-09T03:00:00Z")
    assert "2 cannot be postponed" in found["message"]
