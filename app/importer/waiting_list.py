"""Import a clinic's waiting list: a case per row, by the same rules as app.cases.open_case, but for 100 000
rows at once: one transaction, bulk inserts, the clock from app.guarantee.evaluate through
app.steps.cache_columns, and one access-log row per patient created or changed (app.access.log_rows).

Re-importing updates instead of duplicating: a row matches an existing step by the clinic's referral id
(remiss-id, per source) or else by patient, step, specialty (MVO) and start date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import reference, steps
from app.access import Action, log_list_view, log_rows
from app.cases import Note
from app.context import AppContext
from app.errors import InputError
from app.guarantee import ClockEvent, EventKind, RuleError, check_new_event, evaluate
from app.identity import PatientId, parse_patient_id
from app.importer import deviations
from app.importer.bulk import insert_rows, update_rows
from app.importer.clinic_record import FIELDS as RECORD_FIELDS
from app.importer.clinic_record import clinic_record
from app.importer.fields import FIELDS, WAITING_LIST
from app.importer.reading import Table
from app.importer.reconcile import reconcile
from app.importer.report import Problem, Result
from app.importer.rows import Row, rows
from app.importer.start_dates import start_date, step_rules
from app.register.settings import OWN_REGION, setting
from app.roles import Permission, require
from app.rule_settings import current_rules
from app.text_input import check_text, limit_of
from app.worklist import is_booked_late
from app.worklist_read_model import steps_in_bulk
from db.backend import one_of
from db.models import Case, CaseEvent, Patient, Step, search_form, utcnow
from db.register import ImportLink, ListRecord

EMPTY_RECORD = dict.fromkeys(RECORD_FIELDS)
PATIENT_FIELDS = ("name", "municipality_code", "phone", "street", "postal_code", "city")
CASE_FIELDS = ("activity_code", "waiting_unit", "medical_priority")
# The free-text cells and the columns they are stored in (their length is the limit).
TEXT_COLUMNS = {"name": Patient.name, "phone": Patient.phone, "street": Patient.street,
                "postal_code": Patient.postal_code, "city": Patient.city, "waiting_unit": Case.waiting_unit,
                "medical_priority": Case.medical_priority, "external_id": ImportLink.external_id}
LATE_COLUMNS = ("is_open", "deadline", "paused_since", "pvv_since")  # of a step's clock: app.worklist.is_booked_late
TEXT_LIMITS = {key: limit_of(column) for key, column in TEXT_COLUMNS.items()}  # looked up once, not per row


@dataclass(frozen=True, slots=True)
class Entry:
    row: Row
    pid: PatientId
    step: str
    started_on: date
    start_key: str  # the field the start date came from (which column, by the step's kind)
    specialty: str
    target_date: date | None
    external_id: str | None
    patient: dict  # Patient columns from the list
    case: dict     # Case columns from the list
    record: dict | None  # the clinic's own record (app.importer.clinic_record); None: not in the list
    clock: dict    # the new step's cache columns (app.steps.cache_columns), its list's Avvikelse included
    deviations: tuple = ()  # what a new step's Avvikelse puts on its clock (app.importer.deviations)

    def key(self) -> tuple:
        return (self.pid.value, self.step, self.specialty, self.started_on)


def parse(ctx: AppContext, table: Table, columns: dict[str, str]) -> tuple[list[Entry], list[Problem]]:
    """Every row checked without the database: identity, codes, dates, the clock's rules, duplicates."""
    today = ctx.today()
    with ctx.db.transaction() as session:
        own_region = setting(session, OWN_REGION)
        current_rules(session, ctx)  # the new steps' clocks by the thresholds stored now
    codes = _Codes(ctx)
    entries: list[Entry] = []
    problems: list[Problem] = []
    first_row: dict[object, Entry] = {}
    for row in rows(table, WAITING_LIST, columns, today):
        entry = _entry(row, codes, own_region, today)
        if entry is not None:
            _check_duplicate(entry, first_row)
        if row.problems:
            problems.extend(row.problems)
        elif entry is not None:
            entries.append(entry)
    return entries, problems


