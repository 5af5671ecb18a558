"""One's own account: signed-in devices (and ending them), two-factor sign-in (TOTP).

A session is shown by an id derived from its stored hash (never the cookie
itself, never the hash: neither should leave the server), with the browser's
user agent, the address it was last seen from, and when.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from pygotchi.server import totp
from pygotchi.server.api.deps import services
from pygotchi.server.api.session import throttled
from pygotchi.server.auditlog import audit_add
from pygotchi.server.auth import CurrentUser, Principal
from pygotchi.server.clientaddr import client_address
from pygotchi.server.errors import ApiError
from pygotchi.server.ratelimit import Throttled
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import Body, errors
from pygotchi.store import users as user_store

router = APIRouter(prefix="/api/account", tags=["account"])


class SessionOut(BaseModel):
    id: str = Field(description="stable id of this sign-in, for DELETE")
    current: bool = Field(description="the sign-in making this request")
    user_agent: str
    device: str = Field(description="a short description read from the user agent")
    address: str
    created_at: str
    last_seen_at: str


class TotpStatus(BaseModel):
    enabled: bool
    pending: bool = Field(description="a secret was issued but not confirmed yet")
    available: bool = Field(True, description="false for accounts of a sign-in provider, "
                                              "whose own two-factor rules apply")


class TotpEnrolment(BaseModel):
    secret: str = Field(description="base32; shown only this once")
    uri: str = Field(description="otpauth:// URI for authenticator apps")
    qr: str = Field(description="the URI as a QR code (SVG data URI)")


class TotpCode(Body):
    code: str = Field(min_length=6, max_length=20)


def session_id(token_hash: str) -> str:
    return hashlib.sha256(f"session-id:{token_hash}".encode()).hexdigest()[:20]


def describe_agent(agent: str) -> str:
    """'Firefox on Android' from a user agent: enough to recognise one's devices."""
    a = agent.lower()
    browser = next((name for key, name in (
        ("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"), ("chromium/", "Chromium"),
        ("chrome/", "Chrome"), ("safari/", "Safari"), ("curl/", "curl"),
        ("python", "a Python script")) if key in a), "a browser")
    system = next((name for key, name in (
        ("android", "Android"), ("iphone", "iPhone"), ("ipad", "iPad"), ("windows", "Windows"),
        ("mac os", "macOS"), ("cros", "ChromeOS"), ("linux", "Linux")) if key in a), "")
    return f"{browser} on {system}" if system else browser


@router.get("/sessions", response_model=list[SessionOut], responses=errors(401))
def list_sessions(request: Request, me: CurrentUser) -> list[dict]:
    """Where this account is signed in."""
    with services(request).db.session() as s:
        rows = user_store.list_sessions(s, me.user_id)
    return [{"id": session_id(r.token_hash), "current": r.token_hash == me.session_hash,
             "user_agent": r.user_agent, "device": describe_agent(r.user_agent),
             "address": r.address, "created_at": iso(r.created_at),
             "last_seen_at": iso(r.last_seen_at)} for r in rows]


@router.delete("/sessions/{sid}", status_code=204, responses=errors(401, 403, 404))
def end_session(sid: str, request: Request, me: CurrentUser) -> Response:
    """Sign one device out; its live views close at once. Ending the current one signs out."""
    svc = services(request)
    with svc.db.session() as s:
        found = next((r.token_hash for r in user_store.list_sessions(s, me.user_id)
                      if session_id(r.token_hash) == sid), None)
        if found is None:
            raise ApiError(404, "not_found", "there is no such sign-in (it may have ended)")
        user_store.delete_session(s, found)
        audit_add(s, request, "session_ended", me, f"user:{me.user_id}", session=sid)
        s.commit()
    svc.sockets.close_sessions([found], "signed out from another device")
    response = Response(status_code=204)
    if found == me.session_hash:
        svc.auth.end_session(response, request, None)
    return response


# --- two-factor sign-in -------------------------------------------------------------

def _local_user(s, me: Principal):
    user = user_store.get_user(s, me.user_id)
    if user is None:
        raise ApiError(404, "not_found", "there is no such user")
    return user


@router.get("/totp", response_model=TotpStatus, responses=errors(401))
def totp_status(request: Request, me: CurrentUser) -> dict:
    with services(request).db.session() as s:
        user = _local_user(s, me)
        return {"enabled": user.totp_secret is not None, "pending": user.totp_pending is not None,
                "available": user.oidc_subject is None}


@router.post("/totp", status_code=201, response_model=TotpEnrolment,
             responses=errors(401, 403, 409))
def totp_begin(request: Request, me: CurrentUser) -> dict:
    """Start enrolling: a new secret, shown once. Sign-in asks for codes only after
    ``POST /api/account/totp/confirm`` proves the authenticator app has it."""
    with services(request).db.session() as s:
        user = _local_user(s, me)
        if user.oidc_subject is not None:
            raise ApiError(409, "totp_unavailable", "this account signs in through the sign-in "
                                                    "provider, whose own two-factor rules apply")
        if user.totp_secret is not None:
            raise ApiError(409, "totp_enabled", "two-factor sign-in is already on: turn it "
                                                "off first to change the authenticator")
        secret = totp.new_secret()
        user.totp_pending = secret
        s.commit()
        uri, qr = totp.provisioning(secret, user.username)
    return {"secret": secret, "uri": uri, "qr": qr}


@router.post("/totp/confirm", response_model=TotpStatus, responses=errors(401, 403, 409, 422))
def totp_confirm(body: TotpCode, request: Request, me: CurrentUser) -> dict:
    """Turn two-factor sign-in on with a code from the app that was just set up."""
    with services(request).db.session() as s:
        user = _local_user(s, me)
        if user.totp_pending is None:
            raise ApiError(409, "totp_not_started", "start with POST /api/account/totp")
        step = totp.accepted_step(user.totp_pending, body.code, None)
        if step is None:
            raise ApiError(422, "bad_code", "that code does not match: check the phone's "
                                            "clock and enter the code shown now")
        user.totp_secret, user.totp_pending, user.totp_last_step = user.totp_pending, None, step
        audit_add(s, request, "totp_enabled", me, f"user:{me.user_id}")
        s.commit()
    return {"enabled": True, "pending": False}


@router.post("/totp/disable", response_model=TotpStatus,
             responses=errors(401, 403, 409, 422, 429))
def totp_disable(body: TotpCode, request: Request, me: CurrentUser) -> dict:
    """Turn two-factor sign-in off, with a current code (a left-open browser is not enough)."""
    svc = services(request)
    try:  # wrong codes count like wrong passwords: no guessing from a borrowed browser
        attempt = svc.throttle.begin(me.username, client_address(request))
    except Throttled as exc:
        raise throttled(exc) from None
    with svc.db.session() as s:
        user = _local_user(s, me)
        if user.totp_secret is None:
            svc.throttle.end(attempt, ok=True)
            raise ApiError(409, "totp_disabled", "two-factor sign-in is not on")
        step = totp.accepted_step(user.totp_secret, body.code, user.totp_last_step)
        if step is None:
            raise ApiError(422, "bad_code", "wrong or already used code")
        svc.throttle.end(attempt, ok=True)
        user.totp_secret = user.totp_pending = user.totp_last_step = None
        audit_add(s, request, "totp_disabled", me, f"user:{me.user_id}")
        s.commit()
    return {"enabled": False, "pending": False}
