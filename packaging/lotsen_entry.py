"""The entry point of the built app. Lotsen.exe (windowed) and lotsen-cli.exe (console) both run this: the same
`lotsen` command as a Python install, the desktop app without a subcommand."""

from __future__ import annotations

import multiprocessing
import os
import sys


def main() -> int:
    # Worker processes (a large letter batch) start this executable again; this turns such a start into the worker.
    multiprocessing.freeze_support()
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # the windowed Lotsen.exe has no console: what it prints goes nowhere, without failing
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (open for the run)
        else:  # a scheduled task's log file may not take every character; a "?" beats a failed export
            stream.reconfigure(errors="replace")
    from ui.cli import main as lotsen

    return lotsen()


if __name__ == "__main__":
    sys.exit(main())
