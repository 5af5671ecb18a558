"""Signing in and out, first-run setup, personal API tokens."""

from __future__ import annotations

import math
import threading

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from pygotchi.server.api.deps import services
from pygotchi.server.auth import CurrentUser, OptionalUser
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.passwords import (
    hash_password,
    password_problem,
    username_problem,
    verify_password,
)
from pygotchi.server.romlib import iso
from pygotchi.server.settings import Settings
from pygotchi.store import users as user_store
from pygotchi.store.models import ROLE_ADMIN

router = APIRouter(prefix="/api", tags=["session"])
_setup_lock = threading.Lock()


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


@router.get("/session")
def get_session(request: Request, principal: OptionalUser) -> dict:
    svc = services(request)
    with svc.db.session() as s:
        setup_needed = _web_setup(svc.settings) and user_store.count_users(s) == 0
        signed_in_with = _signed_in_with(s, principal)
    return {"user": principal.public() if principal else None, "setup_needed": setup_needed,
            "csrf_token": svc.auth.csrf_token(principal.session_hash if principal else None),
            "sign_in": sign_in_options(svc.settings), "signed_in_with": signed_in_with}


def _signed_in_with(s, principal) -> str | None:
    """"local" or "oidc" for a browser session (the web app signs out accordingly),
    "token" for a script, None for nobody."""
    if principal is None:
        return None
    if principal.session_hash is None:
        return principal.via
    found = user_store.get_session(s, principal.session_hash)
    return "oidc" if found and found[0].id_token else "local"


def sign_in_options(settings: Settings) -> dict:
    """What the sign-in page offers: the password form, a provider button, or both."""
    oidc = ({"name": settings.oidc_name, "url": "/auth/oidc/login"}
            if settings.oidc_enabled else None)
    return {"local": settings.local_enabled, "oidc": oidc}


def _web_setup(settings: Settings) -> bool:
    """The first-run page makes the administrator only without a sign-in provider: with
    one, administrators are the provider's users who have the admin role."""
    return settings.local_enabled and not settings.oidc_enabled


def _local_only(request: Request) -> None:
    settings = services(request).settings
    if not settings.local_enabled:
        raise ApiError(403, "local_sign_in_off",
                       f"password sign-in is turned off on this server: use "
                       f"'Sign in with {settings.oidc_name}'")


@router.post("/setup", status_code=201)
def setup(body: Credentials, request: Request, response: Response,
          principal: OptionalUser) -> dict:
    """Create the first administrator; only possible while no user exists."""
    _local_only(request)
    svc = services(request)
    if not _web_setup(svc.settings):
        raise ApiError(403, "setup_off",
                       f"administrators of this server sign in with {svc.settings.oidc_name} "
                       f"(role {svc.settings.oidc_admin_role}); a local one is made with "
                       "`python -m pygotchi user add NAME --admin`")
    problem = username_problem(body.username) or password_problem(body.password)
    with _setup_lock:
        with svc.db.session() as s:
            if user_store.count_users(s):
                raise ApiError(409, "already_set_up",
                               "this server already has users: sign in instead")
            if problem:
                raise ApiError(422, "invalid", problem)
            user = user_store.create_user(s, body.username, hash_password(body.password),
                                          ROLE_ADMIN)
            s.commit()
    event("user_created", user=user.id, username=user.username, role=user.role, via="setup")
    new = svc.auth.start_session(response, request, user)
    return {"user": new.public(), "csrf_token": svc.auth.csrf_token(new.session_hash)}


@router.post("/session")
def sign_in(body: Credentials, request: Request, response: Response,
            principal: OptionalUser) -> dict:
    _local_only(request)
    svc = services(request)
    address = _client(request)
    wait = svc.limiter.retry_after(body.username, address)
    if wait > 0:
        event("signin_rate_limited", username=body.username[:32], client=address)
        raise ApiError(429, "rate_limited",
                       f"too many failed sign-ins: try again in {math.ceil(wait)} seconds",
                       headers={"Retry-After": str(math.ceil(wait))})
    with svc.db.session() as s:
        user = user_store.find_user(s, body.username) if len(body.username) <= 32 else None
        ok = verify_password(user.password_hash if user else None, body.password)
    if not ok or user is None:
        svc.limiter.failed(body.username, address)
        event("signin_failed", username=body.username[:32], client=address)
        raise ApiError(401, "bad_credentials", "wrong username or password")
    svc.limiter.succeeded(body.username)
    if principal is not None:  # switching accounts: end the old session first
        svc.auth.end_session(response, request, principal)
    new = svc.auth.start_session(response, request, user)
    event("signin", user=user.id, client=address)
    return {"user": new.public(), "csrf_token": svc.auth.csrf_token(new.session_hash)}


@router.delete("/session", status_code=204)
def sign_out(request: Request, principal: CurrentUser) -> Response:
    response = Response(status_code=204)
    services(request).auth.end_session(response, request, principal)
    return response


# --- API tokens ---------------------------------------------------------------------

@router.get("/tokens")
def list_tokens(request: Request, principal: CurrentUser) -> list[dict]:
    with services(request).db.session() as s:
        tokens = user_store.list_tokens(s, principal.user_id)
    return [{"id": t.id, "name": t.name, "created_at": iso(t.created_at),
             "last_used_at": iso(t.last_used_at) if t.last_used_at else None} for t in tokens]


@router.post("/tokens", status_code=201)
def create_token(body: TokenRequest, request: Request, principal: CurrentUser) -> dict:
    svc = services(request)
    token, token_hash = svc.auth.new_api_token()
    with svc.db.session() as s:
        record = user_store.create_token(s, principal.user_id, body.name.strip() or "token",
                                         token_hash)
        s.commit()
    event("token_created", user=principal.user_id, token=record.id)
    return {"id": record.id, "name": record.name, "token": token,
            "created_at": iso(record.created_at)}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, request: Request, principal: CurrentUser) -> Response:
    with services(request).db.session() as s:
        if not user_store.delete_token(s, principal.user_id, token_id):
            raise ApiError(404, "not_found", "there is no such token")
        s.commit()
    event("token_revoked", user=principal.user_id, token=token_id)
    return Response(status_code=204)

