"""A deterministic synthetic region: demo users, patients, open and closed cases and their timelines.

Same seed and same `today` give the same rows. The work is split into chunks, each with its own random stream
and its own local ids, so the result does not depend on how many processes build it: a chunk is generated
(patients, cases, events, and the real clock for every step) in a worker process, and the main process inserts
it, turning local ids into global ones in the INSERT itself (`? + offset`). Values are rendered as SQLAlchemy
stores them on SQLite (ISO dates, 0/1 booleans, json.dumps details), so the ORM reads the rows like its own.
"""

from __future__ import annotations

import json
import logging
import marshal
import math
import multiprocessing
import os
import sys
import time
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import chain, compress
from operator import is_not, itemgetter
from random import Random

from sqlalchemy import Connection, func, select

from app import reference
from app.cases import CLOSE_REASONS, Note
from app.database import Database
from app.demo_register import RegisterStats, generate_register
from app.guarantee import Answer, ClockEvent, EventKind, PauseKind, RuleBook, evaluate
from app.identity import IdKind, make_personnummer
from app.letters.sender import KEY as SENDER_KEY
from app.letters.sender import Sender
from app.register.settings import OWN_REGION
from app.settings import RULES, effective_rule_book, store_setting
from app.steps import cache_columns
from app.worklist_read_model import steps_in_bulk
from db.backend import copy_rows, move_sequences
from db.models import Base, Case, CaseEvent, Patient, Setting, Step, User, search_form
from db.register import CareUnit
from db.sqlite_file import driver_errors

log = logging.getLogger(__name__)

# --- sizes and shares ---

MAX_CHUNKS = 48         # at most SERIAL_SLOTS (see _Chunk.id_number)
SERIAL_SLOTS = 49       # birth number = n * 49 + chunk: no two chunks make the same personnummer
CHUNK_CASES = 2_500     # the smallest chunk worth a progress report
PARALLEL_FROM = 20_000  # cases; below this a process pool costs more than it saves
INSERT_BATCH = 20_000
HISTORY_DAYS = 4 * 365  # closed cases reach back about four years
CACHE_KIB = 131_072     # SQLite page cache while generating

# Days waited by open steps, like the national statistics: ~55 % ≤ 60, ~20 % 61-90, ~25 % > 90, of them
# ~12 % > 150, ~4 % > 365 and a handful beyond two years.
WAIT_BANDS = ((0.55, 0, 60), (0.20, 61, 90), (0.13, 91, 150), (0.08, 151, 365), (0.039, 366, 730),
              (0.001, 731, 900))
OPEN_SCENARIOS = {"normal": 0.945, "mov": 0.03, "pvv": 0.02, "restart": 0.005}
# The first open cases of a database show every state even in a tiny demo: (scenario, days waited).
FORCED_OPEN = (("pvv", 40), ("mov", 70), ("restart", 20), ("normal", 130), ("normal", 82), ("normal", 66),
               ("normal", 12))

# --- people and places (fictional) ---

FEMALE = ("Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin", "Marie", "Malin",
          "Ingrid", "Hanna", "Linda", "Elin", "Sofia", "Annika", "Birgitta", "Susanne", "Johanna", "Inger",
          "Ida", "Margareta", "Elisabeth", "Ulla", "Camilla", "Julia", "Louise", "Jenny", "Helena", "Monica",
          "Åsa", "Gunilla", "Ebba", "Wilma", "Alice", "Maja", "Elsa", "Astrid", "Fatima", "Amina", "Leila")
MALE = ("Lars", "Mikael", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Thomas", "Jan", "Daniel",
        "Fredrik", "Hans", "Andreas", "Stefan", "Mats", "Marcus", "Magnus", "Bengt", "Jonas", "Mattias",
        "Nils", "Bo", "Alexander", "Oskar", "Sven", "Leif", "Göran", "Björn", "Ulf", "Gustav", "Henrik",
        "William", "Liam", "Noah", "Hugo", "Lucas", "Elias", "Ahmed", "Mohammed", "Ali", "Omar")
LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
        "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist", "Lindgren", "Berg",
        "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund",
        "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund",
        "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
        "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren",
        "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Ali", "Mohamed",
        "Ahmed", "Hassan", "Pålsson", "Åberg", "Öberg", "Ekström", "Holmgren", "Sundberg", "Hedlund")
STREETS = ("Storgatan", "Kyrkogatan", "Drottninggatan", "Skolgatan", "Järnvägsgatan", "Ringvägen",
           "Björkvägen", "Tallvägen", "Ekvägen", "Parkvägen", "Lärkvägen", "Granvägen", "Villavägen",
           "Solvägen", "Ängsvägen", "Hamngatan", "Nygatan", "Östergatan", "Västergatan", "Södra vägen",
           "Kvarngatan", "Smedjegatan", "Bokvägen", "Lindvägen", "Rosenvägen", "Syrenvägen", "Backavägen",
           "Torggatan", "Åkervägen", "Bäckvägen")
# First three digits of postal codes, roughly by region (a demo needs plausible, not exact, codes).
POSTAL_PREFIX = {"01": (100, 199), "03": (740, 759), "04": (610, 649), "05": (580, 619), "06": (550, 579),
                 "07": (340, 364), "08": (380, 399), "09": (620, 624), "10": (370, 379), "12": (200, 299),
                 "13": (300, 319), "14": (400, 549), "17": (650, 689), "18": (690, 719), "19": (720, 739),
                 "20": (770, 799), "21": (800, 829), "22": (850, 899), "23": (830, 849), "24": (900, 939),
                 "25": (940, 989)}
# Mobile numbers from the series PTS keeps for fiction (070-174 06 05 to 070-174 06 99): never a real line.
PHONES = tuple(f"070-174 06 {n:02d}" for n in range(5, 100))
CASE_WORKERS = ("Karin Lindqvist", "Johan Bergström", "Elin Nyberg", "Fatima Hassan", "Anders Holm",
                "Maria Sandberg", "Leila Karimi", "Per Åkesson")
WORKER_WEIGHTS = (16, 15, 14, 14, 12, 11, 10, 8)
UNASSIGNED_SHARE = 0.15  # open cases not yet taken by a case worker
ADDRESS_POOL = 4_000     # street addresses per chunk
RETURNING_SHARE = 0.2    # cases of a patient who already has one

