"""Unit tests for the hwcloud.cce.unknown_variables filter (plugins/filter/unknown_variables.py)."""

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "unknown_variables.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_unknown_variables", PLUGIN)
uv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(uv)


def check(names, **kwargs):
    kwargs.setdefault("role", "cluster_upgrade")
    return uv.unknown_variables(names, **kwargs)


def test_filter_is_registered():
    assert uv.FilterModule().filters()["unknown_variables"] is uv.unknown_variables


def test_known_names_pass_and_other_prefixes_are_ignored():
    assert check(["cce_upgrade_window", "cce_upgrade_cluster_id", "inventory_hostname", "cce_cluster_id"]) == []


@pytest.mark.parametrize("given, closest", [
    ("cce_upgrade_windows", "cce_upgrade_window"),
    ("cce_upgrade_precheck_timout", "cce_upgrade_precheck_timeout"),
    ("cce_upgrade_retry", "cce_upgrade_retry_failed"),
    ("cce_upgrade_target", "cce_upgrade_target_version"),
])
def test_misspelling_names_the_closest_documented_variable(given, closest):
    assert check([given]) == ["%s is not a known variable; did you mean %s?" % (given, closest)]


def test_no_close_name_points_at_the_role_documentation():
    assert check(["cce_upgrade_zzz"]) == [
        "cce_upgrade_zzz is not a known variable (ansible-doc -t role hwcloud.cce.cluster_upgrade lists the role's variables)."]


def test_the_known_names_are_the_argument_spec_options():
    documented, role_vars, set_by_tasks = uv.role_variables("cluster_upgrade")
    assert {"cce_upgrade_window", "cce_upgrade_retry_failed", "cce_upgrade_hold_path"} <= documented
    assert "cce_upgrade_retry_hint" in role_vars          # vars/main.yml
    assert {"cce_upgrade_outcome", "cce_upgrade_info"} <= set_by_tasks   # set_fact, register


def test_names_the_role_sets_itself_are_accepted_only_after_it_ran():
    assert check(["cce_upgrade_outcome", "cce_upgrade_retry_hint"], role_ran=True) == []
    assert check(["cce_upgrade_retry_hint"]) == []
    assert check(["cce_upgrade_outcome"]) != []


def test_module_option_names_the_role_variable_with_the_e_form():
    assert check(["skipped_check_items"]) == [
        "skipped_check_items is an option of the modules; the role does not read it. Use the role variable "
        "cce_upgrade_skipped_check_items, for example -e '{\"cce_upgrade_skipped_check_items\": [\"<check item>\"]}'."]


def test_playbook_names_are_known_and_suggested():
    known = ["cce_fleet_target_version", "cce_fleet_hosts"]
    assert check(["cce_fleet_hosts"], known=known) == []
    assert check(["cce_fleet_target_versions"], known=known) == [
        "cce_fleet_target_versions is not a known variable; did you mean cce_fleet_target_version?"]
    assert check(["cce_fleet_hosts"], known=known, prefixes=["cce_upgrade_"]) == []


def test_bad_input_and_unknown_role():
    with pytest.raises(AnsibleFilterError):
        uv.unknown_variables("cce_upgrade_window")
    with pytest.raises(AnsibleFilterError, match="no role nosuchrole"):
        check([], role="nosuchrole")


def test_artifacts_that_awx_passes_to_later_workflow_nodes_are_accepted():
    """In an AWX workflow the set_stats artifacts of a canary run (the role's, the fleet's, a slice's)
    reach the rollout as extra variables: they are not misspellings."""
    published = ["cce_upgrade_results", "cce_fleet_summary", "cce_fleet_summary_job_17"]
    assert check(published, known=["cce_fleet_hosts"]) == []
    assert check(["cce_upgrade_results"], prefixes=["cce_upgrade_"]) == []
    # only the published names themselves
    assert len(check(["cce_fleet_summary_job_x", "cce_fleet_summaries"], known=["cce_fleet_hosts"])) == 2
