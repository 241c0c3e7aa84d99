"""The issue-18 benchmarks run from bench/run.py on a small region and report every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["forecast_all", "forecast_backtest", "matching_5000", "matching_effect"]


def test_the_benchmarks_write_their_figures(tmp_path):
    out = tmp_path / "bench.json"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--open", "400", "--closed", "1600", "--json",
               str(out), "--only", *NAMES]
    result = subprocess.run(command, capture_output=True, text=True, timeout=280, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    figures = {f["name"]: f["value"] for f in json.loads(out.read_text(encoding="utf-8"))}
    assert figures["prognos, enheter × steg"] > 10
    assert figures["backtest MAE väntat > 90 dagar om 8 veckor, prognos (per enhet)"] >= 0
    assert figures["backtest MAE väntat > 90 dagar om 8 veckor, naiv 'som i dag' (per enhet)"] >= 0
    assert any(name.startswith("matchning ") and name.endswith("enheters kapacitet") for name in figures)
    patients = figures["effekt: patienter som troligen passerar tidsgränsen inom 8 veckor"]
    assert 0 < figures["effekt: får en tid före tidsgränsen, hela listan på en gång"] <= patients
    assert 0 <= figures["effekt: får en tid före tidsgränsen, en patient i taget"] <= patients
