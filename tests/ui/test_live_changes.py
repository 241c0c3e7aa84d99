"""Colleagues' changes live: a save in another process shows in this one's worklist within a second, and an open
case window that a colleague changed says so. On PostgreSQL by LISTEN/NOTIFY, on a file by PRAGMA data_version."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import cases
from app.changes import Change, Feed, merged
from db.models import Case
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from tests.ui.helpers import save_form, settled
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNED = 11  # the worklist's column "Handläggare"
WITHIN_MS = 1000


class Colleague:
    """tests/ui/colleague.py in a process of its own."""

    def __init__(self, db_path):
        self.process = subprocess.Popen([sys.executable, "-m", "tests.ui.colleague", str(db_path)], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def save(self, line: str) -> float:
        """Returns when the save has committed (time.monotonic())."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "saved"
        return time.monotonic()

    def close(self) -> None:
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0


@pytest.fixture
def colleague(db_path, ctx):
    other = Colleague(db_path)
    yield other
    other.close()


@pytest.fixture
def main(qtbot, ctx, region):  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.listen_for_changes()
    window.runner.wait()
    qtbot.waitUntil(lambda: window.model.rowCount() == 7)
    yield window
    window.close()


def _row_of(window: MainWindow, name: str) -> int:
    return next(r for r in range(window.model.rowCount()) if window.model.row_data(r).patient_name == name)


def test_a_colleagues_save_shows_in_the_worklist_within_a_second(main, colleague, region, qtbot):  # noqa: F811
    row = _row_of(main, "Rita Risk")
    assert main.model.index(row, ASSIGNED).data() == "Anna Lots"
    main.table.selectRow(row)
    saved = colleague.save(f"assign {region['risk'].case_id}")
    qtbot.waitUntil(lambda: main.model.index(row, ASSIGNED).data() == "Bo Kollega", timeout=WITHIN_MS)
    assert time.monotonic() - saved < WITHIN_MS / 1000
    assert main.table.selectionModel().isRowSelected(row)  # the row stayed where it was, selected

    saved = colleague.save("open 321 Nils Ny")  # a new case: the list grows
    qtbot.waitUntil(lambda: main.model.rowCount() == 8, timeout=WITHIN_MS)
    assert "Nils Ny" in {main.model.row_data(r).patient_name for r in range(8)}


def test_an_open_case_window_warns_when_a_colleague_saved_it(main, colleague, region, qtbot):  # noqa: F811
    window = settled(main.open_case(region["ok"].case_id))
    other = settled(main.open_case(region["akut"].case_id))
    assert window.changed_elsewhere.isHidden()
    colleague.save(f"contact {region['ok'].step_id}")
    qtbot.waitUntil(lambda: not window.changed_elsewhere.isHidden(), timeout=WITHIN_MS)
    settled(other)
    assert other.changed_elsewhere.isHidden()  # another case: no warning
    assert "Någon annan har sparat" in window.changed_text.text()
    window.show_latest.click()  # reads the case as saved now
    settled(window)
    assert window.changed_elsewhere.isHidden()
    assert "kollegan ringde" in [e.details.get("outcome") for e in window.view.timeline]
    # the window's own save is no colleague's: no warning, when its notice comes too (tests/ui/test_own_changes)
    save_form({"text": "egen anteckning"})
    window.actions_by_key["note"].trigger()
    qtbot.wait(600)
    settled(window)
    assert window.changed_elsewhere.isHidden()
    assert "egen anteckning" in [e.details.get("text") for e in window.view.timeline]
    window.close()
    other.close()


def test_the_feed_survives_a_lost_connection(ctx, region, db_path, qtbot):  # noqa: F811
    """The listener's connection dropped (a server restart, the network): made again, and a change that may have
    been missed meanwhile is told as "not known which"."""
    feed = Feed(ctx.db.engine)
    try:
        assert feed.next(0.3) is None  # connected, nothing yet
        cases.assign(ctx, region["ok"].case_id, ctx.user_id)
        change = feed.next(2)
        assert change is not None and change.touches(region["ok"].case_id)
        if ctx.db.engine.dialect.name == "postgresql":
            assert change.case_ids == {region["ok"].case_id}
            with ctx.db.engine.connect() as other:  # the server ends the listener's session
                ended = other.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                           "WHERE query LIKE :listen AND pid <> pg_backend_pid()"),
                                      {"listen": "LISTEN%"}).scalars().all()
                assert ended == [True]
        else:
            feed._listener._driver = _Broken()  # the file's connection fails under it
        for _ in range(10):
            change = feed.next(0.5)
            if change is not None:
                break
        assert change == Change(None)  # back, and told that anything may have changed
        cases.add_note(ctx, region["ok"].case_id, "efter återanslutning")
        change = feed.next(2)
        assert change is not None and change.touches(region["ok"].case_id)
    finally:
        feed.close()


