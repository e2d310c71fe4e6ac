"""Cluster versions as real CCE has them: minor (``v1.29``), release (``v1.29.4``), patch (``r0``).

A scenario lists the releases CCE offers (full versions ``v1.29.4-r0``, each with its platform
version ``cce.4.0``) and the allowed minor-to-minor upgrades (the table of the CCE user guide,
minors may be skipped). ``Catalog`` answers every version question of the simulator:

- a target named by its minor resolves to the latest patch of that minor, a release without its
  revision (``v1.30.14``) to the latest revision of that release, a full version to itself;
- from a full version the targets are the latest patch of the same minor (when the cluster is not
  on it) and the latest patch of every minor the table allows;
- patch first: a move to another minor is allowed only from the latest patch of the current minor.
"""

import re

FULL_RE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-r(\d+)$")
RELEASE_RE = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
MINOR_RE = re.compile(r"^v(\d+)\.(\d+)$")


def full_key(version):
    """Sort key ``(major, minor, release, patch)`` of ``vX.Y.Z-rN``, or None."""
    match = FULL_RE.match(str(version or ""))
    return tuple(int(part) for part in match.groups()) if match else None


def minor_of(version):
    """``v1.29`` of ``v1.29``, ``v1.29.4`` or ``v1.29.4-r0``; None when unparsable."""
    text = str(version or "").strip()
    for pattern in (FULL_RE, RELEASE_RE, MINOR_RE):
        match = pattern.match(text)
        if match:
            return "v%s.%s" % (int(match.group(1)), int(match.group(2)))
    return None


def shown_version(full):
    """``spec.version`` of ShowCluster: the minor from v1.21 on, the full version before."""
    minor = minor_of(full)
    return full if minor_key(minor) <= (1, 19) else minor


def release_of(full):
    """``v1.29.4`` of ``v1.29.4-r0``."""
    return full.split("-", 1)[0]


def patch_of(full):
    """``r0`` of ``v1.29.4-r0``."""
    return full.split("-", 1)[1]


def minor_key(minor):
    match = MINOR_RE.match(minor)
    return (int(match.group(1)), int(match.group(2)))


class VersionError(ValueError):
    """A version the catalog does not know or cannot reach; the message says why."""


class Catalog:
    """The releases of one scenario and the minor-to-minor upgrade table."""

    def __init__(self, releases, minor_paths):
        self.platforms = {}
        self.by_minor = {}
        for entry in releases:
            full = entry["version"]
            if full_key(full) is None:
                raise VersionError("release %r is not a full version vX.Y.Z-rN" % (full,))
            self.platforms[full] = entry["platformVersion"]
            self.by_minor.setdefault(minor_of(full), []).append(full)
        for fulls in self.by_minor.values():
            fulls.sort(key=full_key)
        self.minor_paths = {}
        for source, targets in minor_paths.items():
            if MINOR_RE.match(source) is None or any(MINOR_RE.match(t) is None for t in targets):
                raise VersionError("upgrade path %s -> %s: use minors vX.Y" % (source, targets))
            self.minor_paths[source] = sorted(set(targets), key=minor_key)

    def latest_patch(self, minor):
        fulls = self.by_minor.get(minor)
        return fulls[-1] if fulls else None

    def is_release(self, full):
        return full in self.platforms

    def platform_version(self, full):
        return self.platforms.get(full, "cce.1.0")

    def resolve(self, text):
        """The full version a target names (minor -> latest patch), or None."""
        text = str(text or "").strip()
        if FULL_RE.match(text):
            return text if text in self.platforms else None
        if RELEASE_RE.match(text):
            fulls = [f for f in self.by_minor.get(minor_of(text), []) if release_of(f) == text]
            return fulls[-1] if fulls else None
        if MINOR_RE.match(text):
            return self.latest_patch(minor_of(text))
        return None

    def targets(self, full):
        """Full versions reachable from ``full`` in one upgrade as CCE lists them."""
        minor = minor_of(full)
        result = []
        latest = self.latest_patch(minor)
        if latest is not None and latest != full and full_key(latest) > full_key(full):
            result.append(latest)
        for target_minor in self.minor_paths.get(minor, []):
            target = self.latest_patch(target_minor)
            if target is not None:
                result.append(target)
        return result

    def check_target(self, current, text):
        """The resolved full target of an upgrade from ``current``; VersionError when CCE refuses it."""
        target = self.resolve(text)
        if target is None or target not in self.targets(current):
            raise VersionError("not supported to upgrade from %s to %s" % (current, text))
        latest = self.latest_patch(minor_of(current))
        if minor_of(target) != minor_of(current) and current != latest:
            raise VersionError("not supported to upgrade from %s to %s, only support to %s" % (current, target, latest))
        return target

    def path_entries(self):
        """``ClusterUpgradePaths`` entries: one per version and platform version."""
        entries = []
        for minor in sorted(self.by_minor, key=minor_key):
            for full in self.by_minor[minor]:
                # CCE names sources up to v1.19 by their full version, from v1.21 on by the minor
                entries.append({"version": shown_version(full), "platformVersion": self.platforms[full],
                                "targetVersions": self.targets(full)})
        return entries
