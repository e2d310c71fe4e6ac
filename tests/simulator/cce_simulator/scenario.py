"""Scenarios: credentials, project, region, durations, releases, upgrade paths, options and clusters.

A scenario is a JSON document (see ``scenarios/default.json``, which equals ``DEFAULT_SCENARIO``)::

    {"region": "cn-north-4", "project_id": "<32 hex>",
     "credentials": {"access_key": ..., "secret_key": ..., "username": ..., "password": ...,
                     "domain_name": ..., "temporary": [{"access_key": ..., "secret_key": ...,
                                                        "security_token": ...}]},
     "durations": {"precheck": 60, "snapshot": 120, "upgrade": 600, "precheck_validity": 3600},
     "releases": [{"version": "v1.29.4-r0", "platformVersion": "cce.4.0"}, ...],
     "upgrade_paths": {"v1.29": ["v1.30", "v1.31"], ...},
     "options": {"timestamp_style": "go_utc", "document_style": "sdk", "pause_continue": "served",
                 "upgrade_api_granted": true, "require_precheck": false, "max_user_defined_step": 40},
     "clusters": [{"name": "prod-a", "flavor": "cce", "version": "v1.29.4-r0", "status": "Available",
                   "category": "CCE", "node_pools": [{"name": "DefaultPool", "nodes": 3}],
                   "precheck_risk": "fatal" | "warning", "precheck_risk_from": "v1.25",
                   "fail_upgrade_once_at": 60,
                   "platform_version": "cce.4.0", <any option>,
                   "maintenance_window": {"weekly_period": "Saturday,Sunday", "start_time": "02:00",
                                          "duration_hours": 4}  (autopilot only)}, ...],
     "cluster_sets": [{"prefix": "fleet-", "count": 200, "flavor": "cce", "version": "v1.29"}]}

``durations`` are the simulated seconds of CCE's work (pre-check, snapshot, upgrade), which the time
scale shortens, except ``precheck_validity``: how long a successful pre-check stays valid is a deadline
for the client, in real seconds (like a token's lifetime), so that a client polling at its usual pace
finds its pre-check valid at any time scale, as it would on real CCE (one hour).

``releases`` are the full versions CCE offers, each with its platform version; ``upgrade_paths``
the minor-to-minor table (``versions.Catalog``). A cluster's ``version`` is a full version of the
releases, or a minor (its latest patch). ``platform_version`` defaults to the release's.

Options (global under ``options``, overridden per cluster by the same key):

- ``timestamp_style``: ``go_utc`` (``2022-12-16 05:40:20.75671 +0000 UTC``), ``go_cst``
  (``2022-12-16 13:40:20.75671 +0800 CST``) or ``rfc3339`` (``2022-12-16T13:40:20+08:00``);
  Go forms carry the fraction Go prints: none up to nanoseconds, trailing zeros dropped.
- ``document_style``: ``sdk`` (``LineStatus.critical`` a boolean, ``nodeInfo`` an object) or
  ``api_explorer`` (``critical`` the string ``"true"``/``"false"``, ``nodeInfo`` JSON text, and an
  upgrade task starts in ``Init`` with ``completionTime`` already set).
- ``pause_continue``: ``served`` (the deprecated pause/continue APIs still work) or ``deprecated``
  (they answer 400 saying the API is deprecated).
- ``upgrade_api_granted``: false makes every ``/operation/`` API answer 403 ``CCE.01403001``.
- ``require_precheck``: true refuses ``isOnlyUpgrade: true`` without a valid successful
  pre-check for the target (400 ``CCE.01400075``); CCE is not known to do this.
- ``max_user_defined_step``: the largest accepted ``userDefinedStep`` (API reference: 40).

Every key is optional; missing keys take the default scenario's value (``clusters`` and
``cluster_sets`` default to empty lists when a file is given). Cluster ids are uuid5 of the name,
so they are stable across restarts.
"""

import copy
import json
import re
import uuid

from .schedule import WindowError, parse_window
from .versions import Catalog, VersionError, minor_of

