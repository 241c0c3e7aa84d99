"""The dashboard as a user works it: choose a month, show, switch tabs, save, check and export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

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
    return win


def test_show_fills_tables_and_charts(window, qtmodeltester):
    assert window.heading.text() == "Oktober 2026 jämfört med oktober 2025"
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
    assert window.report.scope.mvo == "311"


def test_saves_pdf_xlsx_and_csv(window, monkeypatch, tmp_path):
    for kind in ("pdf", "xlsx", "csv"):
        target = tmp_path / f"rapport.{kind}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target: (str(t), ""))
        getattr(window, f"_ask_{kind}")()
        assert target.stat().st_size > 500
    assert "Sparad" in window.statusBar().currentMessage()


def test_reminder_check_and_export(window, monkeypatch, tmp_path, qtmodeltester):
    assert window.reminder.isVisibleTo(window) and "oktober 2026" in window.reminder.text()
    window.tabs.setCurrentIndex(3)
    window.out_dir.setText(str(tmp_path / "ut"))
    window.check()
    assert "Kontroll klar: 7 väntande vid månadens slut" in window.export_status.text()
    window.xsd_paths.setText(f"{XSD['vantande']};{XSD['genomforda']}")
    window.export()
    assert "Export klar" in window.export_status.text() and "Filerna följer" in window.export_status.text()
    assert window.history_model.rowCount() == 2
    qtmodeltester.check(window.issues_model)
    assert not window.reminder.isVisibleTo(window)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    window.xsd_paths.setText(str(tmp_path / "saknas.xsd"))
    window.export()
    assert warnings and "finns inte" in warnings[0]


def test_screenshots(window, tmp_path):
    folder = Path(os.environ.get("LOTSEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        if index == 3:
            window.check()
        assert window.grab().save(str(folder / f"reports-{index}.png"))
