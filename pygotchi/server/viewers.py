"""One websocket viewer's outgoing queue.

Screens are coalesced: if a newer screen is ready before the previous one was
sent, only the newer one goes out (a slow phone sees fewer frames, never an
old one late). Buzzer and status messages are all sent, in order. A viewer
whose queue still grows past ``MAX_PENDING`` messages is too slow to follow
and is disconnected (it reconnects by itself).
"""

from __future__ import annotations

import asyncio
from collections import deque

MAX_PENDING = 1024


class Viewer:
    def __init__(self, holder: str) -> None:
        self.holder = holder  # owner of this socket's button holds
        self.seq = -1  # the screen this viewer has been sent
        self._queue: deque[list] = deque()  # [payload]; a list so a screen can be replaced
        self._screen_slot: list | None = None
        self._ready = asyncio.Event()
        self.closed = False
        self.close_code: int | None = None
        self.close_reason = ""

    def send(self, payload: bytes | str) -> None:
        if self.closed:
            return
        if len(self._queue) >= MAX_PENDING:
            self.close(1013, "too slow: reconnect")
            return
        self._queue.append([payload])
        self._ready.set()

    def send_screen(self, payload: bytes) -> None:
        if self.closed:
            return
        if self._screen_slot is not None:
            self._screen_slot[0] = payload
            return
        slot = [payload]
        self._screen_slot = slot
        self._queue.append(slot)
        self._ready.set()

    def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            self.close_code = code
            self.close_reason = reason
            self._ready.set()

    async def next(self) -> bytes | str | None:
        """The next message to send, or None once the viewer is closed."""
        while not self._queue:
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        if self.closed:
            return None
        slot = self._queue.popleft()
        if slot is self._screen_slot:
            self._screen_slot = None
        return slot[0]