def _check_duplicate(entry: Entry, first_row: dict[object, Entry]) -> None:
    """A row repeating an earlier row's remiss-id, or its open step (one per patient, step and MVO, the rule of
    app.cases.open_case) under another remiss-id. Decided by the file alone, so the same file gets the same
    message every time, whatever is already in Lotsen."""
    by_id = ("ext", entry.external_id) if entry.external_id else None
    by_step = ("step", entry.pid.value, entry.step, entry.specialty)
    if by_id in first_row:
        entry.row.problem("external_id", f"dubblett av rad {first_row[by_id].row.number} (samma remiss-id); "
                                         "raden importerades inte.")
    elif by_step in first_row:
        first = first_row[by_step]
        other = f", remiss-id {first.external_id}" if first.external_id else ""
        entry.row.problem("id_number", f"dubblett av rad {first.row.number}{other}: samma patient, steg och "
                                       "verksamhetsområde. En patient har ett öppet ärende per steg och "
                                       "verksamhetsområde; raden importerades inte.")
    else:
        if by_id:
            first_row[by_id] = entry
        first_row[by_step] = entry


class _Codes:
    """The reference codes, looked up once per import."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.regions = {r.code for r in reference.regions()}
        self.municipalities = {m.code: m.region_code for m in reference.municipalities()}
        self.specialties = {s.code for s in reference.specialties()}
        self.activities = {a.code: a.mvo_code for a in reference.activities()}
        self.steps: dict[str, str] = {}
        for rule_set in ctx.rules.rule_sets:
            for code, rule in rule_set.steps.items():
                self.steps[code.casefold()] = code
                self.steps.setdefault(rule.name.casefold(), code)
        self.rules = step_rules(ctx.rules)
        self._clocks: dict[tuple, dict] = {}

    def clock(self, step: str, started_on: date, target: date | None) -> dict:
        """The step's cache columns; many rows share a start date, so each clock is evaluated once."""
        key = (step, started_on, target)
        if key not in self._clocks:
            start = ClockEvent(EventKind.START, started_on, target=target)
            check_new_event(step, [], start, self.ctx.today(), self.ctx.rules)
            self._clocks[key] = steps.cache_columns(evaluate(step, [start], self.ctx.today(), self.ctx.rules))
        return self._clocks[key]


def _code(value: str, width: int) -> str:
    """Excel drops leading zeros from codes such as kommun 0180 or MVO 011."""
    return value.zfill(width) if value.isdigit() else value.upper()


def _entry(row: Row, codes: _Codes, own_region: str, today: date) -> Entry | None:
    pid = None
    if id_text := row.required("id_number"):
        try:
            pid = parse_patient_id(id_text, today)
        except InputError as exc:
            row.problem("id_number", exc.message)
    name = row.required("name")
    step_text = row.required("step")
    step = codes.steps.get(step_text.casefold())
    if step_text and step is None:
        row.problem("step", f"okänt steg ”{step_text}”. Använd en stegkod, till exempel SV_FORSTA_BESOK.")
    started_on, start_key = start_date(row, codes.rules[step]) if step else (None, "started_on")
    target = row.date("target_date")
    specialty = _code(row.required("specialty"), 3)
    if specialty and specialty not in codes.specialties:
        row.problem("specialty", f"okänd MVO-kod ({specialty}).")
    activity = _code(row.text("activity"), 0) or None
    if activity and activity not in codes.activities:
        row.problem("activity", f"okänd åtgärdskod ({activity}).")
    elif activity and specialty and codes.activities[activity] != specialty:
        row.problem("activity", f"åtgärden {activity} hör till verksamhetsområde {codes.activities[activity]}, "
                                f"inte {specialty}.")
    municipality = _code(row.text("municipality"), 4) or None
    if municipality and municipality not in codes.municipalities:
        row.problem("municipality", f"okänd kommunkod ({municipality}).")
    home_region = _code(row.text("home_region"), 2) or (codes.municipalities.get(municipality or "") or own_region)
    if home_region not in codes.regions:
        row.problem("home_region", f"okänd regionkod ({home_region}).")
    clock = None
    if step and started_on:
        try:
            clock = codes.clock(step, started_on, target)
        except RuleError as exc:
            row.problem(start_key, str(exc))
        except InputError as exc:
            row.problem("target_date" if exc.field == "Medicinskt måldatum" else start_key, exc.message)
    for key, limit in TEXT_LIMITS.items():
        try:
            check_text(row.text(key), key, limit)  # only the message is used: the column is named below
        except InputError as exc:
            row.problem(key, exc.message)
    record = clinic_record(row, codes.rules[step], started_on) if step else None
    if row.problems or pid is None or clock is None:
        return None
    try:
        actions, with_deviation = deviations.new_step_plan(step, started_on, target, record, today, codes.ctx.rules)
    except InputError as exc:
        row.problem(exc.field, exc.message)
        return None
    patient = {"id_number": pid.value, "id_kind": pid.kind.value, "name": name, "home_region_code": home_region,
               "municipality_code": municipality, "sex": pid.sex, "birth_year": pid.birth_date.year,
               "phone": row.text("phone") or None, "street": row.text("street") or None,
               "postal_code": row.text("postal_code") or None, "city": row.text("city") or None}
    case = {"specialty_code": specialty, "activity_code": activity, "waiting_unit": row.text("waiting_unit") or None,
            "medical_priority": row.text("medical_priority") or None}
    return Entry(row, pid, step, started_on, start_key, specialty, target, row.text("external_id") or None, patient, case,
                 record, with_deviation or clock, tuple(actions))


