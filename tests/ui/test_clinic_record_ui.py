"""The clinic's own record in the windows (DOMAIN.md §8): a booking after the deadline as a worklist signal with its
tooltip and summary entry; the record, the list's Avvikelse on the timeline and "Saknas i senaste listan" on the
case window's step page."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app import importer
from app.importer.reading import read_csv_bytes
from db.models import Step
from tests.conftest import TODAY
from tests.importer.test_clinic_record import HEAD, P, step_of
from tests.ui.helpers import main_window, settled
from tests.ui.shots import shot
from ui.case_window import CaseWindow
from ui.main_window import MainWindow
from ui.worklist_model import COLUMNS

SIGNALS = [title for title, *_ in COLUMNS].index("Signaler")
# referral 2026-09-01: deadline 2026-11-30
LATE = f"{P[0]};Åsa Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-12-14;;;;A"
IN_TIME = f"{P[1]};Per Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-11-25;;;;B"
MOV = f"{P[2]};Eva Ek;SV_FORSTA_BESOK;2026-09-01;311;2026-12-10;2;2026-10-01;2026-10-15;C"
GONE = f"{P[3]};Bo Ek;SV_FORSTA_BESOK;2026-09-01;311;;;;;D"
LATE_TOO = f"{P[4]};Li Ek;SV_FORSTA_BESOK;2026-09-01;311;2027-01-10;;;;E"


def run(ctx, *lines: str, whole_list: bool = True) -> importer.Result:
    table = read_csv_bytes("\n".join([HEAD, *lines]).encode("cp1252"))
    return importer.import_table(ctx, "waiting-list", table, importer.guess_columns("waiting-list", table.headings),
                                 "Klinik", whole_list=whole_list)


def rows(window: MainWindow) -> dict[str, int]:
    return {window.model.index(r, 1).data(): r for r in range(window.model.rowCount())}


def test_a_late_booking_is_a_signal_in_the_row_and_a_summary_entry(qtbot, ctx, tmp_path):
    result = run(ctx, LATE, IN_TIME, MOV, LATE_TOO)
    assert result.booked_late == 2
    assert "2 steg är bokade efter tidsgränsen" in result.summary()
    window = main_window(qtbot, ctx, 4)
    by_name = rows(window)
    late = window.model.index(by_name["Åsa Ek"], SIGNALS)
    assert "Bokad efter tidsgränsen" in late.data()
    assert "Bokad 2026-12-14, efter tidsgränsen 2026-11-30." in late.data(Qt.ItemDataRole.ToolTipRole)
    on_track = window.model.index(by_name["Per Ek"], 0)
    assert on_track.data(Qt.ItemDataRole.ToolTipRole).endswith("Bokad 2026-11-25, i tid.")
    assert "Bokad efter" not in window.model.index(by_name["Per Ek"], SIGNALS).data()
    # MoV moved Eva's deadline 14 days, to 2026-12-14: her booking on 2026-12-10 is in time
    assert "Bokad 2026-12-10, i tid." in window.model.index(by_name["Eva Ek"], SIGNALS).data(
        Qt.ItemDataRole.ToolTipRole)
    shot(window, "worklist-booked", tmp_path)
    bar = window.table.horizontalScrollBar()
    bar.setValue(bar.maximum())
    shot(window, "worklist-booked-signals", tmp_path)
    button = next(b for b in window.summary.buttons if b.text().startswith("Bokad efter tidsgränsen"))
    assert button.text() == "Bokad efter tidsgränsen: 2"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    window.runner.wait()
    qtbot.waitUntil(lambda: set(rows(window)) == {"Åsa Ek", "Li Ek"})


def labels(window: CaseWindow, name: str) -> list[str]:
    return [w.text() for w in window.findChildren(QLabel) if w.accessibleName() == name and w.isVisibleTo(window)]


def test_the_case_window_shows_the_clinics_record(qtbot, ctx, tmp_path):
    earlier = TODAY - timedelta(days=7)
    ctx.today = lambda: earlier
    run(ctx, MOV, GONE)
    ctx.today = lambda: TODAY
    run(ctx, MOV)  # Bo is missing from today's whole list
    with ctx.db.reading() as session:
        cases = dict(session.execute(select(Step.id, Step.case_id)).all())
    window = CaseWindow(ctx, cases[step_of(ctx, "C")])
    qtbot.addWidget(window)
    settled(window).show()
    assert labels(window, "Klinikens lista") == [f"Klinik, senast med i listan {TODAY.isoformat()}"]
    assert labels(window, "Bokad tid") == ["2026-12-10, i tid"]
    assert labels(window, "Avvikelse i listan") == [
        "Medicinskt orsakad väntan (kod 2) från 2026-10-01 till 2026-10-15"]
    assert labels(window, "Tidsgräns") == ["2026-12-14"]
    timeline = {(window.timeline.item(r, 1).text(), window.timeline.item(r, 2).text())
                for r in range(window.timeline.rowCount())}
    said = f"enligt listan från Klinik ({earlier.isoformat()})"
    assert ("Väntan utan klocka börjar", f"Medicinskt orsakad väntan (MoV) – {said}") in timeline
    assert ("Väntan utan klocka slutar", f"Medicinskt orsakad väntan (MoV) – {said}") in timeline
    shot(window, "case-clinic-record", tmp_path)

    gone = CaseWindow(ctx, cases[step_of(ctx, "D")])
    qtbot.addWidget(gone)
    settled(gone).show()
    assert labels(gone, "Klinikens lista") == [f"Klinik, senast med i listan {earlier.isoformat()}"]
    assert labels(gone, "I listan") == [f"Saknas i senaste listan ({TODAY.isoformat()})"]
    assert labels(gone, "Bokad tid") == []
