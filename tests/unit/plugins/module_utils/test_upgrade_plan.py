"""plan_hops over the upgrade path table of the CCE user guide (real-cce-behaviour.md §2)."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import (
    PlanError,
    first_step_targets,
    plan_hops,
)

# Latest patch of each minor, and the platform version it runs on.
LATEST = {
    "v1.23": ("v1.23.17-r0", "cce.10.0"), "v1.25": ("v1.25.16-r10", "cce.9.0"),
    "v1.27": ("v1.27.16-r10", "cce.8.0"), "v1.28": ("v1.28.15-r30", "cce.7.0"),
    "v1.29": ("v1.29.15-r10", "cce.6.0"), "v1.30": ("v1.30.14-r10", "cce.5.0"),
    "v1.31": ("v1.31.10-r0", "cce.4.0"), "v1.32": ("v1.32.6-r0", "cce.3.0"),
    "v1.33": ("v1.33.2-r0", "cce.1.0"),
}
TABLE = {
    "v1.23": ["v1.25", "v1.27", "v1.28"], "v1.25": ["v1.27", "v1.28"], "v1.27": ["v1.28"],
    "v1.28": ["v1.29", "v1.31"], "v1.29": ["v1.30", "v1.31"], "v1.30": ["v1.31"],
    "v1.31": ["v1.32"], "v1.32": ["v1.33"], "v1.33": [],
}
OLDER = {"v1.23.5-r0": "cce.2.0", "v1.29.4-r0": "cce.4.0"}


def _paths():
    entries = []
    for minor, (latest, platform) in LATEST.items():
        entries.append({"version": minor, "platformVersion": platform,
                        "targetVersions": [LATEST[t][0] for t in TABLE[minor]]})
    for full, platform in OLDER.items():
        minor = full.rsplit(".", 1)[0]
        entries.append({"version": minor, "platformVersion": platform,
                        "targetVersions": [LATEST[minor][0]] + [LATEST[t][0] for t in TABLE[minor]]})
    return entries


PATHS = _paths()


def hops(result):
    return [(h["from"], h["to"], h["kind"]) for h in result["hops"]]


def test_several_minors_behind_and_not_on_latest_patch_goes_patch_first_then_largest_jumps():
    result = plan_hops("v1.23.5-r0", "v1.31", "cce.2.0", None, PATHS)
    assert hops(result) == [
        ("v1.23.5-r0", "v1.23.17-r0", "patch"),
        ("v1.23.17-r0", "v1.28.15-r30", "minor"),
        ("v1.28.15-r30", "v1.31.10-r0", "minor"),
    ]
    assert result["final_version"] == "v1.31.10-r0"
    assert all(h["reason"] for h in result["hops"])


def test_latest_is_the_newest_reachable_version():
    result = plan_hops("v1.23.5-r0", "latest", "cce.2.0", None, PATHS)
    assert [h["to"] for h in result["hops"]] == [
        "v1.23.17-r0", "v1.28.15-r30", "v1.31.10-r0", "v1.32.6-r0", "v1.33.2-r0"]
    assert result["final_version"] == "v1.33.2-r0"


def test_one_minor_hop_from_the_latest_patch():
    result = plan_hops("v1.29.15-r10", "v1.30", "cce.6.0", None, PATHS)
    assert hops(result) == [("v1.29.15-r10", "v1.30.14-r10", "minor")]


def test_patch_target_of_the_own_minor_is_one_patch_hop():
    result = plan_hops("v1.29.4-r0", "v1.29.15-r10", "cce.4.0", None, PATHS)
    assert hops(result) == [("v1.29.4-r0", "v1.29.15-r10", "patch")]


def test_already_at_target_has_no_hops():
    assert plan_hops("v1.29.4-r0", "v1.29", "cce.4.0", None, PATHS)["hops"] == []
    assert plan_hops("v1.33.2-r0", "latest", "cce.1.0", None, PATHS)["hops"] == []


def test_latest_on_the_newest_minor_but_old_patch_is_the_patch():
    paths = PATHS + [{"version": "v1.33", "platformVersion": "cce.0.9", "targetVersions": ["v1.33.2-r0"]}]
    result = plan_hops("v1.33.1-r0", "latest", "cce.0.9", None, paths)
    assert hops(result) == [("v1.33.1-r0", "v1.33.2-r0", "patch")]


def test_upgrade_info_targets_are_the_first_source():
    # CCE offers only v1.25 to this cluster now, although the table would allow v1.28.
    result = plan_hops("v1.23.17-r0", "v1.31", "cce.10.0", ["v1.25.16-r10"], PATHS)
    assert [h["to"] for h in result["hops"]] == ["v1.25.16-r10", "v1.28.15-r30", "v1.31.10-r0"]


def test_upgrade_info_may_list_minors():
    result = plan_hops("v1.29.15-r10", "v1.31", "cce.6.0", ["v1.30", "v1.31"], PATHS)
    assert hops(result) == [("v1.29.15-r10", "v1.31", "minor")]


def test_entries_of_another_platform_version_do_not_apply():
    # Only an entry of cce.99 lists targets for v1.29: a cluster on cce.4.0 gets nothing from it.
    paths = [{"version": "v1.29", "platformVersion": "cce.99", "targetVersions": ["v1.30.14-r10"]}]
    assert first_step_targets("v1.29.4-r0", "cce.4.0", None, paths) == []
    with pytest.raises(PlanError, match="CCE offers none"):
        plan_hops("v1.29.4-r0", "v1.30", "cce.4.0", None, paths)


def test_downgrade_is_refused_naming_the_offer():
    with pytest.raises(PlanError, match="cannot downgrade.*v1.29.15-r10"):
        plan_hops("v1.29.4-r0", "v1.28", "cce.4.0", None, PATHS)


def test_unreachable_target_says_how_far_the_paths_go():
    with pytest.raises(PlanError, match=r"v1\.40 cannot be reached from v1\.29\.15-r10.*lead up to v1\.33\.2-r0"):
        plan_hops("v1.29.15-r10", "v1.40", "cce.6.0", None, PATHS)


def test_patch_target_not_offered_is_refused():
    with pytest.raises(PlanError, match="not offered"):
        plan_hops("v1.29.4-r0", "v1.29.99-r0", "cce.4.0", None, PATHS)


def test_bad_target_names_the_parameter():
    with pytest.raises(ValueError, match="target_version"):
        plan_hops("v1.29.4-r0", "1.30", "cce.4.0", None, PATHS)


def test_normalized_path_entries_plan_the_same():
    snake = [{"version": e["version"], "platform_version": e["platformVersion"], "target_versions": e["targetVersions"]}
             for e in PATHS]
    assert plan_hops("v1.23.5-r0", "v1.31", "cce.2.0", None, snake) == plan_hops("v1.23.5-r0", "v1.31", "cce.2.0", None, PATHS)


def test_locate_run_from_the_active_task_and_the_open_workflow():
    from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import locate_run
    plan = plan_hops("v1.23.5-r0", "v1.31", "cce.2.0", None, PATHS)
    assert locate_run(plan["hops"]) is None
    workflow = {"workflow_id": "w", "cluster_version": "v1.23.5-r0", "target_version": "v1.23.17-r0",
                "points": {"pre_check": {"status": "Success"}, "snapshot": {"status": "Running"}}}
    assert locate_run(plan["hops"], workflow)["step"] == "snapshot"
    assert locate_run(plan["hops"], workflow)["hop"] == 1
    task = {"task_id": "t", "version": "v1.23.17-r0", "target_version": "v1.28.15-r30", "phase": "Running", "progress": "37.50"}
    where = locate_run(plan["hops"], None, task)
    assert (where["hop"], where["step"], where["task_id"], where["progress"]) == (2, "wait", "t", "37.50")
    other = dict(task, target_version="v1.99.1-r0")
    assert locate_run(plan["hops"], None, other)["hop"] is None


def test_describe_plan_in_one_line():
    from ansible_collections.hwcloud.cce.plugins.module_utils.upgrade_plan import describe_plan
    assert describe_plan(plan_hops("v1.29.15-r10", "v1.30", "cce.6.0", None, PATHS)) == \
        "v1.29.15-r10 -> v1.30.14-r10 in 1 hop: v1.30.14-r10 (minor)"
    assert "nothing to upgrade" in describe_plan(plan_hops("v1.29.4-r0", "v1.29", "cce.4.0", None, PATHS))
