"""How a clock state looks: always a word, with a colour beside it (never colour alone)."""

from __future__ import annotations

from datetime import date

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

# What each state and flag means, in the case worker's words: the worklist's tooltips and the user guide's
# table (ui/help.py fills it in) both read these, so that they never say different things.
EXPLAIN = {
    State.OVERDUE: "Tidsgränsen har passerat utan att patienten fått vård. Vårdgarantin är bruten: "
                   "ordna vård så snart som möjligt, vid behov hos en annan vårdgivare.",
    State.AKUT: "Tidsgränsen är nära (normalt högst 14 dagar kvar, 7 för steg med 30 dagars gräns). "
                "Ordna en tid nu, hos den egna enheten eller hos någon annan.",
    State.RISK: "Patienten har väntat länge (normalt 60 dagar av 90, 20 av 30). Det finns tid kvar, "
                "men det är nu man bör agera för att hinna i tid.",
    State.OK: "Tidsgränsen nås med god marginal. Inget behöver göras just nu.",
    State.PAUSED: "Medicinskt orsakad väntan (MoV) eller särskilt orsakad väntan (SoV) pågår: dagarna räknas "
                  "inte och tidsgränsen flyttas fram lika många dagar.",
    State.PVV: "Patientvald väntan (PvV): patienten har själv tackat nej till en tid inom garantin. "
               "Vårdgarantin gäller inte förrän patienten hör av sig igen; då börjar en ny väntetid.",
    State.CLOSED: "Steget är avslutat: vården är given eller steget stängt med en orsak.",
}
FLAG_EXPLAIN = {
    Flag.NO_NOTICE: "Patienten har inte fått någon tid eller något besked inom 14 dagar från att väntan började. "
                    "Skicka en tid eller ett 14-dagarsbesked.",
    Flag.NO_CONTACT: "Ingen kontakt med patienten på länge (normalt 60 dagar). Hör efter hur patienten mår och "
                     "om behovet finns kvar.",
}
# The clinic's list books the step after its deadline (app.worklist.WorklistRow.booked_late): a signal beside
# the clock's flags, from the clinic's own record rather than from the clock.
BOOKED_LATE = "Bokad efter tidsgränsen"
BOOKED_LATE_EXPLAIN = ("Klinikens senaste lista har en bokad tid efter tidsgränsen. Be kliniken om en tidigare "
                       "tid eller erbjud vård hos en annan vårdgivare.")


def booking(booked_on: date | None, late: bool, deadline: date) -> str | None:
    """The clinic's booked date in words: "Bokad 2026-12-14, i tid." or after the deadline."""
    if booked_on is None:
        return None
    if late:
        return f"Bokad {booked_on.isoformat()}, efter tidsgränsen {deadline.isoformat()}."
    return f"Bokad {booked_on.isoformat()}, i tid."

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
