"""`lotsen self-test`: prove that an installed Lotsen works, without touching the user's data.

On a temporary database it runs the migrations, opens a case, writes a letter PDF and a national export, and checks
the export against an XSD when one is given, otherwise against SKR's code lists shipped in the program. It also
checks that Qt starts and that its Swedish texts are there. For regional IT after an install, and for the build.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.context import AppContext
    from app.database import Database

TODAY = date(2026, 11, 22)  # a fixed day inside the shipped rule sets' validity, so the result never drifts
EXPORT_SETTINGS = {
    "skr.region": "12",
    "skr.hsa_region": "SE2321000255-R",
    "skr.default_unit": {"hsa": "SE2321000255-E001"},
    "reports.min_count": 1,
}


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("self-test", parents=[common], help="kontrollera att installationen fungerar",
                                 description="Provkör Lotsen på en tillfällig databas. Dina egna data rörs inte.")
    parser.add_argument("--xsd", type=Path, action="append", default=[],
                        help="validera exporten mot den här XSD-filen (kan anges flera gånger)")
    parser.add_argument("--utan-qt", dest="qt", action="store_false",
                        help="hoppa över kontrollen av Qt (fönstersystem och svenska texter)")
    parser.set_defaults(run=run)


@dataclass
class Trial:
    """The shared state of the checks, which run in order on one temporary database."""

    folder: Path
    xsds: list[Path]
    db: Database | None = None
    ctx: AppContext | None = None
    step_id: int = 0


def run(args: argparse.Namespace, db_path: Path) -> int:
    from ui.cli import lotsen_version

    for xsd in args.xsd:
        if not xsd.is_file():
            print(f"XSD-filen {xsd} finns inte.", file=sys.stderr)
            return 2
    # (name, check, what it needs from the earlier checks)
    checks: list[tuple[str, Callable[[Trial], str], Callable[[Trial], bool]]] = [
        ("Databas och migreringar", _database, lambda t: True),
        ("Ärende", _case, lambda t: t.ctx is not None),
        ("Brev som PDF", _letter, lambda t: t.step_id > 0),
        ("Export till Väntetidsdatabasen", _export, lambda t: t.step_id > 0),
    ]
    if args.qt:
        checks.append(("Qt", _qt, lambda t: True))
    print(f"Självtest av Lotsen {lotsen_version()}")
    failed = 0
    # ignore_cleanup_errors: on Windows a scanner may still hold a file; the check's result is what counts.
    with tempfile.TemporaryDirectory(prefix="lotsen-sjalvtest-", ignore_cleanup_errors=True) as folder:
        trial = Trial(Path(folder), list(args.xsd))
        try:
            for name, check, ready in checks:
                if not ready(trial):
                    print(f"  --   {name}: hoppades över eftersom ett tidigare steg misslyckades")
                    continue
                try:
                    print(f"  OK   {name}: {check(trial)}")
                except Exception as exc:  # noqa: BLE001 (every failure is reported, with its traceback for IT)
                    failed += 1
                    print(f"  FEL  {name}: {_describe(exc)}")
                    traceback.print_exc(file=sys.stderr)
        finally:
            if trial.db is not None:
                trial.db.close()
    if failed:
        print(f"Självtestet misslyckades ({failed} fel). Detaljerna står i felutskriften (stderr).")
        return 1
    print("Självtestet lyckades: Lotsen fungerar på den här datorn.")
    return 0


def _describe(exc: Exception) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"


def _database(trial: Trial) -> str:
    from app.context import sign_in
    from app.database import open_database
    from db import migrate

    trial.db = open_database(trial.folder / "sjalvtest.sqlite")
    current, heads = migrate.current_revisions(trial.db.engine), migrate.head_revisions()
    if current != heads:
        raise RuntimeError(f"databasen står på {sorted(current)}, men den senaste versionen är {sorted(heads)}")
    trial.ctx = sign_in(trial.db, "sjalvtest", "Självtest")
    trial.ctx.today = lambda: TODAY
    return f"en ny databas skapades och migrerades till {', '.join(sorted(heads))}"


def _case(trial: Trial) -> str:
    from app import cases
    from app.identity import make_personnummer

    patient = cases.NewPatient(make_personnummer(date(1958, 3, 14), 123), "Testa Testsson", "12", "1280",
                               street="Provgatan 1", postal_code="211 34", city="Malmö")
    opened = cases.open_case(trial.ctx, patient, cases.NewCase("SV_FORSTA_BESOK", date(2026, 9, 1), "311",
                                                               waiting_unit="Ortopedmottagningen Malmö"))
    trial.step_id = opened.step_id
    return f"ärende {opened.case_id} skapades med en påhittad patient"


def _letter(trial: Trial) -> str:
    from app.letters import LetterType, Sender, generate, set_sender

    set_sender(trial.db, Sender(), trial.ctx.user_id)  # letters need a sender: a made-up one on this trial database
    result = generate(trial.ctx, LetterType.INFORMATION, [trial.step_id], print_file=trial.folder / "brev.pdf",
                      workers=1)
    if not result.letters or result.print_file is None:
        reasons = "; ".join(s.reason for s in result.skipped) or "okänd orsak"
        raise RuntimeError(f"inget brev skrevs ({reasons})")
    content = result.print_file.read_bytes()
    if not content.startswith(b"%PDF-") or b"/FontFile2" not in content:
        raise RuntimeError("PDF-filen är trasig eller saknar de inbäddade typsnitten")
    return f"ett brev skrevs ({len(content) // 1024} kB, med inbäddade typsnitt)"


def _export(trial: Trial) -> str:
    from app.export import export_month
    from app.reports.months import Month
    from app.settings import set_setting

    for key, value in EXPORT_SETTINGS.items():
        set_setting(trial.db, key, value)
    result = export_month(trial.ctx, Month(2026, 10), trial.folder / "export", trial.xsds)
    rows = sum(f.rows for f in result.files)
    if len(result.files) != 2 or rows != 1:
        raise RuntimeError(f"väntade 2 filer med 1 post, fick {len(result.files)} filer med {rows} poster")
    if result.validated_against:
        return f"2 filer skrevs och följer {', '.join(x.name for x in result.validated_against)}"
    for f in result.files:
        problems = code_list_problems(f.path, f.kind)
        if problems:
            raise RuntimeError(f"{f.path.name} följer inte SKR:s kodlistor: " + "; ".join(problems[:5]))
    return "2 filer skrevs och följer SKR:s kodlistor (ingen XSD angavs)"


def code_list_problems(xml: Path, kind) -> list[str]:
    """What in an export file breaks the code lists in app.export.codes: the checks that need no XSD."""
    from app.export import codes
    from app.export.records import NAMESPACE, ROOT, Kind

    root = ET.parse(xml).getroot()
    ns = NAMESPACE[kind]
    if root.tag != f"{{{ns}}}{ROOT[kind]}":
        return [f"rotelementet är {root.tag}, inte {ROOT[kind]} i {ns}"]
    allowed = {
        "Regionkod": set(codes.SKR_REGION.values()), "Kon": set(codes.KON.values()),
        "Fas": {str(n) for n in codes.FAS}, "Avvikelse": set(codes.AVVIKELSE.values()),
        "Vardgaranti": {codes.VARDGARANTI_JA, codes.VARDGARANTI_NEJ},
        "Bokningssatt": {str(n) for n in codes.BOKNINGSSATT}, "Vardkontakt": {str(n) for n in codes.VARDKONTAKT},
        "Yrkeskategori": codes.YRKESKATEGORI,
    }
    required = ["Regionkod", "HSAIdRegion", "HSAIdVardenhet", "VardkontaktId", "Fas", "Mvo", "FodelseAr", "Kon",
                "Lkf", "BeslutAktivitet"] + (["StartAktivitet"] if kind is Kind.COMPLETED else [])
    problems = []
    for n, besok in enumerate(root.iter(f"{{{ns}}}Besok"), 1):
        attributes = besok.attrib
        problems += [f"post {n} saknar {name}" for name in required if name not in attributes]
        problems += [f"post {n}: {name}={attributes[name]!r} finns inte i kodlistan"
                     for name, values in allowed.items() if name in attributes and attributes[name] not in values]
        year = attributes.get("FodelseAr", "")
        if not (year.isdigit() and codes.FIRST_BIRTH_YEAR <= int(year) <= TODAY.year):
            problems.append(f"post {n}: födelseåret {year!r} är inte giltigt")
    return problems


def _qt(trial: Trial) -> str:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication, QStyleFactory

    import ui.main_window  # noqa: F401  every window's module loads (a module missing from a bundle shows here)

    qt_app = QApplication.instance() or QApplication([sys.argv[0]])
    # Loaded into a translator of its own, not installed: the check changes nothing in a running app.
    swedish = QTranslator()
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not swedish.load(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden), "qtbase", "_", path):
        raise RuntimeError(f"Qt:s svenska översättning (qtbase_sv.qm) saknas i {path}")
    if not QStyleFactory.keys():
        raise RuntimeError("Qt hittar inga stilar")
    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    if not {"png", "jpeg"} <= formats:
        raise RuntimeError(f"Qt kan inte läsa PNG och JPEG (bara {', '.join(sorted(formats))})")
    return f"plattform {qt_app.platformName()}, svenska texter och bildformat finns"
