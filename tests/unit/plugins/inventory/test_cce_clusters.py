"""hwcloud.cce.cce_clusters against the simulator: real HTTP, real ``ansible-inventory``.

Each test writes a ``*.cce_clusters.yml`` into tmp_path and runs ``ansible-inventory --list``
on it, the way users and AWX inventory sources run the plugin.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.hwcloud.cce.plugins.inventory.cce_clusters import (
    group_name,
    minor_version,
    version_matches,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
PLUGIN = "hwcloud.cce.cce_clusters"


@pytest.fixture(scope="module")
def collections_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("inventory-collections")
    namespace = root / "ansible_collections" / "hwcloud"
    namespace.mkdir(parents=True)
    (namespace / "cce").symlink_to(REPO_ROOT, target_is_directory=True)
    return root


class Inventory:
    """Runs ansible-inventory on a plugin config pointing at the simulator."""

    def __init__(self, sim, tmp_path, collections_root):
        self.sim = sim
        self.tmp_path = tmp_path
        creds = sim.credentials
        self.creds = creds
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("HW_", "HUAWEICLOUD_SDK_", "ANSIBLE_")))
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1",
            "ANSIBLE_INVENTORY_ENABLED": PLUGIN,
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        })

    def connection(self):
        return {
            "region": self.creds["region"],
            "project_id": self.creds["project_id"],
            "access_key": self.creds["access_key"],
            "secret_key": self.creds["secret_key"],
            "cce_endpoint": self.sim.url,
            "api_retries": 0,
        }

    def write(self, name="fleet.cce_clusters.yml", connection=True, **options):
        config = {"plugin": PLUGIN}
        if connection:
            config.update(self.connection())
        config.update(options)
        path = self.tmp_path / name
        path.write_text(yaml.safe_dump(config))
        return path

    def run(self, path, env=None):
        run_env = dict(self.env)
        run_env.update(env or {})
        binary = Path(sys.executable).parent / "ansible-inventory"
        cmd = [str(binary) if binary.exists() else "ansible-inventory", "-i", str(path), "--list"]
        return subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=120, check=False)

    def list(self, env=None, **options):
        proc = self.run(self.write(**options), env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return plain(json.loads(proc.stdout)), proc.stderr

    def list_hosts(self, env=None, **options):
        return self.list(env=env, **options)[0]


def plain(value):
    """Drop the ``__ansible_unsafe`` wrappers ansible-inventory puts around values read from the API."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def hosts_of(data, group):
    """Hosts of a group, following child groups."""
    entry = data.get(group, {})
    found = set(entry.get("hosts", []))
    for child in entry.get("children", []):
        found |= hosts_of(data, child)
    return found


def all_hosts(data):
    return set(data["_meta"]["hostvars"])


def list_requests(sim):
    return [r for r in sim.requests() if r["method"] == "GET" and r["path"].rstrip("/").endswith("/clusters")]


@pytest.fixture
def inventory(sim, tmp_path, collections_root):
    return Inventory(sim, tmp_path, collections_root)


def test_every_cluster_of_both_flavors_becomes_a_host_with_its_variables(inventory, sim):
    data = inventory.list_hosts()
    clusters = sim.clusters()
    assert all_hosts(data) == set(c["name"] for c in clusters)
    for cluster in clusters:
        hostvars = data["_meta"]["hostvars"][cluster["name"]]
        assert hostvars["cce_cluster_id"] == cluster["id"]
        assert hostvars["cce_cluster_name"] == cluster["name"]
        assert hostvars["cce_cluster_flavor"] == cluster["flavor"]
        # ShowCluster/ListClusters report the minor only (v1.29) for clusters from v1.21 on
        assert version_matches(cluster["version"], hostvars["cce_cluster_version"])
        assert hostvars["cce_cluster_minor_version"] == minor_version(cluster["version"])
        assert hostvars["cce_cluster_status"] == cluster["status"]
        assert hostvars["cce_region"] == inventory.creds["region"]
        assert hostvars["cce_project_id"] == inventory.creds["project_id"]
        assert hostvars["cce_endpoint"] == sim.url
        for value in hostvars.values():
            assert inventory.creds["secret_key"] not in str(value)
    # one list request per flavor: the standard and the autopilot list
    paths = sorted(r["path"] for r in list_requests(sim))
    project = inventory.creds["project_id"]
    assert paths == ["/api/v3/projects/%s/clusters" % project, "/autopilot/v3/projects/%s/clusters" % project]


