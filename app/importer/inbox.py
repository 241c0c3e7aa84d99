"""Unattended intake: the lists an EHR drops in a source's inbox folder (a setting of its mapping) are imported
once each, then moved to "klara" or, when nothing could be imported, "misslyckade", each with a receipt beside it:
the counts and messages as text, and the refused rows as .xlsx. `lotsen import --inbox` runs it from a
scheduled task."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.context import AppContext
from app.errors import InputError
from app.importer.mappings import check_columns, inboxes, load_mapping, save_mapping
from app.importer.reading import read_table

DONE, FAILED = "klara", "misslyckade"
SUFFIXES = {".csv", ".txt", ".xlsx"}
SETTLE_SECONDS = 30  # a file changed more recently may still be being written by the EHR


@dataclass(frozen=True)
class Receipt:
    source: str
    file: Path     # where the file is now
    text: str      # what the receipt says
    imported: bool
    rejected: int = 0  # rows refused in an imported file


def run_inboxes(ctx: AppContext, settle: float = SETTLE_SECONDS) -> list[Receipt]:
    """Every mapping's inbox, every file in it once."""
    from app import importer  # the package's import_file; imported here to avoid a cycle

    receipts = []
    for kind, source, folder in inboxes(ctx):
        inbox = Path(folder)
        if not inbox.is_dir():
            receipts.append(Receipt(source, inbox, f"{source}: inkorgen {inbox} finns inte.", False))
            continue
        for path in sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
            if time.time() - path.stat().st_mtime < settle:
                continue
            receipts.append(_one(ctx, importer, kind, source, path))
    return receipts


def _one(ctx: AppContext, importer, kind: str, source: str, path: Path) -> Receipt:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        table = read_table(path)
        columns = load_mapping(ctx, kind, source)
        if not columns:  # an inbox set before any list was mapped: guessed from the headings, then kept
            columns = importer.guess_columns(kind, table.headings)
            check_columns(kind, table, columns)
            save_mapping(ctx, kind, source, columns)
        target = _free(path.parent / DONE / path.name, stamp)
        target.parent.mkdir(exist_ok=True)
        result = importer.import_file(ctx, kind, path, columns, source,
                                      rejected_path=target.with_name(f"{target.stem}-avvisade.xlsx"))
    except InputError as exc:
        target = _free(path.parent / FAILED / path.name, stamp)
        target.parent.mkdir(exist_ok=True)
        path.replace(target)
        text = f"{source}, {path.name}: ingenting importerades. {exc.field}: {exc.message}"
        target.with_name(f"{target.name}.kvitto.txt").write_text(text + "\n", encoding="utf-8-sig")
        return Receipt(source, target, text, False)
    path.replace(target)
    lines = [f"{source}, {path.name}: {result.summary()}", *(p.text() for p in result.problems)]
    target.with_name(f"{target.name}.kvitto.txt").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return Receipt(source, target, lines[0], True, result.rejected_rows)


def _free(target: Path, stamp: str) -> Path:
    """The target, or with the time added when a file of that name was already handled."""
    return target if not target.exists() else target.with_name(f"{target.stem}-{stamp}{target.suffix}")


def summary(receipts: list[Receipt], at: datetime | None = None) -> str:
    """One line for the main window's status bar after a run."""
    when = (at or datetime.now()).strftime("%H:%M")
    if not receipts:
        return f"Inkorgar {when}: inga nya filer."
    imported = sum(r.imported for r in receipts)
    failed = len(receipts) - imported
    rejected = sum(r.rejected for r in receipts)
    parts = [f"{imported} {'lista inläst' if imported == 1 else 'listor inlästa'}"]
    if rejected:
        parts.append(f"{rejected} {'rad avvisad' if rejected == 1 else 'rader avvisade'}")
    if failed:
        parts.append(f"{failed} misslyckades (se kvittot i mappen {FAILED})")
    return f"Inkorgar {when}: " + ", ".join(parts) + "."
