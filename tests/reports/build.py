"""Build small hand-computed data sets through the case services (shared by tests/reports and tests/export)."""

from __future__ import annotations

import itertools
from datetime import date

from app import cases
from app.guarantee import Answer, PauseKind
from app.identity import make_personnummer

D = date.fromisoformat
_serials = itertools.count(100)


def open_step(ctx, started: str, step: str = "SV_FORSTA_BESOK", *, specialty: str = "311", female: bool = False,
              born: int = 1958, unit: str | None = "Ortopedmottagningen Lund", region: str = "12",
              municipality: str | None = "1281", activity: str | None = None, target: str | None = None,
              today: str | None = None) -> cases.Opened:
    """A new patient with one step. `today` defaults to the start date (events may not lie in the future)."""
    ctx.today = lambda: D(today or started)
    serial = next(_serials) * 2 + (0 if female else 1)  # the birth number's last digit: odd for men
    pnr = make_personnummer(date(born, 3, 14), serial % 1000)
    return cases.open_case(
        ctx, cases.NewPatient(pnr, "Testpatient", region, municipality),
        cases.NewCase(step, D(started), specialty, activity=activity, waiting_unit=unit,
                      target_date=D(target) if target else None),
    )


def at(ctx, day: str) -> None:
    ctx.today = lambda: D(day)


def complete(ctx, opened: cases.Opened, on: str) -> None:
    at(ctx, on)
    cases.complete_step(ctx, opened.step_id, D(on))


def mov(ctx, opened: cases.Opened, start: str, end: str | None = None, kind: PauseKind = PauseKind.MOV) -> None:
    at(ctx, end or start)
    cases.start_pause(ctx, opened.step_id, D(start), kind)
    if end:
        cases.end_pause(ctx, opened.step_id, D(end), kind)


def pvv(ctx, opened: cases.Opened, informed: str, offered_on: str, appointment: str, declined: str,
        restart: str | None = None, **offer_details) -> int:
    """Patientvald väntan with its three conditions; optionally a restart."""
    at(ctx, restart or declined)
    cases.record_informed(ctx, opened.step_id, D(informed))
    offer = cases.make_offer(ctx, opened.step_id, D(offered_on), D(appointment), None, "Ortopeden Ystad",
                              confirmed=True)  # an offer recorded afterwards
    cases.record_answer(ctx, offer, D(declined), Answer.DECLINED)
    cases.register_pvv(ctx, opened.step_id, D(declined))
    if restart:
        cases.restart(ctx, opened.step_id, D(restart))
    return offer


def offer(ctx, opened: cases.Opened, on: str, appointment: str, answer: Answer | None = None,
          answered: str | None = None, **details) -> int:
    at(ctx, answered or on)
    offer_id = cases.make_offer(ctx, opened.step_id, D(on), D(appointment), None, "Capio Lund",
                                confirmed=True)  # recorded afterwards, or after the deadline
    if details:
        _merge_details(ctx, offer_id, details)
    if answer:
        cases.record_answer(ctx, offer_id, D(answered), answer)
    return offer_id


def _merge_details(ctx, event_id: int, details: dict) -> None:
    """What the provider register (another module) adds to an offer: the provider's region and ownership."""
    from db.models import CaseEvent

    with ctx.db.transaction() as session:
        row = session.get(CaseEvent, event_id)
        row.details = {**row.details, **details}
