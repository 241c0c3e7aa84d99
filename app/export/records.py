"""One Besok record per step, pseudonymised, with the data-quality checks that decide whether it can be sent.

No personnummer, no name: birth year, sex and municipality only. VardkontaktId is an HMAC-SHA256 of the step's
id under a per-database secret key: stable from month to month (the waiting record and the completed record of
a step share it) and not traceable to the patient without the key, which never leaves the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.export import codes
from app.export.config import ExportConfig
from app.guarantee import RuleBook, StepRule
from app.reports.months import Month
from app.reports.source import StepAt


class Kind(StrEnum):
    WAITING = "vantande"
    COMPLETED = "genomforda"


ROOT = {Kind.WAITING: "TillgangligVardSpeciVantande", Kind.COMPLETED: "TillgangligVardSpeciGenomforda"}
NAMESPACE = {k: f"urn:riv:skl:tillgangligVardSpeci:{root}Responder:1" for k, root in ROOT.items()}
KIND_LABEL = {Kind.WAITING: "väntande vid månadens slut", Kind.COMPLETED: "genomförda under månaden"}
_MVO = re.compile(r"\d{3}")
_LKF = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Issue:
    """A data-quality problem on a case. `blocking`: the record is left out of the file until it is fixed."""

    case_id: int
    step_id: int
    field: str
    message: str
    blocking: bool


def _keyed(base: hmac.HMAC, step_id: int) -> str:
    mac = base.copy()  # the key's inner and outer states are computed once per export, not once per record
    mac.update(f"lotsen-step:{step_id}".encode())
    return mac.hexdigest()[:32]


def replacement_id(config: ExportConfig, kind: Kind, month: Month) -> str:
    """The same for every export of one period and kind, so that SKR replaces the earlier delivery."""
    return f"LOTSEN-{config.regionkod}-{kind.value.upper()}-{month}"


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


class RecordBuilder:
    """Builds the records of one month; what is the same for every record is worked out once."""

    def __init__(self, config: ExportConfig, rules: RuleBook, month: Month):
        self.config, self.rules, self.month, self.last = config, rules, month, month.last
        self.mac = hmac.new(config.secret, digestmod=hashlib.sha256)
        self._rules: dict[tuple[date, str], StepRule] = {}

    def rule(self, first_start: date, code: str) -> StepRule:
        key = (first_start, code)
        if key not in self._rules:
            self._rules[key] = self.rules.for_date(first_start).step(code)
        return self._rules[key]

    def build(self, row: StepAt, kind: Kind) -> tuple[list[tuple[str, str]] | None, list[Issue]]:
        return besok(row, kind, self)


def besok(row: StepAt, kind: Kind, builder: RecordBuilder) -> tuple[list[tuple[str, str]] | None, list[Issue]]:
    """The record's attributes in the XSD's order, or None when it is not reported; and its issues."""
    meta, config, last = row.meta, builder.config, builder.last
    rule = builder.rule(meta.first_start, meta.code)
    if rule.fas is None:  # primary care steps are not part of this national report
        return None, []
    issues: list[Issue] = []

    def problem(field: str, message: str, blocking: bool = True) -> None:
        issues.append(Issue(meta.case_id, meta.step_id, field, message, blocking))

    unit = config.unit(meta.unit)
    if unit is None:
        problem("Vårdenhet", f"vårdenheten ”{meta.unit or 'saknas'}” har inget HSA-id (inställningen skr.units).")
    if not meta.mvo or not _MVO.fullmatch(meta.mvo):
        problem("Mvo", f"verksamhetsområdet ”{meta.mvo or ''}” är inte en tresiffrig MVO-kod.")
    if not codes.FIRST_BIRTH_YEAR <= meta.birth_year <= last.year:
        problem("Födelseår", f"födelseåret {meta.birth_year} är inte rimligt.")
    if row.start.year < codes.FIRST_TIMESTAMP_YEAR or row.start > last:
        problem("Beslut om aktivitet", f"startdatumet {row.start.isoformat()} ligger utanför det som kan "
                                       "rapporteras.")
    if kind is Kind.COMPLETED and (row.stopped_on is None or row.stopped_on < row.start):
        problem("Start av aktivitet", "genomfört datum saknas eller ligger före startdatumet.")
    if rule.fas == 4 and meta.target_date is None:
        problem("Medicinskt måldatum", "måldatum saknas; det krävs för återbesök.")
    activity = config.activity_codes.get(meta.activity or "") or (
        meta.activity if meta.activity and len(meta.activity) == 5 else None)
    if rule.fas in codes.FAS_NEEDS_ACTIVITY and activity is None:
        problem("Aktivitet", f"aktiviteten ”{meta.activity or 'saknas'}” har ingen SKR-kod (inställningen "
                             "skr.activity_codes); rapporteras utan aktivitet.", blocking=False)
    if meta.sex not in codes.KON:
        problem("Kön", f"okänt kön ”{meta.sex}”.")
    elif meta.sex is None:
        problem("Kön", "kön saknas; rapporteras som okänt.", blocking=False)
    lkf = meta.municipality if meta.municipality and _LKF.fullmatch(meta.municipality) else None
    if lkf is None:
        problem("Lkf", "folkbokföringskommun saknas; rapporteras som 0000.", blocking=False)
    if any(i.blocking for i in issues):
        return None, issues

    attributes = [
        ("Regionkod", config.regionkod), ("HSAIdRegion", config.hsa_region),
        ("Sjukhus", unit.sjukhus), ("SjukhusNamn", unit.sjukhus_namn),
        ("HSAIdVardgivare", config.hsa_vardgivare), ("HSAIdVardenhet", unit.hsa),
        ("VardkontaktId", _keyed(builder.mac, meta.step_id)),
        ("Vardgaranti", codes.VARDGARANTI_JA if rule.status in ("lag", "nationellt mål") else codes.VARDGARANTI_NEJ),
        ("Fas", str(rule.fas)), ("Mvo", meta.mvo),
        ("Aktivitet", activity if rule.fas in codes.FAS_NEEDS_ACTIVITY else None),
        ("FodelseAr", str(meta.birth_year)), ("Kon", codes.KON[meta.sex]), ("Lkf", lkf or codes.LKF_UNKNOWN),
        ("Bokningssatt", str(config.bokningssatt)), ("Vardkontakt", str(config.vardkontakt)),
        ("Yrkeskategori", config.yrkeskategori),
        ("Avvikelse", codes.AVVIKELSE.get(row.deviation) if row.deviation else None),
        ("BeslutAktivitet", _timestamp(row.start)),
    ]
    if kind is Kind.COMPLETED:
        attributes.append(("StartAktivitet", _timestamp(row.stopped_on)))
    attributes.append(("MedicinsktMaldatum", _timestamp(meta.target_date) if meta.target_date else None))
    if kind is Kind.COMPLETED:
        attributes.append(("TypAkutverksamhet", codes.TYP_AKUTVERKSAMHET_EJ_AKUT))
    return [(k, v) for k, v in attributes if v is not None], issues
