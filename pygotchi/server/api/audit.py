"""The audit log, for administrators: security events, newest first, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from pygotchi.server.api.deps import services
from pygotchi.server.auth import AdminUser
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import errors
from pygotchi.store.audit import KINDS, page

router = APIRouter(prefix="/api/audit", tags=["audit"])
MAX_PAGE = 200


class AuditEventOut(BaseModel):
    id: int
    at: str
    kind: str
    actor_id: int | None
    actor: str = Field(description="the account's name when it acted")
    subject: str = Field(description="what was acted on: user:5, pet:ab12, rom:<sha256>...")
    address: str
    detail: dict


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    next_before: int | None = Field(description="pass as ?before= for the next (older) page")
    kinds: list[str]


@router.get("", response_model=AuditPage, responses=errors(401, 403, 422))
def audit_page(request: Request, admin: AdminUser,
               before: int | None = Query(None, ge=1, le=2**62),
               limit: int = Query(50, ge=1, le=MAX_PAGE),
               kind: str | None = Query(None, max_length=40)) -> dict:
    """Security events newest first; ``before`` pages back, ``kind`` filters."""
    with services(request).db.session() as s:
        rows = page(s, before=before, limit=limit + 1, kind=kind)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"events": [{"id": r.id, "at": iso(r.at), "kind": r.kind, "actor_id": r.actor_id,
                        "actor": r.actor, "subject": r.subject, "address": r.address,
                        "detail": r.detail or {}} for r in rows],
            "next_before": rows[-1].id if more and rows else None,
            "kinds": list(KINDS)}
