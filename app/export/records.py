"""One Besok record per step, pseudonymised, with the data-quality checks that decide whether it can be sent.

No personnummer, no name: birth year, sex and municipality only. VardkontaktId is an HMAC-SHA256 of the step's
id under a per-database secret key: stable from month to month (the waiting record and the completed record of
a step share it) and not traceable to the patient without the key, which never leaves the database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from app.export import codes
from app.export.config import ExportConfig, UnitCodes
from app.guarantee import RuleBook
from app.reports.months import Month
from app.reports.source import StepAt
from app.settings import TAB_ACTIVITIES, TAB_UNITS, where


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


def replacement_id(config: ExportConfig, kind: Kind, month: Month) -> str:
    """The same for every export of one period and kind, so that SKR replaces the earlier delivery."""
    return f"LOTSEN-{config.regionkod}-{kind.value.upper()}-{month}"


class Facts(NamedTuple):
    """What SKR's calculation reads from a record (app.export.measures), from the very values written into it.
    `step` is Lotsen's step kind, carried beside the record and not written: the national measures are per step
    kind (a BUP stage is a step kind, not an MVO code)."""

    step: str
    fas: int
    beslut: date               # BeslutAktivitet
    start: date | None         # StartAktivitet (completed records)
    avvikelse: str | None      # "1" PvV, "2" MoV, "3" SoV
    maldatum: date | None      # MedicinsktMaldatum
    case_id: int = 0           # beside the record, never written: which waiting patients a "what if" could be


class Record(NamedTuple):
    vardkontakt_id: str
    element: str  # the whole <Besok .../> element, its attributes in the XSD's order, escaped
    facts: Facts | None = None


def _attribute(name: str, value: str) -> str:
    return f"{name}={quoteattr(value)}"


class _StepCodes(NamedTuple):
    """What a step's rule gives its record: Fas (None: not reported) and the Vardgaranti and Fas attributes."""

    fas: int | None
    text: str


class _KeyedId:
    """HMAC-SHA256 under one key for many short messages: the key's inner and outer hash states (RFC 2104) are
    computed once and copied per message: about twice as fast as hmac.new or hmac.digest per message, with the
    same value as hmac.new(key, message, sha256)."""

    def __init__(self, key: bytes):
        block = hashlib.sha256(key).digest() if len(key) > 64 else key
        block = block.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hexdigest(self, message: bytes) -> str:
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


