"""Derive resources/reference/municipality_centroids.csv (one point per municipality, WGS84).

Source: sphrak/svenska-stader, src/svenska-stader.csv at commit 094e2ec (Apache-2.0, © 2019 Niclas Kron):
1 900 Swedish localities with their municipality and coordinates. A municipality's point is the median
latitude and longitude of its localities in its own county (the source has misplaced rows, whose county column
then follows the coordinates), after dropping those more than 80 km from the first median. This approximates where a municipality's people live, which is what travel distance
needs; it is not SCB's area centroid. Six Stockholm suburbs have no locality in the source and get an approximate
point (APPROXIMATE); the output's `method` column says which.

    git show 094e2ec:src/svenska-stader.csv > stader.csv
    python tools/municipality_centroids.py stader.csv > resources/reference/municipality_centroids.csv
"""

import csv
import math
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, ".")
from app import reference

# The source names some municipalities by their genitive form or another spelling.
ALIASES = {"Falu": "Falun", "Malung": "Malung-Sälen", "Upplands Bro": "Upplands-Bro", "Ed": "Dals-Ed",
           "Tranå": "Tranås", "Torså": "Torsås", "Grum": "Grums", "Skinnskattebergs k.": "Skinnskatteberg"}
COUNTY = {"Stockholm": "01", "Uppsala": "03", "Södermanland": "04", "Östergötland": "05", "Jönköping": "06",
          "Kronoberg": "07", "Kalmar": "08", "Gotland": "09", "Blekinge": "10", "Skåne": "12", "Halland": "13",
          "Västra Götaland": "14", "Värmland": "17", "Örebro": "18", "Västmanland": "19", "Dalarna": "20",
          "Gävleborg": "21", "Västernorrland": "22", "Jämtland": "23", "Västerbotten": "24", "Norrbotten": "25"}
# Six Stockholm suburbs have no locality of their own in the source: the centre of their main town, rounded to
# 0.01° (about 1 km), which is precise enough for travel distances of tens of kilometres.
APPROXIMATE = {"0123": (59.42, 17.83), "0128": (59.20, 17.77), "0138": (59.24, 18.23), "0163": (59.43, 17.95),
               "0183": (59.36, 17.97), "0184": (59.36, 18.00)}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    return math.hypot((a[0] - b[0]) * 111.2, (a[1] - b[1]) * 111.2 * math.cos(lat))


def main(path: str) -> None:
    points: dict[str, list[tuple[str | None, tuple[float, float]]]] = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = ALIASES.get(row["Municipality"].strip(), row["Municipality"].strip())
            county = COUNTY.get(row["County"].strip())
            try:
                point = (float(row["Latitude"]), float(row["Longitude"]))
                points[name.casefold()].append((county, point))
            except ValueError:
                continue
    found: dict[str, tuple[float, float, str]] = {}
    for m in reference.municipalities():
        rows = points.get(m.name.casefold(), [])
        # Where the county column disagrees with the municipality, the coordinates follow the county.
        pts = [p for county, p in rows if county == m.region_code] or [p for _, p in rows]
        if not pts:
            continue
        first = (statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts))
        near = [p for p in pts if km(p, first) <= 80] or pts
        found[m.code] = (statistics.median(p[0] for p in near), statistics.median(p[1] for p in near),
                         f"localities:{len(near)}")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(("code", "name", "lat", "lon", "method"))
    for m in reference.municipalities():
        if m.code in found:
            lat, lon, method = found[m.code]
        elif m.code in APPROXIMATE:
            (lat, lon), method = APPROXIMATE[m.code], "approximate"
        else:
            raise SystemExit(f"no locality for {m.code} {m.name}: add an alias or an approximate point")
        out.writerow((m.code, m.name, f"{lat:.4f}", f"{lon:.4f}", method))


if __name__ == "__main__":
    main(sys.argv[1])
