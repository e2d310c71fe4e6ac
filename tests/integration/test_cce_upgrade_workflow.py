# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_upgrade_workflow against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_upgrade_workflow"


def cluster_id(sim, name):
    return sim.cluster(name)["id"]


def patches(sim, cid):
    return [w for w in sim.writes(cid) if w["method"] == "PATCH"]


def create(ansible, cid, target="v1.30", flavor="cce"):
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": target, "cluster_flavor": flavor})
    assert rc == 0, output
    return result


@pytest.mark.parametrize("name, flavor, prefix", [("prod-a", "cce", "/api/v3/"), ("ap-a", "autopilot", "/autopilot/v3/")])
def test_create_then_rerun_is_unchanged(sim, ansible, name, flavor, prefix):
    cid = cluster_id(sim, name)
    first = create(ansible, cid, flavor=flavor)
    assert first["changed"] is True
    assert first["cluster_id"] == cid
    assert first["workflow_id"]
    workflow = first["workflow"]
    assert workflow["workflow_id"] == first["workflow_id"]
    assert workflow["cluster_id"] == cid
    assert workflow["cluster_version"] == "v1.29.4-r0"   # CCE returns the versions resolved
    assert workflow["target_version"] == "v1.30.14-r10"
    assert workflow["phase"] == "Init"
    assert set(workflow["points"]) >= {"pre_check", "snapshot", "cluster", "post_check"}
    assert len(sim.writes(cid)) == 1

    second = create(ansible, cid, flavor=flavor)
    assert second["changed"] is False
    assert second["workflow_id"] == first["workflow_id"]
    assert len(sim.writes(cid)) == 1
    assert all(r["path"].startswith(prefix) for r in sim.requests() if r.get("cluster_id") == cid)


def test_check_mode_reports_without_writing(sim, ansible):
    cid = cluster_id(sim, "prod-b")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.30"}, check=True, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["workflow_id"] is None
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["target_version"] == "v1.30"
    assert sim.writes(cid) == []


def test_workflow_id_that_is_not_the_open_one_fails(sim, ansible):
    cid = cluster_id(sim, "prod-c")
    first = create(ansible, cid, target="v1.30")
    other = "0b6c43b5-8a5d-11ee-9ea1-0255ac100b05"
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.30", "workflow_id": other})
    assert rc != 0, output
    assert "workflow_id %s is not the open upgrade workflow" % other in result["msg"]
    assert first["workflow_id"] in result["msg"]
    assert len(sim.writes(cid)) == 1


def test_open_workflow_for_another_target_fails_naming_it(sim, ansible):
    cid = cluster_id(sim, "prod-b")
    first = create(ansible, cid)
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.31"})
    assert rc != 0, output
    assert first["workflow_id"] in result["msg"]
    assert "v1.30" in result["msg"]
    assert "state=cancelled" in result["msg"]
    assert result["workflow_id"] == first["workflow_id"]
    assert len(sim.writes(cid)) == 1


def test_target_not_offered_is_refused_before_any_write(sim, ansible):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.32"})
    assert rc != 0, output
    assert "target_version v1.32" in result["msg"] and "v1.31.10-r0" in result["msg"], result["msg"]
    assert sim.writes(cid) == []


def test_cancel_open_workflow_then_rerun_is_unchanged(sim, ansible):
    cid = cluster_id(sim, "prod-a")
    workflow_id = create(ansible, cid)["workflow_id"]

    rc, checked, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled"}, check=True, diff=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert checked["diff"]["before"]["phase"] == "Init"
    assert checked["diff"]["after"]["phase"] == "Cancel"
    assert patches(sim, cid) == []

    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled"})
    assert rc == 0, output
    assert result["changed"] is True
    assert result["workflow_id"] == workflow_id
    assert result["workflow"]["phase"] == "Cancel"
    assert len(patches(sim, cid)) == 1

    rc, again, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled", "workflow_id": workflow_id})
    assert rc == 0, output
    assert again["changed"] is False
    assert again["workflow"]["phase"] == "Cancel"
    rc, nothing, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled"})
    assert rc == 0, output
    assert nothing["changed"] is False
    assert nothing["workflow_id"] is None
    assert len(patches(sim, cid)) == 1

    # With the old workflow cancelled, a new one can be created.
    assert create(ansible, cid)["workflow_id"] != workflow_id


def test_cancel_autopilot(sim, ansible):
    cid = cluster_id(sim, "ap-b")
    create(ansible, cid, flavor="autopilot")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled", "cluster_flavor": "autopilot"})
    assert rc == 0, output
    assert result["changed"] is True
    assert result["workflow"]["phase"] == "Cancel"
    assert [w["path"].startswith("/autopilot/v3/") for w in patches(sim, cid)] == [True]


def test_cancel_refused_while_precheck_runs(sim, ansible):
    cid = cluster_id(sim, "prod-a")
    workflow_id = create(ansible, cid)["workflow_id"]
    rc, _result, output = ansible.run_module("cce_precheck", {"cluster_id": cid, "target_version": "v1.30", "wait": False})
    assert rc == 0, output
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled"})
    assert rc != 0, output
    assert "cannot cancel upgrade workflow %s" % workflow_id in result["msg"]
    assert "Running" in result["msg"]
    assert patches(sim, cid) == []


def test_cancel_pending_workflow_after_failed_precheck(sim, ansible, fast, workflow_of):
    cid = cluster_id(sim, "risky-a")
    workflow_id = create(ansible, cid)["workflow_id"]
    rc, _result, output = ansible.run_module("cce_precheck", dict({"cluster_id": cid, "target_version": "v1.30"}, **fast))
    assert rc != 0, output
    workflow = workflow_of(sim, cid, workflow_id)
    assert workflow["phase"] == "Pending", workflow
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled", "workflow_id": workflow_id})
    assert rc == 0, output
    assert result["changed"] is True
    assert result["workflow"]["phase"] == "Cancel"


def test_cancel_refusal_from_cce_is_reported(sim, ansible):
    cid = cluster_id(sim, "prod-b")
    create(ansible, cid)
    sim.set_faults({"rules": [{"fault": "error", "method": "PATCH", "path": "upgradeworkflows", "status": 400,
                               "error_code": "CCE.01400001", "message": "critical path has not been executed"}]})
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "cancelled"})
    assert rc != 0, output
    assert "CCE refused" in result["msg"]
    assert "critical path has not been executed" in result["msg"]
    assert result["status_code"] == 400
    assert result["error_code"] == "CCE.01400001"


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "not-a-uuid", "target_version": "v1.30"}, "cluster_id"),
    ({"target_version": "1.30"}, "target_version"),
    ({"target_version": "v1.30", "state": "gone"}, "state"),
    ({}, "target_version"),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, option):
    args = dict({"cluster_id": cluster_id(sim, "prod-a")}, **args)
    rc, result, output = ansible.run_module(MODULE, args)
    assert rc != 0, output
    assert option in result["msg"]
    assert sim.requests() == []
