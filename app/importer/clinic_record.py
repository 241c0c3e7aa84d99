"""The clinic's own record of a row's step (DOMAIN.md §8): its booked date (planerat datum) and SKR's Avvikelse
code (1 patientvald, 2 medicinskt orsakad, 3 särskilt orsakad väntan; the code or its Swedish words) with its
dates. A booked date after the step's deadline is what the worklist shows as "bokad efter tidsgränsen"."""

from __future__ import annotations

from datetime import date

from app.guarantee import PauseKind, StepRule
from app.importer.rows import Row

FIELDS = ("planned_on", "deviation", "deviation_from", "deviation_to")
DEVIATIONS = {1: "patientvald väntan", 2: "medicinskt orsakad väntan", 3: "särskilt orsakad väntan"}
_WORDS = {**{str(code): code for code in DEVIATIONS}, **{name: code for code, name in DEVIATIONS.items()},
          "pvv": 1, "mov": 2, "sov": 3}
_PAUSES = {2: PauseKind.MOV, 3: PauseKind.SOV}


def clinic_record(row: Row, rule: StepRule, started_on: date | None) -> dict | None:
    """The record's columns for list_record, or None when the list has none of them. What goes on the clock from
    it (app.importer.deviations) is checked here as far as the row alone can tell: the step kind and the dates."""
    if not any(row.mapped(key) for key in FIELDS):
        return None
    planned = row.date("planned_on")
    text = row.text("deviation")
    code = _WORDS.get(" ".join(text.casefold().split())) if text else None
    if text and code is None:
        row.problem("deviation", f"okänd avvikelse ”{text}”. Använd SKR:s koder 1 (patientvald väntan), "
                                 "2 (medicinskt orsakad väntan) eller 3 (särskilt orsakad väntan).")
    elif code is not None and not rule.pause_kinds:  # primary care (DOMAIN.md §2.2)
        row.problem("deviation", f"steget {rule.short_name} har inga undantag från vårdgarantin; en avvikelse "
                                 f"({DEVIATIONS[code]}) kan inte registreras för det.")
    elif code in _PAUSES and _PAUSES[code] not in rule.pause_kinds:
        row.problem("deviation", f"{DEVIATIONS[code]} gäller inte steget {rule.short_name}.")
    start, end = row.date("deviation_from"), row.date("deviation_to")
    if code is not None and start is None and not row.text("deviation_from"):
        row.problem("deviation_from", "värdet saknas: en avvikelse gäller från ett datum.")
    if code is None and not text and (start or end):
        row.problem("deviation", "värdet saknas: ange avvikelsens kod (1, 2 eller 3) till datumen.")
    if code is not None and start and started_on and start < started_on:
        row.problem("deviation_from", f"avvikelsen börjar {start.isoformat()}, före stegets startdatum "
                                      f"{started_on.isoformat()}.")
    if start and end and end <= start:
        row.problem("deviation_to", f"avvikelsen slutar {end.isoformat()}, inte efter att den börjar "
                                    f"{start.isoformat()}.")
    return {"planned_on": planned, "deviation": code, "deviation_from": start, "deviation_to": end}
