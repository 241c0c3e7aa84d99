"""Letter use cases: which steps are due a letter, compose a batch, write the archived PDFs and the print PDF,
and record every letter on the case timeline (file, sha256, template version) in one transaction per letter.

A guarantee-information letter also records that the patient was informed (a PvV condition), and a 14-day notice
records the notice, in the same transaction as the letter.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Action, patient_access
from app.cases import Note, _add, _changing
from app.context import AppContext
from app.errors import ConflictError, InputError, NotFoundError
from app.guarantee import Answer, ClockEvent, EventKind
from app.letters import archive, fonts
from app.letters.archive import stored_templates
from app.letters.compose import LetterJob, Skip, StepFacts, compose
from app.letters.kinds import LABEL, LetterType
from app.letters.layout import LaidOut, LetterContent, lay_out
from app.letters.pdf import Metadata, Written, render_many, write_one
from app.letters.sender import get_sender, require_sender
from app.letters.templates import Facts, Paragraph
from app.paths import letters_folder
from db.models import Case, CaseEvent, Patient, Specialty, Step

POOL_FROM = 200  # below this many letters, starting worker processes costs more than it saves
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Skipped:
    step_id: int
    case_id: int | None
    reason: str
    conflict: bool = False  # the case changed after the user saw it (BatchResult.conflicts)


@dataclass(frozen=True)
class Prepared:
    letter_type: LetterType
    jobs: list[LetterJob]
    skipped: list[Skipped]
    versions: dict[int, int] = field(default_factory=dict)  # case id -> Case.version read: the expected_versions

    @property
    def manual_count(self) -> int:
        return sum(job.manual_handling for job in self.jobs)


@dataclass(frozen=True)
class GeneratedLetter:
    case_id: int
    step_id: int
    event_id: int
    file: Path
    sha256: str
    manual_handling: bool


@dataclass(frozen=True)
class ManualLetter:
    """A letter a person must hand over: protected identity (never an address from Lotsen) or no address."""

    case_id: int
    step_id: int
    reason: str
    file: Path


@dataclass
class BatchResult:
    letter_type: LetterType
    letters: list[GeneratedLetter] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    conflicts: list[ConflictError] = field(default_factory=list)  # letters refused: their case changed meanwhile
    print_file: Path | None = None
    # What is printed, for Qt's print dialog: the letters that can be posted, then the list of those that cannot.
    layouts: list[LaidOut] = field(default_factory=list)
    manual: list[ManualLetter] = field(default_factory=list)  # archived, but kept out of the print batch

    @property
    def manual_count(self) -> int:
        return sum(letter.manual_handling for letter in self.letters)


def archive_folder(ctx: AppContext) -> Path:
    return letters_folder(ctx.db.folder)


def template_folder(ctx: AppContext) -> Path:
    """A region's own letter texts (<language>.toml) replace the shipped ones when placed here."""
    return archive_folder(ctx) / "mallar"


def prepare(ctx: AppContext, letter_type: LetterType, step_ids: list[int]) -> Prepared:
    """Compose the letters (reading only): one per step that has what the letter needs; the rest are skipped
    with the reason. Each patient read is logged. Refused (InputError, nothing read or written) while the region
    has not set its sender: every letter, batch or single, UI or command, is composed here."""
    letter_type = LetterType(letter_type)
    sender = require_sender(ctx.db)
    folder = template_folder(ctx)
    jobs, skipped, versions = [], [], {}
    with ctx.db.transaction() as session:
        own_texts = stored_templates(session)
        specialties = {code: name for code, name in session.execute(select(Specialty.code, Specialty.name))}
        for chunk in _chunks(step_ids, 500):
            facts = _load(session, chunk, specialties)
            for step_id in chunk:
                if step_id not in facts:
                    skipped.append(Skipped(step_id, None, "steget finns inte"))
                    continue
                one = facts[step_id]
                patient_access(session, ctx, one.patient.id, Action.READ, one.case.id, f"brev: {LABEL[letter_type]}")
                try:
                    jobs.append(compose(ctx, letter_type, one, sender, folder, own_texts))
                except Skip as exc:
                    skipped.append(Skipped(step_id, one.case.id, str(exc)))
                else:
                    versions[one.case.id] = one.case.version
    return Prepared(letter_type, jobs, skipped, versions)


