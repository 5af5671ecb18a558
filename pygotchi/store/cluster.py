"""The SQL of a cluster: node heartbeats, pet leases and their fence.

Every server process sharing one PostgreSQL database is a *node*. A node's row
is its heartbeat; a pet's lease row says which node runs it and under which
*epoch*. One heartbeat renews every lease of a node at once (a lease is valid
while its node's ``expires_at`` lies ahead of the database's clock), so renewing
costs one UPDATE per node, however many pets it runs.

PostgreSQL does the coordinating, with row locks:

* claiming takes free leases (no node, or a node whose heartbeat expired or who
  is leaving) with ``FOR UPDATE SKIP LOCKED``, so nodes claiming at the same time
  take different pets, and raises each epoch by one;
* a checkpoint is written only for pets whose lease row still names this node and
  the epoch it claimed them under, read ``FOR SHARE`` in the checkpoint's own
  transaction: a claim waits for (or skips) a checkpoint in flight, and a
  checkpoint that comes after a claim sees the new epoch and writes nothing.

Times are Unix seconds of the database's clock (``db_now``), never the nodes'.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from pygotchi.store.models import CheckpointRecord, ClusterNode, Pet, PetLease
from pygotchi.store.pets import Checkpoint


class NameTaken(Exception):
    """Another live node already uses this node name."""


@dataclass(frozen=True)
class NodeInfo:
    name: str
    host: str
    pid: int
    started_at: float
    heartbeat_at: float
    expires_at: float
    pets: int  # leases held, counted in the database
    load: float
    leaving: bool


def db_now(s: Session) -> float:
    """The database's clock (Unix seconds): one clock for every node."""
    if s.get_bind().dialect.name == "postgresql":
        return float(s.scalar(text("SELECT EXTRACT(EPOCH FROM clock_timestamp())")))
    return time.time()


def register(s: Session, name: str, host: str, pid: int, timeout: float) -> float:
    """File this node's first heartbeat and free the leases a previous process of the
    same name left (it is gone; whoever claims them next does so under a new epoch).
    NameTaken if another live process uses that name. Returns the database time."""
    now = db_now(s)
    row = s.get(ClusterNode, name, with_for_update=True)
    if row is not None and row.expires_at > now and not row.leaving \
            and (row.host, row.pid) != (host, pid):
        raise NameTaken(f"a node named {name!r} is alive (process {row.pid} on {row.host}; "
                        f"if it is gone, its lease runs out in {row.expires_at - now:.0f} s): "
                        "give this one another --node-name, or start it again after that")
    if row is None:
        s.add(ClusterNode(name=name, host=host, pid=pid, started_at=now, heartbeat_at=now,
                          expires_at=now + timeout, pets=0, load=0.0, leaving=False))
    else:
        row.host, row.pid, row.started_at, row.heartbeat_at = host, pid, now, now
        row.expires_at, row.pets, row.load, row.leaving = now + timeout, 0, 0.0, False
    s.execute(update(PetLease).where(PetLease.node == name)
              .values(node=None, since=now))
    s.flush()
    return now


def heartbeat(s: Session, name: str, timeout: float, pets: int, load: float) -> float | None:
    """Renew this node (and so all its leases); None if its row is gone (it was
    presumed dead and removed: it must start over)."""
    now = db_now(s)
    done = s.execute(update(ClusterNode)
                     .where(ClusterNode.name == name, ClusterNode.leaving.is_(False))
                     .values(heartbeat_at=now, expires_at=now + timeout, pets=pets, load=load))
    return now if done.rowcount else None


def live_nodes(s: Session, now: float) -> list[str]:
    """Names of the nodes whose heartbeat is current and who are not leaving, sorted."""
    return list(s.scalars(select(ClusterNode.name)
                          .where(ClusterNode.expires_at > now, ClusterNode.leaving.is_(False))
                          .order_by(ClusterNode.name)))


def count_pets(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(Pet)) or 0


def add_missing_leases(s: Session, now: float) -> int:
    """A free lease for every pet that has none (created before the cluster, or by a
    tool): no pet is left out of the sharing."""
    missing = select(Pet.id, text("NULL"), text("0"), text(str(float(now)))).where(
        ~select(PetLease.pet_id).where(PetLease.pet_id == Pet.id).exists())
    if s.get_bind().dialect.name == "postgresql":  # a node filing its new pet's lease meanwhile
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(PetLease).from_select(["pet_id", "node", "epoch", "since"], missing) \
            .on_conflict_do_nothing()
    else:
        stmt = insert(PetLease).from_select(["pet_id", "node", "epoch", "since"], missing)
    return s.execute(stmt).rowcount or 0


