"""Several uvicorn workers: with PROMETHEUS_MULTIPROC_DIR each process records its requests in
files there, and whichever process answers the scrape reports the sum of all of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import sys
from server.metrics.http import RequestMetrics
metrics = RequestMetrics()
for _ in range(int(sys.argv[1])):
    metrics.observe("GET", "/prescriptions/{prescription_id}", 200, 0.02, 7)
"""
SCRAPE = """
import sys
from server.metrics.exposition import render
from server.metrics.figures import Figures
from server.metrics.http import RequestMetrics
sys.stdout.write(render(RequestMetrics(), Figures()).decode())
"""


def run(code: str, *args: str, folder: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def test_a_scrape_sums_every_worker(tmp_path):
    run(WORKER, "3", folder=tmp_path)
    run(WORKER, "4", folder=tmp_path)
    page = run(SCRAPE, folder=tmp_path)
    values = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for family in text_string_to_metric_families(page) for s in family.samples}
    route = ("route", "/prescriptions/{prescription_id}")
    assert values[("rxp_http_requests_total", (("method", "GET"), route,
                                               ("status", "200")))] == 7
    assert values[("rxp_http_request_duration_seconds_count", (("method", "GET"), route))] == 7
    # The database figures come with it, from the scraping process alone.
    assert values[("rxp_database_up", ())] == 0
