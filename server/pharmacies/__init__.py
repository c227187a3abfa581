"""Retail pharmacies: onboarding (遴选), profiles, opening hours, delivery capabilities, stock
feed, and the choice of a pharmacy the patient is offered."""
