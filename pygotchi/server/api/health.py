"""``/healthz`` for monitors and containers: no sign-in, no secrets.

``status`` is ``degraded`` (still 200: the server answers and pets run) while
checkpoints fail, e.g. on a full disk: pets go on in memory, but a crash would
lose what they did since the last checkpoint that worked.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from pygotchi import __version__
from pygotchi.server.api.deps import services

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    problems: list[str] = Field(description="what makes the status degraded, for a person")
    version: str
    pets_running: int
    pets_catching_up: int
    pets_unavailable: int = Field(description="pets the server could not load (see their "
                                              "error)")
    max_lag_s: float


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    scheduler = services(request).scheduler
    problems = []
    if scheduler.checkpoint_problem is not None:
        problems.append(f"checkpoints are failing ({scheduler.checkpoint_problem}): pets run, "
                        "but a crash would lose what they did since the last good one")
    return Health(status="degraded" if problems else "ok", problems=problems,
                  version=__version__, pets_running=scheduler.running_count(),
                  pets_catching_up=scheduler.catching_up_count(),
                  pets_unavailable=scheduler.unavailable_count(),
                  max_lag_s=round(scheduler.max_lag(), 3))
