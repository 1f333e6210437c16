"""The API tests' client fixture, for the delivery API tests."""

from tests.api.conftest import api  # noqa: F401
