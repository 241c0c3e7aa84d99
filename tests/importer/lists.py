"""Realistic waiting lists as a clinic exports them, for tests and benchmarks."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from app.identity import make_personnummer

HEADINGS = ["Personnummer", "Namn", "Steg", "Remissdatum", "MVO", "Åtgärd", "Kommun", "Väntar hos",
            "Prioritet", "Remiss-id", "Beslutsdatum"]
FIRST = ["Åsa", "Björn", "Märta", "Göran", "Östen", "Ängla", "Karin", "Per", "Sören", "Ylva", "Håkan", "Lena"]
LAST = ["Ström", "Åberg", "Öhman", "Bergström", "Lindqvist", "Ek", "Sjögren", "Nyström", "Hägg", "Ståhl"]
KINDS = [("SV_FORSTA_BESOK", "311", ""), ("SV_BEHANDLING", "311", "P010"), ("SV_BEHANDLING", "511", "P001"),
         ("SV_FORSTA_BESOK", "331", ""), ("SV_BEHANDLING", "301", "P020")]
MUNICIPALITIES = ["1280", "1281", "1283", "1286", "1290", "1214"]


def waiting_rows(count: int, today: date, seed: int = 7) -> list[list[str]]:
    """`count` distinct rows: patients born 1930-2010, started 0-400 days ago, Swedish names. A treatment row
    starts on its decision (Beslutsdatum), weeks after its referral (Remissdatum), as in a clinic's export."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        birth = date(1930, 1, 1) + timedelta(days=index % 29_000)
        pnr = make_personnummer(birth, (index // 29_000) * 7 % 1000)
        step, mvo, activity = KINDS[index % len(KINDS)]
        started = today - timedelta(days=rng.randint(0, 400))
        referral, decision = started, ""
        if step == "SV_BEHANDLING":
            referral, decision = started - timedelta(days=rng.randint(14, 120)), started.isoformat()
        rows.append([f"{pnr[:8]}-{pnr[8:]}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", step, referral.isoformat(),
                     mvo, activity, rng.choice(MUNICIPALITIES), "Ortopedkliniken Malmö", str(rng.randint(1, 4)),
                     f"R{index:07d}", decision])
    return rows


def write_csv(path: Path, rows: list[list[str]], headings: list[str] = HEADINGS, encoding: str = "utf-8",
              delimiter: str = ";") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headings)
        writer.writerows(rows)
    return path
