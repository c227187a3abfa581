"""Notifications to patients (SMS): templates, an outbox written in the request's transaction,
and the delivery loop that sends it through the configured gateway after the commit."""