def test_values_from_the_api_are_never_templated(inventory):
    proc = inventory.run(inventory.write(name_patterns=["prod-a"]))
    raw = json.loads(proc.stdout)["_meta"]["hostvars"]["prod-a"]
    assert raw["cce_cluster_name"] == {"__ansible_unsafe": "prod-a"}


def test_groups_by_flavor_version_status_and_region(inventory, sim):
    data = inventory.list_hosts()
    clusters = sim.clusters()
    assert hosts_of(data, "cce_flavor_cce") == set(c["name"] for c in clusters if c["flavor"] == "cce")
    assert hosts_of(data, "cce_flavor_autopilot") == set(c["name"] for c in clusters if c["flavor"] == "autopilot")
    assert {"prod-a", "prod-b", "prod-c", "ap-a", "risky-a"} <= hosts_of(data, "cce_version_v1_29")
    assert "legacy-a" not in hosts_of(data, "cce_version_v1_29")
    assert "legacy-a" in hosts_of(data, "cce_version_v1_25")
    assert "prod-a" in hosts_of(data, "cce_status_available")
    assert all_hosts(data) == hosts_of(data, group_name("region", inventory.creds["region"]))


def test_flavor_filter_lists_only_that_flavor(inventory, sim):
    data = inventory.list_hosts(flavors=["autopilot"])
    assert all_hosts(data) == set(c["name"] for c in sim.clusters() if c["flavor"] == "autopilot")
    assert [r["path"].split("/")[1] for r in list_requests(sim)] == ["autopilot"]


def test_name_version_and_status_filters(inventory, sim):
    data = inventory.list_hosts(name_patterns=["prod-*", "legacy-*"], exclude_name_patterns=["prod-c"])
    assert all_hosts(data) == {"prod-a", "prod-b", "legacy-a"}

    data = inventory.list_hosts(versions=["1.25"])
    assert all_hosts(data) == {"legacy-a"}

    data = inventory.list_hosts(versions=["v1.29"], flavors=["cce"], name_patterns=["prod-*"])
    assert all_hosts(data) == {"prod-a", "prod-b", "prod-c"}

    data = inventory.list_hosts(statuses=["available"], name_patterns=["ap-*"])
    assert all_hosts(data) == set(c["name"] for c in sim.clusters()
                                  if c["name"].startswith("ap-") and c["status"] == "Available")
    assert all_hosts(data)

    data = inventory.list_hosts(statuses=["Upgrading"])
    assert all_hosts(data) == set(c["name"] for c in sim.clusters() if c["status"] == "Upgrading")


def test_keyed_groups_groups_and_compose(inventory):
    data = inventory.list_hosts(
        name_patterns=["prod-a", "ap-a"],
        keyed_groups=[{"key": "cce_cluster_flavor", "prefix": "kind"}],
        groups={"canary": "cce_cluster_name == 'prod-a'"},
        compose={"cce_fleet_target_version": "'v1.30'", "short_id": "cce_cluster_id[:8]"},
    )
    assert hosts_of(data, "kind_cce") == {"prod-a"}
    assert hosts_of(data, "kind_autopilot") == {"ap-a"}
    assert hosts_of(data, "canary") == {"prod-a"}
    hostvars = data["_meta"]["hostvars"]["ap-a"]
    assert hostvars["cce_fleet_target_version"] == "v1.30"
    assert hostvars["short_id"] == hostvars["cce_cluster_id"][:8]


def test_hostnames_id(inventory, sim):
    data = inventory.list_hosts(hostnames="id")
    assert all_hosts(data) == set(c["id"] for c in sim.clusters())


