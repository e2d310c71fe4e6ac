"""Unit tests for the hwcloud.cce.window_status filter (plugins/filter/maintenance_window.py)."""

import datetime
import importlib.util
import time
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "maintenance_window.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_maintenance_window", PLUGIN)
mw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mw)

BERLIN_WEEKEND = {"weekdays": ["sat", "sun"], "start": "02:00", "duration": 240, "timezone": "Europe/Berlin"}


def status(window, now, **kwargs):
    return mw.window_status(window, now=now, **kwargs)


def test_filter_is_registered():
    assert mw.FilterModule().filters()["window_status"] is mw.window_status


def test_inside_window_reports_remaining_and_next_open():
    # Saturday 2026-06-13 03:00 CEST is inside the Saturday window 02:00-06:00.
    result = status(BERLIN_WEEKEND, "2026-06-13T03:00:00+02:00")
    assert result["inside"] is True
    assert result["opens_at"] == "2026-06-13T02:00:00+02:00"
    assert result["closes_at"] == "2026-06-13T06:00:00+02:00"
    assert result["remaining_minutes"] == 180
    assert result["minutes_until_open"] == 0
    assert result["next_open"] == "2026-06-14T02:00:00+02:00"
    assert result["timezone"] == "Europe/Berlin"


def test_outside_window_reports_next_opening():
    # Wednesday noon UTC: the next window is Saturday 02:00 Berlin = Saturday 00:00 UTC.
    result = status(BERLIN_WEEKEND, "2026-06-10T12:00:00Z")
    assert result["inside"] is False
    assert result["remaining_minutes"] == 0
    assert result["opens_at"] == "2026-06-13T02:00:00+02:00"
    assert result["next_open"] == result["opens_at"]
    assert result["closes_at"] == "2026-06-13T06:00:00+02:00"
    assert result["minutes_until_open"] == (2 * 24 + 12) * 60
    assert result["now"] == "2026-06-10T14:00:00+02:00"


def test_window_boundaries_are_half_open():
    assert status(BERLIN_WEEKEND, "2026-06-13T02:00:00+02:00")["inside"] is True
    closing = status(BERLIN_WEEKEND, "2026-06-13T06:00:00+02:00")
    assert closing["inside"] is False
    assert closing["opens_at"] == "2026-06-14T02:00:00+02:00"
    assert status(BERLIN_WEEKEND, "2026-06-13T05:59:00+02:00")["remaining_minutes"] == 1


def test_weekday_belongs_to_opening_day_when_crossing_midnight():
    window = {"weekdays": ["fri"], "start": "23:00", "duration": 180, "timezone": "UTC"}
    # Saturday 01:30 is still inside Friday's window.
    inside = status(window, "2026-06-13T01:30:00Z")
    assert inside["inside"] is True
    assert inside["opens_at"] == "2026-06-12T23:00:00+00:00"
    assert inside["closes_at"] == "2026-06-13T02:00:00+00:00"
    assert inside["remaining_minutes"] == 30
    # Friday 01:30 is not: Thursday has no window.
    outside = status(window, "2026-06-12T01:30:00Z")
    assert outside["inside"] is False
    assert outside["opens_at"] == "2026-06-12T23:00:00+00:00"


def test_midnight_crossing_windows_on_consecutive_days_merge():
    window = {"weekdays": "sat,sun", "start": "22:00", "duration": 1440 + 120, "timezone": "UTC"}
    result = status(window, "2026-06-14T12:00:00Z")
    assert result["inside"] is True
    assert result["opens_at"] == "2026-06-13T22:00:00+00:00"
    assert result["closes_at"] == "2026-06-16T00:00:00+00:00"


def test_weekday_list_accepts_full_names_and_any_case():
    window = {"weekdays": ["Tuesday", "THU"], "start": "10:00", "duration": 60}
    assert status(window, "2026-06-09T10:30:00Z")["inside"] is True    # Tuesday
    assert status(window, "2026-06-11T10:30:00Z")["inside"] is True    # Thursday
    assert status(window, "2026-06-10T10:30:00Z")["inside"] is False   # Wednesday
    assert status(window, "2026-06-10T10:30:00Z")["opens_at"] == "2026-06-11T10:00:00+00:00"


