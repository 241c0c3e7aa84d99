"""A follow-up report on paper: what its PDF holds (app.reports.output: title, scope, the key figures, the charts,
every table, the notes) laid out by Qt's text document, which pages it for the printer and numbers the pages. The
print preview (ui.print_preview) draws the pages with the document's own print_, which also prints them.

Qt cannot draw the reportlab PDF itself without QtPdf, which PySide6-Essentials lacks; the tables are the same
ones (app.reports.tables), so the paper and the PDF say the same."""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QPoint, QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QWidget

from app.reports import Report
from app.reports.output import title
from app.reports.tables import Table, all_tables, fmt, notes, scope_text, unit_of
from ui.print_preview import print_font_family

CHART_SIZE = (900, 300)  # pixels of the chart as drawn on screen; printed 16 cm wide
HEADING_HEIGHT = 40
STRIPE = "#F2F4F7"


def chart_image(chart: QWidget, heading: str) -> QImage:
    """A chart widget under its heading, drawn at twice its on-screen resolution: one image, so that a page
    never ends between the two."""
    width, height = CHART_SIZE
    chart.resize(width, height)
    image = QImage(width * 2, (height + HEADING_HEIGHT) * 2, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(2)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont(print_font_family(), 15)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, width, HEADING_HEIGHT), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     heading)
    painter.end()
    chart.render(image, QPoint(0, HEADING_HEIGHT))
    return image


def report_document(report: Report, generated: date, charts: list[QImage]) -> QTextDocument:
    """The report as a document to print: the key figures, then the charts (chart_image), then the other tables
    and the notes, as in the PDF."""
    document = QTextDocument()
    document.setDefaultFont(QFont(print_font_family(), 9))
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title(report))
    tables = all_tables(report)
    parts = [f"<h1>{html.escape(title(report))}</h1>",
             f"<p>{html.escape(scope_text(report))}. Skapad {generated.isoformat()} med Lotsen.</p>",
             _table(tables[0])]
    for n, image in enumerate(charts):
        name = f"chart-{n}.png"
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        parts.append(f"<p><img src='{name}' width='600'></p>")
    parts += [_table(table) for table in tables[1:]]
    parts += [f"<p style='font-size: 7.5pt; color: #333333'>{html.escape(note)}</p>" for note in notes(report)]
    document.setHtml("".join(parts))
    return document


def _table(table: Table) -> str:
    """The title is the table's first header row, so that a page never ends under a title; the header rows are
    repeated on each page a long table runs onto."""
    numeric = [c > 0 and any(not isinstance(row[c], str) for row in table.rows) for c in range(len(table.headers))]
    head = "".join(f"<th align='{'right' if numeric[c] else 'left'}'>{html.escape(h)}</th>"
                   for c, h in enumerate(table.headers))
    rows = []
    for r, row in enumerate(table.rows):
        cells = "".join(
            f"<td align='{'right' if numeric[c] and not isinstance(cell, str) else 'left'}'>"
            f"{html.escape(fmt(cell, unit_of(table, r, c)))}</td>" for c, cell in enumerate(row))
        rows.append(f"<tr{f' bgcolor={STRIPE!r}' if r % 2 else ''}>{cells}</tr>")
    caption = (f"<th colspan='{len(table.headers)}' align='left' style='font-size: 11pt; padding-top: 10px'>"
               f"{html.escape(table.title)}</th>")
    return ("<table width='100%' cellspacing='0' cellpadding='3'>"
            f"<thead><tr>{caption}</tr><tr>{head}</tr></thead>{''.join(rows)}</table>")
