"""The rule sets shipped in resources/rules, loaded once."""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files

from app.guarantee import RuleBook


@cache
def shipped_rule_book() -> RuleBook:
    with as_file(files("resources") / "rules") as folder:
        return RuleBook.from_dir(folder)
