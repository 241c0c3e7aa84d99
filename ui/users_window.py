"""The administratör's window for users: list everyone (login, namn, HSA-id, roll, enhet, aktiv), change a user's
name, HSA-id, unit and role, deactivate or activate again (never delete: the access log refers to users), and add
a user by login before their first sign-in. Open it with open_users_window(ctx, parent)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import users
from app.context import AppContext
from app.errors import InputError, StorageError
from app.roles import ROLE_NAMES, Permission, Role, require
from ui.log_review_window import Column, RowsModel

ACTIVE = "Ja"
INACTIVE = "Nej, inaktiverad"
COLUMNS: list[Column] = [
    ("Inloggning", lambda u: u.login),
    ("Namn", lambda u: u.display_name),
    ("HSA-id", lambda u: u.hsa_id or ""),
    ("Roll", lambda u: ROLE_NAMES.get(Role(u.role), u.role) if u.role in Role._value2member_map_ else u.role),
    ("Enhet", lambda u: u.unit or ""),
    ("Aktiv", lambda u: ACTIVE if u.active else INACTIVE),
]


def open_users_window(ctx: AppContext, parent: QWidget | None = None) -> UsersWindow:
    """The menu's entry point (Administration → Användare och roller…, only for an administratör)."""
    window = UsersWindow(ctx, parent)
    window.show()
    return window


def _labelled(form: QFormLayout, label: str, widget: QWidget, name: str) -> None:
    widget.setAccessibleName(name)
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)


def _role_box() -> QComboBox:
    box = QComboBox()
    for role, name in ROLE_NAMES.items():
        box.addItem(name, role.value)
    return box


class UsersWindow(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        require(ctx.role, Permission.MANAGE_USERS)
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Användare och roller")
        self.setObjectName("usersWindow")
        self.setMinimumSize(960, 600)
        layout = QVBoxLayout(self)
        intro = QLabel("Varje användare loggar in med sin egen Windows-inloggning. Användare tas aldrig bort, "
                       "eftersom loggen över åtkomst till patientuppgifter hänvisar till dem, men de kan "
                       "inaktiveras. Det måste alltid finnas minst en aktiv administratör.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.model = RowsModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Användare")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        layout.addWidget(self.table, 1)

        below = QHBoxLayout()
        layout.addLayout(below)
        below.addWidget(self._edit_group(), 3)
        below.addWidget(self._add_group(), 2)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Meddelande")
        layout.addWidget(self.message)
        self.reload()

    def _edit_group(self) -> QGroupBox:
        group = QGroupBox("Vald användare")
        form = QFormLayout(group)
        self.login = QLabel("")
        self.login.setAccessibleName("Inloggning")
        self.login.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Inloggning:", self.login)
        self.name, self.hsa_id, self.unit = QLineEdit(), QLineEdit(), QLineEdit()
        self.hsa_id.setPlaceholderText("SE2321000016-ABCD")
        self.role = _role_box()
        _labelled(form, "&Namn:", self.name, "Namn")
        _labelled(form, "&HSA-id:", self.hsa_id, "HSA-id")
        _labelled(form, "&Enhet:", self.unit, "Enhet")
        _labelled(form, "&Roll:", self.role, "Roll")
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Spara ändringar")
        self.save_button.clicked.connect(self.save)
        self.active_button = QPushButton("&Inaktivera")
        self.active_button.clicked.connect(self.toggle_active)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        return group

    def _add_group(self) -> QGroupBox:
        group = QGroupBox("Lägg till användare")
        form = QFormLayout(group)
        explain = QLabel("För den som ännu inte har loggat in. Den som loggar in första gången läggs annars till "
                         "som vårdlots.")
        explain.setWordWrap(True)
        form.addRow(explain)
        self.new_login, self.new_name = QLineEdit(), QLineEdit()
        self.new_login.setPlaceholderText("anna.lots")
        self.new_role = _role_box()
        _labelled(form, "Inl&oggning:", self.new_login, "Ny användares inloggning")
        _labelled(form, "Na&mn:", self.new_name, "Ny användares namn")
        _labelled(form, "Ro&ll:", self.new_role, "Ny användares roll")
        self.add_button = QPushButton("&Lägg till")
        self.add_button.clicked.connect(self.add)
        form.addRow("", self.add_button)
        return group

    # --- the list ---

    def reload(self, select_id: int | None = None) -> None:
        self.model.set_rows(users.all_users(self.ctx))
        ids = [u.id for u in self.model.rows]
        row = ids.index(select_id) if select_id in ids else 0
        if self.model.rows:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.setCurrentIndex(self.model.index(row, 0))
        self._show_selected()

    def selected(self) -> users.UserDetails | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _show_selected(self, *_selection_change: object) -> None:
        user = self.selected()
        for widget in (self.name, self.hsa_id, self.unit, self.role, self.save_button, self.active_button):
            widget.setEnabled(user is not None)
        if user is None:
            return
        self.login.setText(user.login)
        self.name.setText(user.display_name)
        self.hsa_id.setText(user.hsa_id or "")
        self.unit.setText(user.unit or "")
        self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
        self.active_button.setText("&Inaktivera" if user.active else "&Aktivera igen")
        self.active_button.setAccessibleName("Inaktivera användaren" if user.active else "Aktivera användaren igen")

    # --- actions ---

    def _run(self, work: Callable[[], int], done: str) -> bool:
        """Run a change; the message says what happened, or what to correct (nothing typed is lost)."""
        try:
            user_id = work()
        except InputError as exc:
            self.message.setText(f"Inte sparat. {exc.field}: {exc.message}")
            return False
        except StorageError as exc:
            self.message.setText(f"Inte sparat. {exc.message}")
            return False
        self.reload(user_id)
        self.message.setText(done)
        return True

    def save(self) -> None:
        user = self.selected()
        if user is None:
            return
        change = users.UserChange(self.name.text(), self.hsa_id.text(), self.unit.text(),
                                  Role(self.role.currentData()))

        def work() -> int:
            users.update_user(self.ctx, user.id, change)
            return user.id
        self._run(work, f"Ändringarna för {user.login} är sparade.")

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return

        def work() -> int:
            users.set_active(self.ctx, user.id, not user.active)
            return user.id
        self._run(work, f"{user.display_name} är {'inaktiverad' if user.active else 'aktiv igen'}.")

    def add(self) -> None:
        login, name = self.new_login.text(), self.new_name.text()
        role = Role(self.new_role.currentData())
        if self._run(lambda: users.add_user(self.ctx, login, name, role=role),
                     f"{login.strip()} är tillagd. Fyll gärna i HSA-id och enhet."):
            self.new_login.clear()
            self.new_name.clear()
            self.new_role.setCurrentIndex(0)
