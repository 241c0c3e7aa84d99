"""The worklist: open steps ordered and filtered in the query, so that 100 000 of them stay instant.

Lists and counts read the worklist's read model (db.worklist: one row per open step, every sort key an indexed
column, kept by database triggers and brought to today by the first query of a day). A page's display rows come
from the steps themselves: today's state of a step follows from the dates cached on it (db.models.Step, written by
app.steps from the clock) by `severity_sql`. It and the read model's view are generated from the clock's own state
rule (app.worklist_read_model), and tests hold both to the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, select
from sqlalchemy.orm import Session

from app import validation
from app.access import SEARCH, log_list_view, log_patients_shown
from app.context import AppContext
from app.errors import InputError
from app.guarantee import SEVERITY, STILL, Flag, State, flags_on
from app.rulebook import step_names
from app.settings import SAVED_FILTERS, get_setting, update_setting
from app.text_input import check_text, limit_of, storable, stored_form
from app.worklist_read_model import ensure_current, is_current, severity_sql
from db import worklist as worklist_db
from db.models import Case, Patient, Region, Specialty, Step, User, search_words
from db.register import ListRecord, ListReview

STATE_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}
BANDS = (150, 365, 730)
FILTER_NAME_LIMIT = 120  # a saved filter's name, shown in a drop-down
SEARCH_LIMIT = limit_of(Patient.name)  # no stored name (or personnummer) is longer: a longer search cannot match


class Sort(StrEnum):
    URGENCY = "urgency"  # state severity, then remaining days: the default
    PATIENT = "patient"
    ID_NUMBER = "id_number"
    STEP = "step"
    SPECIALTY = "specialty"
    PRIORITY = "priority"
    DEADLINE = "deadline"
    REMAINING = "remaining"
    WAITED = "waited"
    START = "start"
    UNIT = "unit"
    ASSIGNED = "assigned"
    LAST_CONTACT = "last_contact"


@dataclass(frozen=True)
class Filter:
    """What the case worker narrows the worklist to. Empty sets mean "all"."""

    states: frozenset[State] = frozenset()
    steps: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    home_regions: frozenset[str] = frozenset()
    flags: frozenset[Flag] = frozenset()
    assigned_to: int | None = None
    waited_over: int | None = None       # escalation band: waited more than this many days
    lapsing_within: int | None = None    # running clocks whose deadline is within this many days
    text: str = ""                       # name or personnummer, as typed
    missing_from_list: bool = False      # on the review list "Saknas i senaste listan" (app.importer.reconcile)
    booked_late: bool = False            # the clinic's list books the step after its deadline
    not_validated_within: int | None = None  # waiting longer than this many days, no validation in them
    long_wait: bool = False              # waited past the step's long-wait limit (app.validation)
    long_wait_without_reason: bool = False  # ... and no reason recorded for it

    def to_json(self) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filter:
        kinds = {"states": State, "flags": Flag}
        values = {}
        for name, value in data.items():
            if name not in cls.__dataclass_fields__:
                continue
            if isinstance(value, list):
                value = frozenset(kinds[name](v) if name in kinds else v for v in value)
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SortOrder:
    key: Sort = Sort.URGENCY
    descending: bool = False


@dataclass(frozen=True, slots=True)
class WorklistRow:
    step_id: int
    case_id: int
    patient_name: str
    id_number: str
    protected_identity: bool
    step_code: str
    step_name: str
    specialty: str
    waiting_unit: str | None
    medical_priority: str | None
    assigned_to: str | None
    start: date
    deadline: date
    waited: int
    remaining: int
    state: State
    flags: frozenset[Flag] = field(default_factory=frozenset)
    last_contact: date | None = None
    booked_on: date | None = None  # the clinic's list's booked date (planerat datum), if it gives one

    @property
    def booked_late(self) -> bool:
        return is_booked_late(self.booked_on, self.deadline, self.state not in STILL)


ENTRY = worklist_db.WorklistEntry
FEW = 3000  # matches of a filter few enough to read first and then order (see open_step_ids)
LAPSING = [SEVERITY[s] for s in (State.AKUT, State.RISK, State.OK)]  # running clocks with days left
RUNNING = sorted(SEVERITY[s] for s in SEVERITY if s not in STILL)  # a stopped clock's deadline is not yet known


def booked_late_sql(planned_on: ColumnElement, deadline: ColumnElement,
                    running: ColumnElement[bool]) -> ColumnElement[bool]:
    """The clinic's list books the step after its deadline (DOMAIN.md §8), as SQL: while the clock runs (a paused
    or patient-chosen wait moves the deadline on). is_booked_late is the same rule for one step."""
    return and_(planned_on > deadline, running)


def is_booked_late(booked_on: date | None, deadline: date, running: bool) -> bool:
    """booked_late_sql for one step: a worklist row, a step in the case window, a row of an import."""
    return booked_on is not None and running and booked_on > deadline


# The read model's column per sort order (db.worklist: each has its index). The step id breaks ties.
SORT_KEYS: dict[Sort, tuple[ColumnElement, ...]] = {
    Sort.URGENCY: (ENTRY.severity, ENTRY.remaining_key, ENTRY.deadline),
    Sort.PATIENT: (ENTRY.search_name,), Sort.ID_NUMBER: (ENTRY.id_number,), Sort.STEP: (ENTRY.step_code,),
    Sort.SPECIALTY: (ENTRY.specialty_name,), Sort.PRIORITY: (ENTRY.medical_priority,),
    Sort.DEADLINE: (ENTRY.deadline,), Sort.REMAINING: (ENTRY.remaining_key,),
    Sort.WAITED: (ENTRY.waited_key,),  # the earlier the waiting start, the longer waited: reversed below
    Sort.START: (ENTRY.clock_start,), Sort.UNIT: (ENTRY.waiting_unit,), Sort.ASSIGNED: (ENTRY.assignee_name,),
    Sort.LAST_CONTACT: (ENTRY.last_contact,),
}


def _conditions(today: date, flt: Filter) -> list[ColumnElement[bool]]:
    """The filter over the read model: each a plain comparison of a stored column with today or a value."""
    conditions = []
    for values, column in ((flt.steps, ENTRY.step_code), (flt.specialties, ENTRY.specialty_code),
                           (flt.units, ENTRY.waiting_unit), (flt.home_regions, ENTRY.home_region_code)):
        if values:
            conditions.append(column.in_(sorted(values)))
    if flt.states:
        conditions.append(ENTRY.severity.in_(sorted(SEVERITY[s] for s in flt.states)))
    if flt.assigned_to is not None:
        conditions.append(ENTRY.assigned_user_id == flt.assigned_to)
    if flt.waited_over is not None:  # waited = today - waited_key
        conditions.append(ENTRY.waited_key < today - timedelta(days=flt.waited_over))
    if flt.lapsing_within is not None:  # running, not overdue: remaining_key is the deadline (the urgency index)
        conditions += [ENTRY.severity.in_(LAPSING),
                       ENTRY.remaining_key.between(today, today + timedelta(days=flt.lapsing_within))]
    if Flag.NO_NOTICE in flt.flags:
        conditions.append(ENTRY.notice_flag_from <= today)
    if Flag.NO_CONTACT in flt.flags:
        conditions.append(ENTRY.contact_flag_from <= today)
    if flt.missing_from_list:
        conditions.append(ENTRY.step_id.in_(select(ListReview.step_id).where(ListReview.resolution.is_(None))))
    if flt.booked_late:  # from the booked steps (an index of list_record) to their entries, not the other way
        planned = select(ListRecord.planned_on).where(ListRecord.step_id == ENTRY.step_id).scalar_subquery()
        conditions += [ENTRY.step_id.in_(select(ListRecord.step_id).where(ListRecord.planned_on.is_not(None))),
                       booked_late_sql(planned, ENTRY.deadline, ENTRY.severity.in_(RUNNING))]
    if flt.not_validated_within is not None:
        conditions.append(validation.not_validated_condition(today, flt.not_validated_within))
    if flt.long_wait or flt.long_wait_without_reason:
        conditions.append(validation.long_wait_condition(today))
    if flt.long_wait_without_reason:
        conditions.append(~validation.has_reason())
    text = flt.text.strip()
    if text and (len(text) > SEARCH_LIMIT or not storable(text)):
        # No hit, at once: SQLite refuses LIKE patterns over 50 kB and cannot encode a lone surrogate.
        conditions.append(false())
    elif text:
        digits = "".join(ch for ch in text if ch.isalnum())
        if digits.isdigit():
            conditions.append(ENTRY.id_number.contains(digits, autoescape=True))
        else:  # every word, in any order, accents and case aside
            conditions += [ENTRY.search_name.contains(word, autoescape=True) for word in search_words(text)]
    return conditions


def _query(today: date, flt: Filter, order: SortOrder | None = None) -> Select:
    """Open steps passing the filter, in the given order: SQLite walks the order's index, no sort."""
    query = select(ENTRY.step_id).where(*_conditions(today, flt))
    if order is None:
        return query
    descending = order.descending != (order.key is Sort.WAITED)
    keys = [*SORT_KEYS[order.key], ENTRY.step_id]
    # Empty values first going up, last going down, on both backends (SQLite's own order, which its indexes
    # hold; PostgreSQL's default is the opposite).
    return query.order_by(*(k.desc().nulls_last() if descending else k.asc().nulls_first() for k in keys))


