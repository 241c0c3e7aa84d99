"""Hypothesis fuzzing: random text and dates into the case forms' services, random bytes and CSV into the
importer. Only clear errors (InputError with a field and a Swedish message), never a crash, nothing saved lost."""

from __future__ import annotations

import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import cases, importer
from app.audit.verify import verify_log
from app.errors import InputError
from app.guarantee import Answer, PauseKind
from app.importer.reading import read_csv_bytes
from db.models import CaseEvent
from tests.protection.helpers import open_case

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
texts = st.text(max_size=60)
optional_dates = st.none() | dates


def _events(ctx) -> int:
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(CaseEvent))


def _clear(exc: InputError) -> None:
    assert exc.field and exc.message and "Traceback" not in exc.message


@FUZZ
@given(form=st.sampled_from(["contact", "informed", "notice", "offer", "pause", "pvv", "complete", "note", "answer"]),
       on=dates, other=optional_dates, text=texts, choice=st.sampled_from(["telefon", "brev", "", "x", "1177"]))
def test_case_forms_take_any_input(ctx, form, on, other, text, choice):
    if not hasattr(ctx, "opened"):
        ctx.opened = open_case(ctx)
    opened, before = ctx.opened, _events(ctx)
    calls = {
        "contact": lambda: cases.record_contact(ctx, opened.step_id, on, choice, text),
        "informed": lambda: cases.record_informed(ctx, opened.step_id, on, text),
        "notice": lambda: cases.record_notice(ctx, opened.step_id, on, bool(text)),
        "offer": lambda: cases.make_offer(ctx, opened.step_id, on, other, other, text, text, text, text[:6]),
        "pause": lambda: cases.start_pause(ctx, opened.step_id, on, PauseKind.MOV, text),
        "pvv": lambda: cases.register_pvv(ctx, opened.step_id, on),
        "complete": lambda: cases.complete_step(ctx, opened.step_id, on, text) if on < date(2026, 10, 1) else None,
        "note": lambda: cases.add_note(ctx, opened.case_id, text),
        "answer": lambda: cases.record_answer(ctx, opened.step_id, on, Answer.DECLINED),
    }
    try:
        calls[form]()
    except InputError as exc:
        _clear(exc)
        assert _events(ctx) == before  # a refused form saves nothing
    else:
        assert _events(ctx) >= before
    assert verify_log(ctx.db).ok


@FUZZ
@given(data=st.binary(max_size=400))
def test_the_importer_reads_any_bytes_with_clear_errors(data):
    try:
        table = read_csv_bytes(data)
    except InputError as exc:
        _clear(exc)
    else:
        assert isinstance(table.headings, list)


cells = st.text(alphabet=string.ascii_letters + string.digits + "-;,\"\n åäöÅÄÖ", max_size=14)


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=11), max_size=6), sep=st.sampled_from([";", ",", "\t"]))
def test_the_importer_imports_any_csv_with_clear_errors(ctx, tmp_path, rows, sep):
    if not hasattr(ctx, "opened"):
        ctx.opened = open_case(ctx)
    before = _events(ctx)
    heading = sep.join(["Personnummer", "Namn", "Steg", "Remissdatum", "MVO", "Åtgärd", "Kommun", "Väntar hos",
                        "Prioritet", "Remiss-id"])
    path = tmp_path / "lista.csv"
    path.write_text("\n".join([heading, *(sep.join(r) for r in rows)]), encoding="utf-8")
    try:
        table = importer.read_table(path)
        result = importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list",
                                                                                        table.headings), "fuzz")
    except InputError as exc:
        _clear(exc)
    else:
        assert all(p.message for p in result.problems)
    assert _events(ctx) >= before  # nothing already saved is lost
    assert cases.view_case(ctx, ctx.opened.case_id).timeline[0].kind == "start"
