# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one version model of the collection: CCE versions, their order and what reaches what.

A CCE version has three parts: the minor (``v1.29``), the release (``v1.29.4``) and the patch
revision (``r0``); the full form is ``v1.29.4-r0``. ShowCluster reports only the minor; the full
current version comes from the cluster's upgrade info (``versionInfo.release`` + ``.patch``) or
from a workflow document, which CCE returns with resolved full versions. Modules, the inventory
plugin and the role (through filter plugins) all judge versions here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

_VERSION = re.compile(r"^v(\d+)\.(\d+)(?:\.(\d+)(?:-r(\d+))?)?$")
# What CCE documents may hold: the strict form, optionally without the leading "v".
_DOCUMENT_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+)(?:-r(\d+))?)?$")
_REVISION = re.compile(r"^-?r?(\d+)$")

ACCEPTED_FORMS = "vX.Y, vX.Y.Z or vX.Y.Z-rN (for example v1.30 or v1.30.4-r0)"


class Version(namedtuple("Version", ["major", "minor", "patch", "revision", "text"])):
    """A parsed CCE version; ``patch`` / ``revision`` are None when not given.

    Ordering (``<``, ``>``, ``sorted``) uses :attr:`key`; equality stays tuple equality, so
    ``v1.29`` and ``v1.29.0-r0`` sort together but are not equal.
    """

    __slots__ = ()

    @property
    def minor_key(self):
        """``(major, minor)``: what two versions of the same minor share."""
        return (self.major, self.minor)

    @property
    def key(self):
        """Sort key; a missing part sorts as 0."""
        return (self.major, self.minor, self.patch or 0, self.revision or 0)

    @property
    def minor_text(self):
        """The minor as CCE writes it in ShowCluster's ``spec.version``: ``v1.29``."""
        return "v%d.%d" % (self.major, self.minor)

    @property
    def is_full(self):
        """True for ``vX.Y.Z-rN`` (every part given)."""
        return self.patch is not None and self.revision is not None

    def covers(self, other):
        """True when ``other`` is this version or a more precise form of it (``v1.30`` covers ``v1.30.2-r0``)."""
        mine = (self.major, self.minor, self.patch, self.revision)
        theirs = (other.major, other.minor, other.patch, other.revision)
        return all(a is None or a == b for a, b in zip(mine, theirs))

    def __lt__(self, other):
        return self.key < _as_version(other).key

    def __le__(self, other):
        return self.key <= _as_version(other).key

    def __gt__(self, other):
        return self.key > _as_version(other).key

    def __ge__(self, other):
        return self.key >= _as_version(other).key

    def __eq__(self, other):
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return tuple.__hash__(self)

    def __str__(self):
        return self.text


def _build(match, text):
    major, minor, patch, revision = match.groups()
    return Version(int(major), int(minor), None if patch is None else int(patch),
                   None if revision is None else int(revision), text)


def parse_version(text, name="version"):
    """Parse ``vX.Y``, ``vX.Y.Z`` or ``vX.Y.Z-rN`` (user input) into a :class:`Version`.

    Raises ValueError naming ``name`` and the accepted forms.
    """
    match = _VERSION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError("%s %r is not a CCE version: expected %s" % (name, text, ACCEPTED_FORMS))
    return _build(match, text.strip())


def version_or_none(text):
    """A version read from a CCE document (the ``v`` may be missing), or None when it is not one."""
    if isinstance(text, Version):
        return text
    match = _DOCUMENT_VERSION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    stripped = text.strip()
    return _build(match, stripped if stripped.startswith("v") else "v" + stripped)


def _as_version(value):
    version = version_or_none(value)
    if version is None:
        raise ValueError("%r is not a CCE version: expected %s" % (value, ACCEPTED_FORMS))
    return version