def _load(session: Session, step_ids: list[int], specialties: dict[str, str]) -> dict[int, StepFacts]:
    """Steps, cases, patients and timelines of many steps in four queries, not four per step."""
    found = session.execute(select(Step, Case, Patient).join(Case, Step.case_id == Case.id)
                            .join(Patient, Case.patient_id == Patient.id).where(Step.id.in_(step_ids))).all()
    rows: dict[int, list[CaseEvent]] = {}
    for event in session.scalars(select(CaseEvent).where(CaseEvent.step_id.in_(step_ids))
                                 .order_by(CaseEvent.on, CaseEvent.id)):
        rows.setdefault(event.step_id, []).append(event)
    return {step.id: StepFacts(step, case, patient, rows.get(step.id, []), specialties[case.specialty_code])
            for step, case, patient in found}


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def generate(ctx: AppContext, letter_type: LetterType, step_ids: list[int], print_file: Path | None = None,
             workers: int | None = None, progress: Progress | None = None, *,
             expected_versions: Mapping[int, int] | None = None) -> BatchResult:
    """Write one archived PDF per letter and record it; then one combined PDF of the recorded letters to print.
    A letter changes its case: with `expected_versions` (case id -> the Case.version the user was shown, e.g.
    Prepared.versions of the preview), a case changed since is not written to; its letter is skipped and the
    ConflictError kept in BatchResult.conflicts."""
    prepared = prepare(ctx, letter_type, step_ids)
    result = BatchResult(letter_type, skipped=list(prepared.skipped))
    layouts = [lay_out(job.content) for job in prepared.jobs]
    paths = _archive_paths(ctx, prepared.jobs)
    written = _write_all([(layout, job.meta, path) for layout, job, path in zip(layouts, prepared.jobs, paths)],
                         workers, progress)
    for job, layout, done in zip(prepared.jobs, layouts, written):
        try:
            event_id = _record(ctx, job, done, (expected_versions or {}).get(job.case_id))
        except (InputError, ConflictError) as exc:
            done.path.unlink(missing_ok=True)
            conflict = isinstance(exc, ConflictError)
            result.skipped.append(Skipped(job.step_id, job.case_id, exc.message, conflict))
            if conflict:
                result.conflicts.append(exc)
            continue
        result.letters.append(GeneratedLetter(job.case_id, job.step_id, event_id, done.path, done.sha256,
                                              job.manual_handling))
        if job.manual_handling:  # never in the print batch: it would be posted like the others
            result.manual.append(ManualLetter(job.case_id, job.step_id, job.manual_reason or "", done.path))
        else:
            result.layouts.append(layout)
    if result.manual:
        result.layouts.append(lay_out(manual_list(ctx, letter_type, result.manual)))
    if print_file is not None and result.layouts:
        print_file.parent.mkdir(parents=True, exist_ok=True)
        print_file.write_bytes(render_many(result.layouts, print_metadata(ctx, letter_type, len(result.layouts))))
        result.print_file = print_file
    return result


def manual_list(ctx: AppContext, letter_type: LetterType, manual: list[ManualLetter]) -> LetterContent:
    """The batch's last page, for the case worker: the letters that are not in it and must be handled by hand.
    Case numbers and archived files only; no name or address of a patient with protected identity."""
    sender = get_sender(ctx.db)
    today = ctx.today().isoformat()
    rows = tuple((f"Ärende {m.case_id}", f"{m.reason} – arkivfil {m.file.relative_to(archive_folder(ctx)).as_posix()}")
                 for m in manual)
    return LetterContent(
        region=sender.region, unit=sender.unit, logo="", reference=(("Datum", today),), return_address="",
        address=(), manual_note="Intern lista – skickas inte", regarding=(),
        title=f"Att hantera manuellt: {len(manual)} brev", blocks=(
            Paragraph(f"De här breven ({LABEL[letter_type].lower()}) är sparade i arkivet och på ärendena men "
                      "finns inte i den här utskriften. Skriv ut dem var för sig från arkivfilen och lämna dem "
                      "enligt regionens rutin: vid skyddad identitet via Skatteverket eller den kontaktväg som "
                      "står i ärendet, aldrig med en adress från Lotsen."),
            Facts(rows)),
        closing=(), footer=f"{sender.region} · {sender.unit} · intern lista · {today}",
        page_label="Sida ${page} av ${pages}",
    )


def print_metadata(ctx: AppContext, letter_type: LetterType, count: int) -> Metadata:
    sender = get_sender(ctx.db)
    return Metadata(title=f"Utskrift: {LABEL[letter_type]}, {count} brev, {ctx.today().isoformat()}",
                    subject=LABEL[letter_type], author=f"{sender.unit}, {sender.region}",
                    keywords=f"Lotsen, utskrift, {letter_type.value}", language="sv")


def default_print_file(ctx: AppContext, letter_type: LetterType) -> Path:
    folder = archive_folder(ctx) / "utskrift"
    stem = f"{ctx.today().isoformat()}-{letter_type.value}"
    n = 1
    while (folder / f"{stem}-{n}.pdf").exists():
        n += 1
    return folder / f"{stem}-{n}.pdf"


def _archive_paths(ctx: AppContext, jobs: list[LetterJob]) -> list[Path]:
    """<letters>/<case>/<date>-<type>-steg<step>[-n].pdf: never overwrites an earlier letter (it is evidence)."""
    taken: set[Path] = set()
    out = []
    for job in jobs:
        folder = archive_folder(ctx) / str(job.case_id)
        stem = f"{ctx.today().isoformat()}-{job.letter_type.value}-steg{job.step_id}"
        path, n = folder / f"{stem}.pdf", 1
        while path in taken or path.exists():
            n += 1
            path = folder / f"{stem}-{n}.pdf"
        taken.add(path)
        out.append(path)
    return out