# --- writing ---

@dataclass(slots=True)
class _Known:
    """An existing step an entry may match."""

    step_id: int
    case_id: int
    patient_id: int
    started_on: date
    closed: bool
    case: dict
    clock: dict  # the cached clock columns that say whether a booking is late (LATE_COLUMNS)


def write(ctx: AppContext, entries: list[Entry], source: str, result: Result, whole_list: bool = False,
          file_ids: frozenset[str] = frozenset()) -> None:
    """One transaction: everything valid is written, or (on any storage failure) nothing is. A whole list
    also puts the source's open steps it no longer holds on the review list (app.importer.reconcile);
    `file_ids` are every remiss-id in the file, refused rows' included."""
    require(ctx.role, Permission.CASE_WORK)
    today, now = ctx.today(), utcnow()
    with ctx.db.transaction() as session:
        # Written first: it takes SQLite's write lock, which app.importer.bulk relies on for new ids, and
        # covers the patients compared but left unchanged.
        log_list_view(session, ctx, f"import av väntelista {source}: {len(entries)} rader jämförda")
        session.flush()
        patients = _patients(session, {e.pid.value for e in entries})
        known, open_steps = _steps(session, [p[0] for p in patients.values()])
        links = _links(session, source, {e.external_id for e in entries if e.external_id})
        linked_ids = _link_ids(session, source, {m.step_id for m in known.values()})
        last_seen: dict[int, tuple[str, date | None]] = {}
        records = _records(session, {m.step_id for m in known.values()}, last_seen)
        record_rows: list[dict] = []  # the clinic's records to insert; and to update:
        record_updates: list[dict] = []
        new_entries: list[Entry] = []
        patient_updates: dict[int, dict] = {}
        case_updates: list[dict] = []
        changed_patients: dict[int, int] = {}  # patient id -> a case id for the log row
        traces: list[tuple[_Known, str]] = []  # what the list changed, noted on each case's timeline
        present: set[int] = set()
        seen: list[int] = []  # steps whose record is unchanged: only the date of the latest list they were in
        new_links: list[dict] = []  # remiss-ids of matched steps that had none from this source
        matched = [(entry, _match(entry, patients, known, open_steps, links, linked_ids)) for entry in entries]
        clock_plans = _deviation_plans(session, ctx, matched, today)
        for entry, match in matched:
            if match is None and not entry.row.problems:
                new_entries.append(entry)
            if entry.row.problems:
                result.problems.extend(entry.row.problems)
            if match is None:
                continue
            present.add(match.step_id)  # in the list, even when refused: not missing from it
            if entry.row.problems:
                continue
            changed = match.step_id in clock_plans
            patient_id, current = patients[entry.pid.value][0], patients[entry.pid.value][1]
            patient_changes = {f: entry.patient[f] for f in PATIENT_FIELDS
                               if entry.patient[f] is not None and entry.patient[f] != current[f]}
            if patient_changes and not match.closed:
                traces.append((match, _changes(PATIENT_FIELDS, current, patient_changes)))
                current.update(patient_changes)
                # A Core UPDATE: the searched form of the name goes along with it (db.models.search_form).
                patient_updates.setdefault(patient_id, {}).update(patient_changes, name=current["name"],
                                                                  search_name=search_form(current["name"]))
                changed = True
            case_changes = {f: entry.case[f] for f in CASE_FIELDS
                            if entry.case[f] is not None and entry.case[f] != match.case[f]}
            if case_changes and not match.closed:
                traces.append((match, _changes(CASE_FIELDS, match.case, case_changes)))
                match.case.update(case_changes)
                case_updates.append({"b_key": match.case_id, **case_changes})
                changed = True
            current_record = records.get(match.step_id)
            if entry.record is not None and not match.closed and entry.record != (current_record or EMPTY_RECORD):
                before = current_record or EMPTY_RECORD
                differs = {f: v for f, v in entry.record.items() if v != before[f]}
                traces.append((match, _changes(RECORD_FIELDS, before, differs)))
                if current_record is None:
                    record_rows.append({"step_id": match.step_id, "source": source, **entry.record, "seen_on": today})
                else:
                    record_updates.append({"b_key": match.step_id, **entry.record, "seen_on": today})
                records[match.step_id] = entry.record
                changed = True
            elif current_record is None:  # in the list, with nothing of the clinic's own: seen in it today
                record_rows.append({"step_id": match.step_id, "source": source, **EMPTY_RECORD, "seen_on": today})
                records[match.step_id] = EMPTY_RECORD
            elif last_seen[match.step_id] != (source, today) and last_seen[match.step_id][0] == source:
                seen.append(match.step_id)
            clock = clock_plans[match.step_id].clock if match.step_id in clock_plans else match.clock
            result.booked_late += _late(records.get(match.step_id), clock)
            if changed:
                changed_patients[patient_id] = match.case_id
                result.updated += 1
            else:
                result.unchanged += 1
            if entry.external_id and entry.external_id not in links and match.step_id not in linked_ids:
                new_links.append({"source": source, "external_id": entry.external_id, "step_id": match.step_id})
        insert_rows(session, ImportLink, new_links)
        update_rows(session, Patient, "id", [{"b_key": pid, **values} for pid, values in patient_updates.items()])
        # the version as an ORM flush would bump it (optimistic concurrency)
        update_rows(session, Case, "id", case_updates, version=Case.__table__.c.version + 1)
        insert_rows(session, CaseEvent, [
            {"case_id": match.case_id, "step_id": match.step_id, "kind": Note.NOTE.value, "on": today,
             "details": {"text": f"Ändrat enligt listan från {source}: {text}."}, "user_id": ctx.user_id,
             "created_at": now} for match, text in traces])
        insert_rows(session, ListRecord, record_rows)
        update_rows(session, ListRecord, "step_id", record_updates)
        if seen:
            session.execute(update(ListRecord).where(_one_of(session, ListRecord.step_id, seen)).values(seen_on=today))
        created, created_steps = _create(session, ctx, new_entries, patients, source, today, now)
        deviations.write(session, ctx, [*clock_plans.values(), *(p for p in created_steps.values() if p.actions)],
                         source, today, now)
        result.created += len(new_entries)
        result.booked_late += sum(_late(e.record, e.clock) for e in new_entries)
        if whole_list:
            missing = reconcile(session, ctx, source, present | set(created_steps), set(file_ids), today, now)
            result.missing = missing.count
            for pid, case_id in missing.new + missing.back:
                changed_patients.setdefault(pid, case_id)
        touched = [(pid, case_id, action) for pid, (case_id, action) in created.items()]
        touched += [(pid, case_id, Action.CHANGE) for pid, case_id in changed_patients.items() if pid not in created]
        # through the access log's door (app.access), sealed into its hash chain in this transaction
        log_rows(session, [{"user_id": ctx.user_id, "patient_id": pid, "case_id": case_id, "action": action,
                            "detail": f"import av väntelista {source}", "at": now, "unit": ctx.unit}
                           for pid, case_id, action in touched])


