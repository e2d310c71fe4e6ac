# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_postcheck against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_postcheck"
POSTCHECK = "/operation/postcheck"


def open_workflow(ansible, base):
    rc, result, output = ansible.run_module("cce_upgrade_workflow", dict(base, target_version="v1.30"))
    assert rc == 0, output
    return result["workflow_id"]


def upgrade(ansible, base):
    rc, result, output = ansible.run_module("cce_cluster_upgrade", dict(base, target_version="v1.30",
                                                                        **ansible.fast))
    assert rc == 0, output
    return result


@pytest.mark.parametrize("name, flavor, prefix", [("prod-a", "cce", "/api/v3/"), ("ap-a", "autopilot", "/autopilot/v3/")])
def test_postcheck_after_upgrade_then_rerun_is_unchanged(sim, ansible, name, flavor, prefix, posts, workflow_of):
    cid = sim.cluster(name)["id"]
    base = {"cluster_id": cid, "cluster_flavor": flavor}
    workflow_id = open_workflow(ansible, base)
    upgrade(ansible, base)

    rc, checked, output = ansible.run_module(MODULE, base, check=True, diff=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert checked["workflow_id"] == workflow_id
    assert checked["diff"] == {"before": {"status": None}, "after": {"status": "Success"}}
    assert posts(sim, cid, POSTCHECK) == []

    rc, result, output = ansible.run_module(MODULE, base)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["phase"] == "Success"
    assert result["task_id"]
    assert result["workflow_id"] == workflow_id
    assert (result["cluster_version"], result["target_version"]) == ("v1.29.4-r0", "v1.30.14-r10")
    assert [w["path"].startswith(prefix) for w in posts(sim, cid, POSTCHECK)] == [True]

    workflow = workflow_of(sim, cid, workflow_id, flavor)
    assert workflow["phase"] == "Success", workflow
    assert workflow["points"]["post_check"]["status"] == "Success"

    writes = len(sim.writes(cid))
    for args in (base, dict(base, workflow_id=workflow_id)):
        rc, again, output = ansible.run_module(MODULE, args)
        assert rc == 0, output
        assert again["changed"] is False
        assert again["workflow_id"] == workflow_id
    assert len(sim.writes(cid)) == writes


def test_postcheck_before_the_upgrade_is_refused(sim, ansible, posts):
    cid = sim.cluster("prod-b")["id"]
    workflow_id = open_workflow(ansible, {"cluster_id": cid})
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid})
    assert rc != 0, output
    assert "cannot run the post-check of upgrade workflow %s" % workflow_id in result["msg"]
    assert "upgrade step is not started" in result["msg"]
    assert posts(sim, cid, POSTCHECK) == []


def test_failed_postcheck_fails_clearly(sim, ansible):
    cid = sim.cluster("prod-c")["id"]
    base = {"cluster_id": cid}
    open_workflow(ansible, base)
    upgrade(ansible, base)
    sim.set_faults({"rules": [{"fault": "error", "method": "POST", "path": "/operation/postcheck$", "status": 400,
                               "error_code": "CCE.01400001", "message": "cluster is not healthy"}]})
    rc, result, output = ansible.run_module(MODULE, base)
    assert rc != 0, output
    assert "run the post-check of cluster %s (v1.29.4-r0 -> v1.30.14-r10)" % cid in result["msg"]
    assert "cluster is not healthy" in result["msg"]
    assert result["status_code"] == 400


def test_no_workflow_fails_naming_workflow_id(sim, ansible):
    cid = sim.cluster("prod-a")["id"]
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": cid, "target_version": "v1.30"})
    assert rc != 0, output
    assert "no open upgrade workflow to v1.30" in result["msg"]
    assert "workflow_id" in result["msg"]
    assert sim.writes(cid) == []


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "not-a-uuid"}, "cluster_id"),
    ({"target_version": "v1"}, "target_version"),
    ({"cluster_flavor": "turbo"}, "cluster_flavor"),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, option):
    args = dict({"cluster_id": sim.cluster("prod-a")["id"]}, **args)
    rc, result, output = ansible.run_module(MODULE, args)
    assert rc != 0, output
    assert option in result["msg"]
    assert sim.requests() == []
