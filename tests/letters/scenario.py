"""Cases on a real database, one ready for each letter type (the dates follow DOMAIN.md §2.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import cases
from app.guarantee import Answer
from app.identity import make_personnummer
from app.letters.sender import Sender, set_sender

D = date.fromisoformat


@dataclass
class Scenario:
    information: cases.Opened
    notice_booked: cases.Opened
    notice_cannot_meet: cases.Opened
    offer: cases.Opened
    declined: cases.Opened
    restart: cases.Opened
    offer_id: int


def configure_sender(ctx) -> None:
    """What an administratör does before the first letter: the region's sender (letters are refused without it).
    The defaults' texts, so that the tests can look for them in the letters."""
    set_sender(ctx.db, Sender(), ctx.user_id)


def patient(n: int, **changes) -> cases.NewPatient:
    fields = {"id_number": make_personnummer(date(1950 + n % 50, 1 + n % 12, 1 + n % 28), 100 + n % 800),
              "name": f"Åsa Öberg {n}" if n < 100 else f"Patient {n}", "home_region": "12",
              "municipality": "1280", "street": f"Ängsvägen {n}", "postal_code": "211 34", "city": "Malmö"}
    return cases.NewPatient(**{**fields, **changes})


def open_case(ctx, n: int, started: str = "2026-11-10", step: str = "SV_FORSTA_BESOK", **changes) -> cases.Opened:
    return cases.open_case(ctx, patient(n, **changes),
                           cases.NewCase(step, D(started), "311", waiting_unit="Ortopedmottagningen Malmö"))


def offer(ctx, opened: cases.Opened, on: str = "2026-11-20", appointment: str = "2026-12-14",
          reply_by: str | None = "2026-11-30") -> int:
    return cases.make_offer(ctx, opened.step_id, D(on), D(appointment), D(reply_by) if reply_by else None,
                            "Ortopedkliniken Ystad", "Mottagning 2", "Kristianstadsvägen 10, 271 33 Ystad",
                            confirmed=True)  # some scenarios record offers made earlier


def build(ctx) -> Scenario:
    info = open_case(ctx, 1)
    booked = open_case(ctx, 2)
    offer(ctx, booked, appointment="2026-12-15")
    cannot = open_case(ctx, 3)
    offered = open_case(ctx, 4)
    offer_id = offer(ctx, offered)
    declined = open_case(ctx, 5, started="2026-09-01")
    cases.record_informed(ctx, declined.step_id, D("2026-09-05"))
    answered = offer(ctx, declined, on="2026-10-01", appointment="2026-10-20", reply_by=None)
    cases.record_answer(ctx, answered, D("2026-10-05"), Answer.DECLINED)
    restarted = open_case(ctx, 6, started="2026-06-01")
    cases.record_informed(ctx, restarted.step_id, D("2026-06-02"))
    answered = offer(ctx, restarted, on="2026-07-01", appointment="2026-07-20", reply_by=None)
    cases.record_answer(ctx, answered, D("2026-07-03"), Answer.DECLINED)
    cases.register_pvv(ctx, restarted.step_id, D("2026-07-03"))
    cases.restart(ctx, restarted.step_id, D("2026-11-02"))
    return Scenario(info, booked, cannot, offered, declined, restarted, offer_id)


def nothing_written(ctx, case_id: int) -> bool:
    """No letter on the case's timeline and no letter file in the archive."""
    from sqlalchemy import func, select

    from app.cases import Note
    from app.letters import archive_folder
    from db.models import CaseEvent

    with ctx.db.reading() as session:
        letters = session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == Note.LETTER))
    return letters == 0 and not list(archive_folder(ctx).rglob("*.pdf"))
