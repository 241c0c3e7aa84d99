"""Shared steps of the protection tests."""

from __future__ import annotations

from datetime import date

from app import cases
from app.identity import make_personnummer

D = date.fromisoformat


def open_case(ctx, name: str = "Karin Berg", born: date = date(1958, 3, 14), serial: int = 421,
              street: str = "Storgatan 1") -> cases.Opened:
    patient = cases.NewPatient(make_personnummer(born, serial), name, "12", "1280", street, "211 34", "Malmö")
    return cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", D("2026-10-01"), "311"))
