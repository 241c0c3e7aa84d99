"""A patient's log extract (loggutdrag, patientdatalagen 8 kap. 1 §): who has read or changed the patient's data,
when, at which unit and what, as a PDF with the letters' fonts (app.letters.fonts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from app.access import Action, patient_access
from app.audit.review import LogFilter, LogRow, _filtered, _rows
from app.context import AppContext
from app.identity import display_id, parse_patient_id
from app.roles import Permission, require
from db.models import AccessLog, Patient

ACTION_TEXT = {str(Action.READ): "Läst", str(Action.CREATE): "Registrerat", str(Action.CHANGE): "Ändrat",
               str(Action.LIST): "Lista", str(Action.SHOWN): "Visad i lista", str(Action.EVENT): "Händelse"}


@dataclass(frozen=True)
class Extract:
    patient_name: str
    id_number: str
    since: date | None
    until: date | None
    rows: list[LogRow]


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
        return Extract(patient.name, patient.id_number, since, until, rows)


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
                  "när, på vilken enhet och vad. Tiderna är angivna i UTC (svensk tid är en timme senare på "
                  "vintern och två timmar senare på sommaren).", small),
        Spacer(1, 4 * mm),
    ]
    data = [[Paragraph(f"<b>{h}</b>", small) for h in ("Tid (UTC)", "Användare", "Enhet", "Åtgärd", "Ärende",
                                                       "Vad")]]
    for row in extract.rows:
        user = _escape(row.user) + (f"<br/>{_escape(row.user_hsa_id)}" if row.user_hsa_id else "")
        data.append([Paragraph(_utc(row.at), small), Paragraph(user, small), Paragraph(_escape(row.unit or "–"), small),
                     Paragraph(ACTION_TEXT.get(row.action, _escape(row.action)), small),
                     Paragraph(str(row.case_id or "–"), small), Paragraph(_escape(row.detail or ""), small)])
    if not extract.rows:
        data.append([Paragraph("Ingen åtkomst under perioden.", small), "", "", "", "", ""])
    table = LongTable(data, colWidths=[34 * mm, 50 * mm, 45 * mm, 24 * mm, 16 * mm, None], repeatRows=1)
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


def _utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
