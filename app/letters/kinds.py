"""The letter types Lotsen writes (DOMAIN.md §4)."""

from __future__ import annotations

from enum import StrEnum


class LetterType(StrEnum):
    """The value is the command-line name and the template section; LABEL is what users read."""

    INFORMATION = "information"  # guarantee information (remissbekräftelse); counts as "informed" for PvV
    NOTICE = "besked"            # the 14-day notice: an appointment, or the guarantee cannot be met
    OFFER = "erbjudande"         # offer of care at another provider, from a recorded offer
    DECLINED = "avbojande"       # confirmation of a declined offer, with the three PvV conditions
    RESTART = "omstart"          # confirmation that the waiting time starts again


LABEL = {
    LetterType.INFORMATION: "Information om vårdgarantin",
    LetterType.NOTICE: "Besked inom 14 dagar",
    LetterType.OFFER: "Erbjudande om vård hos annan vårdgivare",
    LetterType.DECLINED: "Bekräftelse på avböjt erbjudande",
    LetterType.RESTART: "Bekräftelse på ny väntetid",
}