def _walk_covers(flt: Filter, order: SortOrder) -> bool:
    """True when walking the order's index reads every column the filter tests (or there is no filter)."""
    narrowed = {name for name, value in asdict(flt).items()
                if value is not False and value not in (None, "", frozenset())}
    return narrowed <= ({"text", "states"} if order.key is Sort.URGENCY else set())


def search_alone(flt: Filter) -> Filter | None:
    """The search without the other filters, when there are any: what the worklist counts to say that the
    filters hide the hits of a search (None without a search or without other filters)."""
    alone = Filter(text=flt.text)
    return alone if flt.text.strip() and flt != alone else None


@contextmanager
def _reading(ctx: AppContext, today: date) -> Iterator[Session]:
    """A read-only snapshot of the read model as of `today`, beside any writer. Only the first read of a day
    writes: it brings the entries to the new day (app.worklist_read_model.ensure_current)."""
    with ctx.db.reading() as session:
        current = is_current(session, today)
        if current:  # every read but the day's first: one snapshot for the check and the query
            yield session
    if not current:
        with ctx.db.transaction() as session:
            ensure_current(session, today)
        with ctx.db.reading() as session:
            yield session


def open_step_ids(ctx: AppContext, flt: Filter = Filter(), order: SortOrder = SortOrder(),
                  today: date | None = None, limit: int | None = None, offset: int = 0,
                  matches: int | None = None) -> list[int]:
    """Ids of the open steps that pass the filter, in the chosen order (most urgent first by default); with a
    limit, one page of them. `matches`, when known (the sum of count_by_state), lets a narrow filter find its
    few steps first and order just those, instead of walking the order's index past thousands that fail it.
    Asking from the top is a view of the list, logged once."""
    today = today or ctx.today()
    query = _query(today, flt, order)
    if matches is not None and matches <= FEW and not _walk_covers(flt, order):
        query = _query(today, Filter(), order).where(ENTRY.step_id.in_(_query(today, flt)))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    with _reading(ctx, today) as session:
        ids = session.connection().execute(query).scalars().all()  # Core: no ORM rows for 100 000 ids
    if not ids and offset == 0 and flt.text.strip():
        # The patients a page shows are logged as rows_for reads them; a search that found no one is logged here.
        with ctx.db.transaction() as session:
            log_list_view(session, ctx, f"{shown_in(flt)}: ingen träff")
    return ids