# Where patients wait, per region: its hospitals, with a clinic per MVO in front (CLINIC).
HOSPITALS = {
    "01": ("Karolinska Universitetssjukhuset", "Södersjukhuset", "Danderyds sjukhus", "S:t Görans sjukhus"),
    "03": ("Akademiska sjukhuset", "Lasarettet i Enköping"),
    "04": ("Mälarsjukhuset", "Kullbergska sjukhuset", "Nyköpings lasarett"),
    "05": ("Universitetssjukhuset i Linköping", "Vrinnevisjukhuset", "Lasarettet i Motala"),
    "06": ("Länssjukhuset Ryhov", "Höglandssjukhuset", "Värnamo sjukhus"),
    "07": ("Centrallasarettet Växjö", "Ljungby lasarett"),
    "08": ("Länssjukhuset i Kalmar", "Västerviks sjukhus", "Oskarshamns sjukhus"),
    "09": ("Visby lasarett",),
    "10": ("Blekingesjukhuset Karlskrona", "Blekingesjukhuset Karlshamn"),
    "12": ("Skånes universitetssjukhus", "Helsingborgs lasarett", "Centralsjukhuset Kristianstad",
           "Ystads lasarett", "Hässleholms sjukhus", "Landskrona lasarett", "Trelleborgs lasarett"),
    "13": ("Hallands sjukhus Halmstad", "Hallands sjukhus Varberg", "Hallands sjukhus Kungsbacka"),
    "14": ("Sahlgrenska Universitetssjukhuset", "Skaraborgs sjukhus Skövde", "Södra Älvsborgs sjukhus",
           "NU-sjukvården Uddevalla"),
    "17": ("Centralsjukhuset Karlstad", "Arvika sjukhus", "Torsby sjukhus"),
    "18": ("Universitetssjukhuset Örebro", "Karlskoga lasarett", "Lindesbergs lasarett"),
    "19": ("Västmanlands sjukhus Västerås", "Köpings lasarett"),
    "20": ("Falu lasarett", "Mora lasarett", "Avesta lasarett"),
    "21": ("Gävle sjukhus", "Hudiksvalls sjukhus", "Bollnäs sjukhus"),
    "22": ("Sundsvalls sjukhus", "Örnsköldsviks sjukhus", "Sollefteå sjukhus"),
    "23": ("Östersunds sjukhus",),
    "24": ("Norrlands universitetssjukhus", "Skellefteå lasarett", "Lycksele lasarett"),
    "25": ("Sunderby sjukhus", "Gällivare sjukhus", "Piteå älvdals sjukhus"),
}
CLINIC = {"107": "Gastroenterologiska mottagningen", "121": "Lungmottagningen", "131": "Hjärtmottagningen",
          "141": "Endokrinologiska mottagningen", "151": "Reumatologiska mottagningen",
          "211": "Hudmottagningen", "221": "Neurologiska mottagningen", "301": "Kirurgiska mottagningen",
          "311": "Ortopedmottagningen", "321": "Handkirurgiska mottagningen",
          "331": "Urologiska mottagningen",
          "341": "Thoraxkirurgiska mottagningen", "351": "Kärlkirurgiska mottagningen",
          "361": "Plastikkirurgiska mottagningen", "371": "Neurokirurgiska mottagningen",
          "451": "Kvinnokliniken", "511": "Ögonmottagningen", "521": "Öron-, näs- och halsmottagningen",
          "901": "Psykiatriska mottagningen", "960": "BUP-mottagningen"}
# Specialised care, weighted towards the big waiting lists.
MVO_WEIGHTS = {"311": 16, "511": 13, "521": 10, "301": 10, "451": 9, "211": 8, "331": 6, "901": 6, "131": 4,
               "107": 4, "221": 3, "321": 3, "151": 2, "141": 2, "121": 2, "351": 2, "361": 1, "371": 1}
BUP_MVO = "960"
PRIMARY_CARE_MVO = "011"
BUP_ACTIVITY = {"BUP_UTREDNING": "P090", "BUP_BEHANDLING": "P091"}
PRIORITIES = ((None, 20), ("1", 10), ("2", 30), ("3", 30), ("4", 10))
# Providers offering care elsewhere (fictional clinics and other regions' hospitals).
PROVIDERS = (
    ("Kliniken Stortorget AB", "Dagkirurgiska enheten", "Stortorget 3, 211 34 Malmö"),
    ("Öresundskliniken", "Specialistmottagningen", "Hamngatan 8, 252 21 Helsingborg"),
    ("Linnékliniken Lund", "Mottagningen", "Linnégatan 5, 223 63 Lund"),
    ("Region Halland", "Hallands sjukhus Halmstad", "Lasarettsvägen 4, 302 33 Halmstad"),
    ("Region Blekinge", "Blekingesjukhuset Karlskrona", "Vämövägen 12, 371 41 Karlskrona"),
    ("Västkustens specialistvård AB", "Dagkirurgi", "Kungsgatan 21, 411 19 Göteborg"),
    ("Smålandskliniken", "Specialistmottagningen", "Norra Esplanaden 7, 352 31 Växjö"),
)
OUTCOMES = ("Patienten står kvar i kön", "Nådde inte patienten, lämnat meddelande",
            "Informerat om väntetiden", "Hälsoläget oförändrat, vill vänta kvar",
            "Patienten önskar vård hos annan vårdgivare", "Bekräftat adress och telefonnummer",
            "Patienten har fått en tid", "Besvarat frågor om remissen")
CHANNEL_WEIGHTS = {"telefon": 55, "brev": 20, "1177": 20, "besok": 5}
INFORMED_HOW = ("brev", "1177", "telefon")
MOV_REASONS = ("Behöver gå ner i vikt före operationen", "Inväntar provsvar", "Annan sjukdom behandlas först",
               "Pågående cancerbehandling", "Graviditet", "Infektion som behöver läka först")
SOV_REASONS = ("Familjen har flyttat tillfälligt", "Inväntar skolans underlag")
NOTES = ("Patienten vill helst ha tid på förmiddagen.", "Tolk behövs vid besök (arabiska).",
         "Behöver tillgänglig mottagning, använder rullstol.", "Remissen kompletterad med röntgensvar.",
         "Anhörig ringde och frågade om väntetiden.", "Patienten kan ta tid med kort varsel.")
STOP_REASONS = tuple(r for r in CLOSE_REASONS if r != "genomford")
TARGET_DAYS = (30, 60, 90, 180, 365)  # medicinskt måldatum of return visits, days after the decision
PERSONNUMMER, SAMORDNINGSNUMMER = IdKind.PERSONNUMMER.value, IdKind.SAMORDNINGSNUMMER.value

# --- the columns written ---

