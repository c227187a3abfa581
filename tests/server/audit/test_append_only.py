"""The audit log is append-only in the database itself: the server's role lacks the rights to
change it, and triggers refuse changes even to the schema owner."""

from __future__ import annotations

import psycopg
import pytest

from tests.helpers import audit_rows, sql

CHANGES = {
    "UPDATE": "UPDATE audit_event SET summary = '{}' WHERE seq = 1",
    "DELETE": "DELETE FROM audit_event WHERE seq = 1",
    "TRUNCATE": "TRUNCATE audit_event",
}


class TestServerRole:
    @pytest.mark.parametrize("verb", sorted(CHANGES))
    def test_server_role_may_not_change_the_log(self, db, verb):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            sql(db.app, CHANGES[verb])
        assert audit_rows(db.owner, "seq = 1")[0]["action"] == "seed.demo"

    def test_server_role_may_read_the_log(self, db):
        assert sql(db.app, "SELECT count(*) FROM audit_event")[0][0] >= 1

    def test_server_role_cannot_switch_the_triggers_off(self, db):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql(db.app, "SET session_replication_role = replica")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql(db.app, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")


class TestOwner:
    @pytest.mark.parametrize("verb", sorted(CHANGES))
    def test_triggers_refuse_even_the_owner(self, db, verb):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            sql(db.owner, CHANGES[verb])
        assert len(audit_rows(db.owner)) >= 1

    def test_owner_may_append(self, db):
        """Appending is what the log is for (the seed does it as the owner)."""
        before = len(audit_rows(db.owner))
        sql(db.owner, "INSERT INTO audit_event (seq, occurred_at, action, outcome, summary,"
                      " prev_hash, hash) VALUES (10000, now(), 'test', 'success', '{}', '', '')")
        assert len(audit_rows(db.owner)) == before + 1

