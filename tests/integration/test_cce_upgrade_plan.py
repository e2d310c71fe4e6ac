# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_upgrade_plan against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_upgrade_plan"


def hops_of(result):
    return [(h["index"], h["from"], h["to"], h["kind"]) for h in result["hops"]]


@pytest.mark.parametrize("target, expected", [
    ("v1.31", [(1, "v1.23.8-r0", "v1.23.17-r30", "patch"), (2, "v1.23.17-r30", "v1.28.15-r30", "minor"),
               (3, "v1.28.15-r30", "v1.31.10-r0", "minor")]),
    ("latest", [(1, "v1.23.8-r0", "v1.23.17-r30", "patch"), (2, "v1.23.17-r30", "v1.28.15-r30", "minor"),
                (3, "v1.28.15-r30", "v1.31.10-r0", "minor"), (4, "v1.31.10-r0", "v1.32.6-r0", "minor"),
                (5, "v1.32.6-r0", "v1.33.1-r0", "minor")]),
])
def test_cluster_several_minors_behind_gets_the_shortest_path(sim, ansible, target, expected):
    cid = sim.cluster("ancient-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": target}, check=True)
    assert rc == 0, output
    assert result["changed"] is False
    assert result["current_version"] == "v1.23.8-r0"
    assert hops_of(result) == expected
    assert result["final_version"] == expected[-1][2]
    assert result["in_progress"] is None
    assert result["msg"].startswith("v1.23.8-r0 -> %s in %d hops" % (expected[-1][2], len(expected)))
    assert all(h["reason"] and h["steps"][0] == "workflow" for h in result["hops"])
    assert sim.writes() == []


def test_plan_says_where_a_run_stands(sim, ansible):
    cid = sim.cluster("stale-a")["id"]
    rc, created, output = ansible.run_module("cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.29.4-r0"})
    assert rc == 0, output
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, output
    assert [h["to"] for h in result["hops"]] == ["v1.29.4-r0", "v1.30.14-r10"]
    assert result["in_progress"]["hop"] == 1
    assert result["in_progress"]["step"] == "precheck"
    assert result["in_progress"]["workflow_id"] == created["workflow_id"]


def test_already_at_target_is_no_hop(sim, ansible):
    cid = sim.cluster("prod-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.29"})
    assert rc == 0, output
    assert result["hops"] == []
    assert "nothing to upgrade" in result["msg"]


def test_unreachable_target_names_the_offer(sim, ansible):
    cid = sim.cluster("prod-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.40"})
    assert rc != 0, output
    assert "cannot be reached" in result["msg"] and "v1.30.14-r10" in result["msg"]
    assert result["offered"]
    assert sim.writes() == []


def test_bad_target_fails_before_any_request(sim, ansible):
    cid = sim.cluster("prod-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "newest"})
    assert rc != 0, output
    assert "target_version" in result["msg"] and "latest" in result["msg"]
    assert sim.requests() == []
