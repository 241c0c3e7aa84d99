"""The guarantee clock: pure functions over dates and rule sets. Imports nothing else of the project."""

from app.guarantee.clock import SEVERITY, ClockResult, Flag, State, evaluate, flags_on
from app.guarantee.errors import InputError
from app.guarantee.events import STOPPING, Answer, ClockEvent, EventKind, PauseKind
from app.guarantee.pvv import PvvCondition, PvvRefused, check_pvv, missing_pvv_conditions
from app.guarantee.rules import PvvMode, RuleBook, RuleError, RuleSet, StepRule, parse_rule_set
from app.guarantee.validation import check_new_event

__all__ = [
    "SEVERITY", "STOPPING", "Answer", "ClockEvent", "ClockResult", "EventKind", "Flag", "InputError",
    "PauseKind", "PvvCondition", "PvvMode", "PvvRefused", "RuleBook", "RuleError", "RuleSet", "State",
    "StepRule", "check_new_event", "check_pvv", "evaluate", "flags_on", "missing_pvv_conditions", "parse_rule_set",
]
