"""Errors as JSON for people: ``{"error": code, "message": sentence}``, never a traceback.

Route code raises ``ApiError(status, code, message)``; the handlers installed
by ``install(app)`` turn that, validation failures, unknown routes and a full
disk into the same shape. Anything else that escapes a route is caught by
``middleware.RequestContext``, which logs its traceback with the request id and
answers 500 with that id, so the person can quote it and the operator find it.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from pygotchi.server.logs import event

REQUEST_ID_HEADER = "X-Request-ID"
INTERNAL_MESSAGE = "something went wrong on the server; the details are in its log"
STORAGE_FULL_MESSAGE = ("the server's storage is full, so nothing was changed; "
                        "the operator has to free some space")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


class StorageFull(Exception):
    """The database or the data directory has no room left (raised by the store layer)."""


def not_found(what: str = "pet") -> ApiError:
    return ApiError(404, "not_found", f"there is no such {what}")


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None,
                   request_id: str | None = None) -> JSONResponse:
    body: dict = {"error": code, "message": message}
    if request_id is not None:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, headers=headers)


def is_storage_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the disk or the database is full.

    SQLite reports ``SQLITE_FULL`` ("database or disk is full"), PostgreSQL
    SQLSTATE 53100 (disk_full), files ``ENOSPC``/``EDQUOT``.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, StorageFull):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or \
                    "database or disk is full" in str(exc):
                return True
        if getattr(exc, "pgcode", None) == "53100" or getattr(exc, "sqlstate", None) == "53100":
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


_HTTP_CODES = {
    400: ("bad_request", "the request could not be understood"),
    401: ("unauthorized", "sign in first"),
    403: ("forbidden", "you are not allowed to do this"),
    404: ("not_found", "there is nothing at this address"),
    405: ("method_not_allowed", "this address does not accept that method"),
    413: ("too_large", "the upload is too large"),
}


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of the app accepts at this address.

    Starlette's own ``Allow`` names only the first route that matched the path,
    but GET and POST on one address are often two routes.
    """
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL and getattr(route, "methods", None):
            methods |= route.methods
    return sorted(methods)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
            continue
        if err.get("type") == "missing" and loc:
            parts.append(f"{'.'.join(loc)} is required")
            continue
        parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
    return "; ".join(parts) or "the request is not valid"


def storage_full_response(request: Request, exc: BaseException) -> JSONResponse:
    rid = request_id_of(request)
    event("storage_full", logging.ERROR, method=request.method, path=request.url.path,
          request_id=rid or "-", error=f"{type(exc).__name__}: {exc}")
    return error_response(507, "storage_full", STORAGE_FULL_MESSAGE, request_id=rid)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("error", "the request failed"))
        if isinstance(exc.detail, str) and exc.status_code not in (404, 405):
            message = exc.detail
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return error_response(exc.status_code, code, message, headers or None)

    async def _storage(request: Request, exc: Exception) -> JSONResponse:
        if is_storage_full(exc):
            return storage_full_response(request, exc)
        raise exc  # not a full disk: RequestContext logs it and answers 500

    for kind in (StorageFull, OSError, DBAPIError):
        app.add_exception_handler(kind, _storage)
