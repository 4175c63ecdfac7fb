"""A clock the tests move by hand, so sliding-window behaviour is checked without sleeping."""

from __future__ import annotations

import time


class FakeClock:
    """Seconds since the epoch, starting at the real time (Redis key TTLs still count in real time)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
