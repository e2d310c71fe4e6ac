"""Unit tests for hwcloud.cce.cce_upgrade_wait_failure (plugins/filter/upgrade_failure.py)."""

from ansible_collections.hwcloud.cce.plugins.filter.upgrade_failure import FilterModule, wait_failure


def test_the_filter_is_registered():
    assert FilterModule().filters()["cce_upgrade_wait_failure"] is wait_failure


def test_a_timeout_names_the_variable_the_task_and_where_it_stands_and_says_it_keeps_running():
    poll = {"task": {"task_id": "t-1", "phase": "Running", "progress": "45"}, "msg": "Retries exceeded"}
    assert wait_failure(poll, "t-1", 10800) == (
        "Timed out after 10800 s (cce_upgrade_timeout) waiting for upgrade task t-1 (phase Running, 45%). The task "
        "keeps running in CCE; run the role again to continue waiting.")
    assert "(phase unknown, ?%)" in wait_failure({"task": {}}, "t-1", 60)


def test_a_failed_read_quotes_the_error():
    assert wait_failure({"failed": True, "msg": "CCE.01500001 internal error"}, "t-2", 60) == (
        "Reading upgrade task t-2 failed: CCE.01500001 internal error")
    assert wait_failure({"failed": True}, "t-2", 60) == "Reading upgrade task t-2 failed: unknown error"
    assert wait_failure(None, "t-2", 60) == "Reading upgrade task t-2 failed: unknown error"
