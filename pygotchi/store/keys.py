"""Server keys kept in the database: made once by whichever process needs one first.

Several processes starting together on one PostgreSQL must end up with the same
key, so a key is inserted with "on conflict do nothing" and then read back: the
loser of the race reads the winner's value.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pygotchi.store.models import ServerKey

SECRET = "secret"  # CSRF tokens, device cookies, the OpenID Connect state cookie
VAPID = "vapid"  # the Web Push private key (PEM)
SETUP_CODE = "setup_code"  # first-run setup, until the first administrator exists


def _insert(s: Session):
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)


def get(s: Session, name: str) -> str | None:
    return s.scalar(select(ServerKey.value).where(ServerKey.name == name))


def get_or_create(s: Session, name: str, make: Callable[[], str]) -> str:
    """The key called ``name``; made with ``make()`` if no process made it before.

    Commits: the key must be visible to the others before this one uses it.
    """
    value = get(s, name)
    if value is None:
        s.execute(_insert(s)(ServerKey).values(name=name, value=make())
                  .on_conflict_do_nothing(index_elements=["name"]))
        s.commit()
        value = get(s, name)
    assert value is not None
    return value


def take(s: Session, name: str, value: str) -> bool:
    """Delete the key if it still has ``value``; False when another process took it first.

    Part of the caller's transaction: a one-time code is used up only if the rest
    of what it was used for commits too.
    """
    result = s.execute(delete(ServerKey).where(ServerKey.name == name,
                                               ServerKey.value == value))
    return result.rowcount == 1


def forget(s: Session, name: str) -> None:
    s.execute(delete(ServerKey).where(ServerKey.name == name))
