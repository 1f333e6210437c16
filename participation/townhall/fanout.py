"""Sending a town hall's events to its room: coalesced when they come fast, in ``seq`` order.

**Coalescing.** The first event after a quiet spell goes out at once. Events that follow within
the window are held and sent together, in ``seq`` order, as one ``events`` message when the
window ends; then a new window begins. Fan-out is where a live town hall spends its CPU, and
every frame costs the server (and the resident's phone) about the same whatever it carries
(bench/README.md, "Live town halls").

The window follows the room's pace. Up to ``QUIET_RATE`` events a second it is
``TOWNHALL_BATCH_MS`` (default 30 ms): at 10 posts a second nearly every event still goes out at
once (a fixed 100 ms window held a quarter of them and raised their p99). From there it grows
in step with the rate, to ``TOWNHALL_BATCH_MAX_MS`` (default 80 ms) at ``BUSY_RATE`` events a
second and above, where a connection then gets about 12 frames a second instead of 33, each
carrying 8 or more events. The rate is an exponentially smoothed count over about a second.

**Order.** With several server processes, two posts committed as ``seq`` 41 and 42 by two
processes may be published through Redis as 42, 41. Sent as they came, every resident would
hold 42 until 41 arrives in the next frame (docs/realtime.md asks clients to apply events in
order). So an event that comes after a gap waits here, up to ``TOWNHALL_REORDER_MS`` (default
100 ms) from its arrival, for the ones before it; if they do not come (a process stopped
between committing and publishing), it goes out anyway and the clients catch up with ``join``
and ``last_seq``. An event older than one already sent goes out as soon as possible.

A window of 0 sends every event at once, as it comes, without waiting for anything.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from participation.core.outage import Outage

logger = logging.getLogger(__name__)

QUIET_RATE = 20  # events a second up to which the window stays at its smallest
BUSY_RATE = 100  # events a second from which it is at its largest
RATE_SECONDS = 1.0  # the smoothing time of the rate


@dataclass
class _Room:
    until: float = float("-inf")  # the end of the current window (monotonic seconds)
    pending: list = field(default_factory=list)  # (seq, arrived, event)
    flushing: bool = False  # a timer will look at ``pending``
    next_seq: int | None = None  # the seq this process should send next, once known
    rate: float = 0.0  # events a second, smoothed
    rate_at: float = 0.0


def _seq(item):
    return item[0]


class Broadcaster:
    """Coalesce and order events per town hall; ``send(townhall_id, events)`` does the emitting.

    ``window`` and ``max_window`` (seconds) bound the coalescing window, ``hold`` (seconds) is
    how long an event may wait for the ones before it.
    """

    def __init__(self, send, window, spawn, sleep, clock=time.monotonic, max_window=None, hold=0.1):
        self._send = send
        self._spawn = spawn
        self._sleep = sleep
        self._clock = clock
        self._rooms = {}
        self._lock = threading.Lock()
        self.sending = Outage("Sending town-hall events to connections", logger)
        self.configure(window, max_window, hold)

    def configure(self, window, max_window=None, hold=0.1):
        self.window = window
        self.max_window = window if max_window is None else max(window, max_window)
        self.hold = hold

    def window_at(self, rate):
        """The coalescing window (seconds) for a room receiving ``rate`` events a second."""
        share = min(1.0, max(0.0, (rate - QUIET_RATE) / (BUSY_RATE - QUIET_RATE)))
        return self.window + (self.max_window - self.window) * share

    def publish(self, townhall_id, events):
        events = [event for event in events if event is not None]
        if not events:
            return
        if self.window <= 0:
            self._send_safely(townhall_id, events)
            return
        now = self._clock()
        with self._lock:
            room = self._rooms.setdefault(townhall_id, _Room())
            self._count(room, len(events), now)
            room.pending.extend((event["seq"], now, event) for event in events)
            batch = self._take(room, now) if now >= room.until else []
            if room.pending and not room.flushing:
                room.flushing = True
                self._spawn(self._flush_later, townhall_id, self._due(room, now))
        if batch:
            self._send_safely(townhall_id, batch)

    def _send_safely(self, townhall_id, events):
        """Send; an error is logged (once while it lasts) and never stops the room's flusher.
        Clients that missed the events catch up with ``join`` and ``last_seq``."""
        try:
            self._send(townhall_id, events)
        except Exception as error:
            first = not self.sending.down
            if first:
                logger.exception("Could not send events of town hall %s", townhall_id)
            self.sending.failed(error, logged=first)
        else:
            self.sending.succeeded()

    def expect(self, townhall_id, next_seq):
        """Where the town hall's numbering stands (a join reads it), for a room this process
        has sent nothing to yet: then even its first events wait for an earlier one."""
        if self.window <= 0:
            return
        with self._lock:
            room = self._rooms.setdefault(townhall_id, _Room())
            if room.next_seq is None:
                room.next_seq = next_seq

    def _count(self, room, n, now):
        room.rate = self._rate(room, now) + n / RATE_SECONDS
        room.rate_at = now

    @staticmethod
    def _rate(room, now):
        return room.rate * math.exp(-(now - room.rate_at) / RATE_SECONDS)

    def _take(self, room, now):
        """Under the lock, with the window over: the events to send now, in order; opens the
        next window when there are any. What waits for a missing event stays pending."""
        room.pending.sort(key=_seq)
        expected = room.pending[0][0] if room.next_seq is None else room.next_seq
        ready = 0
        for seq, _arrived, _event in room.pending:
            if seq > expected:
                break
            expected = max(expected, seq + 1)
            ready += 1
        waiting = room.pending[ready:]
        if waiting and now >= min(arrived for _seq, arrived, _event in waiting) + self.hold:
            ready = len(room.pending)  # waited long enough: the missing ones are not coming
            expected = room.pending[-1][0] + 1
        batch = [event for _seq, _arrived, event in room.pending[:ready]]
        del room.pending[:ready]
        if batch:
            room.next_seq = expected
            room.until = now + self.window_at(self._rate(room, now))
        return batch

    def _due(self, room, now):
        """Under the lock: seconds until ``pending`` should be looked at again."""
        blocked = room.next_seq is not None and min(map(_seq, room.pending)) > room.next_seq
        if not blocked:
            return max(0.0, room.until - now)
        give_up = min(arrived for _seq, arrived, _event in room.pending) + self.hold
        if now < room.until:
            give_up = min(give_up, room.until)
        return max(0.001, give_up - now)

    def _flush_later(self, townhall_id, delay):
        try:
            while True:
                if delay > 0:
                    self._sleep(delay)
                with self._lock:
                    room = self._rooms[townhall_id]
                    now = self._clock()
                    batch = self._take(room, now) if room.pending and now >= room.until else []
                    delay = self._due(room, now) if room.pending else None
                    if delay is None:
                        room.flushing = False
                if batch:
                    self._send_safely(townhall_id, batch)
                if delay is None:
                    return
        except BaseException:
            # Whatever stopped this flusher, the room's next event starts a new one.
            with self._lock:
                self._rooms[townhall_id].flushing = False
            raise

    def pending(self, townhall_id):
        """How many events wait (for the end of the window or for an earlier event)."""
        with self._lock:
            room = self._rooms.get(townhall_id)
            return len(room.pending) if room else 0
