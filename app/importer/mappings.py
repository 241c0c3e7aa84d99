"""Column mappings, remembered per source: the name the user gives a clinic's or colleague's list."""

from __future__ import annotations

from sqlalchemy import select

from app.context import AppContext
from app.errors import InputError
from app.importer.fields import FIELDS, KIND_LABELS, WAITING_LIST
from app.importer.reading import Table
from app.importer.start_dates import DATE_FIELDS
from app.text_input import check_text, limit_of
from db.models import utcnow
from db.register import ImportMapping


def save_mapping(ctx: AppContext, kind: str, name: str, columns: dict[str, str],
                 whole_list: bool | None = None, inbox: str | None = None) -> None:
    """`whole_list`: the source's lists hold all its waiting patients; `inbox`: the folder its lists arrive in
    ("" for none). None leaves a setting as it is."""
    if inbox is not None:
        check_text(inbox, "Inkorg", limit_of(ImportMapping.inbox))
    check_text(name, "Källa", limit_of(ImportMapping.name))
    if not name.strip():
        raise InputError("Källa", "ge kopplingen ett namn, till exempel klinikens namn.")
    known = {f.key for f in FIELDS[kind]}
    columns = {key: heading for key, heading in columns.items() if key in known and heading}
    with ctx.db.transaction() as session:
        row = session.scalar(select(ImportMapping).where(ImportMapping.kind == kind,
                                                         ImportMapping.name == name.strip()))
        if row is None:
            row = ImportMapping(kind=kind, name=name.strip())
            session.add(row)
        row.columns, row.changed_by, row.changed_at = columns, ctx.user_id, utcnow()
        if whole_list is not None:
            row.whole_list = whole_list
        if inbox is not None:
            row.inbox = inbox.strip() or None


def inboxes(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(kind, source, folder) of every mapping with an inbox folder."""
    with ctx.db.transaction() as session:
        return [tuple(row) for row in session.execute(
            select(ImportMapping.kind, ImportMapping.name, ImportMapping.inbox)
            .where(ImportMapping.inbox.is_not(None)).order_by(ImportMapping.kind, ImportMapping.name))]


def inbox_of(ctx: AppContext, kind: str, name: str) -> str:
    """The source's inbox folder, "" when it has none."""
    with ctx.db.transaction() as session:
        return session.scalar(select(ImportMapping.inbox).where(ImportMapping.kind == kind,
                                                                ImportMapping.name == name.strip())) or ""


def is_whole_list(ctx: AppContext, kind: str, name: str) -> bool:
    with ctx.db.transaction() as session:
        return bool(session.scalar(select(ImportMapping.whole_list).where(ImportMapping.kind == kind,
                                                                          ImportMapping.name == name.strip())))


def load_mapping(ctx: AppContext, kind: str, name: str) -> dict[str, str] | None:
    check_text(name, "Källa", limit_of(ImportMapping.name))  # e.g. an undecodable command-line argument
    with ctx.db.transaction() as session:
        row = session.scalar(select(ImportMapping).where(ImportMapping.kind == kind,
                                                         ImportMapping.name == name.strip()))
        return None if row is None else dict(row.columns)


def mapping_names(ctx: AppContext, kind: str) -> list[str]:
    with ctx.db.transaction() as session:
        return list(session.scalars(select(ImportMapping.name).where(ImportMapping.kind == kind)
                                    .order_by(ImportMapping.name)))


def check_columns(kind: str, table: Table, columns: dict[str, str]) -> None:
    """Every required field mapped to a heading the file has; otherwise nothing can be imported."""
    missing = []
    for spec in FIELDS[kind]:
        heading = columns.get(spec.key)
        if heading and heading not in table.headings:
            missing.append(f"”{heading}” ({spec.label})")
        elif spec.required and not heading:
            missing.append(f"{spec.label}")
    if kind == WAITING_LIST and not any(columns.get(key) for key in DATE_FIELDS):
        labels = {f.key: f.label for f in FIELDS[kind]}
        missing.append("ett startdatum (" + ", ".join(labels[key] for key in DATE_FIELDS[:-1])
                       + f" eller {labels[DATE_FIELDS[-1]]})")
    if missing:
        raise InputError("Kolumner", f"filen ({KIND_LABELS[kind].lower()}) saknar " + ", ".join(missing)
                         + ". Filen har kolumnerna " + ", ".join(f"”{h}”" for h in table.headings)
                         + ". Välj rätt kolumn för varje fält; ingenting har importerats.")
