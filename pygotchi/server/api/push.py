"""Notifications: Web Push subscriptions (a user's devices), Apprise channels, quiet hours,
and each pet's choices (calls on or off, mute).

A subscription is the browser's ``PushSubscription`` JSON. Its endpoint and
every Apprise URL must be ``https`` on a public address (see
``push.netguard``); an Apprise URL is never shown back in full.
"""

from __future__ import annotations

import base64
import binascii
import time
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from pygotchi.server.api.deps import DbId, Services, services
from pygotchi.server.auth import CurrentUser
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.push import channels
from pygotchi.server.push.netguard import Blocked, check_url, resolve
from pygotchi.server.romlib import iso
from pygotchi.store import pets as pet_store
from pygotchi.store import timeline as timeline_store
from pygotchi.store.models import (
    NotifyChannel,
    OutboxMessage,
    PetAlerts,
    PushSubscription,
    UserAlerts,
)

router = APIRouter(tags=["notifications"])

MAX_DEVICES = 20
MAX_CHANNELS = 10


class ErrorBody(BaseModel):
    error: str = Field(description="a code for programs")
    message: str = Field(description="what went wrong, for people")


def errors(*codes: int) -> dict:
    text = {401: "not signed in", 404: "no such item (or not yours)", 409: "conflict",
            422: "the request is not valid (the message says why)",
            502: "the push service or channel did not take the message"}
    return {code: {"model": ErrorBody, "description": text[code]} for code in codes}


# --- models -----------------------------------------------------------------------------

class PublicKey(BaseModel):
    public_key: str = Field(description="the VAPID key, base64url: applicationServerKey")


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)


class NewSubscription(BaseModel):
    """``PushSubscription.toJSON()``, plus an optional name for the device."""

    endpoint: str = Field(max_length=2048)
    expirationTime: float | None = None  # noqa: N815 (the browser's spelling)
    keys: SubscriptionKeys
    device: str | None = Field(None, max_length=200)


class Device(BaseModel):
    id: int
    device: str
    service: str = Field(description="the push service's host")
    created_at: str
    last_sent_at: str | None
    last_error: str | None


class NewChannel(BaseModel):
    url: str = Field(max_length=channels.MAX_URL)
    label: str | None = Field(None, max_length=200)


class Channel(BaseModel):
    id: int
    label: str
    url: str = Field(description="the Apprise URL with its secrets hidden")
    created_at: str
    last_sent_at: str | None
    last_error: str | None


class QuietHours(BaseModel):
    quiet_from: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                                   description="HH:MM, local time; null: no quiet hours")
    quiet_to: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    time_zone: str = Field("UTC", max_length=64, description="IANA name, e.g. Europe/Paris")


class PetAlertChoices(BaseModel):
    calls: bool = Field(True, description="notify when the pet calls")
    missed: bool = Field(True, description="notify when a call ends unanswered")
    muted_until: float | None = Field(None, description="Unix seconds; null: not muted")


class PetAlertChange(BaseModel):
    calls: bool | None = None
    missed: bool | None = None
    mute_minutes: float | None = Field(None, ge=0, le=60 * 24 * 365,
                                       description="mute for this long; 0 unmutes")


class Sent(BaseModel):
    sent: int = Field(description="messages queued for delivery")


# --- helpers ------------------------------------------------------------------------------

def _svc(request: Request) -> Services:
    svc = services(request)
    assert svc.alerts is not None
    return svc


def _clean_label(text: str | None, default: str) -> str:
    text = unicodedata.normalize("NFC", (text or "").strip())[:100]
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise ApiError(422, "invalid", "a name cannot contain control characters")
    return text or default


