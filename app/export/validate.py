"""Validate an export file against an XSD the user points to (xmlschema, loaded only when asked)."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError


def xsd_namespace(xsd: Path) -> str | None:
    import xmlschema

    return _schema(xsd, xmlschema).target_namespace


def _schema(xsd: Path, xmlschema):
    try:
        return xmlschema.XMLSchema(str(xsd))
    except (OSError, xmlschema.XMLSchemaException) as exc:
        raise InputError("XSD-fil", f"{xsd} kan inte läsas som ett XML-schema: {exc}") from exc


def validation_errors(xml: Path, xsd: Path, limit: int = 10) -> list[str]:
    """The first `limit` problems (Swedish preamble, the validator's own text), or [] when the file is valid."""
    import xmlschema

    schema = _schema(xsd, xmlschema)
    errors = []
    for error in schema.iter_errors(str(xml)):
        errors.append(f"{error.path or ''}: {error.reason or error.message}")
        if len(errors) >= limit:
            break
    return errors