def _write_all(jobs: list[tuple[LaidOut, Metadata, Path]], workers: int | None,
               progress: Progress | None) -> list[Written]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    out: list[Written] = []
    if workers > 1 and len(jobs) >= POOL_FROM:
        # Each PDF embeds its own font subsets, which is CPU-bound pure Python: worker processes use every core.
        with ProcessPoolExecutor(max_workers=workers, initializer=fonts.register) as pool:
            for done in pool.map(write_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
                out.append(done)
                if progress and len(out) % 50 == 0:
                    progress(len(out), len(jobs))
    else:
        for job in jobs:
            out.append(write_one(job))
            if progress and len(out) % 50 == 0:
                progress(len(out), len(jobs))
    if progress:
        progress(len(out), len(jobs))
    return out


def _record(ctx: AppContext, job: LetterJob, written: Written, expected_version: int | None = None) -> int:
    """The letter's timeline entry, and the clock event the letter itself is evidence of, in one transaction."""
    today = ctx.today()
    with ctx.db.transaction() as session:
        _changing(session, ctx, job.case_id, expected_version)  # the case changes: its version check (#6)
        details = {
            "type": job.letter_type.value,
            "file": written.path.relative_to(archive_folder(ctx)).as_posix(),
            "sha256": written.sha256,
            "template_version": job.template_version,
            "language": job.language,
            "recipient": {"kind": job.recipient.kind, "name": job.recipient.name},
            "manual_handling": job.manual_handling,
        }
        if job.source_event is not None:
            details["source_event"] = job.source_event
        letter = CaseEvent(case_id=job.case_id, step_id=job.step_id, kind=Note.LETTER, on=today, details=details,
                           user_id=ctx.user_id)
        session.add(letter)
        session.flush()
        archive.keep(session, ctx.db, letter.id, written.path)
        how = {"how": "brev", "letter_event": letter.id}
        if job.letter_type is LetterType.INFORMATION:
            _add(session, ctx, job.step_id, ClockEvent(EventKind.INFORMED, today), details=how)
        elif job.letter_type is LetterType.NOTICE:
            _add(session, ctx, job.step_id, ClockEvent(EventKind.NOTICE, today),
                 details={**how, "cannot_meet": job.cannot_meet})
        else:
            patient_access(session, ctx, job.patient_id, Action.CHANGE, job.case_id, f"brev: {job.letter_type}")
        return letter.id


# --- which steps to write to ---

def steps_of_case(ctx: AppContext, case_id: int) -> list[int]:
    with ctx.db.transaction() as session:
        if session.get(Case, case_id) is None:
            raise NotFoundError("Ärende", f"ärende {case_id} finns inte.")
        return list(session.scalars(select(Step.id).where(Step.case_id == case_id, Step.is_open).order_by(Step.id)))


def due_step_ids(ctx: AppContext, letter_type: LetterType) -> list[int]:
    """Open steps that should get this letter and have not had it: no information recorded; no notice and none
    due yet given; an offer, a declined answer or a restart without its letter."""
    open_steps = (select(Step.id).join(Case, Step.case_id == Case.id)
                  .where(Step.is_open, Case.closed_on.is_(None)))
    with ctx.db.transaction() as session:
        if letter_type is LetterType.INFORMATION:
            done = select(CaseEvent.step_id).where(CaseEvent.kind == EventKind.INFORMED,
                                                    CaseEvent.step_id.is_not(None))
            return list(session.scalars(open_steps.where(Step.id.not_in(done)).order_by(Step.case_id, Step.id)))
        if letter_type is LetterType.NOTICE:
            return list(session.scalars(open_steps.where(Step.notice_due.is_not(None), Step.pvv_since.is_(None),
                                                         Step.paused_since.is_(None))
                                        .order_by(Step.case_id, Step.id)))
        source = {LetterType.OFFER: EventKind.OFFER, LetterType.DECLINED: EventKind.ANSWER,
                  LetterType.RESTART: EventKind.RESTART}[letter_type]
        query = (select(CaseEvent.id, CaseEvent.step_id).join(Step, CaseEvent.step_id == Step.id)
                 .where(CaseEvent.kind == source, CaseEvent.step_id.in_(open_steps),
                        CaseEvent.on >= Step.clock_start))  # the current period: not what a restart left behind
        if letter_type is LetterType.DECLINED:
            query = query.where(CaseEvent.answer == Answer.DECLINED)
        if letter_type is LetterType.OFFER:
            answered = select(CaseEvent.offer_id).where(CaseEvent.kind == EventKind.ANSWER,
                                                         CaseEvent.offer_id.is_not(None))
            query = query.where(CaseEvent.id.not_in(answered))
        candidates = session.execute(query.order_by(CaseEvent.case_id, CaseEvent.id)).all()
        candidate_steps = query.with_only_columns(CaseEvent.step_id)
        written = {  # the event a letter is about sits in its JSON details: compared here, portably
            (details or {}).get("source_event")
            for details in session.scalars(select(CaseEvent.details).where(
                CaseEvent.kind == Note.LETTER, CaseEvent.step_id.in_(candidate_steps)))
        }
        return list(dict.fromkeys(s for event_id, s in candidates if event_id not in written))