def _deviation_plans(session: Session, ctx: AppContext, matched: list[tuple[Entry, _Known | None]],
                     today: date) -> dict[int, deviations.StepPlan]:
    """step id -> what the row's Avvikelse adds to or corrects on a step already in Lotsen (nothing when its events
    hold it already); a row whose Avvikelse cannot go on the clock is refused, naming the column."""
    carrying = [(e, m) for e, m in matched
                if m is not None and not m.closed and not e.row.problems and e.record and e.record["deviation"]]
    if not carrying:
        return {}
    known = deviations.step_events(session, (m.step_id for _, m in carrying))
    plans = {}
    for entry, match in carrying:
        try:
            plan = deviations.known_step_plan(match.step_id, match.case_id, known[match.step_id], entry.record,
                                              today, ctx.rules)
        except InputError as exc:
            entry.row.problem(exc.field, exc.message)
            continue
        if plan is not None:
            plans[match.step_id] = plan
    return plans


def _late(record: dict | None, clock: dict) -> bool:
    """The list books the step after its deadline (app.worklist.is_booked_late), by its clock's cached columns."""
    return bool(record) and is_booked_late(record["planned_on"], clock["deadline"], clock["is_open"] and
                                           clock["paused_since"] is None and clock["pvv_since"] is None)


