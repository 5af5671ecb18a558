"""A node's membership: heartbeat, an even share of the pets, clean hand-over.

Every ``renew_interval`` seconds (and whenever another node says it let pets
go) the node, in its own thread:

1. heartbeats, which renews all its leases at once; the moment it may run them
   until is the start of that heartbeat plus the timeout, less a margin
   (``ClusterScheduler.valid_until``);
2. works out its share: the live nodes sorted by name, ``pets // nodes`` each and
   one more for the first ``pets % nodes``, so the shares differ by one pet at most;
3. claims free leases up to its share (loading those pets from their last
   checkpoint; ``catch_up`` pets run the gap), or, holding more than its share
   plus a small slack, hands the excess over (checkpoint and release in one
   transaction, then a notification so another node claims them at once).

A node whose heartbeat lapsed (frozen, cut off from the database) stops running
its pets, saves those nobody took (the fence decides) and starts over as a new
member. At a clean stop it hands every pet over before it leaves.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select, text

from pygotchi.server.cluster.scheduler import ClusterScheduler
from pygotchi.server.logs import event
from pygotchi.store import cluster as cluster_store
from pygotchi.store.models import Pet

CLAIM_BATCH = 2000  # pets claimed (and loaded) per round at most
RELEASE_BATCH = 1000
SLACK = 0.02  # a node hands pets over only past its share by more than this fraction
REAP_AFTER = 60.0  # seconds after expiry before a dead node's row is removed
RECOUNT_EVERY = 15.0  # seconds between counts of all pets (and leases for new ones)
CLUSTER_CHANNEL = "pygotchi_cluster"


_names_in_use: set[str] = set()  # default names of the apps running in this process


def host_and_pid() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def default_node_name() -> str:
    """Host name and pid; a second app running in the same process (tests) adds -2...

    An app started after another in this process stopped takes its name back: it is
    the same host and process, so the leases under that name are its own to free."""
    base = host_and_pid()[:90]
    name = next(n for n in (base if i == 1 else f"{base}-{i}" for i in itertools.count(1))
                if n not in _names_in_use)
    _names_in_use.add(name)
    return name


def forget_name(name: str) -> None:
    _names_in_use.discard(name)


def share(pets: int, nodes: list[str], me: str) -> int:
    """This node's share of ``pets`` among the live ``nodes`` (sorted names)."""
    if me not in nodes:
        return 0
    base, extra = divmod(pets, len(nodes))
    return base + (1 if nodes.index(me) < extra else 0)


