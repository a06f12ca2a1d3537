"""Flood control per person: a burst of messages is answered up to a rate, then one notice."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

ALLOW, WARN, DROP = "allow", "warn", "drop"
# People not heard from for this long are forgotten, so the table stays small.
_IDLE_SECONDS = 3600.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGate:
    """A token bucket per person: `burst` messages at once, refilled at `per_minute`.

    Past the bucket the first message gets WARN (send one "please slow down"), the rest DROP
    (deliberate silence) until the bucket refills. Other people have buckets of their own, so one
    person's flood never delays anyone else.
    """

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._last_sweep = clock()

    def check(self, person: int) -> str:
        now = self.clock()
        self._sweep(now)
        bucket = self._buckets.get(person)
        if bucket is None:
            bucket = self._buckets[person] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return ALLOW
        if bucket.warned:
            return DROP
        bucket.warned = True
        return WARN

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < _IDLE_SECONDS:
            return
        self._last_sweep = now
        for person in [p for p, b in self._buckets.items() if now - b.updated > _IDLE_SECONDS]:
            del self._buckets[person]
