"""Letters at batch scale: 1 000 offer letters as one print PDF (target < 2 s) and as 1 000 archived single PDFs
(target < 10 s in total). Builds its own database of 1 000 open cases with a recorded offer each (the shared demo
database has no offers to write about); only the letter work is timed."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from app import cases
from app.context import sign_in
from app.database import open_database
from app.identity import make_personnummer
from app.letters import LetterType, Sender, prepare, set_sender
from app.letters.layout import lay_out
from app.letters.pdf import render_many
from app.letters.service import _archive_paths, _record, _write_all, print_metadata

TODAY = date(2026, 11, 22)
COUNT = 1_000


def _database(folder: Path, count: int):
    db = open_database(folder / "letters-bench.sqlite")
    ctx = sign_in(db, "bench", "Bench")
    ctx.today = lambda: TODAY
    set_sender(db, Sender(), ctx.user_id)  # letters are refused until the region has set its sender
    step_ids = []
    for n in range(count):
        patient = cases.NewPatient(
            id_number=make_personnummer(date(1940 + n % 60, 1 + n % 12, 1 + n % 28), 100 + n % 800),
            name=f"Patient Åström {n}", home_region="12", municipality="1280", street=f"Storgatan {n % 90 + 1}",
            postal_code="211 34", city="Malmö", language="en" if n % 10 == 0 else "sv",
        )
        opened = cases.open_case(ctx, patient, cases.NewCase("SV_FORSTA_BESOK", date(2026, 10, 1 + n % 28), "311"))
        cases.make_offer(ctx, opened.step_id, TODAY, date(2026, 12, 14), date(2026, 12, 2),
                         "Ortopedkliniken Ystad", "Mottagning 2", "Kristianstadsvägen 10, 271 33 Ystad")
        step_ids.append(opened.step_id)
    return ctx, step_ids


def bench_offer_letters(bench) -> list[dict]:
    folder = Path(bench.tmp) / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    ctx, step_ids = _database(folder, COUNT)
    clock = _Clock()

    prepared = clock.time("read and compose", lambda: prepare(ctx, LetterType.OFFER, step_ids))
    layouts = clock.time("layout", lambda: [lay_out(job.content) for job in prepared.jobs])
    meta = print_metadata(ctx, LetterType.OFFER, len(layouts))
    data = clock.time("print PDF", lambda: render_many(layouts, meta))
    (folder / "print.pdf").write_bytes(data)
    jobs = list(zip(layouts, [job.meta for job in prepared.jobs], _archive_paths(ctx, prepared.jobs), strict=True))
    written = clock.time("archived PDFs", lambda: _write_all(jobs, None, None))
    clock.time("record", lambda: [_record(ctx, job, done) for job, done in zip(prepared.jobs, written, strict=True)])
    ctx.db.close()
    assert len(written) == COUNT and not prepared.skipped, prepared.skipped[:3]
    t = clock.seconds
    return [
        {"name": "letters: 1 000 offer letters, combined print PDF (layout + PDF)",
         "value": round(t["layout"] + t["print PDF"], 3), "unit": "s"},
        {"name": "letters: 1 000 archived single PDFs (render + write, all cores)", "value": round(t["archived PDFs"], 3),
         "unit": "s"},
        {"name": "letters: read and compose 1 000 letters", "value": round(t["read and compose"], 3), "unit": "s"},
        {"name": "letters: record 1 000 letters on the timeline", "value": round(t["record"], 3), "unit": "s"},
        {"name": "letters: whole batch (read, layout, print PDF, archive, record)",
         "value": round(sum(t.values()), 3), "unit": "s"},
        {"name": "letters: print PDF size", "value": round(len(data) / 1e6, 2), "unit": "MB"},
    ]


class _Clock:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    def time(self, name, fn):
        started = time.perf_counter()
        result = fn()
        self.seconds[name] = time.perf_counter() - started
        return result


BENCHMARKS = {"offer_letters": bench_offer_letters}


if __name__ == "__main__":
    import tempfile
    from types import SimpleNamespace

    with tempfile.TemporaryDirectory() as tmp:
        for figure in bench_offer_letters(SimpleNamespace(tmp=tmp, db_path=None)):
            print(f"{figure['name']}: {figure['value']} {figure['unit']}")
