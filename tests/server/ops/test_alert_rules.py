"""The alert rules of installers/deploy: they parse, every expression names only metrics that
`/metrics` exposes, and every alert links a runbook section that exists."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import yaml
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "installers" / "deploy" / "prometheus" / "rxp-alerts.yml"
RUNBOOKS = ROOT / "docs" / "operations" / "runbooks.md"
# Metrics Prometheus itself records about each target.
PROMETHEUS_OWN = {"up"}


def exposed_names(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def metric_names(expr: str) -> set[str]:
    # Label values and matchers are quoted; drop them before looking for names.
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    return set(re.findall(r"\b(rxp_[a-z0-9_]+|up)\b(?=\s*[{\[)\s=<>!]|\s*$)", bare))


def anchors(markdown: str) -> set[str]:
    return {line[3:].strip().lower() for line in markdown.splitlines()
            if line.startswith("## ")}


async def test_every_alert_names_exposed_metrics_and_has_a_runbook(app):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test") as http:
        await http.get("/health")  # one request, so the request series have samples
        page = await http.get("/metrics")
    assert page.status_code == 200
    exposed = exposed_names(page.text) | PROMETHEUS_OWN

    rules = yaml.safe_load(RULES.read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert len(alerts) >= 10
    sections = anchors(RUNBOOKS.read_text())
    used: set[str] = set()
    for alert in alerts:
        name = alert["alert"]
        names = metric_names(alert["expr"])
        assert names, f"{name}: no metric found in its expression"
        assert names <= exposed, f"{name} uses metrics /metrics does not expose: " \
                                 f"{sorted(names - exposed)}"
        used |= names
        assert alert["labels"]["severity"] in ("serious", "general"), name
        runbook = alert["annotations"]["runbook_url"]
        assert runbook == f"docs/operations/runbooks.md#{name.lower()}", name
        assert name.lower() in sections, f"runbooks.md has no section ## {name}"
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]
    # The faults that stop prescribing, circulation and purchase each have a serious alert.
    serious = {a["labels"]["service"] for a in alerts if a["labels"]["severity"] == "serious"}
    assert {"prescribing", "circulation", "purchase"} <= serious
    assert {"rxp_http_request_duration_seconds_bucket", "rxp_review_overdue_tasks",
            "rxp_outbox_oldest_pending_seconds", "rxp_replica_lag_seconds",
            "rxp_kiosk_device_faults", "rxp_login_failures"} <= used


def test_the_name_finder_sees_through_label_matchers():
    assert metric_names('sum(rate(rxp_http_requests_total{route=~"/x/rxp_fake"}[5m])) > 0') \
        == {"rxp_http_requests_total"}
    assert metric_names('up{job="rxp-api"} == 0') == {"up"}
    assert metric_names("rxp_database_up == 0") == {"rxp_database_up"}
