"""A new case: the patient (found again by personnummer) and the first guarantee step."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app import cases
from app.context import AppContext
from app.reference import activities, municipalities, regions, specialties
from app.settings import own_region
from ui.forms import Field, FormDialog
from ui.worker import MANY, lane

PRIORITIES = [(None, "Ingen angiven"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]
LANGUAGES = [("sv", "Svenska"), ("en", "Engelska")]


class NewCaseDialog(FormDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        self.ctx = ctx
        self.opened: cases.Opened | None = None
        rules = ctx.rules.for_date(ctx.today())
        fields = [
            Field("id_number", "Personnummer", help="ÅÅÅÅMMDD-NNNN; samordningsnummer och reservnummer går också"),
            Field("name", "Namn"),
            Field("home_region", "Hemregion", "choice", own_region(ctx.db),
                  [(r.code, r.name) for r in sorted(regions(), key=lambda r: r.name)]),
            Field("municipality", "Kommun", "choice", None,
                  [(None, "Ingen angiven")] + [(m.code, m.name) for m in sorted(municipalities(),
                                                                                 key=lambda m: m.name)]),
            Field("street", "Gatuadress"),
            Field("postal_code", "Postnummer"),
            Field("city", "Ort"),
            Field("protected_identity", "Skyddad identitet (adressen visas aldrig)", "check", False),
            Field("language", "Språk i brev", "choice", "sv", LANGUAGES),
            Field("phone", "Telefon"),
            Field("step", "Steg", "choice", "SV_FORSTA_BESOK", [(code, r.name) for code, r in rules.steps.items()]),
            Field("started_on", "Klockan startar", "date", ctx.today(),
                  help="Remiss utfärdad, vårdbegäran mottagen eller beslut om behandling"),
            Field("target_date", "Medicinskt måldatum", "optional_date",
                  help="Bara för återbesök: senaste datum då besöket bör ske"),
            Field("specialty", "Verksamhetsområde (MVO)", "choice", None,
                  [(None, "Välj …")] + [(s.code, f"{s.name} ({s.code})")
                                        for s in sorted(specialties(), key=lambda s: s.name)]),
            Field("activity", "Åtgärd", "choice", None,
                  [(None, "Ingen angiven")] + [(a.code, a.name) for a in sorted(activities(), key=lambda a: a.name)]),
            Field("waiting_unit", "Väntar hos (enhet)"),
            Field("medical_priority", "Medicinsk prioritet", "choice", None, PRIORITIES),
        ]
        super().__init__(parent, "Nytt ärende", fields, self._open, today=ctx.today(),
                         run=lambda fn, done, failed: self.runner.op(fn, done, failed, cases=MANY))
        self.runner = lane(ctx, self)  # the new case is saved off the UI thread and told to every window
        self.setObjectName("newCaseDialog")

    def _open(self, v: dict[str, Any]) -> cases.Opened:
        text = {k: (v[k].strip() or None) for k in ("street", "postal_code", "city", "phone", "waiting_unit")}
        self.opened = cases.open_case(
            self.ctx,
            cases.NewPatient(
                id_number=v["id_number"], name=v["name"], home_region=v["home_region"],
                municipality=v["municipality"], protected_identity=v["protected_identity"],
                language=v["language"], street=text["street"], postal_code=text["postal_code"], city=text["city"],
                phone=text["phone"],
            ),
            cases.NewCase(step=v["step"], started_on=v["started_on"], specialty=v["specialty"],
                          activity=v["activity"], waiting_unit=text["waiting_unit"],
                          medical_priority=v["medical_priority"], target_date=v["target_date"]),
        )
        return self.opened
