"""Render the main window, the summary, a case, the patient, the archive, the user guide, the settings, the letters'
and the report's print previews and the main dialogs to PNG files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from app.context import sign_in
from app.database import open_database
from app.settings import DEMO, get_setting
from ui.archive_dialog import ArchiveDialog
from ui.case_window import CaseWindow
from ui.help import HelpWindow
from ui.main_window import MainWindow
from ui.new_case_dialog import NewCaseDialog
from ui.patient_dialog import PatientDialog
from ui.print_preview import make_printer, preview_dialog
from ui.region_settings_window import RegionSettingsWindow


def _grab(widget: QWidget, size: tuple[int, int], path: Path) -> Path:
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _previews(ctx, window: MainWindow) -> list[tuple[str, str, Callable[[QPrinter], object], bool]]:
    """What the print previews show (name, title, painter, printable): the first worklist steps' letters of the
    first type they get, not created (so not printable), and last month's follow-up report."""
    from app.letters import LABEL
    from app.reports import Month, monthly_report
    from ui.letters_dialog import LettersDialog, paint_letters
    from ui.report_print import report_document
    from ui.reports_window import print_charts

    window.runner.wait()
    QApplication.processEvents()
    out = []
    step_ids = [window.model.step_id(row) for row in range(min(window.model.rowCount(), 40))]
    chooser = LettersDialog(ctx, step_ids, window)  # reads the letters as they would be written; writes nothing
    for index in range(chooser.kind.count()):
        chooser.kind.setCurrentIndex(index)
        if layouts := chooser.preview_layouts():
            out.append(("letters-preview", f"Förhandsgranskning: {LABEL[chooser.letter_type]}, {len(layouts)} brev",
                        lambda printer, layouts=layouts: paint_letters(printer, layouts), False))
            break
    chooser.close()
    report = monthly_report(ctx, Month.of(ctx.today()).plus(-1), trend=True)
    document = report_document(report, ctx.today(), print_charts(report))
    out.append(("report-preview", "Förhandsgranskning: uppföljningen", document.print_, True))
    return out


def render_all(db_path: Path, out: Path, sizes: Iterable[tuple[int, int]]) -> list[Path]:
    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    db = open_database(db_path)
    ctx = sign_in(db)
    window = MainWindow(ctx, demo=bool(get_setting(db, DEMO, False)))
    written = []
    previews = _previews(ctx, window)
    for width, height in sizes:
        window.resize(width, height)
        window.show()
        for _ in range(2):  # the worklist and summary, then what loads after the first paint (export reminder)
            window.runner.wait()
            app.processEvents()
            window.grab()
            app.processEvents()
        written.append(_grab(window, (width, height), out / f"main-{width}x{height}.png"))
        written.append(_grab(window.summary, (260, height // 2), out / f"summary-{width}x{height}.png"))
        if window.model.rowCount():
            case = CaseWindow(ctx, window.model.case_id(0), window)
            case.runner.wait()  # the case is read off the UI thread
            written.append(_grab(case, (min(width, 1200), min(height, 800)), out / f"case-{width}x{height}.png"))
            patient = PatientDialog(ctx, case.view.patient_id, case.case_id, window)
            written.append(_grab(patient, (min(width, 1100), min(height, 720)), out / f"patient-{width}x{height}.png"))
            patient.close()
            case.close()
        archive = ArchiveDialog(ctx, window)
        archive.closed_from.set_value(ctx.today().replace(year=ctx.today().year - 1, day=1))
        archive.search()
        written.append(_grab(archive, (min(width, 1100), min(height, 720)), out / f"archive-{width}x{height}.png"))
        archive.close()
        guide = HelpWindow(window)
        guide.show_topic("lagen")
        written.append(_grab(guide, (min(width, 1200), min(height, 800)), out / f"help-{width}x{height}.png"))
        guide.close()
        settings = RegionSettingsWindow(ctx, window)
        for index in range(settings.tabs.count()):  # Administration → Inställningar, every tab
            settings.tabs.setCurrentIndex(index)
            written.append(_grab(settings, (min(width, 1100), min(height, 720)),
                                 out / f"region-settings-{index + 1}-{width}x{height}.png"))
        settings.close()
        for name, title, paint, printable in previews:
            printer = make_printer()  # alive while its preview is drawn
            preview = preview_dialog(window, printer, title, paint, name=name, printable=printable)
            written.append(_grab(preview, (width, height), out / f"{name}-{width}x{height}.png"))
            preview.close()
    dialog = NewCaseDialog(ctx, window)
    written.append(_grab(dialog, (dialog.sizeHint().width(), dialog.sizeHint().height()), out / "new-case.png"))
    dialog.close()
    window.close()
    db.close()
    return written
