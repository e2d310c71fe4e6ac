"""Issue 10 ("Meet real CCE"), client side: each point of the issue, with real ``ansible`` against the
simulator, which refuses what real CCE refuses (reference/real-cce-behaviour.md)."""

import pytest

UPGRADE = "/operation/upgrade"


def cid_of(sim, name):
    return sim.cluster(name)["id"]


NO_WAIT_OPTIONS = ("cce_upgrade_workflow", "cce_upgrade_workflow_info")


def run(ansible, module, cid, check=False, env=None, **args):
    params = dict({"cluster_id": cid}, **({} if module in NO_WAIT_OPTIONS else ansible.fast))
    params.update(args)
    return ansible.run_module(module, params, check=check, env=env)


# --------------------------------------------------------------------------- 1-3: versions, pre-check, patch first

def test_point2_precheck_names_the_exact_current_patch_version(ansible, sim):
    """CCE refuses a pre-check whose clusterVersion is not the current patch version (the minor is wrong)."""
    rc, result, output = run(ansible, "cce_precheck", cid_of(sim, "prod-a"), target_version="v1.30")
    assert rc == 0, output
    assert result["changed"] is True and result["phase"] == "Success"
    assert result["cluster_version"] == "v1.29.4-r0"


@pytest.mark.parametrize("module,args", [
    ("cce_cluster_upgrade", {}),
    ("cce_precheck", {}),
    ("cce_upgrade_workflow", {"state": "present"}),
])
def test_point3_a_new_minor_from_an_older_patch_is_refused_before_any_write(ansible, sim, module, args):
    cid = cid_of(sim, "stale-a")     # v1.29.2-r0; the latest patch of v1.29 is v1.29.4-r0
    rc, result, output = run(ansible, module, cid, target_version="v1.30", **args)
    assert rc != 0
    assert "target_version v1.30" in result["msg"] and "latest patch v1.29.4-r0 first" in result["msg"], result["msg"]
    assert sim.writes() == []


def test_point3_patch_upgrade_then_verified_on_the_full_version(ansible, sim, posts):
    """After a patch upgrade ShowCluster still reads v1.29: the module reports it done, not a new upgrade."""
    cid = cid_of(sim, "stale-a")
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.29.4-r0")
    assert rc == 0, output
    assert result["changed"] is True and result["phase"] == "Success"
    assert result["from_version"] == "v1.29.2-r0"
    assert sim.cluster("stale-a")["version"] == "v1.29.4-r0"

    rc, again, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.29.4-r0")
    assert rc == 0, output
    assert again["changed"] is False and again["task_id"] == result["task_id"]
    assert again["diff"]["after"] == {"version": "v1.29.4-r0"}
    assert len(posts(sim, cid, UPGRADE)) == 1

    rc, info, output = run(ansible, "cce_cluster_upgrade_info", cid)
    assert rc == 0, output
    assert info["current_version"] == "v1.29" and info["full_version"] == "v1.29.4-r0"
    assert info["patch_target"] is None

    # now on the latest patch, the next minor is allowed
    rc, minor, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc == 0, output
    assert minor["changed"] is True and minor["phase"] == "Success"


def test_point1_upgrade_info_reports_the_full_version_and_the_patch_to_take_first(ansible, sim):
    rc, info, output = run(ansible, "cce_cluster_upgrade_info", cid_of(sim, "ancient-a"))
    assert rc == 0, output
    assert info["current_version"] == "v1.23" and info["full_version"] == "v1.23.8-r0"
    assert info["patch_target"] == "v1.23.17-r30"
    assert "v1.23.17-r30" in info["target_versions"]


# --------------------------------------------------------------------------- 4: paths

def test_point4_targets_come_only_from_path_entries_of_the_clusters_platform_version(ansible, sim):
    rc, info, output = run(ansible, "cce_cluster_upgrade_info", cid_of(sim, "legacy-a"))
    assert rc == 0, output
    mine = [p for p in info["upgrade_paths"] if p["version"] == "v1.25" and p["platform_version"] == info["platform_version"]]
    others = [p for p in info["upgrade_paths"] if p["version"] == "v1.25" and p["platform_version"] != info["platform_version"]]
    assert mine and others
    foreign = set(t for p in others for t in p["target_versions"]) - set(t for p in mine for t in p["target_versions"])
    assert foreign and not foreign & set(info["target_versions"])


