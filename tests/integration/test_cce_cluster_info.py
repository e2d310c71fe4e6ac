"""hwcloud.cce.cce_cluster_info driven by real ``ansible`` against the simulator."""

import uuid

import pytest


MODULE = "cce_cluster_info"


def names(result):
    return [c["name"] for c in result["clusters"]]


CLUSTER_KEYS = {"id", "name", "flavor", "version", "platform_version", "status", "category", "type",
                "creation_timestamp", "update_timestamp"}


def test_lists_standard_clusters(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {})
    assert rc == 0, output
    assert result["changed"] is False
    assert result["cluster"] is None
    expected = sorted(c["name"] for c in sim.clusters() if c["flavor"] == "cce")
    assert names(result) == expected
    assert all(set(c) == CLUSTER_KEYS and c["flavor"] == "cce" for c in result["clusters"])
    assert sim.writes() == []


def test_lists_autopilot_clusters(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {"cluster_flavor": "autopilot"})
    assert rc == 0, output
    expected = sorted(c["name"] for c in sim.clusters() if c["flavor"] == "autopilot")
    assert names(result) == expected and "ap-a" in expected
    assert all(c["flavor"] == "autopilot" for c in result["clusters"])
    assert all(r["path"].startswith("/autopilot/") for r in sim.requests())


def test_name_glob(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {"name": "prod-*"})
    assert rc == 0, output
    assert names(result) == ["prod-a", "prod-b", "prod-c"]


def test_status_and_version_filters(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {"status": "Available", "version": "v1.25"})
    assert rc == 0, output
    assert names(result) == ["legacy-a"]
    listing = [r for r in sim.requests() if r["path"].endswith("/clusters")]
    assert len(listing) == 1 and "status=Available" in (listing[0].get("query") or "")

    rc, result, output = ansible.run_module(MODULE, {"status": "Upgrading"})
    assert rc == 0, output
    assert result["clusters"] == []


def test_one_cluster_by_id(ansible, sim):
    wanted = sim.cluster("prod-b")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": wanted["id"]})
    assert rc == 0, output
    assert result["cluster"]["id"] == wanted["id"] and result["cluster"]["name"] == "prod-b"
    assert result["cluster"]["version"] == "v1.29" and result["cluster"]["status"] == "Available"
    assert result["clusters"] == [result["cluster"]]
    assert len(sim.requests()) == 1


def test_one_autopilot_cluster_by_id(ansible, sim):
    wanted = sim.cluster("ap-c")
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": wanted["id"], "cluster_flavor": "autopilot"})
    assert rc == 0, output
    assert result["cluster"]["name"] == "ap-c" and result["cluster"]["flavor"] == "autopilot"


def test_missing_cluster_is_null(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {"cluster_id": str(uuid.uuid4())})
    assert rc == 0, output
    assert result["cluster"] is None and result["clusters"] == []


def test_check_mode(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {"name": "legacy-*"}, check=True)
    assert rc == 0, output
    assert names(result) == ["legacy-a"]
    assert sim.writes() == []


def test_ad_hoc_key_value_form(ansible, sim):
    wanted = sim.cluster("prod-a")
    rc, result, output = ansible.run_module(MODULE, "cluster_id=%s" % wanted["id"])
    assert rc == 0, output
    assert result["cluster"]["name"] == "prod-a"


@pytest.mark.parametrize("args, option", [
    ({"cluster_id": "prod-a"}, "cluster_id"),
    ({"cluster_id": "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04", "name": "prod-*"}, "name"),
    ({"version": "1.29x"}, "version"),
])
def test_bad_input_fails_before_any_request(ansible, sim, args, option):
    rc, result, output = ansible.run_module(MODULE, args)
    assert rc != 0
    assert option in result["msg"]
    assert sim.requests() == []


def test_missing_credentials_fail_before_any_request(ansible, sim):
    rc, result, output = ansible.run_module(MODULE, {}, env={"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None})
    assert rc != 0
    assert "no credentials" in result["msg"]
    assert sim.requests() == []
