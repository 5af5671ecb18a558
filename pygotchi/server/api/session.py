"""Signing in and out, first-run setup, personal API tokens."""

from __future__ import annotations

import hmac
import logging
import math
import threading
import unicodedata

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, field_validator

from pygotchi.server import totp
from pygotchi.server.api.deps import DbId, Services, services
from pygotchi.server.auditlog import audit, audit_add
from pygotchi.server.auth import CurrentUser, OptionalUser
from pygotchi.server.clientaddr import client_address
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    username_problem,
    verify_password,
)
from pygotchi.server.ratelimit import Throttled
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import Body, errors
from pygotchi.server.settings import Settings
from pygotchi.store import keys as key_store
from pygotchi.store import users as user_store
from pygotchi.store.models import ROLE_ADMIN

router = APIRouter(prefix="/api", tags=["session"])
_setup_lock = threading.Lock()


class Credentials(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)
    code: str | None = Field(None, max_length=20,
                             description="the 6-digit code of an account with two-factor "
                                         "sign-in (asked for with 401 totp_required)")


class SetupRequest(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)
    setup_code: str = Field("", max_length=40,
                            description="the one-time code the server printed in its log "
                                        "when it started (403 bad_setup_code without it)")


class UserOut(BaseModel):
    id: int
    username: str
    role: str


class SignedIn(BaseModel):
    user: UserOut
    csrf_token: str


class ProviderOut(BaseModel):
    name: str
    url: str


class SignInOptions(BaseModel):
    local: bool = Field(description="the username and password form")
    oidc: ProviderOut | None = Field(description="'Sign in with <provider>'")


class SessionInfo(BaseModel):
    user: UserOut | None
    setup_needed: bool
    csrf_token: str
    sign_in: SignInOptions
    signed_in_with: str | None = Field(description='"local", "oidc", "token" or null')


class TokenRequest(Body):
    name: str = Field(min_length=1, max_length=64)

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        value = unicodedata.normalize("NFC", value).strip()
        if not value:
            raise ValueError("a token's name cannot be empty")
        if any(unicodedata.category(c).startswith("C") for c in value):
            raise ValueError("a token's name cannot contain control or invisible characters")
        return value


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: str
    last_used_at: str | None


class NewToken(BaseModel):
    id: int
    name: str
    token: str = Field(description="shown only this once")
    created_at: str


def throttled(exc: Throttled) -> ApiError:
    wait = max(1, math.ceil(exc.wait))
    return ApiError(429, "rate_limited", f"{exc.message}: try again in {wait} seconds",
                    headers={"Retry-After": str(wait)})


def _same_code(given: str, expected: str) -> bool:
    def canon(code: str) -> str:
        return "".join(c for c in code.upper() if c.isalnum())
    return hmac.compare_digest(canon(given).encode(), canon(expected).encode())


@router.get("/session", response_model=SessionInfo, responses=errors(401))
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


@router.post("/setup", status_code=201, response_model=SignedIn,
             responses=errors(401, 403, 409, 422, 429))
def setup(body: SetupRequest, request: Request, response: Response,
          principal: OptionalUser) -> dict:
    """Create the first administrator; only while no user exists, and only with the
    one-time setup code the server printed in its log when it started."""
    _local_only(request)
    svc = services(request)
    if not _web_setup(svc.settings):
        raise ApiError(403, "setup_off",
                       f"administrators of this server sign in with {svc.settings.oidc_name} "
                       f"(role {svc.settings.oidc_admin_role}); a local one is made with "
                       "`python -m pygotchi user add NAME --admin`")
    address = client_address(request)
    with _setup_lock:
        with svc.db.session() as s:
            if user_store.count_users(s):
                raise ApiError(409, "already_set_up",
                               "this server already has users: sign in instead")
            # The code of record is the database's: every process printed that one.
            code = key_store.get(s, key_store.SETUP_CODE)
        if code is None:  # it had users when it started; they are gone since
            raise ApiError(409, "already_set_up", "restart the server: it prints a new "
                                                  "setup code when it starts with no accounts")
        try:
            attempt = svc.throttle.begin("\0setup", address)
        except Throttled as exc:
            raise throttled(exc) from None
        if not _same_code(body.setup_code, code):
            event("setup_code_wrong", logging.WARNING, client=address)
            audit(svc.db, request, "setup_failed", None, actor=body.username[:32])
            raise ApiError(403, "bad_setup_code",
                           "wrong setup code: it is printed in the server's log (and terminal) "
                           "each time it starts while it has no accounts")
        svc.throttle.end(attempt, ok=True)
        problem = username_problem(body.username) or password_problem(body.password,
                                                                       body.username)
        if problem:
            raise ApiError(422, "invalid", problem)
        with svc.db.session() as s:
            # Using the code up is part of this transaction: of two processes setting up
            # at once, the second finds it gone once the first committed.
            if not key_store.take(s, key_store.SETUP_CODE, code) or user_store.count_users(s):
                raise ApiError(409, "already_set_up",
                               "this server already has users: sign in instead")
            user = user_store.create_user(s, body.username, hash_password(body.password),
                                          ROLE_ADMIN)
            audit_add(s, request, "user_created", None, f"user:{user.id}", actor_id=user.id,
                      actor=user.username, role=user.role, via="setup")
            s.commit()
        svc.setup_code = None
    event("user_created", user=user.id, username=user.username, role=user.role, via="setup")
    new = svc.auth.start_session(response, request, user)
    return {"user": new.public(), "csrf_token": svc.auth.csrf_token(new.session_hash)}


