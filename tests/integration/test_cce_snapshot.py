# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_snapshot against the simulator (real ansible runs)."""

import importlib.util
import json
import tempfile
from pathlib import Path

import pytest

MODULE = "cce_snapshot"


def run(ansible, module, args=None, check=False, diff=False, env=None):
    """``ansible.run_module`` with the result read through the ``tree`` callback.

    ansible-core ships no ``json`` stdout callback, so the result file written by ``tree`` (kept
    whole, diff included, at verbosity 3) is the reliable way to get the module's result.
    """
    tree = Path(tempfile.mkdtemp(prefix="tree-", dir=str(ansible.tmp_path)))
    run_env = {"ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_CALLBACKS_ENABLED": "tree",
               "ANSIBLE_CALLBACK_TREE_DIR": str(tree), "ANSIBLE_DEPRECATION_WARNINGS": "0"}
    run_env.update(env or {})
    rc, result, output = ansible.run_module(module, args, check=check, diff=diff, env=run_env, verbosity=3)
    path = tree / "localhost"
    if path.exists():
        result = json.loads(path.read_text())
    return rc, result, output


def snapshot_posts(sim, cid):
    return [w for w in sim.writes(cid) if w["method"] == "POST" and w["path"].endswith("/operation/snapshot")]


def snapshot(ansible, cid, **args):
    return run(ansible, MODULE, dict({"cluster_id": cid, "poll_interval": 0.2}, **args))


@pytest.fixture(scope="module")
def slow_sim(tmp_path_factory):
    """A simulator whose snapshots take hours (so one is still running on the next run)."""
    harness = importlib.util.spec_from_file_location("cce_harness_for_snapshot", Path(__file__).parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(harness)
    harness.loader.exec_module(module)
    scenario = tmp_path_factory.mktemp("slow") / "scenario.json"
    scenario.write_text(json.dumps({"durations": {"snapshot": 360000},
                                    "clusters": [{"name": "ap-a", "flavor": "autopilot", "version": "v1.29"}]}))
    simulator = module.start_simulator(["--scenario", str(scenario)])
    yield simulator
    module.stop_simulator(simulator)


@pytest.mark.parametrize("name, flavor, prefix", [("prod-a", "cce", "/api/v3.1/"), ("ap-a", "autopilot", "/autopilot/v3.1/")])
def test_snapshot_then_rerun_reuses_it(sim, ansible, name, flavor, prefix):
    cid = sim.cluster(name)["id"]
    rc, first, output = snapshot(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] == "Success"
    assert first["reused"] is False
    assert first["task_id"]
    assert first["task"]["task_id"] == first["task_id"]
    assert first["task"]["items"][0]["type"] == "master-backup"
    assert [w["path"].startswith(prefix) for w in snapshot_posts(sim, cid)] == [True]

    rc, second, output = snapshot(ansible, cid, cluster_flavor=flavor)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["task_id"]) == (False, True, first["task_id"])
    assert len(sim.writes(cid)) == 1


def test_check_mode_starts_nothing(sim, ansible):
    cid = sim.cluster("prod-b")["id"]
    rc, result, output = run(ansible, MODULE, {"cluster_id": cid}, check=True, diff=True)
    assert rc == 0, output
    assert result["changed"] is True
    assert result["task_id"] is None
    assert result["diff"]["before"] == {}
    assert sim.writes(cid) == []


def test_workflow_snapshot_point_counts_even_without_max_age(sim, ansible):
    cid = sim.cluster("prod-c")["id"]
    rc, workflow, output = run(ansible, "cce_upgrade_workflow", {"cluster_id": cid, "target_version": "v1.30"})
    assert rc == 0, output
    rc, first, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["workflow_id"] == workflow["workflow_id"]
    rc, second, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert (second["changed"], second["reused"], second["task_id"]) == (False, True, first["task_id"])
    assert len(snapshot_posts(sim, cid)) == 1


def test_max_age_zero_without_workflow_takes_a_new_snapshot(sim, ansible):
    cid = sim.cluster("prod-a")["id"]
    rc, first, output = snapshot(ansible, cid)
    assert rc == 0, output
    rc, second, output = snapshot(ansible, cid, max_age=0)
    assert rc == 0, output
    assert second["changed"] is True
    assert second["task_id"] != first["task_id"]
    assert len(snapshot_posts(sim, cid)) == 2


def test_running_snapshot_is_attached_not_duplicated(sim, ansible, slow_sim):
    slow_sim.reset()
    cid = slow_sim.cluster("ap-a")["id"]
    env = {"HW_CCE_ENDPOINT": slow_sim.url, "HW_IAM_ENDPOINT": slow_sim.url}
    args = {"cluster_id": cid, "cluster_flavor": "autopilot", "wait": False}
    rc, first, output = run(ansible, MODULE, args, env=env)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["phase"] == "Running"
    rc, second, output = run(ansible, MODULE, args, env=env)
    assert rc == 0, output
    assert (second["changed"], second["attached"], second["task_id"]) == (False, True, first["task_id"])
    assert len(slow_sim.writes(cid)) == 1
    assert sim.writes(cid) == []


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "ap-a"}, "cluster_id"),
    ({"max_age": -5}, "max_age"),
    ({"poll_interval": 0}, "poll_interval"),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, option):
    args = dict({"cluster_id": sim.cluster("prod-a")["id"]}, **args)
    rc, result, output = run(ansible, MODULE, args)
    assert rc != 0, output
    assert option in result["msg"]
    assert sim.requests() == []
