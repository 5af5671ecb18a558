"""Shapes shared by the OpenAPI document: the error body, and documented error statuses.

Every error the API sends is ``{"error": code, "message": sentence}``
(``errors.py``); ``errors(401, 404)`` declares those statuses on a route so the
OpenAPI document says what a client may get back besides success.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_MEANING = {
    400: "the request is incomplete (a confirmation is missing)",
    401: "not signed in, or the credentials are wrong",
    403: "signed in, but not allowed (or the CSRF header is missing)",
    404: "there is no such thing (or it is not yours)",
    409: "conflicts with the current state (a limit is reached, the last admin...)",
    413: "the upload is too large",
    422: "the request is not valid; the message says why",
    429: "too many attempts: wait for Retry-After seconds",
}


class ErrorBody(BaseModel):
    error: str
    message: str


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody, "description": _MEANING.get(status, "error")}
            for status in statuses}
