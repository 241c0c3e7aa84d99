"""Two instances on the same database: a version counter finds concurrent edits of a case; two writing processes
keep the access log's chain whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cases
from app.audit.verify import verify_log
from app.errors import ConflictError
from db.models import CaseEvent
from tests.protection.helpers import D, open_case

ROOT = Path(__file__).resolve().parents[2]


def test_every_change_bumps_the_version(ctx):
    opened = open_case(ctx)
    versions = [cases.view_case(ctx, opened.case_id).version]
    cases.record_contact(ctx, opened.step_id, D("2026-10-05"), "telefon")
    versions.append(cases.view_case(ctx, opened.case_id).version)
    cases.add_note(ctx, opened.case_id, "ringde")
    versions.append(cases.view_case(ctx, opened.case_id).version)
    cases.assign(ctx, opened.case_id, ctx.user_id, expected_version=versions[-1])
    versions.append(cases.view_case(ctx, opened.case_id).version)
    assert versions == sorted(set(versions)) and len(versions) == 4


def test_the_second_writer_is_told_and_nothing_is_lost(ctx, second):
    opened = open_case(ctx)
    seen_by_anna = cases.view_case(ctx, opened.case_id)
    seen_by_bo = cases.view_case(second, opened.case_id)
    assert seen_by_anna.version == seen_by_bo.version
    cases.record_contact(second, opened.step_id, D("2026-10-05"), "telefon", "Bo ringde",
                         expected_version=seen_by_bo.version)
    with pytest.raises(ConflictError, match="ändrats av någon annan"):
        cases.record_contact(ctx, opened.step_id, D("2026-10-06"), "brev", "Anna skrev",
                             expected_version=seen_by_anna.version)
    current = cases.view_case(ctx, opened.case_id)  # what the case window shows after the conflict
    outcomes = [e.details.get("outcome") for e in current.timeline if e.kind == "contact"]
    assert outcomes == ["Bo ringde"] and current.version > seen_by_anna.version
    cases.record_contact(ctx, opened.step_id, D("2026-10-06"), "brev", "Anna skrev", expected_version=current.version)
    assert len([e for e in cases.view_case(second, opened.case_id).timeline if e.kind == "contact"]) == 2


def test_two_writing_processes_keep_the_log_chain_whole(ctx, db_path):
    opened = open_case(ctx)
    writers = [subprocess.Popen([sys.executable, "-m", "tests.protection.writer", str(db_path), str(opened.step_id),
                                 "40"], cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    reported = []
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        reported += [int(line) for line in out.split()[1:]]
    assert len(reported) == 80
    with ctx.db.transaction() as session:
        stored = set(session.scalars(select(CaseEvent.id).where(CaseEvent.kind == "contact")))
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 81
    assert set(reported) == stored
    result = verify_log(ctx.db)
    assert result.ok and result.checked == 1 + 80
