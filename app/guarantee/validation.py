"""Refuse events that cannot be counted, with a Swedish message naming the field to correct."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.guarantee.errors import InputError
from app.guarantee.events import STOPPING, ClockEvent, EventKind, PauseKind
from app.guarantee.rules import RuleBook, RuleError, RuleSet

FIELD = {
    EventKind.START: "Startdatum",
    EventKind.INFORMED: "Datum för information",
    EventKind.NOTICE: "Datum för besked",
    EventKind.CONTACT: "Kontaktdatum",
    EventKind.OFFER: "Datum för erbjudandet",
    EventKind.ANSWER: "Svarsdatum",
    EventKind.PAUSE_START: "Startdatum för pausen",
    EventKind.PAUSE_END: "Slutdatum för pausen",
    EventKind.PVV: "Datum för patientvald väntan",
    EventKind.RESTART: "Datum för ny start",
    EventKind.COMPLETED: "Genomfört datum",
    EventKind.CLOSED: "Avslutsdatum",
}
PAUSE_NAME = {PauseKind.MOV: "medicinskt orsakad väntan", PauseKind.SOV: "särskilt orsakad väntan"}


def check_new_event(
    step: str, events: Sequence[ClockEvent], new: ClockEvent, today: date, book: RuleBook
) -> None:
    field = FIELD[new.kind]
    if new.on > today:
        raise InputError(field, f"{new.on.isoformat()} ligger i framtiden. Ange ett datum som redan har varit.")
    starts = [e for e in events if e.kind is EventKind.START]
    if new.kind is EventKind.START:
        if starts:
            raise InputError(field, "steget har redan ett startdatum.")
        rule = rule_set_for_start(book, new.on, field).step(step)
        if rule.limit_days is None and (new.target is None or new.target <= new.on):
            raise InputError("Medicinskt måldatum", "ange ett måldatum som ligger efter startdatumet.")
        return
    if not starts:
        raise InputError("Startdatum", "steget saknar startdatum.")
    start = starts[0].on
    if new.on < start:
        raise InputError(field, f"{new.on.isoformat()} ligger före stegets startdatum {start.isoformat()}.")
    stop = next((e for e in events if e.kind in STOPPING), None)
    if stop:
        raise InputError(field, f"steget avslutades {stop.on.isoformat()}; inga fler händelser kan registreras.")
    _check_kind(step, events, new, field, book.for_date(start).step(step).pause_kinds)


def rule_set_for_start(book: RuleBook, day: date, field: str = FIELD[EventKind.START]) -> RuleSet:
    """The rule set that governs a step starting on `day`; a day no rule set covers (before the guarantee's first
    rule set, 2010-07-01) is bad input, named with the earliest day that can be entered."""
    try:
        return book.for_date(day)
    except RuleError:
        first = book.rule_sets[0].valid_from
        if day < first:
            raise InputError(field, f"{day.isoformat()} ligger före vårdgarantins första regelverk i Lotsen. "
                                    f"Tidigaste datum som går att ange är {first.isoformat()}.") from None
        raise InputError(field, f"inget regelverk för vårdgarantin gäller {day.isoformat()}.") from None


def _check_kind(
    step: str, events: Sequence[ClockEvent], new: ClockEvent, field: str, pause_kinds: tuple[PauseKind, ...]
) -> None:
    if new.kind is EventKind.OFFER:
        if new.appointment is None:
            raise InputError("Erbjuden tid", "ange datum för den erbjudna tiden.")
        if new.appointment < new.on:
            raise InputError("Erbjuden tid", "den erbjudna tiden ligger före dagen för erbjudandet.")
    elif new.kind is EventKind.ANSWER:
        if new.answer is None:
            raise InputError("Svar", "ange patientens svar.")
        if not any(e.kind is EventKind.OFFER and e.on <= new.on for e in events):
            raise InputError(field, "det finns inget erbjudande före svaret.")
    elif new.kind in (EventKind.PAUSE_START, EventKind.PAUSE_END):
        _check_pause(events, new, field, pause_kinds)
    elif new.kind is EventKind.RESTART:
        pvv = [e.on for e in events if e.kind is EventKind.PVV]
        restarts = [e.on for e in events if e.kind is EventKind.RESTART]
        if not pvv or (restarts and max(restarts) >= max(pvv)):
            raise InputError(field, "patienten har ingen pågående patientvald väntan.")
        if new.on < max(pvv):
            raise InputError(field, "ny start kan inte ligga före den patientvalda väntan.")


def _check_pause(
    events: Sequence[ClockEvent], new: ClockEvent, field: str, pause_kinds: tuple[PauseKind, ...]
) -> None:
    if not pause_kinds:  # primary care: HSF 6 kap. 2 § excludes time only for the 90-day steps
        raise InputError("Typ av väntan", "det här steget har inga undantag från vårdgarantin; väntan kan inte "
                                          "registreras som medicinskt eller särskilt orsakad.")
    if new.pause not in pause_kinds:
        allowed = " eller ".join(PAUSE_NAME[k] for k in pause_kinds)
        raise InputError("Typ av väntan", f"för det här steget gäller bara {allowed}.")
    opened = closed = None
    for e in sorted(events, key=lambda e: e.on):
        if e.pause is new.pause and e.kind is EventKind.PAUSE_START:
            opened, closed = e.on, None
        elif e.pause is new.pause and e.kind is EventKind.PAUSE_END:
            closed = e.on
    is_open = opened is not None and closed is None
    name = PAUSE_NAME[new.pause]
    if new.kind is EventKind.PAUSE_START:
        if is_open:
            raise InputError(field, f"det finns redan en pågående period med {name}.")
        if closed is not None and new.on < closed:
            raise InputError(field, f"en ny period med {name} kan inte börja före den förra slutade.")
    else:
        if not is_open:
            raise InputError(field, f"det finns ingen pågående period med {name} att avsluta.")
        if new.on <= opened:
            raise InputError(field, f"ska ligga efter periodens start {opened.isoformat()}.")
