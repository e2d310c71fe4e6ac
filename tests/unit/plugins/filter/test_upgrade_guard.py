"""Unit tests for the cce_upgrade_guard filter (plugins/filter/upgrade_guard.py): the role's guard
decision on CCE's real shapes (full versions in the upgrade info, the minor in the cluster)."""

from ansible_collections.hwcloud.cce.plugins.filter.upgrade_guard import FilterModule, upgrade_guard

TARGET_NAME = "cce_upgrade_target_version"


def info(current="v1.29.15-r30", offered=("v1.30.4-r0", "v1.31.2-r0"), status="Available", active=None, tasks=(),
         **extra):
    data = {"cluster_id": "c1", "cluster_name": "prod-a", "cluster_status": status, "current_version": current,
            "target_versions": list(offered), "active_task": active, "tasks": list(tasks)}
    data.update(extra)
    return data


def workflows(open_workflow=None):
    return {"workflows": [open_workflow] if open_workflow else [], "open_workflow": open_workflow}


def plan(data, target, open_workflow=None, **options):
    return upgrade_guard(data, workflows(open_workflow), target, target_name=TARGET_NAME, **options)


def test_a_minor_upgrade_from_the_latest_patch_is_a_full_run():
    result = plan(info(), "v1.30")
    assert result["refusal"] is None
    assert (result["plan"], result["action"], result["at_target"]) == ("full", "start", False)
    assert result["steps"] == ["workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify"]
    assert result["from_version"] == result["current_version"] == "v1.29.15-r30"


def test_without_snapshot_the_step_is_left_out():
    assert "snapshot" not in plan(info(), "v1.30", snapshot=False)["steps"]


def test_a_finished_patch_upgrade_is_done_although_the_cluster_shows_the_minor():
    # After a patch upgrade ShowCluster still reads v1.29; the upgrade info has the full version.
    result = plan(info(current="v1.29.15-r30", offered=["v1.30.4-r0"]), "v1.29.15-r30")
    assert (result["plan"], result["refusal"]) == ("done", None)
    assert result["done_message"] == "Cluster prod-a is already at v1.29.15-r30: nothing to do."


def test_the_full_version_is_built_from_release_and_patch_when_the_result_has_only_the_minor():
    data = info(current="v1.29", release="v1.29.15", patch="r30")
    result = plan(data, "v1.29.15-r30")
    assert result["current_version"] == "v1.29.15-r30"
    assert result["plan"] == "done"


def test_a_patch_upgrade_on_the_same_minor_is_a_full_run():
    result = plan(info(current="v1.29.4-r0", offered=["v1.29.15-r30", "v1.30.4-r0"]), "v1.29.15-r30")
    assert (result["plan"], result["refusal"]) == ("full", None)


def test_a_minor_target_off_the_latest_patch_is_refused_naming_the_patch_first():
    result = plan(info(current="v1.29.4-r0", offered=["v1.29.8-r0", "v1.29.15-r30", "v1.30.4-r0"]), "v1.30")
    refusal = result["refusal"]
    assert refusal is not None
    assert "cce_upgrade_target_version v1.30 is a minor upgrade" in refusal
    assert "prod-a is at v1.29.4-r0, not the latest patch of v1.29" in refusal
    assert "Upgrade to v1.29.15-r30 first (cce_upgrade_target_version=v1.29.15-r30), then to v1.30." in refusal


def test_a_target_several_minors_ahead_is_refused_as_not_offered_with_the_hops():
    data = info(current="v1.23.11-r0", offered=["v1.25.6-r0", "v1.27.3-r0", "v1.28.1-r0"])
    refusal = plan(data, "v1.30")["refusal"]
    assert refusal.startswith("cce_upgrade_target_version v1.30 is not offered for prod-a at v1.23.11-r0; "
                              "CCE offers: v1.25.6-r0, v1.27.3-r0, v1.28.1-r0.")
    assert "only in several upgrades" in refusal and "one upgrade at a time" in refusal


def test_a_target_not_offered_below_the_offered_ones_names_them_only():
    refusal = plan(info(offered=["v1.31.2-r0"]), "v1.30")["refusal"]
    assert refusal == "cce_upgrade_target_version v1.30 is not offered for prod-a at v1.29.15-r30; CCE offers: v1.31.2-r0."


def test_an_unavailable_cluster_is_refused():
    refusal = plan(info(status="Unavailable"), "v1.30")["refusal"]
    assert refusal == "Cluster prod-a is Unavailable; an upgrade needs Available (or an upgrade in progress)."