# The filter's parts as the access log names them (the search text is written out, see shown_in).
FILTER_NAMES = {"states": "status", "steps": "steg", "specialties": "verksamhetsområde", "units": "väntar hos",
                "home_regions": "hemregion", "flags": "signaler", "assigned_to": "handläggare",
                "waited_over": "väntat mer än {} dagar", "lapsing_within": "löper ut inom {} dagar",
                "not_validated_within": "ej validerade på {} dagar"}


def shown_in(flt: Filter = Filter(), page: int = 0) -> str:
    """Where a page of the worklist was shown, for the access log: its page, the search as typed, the filters."""
    parts = [f"arbetslista sida {page + 1}"]
    text = flt.text.strip()
    if text:
        text = text[:SEARCH_LIMIT]
        parts.append(SEARCH.format(stored_form(text)))
    narrowed = [FILTER_NAMES[name].format(value) for name, value in asdict(flt).items()
                if name in FILTER_NAMES and value not in (None, frozenset())]
    if narrowed:
        parts.append("filter: " + ", ".join(narrowed))
    return ", ".join(parts)



def rows_for(ctx: AppContext, step_ids: list[int], today: date | None = None, shown: str = "arbetslista",
             logged: set | None = None, log_later: Callable[[Callable[[], None]], None] | None = None,
             ) -> list[WorklistRow]:
    """The display rows of the given steps, in the given order (a page of the worklist). Plain columns, not ORM
    objects: a page is read on every sort and keystroke.

    Each patient shown is written to the access log with `shown` (shown_in: the page and the search), as one
    batched insert: in the same transaction, or, with `log_later`, in a transaction of its own that `log_later`
    runs (the UI's worker thread: a page painted on the UI thread then never waits for the write lock behind a
    colleague's long save). `logged`: what the same list has logged already ((patient, case, shown) triples),
    left out and then added to: a list brought up to date after a colleague's save logs only the patients it
    shows anew."""
    if not step_ids:
        return []
    today = today or ctx.today()
    if log_later is None:
        with ctx.db.transaction() as session:
            rows, pairs = _rows(session, ctx, step_ids, today, shown, logged)
            log_patients_shown(session, ctx, pairs, shown)
        _logged(logged, pairs, shown)
        return rows
    with ctx.db.reading() as session:
        rows, pairs = _rows(session, ctx, step_ids, today, shown, logged)
    if pairs:
        log_later(partial(_log_shown, ctx, pairs, shown, logged))
    return rows