class RecordBuilder:
    """Builds the records of one month. A month has 100 000 records, and most of each one recurs in many others
    (a unit's codes, a rule's Fas, an MVO, a birth year, a date): each such piece is checked, escaped and
    written once, and a record is a join of ready pieces."""

    def __init__(self, config: ExportConfig, rules: RuleBook, month: Month):
        self.config, self.rules, self.month, self.last = config, rules, month, month.last
        self.keyed = _KeyedId(config.secret)
        self._steps: dict[tuple[date, str], _StepCodes] = {}
        self._units: dict[str | None, tuple[UnitCodes | None, str]] = {}
        self._activities: dict[str | None, str | None] = {}
        self._mvos: dict[str | None, str | None] = {}
        self._years: dict[int, str | None] = {}
        self._lkf: dict[str | None, tuple[bool, str]] = {}
        self._dates: dict[str, dict[date, str]] = {}
        self.kon = {sex: _attribute("Kon", code) for sex, code in codes.KON.items()}
        self.tail = " ".join((_attribute("Bokningssatt", str(config.bokningssatt)),
                              _attribute("Vardkontakt", str(config.vardkontakt)),
                              _attribute("Yrkeskategori", config.yrkeskategori)))
        self.avvikelse = {d: " " + _attribute("Avvikelse", code) for d, code in codes.AVVIKELSE.items()}

    def step_codes(self, first_start: date, code: str) -> _StepCodes:
        key = (first_start, code)
        found = self._steps.get(key)
        if found is None:
            rule = self.rules.for_date(first_start).step(code)
            found = self._steps[key] = _rule_codes(rule.status, rule.fas)
        return found

    def unit(self, name: str | None) -> tuple[UnitCodes | None, str]:
        """The unit's codes and the attributes every record of the unit begins with."""
        found = self._units.get(name)
        if found is None:
            config, unit = self.config, self.config.unit(name)
            head = "" if unit is None else " ".join(
                _attribute(k, v) for k, v in (("Regionkod", config.regionkod), ("HSAIdRegion", config.hsa_region),
                                              ("Sjukhus", unit.sjukhus), ("SjukhusNamn", unit.sjukhus_namn),
                                              ("HSAIdVardgivare", config.hsa_vardgivare),
                                              ("HSAIdVardenhet", unit.hsa))
                if v is not None)
            found = self._units[name] = (unit, head)
        return found

    def activity(self, code: str | None) -> str | None:
        """SKR's activity code for Lotsen's (the setting skr.activity_codes, or a 5-character code as it is), as
        the record's attribute (with its leading space); None: there is none."""
        if code not in self._activities:
            skr = self.config.activity_codes.get(code or "") or (code if code and len(code) == 5 else None)
            self._activities[code] = None if skr is None else " " + _attribute("Aktivitet", skr)
        return self._activities[code]

    def mvo(self, mvo: str | None) -> str | None:
        """The Mvo attribute, or None when `mvo` is not a three-digit MVO code."""
        if mvo not in self._mvos:
            self._mvos[mvo] = _attribute("Mvo", mvo) if mvo and _MVO.fullmatch(mvo) else None
        return self._mvos[mvo]

    def birth_year(self, year: int) -> str | None:
        """The FodelseAr attribute, or None when the year is not a plausible birth year in the month."""
        if year not in self._years:
            self._years[year] = _attribute("FodelseAr", str(year)) \
                if codes.FIRST_BIRTH_YEAR <= year <= self.last.year else None
        return self._years[year]

    def lkf(self, municipality: str | None) -> tuple[bool, str]:
        """Whether the municipality is a valid Lkf code, and the Lkf attribute (0000 when it is not)."""
        if municipality not in self._lkf:
            known = bool(municipality and _LKF.fullmatch(municipality))
            self._lkf[municipality] = (known, _attribute("Lkf", municipality if known else codes.LKF_UNKNOWN))
        return self._lkf[municipality]

    def timestamp(self, name: str, day: date) -> str:
        """The attribute `name` for `day`, with its leading space."""
        dates = self._dates.setdefault(name, {})
        found = dates.get(day)
        if found is None:
            found = dates[day] = " " + _attribute(name, f"{day.isoformat()}T00:00:00")
        return found

    def vardkontakt_id(self, step_id: int) -> str:
        return self.keyed.hexdigest(f"lotsen-step:{step_id}".encode())[:32]

    def build(self, row: StepAt, kind: Kind) -> tuple[Record | None, list[Issue]]:
        return besok(row, kind, self)

    def build_all(self, rows: Iterable[StepAt], kind: Kind, facts_only: bool = False
                  ) -> tuple[list[Record], list[Issue], int]:
        """The records of `rows`, their issues, and how many rows are not reported (no SKR Fas).

        What `besok` does for one row, for many: a row without any issue (nearly all, once the settings are
        complete) is written here from the cached pieces, with local lookups only; any other row goes to
        `besok`, which says what is wrong. `facts_only`: the same records and checks, but a record that passes
        them is not written out (no VardkontaktId, no element): the national measures read only its facts."""
        records: list[Record] = []
        issues: list[Issue] = []
        not_reported = 0
        completed, last, first_year = kind is Kind.COMPLETED, self.last, codes.FIRST_TIMESTAMP_YEAR
        steps, units, mvos, years, lkfs, activities = (self._steps, self._units, self._mvos, self._years,
                                                       self._lkf, self._activities)
        kon, tail, avvikelse, needs_activity = self.kon, self.tail, self.avvikelse, codes.FAS_NEEDS_ACTIVITY
        beslut = self._dates.setdefault("BeslutAktivitet", {})
        inner, outer = self.keyed.inner, self.keyed.outer
        typ = _TYP_AKUT if completed else ""
        for row in rows:
            meta = row.meta
            step = steps.get((meta.first_start, meta.code)) or self.step_codes(meta.first_start, meta.code)
            if step.fas is None:
                not_reported += 1
                continue
            head = (units.get(meta.unit) or self.unit(meta.unit))[1]
            mvo = mvos[meta.mvo] if meta.mvo in mvos else self.mvo(meta.mvo)
            year = years[meta.birth_year] if meta.birth_year in years else self.birth_year(meta.birth_year)
            known, lkf = lkfs.get(meta.municipality) or self.lkf(meta.municipality)
            activity = ""
            if step.fas in needs_activity:
                activity = activities[meta.activity] if meta.activity in activities else self.activity(meta.activity)
            start = row.start
            if (not head or mvo is None or year is None or not known or activity is None or meta.sex is None
                    or meta.sex not in kon or start.year < first_year or start > last
                    or (step.fas == 4 and meta.target_date is None)
                    or (completed and (row.stopped_on is None or row.stopped_on < start))):
                record, found = besok(row, kind, self)
                issues += found
                if record is not None:
                    records.append(record)
                continue
            facts = Facts(meta.code, step.fas, start, row.stopped_on if completed else None,
                          codes.AVVIKELSE.get(row.deviation), meta.target_date, meta.case_id)
            if facts_only:
                records.append(Record("", "", facts))
                continue
            mac = inner.copy()
            mac.update(f"lotsen-step:{meta.step_id}".encode())
            keyed = outer.copy()
            keyed.update(mac.digest())
            vardkontakt_id = keyed.hexdigest()[:32]
            dates = beslut.get(start) or self.timestamp("BeslutAktivitet", start)
            if completed:
                dates += self.timestamp("StartAktivitet", row.stopped_on)
            if meta.target_date:
                dates += self.timestamp("MedicinsktMaldatum", meta.target_date)
            records.append(Record(vardkontakt_id, (
                f'<Besok {head} VardkontaktId="{vardkontakt_id}" {step.text} {mvo}{activity} {year} '
                f'{kon[meta.sex]} {lkf} {tail}{avvikelse.get(row.deviation, "")}{dates}{typ}/>'), facts))
        return records, issues, not_reported


