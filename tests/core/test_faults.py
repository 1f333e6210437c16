"""The fault-injection servers behave as the fault tests assume."""

import contextlib

import pytest
import redis
import sqlalchemy as sa

pytestmark = pytest.mark.slow


def test_a_frozen_redis_times_out_and_a_stopped_one_refuses_until_started(faulty_redis):
    with contextlib.closing(redis.Redis.from_url(faulty_redis.url, socket_timeout=0.3)) as conn:
        conn.set("key", 1)
        faulty_redis.pause()
        with pytest.raises(redis.exceptions.TimeoutError):
            conn.get("key")
        faulty_redis.resume()
        faulty_redis.stop()
        with pytest.raises(redis.exceptions.ConnectionError):
            conn.ping()
        faulty_redis.start()
        assert conn.ping()


def test_a_stopped_postgres_refuses_until_started(faulty_postgres):
    engine = sa.create_engine(faulty_postgres.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar() == 1
        faulty_postgres.stop()
        engine.dispose()
        with pytest.raises(sa.exc.OperationalError), engine.connect():
            pass
        faulty_postgres.start()
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar() == 1
    finally:
        engine.dispose()
