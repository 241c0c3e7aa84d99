"""The dashboard as a user works it: choose a month, show, switch tabs, save, check and export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.errors import StorageError
from tests.export.conftest import XSD, configure
from tests.reports.test_figures import october  # noqa: F401 - the fixture
from ui.reports_window import ReportsWindow


@pytest.fixture
def window(qtbot, ctx, october):  # noqa: F811
    configure(ctx)
    ctx.today = lambda: __import__("datetime").date(2026, 11, 5)
    win = ReportsWindow(ctx)
    qtbot.addWidget(win)
    win.month.setCurrentIndex(win.month.findData("2026-10"))
    qtbot.mouseClick(win.show_button, Qt.MouseButton.LeftButton)
    done(qtbot, win)
    return win


def done(qtbot, win) -> None:
    """Wait for the window's background work and its results on the UI thread."""
    win.runner.wait()
    qtbot.waitUntil(lambda: not win.busy.isVisibleTo(win) and win.show_button.isEnabled(), timeout=30_000)


def test_show_fills_tables_and_charts(window, qtmodeltester):
    assert window.heading.text() == "Oktober 2026 jämfört med oktober 2025"
    assert window.overview_notes.text().startswith("Omfattning: ärendena i Lotsen")
    table = window.figures_model.table
    assert ("Väntande vid månadens slut", "inkl. PvV/MoV", 7.0, 1.0, 6.0) == table.rows[0]
    for model in (window.figures_model, window.buckets_model, window.trend_model, window.breakdown_model,
                  window.history_model):
        qtmodeltester.check(model)
    assert window.trend_model.rowCount() == 13
    assert "0–30: Alla väntande 3" in window.distribution.accessibleDescription()
    window.dimension.setCurrentIndex(0)
    assert window.breakdown_model.table.title == "Per kön"


def test_scope_filters(window, qtbot):
    box = window.scope_boxes["mvo"]
    box.setCurrentIndex(box.findData("311"))
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    done(qtbot, window)
    assert window.report.scope.mvo == "311"


def test_saves_pdf_xlsx_and_csv(window, monkeypatch, tmp_path):
    for kind in ("pdf", "xlsx", "csv"):
        target = tmp_path / f"rapport.{kind}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target: (str(t), ""))
        getattr(window, f"_ask_{kind}")()
        assert target.stat().st_size > 500
    assert "Sparad" in window.statusBar().currentMessage()


def test_reminder_check_and_export(window, qtbot, monkeypatch, tmp_path, qtmodeltester):
    assert window.reminder.isVisibleTo(window) and "oktober 2026" in window.reminder.text()
    window.tabs.setCurrentIndex(3)
    window.out_dir.setText(str(tmp_path / "ut"))
    qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
    done(qtbot, window)
    assert "Kontroll klar: 7 väntande vid månadens slut" in window.export_status.text()
    window.xsd_paths.setText(f"{XSD['vantande']};{XSD['genomforda']}")
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    done(qtbot, window)
    assert "Export klar" in window.export_status.text() and "Filerna följer" in window.export_status.text()
    assert window.history_model.rowCount() == 2
    qtmodeltester.check(window.issues_model)
    qtmodeltester.check(window.problems_model)
    assert not window.reminder.isVisibleTo(window)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    window.xsd_paths.setText(str(tmp_path / "saknas.xsd"))
    window.export()
    assert warnings and "finns inte" in warnings[0]


