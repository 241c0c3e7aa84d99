"""From a step's facts to a letter's text: what each letter type needs, whom it goes to, and what it says.

Reading only; app.letters.service writes the letters and records them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app import steps
from app.context import AppContext
from app.guarantee import Answer, ClockResult, EventKind, RuleBook, State
from app.letters import workdays
from app.letters.kinds import LABEL, LetterType
from app.letters.layout import LetterContent
from app.letters.pdf import Metadata
from app.letters.sender import Sender
from app.letters.templates import Heading, Paragraph, TemplateSet, load_templates
from db.models import Case, CaseEvent, Patient, Step


class Skip(Exception):
    """This step cannot get this letter; the message says why, in Swedish."""


@dataclass(frozen=True)
class Recipient:
    kind: str  # "patient", "vardnadshavare" or "ombud"
    name: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class LetterJob:
    """One letter, composed and ready to lay out, with what its timeline entry records."""

    letter_type: LetterType
    step_id: int
    case_id: int
    patient_id: int
    language: str
    template_version: str
    recipient: Recipient
    manual_handling: bool
    content: LetterContent
    meta: Metadata
    source_event: int | None = None  # the offer, answer or restart the letter is about
    cannot_meet: bool = False        # a 14-day notice that the guarantee cannot be met
    manual_reason: str | None = None  # why a person must handle it, in Swedish for the case worker


@dataclass(frozen=True)
class StepFacts:
    """What compose reads, loaded in bulk by the caller: the step, its case and patient, its timeline rows
    (ordered by date) and the specialty's name."""

    step: Step
    case: Case
    patient: Patient
    rows: list[CaseEvent]
    specialty: str


def compose(ctx: AppContext, letter_type: LetterType, facts: StepFacts, sender: Sender,
            template_folder: Path | None = None, stored_templates: Mapping[str, bytes] | None = None) -> LetterJob:
    """The letter of `letter_type` for a step; raises Skip when the step's facts do not allow it."""
    today = ctx.today()
    step, case, patient, rows, specialty = facts.step, facts.case, facts.patient, facts.rows, facts.specialty
    if not step.is_open or case.closed_on is not None:
        raise Skip("steget är avslutat")
    clock = steps.evaluate_rows(step.code, rows, step.target_date, today, ctx.rules)
    rule = ctx.rules.for_date(step.started_on).step(step.code)
    t = load_templates(patient.language or "sv", template_folder, stored_templates)
    translated = t.specialty(case.specialty_code, specialty)
    values = {
        "case_id": str(case.id), "date": today.isoformat(), "patient_name": patient.name,
        "specialty": (translated[:1].upper() + translated[1:]) if translated else specialty,
        "area": translated or _in_sentence(specialty), "step_name": rule.name,
        "what": t.what(step.code, rule.name), "waiting_unit": case.waiting_unit or "",
        "start": clock.start.isoformat(), "deadline": clock.deadline.isoformat(),
        "limit_days": "" if rule.limit_days is None else str(rule.limit_days),
        "sender_phone": sender.phone, "sender_hours": sender.hours(t.language), "sender_unit": sender.unit,
        "sender_region": sender.region,
    }
    flags = {
        "law": rule.status == "lag", "target": rule.status == "nationellt mål",
        "followup": rule.status == "uppföljning", "care_elsewhere": rule.care_elsewhere_duty,
        "has_time": False, "within_guarantee": False,
        # Past the deadline the letter says so; it never promises a date that has already gone by.
        "overdue": clock.deadline < today,
    }
    section, source, cannot_meet = _facts(letter_type, rows, clock, step, ctx, sender, t, values, flags)
    recipient = _recipient(patient)
    manual = manual_reason = None
    if patient.protected_identity:
        manual, manual_reason = t.label("protected"), "skyddad identitet"
    elif not recipient.address:
        manual, manual_reason = t.label("no_address"), "adress saknas"
    values["representative_kind"] = t.data["labels"]["representative"].get(recipient.kind, recipient.kind)
    title, blocks = t.letter(section, values, flags)
    if recipient.kind != "patient":
        blocks.insert(0, Paragraph(t.text("common", "representative_note", values)))
    blocks += [Heading(t.text("common", "contact_heading", values)), Paragraph(t.text("common", "contact", values))]
    reference = ((t.label("date"), today.isoformat()), (t.label("case"), str(case.id)))
    content = LetterContent(
        region=sender.region, unit=sender.unit, logo=sender.logo, reference=reference,
        return_address=f"{t.label('sender')}: {sender.region}, {sender.unit}, {sender.address}",
        address=() if patient.protected_identity else (recipient.name, *recipient.address),
        manual_note=manual,
        regarding=(t.label("regarding"), patient.name, f"{t.label('id_number')} {format_id(patient.id_number)}"),
        title=title, blocks=tuple(blocks),
        closing=(t.text("common", "closing", values), sender.closing_name),
        footer=f"{sender.region} · {sender.unit} · {t.label('case')} {case.id} · {today.isoformat()}",
        page_label=t.data["labels"]["page"],
    )
    keywords = ["Lotsen", f"ärende {case.id}", letter_type.value, f"mall {t.version}"]
    if manual:
        keywords.append("hanteras manuellt")
    meta = Metadata(title=f"{title} – {t.label('case')} {case.id}", subject=LABEL[letter_type],
                    author=f"{sender.unit}, {sender.region}", keywords=", ".join(keywords), language=t.language)
    return LetterJob(letter_type, step.id, case.id, patient.id, t.language, t.version, recipient, bool(manual),
                     content, meta, source, cannot_meet, manual_reason)


