"""Prescriptions: drafts, rules, submission with signature and checks, lifecycle, review."""
