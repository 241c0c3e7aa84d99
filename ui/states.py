"""How a clock state looks: always a word, with a colour beside it (never colour alone)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.guarantee import Flag, State

LABEL = {
    State.OVERDUE: "Överskriden",
    State.AKUT: "Akut",
    State.RISK: "Risk",
    State.OK: "I tid",
    State.PAUSED: "Pausad",
    State.PVV: "Patientvald väntan",
    State.CLOSED: "Avslutad",
}
FLAG_LABEL = {Flag.NO_NOTICE: "Besked saknas", Flag.NO_CONTACT: "Ingen kontakt"}

# Light backgrounds that keep black text readable (contrast > 7:1).
BACKGROUND = {
    State.OVERDUE: QColor("#f4c7c3"),
    State.AKUT: QColor("#fbd9b0"),
    State.RISK: QColor("#fcefb4"),
    State.OK: QColor("#d7ecd9"),
    State.PAUSED: QColor("#dde3ea"),
    State.PVV: QColor("#e6ddf0"),
    State.CLOSED: QColor("#eeeeee"),
}
