"""ASGI middleware: request ids and the last word on errors, request log lines, upload
size limit, security headers (CSP too).

Written as plain ASGI (not Starlette's BaseHTTPMiddleware) so websockets and
streamed bodies pass through untouched and nothing is buffered.
"""

from __future__ import annotations

import json
import logging
import secrets
import time

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pygotchi.server.errors import INTERNAL_MESSAGE, REQUEST_ID_HEADER
from pygotchi.server.logs import event

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# The web app is plain ES modules and one stylesheet from this server: nothing from
# elsewhere and no inline script but the import map, allowed by its hash (assets.py), so
# an injected <script> or style has nowhere to run from. QR codes and canvas snapshots
# are data:/blob: images; the live socket is same-origin.
CSP = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self'; "
       "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; "
       "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
# FastAPI's /docs page loads Swagger UI from its CDN and starts it with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
_DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes while they arrive, before they are stored.

    A Content-Length over the limit is refused at once; a body without one is
    counted as it streams in and the request fails with 413 as soon as it
    passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _message(self) -> str:
        return (f"the upload is larger than this server accepts "
                f"({self.limit:,} bytes; the operator sets PYGOTCHI_MAX_UPLOAD_BYTES)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                too_big = False
            if too_big:
                body = json.dumps({"error": "too_large", "message": self._message()}).encode()
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode()),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._csp: bytes | None = None

    def _app_csp(self, scope: Scope) -> bytes:
        """The policy, with the hashes of the web app's inline scripts (known at start)."""
        if self._csp is None:
            state = getattr(scope.get("app"), "state", None)
            assets = getattr(state, "assets", None)
            sources = assets.inline_script_sources() if assets is not None else []
            self._csp = CSP.format(scripts="".join(" " + s for s in sources)).encode()
        return self._csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        csp = DOCS_CSP.encode() if scope["path"] in _DOCS_PATHS else self._app_csp(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_SECURITY_HEADERS,
                                      (b"content-security-policy", csp)]
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestLog:
    """One structured log line per HTTP request (websockets log their own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            client = scope.get("client")
            user = (scope.get("state") or {}).get("user_id")
            level = logging.WARNING if status >= 500 else logging.INFO
            event("request", level, method=scope["method"], path=scope["path"], status=status,
                  ms=round((time.perf_counter() - began) * 1000, 1),
                  request_id=(scope.get("state") or {}).get("request_id", "-"),
                  user=user if user is not None else "-",
                  client=client[0] if client else "-")


class RequestContext:
    """Give every request an id, and answer whatever escapes the app with a 500.

    The id is in the ``X-Request-ID`` header of every answer, in the log line of
    the request and in the body of a 500, whose traceback is logged at error
    level with the same id. A 500 is an ordinary answer: the exception stops
    here instead of reaching the server, which would otherwise drop the
    keep-alive connection without a ``Connection: close`` header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        started = False
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())

        async def tagged(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception as exc:
            logging.getLogger("pygotchi").error(
                "internal_error", exc_info=exc,
                extra={"fields": {"request_id": request_id, "method": scope.get("method"),
                                  "path": scope.get("path"),
                                  "error": f"{type(exc).__name__}: {exc}"}})
            if started:  # half an answer is out: only closing the connection can say so
                raise
            body = json.dumps({"error": "internal", "message": INTERNAL_MESSAGE,
                               "request_id": request_id}).encode()
            await tagged({"type": "http.response.start", "status": 500,
                          "headers": [(b"content-type", b"application/json"),
                                      (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