CLUSTER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "cce-simulator.hwcloud.cce")
FLAVORS = ("cce", "autopilot")
RISK_LEVELS = ("fatal", "warning")
TIMESTAMP_STYLES = ("go_utc", "go_cst", "rfc3339")
DOCUMENT_STYLES = ("sdk", "api_explorer")
PAUSE_CONTINUE = ("served", "deprecated")
DEFAULT_OPTIONS = {"timestamp_style": "go_utc", "document_style": "sdk", "pause_continue": "served",
                   "upgrade_api_granted": True, "require_precheck": False, "max_user_defined_step": 40}

# Real CCE releases (a sample: two patches of most minors) and the user guide's path table.
DEFAULT_RELEASES = [
    {"version": "v1.15.11-r1", "platformVersion": "cce.12.0"},
    {"version": "v1.17.17-r0", "platformVersion": "cce.11.0"},
    {"version": "v1.19.16-r80", "platformVersion": "cce.16.0"},
    {"version": "v1.21.7-r0", "platformVersion": "cce.11.0"},
    {"version": "v1.21.14-r30", "platformVersion": "cce.13.0"},
    {"version": "v1.23.8-r0", "platformVersion": "cce.9.0"},
    {"version": "v1.23.17-r30", "platformVersion": "cce.17.0"},
    {"version": "v1.25.6-r0", "platformVersion": "cce.5.0"},
    {"version": "v1.25.16-r10", "platformVersion": "cce.13.0"},
    {"version": "v1.27.3-r0", "platformVersion": "cce.3.0"},
    {"version": "v1.27.16-r10", "platformVersion": "cce.10.0"},
    {"version": "v1.28.9-r0", "platformVersion": "cce.4.0"},
    {"version": "v1.28.15-r30", "platformVersion": "cce.8.0"},
    {"version": "v1.29.2-r0", "platformVersion": "cce.2.0"},
    {"version": "v1.29.4-r0", "platformVersion": "cce.4.0"},
    {"version": "v1.30.6-r0", "platformVersion": "cce.2.0"},
    {"version": "v1.30.14-r10", "platformVersion": "cce.6.0"},
    {"version": "v1.31.4-r0", "platformVersion": "cce.1.0"},
    {"version": "v1.31.10-r0", "platformVersion": "cce.4.0"},
    {"version": "v1.32.1-r0", "platformVersion": "cce.1.0"},
    {"version": "v1.32.6-r0", "platformVersion": "cce.3.0"},
    {"version": "v1.33.1-r0", "platformVersion": "cce.1.0"},
]
DEFAULT_PATHS = {
    "v1.15": ["v1.19"], "v1.17": ["v1.19"], "v1.19": ["v1.21", "v1.23"], "v1.21": ["v1.23"],
    "v1.23": ["v1.25", "v1.27", "v1.28"], "v1.25": ["v1.27", "v1.28"], "v1.27": ["v1.28"],
    "v1.28": ["v1.29", "v1.31"], "v1.29": ["v1.30", "v1.31"], "v1.30": ["v1.31"], "v1.31": ["v1.32"],
    "v1.32": ["v1.33"],
}

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
    "releases": DEFAULT_RELEASES,
    "upgrade_paths": DEFAULT_PATHS,
    "options": dict(DEFAULT_OPTIONS),
    "clusters": [
        {"name": "prod-a", "flavor": "cce", "version": "v1.29.4-r0"},
        {"name": "prod-b", "flavor": "cce", "version": "v1.29.4-r0", "timestamp_style": "go_cst",
         "document_style": "api_explorer"},
        {"name": "prod-c", "flavor": "cce", "version": "v1.29.4-r0", "category": "Turbo", "timestamp_style": "rfc3339"},
        {"name": "legacy-a", "flavor": "cce", "version": "v1.25.16-r10", "timestamp_style": "go_cst"},
        {"name": "risky-a", "flavor": "cce", "version": "v1.29.4-r0", "precheck_risk": "fatal"},
        {"name": "flaky-a", "flavor": "cce", "version": "v1.29.4-r0", "fail_upgrade_once_at": 60,
         "timestamp_style": "go_cst", "document_style": "api_explorer"},
        {"name": "stale-a", "flavor": "cce", "version": "v1.29.2-r0", "timestamp_style": "go_cst"},
        {"name": "ancient-a", "flavor": "cce", "version": "v1.23.8-r0", "timestamp_style": "rfc3339",
         "document_style": "api_explorer"},
        {"name": "ap-a", "flavor": "autopilot", "version": "v1.29.4-r0"},
        {"name": "ap-b", "flavor": "autopilot", "version": "v1.29.4-r0", "timestamp_style": "go_cst",
         "document_style": "api_explorer"},
        {"name": "ap-c", "flavor": "autopilot", "version": "v1.29.4-r0", "timestamp_style": "rfc3339"},
        {"name": "ap-risky", "flavor": "autopilot", "version": "v1.29.4-r0", "precheck_risk": "fatal",
         "timestamp_style": "go_cst"},
    ],
    "cluster_sets": [],
}


