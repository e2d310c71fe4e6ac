# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_upgrade_workflow_info against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_upgrade_workflow_info"


@pytest.mark.parametrize("check", [False, True])
def test_cluster_without_workflows(sim, ansible, check):
    cid = sim.cluster("prod-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid}, check=check)
    assert rc == 0, output
    assert result["changed"] is False
    assert (result["workflows"], result["workflow"], result["workflow_id"], result["open_workflow"]) == ([], None, None, None)
    assert sim.writes() == []


@pytest.mark.parametrize("name, flavor", [("prod-b", "cce"), ("ap-c", "autopilot")])
def test_open_cancelled_and_single_workflow(sim, ansible, name, flavor):
    cid = sim.cluster(name)["id"]
    base = {"cluster_id": cid, "cluster_flavor": flavor}
    rc, first, output = ansible.run_module("cce_upgrade_workflow", dict(base, target_version="v1.30"))
    assert rc == 0, output
    rc, _cancel, output = ansible.run_module("cce_upgrade_workflow", dict(base, state="cancelled"))
    assert rc == 0, output
    rc, second, output = ansible.run_module("cce_upgrade_workflow", dict(base, target_version="v1.30"))
    assert rc == 0, output
    writes = len(sim.writes(cid))

    rc, listed, output = ansible.run_module(MODULE, base, check=True)
    assert rc == 0, output
    assert listed["changed"] is False
    assert [w["workflow_id"] for w in listed["workflows"]] == [second["workflow_id"], first["workflow_id"]]
    assert [w["phase"] for w in listed["workflows"]] == ["Init", "Cancel"]
    assert listed["open_workflow"]["workflow_id"] == second["workflow_id"]
    assert listed["workflow_id"] == second["workflow_id"]
    assert listed["workflow"]["target_version"] == "v1.30.14-r10"   # CCE returns it resolved
    assert listed["workflow"]["points"]["pre_check"]["task_id"] is None

    rc, one, output = ansible.run_module(MODULE, dict(base, workflow_id=first["workflow_id"]))
    assert rc == 0, output
    assert one["workflow_id"] == first["workflow_id"]
    assert one["workflow"]["phase"] == "Cancel"
    assert one["open_workflow"] is None
    assert [w["workflow_id"] for w in one["workflows"]] == [first["workflow_id"]]
    assert len(sim.writes(cid)) == writes


def test_unknown_workflow_fails_with_not_found(sim, ansible):
    cid = sim.cluster("prod-c")["id"]
    missing = "0b6c43b5-8a5d-11ee-9ea1-0255ac100b05"
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "workflow_id": missing})
    assert rc != 0, output
    assert missing in result["msg"]
    assert result["status_code"] == 404


def test_bad_cluster_id_fails_before_any_request(sim, ansible):
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": "prod-a"})
    assert rc != 0, output
    assert "cluster_id" in result["msg"]
    assert sim.requests() == []
