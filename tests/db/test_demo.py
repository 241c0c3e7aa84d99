"""The synthetic demo region: deterministic, valid identities, cached clocks that agree with the clock, lawful
timelines, realistic waits; and the benchmark script that runs on it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import demo, steps
from app.cases import CLOSE_REASONS, CONTACT_CHANNELS, Note
from app.database import Database, open_database
from app.guarantee import EventKind, State, check_new_event, check_pvv
from app.identity import parse_patient_id
from app.reference import activities
from app.rulebook import shipped_rule_book
from db.models import Case, CaseEvent, Patient, Step, User, search_form
from tests.conftest import TODAY

BOOK = shipped_rule_book()
ROOT = Path(__file__).resolve().parents[2]
TABLES = ("app_user", "patient", "case_file", "step", "case_event")


def generated(path: Path, open_cases: int, closed_cases: int, **options) -> Database:
    db = open_database(path)
    demo.generate(db, open_cases, closed_cases, today=TODAY, **options)
    return db


def dump(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all() for t in TABLES}


def load(db: Database) -> tuple[list[Step], dict[int, list[CaseEvent]], dict[int, Case], dict[int, Patient]]:
    with db.transaction() as session:
        all_steps = list(session.scalars(select(Step).order_by(Step.id)))
        events: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in session.scalars(select(CaseEvent).order_by(CaseEvent.on, CaseEvent.id)):
            events[event.step_id or -event.case_id].append(event)  # case notes under the negative case id
        case_rows = {c.id: c for c in session.scalars(select(Case))}
        patients = {p.id: p for p in session.scalars(select(Patient))}
        session.expunge_all()
    return all_steps, events, case_rows, patients


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Iterator[Database]:
    db = generated(tmp_path_factory.mktemp("demo") / "a.sqlite", 300, 300)
    yield db
    db.close()


@pytest.fixture(scope="module")
def small_rows(small):
    return load(small)


def test_same_seed_and_day_give_identical_rows(small, tmp_path):
    again = generated(tmp_path / "b.sqlite", 300, 300)
    other_seed = generated(tmp_path / "c.sqlite", 300, 300, seed=7)
    try:
        first = dump(small)
        assert first == dump(again)
        assert first["patient"] != dump(other_seed)["patient"]
    finally:
        again.close()
        other_seed.close()


def test_a_tiny_region_elsewhere_and_the_reported_stats(tmp_path):
    db = open_database(tmp_path / "x.sqlite")
    seen = []
    stats = demo.generate(db, 20, 10, today=TODAY, region="25",
                          progress=lambda done, total: seen.append((done, total)))
    with db.transaction() as session:
        count = {m: session.scalar(select(func.count()).select_from(m))
                 for m in (Patient, Case, Step, CaseEvent)}
        open_cases = session.scalar(select(func.count()).select_from(Case).where(Case.closed_on.is_(None)))
        regions = Counter(session.scalars(select(Patient.home_region_code)))
        units = set(session.scalars(select(Case.waiting_unit)))
    db.close()
    assert (stats.open_cases, stats.closed_cases, open_cases, count[Case]) == (20, 10, 20, 30)
    assert (stats.patients, stats.steps, stats.events) == (count[Patient], count[Step], count[CaseEvent])
    assert seen[-1] == (30, 30) and stats.users == len(demo.CASE_WORKERS)
    assert regions.most_common(1)[0][0] == "25"
    assert all(unit.split(", ")[-1] in demo.HOSPITALS["25"] or unit.startswith("Vårdcentralen ")
               for unit in units)


def test_refuses_a_database_that_already_has_patients(small):
    with pytest.raises(ValueError, match="empty"):
        demo.generate(small, 1, 0, today=TODAY)


def test_patients_have_valid_ids_and_plausible_details(small_rows):
    _, _, case_rows, patients = small_rows
    for p in patients.values():
        pid = parse_patient_id(p.id_number, today=TODAY)
        assert (pid.kind.value, pid.sex, pid.birth_date.year) == (p.id_kind, p.sex, p.birth_year)
        assert p.search_name == search_form(p.name) and len(p.name.split()) == 2
        if p.protected_identity:
            assert (p.street, p.postal_code, p.city, p.representative_address) == (None, None, None, None)
        else:
            assert p.street and p.postal_code and p.city
        if p.representative_kind:
            assert p.representative_kind == "vardnadshavare" and TODAY.year - p.birth_year <= 18
    kinds = Counter(p.id_kind for p in patients.values())
    assert kinds["samordningsnummer"] > 0 and kinds["personnummer"] > 0.9 * len(patients)
    assert {p.language for p in patients.values()} == {"sv", "en"}
    assert any(p.home_region_code != "12" for p in patients.values())
    assert any(p.representative_kind for p in patients.values())
    assert max(Counter(c.patient_id for c in case_rows.values()).values()) > 1
    ages = [TODAY.year - p.birth_year for p in patients.values()]
    assert min(ages) < 18 and max(ages) > 80


def test_cases_and_steps_are_a_realistic_mix(small_rows):
    all_steps, events, case_rows, patients = small_rows
    by_mvo = {a.code: a.mvo_code for a in activities()}
    codes = Counter((s.code, s.is_open) for s in all_steps)
    assert codes[("SV_FORSTA_BESOK", True)] + codes[("SV_BEHANDLING", True)] > 0.7 * 300
    assert codes[("PV_BEDOMNING", False)] > 0 and codes[("PV_BEDOMNING", True)] == 0
    assert codes[("ATERBESOK", True)] > 0
    for s in all_steps:
        case = case_rows[s.case_id]
        assert (s.target_date is not None) == (s.code == "ATERBESOK")
        if s.code.startswith("BUP_"):
            assert case.specialty_code == "960" and TODAY.year - patients[case.patient_id].birth_year <= 18
        if case.activity_code:
            assert by_mvo[case.activity_code] == case.specialty_code
        if s.code == "SV_BEHANDLING":
            assert case.activity_code is not None
    for case in case_rows.values():
        assert case.waiting_unit.startswith("Vårdcentralen " if case.specialty_code == "011" else demo.CLINIC[
            case.specialty_code])
        assert case.medical_priority in (None, "1", "2", "3", "4")
        notes = [e for e in events[-case.id] if e.kind == Note.CASE_CLOSED]
        if case.closed_on is None:
            assert not notes
        else:
            assert case.close_reason in CLOSE_REASONS and case.opened_on <= case.closed_on
            assert [(n.on, n.details) for n in notes] == [(case.closed_on, {"reason": case.close_reason})]
    assert any(c.assigned_user_id is None for c in case_rows.values() if c.closed_on is None)
    assert len({c.assigned_user_id for c in case_rows.values()}) == len(demo.CASE_WORKERS) + 1


def test_every_step_caches_exactly_what_the_clock_says(small_rows):
    all_steps, events, _, _ = small_rows
    for s in all_steps:
        fresh = steps.cache_columns(steps.evaluate_rows(s.code, events[s.id], s.target_date, TODAY, BOOK))
        assert {name: getattr(s, name) for name in fresh} == fresh, s.id


def test_timelines_are_lawful(small_rows):
    """Each step's events, replayed in timeline order, pass the same checks as the case services; PvV only
    where the three legal conditions hold."""
    all_steps, events, _, _ = small_rows
    pvv_steps = 0
    for s in all_steps:
        rows = events[s.id]
        assert rows[0].kind == EventKind.START and rows[0].on == s.started_on
        assert all(s.started_on <= r.on <= TODAY for r in rows)
        clock = steps.clock_events(rows, s.target_date)
        for i, event in enumerate(clock):
            check_new_event(s.code, clock[:i], event, TODAY, BOOK)
            if event.kind is EventKind.PVV:
                check_pvv(s.code, clock[:i], event.on, BOOK)
                pvv_steps += 1
        for r in rows:
            if r.kind == EventKind.CONTACT:
                assert r.details["channel"] in CONTACT_CHANNELS and r.details["outcome"]
            elif r.kind == EventKind.OFFER:
                assert set(r.details) == {"provider", "unit", "address"} and r.appointment >= r.on
            elif r.kind == EventKind.ANSWER:
                offer = next(o for o in rows if o.id == r.offer_id)
                assert offer.kind == EventKind.OFFER and r.on >= offer.on
                assert offer.appointment == r.appointment
            elif r.kind == EventKind.COMPLETED:
                assert r.details["where"]
    assert pvv_steps > 0


def test_open_steps_show_every_state_and_missing_notices(small_rows):
    all_steps, events, _, _ = small_rows
    states, flags = Counter(), Counter()
    for s in all_steps:
        if s.is_open:
            clock = steps.evaluate_rows(s.code, events[s.id], s.target_date, TODAY, BOOK)
            states[clock.state] += 1
            flags.update(clock.flags)
    assert set(states) == {State.OVERDUE, State.AKUT, State.RISK, State.OK, State.PAUSED, State.PVV}
    assert sum(states.values()) == 300 and len(flags) == 2  # besked saknas, ingen kontakt
    assert any(e.kind == EventKind.RESTART for s in all_steps for e in events[s.id])


def test_storage_is_consistent_and_settings_restored(small):
    with small.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        indexes = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_case_event_step_id", "ix_step_worklist", "ix_case_file_patient_id"} <= indexes
    with small.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User).where(User.login.like("demo.%"))) == 8
        assert session.execute(text("SELECT count(*) FROM case_event WHERE details IS NULL")).scalar() == 0


def test_waits_have_a_long_tail_and_workers_do_not_change_the_data(tmp_path):
    """2 000 open cases in two chunks: built in worker processes and in this one, the rows are the same."""
    here = generated(tmp_path / "here.sqlite", 2_000, 1_000, workers=1)
    pool = generated(tmp_path / "pool.sqlite", 2_000, 1_000, workers=2)
    try:
        assert len(demo._plan(2026, TODAY, "12", 2_000, 1_000, BOOK)) > 1
        assert dump(here) == dump(pool)
        with here.engine.connect() as conn:
            starts = [r[0] for r in conn.execute(select(Step.clock_start).where(Step.is_open))]
    finally:
        here.close()
        pool.close()
    waited = [(TODAY - start).days for start in starts]

    def share(low: int, high: int = 10_000) -> float:
        return sum(low <= w <= high for w in waited) / len(waited)

    assert len(waited) == 2_000
    assert 0.48 <= share(0, 60) <= 0.62 and 0.14 <= share(61, 90) <= 0.26
    assert 0.08 <= share(151) <= 0.17 and 0.02 <= share(366) <= 0.07


def test_benchmark_script_writes_its_figures(tmp_path):
    out = tmp_path / "bench.json"
    own = ["generate_seconds", "db_size_mb", "peak_rss_mb", "clock_steps_per_second"]
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--open", "500", "--closed", "500",
               "--json", str(out), "--only", *own]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    figures = {f["name"]: f for f in json.loads(out.read_text(encoding="utf-8"))}
    assert {"generate_seconds", "db_size_mb", "clock_steps_per_second"} <= set(figures)
    assert all(set(f) == {"name", "value", "unit"} and f["value"] > 0 for f in figures.values())
    assert "clock_steps_per_second" in result.stdout
