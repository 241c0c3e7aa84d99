"""This process's own saves, through the application's runner (ui.worker): off the UI thread, and told to every
window on the broadcast, which refreshes what it shows; a colleague's save still warns (tests/ui/test_live_changes)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer

from app import cases, importer
from tests.conftest import TODAY
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.importer.lists import waiting_rows, write_csv
from tests.ui.helpers import save_form, settled
from ui.case_window import CaseWindow
from ui.import_wizard import ImportWizard
from ui.main_window import MainWindow

PATIENT, LAST_CONTACT, SIGNALS = 1, 12, 13
NOTICE_MS = 1200  # more than the listener's wait and the file's poll: our own save's notice has come by then


def summary_texts(window: MainWindow) -> list[str]:
    return [b.text() for b in window.summary.buttons]


def cell(window: MainWindow, name: str, column: int) -> str:
    row = next(r for r in range(window.model.rowCount()) if window.model.index(r, PATIENT).data() == name)
    return window.model.index(row, column).data()


@pytest.fixture
def main(qtbot, ctx, region):  # noqa: F811
    """The main window without the listener for others' saves: what refreshes it here is the broadcast."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.model.rowCount() == 7 and bool(window.summary.buttons))
    yield window
    window.runner.runner.wait()


def case_window(qtbot, ctx, case_id: int) -> CaseWindow:
    window = CaseWindow(ctx, case_id)
    qtbot.addWidget(window)
    return settled(window)


def test_a_save_in_a_case_window_refreshes_the_worklist_row_and_summary(main, region, qtbot):  # noqa: F811
    assert main.listener is None
    without_contact = next(t for t in summary_texts(main) if t.startswith("Utan kontakt"))
    assert cell(main, "Åsa Akut", LAST_CONTACT) == "–" and "Ingen kontakt" in cell(main, "Åsa Akut", SIGNALS)
    window = settled(main.open_case(region["akut"].case_id))
    save_form({"outcome": "Mår som förut"})
    window.actions_by_key["contact"].trigger()
    qtbot.waitUntil(lambda: cell(main, "Åsa Akut", LAST_CONTACT) == TODAY.isoformat(), timeout=3000)
    assert "Ingen kontakt" not in cell(main, "Åsa Akut", SIGNALS)
    fewer = f"Utan kontakt: {int(without_contact.rsplit(' ', 1)[1]) - 1}"
    qtbot.waitUntil(lambda: fewer in summary_texts(main), timeout=3000)
    settled(window)
    assert window.timeline.item(0, 1).text() == "Kontakt"


def test_a_save_in_one_case_window_reloads_the_other_without_a_warning(qtbot, ctx, region):  # noqa: F811
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.listen_for_changes()  # the NOTIFY (server) or file poll of our own save comes too: no warning from it
    case_id = region["ok"].case_id
    first, second = case_window(qtbot, ctx, case_id), case_window(qtbot, ctx, case_id)
    shown = second.view.version
    save_form({"text": "Ringde patienten"})
    first.actions_by_key["note"].trigger()
    qtbot.waitUntil(lambda: second.view.version > shown, timeout=3000)
    assert "Ringde patienten" in [e.details.get("text") for e in second.view.timeline]
    qtbot.wait(NOTICE_MS)
    settled(first), settled(second)
    assert first.changed_elsewhere.isHidden() and second.changed_elsewhere.isHidden()
    assert first.view.version == second.view.version == cases.case_version(ctx, case_id)
    main.close()


def test_a_colleagues_save_in_this_process_still_warns(qtbot, ctx, second, region):  # noqa: F811
    """Another context (another user's connection) saves outside this context's runner: a colleague's save."""
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.listen_for_changes()
    window = case_window(qtbot, ctx, region["ok"].case_id)
    qtbot.wait(NOTICE_MS)  # the listener is up
    cases.add_note(second, region["ok"].case_id, "Bo ringde")
    qtbot.waitUntil(lambda: not window.changed_elsewhere.isHidden(), timeout=3000)
    main.close()


