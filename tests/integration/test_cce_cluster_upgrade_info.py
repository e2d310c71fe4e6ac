"""hwcloud.cce.cce_cluster_upgrade_info driven by real ``ansible`` against the simulator."""

import json
import re
import subprocess
import uuid

import pytest

FAST = {"poll_interval": 0.2}
ACTIVE = ("Init", "Queuing", "Running", "Pause")
_RESULT_LINE = re.compile(r"^localhost \| (?:SUCCESS|CHANGED|FAILED!|UNREACHABLE!) => ", re.M)


@pytest.fixture(scope="module")
def slow_simulator(simulator):
    """A second simulator on real time (time scale 1: an upgrade takes 600 s unless the clock is
    advanced), for the cases that must find a task still running however slow the machine is."""
    # start_simulator / stop_simulator of tests/conftest.py (both conftest modules are named
    # "conftest", so reach them through the Simulator class the session fixture returned).
    harness = type(simulator).reset.__globals__
    slow = harness["start_simulator"](time_scale=1.0)
    yield slow
    harness["stop_simulator"](slow)


@pytest.fixture
def slow(slow_simulator, sim):
    slow_simulator.reset()
    slow_simulator.set_faults({"rules": []})
    return slow_simulator


def on(simulator):
    """Environment that points the modules at ``simulator``."""
    return {"HW_CCE_ENDPOINT": simulator.url, "HW_IAM_ENDPOINT": simulator.url}


def finish_tasks(simulator):
    """Jump the clock of a real-time simulator past the end of any upgrade."""
    simulator.control("POST", "clock", {"advance": 700})


def run(ansible, module, args=None, check=False, diff=False, env=None, raw=None):
    """Run ``hwcloud.cce.<module>`` ad hoc; return (rc, result, output).

    Reads the result from the built-in ``minimal`` callback at -vvv (which keeps ``diff``), so it
    does not need the ``json`` callback (in ansible.posix since ansible-core 2.19). ``raw`` passes
    ``-a`` verbatim (the key=value form).
    """
    run_env = dict(ansible.env, ANSIBLE_STDOUT_CALLBACK="minimal")
    run_env.update(env or {})
    run_env = {k: v for k, v in run_env.items() if v is not None}
    cmd = [ansible._command("ansible"), "localhost", "-c", "local", "-m", "hwcloud.cce." + module, "-vvv"]
    if raw is not None or args:
        cmd += ["-a", raw if raw is not None else json.dumps(args)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=600, check=False)
    output = proc.stdout + proc.stderr
    match = _RESULT_LINE.search(proc.stdout)
    result = json.JSONDecoder().raw_decode(proc.stdout, match.end())[0] if match else {}
    return proc.returncode, result, output


def cluster_id(sim, name):
    return sim.cluster(name)["id"]


def info(ansible, cid, check=False, env=None, **args):
    return run(ansible, "cce_cluster_upgrade_info", dict({"cluster_id": cid}, **args), check=check, env=env)


def start_upgrade(ansible, cid, env=None, **args):
    params = dict({"cluster_id": cid, "target_version": "v1.30", "is_only_upgrade": True, "wait": False}, **FAST)
    params.update(args)
    rc, result, output = run(ansible, "cce_cluster_upgrade", params, env=env)
    assert rc == 0, output
    return result


TASK_KEYS = {"task_id", "version", "target_version", "phase", "progress", "message",
             "creation_timestamp", "update_timestamp", "completion_time"}


def test_versions_targets_and_paths(ansible, sim):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = info(ansible, cid)
    assert rc == 0, output
    assert result["changed"] is False
    assert result["cluster_id"] == cid and result["cluster_name"] == "prod-a"
    assert result["cluster_status"] == "Available"
    assert result["current_version"] == "v1.29"
    assert result["release"] and result["patch"]
    assert result["target_versions"] == ["v1.30"]
    paths = {p["version"]: p["target_versions"] for p in result["upgrade_paths"]}
    assert paths["v1.29"] == ["v1.30"] and paths["v1.25"] == ["v1.27"]
    assert result["tasks"] == [] and result["active_task"] is None
    assert set(result["last_upgrade"]) == {"phase", "progress", "completion_time"}
    assert sim.writes() == []