def _match(entry: Entry, patients: dict, known: dict, open_steps: dict, links: dict,
           linked_ids: dict[int, str]) -> _Known | None:
    """The existing step a row updates, or None for a new step; a row that cannot be either gets a problem.
    Never left to the database's unique constraints: one bad row must not fail the whole file."""
    if entry.external_id in links:
        step_id, case_id = links[entry.external_id]
        match = known.get(step_id)
        if match is None or match.patient_id != patients[entry.pid.value][0]:
            entry.row.problem("id_number", f"remiss-id {entry.external_id} hör i Lotsen till en annan patient "
                                           f"(ärende {case_id}). Har personnumret rättats i journalen, rätta det "
                                           "också i ärendet i Lotsen; raden importerades inte.")
            return None
    else:
        match = known.get(entry.key())
        if match is not None and entry.external_id and match.step_id in linked_ids:
            entry.row.problem("id_number", "patienten har redan ett öppet ärende för samma steg och "
                                           f"verksamhetsområde (ärende {match.case_id}, remiss-id "
                                           f"{linked_ids[match.step_id]}); raden med remiss-id "
                                           f"{entry.external_id} importerades inte.")
            return None
    if match is not None and match.started_on != entry.started_on:
        entry.row.problem(entry.start_key, f"ärendet har startdatum {match.started_on.isoformat()} i Lotsen. "
                                           "Ett ändrat startdatum registreras i ärendet, inte genom import.")
        return None
    if match is None:
        open_key = (entry.pid.value, entry.step, entry.specialty)
        if open_key in open_steps:
            case_id, step_id = open_steps[open_key]
            other = f", remiss-id {linked_ids[step_id]}" if step_id in linked_ids else ""
            entry.row.problem("id_number", "patienten har redan ett öppet ärende för samma steg och "
                                           f"verksamhetsområde (ärende {case_id}{other}); raden importerades inte.")
    return match


def _changes(fields: tuple[str, ...], before: dict, after: dict) -> str:
    """"Medicinsk prioritet 2 → 1, Telefon – → 070-123 45 67": the old and the new value, by the field's label."""
    labels = {f.key: f.label for f in FIELDS[WAITING_LIST]}
    labels.update(municipality_code=labels["municipality"], activity_code=labels["activity"])
    return ", ".join(f"{labels[f]} {_shown(before[f])} → {_shown(after[f])}" for f in fields if f in after)


def _shown(value: object) -> object:
    return "–" if value is None or value == "" else value


def _patients(session: Session, id_numbers: set[str]) -> dict[str, tuple[int, dict]]:
    columns = [Patient.id, Patient.id_number, *(getattr(Patient, f) for f in PATIENT_FIELDS)]
    rows = session.connection().execute(select(*columns).where(_one_of(session, Patient.id_number, id_numbers)))
    return {id_number: (patient_id, dict(zip(PATIENT_FIELDS, values, strict=True)))
            for patient_id, id_number, *values in rows}


def _steps(session: Session, patient_ids: list[int]) -> tuple[dict, dict]:
    """Existing steps of these patients by (id number, step, MVO, start) and by step id; and their open steps
    by (id number, step, MVO), the duplicate rule of app.cases.open_case. Core rows, unpacked by position:
    a whole list has a row per step."""
    known: dict = {}
    open_steps: dict = {}
    late = [getattr(Step, c) for c in LATE_COLUMNS]
    for step_id, code, started_on, is_open, case_id, patient_id, closed_on, specialty, id_number, *rest in \
            session.connection().execute(
                select(Step.id, Step.code, Step.started_on, Step.is_open, Case.id, Case.patient_id, Case.closed_on,
                       Case.specialty_code, Patient.id_number, *(getattr(Case, f) for f in CASE_FIELDS), *late)
                .join(Case, Step.case_id == Case.id).join(Patient, Case.patient_id == Patient.id)
                .where(_one_of(session, Case.patient_id, patient_ids))):
        case, late_values = rest[:len(CASE_FIELDS)], rest[len(CASE_FIELDS):]
        entry = _Known(step_id, case_id, patient_id, started_on, closed_on is not None or not is_open,
                       dict(zip(CASE_FIELDS, case, strict=True)), dict(zip(LATE_COLUMNS, late_values, strict=True)))
        known[(id_number, code, specialty, started_on)] = entry
        known[step_id] = entry
        if not entry.closed:
            open_steps[(id_number, code, specialty)] = (case_id, step_id)
    return known, open_steps


