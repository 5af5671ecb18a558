"""What every route shares in the OpenAPI document: strict request bodies, documented errors.

The OpenAPI document is the API's contract (``/openapi.json``, ``/docs``): each
route declares the model it answers with and every error status it can give,
all with the one error shape of :class:`~pygotchi.server.errors.ErrorBody`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pygotchi.server.errors import ErrorBody


class Body(BaseModel):
    """A request body with strict types: ``{"paused": "yes"}`` is a 422, not ``True``.

    Numbers are not strings and strings not numbers; the only conversion left is
    an integer where a fractional number is asked for (``"ms": 150``).
    """

    model_config = ConfigDict(strict=True)


_WHY = {
    400: "the request needs a confirmation or could not be read",
    401: "not signed in (or the API token is not valid)",
    403: "not allowed (not an administrator, or a missing X-CSRF-Token with a cookie)",
    404: "no such thing, or it belongs to someone else",
    409: "not possible in the present state (the message says why)",
    413: "the body or upload is larger than the server accepts",
    422: "the request does not validate (the message names the field)",
    429: "too many attempts: wait for Retry-After seconds",
    500: "a fault in the server: the body and X-Request-ID carry the id its log has",
    507: "the server's storage is full: nothing was changed",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: these statuses, with the error model."""
    return {status: {"model": ErrorBody, "description": _WHY[status]} for status in statuses}


# Every route may answer these (FastAPI's own 422 shape is replaced by ours).
ANY_ROUTE = errors(422, 500)
SIGNED_IN = errors(401, 403)
