# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_autopilot_upgrade_plan and _info against the simulator (real ansible runs)."""

import datetime

import pytest

INFO = "cce_autopilot_upgrade_plan_info"
MODULE = "cce_autopilot_upgrade_plan"
UTC = datetime.timezone.utc
WINDOW = {"weekly_period": "Wednesday,Saturday", "start_time": "02:00", "duration_hours": 4}


def parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def shifted(text, **delta):
    return (parse(text) + datetime.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def planned(sim):
    """An Autopilot cluster one patch behind, with a window and CCE's Pending plan for next week."""
    return sim.add_cluster(name="ap-planned", flavor="autopilot", version="v1.29.2-r0", maintenance_window=WINDOW)["id"]


def puts(sim, cid):
    return [w for w in sim.writes(cid) if w["method"] == "PUT"]


def test_info_lists_the_plans_in_check_mode_too(sim, ansible, planned):
    rc, result, output = ansible.run_module(INFO, {"cluster_id": planned}, check=True)
    assert rc == 0, output
    assert result["changed"] is False
    (plan,) = result["plans"]
    assert (plan["cluster_id"], plan["cluster_version"], plan["target_version"], plan["phase"]) == (
        planned, "v1.29.2-r0", "v1.29.4-r0", "Pending")
    assert parse(plan["not_after"]) - parse(plan["not_before"]) == datetime.timedelta(hours=4)
    assert parse(plan["not_before"]).strftime("%A %H:%M") in ("Wednesday 02:00", "Saturday 02:00")
    assert parse(plan["not_before_deadline"]) > parse(plan["not_before"])
    assert result["next_plan"] == plan and result["plan"] is None
    assert [r["path"].rsplit("/", 1)[-1] for r in sim.requests()] == ["upgradeplans"]

    rc, other, output = ansible.run_module(INFO, {"cluster_id": sim.cluster("ap-a")["id"]})
    assert rc == 0, output
    assert (other["plans"], other["next_plan"]) == ([], None)


def test_postpone_then_rerun_writes_nothing(sim, ansible, planned):
    rc, info, output = ansible.run_module(INFO, {"cluster_id": planned})
    plan = info["next_plan"]
    later = shifted(plan["not_before"], days=3)
    args = {"cluster_id": planned, "not_before": later.replace("T", " ").rstrip("Z")}  # no offset: UTC

    rc, checked, output = ansible.run_module(MODULE, args, check=True, diff=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert checked["diff"]["before"]["not_before"] == plan["not_before"]
    assert checked["diff"]["after"]["not_before"] == later
    assert puts(sim, planned) == []

    rc, first, output = ansible.run_module(MODULE, args)
    assert rc == 0, output
    assert (first["changed"], first["plan_id"], first["not_before"]) == (True, plan["plan_id"], later)
    assert first["plan"]["not_before"] == later
    assert first["plan"]["not_after"] == shifted(plan["not_after"], days=3)
    assert len(puts(sim, planned)) == 1

    rc, second, output = ansible.run_module(MODULE, dict(args, plan_id=plan["plan_id"]))
    assert rc == 0, output
    assert second["changed"] is False
    # an earlier not_before is already satisfied: the plan does not start before it
    rc, earlier, output = ansible.run_module(MODULE, dict(args, not_before=plan["not_before"]))
    assert rc == 0, output
    assert earlier["changed"] is False
    assert len(puts(sim, planned)) == 1
    rc, info, output = ansible.run_module(INFO, {"cluster_id": planned, "plan_id": plan["plan_id"]})
    assert info["plan"]["not_before"] == later


def test_postpone_past_the_deadline_is_refused_before_any_write(sim, ansible, planned):
    rc, info, output = ansible.run_module(INFO, {"cluster_id": planned})
    plan = info["next_plan"]
    too_late = shifted(plan["not_before_deadline"], hours=8)
    local = parse(too_late).astimezone(datetime.timezone(datetime.timedelta(hours=8))).isoformat()
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": planned, "not_before": local})
    assert rc != 0, output
    assert "notBeforeDeadline %s" % plan["not_before_deadline"] in result["msg"]
    assert too_late in result["msg"]
    assert puts(sim, planned) == []


def test_no_pending_plan_is_nothing_to_do(sim, ansible):
    cid = sim.cluster("ap-b")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "not_before": "2030-01-01"})
    assert rc == 0, output
    assert (result["changed"], result["plan"], result["plan_id"]) == (False, None, None)
    assert sim.writes(cid) == []


@pytest.mark.parametrize("module, args, words", [
    (MODULE, {"not_before": "next week"}, ["not_before", "YYYY-MM-DD"]),
    (MODULE, {"not_before": "2026-02-30"}, ["not_before"]),
    (MODULE, {"not_before": "2026-12-01", "plan_id": "plan-1"}, ["plan_id", "UUID"]),
    (MODULE, {"not_before": "2026-12-01", "cluster_flavor": "cce"}, ["cluster_flavor", "autopilot"]),
    (INFO, {"plan_id": "../x"}, ["plan_id", "UUID"]),
])
def test_bad_input_fails_before_any_request(sim, ansible, module, args, words):
    rc, result, output = ansible.run_module(module, dict({"cluster_id": sim.cluster("ap-c")["id"]}, **args))
    assert rc != 0, output
    for word in words:
        assert word in result["msg"]
    assert sim.requests() == []
