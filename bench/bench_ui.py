"""The case worker's desktop at full scale (issue targets): start to a painted worklist < 1.5 s, a re-sort or
filter keystroke < 100 ms, opening a case < 100 ms, resident memory < 400 MB. Measured in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("ui_probe.py")


def desktop(bench) -> list[dict]:
    out = subprocess.run([sys.executable, str(PROBE), str(bench.db_path)], capture_output=True, text=True,
                         check=True, timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    figures = [
        {"name": "ui_start_to_painted_worklist", "value": round(result["start_s"], 3), "unit": "s"},
        {"name": "ui_start_to_summary", "value": round(result["summary_s"], 3), "unit": "s"},
        {"name": "ui_start_cpu_to_painted_worklist", "value": round(result["start_cpu_s"], 3), "unit": "s"},
        {"name": "ui_worklist_rows", "value": result["rows"], "unit": "rows"},
        {"name": "ui_resort_filter_worst", "value": round(max(result["steps_ms"].values()), 1), "unit": "ms"},
        {"name": "ui_open_case_median", "value": round(result["open_case_ms"], 1), "unit": "ms"},
        {"name": "ui_open_case_max", "value": round(result["open_case_max_ms"], 1), "unit": "ms"},
        {"name": "ui_peak_rss", "value": round(result["peak_rss_mb"], 1), "unit": "MB"},
    ]
    figures += [{"name": f"ui_{name}", "value": round(ms, 1), "unit": "ms"}
                for name, ms in result["steps_ms"].items()]
    return figures


BENCHMARKS = {"desktop": desktop}
