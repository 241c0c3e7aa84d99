"""The users: the case workers who can be assigned cases, and (for an administratör) everyone's details and role.

Users are never deleted, only made inactive: the access log refers to them for at least five years. There is
always at least one active administratör, so that someone can hand out roles."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app import server_roles
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.roles import Permission, Role, require
from app.settings import store_setting
from app.text_input import check_text, check_texts, limit_of
from db.models import User

log = logging.getLogger(__name__)

# SE, the organisation number (ten digits), a hyphen and the unit's own part: SE2321000016-ABCD.
HSA_ID = re.compile(r"SE\d{10}-[0-9A-Za-z]{1,40}")


@dataclass(frozen=True)
class UserInfo:
    id: int
    display_name: str


def active_users(ctx: AppContext) -> list[UserInfo]:
    with ctx.db.reading() as session:
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


@dataclass(frozen=True)
class UserChange:
    """What an administratör may change about a user (the login identifies the user and does not change)."""

    display_name: str
    hsa_id: str | None
    unit: str | None
    role: Role


def all_users(ctx: AppContext) -> list[UserDetails]:
    require(ctx.role, Permission.MANAGE_USERS)
    with ctx.db.reading() as session:
        return [UserDetails(u.id, u.login, u.display_name, u.hsa_id, u.role, u.unit, u.active)
                for u in session.scalars(select(User).order_by(User.display_name))]


def set_role(ctx: AppContext, user_id: int, role: Role) -> None:
    """An administratör hands out roles; the last administratör cannot give up the role."""
    require(ctx.role, Permission.MANAGE_USERS)
    with ctx.db.transaction() as session:
        _set_role(session, ctx, _user(session, user_id), role)


def add_user(ctx: AppContext, login: str, display_name: str = "", hsa_id: str | None = None,
             unit: str | None = None, role: Role = Role.VARDLOTS) -> int:
    """A user known before their first sign-in (so that cases can be assigned to them, with the right role)."""
    require(ctx.role, Permission.MANAGE_USERS)
    check_text(login, "Inloggning", limit_of(User.login))
    login = login.strip()
    if not login:
        raise InputError("Inloggning", "skriv användarens inloggningsnamn i Windows.")
    if len(login) > 120 or any(c in login for c in "\\/"):
        raise InputError("Inloggning", "skriv bara inloggningsnamnet, utan domän (till exempel anna.lots, "
                                       "inte REGION\\anna.lots).")
    change = _checked(UserChange(display_name.strip() or login, hsa_id, unit, role))
    with ctx.db.transaction() as session:
        if session.scalar(select(User.id).where(func.lower(User.login) == login.lower())) is not None:
            raise InputError("Inloggning", f"det finns redan en användare med inloggningen {login}.")
        user = User(login=login, display_name=change.display_name, hsa_id=change.hsa_id, unit=change.unit,
                    role=change.role.value, active=True)
        session.add(user)
        session.flush()
        store_setting(session, f"user.{user.id}.role", change.role.value, ctx.user_id)
        _on_server(session, lambda connection: (server_roles.grant_role(connection, login, change.role),
                                                server_roles.set_login(connection, login, True)))
        log.info("User %s added by %s", login, ctx.user_id)
        return user.id


def update_user(ctx: AppContext, user_id: int, change: UserChange) -> None:
    require(ctx.role, Permission.MANAGE_USERS)
    change = _checked(change)
    with ctx.db.transaction() as session:
        user = _user(session, user_id)
        user.display_name, user.hsa_id, user.unit = change.display_name, change.hsa_id, change.unit
        if user.role != change.role:
            _set_role(session, ctx, user, change.role)
        log.info("User %s changed by %s", user.login, ctx.user_id)


def set_active(ctx: AppContext, user_id: int, active: bool) -> None:
    """Deactivate (or activate again) a user: never deleted, the access log refers to them."""
    require(ctx.role, Permission.MANAGE_USERS)
    with ctx.db.transaction() as session:
        user = _user(session, user_id)
        if user.active and not active:
            _keep_an_administrator(session, user, "Aktiv")
        user.active = active
        store_setting(session, f"user.{user.id}.active", active, ctx.user_id)  # who changed it, when
        # on the server the login itself loses LOGIN and its open sessions end, in the same transaction
        _on_server(session, lambda connection: server_roles.set_login(connection, user.login, active))
        log.info("User %s %s by %s", user.login, "activated" if active else "deactivated", ctx.user_id)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("Användare", "användaren finns inte.")
    return user


def _set_role(session: Session, ctx: AppContext, user: User, role: Role) -> None:
    if role != Role.ADMINISTRATOR:
        _keep_an_administrator(session, user, "Roll")
    old = user.role
    user.role = role.value
    _on_server(session, lambda connection: server_roles.grant_role(connection, user.login, role))
    store_setting(session, f"user.{user.id}.role", role.value, ctx.user_id)  # who changed it, when, old → new
    log.info("Role of user %s changed from %s to %s by %s", user.login, old, role, ctx.user_id)


def _on_server(session: Session, change: Callable[[Connection], object]) -> None:
    """The login's side of a change, on a team server prepared with `lotsen db init-roles` (app.server_roles)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and server_roles.has_roles(connection):
        change(connection)


def _keep_an_administrator(session: Session, user: User, field: str) -> None:
    """Refuse to take away the last active administratör."""
    if user.role != Role.ADMINISTRATOR or not user.active:
        return
    admins = session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMINISTRATOR,
                                                                         User.active))
    if admins <= 1:
        raise InputError(field, "det måste finnas minst en administratör som är aktiv. Ge någon annan rollen "
                                "administratör först.")


def _checked(change: UserChange) -> UserChange:
    check_texts({"Namn": (change.display_name, limit_of(User.display_name)),
                 "HSA-id": (change.hsa_id, limit_of(User.hsa_id)), "Enhet": (change.unit, limit_of(User.unit))})
    name = change.display_name.strip()
    if not name:
        raise InputError("Namn", "skriv användarens namn.")
    if len(name) > 160:
        raise InputError("Namn", "namnet får vara högst 160 tecken.")
    hsa_id = (change.hsa_id or "").strip() or None
    if hsa_id is not None:
        hsa_id = hsa_id[:2].upper() + hsa_id[2:]
    if hsa_id is not None and not HSA_ID.fullmatch(hsa_id):
        raise InputError("HSA-id", "skriv HSA-id som SE, tio siffror, ett bindestreck och resten, till exempel "
                                   "SE2321000016-ABCD.")
    unit = (change.unit or "").strip() or None
    if unit is not None and len(unit) > 160:
        raise InputError("Enhet", "enhetens namn får vara högst 160 tecken.")
    try:
        role = Role(change.role)
    except ValueError as exc:
        raise InputError("Roll", "välj vårdlots, administratör eller granskare.") from exc
    return UserChange(name, hsa_id, unit, role)
