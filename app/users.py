"""The case workers who can be assigned cases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.context import AppContext
from db.models import User


@dataclass(frozen=True)
class UserInfo:
    id: int
    display_name: str


def active_users(ctx: AppContext) -> list[UserInfo]:
    with ctx.db.transaction() as session:
        return [UserInfo(u.id, u.display_name)
                for u in session.scalars(select(User).where(User.active).order_by(User.display_name))]
