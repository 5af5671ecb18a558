"""Restore points and forks of a pet, and the administrators' view of them.

A pet's points are its owner's only: an unknown pet, another person's pet and
a point of another pet all give the same 404. Restoring (and forking from a
point) can be turned off for players by an administrator, for instances where
what happens to a pet stays done; administrators keep both for their own pets.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pygotchi.emu import TICKS_PER_SECOND, EmuError
from pygotchi.emu.render import screenshot_png
from pygotchi.server.api.deps import DbId, Services, services
from pygotchi.server.api.pets import (
    Confirm,
    PetOut,
    _live,
    _pet_response,
    _row,
    _unavailable,
    clean_name,
)
from pygotchi.server.auditlog import audit
from pygotchi.server.auth import AdminUser, CurrentUser, Principal
from pygotchi.server.errors import ApiError
from pygotchi.server.restorepoints import Refused, label
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import SIGNED_IN, Body, errors
from pygotchi.store import restorepoints as point_store
from pygotchi.store.models import RestorePoint
from pygotchi.store.pets import BrokenPet

router = APIRouter(prefix="/api/pets/{pet_id}", tags=["restore points"], responses=SIGNED_IN)
admin_router = APIRouter(prefix="/api/admin/restore-points", tags=["restore points"],
                         responses=SIGNED_IN)

MAX_LABEL = 60
RESTORES_OFF = ("the administrators of this server have turned restores off: what happens "
                "to a pet here stays done")


class NewPoint(Body):
    name: str = Field(max_length=200, description="1 to 60 characters")


class Fork(Body):
    name: str | None = Field(None, max_length=200,
                             description="the new pet's name; default: the pet's, \"(fork)\"")
    point: int | None = Field(None, ge=1, lt=2**63,
                              description="a restore point of this pet; default: as it is now")
    paused: bool = Field(False, description="start the new pet paused")


class PointOut(BaseModel):
    id: int
    kind: Literal["auto", "named", "undo"] = Field(
        description="auto: the server's hourly/daily point; named: made by the owner; undo: "
                    "the pet just before a restore")
    name: str = Field(description="the owner's name for it, or what kind it is")
    at: str = Field(description="the wall-clock instant of the state (ISO 8601, UTC)")
    created_at: str = Field(description="when the point was saved (ISO 8601, UTC)")
    emulated_seconds: float = Field(description="the pet's age then")
    bytes: int
    picture: str = Field(description="URL of the LCD at that moment (PNG)")


class Schedule(BaseModel):
    hourly_hours: int = Field(description="one automatic point per hour of the pet's life, "
                                          "for this many hours")
    daily_days: int = Field(description="then one per day, up to this many days of age")
    named_max: int = Field(description="named points a pet may have")
    bytes_max: int = Field(description="bytes a pet's points may hold")


class PointList(BaseModel):
    points: list[PointOut] = Field(description="newest first")
    bytes: int = Field(description="what this pet's points hold")
    restores_allowed: bool = Field(description="you may restore (and fork from a point)")
    schedule: Schedule


class Restored(BaseModel):
    pet: PetOut
    undo: PointOut = Field(description="the pet as it was just before: restore it to undo")


class PetUsage(BaseModel):
    pet_id: str
    name: str
    owner: str
    points: int
    bytes: int


class Storage(BaseModel):
    players_may_restore: bool
    pets_with_points: int
    points: int
    bytes: int
    schedule: Schedule
    pets: list[PetUsage] = Field(description="the pets whose points hold the most first")


class StorageChange(Body):
    players_may_restore: bool


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def point_json(pet_id: str, p: RestorePoint) -> PointOut:
    return PointOut(id=p.id, kind=p.kind, name=label(p), at=_iso(p.at),  # type: ignore[arg-type]
                    created_at=iso(p.created_at),
                    emulated_seconds=round(p.tick / TICKS_PER_SECOND, 3), bytes=p.size,
                    picture=f"/api/pets/{pet_id}/restore-points/{p.id}/screen.png")


def _schedule(svc: Services) -> Schedule:
    s = svc.settings
    return Schedule(hourly_hours=s.restore_hourly_hours, daily_days=s.restore_daily_days,
                    named_max=s.restore_named_max, bytes_max=s.restore_bytes_max)


def _owned(svc: Services, pet_id: str, who: Principal) -> None:
    with svc.db.session() as s:
        _row(s, pet_id, who)  # 404 unless it is theirs


def _point(svc: Services, pet_id: str, point_id: int) -> RestorePoint:
    with svc.db.session() as s:
        point = point_store.get(s, pet_id, point_id)
        if point is None:
            raise ApiError(404, "not_found", "there is no such restore point")
        s.expunge(point)
        return point


def _may_restore(svc: Services, who: Principal) -> bool:
    return who.is_admin or svc.restore_points.players_may_restore()


def _check_may_restore(svc: Services, who: Principal) -> None:
    if not _may_restore(svc, who):
        raise ApiError(403, "restores_off", RESTORES_OFF)


def _clean_label(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(name) <= MAX_LABEL:
        raise ApiError(422, "invalid", f"a restore point's name is 1 to {MAX_LABEL} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ApiError(422, "invalid", "a restore point's name cannot contain control "
                                       "characters")
    return name


def _refused(exc: Refused) -> ApiError:
    return ApiError(409, exc.code, exc.message)


# --- one pet's points ---------------------------------------------------------------------

@router.get("/restore-points", response_model=PointList, responses=errors(404))
def list_points(pet_id: str, request: Request, who: CurrentUser) -> PointList:
    svc = services(request)
    with svc.db.session() as s:
        _row(s, pet_id, who)
        points = point_store.listing(s, pet_id)
    return PointList(points=[point_json(pet_id, p) for p in points],
                     bytes=sum(p.size for p in points), restores_allowed=_may_restore(svc, who),
                     schedule=_schedule(svc))


@router.post("/restore-points", status_code=201, response_model=PointOut,
             responses=errors(404, 409))
def make_point(pet_id: str, body: NewPoint, request: Request, who: CurrentUser) -> PointOut:
    """Save the pet as it is now, under a name (kept until the owner deletes it)."""
    svc = services(request)
    name = _clean_label(body.name)
    live = _live(svc, pet_id, who)
    try:
        point = svc.restore_points.take_named(live, name)
    except Refused as exc:
        raise _refused(exc) from None
    return point_json(pet_id, point)


@router.get("/restore-points/{point_id}/screen.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **errors(404)})
def point_picture(pet_id: str, point_id: DbId, request: Request, who: CurrentUser,
                  scale: int = Query(4, ge=1, le=16)) -> Response:
    svc = services(request)
    _owned(svc, pet_id, who)
    frame = _point(svc, pet_id, point_id).frame
    return Response(screenshot_png(frame, scale), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})


@router.delete("/restore-points/{point_id}", status_code=204, response_class=Response,
               responses=errors(404, 409))
def delete_point(pet_id: str, point_id: DbId, request: Request, who: CurrentUser) -> Response:
    """Delete a named or undo point (automatic ones follow the server's schedule)."""
    svc = services(request)
    _owned(svc, pet_id, who)
    point = _point(svc, pet_id, point_id)
    if point.kind == point_store.RESTORE_AUTO:
        raise ApiError(409, "automatic", "automatic restore points come and go with the "
                                         "server's schedule; only named and undo points "
                                         "can be deleted")
    with svc.db.session() as s:
        point_store.remove(s, point_id)
        s.commit()
    return Response(status_code=204)


@router.post("/restore-points/{point_id}/restore", response_model=Restored,
             responses=errors(400, 403, 404, 409, 422))
def restore_point(pet_id: str, point_id: DbId, request: Request, who: CurrentUser,
                  body: Confirm | None = None) -> Restored:
    """Put the pet back to this point; the pet as it was is saved first as an undo point."""
    svc = services(request)
    live = _live(svc, pet_id, who)
    point = _point(svc, pet_id, point_id)
    _check_may_restore(svc, who)
    if body is None or not body.confirm:
        raise ApiError(400, "confirm_required", "restoring replaces the pet's present with "
                                                "this moment (you can undo it): send "
                                                '{"confirm": true}')
    try:
        undo = svc.restore_points.restore(live, point)
    except EmuError as exc:  # a damaged point (StateError): the pet was not changed
        raise ApiError(422, "bad_state", f"this restore point cannot be loaded ({exc}); the "
                                         "pet was not changed") from None
    audit(svc.db, request, "pet_restored", who, f"pet:{pet_id}", point=point_id)
    return Restored(pet=_pet_response(svc, pet_id, who), undo=point_json(pet_id, undo))


@router.post("/fork", status_code=201, response_model=PetOut,
             responses=errors(403, 404, 409, 422))
async def fork_pet(pet_id: str, body: Fork, request: Request, who: CurrentUser) -> PetOut:
    """A new pet of yours from this one, as it is now or from one of its restore points."""
    svc = services(request)

    def fork() -> PetOut:
        with svc.db.session() as s:
            source = _row(s, pet_id, who)
            if isinstance(source, BrokenPet):
                raise _unavailable(source.error)
            s.expunge(source)
        name = clean_name(body.name if body.name is not None else
                          f"{source.name[:25]} (fork)")
        point = None
        if body.point is not None:
            point = _point(svc, pet_id, body.point)
            _check_may_restore(svc, who)
            state = point.state
        else:
            live = _live(svc, pet_id, who)
            state, out = live.export("pygotchi", svc.scheduler.clock.now())
            svc.scheduler.publish(live, out)
        try:
            new_id = svc.restore_points.fork(source, state, name, body.paused, point)
        except Refused as exc:
            raise _refused(exc) from None
        except EmuError as exc:
            raise ApiError(422, "bad_state", f"this restore point cannot be loaded ({exc})") \
                from None
        audit(svc.db, request, "pet_forked", who, f"pet:{new_id}", source=pet_id,
              point=body.point)
        return _pet_response(svc, new_id, who)

    return await run_in_threadpool(fork)


# --- the administrators' view --------------------------------------------------------------

def _storage(svc: Services, limit: int) -> Storage:
    with svc.db.session() as s:
        pets, points, size = point_store.totals(s)
        rows = point_store.usage_by_pet(s, limit)
        allowed = point_store.players_may_restore(s)
    return Storage(players_may_restore=allowed, pets_with_points=pets, points=points,
                   bytes=size, schedule=_schedule(svc),
                   pets=[PetUsage(pet_id=r[0], name=r[1], owner=r[2], points=r[3], bytes=r[4])
                         for r in rows])


@admin_router.get("", response_model=Storage, responses=errors(401, 403))
def storage(request: Request, admin: AdminUser,
            limit: int = Query(100, ge=1, le=1000)) -> Storage:
    """What restore points hold, per pet and in all; whether players may restore."""
    return _storage(services(request), limit)


@admin_router.patch("", response_model=Storage, responses=errors(401, 403))
def change_storage(body: StorageChange, request: Request, admin: AdminUser) -> Storage:
    """Turn restores (and forks from a restore point) on or off for players."""
    svc = services(request)
    svc.restore_points.set_players_may_restore(body.players_may_restore)
    audit(svc.db, request, "restores_changed", admin, "instance",
          players_may_restore=body.players_may_restore)
    return _storage(svc, 100)
