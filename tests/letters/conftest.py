"""Letters need the region's sender: every test here that has a database sets it first, as an administratör
would, except those marked `unconfigured_sender` (which check that letters are then refused)."""

from __future__ import annotations

import pytest

from tests.letters.scenario import configure_sender


@pytest.fixture(autouse=True)
def letter_sender(request):
    if "ctx" in request.fixturenames and request.node.get_closest_marker("unconfigured_sender") is None:
        configure_sender(request.getfixturevalue("ctx"))
