"""The data-quality list at scale: problems with their counts, then their cases; and the demo's activity codes."""

from __future__ import annotations

import csv
from datetime import date

from app import demo
from app.export import Issue, export_month, group_issues
from app.reports.months import Month
from app.settings import get_setting, set_setting
from db.models import Setting
from tests.export.conftest import configure


def _issue(case_id: int, message: str, blocking: bool = False, field: str = "Aktivitet") -> Issue:
    return Issue(case_id, case_id * 10, field, message, blocking)


def test_issues_are_grouped_by_problem_blocking_first_then_by_how_many():
    issues = [_issue(3, "P002 saknas"), _issue(1, "P001 saknas"), _issue(2, "P001 saknas"),
              _issue(1, "P001 saknas"), _issue(9, "okänt kön", blocking=True, field="Kön")]
    groups = group_issues(issues)
    assert [(g.message, g.case_ids) for g in groups] == [
        ("okänt kön", (9,)), ("P001 saknas", (1, 2)), ("P002 saknas", (3,))]
    assert groups[0].consequence == "Skickas inte förrän felet är rättat" and groups[1].consequence == "Skickas ändå"


def test_the_demo_maps_its_placeholder_activities_to_visibly_made_up_codes(ctx, tmp_path, schemas):
    configure(ctx)
    with ctx.db.transaction() as session:  # the region's settings, but no activity mapping yet
        session.delete(session.get(Setting, "skr.activity_codes"))
    demo.generate(ctx.db, 120, 120, today=date(2026, 11, 20), workers=1)
    codes = get_setting(ctx.db, "skr.activity_codes", {})
    assert codes["P010"] == "DM010" and all(len(c) == 5 and c.startswith("DM") for c in codes.values())

    ctx.today = lambda: date(2026, 11, 20)
    result = export_month(ctx, Month(2026, 10), tmp_path / "ut")
    assert not [i for i in result.issues if i.field == "Aktivitet"]
    text = (tmp_path / "ut" / "TillgangligVardSpeciVantande_2026-10.xml").read_text("utf-8")
    assert 'Aktivitet="DM' in text
    schemas["vantande"].validate(str(tmp_path / "ut" / "TillgangligVardSpeciVantande_2026-10.xml"))


def test_a_mapping_the_region_has_set_is_kept_by_the_demo(ctx):
    set_setting(ctx.db, "skr.activity_codes", {"P010": "HO100"})
    demo._demo_activity_codes(ctx.db)
    assert get_setting(ctx.db, "skr.activity_codes", {}) == {"P010": "HO100"}


def test_the_list_of_cases_to_fix_is_written_problem_by_problem(tmp_path):
    from app.export.service import write_issues

    issues = [_issue(5, "P002 saknas"), _issue(1, "P001 saknas"), _issue(4, "P001 saknas"),
              _issue(2, "okänt kön", blocking=True, field="Kön")]
    with write_issues(tmp_path / "fix.csv", issues).open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    assert [(r[0], r[3]) for r in rows] == [("2", "okänt kön"), ("1", "P001 saknas"), ("4", "P001 saknas"),
                                            ("5", "P002 saknas")]


def test_the_keyed_record_id_is_standard_hmac_sha256_for_any_key_length():
    import hashlib
    import hmac

    from app.export.records import _KeyedId

    for key in (b"", b"k" * 32, b"x" * 64, bytes(range(200))):
        for message in (b"lotsen-step:1", b"lotsen-step:123456789"):
            assert _KeyedId(key).hexdigest(message) == hmac.new(key, message, hashlib.sha256).hexdigest()
