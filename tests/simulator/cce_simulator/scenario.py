"""Scenarios: credentials, project, region, durations, upgrade paths and clusters.

A scenario is a JSON document (see ``scenarios/default.json``, which equals ``DEFAULT_SCENARIO``)::

    {"region": "cn-north-4", "project_id": "<32 hex>",
     "credentials": {"access_key": ..., "secret_key": ..., "username": ..., "password": ...,
                     "domain_name": ..., "temporary": [{"access_key": ..., "secret_key": ...,
                                                        "security_token": ...}]},
     "durations": {"precheck": 60, "snapshot": 120, "upgrade": 600, "precheck_validity": 3600},
     "upgrade_paths": [{"version": "v1.25", "targetVersions": ["v1.27"]}, ...],
     "clusters": [{"name": "prod-a", "flavor": "cce", "version": "v1.29", "status": "Available",
                   "category": "CCE", "node_pools": [{"name": "DefaultPool", "nodes": 3}],
                   "precheck_risk": "fatal" | "warning", "fail_upgrade_once_at": 60}, ...],
     "cluster_sets": [{"prefix": "fleet-", "count": 200, "flavor": "cce", "version": "v1.29"}]}

Every key is optional; missing keys take the default scenario's value (``clusters`` and
``cluster_sets`` default to empty lists when a file is given). Cluster ids are uuid5 of the name,
so they are stable across restarts.
"""

import copy
import json
import re
import uuid

CLUSTER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "cce-simulator.hwcloud.cce")
FLAVORS = ("cce", "autopilot")
RISK_LEVELS = ("fatal", "warning")
VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-r(\d+))?$")

DEFAULT_SCENARIO = {
    "region": "cn-north-4",
    "project_id": "0b1c2d3e4f5a46b7a8c9d0e1f2a3b4c5",
    "credentials": {
        "access_key": "SIMAKEXAMPLE00000001",
        "secret_key": "simSecretKey0123456789abcdefghijklmnopqr",
        "username": "sim-user",
        "password": "sim-Passw0rd!",
        "domain_name": "sim-domain",
        "temporary": [{
            "access_key": "SIMTMPAKEXAMPLE00001",
            "secret_key": "simTemporarySecretKey0123456789abcdefgh",
            "security_token": "sim-security-token-0123456789abcdef",
        }],
    },
    "durations": {"precheck": 60, "snapshot": 120, "upgrade": 600, "precheck_validity": 3600},
    "upgrade_paths": [
        {"version": "v1.25", "platformVersion": "cce.12.0", "targetVersions": ["v1.27"]},
        {"version": "v1.27", "platformVersion": "cce.10.0", "targetVersions": ["v1.28"]},
        {"version": "v1.28", "platformVersion": "cce.8.0", "targetVersions": ["v1.29"]},
        {"version": "v1.29", "platformVersion": "cce.6.0", "targetVersions": ["v1.30"]},
        {"version": "v1.30", "platformVersion": "cce.4.0", "targetVersions": ["v1.31"]},
        {"version": "v1.31", "platformVersion": "cce.2.0", "targetVersions": []},
    ],
    "clusters": [
        {"name": "prod-a", "flavor": "cce", "version": "v1.29"},
        {"name": "prod-b", "flavor": "cce", "version": "v1.29"},
        {"name": "prod-c", "flavor": "cce", "version": "v1.29", "category": "Turbo"},
        {"name": "legacy-a", "flavor": "cce", "version": "v1.25"},
        {"name": "risky-a", "flavor": "cce", "version": "v1.29", "precheck_risk": "fatal"},
        {"name": "flaky-a", "flavor": "cce", "version": "v1.29", "fail_upgrade_once_at": 60},
        {"name": "ap-a", "flavor": "autopilot", "version": "v1.29"},
        {"name": "ap-b", "flavor": "autopilot", "version": "v1.29"},
        {"name": "ap-c", "flavor": "autopilot", "version": "v1.29"},
        {"name": "ap-risky", "flavor": "autopilot", "version": "v1.29", "precheck_risk": "fatal"},
    ],
    "cluster_sets": [],
}


class ScenarioError(ValueError):
    """The scenario document is invalid."""


def cluster_id_for(name):
    """The stable cluster id of a cluster name."""
    return str(uuid.uuid5(CLUSTER_NAMESPACE, name))


