"""The month's national measures as FHIR R4 MeasureReport resources (JSON), one per measure: the form in which the
SKR/Vårddatahubben reference computation gives its results, for a region's data warehouse. Plain dicts written
as JSON: nothing FHIR-specific is needed to make them (the tests validate them with fhir.resources)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from app.export.measures import Measure, StepMeasures
from app.export.national import NationalMonth

MEASURE_SYSTEM = "urn:lotsen:nationella-matt"  # canonical of each measure: urn:lotsen:nationella-matt:STEP:KEY
POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"


def measure_url(step: str, key: str) -> str:
    return f"{MEASURE_SYSTEM}:{step}:{key}"


def _population(code: str, count: int) -> dict:
    return {"code": {"coding": [{"system": POPULATION, "code": code}]}, "count": count}


def measure_report(month: NationalMonth, step: StepMeasures, measure: Measure, created: datetime) -> dict:
    c = measure.count
    group: dict = {"code": {"text": f"{step.name}: {measure.label}"}}
    if measure.is_share:
        group["population"] = [_population("denominator", c.base), _population("numerator", c.n)]
        if c.percent is not None:
            group["measureScore"] = {"value": round(float(c.percent), 1), "unit": "%",
                                     "system": "http://unitsofmeasure.org", "code": "%"}
    else:
        group["population"] = [_population("initial-population", c.n)]
    return {
        "resourceType": "MeasureReport",
        "id": f"{month.month}-{step.step}-{measure.key}".lower().replace("_", "-"),
        "status": "complete",
        "type": "summary",
        "measure": measure_url(step.step, measure.key),
        "date": created.isoformat(timespec="seconds"),
        "period": {"start": month.month.first.isoformat(), "end": month.month.last.isoformat()},
        "improvementNotation": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/measure-improvement-notation",
            "code": "decrease" if measure.key.startswith(("waiting_gt", "gt")) else "increase"}]},
        "group": [group],
        "text": {"status": "generated",
                 "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{escape(month.coverage)}</div>'},
    }


def measure_reports(month: NationalMonth, created: datetime | None = None) -> list[dict]:
    created = created or datetime.now(UTC)
    return [measure_report(month, step, m, created) for step in month.steps for m in step.measures]


def write_measure_reports(month: NationalMonth, folder: Path) -> list[Path]:
    """One JSON file per measure in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in measure_reports(month):
        path = folder / f"MeasureReport-{report['id']}.json"
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(path)
        paths.append(path)
    return paths