def test_screenshots(window, qtbot, tmp_path):
    folder = Path(os.environ.get("LOTSEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        if index == 3:
            window.check()
            done(qtbot, window)
        assert window.grab().save(str(folder / f"reports-{index}.png"))


def test_the_report_is_computed_off_the_ui_thread_with_the_controls_waiting(window, qtbot, monkeypatch, tmp_path):
    import threading

    import ui.reports_window as module

    release, threads = threading.Event(), []
    computed = module.monthly_report

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        release.wait(10)
        return computed(*args, **kwargs)

    monkeypatch.setattr(module, "monthly_report", slow)
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(threads))
    try:
        assert threads[0] is not threading.main_thread()
        assert window.heading.text() == "Beräknar uppföljningen för oktober 2026 …"
        assert window.busy.isVisibleTo(window) and "Beräknar" in window.statusBar().currentMessage()
        assert not any(w.isEnabled() for w in [*window.controls, *window.save_buttons])
        assert window.figures_model.rowCount() == 0  # no figure of another month under the new heading
        folder = Path(os.environ.get("LOTSEN_SCREENSHOTS", tmp_path))
        assert window.grab().save(str(folder / "reports-computing.png"))
    finally:
        release.set()
    done(qtbot, window)
    assert window.heading.text() == "Oktober 2026 jämfört med oktober 2025"
    assert all(w.isEnabled() for w in [*window.controls, *window.save_buttons])
    assert window.figures_model.rowCount() > 0 and window.statusBar().currentMessage() == ""


@pytest.mark.parametrize("error, shown, logged", [
    (StorageError("Databasen används av någon annan just nu. Försök igen om en stund."),
     "Databasen används av någon annan just nu", False),
    (RuntimeError("cursor closed"), "Något gick fel i Lotsen", True),
])
def test_a_failed_report_says_so_in_swedish_and_is_logged(window, qtbot, monkeypatch, caplog, error, shown, logged):
    import ui.reports_window as module

    def failing(*args, **kwargs):
        raise error

    warnings = []
    monkeypatch.setattr(module, "monthly_report", failing)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    qtbot.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    done(qtbot, window)
    assert window.heading.text() == "Uppföljningen kunde inte beräknas. Försök igen."
    assert len(warnings) == 1 and shown in warnings[0] and "cursor" not in warnings[0]
    assert any("cursor closed" in (r.exc_text or "") or r.exc_info for r in caplog.records) == logged
    assert logged or any(r.levelname == "WARNING" and shown in r.getMessage() for r in caplog.records)
    assert window.show_button.isEnabled() and not any(b.isEnabled() for b in window.save_buttons)


def test_the_problems_to_fix_are_listed_once_each_with_their_cases(window, qtbot, qtmodeltester):
    from app.export import Issue
    from app.export.service import Prepared

    unmapped = ("aktiviteten ”P030” har ingen SKR-kod (anges under Administration → Inställningar, fliken "
                "Aktiviteter); rapporteras utan aktivitet.")
    issues = [Issue(case_id, case_id, "Aktivitet", unmapped, False) for case_id in range(100, 3100)]
    issues += [Issue(7, 7, "Kön", "okänt kön ”X”.", True), Issue(8, 8, "Kön", "okänt kön ”X”.", True)]
    window.tabs.setCurrentIndex(3)
    window._checked(Prepared(window.selected_month(), None, {}, issues, 0))
    assert [row[1:] for row in window.problems_model.table.rows] == [
        ("okänt kön ”X”.", "Skickas inte förrän felet är rättat", 2), (unmapped, "Skickas ändå", 3000)]
    assert window.issues_model.rowCount() == 2 and "2 ärenden kan inte skickas" in window.export_status.text()
    view = window.problems_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(
        window.problems_model.index(1, 1)).center())
    assert window.issues_model.rowCount() == 3000 and window.issues_model.table.rows[0] == ("100",)
    assert "(3000)" in window.cases_label.text()
    qtmodeltester.check(window.problems_model)
    qtmodeltester.check(window.issues_model)


def test_national_tab_shows_the_measures_per_step_kind(window, qtmodeltester):
    qtmodeltester.check(window.national_model)
    rows = window.national_model.table.rows
    kinds = [row[0] for row in rows if row[0]]
    assert kinds[:2] == ["Första besök i specialiserad vård", "Operation eller åtgärd"]
    assert "Omfattning: ärendena i Lotsen" in window.national_notes.text()
    assert "oktober 2026" in window.national_status.text()


def test_national_tab_counts_care_elsewhere_for_the_year(window, qtmodeltester):
    qtmodeltester.check(window.elsewhere_model)
    table = window.elsewhere_model.table
    assert table.title == "Vård hos annan vårdgivare 2026 (patienter)"
    assert table.rows[-2][0] == "Summa, vård hos annan vårdgivare"
    assert window.elsewhere_title.text() == table.title


def test_print_preview_shows_the_pages_that_are_printed_from_it(window, qtbot, monkeypatch, tmp_path):
    import ui.reports_window as module
    from tests.letters import pdftext
    from tests.ui.helpers import print_from_preview, print_to_pdf

    target = tmp_path / "rapport-utskrift.pdf"
    print_to_pdf(monkeypatch, module, target)
    seen: list[object] = []
    print_from_preview(seen, "report_preview", tmp_path)
    qtbot.mouseClick(window.save_buttons[0], Qt.MouseButton.LeftButton)
    heading, pages, printed = seen
    assert heading == "Förhandsgranskning: Uppföljning av väntetider – oktober 2026" and printed
    assert pages >= 2 and pdftext.info(target)["Pages"] == str(pages)  # what the preview showed is what printed
    assert window.statusBar().currentMessage() == "Rapporten är skickad till skrivaren."
    text = " ".join(pdftext.text(target).split())
    assert "Uppföljning av väntetider – oktober 2026" in text and "Urval: alla" in text
    assert "Väntande vid månadens slut inkl. PvV/MoV 7 1 +6" in text  # the key figures' first row, as on screen
    assert "Per kön" in text and "p.e. = procentenheter." in text