def test_legacy_cluster_targets(ansible, sim):
    rc, result, output = info(ansible, cluster_id(sim, "legacy-a"))
    assert rc == 0, output
    assert result["current_version"] == "v1.25"
    assert result["target_versions"] == ["v1.27"]


def test_check_mode_reads_the_same(ansible, sim):
    cid = cluster_id(sim, "prod-b")
    rc, normal, output = info(ansible, cid)
    assert rc == 0, output
    rc, checked, output = info(ansible, cid, check=True)
    assert rc == 0, output
    assert checked["changed"] is False
    assert checked["target_versions"] == normal["target_versions"] == ["v1.30"]
    assert sim.writes() == []


def test_active_task_and_single_task_poll(ansible, slow):
    cid = cluster_id(slow, "prod-c")
    started = start_upgrade(ansible, cid, env=on(slow))
    rc, result, output = info(ansible, cid, env=on(slow))
    assert rc == 0, output
    assert [t["task_id"] for t in result["tasks"]] == [started["task_id"]]
    assert set(result["tasks"][0]) == TASK_KEYS
    active = result["active_task"]
    assert active["task_id"] == started["task_id"]
    assert active["phase"] in ("Init", "Queuing", "Running", "Pause")
    assert (active["version"], active["target_version"]) == ("v1.29", "v1.30")
    assert result["cluster_status"] == "Upgrading"

    before = len(slow.requests())
    rc, polled, output = info(ansible, cid, task_id=started["task_id"], env=on(slow))
    assert rc == 0, output
    requests = slow.requests()[before:]
    assert len(requests) == 1
    assert requests[0]["method"] == "GET" and requests[0]["path"].endswith("/operation/upgrade/tasks/" + started["task_id"])
    assert polled["task_id"] == started["task_id"] and polled["cluster_id"] == cid
    assert polled["task"]["task_id"] == started["task_id"] and set(polled["task"]) == TASK_KEYS
    assert "tasks" not in polled and "active_task" not in polled

    finish_tasks(slow)
    rc, done, output = info(ansible, cid, env=on(slow))
    assert rc == 0, output
    assert done["active_task"] is None
    assert done["tasks"][0]["phase"] == "Success"
    assert done["current_version"] == "v1.30"
    assert done["last_upgrade"]["phase"] == "Success"
    assert done["target_versions"] == ["v1.31"]


def test_autopilot(ansible, sim):
    cid = cluster_id(sim, "ap-b")
    rc, result, output = info(ansible, cid, cluster_flavor="autopilot")
    assert rc == 0, output
    assert result["current_version"] == "v1.29" and result["target_versions"] == ["v1.30"]
    assert result["tasks"] == []
    assert sim.requests() and all(r["path"].startswith("/autopilot/") for r in sim.requests())


def test_ad_hoc_key_value_form(ansible, sim):
    cid = cluster_id(sim, "prod-a")
    rc, result, output = run(ansible, "cce_cluster_upgrade_info", raw="cluster_id=%s" % cid)
    assert rc == 0, output
    assert result["cluster_id"] == cid and result["current_version"] == "v1.29"
    assert "localhost | SUCCESS" in output


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "prod-a"}, "cluster_id"),
    ({"task_id": "../../clusters"}, "task_id"),
])
def test_bad_input_fails_before_any_request(ansible, sim, args, option):
    params = dict({"cluster_id": cluster_id(sim, "prod-a")}, **args)
    rc, result, output = run(ansible, "cce_cluster_upgrade_info", params)
    assert rc != 0
    assert option in result["msg"]
    assert sim.requests() == []


def test_unknown_cluster_and_task(ansible, sim):
    rc, result, output = info(ansible, str(uuid.uuid4()))
    assert rc != 0
    assert result["status_code"] == 404 and result["error_code"] == "CCE.01404001"
    rc, result, output = info(ansible, cluster_id(sim, "prod-a"), task_id=str(uuid.uuid4()))
    assert rc != 0
    assert result["status_code"] == 404
    assert len(sim.requests()) == 2