def test_point4_a_skipped_minor_of_the_real_table_is_a_valid_target(ansible, sim):
    """v1.28 -> v1.31 skips v1.29 and v1.30 in the real path table."""
    added = sim.add_cluster(name="skip-a", version="v1.28.15-r30")
    rc, result, output = run(ansible, "cce_cluster_upgrade", added["id"], target_version="v1.31")
    assert rc == 0, output
    assert result["changed"] is True and result["phase"] == "Success"
    assert sim.cluster("skip-a")["version"].startswith("v1.31.")


# --------------------------------------------------------------------------- 5: documents as CCE writes them

@pytest.mark.parametrize("name", ["prod-b", "prod-c"])   # Go +0800 CST, RFC 3339
def test_point5_precheck_is_reused_on_clusters_with_cst_and_rfc3339_timestamps(ansible, sim, name):
    cid = cid_of(sim, name)
    rc, first, output = run(ansible, "cce_precheck", cid, target_version="v1.30")
    assert rc == 0, output
    rc, again, output = run(ansible, "cce_precheck", cid, target_version="v1.30")
    assert rc == 0, output
    assert again["changed"] is False and again["reused"] is True and again["task_id"] == first["task_id"]
    assert isinstance(again["check_items"], dict)


def test_point5_snapshot_is_reused_on_a_cst_cluster(ansible, sim):
    cid = cid_of(sim, "prod-b")
    rc, first, output = run(ansible, "cce_snapshot", cid)
    assert rc == 0, output
    rc, again, output = run(ansible, "cce_snapshot", cid)
    assert rc == 0, output
    assert again["changed"] is False and again["reused"] is True and again["task_id"] == first["task_id"]


def test_point5_workflow_documents_with_spec_types_are_read(ansible, sim):
    """flaky-a answers with API Explorer types: critical as text, nodeInfo as JSON text."""
    cid = cid_of(sim, "flaky-a")
    rc, created, output = run(ansible, "cce_upgrade_workflow", cid, state="present", target_version="v1.30")
    assert rc == 0, output
    rc, check, output = run(ansible, "cce_precheck", cid, target_version="v1.30")
    assert rc == 0, output
    rc, info, output = run(ansible, "cce_upgrade_workflow_info", cid, workflow_id=created["workflow_id"])
    assert rc == 0, output
    assert all(isinstance(line["critical"], bool) for line in info["workflow"]["lines"])


# --------------------------------------------------------------------------- 6: no message on tasks

def test_point6_a_failed_upgrade_is_explained_from_the_cluster_status(ansible, sim):
    cid = cid_of(sim, "flaky-a")
    rc, failed, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc != 0
    assert failed["phase"] == "Failed" and not failed["task"]["message"]
    assert failed["failure"]["cluster_reason"] == "UpgradeFailed"
    assert "kubelet did not become ready" in failed["msg"] and "state=retried" in failed["msg"]


def test_point6_and_7_cces_own_precheck_inside_the_task_fails_it_with_a_reason(ansible, sim):
    """No pre-check of ours: isOnlyUpgrade false, CCE's built-in check finds the fatal risk."""
    cid = cid_of(sim, "risky-a")
    rc, failed, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc != 0
    assert failed["phase"] == "Failed"
    assert "deprecated-api-check" in failed["msg"] and failed["failure"]["cluster_reason"] == "UpgradePreCheckFailed"


# --------------------------------------------------------------------------- 7: isOnlyUpgrade

def test_point7_after_our_valid_precheck_the_upgrade_skips_cces_check(ansible, sim):
    cid = cid_of(sim, "prod-c")
    rc, check, output = run(ansible, "cce_precheck", cid, target_version="v1.30")
    assert rc == 0, output
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc == 0, output
    assert result["is_only_upgrade"] is True and result["phase"] == "Success"


def test_point7_without_a_valid_precheck_cce_checks_instead_of_the_run_failing(ansible, sim):
    cid = cid_of(sim, "prod-a")
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30", is_only_upgrade=True)
    assert rc == 0, output
    assert result["is_only_upgrade"] is False and result["phase"] == "Success"
    assert "isOnlyUpgrade=false" in output


