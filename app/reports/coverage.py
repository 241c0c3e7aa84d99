"""The scope line every report and export carries (DOMAIN §5): Lotsen's figures cover the cases held in Lotsen,
not the region's whole delivery, unless the settings say Lotsen holds the region's whole lists."""

from __future__ import annotations

from app.database import Database
from app.settings import get_setting

WHOLE_LISTS = "reports.whole_lists"  # True: Lotsen holds every unit's whole waiting list (imported)

PART = ("Omfattning: ärendena i Lotsen, inte hela regionens vårdutbud. Siffrorna kan skilja sig från "
        "regionens egna uppgifter i Väntetidsdatabasen.")
WHOLE = "Omfattning: regionens hela väntelistor, som de finns i Lotsen."


def coverage_line(db: Database) -> str:
    return WHOLE if get_setting(db, WHOLE_LISTS, False) else PART
