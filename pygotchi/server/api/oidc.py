"""``/auth/oidc/...``: sign-in through the OpenID provider, and signing out of it too.

These are browser navigations, not API calls: the login route answers with a
redirect to the provider, the callback with a redirect to the pet list or with
a small page that says what went wrong and links back to the sign-in page.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.middleware.sessions import SessionMiddleware

from pygotchi.server.api.deps import services
from pygotchi.server.auditlog import audit
from pygotchi.server.auth import CurrentUser, OptionalUser
from pygotchi.server.clientaddr import client_address
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.oidc import (
    NO_PASSWORD,
    STATE_COOKIE,
    STATE_PATH,
    STATE_SECONDS,
    OidcClient,
    SignInFailed,
    role_of,
    state_secret,
)
from pygotchi.server.settings import Settings
from pygotchi.store import users as user_store

router = APIRouter(prefix=STATE_PATH, tags=["session"])

_PAGE_ERRORS = {400: {"description": "the sign-in cannot finish (a page says why)"},
                401: {"description": "the ID token was refused (a page says why)"},
                404: {"description": "OpenID Connect sign-in is not turned on"},
                502: {"description": "the provider cannot be reached or answered badly"}}


class LogoutResult(BaseModel):
    redirect: str


def install(app: FastAPI, settings: Settings) -> None:
    """Add the routes, the provider client and the state cookie (OIDC is turned on)."""
    app.state.oidc = OidcClient(settings)
    app.add_middleware(StateCookie, settings=settings)
    app.include_router(router)


class StateCookie:
    """Starlette's signed session cookie for the sign-in state, keyed by the server's secret.

    That secret is known only once the lifespan opened the database (with PostgreSQL
    it is the one every process shares: a sign-in may start on one node and come
    back to another), so the cookie middleware is built at the first request.
    """

    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.inner: SessionMiddleware | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.inner is None:
            secret = scope["app"].state.services.auth.secret
            self.inner = SessionMiddleware(
                self.app, secret_key=state_secret(secret), session_cookie=STATE_COOKIE,
                max_age=STATE_SECONDS, path=STATE_PATH, same_site="lax",
                https_only=(self.settings.public_url or "").startswith("https://"))
        await self.inner(scope, receive, send)


def _client(request: Request) -> OidcClient:
    return request.app.state.oidc


def _failure_page(failure: SignInFailed) -> HTMLResponse:
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · pygotchi</title>
<link rel="stylesheet" href="/css/app.css"></head>
<body><main class="main"><section class="card error-card" role="alert">
<h1>Sign-in failed</h1>
<p class="sign-in-problem" data-code="{failure.code}">{html.escape(failure.message)}</p>
<p><a class="btn btn-primary" href="/#/signin">Back to sign-in</a></p>
</section></main></body></html>"""
    return HTMLResponse(body, status_code=failure.status)


@router.get("/login", response_class=RedirectResponse, status_code=302,
            responses={302: {"description": "to the provider's sign-in page"}, **_PAGE_ERRORS})
async def oidc_login(request: Request):
    """Start signing in at the provider (authorization code flow with PKCE)."""
    try:
        return await _client(request).login_redirect(request)
    except SignInFailed as failure:
        event("oidc_failed", code=failure.code, client=client_address(request))
        return _failure_page(failure)


@router.get("/callback", response_class=RedirectResponse, status_code=303,
            responses={303: {"description": "signed in: to the pet list"}, **_PAGE_ERRORS})
async def oidc_callback(request: Request, principal: OptionalUser):
    """Where the provider sends the browser back: check everything, then sign in."""
    svc = services(request)
    try:
        identity = await _client(request).finish(request)
    except SignInFailed as failure:
        event("oidc_failed", code=failure.code, client=client_address(request))
        return _failure_page(failure)
    role = role_of(identity)
    with svc.db.session() as s:
        user = user_store.find_oidc_user(s, identity.issuer, identity.subject)
        created = user is None
        if user is None:
            user = user_store.create_oidc_user(s, identity.issuer, identity.subject,
                                               identity.username, role, NO_PASSWORD)
        old_role, user.role = user.role, role
        s.commit()
        s.refresh(user)
    if created:
        event("user_created", user=user.id, username=user.username, role=role, via="oidc")
        await run_in_threadpool(audit, svc.db, request, "user_created", None, f"user:{user.id}",
                                username=user.username, role=role, via="oidc")
    elif old_role != role:
        event("role_changed", user=user.id, role=role, via="oidc")
        await run_in_threadpool(audit, svc.db, request, "user_changed", None, f"user:{user.id}",
                                role=role, via="oidc")
    response = RedirectResponse("/#/pets", status_code=303)
    if principal is not None and principal.session_hash:  # switching accounts
        with svc.db.session() as s:
            user_store.delete_session(s, principal.session_hash)
            s.commit()
        svc.sockets.close_sessions([principal.session_hash], "signed out")
    new = svc.auth.start_session(response, request, user, id_token=identity.id_token)
    event("signin", user=user.id, client=client_address(request), via="oidc")
    await run_in_threadpool(audit, svc.db, request, "signin", new, f"user:{user.id}", via="oidc")
    return response


@router.post("/logout", response_model=LogoutResult,
             responses={401: {"description": "not signed in"},
                        403: {"description": "missing or wrong X-CSRF-Token"}})
async def oidc_logout(request: Request, response: Response,
                      principal: CurrentUser) -> LogoutResult:
    """End this session here, and say where to send the browser to end it at the provider."""
    svc = services(request)
    id_token = None
    if principal.session_hash:
        with svc.db.session() as s:
            found = user_store.get_session(s, principal.session_hash)
            id_token = found[0].id_token if found else None
    if id_token is None:
        raise ApiError(400, "not_oidc", "this session was not opened through the sign-in "
                                        "provider: sign out with DELETE /api/session")
    url = await _client(request).logout_url(id_token)
    svc.auth.end_session(response, request, principal)
    svc.sockets.close_sessions([principal.session_hash or ""], "signed out")
    event("signout", user=principal.user_id, via="oidc")
    await run_in_threadpool(audit, svc.db, request, "signout", principal,
                            f"user:{principal.user_id}", via="oidc")
    return LogoutResult(redirect=url)
