"""Render the main window, the summary, a case, the patient, the archive, the user guide, the settings, the letters'
and the report's print previews and the main dialogs to PNG files."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from app.context import AppContext, sign_in
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


def windows(ctx: AppContext, main: MainWindow, width: int, height: int,
            ) -> Iterator[tuple[str, QWidget, tuple[int, int]]]:
    """Every window and dialog rendered, each as (name, widget, size at this screen size), made one at a time
    and closed once the next is asked for. The tests walk the same windows (mnemonics, fit)."""
    yield "summary", main.summary, (260, height // 2)
    if main.model.rowCount():
        case = CaseWindow(ctx, main.model.case_id(0), main)
        case.runner.wait()  # the case is read off the UI thread
        yield "case", case, (min(width, 1200), min(height, 800))
        patient = PatientDialog(ctx, case.view.patient_id, case.case_id, main)
        yield "patient", patient, (min(width, 1100), min(height, 720))
        patient.close()
        case.close()
    archive = ArchiveDialog(ctx, main)
    archive.closed_from.set_value(ctx.today().replace(year=ctx.today().year - 1, day=1))
    archive.search()
    yield "archive", archive, (min(width, 1100), min(height, 720))
    archive.close()
    guide = HelpWindow(main)
    guide.show_topic("lagen")
    yield "help", guide, (min(width, 1200), min(height, 800))
    guide.close()
    settings = RegionSettingsWindow(ctx, main)
    for index in range(settings.tabs.count()):  # Administration → Inställningar, every tab
        settings.tabs.setCurrentIndex(index)
        yield f"region-settings-{index + 1}", settings, (min(width, 1100), min(height, 720))
    settings.close()
    for name, title, paint, printable in _previews(ctx, main):
        printer = make_printer()  # alive while its preview is drawn
        preview = preview_dialog(main, printer, title, paint, name=name, printable=printable)
        yield name, preview, (width, height)
        preview.close()
    dialog = NewCaseDialog(ctx, main)
    yield "new-case", dialog, (dialog.sizeHint().width(), dialog.sizeHint().height())
    dialog.close()


def settled(app: QApplication, main: MainWindow) -> None:
    """The worklist and summary, then what loads after the first paint (export reminder)."""
    for _ in range(2):
        main.runner.wait()
        app.processEvents()
        main.grab()
        app.processEvents()


def render_all(db_path: Path, out: Path, sizes: Iterable[tuple[int, int]]) -> list[Path]:
    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lotsen-bilder-") as remembered:
        # The windows as they open the first time, not as this user last left them (ui.remembered).
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, remembered)
        db = open_database(db_path)
        ctx = sign_in(db)
        main = MainWindow(ctx, demo=bool(get_setting(db, DEMO, False)))
        written = []
        for width, height in sizes:
            main.resize(width, height)
            main.show()
            settled(app, main)
            written.append(_grab(main, (width, height), out / f"main-{width}x{height}.png"))
            for name, widget, size in windows(ctx, main, width, height):
                written.append(_grab(widget, size, out / f"{name}-{width}x{height}.png"))
        main.close()
        db.close()
    return written
