"""The text of one scrape: the request series and the database figures, in one registry built
for the scrape (metric families are named `rxp_*`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.metrics.figures import Figures
from server.metrics.http import RequestMetrics


def gauge(name: str, documentation: str, labels: Iterable[str] = (),
          samples: Iterable[tuple[tuple[str, ...], float]] = ()) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    for values, value in samples:
        family.add_metric(list(values), value)
    return family


class FiguresCollector(Collector):
    def __init__(self, figures: Figures) -> None:
        self.f = figures

    def collect(self) -> Iterator[Metric]:
        f = self.f
        yield gauge("rxp_database_up", "1 when the primary database answered this scrape",
                    samples=[((), 1.0 if f.database_up else 0.0)])
        if f.database_up:
            yield from self._database()
        yield gauge("rxp_replicas_configured", "Streaming replicas configured",
                    samples=[((), float(len(f.replicas)))])
        yield gauge("rxp_replica_up", "1 when the replica answered", ("replica",),
                    [((r.name,), 1.0 if r.up else 0.0) for r in f.replicas])
        yield gauge("rxp_replica_lag_seconds", "Replay delay of the replica (0 when caught up)",
                    ("replica",), [((r.name,), r.lag_seconds) for r in f.replicas
                                   if r.lag_seconds is not None])
        yield gauge("rxp_replica_lag_bytes", "WAL the replica has not replayed yet",
                    ("replica",), [((r.name,), float(r.lag_bytes)) for r in f.replicas
                                   if r.lag_bytes is not None])

    def _database(self) -> Iterator[Metric]:
        f = self.f
        yield gauge("rxp_review_open_tasks", "Review tasks waiting for a pharmacist",
                    samples=[((), float(f.review_open))])
        yield gauge("rxp_review_overdue_tasks", "Open review tasks past their time limit",
                    samples=[((), float(f.review_overdue))])
        yield gauge("rxp_outbox_backlog", "Messages waiting to be delivered", ("outbox",),
                    [((o.name,), float(o.backlog)) for o in f.outboxes])
        yield gauge("rxp_outbox_dead_letters", "Messages given up on", ("outbox",),
                    [((o.name,), float(o.dead)) for o in f.outboxes])
        yield gauge("rxp_outbox_oldest_pending_seconds", "Age of the oldest waiting message",
                    ("outbox",), [((o.name,), o.oldest_pending_seconds) for o in f.outboxes])
        yield gauge("rxp_login_failures", "Failed staff logins in the window (audit log)",
                    ("window",), [((w,), float(n)) for w, n in f.login_failures.items()])
        yield gauge("rxp_accounts_locked", "Staff accounts locked after failed logins",
                    samples=[((), float(f.accounts_locked))])
        yield gauge("rxp_kiosk_device_faults", "Kiosk devices reporting a fault",
                    ("device", "fault"),
                    [((d, fault), float(n)) for (d, fault), n in f.device_faults.items()])
        yield gauge("rxp_kiosk_devices", "Kiosk devices by last reported state", ("state",),
                    [((s,), float(n)) for s, n in f.devices_by_state.items()])
        yield gauge("rxp_kiosk_devices_silent", "Kiosk devices not heard from for 5 minutes",
                    samples=[((), float(f.devices_silent))])
        yield gauge("rxp_incidents_unresolved", "Unresolved incidents", ("severity", "status"),
                    [((s, st), float(n)) for (s, st), n in f.incidents_unresolved.items()])
        yield gauge("rxp_incident_clocks_breached",
                    "Unresolved incidents with a contract clock run out", ("severity",),
                    [((s,), float(n)) for s, n in f.incident_clocks_breached.items()])


def render(requests: RequestMetrics, figures: Figures) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    requests.register_into(registry)
    registry.register(FiguresCollector(figures))
    return generate_latest(registry)
