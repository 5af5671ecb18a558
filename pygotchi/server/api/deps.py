"""What every route reaches through the app: services set up by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from pygotchi.server.auth import Auth
from pygotchi.server.autopilot import Autopilot
from pygotchi.server.ratelimit import FailureLimiter
from pygotchi.server.scheduler import Scheduler
from pygotchi.server.settings import Settings
from pygotchi.store import Database, RomFiles


@dataclass
class Services:
    settings: Settings
    db: Database
    rom_files: RomFiles
    scheduler: Scheduler
    auth: Auth
    limiter: FailureLimiter
    demo_sha: str | None
    autopilot: Autopilot


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services