def _links(session: Session, source: str, external_ids: set[str]) -> dict[str, tuple[int, int]]:
    """This source's remiss-ids already in Lotsen: remiss-id -> (step id, case id)."""
    return {external_id: (step_id, case_id) for external_id, step_id, case_id in session.execute(
        select(ImportLink.external_id, ImportLink.step_id, Step.case_id).join(Step, Step.id == ImportLink.step_id)
        .where(ImportLink.source == source, _one_of(session, ImportLink.external_id, external_ids)))}


def _records(session: Session, step_ids: set[int], seen: dict[int, tuple[str, date | None]]) -> dict[int, dict]:
    """step id -> the clinic's record stored for it; and into `seen`: its source and the date of its latest list."""
    found: dict[int, dict] = {}
    columns = [getattr(ListRecord, f) for f in RECORD_FIELDS]
    for row in session.execute(select(ListRecord.step_id, *columns, ListRecord.seen_on, ListRecord.source)
                               .where(_one_of(session, ListRecord.step_id, step_ids))):
        found[row.step_id] = {f: getattr(row, f) for f in RECORD_FIELDS}
        seen[row.step_id] = (row.source, row.seen_on)
    return found


def _link_ids(session: Session, source: str, step_ids: set[int]) -> dict[int, str]:
    """step id -> this source's remiss-id, for the steps a row may match."""
    return dict(session.execute(select(ImportLink.step_id, ImportLink.external_id)
                                .where(ImportLink.source == source,
                                       _one_of(session, ImportLink.step_id, step_ids))).all())


def _one_of(session: Session, column, values: Iterable):
    """One statement for all of a list's keys (db.backend.one_of)."""
    return one_of(session.connection().dialect.name, column, values)


def _create(session: Session, ctx: AppContext, entries: list[Entry], patients: dict, source: str, today: date,
            now) -> tuple[dict[int, tuple[int, Action]], dict[int, deviations.StepPlan]]:
    """Insert the new patients, cases, steps, start events and links; patient id -> (case id, log action), and
    the new steps' ids with what their list's Avvikelse puts on their clocks (their clocks already hold it)."""
    new_patients = {e.pid.value: e.patient for e in entries if e.pid.value not in patients}
    ids = insert_rows(session, Patient, [{**p, "created_at": now} for p in new_patients.values()], with_ids=True)
    patient_ids = {number: pid for (number, (pid, _)) in patients.items()}
    patient_ids.update(zip(new_patients, ids, strict=True))
    case_ids = insert_rows(session, Case, [
        {**e.case, "patient_id": patient_ids[e.pid.value], "assigned_user_id": ctx.user_id, "opened_on": today,
         "version": 1, "created_at": now} for e in entries], with_ids=True)
    with steps_in_bulk(session.connection()):
        step_ids = insert_rows(session, Step, [
            {"case_id": case_id, "code": e.step, "started_on": e.started_on, "target_date": e.target_date,
             **e.clock} for e, case_id in zip(entries, case_ids, strict=True)], with_ids=True)
    insert_rows(session, CaseEvent, [
        {"case_id": case_id, "step_id": step_id, "kind": EventKind.START.value, "on": e.started_on,
         "user_id": ctx.user_id, "details": {}, "created_at": now}
        for e, case_id, step_id in zip(entries, case_ids, step_ids, strict=True)])
    insert_rows(session, ImportLink, [{"source": source, "external_id": e.external_id, "step_id": step_id}
                                for e, step_id in zip(entries, step_ids, strict=True) if e.external_id])
    insert_rows(session, ListRecord, [{"step_id": step_id, "source": source, **(e.record or EMPTY_RECORD),
                                       "seen_on": today} for e, step_id in zip(entries, step_ids, strict=True)])
    created: dict[int, tuple[int, Action]] = {}
    for e, case_id in zip(entries, case_ids, strict=True):
        pid = patient_ids[e.pid.value]
        action = Action.CREATE if e.pid.value in new_patients else Action.CHANGE
        created.setdefault(pid, (case_id, action))
    return created, {step_id: deviations.StepPlan(step_id, case_id, list(e.deviations), e.clock)
                     for e, case_id, step_id in zip(entries, case_ids, step_ids, strict=True)}
