"""The scheduler of a cluster node: the plain scheduler, fenced by lease epochs.

It runs only the pets this node claimed (``epochs`` maps each to the epoch it
was claimed under). Three things differ from one process alone:

* every checkpoint (and every saved change) is written in a transaction that
  first locks the pets' lease rows and keeps only those still held under the
  same epoch (``store/cluster.fence``); a pet found taken by another node is let
  go at once, and a change that cannot be saved for that reason is undone and
  reported (:class:`LeaseLost`);
* nothing is advanced once the node's own heartbeat may have expired
  (``valid_until``, on the monotonic clock, a margin before the database would
  call it dead): a process that was frozen (SIGSTOP, a long pause, a partition)
  and wakes up stops at once instead of running pets another node has taken;
* a clean stop hands pets over: their last checkpoint and the release of their
  lease are one transaction, so another node may take them the moment it commits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pygotchi.server.livepet import LivePet
from pygotchi.server.logs import event
from pygotchi.server.scheduler import Clock, Scheduler
from pygotchi.server.settings import Settings
from pygotchi.store import Database, RomStore
from pygotchi.store import cluster as cluster_store
from pygotchi.store import pets as pet_store
from pygotchi.store.pets import Checkpoint

CLOSE_MOVED = 4503  # a viewer's pet moved to another node: reconnect


class LeaseLost(Exception):
    """This node no longer holds the pet: another node runs it now."""


class ClusterScheduler(Scheduler):
    def __init__(self, settings: Settings, db: Database, rom_files: RomStore,
                 node: str, clock: Clock | None = None) -> None:
        super().__init__(settings, db, rom_files, clock)
        self.node = node
        self.epochs: dict[str, int] = {}  # pet id -> epoch of our lease (any thread)
        self.valid_until = 0.0  # monotonic: our leases hold until then
        self.on_expired: Callable[[], None] | None = None  # the member's reaction
        self.on_drop: list[Callable[[list[str]], None]] = []
        self.handing_over = False  # stopping: checkpoints also release the leases
        self.fenced_total = 0
        self._expired_told = False

    def leases_valid(self) -> bool:
        return time.monotonic() < self.valid_until

    def renewed(self, valid_until: float) -> None:
        self.valid_until = valid_until
        self._expired_told = False

    # --- not one step past the lease -----------------------------------------------------

    def _submit(self, pool, fn, batch: list[LivePet]) -> None:
        if time.monotonic() >= self.valid_until:
            if not self._expired_told and self.on_expired is not None:
                self._expired_told = True
                self.on_expired()
            return
        super()._submit(pool, fn, batch)

    # --- fenced writes ----------------------------------------------------------------------

    def _commit_checkpoints(self, taken: list[tuple[LivePet, Checkpoint]]) -> None:
        epochs = {pet.id: e for pet, _ in taken if (e := self.epochs.get(pet.id)) is not None}
        releasing = self.handing_over
        with self.db.session() as s:
            held = cluster_store.fence(s, self.node, epochs)
            ours = [(pet, cp) for pet, cp in taken if pet.id in held]
            saved = set(pet_store.save_checkpoints(s, [cp for _, cp in ours]))
            now = cluster_store.db_now(s) if releasing or self.settings.cluster_history \
                else 0.0
            if self.settings.cluster_history:
                cluster_store.record(s, self.node, [(cp, epochs[pet.id]) for pet, cp in ours
                                                    if pet.id in saved], now)
            if releasing:
                cluster_store.release(s, self.node, {p: epochs[p] for p in held}, now)
            s.commit()
        for pet, cp in ours:
            if pet.id in saved:
                pet.mark_saved(cp)
        if releasing:
            for pet_id in held:
                self.epochs.pop(pet_id, None)
        lost = [pet for pet, _ in taken if pet.id not in held]
        if lost:
            self.fenced_total += len(lost)
            event("checkpoint_fenced", logging.WARNING, pets=len(lost), node=self.node,
                  note="another node holds these pets now; this node lets them go")
            self.let_go([pet.id for pet in lost], "this pet moved to another server")
            if any(pet.saving for pet in lost):
                raise LeaseLost("this pet has just moved to another server; try again")

    # --- pets coming and going --------------------------------------------------------------

    def let_go(self, pet_ids: list[str], reason: str) -> list[LivePet]:
        """Stop running these pets here (any thread): out of the registry, viewers told
        to reconnect (they reach the pet wherever it runs now)."""
        gone = []
        with self._registry:
            for pet_id in pet_ids:
                self.epochs.pop(pet_id, None)
                self.unavailable.pop(pet_id, None)
                pet = self.pets.pop(pet_id, None)
                if pet is not None:
                    pet.removed = True
                    gone.append(pet)
        for pet in gone:
            self.call_soon(pet.close_viewers, CLOSE_MOVED, reason)
        for hook in self.on_drop:
            hook(pet_ids)
        return gone

    def why_unavailable(self, pet_id: str) -> str | None:
        if pet_id in self.pets or pet_id in self.unavailable:
            return super().why_unavailable(pet_id)
        return ("the server that ran it stopped; another one takes it over within "
                f"{self.settings.lease_timeout:g} seconds")

    def remove(self, pet_id: str) -> None:
        """A deleted pet (its lease went with its row)."""
        self.epochs.pop(pet_id, None)
        super().remove(pet_id)

    def hand_over_sync(self, pet_ids: list[str]) -> int:
        """Save these pets and give up their leases in one transaction (a worker thread).

        They leave the registry first, so no round runs them again; taking a
        checkpoint waits for a run in flight (the pet's lock)."""
        epochs = {p: e for p in pet_ids if (e := self.epochs.get(p)) is not None}
        pets = self.let_go(list(epochs), "this pet moved to another server")
        now = self.clock.now()
        taken = [(pet, cp) for pet in pets if pet.error is None
                 and (cp := pet.checkpoint(now)) is not None]
        with self.db.session() as s:
            held = cluster_store.fence(s, self.node, epochs)
            ours = [cp for pet, cp in taken if pet.id in held]
            pet_store.save_checkpoints(s, ours)
            at = cluster_store.db_now(s)
            if self.settings.cluster_history:
                cluster_store.record(s, self.node, [(cp, epochs[cp.pet_id]) for cp in ours],
                                     at)
            released = cluster_store.release(s, self.node, {p: epochs[p] for p in held}, at)
            s.commit()
        return released

    def release_all_sync(self) -> int:
        """Give up every lease still held (at the end of a clean stop, after the last
        checkpoint): pets with nothing new to save are free too."""
        epochs = dict(self.epochs)
        with self.db.session() as s:
            released = cluster_store.release(s, self.node, epochs, cluster_store.db_now(s))
            s.commit()
        self.epochs.clear()
        return released

    def flush_and_drop(self, reason: str) -> tuple[int, int]:
        """Our heartbeat lapsed: save what nobody else took (the fence decides), then stop
        running everything. Returns (saved, fenced)."""
        pets = [p for p in list(self.pets.values()) if p.error is None and not p.removed]
        saved = fenced = 0
        before = self.fenced_total
        for pet in pets:  # every one, moved since the last checkpoint or not
            pet.dirty = True
        try:
            saved = self.checkpoint_sync(pets)
        except Exception as exc:  # the database is away too: the last checkpoint stands
            event("lease_flush_failed", logging.WARNING, error=f"{type(exc).__name__}: {exc}")
        fenced = self.fenced_total - before
        self.let_go(list(self.pets), reason)
        self.epochs.clear()
        return saved, fenced

    def checkpoint_sync(self, pets) -> int:
        chosen = [p for p in pets if p.id in self.epochs]
        return super().checkpoint_sync(chosen)

    def created(self, row, machine, now: float) -> None:
        """A pet created on this node runs here first, under epoch 1."""
        from sqlalchemy.exc import IntegrityError

        try:
            with self.db.session() as s:
                self.epochs[row.id] = cluster_store.new_lease(
                    s, row.id, self.node, cluster_store.db_now(s))
                s.commit()
        except IntegrityError:  # a free lease was filed for it meanwhile: a claim takes it
            self.epochs.pop(row.id, None)
            return
        super().created(row, machine, now)
