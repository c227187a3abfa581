"""`rxp keys reencrypt`: every sealed column moves to the new data key and still opens."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import LargeBinary

import server.models  # noqa: F401  (every table in the metadata)
from installers.database import DatabaseUrls
from server.core.db import Base, make_engine
from server.core.keys import DATA_KEYS, KeyMaterial
from server.idempotency.store import BODY_CONTEXT
from server.identity.auth_service import TOTP_CONTEXT
from server.ops.reencrypt import SEALED, reencrypt_all, reencrypt_column
from server.patients.identity import SEALED_FIELDS
from server.personal_data.cipher import FieldCipher
from server.personal_data.keys import KeyRing
from tests.helpers import sql

# Binary columns that hold no sealed value, and why.
NOT_SEALED = {
    "audit_event.prev_hash": "hash chain", "audit_event.hash": "hash chain",
    "patient_sms_code.code_hash": "keyed hash of a short-lived code",
    "prescription.signature": "the doctor's signature", "prescription.signed_digest": "digest",
    "circulation_order.handover_signature": "the recipient's signature",
    "review_task.signature": "the pharmacist's signature",
    "hl7_inbound_message.digest": "digest of the message",
    "hl7_inbound_message.ack": "our ACK: message ids and codes",
    "launch_token.token_hash": "hash", "refresh_token.token_hash": "hash",
    "payment_notification.body": "the gateway's callback: trade numbers and amounts",
}


def rotated_cipher(key_dir: Path, tmp_path: Path) -> tuple[FieldCipher, int]:
    copy = tmp_path / "keys"
    shutil.copytree(key_dir, copy)
    version = KeyRing.rotate(copy / DATA_KEYS)
    return FieldCipher(KeyMaterial.load(copy).keyring), version


def test_every_binary_column_is_sealed_by_a_job_or_said_not_to_be_sealed() -> None:
    patients = {f"patient.{name}_enc" for name in SEALED_FIELDS}
    listed = {s.name for s in SEALED}
    binary = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
              if isinstance(c.type, LargeBinary) and not c.name.endswith("_bidx")}
    assert binary - patients - listed - set(NOT_SEALED) == set(), \
        "a new binary column: add it to server/ops/reencrypt.SEALED, or say why it is not sealed"


class TestReencrypt:
    async def test_secrets_and_stored_answers_move_to_the_new_key_and_still_open(
            self, db: DatabaseUrls, key_dir: Path, tmp_path: Path, cipher: FieldCipher) -> None:
        rotated, new_version = rotated_cipher(key_dir, tmp_path)
        for n in range(7):  # a table with a two-column key
            blob = cipher.encrypt(f'{{"n": {n}}}', context=BODY_CONTEXT)
            sql(db.owner, "INSERT INTO idempotency_record (principal, key, request_hash,"
                " status_code, response_body, content_type) VALUES (%s, %s, 'h', 200, %s,"
                " 'application/json')", ("user-1", f"key-{n}", blob))
        before = {row[0]: cipher.decrypt(bytes(row[1]), context=TOTP_CONTEXT) for row in
                  sql(db.owner, "SELECT id, totp_secret_enc FROM staff_user")}
        engine = make_engine(db.app, pool_size=1)
        try:
            totp = next(s for s in SEALED if s.name == "staff_user.totp_secret_enc")
            assert await reencrypt_column(engine, rotated, totp, batch=5) == len(before)
            done = await reencrypt_all(engine, rotated, batch=3)
            again = await reencrypt_all(engine, rotated)
        finally:
            await engine.dispose()
        assert done["staff_user.totp_secret_enc"] == 0  # already moved
        assert done["idempotency_record.response_body"] == 7
        assert done["patient"] > 0
        assert set(done) == {"patient", *(s.name for s in SEALED)}
        assert not any(again.values())
        for user_id, blob in sql(db.owner, "SELECT id, totp_secret_enc FROM staff_user"):
            assert rotated.key_version(bytes(blob)) == new_version
            assert rotated.decrypt(bytes(blob), context=TOTP_CONTEXT) == before[user_id]
        bodies = sql(db.owner, "SELECT key, response_body FROM idempotency_record ORDER BY key")
        assert [rotated.decrypt(bytes(b), context=BODY_CONTEXT) for _, b in bodies] == [
            f'{{"n": {n}}}' for n in range(7)]
