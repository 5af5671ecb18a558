"""The FastAPI application: ``create_app(settings)``.

Start-up (the lifespan) runs the database migrations, installs the demo ROM,
loads every pet and works out the time each one missed, then starts the
scheduler; shutdown (SIGTERM/SIGINT through uvicorn) stops it and writes a
last checkpoint of every pet.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pygotchi import __version__
from pygotchi.emu import core_warning
from pygotchi.server import errors, static
from pygotchi.server.alerts import Alerts
from pygotchi.server.api import (
    account,
    audit,
    cluster,
    debug,
    health,
    ir,
    live,
    pets,
    push,
    restorepoints,
    roms,
    session,
    timeline,
    users,
)
from pygotchi.server.api.deps import Services
from pygotchi.server.auth import Auth, load_secret
from pygotchi.server.autopilot import Autopilot
from pygotchi.server.clientaddr import ClientAddress, TrustedProxies
from pygotchi.server.irlab import IrLab
from pygotchi.server.livesockets import LiveSockets
from pygotchi.server.logs import event
from pygotchi.server.middleware import BodyLimit, RequestContext, RequestLog, SecurityHeaders
from pygotchi.server.ratelimit import DatabaseBook, MemoryBook, SignInThrottle
from pygotchi.server.restorepoints import RestorePoints
from pygotchi.server.romlib import find_demo, install_demo
from pygotchi.server.scheduler import Clock, Scheduler
from pygotchi.server.schemas import ANY_ROUTE
from pygotchi.server.settings import Settings
from pygotchi.store import Database, rom_store
from pygotchi.store import keys as key_store
from pygotchi.store import pets as pet_store
from pygotchi.store import users as user_store
from pygotchi.store.audit import purge_older_than
from pygotchi.store.datalock import DataDirLock
from pygotchi.store.models import AUTOPILOT_OFF

_NO_DEMO = object()
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
_SETUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_setup_code() -> str:
    """12 characters (60 bits) in three groups: typed once, never guessed."""
    chars = "".join(secrets.choice(_SETUP_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def announce_setup_code(code: str) -> None:
    """Put the code where the person who started the server looks: log and terminal."""
    note = ("no accounts yet: open the web page and enter this setup code to create the "
            "administrator (or run `python -m pygotchi user add NAME --admin`)")
    event("setup_code", logging.WARNING, code=code, note=note)
    print(f"\n  pygotchi setup code: {code}\n  {note}\n", file=sys.stdout, flush=True)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_open_host(settings: Settings) -> None:
    """Listening beyond this machine with no host allowlist: DNS rebinding is possible."""
    if not settings.host_allowlist and not _is_loopback(settings.host):
        event("no_allowed_hosts", logging.WARNING, host=settings.host,
              note="the server listens beyond this machine and answers to any host name; "
                   "set PYGOTCHI_ALLOWED_HOSTS to the names people use to reach it "
                   "(e.g. pets.example.org,192.168.1.20)")


def open_services(settings: Settings, demo=_NO_DEMO, clock: Clock | None = None,
                  data_lock: DataDirLock | None = None) -> Services:
    """Everything the routes need, with the database migrated and the pets loaded.

    On SQLite the process holds the data directory (``data_lock``, taken here
    unless the command line took it already) until ``close_services``.
    """
    began = time.monotonic()
    db = Database.for_data_dir(settings.data_dir, settings.database_url)
    if db.shared:
        if data_lock is not None:
            data_lock.release()  # PostgreSQL: processes share the database by design
        data_lock = None
    elif data_lock is None:
        try:
            data_lock = DataDirLock.acquire(settings.data_dir)
        except BaseException:
            db.close()
            raise
    try:
        return _open(settings, db, demo, clock, began, data_lock)
    except BaseException:
        db.close()
        if data_lock is not None:
            data_lock.release()
        raise


def _open(settings: Settings, db: Database, demo, clock: Clock | None, began: float,
          data_lock: DataDirLock | None) -> Services:
    db.migrate()
    rom_files = rom_store(db, settings.rom_dir)
    rom_files.sweep_incoming()
    demo_sha = install_demo(db, rom_files, find_demo() if demo is _NO_DEMO else demo)
    with db.session() as s:
        user_store.purge_expired_sessions(s)
        purge_older_than(s, settings.audit_days)
        s.commit()
        # Only the first-run web page needs a code; with a sign-in provider there is none.
        unclaimed = (user_store.count_users(s) == 0 and settings.local_enabled
                     and not settings.oidc_enabled)
        # One code for every process on the database: the first to start makes it.
        setup_code = key_store.get_or_create(s, key_store.SETUP_CODE, new_setup_code) \
            if unclaimed else None
    member = None
    if db.engine.dialect.name == "postgresql":  # one of many nodes: run a share
        from pygotchi.server.cluster.member import ClusterMember, default_node_name
        from pygotchi.server.cluster.scheduler import ClusterScheduler

        name = settings.node_name or default_node_name()
        scheduler: Scheduler = ClusterScheduler(settings, db, rom_files, name, clock)
        member = ClusterMember(scheduler, name)  # type: ignore[arg-type]
    else:
        scheduler = Scheduler(settings, db, rom_files, clock)
    alerts = Alerts(settings, db, scheduler.clock.now)
    scheduler.on_add.append(alerts.events.attach)
    restore_points = RestorePoints(settings, db, scheduler)
    scheduler.on_add.append(restore_points.attach)
    if member is not None:
        member.start_sync()
    else:
        scheduler.load_all()
    auth = Auth(settings, db, load_secret(settings, db))
    # Shared by every process on PostgreSQL (a guesser cannot spread over the nodes);
    # in memory for the one process on SQLite.
    book = DatabaseBook(db) if db.shared else MemoryBook()
    throttle = SignInThrottle(settings.signin_failures_per_user,
                              settings.signin_failures_per_address, settings.signin_window,
                              settings.signin_account_free, settings.signin_account_max_delay,
                              clock=time.time if db.shared else time.monotonic, book=book)
    autopilot = Autopilot(scheduler, alerts.events)
    with db.session() as s:
        for row in pet_store.all_pets(s):
            if row.autopilot != AUTOPILOT_OFF and row.id in scheduler.pets:
                autopilot.configure(row.id, row.owner_id, row.autopilot, row.autopilot_minutes)
    if member is not None:  # pets claimed later get their autopilot; pets let go lose it
        member.on_adopt.append(lambda rows: [
            autopilot.configure(r.id, r.owner_id, r.autopilot, r.autopilot_minutes)
            for r in rows if r.autopilot != AUTOPILOT_OFF])
        scheduler.on_drop.append(lambda ids: [autopilot.forget(i) for i in ids])  # type: ignore
    event("ready", data_dir=str(settings.data_dir.resolve()), pets=len(scheduler.pets),
          demo=demo_sha[:12] if demo_sha else "-", ms=round((time.monotonic() - began) * 1000))
    if setup_code:
        announce_setup_code(setup_code)
    warn_open_host(settings)
    return Services(settings, db, rom_files, scheduler, auth, throttle, demo_sha, autopilot,
                    LiveSockets(settings.max_sockets_per_user), setup_code, alerts,
                    restore_points=restore_points, cluster=member, data_lock=data_lock)


async def _sweep_sockets(svc: Services) -> None:
    """Close live views whose credentials ended outside this process (see livesockets.py)."""
    while True:
        await asyncio.sleep(svc.settings.credential_check_interval)
        if not svc.sockets:
            continue
        try:
            await run_in_threadpool(svc.sockets.sweep, svc.db)
        except Exception as exc:  # a database hiccup: try again next time
            event("socket_sweep_failed", logging.WARNING, error=f"{type(exc).__name__}: {exc}")


def _shared_database(url: str | None) -> bool:
    """PostgreSQL: other nodes may run some of the pets (SQLite: this process runs all)."""
    from sqlalchemy.engine import make_url

    try:
        return url is not None and make_url(url).get_backend_name() in ("postgresql",
                                                                         "postgres")
    except Exception:  # a bad URL: the database itself says so at start-up
        return False


def create_app(settings: Settings | None = None, *, demo=_NO_DEMO,
               clock: Clock | None = None, data_lock: DataDirLock | None = None) -> FastAPI:
    """The app. For tests, ``demo`` = (name, ROM bytes) or None replaces the built-in
    demo ROM and ``clock`` the wall clock. ``data_lock``: the data directory, already
    held by the command line (SQLite: one server per data directory)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warning = core_warning()
        if warning:  # the one line that says this server will be ~80x slower
            event("slow_core", logging.WARNING, note=warning)
        svc = await run_in_threadpool(open_services, settings, demo, clock, data_lock)
        app.state.services = svc
        app.state.auth = svc.auth
        svc.alerts.start()
        svc.restore_points.start()
        await svc.scheduler.start()
        if svc.cluster is not None:
            from pygotchi.server.cluster.relay import Relay

            svc.relay = Relay(svc, app)
            await svc.relay.start()
            await svc.cluster.start()
        await svc.autopilot.start()
        sweeper = asyncio.create_task(_sweep_sockets(svc))
        try:
            yield
        finally:
            sweeper.cancel()
            await svc.autopilot.stop()
            await svc.debug.shutdown()
            await run_in_threadpool(app.state.irlab.close)
            if svc.cluster is not None:  # claim nothing more; the last checkpoint hands over
                await svc.cluster.stop_loop()
                svc.cluster.scheduler.handing_over = True
            await svc.scheduler.stop()
            if svc.cluster is not None:
                try:
                    await run_in_threadpool(svc.cluster.leave_sync)
                finally:
                    from pygotchi.server.cluster.member import forget_name

                    forget_name(svc.cluster.name)
            if svc.relay is not None:
                await svc.relay.stop()
            await run_in_threadpool(svc.alerts.stop)
            await run_in_threadpool(svc.restore_points.stop)
            svc.db.close()
            if svc.data_lock is not None:
                svc.data_lock.release()
            event("stopped")

    app = FastAPI(title="pygotchi", version=__version__, lifespan=lifespan,
                  description="Real-time first-generation Tamagotchis. This document is the "
                              "API's contract; API.md adds what a schema cannot say (the "
                              "websocket protocol, sign-in, limits).",
                  docs_url="/docs", redoc_url=None, responses=ANY_ROUTE)
    app.state.irlab = IrLab(settings)  # the IR transceiver: one session at a time
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(RequestContext)  # ids, and a 500 for whatever escapes the app
    app.add_middleware(SecurityHeaders)
    if settings.host_allowlist:  # answer only to our own names: no DNS rebinding
        app.add_middleware(TrustedHostMiddleware,
                           allowed_hosts=[*settings.host_allowlist, *LOOPBACK_HOSTS],
                           www_redirect=False)
    app.add_middleware(RequestLog)  # outside the host check: refusals are logged too
    # Outermost: every layer below sees the real client, scheme and host.
    app.add_middleware(ClientAddress, proxies=TrustedProxies.parse(settings.forwarded_allow_ips))
    if _shared_database(settings.database_url):
        from pygotchi.server.cluster.relay import PetRequests

        # Before everything: a request for a pet another node runs goes there whole.
        app.add_middleware(PetRequests, relay_of=lambda: getattr(
            getattr(app.state, "services", None), "relay", None),
            limit=settings.max_upload_bytes + 64 * 1024)
    for module in (session, account, users, audit, cluster, roms, pets, live, ir, health, push,
                   timeline, debug):
        app.include_router(module.router)
    app.include_router(restorepoints.router)
    app.include_router(restorepoints.admin_router)
    if settings.oidc_enabled:  # Authlib is imported only by servers that use it
        from pygotchi.server.api import oidc

        oidc.install(app, settings)
    static.install(app)
    return app
