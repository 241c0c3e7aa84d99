"""Import capacity and contract lists from colleagues into the register, with the register's own checks and
change history. Re-importing updates: capacity by unit, service and date; contracts by provider and title."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import AppContext
from app.errors import InputError
from app.importer.fields import CAPACITY, CONTRACTS
from app.importer.reading import Table
from app.importer.report import Problem, Result
from app.importer.rows import Row, rows
from app.register import checks, services
from app.register.history import shown
from db.register import CapacityReport, CareUnit, Contract, Provider

FORMS = {**{k.casefold(): k for k in services.CONTRACT_FORMS},
         **{v.casefold(): k for k, v in services.CONTRACT_FORMS.items()},
         "egen regi": "egen_regi", "nationella taxan": "nationella_taxan"}


def _checked(row: Row, build) -> dict | None:
    """The register's checks for one row; their InputError becomes a problem in the matching column."""
    if row.problems:
        return None
    try:
        return build()
    except InputError as exc:
        row.problem(row.key_for(exc.field), exc.message)
        return None


def import_capacity(ctx: AppContext, table: Table, columns: dict[str, str], source: str, result: Result,
                    dry_run: bool = False) -> None:
    today = ctx.today()
    parsed: list[tuple[Row, str, dict]] = []
    for row in rows(table, CAPACITY, columns, today):
        hsa = row.required("hsa_id").upper()
        data = services.CapacityData(0, row.required("service"), row.date("as_of"), row.number_of("wait_days"),
                                     row.number_of("free_slots"), row.date("period_from"), row.date("period_to"),
                                     row.text("source") or source)
        values = _checked(row, lambda d=data: services.capacity_values(d, today))
        _keep(row, (row, hsa, values), parsed, result)
    with _transaction(ctx, dry_run) as session:
        units = dict(session.execute(select(CareUnit.hsa_id, CareUnit.id)).all())
        for row, hsa, values in parsed:
            if hsa not in units:
                row.problem("hsa_id", f"enheten {hsa} finns inte i registret. Lägg in enheten först.")
                result.problems.extend(row.problems)
                continue
            values["unit_id"] = units[hsa]
            existing = session.scalar(select(CapacityReport).where(
                CapacityReport.unit_id == values["unit_id"], CapacityReport.service == values["service"],
                CapacityReport.as_of == values["as_of"]))
            _store(session, ctx, existing, values, services.store_capacity, result)


def import_contracts(ctx: AppContext, table: Table, columns: dict[str, str], source: str, result: Result,
                     dry_run: bool = False) -> None:
    today = ctx.today()
    parsed: list[tuple[Row, dict, dict]] = []
    for row in rows(table, CONTRACTS, columns, today):
        form_text = row.required("form")
        form = FORMS.get(form_text.casefold(), form_text)
        open_regions = checks.split_codes(row.text("open_regions"))
        provider = {"name": row.required("provider_name"), "org_number": row.required("org_number"),
                    "region": row.required("region").zfill(2), "hsa_id": row.text("hsa_id").upper()}
        data = services.ContractData(
            row.required("title"), 0, provider["region"], form, checks.split_codes(row.required("services")),
            row.date("valid_from"), row.date("valid_to"), None, row.date("renewal_on"), row.number_of("volume_ceiling"),
            row.number_of("volume_used") or 0, {}, bool(open_regions), [c.zfill(2) for c in open_regions if c != "*"],
            row.text("other_region_terms") or None, row.text("excluded_groups") or None,
            row.text("document_ref") or None)

        def build(d=data, p=provider) -> dict:
            p["org_number"] = checks.org_number(p["org_number"])
            return services.contract_values(d)

        _keep(row, (row, provider, _checked(row, build)), parsed, result)
    with _transaction(ctx, dry_run) as session:
        providers = dict(session.execute(select(Provider.org_number, Provider.id)).all())
        units = {hsa: (uid, pid) for hsa, uid, pid in session.execute(
            select(CareUnit.hsa_id, CareUnit.id, CareUnit.provider_id))}
        for row, provider, values in parsed:
            if provider["org_number"] not in providers:  # a new private provider, as the list names it
                providers[provider["org_number"]] = services.store_provider(session, ctx, services.ProviderData(
                    provider["name"], provider["region"], False, provider["org_number"]), None)
            values["provider_id"] = providers[provider["org_number"]]
            if provider["hsa_id"]:
                unit = units.get(provider["hsa_id"])
                if unit is None or unit[1] != values["provider_id"]:
                    row.problem("hsa_id", f"enheten {provider['hsa_id']} finns inte hos vårdgivaren "
                                          f"{provider['org_number']} i registret.")
                    result.problems.extend(row.problems)
                    continue
                values["unit_id"] = unit[0]
            existing = session.scalar(select(Contract).where(Contract.provider_id == values["provider_id"],
                                                             Contract.title == values["title"]))
            _store(session, ctx, existing, values, services.store_contract, result)


class _Undo(Exception):
    """Ends a preview: the same checks as an import, then everything rolled back."""


@contextmanager
def _transaction(ctx: AppContext, dry_run: bool) -> Iterator[Session]:
    try:
        with ctx.db.transaction() as session:
            yield session
            if dry_run:
                raise _Undo
    except _Undo:
        pass


def _keep(row: Row, item: tuple, parsed: list, result: Result) -> None:
    if row.problems or item[-1] is None:
        result.problems.extend(row.problems)
    else:
        parsed.append(item)


def _store(session, ctx: AppContext, existing, values: dict, store, result: Result) -> None:
    if existing is None:
        store(session, ctx, values, None)
        result.created += 1
    elif any(shown(getattr(existing, k)) != shown(v) for k, v in values.items()):
        store(session, ctx, values, existing.id)
        result.updated += 1
    else:
        result.unchanged += 1


__all__ = ["Problem", "import_capacity", "import_contracts"]