def test_sources_list_each_place_and_duplicate_names_fall_back_to_ids(inventory, sim):
    creds = inventory.creds
    source = {"region": creds["region"], "project_id": creds["project_id"], "cce_endpoint": sim.url}
    data, stderr = inventory.list(sources=[source, dict(source)], flavors=["cce"], name_patterns=["prod-a"])
    prod_a = sim.cluster("prod-a")
    assert all_hosts(data) == {"prod-a", prod_a["id"]}
    assert "used more than once" in stderr
    assert len(list_requests(sim)) == 2


def test_regions_and_projects_combine(inventory, sim):
    creds = inventory.creds
    data = inventory.list_hosts(regions=[creds["region"]], projects=[creds["project_id"]], flavors=["autopilot"],
                                hostnames="id")
    assert all_hosts(data) == set(c["id"] for c in sim.clusters() if c["flavor"] == "autopilot")


def test_connection_options_from_the_environment(inventory, sim):
    creds = inventory.creds
    env = {
        "HW_REGION_NAME": creds["region"],
        "HW_PROJECT_ID": creds["project_id"],
        "HW_ACCESS_KEY": creds["access_key"],
        "HW_SECRET_KEY": creds["secret_key"],
        "HW_CCE_ENDPOINT": sim.url,
    }
    data = inventory.list_hosts(env=env, connection=False, flavors=["cce"], name_patterns=["legacy-a"])
    assert all_hosts(data) == {"legacy-a"}
    assert data["_meta"]["hostvars"]["legacy-a"]["cce_region"] == creds["region"]


def test_wrong_secret_fails_the_source_without_showing_it(inventory):
    secret = "Wr0ngSecretValue-" + "x" * 12
    path = inventory.write(secret_key=secret)
    proc = inventory.run(path)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "cce_clusters" in output
    assert secret not in output


def test_conflicting_credentials_fail_like_in_every_module(inventory, sim):
    """AK/SK in the config and a token in the environment: the modules refuse it, so does the inventory."""
    secret = inventory.creds["secret_key"]
    proc = inventory.run(inventory.write(), env={"HW_AUTH_TOKEN": "some-token-value"})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "conflicting credentials" in output and "auth_token" in output
    assert secret not in output and "some-token-value" not in output
    assert list_requests(sim) == []


def test_unknown_source_key_is_an_error(inventory):
    path = inventory.write(sources=[{"region": "r", "projectid": "x"}])
    proc = inventory.run(path)
    assert proc.returncode != 0
    assert "unknown key(s) projectid" in proc.stdout + proc.stderr


def test_inventory_cache_avoids_listing_again(inventory, sim, tmp_path):
    options = dict(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"),
                   flavors=["cce"])
    first = inventory.list_hosts(**options)
    assert len(list_requests(sim)) == 1
    second = inventory.list_hosts(**options)
    assert len(list_requests(sim)) == 1
    assert all_hosts(second) == all_hosts(first)


def test_config_file_name_must_match(inventory):
    path = inventory.write(name="fleet.yml")
    proc = inventory.run(path)
    assert proc.returncode != 0


@pytest.mark.parametrize("version, wanted, expected", [
    ("v1.29", "v1.29", True),
    ("v1.29.3-r0", "1.29", True),
    ("v1.29.3", "v1.29.3", True),
    ("v1.290", "v1.29", False),
    ("v1.28.9", "v1.29", False),
    ("v1.29", "", False),
    ("1.29.3-r0", "v1.29.3-r0", True),
    ("v1.29.3-r1", "v1.29.3-r0", False),
    ("v1.29", "v1.29.3-r0", True),
])
def test_version_matching(version, wanted, expected):
    assert version_matches(version, wanted) is expected


def test_minor_version_and_group_names():
    assert minor_version("v1.31.2-r1") == "v1.31"
    assert minor_version("latest") is None
    assert group_name("version", "v1.29") == "cce_version_v1_29"
    assert group_name("region", "cn-north-4") == "cce_region_cn_north_4"
