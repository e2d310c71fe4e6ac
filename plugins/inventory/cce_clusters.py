# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cce_clusters
short_description: Huawei Cloud CCE clusters as inventory hosts
version_added: 0.1.0
description:
  - Lists the CCE clusters (standard, Turbo and Autopilot) of one or more projects and regions
    and adds each cluster as an inventory host, so that a play can work through a fleet of
    clusters in batches (see the C(hwcloud.cce.fleet_upgrade) playbook).
  - Each host carries the variables C(cce_cluster_id), C(cce_cluster_name), C(cce_cluster_flavor)
    (V(cce) or V(autopilot)), C(cce_cluster_version), C(cce_cluster_platform_version),
    C(cce_cluster_status), C(cce_cluster_category), C(cce_cluster_type), C(cce_region),
    C(cce_project_id) and C(cce_endpoint).
  - Hosts are grouped by minor version (C(cce_version_v1_29)), by flavor (C(cce_flavor_cce),
    C(cce_flavor_autopilot)), by status (C(cce_status_available)) and by region
    (C(cce_region_cn_north_4)). O(keyed_groups), O(groups) and O(compose) add more.
  - The configuration file name must end in C(.cce_clusters.yml) or C(.cce_clusters.yaml).
  - One list request per flavor and source; the O(versions), O(statuses) and O(name_patterns)
    filters are applied to the listed clusters.
  - Secrets (O(secret_key), O(security_token), O(auth_token), O(password)) are never shown in
    errors or warnings.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
