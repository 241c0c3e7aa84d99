"""Which column starts a row's step. Each step kind has its own legal start (DOMAIN.md §2), kept in the rule set
(`StepRule.start_events`): a first visit starts on the referral (or the care request), a treatment on the decision
to treat, a return visit on its decision. A clinic's list carries these dates side by side, so the column is
chosen per row by its step; one generic "Startdatum (alla steg)" column serves only steps whose own column is not
mapped (a list whose EHR already computed each row's start)."""

from __future__ import annotations

from datetime import date

from app.guarantee import RuleBook, StartEvent, StepRule
from app.importer.rows import Row

START_FIELDS = {StartEvent.REFERRAL: "referral_on", StartEvent.REQUEST: "request_on",
                StartEvent.DECISION: "decision_on", StartEvent.CONTACT: "contact_on"}
GENERIC = "started_on"
DATE_FIELDS = (*START_FIELDS.values(), GENERIC)


def step_rules(rules: RuleBook) -> dict[str, StepRule]:
    """Each step code's rule from the newest rule set that has it (start events do not change between sets)."""
    found: dict[str, StepRule] = {}
    for rule_set in rules.rule_sets:
        found.update(rule_set.steps)
    return found


def start_date(row: Row, rule: StepRule) -> tuple[date | None, str]:
    """The row's start date and the field it came from; a missing or empty column is a problem on the row."""
    keys = [START_FIELDS[event] for event in rule.start_events] or [GENERIC]
    mapped = [key for key in keys if row.mapped(key)]
    if not mapped and row.mapped(GENERIC):
        mapped = [GENERIC]
    for key in mapped:
        if row.text(key):
            return row.date(key), key
    why = f"steget {rule.short_name} startar på {rule.starts_with[0].lower()}{rule.starts_with[1:]}"
    if not mapped:
        row.problem(keys[0], f"kolumnen är inte kopplad: {why}. Koppla kolumnen för "
                             + " eller ".join(row.column(key) for key in keys) + " och importera igen.")
        return None, keys[0]
    row.problem(mapped[0], f"värdet saknas: {why} ("
                           + " eller ".join(f"”{row.column(key)}”" for key in mapped) + ").")
    return None, mapped[0]


def describe(rules: RuleBook) -> list[tuple[str, str]]:
    """Which column starts which steps, for the wizard: ("Första besök, …", "Remissdatum eller Vårdbegäran …")."""
    from app.importer.fields import FIELDS, WAITING_LIST

    labels = {f.key: f.label for f in FIELDS[WAITING_LIST]}
    by_columns: dict[str, list[str]] = {}
    for rule in step_rules(rules).values():
        columns = " eller ".join(labels[START_FIELDS[event]] for event in rule.start_events) or labels[GENERIC]
        by_columns.setdefault(columns, []).append(rule.short_name)
    return [(", ".join(names), columns) for columns, names in by_columns.items()]