def _log_shown(ctx: AppContext, pairs: list[tuple[int, int]], shown: str, logged: set | None) -> None:
    with ctx.db.transaction() as session:
        log_patients_shown(session, ctx, pairs, shown)
    _logged(logged, pairs, shown)


def _logged(logged: set | None, pairs: list[tuple[int, int]], shown: str) -> None:
    if logged is not None:  # once committed
        logged.update((*p, shown) for p in pairs)


def _rows(session: Session, ctx: AppContext, step_ids: list[int], today: date, shown: str,
          logged: set | None) -> tuple[list[WorklistRow], list[tuple[int, int]]]:
    """The rows, and the (patient, case) pairs shown that are not yet in `logged`, in the order shown."""
    query = (
        select(Case.patient_id, Step.id, Step.case_id, Step.code, Step.clock_start, Step.deadline, Step.stopped_on,
               Step.waiting_since, Step.frozen_waited, Step.frozen_remaining, Step.notice_due, Step.contact_due,
               Step.last_contact, Patient.name, Patient.id_number, Patient.protected_identity, Specialty.name,
               Case.waiting_unit, Case.medical_priority, User.display_name, ListRecord.planned_on,
               severity_sql(today))
        .join(Case, Step.case_id == Case.id)
        .join(Patient, Case.patient_id == Patient.id)
        .join(Specialty, Case.specialty_code == Specialty.code)
        .outerjoin(User, Case.assigned_user_id == User.id)
        .outerjoin(ListRecord, ListRecord.step_id == Step.id)
        .where(Step.id.in_(step_ids))
    )
    names = step_names(ctx.rules)
    by_id, patients = {}, {}
    for (patient_id, step_id, case_id, code, start, deadline, stopped_on, waiting_since, frozen_waited,
         frozen_remaining, notice_due, contact_due, last_contact, name, id_number, protected, specialty, unit,
         priority, assigned, booked_on, severity) in session.execute(query):
        state = STATE_BY_SEVERITY[severity]
        running = frozen_waited is None
        by_id[step_id] = WorklistRow(
            step_id=step_id, case_id=case_id, patient_name=name, id_number=id_number,
            protected_identity=protected, step_code=code, step_name=names.get(code, code), specialty=specialty,
            waiting_unit=unit, medical_priority=priority, assigned_to=assigned, start=start,
            # A paused clock's deadline moves a day for every day of the pause; its remaining days stand still.
            deadline=deadline if running or stopped_on else today + timedelta(frozen_remaining),
            waited=(today - waiting_since).days if running else frozen_waited,
            remaining=(deadline - today).days if running else frozen_remaining,
            state=state, flags=flags_on(state, notice_due, contact_due, today), last_contact=last_contact,
            booked_on=booked_on,
        )
        patients[step_id] = (patient_id, case_id)
    pairs = list(dict.fromkeys(patients[i] for i in step_ids if i in patients))
    if logged is not None:
        pairs = [p for p in pairs if (*p, shown) not in logged]
    return [by_id[i] for i in step_ids if i in by_id], pairs