def test_weekdays_omitted_means_every_day_and_timezone_defaults_to_utc():
    window = {"start": "01:00", "duration": 30}
    result = status(window, "2026-06-10T23:00:00Z")
    assert result["inside"] is False
    assert result["opens_at"] == "2026-06-11T01:00:00+00:00"
    assert result["timezone"] == "UTC"


def test_dst_spring_forward_nonexistent_start_opens_after_the_jump():
    # 2026-03-29 (Sunday): Berlin skips 02:00-03:00. A 02:30 start opens at 03:30 CEST (01:30 UTC).
    window = {"weekdays": ["sun"], "start": "02:30", "duration": 60, "timezone": "Europe/Berlin"}
    result = status(window, "2026-03-28T12:00:00Z")
    assert result["opens_at"] == "2026-03-29T03:30:00+02:00"
    assert result["closes_at"] == "2026-03-29T04:30:00+02:00"
    assert status(window, "2026-03-29T01:29:00Z")["inside"] is False
    assert status(window, "2026-03-29T01:30:00Z")["inside"] is True


def test_dst_spring_forward_duration_is_elapsed_time():
    # Saturday-night window 23:00 CET for 240 min crosses the jump: closes 04:00 CEST (= 3 h wall clock later +1).
    window = {"weekdays": ["sat"], "start": "23:00", "duration": 240, "timezone": "Europe/Berlin"}
    result = status(window, "2026-03-29T00:30:00+01:00")
    assert result["inside"] is True
    assert result["opens_at"] == "2026-03-28T23:00:00+01:00"
    assert result["closes_at"] == "2026-03-29T04:00:00+02:00"
    assert result["remaining_minutes"] == 150


def test_dst_fall_back_ambiguous_start_uses_first_occurrence():
    # 2026-10-25 (Sunday): Berlin repeats 02:00-03:00. A 02:30 start opens at the first 02:30 (CEST).
    window = {"weekdays": ["sun"], "start": "02:30", "duration": 90, "timezone": "Europe/Berlin"}
    result = status(window, "2026-10-24T12:00:00Z")
    assert result["opens_at"] == "2026-10-25T02:30:00+02:00"
    # 90 elapsed minutes later is 03:00 CET (the clock went back one hour).
    assert result["closes_at"] == "2026-10-25T03:00:00+01:00"
    assert status(window, "2026-10-25T00:29:00Z")["inside"] is False
    assert status(window, "2026-10-25T00:30:00Z")["inside"] is True
    assert status(window, "2026-10-25T01:59:00Z")["inside"] is True
    assert status(window, "2026-10-25T02:00:00Z")["inside"] is False


def test_next_window_after_dst_change_keeps_local_start_time():
    result = status(BERLIN_WEEKEND, "2026-03-26T12:00:00Z")   # Thursday before the change
    assert result["opens_at"] == "2026-03-28T02:00:00+01:00"
    after = status(BERLIN_WEEKEND, "2026-03-28T07:00:00Z")    # Saturday after the window
    # Sunday 02:00 does not exist in Berlin that day: opens at 03:00 CEST.
    assert after["opens_at"] == "2026-03-29T03:00:00+02:00"


def test_now_formats():
    naive = status(BERLIN_WEEKEND, "2026-06-13T01:00:00")          # no offset = UTC
    assert naive["inside"] is True and naive["now"] == "2026-06-13T03:00:00+02:00"
    aware = datetime.datetime(2026, 6, 13, 1, 0, tzinfo=datetime.timezone.utc)
    assert status(BERLIN_WEEKEND, aware)["now"] == naive["now"]
    assert status(BERLIN_WEEKEND, aware.timestamp())["now"] == naive["now"]


