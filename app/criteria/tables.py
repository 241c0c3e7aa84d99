"""The criteria as tables of text (app.reports.tables.Table): the window shows them, and they save as the
reports do."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from app.criteria.evaluate import Result
from app.criteria.service import YearResult
from app.reports.months import Month
from app.reports.suppression import HIDDEN, note, small
from app.reports.tables import Table

MONTH_HEADERS = ("Kriterium", "Värde", "Samma månad i fjol", "Förbättring", "Förbättring ger", "Nivåvägen",
                 "Betalas", "Belopp", "Tänk om")


def percent(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value):.1f}".replace(".", ",") + " %"


def kronor(value: Decimal | None) -> str:
    return "–" if value is None else f"{int(value):,}".replace(",", " ") + " kr"


def what_if_text(r: Result) -> str:
    w = r.what_if
    if w is None:
        return ""
    if r.criterion.lower_is_better:
        return f"−{w.more} över gränsen → {w.pays} %"
    return f"+{w.more} i tid → {w.pays} %"


def _absolute_text(r: Result) -> str:
    text = ("uppfyllt" if r.absolute else "inte uppfyllt") + f" ({r.criterion.absolute.text})"
    return text + (f"; {r.waiting_condition}" if r.waiting_condition else "")


def month_table(year: YearResult, month: Month, min_count: int) -> Table:
    rows = []
    for r in year.results[month]:
        hidden = small(r.base, min_count)
        change = "" if r.change is None or hidden else f"{r.change:+}".replace(".", ",") + " p.e."
        rows.append((f"{r.criterion.number}. {r.criterion.name}", HIDDEN if hidden else percent(r.value),
                     percent(r.last_year), change, f"{r.tier} %" if r.tier else "0 %", _absolute_text(r),
                     f"{r.pays} %", kronor(r.money_kr), what_if_text(r)))
    return Table(f"Prestationskrav {month.label}", MONTH_HEADERS, rows)


def year_table(year: YearResult) -> Table:
    rows = [(m.label.capitalize(), *(f"{r.pays} %" for r in year.results[m]), kronor(year.month_total(m)))
            for m in year.months]
    rows.append(("Hela året", *("" for _ in year.agreement.criteria), kronor(year.year_total)))
    return Table(f"{year.agreement.name}: utbetalt per månad",
                 ("Månad", *(f"K{c.number}" for c in year.agreement.criteria), "Summa"), rows)


def year_notes(year: YearResult, min_count: int) -> list[str]:
    notes = [year.coverage,
             ("Förändring i p.e. (procentenheter) mot samma månad året innan, avrundad till en decimal; för andelen "
              "som väntat mer än 150 dagar räknas en minskning som förbättring. Når regionen både nivån och en "
              "förbättring betalas bara nivån."),
             note(min_count)]
    if year.region_share is None:
        notes.append("Ange regionens andel av potten (befolkningsandel) för att se beloppen.")
    if year.agreement.month_pot_kr is None:
        notes.append(f"Källorna anger inte {year.agreement.year} års belopp: inga belopp räknas.")
    if year.agreement.assumed:
        notes.append(f"Källorna räknar inte upp {year.agreement.year} års kriterier; 2023 års används som "
                     "närmaste kända.")
    if year.held_back:
        notes.append(f"{year.held_back} steg saknas i exportfilen (och i måtten) tills deras uppgifter är rättade.")
    return notes
