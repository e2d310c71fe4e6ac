"""Unit tests for hwcloud.cce.cce_upgrade_window_gate (plugins/filter/upgrade_hops.py): the window decision at
the start of a run of the cluster_upgrade role."""

from ansible_collections.hwcloud.cce.plugins.filter.upgrade_hops import FilterModule, window_gate

INSIDE = {"inside": True, "now": "2026-06-06T02:30:00+02:00", "remaining_minutes": 209.6,
          "closes_at": "2026-06-06T06:00:00+02:00", "next_open": "2026-06-07T02:00:00+02:00", "opens_at": None}
OUTSIDE = {"inside": False, "now": "2026-06-03T12:00:00+02:00", "remaining_minutes": 0, "closes_at": None,
           "opens_at": "2026-06-06T02:00:00+02:00", "next_open": None}


def test_the_filter_is_registered():
    assert FilterModule().filters()["cce_upgrade_window_gate"] is window_gate


def test_without_a_window_the_run_proceeds_and_shows_nothing():
    assert window_gate(None, 60) == {"proceed": True, "outcome": None, "next_window": None, "message": "", "line": ""}


def test_inside_with_enough_time_the_run_proceeds_and_says_when_the_window_closes():
    gate = window_gate(INSIDE, 60)
    assert (gate["proceed"], gate["outcome"], gate["message"]) == (True, None, "")
    assert gate["line"] == "Inside the maintenance window: 210 minutes left (closes at 2026-06-06T06:00:00+02:00)."
    assert gate["next_window"] == "2026-06-07T02:00:00+02:00"


def test_outside_the_window_nothing_is_done_and_the_next_window_is_named():
    gate = window_gate(OUTSIDE, 60)
    assert (gate["proceed"], gate["outcome"], gate["next_window"]) == (False, "outside_window", "2026-06-06T02:00:00+02:00")
    assert gate["message"] == ("Outside the maintenance window (now 2026-06-03T12:00:00+02:00): nothing done. "
                               "The next window opens at 2026-06-06T02:00:00+02:00.")
    assert gate["line"] == gate["message"]


def test_too_little_left_starts_nothing_naming_the_variable_and_the_next_window():
    gate = window_gate(dict(INSIDE, remaining_minutes=29.5), "60")
    assert (gate["proceed"], gate["outcome"]) == (False, "window_too_short")
    assert gate["message"] == ("Only 30 minutes left in the maintenance window (at least 60 needed, "
                               "cce_upgrade_window_min_remaining): not starting. The next window opens at "
                               "2026-06-07T02:00:00+02:00.")


def test_a_preflight_proceeds_outside_the_window_and_says_so():
    gate = window_gate(OUTSIDE, 60, preflight=True)
    assert (gate["proceed"], gate["outcome"], gate["message"]) == (True, None, "")
    assert gate["line"].startswith("Outside the maintenance window (now 2026-06-03T12:00:00+02:00); a pre-flight "
                                   "writes no upgrade, so it runs.")
    assert window_gate(dict(INSIDE, remaining_minutes=5), 60, preflight=True)["proceed"] is True
