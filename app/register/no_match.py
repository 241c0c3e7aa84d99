"""Why a search for care elsewhere found no unit that can take the patient in time, and what to do about it
(DOMAIN.md §3), in the case worker's words: an empty register, only stale capacity, contracts expired or not open
to the patient's region, a deadline already passed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app import reference
from app.register.candidates import Block, Fit, Search
from app.register.services import region_name

PHONE_AND_ADD = ("Ring vårdgivare du känner till. Registrera samtalet under ”Inte i registret”; den som får "
                 "ändra registret kan lägga till vårdgivaren där på en gång.")


@dataclass(frozen=True)
class Hint:
    why: str
    what_to_do: str


def explain(search: Search) -> list[Hint]:
    """Nothing when some unit fits in time; else the reasons, most important first."""
    need, found = search.need, search.candidates
    hints: list[Hint] = []
    if need.remaining < 0:
        hints.append(Hint(
            f"Tidsgränsen passerade {need.deadline.isoformat()}: vårdgarantin är redan bruten.",
            "Erbjud första möjliga tid, också efter tidsgränsen. Säg till patienten att ett nej till en sådan tid "
            "inte blir patientvald väntan."))
    if any(c.eligible and c.fit == Fit.FITS for c in found):
        return hints
    what = _what(search)
    if not found:
        hints.append(Hint(f"Registret har ingen enhet med {what}.", PHONE_AND_ADD))
        return hints
    eligible = [c for c in found if c.eligible]
    unknown = [c for c in eligible if c.fit == Fit.UNKNOWN]
    stale = [c for c in unknown if c.capacity_as_of is not None]
    if unknown:
        weeks = search.stale_days // 7
        known = f"är äldre än {weeks} veckor" if len(stale) == len(unknown) else (
            "saknas" if not stale else f"saknas eller är äldre än {weeks} veckor")
        hints.append(Hint(
            f"{_units(len(unknown))} kan ta emot patienten, men väntetiden {known}.",
            "Ring enheterna och fråga om en tid. Registrera svaret som kontakt, och uppdatera kapaciteten i "
            "registret så att kollegorna ser den."))
    late = [c for c in eligible if c.fit == Fit.TOO_LATE]
    if late:
        hints.append(Hint(
            f"{_units(len(late))} kan ta emot patienten, men har längre väntetid än de {max(need.remaining, 0)} "
            "dagar som är kvar.",
            "Fråga ändå: väntetider ändras, och en enhet kan ha en återbudstid."))
    blocked = Counter(block for c in found if not c.eligible for block in c.blocks)
    home = region_name(need.home_region)
    if blocked[Block.SERVICE]:
        hints.append(Hint(
            f"{_units(blocked[Block.SERVICE])} har verksamhetsområdet men inte {what}.",
            "Fråga enheten om den utför åtgärden; gör den det, lägg till åtgärden på enheten i registret."))
    if blocked[Block.EXPIRED] or blocked[Block.NOT_STARTED] or blocked[Block.CEILING]:
        count = blocked[Block.EXPIRED] + blocked[Block.NOT_STARTED] + blocked[Block.CEILING]
        hints.append(Hint(
            f"{_units(count)} saknar ett avtal som gäller i dag (avtalet har gått ut, har inte börjat gälla "
            "eller har nått sitt volymtak).",
            "Kontrollera avtalen i registret (Verktyg → Vårdgivare, enheter och avtal); har ett avtal förlängts, "
            "ändra datumen där."))
    if blocked[Block.REGION]:
        hints.append(Hint(
            f"{_units(blocked[Block.REGION])} tar inte emot patienter från {home}.",
            "Fråga enheten om den kan göra ett undantag, eller sök hos andra regioner och privata vårdgivare."))
    if blocked[Block.NO_CONTRACT] or blocked[Block.NOT_COVERED]:
        count = blocked[Block.NO_CONTRACT] + blocked[Block.NOT_COVERED]
        hints.append(Hint(
            f"{_units(count)} har {what}, men inget avtal som omfattar det för patienten.",
            "Hör med den som ansvarar för avtalen om en enstaka beställning är möjlig."))
    if not eligible:
        hints.append(Hint("Ingen enhet i registret kan ta emot patienten i dag.", PHONE_AND_ADD))
    return hints


def _what(search: Search) -> str:
    need = search.need
    names = {s.code: s.name for s in reference.specialties()}
    text = f"verksamhetsområdet {names.get(need.specialty, need.specialty)}"
    if need.activity:
        activity = next((a.name for a in reference.activities() if a.code == need.activity), need.activity)
        text = f"åtgärden {activity}"
    return text


def _units(n: int) -> str:
    return "En enhet" if n == 1 else f"{n} enheter"