def test_now_defaults_to_current_time():
    window = {"start": "00:00", "duration": 10080 - 1, "weekdays": ["mon"]}
    result = mw.window_status(window)
    moment = datetime.datetime.fromisoformat(result["now"])
    assert abs((moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 5


def test_elapsed_since_moves_a_fixed_clock_forward():
    started = time.time() - 600   # the clock was fixed ten minutes ago
    result = status(BERLIN_WEEKEND, "2026-06-13T05:55:00+02:00", elapsed_since=started)
    assert result["inside"] is False
    assert result["opens_at"] == "2026-06-14T02:00:00+02:00"
    still = status(BERLIN_WEEKEND, "2026-06-13T05:55:00+02:00", elapsed_since=time.time())
    assert still["inside"] is True


@pytest.mark.parametrize("window, option, accepted", [
    ({"weekdays": ["sat", "caturday"], "start": "02:00", "duration": 60}, "cce_upgrade_window.weekdays", "mon, tue"),
    ({"weekdays": [], "start": "02:00", "duration": 60}, "cce_upgrade_window.weekdays", "sun"),
    ({"weekdays": 5, "start": "02:00", "duration": 60}, "cce_upgrade_window.weekdays", "sat"),
    ({"weekdays": ["sat"], "start": "25:00", "duration": 60}, "cce_upgrade_window.start", "HH:MM"),
    ({"weekdays": ["sat"], "start": "2am", "duration": 60}, "cce_upgrade_window.start", "HH:MM"),
    ({"weekdays": ["sat"], "duration": 60}, "cce_upgrade_window.start", "required"),
    ({"weekdays": ["sat"], "start": "02:00", "duration": 0}, "cce_upgrade_window.duration", "1 to 10080"),
    ({"weekdays": ["sat"], "start": "02:00", "duration": "4h"}, "cce_upgrade_window.duration", "1 to 10080"),
    ({"weekdays": ["sat"], "start": "02:00", "duration": True}, "cce_upgrade_window.duration", "1 to 10080"),
    ({"weekdays": ["sat"], "start": "02:00"}, "cce_upgrade_window.duration", "required"),
    ({"weekdays": ["sat"], "start": "02:00", "duration": 60, "timezone": "Mars/Olympus"},
     "cce_upgrade_window.timezone", "IANA"),
    ({"weekdays": ["sat"], "start": "02:00", "duration": 60, "days": 1}, "cce_upgrade_window", "weekdays, start"),
    ("sat 02:00", "cce_upgrade_window", "weekdays, start"),
    ({"start": "00:00", "duration": 1440}, "cce_upgrade_window", "never close"),
])
def test_bad_window_names_the_option_and_accepted_values(window, option, accepted):
    with pytest.raises(AnsibleFilterError) as err:
        mw.window_status(window, now="2026-06-10T12:00:00Z", name="cce_upgrade_window")
    message = str(err.value)
    assert message.startswith(option + ":")
    assert accepted in message


@pytest.mark.parametrize("now", ["yesterday", "2026-13-01T00:00:00", ["2026-06-10"]])
def test_bad_now_names_the_variable(now):
    with pytest.raises(AnsibleFilterError) as err:
        mw.window_status(BERLIN_WEEKEND, now=now, now_name="cce_upgrade_now")
    assert str(err.value).startswith("cce_upgrade_now:")
    assert "ISO-8601" in str(err.value)


def test_default_option_name_is_window():
    with pytest.raises(AnsibleFilterError, match=r"^window\.start:"):
        mw.window_status({"start": "x", "duration": 5}, now="2026-06-10T12:00:00Z")


@pytest.mark.parametrize("number, hhmm", [(750, "12:30"), (120, "02:00"), (0, "00:00"), (1439, "23:59")])
def test_start_read_by_yaml_as_base_60_says_to_quote_it(number, hhmm):
    with pytest.raises(AnsibleFilterError) as err:
        status({"start": number, "duration": 60}, "2026-06-13T03:00:00Z")
    assert ("window.start: %d is not a time of day: YAML reads an unquoted %s as the base-60 number %d. "
            "Quote the time: start: \"%s\"" % (number, hhmm, number, hhmm)) in str(err.value)
