"""The yearly count of patients who got care elsewhere, by where (the 2023 government assignment, seed 003_…):
steps completed in the year after the patient accepted an offer, by the offer's care kind (app.care_kind).
An accepted appointment at the patient's own clinic is not counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.access import log_list_view
from app.care_kind import CARE_KIND_LABEL, CareKind
from app.context import AppContext
from app.guarantee import Answer, EventKind
from app.reports.coverage import coverage_line
from app.reports.suppression import HIDDEN, hidden_parts
from app.reports.tables import Table
from db.models import Case, CaseEvent, Step


@dataclass(frozen=True)
class CareElsewhere:
    year: int
    patients: dict[CareKind | None, int]   # by the kind of the latest accepted offer of each completed step
    coverage: str

    @property
    def elsewhere(self) -> int:
        """Patients helped elsewhere: every kind but the home unit (the unknown ones included, and said so)."""
        return sum(n for kind, n in self.patients.items() if kind is not CareKind.HOME_UNIT)


def care_elsewhere_year(ctx: AppContext, year: int) -> CareElsewhere:
    first, last = date(year, 1, 1), date(year, 12, 31)
    answer, offer = aliased(CaseEvent), aliased(CaseEvent)
    query = (select(Case.patient_id, Step.id, offer.on, offer.id, offer.care_kind)
             .select_from(answer).join(offer, offer.id == answer.offer_id)
             .join(Step, Step.id == answer.step_id).join(Case, Case.id == Step.case_id)
             .where(answer.kind == EventKind.ANSWER, answer.answer == Answer.ACCEPTED,
                    Step.stopped_on >= first, Step.stopped_on <= last, Step.met.is_not(None),
                    answer.on <= Step.stopped_on))
    with ctx.db.transaction() as session:
        log_list_view(session, ctx, f"vård hos annan vårdgivare {year}")
        rows = session.execute(query).all()
    latest: dict[int, tuple] = {}
    for patient_id, step_id, on, offer_id, kind in sorted(rows, key=lambda r: (r[2], r[3])):
        latest[step_id] = (patient_id, kind)
    patients: dict[CareKind | None, set[int]] = {}
    for patient_id, kind in latest.values():
        patients.setdefault(CareKind(kind) if kind else None, set()).add(patient_id)
    return CareElsewhere(year, {k: len(v) for k, v in patients.items()}, coverage_line(ctx.db))


def care_elsewhere_table(counts: CareElsewhere, min_count: int) -> Table:
    kinds = [k for k in CareKind if k is not CareKind.HOME_UNIT] + [None]
    values = [counts.patients.get(k, 0) for k in kinds]
    hide = hidden_parts(sum(values), values, min_count)
    rows = [(CARE_KIND_LABEL[k], HIDDEN if i in hide else str(n)) for i, (k, n) in enumerate(zip(kinds, values,
                                                                                              strict=True))]
    total = sum(values)
    rows.append(("Summa, vård hos annan vårdgivare",
                 HIDDEN if 0 < total < min_count else str(total)))
    home = counts.patients.get(CareKind.HOME_UNIT, 0)
    rows.append(("Ej medräknat: den egna mottagningen",
                 HIDDEN if 0 < home < min_count else str(home)))
    return Table(f"Vård hos annan vårdgivare {counts.year} (patienter)", ("Var vården gavs", "Antal"), rows)