def full_version(release, patch):
    """``v1.29.4`` + ``r0`` -> ``v1.29.4-r0`` (the full version from upgradeinfo's versionInfo).

    A release that already carries ``-rN`` is returned as it is; ``patch`` may be ``r0``, ``0``
    or ``0`` as a number. None when ``release`` is not a release (``vX.Y.Z``) or no patch is known.
    """
    version = version_or_none(release)
    if version is None or version.patch is None:
        return None
    if version.is_full:
        return version.text
    if isinstance(patch, bool) or patch is None:
        return None
    match = _REVISION.match(str(patch).strip())
    if not match:
        return None
    return "%s-r%d" % (version.text, int(match.group(1)))


def current_full_version(upgrade_info):
    """The cluster's full current version from an UpgradeInfo document (or its ``spec``), or None."""
    if not isinstance(upgrade_info, dict):
        return None
    spec = upgrade_info.get("spec") if isinstance(upgrade_info.get("spec"), dict) else upgrade_info
    info = spec.get("versionInfo")
    if not isinstance(info, dict):
        return None
    return full_version(info.get("release"), info.get("patch"))


def compare(a, b):
    """-1, 0 or 1 as version ``a`` sorts before, with or after ``b`` (missing parts count as 0)."""
    left, right = _as_version(a).key, _as_version(b).key
    return (left > right) - (left < right)


def sort_key(text):
    """Sort key for version strings from documents; what is not a version sorts first."""
    version = version_or_none(text)
    if version is None:
        return (-1, -1, -1, -1, str(text or ""))
    return version.key + (version.text,)


def matches(requested, actual):
    """True when ``actual`` is ``requested`` or a more precise form of it.

    CCE resolves ``v1.30`` to its latest patch (``v1.30.2-r0``), so a minor matches any patch of
    that minor; a full version must match exactly. Texts that are not versions match when equal.
    """
    if not requested or not actual:
        return False
    want, have = version_or_none(requested), version_or_none(actual)
    if want is None or have is None:
        return str(requested).strip() == str(actual).strip()
    return want.covers(have)


def matches_listed(wanted, listed):
    """A version filter on a cluster list: ``listed`` is ``wanted`` or a patch of it, and a bare minor
    (all ShowCluster/ListClusters give from v1.21 on) matches every version of that minor, since the
    list cannot tell which patch the cluster runs."""
    if matches(wanted, listed):
        return True
    have, want = version_or_none(listed), version_or_none(wanted)
    return have is not None and want is not None and have.patch is None and have.minor_key == want.minor_key


def is_at_target(current, target):
    """True when a cluster at ``current`` has reached ``target``.

    A minor target (``v1.30``) is reached by any version of that minor; a release or full target
    by that version or a later patch of the same minor. ``current`` should be the full version:
    a bare minor reaches only a minor target (whether it reached a patch cannot be told).
    """
    have, want = version_or_none(current), version_or_none(target)
    if have is None or want is None or have.minor_key != want.minor_key:
        return False
    if want.patch is None:
        return True
    if have.patch is None:
        return False
    if want.revision is None:
        return have.patch >= want.patch
    if have.revision is None:
        return have.patch > want.patch
    return have.key >= want.key


def is_patch_upgrade(current, target):
    """True when ``target`` is a later patch of ``current``'s own minor (not a minor upgrade).
    False when ``current`` is a bare minor: which patch it runs is not known."""
    have, want = version_or_none(current), version_or_none(target)
    if have is None or want is None or have.minor_key != want.minor_key or have.patch is None:
        return False
    return not is_at_target(have, want)


def latest_patch(versions, minor):
    """The highest full version of ``minor`` (``v1.29`` or any version of it) in ``versions``, or None.

    Returns the text as listed; entries that are not full versions are ignored.
    """
    wanted = version_or_none(minor)
    if wanted is None:
        return None
    best = None
    for text in versions or []:
        version = version_or_none(text)
        if version is None or not version.is_full or version.minor_key != wanted.minor_key:
            continue
        if best is None or version.key > best.key:
            best = version
    return None if best is None else best.text
