"""The clock's state rule as SQL (app.worklist_read_model) on SQLite and PostgreSQL: the same states as the clock
on random steps, a read model that stays equal to the clock after every kind of write, migrations that create
exactly the models and the generated view and triggers, and, on PostgreSQL, writers side by side."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

import pytest
from sqlalchemy import (
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app import worklist_read_model as read_model
from app.guarantee import (
    MARKS,
    SEVERITY,
    ClockEvent,
    EventKind,
    PauseKind,
    RuleBook,
    evaluate,
    marks_of,
    state_on,
    state_until,
)
from app.rulebook import shipped_rule_book
from app.steps import cache_columns
from db import migrate
from db.engine import make_engine
from db.models import Case, Patient, Region, Specialty, Step, User, search_form
from db.worklist import WorklistDay, WorklistEntry
from tests.db.test_worklist_read_model import entry_of
from tests.pg import pg_url  # noqa: F401 - fixture (pg_server: tests/conftest.py)

BOOK = shipped_rule_book()
CODES = ["SV_FORSTA_BESOK", "SV_BEHANDLING", "BUP_FORSTA", "PV_BEDOMNING", "PV_KONTAKT", "ATERBESOK"]
TODAY = date(2026, 11, 22)


@pytest.fixture
def engine(backend, request, tmp_path) -> Engine:
    """An empty database on each backend (tests/conftest.py: --backend)."""
    if backend == "sqlite":
        engine = make_engine(tmp_path / "lotsen.sqlite")
    else:
        engine = create_engine(request.getfixturevalue("pg_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(engine) -> Engine:
    migrate.upgrade_to(engine, "heads")
    return engine


# --- random clocks ---

def history(rng: Random, start: date | None = None) -> tuple[str, list[ClockEvent]]:
    """A step code and a plausible timeline: pauses, PvV and a restart, contacts, sometimes a stop."""
    code = rng.choice(CODES)
    start = start or date(2019, 1, 1) + timedelta(days=rng.randrange(8 * 365))
    target = start + timedelta(days=rng.randrange(1, 200)) if code == "ATERBESOK" else None
    events = [ClockEvent(EventKind.START, start, target=target)]
    day, paused, pvv = start, False, False
    for _ in range(rng.randrange(6)):
        day += timedelta(days=rng.randrange(1, 50))
        kinds = [EventKind.CONTACT, EventKind.NOTICE]
        kinds += [EventKind.RESTART] if pvv else [EventKind.PVV, EventKind.PAUSE_END if paused else EventKind.PAUSE_START]
        if rng.random() < 0.1:
            kinds = [EventKind.COMPLETED]
        kind = rng.choice(kinds)
        events.append(ClockEvent(kind, day, pause=PauseKind.MOV if kind.name.startswith("PAUSE") else None))
        paused = {EventKind.PAUSE_START: True, EventKind.PAUSE_END: False}.get(kind, paused)
        pvv = {EventKind.PVV: True, EventKind.RESTART: False}.get(kind, pvv)
        if kind is EventKind.COMPLETED:
            break
    return code, events


def books(rng: Random) -> list[RuleBook]:
    """The shipped rules, and variants with other akut and risk thresholds (a region's own settings)."""
    variants = [BOOK]
    for _ in range(6):
        steps = {code: {"akut_remaining_days": rng.randrange(0, 100),
                        "risk_waited_days": rng.choice([None, *range(0, 150, 7)])} for code in CODES}
        variants.append(RuleBook([rules.with_overrides(steps={c: s for c, s in steps.items() if c in rules.steps})
                                  for rules in BOOK.rule_sets]))
    return variants


def test_the_sql_state_is_the_clocks_on_random_steps(engine):
    """The marks cached after a step's last event and a later day, as SQL (the view's form, the day a column, and
    the query's, the day a constant) give the clock's own state on that day, and the day it next changes."""
    rng = Random(13)
    variants = books(rng)
    sample = Table("clock_sample", MetaData(), Column("id", Integer, primary_key=True), Column("day", Date),
                   *(Column(m, Date, nullable=Step.__table__.c[m].nullable) for m in MARKS))
    sample.create(engine)
    cases = []
    for i in range(400):
        book = rng.choice(variants)
        code, events = history(rng)
        cached = evaluate(code, events, events[-1].on, book)  # as app.steps caches it after the last event
        day = events[-1].on + timedelta(days=rng.choice([0, 1, rng.randrange(400)]))
        state = evaluate(code, events, day, book).state
        marks = marks_of(cached)
        assert state_on(marks, day) is state  # the marks stand for the clock on every later day
        change = state_until(marks, day)
        if change is None:
            assert evaluate(code, events, day + timedelta(days=3000), book).state is state
        else:
            assert evaluate(code, events, change - timedelta(days=1), book).state is state
            assert evaluate(code, events, change, book).state is not state
        cases.append({"id": i, "day": day, **marks, "severity": SEVERITY[state], "until": change})
    columns = {m: sample.c[m] for m in MARKS}
    with engine.begin() as connection:
        connection.execute(insert(sample), [{k: v for k, v in c.items() if k in sample.c} for c in cases])
        by_column = {i: (s, u) for i, s, u in connection.execute(select(
            sample.c.id, read_model.severity(columns, sample.c.day), read_model.until(columns, sample.c.day)))}
        for c in cases:
            by_constant = connection.execute(select(
                read_model.severity(columns, c["day"]), read_model.until(columns, c["day"])).where(
                sample.c.id == c["id"])).one()
            assert by_column[c["id"]] == tuple(by_constant) == (c["severity"], c["until"]), c
    assert {c["severity"] for c in cases} == set(SEVERITY.values())  # every state drawn


# --- the read model after every kind of write, on both backends ---

@dataclass
class Timelines:
    """Steps written the way the app writes them (app.steps.cache_columns), their timelines kept here."""

    engine: Engine
    rng: Random = field(default_factory=lambda: Random(2026))
    timelines: dict[int, tuple[str, list[ClockEvent]]] = field(default_factory=dict)

    def add_step(self, session: Session, case_id: int, start: date,
                 timeline: tuple[str, list[ClockEvent]] | None = None) -> int:
        code, events = timeline or history(self.rng, start)
        events = [e for e in events if e.on <= TODAY]
        step = Step(case_id=case_id, code=code, started_on=start, target_date=events[0].target,
                    **cache_columns(evaluate(code, events, max(e.on for e in events), BOOK)))
        session.add(step)
        session.flush()
        self.timelines[step.id] = (code, events)
        return step.id

    def record(self, session: Session, step_id: int, event: ClockEvent) -> None:
        code, events = self.timelines[step_id]
        events.append(event)
        session.execute(update(Step).where(Step.id == step_id).values(
            **cache_columns(evaluate(code, events, event.on, BOOK))))

    def check(self, day: date = TODAY) -> None:
        """The entries as of `day` (brought there as the worklist's first query of a day does) are what the clock
        and the case, patient, specialty and user rows say; so is the query's severity of every open step."""
        with Session(self.engine) as session, session.begin():
            read_model.ensure_current(session, day)
        with Session(self.engine) as session:
            rows = session.execute(
                select(Step, Case, Patient, Specialty.name, User.display_name, read_model.severity_sql(day))
                .join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
                .join(Specialty, Case.specialty_code == Specialty.code)
                .outerjoin(User, Case.assigned_user_id == User.id).where(Step.is_open)).all()
            stored = {e.step_id: {c.name: getattr(e, c.name) for c in WorklistEntry.__table__.columns}
                      for e in session.scalars(select(WorklistEntry))}
        expected = {}
        for step, case, patient, specialty, assignee, severity in rows:
            code, events = self.timelines[step.id]
            clock = evaluate(code, events, day, BOOK)
            assert severity == SEVERITY[clock.state]
            expected[step.id] = {**entry_of(step, case, patient, specialty, assignee, clock, day),
                                 "severity_until": state_until(marks_of(step), day)}
        assert stored == expected


def seed(session: Session) -> dict[str, int]:
    session.add_all([Region(code="12", name="Skåne"), Region(code="13", name="Halland"),
                     Specialty(code="311", name="Ortopedi"), Specialty(code="511", name="Ögon")])
    session.flush()
    users = [User(login="anna", display_name="Anna Lots"), User(login="bo", display_name="Bo Berg")]
    patients = [Patient(id_number=f"19500101{n:04d}", id_kind="personnummer", name=name, home_region_code="12",
                        birth_year=1950) for n, name in enumerate(["Åsa Ek", "Östen Berg", "Lena Al"])]
    session.add_all([*users, *patients])
    session.flush()
    cases = [Case(patient_id=p.id, specialty_code="311", waiting_unit="Ortopeden Lund", assigned_user_id=users[0].id,
                  opened_on=TODAY - timedelta(days=200)) for p in patients]
    session.add_all(cases)
    session.flush()
    return {"anna": users[0].id, "bo": users[1].id, **{f"p{i}": p.id for i, p in enumerate(patients)},
            **{f"c{i}": c.id for i, c in enumerate(cases)}}


def test_the_read_model_follows_the_clock_after_every_kind_of_write(migrated):
    region = Timelines(migrated)
    with Session(migrated) as session, session.begin():
        ids = seed(session)
        steps = [region.add_step(session, ids[f"c{i % 3}"], TODAY - timedelta(days=5 + 17 * i)) for i in range(12)]
    region.check()
    with Session(migrated) as session, session.begin():  # new events on steps: pauses, PvV, contacts, stops
        for step_id in steps:
            if not any(e.kind is EventKind.COMPLETED for e in region.timelines[step_id][1]):
                kind = region.rng.choice([EventKind.CONTACT, EventKind.PVV, EventKind.COMPLETED, EventKind.NOTICE])
                region.record(session, step_id, ClockEvent(kind, TODAY))
    region.check()
    with Session(migrated) as session, session.begin():
        session.execute(delete(Step).where(Step.id == steps[0]))
    with Session(migrated) as session, session.begin():  # a case moves: unit, priority, assignee, specialty, patient
        session.execute(update(Case).where(Case.id == ids["c1"]).values(
            waiting_unit="Ögon Malmö", medical_priority="1", assigned_user_id=ids["bo"], specialty_code="511"))
        session.execute(update(Case).where(Case.id == ids["c2"]).values(patient_id=ids["p0"], assigned_user_id=None))
    region.check()
    with Session(migrated) as session, session.begin():  # names and numbers corrected
        patient = session.get(Patient, ids["p0"])
        patient.name, patient.home_region_code, patient.id_number = "Åsa Ekström", "13", "195001019999"
        session.get(User, ids["bo"]).display_name = "Bo Bergström"
        session.get(Specialty, "311").name = "Ortopedi (ny benämning)"
    region.check()
    with Session(migrated) as session, session.begin(), read_model.steps_in_bulk(session.connection()):
        for i in range(5):  # a bulk insert
            region.add_step(session, ids["c0"], TODAY - timedelta(days=40 + i))
    region.check()
    for offset in [*range(0, 100, 3), 400, 7, 0]:  # new days, forward and back
        region.check(TODAY + timedelta(days=offset))
    with Session(migrated) as session, session.begin():  # the day row lost: everything again
        session.execute(delete(WorklistDay))
        session.execute(delete(WorklistEntry).where(WorklistEntry.step_id == steps[3]))
    region.check()


# --- migrations ---

def test_migrations_create_exactly_the_models_and_the_generated_read_model(migrated):
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import db as db_package
    from db.models import Base

    for module in pkgutil.iter_modules(db_package.__path__):  # every module that adds tables
        importlib.import_module(f"db.{module.name}")
    with migrated.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert read_model.installed(connection) == read_model.expected(connection.dialect.name)
        assert _access_log_guard(connection) == ACCESS_LOG_GUARD[connection.dialect.name]
    _downgrade(migrated, "0007")  # and back: 0006's hand-written form on SQLite, none on PostgreSQL
    with migrated.connect() as connection:
        back = read_model.installed(connection)
        if connection.dialect.name == "sqlite":
            assert set(back) == set(read_model.expected("sqlite")) and back != read_model.expected("sqlite")
        else:
            assert back == {"worklist_source": None}
    migrate.upgrade_to(migrated, "heads")
    with migrated.connect() as connection:
        assert read_model.is_installed(connection)


# The access log's append-only triggers (migration 0004): TRUNCATE exists only on PostgreSQL.
ACCESS_LOG_GUARD = {"sqlite": {"access_log_no_update", "access_log_no_delete"},
                    "postgresql": {"access_log_no_update", "access_log_no_delete", "access_log_no_truncate"}}


def _access_log_guard(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'access_log'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'access_log'::regclass AND NOT tgisinternal"
    return set(connection.execute(text(query)).scalars())


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_a_new_generated_form_comes_with_a_migration_that_installs_it():
    """Existing databases get a changed rule (or view, or trigger) only from a migration that installs it again."""
    import importlib

    newest = max((file for file in (migrate.MIGRATIONS / "versions").glob("0*.py")
                  if "\nRULE = " in file.read_text(encoding="utf-8")), key=lambda file: file.name)
    recorded = importlib.import_module(f"db.migrations.versions.{newest.stem}").RULE
    assert recorded == read_model.fingerprint(), (
        f"The worklist's generated SQL changed: add a migration that calls app.worklist_read_model.install() "
        f"(as {newest.name} does) with RULE = {read_model.fingerprint()!r}")


# --- PostgreSQL: writers side by side ---

def _steps_as_the_view_says(connection) -> dict:
    names = ", ".join(read_model.COLUMNS)
    return {
        "entries": sorted(connection.execute(text(f"SELECT {names} FROM worklist_entry")).all()),
        "view": sorted(connection.execute(text(f"SELECT {names} FROM worklist_source")).all()),
    }


def _side_by_side(engine: Engine, first, second) -> None:
    """`first` writes and holds its transaction open; `second` starts meanwhile in another connection and waits
    for a lock; then `first` commits, and `second` must commit too."""
    failures = []
    with engine.connect() as a, engine.connect() as watcher:
        a.begin()
        first(a)

        def run_second() -> None:
            try:
                with engine.begin() as b:
                    second(b)
            except Exception as exc:  # noqa: BLE001 - reported by the test thread
                failures.append(exc)

        thread = threading.Thread(target=run_second)
        thread.start()
        for _ in range(500):  # until the second writer waits for a lock (or is done)
            waiting = watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()"))
            watcher.rollback()
            if waiting or not thread.is_alive():
                break
            time.sleep(0.01)
        assert waiting, "the second writer should wait for the first"
        a.commit()
        thread.join(30)
    assert not thread.is_alive() and not failures, failures


@pytest.fixture
def pg_region(request):
    """One running step on PostgreSQL, in case c0 of patient p0, assigned to anna."""
    if request.config.getoption("--backend", "both") == "sqlite":
        pytest.skip("the SQLite lane only (--backend sqlite)")
    engine = create_engine(request.getfixturevalue("pg_url"))
    migrate.upgrade_to(engine, "heads")
    region = Timelines(engine)
    start = TODAY - timedelta(days=30)
    with Session(engine) as session, session.begin():
        ids = seed(session)
        ids["step"] = region.add_step(session, ids["c0"], start,
                                      ("SV_FORSTA_BESOK", [ClockEvent(EventKind.START, start)]))
    region.check()
    yield region, ids
    engine.dispose()


def _event(region: Timelines, step_id: int, event: ClockEvent):
    """A write of a new event's clock columns (the timeline gets the event as the write runs)."""
    def write(connection) -> None:
        code, events = region.timelines[step_id]
        events.append(event)
        connection.execute(update(Step).where(Step.id == step_id).values(
            **cache_columns(evaluate(code, events, event.on, BOOK))))
    return write


def _writes(region: Timelines, ids: dict[str, int]) -> dict:
    """Writes that touch the step's entry, or the rows it draws on, on a connection."""
    return {
        "pause": _event(region, ids["step"], ClockEvent(EventKind.PAUSE_START, TODAY, pause=PauseKind.MOV)),
        "contact": _event(region, ids["step"], ClockEvent(EventKind.CONTACT, TODAY)),
        "unit": lambda c: c.execute(update(Case).where(Case.id == ids["c0"]).values(waiting_unit="Ortopeden Ystad")),
        "new step": lambda c: region.add_step(Session(bind=c), ids["c0"], TODAY - timedelta(days=3), (
            "SV_BEHANDLING", [ClockEvent(EventKind.START, TODAY - timedelta(days=3))])),
        "patient": lambda c: c.execute(update(Patient).where(Patient.id == ids["p0"]).values(
            name="Åsa Ekström", search_name=search_form("Åsa Ekström"))),
        "anna renamed": lambda c: c.execute(update(User).where(User.id == ids["anna"]).values(display_name="A. L.")),
        "to bo": lambda c: c.execute(update(Case).where(Case.id == ids["c0"]).values(assigned_user_id=ids["bo"])),
        "bo renamed": lambda c: c.execute(update(User).where(User.id == ids["bo"]).values(display_name="B. B.")),
        "next day": lambda c: read_model.ensure_current(Session(bind=c), TODAY + timedelta(days=1)),
    }


PAIRS = [("pause", "contact"), ("pause", "unit"), ("new step", "unit"), ("pause", "patient"),
         ("pause", "anna renamed"), ("to bo", "bo renamed"), ("pause", "next day")]


@pytest.mark.parametrize("pair", [*PAIRS, *((b, a) for a, b in PAIRS)], ids=" then ".join)
def test_writers_side_by_side_both_commit_and_the_entries_stay_exact(pg_region, pair):
    """Two transactions write rows one entry draws on; the second waits for the first, both commit, and the entries
    are then what the view and the clock say (without the triggers' locks, the second would write what it read
    before the first committed)."""
    region, ids = pg_region
    writes = _writes(region, ids)
    _side_by_side(region.engine, writes[pair[0]], writes[pair[1]])
    with region.engine.connect() as connection:
        found = _steps_as_the_view_says(connection)
    assert found["entries"] == found["view"]
    region.check(TODAY + timedelta(days=1) if "next day" in pair else TODAY)
