"""Who is asking: session cookies for browsers, bearer tokens for scripts, CSRF checks.

* A session cookie holds 32 random bytes; the database keeps only their
  sha256, so a stolen database cannot be replayed as cookies.
* Cookie-authenticated requests that change state must carry ``X-CSRF-Token``:
  an HMAC of the session under the server's secret, which a page on another
  site cannot read. Bearer tokens need none (a browser never adds them).
* API tokens (``pgt_...``) are stored as their sha256 too and shown once.
* A cookie-authenticated websocket must come from a page of this server (its
  Origin is checked), or another site could open it with the user's cookie.
  ``Origin: null`` (sandboxed frames, ``file:`` pages) is never this server, and
  ``X-Forwarded-Host`` counts only from a trusted proxy (``clientaddr.py``).
* A *device cookie* (``pygotchi_device``) marks a browser that signed in to an
  account before; the sign-in throttle lets it through when strangers are
  guessing at that account (see ``ratelimit.py``). It proves nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from pygotchi.server.clientaddr import client_address, public_host
from pygotchi.server.errors import ApiError, is_storage_full
from pygotchi.server.settings import Settings
from pygotchi.store import Database
from pygotchi.store import keys as key_store
from pygotchi.store import users as user_store
from pygotchi.store.models import ROLE_ADMIN, User, utcnow

COOKIE = "pygotchi_session"
DEVICE_COOKIE = "pygotchi_device"
_DEVICE_DAYS = 365
CSRF_HEADER = "x-csrf-token"
TOKEN_PREFIX = "pgt_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TOUCH_EVERY = timedelta(minutes=5)  # sliding expiry and "last seen", not a write per request
_TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_secret(settings: Settings, db: Database | None = None) -> bytes:
    """The key CSRF tokens, device cookies and the OpenID state cookie are derived from.

    From settings if given; else, on a shared database (PostgreSQL), the one every
    process reads there; else kept in the data directory (``secret.key``).
    """
    if settings.secret_key:
        return settings.secret_key.encode()
    if db is not None and db.shared:
        with db.session() as s:
            return key_store.get_or_create(s, key_store.SECRET,
                                           lambda: secrets.token_hex(32)).encode()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class Principal:
    """A signed-in user, and how they proved it."""

    user_id: int
    username: str
    role: str
    via: str  # "session" or "token"
    session_hash: str | None = None
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    def public(self) -> dict:
        return {"id": self.user_id, "username": self.username, "role": self.role}


def principal_of(user: User, via: str, session_hash: str | None = None,
                 token_id: int | None = None) -> Principal:
    return Principal(user.id, user.username, user.role, via, session_hash, token_id)


def user_agent_of(conn: HTTPConnection) -> str:
    """The browser's description of itself, printable characters only, for the device list."""
    agent = conn.headers.get("user-agent", "")[:200]
    return "".join(c for c in agent if c.isprintable())


