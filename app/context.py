"""The application context handed to every service: the database, the signed-in user, rules and today."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.database import Database
from app.guarantee import RuleBook
from app.rulebook import shipped_rule_book
from app.settings import RULES, effective_rule_book
from db.models import Setting, User


@dataclass
class AppContext:
    db: Database
    user_id: int
    user_name: str
    rules: RuleBook = field(default_factory=shipped_rule_book)
    today: Callable[[], date] = date.today


def os_login() -> str:
    return getpass.getuser()


def sign_in(db: Database, login: str | None = None, display_name: str | None = None) -> AppContext:
    """The operating-system login identifies the user; a first sign-in creates the user row."""
    login = login or os_login()
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.login == login))
        if user is None:
            user = User(login=login, display_name=display_name or login)
            session.add(user)
            session.flush()
        overrides = session.get(Setting, RULES)
        return AppContext(db=db, user_id=user.id, user_name=user.display_name,
                          rules=effective_rule_book(overrides.value if overrides else None))
