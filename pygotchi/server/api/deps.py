"""What every route reaches through the app: services set up by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Path
from starlette.requests import HTTPConnection

from pygotchi.server.alerts import Alerts
from pygotchi.server.auth import Auth
from pygotchi.server.autopilot import Autopilot
from pygotchi.server.cluster.member import ClusterMember
from pygotchi.server.cluster.relay import Relay
from pygotchi.server.debugging import DebugSessions
from pygotchi.server.livesockets import LiveSockets
from pygotchi.server.ratelimit import SignInThrottle
from pygotchi.server.restorepoints import RestorePoints
from pygotchi.server.scheduler import Scheduler
from pygotchi.server.settings import Settings
from pygotchi.store import Database, RomStore
from pygotchi.store.datalock import DataDirLock


@dataclass
class Services:
    settings: Settings
    db: Database
    rom_files: RomStore
    scheduler: Scheduler
    auth: Auth
    throttle: SignInThrottle
    demo_sha: str | None
    autopilot: Autopilot
    sockets: LiveSockets = field(default_factory=lambda: LiveSockets(32))
    # The one-time code first-run setup asks for (printed at start); None once set up.
    setup_code: str | None = None
    alerts: Alerts | None = None  # timeline and notifications
    debug: DebugSessions = field(default_factory=DebugSessions)  # debugger sessions
    restore_points: RestorePoints = None  # type: ignore[assignment]  # set at start
    data_lock: DataDirLock | None = None  # SQLite: this process holds the data directory
    cluster: ClusterMember | None = None  # PostgreSQL: this node among the others
    relay: Relay | None = None  # ...reaching pets the others run


def services(conn: HTTPConnection) -> Services:
    return conn.app.state.services


# Database ids are signed 64-bit integers (SQLite and PostgreSQL alike): a larger or
# negative id in a path used to reach the driver and overflow (500). Every route with
# an integer id takes it as ``DbId``, so validation answers 422 before any query.
# (``lt=2**63``, not ``le=2**63 - 1``: JSON numbers are doubles, and the schema's bound
# must be exact for clients that generate requests from it.)
ID_LIMIT = 2**63
DbId = Annotated[int, Path(ge=1, lt=ID_LIMIT, description="an id, 1 to 2^63 - 1")]
