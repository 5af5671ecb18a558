"""The live service: FastAPI app, scheduler, websockets, accounts and settings.

``create_app(settings)`` builds the application; ``python -m pygotchi`` runs it
with uvicorn. The HTTP/WebSocket contract is ``API.md`` in this folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from pygotchi.server.settings import Settings


def create_app(settings: Settings | None = None, **kwargs) -> FastAPI:
    from pygotchi.server.app import create_app as _create_app

    return _create_app(settings, **kwargs)


__all__ = ["create_app"]
