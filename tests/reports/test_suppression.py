"""Secondary suppression: a hidden count cannot be computed back from the total and the parts shown."""

from app.reports.suppression import hidden_parts


def test_one_small_part_takes_the_next_smallest_with_it():
    assert hidden_parts(100, [85, 3, 12], 10) == {1, 2}


def test_two_small_parts_hide_each_other():
    assert hidden_parts(100, [90, 4, 6], 10) == {1, 2}


def test_nothing_small_nothing_hidden():
    assert hidden_parts(100, [60, 0, 40], 10) == set()


def test_a_small_total_hides_every_part():
    assert hidden_parts(7, [5, 2, 0], 10) == {0, 1}


def test_zeros_are_shown_and_never_chosen():
    assert hidden_parts(50, [47, 3, 0], 10) == {0, 1}
