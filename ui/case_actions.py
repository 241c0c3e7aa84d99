"""The case worker's actions on a case, each a small form over one app.cases service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app import cases
from app.case_actions import CaseAction
from app.cases import CLOSE_REASONS, CONTACT_CHANNELS, CaseView, StepView
from app.context import AppContext
from app.guarantee import Answer, PauseKind
from app.steps import CLOCK_KINDS
from app.users import active_users
from ui.forms import AskFirst, Field, FormDialog
from ui.timeline_text import PAUSE


@dataclass(frozen=True)
class Action:
    key: CaseAction
    label: str
    shortcut: str
    run: Callable[[QWidget, AppContext, CaseView, StepView | None], object]  # its save tells ctx.changes


def _form(parent: QWidget, title: str, fields: list[Field], submit: Callable[[dict[str, Any]], Any],
          intro: str = "", ask_first: AskFirst | None = None) -> FormDialog | None:
    """The form over the case window `parent`; its save runs as the window's op on the case, off the UI thread,
    and the window reloads from the broadcast that follows. Returns the dialog once saved."""
    def run(fn, on_done, on_error) -> None:
        parent.runner.op(fn, on_done, on_error, cases=[parent.case_id])

    dialog = FormDialog(parent, title, fields, submit, intro, today=parent.ctx.today(), run=run,
                        ask_first=ask_first)
    dialog.setObjectName(f"form:{title}")
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    if dialog.conflict is not None:  # someone else saved the case: the case window says so
        raise dialog.conflict
    return dialog if accepted else None


def contact(parent, ctx, case, step) -> bool:
    return _form(parent, "Registrera kontakt", [
        Field("on", "Datum", "date", ctx.today()),
        Field("channel", "Kontaktsätt", "choice", "telefon", list(CONTACT_CHANNELS.items())),
        Field("outcome", "Resultat", "multiline", help="Till exempel hur patienten mår och om behovet finns kvar"),
    ], lambda v: cases.record_contact(ctx, step.id, v["on"], v["channel"], v["outcome"].strip(),
                                    expected_version=case.version)) is not None


def informed(parent, ctx, case, step) -> bool:
    return _form(parent, "Patienten är informerad om vårdgarantin", [
        Field("on", "Datum", "date", ctx.today()),
        Field("how", "Hur", "text", help="Till exempel telefon, brev eller besök"),
    ], lambda v: cases.record_informed(ctx, step.id, v["on"], v["how"].strip(),
                                     expected_version=case.version)) is not None


def notice(parent, ctx, case, step) -> bool:
    return _form(parent, "Besked till patienten", [
        Field("on", "Datum", "date", ctx.today()),
        Field("cannot_meet", "Tidsgränsen kan inte hållas (alternativ erbjudna)", "check", False),
    ], lambda v: cases.record_notice(ctx, step.id, v["on"], v["cannot_meet"],
                                   expected_version=case.version)) is not None


def offer(parent, ctx, case, step) -> bool:
    return _form(parent, "Erbjud vård", [
        Field("on", "Erbjudet den", "date", ctx.today()),
        Field("appointment", "Erbjuden tid", "optional_date"),
        Field("time", "Klockslag", help="TT:MM, till exempel 09:30"),
        Field("reply_by", "Svar senast", "optional_date"),
        Field("provider", "Vårdgivare"),
        Field("unit", "Mottagning"),
        Field("address", "Adress"),
    ], lambda v: cases.make_offer(
        ctx, step.id, v["on"], v["appointment"], v["reply_by"], v["provider"], v["unit"].strip(),
        v["address"].strip(), v["time"], confirmed=v.get("confirmed", False), expected_version=case.version),
        intro=f"Tidsgräns för steget: {step.clock.deadline.isoformat()}. En tid senast då är inom vårdgarantin.",
    ) is not None


def open_offers(case: CaseView, step: StepView) -> list[tuple[int, str]]:
    answered = {e.offer_id for e in case.timeline if e.kind == "answer"}
    return [
        (e.id, f"{e.appointment.isoformat() if e.appointment else '–'}: {e.details.get('provider', '')}")
        for e in case.timeline
        if e.kind == "offer" and e.step_id == step.id and e.id not in answered
    ]


def answer(parent, ctx, case, step) -> bool:
    offers = open_offers(case, step)
    dialog = _form(parent, "Svar på erbjudande", [
        Field("offer", "Erbjudande", "choice", offers[0][0], offers),
        Field("on", "Svarsdatum", "date", ctx.today()),
        Field("answer", "Svar", "choice", Answer.ACCEPTED.value, [
            (Answer.ACCEPTED.value, "Tackar ja"), (Answer.DECLINED.value, "Tackar nej"),
            (Answer.NO_ANSWER.value, "Inget svar")]),
        Field("pvv", "Registrera patientvald väntan om patienten tackar nej", "check", True),
    ], lambda v: cases.answer_offer(ctx, v["offer"], v["on"], Answer(v["answer"]), with_pvv=v["pvv"],
                                    expected_version=case.version))
    done: cases.Answered | None = dialog.result_value if dialog else None
    if done and (done.pvv_id or done.pvv_refused):
        text = ("Svaret är sparat och patientvald väntan är registrerad. Klockan står still." if done.pvv_id else
                f"Svaret är sparat. {done.pvv_refused} Klockan går vidare. När det som saknas finns registrerat "
                "kan du registrera patientvald väntan med knappen Patientvald väntan.")
        QMessageBox.information(parent, "Svar på erbjudande", text)
    return dialog is not None


def pvv(parent, ctx, case, step) -> bool:
    return _form(parent, "Registrera patientvald väntan", [
        Field("on", "Patientvald väntan från", "date", step.pvv_from or ctx.today()),
    ], lambda v: cases.register_pvv(ctx, step.id, v["on"], expected_version=case.version),
        intro="Patienten har informerats om vårdgarantin, erbjudits en tid inom tidsgränsen och tackat nej. "
              "Från datumet gäller inte vårdgarantin för steget; klockan står still tills patienten vill ha vård "
              "igen (Ny start).") is not None


def pause_start(parent, ctx, case, step) -> bool:
    kinds = ctx.rules.for_date(step.clock.start).step(step.code).pause_kinds
    return _form(parent, "Starta väntan utan klocka", [
        Field("on", "Från och med", "date", ctx.today()),
        Field("kind", "Typ av väntan", "choice", kinds[0].value, [(k.value, PAUSE[k.value]) for k in kinds]),
        Field("reason", "Orsak", "text"),
    ], lambda v: cases.start_pause(ctx, step.id, v["on"], PauseKind(v["kind"]), v["reason"].strip(),
                                    expected_version=case.version)) is not None


def pause_end(parent, ctx, case, step) -> bool:
    kinds = ctx.rules.for_date(step.clock.start).step(step.code).pause_kinds
    return _form(parent, "Avsluta väntan utan klocka", [
        Field("on", "Klockan går igen från", "date", ctx.today()),
        Field("kind", "Typ av väntan", "choice", (kinds[0].value if kinds else None),
              [(k.value, PAUSE[k.value]) for k in kinds]),
    ], lambda v: cases.end_pause(ctx, step.id, v["on"], PauseKind(v["kind"]),
                                  expected_version=case.version)) is not None


def restart(parent, ctx, case, step) -> bool:
    return _form(parent, "Ny start efter patientvald väntan", [
        Field("on", "Patienten vill ha vård igen från", "date", ctx.today()),
    ], lambda v: cases.restart(ctx, step.id, v["on"], expected_version=case.version),
        intro="Klockan börjar om från det här datumet med hela tidsgränsen.") is not None


def complete(parent, ctx, case, step) -> bool:
    return _form(parent, "Registrera genomförd vård", [
        Field("on", "Datum", "date", ctx.today()),
        Field("where", "Var", "text", case.waiting_unit or ""),
    ], lambda v: cases.complete_step(ctx, step.id, v["on"], v["where"].strip(), expected_version=case.version),
        ask_first=lambda v: (
            f"Registrera {step.name.lower()} som genomfört {v['on'].isoformat() if v['on'] else ''}?",
            "Klockan stannar och steget avslutas. Ett fel datum kan rättas efteråt med Rätta datum."),
    ) is not None


def close(parent, ctx, case, step) -> bool:
    return _form(parent, "Avsluta ärendet", [
        Field("on", "Datum", "date", ctx.today()),
        Field("reason", "Orsak", "choice", "genomford", list(CLOSE_REASONS.items())),
    ], lambda v: cases.close_case(ctx, case.id, v["on"], v["reason"], expected_version=case.version),
        intro="Alla öppna steg i ärendet avslutas med samma orsak.",
        ask_first=lambda v: (
            "Avsluta hela ärendet?",
            f"Alla öppna steg avslutas med orsaken ”{CLOSE_REASONS[v['reason']].lower()}”. Ärendet kan öppnas "
            "igen med Öppna igen, men klockorna i de avslutade stegen startar inte om.")) is not None


def withdraw(parent, ctx, case, step) -> bool:
    from app.withdraw import withdraw as take_back
    from ui.timeline_text import KIND

    choices = [(w.event_id, f"{w.on}: {KIND.get(w.kind, w.kind)} – {w.why}") for w in case.withdrawable]
    return _form(parent, "Ta tillbaka en registrering", [
        Field("event", "Registrering", "choice", choices[0][0], choices),
        Field("reason", "Orsak", "multiline", help="Till exempel: registrerad på fel patient"),
    ], lambda v: take_back(ctx, v["event"], v["reason"], expected_version=case.version),
        intro="Registreringen står kvar i händelserna som återtagen, med orsaken, och räknas inte längre för "
              "klockan.") is not None


def note(parent, ctx, case, step) -> bool:
    return _form(parent, "Ny anteckning", [Field("text", "Anteckning", "multiline")],
                 lambda v: cases.add_note(ctx, case.id, v["text"], expected_version=case.version)) is not None


def assign(parent, ctx, case, step) -> bool:
    users = [(u.id, u.display_name) for u in active_users(ctx)]
    return _form(parent, "Tilldela handläggare", [Field("user", "Handläggare", "choice", ctx.user_id, users)],
                 lambda v: cases.assign(ctx, case.id, v["user"], expected_version=case.version)) is not None


def next_step(parent, ctx, case, step) -> bool:
    rules = ctx.rules.for_date(ctx.today())
    after = {"SV_FORSTA_BESOK": "SV_BEHANDLING", "BUP_FORSTA": "BUP_UTREDNING", "BUP_UTREDNING": "BUP_BEHANDLING"}
    last = case.steps[-1].code if case.steps else None
    codes = [(code, rule.name) for code, rule in rules.steps.items()]
    return _form(parent, "Lägg till nästa steg", [
        Field("code", "Steg", "choice", after.get(last or "", "SV_BEHANDLING"), codes),
        Field("on", "Klockan startar", "date", ctx.today(),
              help="Till exempel dagen för beslut om behandling eller dagen remissen utfärdades"),
        Field("target", "Medicinskt måldatum", "optional_date", help="Bara för återbesök"),
    ], lambda v: cases.add_step(ctx, case.id, v["code"], v["on"], v["target"], expected_version=case.version),
        intro="Ett nytt steg i samma ärende får en egen klocka med hela tidsgränsen från startdatumet. "
              "Till exempel: efter första besöket beslutar vården om operation eller åtgärd.") is not None


def patient(parent, ctx, case, step) -> bool:
    from ui.patient_dialog import PatientDialog

    dialog = PatientDialog(ctx, case.patient_id, case.id, parent)
    chosen: list[int] = []
    dialog.open_case.connect(lambda case_id: (chosen.append(case_id), dialog.accept()))
    dialog.exec()  # its save is an op: the case windows hear of it (ui.worker)
    if chosen and chosen[0] != case.id and hasattr(parent, "open_other"):
        parent.open_other.emit(chosen[0])
    return True


def reopen(parent, ctx, case, step) -> bool:
    return _form(parent, "Öppna ärendet igen", [
        Field("reason", "Orsak", "multiline", help="Till exempel att patienten har fått en ny remiss"),
    ], lambda v: cases.reopen_case(ctx, case.id, v["reason"], expected_version=case.version),
        intro="Ärendet blir öppet igen och orsaken sparas i händelserna. De avslutade stegen står kvar som de "
              "avslutades; lägg sedan till nästa steg med knappen Nästa steg.") is not None


def correct_date(parent, ctx, case, step) -> bool:
    from app.corrections import correct_event_date
    from ui.timeline_text import KIND

    events = [(e.id, f"{e.on.isoformat()}: {KIND.get(e.kind, e.kind)}") for e in reversed(case.timeline)
              if e.step_id == step.id and e.kind in CLOCK_KINDS]
    return _form(parent, "Rätta datum", [
        Field("event", "Händelse", "choice", events[0][0], events),
        Field("on", "Rätt datum", "date", ctx.today()),
        Field("reason", "Orsak", "multiline", help="Till exempel vad det rätta datumet grundar sig på"),
    ], lambda v: correct_event_date(ctx, v["event"], v["on"], v["reason"], expected_version=case.version),
        intro="Det gamla datumet, det nya, orsaken och vem som rättade sparas och visas i ärendets ändringshistorik. "
              "Klockan räknas om.") is not None


def preferences(parent, ctx, case, step) -> bool:
    from app import preferences as prefs

    p = case.preferences
    return _form(parent, "Patientens önskemål", [
        Field("unavailable", "Perioder då patienten inte kan komma", "multiline", prefs.periods_text(p.unavailable),
              help="En period per rad, till exempel 2026-12-20 – 2027-01-06"),
        Field("max_travel", "Längsta resväg (km)", "text",
              "" if p.max_travel_km is None else str(p.max_travel_km), help="Tomt: ingen gräns"),
        Field("interpreter", "Behöver tolk", "check", p.interpreter),
        Field("language", "Tolkspråk", "text", p.interpreter_language or ""),
        Field("contact_by", "Vill helst kontaktas med", "choice", p.contact_by,
              [(None, "Inget önskemål"), *prefs.CONTACT_BY.items()]),
    ], lambda v: prefs.save_preferences(ctx, case.id, prefs.Preferences(
        prefs.parse_periods(v["unavailable"]), prefs.parse_km(v["max_travel"]), v["interpreter"],
        v["language"], v["contact_by"]), expected_version=case.version),
        intro="Önskemålen används när Lotsen föreslår vård hos andra vårdgivare för hela listan.") is not None


def validate(parent, ctx, case, step) -> bool:
    from app import validation

    return _form(parent, "Validering: behöver patienten fortfarande vården?", [
        Field("on", "Datum", "date", ctx.today()),
        Field("still_needed", "Behöver fortfarande vården", "check", True),
        Field("health", "Hälsotillstånd", "text", help="Kort, till exempel oförändrat eller sämre"),
        Field("channel", "Kanal", "choice", "telefon", list(validation.CHANNELS.items())),
    ], lambda v: validation.record_validation(ctx, step.id, validation.Validation(
        v["on"], v["still_needed"], v["health"], v["channel"]), expected_version=case.version),
        intro="Väntelistan ska bara innehålla patienter som fortfarande väntar. Behöver patienten inte längre "
              "vården avslutar du sedan steget eller ärendet.") is not None


def long_wait_reason(parent, ctx, case, step) -> bool:
    from app import validation

    return _form(parent, "Orsak till lång väntan", [
        Field("reason", "Orsak", "multiline", help="Till exempel att patienten har tackat nej till erbjudna tider"),
    ], lambda v: validation.record_long_wait_reason(ctx, step.id, v["reason"], expected_version=case.version),
        intro="Patienten har väntat längre än gränsen för steget (två år; inom BUP tre månader till första "
              "besöket och sex månader i de senare stegen). Skriv varför.") is not None


def care_elsewhere(parent, ctx, case, step) -> bool:
    from ui.care_elsewhere_dialog import CareElsewhereDialog

    CareElsewhereDialog(ctx, step.id, parent, expected_version=case.version).exec()  # its saves are ops
    return True


def letter(parent, ctx, case, step) -> bool:
    from ui.letters_dialog import LettersDialog

    LettersDialog(ctx, [step.id], parent, expected_versions={case.id: case.version}).exec()  # its op tells
    return True


ACTIONS = [
    Action(CaseAction.CONTACT, "Kontakt", "Ctrl+K", contact),
    Action(CaseAction.INFORMED, "Informerad", "Ctrl+I", informed),
    Action(CaseAction.NOTICE, "Besked", "Ctrl+B", notice),
    Action(CaseAction.CARE_ELSEWHERE, "Hitta vård", "Ctrl+H", care_elsewhere),
    Action(CaseAction.OFFER, "Erbjudande", "Ctrl+E", offer),
    Action(CaseAction.ANSWER, "Svar", "Ctrl+R", answer),
    Action(CaseAction.PVV, "Patientvald väntan", "Ctrl+Shift+V", pvv),
    Action(CaseAction.PAUSE_START, "Paus (MoV/SoV)", "Ctrl+P", pause_start),
    Action(CaseAction.PAUSE_END, "Avsluta paus", "Ctrl+Shift+P", pause_end),
    Action(CaseAction.RESTART, "Ny start", "Ctrl+Shift+R", restart),
    Action(CaseAction.COMPLETE, "Genomförd", "Ctrl+G", complete),
    Action(CaseAction.LETTER, "Brev", "Ctrl+L", letter),
    Action(CaseAction.CORRECT_DATE, "Rätta datum…", "Ctrl+D", correct_date),
    Action(CaseAction.VALIDATE, "Validering", "Ctrl+Shift+E", validate),
    Action(CaseAction.LONG_WAIT_REASON, "Orsak lång väntan…", "Ctrl+Shift+L", long_wait_reason),
    Action(CaseAction.NOTE, "Anteckning", "Ctrl+N", note),
    Action(CaseAction.PREFERENCES, "Önskemål", "Ctrl+Shift+W", preferences),
    Action(CaseAction.ASSIGN, "Tilldela", "Ctrl+T", assign),
    Action(CaseAction.PATIENT, "Patientuppgifter…", "Ctrl+U", patient),
    Action(CaseAction.NEXT_STEP, "Nästa steg…", "Ctrl+Shift+N", next_step),
    Action(CaseAction.WITHDRAW, "Ta tillbaka…", "Ctrl+Z", withdraw),
    Action(CaseAction.CLOSE, "Avsluta ärende", "Ctrl+Shift+A", close),
    Action(CaseAction.REOPEN, "Öppna igen…", "Ctrl+Shift+O", reopen),
]
