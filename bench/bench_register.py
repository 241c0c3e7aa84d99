"""Benchmarks of the register and the importer: importing 100 000 waiting-list rows (< 30 s) and finding
candidates among 5 000 units and 5 000 contracts (< 100 ms)."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from app import importer, register
from app.context import sign_in
from app.database import open_database
from app.identity import make_personnummer
from db.register import CapacityReport, CareUnit, Contract, Provider, UnitService

TODAY = date(2026, 11, 22)
REGIONS = ["12", "13", "07", "14", "01"]
SPECIALTIES = ["311", "331", "511", "301", "321"]


def import_waiting_list(bench) -> list[dict]:
    from tests.importer.lists import waiting_rows, write_csv

    db = open_database(Path(bench.tmp) / "import.sqlite")
    ctx = sign_in(db, "bench")
    ctx.today = lambda: TODAY
    path = write_csv(Path(bench.tmp) / "vantelista.csv", waiting_rows(100_000, TODAY), encoding="cp1252")
    table = importer.read_table(path)
    columns = importer.guess_columns("waiting-list", table.headings)
    started = time.perf_counter()
    result = importer.import_file(ctx, "waiting-list", path, columns, "bench")
    first = time.perf_counter() - started
    assert result.created == 100_000, result.summary()
    started = time.perf_counter()
    again = importer.import_file(ctx, "waiting-list", path, columns, "bench")
    second = time.perf_counter() - started
    assert again.unchanged == 100_000, again.summary()
    db.close()
    return [{"name": "import 100 000 väntelisterader (nya)", "value": round(first, 2), "unit": "s"},
            {"name": "återimport 100 000 väntelisterader (oförändrade)", "value": round(second, 2), "unit": "s"}]


def find_candidates(bench) -> list[dict]:
    db = open_database(Path(bench.tmp) / "register.sqlite")
    ctx = sign_in(db, "bench")
    ctx.today = lambda: TODAY
    fill_register(db, 5_000, 5_000)
    from app import cases

    opened = cases.open_case(ctx, cases.NewPatient(make_personnummer(date(1960, 5, 5), 123), "Test Testsson", "12"),
                             cases.NewCase("SV_FORSTA_BESOK", TODAY - timedelta(days=40), "311"))
    register.find_candidates(ctx, opened.step_id)  # warm caches
    times = []
    for _ in range(20):
        started = time.perf_counter()
        search = register.find_candidates(ctx, opened.step_id)
        times.append(time.perf_counter() - started)
    db.close()
    times.sort()
    return [{"name": f"hitta vårdgivare bland 5 000 enheter och avtal ({len(search.candidates)} bedömda), median",
             "value": round(times[len(times) // 2] * 1000, 1), "unit": "ms"},
            {"name": "hitta vårdgivare, sämsta av 20", "value": round(times[-1] * 1000, 1), "unit": "ms"}]


def fill_register(db, units: int, contracts: int, seed: int = 4) -> None:
    rng = random.Random(seed)
    with db.transaction() as session:
        session.execute(insert(Provider), [{"name": f"Vårdgivare {i}", "org_number": None, "public": i < 5,
                                            "region_code": REGIONS[i % 5]} for i in range(500)])
        session.execute(insert(CareUnit), [
            {"hsa_id": f"SE{i:010d}-B", "name": f"Enhet {i}", "provider_id": 1 + i % 500,
             "region_code": REGIONS[(i % 500) % 5], "accepts_other_regions": rng.random() < 0.5,
             "referral_required": False} for i in range(units)])
        session.execute(insert(UnitService), [{"unit_id": 1 + i, "kind": "mvo", "code": SPECIALTIES[i % 5]}
                                              for i in range(units)])
        session.execute(insert(Contract), [
            {"title": f"Avtal {i}", "provider_id": 1 + i % 500, "unit_id": 1 + i if i % 2 else None,
             "region_code": REGIONS[i % 5], "form": "LOU", "services": [SPECIALTIES[i % 5]],
             "valid_from": date(2025, 1, 1), "valid_to": date(2026, 6, 1) if i % 7 == 0 else date(2027, 12, 31),
             "volume_ceiling": None, "volume_used": 0, "prices": {}, "open_to_other_regions": i % 3 == 0,
             "open_regions": []} for i in range(contracts)])
        session.execute(insert(CapacityReport), [
            {"unit_id": 1 + i, "service": SPECIALTIES[i % 5], "wait_days": rng.randint(5, 120),
             "as_of": TODAY - timedelta(days=rng.randint(0, 90))} for i in range(units)])


BENCHMARKS = {"import_waiting_list": import_waiting_list, "find_candidates": find_candidates}
