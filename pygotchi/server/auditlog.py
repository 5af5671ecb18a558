"""Recording security events from the routes (the table and its queries: store/audit.py).

``audit_add`` puts the event in the route's own database transaction, so the
change and its record commit together; ``audit`` writes one on its own, for
changes that are not a single transaction (pets, ROM files). A failure to write
the record is logged and does not turn a change that happened into an error.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from pygotchi.server.auth import Principal
from pygotchi.server.clientaddr import client_address
from pygotchi.server.logs import event
from pygotchi.store import Database
from pygotchi.store.audit import add_event


def audit_add(s: Session, conn: HTTPConnection, kind: str, who: Principal | None,
              subject: str = "", *, actor_id: int | None = None, actor: str = "",
              **detail: Any) -> None:
    add_event(s, kind, actor_id=who.user_id if who else actor_id,
              actor=who.username if who else actor, subject=subject,
              address=client_address(conn), **detail)


def audit(db: Database, conn: HTTPConnection, kind: str, who: Principal | None,
          subject: str = "", **detail: Any) -> None:
    try:
        with db.session() as s:
            audit_add(s, conn, kind, who, subject, **detail)
            s.commit()
    except Exception as exc:  # the change happened; say so in the log
        event("audit_failed", logging.ERROR, kind=kind, subject=subject,
              error=f"{type(exc).__name__}: {exc}")