class ScenarioError(ValueError):
    """The scenario document is invalid."""


def cluster_id_for(name):
    """The stable cluster id of a cluster name."""
    return str(uuid.uuid5(CLUSTER_NAMESPACE, name))


def minor_version(text):
    """``v1.29.3-r0`` -> ``v1.29`` (None when unparsable)."""
    return minor_of(text)


def build_catalog(scenario):
    """The ``versions.Catalog`` of a normalised scenario."""
    return Catalog(scenario["releases"], scenario["upgrade_paths"])


def _option(spec, options, key, where):
    value = spec.get(key, options[key])
    if key == "timestamp_style" and value not in TIMESTAMP_STYLES:
        raise ScenarioError("%s: timestamp_style must be one of %s" % (where, ", ".join(TIMESTAMP_STYLES)))
    if key == "document_style" and value not in DOCUMENT_STYLES:
        raise ScenarioError("%s: document_style must be one of %s" % (where, ", ".join(DOCUMENT_STYLES)))
    if key == "pause_continue" and value not in PAUSE_CONTINUE:
        raise ScenarioError("%s: pause_continue must be one of %s" % (where, ", ".join(PAUSE_CONTINUE)))
    if key in ("upgrade_api_granted", "require_precheck") and not isinstance(value, bool):
        raise ScenarioError("%s: %s must be true or false" % (where, key))
    if key == "max_user_defined_step" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ScenarioError("%s: max_user_defined_step must be a positive integer" % where)
    return value