class ClusterMember:
    def __init__(self, scheduler: ClusterScheduler, name: str) -> None:
        self.scheduler = scheduler
        self.settings = scheduler.settings
        self.db = scheduler.db
        self.name = name
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.thread = ThreadPoolExecutor(1, "pygotchi-cluster")
        self.on_adopt: list[Callable[[list[Pet]], None]] = []
        self.on_live: list[Callable[[list[str]], None]] = []  # the live nodes, each pass
        self._registered = False
        self._total: int | None = None  # pets in the database, as last counted
        self._recount_at = 0.0
        self._nodes: list[str] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._lock = threading.Lock()  # one balancing pass at a time
        self._cpu = (time.monotonic(), time.process_time())
        self.load = 0.0
        self.notify: Callable[[str], None] | None = None  # the relay's NOTIFY, once up
        scheduler.on_expired = self.expired

    # --- one pass (the cluster thread) ---------------------------------------------------

    def _register(self) -> None:
        began = time.monotonic()
        with self.db.session() as s:
            cluster_store.register(s, self.name, self.host, self.pid,
                                   self.settings.lease_timeout)
            cluster_store.add_missing_leases(s, cluster_store.db_now(s))
            s.commit()
        self._registered = True
        self.scheduler.renewed(began + self._validity())
        event("node_joined", node=self.name)

    def _validity(self) -> float:
        timeout = self.settings.lease_timeout
        return timeout - min(1.0, timeout * 0.1)

    def _measure_load(self) -> float:
        wall, cpu = time.monotonic(), time.process_time()
        then_wall, then_cpu = self._cpu
        if wall - then_wall >= 0.5:
            self.load = (cpu - then_cpu) / (wall - then_wall)
            self._cpu = (wall, cpu)
        return self.load

    def balance(self) -> None:
        """Heartbeat, then claim or hand over towards this node's share."""
        with self._lock:
            if not self._registered:
                self._register()
            began = time.monotonic()
            sched = self.scheduler
            with self.db.session() as s:
                now = cluster_store.heartbeat(s, self.name, self.settings.lease_timeout,
                                              len(sched.epochs), self._measure_load())
                if now is None:  # presumed dead and removed: start over
                    s.rollback()
                    self._registered = False
                    self._lost("this node's row was removed")
                    return
                s.commit()
            sched.renewed(began + self._validity())
            with self.db.session() as s:
                nodes = cluster_store.live_nodes(s, now)
                counted = self._total is None or began >= self._recount_at or \
                    nodes != self._nodes
                if counted:
                    # Counting every pet each pass would cost the database a scan per node
                    # every few seconds: recount now and then, or when the nodes change.
                    self._total = cluster_store.count_pets(s)
                    self._recount_at = began + RECOUNT_EVERY
                    if nodes and nodes[0] == self.name:  # one node tidies up
                        cluster_store.add_missing_leases(s, now)
                        cluster_store.reap(s, now, REAP_AFTER)
                        s.commit()
                self._nodes = nodes
                total = self._total
            for hook in self.on_live:
                hook(nodes)
            target = share(total, nodes, self.name)
            held = len(sched.epochs)
            if held > target + max(1, int(target * SLACK)) and not counted:
                with self.db.session() as s:  # never hand pets over on an old count
                    self._total = total = cluster_store.count_pets(s)
                target = share(total, nodes, self.name)
            slack = max(1, int(target * SLACK))
            if held < target:
                self._claim(min(target - held, CLAIM_BATCH))
            elif held > target + slack:
                self._hand_over(min(held - target, RELEASE_BATCH))
            elif counted and held < target + slack:
                # Counts taken at different moments can leave every node at its share
                # and a few pets free: now and then, take free ones within the slack.
                self._claim(target + slack - held)

    def _claim(self, wanted: int) -> None:
        sched = self.scheduler
        began = time.monotonic()
        with self.db.session() as s:
            now = cluster_store.db_now(s)
            epochs = cluster_store.claim(s, self.name, now, wanted)
            s.commit()
        if not epochs:
            return
        # Read after the claim committed: a checkpoint of the previous holder either
        # committed before (we see it) or finds our epoch and writes nothing.
        with self.db.session() as s:
            rows = list(s.scalars(select(Pet).where(Pet.id.in_(list(epochs)))))
        sched.epochs.update(epochs)
        sched.load_rows(rows, sched.clock.now(), began)
        for hook in self.on_adopt:
            hook(rows)
        event("pets_claimed", node=self.name, pets=len(epochs),
              ms=round((time.monotonic() - began) * 1000))

    def _hand_over(self, count: int) -> None:
        sched = self.scheduler
        pets = [p for p in list(sched.pets.values()) if not p.viewers and not p.saving]
        pets.sort(key=lambda p: p.id, reverse=True)  # claims take ascending ids
        chosen = [p.id for p in pets[:count]]
        if len(chosen) < count:  # watched pets too, if need be (their viewers follow)
            rest = [p.id for p in list(sched.pets.values()) if p.id not in set(chosen)]
            chosen += rest[:count - len(chosen)]
        began = time.monotonic()
        released = sched.hand_over_sync(chosen)
        self._announce("released")
        event("pets_handed_over", node=self.name, pets=released,
              ms=round((time.monotonic() - began) * 1000))

    def _lost(self, reason: str) -> None:
        saved, fenced = self.scheduler.flush_and_drop(reason)
        self._registered = False
        event("leases_lost", logging.WARNING, node=self.name, reason=reason, saved=saved,
              fenced=fenced)

    def _announce(self, what: str) -> None:
        if self.notify is not None:
            self.notify(what)
        else:
            with self.db.session() as s:
                if s.get_bind().dialect.name == "postgresql":
                    s.execute(text("SELECT pg_notify(:c, :p)"),
                              {"c": CLUSTER_CHANNEL, "p": what})
                    s.commit()

    # --- the loop (event loop) -------------------------------------------------------------

    def start_sync(self) -> None:
        """Join and claim a first share before the server answers (a worker thread)."""
        self.balance()

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="pygotchi-cluster")

    def wake(self) -> None:
        """Another node let pets go, or a node joined or left: look again now."""
        self._recount_at = 0.0
        if self._wake is not None:
            self._wake.set()

    def expired(self) -> None:
        """The scheduler refused to run a pet: our heartbeat lapsed (event loop)."""
        self.wake()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.renew_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                if self._registered and not self.scheduler.leases_valid():
                    await loop.run_in_executor(self.thread, self._lost,
                                               "the heartbeat lapsed")
                await loop.run_in_executor(self.thread, self.balance)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                event("cluster_round_failed", logging.WARNING, node=self.name,
                      error=f"{type(exc).__name__}: {exc}")
                if self._registered and not self.scheduler.leases_valid():
                    await loop.run_in_executor(self.thread, self._lost,
                                               "the database could not be reached")

    async def stop_loop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    def leave_sync(self) -> None:
        """After the last checkpoint (which released what it wrote): free the rest,
        tell the others, and remove this node."""
        released = self.scheduler.release_all_sync()
        with self.db.session() as s:
            cluster_store.leave(s, self.name)
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SELECT pg_notify(:c, 'left')"), {"c": CLUSTER_CHANNEL})
            s.commit()
        self.thread.shutdown(wait=False)
        event("node_left", node=self.name, released=released)
