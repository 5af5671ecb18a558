"""The sign-in throttle: guessing gets slow, and no stranger can lock a person out.

Failed sign-ins are counted in a sliding window under three keys:

* **(account, address)**: after ``per_pair`` failures that address may not try
  that account again until the oldest failure leaves the window. The owner
  signing in from anywhere else is not affected.
* **address**: after ``per_address`` failures (whatever the accounts) the
  address may not try any account for a while; other addresses are not affected.
* **account**, from every address together: a distributed guess at one account
  (many addresses, a few tries each) *slows it down* instead of locking it:
  past ``account_free`` failures, the account admits one password check per
  delay, a delay that doubles with each further failure up to
  ``account_max_delay`` seconds. The person who owns it waits at most that long,
  never a whole window, and a browser that signed in to the account before
  (it holds a *device cookie*, see ``auth.py``) is not slowed down at all: it is
  counted as its own key instead of its address, as OWASP's device-cookie
  scheme suggests.

An attempt is counted as a failure from the moment it is admitted (so a burst
of parallel requests cannot all slip past the check before any of them fails)
and the count is withdrawn if the password was right. Addresses come from
``clientaddr.client_address``: a forged ``X-Forwarded-For`` cannot pick one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

MAX_KEYS = 20_000  # bound memory under a flood of made-up usernames and addresses
_ACCOUNT_HISTORY = 64  # failures kept per account: enough to reach the longest delay


class Throttled(Exception):
    def __init__(self, wait: float, message: str) -> None:
        super().__init__(message)
        self.wait = wait
        self.message = message


@dataclass
class Attempt:
    """An admitted sign-in attempt; hand it back to ``SignInThrottle.end``."""

    keys: tuple[tuple[str, str], ...]
    at: float
    pair: tuple[str, str]


class SignInThrottle:
    def __init__(self, per_pair: int, per_address: int, window: float,
                 account_free: int = 10, account_max_delay: float = 30.0,
                 clock=time.monotonic) -> None:
        self.per_pair = per_pair
        self.per_address = per_address
        self.window = window
        self.account_free = account_free
        self.account_max_delay = account_max_delay
        self.clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._next_check: dict[str, float] = {}  # account -> when its next check is admitted
        self._lock = threading.Lock()

    # --- bookkeeping -----------------------------------------------------------

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def _record(self, key: tuple[str, str], now: float, keep: int) -> None:
        times = self._failures.get(key)
        if times is None:
            times = self._failures[key] = deque(maxlen=keep)
        times.append(now)
        self._failures.move_to_end(key)

    def _evict(self) -> None:
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)
        if len(self._next_check) > MAX_KEYS:
            now = self.clock()
            for account in [a for a, t in self._next_check.items() if t <= now]:
                del self._next_check[account]

    def account_delay(self, failures: int) -> float:
        """Seconds between admitted checks of an account with this many recent failures."""
        if failures < self.account_free:
            return 0.0
        return min(self.account_max_delay, 2.0 ** (failures - self.account_free))

    # --- the two calls around a password check ------------------------------------

    def begin(self, account: str, address: str, device: str | None = None) -> Attempt:
        """Admit an attempt or raise ``Throttled``. ``device``: a device-cookie id of this
        account, if the browser presented a valid one."""
        account = account.casefold()[:64]
        pair = ("pair", f"{account}\0{device and 'device:' + device or address}")
        by_address = ("addr", address)
        by_account = ("acct", account)
        now = self.clock()
        with self._lock:
            times = self._recent(pair, now)
            if len(times) >= self.per_pair:
                wait = times[-self.per_pair] + self.window - now
                raise Throttled(wait, "too many wrong passwords for this account from here")
            if device is None:
                times = self._recent(by_address, now)
                if len(times) >= self.per_address:
                    wait = times[-self.per_address] + self.window - now
                    raise Throttled(wait, "too many failed sign-ins from this address")
                failures = len(self._recent(by_account, now))
                delay = self.account_delay(failures)
                if delay > 0:
                    ready = self._next_check.get(account, 0.0)
                    if now < ready:
                        raise Throttled(ready - now, "this account is getting many wrong "
                                                     "passwords, so its sign-ins are slowed down")
                    self._next_check[account] = now + delay
            keys = (pair, by_account) if device else (pair, by_address, by_account)
            for key in keys:
                limit = {"pair": self.per_pair, "addr": self.per_address}.get(key[0],
                                                                              _ACCOUNT_HISTORY)
                self._record(key, now, limit)
            self._evict()
        return Attempt(keys, now, pair)

    def end(self, attempt: Attempt, ok: bool) -> None:
        """A successful sign-in withdraws the attempt and clears its (account, address) count."""
        if ok:
            self._withdraw(attempt, clear_pair=True)

    def withdraw(self, attempt: Attempt) -> None:
        """Neither success nor failure (the password was right, the second factor is still to
        come): the attempt is not counted, and earlier failures stay counted."""
        self._withdraw(attempt, clear_pair=False)

    def _withdraw(self, attempt: Attempt, clear_pair: bool) -> None:
        with self._lock:
            for key in attempt.keys:
                times = self._failures.get(key)
                if times is None:
                    continue
                try:
                    times.remove(attempt.at)
                except ValueError:
                    pass
                if not times or (clear_pair and key == attempt.pair):
                    self._failures.pop(key, None)
