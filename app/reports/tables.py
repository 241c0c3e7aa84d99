"""The report as tables of cells: one source for the dashboard, the PDF, the XLSX and the CSV."""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.figures import BreakdownRow, Figure, Report
from app.reports.suppression import HIDDEN, hidden_parts
from app.reports.suppression import note as suppression_note

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    units: tuple[str, ...] = ()  # per column: "antal", "procent", "dagar", "pe" (percentage points) or ""


def hidden(report: Report) -> str:
    return HIDDEN  # never "<10" in a percent column: a footnote says what it means


def fmt(value: Cell, unit: str = "") -> str:
    """Swedish number format: decimal comma, one decimal for shares and days; differences signed
    ("pe": percentage points, "+antal"/"+dagar": plain differences)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    signed = unit in ("pe", "+dagar", "+antal")
    if unit in ("procent", "pe", "dagar", "+dagar"):
        text = f"{value:+.1f}" if signed else f"{value:.1f}"
        return text.replace(".", ",") + (" %" if unit == "procent" else " p.e." if unit == "pe" else "")
    return f"{value:+.0f}" if signed else f"{value:.0f}"


def _figure_cells(f: Figure, report: Report) -> tuple[Cell, ...]:
    value = hidden(report) if f.suppressed else f.value
    before = hidden(report) if f.last_year_suppressed else f.last_year
    return (f.label, f.variant or "alla", value, before, f.difference)


def figures_table(report: Report) -> Table:
    rows = [_figure_cells(f, report) for f in report.figures]
    units = [("", "", f.unit, f.unit, "pe" if f.unit == "procent" else "+" + f.unit) for f in report.figures]
    return _Mixed("Nyckeltal (vårdgarantidagar)", ("Mått", "Urval", "Värde", f"{report.month.a_year_earlier.label.capitalize()}",
                                "Förändring"), rows, (), units)


@dataclass(frozen=True)
class _Mixed(Table):
    """A table whose unit varies by row (the key figures)."""

    row_units: list[tuple[str, ...]] | None = None

    def unit(self, row: int, column: int) -> str:
        return self.row_units[row][column]


def unit_of(table: Table, row: int, column: int) -> str:
    if isinstance(table, _Mixed):
        return table.unit(row, column)
    return table.units[column] if column < len(table.units) else ""


def buckets_table(report: Report) -> Table:
    every = _column_hidden([b.all for b in report.buckets], report)
    active = _column_hidden([b.active for b in report.buckets], report)
    return Table("Väntetid vid månadens slut (dagar)", ("Väntetid", "Alla väntande", "Aktivt väntande"),
                 [(b.label, hidden(report) if i in every else b.all, hidden(report) if i in active else b.active)
                  for i, b in enumerate(report.buckets)],
                 ("", "antal", "antal"))


def _count(n: int, report: Report) -> Cell:
    return hidden(report) if 0 < n < report.settings.min_count else n


def _column_hidden(counts: list[int], report: Report) -> set[int]:
    """The rows of a column of counts that add up to a shown total, to hide (app.reports.suppression)."""
    return hidden_parts(sum(counts), counts, report.settings.min_count)


def _breakdown_cells(row: BreakdownRow, report: Report) -> tuple[Cell, ...]:
    if row.suppressed:
        h = hidden(report)
        return (row.group, _count(row.waiting, report), h, _count(row.completed, report), h)
    return (row.group, row.waiting, row.over_90, row.completed, row.within_limit)


BREAKDOWN_HEADERS = ("Grupp", "Väntande", "Andel > 90 dagar (exkl. PvV/MoV)", "Genomförda (exkl. PvV)",
                     "Andel inom tidsgränsen (exkl. PvV)")


def _with_secondary(rows: list[BreakdownRow], cells: list[tuple[Cell, ...]], report: Report) -> list[tuple]:
    """The groups' counts add up to the month's totals: hide one more where one alone is hidden."""
    out = [list(c) for c in cells]
    for column, attribute in ((1, "waiting"), (3, "completed")):
        for i in _column_hidden([getattr(r, attribute) for r in rows], report):
            out[i][column] = hidden(report)
    return [tuple(c) for c in out]


def breakdown_tables(report: Report) -> list[Table]:
    return [Table(f"Per {name.lower()}", BREAKDOWN_HEADERS,
                  _with_secondary(rows, [_breakdown_cells(r, report) for r in rows], report),
                  ("", "antal", "procent", "antal", "procent"))
            for name, rows in report.breakdowns.items()]


def trend_table(report: Report) -> Table | None:
    if not report.trend:
        return None
    return Table("Utveckling de senaste 13 månaderna",
                 ("Månad", "Väntande", "Andel > 90 dagar (exkl. PvV/MoV)", "Genomförda (exkl. PvV)",
                  "Andel inom tidsgränsen (exkl. PvV)"),
                 [(str(p.month), _count(p.waiting, report), p.active_over_90, _count(p.completed, report),
                   p.within_limit) for p in report.trend],
                 ("", "antal", "procent", "antal", "procent"))


def all_tables(report: Report) -> list[Table]:
    tables = [figures_table(report), buckets_table(report), *breakdown_tables(report)]
    trend = trend_table(report)
    return tables + ([trend] if trend else [])


def scope_text(report: Report) -> str:
    s = report.scope
    parts = [f"{name} {value}" for name, value in (("region", s.region), ("vårdenhet", s.unit), ("MVO", s.mvo),
                                                   ("steg", s.step)) if value]
    return "Urval: " + (", ".join(parts) if parts else "alla")


def notes(report: Report) -> list[str]:
    return [
        report.coverage,
        ("Vårdgarantidagar: väntetiden räknas som i vårdgarantin, utan dagar med medicinskt orsakad väntan. De "
         "nationella måtten, som SKR räknar dem, finns under fliken Nationella mått."),
        suppression_note(report.settings.min_count),
        "p.e. = procentenheter.",
        ("Inkl./exkl. PvV/MoV: alla väntande, eller bara de som väntar aktivt vid månadens slut (inte patientvald "
         "eller medicinskt orsakad väntan)."),
        "Exkl. PvV: genomförda med patientvald väntan räknas varken i täljare eller nämnare.",
        (f"Medelväntetiden räknar högst {report.settings.cap_days} dagar per patient. Ålder: den ålder patienten "
         "fyller under året."),
    ]
