"""Long writes never lock colleagues out (issue #12, 5): a change of thresholds refreshes thousands of open steps in
short batches while other instances keep saving, each save waiting well under a second; killed half-way, the
refresh is finished by the next instance. And four instances writing at once never see "database is locked".
Real processes, each with its own engine, as on the case workers' desktops."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from itertools import groupby
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import demo, rule_settings, steps
from app.audit.verify import verify_log
from app.context import sign_in
from app.database import open_database
from app.settings import RULES, effective_rule_book, get_setting
from db.models import CaseEvent, Setting, Step, User
from db.worklist import WorklistEntry
from tests.conftest import TODAY
from tests.protection.case_worker import Instances
from tests.protection.rule_changer import overrides

ROOT = Path(__file__).resolve().parents[2]
OPEN_CASES = 10_000  # several seconds of refresh: dozens of batches
ENTRY_COLUMNS = [c.name for c in WorklistEntry.__table__.columns if c.name != "severity_until"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("region") / "region.sqlite"
    db = open_database(path)
    demo.generate(db, OPEN_CASES, 0, today=TODAY, workers=1)
    db.close()  # checkpointed: the file alone is the database
    return path


@pytest.fixture
def region(demo_file, tmp_path) -> Path:
    path = tmp_path / "lotsen.sqlite"
    shutil.copy(demo_file, path)
    return path


def stale_steps(db_path: Path, today: date = TODAY) -> list[int]:
    """Open steps whose cached clock differs from a fresh evaluation with the stored rules."""
    db = open_database(db_path)
    try:
        book = effective_rule_book(get_setting(db, RULES))
        with db.reading() as session:
            cached = {row.id: row for row in session.execute(
                select(Step.id, Step.code, Step.target_date, *rule_settings.CACHED).where(Step.is_open))}
            events = session.execute(
                select(CaseEvent.step_id, CaseEvent.kind, CaseEvent.on, CaseEvent.appointment, CaseEvent.answer,
                       CaseEvent.pause)
                .where(CaseEvent.step_id.in_(select(Step.id).where(Step.is_open)))
                .order_by(CaseEvent.step_id, CaseEvent.on, CaseEvent.id))
            stale = []
            for step_id, rows in groupby(events, key=lambda e: e.step_id):
                row = cached[step_id]
                fresh = steps.cache_columns(steps.evaluate_rows(row.code, rows, row.target_date, today, book))
                if tuple(fresh.values()) != tuple(row[3:]):
                    stale.append(step_id)
            return stale
    finally:
        db.close()


def assert_all_current(db_path: Path) -> None:
    """Every open step evaluated with the stored rules, nothing pending, and the worklist's read model equal to
    its source view (what the triggers write)."""
    assert stale_steps(db_path) == []
    db = open_database(db_path)
    try:
        with db.reading() as session:
            assert session.get(Setting, rule_settings.PENDING) is None
            columns = ", ".join(ENTRY_COLUMNS)
            for first, second in (("worklist_source", "worklist_entry"), ("worklist_entry", "worklist_source")):
                assert session.scalar(text(f"SELECT count(*) FROM (SELECT {columns} FROM {first} "
                                           f"EXCEPT SELECT {columns} FROM {second})")) == 0
    finally:
        db.close()


def assert_nothing_lost(db_path: Path, reports: list[dict]) -> None:
    """Every event a worker reported as saved is there, written by that worker's user."""
    db = open_database(db_path)
    try:
        with db.reading() as session:
            for report in reports:
                saved = set(session.scalars(select(CaseEvent.id).join(User, User.id == CaseEvent.user_id)
                                            .where(User.login == report["login"])))
                assert len(report["events"]) == len(set(report["events"])) == len(saved)
                assert set(report["events"]) == saved
        assert verify_log(db).ok
    finally:
        db.close()


def change_rules_in_a_process(db_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.protection.rule_changer", str(db_path), "40",
                             TODAY.isoformat()], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def test_colleagues_keep_saving_while_the_thresholds_change(region):
    # Bo signs in before the change: his instance holds the old rules in memory all along.
    colleague = Instances(region, ["bo.lots"], 120, busy_ms=1000, think_ms=10)
    try:
        changer = change_rules_in_a_process(region)
        out, _ = changer.communicate(timeout=120)
    finally:
        (report,) = colleague.stop()
    lines = out.split("\n")
    assert changer.returncode == 0 and "done" in lines
    assert len(lines) > 10, "the refresh ran in one or a few long batches"
    assert report["locked"] == report["storage_errors"] == 0 and report["errors"] == []
    assert report["over_1s"] == 0 and report["max_wait"] < 1.0
    assert report["actions"] >= 20
    assert_nothing_lost(region, [report])
    assert_all_current(region)  # also the steps Bo saved with the old rules in memory


def test_a_killed_refresh_is_finished_by_the_next_instance(region):
    changer = change_rules_in_a_process(region)
    try:
        while int(changer.stdout.readline().split()[0]) < OPEN_CASES // 4:
            pass
    finally:
        changer.kill()  # SIGKILL: no clean-up runs
        changer.wait()
    stale = stale_steps(region)
    db = open_database(region)
    try:
        with db.reading() as session:
            after = session.get(Setting, rule_settings.PENDING).value["after"]
            remaining = session.scalar(select(func.count()).select_from(Step).where(Step.is_open, Step.id > after))
        assert get_setting(db, RULES) == overrides(40)
        assert stale and min(stale) > after > 0, "the batches already committed are current"
        ctx = sign_in(db, "bo.lots")  # what the next start does (ui.app): finish the refresh
        ctx.today = lambda: TODAY
        assert rule_settings.refresh_pending(ctx)
        assert rule_settings.finish_refresh(ctx) == remaining
        assert not rule_settings.refresh_pending(ctx)
        assert ctx.rule_overrides == overrides(40)  # and ctx.rules its book
    finally:
        db.close()
    assert_all_current(region)


def test_four_instances_writing_at_once_never_see_a_locked_database(region):
    """The short form of bench/bench_concurrency.py: four case workers saving as fast as they can."""
    reports = Instances(region, ["anna.lots", "bo.lots", "cecilia.lots", "david.lots"], 8).reports()
    assert sum(r["locked"] for r in reports) == 0
    assert [e for r in reports for e in r["errors"]] == []
    assert all(r["actions"] > 10 for r in reports)
    assert_nothing_lost(region, reports)
