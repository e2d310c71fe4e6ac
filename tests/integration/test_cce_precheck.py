# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_precheck against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_precheck"
PRECHECK = "/operation/precheck"


def precheck(ansible, cid, **args):
    return ansible.run_module(MODULE, dict({"cluster_id": cid, "target_version": "v1.30"}, **dict(ansible.fast, **args)))


@pytest.mark.parametrize("name, flavor", [("prod-a", "cce"), ("ap-a", "autopilot")])
def test_precheck_then_rerun_reuses_it(sim, ansible, name, flavor, posts):
    cid = sim.cluster(name)["id"]
    rc, first, output = precheck(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] == "Success"
    assert first["reused"] is False
    assert first["task_id"]
    assert first["cluster_id"] == cid
    assert first["workflow_id"] is None
    assert first["fatal_count"] == 0
    assert first["expire_timestamp"]
    assert set(first["check_items"]) == {"fatal", "warning", "info"}
    names = [item["name"] for item in first["check_items"]["info"]]
    assert "upgrade-limit-check" in names and "node-status-check" in names
    assert len(posts(sim, cid, PRECHECK)) == 1

    rc, second, output = precheck(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert second["changed"] is False
    assert second["reused"] is True
    assert second["task_id"] == first["task_id"]
    assert second["check_items"] == first["check_items"]
    assert len(sim.writes(cid)) == 1
    prefix = "/autopilot/" if flavor == "autopilot" else "/api/"
    assert all(r["path"].startswith(prefix) for r in sim.requests() if r.get("cluster_id") == cid)


def test_precheck_reuses_the_workflow_point(sim, ansible, posts, workflow_of):
    cid = sim.cluster("prod-b")["id"]
    rc, workflow, output = ansible.run_module("cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, output
    rc, first, output = precheck(ansible, cid)
    assert rc == 0, output
    assert first["workflow_id"] == workflow["workflow_id"]
    workflow = workflow_of(sim, cid)
    assert workflow["points"]["pre_check"]["task_id"] == first["task_id"], workflow
    rc, second, output = precheck(ansible, cid)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["task_id"]) == (False, True, first["task_id"])
    assert len(posts(sim, cid, PRECHECK)) == 1
    rc, forced, output = precheck(ansible, cid, force=True)
    assert rc == 0, output
    assert (forced["changed"], forced["reused"], forced["phase"]) == (True, False, "Success")
    assert forced["task_id"] != first["task_id"]
    assert len(posts(sim, cid, PRECHECK)) == 2


def test_check_mode_starts_nothing(sim, ansible):
    cid = sim.cluster("prod-c")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.30"}, check=True, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["task_id"] is None
    assert result["diff"] == {"before": {}, "after": {"target_version": "v1.30", "phase": "Init"}}
    assert sim.writes(cid) == []


def test_fatal_risk_fails_listing_items_then_passes_when_skipped(sim, ansible, posts):
    cid = sim.cluster("risky-a")["id"]
    rc, failed, output = precheck(ansible, cid)
    assert rc != 0, output
    assert "1 fatal risk(s)" in failed["msg"]
    assert "deprecated-api-check" in failed["msg"]
    assert "skipped_check_items" in failed["msg"]
    assert failed["fatal_count"] == 1
    assert [i["name"] for i in failed["fatal_items"]] == ["deprecated-api-check"]
    assert [i["name"] for i in failed["check_items"]["fatal"]] == ["deprecated-api-check"]
    assert failed["phase"] == "Failed"

    rc, passed, output = precheck(ansible, cid, skipped_check_items=["deprecated-api-check"])
    assert rc == 0, output
    assert passed["changed"] is True
    assert passed["phase"] == "Success"
    assert passed["fatal_count"] == 0
    assert passed["task_id"] != failed["task_id"]
    assert len(posts(sim, cid, PRECHECK)) == 2


def test_fatal_risk_skipped_per_node_on_autopilot(sim, ansible):
    cid = sim.cluster("ap-risky")["id"]
    rc, failed, output = precheck(ansible, cid, cluster_flavor="autopilot")
    assert rc != 0, output
    assert "deprecated-api-check" in failed["msg"]
    skip = [{"name": "deprecated-api-check", "node_ids": ["0b6c43b5-8a5d-11ee-9ea1-0255ac100b05"]}]
    rc, passed, output = precheck(ansible, cid, cluster_flavor="autopilot", skipped_check_items=skip)
    assert rc == 0, output
    assert passed["phase"] == "Success"


def test_precheck_expired_on_the_server_clock_is_not_reused(sim, ansible, posts):
    """CCE judges expiry on its own clock: once the simulator's clock passed the expiry (the local
    clock still says an hour to go), a new pre-check starts and the upgrade that needs it succeeds."""
    cid = sim.cluster("prod-a")["id"]
    rc, first, output = precheck(ansible, cid)
    assert rc == 0, output
    assert first["changed"] is True and first["phase"] == "Success"
    sim.advance(3700 / sim.control("GET", "clock")["time_scale"])  # the validity is an hour of real time

    rc, second, output = precheck(ansible, cid)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["phase"]) == (True, False, "Success"), second
    assert second["task_id"] != first["task_id"]
    assert len(posts(sim, cid, PRECHECK)) == 2

    rc, upgraded, output = ansible.run_module("cce_cluster_upgrade", dict(
        {"cluster_id": cid, "target_version": "v1.30", "is_only_upgrade": False}, **ansible.fast))
    assert rc == 0, output
    assert upgraded["changed"] is True and upgraded["phase"] == "Success"
    assert sim.cluster("prod-a")["version"] == "v1.30.14-r10"


def test_running_precheck_is_attached_not_duplicated(sim, slow, slow_ansible):
    cid = slow.cluster("prod-a")["id"]
    args = {"cluster_id": cid, "target_version": "v1.30", "wait": False}
    rc, first, output = slow_ansible.run_module(MODULE, args)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] in ("Init", "Running")
    rc, second, output = slow_ansible.run_module(MODULE, args)
    assert rc == 0, output
    assert (second["changed"], second["attached"], second["task_id"]) == (False, True, first["task_id"])
    rc, waited, output = slow_ansible.run_module(MODULE, dict(args, wait=True, wait_timeout=1, poll_interval=0.3))
    assert rc != 0, output
    assert "still" in waited["msg"] and first["task_id"] in waited["msg"]
    assert len([w for w in slow.writes(cid) if w["path"].endswith(PRECHECK)]) == 1
    assert sim.writes(cid) == []


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "prod-a"}, "cluster_id"),
    ({"target_version": "latest"}, "target_version"),
    ({"skipped_check_items": [{"name": "x", "nodes": ["n1"]}]}, "skipped_check_items"),
    ({"skipped_check_items": [{"node_ids": ["n1"]}]}, "skipped_check_items"),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, option):
    args = dict({"cluster_id": sim.cluster("prod-a")["id"], "target_version": "v1.30"}, **args)
    rc, result, output = ansible.run_module(MODULE, args)
    assert rc != 0, output
    assert option in result["msg"]
    assert sim.requests() == []
