"""autopilot_schedule.py: window input and comparison, plan documents, the postpone decision."""

import datetime

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import autopilot_schedule as schedule
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import is_date_only, parse_time_input

UTC = datetime.timezone.utc


def test_window_input_is_normalised():
    window = schedule.validate_window(["sun", "SATURDAY", "Sat"], "2:00", 4)
    assert window == {"weekdays": ["Saturday", "Sunday"], "start_time": "02:00", "duration_hours": 4}
    assert schedule.window_body(window) == {"weekly_period": "Saturday,Sunday", "start_time": "02:00", "duration_hours": 4}


@pytest.mark.parametrize("weekdays, start, hours, words", [
    ([], "02:00", 4, ["weekdays", "Monday"]),
    (["Funday"], "02:00", 4, ["weekdays", "'Funday'", "Sunday"]),
    (["Mon"], "02:30", 4, ["start_time", "HH:00", "'02:30'"]),
    (["Mon"], "24:00", 4, ["start_time"]),
    (["Mon"], None, 4, ["start_time"]),
    (["Mon"], "02:00", 0, ["duration_hours", "1 to 24"]),
    (["Mon"], "02:00", 25, ["duration_hours"]),
    (["Mon"], "02:00", True, ["duration_hours"]),
])
def test_bad_window_input_names_the_option(weekdays, start, hours, words):
    with pytest.raises(ValueError) as error:
        schedule.validate_window(weekdays, start, hours)
    for word in words:
        assert word in str(error.value)


def test_stored_window_and_difference():
    stored = schedule.normalize_window({"weekly_period": "Sunday, Saturday", "start_time": "02:00", "duration_hours": 4,
                                        "upgrade_scope": "patch"})
    assert stored == {"weekdays": ["Saturday", "Sunday"], "start_time": "02:00", "duration_hours": 4, "upgrade_scope": "patch"}
    desired = schedule.validate_window(["Sat", "Sun"], "02:00", 4)
    assert not schedule.window_differs(stored, desired)
    assert schedule.window_differs(stored, dict(desired, duration_hours=5))
    assert schedule.window_differs(None, desired)
    # an empty reply is no window (CCE may answer so instead of 404)
    assert schedule.normalize_window({}) is None
    assert schedule.normalize_window({"weekly_period": "", "start_time": "", "duration_hours": 0}) is None


PLAN = {"kind": "UpgradePlan", "apiVersion": "v3", "metadata": {"uid": "p-1"},
        "spec": {"clusterID": "c", "clusterVersion": "v1.29.2-r0", "targetVersion": "v1.29.4-r0",
                 "notBefore": "2026-12-09T02:00:00Z", "notAfter": "2026-12-09T06:00:00Z",
                 "notBeforeDeadline": "2026-12-21T00:00:00Z"},
        "status": {"phase": "Pending"}}


def test_plan_lists_in_both_shapes():
    later = {"metadata": {"uid": "p-0"}, "spec": dict(PLAN["spec"], notBefore="2026-12-01T02:00:00Z"),
             "status": {"phase": "Success"}}
    plans = schedule.normalize_plans({"items": [PLAN, later]})
    assert [p["plan_id"] for p in plans] == ["p-0", "p-1"]
    assert schedule.next_plan(plans)["plan_id"] == "p-1"
    # the SDK types items as one plan object
    assert [p["plan_id"] for p in schedule.normalize_plans({"items": PLAN})] == ["p-1"]
    assert schedule.normalize_plans({"items": {}}) == []
    assert schedule.find_plan(plans, "p-0")["phase"] == "Success"


def test_postpone_decision():
    plan = schedule.normalize_plan(PLAN)
    assert schedule.postpone_decision(plan, datetime.datetime(2026, 12, 12, 2, tzinfo=UTC)) == (True, "2026-12-12T02:00:00Z")
    # already at or after the time: nothing to send
    assert schedule.postpone_decision(plan, datetime.datetime(2026, 12, 9, 2, tzinfo=UTC))[0] is False
    assert schedule.postpone_decision(dict(plan, phase="Success"), datetime.datetime(2026, 12, 1, tzinfo=UTC))[0] is False
    with pytest.raises(ValueError) as error:
        schedule.postpone_decision(plan, datetime.datetime(2026, 12, 21, tzinfo=UTC))
    assert "notBeforeDeadline 2026-12-21T00:00:00Z" in str(error.value) and "not_before" in str(error.value)
    with pytest.raises(ValueError) as error:
        schedule.postpone_decision(dict(plan, phase="Upgrading"), datetime.datetime(2026, 12, 12, tzinfo=UTC))
    assert "Pending" in str(error.value)
    moved = schedule.postponed(plan, datetime.datetime(2026, 12, 12, 2, tzinfo=UTC))
    assert (moved["not_before"], moved["not_after"]) == ("2026-12-12T02:00:00Z", "2026-12-12T06:00:00Z")


@pytest.mark.parametrize("text, expected", [
    ("2026-12-09", datetime.datetime(2026, 12, 9, tzinfo=UTC)),
    ("2026-12-09 02:00", datetime.datetime(2026, 12, 9, 2, tzinfo=UTC)),
    ("2026-12-09T10:00:30+08:00", datetime.datetime(2026, 12, 9, 2, 0, 30, tzinfo=UTC)),
    ("2026-12-09T02:00:00Z", datetime.datetime(2026, 12, 9, 2, tzinfo=UTC)),
    ("2026-12-08T21:00-05:00", datetime.datetime(2026, 12, 9, 2, tzinfo=UTC)),
])
def test_time_input(text, expected):
    assert parse_time_input(text, "not_before") == expected


def test_time_input_in_a_zone_and_errors():
    cst = datetime.timezone(datetime.timedelta(hours=8))
    assert parse_time_input("2026-12-09 10:00", "x", tz=cst) == datetime.datetime(2026, 12, 9, 2, tzinfo=UTC)
    assert is_date_only(" 2026-12-09 ") and not is_date_only("2026-12-09 10:00")
    for bad in ("tomorrow", "2026-02-30", "", None, 20261209):
        with pytest.raises(ValueError) as error:
            parse_time_input(bad, "not_before")
        assert "not_before" in str(error.value) and "YYYY-MM-DD" in str(error.value)
