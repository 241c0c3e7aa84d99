"""The forecast window on a demo region: it loads off the UI thread, shows a unit's chart and patients, and
opens the worklist filtered to the unit and step kind."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import demo
from tests.conftest import TODAY
from ui.forecast_window import ForecastWindow
from ui.main_window import MainWindow


def test_forecast_window_opens_the_filtered_worklist(qtbot, ctx):
    demo.generate(ctx.db, 120, 400, today=TODAY, workers=1)
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.menu_actions["forecast"].trigger()
    window: ForecastWindow = main._forecast_window
    qtbot.waitUntil(lambda: window.table.rowCount() > 0, timeout=20_000)
    assert window.summary.text().startswith("Hela regionen: ")
    assert window.chart.accessibleDescription().startswith(window.groups[0].unit)
    assert window.breaches.rowCount() == len(window.groups[0].breaches)
    window.table.setCurrentCell(1, 0)
    group = window.groups[1]
    assert window.chart.title == f"{group.unit} – {group.step_name}"
    qtbot.waitUntil(lambda: main.filters.unit.findData(group.unit) >= 0, timeout=10_000)  # choices loaded
    qtbot.mouseClick(window.worklist_button, Qt.MouseButton.LeftButton)
    current = main.filters.current()
    assert current.units == {group.unit} and current.steps == {group.step_code}
    window.close()