def test_opening_and_saving_run_off_the_ui_thread(qtbot, ctx, region, monkeypatch):  # noqa: F811
    threads: list[tuple[str, bool]] = []
    read, note = cases.view_case, cases.add_note

    def slow_read(*args, **kwargs):
        threads.append(("read", threading.current_thread() is threading.main_thread()))
        time.sleep(0.4)  # a slow database: the UI keeps going meanwhile
        return read(*args, **kwargs)

    def noted(*args, **kwargs):
        threads.append(("save", threading.current_thread() is threading.main_thread()))
        return note(*args, **kwargs)

    monkeypatch.setattr(cases, "view_case", slow_read)
    monkeypatch.setattr(cases, "add_note", noted)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    window = CaseWindow(ctx, region["ok"].case_id)
    qtbot.addWidget(window)
    window.show()
    assert window.view is None and window.loading.isVisible() and "Läser in" in window.windowTitle()
    assert not window.actions_by_key["note"].isEnabled()  # nothing to act on before the case is read
    settled(window)
    timer.stop()
    assert len(ticks) >= 8  # the UI thread ran its timer while the case was read (0.4 s)
    assert window.loading.isHidden() and window.windowTitle() == f"Ärende {region['ok'].case_id} – Olle Ok"
    save_form({"text": "Sparad utanför UI-tråden"})
    window.actions_by_key["note"].trigger()
    settled(window)
    assert "Sparad utanför UI-tråden" in [e.details.get("text") for e in window.view.timeline]
    assert ("read", False) in threads and ("save", False) in threads
    assert all(not on_ui for _what, on_ui in threads)


def test_an_import_runs_off_the_ui_thread_and_the_worklist_shows_it(qtbot, ctx, region, tmp_path,  # noqa: F811
                                                                     monkeypatch):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    qtbot.waitUntil(lambda: main.model.rowCount() == 7)
    on_ui: list[bool] = []
    imported = importer.import_file

    def watched(*args, **kwargs):
        on_ui.append(threading.current_thread() is threading.main_thread())
        return imported(*args, **kwargs)

    monkeypatch.setattr(importer, "import_file", watched)
    rows = waiting_rows(6, TODAY - timedelta(days=1))
    wizard = ImportWizard(ctx, main)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(write_csv(tmp_path / "lista.csv", rows)))
    wizard.file_page.source.setEditText("Ortopeden SUS")
    for _page in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.result_page
    qtbot.waitUntil(lambda: wizard.result_page.done, timeout=10_000)
    assert on_ui == [False]
    assert "6 nya" in wizard.result_page.summary.text()
    qtbot.waitUntil(lambda: main.model.rowCount() == 7 + 6, timeout=5000)  # the broadcast: no listener here
    assert main.listener is None


def test_the_broadcast_is_only_told_on_the_ui_thread():
    """Its receivers are windows: a worker hands its change over first (ui.worker, ui.change_listener)."""
    from app.changes import Broadcast, Change

    broadcast, told, refused = Broadcast(), [], []
    broadcast.connect(told.append)

    def from_worker() -> None:
        try:
            broadcast.emit(Change(None))
        except RuntimeError as exc:
            refused.append(str(exc))

    worker = threading.Thread(target=from_worker)
    worker.start()
    worker.join()
    assert told == [] and refused and "UI thread" in refused[0]
    broadcast.emit(Change(frozenset({1}), local=True))
    assert told == [Change(frozenset({1}), local=True)]


def test_the_patients_details_are_saved_off_the_ui_thread_and_told_to_the_case_window(
        qtbot, ctx, region, monkeypatch):  # noqa: F811
    from app import patients
    from ui.patient_dialog import PatientDialog

    case_id = region["akut"].case_id
    window = case_window(qtbot, ctx, case_id)
    heard = []
    ctx.changes.connect(heard.append)
    saving_on_ui_thread = []
    update = patients.update_contact_details

    def recorded(*args, **kwargs):
        saving_on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return update(*args, **kwargs)

    monkeypatch.setattr(patients, "update_contact_details", recorded)
    dialog = PatientDialog(ctx, window.view.patient_id, case_id, window)
    qtbot.addWidget(dialog)
    dialog.street.setText("Nygatan 5")
    dialog.postal_code.setText("21135")
    dialog.city.setText("Malmö")
    settled(dialog).save()
    settled(dialog)
    ctx.changes.disconnect(heard.append)
    assert saving_on_ui_thread == [False]
    assert any(c.local and c.touches(case_id) for c in heard)
    qtbot.waitUntil(lambda: settled(window).view.address == "Nygatan 5, 211 35 Malmö")
    assert not window.changed_elsewhere.isVisible()
