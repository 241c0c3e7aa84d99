"""The application context handed to every service: the database, the signed-in user, rules and today."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.changes import Broadcast
from app.database import Database
from app.errors import PermissionDenied
from app.guarantee import RuleBook
from app.roles import Role
from app.rulebook import shipped_rule_book
from app.settings import RULES, effective_rule_book
from app.text_input import check_texts, limit_of
from db.models import Setting, User


@dataclass
class AppContext:
    db: Database
    user_id: int
    user_name: str
    rules: RuleBook = field(default_factory=shipped_rule_book)
    today: Callable[[], date] = date.today
    role: str = Role.VARDLOTS  # app.roles; read at sign-in
    unit: str | None = None    # the user's care unit, written on every access-log row
    rule_overrides: Any = None  # the stored thresholds `rules` was built from (app.rule_settings.current_rules)
    changes: Broadcast = field(default_factory=Broadcast)  # saves, ours and others' (app.changes)


def os_login() -> str:
    return getpass.getuser()


def sign_in(db: Database, login: str | None = None, display_name: str | None = None,
            hsa_id: str | None = None) -> AppContext:
    """On a file, the operating-system login identifies the user; a first sign-in creates the user row. While the
    database has no administratör (a new database; demo users are case workers), the one signing in becomes one.
    On the team server, the server's login does (server_sign_in)."""
    if db.server is not None:
        return server_sign_in(db, login, display_name, hsa_id)
    login = login or os_login()
    # The login and names come from the operating system or the command line: refused here, before a user row
    # is written that Qt, the log and the letters could not show.
    check_texts({"Inloggning": (login, limit_of(User.login)), "Namn": (display_name, limit_of(User.display_name)),
                 "HSA-id": (hsa_id, limit_of(User.hsa_id))})
    try:
        return _sign_in(db, login, display_name, hsa_id)
    except IntegrityError:  # another instance created the same user a moment ago
        return _sign_in(db, login, display_name, hsa_id)


def server_sign_in(db: Database, login: str | None = None, display_name: str | None = None,
                   hsa_id: str | None = None) -> AppContext:
    """On the team server the user is the login the server accepted (session_user: Kerberos, a password or a
    certificate), never an environment variable, and the role is the login's group (app.server_roles). Only the
    database owner's own connection, which belongs to no group (IT's tools, tests), may name the user."""
    from app.server_roles import group_role

    # what the command line names is refused before the server sees it (a NUL byte, for one, it cannot hold)
    check_texts({"Inloggning": (login, limit_of(User.login)), "Namn": (display_name, limit_of(User.display_name)),
                 "HSA-id": (hsa_id, limit_of(User.hsa_id))})
    with db.transaction() as session:
        connection = session.connection()
        server_login = connection.scalar(text("SELECT session_user"))
        role = group_role(connection)
        if role is None and login is None:
            role_hint = "" if server_login is None else f" ({server_login})"
            raise PermissionDenied("Inloggning", f"din inloggning på databasservern{role_hint} är inte en "
                                   "användare i Lotsen. Be IT ge dig behörighet till Lotsen.")
        if role is not None and login not in (None, server_login):
            raise PermissionDenied("Inloggning", f"du är inloggad på databasservern som {server_login} och kan "
                                   f"inte använda Lotsen som {login}.")
        name = server_login if role is not None else login
        user = session.scalar(select(User).where(User.login == name))
        if user is None and role is not None:
            raise PermissionDenied("Inloggning", f"inloggningen {name} har behörighet på databasservern men finns "
                                   "inte bland Lotsens användare. Be IT lägga till dig i Lotsen.")
    if role is None:  # the owner's own connection, naming the user
        try:
            return _sign_in(db, name, display_name, hsa_id)
        except IntegrityError:  # another instance created the same user a moment ago
            return _sign_in(db, name, display_name, hsa_id)
    if not user.active:
        raise PermissionDenied("Inloggning", f"användaren {name} är inaktiverad i Lotsen. Kontakta den som "
                               "är administratör för Lotsen.")
    overrides = _rule_overrides(db)
    return AppContext(db=db, user_id=user.id, user_name=user.display_name,
                      rules=effective_rule_book(overrides), rule_overrides=overrides, role=role.value,
                      unit=user.unit)


def _rule_overrides(db: Database) -> Any:
    with db.reading() as session:
        row = session.get(Setting, RULES)
        return row.value if row else None


def _sign_in(db: Database, login: str, display_name: str | None, hsa_id: str | None) -> AppContext:
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.login == login))
        if user is None:
            has_admin = session.scalar(select(User.id).where(User.role == Role.ADMINISTRATOR).limit(1))
            user = User(login=login, display_name=display_name or login, hsa_id=hsa_id,
                        role=(Role.VARDLOTS if has_admin else Role.ADMINISTRATOR).value)
            session.add(user)
            session.flush()
        elif not user.active:
            raise PermissionDenied("Inloggning", f"användaren {login} är inaktiverad i Lotsen. Kontakta den som "
                                   "är administratör för Lotsen.")
        elif hsa_id and user.hsa_id != hsa_id:
            user.hsa_id = hsa_id
        overrides = session.get(Setting, RULES)
        return AppContext(db=db, user_id=user.id, user_name=user.display_name,
                          rules=effective_rule_book(overrides.value if overrides else None),
                          rule_overrides=overrides.value if overrides else None,
                          role=user.role, unit=user.unit)
