"""User accounts, managed by administrators (and one's own password by oneself).

A password change ends the account's other sign-ins (and closes their live
views); changing one's own password asks for the current one, so a browser left
signed in is not enough to take the account over. An administrator setting
someone else's password is a *reset*: it ends all their sign-ins, revokes
their API tokens (whoever held the old password may have made some) and turns
two-factor sign-in off (the usual reason for a reset is a lost phone); the
person sets it up again.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from pygotchi.server.api.deps import DbId, services
from pygotchi.server.api.session import check_password
from pygotchi.server.auditlog import audit_add
from pygotchi.server.auth import AdminUser, CurrentUser
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.passwords import hash_password, password_problem, username_problem
from pygotchi.server.romlib import iso
from pygotchi.server.schemas import Body, errors
from pygotchi.store import pets as pet_store
from pygotchi.store import users as user_store
from pygotchi.store.models import ROLE_ADMIN, ROLE_PLAYER, User

router = APIRouter(prefix="/api/users", tags=["users"])


class NewUser(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)
    role: Literal["admin", "player"] = ROLE_PLAYER


class UserChange(Body):
    password: str | None = Field(None, max_length=2000)
    current_password: str | None = Field(
        None, max_length=2000, description="needed to change one's own password")
    role: Literal["admin", "player"] | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    created_at: str
    totp: bool = Field(description="two-factor sign-in is on")


def user_json(user: User) -> dict:
    return {"id": user.id, "username": user.username, "role": user.role,
            "created_at": iso(user.created_at), "totp": user.totp_secret is not None}


def _no_such_user() -> ApiError:
    return ApiError(404, "not_found", "there is no such user")


@router.get("", response_model=list[UserOut], responses=errors(401, 403))
def list_users(request: Request, admin: AdminUser) -> list[dict]:
    with services(request).db.session() as s:
        return [user_json(u) for u in user_store.list_users(s)]


@router.post("", status_code=201, response_model=UserOut,
             responses=errors(401, 403, 409, 422))
def create_user(body: NewUser, request: Request, admin: AdminUser) -> dict:
    problem = username_problem(body.username) or password_problem(body.password,
                                                                   body.username)
    if problem:
        raise ApiError(422, "invalid", problem)
    with services(request).db.session() as s:
        try:
            user = user_store.create_user(s, body.username, hash_password(body.password),
                                          body.role)
        except user_store.UsernameTaken:
            raise ApiError(409, "username_taken",
                           f"there is already a user called {body.username!r}") from None
        audit_add(s, request, "user_created", admin, f"user:{user.id}",
                  username=user.username, role=user.role)
        s.commit()
    event("user_created", user=user.id, username=user.username, role=user.role, by=admin.user_id)
    return user_json(user)


@router.patch("/{user_id}", response_model=UserOut, responses=errors(401, 403, 404, 409, 422))
def change_user(user_id: DbId, body: UserChange, request: Request, me: CurrentUser) -> dict:
    """Admins change anyone's role and reset anyone's password; everyone changes their own
    password by giving the current one too."""
    svc = services(request)
    if not me.is_admin and (user_id != me.user_id or body.role is not None):
        raise ApiError(403, "forbidden", "only an administrator can change other accounts "
                                         "or roles")
    own = user_id == me.user_id
    with svc.db.session() as s:
        target = user_store.get_user(s, user_id)
        if target is None:
            raise _no_such_user()
        name = target.username
    if body.password is not None:
        if (problem := password_problem(body.password, name)):
            raise ApiError(422, "invalid", problem)
        if own:
            if not body.current_password:
                raise ApiError(422, "current_password_required",
                               "give your current password too (current_password)")
            try:
                _, attempt = check_password(svc, request, me.username, body.current_password)
            except ApiError as exc:
                if exc.status != 401:
                    raise
                raise ApiError(403, "wrong_password", "the current password is wrong") \
                    from None
            svc.throttle.end(attempt, ok=True)
    ended: list[str] = []
    revoked: list[int] = []
    with svc.db.session() as s:
        user = user_store.get_user(s, user_id)
        if user is None:
            raise _no_such_user()
        if body.role is not None and body.role != user.role:
            if user.role == ROLE_ADMIN and user_store.count_admins(s) <= 1:
                raise ApiError(409, "last_admin", "this is the only administrator: make "
                                                  "someone else an administrator first")
            user.role = body.role
            audit_add(s, request, "user_changed", me, f"user:{user.id}", role=body.role)
        if body.password is not None:
            user.password_hash = hash_password(body.password)
            # Other sign-ins of this account end; the one making the change stays.
            ended = user_store.delete_user_sessions(s, user.id,
                                                    keep=me.session_hash if own else None)
            if not own:  # a reset: whoever had the password may have made tokens; and
                # the person may have lost the phone with their authenticator app
                revoked = user_store.delete_user_tokens(s, user.id)
                user.totp_secret = user.totp_pending = user.totp_last_step = None
            audit_add(s, request, "password_changed" if own else "password_reset", me,
                      f"user:{user.id}", sessions_ended=len(ended), tokens_revoked=len(revoked))
        s.commit()
        result = user_json(user)
    svc.sockets.close_sessions(ended, "signed out: the password was changed")
    svc.sockets.close_tokens(revoked, "the password was reset and the API tokens revoked")
    event("user_changed", user=user_id, by=me.user_id, role=result["role"],
          password=body.password is not None)
    return result


@router.delete("/{user_id}", status_code=204, responses=errors(401, 403, 404, 409))
def delete_user(user_id: DbId, request: Request, admin: AdminUser) -> Response:
    svc = services(request)
    with svc.db.session() as s:
        user = user_store.get_user(s, user_id)
        if user is None:
            raise _no_such_user()
        if user.role == ROLE_ADMIN and user_store.count_admins(s) <= 1:
            raise ApiError(409, "last_admin", "this is the only administrator and cannot be "
                                              "deleted")
        pet_ids = pet_store.pet_ids_of(s, user_id)
        audit_add(s, request, "user_deleted", admin, f"user:{user_id}",
                  username=user.username, pets=len(pet_ids))
        user_store.delete_user(s, user_id)
        s.commit()
    for pet_id in pet_ids:
        svc.scheduler.remove(pet_id)
    svc.sockets.close_user(user_id, "this account was deleted")
    event("user_deleted", user=user_id, by=admin.user_id, pets=len(pet_ids))
    return Response(status_code=204)
