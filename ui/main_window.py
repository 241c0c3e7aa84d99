"""The main window: the start-up summary, the filtered worklist, and the way into each case."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import worklist
from app.changes import Change
from app.context import AppContext
from app.guarantee import SEVERITY
from app.roles import Permission, may
from app.worklist import Filter
from ui.change_listener import ChangeListener
from ui.errors import show_error
from ui.filter_bar import FilterBar
from ui.help import install as install_help
from ui.help import show_help
from ui.remembered import remember_geometry, settings
from ui.states import LABEL
from ui.summary_panel import SummaryPanel
from ui.worker import MANY, busy_indicator, lane
from ui.worklist_model import COLUMNS, WorklistModel

if TYPE_CHECKING:
    from ui.case_window import CaseWindow

FIRST_PAINT_WAIT_MS = 1000
CHANGE_SETTLE_MS = 150  # a burst of saves by others (an import, a busy team) refreshes the list once
# Signaler holds "Bokad efter tidsgränsen" and a flag.
COLUMN_WIDTHS = (110, 190, 120, 130, 160, 100, 90, 70, 80, 90, 170, 120, 100, 210)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, demo: bool = False):
        super().__init__()
        self.ctx = ctx
        self.case_windows: dict[int, CaseWindow] = {}
        self.setWindowTitle("Lotsen – arbetslista" + (" (demodata)" if demo else ""))
        self.runner = lane(ctx, self)

        self.filters = FilterBar(ctx.user_id)
        self.filters.changed.connect(self.apply_filter)
        self.filters.save_requested.connect(self._save_filter)
        self.filters.entered.connect(self._search_entered)
        self.filters.down_pressed.connect(self.focus_list)
        self._enter_waiting = False  # Enter in the search before its hits were read: act on them once read
        self.summary = SummaryPanel()
        self.summary.chosen.connect(self.filters.show_filter)
        self.counts = QLabel()
        self.counts.setAccessibleName("Antal steg per status")
        self.model = WorklistModel(ctx, self.runner, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Arbetslista")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; the arrows move in it
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSortIndicatorClearable(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS[:len(COLUMNS)]):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._open_index)
        self.model.loaded.connect(self._loaded)
        # The export reminder loads once the worklist is on screen: its imports would compete with the first page.
        self._painted = False
        self.table.viewport().installEventFilter(self)

        # A search that finds nothing under the filters, but would without them, says so (and how to see them).
        self.hidden_hits = QWidget()
        hint = QHBoxLayout(self.hidden_hits)
        hint.setContentsMargins(0, 0, 0, 0)
        self.hidden_text = QLabel()
        self.hidden_text.setAccessibleName("Träffar som filtren döljer")
        self.show_hidden = QPushButton("Visa a&lla")
        self.show_hidden.setToolTip("Ta bort filtren och behåll sökningen")
        self.show_hidden.clicked.connect(self._without_filters)
        hint.addWidget(self.hidden_text)
        hint.addWidget(self.show_hidden)
        hint.addStretch()
        self.hidden_hits.hide()

        right = QVBoxLayout()
        right.addWidget(self.filters)
        right.addWidget(self.counts)
        right.addWidget(self.hidden_hits)
        right.addWidget(self.table, 1)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.summary)
        layout.addLayout(right, 1)
        self.setCentralWidget(body)

        self.busy = busy_indicator(self, 120)
        self.runner.busy_changed.connect(self.busy.setVisible)
        where = ("Demodata med påhittade patienter. " if demo else "") + f"Databas: {ctx.db.name}"
        if not ctx.db.wal:
            where += " (nätverksenhet: databasen används i ett långsammare, säkrare läge)"
        self.statusBar().showMessage(f"Inloggad: {ctx.user_name}. {where}")
        self.inbox_status = QLabel()
        self.inbox_status.setAccessibleName("Inkorgar")
        self.statusBar().addPermanentWidget(self.inbox_status)
        self._menus()
        self.filters.set_saved(worklist.saved_filters(ctx))
        self._restore()
        self.listener: ChangeListener | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(CHANGE_SETTLE_MS)
        self._settle.timeout.connect(self._refresh_after_change)
        ctx.changes.connect(self._saved)
        self.refresh()

    # --- remembered per user (ui.remembered) ---

    def _restore(self) -> None:
        """The window, the worklist's columns and sort order, and the last filter (not its search text) as the
        user left them."""
        remember_geometry(self, "main", QSize(1366, 768))
        stored = settings()
        if (state := stored.value("main/state")) is not None:
            self.restoreState(state)
        header = self.table.horizontalHeader()
        if (columns := stored.value("worklist/columns")) is not None and header.restoreState(columns):
            self.model.order = self.model.order_of(header.sortIndicatorSection(), header.sortIndicatorOrder())
        try:
            last = Filter.from_json(json.loads(stored.value("worklist/filter") or "{}"))
        except (ValueError, TypeError, KeyError):  # written by another version: start unfiltered
            last = Filter()
        self.filters.show_filter(replace(last, text=""), apply=False)

    def _remember(self) -> None:
        stored = settings()
        stored.setValue("main/state", self.saveState())
        stored.setValue("worklist/columns", self.table.horizontalHeader().saveState())
        stored.setValue("worklist/filter", json.dumps(replace(self.filters.current(), text="").to_json()))

    # --- saves: ours (ui.worker) and others' ---

    def listen_for_changes(self) -> None:
        """Show colleagues' saves (and other processes' on the same file) as they happen (app.changes)."""
        if self.listener is None:
            self.listener = ChangeListener(self.ctx, self)
            self.listener.start()

    def _saved(self, change: Change) -> None:
        """Our own save refreshes the rows shown and the summary at once (many cases, such as an import, as a
        whole new read: new rows, new units to filter by); others' after a moment, once for a burst."""
        if not change.local:
            self._settle.start()
        elif change.case_ids is None:
            self._settle.stop()
            self.refresh()
        else:
            self._settle.stop()
            self._refresh_after_change()

    def _refresh_after_change(self) -> None:
        self.model.refresh_rows()
        self.runner.query(lambda: worklist.summary_counts(self.ctx), self._show_counts)

    # --- menus and shortcuts ---

    def _menus(self) -> None:
        self.menu_actions: dict[str, QAction] = {}

        def add(menu, key: str, text: str, slot, shortcut: str | QKeySequence.StandardKey | None = None):
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
            self.menu_actions[key] = action
            return action

        cases_menu = self.menuBar().addMenu("&Ärenden")
        add(cases_menu, "new_case", "&Nytt ärende…", self.new_case, "Ctrl+Shift+N")
        add(cases_menu, "open_case", "&Öppna markerat ärende", self.open_selected, "Return")
        add(cases_menu, "archive", "Ar&kiv: avslutade ärenden…", self.open_archive, "Ctrl+Shift+K")
        cases_menu.addSeparator()
        add(cases_menu, "backup", "&Säkerhetskopiera nu", self.backup_now)
        add(cases_menu, "restore", "Åte&rställ säkerhetskopia…", lambda: self.restore_backup())
        if (why := self.ctx.db.file_only_off) is not None:  # the team server: IT's tools keep the backups
            for key in ("backup", "restore"):
                self.menu_actions[key].setEnabled(False)
                self.menu_actions[key].setToolTip(why)
            cases_menu.setToolTipsVisible(True)
        cases_menu.addSeparator()
        add(cases_menu, "quit", "&Avsluta Lotsen", self.close, QKeySequence.StandardKey.Quit)
        view = self.menuBar().addMenu("&Visa")
        add(view, "refresh", "&Uppdatera", self.refresh, QKeySequence.StandardKey.Refresh)
        add(view, "search", "&Sök patient", self.focus_search, QKeySequence.StandardKey.Find)
        add(view, "clear", "&Rensa filter", self.filters.reset, "Ctrl+Shift+F")
        add(view, "mine", "&Mina ärenden", self.filters.mine.toggle, "Ctrl+M")
        tools = self.menuBar().addMenu("Verk&tyg")
        add(tools, "letters", "&Patientbrev för markerade steg…", self.letters_for_selection, "Ctrl+Shift+B")
        add(tools, "register", "&Vårdgivare, enheter och avtal…", self.open_register, "Ctrl+Shift+V")
        add(tools, "matching", "&Föreslå vård hos annan vårdgivare för hela listan…", self.open_matching,
            "Ctrl+Shift+H")
        add(tools, "forecast", "P&rognos för väntelistorna…", self.open_forecast, "Ctrl+Shift+G")
        add(tools, "import", "&Importera lista…", self.import_list, "Ctrl+Shift+I")
        add(tools, "inboxes", "Läs in in&korgar nu", self.run_inboxes)
        add(tools, "list_review", "&Saknas i senaste listan…", self.open_list_review)
        add(tools, "long_waits", "&Långväntande och orsaker…", self.open_long_waits)
        add(tools, "reports", "&Uppföljning och nationell export…", self.open_reports, "Ctrl+Shift+U")
        add(tools, "agreement", "Uppföljning: &Överenskommelsen (prestationskrav)…", self.open_agreement)
        review = self.menuBar().addMenu("&Granskning")
        add(review, "log_review", "&Granska loggen…", self.open_log_review).setEnabled(
            may(self.ctx.role, Permission.REVIEW_LOG))
        admin = self.menuBar().addMenu("&Administration")
        add(admin, "region_settings", "&Inställningar…", lambda: self.open_region_settings())
        add(admin, "users", "&Användare och roller…", self.open_users).setVisible(
            may(self.ctx.role, Permission.MANAGE_USERS))
        help_menu = self.menuBar().addMenu("&Hjälp")
        # F1 itself is caught application-wide by ui.help (modal dialogs too); the menu only names it.
        add(help_menu, "guide", "&Användarhandbok\tF1", lambda: show_help(self))
        add(help_menu, "about", "&Om Lotsen", self.about)
        install_help()

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def focus_list(self) -> None:
        """Into the list, on its first row unless a row is chosen already."""
        self.table.setFocus()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _search_entered(self) -> None:
        """Enter in the search: the one hit opens; several put the list in front, on the first."""
        if not self.model.is_loaded(self.filters.current()):
            self._enter_waiting = True
            return
        self._enter_waiting = False
        if self.model.rowCount() == 1:
            self.open_case(self.model.case_id(0))
        elif self.model.rowCount():
            self.focus_list()

    def _without_filters(self) -> None:
        self.filters.show_filter(Filter(text=self.filters.current().text))
        self.focus_search()

    # --- loading ---

    def refresh(self) -> None:
        self.model.set_query(self.filters.current(), self.model.order, recount=True)
        self.runner.query(lambda: (worklist.summary_counts(self.ctx), worklist.filter_choices(self.ctx)),
                          self._summary_loaded)
        if self._painted:
            self._load_reminder()

    def _summary_loaded(self, result) -> None:
        counts, choices = result
        self._show_counts(counts)
        self.filters.set_choices(choices)

    def _show_counts(self, counts) -> None:
        """The summary's buttons come after the list when tabbing: filters, list, what to do today."""
        self.summary.show_counts(counts)
        for before, after in pairwise([self.table, *self.summary.buttons]):
            QWidget.setTabOrder(before, after)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if (not self._painted and event.type() == QEvent.Type.Paint and self.model.counts
                and watched is self.table.viewport()):
            QTimer.singleShot(0, self, self._after_first_paint)  # the first page is being painted
        return super().eventFilter(watched, event)

    def _after_first_paint(self) -> None:
        if not self._painted:
            self._painted = True
            self._load_reminder()

    def _load_reminder(self) -> None:
        def due():
            from app.export import (
                export_due,  # half a second of imports (reports): not before the first paint
            )

            return export_due(self.ctx)

        self.runner.query(due, lambda found: self.summary.show_reminder(found.message if found else ""))

    def apply_filter(self, flt: Filter) -> None:
        self.model.set_query(flt, self.model.order)

    def _loaded(self) -> None:
        if not self._painted:  # no paint comes to a hidden window (or one that stays covered)
            QTimer.singleShot(FIRST_PAINT_WAIT_MS if self.table.isVisible() else 0, self, self._after_first_paint)
        counts = self.model.counts
        parts = [f"{LABEL[state]}: {counts[state]}" for state in sorted(counts, key=SEVERITY.get)]
        shown = self.model.rowCount()
        self.counts.setText(f"<b>{shown} steg</b> den {self.model.today.isoformat()}.   " + "   ".join(parts))
        self.hidden_hits.hide()
        alone = worklist.search_alone(self.model.filter) if not shown else None
        if alone is not None:
            flt = self.model.filter
            self.runner.query(lambda: sum(worklist.count_by_state(self.ctx, alone).values()),
                             lambda found: self._show_hidden_hits(flt, found))
        if self._enter_waiting:
            self._search_entered()

    def _show_hidden_hits(self, flt: Filter, found: int) -> None:
        if not found or flt != self.model.filter or self.model.rowCount():
            return  # nothing hidden, or the list shows another search by now
        names = self.filters.active_names()
        quoted = ", ".join(f"”{n}”" for n in names)
        self.hidden_text.setText(f"Inga träffar med {'filtret' if len(names) == 1 else 'filtren'} {quoted}. "
                                 f"{found} {'träff' if found == 1 else 'träffar'} utan filter –")
        self.hidden_hits.show()

    # --- cases ---

    def _open_index(self, index: QModelIndex) -> None:
        self.open_case(self.model.case_id(index.row()))

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_case(self.model.case_id(rows[0].row()))

    def open_case(self, case_id: int) -> CaseWindow | None:
        window = self.case_windows.get(case_id)
        if window is None:
            from ui.case_window import CaseWindow  # loaded with the first case, not at start-up

            window = CaseWindow(self.ctx, case_id, self)  # it reads the case off the UI thread
            window.open_other.connect(self.open_case)
            window.finished.connect(lambda _r, cid=case_id: self.case_windows.pop(cid, None))
            self.case_windows[case_id] = window
            remember_geometry(window, "case")
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def open_archive(self) -> None:
        from ui.archive_dialog import ArchiveDialog

        dialog = ArchiveDialog(self.ctx, self)
        remember_geometry(dialog, "archive")
        dialog.open_case.connect(self.open_case)
        dialog.show()

    def new_case(self) -> None:
        from ui.new_case_dialog import NewCaseDialog

        dialog = NewCaseDialog(self.ctx, self)
        if dialog.exec() and dialog.opened:  # its op tells the list (app.changes)
            self.open_case(dialog.opened.case_id)

    def open_region_settings(self, tab: str | None = None) -> None:
        from ui.region_settings_window import RegionSettingsWindow

        window = RegionSettingsWindow(self.ctx, self, tab=tab)
        remember_geometry(window, "region_settings")
        if window.exec():
            self.refresh()  # changed thresholds change the steps' states

    def offer_first_start_guide(self) -> None:
        """At start: a guide when the letters or the export still miss something; shown to an administratör,
        who can set it (others get a line in the status bar)."""
        from app.region_settings import missing, read_only_reason
        from ui.region_settings_window import FirstStartGuide

        gaps = missing(self.ctx)
        if not gaps:
            return
        if read_only_reason(self.ctx) is not None:
            self.statusBar().showMessage("Några inställningar för brev och nationell export saknas; en "
                                         "administratör fyller i dem under Administration → Inställningar.", 15000)
            return
        self.first_start_guide = FirstStartGuide(self.ctx, gaps, self)
        self.first_start_guide.open()

    def selected_step_ids(self) -> list[int]:
        return [self.model.step_id(index.row()) for index in self.table.selectionModel().selectedRows()]

    def letters_for_selection(self) -> None:
        from ui.letters_dialog import LettersDialog

        step_ids = self.selected_step_ids()
        if not step_ids:
            QMessageBox.information(self, "Patientbrev", "Markera de steg i arbetslistan som ska få brev. "
                                                         "Ctrl+A markerar alla som visas.")
            return
        dialog = LettersDialog(self.ctx, step_ids, self)
        remember_geometry(dialog, "letters")
        dialog.exec()  # the batch's op tells the list (app.changes)

    def open_register(self) -> None:
        from ui.register_window import RegisterWindow

        self._tool_window = RegisterWindow(self.ctx, self)
        remember_geometry(self._tool_window, "register")
        self._tool_window.show()

    def open_matching(self) -> None:
        from ui.matching_window import MatchingWindow

        self._matching_window = MatchingWindow(self.ctx, self, self.filters.current())
        remember_geometry(self._matching_window, "matching")
        self._matching_window.show()

    def open_forecast(self) -> None:
        from ui.forecast_window import ForecastWindow

        self._forecast_window = ForecastWindow(self.ctx, self)
        self._forecast_window.open_filter.connect(self._show_from_forecast)
        remember_geometry(self._forecast_window, "forecast")
        self._forecast_window.show()

    def _show_from_forecast(self, flt) -> None:
        self.filters.show_filter(flt)
        self.raise_()
        self.activateWindow()

    def import_list(self) -> None:
        from ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        remember_geometry(wizard, "import")
        wizard.exec()  # the import's op tells the list (app.changes)

    def open_list_review(self) -> None:
        from ui.list_review_dialog import ListReviewDialog

        dialog = ListReviewDialog(self.ctx, self)
        remember_geometry(dialog, "list_review")
        dialog.exec()  # each decision's op tells the list (app.changes)

    def run_inboxes(self) -> None:
        """Every source's inbox, as an op (many cases); the result stays in the status bar (app.importer.inbox)."""
        from app.importer.inbox import run_inboxes, summary

        def done(receipts) -> None:
            self.inbox_status.setText(summary(receipts))
            self.inbox_status.setToolTip("\n".join(r.text for r in receipts) or "Inga nya filer i inkorgarna.")

        def failed(exc: BaseException) -> None:
            self.inbox_status.setText("Inkorgarna kunde inte läsas in.")
            show_error(self, exc)

        self.inbox_status.setText("Läser in inkorgarna …")
        self.runner.op(lambda: run_inboxes(self.ctx), done, failed, cases=MANY)

    def open_long_waits(self) -> None:
        from ui.long_wait_window import LongWaitWindow

        self._long_wait_window = LongWaitWindow(self.ctx, self)
        self._long_wait_window.open_case.connect(self.open_case)
        remember_geometry(self._long_wait_window, "long_waits")
        self._long_wait_window.show()

    def open_reports(self) -> None:
        from ui.reports_window import ReportsWindow

        self._reports_window = ReportsWindow(self.ctx, self)
        remember_geometry(self._reports_window, "reports")
        self._reports_window.show()

    def open_agreement(self) -> None:
        from ui.agreement_window import AgreementWindow

        self._agreement_window = AgreementWindow(self.ctx, self)
        remember_geometry(self._agreement_window, "agreement")
        self._agreement_window.show()

    def open_log_review(self) -> None:
        from ui.log_review_window import LogReviewWindow

        self._review_window = LogReviewWindow(self.ctx, self)
        remember_geometry(self._review_window, "log_review")
        self._review_window.show()

    def open_users(self) -> None:
        from ui.users_window import open_users_window

        self._users_window = open_users_window(self.ctx, self)

    def backup_now(self) -> None:
        from app.backup import backup_now

        self.runner.query(lambda: backup_now(self.ctx.db, "manuell", self.ctx),  # a copy: nothing in it changes
                          lambda b: self.statusBar().showMessage(f"Säkerhetskopian är sparad: {b.path}", 8000))

    def restore_backup(self, reason: str = "") -> bool:
        """Restoring replaces the open file: Lotsen closes the database and asks for a restart. True when a
        backup was restored."""
        from ui.restore_dialog import RestoreDialog

        self.runner.runner.wait()  # every window's work, the backups' too
        self._stop_listening()  # its connection to the file too: a file in use is not replaced
        self.ctx.db.close()
        dialog = RestoreDialog(self.ctx.db.path, reason, self)
        dialog.exec()
        if dialog.restored:
            QMessageBox.information(self, "Återställ säkerhetskopia",
                                    "Säkerhetskopian är återställd. Starta Lotsen igen för att fortsätta.")
            self.close()
        return dialog.restored is not None

    def _save_filter(self, name: str, flt: Filter) -> None:
        try:
            worklist.save_filter(self.ctx, name, flt)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self.filters.set_saved(worklist.saved_filters(self.ctx))
        self.statusBar().showMessage(f"Filtret ”{name}” är sparat.", 5000)

    def about(self) -> None:
        from app.paths import log_file
        from ui.cli import lotsen_version

        QMessageBox.about(self, "Om Lotsen", f"Lotsen {lotsen_version()}\n\nDatabas: {self.ctx.db.name}\n"
                                             f"Loggfil: {log_file(self.ctx.db.folder)}")

    def _stop_listening(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def closeEvent(self, event) -> None:
        self._remember()
        self.ctx.changes.disconnect(self._saved)
        self._stop_listening()
        self.runner.runner.wait()  # every window's work: a save under way is finished
        super().closeEvent(event)
