"""Fixtures of the reliability and security suite (helpers: reliability_helpers.py)."""

import pytest

from reliability_helpers import Runner


@pytest.fixture
def rel(ansible):
    """Runs real ansible / ansible-playbook against ``sim`` (see reliability_helpers.Runner)."""
    return Runner(ansible)
