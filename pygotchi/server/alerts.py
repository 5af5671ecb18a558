"""The timeline and notification machinery of one server, set up and torn down together.

``Alerts`` owns the VAPID keys, the event log (pets' events to timelines and
the outbox) and the courier (the outbox to devices and channels). The
scheduler gives each pet the event log's call detector as it joins
(``Scheduler.on_add``), so every pet is heard, watched or not.
"""

from __future__ import annotations

from pygotchi.server.eventlog import EventLog
from pygotchi.server.push.courier import Courier
from pygotchi.server.push.netguard import allowed_hosts
from pygotchi.server.push.vapid import VapidKeys
from pygotchi.server.settings import Settings
from pygotchi.store import Database


class Alerts:
    def __init__(self, settings: Settings, db: Database, clock) -> None:
        self.allowed = allowed_hosts(settings.push_allowed_hosts)
        self.keys = VapidKeys.load_or_create(settings.data_dir, db)
        self.courier = Courier(db, self.keys, settings.push_contact, self.allowed,
                               settings.push_retry_base)
        self.events = EventLog(db, clock, self.courier.wake)

    def start(self) -> None:
        self.events.start()
        self.courier.start()

    def stop(self) -> None:
        """After the scheduler stopped: write the last events, then stop delivering."""
        self.events.stop()
        self.courier.stop()
