"""validation.py: cluster ids, versions, upgrade targets, user_defined_step."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.validation import (
    check_upgrade_target,
    parse_version,
    validate_cluster_id,
    validate_id,
    validate_optional_id,
    validate_step,
)


def test_cluster_id_accepts_uuid():
    assert validate_cluster_id(" b4b9e60f-8aa2-11ee-af09-0255ac10004f ") == "b4b9e60f-8aa2-11ee-af09-0255ac10004f"


@pytest.mark.parametrize("value", ["", "prod-a", "b4b9e60f8aa211eeaf090255ac10004f", "b4b9e60f-8aa2-11ee-af09-0255ac10004",
                                   "g4b9e60f-8aa2-11ee-af09-0255ac10004f", None, 42])
def test_cluster_id_rejects(value):
    with pytest.raises(ValueError, match="cluster_id must be a UUID"):
        validate_cluster_id(value)


@pytest.mark.parametrize("text,parts", [("v1.30", (1, 30, None, None)), ("v1.29.3", (1, 29, 3, None)),
                                        ("v1.28.5-r0", (1, 28, 5, 0)), ("v1.19.16-r20", (1, 19, 16, 20))])
def test_parse_version(text, parts):
    version = parse_version(text)
    assert (version.major, version.minor, version.patch, version.revision) == parts
    assert str(version) == text


@pytest.mark.parametrize("text", ["1.30", "v1", "v1.30-r1", "v1.30.1-1", "v1.30.x", "", None, "V1.30"])
def test_parse_version_rejects(text):
    with pytest.raises(ValueError, match="expected vX.Y, vX.Y.Z or vX.Y.Z-rN"):
        parse_version(text, "target_version")


@pytest.mark.parametrize("current,target,allowed", [
    ("v1.29", "v1.30", ["v1.30"]),
    ("v1.29.3-r0", "v1.30", ["v1.30.2-r0"]),
    ("v1.25", "v1.27", ["v1.27"]),
    ("v1.29.1-r0", "v1.29.4-r0", ["v1.29.4-r0", "v1.30"]),
])
def test_target_accepted(current, target, allowed):
    assert check_upgrade_target(current, target, allowed) == target


@pytest.mark.parametrize("current,target,allowed,pattern", [
    ("v1.29", "v1.28", ["v1.30"],
     r"target_version v1.28 is lower than .* v1.29: CCE cannot downgrade\. Accepted target_version values: v1.30$"),
    ("v1.29.3-r0", "v1.29.1-r0", ["v1.30"], "cannot downgrade"),
    ("v1.29", "v1.29", ["v1.30"], r"target_version v1.29 is the cluster's current version .*values: v1.30$"),
    ("v1.29.3-r0", "v1.29", ["v1.30"], "is the cluster's current version"),
    ("v1.29", "v1.31", ["v1.30"],
     r"target_version v1.31 skips v1.30: .* upgrade to v1.30 first\. Accepted target_version values: v1.30$"),
    ("v1.25", "v1.28", ["v1.27"], "skips v1.27"),
    ("v1.29", "v1.30.9-r0", ["v1.30.2-r0", "v1.30"], r"v1.30.9-r0 is not offered .*values: v1.30.2-r0, v1.30$"),
    ("v1.31", "v1.32", [], r"not offered.*Accepted target_version values: none$"),
])
def test_target_refused(current, target, allowed, pattern):
    with pytest.raises(ValueError, match=pattern):
        check_upgrade_target(current, target, allowed)


def test_bad_target_text_names_option():
    with pytest.raises(ValueError, match="target_version '1.30'"):
        check_upgrade_target("v1.29", "1.30", ["v1.30"])


@pytest.mark.parametrize("value,expected", [(1, 1), (20, 20), (120, 120), ("40", 40)])
def test_step_ok(value, expected):
    assert validate_step(value) == expected


@pytest.mark.parametrize("value", [0, 121, -1, "abc", None, 2.5, True, "1.5"])
def test_step_rejected(value):
    with pytest.raises(ValueError, match="user_defined_step must be"):
        validate_step(value)


@pytest.mark.parametrize("name", ["workflow_id", "task_id"])
@pytest.mark.parametrize("value", ["bogus/../x", "../../etc", "bogus", "x" * 36, 42, ["a"]])
def test_id_rejects_naming_the_option_and_the_format(name, value):
    with pytest.raises(ValueError, match=r"^%s must be a UUID .*8-4-4-4-12 hex digits" % name):
        validate_id(value, name)


def test_id_accepts_uuid_and_optional_id_skips_unset():
    uid = "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04"
    assert validate_id(" %s " % uid, "workflow_id") == uid
    assert validate_optional_id(None, "workflow_id") is None
    assert validate_optional_id("", "workflow_id") is None
    assert validate_optional_id(uid, "task_id") == uid
    with pytest.raises(ValueError, match="task_id"):
        validate_optional_id("not-a-task", "task_id")
