"""Shapes shared by the OpenAPI document: the error body, strict request bodies, and the
documented error statuses.

The OpenAPI document is the API's contract (``/openapi.json``, ``/docs``): each
route declares the model it answers with and, through ``errors(401, 404)``,
every error status it can give, all with the one error shape of
:class:`ErrorBody` (``errors.py`` sends it). ``ANY_ROUTE`` is what every route
may answer; ``SIGNED_IN`` what every route behind a sign-in may.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    error: str = Field(description="a stable code, e.g. not_found, invalid, unavailable")
    message: str = Field(description="a sentence for a person")
    request_id: str | None = Field(None, description="for 500 and 507: quote it to the "
                                                     "operator; the server log has the cause")


class Body(BaseModel):
    """A request body with strict types: ``{"paused": "yes"}`` is a 422, not ``True``.

    Numbers are not strings and strings not numbers; the only conversion left is
    an integer where a fractional number is asked for (``"ms": 150``).
    """

    model_config = ConfigDict(strict=True)


_MEANING = {
    400: "the request is incomplete (a confirmation is missing) or its body cannot be read",
    401: "not signed in, or the credentials are wrong",
    403: "signed in, but not allowed (or the CSRF header is missing)",
    404: "there is no such thing (or it is not yours)",
    409: "conflicts with the current state (a limit is reached, the last admin...)",
    413: "the upload is too large",
    422: "the request is not valid; the message says why",
    429: "too many attempts: wait for Retry-After seconds",
    500: "a fault in the server: the body and X-Request-ID carry the id its log has",
    507: "the server's storage is full: nothing was changed",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: these statuses, with the error model."""
    return {status: {"model": ErrorBody, "description": _MEANING.get(status, "error")}
            for status in statuses}


# Every route may answer these (FastAPI's own 422 shape is replaced by ours; any write,
# even a sign-in's, can find the disk full).
ANY_ROUTE = errors(400, 422, 500, 507)
SIGNED_IN = errors(401, 403)
