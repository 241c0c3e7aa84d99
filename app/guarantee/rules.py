"""Rule sets: the guarantee's numbers as data with a validity period (resources/rules/*.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.guarantee.events import PauseKind


class PvvMode(StrEnum):
    RESTART = "restart"  # the clock starts over with the full limit when the patient asks again (default)
    PAUSE = "pause"      # the PvV period is excluded like MoV


class StartEvent(StrEnum):
    """The dated record that starts a step's clock (day 0); a clinic's list carries each in its own column."""

    CONTACT = "kontakt"      # the patient seeks contact (primary care)
    REFERRAL = "remiss"      # referral issued
    REQUEST = "vardbegaran"  # care request received, without a referral
    DECISION = "beslut"      # the provider's decision (to treat, to assess in depth, on a return visit)


class RuleError(ValueError):
    """A rule set file is malformed, or no rule set covers a date."""


@dataclass(frozen=True, slots=True)
class StepRule:
    code: str
    name: str
    short_name: str                    # for lists, where the full name does not fit
    status: str                        # "lag", "nationellt mål", "uppföljning"
    limit_days: int | None             # None: the deadline is the step's medical target date
    starts_with: str
    stops_with: str
    akut_remaining_days: int
    start_events: tuple[StartEvent, ...] = ()  # which record starts the clock, in order of preference
    risk_waited_days: int | None = None
    notice_days: int | None = None     # the 14-day notice applies when set
    pause_kinds: tuple[PauseKind, ...] = ()
    care_elsewhere_duty: bool = False  # HSL 9 kap. 2 §: care elsewhere at no extra cost
    fas: int | None = None             # SKR code list Fas, for the national export
    regional_target_days: int | None = None  # a region's shorter target, shown beside the legal deadline
    long_wait_days: int = 730          # waited longer than this, a reason must be recorded (SOU 2021:59)


@dataclass(frozen=True, slots=True)
class RuleSet:
    id: str
    name: str
    valid_from: date
    valid_to: date | None  # exclusive
    escalation_bands: tuple[int, ...]
    active_waiting_days: int
    pvv_mode: PvvMode
    steps: Mapping[str, StepRule] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def step(self, code: str) -> StepRule:
        try:
            return self.steps[code]
        except KeyError:
            raise RuleError(f"Regelverket {self.name} saknar steget {code}.") from None

    def with_overrides(self, *, steps: Mapping[str, Mapping[str, Any]] | None = None, **fields: Any) -> RuleSet:
        """A copy with a region's own settings applied (thresholds, intervals, regional targets)."""
        new_steps = dict(self.steps)
        for code, changes in (steps or {}).items():
            new_steps[code] = replace(self.step(code), **changes)
        return replace(self, steps=new_steps, **fields)


class RuleBook:
    """All rule sets; the one in force on a step's start date governs that step."""

    def __init__(self, rule_sets: Iterable[RuleSet]):
        self.rule_sets = tuple(sorted(rule_sets, key=lambda r: r.valid_from))
        if not self.rule_sets:
            raise RuleError("Inga regelverk hittades.")
        for earlier, later in zip(self.rule_sets, self.rule_sets[1:], strict=False):
            if earlier.valid_to is None or earlier.valid_to > later.valid_from:
                raise RuleError(f"Regelverken {earlier.id} och {later.id} gäller samtidigt.")

    def for_date(self, day: date) -> RuleSet:
        for rule_set in reversed(self.rule_sets):
            if rule_set.covers(day):
                return rule_set
        raise RuleError(f"Inget regelverk gäller {day.isoformat()}.")

    def replace_rule_set(self, rule_set: RuleSet) -> RuleBook:
        return RuleBook(rule_set if r.id == rule_set.id else r for r in self.rule_sets)

    @classmethod
    def from_dir(cls, folder: Path) -> RuleBook:
        return cls(parse_rule_set(p.read_text(encoding="utf-8"), p.name) for p in sorted(folder.glob("*.toml")))


def parse_rule_set(text: str, source: str = "<regelverk>") -> RuleSet:
    try:
        raw = tomllib.loads(text)
        steps = {
            code: StepRule(
                code=code,
                name=s["name"],
                short_name=s.get("short_name", s["name"]),
                status=s["status"],
                limit_days=s.get("limit_days"),
                starts_with=s["starts_with"],
                start_events=tuple(StartEvent(e) for e in s.get("start_events", [])),
                stops_with=s["stops_with"],
                akut_remaining_days=s["akut_remaining_days"],
                risk_waited_days=s.get("risk_waited_days"),
                long_wait_days=s.get("long_wait_days", 730),
                notice_days=s.get("notice_days"),
                pause_kinds=tuple(PauseKind(k) for k in s.get("pause_kinds", [])),
                care_elsewhere_duty=s.get("care_elsewhere_duty", False),
                fas=s.get("fas"),
                regional_target_days=s.get("regional_target_days"),
            )
            for code, s in raw["steps"].items()
        }
        return RuleSet(
            id=raw["id"],
            name=raw["name"],
            valid_from=raw["valid_from"],
            valid_to=raw.get("valid_to"),
            escalation_bands=tuple(sorted(raw["escalation_bands"])),
            active_waiting_days=raw["active_waiting_days"],
            pvv_mode=PvvMode(raw.get("pvv_mode", "restart")),
            steps=steps,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"Regelverket {source} kan inte läsas: {exc}") from exc
