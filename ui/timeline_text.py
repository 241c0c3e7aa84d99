"""Timeline entries and clock figures in the words a case worker uses."""

from __future__ import annotations

from app import validation
from app.cases import CLOSE_REASONS, CONTACT_CHANNELS, ListRecordView, TimelineEntry
from app.importer.clinic_record import DEVIATIONS
from app.importer.deviations import from_list
from app.guarantee import ClockResult

KIND = {
    "start": "Klockan startar",
    "informed": "Informerad om vårdgarantin",
    "notice": "Besked till patienten",
    "contact": "Kontakt",
    "offer": "Erbjudande",
    "answer": "Svar på erbjudande",
    "pause_start": "Väntan utan klocka börjar",
    "pause_end": "Väntan utan klocka slutar",
    "pvv": "Patientvald väntan",
    "restart": "Ny start efter patientvald väntan",
    "completed": "Genomfört",
    "closed": "Steget avslutat",
    "note": "Anteckning",
    "letter": "Brev",
    "assigned": "Tilldelat",
    "case_closed": "Ärendet avslutat",
    "case_reopened": "Ärendet öppnat igen",
    "withdrawn": "Återtagen registrering",
    **validation.KINDS,
}
ANSWER = {"accepted": "tackade ja", "declined": "tackade nej", "no_answer": "svarade inte"}
PAUSE = {"MoV": "medicinskt orsakad väntan (MoV)", "SoV": "särskilt orsakad väntan (SoV)"}


def describe(entry: TimelineEntry) -> str:
    """The entry's details in words; one the clinic's list recorded says which list (app.importer.deviations)."""
    text = _describe(entry)
    listed = from_list(entry.details)
    if not listed:
        return text
    said = f"Enligt listan från {listed.get('source', '')} ({listed.get('list_on', '')})"
    return f"{text[0].upper()}{text[1:]} – {said[0].lower()}{said[1:]}" if text else said


def _describe(entry: TimelineEntry) -> str:
    d = entry.details
    match entry.kind:
        case "contact":
            text = CONTACT_CHANNELS.get(d.get("channel"), d.get("channel", ""))
            return f"{text}: {d['outcome']}" if d.get("outcome") else text
        case "offer":
            where = ", ".join(p for p in (d.get("provider"), d.get("unit"), d.get("address")) if p)
            text = f"{where}. Tid {entry.appointment.isoformat() if entry.appointment else '–'} {d.get('time', '')}"
            text = text.rstrip()
            return text + (f", svar senast {entry.reply_by.isoformat()}" if entry.reply_by else "")
        case "answer":
            tid = entry.appointment.isoformat() if entry.appointment else "–"
            return f"Patienten {ANSWER.get(entry.answer or '', entry.answer)} (tid {tid})"
        case "pause_start" | "pause_end":
            text = PAUSE.get(entry.pause or "", entry.pause or "")
            return f"{text}: {d['reason']}" if d.get("reason") else text
        case "notice":
            return "Tidsgränsen kan inte hållas; alternativ erbjudna" if d.get("cannot_meet") else "Tid eller besked"
        case "completed":
            return d.get("where", "")
        case "closed" | "case_closed":
            return CLOSE_REASONS.get(d.get("reason", ""), d.get("reason", ""))
        case "withdrawn":
            w = d.get("withdrawn", {})
            return f"{KIND.get(w.get('kind', ''), w.get('kind', ''))}, återtagen: {w.get('reason', '')}"
        case "case_reopened":
            was = CLOSE_REASONS.get(d.get("close_reason") or "", "")
            return f"{d.get('reason', '')} (avslutat {d.get('closed_on', '')}{': ' + was if was else ''})"
        case "note":
            return d.get("text", "")
        case "assigned":
            return f"Handläggare: {d.get('user', '')}"
        case "letter":
            return d.get("title") or d.get("type", "")
        case "informed":
            return d.get("how", "")
        case validation.VALIDATION | validation.LONG_WAIT_REASON:
            return validation.describe(entry.kind, d)
    return ""


def days(n: int) -> str:
    return "1 dag" if abs(n) == 1 else f"{n} dagar"


def clock_summary(clock: ClockResult) -> list[tuple[str, str]]:
    rows = [
        ("Start", clock.start.isoformat() + (f" (först {clock.first_start.isoformat()})" if clock.restarts else "")),
        ("Tidsgräns", clock.deadline.isoformat()),
        ("Väntat", days(clock.waited)),
        ("Kvar", days(clock.remaining) if clock.remaining >= 0 else f"{days(-clock.remaining)} över tidsgränsen"),
    ]
    if clock.target_date:
        rows.append(("Regionalt mål", clock.target_date.isoformat()))
    if clock.excluded_days:
        rows.append(("Dagar utan klocka", days(clock.excluded_days)))
    if clock.paused_since:
        rows.append(("Pausad sedan", clock.paused_since.isoformat()))
    if clock.pvv_since:
        rows.append(("Patientvald väntan sedan", clock.pvv_since.isoformat()))
    if clock.restarts:
        rows.append(("Omstarter", ", ".join(d.isoformat() for d in clock.restarts)))
    if clock.stopped_on:
        met = {True: " – inom tidsgränsen", False: " – efter tidsgränsen", None: ""}[clock.met]
        rows.append(("Avslutat", clock.stopped_on.isoformat() + met))
    if clock.band:
        rows.append(("Väntat mer än", days(clock.band)))
    return rows


def validation_rows(timeline: list[TimelineEntry], step_id: int, waited: int, limit: int,
                    today) -> list[tuple[str, str]]:
    """The step's latest validation and, past the long-wait limit, its reason ("Saknas" when none)."""
    mine = [e for e in timeline if e.step_id == step_id]
    checks = [e for e in mine if e.kind == validation.VALIDATION]
    if checks:
        last = max(checks, key=lambda e: (e.on, e.id))
        need = "behöver vården" if last.details.get("still_needed") else "behöver inte längre vården"
        ago = (today - last.on).days
        when = "i dag" if ago == 0 else f"{days(ago)} sedan"
        rows = [("Validerad", f"{last.on.isoformat()} ({when}), {need}")]
    else:
        rows = [("Validerad", "Aldrig")]
    if validation.is_long_wait(waited, limit):
        reasons = [e for e in mine if e.kind == validation.LONG_WAIT_REASON]
        reason = max(reasons, key=lambda e: e.id).details.get("reason", "") if reasons else "Saknas"
        rows.append((f"Orsak till väntan över {days(limit)}", reason))
    return rows


def record_rows(record: ListRecordView | None) -> list[tuple[str, str, bool]]:
    """The clinic's own record of a step (name, value, whether it needs attention), as its lists gave it."""
    if record is None:
        return []
    seen = f", senast med i listan {record.seen_on.isoformat()}" if record.seen_on else ""
    rows = [("Klinikens lista", f"{record.source}{seen}", False)]
    if record.missing_since:
        rows.append(("I listan", f"Saknas i senaste listan ({record.missing_since.isoformat()})", True))
    if record.planned_on:
        when = "efter tidsgränsen" if record.booked_late else "i tid"
        rows.append(("Bokad tid", f"{record.planned_on.isoformat()}, {when}", record.booked_late))
    if record.deviation:
        period = f" från {record.deviation_from.isoformat()}" if record.deviation_from else ""
        period += f" till {record.deviation_to.isoformat()}" if record.deviation_to else ""
        name = DEVIATIONS[record.deviation].capitalize()
        rows.append(("Avvikelse i listan", f"{name} (kod {record.deviation}){period}", False))
    return rows
