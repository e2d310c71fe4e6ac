"""version.py: the one version model (facts from real-cce-behaviour.md section 1)."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import version as v


@pytest.mark.parametrize("text,parts,full", [
    ("v1.30", (1, 30, None, None), False), ("v1.29.3", (1, 29, 3, None), False),
    ("v1.28.15-r30", (1, 28, 15, 30), True), (" v1.19.16-r20 ", (1, 19, 16, 20), True)])
def test_parse_version(text, parts, full):
    parsed = v.parse_version(text)
    assert (parsed.major, parsed.minor, parsed.patch, parsed.revision) == parts
    assert parsed.is_full is full
    assert parsed.text == text.strip()
    assert parsed.minor_text == "v%d.%d" % parts[:2]
    assert parsed.minor_key == parts[:2]


@pytest.mark.parametrize("text", ["1.30", "v1", "v1.30-r1", "v1.30.1-1", "v1.30.x", "", None, "V1.30", 1.3])
def test_parse_version_rejects_naming_the_option_and_forms(text):
    with pytest.raises(ValueError, match=r"target_version .* expected vX.Y, vX.Y.Z or vX.Y.Z-rN"):
        v.parse_version(text, "target_version")


@pytest.mark.parametrize("release,patch,expected", [
    ("v1.29.4", "r0", "v1.29.4-r0"), ("v1.28.15", "r30", "v1.28.15-r30"), ("v1.28.15", 30, "v1.28.15-r30"),
    ("v1.28.15", "30", "v1.28.15-r30"), ("v1.28.15-r30", "r30", "v1.28.15-r30"), ("v1.28.15-r30", None, "v1.28.15-r30"),
    ("1.25.2", "r0", "v1.25.2-r0"), ("v1.29", "r0", None), ("v1.29.4", None, None), ("v1.29.4", "", None),
    (None, "r0", None), ("garbage", "r0", None), ("v1.29.4", "rX", None)])
def test_full_version(release, patch, expected):
    assert v.full_version(release, patch) == expected


def test_current_full_version_from_upgradeinfo():
    info = {"kind": "UpgradeInfo", "spec": {"versionInfo": {"release": "v1.19.10", "patch": "r0", "suggestPatch": "r0",
                                                            "targetVersions": ["v1.21", "v1.23"]}}}
    assert v.current_full_version(info) == "v1.19.10-r0"
    assert v.current_full_version(info["spec"]) == "v1.19.10-r0"
    assert v.current_full_version({"spec": {}}) is None
    assert v.current_full_version(None) is None
    assert v.current_full_version({"spec": {"versionInfo": {"release": "v1.29"}}}) is None


@pytest.mark.parametrize("current,target,reached", [
    ("v1.29.4-r0", "v1.29", True),          # a minor target: any patch of it
    ("v1.28.15-r30", "v1.29", False),
    ("v1.28.15-r30", "v1.28.15-r30", True),  # exactly the full target
    ("v1.28.15-r31", "v1.28.15-r30", True),  # a later patch of the same minor
    ("v1.28.16-r0", "v1.28.15-r30", True),
    ("v1.28.15-r0", "v1.28.15-r30", False),  # after a patch upgrade is only judged on the full version
    ("v1.29.0-r0", "v1.28.15-r30", False),   # another minor never reaches a full target
    ("v1.28", "v1.28.15-r30", False),        # a bare minor cannot tell
    ("v1.28", "v1.28", True),
    ("v1.28.15-r30", "v1.28.15", True), ("v1.28.14-r30", "v1.28.15", False),
    ("v1.28.16", "v1.28.15-r3", True), ("v1.28.15", "v1.28.15-r3", False),
    (None, "v1.28", False), ("v1.28.15-r30", None, False), ("junk", "v1.28", False)])
def test_is_at_target(current, target, reached):
    assert v.is_at_target(current, target) is reached


def test_ordering_and_compare():
    texts = ["v1.30", "v1.28.15-r30", "v1.28.15-r4", "v1.28.2-r40", "v1.29.4-r0"]
    ordered = sorted(v.parse_version(t) for t in texts)
    assert [str(x) for x in ordered] == ["v1.28.2-r40", "v1.28.15-r4", "v1.28.15-r30", "v1.29.4-r0", "v1.30"]
    assert v.compare("v1.28.15-r30", "v1.28.15-r4") == 1
    assert v.compare("v1.28.2-r0", "v1.28.15-r0") == -1
    assert v.compare("v1.29", "v1.29.0-r0") == 0
    assert v.parse_version("v1.29") != v.parse_version("v1.29.0-r0")
    assert v.parse_version("v1.29") < "v1.29.1-r0"
    with pytest.raises(ValueError, match="not a CCE version"):
        v.compare("v1.29", "latest")
    assert sorted(["x", "v1.30", "1.29.1-r0"], key=v.sort_key) == ["x", "1.29.1-r0", "v1.30"]


@pytest.mark.parametrize("requested,actual,result", [
    ("v1.30", "v1.30.2-r0", True), ("v1.30.2-r0", "v1.30.2-r0", True), ("v1.30.2", "v1.30.4-r1", False),
    ("v1.30.2-r0", "v1.30", False), ("v1.30", "1.30.2-r0", True), ("odd", "odd", True), ("", "v1.30", False)])
def test_matches(requested, actual, result):
    assert v.matches(requested, actual) is result


def test_latest_patch():
    # clusterupgradepaths targets are full versions including the same-minor patch
    targets = ["v1.25.6-r0", "v1.27.3-r0", "v1.25.10-r2", "v1.25.10-r11", "v1.25", "junk"]
    assert v.latest_patch(targets, "v1.25") == "v1.25.10-r11"
    assert v.latest_patch(targets, "v1.25.1-r0") == "v1.25.10-r11"
    assert v.latest_patch(targets, "v1.27") == "v1.27.3-r0"
    assert v.latest_patch(targets, "v1.28") is None
    assert v.latest_patch([], "v1.25") is None
    assert v.latest_patch(targets, "nonsense") is None


@pytest.mark.parametrize("current,target,result", [
    ("v1.28.15-r4", "v1.28.15-r30", True), ("v1.28.2-r0", "v1.28", False), ("v1.28.15-r30", "v1.28.15-r30", False),
    ("v1.28.15-r30", "v1.29", False), ("v1.28.15-r30", "v1.28.2-r0", False), ("v1.28.2-r0", "v1.28.15", True), ("v1.28", "v1.28.15-r30", False)])
def test_is_patch_upgrade(current, target, result):
    assert v.is_patch_upgrade(current, target) is result


@pytest.mark.parametrize("requested, actual, expected", [
    ("v1.30", "v1.30", True), ("v1.30.2", "v1.30.2-r0", True), ("v1.30", "v1.29", False), ("v1.3", "v1.30", False),
    ("v1.30", None, False), ("weird", "weird", True)])
def test_matches_more(requested, actual, expected):
    assert v.matches(requested, actual) is expected


def test_sort_key_orders_numerically():
    versions = ["v1.30", "v1.9", "v1.28.1-r2", "v1.28", "v1.28.1-r10"]
    assert sorted(versions, key=v.sort_key) == ["v1.9", "v1.28", "v1.28.1-r2", "v1.28.1-r10", "v1.30"]


@pytest.mark.parametrize("text, parts", [("1.30", (1, 30, None, None)), ("v1.x", None), ("", None), (None, None),
                                         ("v1.29-r1", None)])
def test_version_or_none_reads_documents(text, parts):
    parsed = v.version_or_none(text)
    assert (None if parsed is None else (parsed.major, parsed.minor, parsed.patch, parsed.revision)) == parts


@pytest.mark.parametrize("wanted,listed,result", [
    ("v1.29.8-r0", "v1.29", True), ("v1.29", "v1.29", True), ("v1.29.8-r0", "v1.29.8-r0", True),
    ("v1.29.8-r0", "v1.29.7-r0", False), ("v1.30.1-r0", "v1.29", False), ("v1.19.16-r4", "v1.19.16-r20", False)])
def test_matches_listed(wanted, listed, result):
    assert v.matches_listed(wanted, listed) is result
