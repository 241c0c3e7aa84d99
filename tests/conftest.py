"""Shared fixtures. Qt runs offscreen; every test gets its own SQLite file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date
from pathlib import Path

import pytest

from app.context import AppContext, sign_in
from app.database import open_database

TODAY = date(2026, 11, 22)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "lotsen.sqlite"


@pytest.fixture
def ctx(db_path: Path):
    """A signed-in case worker on a fresh database file, with a fixed today."""
    db = open_database(db_path)
    context: AppContext = sign_in(db, "anna.lots", "Anna Lots")
    context.today = lambda: TODAY
    yield context
    db.close()


@pytest.fixture
def second(ctx, db_path):
    """Another instance of Lotsen (its own engine) on the same file, another case worker."""
    db = open_database(db_path)
    other = sign_in(db, "bo.lots", "Bo Lots")
    other.today = lambda: TODAY
    yield other
    db.close()
