"""Bad input gets a message, never a crash (#12, point 7): a start before the first rule set, an end date of
9999-12-31, a pasted search of 25 000 characters, NUL and lone surrogates in free text, over-long values. Each is
refused with an InputError naming the field, in Swedish, and nothing saved is changed."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select, text

from app import cases, importer, register, worklist
from app.audit import extract, review
from app.context import sign_in
from app.corrections import correct_event_date
from app.errors import InputError
from app.export.service import export_month
from app.identity import luhn_check_digit, make_personnummer
from app.importer.reading import read_csv_bytes
from app.letters.sender import Sender, set_sender
from app.paths import log_file
from app.register.approaches import record_approach
from app.reports.months import Month
from app.roles import Role
from app.text_input import check_text
from app.users import UserChange, add_user, set_role, update_user
from db.audit import EventCorrection
from db.models import Patient
from tests.conftest import TODAY
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.protection.helpers import D, open_case

NUL, SURROGATE = "Karin\x00Berg", "Karin\ud800Berg"
PNR = make_personnummer(date(1961, 4, 2), 123)
EARLIEST = "2010-07-01"


def snapshot(ctx) -> dict[str, list]:
    """Every row of every table: a refused call must leave all of it as it was."""
    with ctx.db.reading() as session:
        tables = inspect(session.connection()).get_table_names()
        return {t: sorted(map(repr, session.execute(text(f'SELECT * FROM "{t}"')))) for t in tables}


def refused(ctx, call: Callable[[], object], field: str, *words: str) -> InputError:
    before = snapshot(ctx)
    with pytest.raises(InputError) as caught:
        call()
    exc = caught.value
    assert exc.field == field, (exc.field, exc.message)
    for word in words:
        assert word in exc.message, (word, exc.message)
    assert "Traceback" not in exc.message and "\ud800" not in exc.message
    assert snapshot(ctx) == before, "a refused call changed saved data"
    return exc


def new_patient(name: str = "Karin Berg", **extra) -> cases.NewPatient:
    return cases.NewPatient(PNR, name, "12", **extra)


def new_case(started_on: date = D("2026-10-01"), **extra) -> cases.NewCase:
    return cases.NewCase("SV_FORSTA_BESOK", started_on, "311", **extra)


@pytest.fixture
def world(ctx):
    """A case with a step, a provider with a unit, a second user and a granskare with a log row to review."""
    opened = open_case(ctx)
    provider = register.save_provider(ctx, register.ProviderData("Privatkliniken AB", "12", False,
                                                                 "556677-889" + str(luhn_check_digit("556677889"))))
    unit = register.save_unit(ctx, register.UnitData("SE2321000016-U1", "Ortopedmottagningen", provider, "12",
                                                     specialties=["311"]))
    bo = sign_in(ctx.db, "bo.lots", "Bo Lots")
    greta = sign_in(ctx.db, "greta.granskare", "Greta Granskare")
    set_role(ctx, greta.user_id, Role.GRANSKARE)
    greta = sign_in(ctx.db, "greta.granskare")
    greta.today = ctx.today
    start_event = next(e.id for e in cases.view_case(ctx, opened.case_id).timeline if e.kind == "start")
    log_row = review.search(greta, review.LogFilter())[1][-1].id
    return {"opened": opened, "provider": provider, "unit": unit, "bo": bo, "greta": greta,
            "start_event": start_event, "log_row": log_row}


# --- a start date before the first rule set ---

def test_a_case_cannot_start_before_the_first_rule_set(ctx):
    exc = refused(ctx, lambda: cases.open_case(ctx, new_patient(), new_case(D("2010-06-30"))), "Startdatum",
                  "2010-06-30", EARLIEST)
    assert "ligger före vårdgarantins första regelverk" in exc.message
    refused(ctx, lambda: cases.open_case(ctx, new_patient(), new_case(date(1, 1, 1))), "Startdatum", EARLIEST)
    opened = cases.open_case(ctx, new_patient(), new_case(D(EARLIEST)))  # the first day itself is fine
    assert cases.view_case(ctx, opened.case_id).steps[0].clock.rule_set == "vardgaranti-2010"


def test_a_next_step_cannot_start_before_the_first_rule_set(ctx):
    opened = open_case(ctx)
    refused(ctx, lambda: cases.add_step(ctx, opened.case_id, "SV_BEHANDLING", D("2009-12-31")), "Startdatum",
            EARLIEST)


def test_a_start_date_cannot_be_corrected_to_before_the_first_rule_set(ctx, world):
    exc = refused(ctx, lambda: correct_event_date(ctx, world["start_event"], D("2010-06-30"), "fel i remissen"),
                  "Nytt datum", EARLIEST)
    assert "startdatum" in exc.message
    with ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(EventCorrection)) == 0


def test_an_imported_row_before_the_first_rule_set_is_rejected_with_the_earliest_date(ctx):
    rows = [f"{PNR[:8]}-{PNR[8:]};Karin Berg;SV_FORSTA_BESOK;2010-06-30;311",
            f"{make_personnummer(date(1970, 1, 1), 11)};Per Ek;SV_FORSTA_BESOK;2010-07-01;311"]
    table = read_csv_bytes("\n".join(["Personnummer;Namn;Steg;Remissdatum;MVO", *rows]).encode())
    result = importer.import_table(ctx, "waiting-list", table, importer.guess_columns("waiting-list",
                                                                                      table.headings), "klinik")
    assert result.created == 1 and len(result.problems) == 1
    problem = result.problems[0]
    assert problem.row == 2 and problem.column == "Remissdatum" and EARLIEST in problem.message
    with ctx.db.reading() as session:
        assert session.scalars(select(Patient.name)).all() == ["Per Ek"]


# --- an end date of 9999-12-31 in the log review ---

def test_the_log_review_takes_the_last_day_there_is(world):
    greta = world["greta"]
    everything = review.search(greta, review.LogFilter())[0]
    # this search and the one before it are logged too
    assert review.search(greta, review.LogFilter(until=date.max))[0] == everything + 1
    assert review.search(greta, review.LogFilter(since=date.min, until=date.max))[0] == everything + 2
    assert review.search(greta, review.LogFilter(since=date.max, until=date.max))[0] == 0
    assert review.draw_sample(greta, review.LogFilter(until=date.max), 2, seed=1)[1]
    assert isinstance(review.unusual_access(greta, until=date.max), list)
    made = extract.patient_extract(greta, open_case_number(), until=date.max)
    assert made.rows and made.until == date.max


def open_case_number() -> str:
    number = make_personnummer(date(1958, 3, 14), 421)  # tests.protection.helpers.open_case's patient
    return f"{number[:8]}-{number[8:]}"


# --- a pasted search of 25 000 characters ---

def test_a_pasted_search_of_25000_characters_finds_nothing_at_once(ctx, region):  # noqa: F811
    everyone = worklist.open_step_ids(ctx)
    assert everyone
    for pasted in ("å" * 25_000, "Ω" * 25_000, "%_" * 12_500, "١" * 25_000, "Åsa\ud800", "Åsa\x00"):
        started = time.perf_counter()
        flt = worklist.Filter(text=pasted)
        assert worklist.open_step_ids(ctx, flt, limit=50) == []
        assert worklist.count_by_state(ctx, flt) == {}
        assert time.perf_counter() - started < 1.0
    # the longest name that fits is still searched for
    assert worklist.open_step_ids(ctx, worklist.Filter(text="å" * worklist.SEARCH_LIMIT)) == []
    assert len(worklist.open_step_ids(ctx, worklist.Filter(text="Åsa"))) == 1


# --- NUL, lone surrogates and over-long values in free text ---

def _calls(ctx, w) -> dict[str, tuple[str, Callable[[str], object]]]:
    """Each free-text field a service takes: (the field's name in the message, a call with the bad text)."""
    step, case = w["opened"].step_id, w["opened"].case_id
    day = D("2026-10-20")
    return {
        "patient name": ("Namn", lambda t: cases.open_case(ctx, new_patient(t), new_case())),
        "street": ("Gatuadress", lambda t: cases.open_case(ctx, new_patient(street=t), new_case())),
        "city": ("Ort", lambda t: cases.open_case(ctx, new_patient(city=t), new_case())),
        "phone": ("Telefon", lambda t: cases.open_case(ctx, new_patient(phone=t), new_case())),
        "representative": ("Företrädarens namn",
                           lambda t: cases.open_case(ctx, new_patient(representative_name=t), new_case())),
        "waiting unit": ("Väntar hos", lambda t: cases.open_case(ctx, new_patient(), new_case(waiting_unit=t))),
        "home region": ("Hemregion", lambda t: cases.open_case(ctx, cases.NewPatient(PNR, "Karin", t),
                                                               new_case())),
        "note": ("Anteckning", lambda t: cases.add_note(ctx, case, t)),
        "contact outcome": ("Resultat", lambda t: cases.record_contact(ctx, step, day, "telefon", t)),
        "informed how": ("Hur", lambda t: cases.record_informed(ctx, step, day, t)),
        "offer provider": ("Vårdgivare", lambda t: cases.make_offer(ctx, step, day, day, None, t)),
        "offer unit": ("Mottagning", lambda t: cases.make_offer(ctx, step, day, day, None, "Privatkliniken", t)),
        "offer address": ("Adress", lambda t: cases.make_offer(ctx, step, day, day, None, "Privatkliniken", "",
                                                               t)),
        "pause reason": ("Orsak", lambda t: cases.start_pause(ctx, step, day, cases.PauseKind.MOV, t)),
        "completed where": ("Var", lambda t: cases.complete_step(ctx, step, day, t)),
        "correction reason": ("Orsak", lambda t: correct_event_date(ctx, w["start_event"], D("2026-09-30"), t)),
        "approach note": ("Anteckning", lambda t: record_approach(ctx, step, "Privatkliniken", "", "inget_svar", t)),
        "approached provider": ("Vårdgivare", lambda t: record_approach(ctx, step, t, "", "inget_svar")),
        "user login": ("Inloggning", lambda t: add_user(ctx, t, "Ny Lots")),
        "user name": ("Namn", lambda t: add_user(ctx, "ny.lots", t)),
        "user unit": ("Enhet", lambda t: update_user(ctx, w["bo"].user_id, UserChange("Bo Lots", None, t,
                                                                                      Role.VARDLOTS))),
        "sign-in login": ("Inloggning", lambda t: sign_in(ctx.db, t)),
        "sign-in name": ("Namn", lambda t: sign_in(ctx.db, "ny.lots", t)),
        "provider name": ("Namn", lambda t: register.save_provider(ctx, register.ProviderData(t, "12"))),
        "unit contact": ("Kontaktperson", lambda t: register.save_unit(ctx, register.UnitData(
            "SE2321000016-U1", "Ortopedmottagningen", w["provider"], "12", specialties=["311"],
            contact_person=t), w["unit"])),
        "unit e-mail": ("E-post", lambda t: register.save_unit(ctx, register.UnitData(
            "SE2321000016-U1", "Ortopedmottagningen", w["provider"], "12", specialties=["311"], email=t),
            w["unit"])),
        "unit services": ("Verksamhetsområden (MVO)", lambda t: register.save_unit(ctx, register.UnitData(
            "SE2321000016-U1", "Ortopedmottagningen", w["provider"], "12", specialties=["311", t]), w["unit"])),
        "contract title": ("Benämning", lambda t: register.save_contract(ctx, register.ContractData(
            t, w["provider"], "12", "LOU", ["311"], D("2026-01-01")))),
        "contract terms": ("Villkor för andra regioner", lambda t: register.save_contract(ctx, register.ContractData(
            "Avtal", w["provider"], "12", "LOU", ["311"], D("2026-01-01"), other_region_terms=t))),
        "capacity source": ("Källa", lambda t: register.save_capacity(ctx, register.CapacityData(
            w["unit"], "311", TODAY, 30, source=t))),
        "review note": ("Anteckning", lambda t: review.record_review(w["greta"], w["log_row"], "avvikelse", t)),
        "import source": ("Källa", lambda t: importer.save_mapping(ctx, "waiting-list", t, {})),
        "letter sender": ("Enhet", lambda t: set_sender(ctx.db, Sender(unit=t))),
        "export folder": ("Mapp", lambda t: export_month(ctx, Month.of(D("2026-10-01")), Path(t))),
    }


FIELDS = list(_calls(None, {"opened": cases.Opened(0, 0, 0), "start_event": 0, "provider": 0, "unit": 0,
                            "bo": None, "greta": None, "log_row": 0}))


@pytest.mark.parametrize("name", FIELDS)
def test_nul_and_lone_surrogates_are_refused_naming_the_field(ctx, world, name):
    field, call = _calls(ctx, world)[name]
    exc = refused(ctx, lambda: call(NUL), field, "innehåller ett tecken som inte kan sparas (NUL")
    assert str(exc).startswith(f"{field}: innehåller ett tecken som inte kan sparas (NUL, tecken 6).")
    refused(ctx, lambda: call(SURROGATE), field, "(U+D800, tecken 6)")
    refused(ctx, lambda: call("x" * 100_000), field, "för lång", "100\u00a0000 tecken", "Högst")


def test_over_long_values_are_refused_with_the_column_s_limit(ctx, world):
    refused(ctx, lambda: cases.open_case(ctx, new_patient("K" * 161), new_case()), "Namn", "161 tecken",
            "Högst 160 tecken")
    refused(ctx, lambda: cases.open_case(ctx, new_patient(postal_code="1" * 11), new_case()), "Postnummer",
            "Högst 10 tecken")
    refused(ctx, lambda: add_user(ctx, "a" * 121), "Inloggning", "Högst 120 tecken")
    refused(ctx, lambda: cases.add_note(ctx, world["opened"].case_id, "x" * 10_001), "Anteckning",
            "Högst 10\u00a0000 tecken")
    refused(ctx, lambda: register.save_provider(ctx, register.ProviderData("P" * 161, "12")), "Namn",
            "Högst 160 tecken")
    # at the limit, and with spaces around it, the value fits
    opened = cases.open_case(ctx, new_patient(" " + "K" * 160 + " "), new_case())
    assert cases.view_case(ctx, opened.case_id).patient_name == "K" * 160


def test_check_text_passes_good_text_unchanged():
    for good in (None, "", "Åsa Öberg-Ärlig", "行", "😀 emoji", "tab\tand\nnewline"):
        assert check_text(good, "Namn") == good
    with pytest.raises(InputError, match="ska vara text"):
        check_text(12, "Namn")  # type: ignore[arg-type]


def test_imported_rows_with_nul_or_over_long_text_are_rejected_by_column(ctx, tmp_path):
    lines = ["Personnummer;Namn;Steg;Remissdatum;MVO;Väntar hos",
             f"{PNR};Karin\x00Berg;SV_FORSTA_BESOK;2026-10-01;311;",
             f"{make_personnummer(date(1970, 1, 1), 11)};Per Ek;SV_FORSTA_BESOK;2026-10-01;311;{'O' * 161}",
             f"{make_personnummer(date(1971, 1, 1), 11)};Eva Ek;SV_FORSTA_BESOK;2026-10-01;311;Ortopeden"]
    path = tmp_path / "lista.csv"
    path.write_bytes("\n".join(lines).encode())
    table = read_csv_bytes(path.read_bytes())
    result = importer.import_file(ctx, "waiting-list", path, importer.guess_columns("waiting-list",
                                                                                   table.headings), "klinik")
    assert result.created == 1
    # the rejected rows, as they were: a worksheet cannot hold NUL, so it is shown as U+FFFD
    sheet = load_workbook(result.rejected_file).active
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Karin\ufffdBerg", "Per Ek"]
    assert [(p.row, p.column) for p in result.problems] == [(2, "Namn"), (3, "Väntar hos")]
    assert "(NUL, tecken 6)" in result.problems[0].message and "160" in result.problems[1].message
    with ctx.db.reading() as session:
        assert session.scalars(select(Patient.name)).all() == ["Eva Ek"]
    refused(ctx, lambda: importer.import_table(ctx, "waiting-list", table, {}, "klinik\udcff"), "Källa", "U+DCFF")


def test_a_file_with_a_lone_surrogate_is_refused():
    data = b"\xff\xfe" + "Namn;Steg\n".encode("utf-16-le") + b"\x00\xd8" + ";x\n".encode("utf-16-le")
    with pytest.raises(InputError, match=r"filen har tecken som inte kan läsas \(rad 2\)") as caught:
        read_csv_bytes(data)
    assert caught.value.field == "Fil"
    with pytest.raises(InputError, match=r"inte kan läsas \(rad 2\)"):
        read_csv_bytes(b"\xef\xbb\xbfNamn;Steg\n\xff;x\n")


def test_a_surrogate_in_a_log_message_is_written_not_dropped(tmp_path):
    """The log file survives text that UTF-8 cannot encode, e.g. in an unexpected error's message (basicConfig's
    errors="backslashreplace"; a handler made some other way would drop the record)."""
    script = ("import logging, sys; from pathlib import Path; from ui.cli import configure_logging; "
              "from ui.errors import user_message; "
              "configure_logging(Path(sys.argv[1])); "
              "logging.getLogger('lotsen').error('Namn: %s', 'Karin\\ud800Berg'); "
              "user_message(RuntimeError('Ort: Malm\\udcf6')); "  # an unexpected error: logged with its traceback
              "logging.getLogger('lotsen').error('efter')")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], timeout=60)
    assert done.returncode == 0 and "Logging error" not in done.stderr, done.stderr
    written = log_file(tmp_path).read_text(encoding="utf-8")
    assert "Namn: Karin\\ud800Berg" in written and "RuntimeError: Ort: Malm\\udcf6" in written
    assert written.rstrip().endswith("efter")


