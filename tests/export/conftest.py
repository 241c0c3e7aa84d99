"""Shared for the export tests: the XSDs in ../shared/spec/skr and a configured region."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import set_setting

SKR = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "skr"
XSD = {
    "vantande": SKR / "TillgangligVardSpeciVantandeResponder_1_0.xsd",
    "genomforda": SKR / "TillgangligVardSpeciGenomfordaResponder_1_0.xsd",
}


@pytest.fixture
def schemas():
    import xmlschema

    return {kind: xmlschema.XMLSchema(str(path)) for kind, path in XSD.items()}


def configure(ctx, **overrides) -> None:
    settings = {
        "skr.region": "12",
        "skr.hsa_region": "SE2321000255-R",
        "skr.default_unit": {"hsa": "SE2321000255-E001"},
        "skr.units": {"Ögonmottagningen Malmö": {"hsa": "SE2321000255-E777", "sjukhus": "41011",
                                                 "sjukhus_namn": "Skånes universitetssjukhus"}},
        "skr.activity_codes": {"P010": "HO100"},
        "reports.min_count": 1,
    }
    for key, value in {**settings, **overrides}.items():
        set_setting(ctx.db, key, value)


@pytest.fixture
def configured(ctx):
    configure(ctx)
    return ctx