def _facts(letter_type: LetterType, rows: list[CaseEvent], clock: ClockResult, step: Step, ctx: AppContext,
           sender: Sender, t: TemplateSet, values: dict[str, str], flags: dict[str, bool],
           ) -> tuple[str, int | None, bool]:
    """Fill in what the letter type needs; returns the template section, the source event and 'cannot meet'."""
    today = ctx.today()
    answered = {r.offer_id: r for r in rows if r.kind == EventKind.ANSWER}
    current = [r for r in rows if r.on >= clock.start]
    if letter_type is LetterType.INFORMATION:
        return letter_type.value, None, False
    if letter_type is LetterType.NOTICE:
        if clock.state in (State.PVV, State.PAUSED):
            raise Skip("väntetiden räknas inte just nu (patientvald eller medicinskt orsakad väntan)")
        booked = [r for r in current if r.kind == EventKind.OFFER and r.appointment <= clock.deadline
                  and getattr(answered.get(r.id), "answer", None) != Answer.DECLINED]
        if booked:
            _offer_values(booked[-1], clock, t, values, flags)
            return "besked", booked[-1].id, False
        return "besked_ej", None, True
    if letter_type is LetterType.OFFER:
        open_offers = [r for r in current if r.kind == EventKind.OFFER and r.id not in answered]
        if not open_offers:
            raise Skip("det finns inget obesvarat erbjudande på steget")
        offer = open_offers[-1]
        if offer.appointment <= today:
            raise Skip(f"den erbjudna tiden {offer.appointment.isoformat()} har redan varit")
        _offer_values(offer, clock, t, values, flags)
        reply_by = reply_deadline(today, offer.reply_by, sender)
        if reply_by >= offer.appointment:
            raise Skip(f"svarstiden ({reply_by.isoformat()}, {sender.reply_working_days} arbetsdagar efter att "
                       "brevet har kommit fram) hinner inte gå ut före den erbjudna tiden "
                       f"{offer.appointment.isoformat()}; ring patienten i stället")
        values["reply_by"] = reply_by.isoformat()
        values["reply_days"] = t.count(workdays.working_days_between(arrival(today, sender), reply_by),
                                       "working_days")
        return letter_type.value, offer.id, False
    if letter_type is LetterType.DECLINED:
        return letter_type.value, _declined_values(rows, step, clock, ctx.rules, t, values, flags), False
    restarts = [r for r in rows if r.kind == EventKind.RESTART]
    if not restarts:
        raise Skip("patienten har inte begärt vård igen efter patientvald väntan")
    values["restart_date"] = restarts[-1].on.isoformat()
    return letter_type.value, restarts[-1].id, False


