"""Errors as JSON for people: ``{"error": code, "message": sentence}``, never a traceback.

Route code raises ``ApiError(status, code, message)``; the handlers installed
by ``install(app)`` turn that, validation failures, unknown routes and any
unexpected exception into the same shape.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pygotchi.server.logs import event


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def not_found(what: str = "pet") -> ApiError:
    return ApiError(404, "not_found", f"there is no such {what}")


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


_HTTP_CODES = {
    400: ("bad_request", "the request could not be understood"),
    401: ("unauthorized", "sign in first"),
    403: ("forbidden", "you are not allowed to do this"),
    404: ("not_found", "there is nothing at this address"),
    405: ("method_not_allowed", "this address does not accept that method"),
    413: ("too_large", "the upload is too large"),
}


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
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        event("error", logging.ERROR, method=request.method, path=request.url.path,
              error=f"{type(exc).__name__}: {exc}")
        logging.getLogger("pygotchi").debug("traceback", exc_info=exc)
        return error_response(500, "internal",
                              "something went wrong on the server; the details are in its log")
