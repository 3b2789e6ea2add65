"""Fixtures shared by the drills."""
import pytest

from tests.drills.harness import PrivateRabbit


@pytest.fixture
def broker():
    """A private RabbitMQ node that the drill may stop and start (the shared broker is never touched)."""
    reason = PrivateRabbit.available()
    if reason:
        pytest.skip(f"no private RabbitMQ node possible here: {reason}")
    node = PrivateRabbit()
    try:
        node.start()
        yield node
    finally:
        node.cleanup()
