"""Fixtures of the security tests."""

from tests.orders.fake_toss import fake_toss  # noqa: F401 - a fixture, used by name
