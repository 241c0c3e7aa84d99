"""Administration → Inställningar, clicked through as a user: an administratör saves the sender, the export's codes
and a unit's HSA-id; a vårdlots sees them read-only with the reason; bad input is named on its tab; the first-start
guide lists what is missing and opens the right tab; the demo comes configured."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit

from app import demo, region_settings
from app.context import sign_in
from app.errors import PermissionDenied
from app.export.config import load_config
from app.importer.mappings import save_mapping
from app.letters import Sender, get_sender, set_sender
from app.letters.sender import sender_problem
from app.roles import Role
from app.settings import TAB_EXPORT, TAB_UNITS, get_setting, setting_history
from tests.db.test_worklist import add
from ui.main_window import MainWindow
from ui.region_settings_window import FirstStartGuide, RegionSettingsWindow
from ui.screenshots import _grab


@pytest.fixture
def admin(ctx):
    assert ctx.role == Role.ADMINISTRATOR.value  # the first to sign in to a new database
    return ctx


@pytest.fixture
def case_worker(ctx):
    worker = sign_in(ctx.db, "bo.lots", "Bo Lots")
    worker.today = ctx.today
    assert worker.role == Role.VARDLOTS.value
    return worker


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def click_save(qtbot, window: RegionSettingsWindow) -> None:
    qtbot.mouseClick(window.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_an_administrator_saves_sender_export_codes_and_a_units_hsa_id(qtbot, admin):
    add(admin, 1, "Olle Ok", 45, unit="Ortopeden Lund")
    window = RegionSettingsWindow(admin)
    qtbot.addWidget(window)
    window.show()
    assert window.units.item(0, 0).text() == "Ortopeden Lund" and window.units.item(0, 1).text() == ""
    type_into(qtbot, window.widgets["Region"], "Region Halland")
    type_into(qtbot, window.widgets["Underskrift"], "Lisa Lots, vårdlots")
    window.show_tab(TAB_EXPORT)
    region = window.widgets["Länskod"]
    region.setCurrentIndex(region.findData("13"))
    type_into(qtbot, window.widgets["Regionens HSA-id"], "SE2321000065-R")
    window.show_tab(TAB_UNITS)
    window.units.item(0, 1).setText(" SE2321000065-E123 ")
    window.activities.item(0, 2).setText("ho100")
    click_save(qtbot, window)

    assert window.result() == QDialog.DialogCode.Accepted
    sender = get_sender(admin.db)
    assert sender.region == "Region Halland" and sender.closing_name == "Lisa Lots, vårdlots"
    config = load_config(admin.db)
    assert config.regionkod == "42" and config.hsa_region == "SE2321000065-R" and not config.problems()
    assert config.unit("Ortopeden Lund").hsa == "SE2321000065-E123"
    assert config.activity_codes[window.activities.item(0, 0).text()] == "HO100"
    assert setting_history(admin.db, "skr.region")[-1].changed_by == admin.user_id
    assert [m.tab for m in region_settings.missing(admin)] == []
    again = RegionSettingsWindow(admin)  # what was saved is what the window shows next time
    qtbot.addWidget(again)
    assert again.widgets["Regionens HSA-id"].text() == "SE2321000065-R"
    assert again.units.item(0, 1).text() == "SE2321000065-E123"


def test_a_case_worker_sees_the_settings_read_only_with_the_reason(qtbot, case_worker):
    ctx = case_worker
    window = RegionSettingsWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    banner = window.findChild(type(window.error), "readOnlyReason")
    assert banner is not None and "bara en administratör" in banner.text()
    assert window.buttons.button(QDialogButtonBox.StandardButton.Save) is None
    assert window.widgets["Region"].isReadOnly() and not window.widgets["Länskod"].isEnabled()
    assert not window.rules.active.isEnabled() and not window.choose_logo.isEnabled()
    qtbot.keyClicks(window.widgets["Region"], "Ändrat")
    assert window.widgets["Region"].text() == get_sender(ctx.db).region
    with pytest.raises(PermissionDenied):  # the service checks the role too, not only the window
        region_settings.save(ctx, region_settings.load(ctx))
    assert get_setting(ctx.db, "letters.sender") is None


def test_bad_input_is_named_on_its_tab_and_nothing_is_saved(qtbot, admin):
    window = RegionSettingsWindow(admin)
    qtbot.addWidget(window)
    window.show()
    window.show_tab(TAB_EXPORT)
    type_into(qtbot, window.widgets["Regionens HSA-id"], "Halland")
    window.tabs.setCurrentIndex(0)
    click_save(qtbot, window)
    assert window.isVisible() and window.result() != QDialog.DialogCode.Accepted
    assert window.error.text().startswith("Regionens HSA-id: ett HSA-id ser ut som")
    assert window.tabs.tabText(window.tabs.currentIndex()) == TAB_EXPORT
    assert window.widgets["Regionens HSA-id"].text() == "Halland"  # what was typed is kept
    assert get_setting(admin.db, "skr.hsa_region") is None

    type_into(qtbot, window.widgets["Regionens HSA-id"], "")
    type_into(qtbot, window.widgets["Postnummer"], "   ")
    click_save(qtbot, window)
    assert window.error.text().startswith("Postnummer: fyll i uppgiften")
    assert window.tabs.currentIndex() == 0 and get_setting(admin.db, "letters.sender") is None


def test_a_bad_hsa_id_in_the_units_table_names_the_unit(qtbot, admin):
    add(admin, 1, "Olle Ok", 45, unit="Ortopeden Lund")
    window = RegionSettingsWindow(admin)
    qtbot.addWidget(window)
    window.units.item(0, 1).setText("E123")
    click_save(qtbot, window)
    assert window.error.text().startswith("HSA-id för Ortopeden Lund:")
    assert window.tabs.tabText(window.tabs.currentIndex()) == TAB_UNITS


def test_the_first_start_guide_lists_what_is_missing_and_opens_its_tab(qtbot, admin):
    add(admin, 1, "Olle Ok", 45, unit="Ortopeden Lund")
    texts = [m.text for m in region_settings.missing(admin)]
    assert any("avsändare" in t for t in texts) and any("länskod" in t for t in texts)
    assert any("Ortopeden Lund" in t for t in texts) and not any("skr." in t for t in texts)
    window = MainWindow(admin)
    qtbot.addWidget(window)
    window.runner.wait()  # the worklist's first load: done before the test ends
    window.offer_first_start_guide()
    guide = window.first_start_guide
    assert isinstance(guide, FirstStartGuide) and guide.isVisible()
    qtbot.mouseClick(guide.tab_buttons[TAB_UNITS], Qt.MouseButton.LeftButton)
    assert guide.settings.tabs.tabText(guide.settings.tabs.currentIndex()) == TAB_UNITS
    guide.settings.reject()
    guide.reject()
    window.runner.wait()


def test_a_case_worker_gets_no_guide_but_a_status_line(qtbot, case_worker):
    ctx = case_worker
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.runner.wait()
    window.offer_first_start_guide()
    assert not hasattr(window, "first_start_guide")
    assert "Administration → Inställningar" in window.statusBar().currentMessage()


def test_the_demo_comes_configured_for_letters_and_export(ctx):
    demo.generate(ctx.db, 30, 30, today=date(2026, 11, 20), workers=1)
    assert region_settings.missing(ctx) == []
    sender = get_sender(ctx.db)
    assert "påhittad" in sender.region and "demo" in sender.unit  # visibly made up
    config = load_config(ctx.db)
    assert not config.problems() and all("DEMO" in u.hsa for u in config.units.values())


def test_every_tab_renders_at_1366x768(qtbot, admin, tmp_path):
    add(admin, 1, "Olle Ok", 45)
    save_mapping(admin, "waiting-list", "Ortopeden Lund", {"name": "Namn"}, inbox=str(tmp_path / "in"))
    window = RegionSettingsWindow(admin)
    qtbot.addWidget(window)
    assert [window.inboxes.item(0, c).text() for c in range(3)] == ["Väntelista", "Ortopeden Lund",
                                                                    str(tmp_path / "in")]
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        path = _grab(window, (1366, 768), tmp_path / f"tab-{index}.png")
        assert path.stat().st_size > 5000
    assert window.tabs.count() == len(region_settings.TABS)


def test_the_letters_say_what_is_missing_from_the_sender_and_where_to_set_it(qtbot, admin, tmp_path):
    from ui.letters_dialog import LettersDialog

    opened = add(admin, 1, "Olle Ok", 45)
    dialog = LettersDialog(admin, [opened.step_id])
    qtbot.addWidget(dialog)
    notice = dialog.sender_notice.text()
    assert dialog.sender_notice.isVisibleTo(dialog) and "inga brev kan skapas" in notice
    assert "Administration → Inställningar, fliken Avsändare" in notice and "letters." not in notice
    set_sender(admin.db, Sender(region="Region Halland", logo=str(tmp_path / "saknas.png")), admin.user_id)
    assert sender_problem(admin.db).startswith(f"Logotypen {tmp_path / 'saknas.png'} finns inte")
    set_sender(admin.db, Sender(region="Region Halland"), admin.user_id)
    assert sender_problem(admin.db) is None
    again = LettersDialog(admin, [opened.step_id])
    qtbot.addWidget(again)
    assert not again.sender_notice.isVisibleTo(again)
