"""Sending a town hall's events to its room, coalesced when they come fast.

The first event after a quiet spell goes out at once. Events that follow within the window
(``TOWNHALL_BATCH_MS``, default 30 ms) are held and sent together, in ``seq`` order, as one
``events`` message when the window ends; then a new window begins. At 10 posts a second nearly
every event still goes out at once; at 50 a second a connection gets about 20 frames a second
instead of 50 (measured: p99 at 50 posts/s to 1,000 residents 356 -> 176 ms). A 100 ms window
held a quarter of the events at 10 posts/s and raised their p99. Fan-out is where a live town
hall spends its CPU: every frame costs the server about the same whatever it carries
(bench/README.md, "Live town halls").

A window of 0 sends every event at once, as it comes.
"""

import threading
import time
from dataclasses import dataclass, field


@dataclass
class _Room:
    until: float  # the end of the current window (monotonic seconds)
    pending: list = field(default_factory=list)
    flushing: bool = False


class Broadcaster:
    """Coalesce events per town hall; ``send(townhall_id, events)`` does the emitting."""

    def __init__(self, send, window, spawn, sleep, clock=time.monotonic):
        self.window = window
        self._send = send
        self._spawn = spawn
        self._sleep = sleep
        self._clock = clock
        self._rooms = {}
        self._lock = threading.Lock()

    def publish(self, townhall_id, events):
        events = [event for event in events if event is not None]
        if not events:
            return
        if self.window <= 0:
            self._send(townhall_id, events)
            return
        now = self._clock()
        with self._lock:
            room = self._rooms.get(townhall_id)
            if room is None or (not room.pending and now >= room.until):
                self._rooms[townhall_id] = _Room(until=now + self.window)
                send_now = events
            else:
                room.pending.extend(events)
                send_now = None
                if not room.flushing:
                    room.flushing = True
                    self._spawn(self._flush_later, townhall_id, room.until - now)
        if send_now:
            self._send(townhall_id, send_now)

    def _flush_later(self, townhall_id, delay):
        if delay > 0:
            self._sleep(delay)
        with self._lock:
            room = self._rooms[townhall_id]
            batch, room.pending, room.flushing = room.pending, [], False
            room.until = self._clock() + self.window
        if batch:
            self._send(townhall_id, sorted(batch, key=lambda event: event["seq"]))

    def pending(self, townhall_id):
        """How many events wait for the end of the window (for tests and diagnostics)."""
        with self._lock:
            room = self._rooms.get(townhall_id)
            return len(room.pending) if room else 0
