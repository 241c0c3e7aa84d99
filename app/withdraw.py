"""Taking an entry back, as a correction on the timeline (never a silent delete): the author of a case's latest
entry may undo it within the setting's minutes (settings.UNDO_MINUTES), and a MoV/SoV period started by mistake
may be withdrawn later with a reason. The entry stays on the timeline as "återtagen", with who, when and why; it no
longer counts for the clock, and the step's clock is re-evaluated in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import steps
from app.access import Action, patient_access
from app.cases import Note, _changing, _step_rows
from app.context import AppContext
from app.errors import InputError, NotFoundError
from app.guarantee import EventKind
from app.rule_settings import current_rules
from app.settings import UNDO_MINUTES
from app.text_input import TEXT_LIMIT, check_text
from db.models import CaseEvent, Setting, Step

WITHDRAWN = "withdrawn"  # the kind a taken-back entry keeps; its own kind is in details["withdrawn"]["kind"]
# Entries with their own way back: a closed case is reopened, a letter sent is evidence, a start is corrected.
NOT_UNDONE = frozenset({EventKind.START, EventKind.CLOSED, Note.CASE_CLOSED, Note.CASE_REOPENED, Note.LETTER})


@dataclass(frozen=True)
class Withdrawable:
    event_id: int
    kind: str
    on: str
    why: str  # "senaste registreringen" or "väntan utan klocka"


def undo_minutes(session) -> int:
    """The setting, read in the caller's transaction."""
    stored = session.scalar(select(Setting.value).where(Setting.key == UNDO_MINUTES[0]))
    return int(stored) if stored is not None else UNDO_MINUTES[1]


def withdrawable(session, ctx: AppContext, case_id: int, now: datetime | None = None) -> list[Withdrawable]:
    """What this user may take back on the case now: their own latest entry within the minutes, and any MoV/SoV
    period start that has no end yet."""
    now = now or datetime.now(UTC)
    rows = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind != WITHDRAWN)
                                .order_by(CaseEvent.id)))
    found: list[Withdrawable] = []
    if rows:
        last = rows[-1]
        created = last.created_at if last.created_at.tzinfo else last.created_at.replace(tzinfo=UTC)
        if (last.kind not in NOT_UNDONE and last.user_id == ctx.user_id
                and now - created <= timedelta(minutes=undo_minutes(session))):
            found.append(Withdrawable(last.id, last.kind, last.on.isoformat(), "din senaste registrering"))
    for row in rows:
        if row.kind == EventKind.PAUSE_START and not any(
                r.kind == EventKind.PAUSE_END and r.step_id == row.step_id and r.pause == row.pause and r.id > row.id
                for r in rows) and row.id not in {w.event_id for w in found}:
            found.append(Withdrawable(row.id, row.kind, row.on.isoformat(), "pågående väntan utan klocka"))
    return found


def withdraw(ctx: AppContext, event_id: int, reason: str, *, expected_version: int | None = None) -> None:
    check_text(reason, "Orsak", TEXT_LIMIT)
    if not reason.strip():
        raise InputError("Orsak", "skriv varför registreringen tas tillbaka.")
    with ctx.db.transaction() as session:
        event = session.get(CaseEvent, event_id)
        if event is None:
            raise NotFoundError("Händelse", "händelsen finns inte.")
        case = _changing(session, ctx, event.case_id, expected_version)
        if event_id not in {w.event_id for w in withdrawable(session, ctx, case.id)}:
            raise InputError("Händelse", f"bara din senaste registrering inom {undo_minutes(session)} minuter, eller "
                                         "en pågående väntan utan klocka, kan tas tillbaka.")
        current_rules(session, ctx)
        patient_access(session, ctx, case.patient_id, Action.CHANGE, case.id, f"återtagen registrering ({event.kind})")
        details = dict(event.details or {})
        details["withdrawn"] = {"kind": event.kind, "offer_id": event.offer_id, "reason": reason.strip(),
                                "user_id": ctx.user_id, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        event.kind, event.offer_id, event.details = WITHDRAWN, None, details
        session.flush()
        if event.step_id is not None:
            step = session.get(Step, event.step_id)
            steps.refresh(step, _step_rows(session, step.id), ctx.today(), ctx.rules)
