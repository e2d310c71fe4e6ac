"""Unit tests for hwcloud.cce.cce_cluster_not_found_message (plugins/filter/upgrade_guard.py)."""

from ansible_collections.hwcloud.cce.plugins.filter.upgrade_guard import FilterModule, cluster_not_found_message


def test_the_filter_is_registered():
    assert FilterModule().filters()["cce_cluster_not_found_message"] is cluster_not_found_message


def test_an_autopilot_cluster_addressed_as_cce_is_named_with_the_value_to_set():
    read = {"clusters": [{"id": "c-1", "name": "ap-a"}]}
    assert cluster_not_found_message(read, "c-1", "cce") == (
        "Cluster c-1 (ap-a) is an Autopilot cluster, not found as cce: set cce_upgrade_cluster_flavor to autopilot "
        "(-e cce_upgrade_cluster_flavor=autopilot).")


def test_a_standard_cluster_addressed_as_autopilot_is_named_with_the_value_to_set():
    read = {"clusters": [{"id": "c-2", "name": "prod-a"}]}
    assert cluster_not_found_message(read, "c-2", "autopilot") == (
        "Cluster c-2 (prod-a) is a standard or Turbo cluster, not found as autopilot: set cce_upgrade_cluster_flavor "
        "to cce (-e cce_upgrade_cluster_flavor=cce).")


def test_a_cluster_found_nowhere_names_the_variables_to_check_and_quotes_cce():
    for read in ({"clusters": []}, {"failed": True, "msg": "404"}, None):
        assert cluster_not_found_message(read, "c-3", "cce", cce_said="CCE.01404001 cluster not found") == (
            "Cluster c-3 (cce) not found; check cce_upgrade_cluster_id and cce_upgrade_cluster_flavor (and the "
            "project and region of the credentials). CCE said: CCE.01404001 cluster not found")
