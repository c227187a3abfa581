"""Re-encrypting second-factor secrets after a data key rotation."""

from __future__ import annotations

import shutil
from pathlib import Path

from installers.database import DatabaseUrls
from server.core.db import make_engine
from server.core.keys import DATA_KEYS, KeyMaterial
from server.identity.auth_service import TOTP_CONTEXT
from server.identity.rotation import reencrypt_totp_secrets
from server.personal_data.cipher import FieldCipher
from server.personal_data.keys import KeyRing
from tests.helpers import sql


class TestReencryptTotpSecrets:
    async def test_every_secret_moves_to_the_new_key_and_still_opens(
            self, db: DatabaseUrls, key_dir: Path, tmp_path: Path, cipher: FieldCipher) -> None:
        rotated_dir = tmp_path / "keys"
        shutil.copytree(key_dir, rotated_dir)
        new_version = KeyRing.rotate(rotated_dir / DATA_KEYS)
        rotated = FieldCipher(KeyMaterial.load(rotated_dir).keyring)
        before = {row[0]: cipher.decrypt(bytes(row[1]), context=TOTP_CONTEXT) for row in
                  sql(db.owner, "SELECT id, totp_secret_enc FROM staff_user")}
        engine = make_engine(db.app, pool_size=1)
        try:
            done = await reencrypt_totp_secrets(engine, rotated, batch=5)
            again = await reencrypt_totp_secrets(engine, rotated, batch=5)
        finally:
            await engine.dispose()
        assert done == len(before) and again == 0
        for user_id, blob in sql(db.owner, "SELECT id, totp_secret_enc FROM staff_user"):
            assert rotated.key_version(bytes(blob)) == new_version
            assert rotated.decrypt(bytes(blob), context=TOTP_CONTEXT) == before[user_id]
