"""One case: the patient, each guarantee step with its clock, the timeline, and every action."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import cases
from app.case_actions import CASE_LEVEL, CaseAction
from app.cases import CaseView, StepView
from app.changes import Change
from app.context import AppContext
from app.errors import ConflictError
from app.guarantee import State
from app.identity import display_id
from app.letters.archive import open_letter
from app.paths import letters_folder
from app.reference import regions
from ui.case_actions import ACTIONS, Action
from ui.errors import show_error
from ui.forms import read_only_table
from ui.states import BACKGROUND, FLAG_LABEL, LABEL
from ui.timeline_text import KIND, clock_summary, describe, record_rows, validation_rows
from ui.worker import lane

LANGUAGES = {"sv": "svenska", "en": "engelska"}
CHANGED_ELSEWHERE = ("⚠ Någon annan har sparat en ändring i ärendet efter att du öppnade det. Det du ser här är "
                     "inte längre det senaste. Välj ”Visa det senaste” innan du gör något mer; en ändring du sparar "
                     "nu stoppas, och inget av det som är sparat går förlorat.")
REPRESENTATIVE = {"vardnadshavare": "Vårdnadshavare", "ombud": "Ombud"}


TOOLBAR_MARGIN = 24  # the window's and the toolbar's own margins, each side


def _rows(bar: QToolBar, room: int) -> list[QToolBar]:
    """The bar, and after it as many more rows as its actions need to fit `room` pixels: a toolbar hides what does
    not fit behind its "»", where the keyboard cannot reach it (the step's actions need two rows at 1366×768)."""
    rows, width = [bar], 0
    for action in list(bar.actions()):
        needed = bar.widgetForAction(action).sizeHint().width()
        if width and width + needed > room:
            rows.append(QToolBar(bar.windowTitle()))
            rows[-1].setAccessibleName(bar.accessibleName())
            rows[-1].setToolButtonStyle(bar.toolButtonStyle())
            width = 0
        if rows[-1] is not bar:
            bar.removeAction(action)
            rows[-1].addAction(action)
        width += needed
    return rows


class CaseWindow(QDialog):
    """Reads and saves run off the UI thread (ui.worker); the window shows what it last read and reloads when
    this process saves the case (app.changes, local), or warns when someone else did."""

    open_other = Signal(int)  # another case of the patient, chosen in the patient's details

    def __init__(self, ctx: AppContext, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.view: CaseView | None = None
        self.runner = lane(ctx, self)
        self._loading = False  # a read of the case is under way
        self._check_pending = False  # someone saved meanwhile: compare versions once the read is shown
        self.setWindowTitle(f"Ärende {case_id} – Läser in …")
        self.setMinimumSize(960, 640)
        layout = QVBoxLayout(self)
        # Two rows, so that every action is visible at 1366 pixels: the step's, then the case's.
        self.toolbar = QToolBar("Åtgärder för steget")
        self.toolbar.setAccessibleName("Åtgärder för steget")
        self.case_toolbar = QToolBar("Åtgärder för ärendet")
        self.case_toolbar.setAccessibleName("Åtgärder för ärendet")
        self.actions_by_key: dict[str, QAction] = {}
        for action in ACTIONS:
            qaction = QAction(action.label, self)
            qaction.setShortcut(QKeySequence(action.shortcut))
            qaction.triggered.connect(lambda _=False, a=action: self.run(a))
            (self.case_toolbar if action.key in CASE_LEVEL else self.toolbar).addAction(qaction)
            self.actions_by_key[action.key] = qaction
        for bar in (self.toolbar, self.case_toolbar):
            bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            for row in _rows(bar, self.minimumWidth() - 2 * TOOLBAR_MARGIN):
                layout.addWidget(row)

        # Shown when a colleague saves this case while it is open (app.changes); saving over it is refused by the
        # version counter anyway, this says so before the user types.
        self.changed_elsewhere = QFrame()
        self.changed_elsewhere.setObjectName("changedElsewhere")
        self.changed_elsewhere.setStyleSheet("#changedElsewhere { background: #fff4ce; border: 1px solid #b45309; }")
        banner = QHBoxLayout(self.changed_elsewhere)
        self.changed_text = QLabel(CHANGED_ELSEWHERE)
        self.changed_text.setWordWrap(True)
        self.changed_text.setAccessibleName("Ärendet har ändrats av någon annan")
        banner.addWidget(self.changed_text, 1)
        self.show_latest = QPushButton("&Visa det senaste")
        self.show_latest.setToolTip("Läs in ärendet som det är sparat nu (F5)")
        self.show_latest.clicked.connect(self.reload)
        banner.addWidget(self.show_latest)
        self.changed_elsewhere.hide()
        layout.addWidget(self.changed_elsewhere)
        reload_action = QAction("Uppdatera", self)
        reload_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        reload_action.triggered.connect(self.reload)
        self.addAction(reload_action)

        top = QHBoxLayout()
        self.patient_box = QGroupBox("Patient")
        self.patient_form = QFormLayout(self.patient_box)
        self.case_box = QGroupBox("Ärende")
        self.case_form = QFormLayout(self.case_box)
        top.addWidget(self.patient_box, 3)
        top.addWidget(self.case_box, 2)
        layout.addLayout(top)

        self.steps = QTabWidget()
        self.steps.setAccessibleName("Steg i vårdgarantin")
        self.steps.currentChanged.connect(self._update_actions)
        layout.addWidget(self.steps)

        self.timeline = QTableWidget(0, 4)
        self.timeline.setAccessibleName("Händelser i ärendet")
        self.timeline.setHorizontalHeaderLabels(["Datum", "Händelse", "Uppgifter", "Steg"])
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setTabKeyNavigation(False)  # Tab leaves the timeline; the arrows move in it
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.cellActivated.connect(lambda row, _column: self._open_letter_at(row))
        timeline_box = QGroupBox("Händelser")
        QVBoxLayout(timeline_box).addWidget(self.timeline)
        layout.addWidget(timeline_box, 1)

        self.history = read_only_table(
            ["Rättat (UTC)", "Av", "Händelse", "Tidigare datum", "Nytt datum", "Orsak"],
            "Ändringshistorik: rättade datum")
        self.history_box = QGroupBox("Ändringshistorik – rättade datum")
        QVBoxLayout(self.history_box).addWidget(self.history)
        self.history_box.setMaximumHeight(150)
        self.history_box.hide()  # shown when the case read has corrections
        layout.addWidget(self.history_box)
        self.loading = QLabel("Läser in ärendet …")  # then "Arbetar …": shown while the window's work runs
        self.loading.setAccessibleName("Arbetar")
        self.loading.setStyleSheet("color: #444; padding: 2px;")
        self.loading.hide()
        self.runner.busy_changed.connect(self.loading.setVisible)
        layout.insertWidget(2, self.loading)
        self._set_enabled(False)
        self.reload()
        ctx.changes.connect(self._saved)
        self.finished.connect(self._stop_listening)
        self.destroyed.connect(lambda _=None, c=ctx.changes, r=self._saved: c.disconnect(r))

    def _stop_listening(self) -> None:
        self.ctx.changes.disconnect(self._saved)

    def _saved(self, change: Change) -> None:
        """A save (app.changes): ours reloads the case; someone else's warns when the version shown is old."""
        if not change.touches(self.case_id):
            return
        if change.local:
            self.reload()
            return
        self._check_pending = True
        self._check_version()

    def _check_version(self) -> None:
        # A read under way, or an op of ours on the case (whose NOTIFY or file poll may come before the op's own
        # broadcast), is followed by a read of the latest: compare once that is shown, not with what it replaces.
        if self.view is None or self._loading or self.runner.runner.saving(self.case_id):
            return
        self._check_pending = False
        shown = self.view.version
        self.runner.query(lambda: cases.case_version(self.ctx, self.case_id),
                          lambda saved: self._compare(saved, shown))

    def _compare(self, saved: int | None, shown: int) -> None:
        if self._loading or self.view is None or self.view.version != shown:
            return  # a newer read is coming or shown
        if saved is not None and saved != shown:
            self.changed_elsewhere.show()

    # --- data ---

    def reload(self) -> None:
        """Read the case off the UI thread; shown when read (the first time the window says "Läser in …")."""
        self._loading = True
        self.runner.query(lambda: cases.view_case(self.ctx, self.case_id), self._show, self._not_read)

    def _not_read(self, exc: BaseException) -> None:
        self._loading = False
        show_error(self, exc)
        if self.view is None:  # nothing to show: the case could not be opened
            self.reject()

    def _show(self, view: CaseView) -> None:
        self._loading = False
        current = self.steps.currentIndex()
        before = len(self.view.steps) if self.view else None
        self.view = view
        self.loading.setText("Arbetar …")
        self._set_enabled(True)
        self.changed_elsewhere.hide()
        if before is not None and before != len(view.steps):
            current = -1  # a step was added: show it (the first open one)
        self.setWindowTitle(f"Ärende {view.id} – {view.patient_name}")
        self._fill_patient(view)
        self._fill_case(view)
        self.steps.clear()
        for step in view.steps:
            self.steps.addTab(self._step_page(step), f"{step.name} – {LABEL[step.clock.state]}")
        self.steps.setCurrentIndex(current if 0 <= current < len(view.steps) else self._first_open_step(view))
        self._fill_timeline(view)
        self._fill_history(view)
        self._update_actions()
        if self._check_pending:
            self._check_version()

    def _set_enabled(self, enabled: bool) -> None:
        """Nothing to act on until the case is read (the actions' shortcuts included)."""
        for widget in (self.toolbar, self.case_toolbar, self.steps, self.timeline):
            widget.setEnabled(enabled)
        if not enabled:
            for qaction in self.actions_by_key.values():
                qaction.setEnabled(False)

    @staticmethod
    def _first_open_step(view: CaseView) -> int:
        return next((i for i, s in enumerate(view.steps) if s.clock.stopped_on is None), 0)

    def current_step(self) -> StepView | None:
        index = self.steps.currentIndex()
        return self.view.steps[index] if self.view and 0 <= index < len(self.view.steps) else None

    def _fill_patient(self, view: CaseView) -> None:
        _clear(self.patient_form)
        self.patient_form.addRow("Namn:", _label(view.patient_name, "Namn"))
        self.patient_form.addRow("Personnummer:", _label(display_id(view.id_number), "Personnummer"))
        if view.protected_identity:
            marker = _label("Skyddad identitet – adressen visas inte och brev hanteras manuellt", "Skyddad identitet")
            marker.setStyleSheet("background: #f4c7c3; padding: 3px; font-weight: bold;")
            self.patient_form.addRow("Obs:", marker)
        else:
            self.patient_form.addRow("Adress:", _label(view.address or "Saknas", "Adress"))
        region = {r.code: r.name for r in regions()}.get(view.home_region, view.home_region)
        self.patient_form.addRow("Hemregion:", _label(region, "Hemregion"))
        self.patient_form.addRow("Språk:", _label(LANGUAGES.get(view.language, view.language), "Språk"))
        self.patient_form.addRow("Telefon:", _label(view.phone or "Saknas", "Telefon"))
        if view.representative_name:
            kind = REPRESENTATIVE.get(view.representative_kind or "", "Företrädare")
            self.patient_form.addRow(f"{kind}:", _label(view.representative_name, kind))

    def _fill_case(self, view: CaseView) -> None:
        _clear(self.case_form)
        self.case_form.addRow("Verksamhetsområde:", _label(view.specialty, "Verksamhetsområde"))
        self.case_form.addRow("Väntar hos:", _label(view.waiting_unit or "–", "Väntar hos"))
        self.case_form.addRow("Medicinsk prioritet:", _label(view.medical_priority or "–", "Medicinsk prioritet"))
        self.case_form.addRow("Handläggare:", _label(view.assigned_to or "Ingen", "Handläggare"))
        wishes = _label(view.preferences.describe(), "Patientens önskemål")
        wishes.setWordWrap(True)
        self.case_form.addRow("Önskemål:", wishes)
        if view.closed_on:
            self.case_form.addRow("Avslutat:", _label(f"{view.closed_on.isoformat()} – "
                                                      f"{cases.CLOSE_REASONS.get(view.close_reason or '', '')}",
                                                      "Avslutat"))

    def _step_page(self, step: StepView) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        state = _label(LABEL[step.clock.state], "Status")
        state.setStyleSheet(f"background: {BACKGROUND[step.clock.state].name()}; padding: 6px 12px; "
                            "font-weight: bold; font-size: 14px;")
        state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QVBoxLayout()
        column.addWidget(state)
        for flag in sorted(step.clock.flags):
            warning = _label(FLAG_LABEL[flag], "Signal")
            warning.setStyleSheet("border: 1px solid #b45309; padding: 3px;")
            column.addWidget(warning)
        declined = any(e.kind == "answer" and e.answer == "declined" and e.step_id == step.id
                       for e in self.view.timeline)
        if declined and step.clock.state is not State.PVV and CaseAction.PVV in step.blocked:
            # The decline is saved but is not PvV: say why here, not only in the button's tooltip.
            why = _label(step.blocked[CaseAction.PVV], "Patientvald väntan")
            why.setWordWrap(True)
            why.setMaximumWidth(320)
            why.setStyleSheet("border: 1px solid #6b7280; padding: 3px;")
            column.addWidget(why)
        column.addStretch()
        row.addLayout(column)
        form = QFormLayout()
        for name, value in clock_summary(step.clock):
            form.addRow(f"{name}:", _label(value, name))
        rule = self.ctx.rules.for_date(step.clock.start).step(step.code)
        for name, value in validation_rows(self.view.timeline, step.id, step.clock.waited, rule.long_wait_days,
                                           self.ctx.today()):
            shown = _label(value, name)
            shown.setWordWrap(True)
            if value == "Saknas":
                shown.setStyleSheet("background: #f4c7c3; padding: 2px; font-weight: bold;")
            form.addRow(f"{name}:", shown)
        for name, value, attention in record_rows(step.record):
            shown = _label(value, name)
            shown.setWordWrap(True)
            if attention:
                shown.setStyleSheet("background: #f4c7c3; padding: 2px; font-weight: bold;")
            form.addRow(f"{name}:", shown)
        row.addLayout(form, 1)
        about = _label(f"Klockan startar: {rule.starts_with}.\nKlockan stannar: {rule.stops_with}.\n"
                       f"Tidsgräns: {rule.limit_days if rule.limit_days is not None else 'medicinskt måldatum'}"
                       f"{' dagar' if rule.limit_days is not None else ''} ({rule.status}).", "Om steget")
        about.setWordWrap(True)
        about.setStyleSheet("color: #444;")
        row.addWidget(about, 1)
        return page

    def _fill_timeline(self, view: CaseView) -> None:
        names = {s.id: s.short_name for s in view.steps}
        entries = list(reversed(view.timeline))  # newest first
        self.timeline.setRowCount(len(entries))
        for r, entry in enumerate(entries):
            for c, text in enumerate((entry.on.isoformat(), KIND.get(entry.kind, entry.kind), describe(entry),
                                      names.get(entry.step_id, ""))):
                item = QTableWidgetItem(text)
                if entry.kind == "letter":
                    item.setData(Qt.ItemDataRole.UserRole, entry.id)
                    item.setToolTip("Dubbelklicka eller tryck Retur för att öppna brevet")
                self.timeline.setItem(r, c, item)

    def _fill_history(self, view: CaseView) -> None:
        self.history_box.setVisible(bool(view.corrections))
        self.history.setRowCount(len(view.corrections))
        for r, c in enumerate(reversed(view.corrections)):  # newest first
            for col, text in enumerate((c.at.strftime("%Y-%m-%d %H:%M"), c.by, KIND.get(c.kind, c.kind),
                                        c.old_on.isoformat(), c.new_on.isoformat(), c.reason)):
                self.history.setItem(r, col, QTableWidgetItem(text))

    def _update_actions(self) -> None:
        if self.view is None:
            return
        step = self.current_step()
        for action in ACTIONS:
            why_not = self.view.why_not(action.key, step)  # decided in app.case_actions, only shown here
            qaction = self.actions_by_key[action.key]
            qaction.setEnabled(why_not is None)
            shortcut = QKeySequence(action.shortcut).toString()
            qaction.setToolTip(f"{action.label} ({shortcut})" if why_not is None
                               else f"{action.label} ({shortcut}) går inte nu: {why_not}")

    def _open_letter_at(self, row: int) -> None:
        item = self.timeline.item(row, 0)
        event_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if event_id is not None:
            self.open_letter(event_id)

    def open_letter(self, event_id: int) -> Path | None:
        """A sent letter, as it was sent (on the team server whoever sent it), in the computer's PDF reader.
        Returns the file it was shown from."""
        try:
            letter = open_letter(self.ctx, event_id)
            path = letters_folder(self.ctx.db.folder) / "öppnade" / letter.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(letter.pdf)
        except Exception as exc:  # noqa: BLE001 - shown in plain Swedish, logged when unexpected
            show_error(self, exc)
            return None
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    # --- actions ---

    def run(self, action: Action) -> None:
        """The action's form; its save runs as this window's op and the broadcast after it reloads the window."""
        if self.view is None or self.view.why_not(action.key, self.current_step()) is not None:
            return
        try:
            action.run(self, self.ctx, self.view, self.current_step())
        except ConflictError as exc:  # someone else saved the case: say so, then show what is saved now
            show_error(self, exc)
            self.reload()
        except Exception as exc:  # noqa: BLE001 - shown in plain Swedish, logged when unexpected
            show_error(self, exc)


def _label(text: str, accessible: str) -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label



def _clear(form: QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)
