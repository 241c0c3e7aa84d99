"""Letter texts: TOML files in resources/letters/ (one per language), editable without code.

A text holds ${names} filled from the case (string.Template) and blocks that print only `when` a condition holds.
A region may put its own <language>.toml in a folder of its choice; it replaces the shipped file.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from app.errors import InputError

DEFAULT_LANGUAGE = "sv"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    rows: tuple[tuple[str, str], ...]


Block = Heading | Paragraph | Bullets | Facts


@dataclass(frozen=True)
class TemplateSet:
    language: str
    version: str  # the file's own version plus a hash of its text, so an edit without a new version still shows
    data: dict[str, Any]

    def text(self, section: str, key: str, values: dict[str, str]) -> str:
        return _fill(self.data[section][key], values, f"{section}.{key}")

    def label(self, key: str, values: dict[str, str] | None = None) -> str:
        return _fill(self.data["labels"][key], values or {}, f"labels.{key}")

    def what(self, step_code: str, fallback: str) -> str:
        return self.data.get("what", {}).get(step_code, fallback.lower())

    def specialty(self, code: str, name: str) -> str | None:
        """The specialty in this language; None when the file has no list (the register's own name is used)."""
        names = self.data.get("specialties")
        return None if names is None else names.get(code, names.get("other", name))

    def count(self, n: int, key: str) -> str:
        """"1 arbetsdag", "3 arbetsdagar": a number with the label's singular or plural."""
        one, many = self.data["labels"][key]
        return f"{n} {one if n == 1 else many}"

    def letter(self, section: str, values: dict[str, str], flags: dict[str, bool]) -> tuple[str, list[Block]]:
        """The title and the blocks of one letter, with values filled in and conditions applied."""
        try:
            spec = self.data[section]
        except KeyError:
            raise InputError("Brevmall", f"mallen för {self.language} saknar brevet [{section}].") from None
        blocks: list[Block] = []
        for n, raw in enumerate(spec.get("block", []), 1):
            if not _holds(raw.get("when"), flags):
                continue
            where = f"{section}, stycke {n}"
            if "h" in raw:
                blocks.append(Heading(_fill(raw["h"], values, where)))
            elif "p" in raw:
                blocks.append(Paragraph(_fill(raw["p"], values, where)))
            elif "bullets" in raw:
                blocks.append(Bullets(tuple(_fill(item, values, where) for item in raw["bullets"])))
            elif "facts" in raw:
                rows = tuple(
                    (_fill(row[0], values, where), _fill(row[1], values, where))
                    for row in raw["facts"] if _holds(row[2] if len(row) > 2 else None, flags)
                )
                blocks.append(Facts(tuple(r for r in rows if r[1].strip())))  # empty facts are left out
        return _fill(spec["title"], values, f"{section}.title"), blocks


def _holds(condition: str | list[str] | None, flags: dict[str, bool]) -> bool:
    """A condition is a flag name, "!name", or a list of them that must all hold."""
    if isinstance(condition, list):
        return all(_holds(c, flags) for c in condition)
    if not condition:
        return True
    negated = condition.startswith("!")
    name = condition.lstrip("!")
    if name not in flags:
        raise InputError("Brevmall", f"okänt villkor ”{name}” i brevmallen.")
    return flags[name] != negated


def _fill(text: str, values: dict[str, str], where: str) -> str:
    try:
        return Template(text).substitute(values)
    except KeyError as exc:
        raise InputError("Brevmall", f"okänt namn ${{{exc.args[0]}}} i brevmallen ({where}).") from None
    except ValueError:
        raise InputError("Brevmall", f"ett $-tecken står fel i brevmallen ({where}); skriv $$ för ett $.") from None


def load_templates(language: str, folder: Path | None = None,
                   stored: Mapping[str, bytes] | None = None) -> TemplateSet:
    """The texts for `language` (Swedish when there are none): the region's own texts stored in the database
    (app.letters.archive: every colleague's letters alike), else its own file, then the shipped."""
    for lang in (language, DEFAULT_LANGUAGE):
        if stored and lang in stored:
            return _parse(stored[lang], lang, f"brevmallen för {lang} i databasen")
        own = folder / f"{lang}.toml" if folder else None
        if own is not None and own.is_file():
            return _parse(own.read_bytes(), lang, str(own))
        shipped = files("resources") / "letters" / f"{lang}.toml"
        if shipped.is_file():
            return _shipped(lang)
    raise InputError("Brevmall", f"det finns ingen brevmall för {language}.")


@cache
def _shipped(language: str) -> TemplateSet:
    resource = files("resources") / "letters" / f"{language}.toml"
    return _parse(resource.read_bytes(), language, f"resources/letters/{language}.toml")


def _parse(raw: bytes, language: str, name: str) -> TemplateSet:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("Brevmall", f"{name} går inte att läsa: {exc}") from None
    version = f"{data.get('version', '0')}+{hashlib.sha256(raw).hexdigest()[:8]}"
    return TemplateSet(language, version, data)
