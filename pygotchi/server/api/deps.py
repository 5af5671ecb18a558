"""What every route reaches through the app: services set up by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from pygotchi.server.auth import Auth
from pygotchi.server.autopilot import Autopilot
from pygotchi.server.livesockets import LiveSockets
from pygotchi.server.ratelimit import SignInThrottle
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
    throttle: SignInThrottle
    demo_sha: str | None
    autopilot: Autopilot
    sockets: LiveSockets = field(default_factory=lambda: LiveSockets(32))
    # The one-time code first-run setup asks for (printed at start); None once set up.
    setup_code: str | None = None


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services
