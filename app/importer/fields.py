"""What each kind of list can hold, and a first guess at which file column is which."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # Swedish, as the wizard and error reports show it
    required: bool = False
    aliases: tuple[str, ...] = ()  # headings clinics commonly use, case-folded


WAITING_LIST = "waiting-list"
CAPACITY = "capacity"
CONTRACTS = "contracts"
KIND_LABELS = {WAITING_LIST: "Väntelista", CAPACITY: "Kapacitet", CONTRACTS: "Avtal"}

FIELDS: dict[str, list[Field]] = {
    WAITING_LIST: [
        Field("id_number", "Personnummer", True, ("personnummer", "pnr", "personnr", "person-nr", "patient-id")),
        Field("name", "Namn", True, ("namn", "patientnamn", "patient", "fullständigt namn")),
        Field("step", "Steg", True, ("steg", "väntar på", "typ", "vårdgarantisteg")),
        # Each step starts on its own legal date (app.importer.start_dates); a list carries them side by side.
        Field("referral_on", "Remissdatum", False, ("remissdatum", "remiss utfärdad", "remiss datum",
                                                    "remissens datum", "utfärdad")),
        Field("request_on", "Vårdbegäran mottagen", False, ("vårdbegäran", "vårdbegäran mottagen",
                                                            "vårdbegäran datum", "egen vårdbegäran")),
        Field("decision_on", "Beslutsdatum", False, ("beslutsdatum", "beslut om behandling", "behandlingsbeslut",
                                                     "beslut", "beslutad", "beslutat datum")),
        Field("contact_on", "Kontaktdatum", False, ("kontaktdatum", "sökte kontakt", "kontakt sökt")),
        Field("started_on", "Startdatum (alla steg)", False, ("startdatum", "väntar sedan", "start")),
        Field("specialty", "Verksamhetsområde (MVO)", True, ("mvo", "verksamhetsområde", "verksamhet")),
        Field("activity", "Åtgärd", False, ("åtgärd", "åtgärdskod", "aktivitet", "kodaktivitet")),
        Field("home_region", "Hemregion", False, ("hemregion", "region", "länskod")),
        Field("municipality", "Kommun", False, ("kommun", "kommunkod", "lkf")),
        Field("waiting_unit", "Väntar hos", False, ("väntar hos", "enhet", "mottagning", "klinik")),
        Field("medical_priority", "Medicinsk prioritet", False, ("medicinsk prioritet", "prioritet", "prio")),
        Field("target_date", "Medicinskt måldatum", False, ("måldatum", "medicinskt måldatum")),
        # The clinic's own record (DOMAIN.md §8): its booked date and its SKR Avvikelse code with dates.
        Field("planned_on", "Planerat datum", False, ("planerat datum", "planerad", "bokat datum", "bokad tid",
                                                      "planerad tid")),
        Field("deviation", "Avvikelse", False, ("avvikelse", "avvikelsekod", "kod avvikelse")),
        Field("deviation_from", "Avvikelse från", False, ("avvikelse från", "avvikelse fr.o.m.", "avvikelse from")),
        Field("deviation_to", "Avvikelse till", False, ("avvikelse till", "avvikelse t.o.m.", "avvikelse tom")),
        Field("external_id", "Remiss-id", False, ("remiss-id", "remissid", "remissnummer", "id", "vårdkontakt-id")),
        Field("phone", "Telefon", False, ("telefon", "telefonnummer", "mobil")),
        Field("street", "Gatuadress", False, ("gatuadress", "adress")),
        Field("postal_code", "Postnummer", False, ("postnummer", "postnr")),
        Field("city", "Ort", False, ("ort", "postort")),
    ],
    CAPACITY: [
        Field("hsa_id", "Enhetens HSA-id", True, ("hsa-id", "hsaid", "hsa", "enhetens hsa-id")),
        Field("service", "Tjänst", True, ("tjänst", "mvo", "åtgärd", "kod", "kva")),
        Field("as_of", "Uppgift per", True, ("uppgift per", "datum", "per datum", "rapportdatum")),
        Field("wait_days", "Väntetid (dagar)", False, ("väntetid", "väntetid (dagar)", "väntetid dagar")),
        Field("free_slots", "Lediga tider", False, ("lediga tider", "lediga", "antal lediga")),
        Field("period_from", "Period från", False, ("period från", "från")),
        Field("period_to", "Period till", False, ("period till", "till")),
        Field("source", "Källa", False, ("källa",)),
    ],
    CONTRACTS: [
        Field("title", "Benämning", True, ("benämning", "avtal", "avtalsnamn")),
        Field("org_number", "Organisationsnummer", True, ("organisationsnummer", "orgnr", "org.nr")),
        Field("provider_name", "Vårdgivare", True, ("vårdgivare", "leverantör", "företag")),
        Field("region", "Avtalsregion", True, ("avtalsregion", "region", "beställare")),
        Field("form", "Avtalsform", True, ("avtalsform", "form")),
        Field("services", "Tjänster", True, ("tjänster", "omfattar", "koder")),
        Field("valid_from", "Gäller från", True, ("gäller från", "från", "startdatum")),
        Field("valid_to", "Gäller till", False, ("gäller till", "till", "slutdatum")),
        Field("hsa_id", "Enhetens HSA-id", False, ("hsa-id", "hsaid", "enhet")),
        Field("renewal_on", "Förnyelsedatum", False, ("förnyelsedatum", "förlängning")),
        Field("volume_ceiling", "Volymtak", False, ("volymtak", "tak")),
        Field("volume_used", "Utnyttjad volym", False, ("utnyttjad volym", "utnyttjat")),
        Field("open_regions", "Öppet för regioner", False, ("öppet för regioner", "andra regioner")),
        Field("other_region_terms", "Villkor för andra regioner", False, ("villkor",)),
        Field("excluded_groups", "Undantagna patientgrupper", False, ("undantag", "undantagna patientgrupper")),
        Field("document_ref", "Dokument", False, ("dokument", "diarienummer")),
    ],
}


def guess_columns(kind: str, headings: list[str]) -> dict[str, str]:
    """field key -> heading, for the fields whose label or a usual alias matches a heading."""
    by_folded = {h.casefold().strip(): h for h in headings}
    guessed: dict[str, str] = {}
    taken: set[str] = set()
    for spec in FIELDS[kind]:
        for name in (spec.label.casefold(), *spec.aliases):
            heading = by_folded.get(name)
            if heading is not None and heading not in taken:
                guessed[spec.key] = heading
                taken.add(heading)
                break
    return guessed
