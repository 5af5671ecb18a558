"""A pet's timeline: what it did and what was done to it, newest first.

Each event has its emulated instant (``emulated_seconds``) and its wall-clock
one (``at``); a call carries a picture of the LCD at that moment
(``/timeline/{event_id}.png``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.emu.render import screenshot_png
from pygotchi.server.api.deps import DbId, services
from pygotchi.server.api.push import ErrorBody, errors
from pygotchi.server.auth import CurrentUser
from pygotchi.server.errors import ApiError
from pygotchi.store import pets as pet_store
from pygotchi.store import timeline as timeline_store
from pygotchi.store.models import PetEvent

router = APIRouter(prefix="/api/pets/{pet_id}/timeline", tags=["timeline"])


class TimelineEvent(BaseModel):
    id: int
    kind: str = Field(description="call, answered, call_ended, beeps, paused, resumed, reset, "
                                  "state_loaded, restored (data.name: the restore point), "
                                  "forked (data.from_name), autopilot (data.text says what "
                                  "it did)")
    at: str = Field(description="wall-clock time (ISO 8601, UTC)")
    emulated_seconds: float
    data: dict = Field(description="details: answered, lasted_s, count, notified, silenced...")
    picture: str | None = Field(description="URL of the LCD snapshot (calls)")


class TimelinePage(BaseModel):
    events: list[TimelineEvent]
    next_before: int | None = Field(description="pass as ?before= for older events")


def _check(request: Request, pet_id: str, user_id: int):
    svc = services(request)
    with svc.db.session() as s:
        if len(pet_id) > 32 or pet_store.get_pet(s, pet_id, user_id) is None:
            raise ApiError(404, "not_found", "there is no such pet")
    return svc


def event_json(pet_id: str, row: PetEvent) -> dict:
    return {"id": row.id, "kind": row.kind,
            "at": datetime.fromtimestamp(row.at, UTC).isoformat().replace("+00:00", "Z"),
            "emulated_seconds": round(row.tick / TICKS_PER_SECOND, 3), "data": row.data or {},
            "picture": f"/api/pets/{pet_id}/timeline/{row.id}.png" if row.frame else None}


@router.get("", response_model=TimelinePage, responses=errors(401, 404, 422))
def timeline(pet_id: str, request: Request, who: CurrentUser,
             before: int | None = Query(None, ge=1, lt=2**63),
             limit: int = Query(50, ge=1, le=500)) -> dict:
    svc = _check(request, pet_id, who.user_id)
    with svc.db.session() as s:
        rows = timeline_store.page(s, pet_id, before, limit)
        return {"events": [event_json(pet_id, r) for r in rows],
                "next_before": rows[-1].id if len(rows) == limit else None}


@router.get("/{event_id}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}},
                       **{c: {"model": ErrorBody} for c in (401, 404, 422)}})
def snapshot(pet_id: str, event_id: DbId, request: Request, who: CurrentUser,
             scale: int = Query(4, ge=1, le=16)) -> Response:
    svc = _check(request, pet_id, who.user_id)
    with svc.db.session() as s:
        row = s.get(PetEvent, event_id) if 0 < event_id < 2**31 else None
        if row is None or row.pet_id != pet_id or not row.frame:
            raise ApiError(404, "not_found", "there is no such picture")
        frame = row.frame
    return Response(screenshot_png(frame, scale), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})
