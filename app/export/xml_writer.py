"""Write a Väntetidsdatabasen XML file. Plain string building: fast for 100 000 records and byte-for-byte
deterministic, so that a re-export of an unchanged month differs only in its LeveransReferens timestamp."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from app.export.records import NAMESPACE, ROOT, Kind, Record
from app.reports.months import Month


def render(kind: Kind, month: Month, replacement_id: str, delivery_ref: str, records: Iterable[Record]) -> bytes:
    root = ROOT[kind]
    lines = [(f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NAMESPACE[kind]}" '
              f'ErsattningsId={quoteattr(replacement_id)} LeveransReferens={quoteattr(delivery_ref)}>')]
    body = [record.element for record in records]
    # An empty body is SKR's way of withdrawing what was sent earlier under the same ErsattningsId.
    if body:
        lines.append(f'  <Kontakt DatatGallerFor="{month.first.isoformat()}">')
        lines.append("    " + "\n    ".join(body))
        lines.append("  </Kontakt>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines).encode("utf-8")


def write(path: Path, content: bytes) -> str:
    """Write atomically (a half-written file is never left under the final name); return the sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(content)
    partial.replace(path)
    return hashlib.sha256(content).hexdigest()
