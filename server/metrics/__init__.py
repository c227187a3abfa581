"""Metrics in Prometheus format at `/metrics`: request rates and latencies by route template,
and figures read from the database when scraped (review queue, outboxes, replicas, kiosk
devices, login failures)."""
