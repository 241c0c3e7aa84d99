"""Subcommands of `lotsen`, one module each. A module defines `register(commands, common)`, which adds its
parser with `set_defaults(run=...)` (and `needs_db=True` when the database must already exist: ui/cli.py then
says so); `run(args, db_path) -> int` does the work and returns the exit code."""
