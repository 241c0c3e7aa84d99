"""The rule sets shipped in resources/rules, loaded once."""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files

from app.guarantee import RuleBook


@cache
def shipped_rule_book() -> RuleBook:
    with as_file(files("resources") / "rules") as folder:
        return RuleBook.from_dir(folder)


def step_names(book: RuleBook) -> dict[str, str]:
    """Short Swedish names of every step code, the newest rule set's wording winning."""
    names: dict[str, str] = {}
    for rule_set in book.rule_sets:
        names.update({code: rule.short_name for code, rule in rule_set.steps.items()})
    return names
