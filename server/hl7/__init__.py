"""HL7 v2 over MLLP with the hospital's HIS: pharmacy orders (RDE^O11, order control OP) in,
acknowledgements (RRE^O12) back, and dispense / status messages (RDS^O13) out through the
outbox. See docs/integrations-hl7.md."""
