"""An offer that would mislead the patient is refused, or saved only after the case worker has confirmed it
knowing the consequence (DOMAIN.md §2.2: only an offer within the deadline can make a "no" patientvald väntan)."""

from __future__ import annotations

from datetime import date

from app.guarantee import InputError


class ConfirmationNeeded(InputError):
    """The offer can be saved, but only once the user has confirmed each of `reasons` (make_offer's `confirmed`)."""

    def __init__(self, reasons: list[str]):
        self.reasons = tuple(reasons)
        super().__init__("Erbjudande", " ".join(reasons))


def check_offer(on: date, appointment: date | None, reply_by: date | None, deadline: date, today: date, *,
                confirmed: bool) -> None:
    """Refuse what cannot be right; ask for confirmation of what is legitimate but has consequences."""
    if reply_by is not None and reply_by < on:
        raise InputError("Svara senast", "datumet ligger före dagen för erbjudandet.")
    if appointment is not None and reply_by is not None and reply_by >= appointment:
        raise InputError("Svara senast", f"svaret måste komma före den erbjudna tiden {appointment.isoformat()}; "
                                         "välj ett tidigare datum.")
    reasons = []
    if appointment is not None and appointment > deadline:
        reasons.append(f"Tiden {appointment.isoformat()} ligger efter vårdgarantins tidsgräns "
                       f"{deadline.isoformat()}. Om patienten tackar nej blir det inte patientvald väntan: "
                       "klockan går vidare och vårdgarantin gäller fortfarande.")
    if appointment is not None and appointment < today:
        reasons.append(f"Tiden {appointment.isoformat()} har redan varit. Erbjudandet sparas bara som en uppgift "
                       "i ärendet; inget erbjudandebrev skickas för det.")
    elif reply_by is not None and reply_by < today:
        reasons.append(f"Svarsdatumet {reply_by.isoformat()} har redan passerat. Ett erbjudandebrev får ett nytt "
                       "svarsdatum som patienten hinner med.")
    if reasons and not confirmed:
        raise ConfirmationNeeded(reasons)
