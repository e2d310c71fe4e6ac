"""Unit tests for the version filters (plugins/filter/version.py): the role's and playbooks' only
version rule, which is module_utils/version.py."""

import pytest

from ansible_collections.hwcloud.cce.plugins.filter import version as vf


@pytest.mark.parametrize("text", ["v1.30", "v1.30.4", "v1.30.4-r0", " v1.29.15-r30 "])
def test_valid_versions(text):
    assert vf.cce_version_valid(text) is True


@pytest.mark.parametrize("value", ["1.30", "v1", "v1.30.4-0", "v1.30-r0", "latest", "", None, 1.3, ["v1.30"]])
def test_invalid_versions(value):
    assert vf.cce_version_valid(value) is False


@pytest.mark.parametrize("current, target, expected", [
    ("v1.30.4-r0", "v1.30", True),          # a minor target: any patch of it
    ("v1.29.15-r30", "v1.29.15-r30", True),  # a patch target reached (spec.version still reads v1.29)
    ("v1.29.15-r31", "v1.29.15-r30", True),  # a later patch of the same minor
    ("v1.29.4-r0", "v1.29.15-r30", False),   # not yet patched
    ("v1.29", "v1.29.15-r30", False),        # the bare minor cannot tell a patch
    ("v1.29.4-r0", "v1.30", False),
    ("v1.31.1-r0", "v1.30", False),
    (None, "v1.30", False),
])
def test_is_at_target_judges_the_full_version(current, target, expected):
    assert vf.cce_version_is_at_target(current, target) is expected


def test_next_target_is_the_latest_patch_first():
    offered = ["v1.29.15-r30", "v1.29.8-r0", "v1.30.4-r0", "v1.31.2-r0"]
    assert vf.cce_version_next_target(offered, "v1.29.4-r0") == "v1.29.15-r30"


def test_next_target_from_the_latest_patch_is_the_next_minor():
    assert vf.cce_version_next_target(["v1.31.2-r0", "v1.30.4-r0"], "v1.29.15-r30") == "v1.30"
    assert vf.cce_version_next_target(["v1.31", "v1.30"], "v1.29.15-r30") == "v1.30"


def test_next_target_when_nothing_newer_is_offered():
    assert vf.cce_version_next_target([], "v1.33.1-r0") == ""
    assert vf.cce_version_next_target(["v1.29.4-r0"], "v1.29.4-r0") == ""
    assert vf.cce_version_next_target(["v1.30"], None) == ""


def test_filters_are_registered_under_their_names():
    assert set(vf.FilterModule().filters()) == {"cce_version_valid", "cce_version_current", "cce_version_is_at_target",
                                                "cce_version_next_target"}


def test_current_version_prefers_the_full_version():
    assert vf.cce_version_current({"current_version": "v1.29.15-r30", "release": "v1.29.15", "patch": "r30"}) == "v1.29.15-r30"
    # ShowCluster's minor only: the full version from upgradeinfo's versionInfo
    assert vf.cce_version_current({"current_version": "v1.29", "release": "v1.29.15", "patch": "r30"}) == "v1.29.15-r30"
    assert vf.cce_version_current({"current_version": "v1.29", "release": None, "patch": None}) == "v1.29"
    assert vf.cce_version_current(None) is None


def test_current_version_takes_the_modules_full_version():
    info = {"current_version": "v1.29", "full_version": "v1.29.4-r0", "release": "v1.29.4", "patch": "r0"}
    assert vf.cce_version_current(info) == "v1.29.4-r0"
    assert vf.cce_version_current({"current_version": "v1.29", "full_version": "v1.29"}) == "v1.29"
