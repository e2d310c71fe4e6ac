# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CCE version filters for the role and the playbooks.

Each filter calls the collection's one version model (module_utils/version.py); the role and the
playbooks hold no version rule of their own. Documentation: one YAML file per filter next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwcloud.cce.plugins.module_utils.version import (
    full_version,
    is_at_target,
    is_patch_upgrade,
    latest_patch,
    parse_version,
    version_or_none,
)


def cce_version_valid(value):
    """True when ``value`` is a version a user may give: ``vX.Y``, ``vX.Y.Z`` or ``vX.Y.Z-rN``."""
    try:
        parse_version(value)
    except ValueError:
        return False
    return True


def cce_version_is_at_target(current, target):
    """True when a cluster at ``current`` (its full version) has reached ``target``."""
    return is_at_target(current, target)


def current_version(info):
    """The cluster's full version from a cce_cluster_upgrade_info result: ``full_version`` or
    ``current_version`` when one is full, else ``release`` + ``patch``, else what is given (a minor)."""
    if not isinstance(info, dict):
        return None
    for key in ("full_version", "current_version"):
        parsed = version_or_none(info.get(key))
        if parsed is not None and parsed.is_full:
            return parsed.text
    return (full_version(info.get("release"), info.get("patch")) or info.get("full_version")
            or info.get("current_version"))


def cce_version_current(info):
    """Filter form of :func:`current_version`."""
    return current_version(info)


def next_target(offered, current):
    """The next hop from ``current`` among the ``offered`` versions, or an empty string.

    Patch first: a later patch of the current minor (its latest) comes before any minor upgrade.
    Otherwise the lowest offered minor above the current one, as its minor (``v1.30``: CCE takes
    the latest patch of it). ``current`` should be the full version.
    """
    have = version_or_none(current)
    if have is None:
        return ""
    patch = latest_patch(offered, have)
    if patch is not None and is_patch_upgrade(have, patch):
        return patch
    minors = sorted(set(v.minor_key for v in (version_or_none(text) for text in offered or []) if v is not None
                        and v.minor_key > have.minor_key))
    return "v%d.%d" % minors[0] if minors else ""


def cce_version_next_target(offered, current):
    """Filter form of :func:`next_target`."""
    return next_target(offered, current)


class FilterModule(object):
    """CCE version filters."""

    def filters(self):
        return {
            "cce_version_valid": cce_version_valid,
            "cce_version_current": cce_version_current,
            "cce_version_is_at_target": cce_version_is_at_target,
            "cce_version_next_target": cce_version_next_target,
        }
