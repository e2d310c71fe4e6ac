"""Fixtures shared by the transport tests (test_transport*.py)."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import transport


@pytest.fixture
def sleeps(monkeypatch):
    """Record retry sleeps instead of sleeping; backoff constants small."""
    recorded = []
    monkeypatch.setattr(transport, "_sleep", recorded.append)
    monkeypatch.setattr(transport, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(transport, "BACKOFF_MAX", 0.05)
    return recorded
