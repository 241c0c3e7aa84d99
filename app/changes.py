"""Saved changes, told to every window: this process's own (the UI's runner, ui.worker, after an op) and others'
(a colleague on the server, another Lotsen on the same file).

The database tells a listener (db.changes); the UI runs it off the UI thread and hands each `Change` to the
application context's broadcast (`AppContext.changes`), on the UI thread, where windows connect to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from db.changes import Listener


@dataclass(frozen=True)
class Change:
    case_ids: frozenset[int] | None  # None: not known which (SQLite, a reconnect, an import of many)
    local: bool = False  # this process's own save (its windows reload without a "someone else" warning)

    def touches(self, case_id: int) -> bool:
        return self.case_ids is None or case_id in self.case_ids


def merged(notices: list[str | None]) -> Change | None:
    """One Change for a burst of notices (db.changes.Listener.wait); None when there were none."""
    if not notices:
        return None
    ids: set[int] = set()
    for notice in notices:
        cases = json.loads(notice).get("cases") if notice is not None else None
        if cases is None:
            return Change(None)
        ids.update(int(i) for i in cases)
    return Change(frozenset(ids))


class Feed:
    """The changes of one database, for a listening thread: `next(timeout)` gives a Change or None."""

    def __init__(self, engine):
        self._listener = Listener(engine)

    def next(self, timeout: float) -> Change | None:
        return merged(self._listener.wait(timeout))

    def close(self) -> None:
        self._listener.close()


class Broadcast:
    """Plain callbacks, called in the order connected, on the UI thread (the main thread): the receivers are
    windows. Another thread hands its changes over first (ui.change_listener, ui.worker)."""

    def __init__(self) -> None:
        self._receivers: list[Callable[[Change], None]] = []

    def connect(self, receiver: Callable[[Change], None]) -> None:
        self._receivers.append(receiver)

    def disconnect(self, receiver: Callable[[Change], None]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def emit(self, change: Change) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("Broadcast.emit off the UI thread: queue the change to it first")
        for receiver in list(self._receivers):
            receiver(change)