def test_an_open_workflow_to_another_target_is_refused():
    other = {"workflow_id": "w1", "target_version": "v1.31.2-r0", "cluster_version": "v1.29.15-r30", "points": {}}
    result = plan(info(), "v1.30", open_workflow=other)
    assert "has an open upgrade workflow w1 to v1.31.2-r0" in result["refusal"]
    assert result["open_workflow"] is None


def test_an_open_workflow_resolved_to_the_full_target_is_reused():
    same = {"workflow_id": "w1", "target_version": "v1.30.4-r0", "cluster_version": "v1.29.15-r30", "points": {}}
    result = plan(info(), "v1.30", open_workflow=same)
    assert result["refusal"] is None
    assert result["open_workflow"] == same and result["workflow_id"] == "w1"


def test_an_active_task_to_another_target_is_refused():
    active = {"task_id": "t1", "phase": "Running", "version": "v1.29.15-r30", "target_version": "v1.31.2-r0"}
    refusal = plan(info(status="Upgrading", active=active), "v1.30")["refusal"]
    assert refusal == ("An upgrade task t1 to v1.31.2-r0 is already active on prod-a; "
                       "cce_upgrade_target_version is v1.30.")


def test_an_active_task_is_attached_and_a_paused_one_resumed():
    running = {"task_id": "t1", "phase": "Running", "version": "v1.29.15-r30", "target_version": "v1.30.4-r0"}
    result = plan(info(status="Upgrading", active=running), "v1.30")
    assert (result["plan"], result["action"], result["task_id"], result["refusal"]) == ("attach", "attach", "t1", None)
    assert result["steps"] == ["upgrade", "wait", "postcheck", "verify"]
    paused = dict(running, phase="Pause")
    assert plan(info(active=paused), "v1.30")["action"] == "resume"


def test_a_task_that_ended_between_the_reads_finishes_the_workflow():
    newest = {"task_id": "t1", "phase": "Success", "version": "v1.29.15-r30", "target_version": "v1.30.4-r0"}
    same = {"workflow_id": "w1", "target_version": "v1.30.4-r0", "cluster_version": "v1.29.15-r30",
            "points": {"post_check": {"status": "Init"}}}
    result = plan(info(status="Upgrading", tasks=[newest]), "v1.30", open_workflow=same)
    assert (result["plan"], result["action"], result["at_target"]) == ("finish", "finish", True)
    assert result["steps"] == ["postcheck", "verify"]


def test_an_older_successful_task_does_not_count():
    older = {"task_id": "t0", "phase": "Success", "version": "v1.28.9-r0", "target_version": "v1.29.15-r30"}
    result = plan(info(tasks=[older]), "v1.29.15-r30")
    assert result["plan"] == "done"   # at the target on its own
    result = plan(info(current="v1.29.4-r0", offered=["v1.29.15-r30"], tasks=[older]), "v1.29.15-r30")
    assert result["plan"] == "full"


def test_at_the_target_with_the_post_check_done_there_is_nothing_to_do():
    same = {"workflow_id": "w1", "target_version": "v1.30.4-r0", "cluster_version": "v1.29.15-r30",
            "points": {"post_check": {"status": "Success"}}}
    result = plan(info(current="v1.30.4-r0", offered=[]), "v1.30", open_workflow=same)
    assert (result["plan"], result["steps"], result["refusal"]) == ("done", [], None)
    assert result["done_message"] == "Cluster prod-a is already at v1.30.4-r0: nothing to do."


def test_filter_name():
    filters = FilterModule().filters()
    assert set(filters) == {"cce_upgrade_guard", "cce_cluster_not_found_message"}
    assert filters["cce_upgrade_guard"] is upgrade_guard


def test_the_modules_patch_target_decides_patch_first():
    data = info(current="v1.29.4-r0", offered=["v1.29.15-r30", "v1.30.4-r0"], patch_target="v1.29.15-r30")
    assert "Upgrade to v1.29.15-r30 first" in plan(data, "v1.30")["refusal"]
    data["patch_target"] = None   # the module found the cluster on its latest patch
    assert plan(data, "v1.30")["refusal"] is None


def test_a_failed_task_to_the_target_is_named_for_a_retry():
    failed = {"task_id": "t1", "version": "v1.29.15-r30", "target_version": "v1.30.4-r0", "phase": "Failed"}
    assert plan(info(tasks=[failed]), "v1.30")["failed_task"] == failed
    # a failed task to another target, or an older one behind a newer task, is not ours to retry
    assert plan(info(tasks=[failed]), "v1.31")["failed_task"] is None
    newer = dict(failed, task_id="t2", phase="Success", target_version="v1.29.15-r30")
    assert plan(info(tasks=[newer, failed]), "v1.30")["failed_task"] is None
