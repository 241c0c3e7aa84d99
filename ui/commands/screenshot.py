"""`lotsen screenshot`: render the main windows offscreen to PNG, to look at them as a case worker would."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

SIZES = ((1366, 768), (1920, 1080))


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("screenshot", parents=[common], help="spara bilder av fönstren som PNG")
    parser.add_argument("--out", type=Path, required=True, help="mapp för bilderna")
    parser.set_defaults(run=run, needs_db=True)


def run(args: argparse.Namespace, db_path: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.screenshots import render_all

    for path in render_all(db_path, args.out, SIZES):
        print(path)
    return 0
