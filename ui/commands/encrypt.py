"""`lotsen encrypt` and `lotsen decrypt`: turn encryption at rest (SQLCipher) on or off for a database file.
Lotsen must be closed everywhere the database is used. See docs/encryption.md."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app import encryption
from app.context import os_login
from app.errors import StorageError

NEW_KEY_NOTE = """Databasen är krypterad. Nyckeln (skriv av den exakt, eller kopiera den):

    {key}

Lägg nyckeln i regionens nyckelförvaring NU. Utan nyckeln går databasen och dess säkerhetskopior inte att
läsa, av någon. Lotsen skriver aldrig ut den här nyckeln igen."""


def register(commands, common: argparse.ArgumentParser) -> None:
    encrypt = commands.add_parser(
        "encrypt", parents=[common], help="kryptera databasen (SQLCipher); stäng Lotsen överallt först",
        description="Krypterar databasen och dess säkerhetskopior. Nyckeln tas från miljövariabeln "
                    f"{encryption.ENV_KEY} om den finns; annars skapas en ny nyckel som skrivs ut en gång.")
    encrypt.add_argument("--remember", action="store_true",
                         help="spara nyckeln i datorns lösenordsvalv för den här användaren")
    encrypt.add_argument("--keep-plain", action="store_true",
                         help="behåll den okrypterade filen i mappen för säkerhetskopior (rekommenderas inte)")
    encrypt.set_defaults(run=run_encrypt)
    decrypt = commands.add_parser(
        "decrypt", parents=[common], help="ta bort krypteringen av databasen; stäng Lotsen överallt först",
        description=f"Nyckeln tas från miljövariabeln {encryption.ENV_KEY} eller datorns lösenordsvalv; "
                    "annars frågar Lotsen efter den.")
    decrypt.set_defaults(run=run_decrypt)


def _on_a_server(db_path) -> bool:
    if isinstance(db_path, Path):
        return False
    print("Kryptering gäller en databasfil. På regionens server krypterar IT lagringen och förbindelsen "
          "(docs/team-server.md).", file=sys.stderr)
    return True


def run_encrypt(args: argparse.Namespace, db_path: Path) -> int:
    if _on_a_server(db_path):
        return 2
    given = os.environ.get(encryption.ENV_KEY)
    key = given or encryption.new_key()
    try:
        done = encryption.encrypt_database(db_path, key, keep_plain=args.keep_plain)
    except (StorageError, ImportError) as exc:
        return _failed(exc)
    if not given:
        print(NEW_KEY_NOTE.format(key=key))
    copies = "säkerhetskopia" if done.backups_converted == 1 else "säkerhetskopior"
    also = f"; {done.backups_converted} äldre {copies} krypterades också" if done.backups_converted else ""
    print(f"Klart: {db_path} är krypterad{also}.")
    if done.kept:
        print(f"Den okrypterade filen finns kvar som {done.kept}. Ta bort den när den inte behövs.")
    for left in done.backups_left:
        print(f"Säkerhetskopian {left} är skadad och kunde inte krypteras. Ta bort den.", file=sys.stderr)
    if args.remember:
        return _remember(db_path, key)
    return 0


def run_decrypt(args: argparse.Namespace, db_path: Path) -> int:
    if _on_a_server(db_path):
        return 2
    key = encryption.find_key(db_path)
    if key is None and sys.stdin.isatty():
        key = getpass.getpass("Databasens nyckel: ")
    if not key:
        print(f"Nyckeln saknas. Ange den i miljövariabeln {encryption.ENV_KEY}.", file=sys.stderr)
        return 2
    try:
        done = encryption.decrypt_database(db_path, key, by=os_login())
    except (StorageError, ImportError) as exc:
        return _failed(exc)
    print(f"Klart: {db_path} är inte längre krypterad. Den krypterade filen finns kvar som {done.kept}; äldre "
          "säkerhetskopior är fortfarande krypterade och behöver nyckeln.")
    return 0


def _remember(db_path: Path, key: str) -> int:
    try:
        encryption.store_key(db_path, key)
    except StorageError as exc:
        return _failed(exc)
    print("Nyckeln är sparad i datorns lösenordsvalv för den här användaren.")
    return 0


def _failed(exc: Exception) -> int:
    if isinstance(exc, ImportError):
        print("Stöd för kryptering saknas i den här installationen (paketet sqlcipher3). Kontakta IT.",
              file=sys.stderr)
    else:
        print(exc.message, file=sys.stderr)
    return 1
