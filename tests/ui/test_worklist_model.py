"""The worklist model holds the counts and the first page; later pages and all the ids are read when needed."""

from __future__ import annotations

import pytest

from app import worklist
from app.guarantee import State
from app.worklist import Filter, Sort, SortOrder
from tests.db.test_worklist import region  # noqa: F401 - the fixture: one step in each state
from ui import worklist_model
from ui.worklist_model import WorklistModel


@pytest.fixture
def model(ctx, region, monkeypatch):  # noqa: F811
    monkeypatch.setattr(worklist_model, "PAGE", 3)  # 7 steps: three pages
    model = WorklistModel(ctx)
    model.set_query(Filter(), SortOrder())
    return model


def names(model: WorklistModel) -> list[str]:
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def test_pages_follow_the_full_order(ctx, model, qtmodeltester):
    qtmodeltester.check(model)
    expected = worklist.open_step_ids(ctx)
    assert model.rowCount() == 7 and model._ids is None  # only the first page read so far
    assert [model.row_data(r).step_id for r in range(7)] == expected
    assert model._ids is None  # pages were read one by one
    assert [model.step_id(r) for r in range(7)] == expected
    assert model._ids == expected  # a step id beyond the first page reads them all once


@pytest.mark.parametrize("key", [Sort.PATIENT, Sort.WAITED, Sort.URGENCY])
def test_a_new_sort_keeps_the_counts_and_reads_the_first_page(ctx, model, key):
    counts = model.counts
    model.set_query(Filter(), SortOrder(key, True))
    assert model.counts is counts
    assert [model.step_id(r) for r in range(7)] == worklist.open_step_ids(ctx, order=SortOrder(key, True))


def test_a_filter_recounts(model):
    model.set_query(Filter(states=frozenset({State.OVERDUE, State.AKUT})), SortOrder(Sort.PATIENT))
    assert model.counts == {State.OVERDUE: 2, State.AKUT: 2}
    assert names(model) == ["Bo Bup", "Lång Väntan", "Åsa Akut", "Östen Över"]
    model.set_query(Filter(text="zz"), SortOrder())
    assert model.rowCount() == 0 and model.counts == {}