PATIENT_COLUMNS = ("id", "id_number", "id_kind", "name", "search_name", "street", "postal_code", "city",
                   "protected_identity", "language", "representative_kind", "representative_name",
                   "representative_address", "home_region_code", "municipality_code", "sex", "birth_year",
                   "phone", "created_at")
CASE_COLUMNS = ("id", "patient_id", "specialty_code", "activity_code", "waiting_unit", "medical_priority",
                "assigned_user_id", "opened_on", "closed_on", "close_reason", "version", "created_at")
STEP_COLUMNS = ("id", "case_id", "code", "started_on", "target_date")  # then app.steps.cache_columns()
# Which columns hold local ids, and whose id range they refer to.
ID_COLUMNS = {
    Patient.__tablename__: {"id": "patient"},
    Case.__tablename__: {"id": "case", "patient_id": "patient"},
    Step.__tablename__: {"id": "step", "case_id": "case"},
    CaseEvent.__tablename__: {"id": "event", "case_id": "case", "step_id": "step", "offer_id": "event"},
}


@dataclass(frozen=True)
class DemoStats:
    users: int
    patients: int
    open_cases: int
    closed_cases: int
    steps: int
    events: int
    seconds: float
    units: int = 0  # the register's care units (app.demo_register); 0 when a register was already there
    capacity_reports: int = 0


class NotEmpty(ValueError):
    """The database already has patients: demo data never goes in beside them."""


def generate(db: Database, open_cases: int, closed_cases: int, *, seed: int = 2026, today: date,
             region: str = "12", progress: Callable[[int, int], None] | None = None,
             workers: int | None = None) -> DemoStats:
    """Fill an empty, migrated database with a synthetic region. `workers`: processes that build chunks
    (None: chosen from the size; 1: all in this process). The data is the same for any number of workers."""
    if open_cases < 0 or closed_cases < 0:
        raise ValueError("case counts cannot be negative")
    if region not in {r.code for r in reference.regions()}:
        raise ValueError(f"unknown region {region!r}")
    started = time.perf_counter()
    total = open_cases + closed_cases
    with db.transaction() as session:
        overrides = session.get(Setting, RULES)
    # The book the app itself will use (sign_in), so that the cached columns match its clocks.
    plans = _plan(seed, today, region, open_cases, closed_cases,
                  effective_rule_book(overrides.value if overrides else None))
    with db.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Patient)):
            raise NotEmpty("demo data goes into an empty database; this one already has patients")
        conn.commit()
        saved = _bulk_pragmas(conn) if conn.dialect.name == "sqlite" else {}
        try:
            with conn.begin(), steps_in_bulk(conn):
                user_ids = _users(conn, today)
                plans = [replace(p, user_ids=user_ids) for p in plans]
                done = 0
                totals = {"patient": 0, "case": 0, "step": 0, "event": 0}
                for chunk in _built(plans, _workers(workers, total)):
                    _insert_chunk(conn, chunk, totals)
                    for name, n in chunk.counts.items():
                        totals[name] += n
                    done += chunk.cases
                    if progress:
                        progress(done, total)
                move_sequences(conn, Base.metadata.sorted_tables)  # the rows came with their ids
        finally:
            _restore_pragmas(conn, saved)
    _demo_activity_codes(db)
    _demo_export_and_sender(db, region)
    register = _demo_register(db, seed, today, region)
    return DemoStats(users=len(user_ids), patients=totals["patient"], open_cases=open_cases,
                     closed_cases=closed_cases, steps=totals["step"], events=totals["event"],
                     seconds=time.perf_counter() - started, units=register.units if register else 0,
                     capacity_reports=register.capacity_reports if register else 0)


DEMO_ACTIVITY_PREFIX = "DM"  # "demo": P001 -> DM001, made up, not taken from any SKR list


def _demo_activity_codes(db: Database) -> None:
    """The demo's SKR activity codes (setting skr.activity_codes), made up and visibly so. Lotsen's activity codes
    are placeholders (resources/reference/activities.toml) until a region maps them to SKR's; without a mapping
    the export of demo data would list every operation as lacking its code. A mapping already set is kept."""
    with db.transaction() as session:
        if session.get(Setting, "skr.activity_codes") is None:
            codes = {a.code: DEMO_ACTIVITY_PREFIX + a.code[1:] for a in reference.activities() if len(a.code) == 4}
            store_setting(session, "skr.activity_codes", codes, None)


DEMO_HSA = "SE0000000000-DEMO"  # zeros and DEMO: no real HSA-id looks like it


def _demo_export_and_sender(db: Database, region: str) -> None:
    """The demo's letter sender and national-export codes, made up and visibly so, so that `lotsen demo` then
    `lotsen export` and letters work without a first-start guide. Settings already made are kept."""
    with db.transaction() as session:
        units = sorted(session.scalars(select(Case.waiting_unit).distinct().where(Case.waiting_unit.is_not(None))))
        values = {
            SENDER_KEY: asdict(Sender(region="Region Exempel (påhittad)", unit="Vårdlotsen (demo)",
                                      street="Box 0000", postal_code="000 00", city="Demostad",
                                      phone="000-000 00 00", signature="Lotta Lots (påhittad), vårdlots")),
            "skr.region": region,
            "skr.hsa_region": f"{DEMO_HSA}REGION",
            "skr.units": {name: {"hsa": f"{DEMO_HSA}{n:03d}"} for n, name in enumerate(units, start=1)},
        }
        for key, value in values.items():
            if session.get(Setting, key) is None:
                store_setting(session, key, value, None)


def _demo_register(db: Database, seed: int, today: date, region: str) -> RegisterStats | None:
    """The demo's provider register, unless the database already has one (a region's own, imported); the demo
    region becomes the own region of the register's searches when none is set."""
    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(CareUnit)):
            return None
        if session.get(Setting, OWN_REGION[0]) is None and region != OWN_REGION[1]:
            store_setting(session, OWN_REGION[0], region, None)
        return generate_register(session, seed=seed, today=today, region=region)


def _bulk_pragmas(conn: Connection) -> dict[str, object]:
    """Bulk-load settings for this connection only; returns the values to restore. Set on the driver's
    connection outside any transaction, where SQLite honours them. The rows are consistent by construction
    (the tests check the foreign keys). synchronous = OFF risks only a power cut, not a killed process: the
    journal still reaches the operating system before the pages it protects, so a kill leaves the file as it
    was before the transaction."""
    raw = conn.connection.driver_connection
    fast = {"foreign_keys": 0, "synchronous": 0, "cache_size": -CACHE_KIB}
    saved = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in fast}
    for name, value in fast.items():
        raw.execute(f"PRAGMA {name} = {value}")
    # WAL would write every page twice (log, then checkpoint); a rollback journal on disk writes only the
    # pages' old contents, which for a new file are few. Leaving WAL needs the only connection to the file;
    # with others open, stay in WAL.
    journal = raw.execute("PRAGMA journal_mode").fetchone()[0]
    try:
        if raw.execute("PRAGMA journal_mode = TRUNCATE").fetchone()[0].lower() == "truncate":
            saved["journal_mode"] = journal
    except driver_errors() as exc:
        log.info("Demo data: other connections are open, generating in %s mode (%s)", journal, exc)
    return saved