_TYP_AKUT = " " + _attribute("TypAkutverksamhet", codes.TYP_AKUTVERKSAMHET_EJ_AKUT)


@cache
def _rule_codes(status: str, fas: int | None) -> _StepCodes:
    """A rule's Vardgaranti and Fas attributes: few distinct, asked for by every start date of every month."""
    vardgaranti = codes.VARDGARANTI_JA if status in ("lag", "nationellt mål") else codes.VARDGARANTI_NEJ
    return _StepCodes(fas, f"{_attribute('Vardgaranti', vardgaranti)} {_attribute('Fas', str(fas))}")


def besok(row: StepAt, kind: Kind, builder: RecordBuilder) -> tuple[Record | None, list[Issue]]:
    """The record, or None when it is not reported; and its issues."""
    meta, last = row.meta, builder.last
    fas, step_text = builder.step_codes(meta.first_start, meta.code)
    if fas is None:  # primary care steps are not part of this national report
        return None, []
    issues: list[Issue] = []

    def problem(field: str, message: str, blocking: bool = True) -> None:
        issues.append(Issue(meta.case_id, meta.step_id, field, message, blocking))

    unit, head = builder.unit(meta.unit)
    if unit is None:
        problem("Vårdenhet", f"vårdenheten ”{meta.unit or 'saknas'}” har inget HSA-id; en administratör anger "
                             f"det under {where(TAB_UNITS)}.")
    mvo = builder.mvo(meta.mvo)
    if mvo is None:
        problem("Mvo", f"verksamhetsområdet ”{meta.mvo or ''}” är inte en tresiffrig MVO-kod.")
    birth_year = builder.birth_year(meta.birth_year)
    if birth_year is None:
        problem("Födelseår", f"födelseåret {meta.birth_year} är inte rimligt.")
    if row.start.year < codes.FIRST_TIMESTAMP_YEAR or row.start > last:
        problem("Beslut om aktivitet", f"startdatumet {row.start.isoformat()} ligger utanför det som kan "
                                       "rapporteras.")
    completed = kind is Kind.COMPLETED
    if completed and (row.stopped_on is None or row.stopped_on < row.start):
        problem("Start av aktivitet", "genomfört datum saknas eller ligger före startdatumet.")
    if fas == 4 and meta.target_date is None:
        problem("Medicinskt måldatum", "måldatum saknas; det krävs för återbesök.")
    activity = ""
    if fas in codes.FAS_NEEDS_ACTIVITY:
        activity = builder.activity(meta.activity)
        if activity is None:
            problem("Aktivitet", f"aktiviteten ”{meta.activity or 'saknas'}” har ingen SKR-kod (anges under "
                                 f"{where(TAB_ACTIVITIES)}); rapporteras utan aktivitet.", blocking=False)
            activity = ""
    if meta.sex not in codes.KON:
        problem("Kön", f"okänt kön ”{meta.sex}”.")
    elif meta.sex is None:
        problem("Kön", "kön saknas; rapporteras som okänt.", blocking=False)
    known, lkf = builder.lkf(meta.municipality)
    if not known:
        problem("Lkf", "folkbokföringskommun saknas; rapporteras som 0000.", blocking=False)
    if issues and any(i.blocking for i in issues):
        return None, issues

    vardkontakt_id = builder.vardkontakt_id(meta.step_id)
    dates = builder.timestamp("BeslutAktivitet", row.start)
    if completed:
        dates += builder.timestamp("StartAktivitet", row.stopped_on)
    if meta.target_date:
        dates += builder.timestamp("MedicinsktMaldatum", meta.target_date)
    element = (f'<Besok {head}{" " if head else ""}VardkontaktId="{vardkontakt_id}" {step_text} {mvo}{activity} '
               f'{birth_year} {builder.kon[meta.sex]} {lkf} {builder.tail}'
               f'{builder.avvikelse.get(row.deviation, "")}{dates}{_TYP_AKUT if completed else ""}/>')
    facts = Facts(meta.code, fas, row.start, row.stopped_on if completed else None,
                  codes.AVVIKELSE.get(row.deviation), meta.target_date, meta.case_id)
    return Record(vardkontakt_id, element, facts), issues
