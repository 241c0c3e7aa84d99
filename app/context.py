"""The application context handed to every service: the database, the signed-in user, rules and today."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
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
    changes: Broadcast = field(default_factory=Broadcast)  # saves by others, told on the UI thread (app.changes)


def os_login() -> str:
    return getpass.getuser()


def sign_in(db: Database, login: str | None = None, display_name: str | None = None,
            hsa_id: str | None = None) -> AppContext:
    """The operating-system login identifies the user; a first sign-in creates the user row. While the database
    has no administratör (a new database; demo users are case workers), the one signing in becomes one."""
    login = login or os_login()
    # The login and names come from the operating system or the command line: refused here, before a user row
    # is written that Qt, the log and the letters could not show.
    check_texts({"Inloggning": (login, limit_of(User.login)), "Namn": (display_name, limit_of(User.display_name)),
                 "HSA-id": (hsa_id, limit_of(User.hsa_id))})
    try:
        return _sign_in(db, login, display_name, hsa_id)
    except IntegrityError:  # another instance created the same user a moment ago
        return _sign_in(db, login, display_name, hsa_id)


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