def count_by_state(ctx: AppContext, flt: Filter = Filter(), today: date | None = None) -> dict[State, int]:
    today = today or ctx.today()
    query = select(ENTRY.severity, func.count()).where(*_conditions(today, flt)).group_by(ENTRY.severity)
    with _reading(ctx, today) as session:
        return {STATE_BY_SEVERITY[s]: n for s, n in session.execute(query)}


@dataclass(frozen=True)
class Choices:
    """The values the filter lists offer."""

    steps: list[tuple[str, str]]
    specialties: list[tuple[str, str]]
    units: list[str]
    regions: list[tuple[str, str]]


def filter_choices(ctx: AppContext) -> Choices:
    """The steps, specialties and units that open steps have (each DISTINCT walks one index of the read
    model), and every region."""
    names = step_names(ctx.rules)
    with ctx.db.reading() as session:
        def distinct(*columns: ColumnElement) -> list:
            return session.execute(select(*columns).where(columns[0].is_not(None)).distinct()).all()

        specialty_names = dict(session.execute(select(Specialty.code, Specialty.name)).all())
        return Choices(
            steps=sorted(((code, names.get(code, code)) for code, in distinct(ENTRY.step_code)), key=lambda c: c[0]),
            specialties=sorted(((code, specialty_names[code]) for code, in distinct(ENTRY.specialty_code)),
                               key=lambda c: c[1]),
            units=sorted(unit for unit, in distinct(ENTRY.waiting_unit)),
            regions=[tuple(r) for r in session.execute(select(Region.code, Region.name).order_by(Region.name))],
        )


# The start-up summary: what needs attention today, each a filter the worklist can open.
SUMMARY: tuple[tuple[str, Filter], ...] = (
    ("Överskridna", Filter(states=frozenset({State.OVERDUE}))),
    ("Löper ut inom 7 dagar", Filter(lapsing_within=7)),
    ("Löper ut inom 14 dagar", Filter(lapsing_within=14)),
    ("Löper ut inom 30 dagar", Filter(lapsing_within=30)),
    ("Väntat mer än 150 dagar", Filter(waited_over=150)),
    ("Utan besked inom 14 dagar", Filter(flags=frozenset({Flag.NO_NOTICE}))),
    ("Utan kontakt", Filter(flags=frozenset({Flag.NO_CONTACT}))),
    ("Saknas i senaste listan", Filter(missing_from_list=True)),
    ("Bokad efter tidsgränsen", Filter(booked_late=True)),
    ("Lång väntan utan orsak", Filter(long_wait_without_reason=True)),
)


def summary(ctx: AppContext) -> tuple[tuple[str, Filter], ...]:
    """SUMMARY with the entries that follow a setting: steps due for the validation round."""
    days = validation.validation_days(ctx)
    return (*SUMMARY, (f"Ej validerade på {days} dagar", Filter(not_validated_within=days)))


def summary_counts(ctx: AppContext, today: date | None = None) -> list[tuple[str, Filter, int]]:
    today = today or ctx.today()
    with _reading(ctx, today) as session:
        return [(label, flt, session.scalar(select(func.count()).select_from(ENTRY).where(*_conditions(today, flt))))
                for label, flt in summary(ctx)]


def saved_filters(ctx: AppContext) -> dict[str, Filter]:
    stored = get_setting(ctx.db, SAVED_FILTERS.format(user_id=ctx.user_id), {}) or {}
    return {name: Filter.from_json(data) for name, data in stored.items()}


def save_filter(ctx: AppContext, name: str, flt: Filter) -> None:
    if not name.strip():
        raise InputError("Namn på filtret", "skriv ett namn.")
    check_text(name, "Namn på filtret", FILTER_NAME_LIMIT)
    # Read and written in one transaction: the same user saving filters on two computers keeps both.
    update_setting(ctx.db, SAVED_FILTERS.format(user_id=ctx.user_id),
                   lambda stored: {**(stored or {}), name.strip(): flt.to_json()}, ctx.user_id, default={})
