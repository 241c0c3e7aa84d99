"""Settings are merged, not overwritten (issue #12, 6): a setting changed from what it holds is read and written in
one write transaction, so two instances changing it at the same time each keep the other's change."""

from __future__ import annotations

import threading

from app import worklist
from app.context import sign_in
from app.export.config import SECRET_KEY, export_secret
from app.guarantee import State
from app.settings import get_setting, setting_history, update_setting
from app.worklist import Filter


def at_once(*jobs) -> None:
    """Run the jobs on threads of their own, started together; re-raise the first error."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def test_one_user_saving_filters_on_two_computers_keeps_them_all(ctx, second):
    # The same user on a second computer: its own engine on the same file (the `second` fixture's database).
    elsewhere = sign_in(second.db, "anna.lots")
    elsewhere.today = ctx.today

    def save(instance, prefix: str):
        return lambda: [worklist.save_filter(instance, f"{prefix} {n}", Filter(waited_over=n,
                                                                               states=frozenset({State.RISK})))
                        for n in range(50)]

    at_once(save(ctx, "Här"), save(elsewhere, "Där"))
    saved = worklist.saved_filters(ctx)
    assert len(saved) == 100
    assert saved["Där 49"] == Filter(waited_over=49, states=frozenset({State.RISK}))
    assert len(setting_history(ctx.db, f"worklist.filters.{ctx.user_id}")) == 100  # each save its own change


def test_update_setting_builds_on_what_is_stored(ctx, second):
    def count(instance):
        return lambda: [update_setting(instance.db, "test.counter", lambda n: n + 1, instance.user_id, default=0)
                        for _ in range(50)]

    at_once(count(ctx), count(second))
    assert get_setting(ctx.db, "test.counter") == 100
    assert update_setting(ctx.db, "test.counter", lambda n: n, ctx.user_id) == 100
    assert len(setting_history(ctx.db, "test.counter")) == 100  # an unchanged value writes nothing


def test_two_first_exports_at_once_use_one_key(ctx, second):
    keys = []
    at_once(lambda: keys.append(export_secret(ctx.db)), lambda: keys.append(export_secret(second.db)))
    assert keys[0] == keys[1] == bytes.fromhex(get_setting(ctx.db, SECRET_KEY))
    assert len(setting_history(ctx.db, SECRET_KEY)) == 1
