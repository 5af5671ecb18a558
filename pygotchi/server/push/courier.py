"""The courier: delivers the outbox, retrying with backoff, across restarts.

One thread takes the messages that are due, oldest first, and delivers each
(Web Push or Apprise). Delivered: the row goes. The push service says the
subscription is gone (404/410): the subscription goes, and its messages with
it. Anything else (the service is down, refuses, times out): the message
waits ``retry_base * 2**attempts`` seconds (at most an hour, a little
jitter) and is tried again, up to ``MAX_ATTEMPTS`` times. The rows are the
state: after a restart (or a crash) the courier simply carries on.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from sqlalchemy import delete, func, select

from pygotchi.server.logs import event
from pygotchi.server.push import channels, webpush
from pygotchi.server.push.vapid import VapidKeys
from pygotchi.store import Database
from pygotchi.store.models import NotifyChannel, OutboxMessage, PushSubscription, utcnow

MAX_ATTEMPTS = 16
MAX_DELAY = 3600.0
TAKE = 32  # messages per look at the outbox
IDLE_WAIT = 30.0  # seconds between looks when nothing is due (woken earlier by new work)


class Courier:
    def __init__(self, db: Database, keys: VapidKeys, contact: str, allowed: frozenset[str],
                 retry_base: float = 5.0, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.keys = keys
        self.contact = contact
        self.allowed = allowed
        self.retry_base = retry_base
        self.clock = clock
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.delivered = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pygotchi-courier", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def pending(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(OutboxMessage)) or 0

    def _run(self) -> None:
        while not self._stop:
            self._wake.clear()
            try:
                wait = self.run_once()
            except Exception as exc:
                event("courier_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")
                wait = self.retry_base
            if not self._stop:
                self._wake.wait(wait)

    def run_once(self) -> float:
        """Deliver what is due; the seconds until the next message falls due."""
        now = self.clock()
        with self.db.session() as s:
            due = list(s.scalars(select(OutboxMessage).where(OutboxMessage.next_at <= now)
                                 .order_by(OutboxMessage.next_at, OutboxMessage.id)
                                 .limit(TAKE)))
        for message in due:
            if self._stop:
                break
            self._deliver(message)
        with self.db.session() as s:
            nxt = s.scalar(select(func.min(OutboxMessage.next_at)))
        if nxt is None:
            return IDLE_WAIT
        return min(IDLE_WAIT, max(0.0, nxt - self.clock()))

    def _deliver(self, message: OutboxMessage) -> None:
        with self.db.session() as s:
            sub = s.get(PushSubscription, message.subscription_id) \
                if message.subscription_id else None
            channel = s.get(NotifyChannel, message.channel_id) if message.channel_id else None
        target = sub or channel
        if target is None:  # its device or channel was removed meanwhile
            self._finish(message, None)
            return
        payload = message.payload
        try:
            if sub is not None:
                webpush.send(webpush.Subscription(sub.endpoint, sub.p256dh, sub.auth), payload,
                             self.keys, self.contact, self.allowed)
            else:
                channels.send(channel.url, payload.get("title", "pygotchi"),
                              payload.get("body", ""), self.allowed)
        except webpush.Gone as exc:
            with self.db.session() as s:
                s.execute(delete(PushSubscription).where(PushSubscription.id == sub.id))
                s.commit()
            event("push_subscription_gone", subscription=sub.id, user=sub.user_id,
                  reason=str(exc))
            return
        except (webpush.Failed, channels.ChannelError, OSError) as exc:
            self._retry(message, target, str(exc))
            return
        self._finish(message, target)

    def _finish(self, message: OutboxMessage, target) -> None:
        with self.db.session() as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.id == message.id))
            if target is not None:
                row = s.get(type(target), target.id)
                if row is not None:
                    row.last_sent_at = utcnow()
                    row.last_error = None
            s.commit()
        if target is not None:
            self.delivered += 1
            event("notification_sent", logging.DEBUG, user=message.user_id,
                  kind=message.payload.get("kind"), via="push" if message.subscription_id
                  else "apprise")

    def _retry(self, message: OutboxMessage, target, error: str) -> None:
        attempts = message.attempts + 1
        with self.db.session() as s:
            row = s.get(OutboxMessage, message.id)
            holder = s.get(type(target), target.id)
            if holder is not None:
                holder.last_error = error[:200]
            if row is None:
                s.commit()
                return
            if attempts >= MAX_ATTEMPTS:
                s.delete(row)
                event("notification_dropped", logging.WARNING, user=message.user_id,
                      attempts=attempts, error=error)
            else:
                delay = min(MAX_DELAY, self.retry_base * 2 ** (attempts - 1))
                row.attempts = attempts
                row.next_at = self.clock() + delay * random.uniform(0.9, 1.1)
                row.last_error = error[:200]
                event("notification_retry", logging.INFO, user=message.user_id,
                      attempts=attempts, in_s=round(delay, 1), error=error)
            s.commit()
