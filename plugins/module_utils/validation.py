# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input checks done before anything is sent: cluster ids, versions, upgrade targets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hwcloud.cce.plugins.module_utils import version
from ansible_collections.hwcloud.cce.plugins.module_utils.version import parse_version

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

STEP_MIN = 1
#: CCE's API reference documents userDefinedStep as 1-40 (recommended 20); the SDK allows up to 120.
STEP_DOCUMENTED_MAX = 40
STEP_MAX = 120


def validate_id(value, name):
    """Return ``value`` (stripped) when it is a UUID (8-4-4-4-12 hex digits); raise ValueError naming
    the option ``name`` and the accepted format otherwise. For every id a module sends in a URL path
    (``cluster_id``, ``workflow_id``, ``task_id``), so nothing like ``bogus/../x`` ever reaches CCE."""
    if not isinstance(value, str) or not _UUID.match(value.strip()):
        raise ValueError("%s must be a UUID like 6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04 "
                         "(8-4-4-4-12 hex digits), got %r" % (name, value))
    return value.strip()


def validate_cluster_id(value, name="cluster_id"):
    """Return ``value`` when it is a UUID (8-4-4-4-12 hex digits); raise ValueError otherwise."""
    return validate_id(value, name)


def validate_optional_id(value, name):
    """:func:`validate_id` for an optional option: None or an empty string (not given) gives None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return validate_id(value, name)


def _accepted(allowed):
    return ", ".join(str(v) for v in allowed) if allowed else "none"


def pending_patch(current, allowed_targets):
    """The latest patch of the cluster's own minor among ``allowed_targets`` when it is later than
    ``current`` (the cluster is not on its latest patch), else None."""
    latest = version.latest_patch(allowed_targets, current)
    return latest if latest and version.is_patch_upgrade(current, latest) else None


def check_upgrade_target(current, target, allowed_targets):
    """Check ``target`` against the cluster's ``current`` version and the versions CCE offers.

    ``current`` should be the full version (``v1.28.2-r0``): only then can "already at the target"
    and the patch-first rule be judged. Returns ``target`` (stripped) when it is acceptable: it
    equals an offered target, or is the minor of one (``v1.30`` means the latest patch of v1.30).
    Raises ValueError naming ``target_version`` for the current version, a downgrade, a new minor
    while the cluster is not on the latest patch of its own (patch first), a skipped minor, or a
    version not offered, listing the accepted values.
    """
    cur = parse_version(current, "current version")
    tgt = parse_version(target, "target_version")
    allowed = [parse_version(v, "offered target version") for v in (allowed_targets or [])]
    accepted = _accepted(allowed)
    if tgt.minor_key < cur.minor_key or (tgt.minor_key == cur.minor_key and tgt.patch is not None
                                         and cur.patch is not None and tgt.key < cur.key):
        raise ValueError("target_version %s is lower than the cluster's current version %s: CCE cannot "
                         "downgrade. Accepted target_version values: %s" % (tgt, cur, accepted))
    if version.is_at_target(cur, tgt) or (cur.covers(tgt) and not cur.is_full):
        raise ValueError("target_version %s is the cluster's current version %s: nothing to upgrade. "
                         "Accepted target_version values: %s" % (tgt, cur, accepted))
    patch = pending_patch(cur, [v.text for v in allowed])
    if patch and tgt.minor_key > cur.minor_key:
        raise ValueError("target_version %s is a new minor, but the cluster runs %s, not the latest patch of %s: "
                         "CCE upgrades to another minor only from the latest patch of the current one. Upgrade to "
                         "the latest patch %s first (target_version %s), then to %s. Accepted target_version "
                         "values: %s" % (tgt, cur, cur.minor_text, patch, patch, tgt, accepted))
    for offered in allowed:
        if tgt.covers(offered):
            return tgt.text
    if allowed and all(tgt.minor_key > offered.minor_key for offered in allowed):
        nearest = min(allowed, key=lambda v: v.key)
        raise ValueError("target_version %s skips %s: CCE upgrades %s one step at a time; upgrade to %s "
                         "first. Accepted target_version values: %s" % (tgt, nearest, cur, nearest, accepted))
    if not allowed:
        raise ValueError("target_version %s is not offered: CCE offers no upgrade for a cluster at %s "
                         "(it may already run the latest version). Accepted target_version values: none"
                         % (tgt, cur))
    raise ValueError("target_version %s is not offered for a cluster at %s. Accepted target_version "
                     "values: %s" % (tgt, cur, accepted))


def step_warning(number):
    """The warning for a ``user_defined_step`` above what CCE's API reference documents, or None."""
    if number > STEP_DOCUMENTED_MAX:
        return ("user_defined_step %d is above %d, the largest batch CCE's API reference documents (the SDK allows up to "
                "%d): CCE may refuse it; %d or less is safe (20 is recommended)"
                % (number, STEP_DOCUMENTED_MAX, STEP_MAX, STEP_DOCUMENTED_MAX))
    return None


def validate_step(value):
    """``user_defined_step`` (nodes per batch of the in-place rolling update) must be 1..120;
    above 40 (what CCE documents) the caller warns with :func:`step_warning`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError("user_defined_step must be an integer between %d and %d, got %r" % (STEP_MIN, STEP_MAX, value))
    if not STEP_MIN <= number <= STEP_MAX:
        raise ValueError("user_defined_step must be between %d and %d (CCE documents %d-%d), got %d"
                         % (STEP_MIN, STEP_MAX, STEP_MIN, STEP_DOCUMENTED_MAX, number))
    return number
