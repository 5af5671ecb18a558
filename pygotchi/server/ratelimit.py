"""Failed sign-ins counted per username and per client address, in a sliding window.

Counting failures (not attempts) means a person who types their password right
is never slowed down, while guessing stops after a handful of tries: further
attempts are refused with 429 before the password is even checked, until the
oldest failure leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

MAX_KEYS = 10_000  # bound memory under a flood of made-up usernames


class FailureLimiter:
    def __init__(self, per_user: int, per_address: int, window: float,
                 clock=time.monotonic) -> None:
        self.limits = {"user": per_user, "addr": per_address}
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username.casefold()), ("addr", address)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, username: str, address: str) -> float:
        """Seconds to wait before trying again; 0 when a try is allowed now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in self._keys(username, address):
                times = self._recent(key, now)
                limit = self.limits[key[0]]
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + self.window - now)
        return wait

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(username, address):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                self._failures.move_to_end(key)
                limit = self.limits[key[0]]
                while len(times) > limit:
                    times.popleft()
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username.casefold()), None)
