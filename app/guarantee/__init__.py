"""The guarantee clock: pure functions over dates and rule sets. Imports nothing else of the project."""

from app.guarantee.clock import (
    FLAGLESS,
    MARKS,
    SEVERITY,
    STATE_RULE,
    STILL,
    ClockResult,
    Flag,
    State,
    StateLine,
    When,
    evaluate,
    flags_on,
    marks_of,
    state_on,
    state_until,
)
from app.guarantee.errors import InputError
from app.guarantee.events import STOPPING, Answer, ClockEvent, EventKind, PauseKind
from app.guarantee.pvv import PvvCondition, PvvRefused, check_pvv, missing_pvv_conditions
from app.guarantee.rules import PvvMode, RuleBook, RuleError, RuleSet, StartEvent, StepRule, parse_rule_set
from app.guarantee.validation import check_new_event

__all__ = [
    "FLAGLESS", "MARKS", "SEVERITY", "STATE_RULE", "STILL", "STOPPING", "Answer", "ClockEvent", "ClockResult", "EventKind",
    "Flag", "InputError", "PauseKind", "PvvCondition", "PvvMode", "PvvRefused", "RuleBook", "RuleError", "RuleSet",
    "StartEvent", "State", "StateLine", "StepRule", "When", "check_new_event", "check_pvv", "evaluate", "flags_on", "marks_of",
    "missing_pvv_conditions", "parse_rule_set", "state_on", "state_until",
]
