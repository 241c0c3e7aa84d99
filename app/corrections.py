"""Correcting the date of a clock-relevant event (start, pause, PvV, offer, completion ...). Timeline rows are
never rewritten silently: the old and new date, the reason, who and when are kept in event_correction and shown
on the case. The corrected timeline must pass the same checks as new events, and the step's clock is re-evaluated
in the same transaction."""

from __future__ import annotations

from datetime import date

from app import steps
from app.access import Action, patient_access
from app.cases import _changing, _step_rows
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.guarantee import EventKind, check_new_event, check_pvv
from app.guarantee.validation import FIELD
from app.importer.deviations import from_list
from app.rule_settings import current_rules
from app.text_input import TEXT_LIMIT, check_text
from db.audit import EventCorrection
from db.models import CaseEvent, Step


def correct_event_date(ctx: AppContext, event_id: int, new_date: date, reason: str, *,
                       expected_version: int | None = None) -> int:
    """Move a clock event to `new_date`. Returns the id of the history row."""
    check_text(reason, "Orsak", TEXT_LIMIT)
    if not reason.strip():
        raise InputError("Orsak", "skriv varför datumet rättas.")
    with ctx.db.transaction() as session:
        event = session.get(CaseEvent, event_id)
        if event is None or event.step_id is None or event.kind not in steps.CLOCK_KINDS:
            raise NotFoundError("Händelse", "händelsen finns inte eller har inget datum som påverkar klockan.")
        case = _changing(session, ctx, event.case_id, expected_version)
        current_rules(session, ctx)  # thresholds a colleague changed since sign-in apply to this step too
        if event.on == new_date:
            raise InputError("Nytt datum", "datumet är detsamma som förut.")
        step = session.get(Step, event.step_id)
        old = event.on
        event.on = new_date
        rows = sorted(_step_rows(session, step.id), key=lambda r: (r.kind != EventKind.START, r.on, r.id))
        _check_timeline(step, rows, ctx)
        if event.kind == EventKind.START:
            step.started_on = new_date  # the rule set in force on the start date governs the step
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id,
                       f"rättat datum ({event.kind}) {old.isoformat()} → {new_date.isoformat()}")
        history = EventCorrection(event_id=event.id, case_id=case.id, old_on=old, new_on=new_date,
                                  reason=reason.strip(), user_id=ctx.user_id)
        session.add(history)
        session.flush()
        steps.refresh(step, rows, ctx.today(), ctx.rules)
        return history.id


def _check_timeline(step: Step, rows: list[CaseEvent], ctx: AppContext) -> None:
    """Replay the corrected timeline through the checks every new event passes. A PvV from a clinic's list is the
    clinic's own record (app.importer.deviations): its legal conditions are the clinic's, not asked for here."""
    events = steps.clock_events(rows, step.target_date)
    listed = [from_list(r.details) is not None for r in rows if r.kind in steps.CLOCK_KINDS]
    for i, event in enumerate(events):
        try:
            check_new_event(step.code, events[:i], event, ctx.today(), ctx.rules)
            if event.kind is EventKind.PVV and not listed[i]:
                check_pvv(step.code, events[:i], event.on, ctx.rules)
        except InputError as exc:
            raise InputError("Nytt datum", f"med det datumet går tidslinjen inte ihop – {FIELD[event.kind].lower()}: "
                                           f"{exc.message}") from exc
