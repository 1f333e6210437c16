"""Background loops outlive the outages of what they talk to, and say so once per outage."""

import logging

import pytest

from participation.core.outage import Outage, keep_running


class StopLoopError(Exception):
    pass


class FakeTime:
    def __init__(self, stop_after):
        self.now = 0.0
        self.slept = []
        self.stop_after = stop_after

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds
        if len(self.slept) >= self.stop_after:
            raise StopLoopError


def test_a_loop_keeps_running_through_an_outage_backs_off_and_logs_it_once(caplog):
    clock = FakeTime(stop_after=8)
    results = iter(["ok", "down", "down", "down", "down", "ok", "ok", "ok"])
    calls = []

    def step():
        calls.append(clock.now)
        if next(results) == "down":
            raise ConnectionError("Redis refused the connection")

    logger = logging.getLogger("test.outage")
    outage = Outage("Redis (test)", logger, first=1, longest=4, clock=lambda: clock.now)
    with caplog.at_level(logging.INFO, logger="test.outage"), pytest.raises(StopLoopError):
        keep_running(step, 0.5, clock.sleep, outage)

    assert len(calls) == 8  # it never stopped
    assert clock.slept == [0.5, 1, 2, 4, 4, 0.5, 0.5, 0.5]  # back-off while down
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("Redis (test) failed")
    assert messages[1].startswith("Redis (test) is available again after 11.0 s")
    assert not outage.down


def test_while_down_callers_are_told_to_wait_instead_of_each_waiting_for_a_timeout():
    now = [0.0]
    outage = Outage("Redis (test)", logging.getLogger("test.outage"), first=0.5, longest=10,
                    clock=lambda: now[0])  # fmt: skip
    assert outage.ready()

    outage.failed(TimeoutError("Timeout reading from socket"))
    assert outage.down
    assert not outage.ready()
    now[0] = 0.6
    assert outage.ready()
    outage.failed(TimeoutError("again"))
    assert not outage.ready()  # now a whole second
    now[0] = 1.7
    assert outage.ready()
    assert outage.succeeded()
    assert outage.ready()
    assert not outage.down
