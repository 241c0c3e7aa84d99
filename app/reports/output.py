"""The report as files: CSV (UTF-8 with BOM and semicolons, as Swedish Excel expects), XLSX and a printable PDF
with the same tables and the charts (reportlab's own graphics)."""

from __future__ import annotations

import csv
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path

from app.reports.figures import Report
from app.reports.tables import Table, all_tables, fmt, notes, scope_text, unit_of


def title(report: Report) -> str:
    return f"Uppföljning av väntetider – {report.month.label}"


def write_csv(report: Report, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([title(report)])
        writer.writerow([scope_text(report)])
        for table in all_tables(report):
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.headers)
            for r, row in enumerate(table.rows):
                writer.writerow([fmt(cell, unit_of(table, r, c)) for c, cell in enumerate(row)])
        writer.writerow([])
        for note in notes(report):
            writer.writerow([note])
    return path


def write_xlsx(report: Report, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in all_tables(report):
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([scope_text(report)])
        sheet.append(list(table.headers))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for r, row in enumerate(table.rows):
            sheet.append(list(row))
            for c, cell in enumerate(sheet[sheet.max_row]):
                unit = unit_of(table, r, c)
                if isinstance(cell.value, float):
                    cell.number_format = {"procent": '0.0" %"', "pe": "+0.0;-0.0;0.0"}.get(unit, "0.0")
        for c, header in enumerate(table.headers):
            width = max([len(header)] + [len(fmt(row[c])) for row in table.rows]) + 2
            sheet.column_dimensions[chr(ord("A") + c)].width = min(width, 60)
    notes_sheet = book.create_sheet("Förklaringar")
    for note in notes(report):
        notes_sheet.append([note])
    book.save(path)
    return path


def _sheet_name(text: str) -> str:
    return text[:31].replace("/", "-")


# --- PDF ---

def _font() -> tuple[str, str]:
    """DejaVu Sans from resources/fonts when it is there (it covers every character), else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        folder = files("resources") / "fonts"
        with as_file(folder / "DejaVuSans.ttf") as regular, as_file(folder / "DejaVuSans-Bold.ttf") as bold:
            if regular.is_file() and bold.is_file():
                pdfmetrics.registerFont(TTFont("LotsenSans", str(regular)))
                pdfmetrics.registerFont(TTFont("LotsenSans-Bold", str(bold)))
                return "LotsenSans", "LotsenSans-Bold"
    except (OSError, ModuleNotFoundError, TypeError):
        pass
    return "Helvetica", "Helvetica-Bold"


def write_pdf(report: Report, path: Path, generated: date | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    regular, bold = _font()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#333333"))
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    generated = generated or date.today()

    def table_flow(table: Table) -> list:
        cells = [[Paragraph(h, ParagraphStyle("th", parent=small, fontName=bold)) for h in table.headers]]
        cells += [[Paragraph(fmt(cell, unit_of(table, r, c)), small) for c, cell in enumerate(row)]
                  for r, row in enumerate(table.rows)]
        first = 70 * mm if len(table.headers) == 5 else 50 * mm
        rest = (180 * mm - first) / (len(table.headers) - 1)
        pdf_table = PdfTable(cells, colWidths=[first] + [rest] * (len(table.headers) - 1), repeatRows=1)
        pdf_table.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F4F7")]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        heading = Paragraph(table.title, h2)
        # A short table stays with its heading; a long one may break across pages (its header row repeats).
        return [KeepTogether([heading, pdf_table])] if len(table.rows) <= 25 else [heading, pdf_table]

    tables = all_tables(report)
    story = [Paragraph(title(report), h1),
             Paragraph(f"{scope_text(report)}. Skapad {generated.isoformat()} med Lotsen.", body), Spacer(1, 4)]
    story += table_flow(tables[0])
    story.append(KeepTogether([Paragraph("Väntetid för väntande vid månadens slut", h2),
                               _bar_chart(report, regular)]))
    if report.trend:
        story.append(KeepTogether([Paragraph("Väntande de senaste 13 månaderna", h2), _trend_chart(report, regular)]))
    for table in tables[1:]:
        story += table_flow(table)
    story += [Spacer(1, 6)] + [Paragraph(n, small) for n in notes(report)]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.drawString(15 * mm, 10 * mm, f"{title(report)} · {scope_text(report)}")
        canvas.drawRightString(195 * mm, 10 * mm, f"Sida {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=title(report), author="Lotsen",
                            subject=scope_text(report))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _bar_chart(report: Report, font: str):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(500, 170)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 330, 120
    chart.data = [[b.all for b in report.buckets], [b.active for b in report.buckets]]
    chart.categoryAxis.categoryNames = [b.label for b in report.buckets]
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1F4E79")
    chart.bars[1].fillColor = colors.HexColor("#9DC3E6")
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 385, 130, font, 7
    legend.colorNamePairs = [(chart.bars[0].fillColor, "Alla väntande"), (chart.bars[1].fillColor,
                                                                          "Aktivt väntande")]
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def _trend_chart(report: Report, font: str):
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(500, 160)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 440, 110
    chart.data = [[p.waiting for p in report.trend]]
    chart.categoryAxis.categoryNames = [f"{p.month.year % 100:02d}-{p.month.month:02d}" for p in report.trend]
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, 7
    chart.valueAxis.valueMin = 0
    chart.lines[0].strokeColor = colors.HexColor("#1F4E79")
    chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    return drawing