def parse_version(text):
    """``(major, minor)`` of ``vX.Y[.Z][-rN]``, or None."""
    match = VERSION_RE.match(str(text or "").strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def minor_version(text):
    """``v1.29.3-r0`` -> ``v1.29`` (None when unparsable)."""
    parsed = parse_version(text)
    return None if parsed is None else "v%d.%d" % parsed


def normalize_cluster(spec):
    """Validate one cluster entry and fill its defaults."""
    if not isinstance(spec, dict):
        raise ScenarioError("a cluster must be an object")
    name = spec.get("name")
    if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9-]{0,127}$", name):
        raise ScenarioError("cluster name must start with a lowercase letter and use [a-z0-9-]: %r" % (name,))
    flavor = spec.get("flavor", "cce")
    if flavor not in FLAVORS:
        raise ScenarioError("cluster %s: flavor must be one of %s" % (name, ", ".join(FLAVORS)))
    version = minor_version(spec.get("version", "v1.29"))
    if version is None:
        raise ScenarioError("cluster %s: invalid version %r" % (name, spec.get("version")))
    risk = spec.get("precheck_risk")
    if risk is not None and risk not in RISK_LEVELS:
        raise ScenarioError("cluster %s: precheck_risk must be fatal or warning" % name)
    fail_at = spec.get("fail_upgrade_once_at")
    if fail_at is not None:
        if isinstance(fail_at, bool) or not isinstance(fail_at, (int, float)) or not 0 < fail_at < 100:
            raise ScenarioError("cluster %s: fail_upgrade_once_at must be a percentage between 0 and 100" % name)
    pools = spec.get("node_pools") or [{"name": "DefaultPool", "nodes": 3}]
    norm_pools = []
    for pool in pools:
        if not isinstance(pool, dict) or not pool.get("name"):
            raise ScenarioError("cluster %s: each node pool needs a name" % name)
        count = pool.get("nodes", 3)
        if isinstance(count, list):
            nodes = [str(n) for n in count]
        else:
            nodes = ["%s-%s-%d" % (name, pool["name"].lower(), i + 1) for i in range(int(count))]
        norm_pools.append({"name": pool["name"], "nodes": nodes})
    return {
        "id": spec.get("id") or cluster_id_for(name),
        "name": name,
        "flavor": flavor,
        "version": version,
        "status": spec.get("status", "Available"),
        "category": spec.get("category", "CCE"),
        "type": spec.get("type", "VirtualMachine"),
        "node_pools": norm_pools,
        "precheck_risk": risk,
        "fail_upgrade_once_at": fail_at,
    }


def normalize(document):
    """Merge a scenario document over the defaults and validate it."""
    if not isinstance(document, dict):
        raise ScenarioError("a scenario must be a JSON object")
    result = copy.deepcopy(DEFAULT_SCENARIO)
    result["clusters"] = []
    result["cluster_sets"] = []
    for key, value in document.items():
        if key in ("credentials", "durations") and isinstance(value, dict):
            result[key].update(value)
        else:
            result[key] = copy.deepcopy(value)
    if not re.match(r"^[0-9a-zA-Z-]{1,64}$", str(result.get("project_id", ""))):
        raise ScenarioError("project_id is invalid")
    clusters = [normalize_cluster(item) for item in result.get("clusters") or []]
    for cluster_set in result.get("cluster_sets") or []:
        count = int(cluster_set.get("count", 0))
        prefix = cluster_set.get("prefix", "fleet-")
        template = {k: v for k, v in cluster_set.items() if k not in ("count", "prefix")}
        for index in range(count):
            clusters.append(normalize_cluster(dict(template, name="%s%03d" % (prefix, index + 1))))
    seen = set()
    for cluster in clusters:
        if cluster["name"] in seen:
            raise ScenarioError("duplicate cluster name %s" % cluster["name"])
        seen.add(cluster["name"])
    result["clusters"] = clusters
    paths = {}
    for path in result.get("upgrade_paths") or []:
        version = minor_version(path.get("version"))
        if version is None:
            raise ScenarioError("invalid upgrade path version %r" % (path.get("version"),))
        paths[version] = {
            "version": version,
            "platformVersion": path.get("platformVersion", "cce.1.0"),
            "targetVersions": [minor_version(v) for v in path.get("targetVersions", [])],
        }
    result["upgrade_paths"] = list(paths.values())
    for key in ("precheck", "snapshot", "upgrade", "precheck_validity"):
        if float(result["durations"].get(key, 0)) <= 0:
            raise ScenarioError("duration %s must be positive" % key)
    return result


def default_scenario():
    """The built-in scenario (docs/developing.md, "Simulator contract")."""
    return normalize(copy.deepcopy(DEFAULT_SCENARIO))


def load_scenario(path=None):
    """Load and normalise a scenario file (JSON), or the default scenario."""
    if path is None:
        return default_scenario()
    with open(path, encoding="utf-8") as handle:
        try:
            document = json.load(handle)
        except ValueError as exc:
            raise ScenarioError("%s is not valid JSON: %s" % (path, exc)) from exc
    return normalize(document)
