"""Every open live view, filed under the credential that opened it.

A websocket is authenticated once, when it opens; after that nothing on it asks
again. So the operations that take credentials away (signing out, ending a
session from the device list, a password change or reset, revoking an API
token) tell this registry, which closes the sockets those credentials opened
(close code 4401) right away instead of letting them stream and press buttons
until the phone goes to sleep.

Credentials can also go where this process does not see it: `python -m pygotchi user
passwd` in a shell, another server process, a session expiring. ``sweep`` (run every few
seconds by the app) asks the database which of the open sockets' sessions and tokens still
exist, in one query, and closes the others.

The registry also caps how many live views one account may have open at once.

Auth operations run in worker threads; viewers belong to the event loop, so
closing goes through ``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pygotchi.server.auth import Principal
from pygotchi.server.viewers import Viewer
from pygotchi.store import Database
from pygotchi.store import users as user_store

CLOSE_REVOKED = 4401
CLOSE_TOO_MANY = 4429


@dataclass(frozen=True)
class _Entry:
    user_id: int
    session_hash: str | None
    token_id: int | None
    loop: asyncio.AbstractEventLoop


class LiveSockets:
    def __init__(self, max_per_user: int) -> None:
        self.max_per_user = max_per_user
        self._open: dict[Viewer, _Entry] = {}
        self._per_user: Counter[int] = Counter()
        self._lock = threading.Lock()

    def add(self, viewer: Viewer, who: Principal) -> bool:
        """File a new viewer; False (and nothing filed) when its account is at the cap."""
        entry = _Entry(who.user_id, who.session_hash, who.token_id, asyncio.get_running_loop())
        with self._lock:
            if self._per_user[who.user_id] >= self.max_per_user:
                return False
            self._open[viewer] = entry
            self._per_user[who.user_id] += 1
        return True

    def _forget(self, viewer: Viewer) -> None:
        entry = self._open.pop(viewer, None)
        if entry is not None:
            self._per_user[entry.user_id] -= 1
            if self._per_user[entry.user_id] <= 0:
                del self._per_user[entry.user_id]

    def remove(self, viewer: Viewer) -> None:
        with self._lock:
            self._forget(viewer)

    def count(self, user_id: int) -> int:
        return self._per_user[user_id]

    def __bool__(self) -> bool:
        """Any live view open (the sweeper needs no database while there is none)."""
        return bool(self._open)

    def _close(self, matches, reason: str) -> int:
        with self._lock:
            doomed = [(v, e) for v, e in self._open.items() if matches(e)]
            for viewer, _ in doomed:
                self._forget(viewer)
        for viewer, entry in doomed:
            try:
                entry.loop.call_soon_threadsafe(viewer.close, CLOSE_REVOKED, reason)
            except RuntimeError:  # the loop is closed: so is the socket
                pass
        return len(doomed)

    def close_sessions(self, hashes: Iterable[str], reason: str) -> int:
        wanted = set(hashes)
        return self._close(lambda e: e.session_hash in wanted, reason)

    def close_tokens(self, ids: Iterable[int], reason: str) -> int:
        wanted = set(ids)
        return self._close(lambda e: e.token_id in wanted, reason)

    def close_user(self, user_id: int, reason: str, keep_session: str | None = None,
                   keep_tokens: bool = False) -> int:
        """Close a user's sockets but those of ``keep_session`` (and of tokens, if asked)."""
        def matches(e: _Entry) -> bool:
            if e.user_id != user_id:
                return False
            if keep_session is not None and e.session_hash == keep_session:
                return False
            return not (keep_tokens and e.token_id is not None)
        return self._close(matches, reason)

    def sweep(self, db: Database) -> int:
        """Close sockets whose session or token no longer exists (blocking: a worker thread)."""
        with self._lock:
            entries = list(self._open.values())
        hashes = {e.session_hash for e in entries if e.session_hash is not None}
        ids = {e.token_id for e in entries if e.token_id is not None}
        if not hashes and not ids:
            return 0
        with db.session() as s:
            alive_sessions, alive_tokens = user_store.live_credentials(s, hashes, ids)
        gone_sessions, gone_tokens = hashes - alive_sessions, ids - alive_tokens
        return (self.close_sessions(gone_sessions, "signed out") if gone_sessions else 0) + \
            (self.close_tokens(gone_tokens, "this API token was revoked") if gone_tokens else 0)
