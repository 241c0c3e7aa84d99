"""PySide6 user interface; talks to app/ only."""
