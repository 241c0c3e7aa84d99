"""Where an offered care takes place (DOMAIN §3), copied from the register when the offer is made. An appointment
at the unit where the patient already waits is not care elsewhere."""

from __future__ import annotations

from enum import StrEnum


class CareKind(StrEnum):
    HOME_UNIT = "hemenhet"                       # the unit where the patient waits
    OWN_REGION_UNIT = "egen_region"              # another unit of the own region
    OWN_CONTRACTOR = "egen_avtal"                # a private provider under the own region's contract
    OTHER_REGION_PUBLIC = "annan_region_offentlig"
    OTHER_REGION_PRIVATE = "annan_region_privat"


CARE_KIND_LABEL = {
    CareKind.HOME_UNIT: "Mottagningen där patienten väntar",
    CareKind.OWN_REGION_UNIT: "Annan enhet i den egna regionen",
    CareKind.OWN_CONTRACTOR: "Den egna regionens avtalsvårdgivare",
    CareKind.OTHER_REGION_PUBLIC: "Annan regions offentliga vård",
    CareKind.OTHER_REGION_PRIVATE: "Privat vårdgivare i annan region",
    None: "Okänt (erbjudet utan registret)",
}
ELSEWHERE = frozenset(CareKind) - {CareKind.HOME_UNIT}


def care_kind(unit_name: str, unit_region: str, provider_public: bool, waiting_unit: str | None,
              own_region: str) -> CareKind:
    """The kind of a register unit for a patient waiting at `waiting_unit` in `own_region`'s care."""
    if unit_region == own_region:
        if waiting_unit is not None and unit_name.strip().casefold() == waiting_unit.strip().casefold():
            return CareKind.HOME_UNIT
        return CareKind.OWN_REGION_UNIT if provider_public else CareKind.OWN_CONTRACTOR
    return CareKind.OTHER_REGION_PUBLIC if provider_public else CareKind.OTHER_REGION_PRIVATE