def _b64(value: str, length: int | None, what: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid", f"keys.{what} is not base64url") from None
    if length is not None and len(raw) != length or length is None and len(raw) < 16:
        raise ApiError(422, "invalid", f"keys.{what} has the wrong length")
    return value.rstrip("=")


def _device_json(row: PushSubscription) -> dict:
    host = check_url(row.endpoint, frozenset({"*"}), ("https", "http")).hostname or "?"
    return {"id": row.id, "device": row.device, "service": host,
            "created_at": iso(row.created_at), "last_sent_at": iso(row.last_sent_at)
            if row.last_sent_at else None, "last_error": row.last_error}


def _channel_json(row: NotifyChannel) -> dict:
    return {"id": row.id, "label": row.label, "url": channels.masked(row.url),
            "created_at": iso(row.created_at), "last_sent_at": iso(row.last_sent_at)
            if row.last_sent_at else None, "last_error": row.last_error}


def _hhmm(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str | None) -> int | None:
    if text is None:
        return None
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _own_pet(s: Session, pet_id: str, user_id: int) -> None:
    if len(pet_id) > 32 or pet_store.get_pet(s, pet_id, user_id) is None:
        raise ApiError(404, "not_found", "there is no such pet")


# --- the key and the devices ------------------------------------------------------------------

@router.get("/api/push/key", response_model=PublicKey, responses=errors(401))
def push_key(request: Request, who: CurrentUser) -> dict:
    return {"public_key": _svc(request).alerts.keys.public_key}


@router.get("/api/push/subscriptions", response_model=list[Device], responses=errors(401))
def list_devices(request: Request, who: CurrentUser) -> list[dict]:
    with _svc(request).db.session() as s:
        rows = s.scalars(select(PushSubscription).where(PushSubscription.user_id == who.user_id)
                         .order_by(PushSubscription.id))
        return [_device_json(r) for r in rows]


@router.post("/api/push/subscriptions", status_code=201, response_model=Device,
             responses=errors(401, 409, 422))
def subscribe(body: NewSubscription, request: Request, who: CurrentUser) -> dict:
    """Add this browser (or refresh it: the same endpoint replaces its old keys)."""
    svc = _svc(request)
    allowed = svc.alerts.allowed
    try:
        parts = check_url(body.endpoint, allowed)
        resolve(parts.hostname or "", parts.port or 443, allowed)
    except Blocked as exc:
        raise ApiError(422, "bad_endpoint", f"this push endpoint cannot be used: {exc}") from None
    p256dh = _b64(body.keys.p256dh, 65, "p256dh")
    auth = _b64(body.keys.auth, None, "auth")
    device = _clean_label(body.device, request.headers.get("user-agent", "a browser")[:100])
    with svc.db.session() as s:
        row = s.scalar(select(PushSubscription).where(PushSubscription.endpoint == body.endpoint))
        if row is None:
            count = len(list(s.scalars(select(PushSubscription.id)
                                       .where(PushSubscription.user_id == who.user_id))))
            if count >= MAX_DEVICES:
                raise ApiError(409, "too_many_devices", f"you already have {MAX_DEVICES} "
                               "devices; remove one in your account first")
            row = PushSubscription(endpoint=body.endpoint)
            s.add(row)
        row.user_id, row.p256dh, row.auth, row.device = who.user_id, p256dh, auth, device
        row.last_error = None
        s.commit()
        event("push_subscribed", user=who.user_id, subscription=row.id)
        return _device_json(row)


@router.delete("/api/push/subscriptions/{sub_id}", status_code=204, responses=errors(401, 404))
def unsubscribe(sub_id: DbId, request: Request, who: CurrentUser) -> Response:
    with _svc(request).db.session() as s:
        row = s.get(PushSubscription, sub_id) if 0 < sub_id < 2**31 else None
        if row is None or row.user_id != who.user_id:
            raise ApiError(404, "not_found", "there is no such device")
        s.delete(row)
        s.commit()
    return Response(status_code=204)


def _test_message(request: Request, user_id: int, **target) -> dict:
    svc = _svc(request)
    now = time.time()
    payload = {"kind": "test", "title": "pygotchi", "body": "Notifications reach you here.",
               "url": "/#/account", "tag": f"pygotchi-test-{int(now)}", "at": now}
    with svc.db.session() as s:
        s.add(OutboxMessage(user_id=user_id, payload=payload, created_at=now, next_at=now,
                            attempts=0, **target))
        s.commit()
    svc.alerts.courier.wake()
    return {"sent": 1}


@router.post("/api/push/subscriptions/{sub_id}/test", response_model=Sent,
             responses=errors(401, 404))
def test_device(sub_id: DbId, request: Request, who: CurrentUser) -> dict:
    with _svc(request).db.session() as s:
        row = s.get(PushSubscription, sub_id) if 0 < sub_id < 2**31 else None
        if row is None or row.user_id != who.user_id:
            raise ApiError(404, "not_found", "there is no such device")
    return _test_message(request, who.user_id, subscription_id=sub_id)


# --- Apprise channels ---------------------------------------------------------------------------

@router.get("/api/push/channels", response_model=list[Channel], responses=errors(401))
def list_channels(request: Request, who: CurrentUser) -> list[dict]:
    with _svc(request).db.session() as s:
        rows = s.scalars(select(NotifyChannel).where(NotifyChannel.user_id == who.user_id)
                         .order_by(NotifyChannel.id))
        return [_channel_json(r) for r in rows]


@router.post("/api/push/channels", status_code=201, response_model=Channel,
             responses=errors(401, 409, 422))
def add_channel(body: NewChannel, request: Request, who: CurrentUser) -> dict:
    svc = _svc(request)
    try:
        channels.check(body.url, svc.alerts.allowed)
    except channels.ChannelError as exc:
        raise ApiError(422, "bad_channel", str(exc)) from None
    label = _clean_label(body.label, channels.label_for(body.url))
    with svc.db.session() as s:
        count = len(list(s.scalars(select(NotifyChannel.id)
                                   .where(NotifyChannel.user_id == who.user_id))))
        if count >= MAX_CHANNELS:
            raise ApiError(409, "too_many_channels", f"you already have {MAX_CHANNELS} channels")
        row = NotifyChannel(user_id=who.user_id, url=body.url.strip(), label=label)
        s.add(row)
        s.commit()
        event("channel_added", user=who.user_id, channel=row.id)
        return _channel_json(row)




@router.delete("/api/push/channels/{channel_id}", status_code=204, responses=errors(401, 404))
def remove_channel(channel_id: DbId, request: Request, who: CurrentUser) -> Response:
    with _svc(request).db.session() as s:
        row = s.get(NotifyChannel, channel_id) if 0 < channel_id < 2**31 else None
        if row is None or row.user_id != who.user_id:
            raise ApiError(404, "not_found", "there is no such channel")
        s.delete(row)
        s.commit()
    return Response(status_code=204)


@router.post("/api/push/channels/{channel_id}/test", response_model=Sent,
             responses=errors(401, 404, 502))
async def test_channel(channel_id: DbId, request: Request, who: CurrentUser) -> dict:
    """Send a test message now and say whether the service took it."""
    svc = _svc(request)

    def send() -> None:
        with svc.db.session() as s:
            row = s.get(NotifyChannel, channel_id) if 0 < channel_id < 2**31 else None
            if row is None or row.user_id != who.user_id:
                raise ApiError(404, "not_found", "there is no such channel")
            url = row.url
        try:
            channels.send(url, "pygotchi", "Notifications reach you here.", svc.alerts.allowed)
        except channels.ChannelError as exc:
            raise ApiError(502, "not_delivered", str(exc)) from None

    await run_in_threadpool(send)
    return {"sent": 1}


# --- quiet hours and per-pet choices -----------------------------------------------------------

@router.get("/api/push/settings", response_model=QuietHours, responses=errors(401))
def get_quiet_hours(request: Request, who: CurrentUser) -> dict:
    with _svc(request).db.session() as s:
        row = timeline_store.user_alerts(s, who.user_id)
        return {"quiet_from": _hhmm(row.quiet_from), "quiet_to": _hhmm(row.quiet_to),
                "time_zone": row.time_zone}


@router.put("/api/push/settings", response_model=QuietHours, responses=errors(401, 422))
def set_quiet_hours(body: QuietHours, request: Request, who: CurrentUser) -> dict:
    try:
        ZoneInfo(body.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(422, "invalid", f"{body.time_zone!r} is not a time zone "
                                       "(use a name like Europe/Paris)") from None
    if (body.quiet_from is None) != (body.quiet_to is None):
        raise ApiError(422, "invalid", "give both quiet_from and quiet_to, or neither")
    with _svc(request).db.session() as s:
        row = s.get(UserAlerts, who.user_id) or UserAlerts(user_id=who.user_id)
        row.quiet_from, row.quiet_to = _minutes(body.quiet_from), _minutes(body.quiet_to)
        row.time_zone = body.time_zone
        s.merge(row)
        s.commit()
    return body.model_dump()


def _alerts_json(row: PetAlerts) -> dict:
    return {"calls": row.calls, "missed": row.missed, "muted_until": row.muted_until}


@router.get("/api/pets/{pet_id}/alerts", response_model=PetAlertChoices,
            responses=errors(401, 404))
def get_pet_alerts(pet_id: str, request: Request, who: CurrentUser) -> dict:
    with _svc(request).db.session() as s:
        _own_pet(s, pet_id, who.user_id)
        return _alerts_json(timeline_store.pet_alerts(s, pet_id))


@router.patch("/api/pets/{pet_id}/alerts", response_model=PetAlertChoices,
              responses=errors(401, 404, 422))
def change_pet_alerts(pet_id: str, body: PetAlertChange, request: Request,
                      who: CurrentUser) -> dict:
    with _svc(request).db.session() as s:
        _own_pet(s, pet_id, who.user_id)
        row = s.get(PetAlerts, pet_id)
        if row is None:
            row = PetAlerts(pet_id=pet_id, calls=True, missed=True, muted_until=None)
            s.add(row)
        if body.calls is not None:
            row.calls = body.calls
        if body.missed is not None:
            row.missed = body.missed
        if body.mute_minutes is not None:
            row.muted_until = time.time() + body.mute_minutes * 60 \
                if body.mute_minutes > 0 else None
        s.commit()
        return _alerts_json(row)



