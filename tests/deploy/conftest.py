import os

import pytest


@pytest.fixture(scope="module")
def redis_url():
    """One Redis for a module's tests: the run's (REDIS_URL) or a throw-away one."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from tests.services import redis

    with redis() as started:
        yield started
