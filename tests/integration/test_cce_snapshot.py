# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_snapshot against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_snapshot"
SNAPSHOT = "/operation/snapshot"


def snapshot(ansible, cid, **args):
    return ansible.run_module(MODULE, dict({"cluster_id": cid}, **dict(ansible.fast, **args)))


@pytest.mark.parametrize("name, flavor, prefix", [("prod-a", "cce", "/api/v3.1/"), ("ap-a", "autopilot", "/autopilot/v3.1/")])
def test_snapshot_then_rerun_reuses_it(sim, ansible, name, flavor, prefix, posts):
    cid = sim.cluster(name)["id"]
    rc, first, output = snapshot(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] == "Success"
    assert first["reused"] is False
    assert first["task_id"]
    assert first["task"]["task_id"] == first["task_id"]
    assert first["task"]["sub_tasks"][0]["type"] == "master-backup"
    assert [w["path"].startswith(prefix) for w in posts(sim, cid, SNAPSHOT)] == [True]

    rc, second, output = snapshot(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["task_id"]) == (False, True, first["task_id"])
    assert len(sim.writes(cid)) == 1


def test_check_mode_starts_nothing(sim, ansible):
    cid = sim.cluster("prod-b")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid}, check=True, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["task_id"] is None
    assert result["diff"]["before"] == {}
    assert sim.writes(cid) == []


def test_workflow_snapshot_point_counts_even_without_max_age(sim, ansible, posts):
    cid = sim.cluster("prod-c")["id"]
    rc, workflow, output = ansible.run_module("cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, output
    rc, first, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["workflow_id"] == workflow["workflow_id"]
    rc, second, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["task_id"]) == (False, True, first["task_id"])
    assert len(posts(sim, cid, SNAPSHOT)) == 1


def test_max_age_zero_without_workflow_takes_a_new_snapshot(sim, ansible, posts):
    cid = sim.cluster("prod-a")["id"]
    rc, first, output = snapshot(ansible, cid)
    assert rc == 0, output
    rc, second, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert second["changed"] is True
    assert second["task_id"] != first["task_id"]
    assert len(posts(sim, cid, SNAPSHOT)) == 2


def test_running_snapshot_is_attached_not_duplicated(sim, slow, slow_ansible):
    cid = slow.cluster("ap-a")["id"]
    args = {"cluster_id": cid, "cluster_flavor": "autopilot", "wait": False}
    rc, first, output = slow_ansible.run_module(MODULE, args)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] == "Running"
    rc, second, output = slow_ansible.run_module(MODULE, args)
    assert rc == 0, output
    assert (second["changed"], second["attached"], second["task_id"]) == (False, True, first["task_id"])
    assert len(slow.writes(cid)) == 1
    assert sim.writes(cid) == []


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "ap-a"}, "cluster_id"),
    ({"max_age": -5}, "max_age"),
    ({"poll_interval": 0}, "poll_interval"),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, option):
    args = dict({"cluster_id": sim.cluster("prod-a")["id"]}, **args)
    rc, result, output = ansible.run_module(MODULE, args)
    assert rc != 0, output
    assert option in result["msg"]
    assert sim.requests() == []
