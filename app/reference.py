"""Read-only reference data: regions, municipalities, MVO specialties and planned activities.

The data lives in TOML files under resources/reference/ and is loaded once per process. Municipality
codes are SCB's four-digit kommunkod whose first two digits are the region's länskod, so a
municipality's region is derived from its code rather than stored twice.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Region:
    code: str  # two-digit länskod, e.g. "01"
    name: str


@dataclass(frozen=True)
class Municipality:
    code: str  # four-digit kommunkod, e.g. "0180"
    name: str
    region_code: str


@dataclass(frozen=True)
class Specialty:
    code: str  # three-digit MVO code
    name: str
    bup: bool  # child and adolescent psychiatry, which has its own guarantee rules


@dataclass(frozen=True)
class Activity:
    code: str  # placeholder scheme, see resources/reference/activities.toml
    name: str
    mvo_code: str


def _load(filename: str, key: str) -> list[dict[str, Any]]:
    resource = files("resources") / "reference" / filename
    with resource.open("rb") as handle:
        return tomllib.load(handle)[key]


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(code=row["code"], name=row["name"]) for row in _load("regions.toml", "regions"))


@cache
def municipalities() -> tuple[Municipality, ...]:
    return tuple(
        Municipality(code=row["code"], name=row["name"], region_code=row["code"][:2])
        for row in _load("municipalities.toml", "municipalities")
    )


@cache
def specialties() -> tuple[Specialty, ...]:
    return tuple(
        Specialty(code=row["code"], name=row["name"], bup=bool(row.get("bup", False)))
        for row in _load("mvo.toml", "specialties")
    )


@cache
def activities() -> tuple[Activity, ...]:
    return tuple(
        Activity(code=row["code"], name=row["name"], mvo_code=row["mvo_code"])
        for row in _load("activities.toml", "activities")
    )


@cache
def _regions_by_code() -> dict[str, Region]:
    return {region.code: region for region in regions()}


@cache
def _municipalities_by_code() -> dict[str, Municipality]:
    return {municipality.code: municipality for municipality in municipalities()}


def region_for_municipality(code: str) -> Region:
    """The region a municipality belongs to; KeyError if the municipality code is unknown."""
    municipality = _municipalities_by_code().get(code)
    if municipality is None:
        raise KeyError(f"unknown municipality code {code!r}")
    return _regions_by_code()[municipality.region_code]


@cache
def municipality_points() -> dict[str, tuple[float, float]]:
    """Latitude and longitude (WGS84) of each municipality, where its people live: see
    tools/municipality_centroids.py for the source and the method."""
    resource = files("resources") / "reference" / "municipality_centroids.csv"
    with resource.open("r", encoding="utf-8") as handle:
        return {row["code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)}
