"""The data-quality list, readable at full scale: tens of thousands of issues are a handful of problems, each
shown once with how many cases it concerns, then its cases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.export.records import Issue


@dataclass(frozen=True)
class IssueGroup:
    """One problem (the same field and message, so the same value to fix) and the cases that have it."""

    field: str
    message: str
    blocking: bool
    case_ids: tuple[int, ...]  # ascending, each once

    @property
    def consequence(self) -> str:
        return "Skickas inte förrän felet är rättat" if self.blocking else "Skickas ändå"


def group_issues(issues: Iterable[Issue]) -> list[IssueGroup]:
    """The problems, those that keep records out of the file first, then by how many cases they concern."""
    cases: dict[tuple[str, str, bool], set[int]] = {}
    for issue in issues:
        cases.setdefault((issue.field, issue.message, issue.blocking), set()).add(issue.case_id)
    groups = [IssueGroup(field, message, blocking, tuple(sorted(ids)))
              for (field, message, blocking), ids in cases.items()]
    return sorted(groups, key=lambda g: (not g.blocking, -len(g.case_ids), g.field, g.message))
