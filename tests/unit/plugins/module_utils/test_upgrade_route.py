"""plan_route: the hops a role run takes, with a run under way first; steps_of: the one step list."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import (
    HOP_STEPS,
    PlanError,
    hop_label,
    plan_route,
    steps_of,
)
from test_upgrade_plan import PATHS


def route(result):
    return [(h["index"], h["from"], h["to"], h["state"], h["step"]) for h in result["hops"]]


def test_nothing_under_way_is_the_plan_with_indexes():
    result = plan_route("v1.23.5-r0", "v1.31", "cce.2.0", None, PATHS)
    assert route(result) == [
        (1, "v1.23.5-r0", "v1.23.17-r0", "planned", None),
        (2, "v1.23.17-r0", "v1.28.15-r30", "planned", None),
        (3, "v1.28.15-r30", "v1.31.10-r0", "planned", None),
    ]
    assert result["final_version"] == "v1.31.10-r0"


def test_an_active_task_of_a_later_hop_leads_and_is_never_started_again():
    task = {"task_id": "t2", "version": "v1.23.17-r0", "target_version": "v1.28.15-r30", "phase": "Running", "progress": "40.00"}
    workflow = {"workflow_id": "w2", "cluster_version": "v1.23.17-r0", "target_version": "v1.28.15-r30",
                "points": {"pre_check": {"status": "Success"}, "cluster": {"status": "Running"}}}
    result = plan_route("v1.23.17-r0", "v1.31", "cce.10.0", None, PATHS, workflow, task)
    assert route(result) == [
        (1, "v1.23.17-r0", "v1.28.15-r30", "under_way", "wait"),
        (2, "v1.28.15-r30", "v1.31.10-r0", "planned", None),
    ]
    assert result["hops"][0]["kind"] == "minor"


def test_an_upgrade_done_but_not_post_checked_is_finished_first():
    workflow = {"workflow_id": "w1", "cluster_version": "v1.23.5-r0", "target_version": "v1.23.17-r0",
                "points": {"pre_check": {"status": "Success"}, "snapshot": {"status": "Success"}, "cluster": {"status": "Success"}}}
    result = plan_route("v1.23.17-r0", "v1.28", None, None, PATHS, workflow, None)
    assert route(result) == [
        (1, "v1.23.5-r0", "v1.23.17-r0", "finishing", "postcheck"),
        (2, "v1.23.17-r0", "v1.28.15-r30", "planned", None),
    ]
    # the last hop finishing: nothing planned after it
    done = plan_route("v1.23.17-r0", "v1.23.17-r0", None, None, PATHS, workflow, None)
    assert route(done) == [(1, "v1.23.5-r0", "v1.23.17-r0", "finishing", "postcheck")]
    assert done["final_version"] == "v1.23.17-r0"


def test_a_run_under_way_beyond_the_target_does_not_lead():
    task = {"task_id": "t", "version": "v1.29.15-r10", "target_version": "v1.31.10-r0", "phase": "Running"}
    result = plan_route("v1.29.15-r10", "v1.30", "cce.6.0", None, PATHS, None, task)
    assert [(h["to"], h["state"]) for h in result["hops"]] == [("v1.30.14-r10", "planned")]


def test_latest_continues_from_the_run_under_way():
    workflow = {"workflow_id": "w", "cluster_version": "v1.31.10-r0", "target_version": "v1.32.6-r0", "points": {}}
    result = plan_route("v1.31.10-r0", "latest", None, None, PATHS, workflow, None)
    assert route(result) == [(1, "v1.31.10-r0", "v1.32.6-r0", "under_way", "precheck"),
                             (2, "v1.32.6-r0", "v1.33.2-r0", "planned", None)]


def test_no_path_raises_like_plan_hops():
    with pytest.raises(PlanError, match="v1.40 cannot be reached from v1.29.4-r0"):
        plan_route("v1.29.4-r0", "v1.40", "cce.4.0", None, PATHS)


@pytest.mark.parametrize("plan,snapshot,expected", [
    ("full", True, list(HOP_STEPS)),
    ("full", False, ["workflow", "precheck", "upgrade", "wait", "postcheck", "verify"]),
    ("attach", True, ["upgrade", "wait", "postcheck", "verify"]),
    ("retry", False, ["upgrade", "wait", "postcheck", "verify"]),
    ("finish", True, ["postcheck", "verify"]),
    ("done", True, []),
])
def test_steps_of_is_the_tail_of_the_one_step_list(plan, snapshot, expected):
    assert steps_of(plan, snapshot) == expected


def test_hop_label():
    assert hop_label({"index": 2, "from": "a", "to": "b"}, 3) == "hop 2 of 3 (a -> b)"
