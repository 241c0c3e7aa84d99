"""A small register: own region Skåne (12), a neighbour (13 Halland) and a private provider."""

from __future__ import annotations

from datetime import date

import pytest

from app import cases, register
from app.identity import luhn_check_digit, make_personnummer
from tests.conftest import TODAY


def org_number(nine: str) -> str:
    return f"{nine[:6]}-{nine[6:]}{luhn_check_digit(nine)}"


def provider(ctx, name: str, region: str, public: bool, nine: str | None = None) -> int:
    return register.save_provider(ctx, register.ProviderData(name, region, public, nine and org_number(nine)))


def unit(ctx, provider_id: int, hsa: str, name: str, region: str, mvo=("311",), activities=(), **extra) -> int:
    return register.save_unit(ctx, register.UnitData(
        f"SE{hsa:0>10}-U{hsa}", name, provider_id, region,
        specialties=list(mvo), activities=list(activities), **extra))


def contract(ctx, provider_id: int, title: str, region: str, services=("311",), valid_from=date(2026, 1, 1),
             valid_to=date(2027, 12, 31), **extra) -> int:
    return register.save_contract(ctx, register.ContractData(
        title, provider_id, region, extra.pop("form", "LOU"), list(services), valid_from, valid_to, **extra))


def capacity(ctx, unit_id: int, wait: int, as_of: date = TODAY, service: str = "311") -> int:
    return register.save_capacity(ctx, register.CapacityData(unit_id, service, as_of, wait))


def open_step(ctx, home_region: str = "12", days_ago: int = 40, activity: str | None = None,
              step: str = "SV_FORSTA_BESOK", serial: int = 421) -> cases.Opened:
    from datetime import timedelta
    return cases.open_case(
        ctx, cases.NewPatient(make_personnummer(date(1958, 3, 14), serial), "Karin Berg", home_region),
        cases.NewCase(step, TODAY - timedelta(days=days_ago), "311", activity=activity))


@pytest.fixture
def patient_step(ctx) -> cases.Opened:
    return open_step(ctx)
