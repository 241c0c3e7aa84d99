"""The region's settings as the settings window shows them: the letters' sender, the national export's codes,
the units' HSA-ids, the SKR activity mapping, thresholds and time windows. Read in one place, validated field by
field with a Swedish message naming the field, saved in one transaction by an administratör only. `missing()`
says what the export and the letters still need, in words and with the tab where it is set."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from sqlalchemy import select

from app.context import AppContext
from app.errors import InputError
from app.export import codes
from app.letters.sender import KEY as SENDER_KEY
from app.letters.sender import Sender, get_sender, sender_problem, validate_sender
from app.reports.figures import ReportSettings
from app.roles import WHO_MAY, Permission, may, require
from app.settings import (
    TAB_ACTIVITIES,
    TAB_EXPORT,
    TAB_INBOXES,
    TAB_LIMITS,
    TAB_RULES,
    TAB_SENDER,
    TAB_UNITS,
    UNDO_MINUTES,
    get_setting,
    store_setting,
)
from app.text_input import check_text
from db.models import Case, Setting

TABS = (TAB_SENDER, TAB_EXPORT, TAB_UNITS, TAB_ACTIVITIES, TAB_LIMITS, TAB_RULES, TAB_INBOXES)
MIN_COUNT = ("reports.min_count", ReportSettings().min_count, 1, 100)
UNDO_RANGE = (0, 240)
_HSA = re.compile(r"SE[0-9]{10,12}-[0-9A-Za-z]{1,30}")


@dataclass(frozen=True)
class RegionSettings:
    sender: Sender
    region: str = ""                  # SCB länskod of the reporting region ("12")
    hsa_region: str = ""
    hsa_vardgivare: str = ""          # empty: the region's HSA-id
    units: dict[str, str] = field(default_factory=dict)           # waiting unit -> its HSA-id
    activity_codes: dict[str, str] = field(default_factory=dict)  # Lotsen's activity code -> SKR's
    min_count: int = MIN_COUNT[1]
    undo_minutes: int = UNDO_MINUTES[1]


@dataclass(frozen=True)
class Missing:
    tab: str
    text: str  # plain Swedish, no setting key


def read_only_reason(ctx: AppContext) -> str | None:
    """Why this user only sees the settings, or None when they may change them."""
    if may(ctx.role, Permission.CHANGE_SETTINGS):
        return None
    return f"Du kan se inställningarna men inte ändra dem. Det får bara {WHO_MAY[Permission.CHANGE_SETTINGS]} göra."


def load(ctx: AppContext) -> RegionSettings:
    db = ctx.db
    raw_units = get_setting(db, "skr.units", {}) or {}
    units = {name: str(raw["hsa"] if isinstance(raw, dict) else raw) for name, raw in raw_units.items()}
    for name in known_units(ctx):
        units.setdefault(name, "")
    return RegionSettings(
        sender=get_sender(db),
        region=str(get_setting(db, "skr.region") or ""),
        hsa_region=str(get_setting(db, "skr.hsa_region") or ""),
        hsa_vardgivare=str(get_setting(db, "skr.hsa_vardgivare") or ""),
        units=dict(sorted(units.items())),
        activity_codes=dict(get_setting(db, "skr.activity_codes", {}) or {}),
        min_count=int(get_setting(db, MIN_COUNT[0], MIN_COUNT[1])),
        undo_minutes=int(get_setting(db, *UNDO_MINUTES)),
    )


def known_units(ctx: AppContext) -> list[str]:
    """The units patients wait at in open cases: each needs an HSA-id for the export."""
    with ctx.db.reading() as session:
        return sorted(session.scalars(select(Case.waiting_unit).distinct()
                                      .where(Case.waiting_unit.is_not(None), Case.closed_on.is_(None))))


def validate(settings: RegionSettings) -> None:
    validate_sender(settings.sender)
    logo = settings.sender.logo
    if logo and (Path(logo).suffix.lower() not in {".png", ".jpg", ".jpeg"} or not Path(logo).is_file()):
        raise InputError("Logotyp", f"hittar ingen PNG- eller JPEG-bild i {logo}. Välj en bildfil eller lämna "
                                    "fältet tomt.")
    if settings.region and settings.region not in codes.SKR_REGION:
        raise InputError("Länskod", "ange regionens länskod med två siffror, till exempel 12 för Region Skåne.")
    for label, value in (("Regionens HSA-id", settings.hsa_region),
                         ("Vårdgivarens HSA-id", settings.hsa_vardgivare)):
        _check_hsa(label, value)
    for unit, hsa in settings.units.items():
        _check_hsa(f"HSA-id för {unit}", hsa)
    for lotsen, skr in settings.activity_codes.items():
        check_text(skr, f"SKR-kod för {lotsen}")
        if skr and not re.fullmatch(r"[A-Z0-9]{5}", skr):
            raise InputError(f"SKR-kod för {lotsen}", "ange SKR:s aktivitetskod med fem tecken (A–Z, 0–9), "
                                                    "till exempel HO100, eller lämna fältet tomt.")
    _, _, low, high = MIN_COUNT
    if not low <= settings.min_count <= high:
        raise InputError("Minsta antal som visas", f"ange ett heltal mellan {low} och {high}.")
    low, high = UNDO_RANGE
    if not low <= settings.undo_minutes <= high:
        raise InputError("Ångra inom (minuter)", f"ange ett heltal mellan {low} och {high}.")


def _check_hsa(label: str, value: str) -> None:
    check_text(value, label)
    if value and not _HSA.fullmatch(value):
        raise InputError(label, "ett HSA-id ser ut som SE2321000255-E001: SE, tio till tolv siffror, "
                                "bindestreck och enhetens del. Lämna fältet tomt om det inte är känt.")


def save(ctx: AppContext, settings: RegionSettings) -> None:
    """Store every setting that changed, each with its history row, in one transaction."""
    require(ctx.role, Permission.CHANGE_SETTINGS)
    settings = replace(settings, sender=replace(settings.sender, **{
        f: getattr(settings.sender, f).strip() for f, v in asdict(settings.sender).items() if isinstance(v, str)}))
    validate(settings)
    with ctx.db.transaction() as session:
        stored_units = _stored(session, "skr.units") or {}
        units = {}
        for name, hsa in settings.units.items():
            if not hsa:
                continue
            old = stored_units.get(name)  # keep a unit's sjukhus codes set elsewhere
            units[name] = {**old, "hsa": hsa} if isinstance(old, dict) else {"hsa": hsa}
        values = {
            SENDER_KEY: asdict(settings.sender),
            "skr.region": settings.region or None,
            "skr.hsa_region": settings.hsa_region or None,
            "skr.hsa_vardgivare": settings.hsa_vardgivare or None,
            "skr.units": units,
            "skr.activity_codes": {k: v for k, v in settings.activity_codes.items() if v},
            MIN_COUNT[0]: settings.min_count,
            UNDO_MINUTES[0]: settings.undo_minutes,
        }
        for key, value in values.items():
            if _stored(session, key) != value:
                store_setting(session, key, value, ctx.user_id)


def _stored(session, key: str):
    return session.scalar(select(Setting.value).where(Setting.key == key))


def missing(ctx: AppContext) -> list[Missing]:
    """What the national export or the letters still need, in the order of the window's tabs."""
    out = []
    if (problem := sender_problem(ctx.db)) is not None:
        out.append(Missing(TAB_SENDER, problem))
    current = load(ctx)  # the export's own problems() would first make its secret key: a write
    if current.region not in codes.SKR_REGION:
        out.append(Missing(TAB_EXPORT, "Regionens länskod för den nationella exporten saknas."))
    if not current.hsa_region:
        out.append(Missing(TAB_EXPORT, "Regionens HSA-id för den nationella exporten saknas."))
    if not get_setting(ctx.db, "skr.default_unit"):
        lacking = [u for u, hsa in current.units.items() if not hsa]
        if lacking:
            out.append(Missing(TAB_UNITS, f"{len(lacking)} enheter med väntande patienter saknar HSA-id, till "
                                          f"exempel {lacking[0]}."))
    return out