def arrival(today: date, sender: Sender) -> date:
    """The day a letter written today is expected to reach the patient."""
    return workdays.add_working_days(today, sender.post_working_days)


def reply_deadline(today: date, recorded: date | None, sender: Sender) -> date:
    """The reply date printed in an offer letter: the one recorded with the offer, but never fewer than the
    setting's working days after the letter has reached the patient."""
    earliest = workdays.add_working_days(arrival(today, sender), sender.reply_working_days)
    return max(recorded, earliest) if recorded else earliest


def _offer_values(offer: CaseEvent, clock: ClockResult, t: TemplateSet, values: dict[str, str],
                  flags: dict[str, bool]) -> None:
    details = offer.details or {}
    values.update(
        provider=details.get("provider", ""), unit=details.get("unit", ""), address=details.get("address", ""),
        appointment=f"{t.data['labels']['weekdays'][offer.appointment.weekday()]} {offer.appointment.isoformat()}",
        appointment_time=details.get("time", ""), offer_date=offer.on.isoformat(),
    )
    flags["has_time"] = bool(details.get("time"))
    flags["within_guarantee"] = offer.appointment <= clock.deadline


def _declined_values(rows: list[CaseEvent], step: Step, clock: ClockResult, rules: RuleBook, t: TemplateSet,
                     values: dict[str, str], flags: dict[str, bool]) -> int:
    """The three PvV conditions (informed, offered in time, declined) as dated facts; Skip names what is missing."""
    declined = [r for r in rows if r.kind == EventKind.ANSWER and r.answer == Answer.DECLINED
                and r.on >= clock.start]
    if not declined:
        raise Skip("patienten har inte tackat nej till något erbjudande")
    answer = declined[-1]
    offer = next(r for r in rows if r.id == answer.offer_id)
    informed = [r.on for r in rows if r.kind == EventKind.INFORMED and r.on <= answer.on]
    deadline_then = steps.evaluate_rows(step.code, rows, step.target_date, answer.on, rules).deadline \
        if step.pvv_since is None else None
    missing = []
    if not informed:
        missing.append("det finns ingen uppgift om att patienten informerades om vårdgarantin före svaret")
    if deadline_then is not None and offer.appointment > deadline_then:
        missing.append(f"den erbjudna tiden låg efter vårdgarantins gräns {deadline_then.isoformat()}")
    if missing:
        raise Skip("; ".join(missing))
    _offer_values(offer, clock, t, values, flags)
    values.update(informed_date=informed[-1].isoformat(), answer_date=answer.on.isoformat(),
                  pvv_since=(step.pvv_since or answer.on).isoformat())
    return answer.id


def _recipient(patient: Patient) -> Recipient:
    if patient.representative_name and patient.representative_kind:
        raw = patient.representative_address or ""
        lines = [p.strip() for p in (raw.splitlines() if "\n" in raw else raw.split(",")) if p.strip()]
        return Recipient(patient.representative_kind, patient.representative_name, tuple(lines))
    city = f"{patient.postal_code or ''} {patient.city or ''}".strip()
    lines = tuple(p for p in (patient.street, city) if p) if patient.street and city else ()
    return Recipient("patient", patient.name, lines)


def _in_sentence(name: str) -> str:
    """'Ortopedi' reads 'ortopedi' mid-sentence; acronyms such as 'BUP' stay as they are."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def format_id(id_number: str) -> str:
    """ÅÅÅÅMMDD-NNNN, as patients write their personnummer."""
    return f"{id_number[:8]}-{id_number[8:]}" if len(id_number) == 12 and id_number.isdigit() else id_number