def new_lease(s: Session, pet_id: str, node: str, now: float) -> int:
    """The lease of a pet this node just created (it runs it at once): epoch 1."""
    s.add(PetLease(pet_id=pet_id, node=node, epoch=1, since=now))
    s.flush()
    return 1


def claim(s: Session, node: str, now: float, limit: int) -> dict[str, int]:
    """Take up to ``limit`` free leases: pet id -> new epoch. Free means no node, or a
    node whose heartbeat expired or who is leaving. Rows another transaction holds
    (a claim, a checkpoint) are skipped, not waited for."""
    if limit <= 0:
        return {}
    alive = select(ClusterNode.name).where(
        ClusterNode.name == PetLease.node, ClusterNode.expires_at > now,
        ClusterNode.leaving.is_(False)).exists()
    free = (select(PetLease.pet_id)
            .where(PetLease.node.is_(None) | ~alive)
            .order_by(PetLease.pet_id).limit(limit)
            .with_for_update(skip_locked=True, of=PetLease))
    ids = list(s.scalars(free))
    if not ids:
        return {}
    rows = s.execute(update(PetLease).where(PetLease.pet_id.in_(ids))
                     .values(node=node, epoch=PetLease.epoch + 1, since=now)
                     .returning(PetLease.pet_id, PetLease.epoch))
    return {pet_id: epoch for pet_id, epoch in rows}


def fence(s: Session, node: str, epochs: dict[str, int]) -> set[str]:
    """The pets of ``epochs`` this node still holds under exactly that epoch, their
    lease rows locked (shared) until the transaction ends: write only those."""
    if not epochs:
        return set()
    query = (select(PetLease.pet_id, PetLease.epoch)
             .where(PetLease.pet_id.in_(list(epochs)), PetLease.node == node))
    if s.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return {pet_id for pet_id, epoch in s.execute(query) if epochs.get(pet_id) == epoch}


def release(s: Session, node: str, epochs: dict[str, int], now: float) -> int:
    """Give up these leases (still held under these epochs): the pets are free."""
    if not epochs:
        return 0
    table = PetLease.__table__
    stmt = (table.update()
            .where(table.c.pet_id == bindparam("b_id"), table.c.node == node,
                   table.c.epoch == bindparam("b_epoch"))
            .values(node=None, since=now))
    result = s.connection().execute(stmt, [{"b_id": k, "b_epoch": v}
                                           for k, v in epochs.items()])
    return result.rowcount or 0


def record(s: Session, node: str, written: Iterable[tuple[Checkpoint, int]],
           now: float) -> None:
    """Note who wrote each checkpoint (``PYGOTCHI_CLUSTER_HISTORY``)."""
    rows = [{"pet_id": cp.pet_id, "node": node, "epoch": epoch, "tick": cp.tick,
             "state_at": cp.at, "written_at": now} for cp, epoch in written]
    if rows:
        s.execute(insert(CheckpointRecord), rows)


def leave(s: Session, node: str) -> None:
    s.execute(delete(ClusterNode).where(ClusterNode.name == node))


def reap(s: Session, now: float, older_than: float) -> int:
    """Forget nodes whose heartbeat stopped long ago (their leases are free already)."""
    result = s.execute(delete(ClusterNode).where(ClusterNode.expires_at < now - older_than))
    return result.rowcount or 0


def nodes(s: Session) -> list[NodeInfo]:
    """Every node on file with the leases it holds, for operators."""
    held = dict(s.execute(select(PetLease.node, func.count()).where(PetLease.node.isnot(None))
                          .group_by(PetLease.node)).all())
    return [NodeInfo(n.name, n.host, n.pid, n.started_at, n.heartbeat_at, n.expires_at,
                     int(held.get(n.name, 0)), n.load, n.leaving)
            for n in s.scalars(select(ClusterNode).order_by(ClusterNode.name))]


def runners(s: Session, pet_ids: Iterable[str], now: float) -> dict[str, str]:
    """pet id -> the live node that runs it (pets run nowhere right now are left out)."""
    ids = list(pet_ids)
    if not ids:
        return {}
    rows = s.execute(select(PetLease.pet_id, PetLease.node)
                     .join(ClusterNode, ClusterNode.name == PetLease.node)
                     .where(PetLease.pet_id.in_(ids), ClusterNode.expires_at > now,
                            ClusterNode.leaving.is_(False)))
    return dict(rows.all())


def unclaimed(s: Session, now: float) -> int:
    """Pets no live node runs (free, or held by a node that stopped beating)."""
    alive = select(ClusterNode.name).where(
        ClusterNode.name == PetLease.node, ClusterNode.expires_at > now,
        ClusterNode.leaving.is_(False)).exists()
    return s.scalar(select(func.count()).select_from(PetLease)
                    .where(PetLease.node.is_(None) | ~alive)) or 0
