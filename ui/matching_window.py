"""Proposals of care elsewhere for a whole list at once (app.matching): the case worker reads the reasons,
ticks the proposals to accept and accepts them; each becomes an offer whose letter can be written right away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.matching.service import AT_RISK, Accepted, Proposal, Proposals, accept, propose
from app.worklist import Filter
from ui.confirm import ask
from ui.worker import lane

HEADINGS = ["Patient", "Verksamhetsområde", "Kvar (dagar)", "Prio", "Föreslagen enhet", "Väg", "Datum",
            "Resväg (km)"]


class MatchingWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, worklist_filter: Filter | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.worklist_filter = worklist_filter
        self.proposals: list[Proposal] = []
        self.accepted_steps: list[int] = []
        self.runner = lane(ctx, self)
        self.setWindowTitle("Lotsen – föreslå vård hos annan vårdgivare för hela listan")
        self.setMinimumSize(1100, 640)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("&Vilka patienter:"))
        self.scope = QComboBox()
        self.scope.setAccessibleName("Vilka patienter")
        self.scope.addItem("Alla steg i riskzonen, akuta och överskridna", "risk")
        if worklist_filter is not None:
            self.scope.addItem("Stegen i arbetslistans filter", "filter")
        top.itemAt(0).widget().setBuddy(self.scope)
        top.addWidget(self.scope)
        self.run_button = QPushButton("&Sök lediga tider")
        self.run_button.clicked.connect(self.run)
        top.addWidget(self.run_button)
        top.addStretch()
        layout.addLayout(top)
        self.summary = QLabel("Tryck på Sök lediga tider.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Sammanfattning")
        layout.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(HEADINGS))
        self.table.setAccessibleName("Förslag")
        self.table.setHorizontalHeaderLabels(HEADINGS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for column in range(len(HEADINGS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_reasons(row))
        self.table.itemChanged.connect(lambda _item: self._update_buttons())
        split.addWidget(self.table)
        self.reasons = QPlainTextEdit()
        self.reasons.setReadOnly(True)
        self.reasons.setAccessibleName("Skäl för förslaget")
        self.reasons.setPlaceholderText("Markera ett förslag för att se skälen.")
        split.addWidget(self.reasons)
        split.setSizes([440, 140])
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.all_button = QPushButton("&Kryssa alla")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button = QPushButton("&Ta bort alla kryss")
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.accept_button = QPushButton("&Gör erbjudanden av de kryssade")
        self.accept_button.clicked.connect(self.accept_checked)
        self.letters_button = QPushButton("Skriv &erbjudandebrev…")
        self.letters_button.clicked.connect(self.write_letters)
        close = QPushButton("&Stäng")
        close.clicked.connect(self.reject)
        for button in (self.all_button, self.none_button, self.accept_button, self.letters_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- proposing ---

    def run(self) -> None:
        flt = self.worklist_filter if self.scope.currentData() == "filter" else AT_RISK
        self.run_button.setEnabled(False)
        self.summary.setText("Söker lediga tider för hela listan …")
        self.runner.query(lambda: propose(self.ctx, flt), self._proposed, self._failed)

    def _failed(self, exc: BaseException) -> None:
        from ui.errors import show_error

        self.run_button.setEnabled(True)
        self.summary.setText("Sökningen kunde inte göras.")
        show_error(self, exc)

    def _proposed(self, result: Proposals) -> None:
        self.run_button.setEnabled(True)
        self.proposals = result.proposals
        self.summary.setText(
            f"{len(result.proposals)} förslag för {result.considered} steg med löpande klocka "
            f"({result.seconds:.1f} s). Mest brådskande först. Bara färska kapacitetsuppgifter används; "
            "enheter med äldre uppgifter får du ringa (Hitta vård i ärendet). Kryssa de förslag du vill göra "
            "erbjudanden av.")
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.proposals))
        for r, p in enumerate(self.proposals):
            km = "okänt" if p.travel_km is None else f"{p.travel_km:.0f}"
            remaining = str(p.remaining) if p.remaining >= 0 else f"{p.remaining} (överskriden)"
            for c, text in enumerate((p.patient_name, p.specialty, remaining, p.priority or "–",
                                      f"{p.unit_name} ({p.provider})", p.route, p.appointment.isoformat(), km)):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        if self.proposals:
            self.table.setCurrentCell(0, 0)
        self._update_buttons()

    def _show_reasons(self, row: int) -> None:
        if 0 <= row < len(self.proposals):
            p = self.proposals[row]
            self.reasons.setPlainText(f"{p.patient_name}: {p.unit_name}, {p.appointment.isoformat()}\n\n"
                                      + "\n".join(f"• {reason}" for reason in p.reasons))

    def checked(self) -> list[Proposal]:
        return [p for r, p in enumerate(self.proposals)
                if self.table.item(r, 0) is not None and self.table.item(r, 0).checkState() == Qt.CheckState.Checked]

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).flags() & Qt.ItemFlag.ItemIsUserCheckable:
                self.table.item(r, 0).setCheckState(state)

    def _update_buttons(self) -> None:
        has = bool(self.proposals)
        self.all_button.setEnabled(has)
        self.none_button.setEnabled(has)
        self.accept_button.setEnabled(bool(self.checked()))
        self.letters_button.setEnabled(bool(self.accepted_steps))

    # --- accepting ---

    def accept_checked(self) -> None:
        self._accept(self.checked())

    def _accept(self, chosen: list[Proposal], confirmed: frozenset[int] = frozenset()) -> None:
        if not chosen:
            return
        self.accept_button.setEnabled(False)
        self.runner.op(lambda: accept(self.ctx, chosen, confirmed), lambda result: self._accepted(chosen, result),
                       self._failed, cases=[p.case_id for p in chosen])

    def _confirm(self, to_confirm: list[tuple[Proposal, str]]) -> None:
        """Offers after the deadline are made only once the case worker has read what that means for each."""
        reasons = tuple(f"{p.patient_name}: {why}" for p, why in to_confirm)
        if ask(self, "Göra erbjudandena?", reasons, "Vill du göra de här erbjudandena ändå?"):
            proposals = [p for p, _ in to_confirm]
            self._accept(proposals, frozenset(p.step_id for p in proposals))

    def _accepted(self, chosen: list[Proposal], result: Accepted) -> None:
        self.accepted_steps += result.step_ids
        done = set(result.step_ids)
        for r, p in enumerate(self.proposals):
            if p.step_id in done:
                item = self.table.item(r, 0)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setData(Qt.ItemDataRole.CheckStateRole, None)
                item.setText(f"{p.patient_name} – erbjudande gjort")
        text = f"{len(result.offers)} erbjudanden gjorda. Skriv breven med Skriv erbjudandebrev."
        if result.refused:
            text += " Inte gjorda: " + "; ".join(f"{p.patient_name}: {why}" for p, why in result.refused)
        self.summary.setText(text)
        self._update_buttons()
        if result.to_confirm:
            self._confirm(result.to_confirm)

    def write_letters(self) -> None:
        from app.letters.kinds import LetterType
        from ui.letters_dialog import LettersDialog

        dialog = LettersDialog(self.ctx, self.accepted_steps, self)
        dialog.kind.setCurrentIndex(dialog.kind.findData(LetterType.OFFER))
        dialog.exec()