class _Broken:
    def cursor(self):
        raise OSError("connection lost")


def test_a_burst_of_notices_is_one_change():
    assert merged([]) is None
    assert merged(['{"cases": [1, 2], "kind": "update"}', '{"cases": [3], "kind": "insert"}']) == Change(
        frozenset({1, 2, 3}))
    assert merged(['{"cases": [1], "kind": "update"}', None]) == Change(None)
    assert merged(['{"cases": null, "kind": "insert"}']) == Change(None)


def test_every_save_of_a_case_notifies_in_its_transaction(ctx, region, db_path):  # noqa: F811
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's; a file is polled")
    feed = Feed(ctx.db.engine)
    try:
        feed.next(0.2)
        with pytest.raises(RuntimeError), ctx.db.transaction() as session:  # rolled back: no notice
            session.get(Case, region["ok"].case_id).waiting_unit = "Någon annanstans"
            session.flush()
            raise RuntimeError
        assert feed.next(0.5) is None
        with ctx.db.transaction() as session:  # an import's many cases at once: one short notice
            for case in session.scalars(select(Case)):
                case.medical_priority = "2"
        assert feed.next(2) == Change(frozenset(region[k].case_id for k in region))
    finally:
        feed.close()


def test_the_days_roll_over_runs_once_for_all_clients(ctx, second, region):  # noqa: F811
    """The first client of a new day brings the worklist's read model to it, under the write lock (an advisory
    lock on PostgreSQL); a colleague starting at the same moment waits for it and then finds nothing to do."""
    import threading

    from app import worklist
    from bench.bench_statements import counting

    tomorrow = ctx.today() + timedelta(days=1)
    for client in (ctx, second):
        client.today = lambda: tomorrow
    counts, errors = {}, []

    def start(client) -> None:
        try:
            counts[client.user_id] = worklist.count_by_state(client)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with counting(ctx.db.engine) as first, counting(second.db.engine) as other:
        clients = [threading.Thread(target=start, args=(c,)) for c in (ctx, second)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    assert not errors
    assert counts[ctx.user_id] == counts[second.user_id]
    rolled = [seen for seen in (first, other) if any(s.lstrip().startswith("UPDATE worklist_entry SET (severity")
                                                     for s in seen)]
    assert len(rolled) == 1  # one client did the day's work


def test_many_cases_at_once_are_one_short_notice(ctx, region):  # noqa: F811
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's; a file is polled")
    from db.changes import MANY

    feed = Feed(ctx.db.engine)
    try:
        feed.next(0.2)
        with ctx.db.transaction() as session:  # an import or the demo: more cases in one statement than MANY
            session.execute(text("INSERT INTO case_file (patient_id, specialty_code, opened_on, created_at, version) "
                                 "SELECT patient_id, specialty_code, opened_on, created_at, 1 FROM case_file, "
                                 f"generate_series(1, {MANY // len(region) + 1}) AS n"))
        first = feed.next(2)
        assert first == Change(None)  # told as "not known which": the worklist reads everything again
    finally:
        feed.close()


@pytest.mark.file_only("restoring a file backup")
def test_a_restore_from_the_app_stops_listening_first(qtbot, ctx, region, monkeypatch):  # noqa: F811
    """The listener's own connection to the file would keep it in use: it is stopped before the file is replaced,
    and the restore is in the access log of the restored file."""
    from PySide6.QtWidgets import QMessageBox

    from app import backup
    from app.database import open_database
    from db.models import AccessLog
    from ui.restore_dialog import RestoreDialog

    made = backup.backup_now(ctx.db, "manuell", ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.listen_for_changes()
    window.runner.wait()
    qtbot.waitUntil(lambda: window.listener.isRunning())
    monkeypatch.setattr(RestoreDialog, "exec", lambda dialog: dialog.restore())
    monkeypatch.setattr(QMessageBox, "information", lambda *_args: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: pytest.fail(text))
    assert window.restore_backup()
    assert window.listener is None
    db = open_database(ctx.db.path)
    try:
        with db.reading() as session:
            detail = session.scalar(select(AccessLog.detail).order_by(AccessLog.id.desc()).limit(1))
        assert detail.startswith(f"återställd från säkerhetskopian {made.path.name}")
    finally:
        db.close()
