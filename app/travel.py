"""Travel distance between municipalities, from their points in resources/reference (app.reference)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from app import reference

EARTH_KM = 6371.0
# Roads are longer than the great circle; 1.3 is the usual detour factor for Swedish road travel and keeps
# "how far will you travel" in the kilometres patients think in.
ROAD_FACTOR = 1.3


def distance_km(from_municipality: str | None, to_municipality: str | None) -> float | None:
    """Road kilometres, estimated; None when either municipality is unknown."""
    points = reference.municipality_points()
    a, b = points.get(from_municipality or ""), points.get(to_municipality or "")
    if a is None or b is None:
        return None
    return ROAD_FACTOR * great_circle_km(a, b)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


@cache
def distance_matrix() -> tuple[dict[str, int], np.ndarray]:
    """Every pair of municipalities at once, for matching many patients: (code -> row, road km)."""
    points = reference.municipality_points()
    codes = list(points)
    lat, lon = np.radians(np.array([points[c] for c in codes])).T
    h = (np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
         + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2)
    return {c: i for i, c in enumerate(codes)}, ROAD_FACTOR * 2 * EARTH_KM * np.arcsin(np.sqrt(h))
