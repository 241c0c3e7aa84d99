"""What the national export needs beyond the case data, from the settings (app.settings): the reporting region,
HSA-ids, SKR activity codes for Lotsen's own activity codes, defaults for facts Lotsen does not record, the due
day and the secret key that pseudonymises VardkontaktId."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from app.database import Database
from app.export import codes
from app.settings import TAB_EXPORT, get_setting, update_setting, where

SECRET_KEY = "export.secret"


@dataclass(frozen=True)
class UnitCodes:
    hsa: str
    sjukhus: str = codes.SJUKHUS_SAKNAS[0]
    sjukhus_namn: str = codes.SJUKHUS_SAKNAS[1]


@dataclass(frozen=True)
class ExportConfig:
    region: str | None                       # SCB länskod of the reporting region, e.g. "12"
    hsa_region: str | None                   # HSA-id of the region (HSAIdRegion)
    hsa_vardgivare: str | None               # HSA-id of the vårdgivare (HSAIdVardgivare); default: the region's
    secret: bytes
    units: dict[str, UnitCodes] = field(default_factory=dict)  # the case's waiting unit -> its codes
    default_unit: UnitCodes | None = None
    activity_codes: dict[str, str] = field(default_factory=dict)  # Lotsen's activity code -> SKR's (5 chars)
    bokningssatt: int = 4                    # "Bokad": used when 2 or 3 cannot be told apart
    vardkontakt: int = 0                     # a visit at a clinic
    yrkeskategori: str = "XS915"             # läkare
    due_day: int = 20                        # due by this day of the following month

    @property
    def regionkod(self) -> str | None:
        return codes.SKR_REGION.get(self.region or "")

    def problems(self) -> list[tuple[str, str]]:
        """(Swedish field name, message) for each setting that stops every export; the message says where the
        setting is made, never its key."""
        out = []
        there = f"En administratör fyller i det under {where(TAB_EXPORT)}."
        if self.regionkod is None:
            out.append(("Länskod", f"regionens länskod saknas (till exempel 12 för Region Skåne). {there}"))
        if not self.hsa_region or len(self.hsa_region) < 2:
            out.append(("Regionens HSA-id", f"regionens HSA-id saknas. {there}"))
        if self.bokningssatt not in codes.BOKNINGSSATT:
            out.append(("Bokningssätt", "bokningssätt ska vara 1–5."))
        if self.vardkontakt not in codes.VARDKONTAKT:
            out.append(("Vårdkontakt", "vårdkontakt ska vara en kod ur SKR:s lista (0–8, 81–83, 91)."))
        if self.yrkeskategori not in codes.YRKESKATEGORI:
            out.append(("Yrkeskategori", "yrkeskategori ska vara XS910–XS926."))
        return out

    def unit(self, name: str | None) -> UnitCodes | None:
        return self.units.get(name or "", self.default_unit)


def _unit(raw: object) -> UnitCodes | None:
    if isinstance(raw, str):
        return UnitCodes(raw)
    if isinstance(raw, dict) and raw.get("hsa"):
        return UnitCodes(str(raw["hsa"]), str(raw.get("sjukhus") or codes.SJUKHUS_SAKNAS[0]),
                         str(raw.get("sjukhus_namn") or codes.SJUKHUS_SAKNAS[1]))
    return None


def export_secret(db: Database) -> bytes:
    """The per-database key for VardkontaktId, made on first use. It never leaves the database."""
    value = get_setting(db, SECRET_KEY)
    if not value:  # made in one transaction: two instances' first exports then use the same key
        value = update_setting(db, SECRET_KEY, lambda stored: stored or secrets.token_hex(32))
    return bytes.fromhex(value)


def load_config(db: Database) -> ExportConfig:
    hsa_region = get_setting(db, "skr.hsa_region")
    units = {name: u for name, raw in (get_setting(db, "skr.units", {}) or {}).items() if (u := _unit(raw))}
    return ExportConfig(
        region=get_setting(db, "skr.region"),
        hsa_region=hsa_region,
        hsa_vardgivare=get_setting(db, "skr.hsa_vardgivare") or hsa_region,
        secret=export_secret(db),
        units=units,
        default_unit=_unit(get_setting(db, "skr.default_unit")),
        activity_codes=dict(get_setting(db, "skr.activity_codes", {}) or {}),
        bokningssatt=int(get_setting(db, "skr.bokningssatt", 4)),
        vardkontakt=int(get_setting(db, "skr.vardkontakt", 0)),
        yrkeskategori=str(get_setting(db, "skr.yrkeskategori", "XS915")),
        due_day=int(get_setting(db, "export.due_day", 20)),
    )
