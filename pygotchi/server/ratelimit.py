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

The policy above is ``SignInThrottle``'s; where the counts are kept is its
*book*: in memory for a server on SQLite (one process), in the database for
servers sharing a PostgreSQL (``DatabaseBook``), where a guesser spreading tries
over the nodes must meet the same counts, and a node restart must not forget
them. Keys are stored as their sha256: no names or addresses are kept.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from pygotchi.store import Database
from pygotchi.store.models import SignInFailure, SignInSlowdown

MAX_KEYS = 20_000  # bound memory under a flood of made-up usernames and addresses
_ACCOUNT_HISTORY = 64  # failures kept per account: enough to reach the longest delay
# pg_advisory_xact_lock key serialising the throttle's checks across processes
# ("signin" in ASCII); distinct from the migration lock.
THROTTLE_LOCK_KEY = 0x7369676E696E

Key = tuple[str, str]


class Throttled(Exception):
    def __init__(self, wait: float, message: str) -> None:
        super().__init__(message)
        self.wait = wait
        self.message = message


@dataclass
class Attempt:
    """An admitted sign-in attempt; hand it back to ``SignInThrottle.end``."""

    keys: tuple[Key, ...]
    at: float
    pair: Key


class MemoryBook:
    """Failure times per key and next admitted checks per account, in this process."""

    def __init__(self) -> None:
        self._failures: OrderedDict[Key, deque[float]] = OrderedDict()
        self._next_check: dict[str, float] = {}  # account -> when its next check is admitted
        self._lock = threading.Lock()

    @contextmanager
    def open(self, now: float, window: float) -> Iterator[MemoryBook]:
        with self._lock:
            yield self
            self._evict(now)

    def recent(self, key: Key, now: float, window: float) -> Sequence[float]:
        times = self._failures.get(key)
        if times is None:
            return ()
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def record(self, key: Key, now: float, keep: int) -> None:
        times = self._failures.get(key)
        if times is None:
            times = self._failures[key] = deque(maxlen=keep)
        times.append(now)
        self._failures.move_to_end(key)

    def ready_at(self, account: str) -> float:
        return self._next_check.get(account, 0.0)

    def set_ready_at(self, account: str, when: float) -> None:
        self._next_check[account] = when

    def withdraw(self, keys: Sequence[Key], at: float, clear: Key | None) -> None:
        for key in keys:
            times = self._failures.get(key)
            if times is None:
                continue
            try:
                times.remove(at)
            except ValueError:
                pass
            if not times or key == clear:
                self._failures.pop(key, None)

    def _evict(self, now: float) -> None:
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)
        if len(self._next_check) > MAX_KEYS:
            for account in [a for a, t in self._next_check.items() if t <= now]:
                del self._next_check[account]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class DatabaseBook:
    """The same counts in the database, for servers sharing it (PostgreSQL).

    Each check is one transaction under an advisory lock, so a burst of attempts
    spread over the nodes is admitted one at a time, as in one process; rows past
    the window are deleted as checks go by.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def open(self, now: float, window: float) -> Iterator[_DatabaseEntries]:
        with self.db.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": THROTTLE_LOCK_KEY})
            s.execute(delete(SignInFailure).where(SignInFailure.at <= now - window))
            s.execute(delete(SignInSlowdown).where(SignInSlowdown.ready_at <= now))
            yield _DatabaseEntries(s)
            s.commit()


class _DatabaseEntries:
    def __init__(self, s: Session) -> None:
        self.s = s

    def recent(self, key: Key, now: float, window: float) -> Sequence[float]:
        return list(self.s.scalars(
            select(SignInFailure.at).where(SignInFailure.key == _digest(*key),
                                           SignInFailure.at > now - window)
            .order_by(SignInFailure.at, SignInFailure.id)))

    def record(self, key: Key, now: float, keep: int) -> None:
        digest = _digest(*key)
        self.s.add(SignInFailure(key=digest, at=now))
        self.s.flush()
        newest = (select(SignInFailure.id).where(SignInFailure.key == digest)
                  .order_by(SignInFailure.at.desc(), SignInFailure.id.desc()).limit(keep))
        self.s.execute(delete(SignInFailure).where(SignInFailure.key == digest,
                                                   SignInFailure.id.not_in(newest)))

    def ready_at(self, account: str) -> float:
        return self.s.scalar(select(SignInSlowdown.ready_at)
                             .where(SignInSlowdown.account == _digest(account))) or 0.0

    def set_ready_at(self, account: str, when: float) -> None:
        self.s.merge(SignInSlowdown(account=_digest(account), ready_at=when))

    def withdraw(self, keys: Sequence[Key], at: float, clear: Key | None) -> None:
        for key in keys:
            digest = _digest(*key)
            if key == clear:
                self.s.execute(delete(SignInFailure).where(SignInFailure.key == digest))
                continue
            one = (select(SignInFailure.id).where(SignInFailure.key == digest,
                                                  SignInFailure.at == at).limit(1))
            self.s.execute(delete(SignInFailure).where(SignInFailure.id.in_(one)))


class SignInThrottle:
    def __init__(self, per_pair: int, per_address: int, window: float,
                 account_free: int = 10, account_max_delay: float = 30.0,
                 clock=time.monotonic, book: MemoryBook | DatabaseBook | None = None) -> None:
        """``book``: where the counts are kept (default: this process's memory). A
        ``DatabaseBook`` needs a wall clock (``time.time``): processes share its times."""
        self.per_pair = per_pair
        self.per_address = per_address
        self.window = window
        self.account_free = account_free
        self.account_max_delay = account_max_delay
        self.clock = clock
        self.book = book if book is not None else MemoryBook()

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
        with self.book.open(now, self.window) as book:
            times = book.recent(pair, now, self.window)
            if len(times) >= self.per_pair:
                wait = times[-self.per_pair] + self.window - now
                raise Throttled(wait, "too many wrong passwords for this account from here")
            if device is None:
                times = book.recent(by_address, now, self.window)
                if len(times) >= self.per_address:
                    wait = times[-self.per_address] + self.window - now
                    raise Throttled(wait, "too many failed sign-ins from this address")
                failures = len(book.recent(by_account, now, self.window))
                delay = self.account_delay(failures)
                if delay > 0:
                    ready = book.ready_at(account)
                    if now < ready:
                        raise Throttled(ready - now, "this account is getting many wrong "
                                                     "passwords, so its sign-ins are slowed down")
                    book.set_ready_at(account, now + delay)
            keys = (pair, by_account) if device else (pair, by_address, by_account)
            for key in keys:
                limit = {"pair": self.per_pair, "addr": self.per_address}.get(key[0],
                                                                              _ACCOUNT_HISTORY)
                book.record(key, now, limit)
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
        with self.book.open(self.clock(), self.window) as book:
            book.withdraw(attempt.keys, attempt.at, attempt.pair if clear_pair else None)
