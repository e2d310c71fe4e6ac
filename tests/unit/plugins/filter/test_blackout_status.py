"""Unit tests for the hwcloud.cce.blackout_status filter (plugins/filter/maintenance_window.py)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "maintenance_window.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_maintenance_window_blackout", PLUGIN)
mw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mw)

FREEZE = {"name": "year-end freeze", "start": "2026-12-20", "end": "2027-01-03", "timezone": "Europe/Berlin"}
LAUNCH = {"name": "launch", "start": "2026-11-26 18:00", "end": "2026-11-27T08:00:00", "timezone": "UTC"}


def status(blackouts, now, **kwargs):
    return mw.blackout_status(blackouts, now=now, name="cce_upgrade_blackout", **kwargs)


def test_filter_is_registered():
    assert mw.FilterModule().filters()["blackout_status"] is mw.blackout_status


def test_inside_a_date_range_the_end_day_is_included():
    # 2027-01-03 23:30 in Berlin is still the last day of the freeze
    result = status([LAUNCH, FREEZE], "2027-01-03T22:30:00Z")
    assert result["inside"] is True
    assert result["names"] == ["year-end freeze"]
    assert result["starts_at"] == "2026-12-20T00:00:00+01:00"
    assert result["ends_at"] == "2027-01-04T00:00:00+01:00"
    assert "no upgrade is started until it ends at 2027-01-04T00:00:00+01:00" in result["message"]
    assert "year-end freeze" in result["message"]
    assert status([FREEZE], "2027-01-03T23:00:00Z")["inside"] is False
    assert status([FREEZE], "2026-12-19T22:59:59Z")["inside"] is False
    assert status([FREEZE], "2026-12-19T23:00:00Z")["inside"] is True


def test_outside_names_the_next_blackout():
    result = status([FREEZE, LAUNCH], "2026-11-01T00:00:00Z")
    assert (result["inside"], result["ends_at"], result["message"]) == (False, None, "")
    assert (result["next_start"], result["next_name"]) == ("2026-11-26T18:00:00+00:00", "launch")
    assert status([], "2026-11-01T00:00:00Z")["inside"] is False
    assert status(None, "2026-11-01T00:00:00Z")["next_start"] is None


def test_date_times_take_the_zone_unless_they_carry_an_offset():
    berlin = {"start": "2026-06-10 09:00", "end": "2026-06-10 17:00", "timezone": "Europe/Berlin"}
    assert status([berlin], "2026-06-10T07:00:00Z")["inside"] is True  # 09:00 CEST
    assert status([berlin], "2026-06-10T06:59:00Z")["inside"] is False
    offset = {"start": "2026-06-10T09:00:00+08:00", "end": "2026-06-10T10:00:00+08:00", "timezone": "Europe/Berlin"}
    assert status([offset], "2026-06-10T01:30:00Z")["inside"] is True
    # YAML gives unquoted dates as date objects
    dated = {"start": datetime.date(2026, 12, 24), "end": datetime.date(2026, 12, 26)}
    assert status([dated], "2026-12-26T23:59:00Z")["ends_at"] == "2026-12-27T00:00:00+00:00"


def test_touching_periods_are_one_blackout():
    first = {"name": "a", "start": "2026-12-01", "end": "2026-12-02"}
    second = {"name": "b", "start": "2026-12-03", "end": "2026-12-05"}
    later = {"name": "c", "start": "2026-12-10", "end": "2026-12-11"}
    result = status([later, second, first], "2026-12-01T12:00:00Z")
    assert result["ends_at"] == "2026-12-06T00:00:00+00:00"
    assert result["names"] == ["a", "b"]
    assert result["next_name"] == "c"


@pytest.mark.parametrize("value, where", [
    ("2026-12-20", "cce_upgrade_blackout:"),
    ({"start": "2026-12-20", "end": "2026-12-21"}, "cce_upgrade_blackout:"),
    (["2026-12-20"], "cce_upgrade_blackout[0]"),
    ([{"start": "2026-12-20"}], "cce_upgrade_blackout[0].end"),
    ([{"start": "2026-12-20", "end": "2026-12-21", "zone": "UTC"}], "cce_upgrade_blackout[0]: unknown key(s) zone"),
    ([FREEZE, dict(FREEZE, end="2026-13-01")], "cce_upgrade_blackout[1].end"),
    ([dict(FREEZE, start="christmas")], "cce_upgrade_blackout[0].start"),
    ([dict(FREEZE, timezone="Mars/Olympus")], "cce_upgrade_blackout[0].timezone"),
    ([dict(FREEZE, start="2027-01-04")], "cce_upgrade_blackout[0]: ends"),
])
def test_bad_input_names_the_variable_and_the_shape(value, where):
    with pytest.raises(AnsibleFilterError) as error:
        status(value, "2026-11-01T00:00:00Z")
    text = str(error.value)
    assert where in text
    if "timezone" not in where:
        assert "accepted: a list of {start, end, timezone, name}" in text