def normalize_cluster(spec, catalog=None, options=None):
    """Validate one cluster entry and fill its defaults (versions resolved against ``catalog``)."""
    catalog = catalog or build_catalog(DEFAULT_SCENARIO)
    options = options or DEFAULT_OPTIONS
    if not isinstance(spec, dict):
        raise ScenarioError("a cluster must be an object")
    name = spec.get("name")
    if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9-]{0,127}$", name):
        raise ScenarioError("cluster name must start with a lowercase letter and use [a-z0-9-]: %r" % (name,))
    flavor = spec.get("flavor", "cce")
    if flavor not in FLAVORS:
        raise ScenarioError("cluster %s: flavor must be one of %s" % (name, ", ".join(FLAVORS)))
    requested = spec.get("version", "v1.29")
    version = catalog.resolve(requested)
    if version is None:
        raise ScenarioError("cluster %s: version %r is not a release of this scenario (a full version vX.Y.Z-rN "
                            "of its releases, or a minor vX.Y for its latest patch)" % (name, requested))
    platform = spec.get("platform_version") or catalog.platform_version(version)
    risk = spec.get("precheck_risk")
    if risk is not None and risk not in RISK_LEVELS:
        raise ScenarioError("cluster %s: precheck_risk must be fatal or warning" % name)
    risk_from = spec.get("precheck_risk_from")
    if risk_from is not None and (not isinstance(risk_from, str) or minor_of(risk_from) != risk_from.strip()):
        raise ScenarioError("cluster %s: precheck_risk_from must be a minor version vX.Y, got %r" % (name, risk_from))
    fail_at = spec.get("fail_upgrade_once_at")
    if fail_at is not None:
        if isinstance(fail_at, bool) or not isinstance(fail_at, (int, float)) or not 0 < fail_at < 100:
            raise ScenarioError("cluster %s: fail_upgrade_once_at must be a percentage between 0 and 100" % name)
    window = spec.get("maintenance_window")
    if window is not None:
        if flavor != "autopilot":
            raise ScenarioError("cluster %s: maintenance_window is for autopilot clusters only" % name)
        try:
            window = parse_window(window)
        except WindowError as exc:
            raise ScenarioError("cluster %s: maintenance_window: %s" % (name, exc)) from exc
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
    result = {
        "id": spec.get("id") or cluster_id_for(name),
        "name": name,
        "flavor": flavor,
        "version": version,
        "platform_version": platform,
        "status": spec.get("status", "Available"),
        "category": spec.get("category", "CCE"),
        "type": spec.get("type", "VirtualMachine"),
        "node_pools": norm_pools,
        "precheck_risk": risk,
        "precheck_risk_from": risk_from.strip() if risk_from else None,
        "fail_upgrade_once_at": fail_at,
        "maintenance_window": window,
    }
    for key in DEFAULT_OPTIONS:
        result[key] = _option(spec, options, key, "cluster %s" % name)
    return result


def _minor_paths(paths):
    """The minor table from the dict form, or from the older list form ``[{version, targetVersions}]``."""
    if isinstance(paths, dict):
        return {minor_of(k) or k: [minor_of(t) or t for t in v] for k, v in paths.items()}
    table = {}
    for path in paths or []:
        version = minor_of(path.get("version"))
        if version is None:
            raise ScenarioError("invalid upgrade path version %r" % (path.get("version"),))
        table.setdefault(version, []).extend(minor_of(t) or t for t in path.get("targetVersions", []))
    return table


def normalize(document):
    """Merge a scenario document over the defaults and validate it."""
    if not isinstance(document, dict):
        raise ScenarioError("a scenario must be a JSON object")
    result = copy.deepcopy(DEFAULT_SCENARIO)
    result["clusters"] = []
    result["cluster_sets"] = []
    for key, value in document.items():
        if key in ("credentials", "durations", "options") and isinstance(value, dict):
            result[key].update(value)
        else:
            result[key] = copy.deepcopy(value)
    if not re.match(r"^[0-9a-zA-Z-]{1,64}$", str(result.get("project_id", ""))):
        raise ScenarioError("project_id is invalid")
    unknown = set(result["options"]) - set(DEFAULT_OPTIONS)
    if unknown:
        raise ScenarioError("unknown options %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(DEFAULT_OPTIONS)))
    options = {key: _option(result["options"], DEFAULT_OPTIONS, key, "options") for key in DEFAULT_OPTIONS}
    result["options"] = options
    result["upgrade_paths"] = _minor_paths(result.get("upgrade_paths"))
    try:
        catalog = build_catalog(result)
    except (VersionError, KeyError, TypeError) as exc:
        raise ScenarioError("releases / upgrade_paths: %s" % exc) from exc
    clusters = [normalize_cluster(item, catalog, options) for item in result.get("clusters") or []]
    for cluster_set in result.get("cluster_sets") or []:
        count = int(cluster_set.get("count", 0))
        prefix = cluster_set.get("prefix", "fleet-")
        template = {k: v for k, v in cluster_set.items() if k not in ("count", "prefix")}
        for index in range(count):
            clusters.append(normalize_cluster(dict(template, name="%s%03d" % (prefix, index + 1)), catalog, options))
    seen = set()
    for cluster in clusters:
        if cluster["name"] in seen:
            raise ScenarioError("duplicate cluster name %s" % cluster["name"])
        seen.add(cluster["name"])
    result["clusters"] = clusters
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
