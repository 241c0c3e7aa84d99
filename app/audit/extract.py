"""A patient's log extract (loggutdrag, patientdatalagen 8 kap. 1 §): who has read or changed the patient's data,
when, at which unit and what, as a PDF with the letters' fonts (app.letters.fonts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access import Action, patient_access
from app.audit.review import LogFilter, LogRow, _filtered, _rows
from app.context import AppContext
from app.identity import display_id, parse_patient_id
from app.letters.sender import get_sender
from app.roles import Permission, require
from db.models import AccessLog, Patient

ACTION_TEXT = {str(Action.READ): "Läst", str(Action.CREATE): "Registrerat", str(Action.CHANGE): "Ändrat",
               str(Action.LIST): "Lista", str(Action.SHOWN): "Visad i lista", str(Action.EVENT): "Händelse"}
LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # the patient reads Swedish time, summer and winter
# What was done, in the words of the extract: the access log records event kinds and short notes.
WHAT = {
    "start": "registrerade när väntetiden började",
    "informed": "registrerade att du fått information om vårdgarantin",
    "notice": "registrerade besked till dig om din tid",
    "contact": "registrerade en kontakt med dig",
    "offer": "registrerade ett erbjudande om vård",
    "answer": "registrerade ditt svar på ett erbjudande",
    "pause_start": "registrerade att väntan av medicinska skäl började",
    "pause_end": "registrerade att väntan av medicinska skäl slutade",
    "pvv": "registrerade att du själv valt att vänta (patientvald väntan)",
    "restart": "registrerade att du vill ha vård igen",
    "completed": "registrerade att vården är genomförd",
    "closed": "avslutade ett steg i ärendet",
    "nytt ärende": "registrerade ett nytt ärende",
    "anteckning": "skrev en anteckning i ärendet",
    "tilldelning": "ändrade vem som handlägger ärendet",
    "klocka": "läste vårdgarantins beräkning",
    "loggutdrag": "gjorde ett loggutdrag",
    "patientuppgifter": "läste dina kontaktuppgifter",
    "vård hos annan vårdgivare": "sökte vård åt dig hos en annan vårdgivare",
    "tillfrågad vårdgivare": "registrerade en fråga till en vårdgivare om en tid åt dig",
    "tillfrågade vårdgivare": "läste vilka vårdgivare som tillfrågats",
    "ärendet öppnat igen": "öppnade ärendet igen",
}


@dataclass(frozen=True)
class Extract:
    patient_name: str
    id_number: str
    since: date | None
    until: date | None
    rows: list[LogRow]
    unit_name: str = ""  # the vårdlots unit, for rows whose user has no unit of their own


def describe(row: LogRow) -> str:
    """The row as a sentence part a patient understands: no event codes, no step codes."""
    detail = (row.detail or "").strip()
    if not detail:
        return {str(Action.READ): "läste ärendet", str(Action.CREATE): "registrerade uppgifter om dig",
                str(Action.CHANGE): "ändrade uppgifter om dig"}.get(row.action, "")
    if detail in WHAT:
        return WHAT[detail]
    if detail.startswith("brev: "):
        kind = detail.removeprefix("brev: ")
        return f"{'skrev' if row.action == str(Action.CHANGE) else 'förberedde'} ett brev till dig: " + \
            _letter_label(kind).lower()
    if detail.startswith("nytt steg "):
        return "lade till nästa steg i ärendet"
    if detail.startswith("patientuppgifter: "):
        return "ändrade dina kontaktuppgifter: " + detail.removeprefix("patientuppgifter: ")
    if detail.startswith("rättat datum"):
        return "rättade ett datum i ärendet" + (f" ({detail.split(') ', 1)[1]})" if ") " in detail else "")
    return detail


def _letter_label(kind: str) -> str:
    from app.letters.kinds import LABEL, LetterType

    try:
        return LABEL[LetterType(kind)]
    except ValueError:
        return kind  # already a label (letters prepared are logged with their label)


def local_time(at: datetime) -> str:
    """Swedish local time (a row without a time zone is UTC, as the log writes it)."""
    if at.tzinfo is None:
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def patient_extract(ctx: AppContext, id_number: str, since: date | None = None,
                    until: date | None = None) -> Extract:
    require(ctx.role, Permission.REVIEW_LOG)
    f = LogFilter(patient=id_number, since=since, until=until)
    with ctx.db.transaction() as session:
        ids = list(session.scalars(_filtered(session, ctx, f).order_by(AccessLog.id)))
        rows = list(reversed(_rows(session, ids)))  # oldest first, as a patient reads it
        pid = parse_patient_id(id_number, today=ctx.today())
        patient_id = session.scalar(select(Patient.id).where(Patient.id_number == pid.value))
        patient = patient_access(session, ctx, patient_id, Action.READ, None, "loggutdrag")
    sender = get_sender(ctx.db)
    return Extract(patient.name, patient.id_number, since, until, rows, f"{sender.unit}, {sender.region}")


def write_pdf(extract: Extract, path: Path, made_on: date) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from app.letters import fonts

    fonts.register()
    body = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=body, fontName=fonts.BOLD, fontSize=15, leading=19, spaceAfter=4)
    period = (f"{extract.since.isoformat() if extract.since else 'början'} – "
              f"{extract.until.isoformat() if extract.until else made_on.isoformat()}")
    story = [
        Paragraph("Loggutdrag – åtkomst till dina uppgifter i Lotsen", head),
        Paragraph(f"<b>Patient:</b> {_escape(extract.patient_name)}, {display_id(extract.id_number)}", body),
        Paragraph(f"<b>Period:</b> {period}. <b>Utdraget gjordes:</b> {made_on.isoformat()}.", body),
        Paragraph("Här står varje gång någon har läst, registrerat eller ändrat uppgifter om dig i Lotsen: vem, "
                  "när, på vilken enhet och vad. Tiderna är svensk tid.", small),
        Spacer(1, 4 * mm),
    ]
    data = [[Paragraph(f"<b>{h}</b>", small) for h in ("Tid", "Vem", "Enhet", "Ärende", "Vad")]]
    for row in extract.rows:
        what = describe(row)
        data.append([Paragraph(local_time(row.at), small), Paragraph(_escape(row.user), small),
                     Paragraph(_escape(row.unit or extract.unit_name or "–"), small),
                     Paragraph(str(row.case_id or "–"), small),
                     Paragraph(_escape(what[:1].upper() + what[1:]), small)])
    if not extract.rows:
        data.append([Paragraph("Ingen åtkomst under perioden.", small), "", "", "", ""])
    table = LongTable(data, colWidths=[30 * mm, 50 * mm, 60 * mm, 16 * mm, None], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
    ]))
    story.append(table)

    def footer(canvas, doc) -> None:
        canvas.setFont(fonts.REGULAR, 8)
        canvas.drawString(15 * mm, 8 * mm, f"Loggutdrag {display_id(extract.id_number)} – sida {doc.page}")

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=f"Loggutdrag {extract.patient_name}",
                            author="Lotsen", lang="sv")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
