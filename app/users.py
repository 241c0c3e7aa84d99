"""The users: the case workers who can be assigned cases, and (for an administratör) everyone's role."""

from __future__ import annotations

from dataclasses import dataclass

import logging

from sqlalchemy import func, select

from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.roles import Permission, Role, require
from app.settings import store_setting
from db.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserInfo:
    id: int
    display_name: str


def active_users(ctx: AppContext) -> list[UserInfo]:
    with ctx.db.transaction() as session:
        return [UserInfo(u.id, u.display_name)
                for u in session.scalars(select(User).where(User.active).order_by(User.display_name))]


@dataclass(frozen=True)
class UserDetails:
    id: int
    login: str
    display_name: str
    hsa_id: str | None
    role: str
    unit: str | None
    active: bool


def all_users(ctx: AppContext) -> list[UserDetails]:
    require(ctx.role, Permission.MANAGE_USERS)
    with ctx.db.transaction() as session:
        return [UserDetails(u.id, u.login, u.display_name, u.hsa_id, u.role, u.unit, u.active)
                for u in session.scalars(select(User).order_by(User.display_name))]


def set_role(ctx: AppContext, user_id: int, role: Role) -> None:
    """An administratör hands out roles; the last administratör cannot give up the role."""
    require(ctx.role, Permission.MANAGE_USERS)
    with ctx.db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("Användare", "användaren finns inte.")
        admins = session.scalar(select(func.count()).where(User.role == Role.ADMINISTRATOR, User.active))
        if user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR and admins <= 1:
            raise InputError("Roll", "det måste finnas minst en administratör. Ge någon annan rollen först.")
        old = user.role
        user.role = role.value
        store_setting(session, f"user.{user.id}.role", role.value, ctx.user_id)  # who changed it, when, old → new
        log.info("Role of user %s changed from %s to %s by %s", user.login, old, role, ctx.user_id)
