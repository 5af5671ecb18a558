"""User accounts, managed by administrators (and one's own password by oneself)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from pygotchi.server.api.deps import services
from pygotchi.server.auth import AdminUser, CurrentUser
from pygotchi.server.errors import ApiError
from pygotchi.server.logs import event
from pygotchi.server.passwords import hash_password, password_problem, username_problem
from pygotchi.server.romlib import iso
from pygotchi.store import pets as pet_store
from pygotchi.store import users as user_store
from pygotchi.store.models import ROLE_ADMIN, ROLE_PLAYER, User

router = APIRouter(prefix="/api/users", tags=["users"])


class NewUser(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)
    role: Literal["admin", "player"] = ROLE_PLAYER


class UserChange(BaseModel):
    password: str | None = Field(None, max_length=2000)
    role: Literal["admin", "player"] | None = None


def user_json(user: User) -> dict:
    return {"id": user.id, "username": user.username, "role": user.role,
            "created_at": iso(user.created_at)}


def _no_such_user() -> ApiError:
    return ApiError(404, "not_found", "there is no such user")


@router.get("")
def list_users(request: Request, admin: AdminUser) -> list[dict]:
    with services(request).db.session() as s:
        return [user_json(u) for u in user_store.list_users(s)]


@router.post("", status_code=201)
def create_user(body: NewUser, request: Request, admin: AdminUser) -> dict:
    problem = username_problem(body.username) or password_problem(body.password)
    if problem:
        raise ApiError(422, "invalid", problem)
    with services(request).db.session() as s:
        try:
            user = user_store.create_user(s, body.username, hash_password(body.password),
                                          body.role)
        except user_store.UsernameTaken:
            raise ApiError(409, "username_taken",
                           f"there is already a user called {body.username!r}") from None
        s.commit()
    event("user_created", user=user.id, username=user.username, role=user.role, by=admin.user_id)
    return user_json(user)


@router.patch("/{user_id}")
def change_user(user_id: int, body: UserChange, request: Request, me: CurrentUser) -> dict:
    """Admins change anyone's password or role; a player only their own password."""
    if not me.is_admin and (user_id != me.user_id or body.role is not None):
        raise ApiError(403, "forbidden", "only an administrator can change other accounts "
                                         "or roles")
    if body.password is not None and (problem := password_problem(body.password)):
        raise ApiError(422, "invalid", problem)
    with services(request).db.session() as s:
        user = user_store.get_user(s, user_id)
        if user is None:
            raise _no_such_user()
        if body.role is not None and body.role != user.role:
            if user.role == ROLE_ADMIN and user_store.count_admins(s) <= 1:
                raise ApiError(409, "last_admin", "this is the only administrator: make "
                                                  "someone else an administrator first")
            user.role = body.role
        if body.password is not None:
            user.password_hash = hash_password(body.password)
            # Other sign-ins of this account end; the one making the change stays.
            keep = me.session_hash if me.user_id == user.id else None
            user_store.delete_user_sessions(s, user.id, keep=keep)
        s.commit()
        event("user_changed", user=user.id, by=me.user_id, role=user.role,
              password=body.password is not None)
        return user_json(user)


@router.delete("/{user_id}", status_code=204)
def delete_user(user_id: int, request: Request, admin: AdminUser) -> Response:
    svc = services(request)
    with svc.db.session() as s:
        user = user_store.get_user(s, user_id)
        if user is None:
            raise _no_such_user()
        if user.role == ROLE_ADMIN and user_store.count_admins(s) <= 1:
            raise ApiError(409, "last_admin", "this is the only administrator and cannot be "
                                              "deleted")
        pet_ids = pet_store.pet_ids_of(s, user_id)
        user_store.delete_user(s, user_id)
        s.commit()
    for pet_id in pet_ids:
        svc.scheduler.remove(pet_id)
    event("user_deleted", user=user_id, by=admin.user_id, pets=len(pet_ids))
    return Response(status_code=204)
