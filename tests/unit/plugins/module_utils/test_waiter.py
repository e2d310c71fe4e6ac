"""waiter.py with a fake clock and a fake sleep."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import TaskFailed, WaitTimeout, wait_until


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def feed(*items):
    items = list(items)

    def fetch():
        item = items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item
    return fetch


def test_done_after_polls_with_progress():
    fake = FakeTime()
    seen = []
    state = wait_until(feed("Running", "Running", "Success"), lambda s: s == "Success",
                       timeout=100, interval=10, progress=lambda s, e: seen.append((s, e)),
                       clock=fake.clock, sleep=fake.sleep)
    assert state == "Success"
    assert fake.sleeps == [10, 10]
    assert seen == [("Running", 0.0), ("Running", 10.0), ("Success", 20.0)]


def test_failed_raises_task_failed():
    fake = FakeTime()
    with pytest.raises(TaskFailed) as info:
        wait_until(feed("Running", "Failed"), lambda s: s == "Success", lambda s: s == "Failed",
                   timeout=100, interval=5, clock=fake.clock, sleep=fake.sleep)
    assert info.value.state == "Failed"


def test_timeout_keeps_last_state_and_polls_at_deadline():
    fake = FakeTime()
    with pytest.raises(WaitTimeout) as info:
        wait_until(feed("Init", "Running", "Running", "Running"), lambda s: False,
                   timeout=25, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == [10, 10, 5]
    assert info.value.last_state == "Running" and "25" in str(info.value)


def test_zero_timeout_polls_once():
    fake = FakeTime()
    with pytest.raises(WaitTimeout):
        wait_until(feed("Running"), lambda s: False, timeout=0, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == []


@pytest.mark.parametrize("kind", ["throttled", "transient", "timeout", "connection"])
def test_transient_poll_errors_keep_waiting(kind):
    fake = FakeTime()
    state = wait_until(feed(CceApiError("x", kind=kind), "Success"), lambda s: s == "Success",
                       timeout=100, interval=3, clock=fake.clock, sleep=fake.sleep)
    assert state == "Success" and fake.sleeps == [3]


def test_timeout_after_only_errors_reports_last_error():
    fake = FakeTime()
    with pytest.raises(WaitTimeout) as info:
        wait_until(feed(*[CceApiError("busy", kind="throttled")] * 3), lambda s: True,
                   timeout=4, interval=2, clock=fake.clock, sleep=fake.sleep)
    assert info.value.last_state is None and "busy" in str(info.value)


@pytest.mark.parametrize("kind", ["auth", "not_found", "invalid", "forbidden"])
def test_other_errors_propagate(kind):
    fake = FakeTime()
    with pytest.raises(CceApiError):
        wait_until(feed(CceApiError("x", kind=kind), "Success"), lambda s: True,
                   timeout=100, interval=3, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == []
