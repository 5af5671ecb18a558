"""Users, browser sessions and personal API tokens.

Secrets never reach the database in the clear: session cookies and API tokens
are stored as their sha256, passwords as argon2id hashes made by the caller.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pygotchi.store.models import ROLE_ADMIN, ApiToken, User, WebSession, utcnow


class UsernameTaken(Exception):
    """Another account already has this name (names are compared without case)."""


def username_key(username: str) -> str:
    return username.casefold()


def count_users(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User)) or 0


def count_admins(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User).where(User.role == ROLE_ADMIN)) or 0


def get_user(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def find_user(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username_key == username_key(username)))


def list_users(s: Session) -> list[User]:
    return list(s.scalars(select(User).order_by(User.id)))


def create_user(s: Session, username: str, password_hash: str, role: str) -> User:
    """Add a user and flush (the caller commits); UsernameTaken if the name is in use."""
    user = User(username=username, username_key=username_key(username),
                password_hash=password_hash, role=role)
    s.add(user)
    try:
        s.flush()
    except IntegrityError:
        s.rollback()
        raise UsernameTaken(username) from None
    return user


def find_oidc_user(s: Session, issuer: str, subject: str) -> User | None:
    return s.scalar(select(User).where(User.oidc_issuer == issuer,
                                       User.oidc_subject == subject))


def free_username(s: Session, wanted: str) -> str:
    """``wanted`` if no account has it, else ``wanted2``, ``wanted3``... (cut to fit 32)."""
    n = 1
    while True:
        suffix = "" if n == 1 else str(n)
        name = wanted[:32 - len(suffix)] + suffix
        if find_user(s, name) is None:
            return name
        n += 1


def create_oidc_user(s: Session, issuer: str, subject: str, wanted: str, role: str,
                     no_password: str) -> User:
    """The account of a provider's user at their first sign-in, under a free name.

    Two first sign-ins of the same person at once make one account: the loser of
    the race finds the winner's row.
    """
    while True:
        name = free_username(s, wanted)
        user = User(username=name, username_key=username_key(name), password_hash=no_password,
                    role=role, oidc_issuer=issuer, oidc_subject=subject)
        s.add(user)
        try:
            s.flush()
            return user
        except IntegrityError:
            s.rollback()
            existing = find_oidc_user(s, issuer, subject)
            if existing is not None:
                return existing


def delete_user(s: Session, user_id: int) -> None:
    s.execute(delete(User).where(User.id == user_id))


# --- sessions ------------------------------------------------------------------

def create_session(s: Session, user_id: int, token_hash: str, expires_at: datetime,
                   id_token: str | None = None, user_agent: str = "",
                   address: str = "") -> None:
    s.add(WebSession(token_hash=token_hash, user_id=user_id, expires_at=expires_at,
                     id_token=id_token, user_agent=user_agent[:200], address=address[:64]))


def list_sessions(s: Session, user_id: int) -> list[WebSession]:
    """A user's live sign-ins, most recently seen first."""
    return list(s.scalars(select(WebSession).where(WebSession.user_id == user_id,
                                                   WebSession.expires_at > utcnow())
                          .order_by(WebSession.last_seen_at.desc())))


def get_session(s: Session, token_hash: str) -> tuple[WebSession, User] | None:
    row = s.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    session, user = row
    if session.expires_at <= utcnow():
        return None
    return session, user


def touch_session(s: Session, token_hash: str, expires_at: datetime,
                  address: str | None = None) -> None:
    values: dict = {"last_seen_at": utcnow(), "expires_at": expires_at}
    if address:
        values["address"] = address[:64]
    s.execute(update(WebSession).where(WebSession.token_hash == token_hash).values(**values))


def delete_session(s: Session, token_hash: str) -> None:
    s.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def delete_user_sessions(s: Session, user_id: int, keep: str | None = None) -> list[str]:
    """Sign a user out everywhere (but in the session ``keep``): after a password change.
    Returns the hashes of the sessions ended, so their live sockets can be closed."""
    query = select(WebSession.token_hash).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.token_hash != keep)
    ended = list(s.scalars(query))
    if ended:
        s.execute(delete(WebSession).where(WebSession.token_hash.in_(ended)))
    return ended


def purge_expired_sessions(s: Session) -> int:
    result = s.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    return result.rowcount or 0


# --- API tokens ----------------------------------------------------------------

def create_token(s: Session, user_id: int, name: str, token_hash: str) -> ApiToken:
    token = ApiToken(user_id=user_id, name=name, token_hash=token_hash)
    s.add(token)
    s.flush()
    return token


def count_tokens(s: Session, user_id: int) -> int:
    return s.scalar(select(func.count()).select_from(ApiToken)
                    .where(ApiToken.user_id == user_id)) or 0


def delete_user_tokens(s: Session, user_id: int) -> list[int]:
    """Revoke every API token of a user (an administrator reset their password)."""
    ids = list(s.scalars(select(ApiToken.id).where(ApiToken.user_id == user_id)))
    if ids:
        s.execute(delete(ApiToken).where(ApiToken.id.in_(ids)))
    return ids


def list_tokens(s: Session, user_id: int) -> list[ApiToken]:
    return list(s.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                          .order_by(ApiToken.id)))


def find_token(s: Session, token_hash: str) -> tuple[ApiToken, User] | None:
    row = s.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def live_credentials(s: Session, hashes: set[str], token_ids: set[int]
                     ) -> tuple[set[str], set[int]]:
    """Which of these sessions (unexpired) and tokens still exist."""
    sessions = set(s.scalars(select(WebSession.token_hash).where(
        WebSession.token_hash.in_(hashes), WebSession.expires_at > utcnow()))) if hashes else set()
    tokens = set(s.scalars(select(ApiToken.id).where(ApiToken.id.in_(token_ids)))) \
        if token_ids else set()
    return sessions, tokens


def token_exists(s: Session, token_id: int) -> bool:
    return s.get(ApiToken, token_id) is not None


def touch_token(s: Session, token_id: int) -> None:
    s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def delete_token(s: Session, user_id: int, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if they have no such token."""
    result = s.execute(delete(ApiToken).where(ApiToken.id == token_id,
                                              ApiToken.user_id == user_id))
    return bool(result.rowcount)