def _restore_pragmas(conn: Connection, saved: dict[str, object]) -> None:
    raw = conn.connection.driver_connection
    for name, value in saved.items():
        try:
            raw.execute(f"PRAGMA {name} = {value}")
        except driver_errors():  # journal_mode back to WAL while another connection opened meanwhile
            log.warning("Demo data: could not set %s back to %s", name, value)


# --- planning and running the chunks ---

@dataclass(frozen=True)
class _ChunkPlan:
    seed: int
    index: int
    today: date
    region: str
    open_cases: int
    closed_cases: int
    book: RuleBook
    user_ids: tuple[int, ...] = ()


_Batch = tuple[str, tuple[str, ...], int, list[tuple]]  # table, columns, rows per statement, parameters


@dataclass
class _ChunkRows:
    cases: int
    counts: dict[str, int]
    batches: list[_Batch]  # in the order to insert; the ids in them are the chunk's own


def _plan(seed: int, today: date, region: str, open_cases: int, closed_cases: int,
          book: RuleBook) -> list[_ChunkPlan]:
    n = max(1, min(MAX_CHUNKS, math.ceil((open_cases + closed_cases) / CHUNK_CASES)))
    return [_ChunkPlan(seed, i, today, region, _share(open_cases, n, i), _share(closed_cases, n, i), book)
            for i in range(n)]


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def _workers(requested: int | None, total: int) -> int:
    if requested is not None:
        return max(1, requested)
    # A frozen app would need multiprocessing.freeze_support() before spawning itself again.
    if total < PARALLEL_FROM or getattr(sys, "frozen", False):
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _built(plans: Sequence[_ChunkPlan], workers: int) -> Iterator[_ChunkRows]:
    """The chunks in plan order; with workers, a few are built ahead while the caller inserts."""
    if workers <= 1 or len(plans) == 1:
        yield from map(build_chunk, plans)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        ahead: deque[Future[tuple[int, dict[str, int], bytes]]] = deque()
        remaining = iter(plans)
        for plan in remaining:
            ahead.append(pool.submit(_build_packed, plan))
            if len(ahead) > workers:  # bounded: built chunks wait in memory until inserted
                break
        while ahead:
            cases, counts, packed = ahead.popleft().result()
            plan = next(remaining, None)
            if plan is not None:
                ahead.append(pool.submit(_build_packed, plan))
            yield _ChunkRows(cases, counts, marshal.loads(packed))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _users(conn: Connection, today: date) -> tuple[int, ...]:
    """The demo case workers; those already present (an earlier run) are reused."""
    table = User.__table__
    existing = dict(conn.execute(select(table.c.login, table.c.id)).all())
    created_at = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), UTC)
    ids = []
    next_id = (conn.scalar(select(func.max(table.c.id))) or 0) + 1
    for name in CASE_WORKERS:
        login = "demo." + _ascii(name).lower().replace(" ", ".")
        if login not in existing:
            conn.execute(table.insert(), [{"id": next_id, "login": login, "display_name": name,
                                           "role": "vardlots", "active": True, "created_at": created_at}])
            existing[login] = next_id
            next_id += 1
        ids.append(existing[login])
    return tuple(ids)


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))


