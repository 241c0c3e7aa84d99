"""The report as PDF (read back), XLSX and CSV (as Swedish Excel opens them)."""

from __future__ import annotations

import csv
import subprocess

import pytest

from app.reports import Month, monthly_report
from app.reports.output import write_csv, write_pdf, write_xlsx
from tests.reports.test_figures import OCT, october  # noqa: F401 - the fixture


@pytest.fixture
def report(ctx, october):  # noqa: F811
    return monthly_report(ctx, OCT, trend=True)


def test_csv_has_bom_semicolons_and_swedish_numbers(report, tmp_path):
    path = write_csv(report, tmp_path / "rapport.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(path.read_text("utf-8-sig").splitlines(), delimiter=";"))
    waiting = next(r for r in rows if r[:2] == ["Väntande vid månadens slut", "exkl. PvV/MoV"])
    assert waiting[2:] == ["5", "1", "+4"] or waiting[2] == "5"
    share = next(r for r in rows if r[:2] == ["Andel väntat mer än 90 dagar", "exkl. PvV/MoV"])
    assert share[2] == "40,0 %" and share[3] == "100,0 %" and share[4] == "-60,0 p.e."
    assert ["Månad", "Väntande", "Andel > 90 dagar (exkl. PvV/MoV)", "Genomförda (exkl. PvV)",
            "Andel inom tidsgränsen (exkl. PvV)"] in rows


def test_xlsx_keeps_numbers_as_numbers(report, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(write_xlsx(report, tmp_path / "rapport.xlsx"))
    assert "Nyckeltal (vårdgarantidagar)" in book.sheetnames and "Per kön" in book.sheetnames
    sheet = book["Nyckeltal (vårdgarantidagar)"]
    values = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert values[("Väntande vid månadens slut", "inkl. PvV/MoV")] == 7
    assert values[("Andel väntat mer än 90 dagar", "exkl. PvV/MoV")] == pytest.approx(40.0)


def test_pdf_reads_back_with_tables_and_suppression(ctx, report, tmp_path):
    path = write_pdf(report, tmp_path / "rapport.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Uppföljning av väntetider – oktober 2026" in text
    assert "Andel väntat mer än 90 dagar" in text and "40,0 %" in text
    assert "Per kön" in text and "Utveckling de senaste 13 månaderna" in text
    from app.settings import set_setting

    set_setting(ctx.db, "reports.min_count", 10)
    hidden = write_pdf(monthly_report(ctx, Month(2026, 10)), tmp_path / "dold.pdf")
    text = subprocess.run(["pdftotext", str(hidden), "-"], capture_output=True, text=True, check=True).stdout
    assert "–" in text and "40,0 %" not in text and "<10" not in text
    assert "färre än 10 patienter" in text and "Omfattning: ärendena i Lotsen" in text