def test_a_pasted_surrogate_never_reaches_a_service_from_a_line_edit(qtbot):
    """Qt's text is UTF-16: PySide6 leaves out a lone surrogate when the text is set, so what a form hands to a
    service can be stored (a NUL does come through, and the services refuse it)."""
    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.setText(SURROGATE)
    edit.insert("\udc80")
    assert "\ud800" not in edit.text() and "\udc80" not in edit.text()
    edit.setText(NUL)
    assert edit.text() == NUL


# --- the windows ---

def test_the_new_case_dialog_shows_the_message_and_keeps_what_was_typed(qtbot, ctx):
    from tests.ui.helpers import wait_for
    from ui.new_case_dialog import NewCaseDialog

    def settled(save) -> None:  # the new case is saved off the UI thread
        save()
        wait_for(lambda: dialog.runner.idle)

    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.widgets["id_number"].setText(PNR)
    dialog.widgets["name"].setText(NUL)
    dialog.widgets["specialty"].setCurrentIndex(dialog.widgets["specialty"].findData("311"))
    settled(dialog.save)
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text().startswith("Namn: innehåller ett tecken som inte kan sparas (NUL")
    assert dialog.opened is None and dialog.widgets["name"].text() == NUL and not dialog.result()

    dialog.widgets["name"].setText("Karin Berg")
    dialog.widgets["started_on"].set_value(date(2010, 6, 30))
    settled(dialog.save)
    assert dialog.error.text().startswith("Startdatum: 2010-06-30 ligger före")
    assert EARLIEST in dialog.error.text() and dialog.opened is None
    with ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 0

    dialog.widgets["started_on"].set_value(date(2026, 10, 1))
    settled(dialog.save)
    assert dialog.opened is not None