requirements:
  - python >= 3.6
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    required: true
    type: str
    choices: [hwcloud.cce.cce_clusters]
  region:
    description:
      - The region of the clusters, for example V(cn-north-4).
      - Used for every source that does not name its own region.
    type: str
    env:
      - name: HW_REGION_NAME
  regions:
    description:
      - Several regions to list, each with the same project settings.
      - A project ID belongs to one region, so with several regions leave O(project_id) unset
        (password auth resolves the project of each region) or use O(sources).
      - Combined with O(projects), every region is listed with every project.
    type: list
    elements: str
    default: []
  project_id:
    description: The project ID. Password authentication can resolve it from the IAM token.
    type: str
    env:
      - name: HUAWEICLOUD_SDK_PROJECT_ID
      - name: HW_PROJECT_ID
  projects:
    description: Several project IDs to list (in O(region), or in each of O(regions)).
    type: list
    elements: str
    default: []
  sources:
    description:
      - Explicit list of places to list clusters from. When given, O(regions) and O(projects) are ignored.
      - Each item is a dictionary with the keys C(region), C(project_id), C(cce_endpoint) and
        C(iam_endpoint); a missing key takes the value of the option of the same name.
    type: list
    elements: dict
    default: []
  access_key:
    description: Access key (AK) for C(SDK-HMAC-SHA256) request signing.
    type: str
    env:
      - name: HUAWEICLOUD_SDK_AK
      - name: HW_ACCESS_KEY
  secret_key:
    description: Secret key (SK) that goes with O(access_key). Never shown in output.
    type: str
    env:
      - name: HUAWEICLOUD_SDK_SK
      - name: HW_SECRET_KEY
  security_token:
    description: Security token of temporary AK/SK credentials. Never shown in output.
    type: str
    env:
      - name: HW_SECURITY_TOKEN
  auth_token:
    description: An IAM token sent as C(X-Auth-Token) instead of signing. Never shown in output.
    type: str
    env:
      - name: HW_AUTH_TOKEN
  username:
    description: IAM user name; a token is obtained from IAM with O(password) and O(domain_name).
    type: str
    env:
      - name: HW_USER_NAME
  password:
    description: Password of O(username). Never shown in output.
    type: str
    env:
      - name: HW_PASSWORD
  domain_name:
    description: Account (domain) name of O(username).
    type: str
    env:
      - name: HW_DOMAIN_NAME
  iam_endpoint:
    description: IAM endpoint URL; defaults to the regional one.
    type: str
    env:
      - name: HW_IAM_ENDPOINT
  cce_endpoint:
    description:
      - CCE endpoint URL; overrides the regional C(https://cce.{region}.myhuaweicloud.com).
      - This is how the CCE simulator of the collection is reached.
    type: str
    env:
      - name: HW_CCE_ENDPOINT
  validate_certs:
    description: Verify TLS certificates.
    type: bool
    default: true
  ca_path:
    description: A CA bundle to verify TLS certificates with.
    type: path
  api_timeout:
    description: Seconds to wait for a connection and for each reply.
    type: int
    default: 60
  api_retries:
    description: Retries of a request after a throttling, connection or server error.
    type: int
    default: 5
  flavors:
    description: Cluster flavors to list.
    type: list
    elements: str
    choices: [cce, autopilot]
    default: [cce, autopilot]
  versions:
    description:
      - Keep only clusters whose version matches one of these.
      - V(v1.29) matches V(v1.29), V(v1.29.3) and V(v1.29.3-r0); the leading C(v) is optional.
      - CCE lists clusters from v1.21 on with their minor only, so a patch version (V(v1.29.3-r0)) keeps every
        cluster of that minor.
    type: list
    elements: str
    default: []
  statuses:
    description: Keep only clusters in one of these states, for example V(Available) (case-insensitive).
    type: list
    elements: str
    default: []
  name_patterns:
    description: Keep only clusters whose name matches one of these shell patterns, for example V(prod-*).
    type: list
    elements: str
    default: []
  exclude_name_patterns:
    description: Drop clusters whose name matches one of these shell patterns.
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - What names the inventory host. V(name) uses the cluster name; when two listed clusters share
        a name, the second one is added under its ID and a warning is shown. V(id) uses the cluster ID.
    type: str
    choices: [name, id]
    default: name
"""

EXAMPLES = r"""
# fleet.cce_clusters.yml: every cluster of one project, credentials from HW_* variables
plugin: hwcloud.cce.cce_clusters
region: cn-north-4

---
# prod.cce_clusters.yml: available v1.29 production clusters of two regions
plugin: hwcloud.cce.cce_clusters
sources:
  - region: cn-north-4
    project_id: 0a1b2c3d4e5f40718293a4b5c6d7e8f9
  - region: ap-southeast-1
    project_id: 9f8e7d6c5b4a40312a1b0c9d8e7f6a5b
versions: [v1.29]
statuses: [Available]
name_patterns: ["prod-*"]
keyed_groups:
  - key: cce_cluster_category
    prefix: category
compose:
  cce_fleet_target_version: "'v1.30'"

---
# Only Autopilot clusters, named by ID
plugin: hwcloud.cce.cce_clusters
region: cn-north-4
flavors: [autopilot]
hostnames: id
"""

import fnmatch
import re

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import (
    CceApiError,
    CceClient,
    ConnectionConfig,
    redact,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
from ansible_collections.hwcloud.cce.plugins.module_utils.module import check_connection_params
from ansible_collections.hwcloud.cce.plugins.module_utils import version as version_model

CONNECTION_OPTIONS = ConnectionConfig.FIELDS
SOURCE_KEYS = ("region", "project_id", "cce_endpoint", "iam_endpoint")
SECRET_OPTIONS = ("secret_key", "security_token", "auth_token", "password")


def minor_version(text):
    """``v1.29.3-r0`` -> ``v1.29`` (None when the text is not a version)."""
    parsed = version_model.version_or_none(text)
    return parsed.minor_text if parsed is not None else None


def version_matches(version, wanted):
    """True when ``version`` is ``wanted`` or a patch/revision of it, or the bare minor CCE lists for a
    cluster of that minor (the collection's version model)."""
    return version_model.matches_listed(wanted, version)


def group_name(kind, value):
    """``("version", "v1.29")`` -> ``cce_version_v1_29``: lower case, only letters, digits and ``_``."""
    return "cce_%s_%s" % (kind, re.sub(r"[^a-z0-9_]", "_", to_native(value).lower()))


def cluster_record(item, flavor, source):
    """The host variables of one cluster item of a ListClusters / ListAutopilotClusters reply."""
    metadata = item.get("metadata") or {}
    spec = item.get("spec") or {}
    status = item.get("status") or {}
    version = spec.get("version") or ""
    return {
        "cce_cluster_id": metadata.get("uid"),
        "cce_cluster_name": metadata.get("name"),
        "cce_cluster_flavor": flavor,
        "cce_cluster_version": version,
        "cce_cluster_minor_version": minor_version(version),
        "cce_cluster_platform_version": spec.get("platformVersion"),
        "cce_cluster_status": status.get("phase"),
        "cce_cluster_category": spec.get("category"),
        "cce_cluster_type": spec.get("type"),
        "cce_region": source["region"],
        "cce_project_id": source["project_id"],
        "cce_endpoint": source["cce_endpoint"],
    }


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """CCE clusters of one or more projects/regions as hosts."""

    NAME = "hwcloud.cce.cce_clusters"

    def verify_file(self, path):
        if super(InventoryModule, self).verify_file(path):
            return path.endswith((".cce_clusters.yml", ".cce_clusters.yaml"))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        records = None
        update_cache = False
        if use_cache and cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        elif use_cache:
            update_cache = True

        if records is None:
            records = self.fetch_clusters()
        if update_cache:
            self._cache[cache_key] = records

        self.populate(self.filter_clusters(records))

    # -- where to look ---------------------------------------------------------------------

    def _secrets(self):
        return [self.get_option(name) for name in SECRET_OPTIONS if self.get_option(name)]

    def sources(self):
        """One dict per place to list: region, project_id, cce_endpoint, iam_endpoint."""
        defaults = dict((key, self.get_option(key)) for key in SOURCE_KEYS)
        explicit = self.get_option("sources") or []
        if explicit:
            found = []
            for index, item in enumerate(explicit):
                if not isinstance(item, dict):
                    raise AnsibleParserError("sources[%d] must be a dictionary" % index)
                unknown = sorted(set(item) - set(SOURCE_KEYS))
                if unknown:
                    raise AnsibleParserError("sources[%d]: unknown key(s) %s; allowed: %s"
                                             % (index, ", ".join(unknown), ", ".join(SOURCE_KEYS)))
                source = dict(defaults)
                source.update(dict((key, value) for key, value in item.items() if value))
                found.append(source)
            return found
        regions = self.get_option("regions") or [defaults["region"]]
        projects = self.get_option("projects") or [defaults["project_id"]]
        found = []
        for region in regions:
            for project_id in projects:
                source = dict(defaults)
                source.update(region=region, project_id=project_id)
                found.append(source)
        return found

    def _client(self, source):
        params = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        params.update(source)
        try:
            # The modules' check: conflicting or incomplete credentials fail here as they fail in every module.
            check_connection_params(params)
        except ValueError as err:
            raise AnsibleParserError("cce_clusters: region %s, project %s: %s"
                                     % (source.get("region"), source.get("project_id"), redact(str(err), self._secrets())))
        return CceClient(ConnectionConfig.from_params(params))

    def fetch_clusters(self):
        """List every flavor of every source; one request per flavor and source."""
        records = []
        flavors = self.get_option("flavors")
        for source in self.sources():
            try:
                client = self._client(source)
                described = dict(source)
                described["cce_endpoint"] = client.config.endpoint
                described["project_id"] = client.project_id
                for flavor in ("cce", "autopilot"):
                    if flavor not in flavors:
                        continue
                    records.extend(self._list(client, flavor, described))
            except CceApiError as err:
                raise AnsibleParserError("cce_clusters: listing clusters of region %s, project %s failed: %s"
                                         % (source.get("region"), source.get("project_id"), self._redact(err)))
        return records

    def _list(self, client, flavor, source):
        try:
            reply = CceApi(client, flavor=flavor).list_clusters()
        except CceApiError as err:
            if flavor == "autopilot" and err.kind == "not_found":
                self.display.warning("cce_clusters: no Autopilot API in region %s (%s); listing standard clusters only"
                                     % (source.get("region"), self._redact(err)))
                return []
            raise
        return [cluster_record(item, flavor, source) for item in (reply.get("items") or [])]

    def _redact(self, err):
        return redact(to_native(err), self._secrets())

    # -- what to keep ----------------------------------------------------------------------

    def filter_clusters(self, records):
        versions = self.get_option("versions") or []
        statuses = [s.lower() for s in (self.get_option("statuses") or [])]
        include = self.get_option("name_patterns") or []
        exclude = self.get_option("exclude_name_patterns") or []
        flavors = self.get_option("flavors")
        kept = []
        for record in records:
            name = record["cce_cluster_name"] or ""
            if record["cce_cluster_flavor"] not in flavors:
                continue
            if versions and not any(version_matches(record["cce_cluster_version"], v) for v in versions):
                continue
            if statuses and (record["cce_cluster_status"] or "").lower() not in statuses:
                continue
            if include and not any(fnmatch.fnmatchcase(name, pattern) for pattern in include):
                continue
            if exclude and any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude):
                continue
            kept.append(record)
        return kept

    # -- hosts and groups ------------------------------------------------------------------

    def _host_name(self, record, taken):
        if self.get_option("hostnames") == "id" or not record["cce_cluster_name"]:
            return record["cce_cluster_id"]
        name = record["cce_cluster_name"]
        if name in taken:
            self.display.warning("cce_clusters: cluster name %s is used more than once; adding cluster %s under its ID"
                                 % (name, record["cce_cluster_id"]))
            return record["cce_cluster_id"]
        return name

    def _add_to_group(self, kind, value, host):
        if not value:
            return
        self.inventory.add_child(self.inventory.add_group(group_name(kind, value)), host)

    def populate(self, records):
        strict = self.get_option("strict")
        taken = set()
        for record in records:
            host = self._host_name(record, taken)
            if not host:
                continue
            taken.add(host)
            self.inventory.add_host(host)
            for key, value in record.items():
                self.inventory.set_variable(host, key, value)
            self._add_to_group("flavor", record["cce_cluster_flavor"], host)
            self._add_to_group("version", record["cce_cluster_minor_version"], host)
            self._add_to_group("status", (record["cce_cluster_status"] or "").lower(), host)
            self._add_to_group("region", record["cce_region"], host)
            variables = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