def check_password(svc: Services, request: Request, username: str, password: str):
    """The user if ``password`` is theirs, through the sign-in throttle; else ApiError."""
    address = client_address(request)
    try:
        attempt = svc.throttle.begin(username, address, svc.auth.known_device(request, username))
    except Throttled as exc:
        event("signin_rate_limited", username=username[:32], client=address)
        raise throttled(exc) from None
    with svc.db.session() as s:
        user = user_store.find_user(s, username) if len(username) <= 32 else None
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None:
            audit_add(s, request, "signin_failed", None, actor_id=user.id if user else None,
                      actor=username[:32], reason="password")
            s.commit()
    if not ok or user is None:
        svc.throttle.end(attempt, ok=False)
        event("signin_failed", username=username[:32], client=address)
        raise ApiError(401, "bad_credentials", "wrong username or password")
    return user, attempt


@router.post("/session", response_model=SignedIn, responses=errors(401, 422, 429))
def sign_in(body: Credentials, request: Request, response: Response,
            principal: OptionalUser) -> dict:
    """Sign in with username and password (and the two-factor code if the account has one)."""
    _local_only(request)
    svc = services(request)
    user, attempt = check_password(svc, request, body.username, body.password)
    if user.totp_secret:
        if not body.code:
            svc.throttle.withdraw(attempt)  # the password was right; no code yet
            raise ApiError(401, "totp_required", "enter the 6-digit code from your "
                                                 "authenticator app")
        with svc.db.session() as s:
            fresh = user_store.get_user(s, user.id)
            step = totp.accepted_step(fresh.totp_secret or "", body.code, fresh.totp_last_step)
            if step is None:
                audit_add(s, request, "signin_failed", None, actor_id=user.id,
                          actor=user.username, reason="code")
            else:
                fresh.totp_last_step = step
            s.commit()
        if step is None:
            svc.throttle.end(attempt, ok=False)
            raise ApiError(401, "bad_code", "wrong or already used code: enter the one your "
                                            "authenticator app shows now")
    svc.throttle.end(attempt, ok=True)
    if needs_rehash(user.password_hash):  # argon2 parameters were raised since
        with svc.db.session() as s:
            stored = user_store.get_user(s, user.id)
            stored.password_hash = hash_password(body.password)
            s.commit()
    if principal is not None:  # switching accounts: end the old session first
        svc.auth.end_session(response, request, principal)
        svc.sockets.close_sessions([principal.session_hash or ""], "signed out")
    new = svc.auth.start_session(response, request, user)
    audit(svc.db, request, "signin", new, f"user:{user.id}")
    event("signin", user=user.id, client=client_address(request))
    return {"user": new.public(), "csrf_token": svc.auth.csrf_token(new.session_hash)}


@router.delete("/session", status_code=204, responses=errors(401, 403))
def sign_out(request: Request, principal: CurrentUser) -> Response:
    """Sign out; live views opened by this sign-in close at once."""
    svc = services(request)
    response = Response(status_code=204)
    svc.auth.end_session(response, request, principal)
    if principal.session_hash:
        svc.sockets.close_sessions([principal.session_hash], "signed out")
        audit(svc.db, request, "signout", principal, f"user:{principal.user_id}")
    return response


# --- API tokens ---------------------------------------------------------------------

def token_json(t) -> dict:
    return {"id": t.id, "name": t.name, "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at) if t.last_used_at else None}


@router.get("/tokens", response_model=list[TokenOut], responses=errors(401))
def list_tokens(request: Request, principal: CurrentUser) -> list[dict]:
    with services(request).db.session() as s:
        tokens = user_store.list_tokens(s, principal.user_id)
    return [token_json(t) for t in tokens]


@router.post("/tokens", status_code=201, response_model=NewToken,
             responses=errors(401, 403, 409, 422))
def create_token(body: TokenRequest, request: Request, principal: CurrentUser) -> dict:
    svc = services(request)
    token, token_hash = svc.auth.new_api_token()
    limit = svc.settings.max_tokens_per_user
    with svc.db.session() as s:
        if user_store.count_tokens(s, principal.user_id) >= limit:
            raise ApiError(409, "too_many_tokens",
                           f"you already have {limit} API tokens, the most this server "
                           "allows: revoke one you no longer use first")
        record = user_store.create_token(s, principal.user_id, body.name, token_hash)
        audit_add(s, request, "token_created", principal, f"token:{record.id}",
                  name=record.name)
        s.commit()
    event("token_created", user=principal.user_id, token=record.id)
    return {"id": record.id, "name": record.name, "token": token,
            "created_at": iso(record.created_at)}


@router.delete("/tokens/{token_id}", status_code=204, responses=errors(401, 403, 404))
def revoke_token(token_id: DbId, request: Request, principal: CurrentUser) -> Response:
    """Revoke one of your tokens; live views it opened close at once."""
    svc = services(request)
    with svc.db.session() as s:
        if not user_store.delete_token(s, principal.user_id, token_id):
            raise ApiError(404, "not_found", "there is no such token")
        audit_add(s, request, "token_revoked", principal, f"token:{token_id}")
        s.commit()
    svc.sockets.close_tokens([token_id], "this API token was revoked")
    event("token_revoked", user=principal.user_id, token=token_id)
    return Response(status_code=204)