def test_the_log_review_window_searches_up_to_9999_12_31(qtbot, world, monkeypatch):
    import ui.log_review_window as module

    shown: list[BaseException] = []
    monkeypatch.setattr(module, "show_error", lambda parent, exc: shown.append(exc))
    window = module.LogReviewWindow(world["greta"])
    qtbot.addWidget(window)
    window.until.set_value(date(9999, 12, 31))
    window.search_button.click()
    assert not shown and window.log_model.rowCount() > 0 and window.summary.text().endswith("loggrader")
    window.since.set_value(date(9999, 12, 31))
    window.search_button.click()
    assert not shown and window.summary.text() == "0 loggrader"
    window.tabs.setCurrentIndex(1)  # unusual access, same period
    assert not shown


def test_a_pasted_search_in_the_worklist_neither_hangs_nor_fails(qtbot, ctx, region, monkeypatch):  # noqa: F811
    import ui.main_window as module

    shown: list[BaseException] = []
    monkeypatch.setattr(module, "show_error", lambda parent, exc: shown.append(exc))
    window = module.MainWindow(ctx)
    qtbot.addWidget(window)
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == 7)
    started = time.perf_counter()
    window.filters.search.insert("å" * 25_000)  # as a paste arrives
    assert len(window.filters.search.text()) == worklist.SEARCH_LIMIT
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=3000)
    assert time.perf_counter() - started < 3 and not shown
    window.filters.search.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 7)
    window.runner.wait()
