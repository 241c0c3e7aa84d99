"""`lotsen db upgrade` and `lotsen db copy`: IT's commands for the team server. A client's start never changes
the server's schema; IT runs the upgrade as the schema's owner when a new Lotsen is rolled out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.errors import InputError, StorageError
from app.location import Location, Server, parse


def register(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("db", help="databasservern: uppgradera schemat, kopiera en databasfil dit")
    actions = parser.add_subparsers(dest="action", metavar="ÅTGÄRD", required=True)
    upgrade = actions.add_parser("upgrade", parents=[common], help="uppgradera databasen på servern till den här "
                                 "versionen av Lotsen (körs av IT)")
    upgrade.set_defaults(run=run_upgrade)
    roles = actions.add_parser("init-roles", parents=[common], help="skapa Lotsens roller och behörigheter på "
                               "servern (körs av IT som databasens ägare; kan köras flera gånger)")
    roles.set_defaults(run=run_init_roles)
    user = actions.add_parser("add-user", parents=[common], help="lägg till en användare: en inloggning på servern "
                              "i rollens grupp och en användare i Lotsen")
    user.add_argument("login", metavar="INLOGGNING", help="inloggningen, samma som i Windows (utan domän)")
    user.add_argument("--role", dest="user_role", default="vårdlots",
                      help="vårdlots, administratör eller granskare (standard: vårdlots)")
    user.add_argument("--name", default="", help="användarens namn som det visas i Lotsen")
    user.set_defaults(run=run_add_user)
    copy = actions.add_parser("copy", parents=[common], help="flytta en databasfil till servern, allt eller inget")
    copy.add_argument("--from", dest="source", type=Path, required=True, help="databasfilen som ska flyttas")
    copy.add_argument("--to", dest="target", required=True, help="servern: postgresql://server/databas")
    copy.set_defaults(run=run_copy)


def run_upgrade(args: argparse.Namespace, location: Location) -> int:
    if not isinstance(location, Server):
        print("lotsen db upgrade gäller en databasserver: ange --db postgresql://server/databas. En databasfil "
              "uppgraderas av Lotsen själv när den öppnas.", file=sys.stderr)
        return 2
    from app.database import upgrade_server
    from db import migrate

    try:
        before = upgrade_server(location)
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    after = ", ".join(sorted(migrate.head_revisions()))
    was = ", ".join(sorted(before)) or "tom"
    print(f"Klart: {location.name} har version {after}" + ("." if was == after else f" (var {was})."))
    return 0


def _server(location: Location, command: str) -> Server | None:
    if not isinstance(location, Server):
        print(f"lotsen db {command} gäller en databasserver: ange --db postgresql://server/databas.", file=sys.stderr)
        return None
    return location


def run_init_roles(args: argparse.Namespace, location: Location) -> int:
    if (server := _server(location, "init-roles")) is None:
        return 2
    from app.server_admin import init_roles

    try:
        init_roles(server)
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"Klart: rollerna för Lotsen finns på {server.name} med sina behörigheter. Lägg till användare med "
          f"lotsen db add-user INLOGGNING --role vårdlots --db {server}.")
    return 0


def run_add_user(args: argparse.Namespace, location: Location) -> int:
    if (server := _server(location, "add-user")) is None:
        return 2
    from app.server_admin import add_user

    try:
        role = add_user(server, args.login, args.user_role, args.name)
    except (InputError, StorageError) as exc:
        print(exc.message if isinstance(exc, StorageError) else str(exc), file=sys.stderr)
        return 1
    print(f"Klart: {args.login.strip()} kan logga in i Lotsen på {server.name} som {role}.")
    return 0


def run_copy(args: argparse.Namespace, _location: Location) -> int:
    try:
        target = parse(args.target, "--to")
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not isinstance(target, Server):
        print("--to ska vara en databasserver: postgresql://server/databas.", file=sys.stderr)
        return 2
    if not args.source.is_file():
        print(f"Databasfilen {args.source} finns inte.", file=sys.stderr)
        return 2
    from app.encryption import find_key
    from app.server_copy import copy_to_server

    try:
        copied = copy_to_server(args.source, target, find_key(args.source))
    except StorageError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"Klart: {sum(copied.rows.values())} rader i {len(copied.rows)} tabeller kopierade till {target.name}; "
          f"loggen över åtkomst är hel ({copied.log_rows} rader kontrollerade på servern). "
          f"{copied.letters} skickade brev finns nu i databasen.")
    for path in copied.letters_missing:
        print(f"Brevet {path} fanns inte i brevmappen och kunde inte kopieras; det kan inte öppnas på servern.",
              file=sys.stderr)
    return 0
