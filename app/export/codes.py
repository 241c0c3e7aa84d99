"""SKR's code lists for Väntetidsdatabasen (spec/skr: the XSDs and the information model), as data.

Lotsen stores SCB's länskod for regions; SKR's Regionkod is another code (10 Stockholm ... 65 Norrbotten), so
the two are mapped here. A test checks the names against the XSD's own documentation of Regionkod.
"""

from __future__ import annotations

from app.reports.source import Deviation

# SCB länskod (resources/reference/regions.toml) -> SKR Regionkod (XSD type Regionkod).
SKR_REGION = {
    "01": "10", "03": "12", "04": "13", "05": "21", "06": "22", "07": "23", "08": "24", "09": "26", "10": "27",
    "12": "41", "13": "42", "14": "51", "17": "54", "18": "55", "19": "56", "20": "57", "21": "61", "22": "62",
    "23": "63", "24": "64", "25": "65",
}

KON = {"M": "1", "K": "2", None: "3"}                                    # kodKÖN: 1 man, 2 kvinna, 3 okänt
AVVIKELSE = {Deviation.PVV: "1", Deviation.MOV: "2", Deviation.SOV: "3"}  # kodAVVIKELSE
VARDGARANTI_JA, VARDGARANTI_NEJ = "1", "2"                               # kodVÅRDGARANTI
FAS = {1: "Första kontakt", 2: "Operation/åtgärd", 3: "Undersökning", 4: "Återbesök", 5: "Akut kontakt"}
FAS_NEEDS_ACTIVITY = frozenset({2, 3})  # Aktivitet is mandatory for operation/åtgärd and undersökning
BOKNINGSSATT = {1: "Bokat själv", 2: "Bokad/överenskommen tid", 3: "Bokad/erbjuden tid", 4: "Bokad",
                5: "Obokad"}
VARDKONTAKT = {0, 1, 2, 3, 4, 5, 6, 7, 8, 81, 82, 83, 91}
YRKESKATEGORI = {f"XS{n}" for n in range(910, 927)}
TYP_AKUTVERKSAMHET_EJ_AKUT = "0"
LKF_UNKNOWN = "0000"
SJUKHUS_SAKNAS = ("00000", "Sjukhus saknas")  # units not tied to a hospital (information model, table 10)
FIRST_TIMESTAMP_YEAR = 2010  # GiltigtTimeStamp: from 2010-01-01
FIRST_BIRTH_YEAR = 1901      # GiltigaAr
