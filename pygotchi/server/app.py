"""The FastAPI application: ``create_app(settings)``.

Start-up (the lifespan) runs the database migrations, installs the demo ROM,
loads every pet and works out the time each one missed, then starts the
scheduler; shutdown (SIGTERM/SIGINT through uvicorn) stops it and writes a
last checkpoint of every pet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from pygotchi import __version__
from pygotchi.emu import core_warning
from pygotchi.server import errors, static
from pygotchi.server.api import health, ir, live, pets, roms, session, users
from pygotchi.server.api.deps import Services
from pygotchi.server.auth import Auth, load_secret
from pygotchi.server.autopilot import Autopilot
from pygotchi.server.irlab import IrLab
from pygotchi.server.logs import event
from pygotchi.server.middleware import BodyLimit, RequestLog, SecurityHeaders
from pygotchi.server.ratelimit import FailureLimiter
from pygotchi.server.romlib import find_demo, install_demo
from pygotchi.server.scheduler import Clock, Scheduler
from pygotchi.server.settings import Settings
from pygotchi.store import Database, RomFiles
from pygotchi.store import pets as pet_store
from pygotchi.store import users as user_store
from pygotchi.store.models import AUTOPILOT_OFF

_NO_DEMO = object()


def open_services(settings: Settings, demo=_NO_DEMO, clock: Clock | None = None) -> Services:
    """Everything the routes need, with the database migrated and the pets loaded."""
    began = time.monotonic()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.for_data_dir(settings.data_dir, settings.database_url)
    db.migrate()
    rom_files = RomFiles(settings.rom_dir)
    rom_files.sweep_incoming()
    demo_sha = install_demo(db, rom_files, find_demo() if demo is _NO_DEMO else demo)
    with db.session() as s:
        user_store.purge_expired_sessions(s)
        s.commit()
    scheduler = Scheduler(settings, db, rom_files, clock)
    scheduler.load_all()
    auth = Auth(settings, db, load_secret(settings))
    limiter = FailureLimiter(settings.signin_failures_per_user,
                             settings.signin_failures_per_address, settings.signin_window)
    autopilot = Autopilot(scheduler)
    with db.session() as s:
        for row in pet_store.all_pets(s):
            if row.autopilot != AUTOPILOT_OFF and row.id in scheduler.pets:
                autopilot.configure(row.id, row.owner_id, row.autopilot, row.autopilot_minutes)
    event("ready", data_dir=str(settings.data_dir.resolve()), pets=len(scheduler.pets),
          demo=demo_sha[:12] if demo_sha else "-", ms=round((time.monotonic() - began) * 1000))
    return Services(settings, db, rom_files, scheduler, auth, limiter, demo_sha, autopilot)


def create_app(settings: Settings | None = None, *, demo=_NO_DEMO,
               clock: Clock | None = None) -> FastAPI:
    """The app. For tests, ``demo`` = (name, ROM bytes) or None replaces the built-in
    demo ROM and ``clock`` the wall clock."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warning = core_warning()
        if warning:  # the one line that says this server will be ~80x slower
            event("slow_core", logging.WARNING, note=warning)
        svc = await run_in_threadpool(open_services, settings, demo, clock)
        app.state.services = svc
        app.state.auth = svc.auth
        await svc.scheduler.start()
        await svc.autopilot.start()
        try:
            yield
        finally:
            await svc.autopilot.stop()
            await run_in_threadpool(app.state.irlab.close)
            await svc.scheduler.stop()
            svc.db.close()
            event("stopped")

    app = FastAPI(title="pygotchi", version=__version__, lifespan=lifespan,
                  description="Real-time first-generation Tamagotchis. See API.md.",
                  docs_url="/docs", redoc_url=None)
    app.state.irlab = IrLab(settings)  # the IR transceiver: one session at a time
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    for module in (session, users, roms, pets, live, ir, health):
        app.include_router(module.router)
    if settings.oidc_enabled:  # Authlib is imported only by servers that use it
        from pygotchi.server.api import oidc

        oidc.install(app, settings)
    static.install(app)
    return app