def _insert_chunk(conn: Connection, chunk: _ChunkRows, offsets: dict[str, int]) -> None:
    """Driver-level executemany of multi-row INSERTs: SQLAlchemy's per-value processing would cost several
    times the insert itself at this scale. Local ids become global in the SQL (`? + offset`)."""
    if conn.dialect.name == "postgresql":
        _copy_chunk(conn, chunk, offsets)
        return
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for table, columns, per_statement, rows in chunk.batches:
        id_columns = ID_COLUMNS[table]
        values = ", ".join(
            f"{mark} + {offsets[id_columns[c]]}" if c in id_columns and offsets[id_columns[c]] else mark
            for c in columns
        )
        sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
               + ", ".join([f"({values})"] * per_statement))
        step = max(1, INSERT_BATCH // per_statement)
        for start in range(0, len(rows), step):
            conn.exec_driver_sql(sql, rows[start:start + step])


def _copy_chunk(conn: Connection, chunk: _ChunkRows, offsets: dict[str, int]) -> None:
    """PostgreSQL: the same rows through COPY, the local ids made global here."""
    for table, columns, per_statement, rows in chunk.batches:
        shifts = [offsets[ID_COLUMNS[table][c]] if c in ID_COLUMNS[table] else 0 for c in columns]
        width = len(columns)

        def single(rows=rows, shifts=shifts, width=width, per_statement=per_statement):
            for params in rows:
                for start in range(0, per_statement * width, width):
                    yield [v + shift if shift and v is not None else v
                           for v, shift in zip(params[start:start + width], shifts, strict=True)]

        copy_rows(conn, table, columns, single())


def _batches(tables: dict[str, dict[tuple[str, ...], list[tuple]]]) -> list[_Batch]:
    """Rows joined into parameter tuples of several rows each: a multi-row INSERT costs SQLite about half as
    much per row. SQLite before 3.32 allows 999 parameters per statement."""
    batches = []
    for table in ID_COLUMNS:  # parents before children
        for columns, rows in tables.get(table, {}).items():
            per_statement = min(50, 999 // len(columns))
            whole = len(rows) - len(rows) % per_statement
            batches.append((table, columns, per_statement, [
                tuple(chain.from_iterable(rows[i:i + per_statement])) for i in range(0, whole, per_statement)
            ]))
            if whole < len(rows):
                batches.append((table, columns, 1, rows[whole:]))
    return batches


# --- building one chunk (runs in a worker process) ---
# The hot loop of a 500 000-case run: plain lists, pre-rendered values, `random()` rather than randint().

class _Weighted:
    """A weighted choice: one random() and a bisect."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weighted: Sequence[tuple[object, float]]):
        self.items = [item for item, _ in weighted]
        self.cumulative, running = [], 0.0
        for _, weight in weighted:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def pick(self, random: Callable[[], float]):
        return self.items[bisect(self.cumulative, random() * self.total)]


@dataclass(slots=True)
class _Person:
    local_id: int
    surname: str
    age: int
    waiting_for: set[tuple[str, str]]  # (step, MVO) of open cases: the app refuses a second such case


# An event of a step being built: [on (date ordinal), kind, appointment, reply_by, answer, pause, offer,
# details]; finish() appends its local id. An answer's offer is the offer's own list.
_ON, _KIND, _APPOINTMENT, _REPLY_BY, _ANSWER, _PAUSE, _OFFER, _DETAILS, _ID = range(9)
START, NOTICE, INFORMED, CONTACT = EventKind.START, EventKind.NOTICE, EventKind.INFORMED, EventKind.CONTACT
OFFER, ANSWER = EventKind.OFFER, EventKind.ANSWER
PVV, RESTART, COMPLETED, CLOSED = EventKind.PVV, EventKind.RESTART, EventKind.COMPLETED, EventKind.CLOSED
# The columns each kind of event fills (the others are NULL and left out, see _Rows).
_PLAIN = ("id", "case_id", "step_id", "kind", "on", "details", "user_id", "created_at")
_SHAPES = {
    OFFER: (*_PLAIN, "appointment", "reply_by"),
    ANSWER: (*_PLAIN, "appointment", "answer", "offer_id"),
    EventKind.PAUSE_START: (*_PLAIN, "pause"),
    EventKind.PAUSE_END: (*_PLAIN, "pause"),
}
_NOTE = ("id", "case_id", "kind", "on", "details", "user_id", "created_at")
# Enum .value is a slow descriptor; the texts by member instead.
_TEXT = {member: member.value for enum in (EventKind, Answer, PauseKind, Note) for member in enum}
_NONES = (None,) * 64
_BY_DAY = itemgetter(_ON)


class _Rows:
    """Rows per table, grouped by the columns that are not NULL: binding None through sqlite3 is slow, and a
    column left out is NULL anyway."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[str, ...], list[tuple]]] = {}
        self._groups: dict[str, dict[tuple[bool, ...], list[tuple]]] = {}

    def rows(self, table: str, columns: tuple[str, ...]) -> list[tuple]:
        """The row list of one set of columns, all filled."""
        return self.tables.setdefault(table, {}).setdefault(columns, [])

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        """A row of `table`, whose columns are always `columns`, some values None."""
        present = tuple(map(is_not, row, _NONES))
        groups = self._groups.get(table) or self._groups.setdefault(table, {})
        group = groups.get(present)
        if group is None:
            group = groups[present] = self.rows(table, tuple(compress(columns, present)))
        group.append(tuple(compress(row, present)) if False in present else row)


def build_chunk(plan: _ChunkPlan) -> _ChunkRows:
    return _Chunk(plan).build()


def _build_packed(plan: _ChunkPlan) -> tuple[int, dict[str, int], bytes]:
    """In a worker: marshal moves plain rows between processes at about half pickle's cost."""
    chunk = build_chunk(plan)
    return chunk.cases, chunk.counts, marshal.dumps(chunk.batches)


class _Chunk:
    def __init__(self, plan: _ChunkPlan):
        self.plan = plan
        self.rng = Random(f"lotsen-demo:{plan.seed}:{plan.index}")
        self.random = self.rng.random
        self.book = plan.book
        self.today = plan.today
        self.t = plan.today.toordinal()
        # Every date used lies in [base, t + 800): list lookups instead of date arithmetic and isoformat().
        self.base = self.t - HISTORY_DAYS - 1200
        self.dates = [date.fromordinal(o) for o in range(self.base, self.t + 800)]
        self.isos = [d.isoformat() for d in self.dates]
        self.stamps = [f"{iso} 08:00:00.000000" for iso in self.isos]
        # Clock dates as SQLAlchemy stores them (ISO text); anything not a key (numbers, booleans) stays as it is:
        # booleans stay booleans, which PostgreSQL needs and SQLite stores as 0/1.
        self.stored: dict[object, object] = dict(zip(self.dates, self.isos, strict=True))
        self.out = _Rows()
        self.plain_events = self.out.rows(CaseEvent.__tablename__, _PLAIN)
        self.counts = {"patient": 0, "case": 0, "step": 0, "event": 0}
        self.people: list[_Person] = []
        self.id_numbers: set[str] = set()
        self.clock_events: dict[tuple[EventKind, int], ClockEvent] = {}
        self.step_columns: tuple[str, ...] | None = None

        municipalities = reference.municipalities()
        self.home = [m for m in municipalities if m.region_code == plan.region]
        elsewhere = [m for m in municipalities if m.region_code != plan.region]
        hospitals = HOSPITALS[plan.region]
        self.units = {mvo: [f"{clinic}, {hospital}" for hospital in hospitals]
                      for mvo, clinic in CLINIC.items()}
        self.primary_care = [f"Vårdcentralen {m.name}" for m in self.home]
        # Addresses come from a pool per chunk: cheaper, and a few patients at one street address is what
        # apartment buildings look like anyway.
        self.addresses = [self.address(self.choice(self.home)) for _ in range(ADDRESS_POOL)]
        self.addresses_elsewhere = [self.address(self.choice(elsewhere)) for _ in range(ADDRESS_POOL // 10)]
        self.patient_stamp = self.stamps[self.t - HISTORY_DAYS - self.base]
        self.adult_names = FEMALE + MALE
        self.activities: dict[str, list[str]] = {}
        for activity in reference.activities():
            self.activities.setdefault(activity.mvo_code, []).append(activity.code)

        self.workers = _Weighted(list(zip(plan.user_ids, WORKER_WEIGHTS, strict=False)))
        self.mvo = _Weighted(list(MVO_WEIGHTS.items()))
        self.treatment_mvo = _Weighted([(m, w) for m, w in MVO_WEIGHTS.items() if m in self.activities])
        self.priority = _Weighted(PRIORITIES)
        self.channel = _Weighted(list(CHANNEL_WEIGHTS.items()))
        self.wait_band = _Weighted([((low, high), share) for share, low, high in WAIT_BANDS])
        self.scenario = _Weighted(list(OPEN_SCENARIOS.items()))
        self.age = _Weighted([((0, 17), 8), ((18, 39), 17), ((40, 64), 35), ((65, 84), 33), ((85, 99), 7)])

        # Timeline details, rendered once.
        self.contact_details = {c: [_json(channel=c, outcome=o) for o in OUTCOMES] for c in CHANNEL_WEIGHTS}
        self.informed_details = [_json(how=h) for h in INFORMED_HOW]
        self.notice_details = {cannot: _json(cannot_meet=cannot) for cannot in (False, True)}
        self.offer_details = [_json(provider=p, unit=u, address=a) for p, u, a in PROVIDERS]
        self.pause_details = {PauseKind.MOV: [_json(reason=r) for r in MOV_REASONS],
                              PauseKind.SOV: [_json(reason=r) for r in SOV_REASONS]}
        self.reason_details = {r: _json(reason=r) for r in CLOSE_REASONS}
        self.note_details = [_json(text=n) for n in NOTES]
        self.where_details: dict[str, str] = {}

    # -- small helpers --

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def choice(self, items: Sequence):
        return items[int(self.random() * len(items))]

    def where(self, place: str) -> str:
        text = self.where_details.get(place)
        if text is None:
            text = self.where_details[place] = _json(where=place)
        return text

    # -- the chunk --

    def build(self) -> _ChunkRows:
        forced = FORCED_OPEN if self.plan.index == 0 else ()
        # Open and closed cases interleave so that a patient can have both.
        kinds = [True] * self.plan.open_cases + [False] * self.plan.closed_cases
        self.rng.shuffle(kinds)
        opened = 0
        for is_open in kinds:
            if is_open:
                self.open_case(*(forced[opened] if opened < len(forced) else (None, None)))
                opened += 1
            else:
                self.closed_case()
        cases = self.plan.open_cases + self.plan.closed_cases
        return _ChunkRows(cases, self.counts, _batches(self.out.tables))

    # -- patients --

    def person(self) -> _Person:
        """A new patient, or now and then one who already has a case."""
        if self.people and self.random() < RETURNING_SHARE:
            return self.people[int(self.random() * len(self.people))]
        return self.new_person()

    def new_person(self) -> _Person:
        random = self.random
        low, high = self.age.pick(random)
        age = low + int(random() * (high - low + 1))
        born = date.fromordinal(self.t - age * 365 - int(random() * 365))
        male = random() < 0.48
        samordning = random() < 0.02
        id_number = self.id_number(born, male, samordning)
        surname = LAST[int(random() * len(LAST))]
        firsts = MALE if male else FEMALE
        name = f"{firsts[int(random() * len(firsts))]} {surname}"
        addresses = self.addresses if random() < 0.97 else self.addresses_elsewhere
        street, postal, city, address, region, municipality = addresses[int(random() * len(addresses))]
        phone = PHONES[int(random() * len(PHONES))] if random() < 0.9 else None
        protected = random() < 0.01  # skyddad folkbokföring: no address anywhere in Lotsen
        if protected:
            street = postal = city = address = phone = None
        guardian = age < 18 and random() < 0.8
        self.counts["patient"] += 1
        person = _Person(self.counts["patient"], surname, age, set())
        self.out.add(Patient.__tablename__, PATIENT_COLUMNS, (
            person.local_id, id_number, SAMORDNINGSNUMMER if samordning else PERSONNUMMER, name,
            search_form(name), street, postal, city, bool(protected), "en" if random() < 0.05 else "sv",
            "vardnadshavare" if guardian else None,
            f"{self.choice(self.adult_names)} {surname}" if guardian else None,
            address if guardian else None,
            region, municipality, "M" if male else "K", born.year, phone, self.patient_stamp,
        ))
        self.people.append(person)
        return person

    def address(self, municipality: reference.Municipality) -> tuple[str, str, str, str, str, str]:
        low, high = POSTAL_PREFIX[municipality.region_code]
        street = f"{self.choice(STREETS)} {self.between(1, 60)}"
        postal = f"{self.between(low, high)} {self.between(10, 99)}"
        return (street, postal, municipality.name, f"{street}, {postal} {municipality.name}",
                municipality.region_code, municipality.code)

    def id_number(self, born: date, male: bool, samordning: bool) -> str:
        # Birth number n * SERIAL_SLOTS + chunk index: other chunks cannot make the same personnummer.
        slot = self.plan.index
        while True:
            serial = self.between(0, (999 - slot) // SERIAL_SLOTS) * SERIAL_SLOTS + slot
            if serial % 2 != male:  # odd for men; SERIAL_SLOTS is odd, so a step flips it
                serial = serial + SERIAL_SLOTS if serial + SERIAL_SLOTS <= 999 else serial - SERIAL_SLOTS
            if serial <= 0:
                continue
            value = make_personnummer(born, serial, samordning)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value
            born -= timedelta(days=1)  # taken: the day before has free numbers

    # -- cases --

    def case_row(self, person: _Person, mvo: str, activity: str | None, unit: str, user: int | None,
                 opened_on: int, closed_on: int | None = None, reason: str | None = None) -> int:
        self.counts["case"] += 1
        case_id = self.counts["case"]
        i = opened_on - self.base
        self.out.add(Case.__tablename__, CASE_COLUMNS, (
            case_id, person.local_id, mvo, activity, unit, self.priority.pick(self.random), user,
            self.isos[i], None if closed_on is None else self.isos[closed_on - self.base], reason, 1,
            self.stamps[i],
        ))
        return case_id

    def unit(self, mvo: str) -> str:
        units = self.units[mvo]
        return units[int(self.random() * len(units))]

    def step_kind(self, person: _Person, closed: bool) -> tuple[str, str, str | None]:
        """Step code, MVO and activity."""
        r = self.random()
        if person.age < 18 and r < 0.45:
            code = self.choice(("BUP_FORSTA", "BUP_FORSTA", "BUP_UTREDNING", "BUP_BEHANDLING"))
            return code, BUP_MVO, BUP_ACTIVITY.get(code)
        if closed and r > 0.97:
            return "PV_BEDOMNING", PRIMARY_CARE_MVO, None
        if r < 0.55:
            return "SV_FORSTA_BESOK", self.mvo.pick(self.random), None
        if r < 0.90:
            mvo = self.treatment_mvo.pick(self.random)
            return "SV_BEHANDLING", mvo, self.choice(self.activities[mvo])
        return "ATERBESOK", self.mvo.pick(self.random), None

    def open_case(self, scenario: str | None, waited: int | None) -> None:
        random = self.random
        person = self.person()
        forced = scenario is not None
        if forced:
            code, mvo, activity = "SV_FORSTA_BESOK", self.mvo.pick(random), None
        else:
            scenario = self.scenario.pick(random)
            code, mvo, activity = self.step_kind(person, False)
        if (code, mvo) in person.waiting_for:  # already waiting for that: someone else then
            person = self.new_person()
            if not forced:
                code, mvo, activity = self.step_kind(person, False)
        person.waiting_for.add((code, mvo))
        if not forced:
            if scenario in ("pvv", "restart") and not code.startswith("SV_"):
                scenario = "normal"  # PvV belongs to the legal guarantee
            if scenario == "mov" and code == "PV_BEDOMNING":
                scenario = "normal"  # primary care takes no exclusions
            low, high = self.wait_band.pick(random)
            waited = low + int(random() * (high - low + 1))
        user = None if random() < UNASSIGNED_SHARE else self.workers.pick(random)
        actor = user or self.workers.pick(random)
        unit = self.unit(mvo)
        t = self.t
        start = t - waited  # the current clock start
        first = start - 40 - int(random() * 161) if scenario == "restart" else start
        earlier = None
        if code in ("SV_BEHANDLING", "BUP_UTREDNING", "BUP_BEHANDLING") and random() < 0.4:
            earlier = first - 14 - int(random() * 137)  # the visit that led to this decision
        opened_on = min(t, (first if earlier is None else earlier) + int(random() * 6))
        case_id = self.case_row(person, mvo, activity, unit, user, opened_on)
        if earlier is not None:
            before = "SV_FORSTA_BESOK" if code == "SV_BEHANDLING" else "BUP_FORSTA"
            self.completed_step(case_id, before, earlier, first, actor, unit)

        target = start + self.choice(TARGET_DAYS) if code == "ATERBESOK" else None
        limit = 30 if code.startswith("BUP_") else 90
        step = _Step(self, case_id, code, first, target, actor)
        if scenario == "restart":
            self.pvv(step, first, start - 1, limit)  # declined before the restart
            step.add(start, RESTART)
        elif scenario == "pvv" and waited >= 2:
            self.pvv(step, first, t, limit)
        elif scenario == "mov" and waited >= 3:
            self.mov(step, start, t, code)
        elif not forced:
            if waited >= 20 and random() < 0.03 and code != "PV_BEDOMNING":  # an ended MoV moves the deadline
                begin = self.between(start + 1, t - 2)
                self.pause(step, begin, self.between(begin + 1, min(t, begin + 60)), code)
            if random() < 0.12:
                self.offer(step, start, t)
        self.open_events(step, start, t, code, informed=scenario not in ("pvv", "restart"))
        step.finish()
        if random() < 0.05:
            self.note(case_id, self.between(first, t), actor, Note.NOTE, self.choice(self.note_details))

    def open_events(self, step: _Step, start: int, t: int, code: str, informed: bool) -> None:
        """Notice, information and contacts of the current clock period."""
        random = self.random
        waited = t - start
        if code != "ATERBESOK" and random() < 0.85:  # the rest lack one: "besked saknas" after 14 days
            day = start + (15 + int(random() * 16) if random() < 0.1 else int(random() * 15))
            if day <= t:
                step.add(day, NOTICE, details=self.notice_details[waited > 60 and random() < 0.3])
        if informed and random() < (0.5 if waited < 30 else 0.75):
            step.add(start + int(random() * (min(waited, 20) + 1)), INFORMED,
                     details=self.choice(self.informed_details))
        if waited >= 10:
            for _ in range(int(random() * (min(5, waited // 45) + 1))):
                self.contact(step, start + 1 + int(random() * waited))

    def contact(self, step: _Step, on: int) -> None:
        step.add(on, CONTACT, details=self.choice(self.contact_details[self.channel.pick(self.random)]))

    def offer(self, step: _Step, start: int, t: int) -> None:
        """An offer of care elsewhere, and the answer if it has come."""
        on = self.between(start, t)
        appointment = on + self.between(5, 60)
        reply_by = on + self.between(7, 14)
        offer = step.add(on, OFFER, appointment, reply_by, details=self.choice(self.offer_details))
        r = self.random()
        if appointment > t and r < 0.5:  # booked: the visit is still to come
            step.answer(offer, self.between(on, min(on + 7, t)), Answer.ACCEPTED)
        elif r < 0.8 and on < t:
            step.answer(offer, self.between(on + 1, min(reply_by, t)), Answer.DECLINED)
        elif reply_by <= t:
            step.answer(offer, reply_by, Answer.NO_ANSWER)

    def pvv(self, step: _Step, start: int, upper: int, limit: int) -> None:
        """An informed patient declines an appointment within the guarantee, on or before `upper`: PvV from
        that day (HSF 6 kap. 2 §)."""
        offered = start + self.between(1, max(1, min(upper - start, limit - 20)))
        declined = offered + self.between(0, min(14, upper - offered))
        appointment = self.between(max(offered + 3, declined + 1), start + limit)
        step.add(self.between(start, declined), INFORMED, details=self.choice(self.informed_details))
        offer = step.add(offered, OFFER, appointment, offered + 14, details=self.choice(self.offer_details))
        step.answer(offer, declined, Answer.DECLINED)
        step.add(declined, PVV)

    def mov(self, step: _Step, start: int, t: int, code: str) -> None:
        """An open MoV/SoV period, sometimes after an earlier one that ended."""
        begin = self.between(start + 1, t)
        if begin - start >= 3 and self.random() < 0.4:
            first = self.between(start + 1, begin - 2)
            self.pause(step, first, self.between(first + 1, begin), code)
        self.pause(step, begin, None, code)

    def pause(self, step: _Step, begin: int, end: int | None, code: str) -> None:
        kind = PauseKind.SOV if code.startswith("BUP_") and self.random() < 0.3 else PauseKind.MOV
        step.add(begin, EventKind.PAUSE_START, pause=kind, details=self.choice(self.pause_details[kind]))
        if end is not None:
            step.add(end, EventKind.PAUSE_END, pause=kind)

    def completed_step(self, case_id: int, code: str, start: int, stop: int, actor: int, unit: str) -> None:
        step = _Step(self, case_id, code, start, None, actor)
        if self.random() < 0.9:
            step.add(min(stop, start + int(self.random() * 15)), NOTICE, details=self.notice_details[False])
        step.add(stop, COMPLETED, details=self.where(unit))
        step.finish()

    def note(self, case_id: int, on: int, actor: int, kind: Note, details: str) -> None:
        """A timeline entry of the case that is not a clock event."""
        self.counts["event"] += 1
        i = on - self.base
        self.out.rows(CaseEvent.__tablename__, _NOTE).append(
            (self.counts["event"], case_id, _TEXT[kind], self.isos[i], details, actor, self.stamps[i]))

    # -- closed history --

    def duration(self, code: str, completed: bool) -> int:
        random = self.random
        if not completed:
            return 5 + int(random() * 196)
        if code == "PV_BEDOMNING":
            return int(random() * 4) if random() < 0.85 else 4 + int(random() * 7)
        if code.startswith("BUP_"):
            return 3 + int(random() * 28) if random() < 0.65 else 31 + int(random() * 120)
        return 5 + int(random() * 86) if random() < 0.82 else 91 + int(random() * 210)  # ~18 % late

    def closed_case(self) -> None:
        random = self.random
        person = self.person()
        code, mvo, activity = self.step_kind(person, True)
        completed = random() < 0.88
        reason = "genomford" if completed else STOP_REASONS[int(random() * len(STOP_REASONS))]
        target_days = TARGET_DAYS[int(random() * len(TARGET_DAYS))] if code == "ATERBESOK" else 0
        if target_days:
            length = max(1, target_days - 20 + int(random() * 81))
        else:
            length = self.duration(code, completed)
        earlier = self.duration("SV_FORSTA_BESOK", True) if code == "SV_BEHANDLING" and random() < 0.25 else 0
        t = self.t
        first = self.between(t - HISTORY_DAYS, t - length - earlier - 1)
        start, stop = first + earlier, first + earlier + length
        actor = self.workers.pick(random)
        if code == "PV_BEDOMNING":
            unit = self.primary_care[int(random() * len(self.primary_care))]
        else:
            unit = self.unit(mvo)
        opened_on = min(stop, first + int(random() * 6))
        case_id = self.case_row(person, mvo, activity, unit, actor, opened_on, stop, reason)
        if earlier:
            self.completed_step(case_id, "SV_FORSTA_BESOK", first, start, actor, unit)

        step = _Step(self, case_id, code, start, start + target_days if target_days else None, actor)
        if code not in ("ATERBESOK", "PV_BEDOMNING") and random() < 0.9:
            step.add(min(stop, start + int(random() * 15)), NOTICE, details=self.notice_details[False])
        if length >= 20 and random() < 0.4:
            step.add(start + int(random() * 15), INFORMED, details=self.choice(self.informed_details))
        if length >= 45:
            for _ in range(int(random() * (min(3, length // 60) + 1))):
                self.contact(step, start + 1 + int(random() * (length - 1)))
        if length >= 4 and random() < 0.03 and code != "PV_BEDOMNING":  # no exclusions in primary care
            begin = self.between(start + 1, stop - 2)
            self.pause(step, begin, self.between(begin + 1, stop - 1), code)
        where = unit
        if completed and length >= 10 and code.startswith("SV_") and random() < 0.06:
            # Care elsewhere: an accepted offer, carried out on the day offered.
            offered = self.between(start + 1, stop - 5)
            n = int(random() * len(PROVIDERS))
            offer = step.add(offered, OFFER, stop, offered + 10, details=self.offer_details[n])
            step.answer(offer, self.between(offered, min(offered + 5, stop)), Answer.ACCEPTED)
            where = f"{PROVIDERS[n][0]}, {PROVIDERS[n][1]}"
        if completed:
            step.add(stop, COMPLETED, details=self.where(where))
        else:
            step.add(stop, CLOSED, details=self.reason_details[reason])
        step.finish()
        self.note(case_id, stop, actor, Note.CASE_CLOSED, self.reason_details[reason])


class _Step:
    """One step's events: collected, put in timeline order, evaluated by the real clock, written."""

    __slots__ = ("actor", "case_id", "chunk", "code", "events", "start", "target")

    def __init__(self, chunk: _Chunk, case_id: int, code: str, start: int, target: int | None, actor: int):
        self.chunk, self.case_id, self.code, self.start, self.target, self.actor = (
            chunk, case_id, code, start, target, actor)
        self.events: list[list] = [[start, START, None, None, None, None, None, "{}"]]

    def add(self, on: int, kind: EventKind, appointment: int | None = None, reply_by: int | None = None, *,
            pause: PauseKind | None = None, details: str = "{}") -> list:
        event = [on, kind, appointment, reply_by, None, pause, None, details]
        self.events.append(event)
        return event

    def answer(self, offer: list, on: int, answer: Answer) -> None:
        self.events.append([on, ANSWER, offer[_APPOINTMENT], None, answer, None, offer, "{}"])

    def finish(self) -> None:
        """Ids, the clock's cache columns and the rows, in one pass over the events."""
        chunk = self.chunk
        base, dates, isos, stamps, counts = chunk.base, chunk.dates, chunk.isos, chunk.stamps, chunk.counts
        counts["step"] += 1
        step_id = counts["step"]
        event_id = counts["event"]
        case_id, actor, target, shared = self.case_id, self.actor, self.target, chunk.clock_events
        plain = chunk.plain_events
        clock = []
        events = self.events
        events.sort(key=_BY_DAY)  # stable: same-day events keep the order they happened in; START stays first
        for e in events:
            event_id += 1
            e.append(event_id)
            on, kind = e[_ON], e[_KIND]
            i = on - base
            row = (event_id, case_id, step_id, _TEXT[kind], isos[i], e[_DETAILS], actor, stamps[i])
            if kind in _SHAPES:
                appointment = e[_APPOINTMENT]
                clock.append(ClockEvent(kind, dates[i], appointment and dates[appointment - base], e[_ANSWER],
                                        e[_PAUSE]))
                if kind is OFFER:
                    row = (*row, isos[appointment - base], isos[e[_REPLY_BY] - base])
                elif kind is ANSWER:
                    row = (*row, isos[appointment - base], _TEXT[e[_ANSWER]], e[_OFFER][_ID])
                else:
                    row = (*row, _TEXT[e[_PAUSE]])
                chunk.out.rows(CaseEvent.__tablename__, _SHAPES[kind]).append(row)
                continue
            if kind is START and target is not None:
                clock.append(ClockEvent(kind, dates[i], target=dates[target - base]))
            else:  # equal and immutable: shared between steps
                event = shared.get((kind, on))
                if event is None:
                    event = shared[(kind, on)] = ClockEvent(kind, dates[i])
                clock.append(event)
            plain.append(row)
        counts["event"] = event_id

        cached = cache_columns(evaluate(self.code, clock, chunk.today, chunk.book))
        if chunk.step_columns is None:
            chunk.step_columns = (*STEP_COLUMNS, *cached)
        values = cached.values()
        chunk.out.add(Step.__tablename__, chunk.step_columns, (
            step_id, case_id, self.code, isos[self.start - base],
            None if target is None else isos[target - base], *map(chunk.stored.get, values, values),
        ))


def _json(**details: object) -> str:
    """JSON text as SQLAlchemy's JSON type writes it (json.dumps with its defaults)."""
    return json.dumps(details)
