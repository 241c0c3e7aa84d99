"""The first main window on a real database: the worklist shows open steps, most urgent first."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from app import cases
from app.guarantee import PauseKind
from app.identity import make_personnummer
from tests.conftest import TODAY
from ui.main_window import MainWindow


def open_step(ctx, serial: int, name: str, days_ago: int, step: str = "SV_FORSTA_BESOK") -> cases.Opened:
    return cases.open_case(
        ctx,
        cases.NewPatient(make_personnummer(date(1970, 1, 1) + timedelta(days=serial), serial), name, "12"),
        cases.NewCase(step, TODAY - timedelta(days=days_ago), "311", medical_priority="2"),
    )


def test_worklist_orders_by_state_then_deadline(qtbot, qtmodeltester, ctx):
    open_step(ctx, 1, "Ok Olsson", 10)
    open_step(ctx, 2, "Sen Svensson", 120)        # overdue
    open_step(ctx, 3, "Akut Andersson", 80)       # 10 days left
    paused = open_step(ctx, 4, "Paus Persson", 30)
    cases.start_pause(ctx, paused.step_id, TODAY - timedelta(days=5), PauseKind.MOV)
    done = open_step(ctx, 5, "Klar Karlsson", 20)
    cases.complete_step(ctx, done.step_id, TODAY)

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    model = window.model
    qtmodeltester.check(model)
    names = [model.index(r, 1).data() for r in range(model.rowCount())]
    states = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == ["Sen Svensson", "Akut Andersson", "Ok Olsson", "Paus Persson"]
    assert states == ["Överskriden", "Akut", "I tid", "Pausad"]
    assert model.index(0, 7).data() == "-30"  # 120 days waited, 30 past the deadline
    assert model.index(1, 6).data() == (TODAY + timedelta(days=10)).isoformat()
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Överskriden: 1" in window.summary.text() and "4 öppna steg" in window.summary.text()


def test_window_renders(qtbot, ctx, tmp_path):
    open_step(ctx, 1, "Ok Olsson", 10)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    image = window.grab()
    assert image.width() == 1366 and not image.isNull()
    assert image.save(str(tmp_path / "main.png"))
