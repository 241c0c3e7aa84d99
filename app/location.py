"""Where the database is: a file (SQLite, the embedded default for one user, the demo and evaluation) or the
region's team server (PostgreSQL). Read from --db or LOTSEN_DB, else from the connection profile that IT puts on
the machine, else the default file (app.paths)."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import site_config_path, user_data_path
from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.errors import InputError
from app.paths import ENV_DB, default_db_path, program_folder

ENV_PROFILE = "LOTSEN_PROFILE"        # a policy-set path to the connection profile
PROFILE_FILE = "lotsen-server.toml"  # beside Lotsen.exe, or in the machine's configuration folder
SERVER_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: C:\… is a path
FIELD = "Databas"


@dataclass(frozen=True)
class Server:
    """The team server. The URL carries host, port, database and TLS options; the password never comes from a
    profile (Kerberos, a pgpass or service file, or the prompt)."""

    url: URL

    @property
    def name(self) -> str:
        return f"{self.url.database} på {self.url.host or 'den lokala servern'}"

    @property
    def folder(self) -> Path:
        """This user's folder for what stays on the desktop (the program's log, letters to print)."""
        tag = hashlib.sha256(self.url.render_as_string(hide_password=True).encode()).hexdigest()[:10]
        return user_data_path("Lotsen", appauthor=False, roaming=False) / "server" / f"{self.url.database}-{tag}"

    def with_password(self, password: str) -> Server:
        return Server(self.url.set(password=password))

    def __str__(self) -> str:
        return self.url.render_as_string(hide_password=True)


Location = Path | Server


def parse(text: str, field: str = FIELD) -> Location:
    """A file path or a postgresql:// URL. Anything else that looks like a URL is refused: it must never become
    a file named after it (with a password in the folder name)."""
    text = text.strip()
    if not URL_LIKE.match(text):
        return Path(text).expanduser()
    scheme = text.split("://", 1)[0].lower()
    if scheme not in SERVER_SCHEMES:
        raise InputError(field, f"adresser som börjar med {scheme}:// stöds inte. Ange en databasfil eller en "
                                "PostgreSQL-server som postgresql://server.region.se/lotsen.")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise InputError(field, f"adressen till servern går inte att läsa ({exc}).") from exc
    if not url.database:
        raise InputError(field, "adressen saknar databasens namn, till exempel postgresql://server/lotsen.")
    return Server(url.set(drivername="postgresql+psycopg"))


def profile_path() -> Path | None:
    """The connection profile: LOTSEN_PROFILE, else lotsen-server.toml beside the program, else in the machine's
    configuration folder (C:\\ProgramData\\Lotsen on Windows)."""
    if os.environ.get(ENV_PROFILE):
        return Path(os.environ[ENV_PROFILE])
    candidates = [program_folder() / PROFILE_FILE] if getattr(sys, "frozen", False) else []
    candidates.append(site_config_path("Lotsen", appauthor=False) / PROFILE_FILE)
    return next((path for path in candidates if path.is_file()), None)


def from_profile(path: Path) -> Server:
    field = f"Anslutningsprofilen {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(field, f"kan inte läsas ({exc}). Kontakta IT.") from exc
    url = data.get("server", {}).get("url")
    if not isinstance(url, str):
        raise InputError(field, "saknar [server] url = \"postgresql://…\". Kontakta IT.")
    server = parse(url, field)
    if not isinstance(server, Server):
        raise InputError(field, "url ska vara en adress som börjar med postgresql://. Kontakta IT.")
    if server.url.password:
        raise InputError(field, "får inte innehålla något lösenord. Kontakta IT.")
    return server


def default_location(given: str | None = None, portable: bool = False) -> Location:
    """--db, then LOTSEN_DB, then IT's connection profile, then the default file."""
    for text in (given, os.environ.get(ENV_DB)):
        if text:
            return parse(text)
    if not portable and (profile := profile_path()) is not None:
        return from_profile(profile)
    return default_db_path(portable)
