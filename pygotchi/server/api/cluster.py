"""The cluster, for administrators: the nodes sharing the pets, and their load."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pygotchi.server.api.deps import services
from pygotchi.server.auth import AdminUser
from pygotchi.server.cluster import report
from pygotchi.server.cluster.member import host_and_pid
from pygotchi.server.schemas import errors
from pygotchi.store import cluster as cluster_store

router = APIRouter(prefix="/api/cluster", tags=["cluster"])


class NodeOut(BaseModel):
    name: str
    host: str
    pid: int
    heartbeat_age_s: float = Field(description="seconds since its last heartbeat")
    alive: bool = Field(description="its leases hold (heartbeat within the lease timeout)")
    leaving: bool = Field(description="it is stopping and handing its pets over")
    pets: int = Field(description="pets it holds a lease on")
    load: float | None = Field(description="CPU seconds it used per second lately; null "
                                           "for a single server")
    up_s: float | None
    this: bool = Field(description="the node that answered")


class ClusterOut(BaseModel):
    mode: str = Field(description="cluster (PostgreSQL, leases) or single (SQLite)")
    node: str | None = Field(description="the node that answered")
    lease_timeout_s: float | None
    pets: int
    unclaimed: int = Field(description="pets no live node runs right now")
    nodes: list[NodeOut]


@router.get("", response_model=ClusterOut, responses=errors(401, 403))
async def cluster(request: Request, admin: AdminUser) -> dict:
    """Every node with its heartbeat age, the pets it runs and its load."""
    svc = services(request)

    def build() -> dict:
        with svc.db.session() as s:
            if svc.cluster is not None:
                return report.report(s, svc.cluster.name, svc.settings.lease_timeout)
            total = cluster_store.count_pets(s)
        return report.single(total, len(svc.scheduler.pets), host_and_pid())

    return await run_in_threadpool(build)
