"""``/healthz`` for monitors and containers: no sign-in, no secrets."""

from __future__ import annotations

from fastapi import APIRouter, Request

from pygotchi import __version__
from pygotchi.server.api.deps import services

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> dict:
    scheduler = services(request).scheduler
    return {"status": "ok", "pets_running": scheduler.running_count(), "version": __version__,
            "pets_catching_up": scheduler.catching_up_count(),
            "max_lag_s": round(scheduler.max_lag(), 3)}