class Auth:
    def __init__(self, settings: Settings, db: Database, secret: bytes) -> None:
        self.settings = settings
        self.db = db
        self.secret = secret
        self.session_life = timedelta(days=settings.session_days)

    # --- CSRF ---------------------------------------------------------------

    def csrf_token(self, session_hash: str | None) -> str:
        subject = f"csrf:{session_hash or 'anonymous'}"
        return hmac.new(self.secret, subject.encode(), hashlib.sha256).hexdigest()[:43]

    def check_csrf(self, request: Request, principal: Principal) -> None:
        if principal.via != "session" or request.method in SAFE_METHODS:
            return
        given = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given, self.csrf_token(principal.session_hash)):
            raise ApiError(403, "csrf", "missing or wrong X-CSRF-Token header: reload the page "
                                        "(GET /api/session gives the token)")

    # --- sessions -----------------------------------------------------------

    def start_session(self, response: Response, request: Request, user: User,
                      id_token: str | None = None) -> Principal:
        """A new browser session; ``id_token`` when it was opened through OpenID Connect."""
        token = secrets.token_urlsafe(32)
        token_hash = sha256_hex(token)
        with self.db.session() as s:
            user_store.create_session(s, user.id, token_hash, utcnow() + self.session_life,
                                      id_token, user_agent_of(request),
                                      client_address(request))
            s.commit()
        response.set_cookie(
            COOKIE, token, max_age=int(self.session_life.total_seconds()), httponly=True,
            samesite="lax", secure=self.secure(request), path="/")
        if self.known_device(request, user.username) is None:
            self._set_device_cookie(response, request, user.username)
        return principal_of(user, "session", token_hash)

    # --- device cookies -------------------------------------------------------

    def _device_mac(self, username: str, nonce: str) -> str:
        subject = f"device:{user_store.username_key(username)}:{nonce}"
        return hmac.new(self.secret, subject.encode(), hashlib.sha256).hexdigest()[:32]

    def _set_device_cookie(self, response: Response, request: Request, username: str) -> None:
        nonce = secrets.token_urlsafe(12)
        value = f"{nonce}.{self._device_mac(username, nonce)}"
        response.set_cookie(DEVICE_COOKIE, value, max_age=_DEVICE_DAYS * 86400, httponly=True,
                            samesite="lax", secure=self.secure(request), path="/api/session")

    def known_device(self, request: HTTPConnection, username: str) -> str | None:
        """The id of this browser's device cookie if it signed in to ``username`` before."""
        value = request.cookies.get(DEVICE_COOKIE, "")
        nonce, _, mac = value.partition(".")
        if not nonce or len(value) > 100 or not hmac.compare_digest(
                mac, self._device_mac(username, nonce)):
            return None
        return nonce

    def end_session(self, response: Response, request: Request,
                    principal: Principal | None) -> None:
        if principal is not None and principal.session_hash:
            with self.db.session() as s:
                user_store.delete_session(s, principal.session_hash)
                s.commit()
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                               secure=self.secure(request))

    def secure(self, request: HTTPConnection) -> bool:
        mode = self.settings.secure_cookies
        return mode == "always" or (mode == "auto" and request.url.scheme in ("https", "wss"))

    # --- identifying a request -----------------------------------------------

    def _from_cookie(self, conn: HTTPConnection) -> Principal | None:
        token = conn.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return None
        token_hash = sha256_hex(token)
        with self.db.session() as s:
            found = user_store.get_session(s, token_hash)
            if found is None:
                return None
            session, user = found
            if utcnow() - session.last_seen_at > _TOUCH_EVERY:
                with if_room(s):
                    user_store.touch_session(s, token_hash, utcnow() + self.session_life,
                                             client_address(conn))
                    s.commit()
            return principal_of(user, "session", token_hash)

    def _from_token(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        with self.db.session() as s:
            found = user_store.find_token(s, sha256_hex(token))
            if found is None:
                return None
            api_token, user = found
            if api_token.last_used_at is None or \
                    utcnow() - api_token.last_used_at > _TOKEN_TOUCH_EVERY:
                with if_room(s):
                    user_store.touch_token(s, api_token.id)
                    s.commit()
            return principal_of(user, "token", token_id=api_token.id)

    def identify(self, conn: HTTPConnection) -> Principal | None:
        header = conn.headers.get("authorization", "")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise ApiError(401, "unauthorized",
                               "the Authorization header must be 'Bearer <API token>'")
            principal = self._from_token(value.strip())
            if principal is None:
                raise ApiError(401, "unauthorized", "this API token is not valid (revoked?)")
            return principal
        return self._from_cookie(conn)

    def identify_websocket(self, conn: HTTPConnection) -> Principal | None:
        token = conn.query_params.get("token")
        if token:
            return self._from_token(token)
        header = conn.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return self._from_token(header[7:].strip())
        if not same_origin(conn):
            return None
        return self._from_cookie(conn)

    def still_valid(self, principal: Principal) -> bool:
        """Whether the session or token that identified ``principal`` still exists."""
        with self.db.session() as s:
            if principal.session_hash is not None:
                return user_store.get_session(s, principal.session_hash) is not None
            if principal.token_id is not None:
                return user_store.token_exists(s, principal.token_id)
        return False

    def new_api_token(self) -> tuple[str, str]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return token, sha256_hex(token)


@contextmanager
def if_room(s: Session) -> Iterator[None]:
    """A bookkeeping write (last seen, last used) that is skipped if the storage is full.

    On a full disk reads must go on working: a sign-in's sliding expiry or a
    token's last use can wait for the disk to have room again.
    """
    try:
        yield
    except DBAPIError as exc:
        if not is_storage_full(exc):
            raise
        s.rollback()


def same_origin(conn: HTTPConnection) -> bool:
    """True when the Origin header is absent (not a browser) or names this server.

    ``Origin: null`` is what a sandboxed frame or a ``file:`` page sends: never us.
    """
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    # This server's own name as the client asked for it (X-Forwarded-Host only from a
    # trusted proxy), or as the operator configured it (PYGOTCHI_PUBLIC_URL).
    settings = getattr(conn.app.state, "settings", None)
    public = getattr(settings, "public_url", None)
    allowed = {public_host(conn).lower(), urlsplit(public or "").netloc.lower()} - {""}
    return urlsplit(origin.strip()).netloc.lower() in allowed


# --- FastAPI dependencies ----------------------------------------------------------

def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def optional_user(request: Request) -> Principal | None:
    """The caller, if signed in; cookie callers changing state must pass the CSRF check."""
    auth: Auth = request.app.state.auth
    principal = auth.identify(request)
    if principal is not None:
        auth.check_csrf(request, principal)
    request.state.user_id = principal.user_id if principal else None
    return principal


OptionalUser = Annotated[Principal | None, Depends(optional_user)]


def require_user(principal: OptionalUser) -> Principal:
    if principal is None:
        raise ApiError(401, "unauthorized", "sign in first")
    return principal


CurrentUser = Annotated[Principal, Depends(require_user)]


def require_admin(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "only an administrator can do this")
    return principal


AdminUser = Annotated[Principal, Depends(require_admin)]