def test_point7_a_cce_demanding_a_precheck_gets_the_upgrade_with_its_own_check(ansible, sim):
    """A CCE that answers CCE.01400075 to isOnlyUpgrade=true (require_precheck): submit again with false."""
    added = sim.add_cluster(name="strict-a", version="v1.29.4-r0", require_precheck=True)
    cid = added["id"]
    rc, check, output = run(ansible, "cce_precheck", cid, target_version="v1.30")
    assert rc == 0, output
    sim.advance(7200 / sim.control("GET", "clock")["time_scale"])  # the pre-check (an hour of real time) expires on CCE's clock only
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc == 0, output
    assert result["phase"] == "Success" and result["is_only_upgrade"] is False


# --------------------------------------------------------------------------- 8: pause and continue deprecated

def test_point8_cce_refusing_the_deprecated_pause_is_reported_and_the_task_runs_on(slow_ansible, slow):
    added = slow.add_cluster(name="nopause-a", version="v1.29.4-r0", pause_continue="deprecated")
    cid = added["id"]
    rc, started, output = run(slow_ansible, "cce_cluster_upgrade", cid, target_version="v1.30", wait=False)
    assert rc == 0, output
    rc, result, output = run(slow_ansible, "cce_cluster_upgrade", cid, state="paused")
    assert rc != 0
    assert "deprecated" in result["msg"] and result["deprecated_api"] is True
    assert result["task"]["phase"] != "Pause"
    slow.advance(360000 + 900)   # CCE's own pre-check stage (slow simulator), then the upgrade
    rc, done, output = run(slow_ansible, "cce_cluster_upgrade", cid, target_version="v1.30")
    assert rc == 0, output
    assert done["phase"] == "Success" and done["task_id"] == started["task_id"]


# --------------------------------------------------------------------------- 9: batch size, scope, selectors

def test_point9_documented_options_reach_cce_and_scope_is_not_sent_unset(ansible, sim, posts):
    cid = cid_of(sim, "prod-c")
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30", wait=False,
                             user_defined_step=40,
                             node_order={"DefaultPool": [{"node_selector": {"key": "name", "operator": "=",
                                                                            "value": ["prod-c-defaultpool-1"]},
                                                          "priority": 1}]},
                             addons=[{"name": "coredns", "version": "1.30.3",
                                      "values": {"basic": {"swr_addr": "swr.example"}, "custom": {}, "flavor": {}}}])
    assert rc == 0, output
    assert result["changed"] is True and len(posts(sim, cid, UPGRADE)) == 1


def test_point9_a_step_above_40_warns_and_cce_may_refuse_it(ansible, sim):
    cid = cid_of(sim, "prod-a")
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid, target_version="v1.30", wait=False, user_defined_step=60)
    assert "CCE may refuse it" in output
    assert rc != 0 and result["status_code"] == 400   # the simulator refuses above 40, as the API reference says


@pytest.mark.parametrize("step", [0, 121])
def test_point9_a_step_outside_1_to_120_fails_before_any_request(ansible, sim, step):
    rc, result, output = run(ansible, "cce_cluster_upgrade", cid_of(sim, "prod-a"), target_version="v1.30",
                             user_defined_step=step)
    assert rc != 0 and "user_defined_step" in result["msg"]
    assert sim.requests() == []


# --------------------------------------------------------------------------- 10: upgrade APIs granted on request

@pytest.mark.parametrize("module,args", [
    ("cce_cluster_upgrade", {"target_version": "v1.30"}),
    ("cce_precheck", {"target_version": "v1.30"}),
    ("cce_cluster_upgrade_info", {}),
])
def test_point10_an_account_without_the_upgrade_apis_is_told_to_get_them_enabled(ansible, sim, module, args):
    added = sim.add_cluster(name="nogrant-a", version="v1.29.4-r0", upgrade_api_granted=False)
    rc, result, output = run(ansible, module, added["id"], **args)
    assert rc != 0
    assert result["status_code"] == 403
    assert "needs the CCE cluster-upgrade APIs enabled" in result["msg"] and "on request" in result["msg"]
    assert sim.writes(added["id"]) == []
