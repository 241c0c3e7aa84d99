"""The administratör's users window, clicked as a user: change details and roles, deactivate and activate
again, add a user by login; the last active administratör is kept; a case worker cannot open it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.context import sign_in
from app.errors import PermissionDenied
from app.roles import Role
from app.settings import setting_history
from app.users import all_users
from ui.users_window import INACTIVE, UsersWindow, open_users_window


@pytest.fixture
def window(qtbot, ctx):
    sign_in(ctx.db, "bo.lots", "Bo Lots")
    shown = open_users_window(ctx)
    qtbot.addWidget(shown)
    return shown


def _select(window: UsersWindow, login: str) -> None:
    row = [u.login for u in window.model.rows].index(login)
    window.table.selectRow(row)
    assert window.login.text() == login


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot, line_edit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)


def _users(ctx) -> dict:
    return {u.login: u for u in all_users(ctx)}


def test_the_list_shows_every_user_and_its_model_is_sound(qtmodeltester, window, tmp_path):
    qtmodeltester.check(window.model)
    model = window.model
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header == ["Inloggning", "Namn", "HSA-id", "Roll", "Enhet", "Aktiv"]
    rows = {model.data(model.index(r, 0)): [model.data(model.index(r, c)) for c in range(6)]
            for r in range(model.rowCount())}
    assert rows["anna.lots"][3] == "administratör" and rows["bo.lots"][3:] == ["vårdlots", "", "Ja"]
    window.resize(980, 620)
    window.grab().save(str(tmp_path.parent / "users-window.png"))


def test_change_a_users_details_and_role(qtbot, ctx, window):
    _select(window, "bo.lots")
    _type(qtbot, window.name, "Bo Lotsson")
    _type(qtbot, window.hsa_id, "se2321000016-b0b0")
    _type(qtbot, window.unit, "Vårdgarantienheten")
    window.role.setCurrentIndex(window.role.findData(Role.GRANSKARE.value))
    _click(qtbot, window.save_button)
    assert "sparade" in window.message.text()
    bo = _users(ctx)["bo.lots"]
    assert (bo.display_name, bo.hsa_id, bo.unit, bo.role) == ("Bo Lotsson", "SE2321000016-b0b0",
                                                              "Vårdgarantienheten", "granskare")
    assert window.selected().login == "bo.lots"  # still selected after the list is reloaded
    assert [c.new_value for c in setting_history(ctx.db, f"user.{bo.id}.role")] == ["granskare"]


def test_a_bad_hsa_id_is_explained_and_nothing_is_saved_or_lost(qtbot, ctx, window):
    _select(window, "bo.lots")
    _type(qtbot, window.name, "Bo Lotsson")
    _type(qtbot, window.hsa_id, "12345")
    _click(qtbot, window.save_button)
    assert window.message.text().startswith("Inte sparat. HSA-id:")
    assert window.name.text() == "Bo Lotsson" and window.hsa_id.text() == "12345"  # what was typed is kept
    assert _users(ctx)["bo.lots"].display_name == "Bo Lots"


def test_deactivate_and_activate_again(qtbot, ctx, window):
    _select(window, "bo.lots")
    _click(qtbot, window.active_button)
    assert not _users(ctx)["bo.lots"].active
    row = [u.login for u in window.model.rows].index("bo.lots")
    assert window.model.data(window.model.index(row, 5)) == INACTIVE
    assert window.active_button.text() == "&Aktivera igen"
    _click(qtbot, window.active_button)
    assert _users(ctx)["bo.lots"].active and window.active_button.text() == "&Inaktivera"
    assert [c.new_value for c in setting_history(ctx.db, f"user.{_users(ctx)['bo.lots'].id}.active")] == [
        False, True]


def test_the_last_active_administrator_is_kept(qtbot, ctx, window):
    _select(window, "anna.lots")
    _click(qtbot, window.active_button)
    assert "minst en administratör som är aktiv" in window.message.text()
    window.role.setCurrentIndex(window.role.findData(Role.VARDLOTS.value))
    _click(qtbot, window.save_button)
    assert "Roll: det måste finnas minst en administratör" in window.message.text()
    anna = _users(ctx)["anna.lots"]
    assert anna.active and anna.role == "administrator"
    _select(window, "bo.lots")  # with a second administratör, the first may step down
    window.role.setCurrentIndex(window.role.findData(Role.ADMINISTRATOR.value))
    _click(qtbot, window.save_button)
    _select(window, "anna.lots")
    _click(qtbot, window.active_button)
    assert not _users(ctx)["anna.lots"].active


def test_add_a_user_by_login(qtbot, ctx, window):
    _type(qtbot, window.new_login, "greta.granskare")
    _type(qtbot, window.new_name, "Greta Granskare")
    window.new_role.setCurrentIndex(window.new_role.findData(Role.GRANSKARE.value))
    _click(qtbot, window.add_button)
    assert "greta.granskare är tillagd" in window.message.text() and window.new_login.text() == ""
    assert window.selected().login == "greta.granskare"
    assert _users(ctx)["greta.granskare"].role == "granskare"
    assert sign_in(ctx.db, "greta.granskare").role == Role.GRANSKARE  # her first sign-in finds her
    _type(qtbot, window.new_login, "GRETA.granskare")
    _click(qtbot, window.add_button)
    assert "finns redan en användare" in window.message.text()
    assert window.new_login.text() == "GRETA.granskare"


def test_a_case_worker_cannot_open_the_window(ctx):
    worker = sign_in(ctx.db, "bo.lots", "Bo Lots")
    with pytest.raises(PermissionDenied, match="administratör"):
        UsersWindow(worker)
