"""IT's commands for the team server's logins: `lotsen db init-roles` and `lotsen db add-user`, run as the
database's owner (app.server_roles holds the roles and privileges)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import server_roles
from app.database import server_error
from app.errors import InputError
from app.location import Server
from app.roles import ROLE_NAMES, Role
from app.settings import store_setting
from app.text_input import check_texts, limit_of
from db.backend import writer
from db.engine import make_server_engine
from db.models import User

LOGIN = "Inloggning"


def init_roles(server: Server) -> None:
    engine = make_server_engine(server.url)
    try:
        with engine.begin() as connection:
            server_roles.init_roles(connection)
    except DBAPIError as exc:
        raise server_error(server, exc) from exc
    finally:
        engine.dispose()


def role_named(text: str) -> Role:
    """vårdlots, administratör or granskare, as a user writes it (with or without å, ö)."""
    wanted = text.strip().casefold()
    for role, name in ROLE_NAMES.items():
        if wanted in (name, role.value):
            return role
    raise InputError("Roll", f"{text!r} är ingen roll i Lotsen. Skriv vårdlots, administratör eller granskare.")


def add_user(server: Server, login: str, role_text: str, display_name: str = "") -> str:
    """A LOGIN role in the group and the user in Lotsen, in one transaction; an existing user gets the role.
    Returns the role's Swedish name."""
    role = role_named(role_text)
    login = login.strip()
    check_texts({LOGIN: (login, limit_of(User.login)), "Namn": (display_name, limit_of(User.display_name))})
    if not login or any(c in login for c in "\\/@\"'") or login != login.lower():
        raise InputError(LOGIN, "skriv inloggningen med små bokstäver och utan domän, till exempel anna.lots "
                                "(inte REGION\\Anna.Lots).")
    engine = make_server_engine(server.url)
    try:
        with writer(engine).begin() as connection, Session(bind=connection) as session:
            if not server_roles.has_roles(connection):
                raise InputError(LOGIN, f"servern saknar Lotsens roller. Kör först lotsen db init-roles --db {server}.")
            user = session.scalar(select(User).where(func.lower(User.login) == login))
            if user is None:
                user = User(login=login, display_name=display_name.strip() or login, role=role.value, active=True)
                session.add(user)
                session.flush()
            else:
                user.role, user.active = role.value, True
            store_setting(session, f"user.{user.id}.role", role.value, None)
            session.flush()
            server_roles.grant_role(connection, login, role)
            server_roles.set_login(connection, login, True)
    except DBAPIError as exc:
        raise server_error(server, exc) from exc
    finally:
        engine.dispose()
    return ROLE_NAMES[role]
