"""Unit tests for the hwcloud.cce.poll_progress filter (plugins/filter/poll_progress.py)."""

import importlib.util
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "poll_progress.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_poll_progress", PLUGIN)
pp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pp)


def test_line_from_upgrade_task_with_elapsed_time():
    result = {"task": {"phase": "Running", "progress": "45"}, "attempts": 3}
    line = pp.progress_line(result, "upgrade", started=1000, label="prod-a", clock=lambda: 1000 + 190)
    assert line == "prod-a upgrade: Running 45% (elapsed 0:03:10)"


def test_line_from_top_level_phase_without_progress_or_label():
    assert pp.progress_line({"phase": "Success"}, "pre-check") == "pre-check: Success"
    assert pp.progress_line({"phase": "Running", "progress": "80%"}, "snapshot") == "snapshot: Running 80%"


def test_failed_poll_shows_its_message():
    line = pp.progress_line({"failed": True, "msg": "throttled"}, "upgrade", label="prod-a")
    assert line == "prod-a upgrade: poll failed (throttled)"


def test_elapsed_over_an_hour():
    assert pp.format_elapsed(3 * 3600 + 62) == "3:01:02"
    assert pp.format_elapsed(-5) == "0:00:00"


def test_filter_prints_once_per_attempt_and_returns_its_input(monkeypatch):
    printed = []
    monkeypatch.setattr(pp.display, "display", printed.append)
    monkeypatch.setattr(pp, "_LAST", {})
    first = {"task": {"phase": "Running", "progress": "10"}, "attempts": 1}
    assert pp.poll_progress(first, "upgrade", label="prod-a") is first
    pp.poll_progress(first, "upgrade", label="prod-a")             # same attempt evaluated again
    pp.poll_progress(dict(first, attempts=2), "upgrade", label="prod-a")
    assert printed == ["prod-a upgrade: Running 10%", "prod-a upgrade: Running 10%"]
    assert pp.FilterModule().filters() == {"poll_progress": pp.poll_progress}
