#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cce_cluster_info
short_description: Read Huawei Cloud CCE clusters
version_added: 0.1.0
description:
  - Reads one CCE cluster by O(cluster_id), or lists the clusters of the project, filtered by O(name),
    O(status) and O(version).
  - Lists standard and Turbo clusters with O(cluster_flavor=cce) and Autopilot clusters with O(cluster_flavor=autopilot).
  - Never changes anything.
author:
  - hwcloud.cce maintainers (@hwcloud-cce)
options:
  cluster_id:
    description:
      - ID of one cluster (a UUID). The filters do not apply then.
      - A cluster that does not exist gives RV(cluster=null) and an empty RV(clusters).
    type: str
  name:
    description:
      - Shell-style pattern the cluster name must match, for example V(prod-*).
    type: str
  status:
    description:
      - Cluster phase to keep, for example V(Available) or V(Upgrading). Sent to CCE as a query filter.
    type: str
  version:
    description:
      - Cluster version to keep. V(v1.29) matches every v1.29 patch (V(v1.29.8-r0)).
      - CCE lists clusters from v1.21 on with their minor only (V(v1.29)), so a patch version (V(v1.29.8-r0)) keeps
        every cluster of that minor whose patch the list does not tell; read the full version with
        M(hwcloud.cce.cce_cluster_upgrade_info) (RV(hwcloud.cce.cce_cluster_upgrade_info#module:full_version)).
    type: str
extends_documentation_fragment:
  - hwcloud.cce.connection
  - hwcloud.cce.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs normally in check mode.
  diff_mode:
    support: N/A
    details: The module changes nothing.
seealso:
  - module: hwcloud.cce.cce_cluster_upgrade_info
"""

EXAMPLES = r"""
- name: One cluster (credentials from the HW_* environment)
  hwcloud.cce.cce_cluster_info:
    cluster_id: "{{ cluster_id }}"
  register: one

- name: Every available production cluster still on v1.29
  hwcloud.cce.cce_cluster_info:
    name: "prod-*"
    status: Available
    version: v1.29
  register: candidates

- name: Their ids
  ansible.builtin.debug:
    msg: "{{ candidates.clusters | map(attribute='id') | list }}"

- name: Autopilot clusters
  hwcloud.cce.cce_cluster_info:
    cluster_flavor: autopilot
"""

RETURN = r"""
clusters:
  description: The clusters found (with O(cluster_id), that one cluster or nothing).
  returned: always
  type: list
  elements: dict
  contains: &cluster
    id:
      description: Cluster ID.
      type: str
      sample: 0d6b8a52-1f3e-11ef-9b57-0255ac100b03
    name:
      description: Cluster name.
      type: str
      sample: prod-a
    flavor:
      description: Cluster flavor the cluster was read with (V(cce) or V(autopilot)).
      type: str
      sample: cce
    version:
      description: Kubernetes version of the cluster.
      type: str
      sample: v1.29
    platform_version:
      description: Internal platform version.
      type: str
      sample: cce.5.0
    status:
      description: Cluster phase (C(Available), C(Upgrading), ...).
      type: str
      sample: Available
    category:
      description: C(CCE) or C(Turbo) (standard clusters).
      type: str
      sample: CCE
    type:
      description: Master architecture, C(VirtualMachine) or C(ARM64).
      type: str
      sample: VirtualMachine
    creation_timestamp:
      description: When the cluster was created.
      type: str
      sample: "2026-01-10 08:00:00.000000 +0000 UTC"
    update_timestamp:
      description: When the cluster was last updated.
      type: str
      sample: "2026-11-22 07:58:35.507243 +0000 UTC"
cluster:
  description: The cluster named by O(cluster_id); null when it does not exist or when O(cluster_id) is not given.
  returned: always
  type: dict
  contains: *cluster
"""

from ansible_collections.hwcloud.cce.plugins.module_utils.module import CceModule
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.validation import validate_cluster_id
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version
from ansible_collections.hwcloud.cce.plugins.module_utils import upgrade as up


def argument_spec():
    return dict(
        cluster_id=dict(type="str"),
        name=dict(type="str"),
        status=dict(type="str"),
        version=dict(type="str"),
    )


def main():
    module = CceModule(argument_spec=argument_spec(), supports_check_mode=True)
    validate_input(module)
    if module.params["cluster_id"]:
        result = ensure_cluster_read(module)
    else:
        result = ensure_clusters_listed(module)
    module.exit(changed=False, **result)


def validate_input(module):
    params = module.params
    if params["cluster_id"] is not None:
        try:
            validate_cluster_id(params["cluster_id"])
        except ValueError as err:
            text = str(err)
            module.fail(text if "cluster_id" in text else "cluster_id: %s" % text)
        given = [option for option in ("name", "status", "version") if params[option]]
        if given:
            module.fail("cluster_id cannot be combined with the filters %s" % ", ".join(given))
    if params["version"] is not None:
        try:
            parse_version(params["version"])
        except ValueError as err:
            text = str(err)
            module.fail(text if "version" in text else "version: %s" % text)


def ensure_cluster_read(module):
    cluster_id = module.params["cluster_id"]
    try:
        body = module.api.get_cluster(cluster_id)
    except CceApiError as err:
        if err.status == 404:
            return dict(cluster=None, clusters=[])
        module.fail_from_error(err, "read cluster %s" % cluster_id)
    cluster = up.normalize_cluster(body, module.params["cluster_flavor"])
    return dict(cluster=cluster, clusters=[cluster])


def ensure_clusters_listed(module):
    params = module.params
    query = {}
    if params["status"]:
        query["status"] = params["status"]
    try:
        body = module.api.list_clusters(**query)
    except CceApiError as err:
        module.fail_from_error(err, "list the clusters")
    clusters = [
        cluster for cluster in up.normalize_cluster_list(body, params["cluster_flavor"])
        if up.cluster_matches(cluster, name=params["name"], status=params["status"], version=params["version"])
    ]
    clusters.sort(key=lambda cluster: cluster["name"] or "")
    return dict(cluster=None, clusters=clusters)


if __name__ == "__main__":
    main()
