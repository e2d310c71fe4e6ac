"""Unit tests for the hop-by-hop filters of the cluster_upgrade role (plugins/filter/upgrade_hops.py)."""

from ansible_collections.hwcloud.cce.plugins.filter.upgrade_hops import (
    FilterModule,
    add_durations,
    check_plan,
    failure_message,
    hop_context,
    hop_gate,
    hop_record,
    hop_records,
    step_plans,
    upgrade_route,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import HOP_STEPS

PATHS = [
    {"version": "v1.23", "platform_version": "cce.10.0", "target_versions": ["v1.25.16-r10", "v1.27.16-r10", "v1.28.15-r30"]},
    {"version": "v1.28", "platform_version": "cce.7.0", "target_versions": ["v1.29.15-r10", "v1.31.10-r0"]},
]
INFO = {"cluster_id": "c1", "cluster_name": "ancient-a", "full_version": "v1.23.8-r0", "platform_version": "cce.2.0",
        "target_versions": ["v1.23.17-r30", "v1.25.16-r10", "v1.27.16-r10", "v1.28.15-r30"], "upgrade_paths": PATHS,
        "active_task": None}
NAME = "cce_upgrade_target_version"


def three_hops():
    return upgrade_route(INFO, {"open_workflow": None}, "v1.31", target_name=NAME)


def test_route_from_the_guard_reads():
    route = three_hops()
    assert route["refusal"] is None and route["count"] == 3
    assert [h["to"] for h in route["hops"]] == ["v1.23.17-r30", "v1.28.15-r30", "v1.31.10-r0"]
    assert route["message"] == ("v1.23.8-r0 -> v1.31.10-r0 in 3 hops: v1.23.17-r30 (patch), v1.28.15-r30 (minor), "
                                "v1.31.10-r0 (minor)")


def test_route_marks_the_hop_under_way():
    task = {"task_id": "t", "version": "v1.23.8-r0", "target_version": "v1.23.17-r30", "phase": "Running"}
    route = upgrade_route(dict(INFO, active_task=task), {"open_workflow": None}, "v1.28", target_name=NAME)
    assert route["message"].endswith("v1.23.17-r30 (patch, under way), v1.28.15-r30 (minor)")


def test_route_refusal_names_the_role_variable_and_the_cluster():
    route = upgrade_route(INFO, {}, "v1.40", target_name=NAME)
    assert route["hops"] == [] and route["count"] == 0
    assert route["refusal"].startswith("Cluster ancient-a: cce_upgrade_target_version v1.40 cannot be reached from v1.23.8-r0")
    assert "lead up to v1.31.10-r0" in route["refusal"]


def test_route_already_there():
    route = upgrade_route(dict(INFO, full_version="v1.31.10-r0"), {}, "v1.31", target_name=NAME)
    assert route["hops"] == [] and route["refusal"] is None and route["final_version"] == "v1.31.10-r0"


WINDOW_OPEN = {"inside": True, "remaining_minutes": 59.5, "next_open": "2026-06-14T02:00:00+02:00"}


def test_gate_stops_a_new_hop_when_the_window_is_too_short():
    route = three_hops()
    gate = hop_gate(WINDOW_OPEN, route["hops"][1], route, 60, current="v1.23.17-r30")
    assert gate["proceed"] is False and gate["outcome"] == "partial"
    assert gate["message"].startswith("At v1.23.17-r30; next hop v1.28.15-r30 (hop 2 of 3) in the next window "
                                      "(opens at 2026-06-14T02:00:00+02:00): only 60 minutes left")
    closed = hop_gate({"inside": False, "opens_at": "2026-06-14T02:00:00+02:00"}, route["hops"][1], route, 60)
    assert closed["outcome"] == "partial" and "the maintenance window has closed" in closed["message"]


def test_gate_lets_a_hop_start_with_enough_time_and_never_stops_a_hop_under_way():
    route = three_hops()
    assert hop_gate(dict(WINDOW_OPEN, remaining_minutes=61), route["hops"][1], route, 60)["proceed"] is True
    under_way = dict(route["hops"][1], state="under_way")
    assert hop_gate({"inside": False}, under_way, route, 60)["proceed"] is True
    assert hop_gate(None, route["hops"][1], route, 60)["proceed"] is True


def test_records_cover_every_hop_of_the_route():
    route = three_hops()
    first = hop_record(route["hops"][0], "upgraded", {"wait": 3.0}, workflow_id="w1", task_id="t1", precheck_task_id="p1")
    second = hop_record(route["hops"][1], "failed", {"precheck": 1.0}, "precheck", workflow_id="w2", precheck_task_id="p2")
    records = hop_records(route, first + second)
    assert [(r["index"], r["outcome"], r["failed_step"]) for r in records] == [
        (1, "upgraded", None), (2, "failed", "precheck"), (3, "not_started", None)]
    assert (records[0]["workflow_id"], records[0]["task_id"], records[0]["durations"]) == ("w1", "t1", {"wait": 3.0})
    assert records[2]["durations"] == {} and records[2]["task_id"] is None
    assert hop_record(None, "failed") == []
    assert hop_records(None, first) == []


def test_durations_add_up_per_step():
    assert add_durations({"wait": 1.25, "guard": 0.5}, {"wait": 2.0, "verify": 0.3}) == {"wait": 3.2, "guard": 0.5, "verify": 0.3}
    assert add_durations(None, None) == {}


def test_context_of_a_failed_hop_says_where_the_cluster_stays():
    route = three_hops()
    done = hop_record(route["hops"][0], "upgraded")
    context = hop_context(route, route["hops"][1], done)
    assert context["label"] == "hop 2 of 3 (v1.23.17-r30 -> v1.28.15-r30)"
    assert context["stays"] == "The cluster stays at v1.23.17-r30, the version of hop 1 (the last finished hop)."
    assert hop_context(route, route["hops"][0], [])["stays"] == "The cluster stays at v1.23.8-r0: no hop finished."
    one = dict(route, count=1, hops=route["hops"][:1])
    assert hop_context(one, one["hops"][0], []) == {"label": "", "stays": ""}


def test_failure_message_names_hop_step_task_items_and_error():
    failed = {"msg": "Pre-check found fatal risks. Fix them, or accept them with skipped_check_items (names).",
              "task_id": "p2", "check_items": {"fatal": [{"name": "deprecated-api-check"}]},
              "error_code": "CCE.01400074", "request_id": None}
    result = failure_message(failed, "precheck", "psp-a", "v1.28", {"precheck": "old"}, hop_label="hop 2 of 2 (a -> b)",
                             stays="The cluster stays at a.")
    assert result["task_id"] == "p2"
    assert result["message"] == (
        "Upgrade of psp-a to v1.28 (hop 2 of 2 (a -> b)) failed in step precheck (task p2): Pre-check found fatal risks."
        " Fatal pre-check items: deprecated-api-check. Fix them, or accept their risk and run again with -e "
        "'{\"cce_upgrade_skipped_check_items\": [\"deprecated-api-check\"]}'. [error_code CCE.01400074, request_id n/a]"
        " The cluster stays at a.")


def test_failure_message_of_a_one_hop_run_is_as_before():
    result = failure_message({"msg": " boom "}, "wait", "prod-a", "v1.30", {"upgrade": "t1"})
    assert result == {"message": "Upgrade of prod-a to v1.30 failed in step wait (task t1): boom", "task_id": "t1"}
    guard = failure_message({}, "guard", "prod-a", "v1.30", {"upgrade": None})
    assert guard["message"] == "Upgrade of prod-a to v1.30 failed in step guard: unknown error"
    assert failure_message({"msg": "x"}, "postcheck", "n", "t", {"upgrade": "t1"})["task_id"] is None


def test_step_plans_and_check_plan_show_every_hop():
    route = three_hops()
    guard = {"action": "start", "from_version": "v1.23.8-r0", "workflow_id": None, "open_workflow": None, "active_task": None}
    plans = step_plans(guard, "v1.23.17-r30", snapshot_max_age=30, timeout=600, poll_interval=5)
    assert set(plans) == set(HOP_STEPS)
    assert plans["upgrade"] == "submit the upgrade task v1.23.8-r0 -> v1.23.17-r30"
    assert plans["workflow"] == "create an upgrade workflow to v1.23.17-r30"
    report = check_plan(route, guard, list(HOP_STEPS), plans, "ancient-a", "v1.23.8-r0", "v1.31", snapshot=False)
    assert report["lines"][0] == "Would run (check mode), " + route["message"] + ":"
    assert report["lines"][1] == "hop 1 of 3 (v1.23.8-r0 -> v1.23.17-r30), steps:"
    assert report["lines"][-1] == ("hop 3 of 3, v1.28.15-r30 -> v1.31.10-r0 (minor, after hop 2): workflow, precheck, "
                                   "upgrade, wait, postcheck, verify")
    assert report["message"].startswith("Check mode, nothing changed: ancient-a v1.23.8-r0 -> v1.31 would start the upgrade.")


def test_step_plans_of_attach_resume_and_retry():
    active = {"task_id": "t9", "phase": "Pause", "progress": "40.00"}
    workflow = {"points": {"pre_check": {"task_id": "p1", "status": "Running"}}}
    plans = step_plans({"action": "resume", "active_task": active, "open_workflow": workflow, "workflow_id": "w1"}, "v1.30")
    assert plans["upgrade"] == "resume the paused upgrade task t9 at 40.00%"
    assert plans["precheck"] == "attach to pre-check p1 (Running)"
    assert plans["workflow"] == "reuse the open upgrade workflow w1"
    autopilot = step_plans({"action": "resume", "active_task": active}, "v1.30", flavor="autopilot")
    assert autopilot["upgrade"].startswith("stop: upgrade task t9 of this Autopilot cluster is paused")
    assert step_plans({"action": "retry", "task_id": "t3"}, "v1.30", retry_failed=True)["wait"].endswith(
        "retrying it once if it fails)")


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {
        "cce_upgrade_route", "cce_upgrade_hop_gate", "cce_upgrade_hop_records", "cce_upgrade_add_durations",
        "cce_upgrade_hop_record", "cce_upgrade_hop_context", "cce_upgrade_step_plans", "cce_upgrade_check_plan",
        "cce_upgrade_failure_message", "cce_upgrade_window_gate"}
